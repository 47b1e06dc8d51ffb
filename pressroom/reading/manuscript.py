"""Reading a manuscript: ``manuscript/<slug>/article.md`` into an ``Article``.

The format is CommonMark with YAML front matter, parsed by markdown-it-py and its plugins
(front matter, containers, attributes). Everything the pipeline cannot set faithfully is
refused here, with the file and line, so that later stages never meet a surprise: raw HTML,
markup the page does not set, and every figure's image (it must be a readable JPEG or PNG
inside the manuscript's folder, of a size that is safe to decode). A manuscript's own
``layouts/`` may not reach outside its folder through a symlink either. All problems found
in one reading are reported together; warnings go to the build's ``Diagnostics``.

Pasted text is made safe by one rule, applied to the whole file before it is parsed and
again to every text that markdown-it or YAML decodes (a character reference such as
``&#27;``, an escape such as ``"\\e"``), so that after reading every text of the article
(body, subheads, captions, the editor's note, the title, kicker, subtitle, byline roles
and names, every other front-matter text) holds only printable characters and three
spaces: U+0020, U+3000 (ideographic) and U+00A0 (no-break):

- U+00A0, U+2007 and U+202F become U+00A0, a space that never breaks a line; so does
  U+2060 (word joiner) between two Latin letters or digits.
- Tab, U+000B, U+000C, U+001C–U+001F, U+0085, U+2028, U+2029, U+2000–U+200A and U+205F
  become U+0020, an ordinary space (a line break in a front-matter text other than the
  title joins its lines as the body's soft breaks do).
- U+200B, U+FEFF, U+00AD (soft hyphen), U+200C, U+200D outside an emoji sequence and
  U+2060 anywhere else are removed.
- Any other C0 or C1 control character (U+0001–U+0008, U+000E–U+001B, U+007F–U+009F but
  U+0085), the bidi controls U+202A–U+202E and U+2066–U+2069, U+FFFE, U+FFFF and lone
  surrogates are refused (PR132) at file:line:column, named by code point, never printed.
  (NUL bytes mean the file is no text at all: PR130.)

The manuscript folder's name names the outputs (``build/<slug>.pdf``), so it is checked
(PR108) before any path is made from it: not empty, no leading dot, no control or format
character, no '/' or '\\', at most 150 bytes in UTF-8.
"""
from __future__ import annotations

import datetime
import difflib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

import jinja2
import tinycss2
import yaml
from yaml.constructor import SafeConstructor
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ..errors import (CODES, Location, ManuscriptError, PressroomError, PressroomWarning,
                     ResourceError, StrictError, active_diagnostics, raise_all)
from .. import faces
from ..lang import is_valid_tag
from ..photos import PhotoFault, inspect_photo
from ..settings import (DEFAULT as DEFAULT_SETTINGS, Settings, SettingsError, settings_from,
                        type_area_fault)
from .model import (ARTICLE_NUMBER, Article, Byline, Credit, EditorNote, Figure, PageSpec,
                    Paragraph, Subhead, is_cjk, join_lines)

ARTICLE_FILE = "article.md"
_YAML = "tag:yaml.org,2002:"
# The YAML types a text key reads as written: a title 2021 or a page label 01 is text.
_TEXT_TAGS = {_YAML + name for name in ("str", "int", "float", "bool", "timestamp")}
_UNREADABLE = object()  # a front-matter value already reported as unreadable

# The block types a manuscript may open with ``::: name``.
BLOCK_TYPES = ("editor-note", "figure")
FIGURE_ATTRIBUTES = ("credit",)

# A page holds a few thousand characters; a file of two megabytes (some 650,000 Chinese
# characters) is no article, and is refused before it is parsed or laid out.
MAX_ARTICLE_BYTES = 2_000_000
# Photos (their formats and pixel bound are pressroom.photos'): the resolution below which
# a photo prints soft.
MIN_PRINT_DPI = 150
PT_PER_INCH = 72
# The folder's name becomes build/<slug>.pdf and the atomic writer's .<slug>.pdf.XXXX.part:
# well under the 255 bytes a file name may take on every system the plant uses.
MAX_SLUG_BYTES = 150


# -- pasted text ------------------------------------------------------------------------
# The rule of the module's docstring, as data: what becomes a no-break space, an ordinary
# space, nothing, and what is refused.
NO_BREAK_SPACES = "\u00a0\u2007\u202f"
SPACES = "\t\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029\u205f" + "".join(
    chr(code) for code in range(0x2000, 0x200B) if code != 0x2007)
REMOVED = "\u200b\ufeff\u00ad\u200c"  # and U+200D, U+2060 by their neighbours
REFUSED = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069"
                     "\ufffe\uffff\ud800-\udfff]")
_TRANSLATION = str.maketrans({**dict.fromkeys(SPACES, " "), **dict.fromkeys(REMOVED),
                              **dict.fromkeys(NO_BREAK_SPACES, "\u00a0")})  # U+2007 too
_JOINERS = re.compile("[\u200d\u2060]")
# Where an emoji sequence's characters lie (a ZWJ joins two of them: 👩‍💻); the faces
# have no emoji, so the coverage check names any that reach it.
_EMOJI = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x2190, 0x21FF),
          (0x2300, 0x23FF))
_EMOJI_TAILS = "\ufe0f\ufe0e" + "".join(chr(code) for code in range(0x1F3FB, 0x1F400))
MAX_REFUSALS = 10  # refused characters named one by one; the rest counted


def normalise_text(text: str) -> str:
    """``text`` under the rule for spaces and invisible characters (the module's
    docstring); refused characters are left for ``refused_characters`` to name."""
    text = text.translate(_TRANSLATION)
    if "\u200d" in text or "\u2060" in text:
        text = _JOINERS.sub(_joiner, text)
    return text


def _joiner(match: re.Match) -> str:
    text, at = match.string, match.start()
    before = text[:at].rstrip(_EMOJI_TAILS)[-1:]
    after = text[at + 1:at + 2]
    if match.group() == "\u200d":
        return "\u200d" if _is_emoji(before) and _is_emoji(after) else ""
    latin = all(char and char.isalnum() and not is_cjk(char) for char in (before, after))
    return "\u00a0" if latin else ""


