"""Reading a manuscript: ``manuscript/<slug>/article.md`` into an ``Article``.

The format is CommonMark with YAML front matter, parsed by markdown-it-py and its plugins
(front matter, containers, attributes). Everything the pipeline cannot set faithfully is
refused here, with the file and line, so that later stages never meet a surprise. All
problems found in one reading are reported together.
"""
from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .errors import Location, ManuscriptError, ErrorGroup, PressroomError, ResourceError
from .settings import DEFAULT as DEFAULT_SETTINGS, settings_from
from .model import Article, Byline, Credit, EditorNote, Figure, Paragraph, Subhead, is_cjk, join_lines

ARTICLE_FILE = "article.md"

# The block types a manuscript may open with ``::: name``.
BLOCK_TYPES = ("editor-note", "figure")
FIGURE_ATTRIBUTES = ("credit",)


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
            names = names.split()
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
    md = MarkdownIt("commonmark").use(front_matter_plugin).use(attrs_plugin)
    # One catch-all container, so that an unknown ``::: name`` is reported rather than
    # silently read as a paragraph of colons.
    return md.use(container_plugin, name="block", validate=lambda params, markup: True)


_MD = _markdown()


class _Reader:
    """Walks markdown-it's token stream and collects the article's parts and its errors."""

    def __init__(self, path: Path):
        self.path = path
        self.errors: list[PressroomError] = []

    def at(self, line: int | None) -> Location:
        return Location(self.path, line)

    def fail(self, message: str, line: int | None, hint: str | None = None,
             kind: type[PressroomError] = ManuscriptError) -> None:
        self.errors.append(kind(message, self.at(line), hint))

    # -- front matter ---------------------------------------------------------------

    def front_matter(self, token: Token | None) -> tuple[dict[str, Any], dict[str, Location]]:
        if token is None:
            self.fail("the manuscript has no front matter", 1,
                      "start the file with a '---' block that sets at least 'title'")
            return {}, {}
        first_line = token.map[0] + 2  # the line after the opening '---'
        try:
            node = yaml.compose(token.content, Loader=yaml.SafeLoader)
            data = yaml.safe_load(token.content)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = first_line + mark.line if mark else first_line
            problem = getattr(error, "problem", None) or str(error)
            self.fail(f"front matter is not valid YAML: {problem}", line)
            return {}, {}
        if data is None:
            data, node = {}, None
        if not isinstance(data, dict):
            self.fail("front matter must be a mapping of keys to values", first_line)
            return {}, {}
        lines = {}
        if node is not None:
            for key_node, _ in node.value:
                lines[key_node.value] = self.at(first_line + key_node.start_mark.line)
        values: dict[str, Any] = {}
        for key, raw in data.items():
            where = lines.get(str(key), self.at(first_line))
            field = FRONT_MATTER.get(str(key))
            if field is None:
                close = difflib.get_close_matches(str(key), FRONT_MATTER, n=1)
                hint = f"did you mean '{close[0]}'?" if close else \
                    "known keys: " + ", ".join(FRONT_MATTER)
                self.errors.append(ManuscriptError(f"unknown front-matter key '{key}'", where, hint))
                continue
            try:
                values[str(key)] = field.parse(raw)
            except ValueError as error:
                self.errors.append(ManuscriptError(f"front-matter key '{key}' {error}", where))
        for key, field in FRONT_MATTER.items():
            if key not in values and key not in data:
                if field.required:
                    self.fail(f"front matter has no '{key}'", first_line - 1, field.doc)
                values[key] = field.default
        return values, lines

    # -- body -----------------------------------------------------------------------

    def inline_text(self, token: Token, what: str) -> str:
        """The plain text of an inline token; any markup beyond soft breaks is refused."""
        pieces: list[str] = []
        line = token.map[0] + 1 if token.map else None
        for child in token.children or []:
            if child.type in ("text", "text_special"):
                pieces.append(child.content)
            elif child.type == "softbreak":
                pieces.append("\n")
            elif child.type == "html_inline":
                self.fail(f"raw HTML {child.content!r} is not allowed in {what}", line,
                          "write the text without tags")
            elif child.type == "image":
                self.fail(f"an image inside {what}", line,
                          "put images in a '::: figure' block with alt text and caption")
            else:
                name = child.type.replace("_open", "").replace("_close", "")
                self.fail(f"{_INLINE_NAMES.get(name, name)} is not supported in {what}", line,
                          "newspaper text is set plain; remove the markup")
        text = join_lines([part.strip(" \t\u3000") for part in "".join(pieces).split("\n")])
        return text.strip()

    def paragraphs(self, tokens: list[Token], what: str) -> list[Paragraph]:
        found = []
        for index, token in enumerate(tokens):
            if token.type == "paragraph_open":
                text = self.inline_text(tokens[index + 1], what)
                if text:
                    found.append(Paragraph(text, self.at(token.map[0] + 1)))
            elif token.nesting == 1 and token.level == tokens[0].level:
                self.fail(f"{_block_name(token)} is not allowed in {what}", token.map[0] + 1)
        return found

    def figure(self, opener: Token, inner: list[Token]) -> Figure | None:
        line = opener.map[0] + 1
        paragraphs = [i for i, t in enumerate(inner) if t.type == "paragraph_open"]
        images = [child for i in paragraphs for child in inner[i + 1].children or []
                  if child.type == "image"]
        if len(images) != 1:
            self.fail(f"a figure must hold exactly one image, this one has {len(images)}", line,
                      "write ![alt text](photo.jpg) on the figure's first line")
            return None
        image = images[0]
        alt = "".join(child.content for child in image.children or []).strip()
        if not alt:
            self.fail("the figure's image has no alt text", line,
                      "describe the photo for readers who cannot see it: ![描述](photo.jpg)")
        for key in image.attrs:
            if key not in ("src", "alt", "title", *FIGURE_ATTRIBUTES):
                self.fail(f"unknown figure attribute '{key}'", line,
                          "known: " + ", ".join(FIGURE_ATTRIBUTES))
        credit = str(image.attrs.get("credit", "")).strip() or None
        caption_tokens = inner[paragraphs[0] + 3:] if paragraphs else []
        captions = self.paragraphs(caption_tokens, "a caption") if caption_tokens else []
        rest = [child for child in inner[paragraphs[0] + 1].children or [] if child.type != "image"]
        if any(child.content.strip() for child in rest):
            self.fail("text beside the figure's image", line,
                      "put the caption in its own paragraph below the image")
        if not captions:
            self.fail("the figure has no caption", line, "add the caption below the image")
        path = self.image_path(str(image.attrs.get("src", "")), line)
        if path is None or not alt or not captions:
            return None
        return Figure(image=path, alt=alt, caption=join_lines([p.text for p in captions]),
                      credit=credit, where=self.at(line))

    def image_path(self, src: str, line: int) -> Path | None:
        folder = self.path.parent.resolve()
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "\\")):
            self.fail(f"image '{src}' is not a file in the manuscript's folder", line,
                      "copy the image next to article.md and name it by its file name",
                      kind=ResourceError)
            return None
        path = (folder / src).resolve()
        if not path.is_relative_to(folder):
            self.fail(f"image '{src}' lies outside the manuscript's folder", line,
                      "copy the image next to article.md", kind=ResourceError)
            return None
        if not path.is_file():
            self.fail(f"image '{src}' not found", line,
                      f"expected it at {path}", kind=ResourceError)
            return None
        return path


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


