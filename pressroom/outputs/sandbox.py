"""The renderer's sandbox: what WeasyPrint may read, under which names, and what it says.

WeasyPrint reads only files inside the folders of a build (the manuscript's or the plan's
tree, ``layouts/``, ``fonts/``), through ``SandboxFetcher``: any other URL (http:, https:,
data: ...) or path (absolute, ``..``, a symlink out of the tree) stops the rendering before
a connection is opened or the file is read, and becomes an error naming who asked for it.
The fetcher serves the names of ``pressroom.outputs.roots`` (``file:///pressroom/<root>/…``),
mapping them back to the files.

A photo of a figure is served as ``pressroom.photos.print_photo`` prepares it (turned as
the camera meant, 8 bits, no EXIF or GPS data), never as the file's raw bytes.

What WeasyPrint logs is sorted by cause (``renderer_messages``): about the page (CSS it
ignored, an image it could not draw, a glyph it lacked) an error naming the stylesheet or
the part; about the machine (an optional library missing) one warning, PR505, that never
fails a build, since the output is right.
"""
from __future__ import annotations

import logging
import mimetypes
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .. import photos
from ..errors import BuildError, ErrorGroup, Location, PressroomError, PressroomWarning, \
    active_diagnostics
from .roots import Asker, Roots, layouts_hint