def _is_emoji(char: str) -> bool:
    return bool(char) and any(low <= ord(char) <= high for low, high in _EMOJI)


def refused_characters(text: str) -> list[tuple[int, int, str]]:
    """Each refused character of ``text``: its line and column (1-based) and itself."""
    found = []
    for match in REFUSED.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        found.append((text.count("\n", 0, match.start()) + 1, match.start() - start + 1,
                      match.group()))
    return found


def _referenced(reference: str) -> str:
    """The character a numeric character reference (&#27;, &#x1B;) names; '' otherwise."""
    match = re.fullmatch(r"&#(?:([0-9]{1,7})|[xX]([0-9a-fA-F]{1,6}));", reference)
    if not match:
        return ""
    code = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else ""


def char_name(char: str) -> str:
    """A character as a message names it: U+001B, never the character itself."""
    return f"U+{ord(char):04X}"


def refusal(char: str, where: Location, more: int = 0) -> ManuscriptError:
    """The PR132 error for a refused character at ``where``."""
    kind = "a bidi control" if "\u202a" <= char <= "\u2069" else \
        "a noncharacter" if char in "\ufffe\uffff" else \
        "half of a surrogate pair" if "\ud800" <= char <= "\udfff" else "a control character"
    rest = f" (and {more} more such characters after it)" if more else ""
    return ManuscriptError(f"the text holds {char_name(char)}, {kind} that is not text{rest}",
                           where, "delete it: it comes with text pasted from another program "
                           "and prints as nothing", code="PR132")


def slug_fault(name: str) -> str | None:
    """What keeps a folder's name from naming output files, or None."""
    if not name:
        return "is empty"
    if name.startswith("."):
        return "starts with a dot, so its outputs would be hidden files"
    for char in name:
        if char in "/\\":
            return f"holds '{char}'"
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Cn"):
            return f"holds {char_name(char)}, a control or invisible character"
    size = len(name.encode("utf-8", "surrogateescape"))
    if size > MAX_SLUG_BYTES:
        return f"is {size} bytes long in UTF-8, more than the {MAX_SLUG_BYTES} a file name " \
            "of its outputs may take"
    return None


def shown_name(name: str) -> str:
    """A name as a message may print it: control characters as U+XXXX."""
    return "".join(char if char.isprintable() else char_name(char) for char in name)


@dataclass(frozen=True)
class Field:
    """One front-matter key: what it holds, whether it must be there, and what it is for."""

    parse: Callable[[Any], Any]
    required: bool = False
    default: Any = None
    doc: str = ""
    text: bool = False  # read as the editor wrote it (code 01 stays 01, lang no stays no)


def _plain(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"must be text, not {_kind(value)}")
    text = str(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def _text(value: Any) -> str:
    """One line of text; the lines of a YAML block are joined as the body's are."""
    return join_lines([line.strip() for line in _plain(value).splitlines() if line.strip()])


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    if isinstance(value, bytes):
        return "binary data"
    return "a number" if isinstance(value, (int, float)) else type(value).__name__


def _headline(value: Any) -> tuple[str, ...]:
    lines = tuple(line for line in split_heading(_plain(value)) if line)
    return lines


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError as error:
            raise ValueError(f"is not a date that exists ({text}: {error})") from None
    raise ValueError("must be a date written YYYY-MM-DD")


def _lang(value: Any) -> str:
    text = _text(value)
    if not is_valid_tag(text):
        raise ValueError(f"must be a BCP 47 language tag such as zh-CN, zh-TW or zh-Hant, "
                         f"not '{shown_name(text[:40])}'")
    return text


def _own_fonts(value: Any) -> tuple[tuple[str, Any], ...]:
    """A manuscript's own fonts: a list of {file, licence}, each a file of its folder."""
    entries = value if isinstance(value, list) else [value]
    fonts = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise ValueError("must be a list of {file: <font file>, licence: <licence file>}, "
                             "each file beside article.md")
        unknown = set(entry) - {"file", "licence"}
        if unknown:
            raise ValueError(f"has a key it does not know: {', '.join(sorted(map(str, unknown)))} "
                             "(a font takes 'file' and 'licence')")
        fonts.append((entry["file"], entry.get("licence")))
    return tuple(fonts)


def _byline(value: Any) -> tuple[Credit, ...]:
    # Either one line of text, or a list of {role, names} so that the EPUB can name its
    # creators without guessing which words of a byline are people.
    if isinstance(value, str):
        return (Credit(role=_text(value), names=()),)
    if not isinstance(value, list) or not value:
        raise ValueError(f"must be text or a list of {{role, names}}, not {_kind(value)}")
    credits = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"role", "names"}:
            raise ValueError("each entry must have only 'role' and 'names'")
        names = item.get("names")
        if names is None or names == "":
            names = []
        elif isinstance(names, str):
            names = _names(_text(names))
        elif not isinstance(names, list):
            raise ValueError(f"has names that are {_kind(names)}: write them as text or a list")
        role = item.get("role")
        credit = Credit(role=_text(role) if role not in (None, "") else "",
                        names=tuple(_text(name) for name in names))
        if not credit.role and not credit.names:
            raise ValueError("has an entry with neither a role nor names")
        credits.append(credit)
    return tuple(credits)


FRONT_MATTER: dict[str, Field] = {
    "title": Field(_headline, required=True, text=True,
                   doc="main headline (主题); a line break or a space between Chinese words breaks the line"),
    "kicker": Field(_text, text=True, doc="引题, the line above the headline"),
    "subtitle": Field(_text, text=True, doc="副题, the line below the headline"),
    "byline": Field(_byline, doc="署名: text, or a list of {role, names}"),
    "publication": Field(_text, text=True, doc="the paper's name, printed in the header strip"),
    "section": Field(_text, text=True, doc="版名, the page's name in the header strip"),
    "date": Field(_date, doc="issue date, YYYY-MM-DD"),
    "page": Field(_text, text=True, doc="page label, e.g. 第5版"),
    "page_editor": Field(_text, text=True,
                         doc="责任编辑, the page editor named in the header strip"),
    "jump_title": Field(_text, text=True,
                        doc="the short headline over a continuation page; the title when absent"),
    "lang": Field(_lang, default="zh-CN", text=True,
                  doc="BCP 47 tag of the text: zh-CN (Simplified), zh-TW or zh-HK (Traditional)"),
    "identifier": Field(_text, text=True,
                        doc="stable identifier of the e-book; derived from the slug when absent"),
    "fonts": Field(_own_fonts, default=(),
                   doc="fonts of the manuscript's own, for characters no face has: a list of "
                       "{file, licence}, both files beside article.md"),
    "layout": Field(settings_from, default=DEFAULT_SETTINGS,
                    doc="page format and copyfit bounds, see pressroom/settings.py"),
}