def read_manuscript(manuscript: Path) -> Article:
    """Read and check one manuscript; raise every problem found at once."""
    path = article_path(manuscript).absolute()
    try:
        source = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ResourceError("manuscript not found", Location(path),
                            f"a manuscript is a folder holding {ARTICLE_FILE}") from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise ManuscriptError("the file is not UTF-8 text", Location(path, line),
                              "save it as UTF-8") from None
    reader = _Reader(path)
    tokens = _MD.parse(source)
    matter = next((t for t in tokens if t.type == "front_matter"), None)
    values, key_lines = reader.front_matter(matter)

    editor_note: EditorNote | None = None
    blocks: list = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        line = token.map[0] + 1 if token.map else None
        end = _closing(tokens, index) if token.nesting == 1 else index
        if token.type == "front_matter":
            pass
        elif token.type == "paragraph_open":
            blocks.extend(reader.paragraphs(tokens[index:end + 1], "the body"))
        elif token.type == "heading_open" and token.tag == "h2":
            text = reader.inline_text(tokens[index + 1], "a subhead")
            blocks.append(Subhead(tuple(split_heading(text)), reader.at(line)))
        elif token.type == "heading_open":
            reader.fail(f"heading level {token.markup} is not supported", line,
                        "the headline is 'title' in the front matter; subheads are '## '")
        elif token.type == "container_block_open":
            name = token.info.strip().split(" ")[0] if token.info.strip() else ""
            inner = tokens[index + 1:end]
            if name == "editor-note":
                if editor_note is not None:
                    reader.fail("a second editor's note", line, "a page has one 编者按")
                elif blocks:
                    reader.fail("the editor's note must come before the body text", line)
                else:
                    paragraphs = reader.paragraphs(inner, "the editor's note") if inner else []
                    if not paragraphs:
                        reader.fail("the editor's note is empty", line)
                    editor_note = EditorNote(tuple(paragraphs), reader.at(line))
            elif name == "figure":
                figure = reader.figure(token, inner)
                if figure:
                    blocks.append(figure)
            else:
                close = difflib.get_close_matches(name, BLOCK_TYPES, n=1)
                hint = f"did you mean '::: {close[0]}'?" if close else \
                    "known blocks: " + ", ".join(f"'::: {b}'" for b in BLOCK_TYPES)
                reader.fail(f"unknown block type '::: {name}'", line, hint)
        else:
            reader.fail(f"{_block_name(token)} is not supported in a manuscript", line,
                        "the body holds paragraphs, '## ' subheads and '::: ' blocks")
        index = end + 1

    if not any(isinstance(block, Paragraph) for block in blocks) and not reader.errors:
        reader.fail("the manuscript has no body text", len(source.splitlines()) or 1)
    if reader.errors:
        raise reader.errors[0] if len(reader.errors) == 1 else ErrorGroup(reader.errors)

    byline_credits = values["byline"]
    return Article(
        slug=path.parent.name,
        source=path,
        headline=values["title"],
        kicker=values["kicker"],
        subtitle=values["subtitle"],
        byline=Byline(byline_credits, key_lines["byline"]) if byline_credits else None,
        publication=values["publication"],
        section=values["section"],
        date=values["date"],
        page=values["page"],
        lang=values["lang"],
        identifier=values["identifier"],
        layout=values["layout"],
        editor_note=editor_note,
        blocks=tuple(blocks),
        where=key_lines,
    )
