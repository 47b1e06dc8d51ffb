"""Composing a story onto its pages (拼版): set every text, choose the frames, pour.

Takes an ``Article`` and the ``PageSpec`` of where it is printed; gives a ``Layout``: one
``Page`` or several, each with every box placed in points from the page's top-left corner,
which the layouts only print. Every body line takes one row of the page's grid; subheads,
a photo with its caption and the byline take whole rows, so the baselines of neighbouring
columns stay level.

Copyfitting is a search over what a layout editor would change, each within the bounds of
``pressroom.settings``: the line pitch (leading), a photo's height (cropping a little), the
band a subhead takes (three or four rows) and a spare row before the byline. In order:

1. **Fill the page.** The first layout in which every column is full and the last ends
   within a line of the others wins, as on a page made for one story.
2. **A short story is set at its own size**: the lead module, in two or three columns up to
   ``SHORT_STORY`` characters and across the page beyond, as deep as its text needs, its
   columns ending within one line of each other; the rest of the type area stays empty and
   is reported (PR502).
3. **A long story continues** on as many pages as it needs: the first page as in 1, each
   following page under a jump headline, with the jump lines of Chinese papers, （下转第6版）
   at the foot of the last column before the break and （上接第5版） at the head of the
   continuation; the last page filled if a leading fills it, else set as in 2.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Union

from PIL import Image

from .. import fonts
from ..errors import CopyfitError, Location
from ..fonts import HEI, KAI, SONG
from ..reading.model import Article, Figure, PageSpec, Paragraph, Subhead
from ..settings import Settings
from .folios import Furniture, furniture, page_labels
from .frames import PT_PER_MM, Box, Frame
from .flow import Column, Flow, Piece, pour
from .headings import byline_lines, heading_lines
from .lines import Line, Metrics, latin_runs, set_lines
from .measure import latin_widths

SHORT_STORY = 800  # characters: up to this a story that does not fill the page takes 2-3 columns
MAX_PAGES = 16  # a story longer than this many pages is not a newspaper story
MAX_POURS = 1500  # layouts poured per page count before settling for a ragged one
MAX_FIGURE_TRIES = 200  # combinations of photo heights tried, nearest first
MASTHEAD_SIZE = 9.0  # pt, the header strip's text (print.css)
HEADLINE_CHARS = 9  # a headline narrower than this many characters of its size is set smaller


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
        kicker = max(settings.body_size, settings.kicker_size * display)
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
    kicker: str | None
    lines: tuple[str, ...]
    subtitle: str | None
    box: Box | None = None


@dataclass(frozen=True)
class SetNote:
    label: str
    paragraphs: tuple[tuple[Line, ...], ...]
    indents: tuple[float, ...]  # pt, each paragraph's first line (0: the stylesheet's)
    label_width: float | None = None
    box: Box | None = None
    padding: float = 0.0  # left and right
    padding_top: float = 0.0


@dataclass(frozen=True)
class SetByline:
    lines: tuple[str, ...]
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


def compose(article: Article, spec: PageSpec) -> Layout:
    """Set every text of the article and place it on as many pages as it needs."""
    texts = _Texts.of(article, spec.settings)
    tried: list[int] = []
    if spec.settings.fill:  # one page, full, or a message that says which way and how much
        return _fill(texts, spec, 1, tried) or _raise(_no_fill(texts, spec, tried))
    fewest = _fewest_pages(texts, spec)
    if fewest > MAX_PAGES:
        raise _too_long(texts, spec)
    for count in range(fewest, MAX_PAGES + 1):
        tried = []
        fitted = _fill(texts, spec, count, tried)
        if fitted:
            return fitted
        if min(tried, default=0) < 0:  # at some leading the pages hold more than the story
            fitted = _natural(texts, spec, count) or _ragged(texts, spec, count)
            if fitted:
                return fitted
    raise _too_long(texts, spec)


def _raise(error: Exception):
    raise error


# -- setting the texts --------------------------------------------------------------

@dataclass(frozen=True)
class _Texts:
    """Every text of the story set once, at the column measure: what copyfitting moves
    around but never sets again."""

    article: Article
    settings: Settings
    faces: dict[str, Metrics]
    lines_of: dict[int, tuple[Line, ...]]
    captions: dict[int, tuple[Line, ...]]
    byline: tuple[str, ...]
    subheads: dict[int, tuple[str, ...]]
    photo_heights: dict[int, float]  # at the photo's width
    column_width: float
    gap: float
    type_width: float
    type_left: float
    figure_width: float
    heads: dict = field(default_factory=dict)  # the heads of its pages, set once per width

    @classmethod
    def of(cls, article: Article, settings: Settings) -> "_Texts":
        faces = _faces(article)
        size = settings.body_size
        column_width = settings.column_chars * size
        gap = settings.gap_chars * size
        type_width = settings.columns * column_width + (settings.columns - 1) * gap
        span = min(settings.figure_columns, settings.columns)
        figure_width = span * column_width + (span - 1) * gap
        return cls(
            article=article, settings=settings, faces=faces,
            lines_of={id(block): set_lines(block.text, faces[SONG], size, column_width, 2 * size)
                      for block in article.blocks if isinstance(block, Paragraph)},
            captions={id(figure): _caption_lines(figure, faces[KAI], settings, figure_width)
                      for figure in article.figures},
            byline=byline_lines(article.byline, faces[KAI], settings.byline_size, column_width),
            subheads={id(block): heading_lines(block.lines, faces[HEI], settings.subhead_size,
                                               column_width)
                      for block in article.blocks if isinstance(block, Subhead)},
            photo_heights=_photo_heights(article, figure_width),
            column_width=column_width, gap=gap, type_width=type_width,
            type_left=(settings.page_width * PT_PER_MM - type_width) / 2,
            figure_width=figure_width,
        )

    @property
    def line_count(self) -> int:
        return sum(len(lines) for lines in self.lines_of.values())

    @property
    def characters(self) -> int:
        return sum(len(block.text) for block in self.article.blocks
                   if isinstance(block, Paragraph))


def _faces(article: Article) -> dict[str, Metrics]:
    """The three faces, with every Latin run of the article measured by WeasyPrint."""
    faces = {face.role_family: Metrics(fonts.FONTS_DIR / face.file, face.role_family)
             for face in fonts.FACES}
    texts = {SONG: [block.text for block in article.blocks if isinstance(block, Paragraph)],
             KAI: [f.caption + " " + (f.credit or "") for f in article.figures]
             + ([p.text for p in article.editor_note.paragraphs] if article.editor_note else [])
             + ([article.byline.text] if article.byline else []),
             HEI: [*article.headline, *(line for block in article.blocks
                                        if isinstance(block, Subhead) for line in block.lines)]}
    runs = [(family, run) for family, values in texts.items()
            for text in values for run in latin_runs(text)]
    for (family, run), width in latin_widths(runs).items():
        faces[family].latin[run] = width
    return faces


def _caption_lines(figure: Figure, face: Metrics, settings: Settings,
                   width: float) -> tuple[Line, ...]:
    text = figure.caption + (f"\u3000{figure.credit}" if figure.credit else "")
    return set_lines(text, face, settings.caption_size, width)


def _photo_heights(article: Article, width: float) -> dict[int, float]:
    """Each photo's height at the figure width, in its own shape (read once per story)."""
    heights = {}
    for figure in article.figures:
        with Image.open(figure.image) as image:
            heights[id(figure)] = width * image.height / image.width
    return heights