# Spaces that may break a heading's line: any but the no-break space.
_BREAKING_SPACE = re.compile(r"([^\S\u00a0]+)")


def split_heading(text: str) -> list[str]:
    """Split a headline or subhead at explicit breaks: new lines, or spaces next to Chinese."""
    lines: list[str] = []
    for raw in text.splitlines():
        parts = _BREAKING_SPACE.split(raw.strip())
        current = ""
        for index, part in enumerate(parts):
            if index % 2 == 0:
                current += part
                continue
            before, after = parts[index - 1][-1:], parts[index + 1][:1]
            if (before and is_cjk(before)) or (after and is_cjk(after)):
                lines.append(current)
                current = ""
            else:
                current += " "
        lines.append(current)
    return [line for line in lines if line]


def _markdown() -> MarkdownIt:
    # No link reference definitions: a manuscript has no links, and a line such as
    # "[注]: 见下文" would otherwise vanish from the text without a word.
    # Character references stay tokens of their own (no text_join), so that one writing a
    # control character (&#x202E;) is found where it is written.
    md = MarkdownIt("commonmark").disable(["reference", "text_join"]) \
        .use(front_matter_plugin).use(attrs_plugin)
    # One catch-all container, so that an unknown ``::: name`` is reported rather than
    # silently read as a paragraph of colons.
    return md.use(container_plugin, name="block", validate=lambda params, markup: True)


_MD = _markdown()


def clean_texts(root: yaml.Node, where: Callable[[yaml.Node], Location]) -> list[PressroomError]:
    """Refuse the characters YAML's escapes can write (\\e, \\x1b) and normalise every
    text of a YAML tree, in place, by the rule for pasted text; the refusals, each at
    ``where(node)``."""
    errors: list[PressroomError] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
            found = REFUSED.findall(node.value)
            if found:
                errors.append(refusal(found[0], where(node), len(found) - 1))
                node.value = REFUSED.sub("\ufffd", node.value)
            node.value = normalise_text(node.value)
    return errors


