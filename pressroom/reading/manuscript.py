"""Reading a manuscript: ``manuscript/<slug>/article.md`` into an ``Article``.

The format is CommonMark with YAML front matter, parsed by markdown-it-py and its plugins
(front matter, containers, attributes). Everything the pipeline cannot set faithfully is
refused here, with the file and line, so that later stages never meet a surprise: raw HTML,
markup the page does not set, and every figure's image (it must be a readable JPEG or PNG
inside the manuscript's folder, of a size that is safe to decode). A manuscript's own
``layouts/`` may not reach outside its folder through a symlink either. All problems found
in one reading are reported together; warnings go to the build's ``Diagnostics``.
"""
from __future__ import annotations

import datetime
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from PIL import JpegImagePlugin, PngImagePlugin

from ..errors import (CODES, Location, ManuscriptError, PressroomError, PressroomWarning,
                     ResourceError, StrictError, active_diagnostics, raise_all)
from ..settings import DEFAULT as DEFAULT_SETTINGS, Settings, settings_from, type_area_fault
from .model import (ARTICLE_NUMBER, Article, Byline, Credit, EditorNote, Figure, PageSpec,
                    Paragraph, Subhead, is_cjk, join_lines)

ARTICLE_FILE = "article.md"

# The block types a manuscript may open with ``::: name``.
BLOCK_TYPES = ("editor-note", "figure")
FIGURE_ATTRIBUTES = ("credit",)

# A page holds a few thousand characters; a file of two megabytes (some 650,000 Chinese
# characters) is no article, and is refused before it is parsed or laid out.
MAX_ARTICLE_BYTES = 2_000_000
# Photos: the formats both the renderer and every e-reader take, a pixel count beyond
# which a file is refused rather than decoded (a few kilobytes of PNG can claim gigapixels),
# and the resolution below which a photo prints soft.
IMAGE_FORMATS = ("JPEG", "PNG")
MAX_IMAGE_PIXELS = 50_000_000
MIN_PRINT_DPI = 150
PT_PER_INCH = 72


