"""The article model: what every stage after reading the manuscript works on.

Frozen dataclasses, so a later stage can never change what an earlier one decided. The
print page and the EPUB are both made from one ``Article``.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Union

from ..errors import Location
from ..settings import Settings

if TYPE_CHECKING:
    from ..faces import Typefaces

# An article's number in a legal text (第一条, 第三章): the space after it is the convention
# (第一条　为了…), read by the manuscript's warnings and kept whole by the line breaker.
ARTICLE_NUMBER = re.compile(r"第[〇零一二三四五六七八九十百千\d]+[条章节编款]$")


@dataclass(frozen=True)
class Paragraph:
    text: str
    where: Location
    kind: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True)
class Subhead:
    """A section head; a space between Chinese words in the manuscript marks a line break."""

    lines: tuple[str, ...]
    where: Location
    kind: Literal["subhead"] = "subhead"

    @property
    def text(self) -> str:
        return join_lines(self.lines)


@dataclass(frozen=True)
class Figure:
    image: Path  # absolute path, checked to lie inside the manuscript folder
    alt: str
    caption: str
    credit: str | None
    where: Location
    kind: Literal["figure"] = "figure"


Block = Union[Paragraph, Subhead, Figure]


@dataclass(frozen=True)
class EditorNote:
    """编者按: the editor's note set apart above or beside the article."""

    paragraphs: tuple[Paragraph, ...]
    where: Location


@dataclass(frozen=True)
class Credit:
    """One part of a byline: a role (大众日报淄博融媒体中心记者) and the people in it."""

    role: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Byline:
    credits: tuple[Credit, ...]
    where: Location

    @property
    def text(self) -> str:
        return " ".join(" ".join((credit.role, *credit.names)).strip() for credit in self.credits)

    @property
    def creators(self) -> tuple[str, ...]:
        names = tuple(name for credit in self.credits for name in credit.names)
        return names or tuple(credit.role for credit in self.credits)


@dataclass(frozen=True)
class PageSpec:
    """Where a story is printed, not what it says: the page format and what the header
    strip of its first page carries. A lone manuscript gives these in its front matter
    (``layout:``, ``date:``, ``page:``, ``section:``, ``page_editor:``)."""

    settings: Settings
    publication: str | None = None
    section: str | None = None
    date: datetime.date | None = None
    page_label: str | None = None
    page_editor: str | None = None
    jump_title: str | None = None  # the short headline over a continuation


@dataclass(frozen=True)
class Article:
    """One manuscript, read and checked: front matter plus the blocks of the body."""

    slug: str
    source: Path  # the article.md it was read from
    headline: tuple[str, ...]  # the main headline, one entry per line
    kicker: str | None
    subtitle: str | None
    byline: Byline | None
    publication: str | None
    date: datetime.date | None
    lang: str
    identifier: str | None
    printing: PageSpec  # the page the manuscript asks for when it is set alone
    editor_note: EditorNote | None
    blocks: tuple[Block, ...]
    where: dict[str, Location]  # front-matter key -> where it is set
    fonts: tuple[Path, ...] = ()  # the manuscript's own fonts, for characters no face has
    # The faces that set it (``pressroom.faces``), chosen by the coverage guard; None
    # until then.
    typefaces: "Typefaces | None" = field(default=None, compare=False)

    @property
    def title(self) -> str:
        return join_lines(self.headline)

    @property
    def folder(self) -> Path:
        return self.source.parent

    @property
    def anchors(self) -> dict["Subhead", str]:
        """Stable ids for the subheads: the PDF's bookmarks, the e-book's contents."""
        subheads = [block for block in self.blocks if isinstance(block, Subhead)]
        return {subhead: f"section-{number}" for number, subhead in enumerate(subheads, 1)}

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Figure))


def is_cjk(char: str) -> bool:
    """True for Han characters, CJK punctuation and full-width forms."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    )


def join_lines(lines: tuple[str, ...] | list[str]) -> str:
    """Join broken lines back into running text: no space between Chinese, one between Latin."""
    text = ""
    for line in lines:
        if text and line and not (is_cjk(text[-1]) or is_cjk(line[0])):
            text += " "
        text += line
    return text