class _Reader:
    """Walks markdown-it's token stream and collects the article's parts and its problems."""

    def __init__(self, path: Path, lines: list[str]):
        self.path = path
        self.folder = path.parent
        self.lines = lines
        self.errors: list[PressroomError] = []
        self.warnings: list[PressroomWarning] = []
        self.strict = active_diagnostics().strict
        self.settings: Settings = DEFAULT_SETTINGS

    def at(self, line: int | None, column: int | None = None) -> Location:
        return Location(self.path, line, column)

    def fail(self, code: str, message: str, line: int | None, hint: str | None = None,
             column: int | None = None, where: Location | None = None) -> None:
        kind = CODES[code].kind
        self.errors.append(kind(message, where or self.at(line, column), hint, code=code))

    def warn(self, code: str, message: str, line: int | None, hint: str | None = None) -> None:
        warning = PressroomWarning(code, message, self.at(line), hint)
        if self.strict:
            self.errors.append(StrictError.from_warning(warning))
        else:
            self.warnings.append(warning)

    def column_of(self, text: str, first: int, last: int) -> tuple[int, int | None]:
        """Line and column (1-based) of ``text`` in source lines ``first``..``last``."""
        for number in range(first, min(last, len(self.lines)) + 1):
            column = self.lines[number - 1].find(text)
            if column >= 0:
                return number, column + 1
        return first, None

    # -- front matter ---------------------------------------------------------------

    def front_matter(self, token: Token | None,
                     tokens: list[Token]) -> tuple[dict[str, Any], dict[str, Location]]:
        if token is None:
            if tokens and tokens[0].type == "hr" and tokens[0].map and tokens[0].map[0] == 0 \
                    and self.lines and self.lines[0].strip() == "---":
                self.fail("PR103", "the front matter opened on line 1 is never closed", 1,
                          "end it with a line '---' after the last key")
            else:
                self.fail("PR103", "the manuscript has no front matter", 1,
                          "start the file, on its first line, with a '---' block that sets "
                          "at least 'title'")
            return {}, {}
        first_line = token.map[0] + 2  # the line after the opening '---'
        try:
            node = yaml.compose(token.content, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
            line = first_line + mark.line if mark else first_line
            column = mark.column + 1 if mark else None
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            self.fail("PR102", f"front matter is not valid YAML: {shown_name(problem)}", line,
                      "check the indentation, and quote values holding ':' or '#'", column)
            return {}, {}
        except RecursionError:
            self.fail("PR102", "front matter is not valid YAML: nested too deeply", first_line,
                      "write one 'key: value' a line")
            return {}, {}
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _YAML + "null"):
            node = yaml.MappingNode(_YAML + "map", [])
        if not isinstance(node, yaml.MappingNode):
            self.fail("PR102", "front matter must be a mapping of keys to values", first_line,
                      "write one 'key: value' a line")
            return {}, {}
        if _has_alias(node):
            self.fail("PR102", "front matter uses a YAML anchor or alias ('&' or '*')",
                      first_line, "write each value out; quote values starting with '&' or '*'")
            return {}, {}
        merge = _merge_key(node)
        if merge is not None:
            # PyYAML would copy the merged keys in without a line of their own.
            self.fail("PR102", "front matter uses a YAML merge key ('<<')",
                      first_line + merge.start_mark.line, "write each key out",
                      merge.start_mark.column + 1)
            return {}, {}
        self.errors += clean_texts(
            node, lambda text: self.at(first_line + text.start_mark.line, text.start_mark.column + 1))
        lines: dict[str, Location] = {}
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            where = self.at(first_line + key_node.start_mark.line)
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail("PR101", "a front-matter key must be a name, not a list or mapping",
                          None, "known keys: " + ", ".join(FRONT_MATTER), where=where)
                continue
            name = key_node.value
            if name in lines:
                self.fail("PR106", f"front-matter key '{shown_name(name[:40])}' is set twice",
                          None, f"it is first set on line {lines[name].line}; keep one",
                          where=where)
                continue
            lines[name] = where
            field = FRONT_MATTER.get(name)
            if field is None:
                close = difflib.get_close_matches(name, FRONT_MATTER, n=1)
                hint = f"did you mean '{close[0]}'?" if close else \
                    "known keys: " + ", ".join(FRONT_MATTER)
                if name == "variant":  # what the PDF is for is the build's, not the text's
                    hint = ("a PDF's variant is chosen when it is built (invoke pdf --variant "
                            "press) or by an edition's page plan; delete the line")
                self.fail("PR101", f"unknown front-matter key '{shown_name(name[:40])}'", None,
                          hint, where=where)
                continue
            if isinstance(value_node, yaml.ScalarNode) and (
                    value_node.tag == _YAML + "null" or not value_node.value.strip()):
                hint = "give it a value" if field.required else \
                    "give it a value or delete the line"
                self.fail("PR105", f"front-matter key '{name}' is empty", None,
                          f"{hint}: {field.doc}", where=where)
                continue
            if name == "layout":
                values[name] = self.layout(value_node, where, first_line)
                continue
            if field.text and isinstance(value_node, yaml.ScalarNode) \
                    and value_node.tag in _TEXT_TAGS:
                raw: Any = value_node.value  # as written: 0012 stays 0012, no stays no
            else:
                raw = self.construct(value_node, f"front-matter key '{name}'", where)
                if raw is _UNREADABLE:
                    continue
            try:
                values[name] = field.parse(raw)
            except ValueError as error:
                self.fail("PR105", f"front-matter key '{name}' {error}", None, field.doc,
                          where=where)
        for key, field in FRONT_MATTER.items():
            if field.required and key not in lines:
                self.fail("PR104", f"front matter has no '{key}'", first_line - 1, field.doc)
            values.setdefault(key, field.default)
        if isinstance(values["layout"], Settings):
            self.settings = values["layout"]
            fault = type_area_fault(self.settings)
            if fault:
                self.fail("PR140", f"the layout's type area does not fit its sheet: {fault}",
                          None, "use fewer or narrower columns, smaller type or a larger format",
                          where=lines.get("layout"))
        else:
            values["layout"] = DEFAULT_SETTINGS  # reported; the rest is read at the default
        return values, lines

    def construct(self, node: yaml.Node, label: str, where: Location,
                  code: str = "PR105") -> Any:
        """The value YAML reads from ``node``, or _UNREADABLE once reported under ``code``
        (a date that does not exist, a number too long, a tag YAML has no type for)."""
        try:
            return SafeConstructor().construct_document(node)
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            self.fail("PR102", f"{label} cannot be read: {shown_name(problem)}", None,
                      "write plain text, a number or a date", where=where)
        except (ValueError, OverflowError, TypeError) as error:
            if _holds_tag(node, _YAML + "timestamp"):
                self.fail(code, f"{label} holds a date that does not exist ({error})", None,
                          "write a date that exists, YYYY-MM-DD", where=where)
            else:
                # Python's own words (sys.set_int_max_str_digits ...) are no help here.
                self.fail(code, f"{label} holds a number too long to read", None,
                          "write a number of a few digits, or put text in quotes", where=where)
        return _UNREADABLE

    def layout(self, node: yaml.Node, where: Location, first_line: int) -> Settings | None:
        """The ``layout:`` settings, each fault at the line of its own setting; None once
        reported."""
        if not isinstance(node, yaml.MappingNode):
            self.fail("PR105", "front-matter key 'layout' must be a mapping of layout "
                      "settings", None, "write one 'setting: value' a line under 'layout:', "
                      "indented", where=where)
            return None
        values: dict[str, Any] = {}
        places: dict[str, Location] = {}
        unreadable = False
        for key_node, value_node in node.value:
            place = self.at(first_line + key_node.start_mark.line)
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail("PR105", "a layout setting's name must be a name, not a list or "
                          "mapping", None, where=place)
                unreadable = True
                continue
            key = key_node.value
            if key in places:
                self.fail("PR106", f"layout setting '{shown_name(key[:40])}' is set twice",
                          None, f"it is first set on line {places[key].line}; keep one",
                          where=place)
                unreadable = True
                continue
            places[key] = place
            value = self.construct(value_node, f"layout setting '{shown_name(key[:40])}'",
                                   place, "PR107")
            if value is _UNREADABLE:
                unreadable = True
                continue
            values[key] = value
        try:
            settings = settings_from(values)
        except SettingsError as error:
            for fault in error.faults:
                self.fail(fault.code, f"layout {fault.message}", None, fault.hint,
                          where=places.get(fault.key or "", where))
            return None
        return None if unreadable else settings

    # -- body -----------------------------------------------------------------------

    def inline_text(self, token: Token, what: str) -> str:
        """The plain text of an inline token; any markup beyond soft breaks is refused."""
        pieces: list[str] = []
        tags: list[str] = []
        first = token.map[0] + 1 if token.map else None
        last = token.map[1] if token.map else first
        for child in token.children or []:
            if child.type == "text_special" and child.content == "\ufffd" \
                    and REFUSED.fullmatch(_referenced(child.markup)):
                # markdown-it reads &#27; as U+FFFD: name what the manuscript wrote.
                line, column = self.column_of(child.markup, first, last) if first \
                    else (None, None)
                self.errors.append(refusal(_referenced(child.markup), self.at(line, column)))
                pieces.append("\ufffd")
            elif child.type == "text_special" and REFUSED.search(child.content):
                # A character reference (&#27;) writes what the file could not hold.
                line, column = self.column_of(child.markup, first, last) if first \
                    else (None, None)
                self.errors.append(refusal(REFUSED.search(child.content).group(),
                                           self.at(line, column)))
                pieces.append(REFUSED.sub("\ufffd", child.content))
            elif child.type in ("text", "text_special"):
                pieces.append(child.content)
            elif child.type == "softbreak":
                pieces.append("\n")
            elif child.type == "html_inline":
                tags.append(child.content)
            elif child.type == "image":
                self.fail("PR100", f"an image inside {what}", first,
                          "put images in a '::: figure' block with alt text and caption")
            elif child.nesting >= 0:  # report an opening once, not its closing
                name = child.type.replace("_open", "")
                self.fail("PR100", f"{_INLINE_NAMES.get(name, name)} is not supported in {what}",
                          first, "newspaper text is set plain; remove the markup")
        if tags:  # one error for the paragraph, at its first tag
            line, column = self.column_of(tags[0], first, last) if first else (None, None)
            shown = ", ".join(repr(tag) for tag in tags[:3]) + (" ..." if len(tags) > 3 else "")
            self.fail("PR112", f"raw HTML {shown} is not allowed in {what}", line,
                      "write the text without tags; for a '<' sign write '&lt;'", column)
        joined = normalise_text("".join(pieces))
        text = join_lines([part.strip(" \u3000") for part in joined.split("\n")])
        return text.strip()

    def clean(self, text: str, line: int | None) -> str:
        """``text`` by the rule for pasted text; a refused character (from a character
        reference) is reported at ``line``."""
        found = REFUSED.findall(text)
        if found:
            self.errors.append(refusal(found[0], self.at(line), len(found) - 1))
        return normalise_text(REFUSED.sub("\ufffd", text))

    def paragraphs(self, tokens: list[Token], what: str) -> list[Paragraph]:
        """The paragraphs among ``tokens``; any other block at their level is refused."""
        found = []
        for opener, inner, _ in _top_blocks(tokens):
            line = opener.map[0] + 1 if opener.map else None
            if opener.type == "paragraph_open":
                text = self.inline_text(inner[0], what)
                if text:
                    found.append(Paragraph(text, self.at(line)))
            else:
                self.refuse_block(opener, what, line)
        return found

    def refuse_block(self, token: Token, what: str, line: int | None) -> None:
        if token.type == "html_block":
            self.fail("PR112", f"raw HTML is not allowed in {what}", line,
                      "write the text without tags; for a '<' sign write '&lt;'")
        elif token.type == "container_block_open":
            self.fail("PR110", f"{_block_name(token)} is not allowed in {what}", line,
                      "blocks do not nest: close each with ':::' before the next opens")
        else:
            self.fail("PR100", f"{_block_name(token)} is not allowed in {what}", line,
                      "a manuscript holds paragraphs, '## ' subheads and '::: ' blocks; "
                      "write this as plain paragraphs")

    def figure(self, opener: Token, inner: list[Token]) -> Figure | None:
        line = opener.map[0] + 1
        blocks = _top_blocks(inner)
        first = blocks[0] if blocks and blocks[0][0].type == "paragraph_open" else None
        children = (first[1][0].children or []) if first and first[1] else []
        images = [child for child in children if child.type == "image"]
        if len(images) != 1:
            written = _written_image(self.lines, opener.map) \
                if not any(t.type == "inline" and any(c.type == "image" for c in t.children or [])
                           for t in inner) else None
            if written and _is_url_or_absolute(unquote(written)):
                # markdown-it does not take file:, javascript: and the like as images.
                self.fail("PR302", f"image '{written}' is not a file in the manuscript's folder",
                          line, "copy the image next to article.md and name it by its file name")
            else:
                self.fail("PR120", "a figure must hold exactly one image on its first line, "
                          f"this one has {len(images)} there", line,
                          "write ![alt text](photo.jpg) on the figure's first line, "
                          "the caption below it")
            return None
        image = images[0]
        alt = self.clean("".join(child.content for child in image.children or []),
                         line).strip()
        if not alt:
            self.fail("PR121", "the figure's image has no alt text", line,
                      "describe the photo for readers who cannot see it: ![描述](photo.jpg)")
        for key in image.attrs:
            if key == "title":  # ![alt](photo.jpg "title"): printed nowhere, so refused
                self.fail("PR120", f"the image's title \"{image.attrs[key]}\" would be printed "
                          "nowhere", line, "put those words in the caption")
            elif key not in ("src", "alt", *FIGURE_ATTRIBUTES):
                self.fail("PR120", f"unknown figure attribute '{key}'", line,
                          "known: " + ", ".join(FIGURE_ATTRIBUTES))
        credit = self.clean(str(image.attrs.get("credit", "")), line).strip() or None
        rest = [child for child in children if child is not image]
        if any(child.type not in ("text", "softbreak") or child.content.strip()
               for child in rest):
            self.fail("PR120", "text beside the figure's image", line,
                      "put the caption in its own paragraph below the image")
        caption_tokens = inner[first[2] + 1:]
        captions = self.paragraphs(caption_tokens, "a caption") if caption_tokens else []
        if not captions:
            self.fail("PR122", "the figure has no caption", line, "add the caption below the image")
        path = self.image_path(str(image.attrs.get("src", "")), line)
        if path is None or not alt or not captions:
            return None
        return Figure(image=path, alt=alt, caption=join_lines([p.text for p in captions]),
                      credit=credit, where=self.at(line))

    def image_path(self, src: str, line: int) -> Path | None:
        """The image's absolute path, once it is known to be a safe JPEG or PNG inside the
        manuscript's folder; None (and the error recorded) otherwise."""
        name = unquote(src)  # markdown-it percent-encodes: 照片.jpg arrives as %E7%85%A7...
        refused = "copy the image next to article.md and name it by its file name"
        if not name.strip():
            self.fail("PR120", "the figure's image names no file", line,
                      "write ![alt text](photo.jpg)")
            return None
        if _is_url_or_absolute(name):
            self.fail("PR302", f"image '{name}' is not a file in the manuscript's folder", line,
                      refused)
            return None
        folder = self.folder.resolve()
        lexical = self.folder / name
        try:
            path = lexical.resolve()
            outside = not path.is_relative_to(folder)
            linked = outside and Path(os.path.normpath(lexical)).is_relative_to(self.folder)
            exists = os.path.lexists(lexical)
        except (OSError, ValueError, RuntimeError) as error:
            self.fail("PR305", f"image '{name}' cannot be read: {_reason(error)}", line, refused)
            return None
        if outside:
            problem = "is a symlink to a file outside the manuscript's folder" if linked \
                else "lies outside the manuscript's folder"
            self.fail("PR303", f"image '{name}' {problem}", line,
                      "copy the image next to article.md")
            return None
        if not exists or not path.exists():
            self.fail("PR304", f"image '{name}' not found", line, f"expected it at {lexical}")
            return None
        if path.is_dir():
            self.fail("PR305", f"image '{name}' is a folder, not an image", line, refused)
            return None
        if not path.is_file():
            self.fail("PR305", f"image '{name}' is not a regular file", line, refused)
            return None
        if self.check_image(path, name, line):
            return path
        return None

    def check_image(self, path: Path, name: str, line: int) -> bool:
        """Refuse the image unless it is a whole JPEG or PNG of a safe size
        (``photos.inspect_photo``), and warn when it has too few pixels for print."""
        try:
            # The width as the photo is meant to be seen, after its EXIF orientation.
            width = inspect_photo(path).width
        except PhotoFault as fault:
            hint = "scale the photo down; 3000 pixels across is plenty for print" \
                if fault.code == "PR308" else "save the picture again as JPEG or PNG"
            self.fail(fault.code, f"image '{name}' {fault.reason}", line, hint)
            return False
        except OSError as error:
            self.fail("PR305", f"image '{name}' cannot be read: {_reason(error)}", line,
                      "check the file's permissions")
            return False
        self.check_resolution(name, width, line)
        return True

    def check_resolution(self, name: str, width: int, line: int) -> None:
        """Warn when the photo prints under MIN_PRINT_DPI at its narrowest printed width."""
        settings = self.settings
        printed = (settings.figure_columns * settings.column_chars
                   + (settings.figure_columns - 1) * settings.gap_chars) * settings.body_size
        dpi = width / (printed / PT_PER_INCH)
        if dpi < MIN_PRINT_DPI:
            needed = int(printed / PT_PER_INCH * MIN_PRINT_DPI + 0.999)
            self.warn("PR501", f"image '{name}' is {width} pixels wide: about {dpi:.0f} dpi at "
                      f"its printed width of {printed / PT_PER_INCH * 25.4:.0f} mm, under the "
                      f"{MIN_PRINT_DPI} dpi print needs", line,
                      f"use an original at least {needed} pixels wide")

    def check_layouts(self) -> None:
        """A manuscript's own ``layouts/`` may override the project's, but no file in it
        may lead out of the manuscript's folder."""
        root = self.folder / "layouts"
        if not os.path.lexists(root):
            return
        folder = self.folder.resolve()
        if not root.resolve().is_relative_to(folder):
            self.fail("PR303", "the manuscript's layouts/ is a symlink to a folder outside it",
                      None, "copy the layout files into the manuscript's layouts/ instead",
                      where=Location(root))
            return
        candidates = []
        for current, directories, files in os.walk(root):  # does not follow symlinks
            candidates += [Path(current, name) for name in (*directories, *files)]
        for candidate in sorted(candidates):
            if candidate.is_symlink() and not candidate.resolve().is_relative_to(folder):
                self.fail("PR303", "a layout file is a symlink to a file outside the "
                          "manuscript's folder", None,
                          "copy the file into the manuscript's layouts/ instead",
                          where=Location(candidate))
            elif candidate.suffix in (".j2", ".css") and candidate.is_file():
                self.check_layout_file(candidate, folder)

    def check_layout_file(self, path: Path, folder: Path) -> None:
        """A template must parse and a stylesheet may fetch nothing from outside the
        manuscript's folder, before anything is rendered with them."""
        code = "PR160" if path.suffix == ".j2" else "PR161"
        what = "template" if code == "PR160" else "stylesheet"
        try:
            data = path.read_bytes()
        except OSError as error:
            self.fail(code, f"the {what} cannot be read: {_reason(error)}", None,
                      "check the file's permissions", where=Location(path))
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            start = data.rfind(b"\n", 0, error.start) + 1
            self.fail(code, f"the {what} is not UTF-8 text", None, "save it as UTF-8",
                      where=Location(path, data.count(b"\n", 0, error.start) + 1,
                                     error.start - start + 1))
            return
        if code == "PR160":
            if not text.strip():
                self.fail(code, "the template is empty", None,
                          "delete it to use the project's own, or write the template",
                          where=Location(path, 1))
                return
            try:
                _TEMPLATES.parse(text)
            except jinja2.TemplateSyntaxError as error:
                self.fail(code, f"the template does not parse: {shown_name(error.message or '')}",
                          None, "see the project's layouts/ for the template it replaces",
                          where=Location(path, error.lineno))
            except RecursionError:
                self.fail(code, "the template does not parse: it is nested too deeply", None,
                          "see the project's layouts/ for the template it replaces",
                          where=Location(path, 1))
            return
        try:
            faults = _stylesheet_faults(text, path, folder)
        except RecursionError:
            faults = [(1, 1, "is nested too deeply to be read")]
        for line, column, fault in faults:
            self.fail(code, f"the stylesheet {fault}", None,
                      "name files of the manuscript's folder relative to the stylesheet; "
                      "fonts come from the project's fonts/", where=Location(path, line, column))