@dataclass(frozen=True)
class Field:
    """One front-matter key: what it holds, whether it must be there, and what it is for."""

    parse: Callable[[Any], Any]
    required: bool = False
    default: Any = None
    doc: str = ""


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("must be text")
    text = str(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def _headline(value: Any) -> tuple[str, ...]:
    lines = tuple(line for line in split_heading(_text(value)) if line)
    return lines


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        raise ValueError("must be a date written YYYY-MM-DD") from None


def _lang(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", text):
        raise ValueError(f"must be a BCP 47 language tag such as zh-CN, not {text!r}")
    return text


def _byline(value: Any) -> tuple[Credit, ...]:
    # Either one line of text, or a list of {role, names} so that the EPUB can name its
    # creators without guessing which words of a byline are people.
    if isinstance(value, str):
        return (Credit(role=_text(value), names=()),)
    if not isinstance(value, list) or not value:
        raise ValueError("must be text or a list of {role, names}")
    credits = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"role", "names"}:
            raise ValueError("each entry must have only 'role' and 'names'")
        names = item.get("names") or []
        if isinstance(names, str):
            names = _names(names)
        credits.append(Credit(role=_text(item.get("role", "")) if item.get("role") else "",
                              names=tuple(_text(name) for name in names)))
    return tuple(credits)


FRONT_MATTER: dict[str, Field] = {
    "title": Field(_headline, required=True,
                   doc="main headline (主题); a line break or a space between Chinese words breaks the line"),
    "kicker": Field(_text, doc="引题, the line above the headline"),
    "subtitle": Field(_text, doc="副题, the line below the headline"),
    "byline": Field(_byline, doc="署名: text, or a list of {role, names}"),
    "publication": Field(_text, doc="the paper's name, printed in the header strip"),
    "section": Field(_text, doc="版名, the page's name in the header strip"),
    "date": Field(_date, doc="issue date, YYYY-MM-DD"),
    "page": Field(_text, doc="page label, e.g. 第5版"),
    "page_editor": Field(_text, doc="责任编辑, the page editor named in the header strip"),
    "jump_title": Field(_text, doc="the short headline over a continuation page; the title when absent"),
    "lang": Field(_lang, default="zh-CN", doc="language tag of the text"),
    "identifier": Field(_text, doc="stable identifier of the e-book; derived from the slug when absent"),
    "layout": Field(settings_from, default=DEFAULT_SETTINGS,
                    doc="page format and copyfit bounds, see pressroom/settings.py"),
}


def split_heading(text: str) -> list[str]:
    """Split a headline or subhead at explicit breaks: new lines, or spaces next to Chinese."""
    lines: list[str] = []
    for raw in text.splitlines():
        parts = re.split(r"(\s+)", raw.strip())
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
    md = MarkdownIt("commonmark").disable("reference").use(front_matter_plugin).use(attrs_plugin)
    # One catch-all container, so that an unknown ``::: name`` is reported rather than
    # silently read as a paragraph of colons.
    return md.use(container_plugin, name="block", validate=lambda params, markup: True)


_MD = _markdown()


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
            data = yaml.safe_load(token.content)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
            line = first_line + mark.line if mark else first_line
            column = mark.column + 1 if mark else None
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            self.fail("PR102", f"front matter is not valid YAML: {problem}", line,
                      "check the indentation, and quote values holding ':' or '#'", column)
            return {}, {}
        except RecursionError:
            self.fail("PR102", "front matter is not valid YAML: nested too deeply", first_line,
                      "write one 'key: value' a line")
            return {}, {}
        if data is None:
            data, node = {}, None
        if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
            self.fail("PR102", "front matter must be a mapping of keys to values", first_line,
                      "write one 'key: value' a line")
            return {}, {}
        if _has_alias(node):
            self.fail("PR102", "front matter uses a YAML anchor or alias ('&' or '*')",
                      first_line, "write each value out; quote values starting with '&' or '*'")
            return {}, {}
        lines: dict[str, Location] = {}
        for key_node, _ in node.value:
            where = self.at(first_line + key_node.start_mark.line)
            name = str(key_node.value)
            if name in lines:
                self.fail("PR106", f"front-matter key '{name}' is set twice", None,
                          f"it is first set on line {lines[name].line}; keep one", where=where)
            else:
                lines[name] = where
        values: dict[str, Any] = {}
        for key, raw in data.items():
            where = lines.get(str(key), self.at(first_line))
            field = FRONT_MATTER.get(str(key))
            if field is None:
                close = difflib.get_close_matches(str(key), FRONT_MATTER, n=1)
                hint = f"did you mean '{close[0]}'?" if close else \
                    "known keys: " + ", ".join(FRONT_MATTER)
                self.fail("PR101", f"unknown front-matter key '{key}'", None, hint, where=where)
                continue
            if raw is None or raw == "":
                hint = "give it a value" if field.required else \
                    "give it a value or delete the line"
                self.fail("PR105", f"front-matter key '{key}' is empty", None,
                          f"{hint}: {field.doc}", where=where)
                continue
            try:
                values[str(key)] = field.parse(raw)
            except ValueError as error:
                hint = None if isinstance(raw, str) else \
                    "put the value in quotes if YAML reads it as something else"
                self.fail("PR105", f"front-matter key '{key}' {error}", None, hint, where=where)
            except TypeError:
                self.fail("PR105", f"front-matter key '{key}' has a value of the wrong kind",
                          None, field.doc, where=where)
        for key, field in FRONT_MATTER.items():
            if field.required and key not in data:
                self.fail("PR104", f"front matter has no '{key}'", first_line - 1, field.doc)
            values.setdefault(key, field.default)
        if isinstance(values["layout"], Settings):
            self.settings = values["layout"]
            fault = type_area_fault(self.settings)
            if fault:
                self.fail("PR140", f"the layout's type area does not fit its sheet: {fault}",
                          None, "use fewer or narrower columns, smaller type or a larger format",
                          where=lines.get("layout"))
        return values, lines

    # -- body -----------------------------------------------------------------------

    def inline_text(self, token: Token, what: str) -> str:
        """The plain text of an inline token; any markup beyond soft breaks is refused."""
        pieces: list[str] = []
        tags: list[str] = []
        first = token.map[0] + 1 if token.map else None
        last = token.map[1] if token.map else first
        for child in token.children or []:
            if child.type in ("text", "text_special"):
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
        text = join_lines([part.strip(" \t\u3000") for part in "".join(pieces).split("\n")])
        return text.strip()

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
        alt = "".join(child.content for child in image.children or []).strip()
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
        credit = str(image.attrs.get("credit", "")).strip() or None
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
        """Open the image as a JPEG or PNG, refuse it unless it is whole and of a safe
        size, and warn when it has too few pixels for print."""
        fix = "save the picture again as JPEG or PNG"
        try:
            with path.open("rb") as stream:
                kind = _sniff(stream.read(32))
                if kind not in IMAGE_FORMATS:
                    if kind is None:
                        self.fail("PR306", f"image '{name}' is not an image", line, fix)
                    else:
                        self.fail("PR307", f"image '{name}' is {kind}, not JPEG or PNG", line, fix)
                    return False
                stream.seek(0)
                # The plugin class itself, not Image.open: the header is read for the size
                # and nothing decoded before the pixel count is checked here.
                plugin = JpegImagePlugin.JpegImageFile if kind == "JPEG" \
                    else PngImagePlugin.PngImageFile
                try:
                    image = plugin(stream)
                    width, height = image.size
                    if width * height > MAX_IMAGE_PIXELS or width < 1 or height < 1:
                        self.fail("PR308", f"image '{name}' is {width} × {height} pixels, more "
                                  f"than the {MAX_IMAGE_PIXELS // 1_000_000} megapixels "
                                  "Pressroom opens", line,
                                  "scale the photo down; 3000 pixels across is plenty for print")
                        return False
                    if kind == "JPEG":
                        stream.seek(0)
                        if not _jpeg_is_whole(stream.read()):
                            raise ValueError("the file ends before the picture does")
                        image.draft(None, (max(1, width // 8), max(1, height // 8)))
                        image.load()  # at an eighth of the size: cheap, and decodes it all
                    else:
                        image.verify()  # every chunk's checksum, to the end of the file
                except Exception as error:  # noqa: BLE001 - Pillow on a damaged file
                    self.fail("PR306", f"image '{name}' is a damaged {kind} file: "
                              f"{_reason(error)}", line, fix)
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
        for candidate in candidates:
            if candidate.is_symlink() and not candidate.resolve().is_relative_to(folder):
                self.fail("PR303", "a layout file is a symlink to a file outside the "
                          "manuscript's folder", None,
                          "copy the file into the manuscript's layouts/ instead",
                          where=Location(candidate))


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


_MAGIC = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"GIF87a", "GIF"),
          (b"GIF89a", "GIF"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "BMP"),
          (b"%PDF", "PDF"), (b"8BPS", "PSD"))


def _sniff(head: bytes) -> str | None:
    """The image format its first bytes say, whatever the file's name says."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp":
        return "HEIF or AVIF"
    return None


def _jpeg_is_whole(data: bytes) -> bool:
    """True if the JPEG's segments run from its start to an end-of-image marker.

    Pillow cannot say so once WeasyPrint is imported: WeasyPrint sets Pillow's
    LOAD_TRUNCATED_IMAGES for the whole process, and a cut-off file then decodes to grey.
    """
    index = 2  # after the start-of-image marker
    while index + 1 < len(data):
        if data[index] != 0xFF:
            return False
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
        elif marker == 0xD9:  # end of image
            return True
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            index += 2
        elif index + 3 >= len(data):
            return False
        else:
            index += 2 + int.from_bytes(data[index + 2:index + 4], "big")
            if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
                while True:
                    index = data.find(b"\xff", index)
                    if index < 0 or index + 1 >= len(data):
                        return False
                    following = data[index + 1]
                    if following == 0x00 or 0xD0 <= following <= 0xD7:
                        index += 2  # a stuffed 0xFF, or a restart marker: still the scan
                    elif following == 0xFF:
                        index += 1
                    else:
                        break
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
    for word in re.split(r"(\s+)", text.strip()):
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
    lines = source.splitlines()
    reader = _Reader(path, lines)
    tokens = _MD.parse(source)
    matter = next((t for t in tokens if t.type == "front_matter"), None)
    values, key_lines = reader.front_matter(matter, tokens)
    reader.check_layouts()

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
        slug=path.parent.name,
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
