"""The one exception base of Pressroom, its error codes, and the warning channel.

Every failure a user can fix is a ``PressroomError`` with a stable code (``CODES`` lists
them all, and the README's table is checked against it), the manuscript file and line it
concerns, and a hint; the task layer prints it as one line and exits with the error's exit
code, never with a traceback. Anything else that escapes is a bug in Pressroom, reported
as an internal error by the task layer.

Suspicious but printable things (a photo too small for print) are warnings: a
``PressroomWarning`` goes to the ``Diagnostics`` of the current build, which prints it;
under ``--strict`` the stage that finds it raises it as a ``StrictError`` instead, together
with the other errors of the manuscript, before any output is written.
"""
from __future__ import annotations

import logging
import os
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

# Exit codes of the tasks, documented in the README.
EXIT_OK = 0
EXIT_CHECKS_FAILED = 7  # invoke check: an output failed a check
EXIT_INTERNAL = 70  # EX_SOFTWARE of sysexits.h: a bug in Pressroom, not in the manuscript
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


@dataclass(frozen=True)
class Location:
    """A place in a manuscript: the file and, where known, the line and column (1-based)."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = _display_path(self.path)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


def printable(text: str) -> str:
    """``text`` safe for a terminal: control and format characters (ESC, NUL, a new line in
    a folder's name, bidi overrides) written as escapes (\\x1b, \\u202e), never raw."""
    if text.isprintable():
        return text
    # Spaces (U+3000 between a name's characters, U+00A0) are shown as they are.
    return "".join(char if char.isprintable() or unicodedata.category(char) == "Zs" else
                   char.encode("unicode_escape").decode("ascii") for char in text)


def _display_path(path: Path) -> str:
    # Paths read best relative to where the user stands; fall back to absolute.
    # Normalised without resolving: a symlink is shown as itself, not as its target.
    absolute = Path(os.path.normpath(Path(path).absolute()))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


class PressroomError(Exception):
    """Base of every error Pressroom reports to a user.

    A subclass sets the kind of error and its exit code; ``code`` picks the error's stable
    code among those of its kind (see ``CODES``), the subclass's own when not given.
    """

    code = "PR000"
    exit_code = 1

    def __init__(self, message: str, where: Location | None = None, hint: str | None = None,
                 *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        if code is not None:
            known = CODES.get(code)
            if known is None or not isinstance(self, known.kind):
                raise ValueError(f"{code} is not a code of {type(self).__name__}")
            self.code = code

    def __str__(self) -> str:
        text = f"{self.where}: " if self.where else ""
        text += f"error {self.code}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


class ManuscriptError(PressroomError):
    """The manuscript cannot be read: its front matter or body breaks the format."""

    code = "PR100"
    exit_code = 2


class CoverageError(PressroomError):
    """A character of the manuscript is missing from the face that must draw it."""

    code = "PR200"
    exit_code = 3


class ResourceError(PressroomError):
    """A file the manuscript points at is missing, unreadable or outside the project."""

    code = "PR300"
    exit_code = 4


class BuildError(PressroomError):
    """Rendering or packaging produced something that must not reach the plant or store."""

    code = "PR400"
    exit_code = 5


class CopyfitError(BuildError):
    """The article cannot fill its page within the layout's bounds."""

    code = "PR410"


class StrictError(PressroomError):
    """A warning, made an error by ``--strict``."""

    code = "PR500"
    exit_code = 6

    @classmethod
    def from_warning(cls, warning: PressroomWarning) -> StrictError:
        return cls(warning.message, warning.where, warning.hint, code=warning.code)

    def __str__(self) -> str:
        return super().__str__() + " [a warning, an error under --strict]"


class ErrorGroup(PressroomError):
    """Several errors found in one pass, reported together; code and exit code of the first."""

    def __init__(self, errors: list[PressroomError]):
        self.errors = errors
        first = errors[0]
        super().__init__(first.message, first.where, first.hint)
        self.code = first.code
        self.exit_code = first.exit_code

    def __reduce__(self):
        # Made again from its errors: an error of the process beside a build
        # (``pressroom.beside``) crosses to the build pickled.
        return ErrorGroup, (self.errors,)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


def raise_all(errors: list[PressroomError]) -> None:
    """Raise the errors found, one alone or several as a group; nothing if none."""
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)


# -- the codes --------------------------------------------------------------------------

@dataclass(frozen=True)
class Code:
    kind: type[PressroomError]
    summary: str


CODES: dict[str, Code] = {
    "PR000": Code(PressroomError, "any other error a user can fix (e.g. of `invoke fonts`)"),
    # The manuscript breaks the format.
    "PR100": Code(ManuscriptError, "Markdown the page does not set: a list, emphasis, a link, "
                                   "code, a quote, a rule, a heading other than `## ` (also "
                                   "a line of `-` or `=` under text)"),
    "PR101": Code(ManuscriptError, "unknown front-matter key (with a did-you-mean)"),
    "PR102": Code(ManuscriptError, "front matter is not valid YAML, or not a mapping"),
    "PR103": Code(ManuscriptError, "no front matter, or one never closed"),
    "PR104": Code(ManuscriptError, "a required front-matter key (`title`) is missing"),
    "PR105": Code(ManuscriptError, "a front-matter value is empty or of the wrong kind "
                                   "(title, date, lang, byline, layout ...)"),
    "PR106": Code(ManuscriptError, "a front-matter key is set twice"),
    "PR107": Code(ManuscriptError, "a layout setting outside the range a newspaper page can "
                                   "use (NaN, infinite, zero, negative, or beyond the bound "
                                   "the settings table gives)"),
    "PR108": Code(ManuscriptError, "the manuscript folder's name cannot name an output file "
                                   "(a leading dot, a control character, over 150 bytes)"),
    "PR109": Code(ManuscriptError, "`invoke new`: a folder or file of the slug's name exists "
                                   "already (nothing is written over)"),
    "PR110": Code(ManuscriptError, "unknown block type `::: name` (with a did-you-mean)"),
    "PR111": Code(ManuscriptError, "editor's note repeated, after the body text, or empty"),
    "PR112": Code(ManuscriptError, "raw HTML in the Markdown"),
    "PR113": Code(ManuscriptError, "no body text"),
    "PR114": Code(ManuscriptError, "empty subhead"),
    "PR115": Code(ManuscriptError, "a `::: ` block is never closed"),
    "PR116": Code(ManuscriptError, "a headline, kicker, subtitle, subhead, caption or byline "
                                   "too long for its place, even set on more lines"),
    "PR120": Code(ManuscriptError, "a figure not made of one image and its caption, "
                                   "or with an image title or an unknown attribute"),
    "PR121": Code(ManuscriptError, "a figure's image has no alt text"),
    "PR122": Code(ManuscriptError, "a figure has no caption"),
    "PR140": Code(ManuscriptError, "the layout's type area does not fit its sheet (columns "
                                   "wider than the page, margins taller than it)"),
    "PR130": Code(ManuscriptError, "the file is not UTF-8 text"),
    "PR131": Code(ManuscriptError, "the file is too large to be one article (over 2 MB)"),
    "PR132": Code(ManuscriptError, "the text holds a control character that is not text "
                                   "(the rule for spaces and controls is in the README)"),
    "PR133": Code(ManuscriptError, "a paragraph, or a run without a break, far too long to "
                                   "set (the message gives its length and the bound)"),
    # The page plan of an edition breaks its format.
    "PR150": Code(ManuscriptError, "the page plan is not valid YAML, not a mapping, or uses "
                                   "YAML anchors, aliases or merge keys"),
    "PR151": Code(ManuscriptError, "unknown page-plan key (with a did-you-mean)"),
    "PR152": Code(ManuscriptError, "a page-plan value is missing, empty, of the wrong kind or "
                                   "not allowed there (a second lead, a masthead off the front "
                                   "page, an unsafe or repeated file name ...)"),
    "PR153": Code(ManuscriptError, "a page-plan key is set twice"),
    "PR154": Code(ManuscriptError, "a story, or a page label, is named twice in the page plan"),
    "PR155": Code(ManuscriptError, "a story folder of the page plan is missing, has no "
                                   "`article.md`, or lies outside the plan's tree (a URL, an "
                                   "absolute path, `..`)"),
    "PR156": Code(ManuscriptError, "a pin of the page plan lies outside the type area"),
    "PR157": Code(ManuscriptError, "a story jumps to a page the plan does not have, or that "
                                   "does not come after its own (or jumps as a full text)"),
    "PR158": Code(ManuscriptError, "an advertisement's or the masthead's artwork is missing, "
                                   "outside the plan's tree, or not PNG, JPEG, SVG (or PDF, for "
                                   "an advertisement), or, for a press PDF, drawn in inks the "
                                   "plate has not (RGB, a spot colour, colour on a mono page)"),
    "PR159": Code(ManuscriptError, "a story of the edition is in the other script (its `lang` "
                                   "Traditional, the plan's Simplified, or the other way): an "
                                   "edition is set in one script's faces"),
    "PR160": Code(ManuscriptError, "a template of the manuscript's `layouts/` fails: a syntax "
                                   "error, an undefined name, a missing template or one outside "
                                   "the layouts, a file not UTF-8 or empty"),
    "PR161": Code(ManuscriptError, "a stylesheet of the manuscript's `layouts/` asks for a "
                                   "remote URL or a `local()` font, is not UTF-8, or holds CSS "
                                   "the renderer ignores"),
    "PR162": Code(ManuscriptError, "a house face (`layouts/faces.yaml`) or a manuscript's own font "
                                   "(`fonts:`) is missing, outside its folder, not a font, has no "
                                   "licence file beside it, or forbids embedding (OS/2 fsType)"),
    "PR170": Code(ManuscriptError, "a press PDF (`--variant press`, `press-x1a`) of a page that "
                                   "still carries stand-ins (no issue date, page label or "
                                   "section name, a drawn stand-in photo or advertisement): "
                                   "the message names each and what to set; `--proof-only` "
                                   "makes a proof instead"),
    "PR311": Code(ResourceError, "the page plan is missing, cannot be read, is not UTF-8 text "
                                 "or is over 1 MB"),
    "PR312": Code(ResourceError, "the press output intent's ICC profile is not installed "
                                 "(Debian's `libgs-common`) or is not the pinned file"),
    # A character no face can draw.
    "PR200": Code(CoverageError, "a character is missing from the face that sets it"),
    # A file that is missing, unreadable or refused.
    "PR300": Code(ResourceError, "another file cannot be read (e.g. while packaging the e-book)"),
    "PR301": Code(ResourceError, "the manuscript (`article.md`) is missing or cannot be read"),
    "PR302": Code(ResourceError, "a figure names a URL or an absolute path"),
    "PR303": Code(ResourceError, "a path leads outside the manuscript's folder "
                                 "(`..`, or a symlink)"),
    "PR304": Code(ResourceError, "a figure's image file is not there"),
    "PR305": Code(ResourceError, "a figure's image cannot be read (permission denied, a folder)"),
    "PR306": Code(ResourceError, "a figure's image is corrupt, or not an image"),
    "PR307": Code(ResourceError, "a figure's image is neither JPEG nor PNG"),
    "PR308": Code(ResourceError, "a figure's image has too many pixels to open safely "
                                 "(a decompression bomb)"),
    "PR310": Code(ResourceError, "the page asked the renderer for a URL or a file outside "
                                 "the manuscript's folder, `layouts/` and `fonts/`"),
    # The build failed.
    "PR400": Code(BuildError, "rendering or packaging failed (more than one page, a renderer "
                              "warning, a bad `SOURCE_DATE_EPOCH` ...)"),
    "PR401": Code(BuildError, "the renderer could not use part of the page (CSS it ignored, "
                              "an image it could not draw): the message names the stylesheet "
                              "or the part"),
    "PR430": Code(BuildError, "a press or archive PDF with no date to carry: set the issue "
                              "`date:` (or `SOURCE_DATE_EPOCH`)"),
    "PR431": Code(BuildError, "a press PDF would carry RGB colour, or text or rules in other "
                              "inks than black (a manuscript's stylesheet setting a colour in "
                              "RGB): the message says what and where"),
    "PR420": Code(BuildError, "the laid-out page lost text: a part missing, off the sheet or "
                              "set under 5 pt (the build's own check of what is drawn)"),
    "PR410": Code(CopyfitError, "the article cannot fill its page: the message says how many "
                                "characters to cut or add"),
    # Warnings; errors under --strict.
    "PR500": Code(StrictError, "a warning under `--strict`: each keeps its own code, below"),
    "PR501": Code(StrictError, "warning: a photo has too few pixels for print "
                               "(under 150 dpi at its printed width)"),
    "PR502": Code(StrictError, "warning: the story leaves part of its page's type area empty "
                               "(set at its natural length); the message gives the rows and "
                               "columns"),
    "PR503": Code(StrictError, "warning: a space between two Chinese characters of the body "
                               "text (set as an ideographic space)"),
    "PR504": Code(StrictError, "warning: a character its role's face lacks is set in a declared "
                               "fallback face (a rare name in a Kai caption set in Song); the "
                               "message names the character, its place and both faces"),
    "PR505": Code(StrictError, "warning: an optional system library is missing (such as "
                               "`libharfbuzz-subset0`); the output is right, only slower to "
                               "make, so it stays a warning under `--strict`"),
    "PR506": Code(StrictError, "warning: an installed source font is not the file Pressroom pins "
                               "in `fonts/SOURCES.json` (another package version): pages set "
                               "with it may differ from another machine's"),
    "PR507": Code(StrictError, "warning: the page carries a stand-in (no issue date, page label "
                               "or section name; a drawn stand-in photo or advertisement): the "
                               "message names the setting to make; a press PDF refuses it"),
}


# -- warnings ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PressroomWarning:
    """Something suspicious but printable, with the same code, place and hint as an error."""

    code: str
    message: str
    where: Location | None = None
    hint: str | None = None

    def __post_init__(self):
        if self.code not in CODES or CODES[self.code].kind is not StrictError:
            raise ValueError(f"{self.code} is not a warning code")

    def __str__(self) -> str:
        text = f"{self.where}: " if self.where else ""
        text += f"warning {self.code}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


_LOG = logging.getLogger("pressroom")


@dataclass
class Diagnostics:
    """The warnings of one build; ``strict`` asks the stages to raise them as errors."""

    strict: bool = False
    emit: Callable[[PressroomWarning], None] | None = None
    warnings: list[PressroomWarning] = field(default_factory=list)
    inform: Callable[[str], None] | None = None  # where notes go (not warnings: all is well)
    said: set[str] = field(default_factory=set)  # what is said once a run (``first_time``)

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is asked about in this run: a fact of the machine
        is said once, not once a build of ``--all``."""
        if key in self.said:
            return False
        self.said.add(key)
        return True

    def warn(self, warning: PressroomWarning) -> None:
        self.warnings.append(warning)
        if self.emit is not None:
            self.emit(warning)
        else:
            _LOG.warning("%s", warning)

    def note(self, text: str) -> None:
        """What the build chose that the editor should know, such as the leading."""
        text = printable(text)
        if self.inform is not None:
            self.inform(text)
        else:
            _LOG.info("%s", text)


_ACTIVE: ContextVar[Diagnostics | None] = ContextVar("pressroom_diagnostics", default=None)


@contextmanager
def diagnostics(strict: bool = False,
                emit: Callable[[PressroomWarning], None] | None = None,
                inform: Callable[[str], None] | None = None) -> Iterator[Diagnostics]:
    """Collect the warnings of the builds run inside; ``strict`` makes them errors."""
    collector = Diagnostics(strict=strict, emit=emit, inform=inform)
    token = _ACTIVE.set(collector)
    try:
        yield collector
    finally:
        _ACTIVE.reset(token)


def active_diagnostics() -> Diagnostics:
    """The collector of the current build; outside one, a lenient one that logs."""
    return _ACTIVE.get() or Diagnostics()