# Templates parse with the syntax outputs/layouts.py renders them with (the defaults).
_TEMPLATES = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
_URL_FUNCTIONS = ("url", "image-set", "-webkit-image-set")


def _stylesheet_faults(text: str, path: Path, folder: Path) -> list[tuple[int, int, str]]:
    """Where the stylesheet asks for a URL, an absolute path, a file outside ``folder`` or
    a font of the machine (local()): line, column and what it asks for."""
    faults: list[tuple[int, int, str]] = []

    def asked(value: str, token: Any) -> None:
        fault = _asked_fault(value, path, folder)
        if fault:
            faults.append((token.source_line, token.source_column, fault))

    def walk(values: list, in_function: str | None = None) -> None:
        for token in values or ():
            if token.type == "url":
                asked(token.value, token)
            elif token.type == "string" and in_function in _URL_FUNCTIONS:
                asked(token.value, token)
            elif token.type == "function":
                name = token.lower_name
                if name == "local":
                    faults.append((token.source_line, token.source_column,
                                   "asks for a font of the machine, local(): it would "
                                   "print differently on each"))
                walk(token.arguments, name)
            elif token.type in ("() block", "[] block", "{} block"):
                walk(token.content)

    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "namespace":
            continue  # a namespace's URL names, it is never fetched
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            for token in rule.prelude:
                if token.type == "string":
                    asked(token.value, token)
                    break
        if rule.type in ("at-rule", "qualified-rule"):
            walk(rule.prelude)
            walk(rule.content or [])
    return faults


