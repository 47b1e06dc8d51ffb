"""The print back end: the composed pages rendered by WeasyPrint into one PDF.

Takes an ``Article`` and its ``Layout`` (``pressroom.typesetting.compose``); gives the PDF's
bytes, one sheet a page.

WeasyPrint reads only files inside the manuscript's folder, ``layouts/`` and ``fonts/``,
through ``SandboxFetcher``: any other URL (http:, https:, data: ...) or path (absolute,
``..``, a symlink out of the tree) stops the rendering before a connection is opened or
the file is read, and becomes an error naming the manuscript (or the layout file that
asked for it).
"""
from __future__ import annotations

import logging
import mimetypes
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .. import fonts
from ..errors import BuildError, Location, PressroomWarning, ResourceError, StrictError, \
    active_diagnostics
from ..typesetting.compose import compose
from ..typesetting.parts import Layout
from ..dates import source_date
from .layouts import LAYOUTS_DIR, render, stylesheet
from ..reading.model import Article

# Tagged PDF: the structure tree carries headings, paragraphs and the photo's alt text.
PDF_OPTIONS = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"}


class SandboxRefusal(FatalURLFetchingError):
    """What the fetcher raises for a refused URL. A FatalURLFetchingError is the one kind
    WeasyPrint does not swallow into a log line: it stops the rendering there."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"refused {url}: {reason}")
        self.url = url
        self.reason = reason


class SandboxFetcher(URLFetcher):
    """Serves files under the allowed folders, read straight from disk, and nothing else.

    No URL is handed to urllib, so no scheme can open a connection (urllib's file handler
    itself turns ``file://host/...`` into FTP).
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=("file",))
        self.roots = [Path(root).resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path, reason = self.allowed(url)
        if path is None:
            self.refused.append(url)
            raise SandboxRefusal(url, reason)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": media_type})

    def allowed(self, url: str) -> tuple[Path | None, str]:
        """The file ``url`` names, resolved, if it may be read; else None and why not."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            return None, "Pressroom reads only files, it fetches nothing from a network"
        if parts.netloc not in ("", "localhost"):
            return None, "a file on another host"
        try:
            path = Path(url2pathname(parts.path)).resolve()
        except (OSError, RuntimeError, ValueError):
            return None, "not a path Pressroom can read"
        if not any(path.is_relative_to(root) for root in self.roots):
            return None, "outside the manuscript's folder, layouts/ and fonts/"
        return path, ""


def _asked_by(article: Article, url: str) -> Location:
    """The manuscript's layout file and line that ask for ``url``, if one does in so many
    words; the manuscript itself otherwise."""
    parts = urlsplit(url)
    needles = [url, unquote(url), os.path.basename(unquote(parts.path))]
    layouts = article.folder / "layouts"
    files = sorted(path for path in layouts.rglob("*") if path.is_file()) \
        if layouts.is_dir() else []
    for needle in filter(None, needles):
        for path in files:
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            for number, line in enumerate(lines, 1):
                column = line.find(needle)
                if column >= 0:
                    return Location(path, number, column + 1)
    return Location(article.source)


def _refused(article: Article, refusal: SandboxRefusal) -> ResourceError:
    return ResourceError(
        f"the page asked for '{refusal.url}', which was refused: {refusal.reason}",
        _asked_by(article, refusal.url),
        "use only files inside the manuscript's folder; remove the URL or copy the file there",
        code="PR310")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs: a warning there is a fault in the page, not noise."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def page_html(article: Article, layout: Layout) -> str:
    faces = [{"family": face.role_family, "url": (fonts.FONTS_DIR / face.file).as_uri(),
              "weight": face.weight} for face in fonts.FACES]
    return render(
        article, "page.html.j2",
        faces=faces,
        stylesheets=[stylesheet(article, name).as_uri() for name in ("shared.css", "print.css")],
        layout=layout,
        image_urls={figure.image: figure.image.as_uri() for figure in article.figures},
        # The PDF carries a date only when SOURCE_DATE_EPOCH gives one: no clock time, so
        # two builds of one manuscript are the same bytes.
        created=created.strftime("%Y-%m-%dT%H:%M:%SZ") if (created := source_date()) else None,
    )


def render_pdf(article: Article) -> bytes:
    """Lay the article out on its pages and return the PDF's bytes."""
    layout = compose(article, article.printing)
    report_free_area(article, layout)
    data = render_layout(article, layout)
    report_copyfit(article, layout)  # only of a page that was made
    return data


def report_copyfit(article: Article, layout: Layout) -> None:
    """The leading copyfitting chose, against the layout's own, and how many paragraphs it
    set a line shorter or longer to fill the frames."""
    pitch, preferred = layout.pitch, layout.preferred_pitch
    leading = f"leading of {pitch:g} pt" + (" (the layout's own)" if abs(pitch - preferred) < 1e-6
                                         else f" (the layout's own is {preferred:g} pt)")
    pages = f"{len(layout.pages)} page{'s' if len(layout.pages) > 1 else ''}"
    active_diagnostics().note(
        f"{Location(article.source)}: {pages} at a {leading}; {layout.shorter} paragraphs "
        f"set a line shorter, {layout.longer} a line longer")


def report_free_area(article: Article, layout: Layout) -> None:
    """PR502: a story set at its natural length leaves part of its page empty; the layout
    editor fills it (or, under --strict, the build stops)."""
    for page in layout.pages:
        if page.free is None:
            continue
        free = page.free
        parts = []
        if free.rows:
            parts.append(f"{free.rows} of {free.total_rows} rows across "
                         f"{free.total_columns - free.columns} columns under the story")
        if free.columns:
            parts.append(f"{free.columns} of {free.total_columns} columns beside it")
        if free.holes:
            parts.append(f"{free.holes} lines of its columns (where no layout kept every rule)")
        warning = PressroomWarning(
            "PR502", f"{page.furniture.page} (page {page.number} of {len(layout.pages)}) leaves "
            f"{' and '.join(parts)} empty ({free.share:.0%} of the type area)",
            Location(article.source), "the story is set at its natural length; add text, "
            "a photo, or other stories to fill the page")
        diagnostics = active_diagnostics()
        if diagnostics.strict:
            raise StrictError.from_warning(warning)
        diagnostics.warn(warning)


def render_layout(article: Article, layout: Layout) -> bytes:
    """The PDF of a composed layout."""
    where = Location(article.source)
    with sandboxed([article.folder, LAYOUTS_DIR, fonts.FONTS_DIR], where,
                   lambda refusal: _refused(article, refusal), "the manuscript's") as fetcher:
        document = weasyprint.HTML(
            string=page_html(article, layout), base_url=article.folder.as_uri() + "/",
            url_fetcher=fetcher,
        ).render(font_config=FontConfiguration(), **PDF_OPTIONS)
        check_page_count(document, len(layout.pages), "a layout", where, "the manuscript's")
        return document.write_pdf(**PDF_OPTIONS)


def _layouts_hint(whose: str) -> str:
    return f"check {whose} own layouts/, if it has one; else this is a fault of the " \
        "project's layouts"


@contextmanager
def sandboxed(roots: list[Path], where: Location, refused,
              whose: str) -> Iterator[SandboxFetcher]:
    """A WeasyPrint rendering inside the block that reads only files under ``roots``
    (``SandboxFetcher``): a refused URL becomes ``refused(refusal)``, an error naming who
    asked for it; anything WeasyPrint logs becomes a BuildError at ``where``, a fault of
    ``whose`` layouts or the project's."""
    fetcher = SandboxFetcher(roots)
    try:
        with _weasyprint_warnings() as warnings:
            yield fetcher
    except SandboxRefusal as refusal:
        raise refused(refusal) from None
    if fetcher.refused:  # a refusal something in WeasyPrint caught after all
        raise refused(SandboxRefusal(fetcher.refused[0], "outside the project"))
    if warnings:
        raise BuildError("WeasyPrint: " + "; ".join(dict.fromkeys(warnings)), where,
                         _layouts_hint(whose))


def check_page_count(document, expected: int, what: str, where: Location, whose: str) -> None:
    """The renderer made as many sheets as the composer composed pages, or a BuildError."""
    if len(document.pages) != expected:
        raise BuildError(f"the renderer made {len(document.pages)} pages of {what} of "
                         f"{expected}", where, _layouts_hint(whose))
