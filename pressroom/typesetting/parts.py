"""The composed parts: what the typesetter gives the outputs.

Frozen values, each placed in points from its page's top-left corner: a story's pages
(``Layout`` of ``Page``), and on each page its parts with their lines set (``SetParagraph``,
``SetSubhead``, ``SetFigure``, ``SetHeadline``, ``SetNote``, ``SetByline``, ``SetJump``).
The shared partials print the same kinds of values for the e-book, each text one whole line
and no box (``pressroom.outputs.layouts.reader_parts``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

from ..settings import Settings
from .folios import Furniture
from .frames import Box, Frame
from .lines import Line



# -- what the layouts print ---------------------------------------------------------

@dataclass(frozen=True)
class Sizes:
    """Type sizes and line heights (pt) of every part, as composed and as printed."""

    body: float
    subhead: float
    subhead_line: float
    headline: float
    headline_line: float
    kicker: float
    kicker_line: float
    subtitle: float
    subtitle_line: float
    note: float
    note_line: float
    caption: float
    caption_line: float
    byline: float
    jump_headline: float
    jump_headline_line: float

    @classmethod
    def of(cls, settings: Settings, display: float = 1.0) -> "Sizes":
        """``display`` scales the headline group, for a module narrower than the page."""
        headline = settings.headline_size * display
        # A kicker is never set down to the body's size: in Song at that size it would
        # read as a line of the text, off the grid (a small module's kicker: 五号 at least).
        kicker = max(settings.subhead_size, settings.body_size * 1.1,
                     settings.kicker_size * display)
        subtitle = max(settings.body_size, settings.subtitle_size * display)
        return cls(
            body=settings.body_size,
            subhead=settings.subhead_size, subhead_line=settings.subhead_size * 1.3,
            headline=headline, headline_line=headline * 1.25,
            kicker=kicker, kicker_line=kicker * 1.6,
            subtitle=subtitle, subtitle_line=subtitle * 1.6,
            note=settings.note_size, note_line=settings.note_size * 1.6,
            caption=settings.caption_size, caption_line=settings.caption_size * 1.5,
            byline=settings.byline_size,
            jump_headline=settings.jump_headline_size,
            jump_headline_line=settings.jump_headline_size * 1.25,
        )


# The parts as the shared partials print them. The page's have their lines set and a box
# on the page; the e-book's hold each text as one whole line and no box, for the reader to
# reflow (``pressroom.outputs.layouts.reader_parts``).

@dataclass(frozen=True)
class SetParagraph:
    """The part of a paragraph that stands in one column: its lines, already set."""

    lines: tuple[Line, ...]
    box: Box | None = None
    opening: bool = True  # holds the paragraph's first line
    kind: str = "paragraph"


@dataclass(frozen=True)
class SetSubhead:
    lines: tuple[str, ...]
    anchor: str
    box: Box | None = None  # the text's box, centred in the subhead's band of rows
    kind: str = "subhead"


@dataclass(frozen=True)
class SetFigure:
    image: Path
    alt: str
    caption_lines: tuple[Line, ...]
    box: Box | None = None
    image_height: float | None = None  # None: the photo's own shape
    kind: str = "figure"


@dataclass(frozen=True)
class SetHeadline:
    kicker: Line | None  # the e-book's, one whole line (the page's: its first line)
    lines: tuple[str, ...]
    subtitle: Line | None
    box: Box | None = None
    anchor: str = "headline"  # its id: an edition's page holds several stories
    kicker_lines: tuple[Line, ...] = ()  # the page's, broken to the head's width
    subtitle_lines: tuple[Line, ...] = ()

    @property
    def kickers(self) -> tuple[Line, ...]:
        """The kicker's lines as printed: the page's, else the e-book's one line."""
        return self.kicker_lines or ((self.kicker,) if self.kicker else ())

    @property
    def subtitles(self) -> tuple[Line, ...]:
        return self.subtitle_lines or ((self.subtitle,) if self.subtitle else ())


@dataclass(frozen=True)
class NotePiece:
    """The part of one paragraph of the editor's note that stands in one column."""

    lines: tuple[Line, ...]
    indent: float = 0.0  # pt, its first line's (0: none, or the stylesheet's)
    label: bool = False  # it opens with the label 编者按


@dataclass(frozen=True)
class NoteColumn:
    pieces: tuple[NotePiece, ...]
    box: Box | None = None  # from the top left of the note's text area; None in the e-book


@dataclass(frozen=True)
class SetNote:
    """The editor's note: on the page in columns of its own (变栏) no wider than a reader's
    eye takes in (``NOTE_CHARS``), in the e-book one column that reflows."""

    label: str
    columns: tuple[NoteColumn, ...]
    label_width: float | None = None
    box: Box | None = None
    padding: float = 0.0  # left and right
    padding_top: float = 0.0


@dataclass(frozen=True)
class SetByline:
    lines: tuple[Line, ...]
    box: Box | None = None


@dataclass(frozen=True)
class SetJump:
    """A jump line: （下转第6版） at the foot of a column, （上接第5版） at the head of one."""

    text: str
    line: Line  # set, so that 第5版 has its Han-digit gaps
    box: Box
    direction: str  # "to" (下转) or "from" (上接)
    page: str  # the label it points at


SetBlock = Union[SetParagraph, SetSubhead, SetFigure]


@dataclass(frozen=True)
class FreeArea:
    """What a story leaves empty of its page's type area: rows under its module across the
    page, and whole columns beside it."""

    rows: int
    columns: int
    total_rows: int
    total_columns: int
    holes: int = 0  # empty rows inside the story's columns, where no layout kept every rule

    @property
    def share(self) -> float:
        used = (self.total_rows - self.rows) * (self.total_columns - self.columns)
        return 1 - used / (self.total_rows * self.total_columns)


@dataclass(frozen=True)
class Page:
    """One composed page: every box, in reading order."""

    number: int  # the story's page, from 1
    width: float
    height: float
    type_left: float
    type_width: float
    type_top: float  # the top of the body grid's first row
    type_bottom: float
    pitch: float
    settings: Settings
    sizes: Sizes
    furniture: Furniture
    masthead: Box
    headline: SetHeadline | None  # the story's headline group, on its first page
    jump_headline: SetHeadline | None  # the short headline over a continuation
    note: SetNote | None
    frames: tuple[Frame, ...]
    blocks: tuple[SetBlock, ...]
    byline: SetByline | None
    jump_from: SetJump | None  # （上接…） at the head of a continuation
    jump_to: SetJump | None  # （下转…） at the foot of the page before the break
    rules: tuple[Box, ...]
    column_ends: tuple[int, ...]  # the last row used in each column of its frames
    free: FreeArea | None  # None: the story fills the type area


@dataclass(frozen=True)
class Layout:
    """A story composed: its pages in order, and the leading copyfitting chose."""

    pages: tuple[Page, ...]
    pitch: float
    labels: tuple[str, ...]
    preferred_pitch: float = 0.0  # the layout's own leading, which copyfitting tries first
    shorter: int = 0  # paragraphs set a line shorter than at their best, to fill the frames
    longer: int = 0  # and a line longer