def _asked_fault(value: str, path: Path, folder: Path) -> str | None:
    """What is wrong with a file a stylesheet asks for, or None."""
    name = value.strip()
    if not name or name.startswith("#"):  # a fragment of the document itself: no fetch
        return None
    shown = shown_name(name if len(name) <= 60 else name[:60] + "…")
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", name):
        return f"asks for '{shown}', a URL: nothing is fetched from outside the manuscript"
    if name.startswith(("/", "\\")):
        return f"asks for '{shown}', an absolute path or another host"
    relative = unquote(re.split(r"[?#]", name, maxsplit=1)[0])
    try:
        inside = (path.parent / relative).resolve().is_relative_to(folder)
    except (OSError, RuntimeError, ValueError):
        inside = False
    if not inside:
        return f"asks for '{shown}', a file outside the manuscript's folder"
    return None


def _top_blocks(tokens: list[Token]) -> list[tuple[Token, list[Token], int]]:
    """The blocks at the outer level of ``tokens``: each opener, the tokens inside it, and
    the index of its last token."""
    blocks = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.nesting == 1:
            end = _closing(tokens, index)
            blocks.append((token, tokens[index + 1:end], end))
            index = end + 1
        else:
            if token.nesting == 0:
                blocks.append((token, [], index))
            index += 1
    return blocks