# -- the head of a page -------------------------------------------------------------

@dataclass(frozen=True)
class _Head:
    """What stands above a page's body: the headline group (or a jump headline) and the
    editor's note, set to one width."""

    headline: tuple[str, ...]
    height: float  # of the headline group
    note: tuple[float, float, tuple[tuple[Line, ...], ...]] | None  # label width, padding, lines
    sizes: Sizes
    width: float
    jump: bool


def _first_head(texts: _Texts, width: float) -> _Head:
    """The story's headline group and note at ``width``; set once per width."""
    key = ("first", width)
    if key not in texts.heads:
        texts.heads[key] = _set_first_head(texts, width)
    return texts.heads[key]


def _set_first_head(texts: _Texts, width: float) -> _Head:
    settings, article = texts.settings, texts.article
    display = min(1.0, width / (HEADLINE_CHARS * settings.headline_size))
    sizes = Sizes.of(settings, display)
    lines = heading_lines(article.headline, texts.faces[HEI], sizes.headline * 1.04, width)
    height = len(lines) * sizes.headline_line
    if article.kicker:
        height += sizes.kicker_line
    if article.subtitle:
        height += sizes.subtitle_line
    return _Head(lines, height, _note_lines(texts, width), sizes, width, jump=False)


def _jump_head(texts: _Texts, title: str | None) -> _Head:
    key = ("jump", title)
    if key not in texts.heads:
        texts.heads[key] = _set_jump_head(texts, title)
    return texts.heads[key]


