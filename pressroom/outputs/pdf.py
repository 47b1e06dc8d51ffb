"""The print back end: the composed pages rendered by WeasyPrint into one PDF.

Takes an ``Article`` and its ``Layout`` (``pressroom.typesetting.compose``); gives the PDF's
bytes, one sheet a page. WeasyPrint reads only the manuscript's folder, ``layouts/`` and
``fonts/``, under names free of the checkout's path (``pressroom.outputs.sandbox``).
"""
from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..typesetting.texts import article_faces
from ..errors import Location, PressroomWarning, ResourceError, StrictError, \
    active_diagnostics
from ..typesetting.compose import compose
from ..typesetting.parts import Layout
from .layouts import LAYOUTS_DIR, render, stylesheet
from .sandbox import Asker, Roots, SandboxRefusal, check_page_count, created_stamp, \
    font_faces, font_roots, sandboxed
from .verify import verify_drawn
from ..reading.model import Article

# Tagged PDF: the structure tree carries headings, paragraphs and the photo's alt text.
PDF_OPTIONS = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"}
STYLESHEETS = ("shared.css", "print.css")


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


def page_roots(article: Article) -> Roots:
    return Roots.of({"manuscript": article.folder, "layouts": LAYOUTS_DIR, **font_roots()},
                    photos=[figure.image for figure in article.figures])


def page_asker(article: Article, roots: Roots) -> Asker:
    return Asker(Location(article.source), "the manuscript's",
                 tuple(stylesheet(article, name) for name in STYLESHEETS),
                 lambda refusal: _refused(article, refusal),
                 tuple((roots.url(figure.image), figure.where) for figure in article.figures))


def page_html(article: Article, layout: Layout, roots: Roots | None = None) -> str:
    roots = roots or page_roots(article)
    return render(
        article, "page.html.j2",
        faces=font_faces(roots, article_faces(article)),
        stylesheets=[roots.url(stylesheet(article, name)) for name in STYLESHEETS],
        layout=layout,
        image_urls={figure.image: roots.url(figure.image) for figure in article.figures},
        created=created_stamp(),
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
    """The PDF of a composed layout, once what it draws is known to hold every part."""
    roots = page_roots(article)
    asker = page_asker(article, roots)
    with sandboxed(roots, asker) as fetcher:
        document = weasyprint.HTML(
            string=page_html(article, layout, roots), base_url=roots.folder_url(article.folder),
            url_fetcher=fetcher,
        ).render(font_config=FontConfiguration(), **PDF_OPTIONS)
        check_page_count(document, len(layout.pages), "a layout", asker)
        verify_drawn(article, document)
        return document.write_pdf(finisher=list_creators, **PDF_OPTIONS)


def list_creators(document, pdf) -> None:
    """The Info dictionary's /Author as the byline prints the names, with 、; WeasyPrint
    joins the ``<meta name=author>`` elements (one a creator, each its own ``dc:creator``
    item in the XMP) with ", "."""
    if document.metadata.authors:
        pdf.info["Author"] = pydyf.String("、".join(document.metadata.authors))