def _is_url_or_absolute(name: str) -> bool:
    """A URL (http:, file:, data:, C:...), an absolute path, or not a file name at all."""
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", name)) or name.startswith(("/", "\\")) \
        or "\x00" in name


def _written_image(lines: list[str], span: list[int] | None) -> str | None:
    """The target of an ``![alt](target)`` written in a block that markdown-it did not
    read as an image (it refuses file:, javascript: and the like)."""
    if not span:
        return None
    for line in lines[span[0]:span[1]]:
        match = re.search(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)", line)
        if match:
            return match.group(1)
    return None


def _has_alias(root: yaml.Node) -> bool:
    """True if a node is reached twice: YAML anchors and aliases (billion-laughs bombs)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def _merge_key(root: yaml.Node) -> yaml.Node | None:
    """The first YAML merge key ('<<') anywhere under ``root``, or None."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.tag == _YAML + "merge":
                    return key
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def _holds_tag(root: yaml.Node, tag: str) -> bool:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag == tag:
            return True
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def _reason(error: BaseException) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


_INLINE_NAMES = {"em": "emphasis", "strong": "bold text", "link": "a link",
                 "code_inline": "inline code", "hardbreak": "a hard line break"}


def _block_name(token: Token) -> str:
    names = {"bullet_list_open": "a list", "ordered_list_open": "a numbered list",
             "blockquote_open": "a block quote", "fence": "a code block",
             "code_block": "an indented code block", "html_block": "raw HTML",
             "hr": "a horizontal rule", "heading_open": f"a heading {token.markup}",
             "paragraph_open": "a paragraph"}
    if token.type.startswith("container_"):
        return f"a '::: {token.info.strip()}' block"
    return names.get(token.type, token.type)