def _set_jump_head(texts: _Texts, title: str | None) -> _Head:
    settings = texts.settings
    sizes = Sizes.of(settings)
    lines = heading_lines((title,) if title else texts.article.headline, texts.faces[HEI],
                          sizes.jump_headline * 1.04, texts.type_width)
    return _Head(lines, len(lines) * sizes.jump_headline_line, None, sizes, texts.type_width,
                 jump=True)


def _note_lines(texts: _Texts, width: float):
    note = texts.article.editor_note
    if not note:
        return None
    size = texts.settings.note_size
    padding = size
    label_width = 3.5 * size  # 编者按 in Hei and half a character of space
    measure = width - 2 * padding - 1.5
    paragraphs = tuple(
        set_lines(paragraph.text, texts.faces[KAI], size, measure,
                  label_width if number == 0 else 2 * size)
        for number, paragraph in enumerate(note.paragraphs))
    return label_width, padding, paragraphs


def _note_height(head: _Head, pitch: float) -> float:
    if not head.note:
        return 0.0
    _, padding, paragraphs = head.note
    lines = sum(len(paragraph) for paragraph in paragraphs)
    return math.ceil((lines * head.sizes.note_line + 2 * padding) / pitch) * pitch


# -- geometry -----------------------------------------------------------------------

def _pitches(settings: Settings) -> list[float]:
    """Line pitches to try, nearest to 1.5 times the body size first."""
    low = settings.leading_min * settings.body_size
    high = settings.leading_max * settings.body_size
    steps = int((high - low) / settings.leading_step + 1e-9)
    pitches = [round(low + step * settings.leading_step, 4) for step in range(steps + 1)]
    ideal = 1.5 * settings.body_size
    return sorted(pitches, key=lambda pitch: (abs(pitch - ideal), pitch))


@dataclass(frozen=True)
class _Sheet:
    """One page of the story before the pour: its head and its frame, whole rows deep."""

    head: _Head
    frame: Frame
    note_height: float
    masthead_bottom: float
    bottom: float