class SandboxRefusal(FatalURLFetchingError):
    """What the fetcher raises for a refused URL. A FatalURLFetchingError is the one kind
    WeasyPrint does not swallow into a log line: it stops the rendering there."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"refused {url}: {reason}")
        self.url = url
        self.reason = reason


class SandboxFetcher(URLFetcher):
    """Serves files under the roots, read straight from disk, and nothing else.

    No URL is handed to urllib, so no scheme can open a connection (urllib's file handler
    itself turns ``file://host/...`` into FTP).
    """

    def __init__(self, roots: Roots):
        super().__init__(allowed_protocols=("file",))
        self.roots = roots
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path, reason = self.roots.resolve(url)
        if path is None:
            self.refused.append(url)
            raise SandboxRefusal(url, reason)
        press = dict(self.roots.press)
        if path in press:
            data, media_type = photos.press_photo(path, *press[path])
        elif path in self.roots.photos:
            data, media_type = photos.print_photo(path)
        else:
            data = path.read_bytes()
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": media_type})


# -- what WeasyPrint says -----------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    """One of WeasyPrint's log messages, by its format string (WeasyPrint is pinned)."""

    cause: str  # "machine", "applied", "stylesheet", "image", "glyph", or "page" (any other)
    pattern: re.Pattern


def _template(cause: str, text: str) -> Template:
    return Template(cause, re.compile(text, re.S))


TEMPLATES = (
    # weasyprint/pdf/fonts.py: libharfbuzz-subset missing, fontTools subsets instead.
    _template("machine", r"Using fontTools instead of HarfBuzz-Subset for font "),
    # weasyprint/css/tokens.py and css/__init__.py: a declaration or rule dropped.
    _template("stylesheet", r"Ignored `(?P<declaration>[^`]*)` at (?P<line>\d+):(?P<column>\d+)"),
    _template("stylesheet", r"(?:Parse error|Unknown empty rule|Invalid math function|"
                            r"Unknown @page rule|Empty @page rule|Invalid prelude) .*?at "
                            r"(?P<line>\d+):(?P<column>\d+)"),
    _template("stylesheet", r".*the whole (?:@\w+ )?rule was ignored at "
                            r"(?P<line>\d+):(?P<column>\d+)"),
    _template("stylesheet", r"Missing \S+ descriptor in '@font-face' rule at "
                            r"(?P<line>\d+):(?P<column>\d+)"),
    _template("stylesheet", r"Failed to load stylesheet at (?P<url>\S+)"),
    _template("stylesheet", r"Invalid or unsupported selector"),
    _template("stylesheet", r"Expected a media type"),
    _template("stylesheet", r"Error: .* at (?P<line>\d+):(?P<column>\d+)"),
    # A prefixed property WeasyPrint still applies: the page is right, nothing to say.
    _template("applied", r"Deprecated `"),
    _template("stylesheet", r"Font-face .* cannot be loaded"),
    # weasyprint/images.py
    _template("image", r"Failed to load image at '(?P<url>[^']*)'"),
    _template("image", r"Unknown image mode: "),
    _template("image", r"Failed to render SVG image "),
    # weasyprint/draw/text.py
    _template("glyph", r"\.notdef glyph rendered for Unicode string unsupported by fonts: "
                       r"\"(?P<text>.*)\" \(U\+(?P<code>[0-9A-F]+)\)"),
)


@dataclass(frozen=True)
class RendererMessage:
    text: str
    cause: str
    fields: dict


def classify(text: str, origin: str = "") -> RendererMessage:
    """What a WeasyPrint log message is about, with what its template tells (line, URL);
    one no template knows is about a stylesheet if WeasyPrint's CSS code logged it
    (``origin``: the logging module's file), else about the page."""
    for template in TEMPLATES:
        found = template.pattern.match(text)
        if found:
            return RendererMessage(text, template.cause, found.groupdict())
    if "/css/" in origin.replace("\\", "/"):
        at = re.search(r" at (?P<line>\d+):(?P<column>\d+)", text)
        return RendererMessage(text, "stylesheet", at.groupdict() if at else {})
    return RendererMessage(text, "page", {})


class LogLine(str):
    """A message WeasyPrint logged, knowing the file of the code that logged it."""

    origin: str = ""


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[LogLine] = []

    def emit(self, record):
        line = LogLine(record.getMessage())
        line.origin = record.pathname or ""
        self.messages.append(line)


@contextmanager
def weasyprint_log() -> Iterator[list[LogLine]]:
    """Collect what WeasyPrint logs inside the block."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def report_machine(messages: list[RendererMessage]) -> None:
    """PR505 for an optional library WeasyPrint lacks: a warning, even under --strict,
    once a run (not once a font, a page or a manuscript of ``--all``)."""
    diagnostics = active_diagnostics()
    if any(message.cause == "machine" for message in messages) \
            and diagnostics.first_time("PR505 harfbuzz-subset"):
        diagnostics.warn(PressroomWarning(
            "PR505", "HarfBuzz's subsetter (libharfbuzz-subset0) is not installed: WeasyPrint "
            "subsets the fonts with fontTools, which is slower; the pages are the same",
            None, "install the Debian package libharfbuzz-subset0, as scripts/install.sh does"))


@contextmanager
def sandboxed(roots: Roots, asker: Asker) -> Iterator[SandboxFetcher]:
    """A WeasyPrint rendering inside the block that reads only the roots; a refused URL
    becomes ``asker.refused(refusal)``, what WeasyPrint logs an error naming the stylesheet
    or the part it is about (or, for the machine, a warning)."""
    fetcher = SandboxFetcher(roots)
    try:
        with weasyprint_log() as logged:
            yield fetcher
    except SandboxRefusal as refusal:
        raise asker.refused(refusal) from None
    if fetcher.refused:  # a refusal something in WeasyPrint caught after all
        raise asker.refused(SandboxRefusal(fetcher.refused[0], "outside the project"))
    messages = [classify(text, text.origin) for text in dict.fromkeys(logged)]
    report_machine(messages)
    faults = [message for message in messages if message.cause not in ("machine", "applied")]
    sources = _stylesheet_sources(asker.stylesheets, roots, fetcher) \
        if any(message.cause == "stylesheet" for message in faults) else {}
    errors = [_page_error(message, sources, asker) for message in faults]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)


def _page_error(message: RendererMessage, sources: dict[str, Path],
                asker: Asker) -> PressroomError:
    fields = message.fields
    if message.cause == "stylesheet":
        source = sources.get(message.text)
        if source is not None:
            line = int(fields["line"]) if fields.get("line") else None
            column = int(fields["column"]) if line and fields.get("column") else None
            return BuildError(f"the renderer ignored CSS: {message.text}",
                              Location(source, line, column),
                              "correct or remove the rule there", code="PR401")
        # Not from a stylesheet file: from the CSS the layouts write into the page.
        return BuildError(f"the renderer ignored CSS the layouts wrote: {message.text}",
                          asker.where, layouts_hint(asker.whose), code="PR401")
    if message.cause == "image":
        url = fields.get("url") or ""
        where = dict(asker.figures).get(url, asker.where)
        return BuildError(f"the renderer could not draw an image: {message.text}", where,
                          "save the picture again as JPEG or PNG", code="PR401")
    if message.cause == "glyph":
        code = fields.get("code", "")
        return BuildError(f"the renderer drew an empty box for U+{code}: no face has it",
                          asker.where, layouts_hint(asker.whose), code="PR401")
    return BuildError("WeasyPrint: " + message.text, asker.where, layouts_hint(asker.whose))


def _stylesheet_sources(stylesheets: tuple[Path, ...], roots: Roots,
                        fetcher: SandboxFetcher) -> dict[str, Path]:
    """Which stylesheet file says what WeasyPrint said: its messages give a line but no
    file, so each file is read again on its own and its messages kept."""
    sources: dict[str, Path] = {}
    for path in stylesheets:
        with weasyprint_log() as logged:
            try:
                weasyprint.CSS(string=path.read_text(encoding="utf-8"),
                               base_url=roots.url(path), url_fetcher=fetcher)
            except (OSError, UnicodeDecodeError, SandboxRefusal):
                continue  # reported already, as the rendering met it
        for text in logged:
            sources.setdefault(text, path)
    return sources


def check_page_count(document, expected: int, what: str, asker: Asker) -> None:
    """The renderer made as many sheets as the composer composed pages, or a BuildError."""
    if len(document.pages) != expected:
        raise BuildError(f"the renderer made {len(document.pages)} pages of {what} of "
                         f"{expected}", asker.where, layouts_hint(asker.whose))