def _closing(tokens: list[Token], start: int) -> int:
    """Index of the token that closes the one opened at ``start``."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


def article_path(manuscript: Path) -> Path:
    """The article.md of a manuscript given as its folder or as the file itself."""
    manuscript = Path(manuscript)
    return manuscript if manuscript.is_file() or manuscript.suffix == ".md" \
        else manuscript / ARTICLE_FILE


_PADDING_SPACE = re.compile(r"(?<=[\u3400-\u9fff])[ \u3000]+(?=[\u3400-\u9fff])")


def _warn_padding_spaces(reader: "_Reader", paragraphs: list[Paragraph]) -> None:
    """A space between two Han characters of the body text is set as an ideographic space
    (where it pads a name or follows an article's number it never breaks); it is often a
    slip, so it is said once, with where it first is."""
    found = [paragraph for paragraph in paragraphs
             if any(not ARTICLE_NUMBER.search(paragraph.text[:match.start()])
                    for match in _PADDING_SPACE.finditer(paragraph.text))]
    if found:
        more = f" (and in {len(found) - 1} more paragraphs)" if len(found) > 1 else ""
        reader.warn("PR503", f"a space between two Chinese characters{more}: it is set as "
                    "an ideographic space, one em wide", found[0].where.line,
                    "delete it if it is a slip, keep it where it is meant (after 第一条 it is"
                    " the convention and not warned of)")


def _names(text: str) -> list[str]:
    """Names written in one line, apart by spaces; a two-character name padded to three
    characters' width (张  斌) is one name, not two."""
    names: list[str] = []
    for word in _BREAKING_SPACE.split(text.strip()):
        if not word.strip():
            continue
        if names and len(word) == 1 and len(names[-1]) == 1 and _is_han_char(word):
            names[-1] += "\u3000" + word
        else:
            names.append(word)
    return names


def _is_han_char(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def read_manuscript(manuscript: Path) -> Article:
    """Read and check one manuscript; raise every problem found at once."""
    path = article_path(manuscript).absolute()
    source = _source(path)
    refused = refused_characters(source)
    if refused:
        source = REFUSED.sub("\ufffd", source)
    # One rule for pasted spaces and invisibles before anything is parsed: it also leaves
    # '\n' the only line break, so that markdown-it, YAML and these lines count alike.
    source = normalise_text(source)
    lines = source.splitlines()
    reader = _Reader(path, lines)
    for number, (line, column, char) in enumerate(refused[:MAX_REFUSALS]):
        more = len(refused) - MAX_REFUSALS if number == MAX_REFUSALS - 1 else 0
        reader.errors.append(refusal(char, reader.at(line, column), more))
    # The folder's own name, also when it was given as '..' or '.'.
    slug = Path(os.path.normpath(path)).parent.name
    fault = slug_fault(slug)
    if fault:
        reader.fail("PR108", f"the manuscript folder's name '{shown_name(slug)}' "
                    f"cannot name its output files: it {fault}", None,
                    "rename the folder: letters, digits, '-', '_' and Chinese characters, not "
                    f"starting with '.', at most {MAX_SLUG_BYTES} bytes",
                    where=Location(path.parent))
    tokens = _MD.parse(source)
    matter = next((t for t in tokens if t.type == "front_matter"), None)
    values, key_lines = reader.front_matter(matter, tokens)
    reader.check_layouts()
    own_fonts = []
    for file, licence in values.get("fonts") or ():
        try:
            own_fonts.append(faces.checked_font_file(path.parent, file, licence,
                                                     key_lines.get("fonts", Location(path))))
        except PressroomError as error:
            reader.errors.append(error)

    editor_note: EditorNote | None = None
    blocks: list = []
    for index, (token, inner, end) in enumerate(_top_blocks(tokens)):
        line = token.map[0] + 1 if token.map else None
        if token.type == "front_matter":
            pass
        elif token.type == "hr" and index == 0 and matter is None and line == 1:
            pass  # an unclosed front matter, reported as such
        elif token.type == "paragraph_open":
            blocks.extend(reader.paragraphs([token, *inner, tokens[end]], "the body"))
        elif token.type == "heading_open" and token.markup in ("-", "="):
            # CommonMark makes a line of '-' or '=' under text a heading: a line of dashes
            # pasted under a paragraph would silently turn the paragraph into a subhead.
            reader.fail("PR100", f"a line of '{token.markup}' under text makes it a heading",
                        line, "write a subhead as '## ' and its words; if the line is text, "
                        "join it to the line above")
        elif token.type == "heading_open" and token.tag == "h2":
            text = reader.inline_text(inner[0], "a subhead")
            if text:
                blocks.append(Subhead(tuple(split_heading(text)), reader.at(line)))
            else:
                reader.fail("PR114", "the subhead is empty", line,
                            "write its words after '## ', or delete the line")
        elif token.type == "heading_open":
            reader.fail("PR100", f"heading level {token.markup} is not supported", line,
                        "the headline is 'title' in the front matter; subheads are '## '")
        elif token.type == "container_block_open":
            name = token.info.strip().split(" ")[0] if token.info.strip() else ""
            if not tokens[end].markup:  # closed by the end of the file, not by ':::'
                reader.fail("PR115", f"the '::: {name}' block is never closed", line,
                            "end it with a line ':::'; everything after it was read into it")
                continue
            if name == "editor-note":
                if editor_note is not None:
                    reader.fail("PR111", "a second editor's note", line, "a page has one 编者按")
                elif blocks:
                    reader.fail("PR111", "the editor's note must come before the body text", line,
                                "move the '::: editor-note' block above the first paragraph")
                else:
                    paragraphs = reader.paragraphs(inner, "the editor's note")
                    if not paragraphs:
                        reader.fail("PR111", "the editor's note is empty", line,
                                    "write the note inside the block, or delete the block")
                    editor_note = EditorNote(tuple(paragraphs), reader.at(line))
            elif name == "figure":
                figure = reader.figure(token, inner)
                if figure:
                    blocks.append(figure)
            else:
                close = difflib.get_close_matches(name, BLOCK_TYPES, n=1)
                hint = f"did you mean '::: {close[0]}'?" if close else \
                    "known blocks: " + ", ".join(f"'::: {b}'" for b in BLOCK_TYPES)
                reader.fail("PR110", f"unknown block type '::: {name}'", line, hint)
        else:
            reader.refuse_block(token, "a manuscript", line)

    if not any(isinstance(block, Paragraph) for block in blocks) and not reader.errors:
        reader.fail("PR113", "the manuscript has no body text", len(lines) or 1,
                    "write the article's paragraphs below the front matter")
    _warn_padding_spaces(reader, [block for block in blocks if isinstance(block, Paragraph)])
    diagnostics = active_diagnostics()
    for warning in reader.warnings:
        diagnostics.warn(warning)
    raise_all(reader.errors)

    byline_credits = values["byline"]
    return Article(
        slug=slug,
        source=path,
        headline=values["title"],
        kicker=values["kicker"],
        subtitle=values["subtitle"],
        byline=Byline(byline_credits, key_lines["byline"]) if byline_credits else None,
        publication=values["publication"],
        date=values["date"],
        lang=values["lang"],
        identifier=values["identifier"],
        printing=PageSpec(settings=values["layout"], publication=values["publication"],
                          section=values["section"], date=values["date"],
                          page_label=values["page"], page_editor=values["page_editor"],
                          jump_title=values["jump_title"]),
        editor_note=editor_note,
        blocks=tuple(blocks),
        where=key_lines,
        fonts=tuple(own_fonts),
    )


def _source(path: Path) -> str:
    """The text of article.md: UTF-8 (a BOM is dropped), a file of its folder, not huge."""
    where = Location(path)
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(path.parent.resolve()):
            raise ResourceError(f"{path.name} is a symlink to a file outside its folder", where,
                                "copy the file into the manuscript's folder", code="PR303")
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise ManuscriptError(
                f"the file is {size / 1e6:.1f} MB: far more than one page holds (a few "
                "thousand characters)", where,
                "cut it to one article; Pressroom reads files up to "
                f"{MAX_ARTICLE_BYTES // 1_000_000} MB",
                code="PR131")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ResourceError("manuscript not found", where,
                            f"a manuscript is a folder holding {ARTICLE_FILE}",
                            code="PR301") from None
    except OSError as error:
        raise ResourceError(f"the manuscript cannot be read: {_reason(error)}", where,
                            "check the file's permissions", code="PR301") from None
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        raise ManuscriptError("the file is not UTF-8 text",
                              Location(path, line, error.start - start + 1),
                              "save it as UTF-8", code="PR130") from None
    if "\x00" in source:
        line = source.count("\n", 0, source.index("\x00")) + 1
        raise ManuscriptError("the file holds NUL bytes: it is not text", Location(path, line),
                              "save the article as plain UTF-8 text", code="PR130")
    return source