def _sheet(texts: _Texts, head: _Head, pitch: float, columns: int | None = None) -> _Sheet:
    """The page's grid: the body ends on the bottom margin, and whatever the rows leave
    over goes into the space around the head, so there is never an empty band at the
    foot. ``columns``: a module narrower than the page, from its left edge."""
    settings = texts.settings
    masthead_bottom = settings.margin_top * PT_PER_MM + settings.masthead_height
    bottom = (settings.page_height - settings.margin_bottom) * PT_PER_MM
    note_height = _note_height(head, pitch)
    minimum_space = 2 * pitch  # above and below the head, at least
    available = bottom - masthead_bottom - head.height - note_height - minimum_space \
        - (pitch if head.note else 0)
    rows = max(0, int(available // pitch))
    frame = Frame(texts.type_left, bottom - rows * pitch, columns or settings.columns, rows,
                  texts.column_width, texts.gap, pitch)
    return _Sheet(head, frame, note_height, masthead_bottom, bottom)


def _chain(sheets: list[_Sheet], rows: int | None = None,
           ends: list[int] | None = None) -> list[Column]:
    """The columns of the chain through the sheets' frames. Each page after the first
    keeps its first row for （上接…）, each page before the last its last column's last
    row for （下转…）. ``ends``: how deep each column of the last frame is filled."""
    columns: list[Column] = []
    for number, sheet in enumerate(sheets):
        last = number == len(sheets) - 1
        frame = sheet.frame
        for index in range(frame.columns):
            start = 1 if number and index == 0 else 0
            end, floor = frame.rows, None
            if last and ends is not None:
                # At its natural depth every column ends on the deepest row or one above.
                end, floor = ends[index], min(ends) if max(ends) > min(ends) else ends[index] - 1
            jump = not last and index == frame.columns - 1
            columns.append(Column(number, index, start, end - (1 if jump else 0), jump, floor))
    return columns


# -- the copyfit search -------------------------------------------------------------

def _fill(texts: _Texts, spec: PageSpec, count: int, tried: list[int]) -> Layout | None:
    """The story on ``count`` pages, every column of every page full."""
    settings = texts.settings
    span = min(settings.figure_columns, settings.columns)
    bylines = len(texts.byline)
    pours = 0
    for pitch in _pitches(settings):
        sheets = [_sheet(texts, _first_head(texts, texts.type_width), pitch)]
        sheets += [_sheet(texts, _jump_head(texts, spec.jump_title), pitch)] * (count - 1)
        if any(sheet.frame.rows < 4 for sheet in sheets):
            continue
        columns = _chain(sheets)
        capacity = sum(column.end - column.start for column in columns)
        for figure_rows in _figure_rows(texts, pitch, sheets[0].frame.rows):
            figures = span * sum(figure_rows.values())
            for spare in (0, 1) if bylines else (0,):
                # Count first; pour the text into the columns only when it can fill them.
                needs = [need + figures + spare for need in _needs(texts)]
                tried.extend(need - capacity for need in needs)
                if not any(capacity - 1 - 2 * (count - 1) <= need <= capacity for need in needs):
                    continue
                pours += 1
                if pours > MAX_POURS:
                    return None
                flow = pour(_pieces(texts, figure_rows, spare), columns, span)
                if flow is not None:
                    return _layout(texts, spec, sheets, flow, figure_rows)
    return None


def _needs(texts: _Texts) -> list[int]:
    """The rows the story's lines, subheads and byline take, for each count of subheads
    that take the larger band."""
    small, large = min(texts.settings.subhead_rows), max(texts.settings.subhead_rows)
    subheads = len(texts.subheads)
    base = texts.line_count + subheads * small + len(texts.byline)
    return [base + many * (large - small) for many in range(subheads + 1)] if large > small \
        else [base]


def _natural(texts: _Texts, spec: PageSpec, count: int) -> Layout | None:
    """The story on ``count`` pages, the last set at its natural depth: columns ending
    within a line of each other, the rest of its type area left empty. Which columns stand
    a row shallower is part of the search: a subhead that would be stranded at one
    column's foot stands at the head of the next when the column before is a row shorter."""
    settings = texts.settings
    span = min(settings.figure_columns, settings.columns)
    bylines = len(texts.byline)
    if count == 1 and texts.characters <= SHORT_STORY:
        shapes = [c for c in (3, 2) if c <= settings.columns] or [settings.columns]
    else:
        shapes = [settings.columns]
    pours, seen = 0, set()
    for columns_wide in shapes:
        for pitch in _pitches(settings):
            if count == 1:
                width = texts.column_width * columns_wide + texts.gap * (columns_wide - 1)
                sheets = [_sheet(texts, _first_head(texts, width), pitch, columns_wide)]
            else:
                sheets = [_sheet(texts, _first_head(texts, texts.type_width), pitch)]
                sheets += [_sheet(texts, _jump_head(texts, spec.jump_title), pitch)] * (count - 1)
            if any(sheet.frame.rows < 4 for sheet in sheets):
                continue
            before = _chain(sheets[:-1])
            capacity = sum(column.end - column.start for column in before)
            last = sheets[-1].frame
            for figure_rows in _figure_rows(texts, pitch, last.rows):
                figures = span * sum(figure_rows.values())
                for base in _needs(texts):
                    for spare in (0, 1) if bylines else (0,):
                        need = base + figures + spare
                        for shift in (0, 1, 2):
                            rest = need - capacity + shift + (1 if count > 1 else 0)
                            depth = math.ceil(rest / columns_wide)
                            if rest <= 0 or depth > last.rows:
                                continue
                            chain_key = (tuple(sheet.frame.rows for sheet in sheets[:-1]),
                                         figures and pitch)
                            for ends in _depths(columns_wide, depth, rest):
                                # Without photos the pour does not depend on the leading.
                                key = (chain_key, tuple(ends), spare,
                                       tuple(sorted(figure_rows.values())))
                                if key in seen:
                                    continue
                                seen.add(key)
                                pours += 1
                                if pours > MAX_POURS:
                                    return None
                                chain = _chain(sheets, ends=ends)
                                flow = pour(_pieces(texts, figure_rows, spare), chain, span)
                                if flow is not None:
                                    return _layout(texts, spec, sheets, flow, figure_rows, depth)
    return None


def _depths(columns: int, depth: int, rows: int) -> Iterator[list[int]]:
    """How deep each column of a module is to hold ``rows`` rows: ``depth`` or a row less,
    the shallower columns last first (the way a compositor balances a module), then the
    other arrangements."""
    short = columns * depth - rows
    patterns = itertools.combinations(range(columns), short)
    for shallow in sorted(patterns, key=lambda chosen: -sum(chosen)):
        yield [depth - 1 if index in shallow else depth for index in range(columns)]


def _ragged(texts: _Texts, spec: PageSpec, count: int) -> Layout | None:
    """The last resort on ``count`` pages, when no layout keeps every rule: a piece that
    cannot stand where the text reaches it moves on, leaving the rows under it empty
    (reported as PR502). Better a hole a layout editor fills than a jump for a few lines."""
    settings = texts.settings
    span = min(settings.figure_columns, settings.columns)
    best: tuple[int, Layout] | None = None
    for pitch in _pitches(settings):
        sheets = [_sheet(texts, _first_head(texts, texts.type_width), pitch)]
        sheets += [_sheet(texts, _jump_head(texts, spec.jump_title), pitch)] * (count - 1)
        if any(sheet.frame.rows < 4 for sheet in sheets):
            continue
        figure_rows = _figure_rows(texts, pitch, sheets[0].frame.rows)[0]
        flow = pour(_pieces(texts, figure_rows, 0), _chain(sheets), span, ragged=True)
        if flow is not None:
            layout = _layout(texts, spec, sheets, flow, figure_rows)
            holes = sum(page.free.holes for page in layout.pages if page.free)
            if best is None or holes < best[0]:
                best = (holes, layout)  # the fewest holes, at the leading nearest 1.5
    return best[1] if best else None


def _figure_rows(texts: _Texts, pitch: float, frame_rows: int | None) -> list[dict[int, int]]:
    """Row counts to try for each figure, the photo's own shape first."""
    article, settings = texts.article, texts.settings
    if not article.figures:
        return [{}]
    options, ideals = [], []
    caption_line = Sizes.of(settings).caption_line
    for figure in article.figures:
        natural = texts.photo_heights[id(figure)]
        caption = len(texts.captions[id(figure)]) * caption_line + 0.6 * pitch
        low = natural * (1 - settings.figure_crop)
        high = natural / (1 - settings.figure_crop)
        lowest = max(math.ceil((low + caption) / pitch), math.ceil(caption / pitch) + 2)
        highest = math.floor((high + caption) / pitch)
        if frame_rows is not None:
            # A photo taller than its frame is cropped to it, never left out.
            highest = min(highest, frame_rows)
            lowest = min(lowest, frame_rows)
        rows = range(lowest, max(lowest, highest) + 1)
        ideal = (natural + caption) / pitch
        ideals.append(ideal)
        options.append((id(figure), sorted(rows, key=lambda r: (abs(r - ideal), r))))
    # With several photos, try the combinations nearest their own shapes first.
    combos = itertools.islice(itertools.product(*[rows for _, rows in options]), 20000)
    combos = sorted(combos, key=lambda combo: sum(abs(r - ideal)
                                                  for r, ideal in zip(combo, ideals)))
    return [dict(zip([key for key, _ in options], combo)) for combo in combos[:MAX_FIGURE_TRIES]]


def _pieces(texts: _Texts, figure_rows, spare) -> list[Piece]:
    """The story as the flow takes it. A subhead may take any of its bands: the flow
    chooses, subhead by subhead, the one that keeps the rules."""
    pieces: list[Piece] = []
    bands = tuple(sorted(set(texts.settings.subhead_rows)))
    for number, block in enumerate(texts.article.blocks):
        if isinstance(block, Paragraph):
            lines = texts.lines_of[id(block)]
            for index, line in enumerate(lines):
                pieces.append(Piece("line", 1, block, line, opening=index == 0,
                                    closing=index == len(lines) - 1, paragraph=number))
        elif isinstance(block, Subhead):
            pieces.append(Piece("subhead", bands[0], block, options=bands))
        elif isinstance(block, Figure):
            pieces.append(Piece("figure", figure_rows[id(block)], block))
    if texts.byline:
        pieces.append(Piece("byline", len(texts.byline) + spare))
    return pieces


# -- the finished pages -------------------------------------------------------------

def _layout(texts: _Texts, spec: PageSpec, sheets: list[_Sheet], flow: Flow,
            figure_rows, depth: int | None = None) -> Layout:
    labels = page_labels(spec.page_label, len(sheets))
    pages = tuple(_page(texts, spec, sheets, number, flow, labels, depth)
                  for number in range(len(sheets)))
    return Layout(pages, sheets[0].frame.pitch, labels)


def _page(texts: _Texts, spec: PageSpec, sheets: list[_Sheet], number: int, flow: Flow,
          labels: tuple[str, ...], depth: int | None) -> Page:
    settings = texts.settings
    sheet = sheets[number]
    frame = sheet.frame
    pitch = frame.pitch
    last = number == len(sheets) - 1
    mine = [index for index, column in enumerate(flow.columns) if column.frame == number]
    blocks, set_byline = _blocks(texts, flow, frame, set(mine))
    jump_from = jump_to = None
    if number:
        jump_from = _jump(texts, f"（上接{labels[number - 1]}）",
                          Box(frame.x(0), frame.y(0), frame.column_width, pitch),
                          "from", labels[number - 1])
    if not last:
        jump_to = _jump(texts, f"（下转{labels[number + 1]}）",
                        Box(frame.x(frame.columns - 1), frame.y(frame.rows - 1),
                            frame.column_width, pitch), "to", labels[number + 1])
    ends = tuple(flow.ends[index] for index in mine)
    used_rows = max(ends, default=-1) + 1
    full_columns = settings.columns
    free = None
    holes = _holes(flow, mine, used_rows, min(settings.figure_columns, frame.columns))
    if (last and (used_rows < frame.rows or frame.columns < full_columns)) or holes:
        free = FreeArea(rows=frame.rows - used_rows if last else 0,
                        columns=full_columns - frame.columns,
                        total_rows=frame.rows, total_columns=full_columns, holes=holes)
        if free.rows <= 0 and free.columns <= 0 and not holes:
            free = None
    head = sheet.head
    masthead_top = settings.margin_top * PT_PER_MM
    masthead = Box(texts.type_left, masthead_top, texts.type_width, settings.masthead_height - 6)
    # The rows leave some space over above the body: split it around the head.
    space = frame.top - sheet.masthead_bottom - head.height - sheet.note_height \
        - (pitch if head.note else 0)
    head_top = sheet.masthead_bottom + space / 2
    head_box = Box(texts.type_left, head_top, head.width, head.height)
    headline = jump_headline = None
    if head.jump:
        jump_headline = SetHeadline(None, head.headline, None, head_box)
    else:
        headline = SetHeadline(texts.article.kicker, head.headline, texts.article.subtitle,
                               head_box)
    set_note = None
    if head.note:
        label_width, padding, paragraphs = head.note
        # The box takes whole rows; its text sits in the middle of them.
        text_height = sum(len(lines) for lines in paragraphs) * head.sizes.note_line
        # The label stands in the first line's indent; later paragraphs indent two characters.
        indents = tuple(0.0 if number == 0 else lines[0].indent
                        for number, lines in enumerate(paragraphs))
        set_note = SetNote("编者按", paragraphs, indents, label_width,
                           Box(texts.type_left, frame.top - pitch - sheet.note_height,
                               head.width, sheet.note_height),
                           padding, (sheet.note_height - text_height) / 2 - 0.75)
    return Page(
        number=number + 1,
        width=settings.page_width * PT_PER_MM, height=settings.page_height * PT_PER_MM,
        type_left=texts.type_left, type_width=texts.type_width,
        type_top=frame.top, type_bottom=sheet.bottom, pitch=pitch,
        settings=settings, sizes=head.sizes if not head.jump else Sizes.of(settings),
        furniture=_strip(texts, furniture(spec, labels, number)),
        masthead=masthead, headline=headline, jump_headline=jump_headline, note=set_note,
        frames=(replace(frame, rows=used_rows) if free else frame,),
        blocks=tuple(blocks), byline=set_byline, jump_from=jump_from, jump_to=jump_to,
        rules=tuple(_rules(flow, mine, frame, settings, used_rows)),
        column_ends=ends, free=free,
    )


def _holes(flow: Flow, mine: list[int], depth: int, span: int) -> int:
    """Rows left empty inside the story's columns above ``depth``, besides what the rules
    allow: the last column's short row, a column at its natural depth a row shallower, the
    rows a column before a jump keeps for the break."""
    filled: set[tuple[int, int]] = set()
    for placed in flow.placed:
        if placed.column not in mine:
            continue
        width = span if placed.piece.kind == "figure" else 1
        for c in range(placed.column, placed.column + width):
            for r in range(placed.row, placed.row + placed.piece.rows):
                filled.add((c, r))
    empty = 0
    for index in mine[:-1]:
        column = flow.columns[index]
        if column.jump:
            continue
        bottom = min(column.lowest, depth)
        empty += sum(1 for r in range(column.start, bottom) if (index, r) not in filled)
    if mine:  # the last column may stop one row short of the others, not more
        last = flow.columns[mine[-1]]
        empty += max(0, min(last.lowest, depth) - 1 - (flow.ends[mine[-1]] + 1))
    return empty


def _jump(texts: _Texts, text: str, box: Box, direction: str, page: str) -> SetJump:
    line = set_lines(text, texts.faces[KAI], texts.settings.body_size, box.width)[0]
    return SetJump(text, line, box, direction, page)


def _strip(texts: _Texts, furniture: Furniture) -> Furniture:
    """The header strip's texts set as lines, with the gap a date or 第5版 needs between
    Han characters and digits."""
    size = MASTHEAD_SIZE
    def line(text: str) -> Line | None:
        return set_lines(text, texts.faces[SONG], size, 100 * size)[0] if text else None
    return replace(furniture, lines={name: line(getattr(furniture, name))
                                     for name in ("section", "editor", "date", "page")})


def _blocks(texts: _Texts, flow: Flow, frame: Frame, mine: set[int]):
    """The pieces standing in this page's columns, as the layouts print them. Lines of one
    paragraph standing one under the other in a column make one box."""
    settings = texts.settings
    sizes = Sizes.of(settings)
    anchors = texts.article.anchors
    blocks: list[SetBlock] = []
    set_byline = None
    last_line: tuple[int, int, int] | None = None  # (paragraph, column, row) just placed
    for placed in flow.placed:
        if placed.column not in mine:
            continue
        piece = placed.piece
        column = flow.columns[placed.column].index
        x, y = frame.x(column), frame.y(placed.row)
        if piece.kind == "line":
            continues = last_line == (piece.paragraph, placed.column, placed.row - 1)
            last_line = (piece.paragraph, placed.column, placed.row)
            if continues:
                previous = blocks[-1]
                box = previous.box
                blocks[-1] = SetParagraph(previous.lines + (piece.line,),
                                          Box(box.left, box.top, box.width, box.height + frame.pitch),
                                          previous.opening)
            else:
                blocks.append(SetParagraph((piece.line,), Box(x, y, frame.column_width, frame.pitch),
                                           piece.opening))
            continue
        last_line = None
        if piece.kind == "subhead":
            height = piece.rows * frame.pitch
            lines = texts.subheads[id(piece.source)]
            text_height = len(lines) * sizes.subhead_line
            padding = (height - text_height) / 2
            blocks.append(SetSubhead(lines, anchors[piece.source],
                                     Box(x, y + padding, frame.column_width, height - padding)))
        elif piece.kind == "figure":
            figure = piece.source
            caption_lines = texts.captions[id(figure)]
            caption_height = len(caption_lines) * sizes.caption_line
            height = piece.rows * frame.pitch
            image_height = height - caption_height - 0.6 * frame.pitch
            span = min(settings.figure_columns, frame.columns)
            blocks.append(SetFigure(figure.image, figure.alt, caption_lines,
                                    Box(x, y, frame.span_width(span), height), image_height))
        elif piece.kind == "byline":
            lines = texts.byline
            set_byline = SetByline(lines, Box(x, frame.y(placed.row + piece.rows - len(lines)),
                                              frame.column_width, len(lines) * frame.pitch))
    return blocks, set_byline


def _rules(flow: Flow, mine: list[int], frame: Frame, settings: Settings,
           rows: int) -> Iterator[Box]:
    """栏线: a hairline in each gap of the frame, broken where a photo crosses it."""
    first = mine[0] if mine else 0
    figures = [placed for placed in flow.placed
               if placed.piece.kind == "figure" and placed.column in mine]
    span = min(settings.figure_columns, frame.columns)
    for column in range(1, frame.columns):
        crossing = sorted((f.row, f.row + f.piece.rows) for f in figures
                          if f.column - first < column < f.column - first + span)
        start = 0
        for top, bottom in [*crossing, (rows, rows)]:
            if top > start:
                yield Box(frame.x(column) - frame.gap / 2, frame.y(start), 0,
                          (top - start) * frame.pitch)
            start = max(start, bottom)


def _no_fill(texts: _Texts, spec: PageSpec, tried: list[int]) -> CopyfitError:
    """The copyfit message where a full page is asked for: which way, and how much."""
    settings = texts.settings
    per_row = settings.column_chars
    # A count that fits but could not be poured is a line or two from a layout that pours.
    misses = [t for t in tried if not -1 <= t <= 0] or [1]
    nearest = min(misses, key=lambda t: (abs(t), t))
    lines = abs(nearest) if nearest > 0 else abs(nearest) - 1
    lines = max(1, lines)
    sheet = _sheet(texts, _first_head(texts, texts.type_width), _pitches(settings)[0])
    frame = (f"the body frame of {page_labels(spec.page_label, 1)[0]} "
             f"({sheet.frame.columns} columns of {sheet.frame.rows} rows)")
    if nearest > 0:
        return CopyfitError(
            f"the article is too long for {frame}: cut about {lines * per_row} characters "
            f"({lines} lines of {per_row})", Location(texts.article.source),
            "or drop 'fill: true' under 'layout:' to let it run on to another page")
    return CopyfitError(
        f"the article is too short to fill {frame}: add about {lines * per_row} characters "
        f"({lines} lines of {per_row})", Location(texts.article.source),
        "or drop 'fill: true' under 'layout:' to set it at its natural length")


def _capacity(texts: _Texts, spec: PageSpec, count: int, pitch: float) -> int:
    """Rows the body frames of ``count`` pages hold at ``pitch``."""
    sheets = [_sheet(texts, _first_head(texts, texts.type_width), pitch)]
    sheets += [_sheet(texts, _jump_head(texts, spec.jump_title), pitch)] * (count - 1)
    return sum(column.end - column.start for column in _chain(sheets))


def _fewest_pages(texts: _Texts, spec: PageSpec) -> int:
    """The fewest pages that could hold the story's lines at the tightest leading: where
    the search for a layout starts."""
    tightest = min(_pitches(texts.settings))
    one, two = _capacity(texts, spec, 1, tightest), _capacity(texts, spec, 2, tightest)
    per_page = max(1, two - one)
    if texts.line_count <= one:
        return 1
    return 1 + math.ceil((texts.line_count - one) / per_page)


def _too_long(texts: _Texts, spec: PageSpec) -> CopyfitError:
    per_row = texts.settings.column_chars
    room = _capacity(texts, spec, MAX_PAGES, min(_pitches(texts.settings)))
    over = max(1, texts.line_count - room)
    return CopyfitError(
        f"the article is too long even for {MAX_PAGES} pages: cut about {over * per_row} "
        f"characters ({over} lines of {per_row})", Location(texts.article.source),
        "a story this long is a book, not a newspaper article; or choose a larger format "
        "or smaller type under 'layout:' in the front matter")
