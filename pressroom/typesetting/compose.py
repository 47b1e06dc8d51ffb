"""Composing the printed page on the character grid (拼版).

Everything on the page is placed here, in points from the page's top-left corner, and the
layouts only print the boxes: the header strip, the headline group across the columns,
the boxed editor's note, and the body on a grid of columns and rows. Every body line takes
one row; subheads, the photo with its caption and the byline take whole rows, so the
baselines of neighbouring columns stay level all down the page.

Copyfitting is a search over what a layout editor would change, each within bounds set in
``pressroom.settings``: the line pitch (leading), the photo's height (cropping a little), the band a
subhead takes (three or four rows) and a spare row before the byline. The first layout in
which every column is full and the last one ends within a line of the others wins; when no
layout fits, the build stops and says how many characters to cut or add.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Union

import budoux
from PIL import Image

from .. import fonts
from ..fonts import HEI, KAI, SONG
from ..errors import CopyfitError, Location
from ..outputs.layouts import Furniture, anchors, furniture
from .lines import Line, Metrics, latin_runs, set_lines
from .measure import latin_widths
from ..reading.model import Article, Figure, Paragraph, Subhead
from ..settings import Settings

PT_PER_MM = 72 / 25.4




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

    @classmethod
    def of(cls, settings: Settings) -> "Sizes":
        return cls(
            body=settings.body_size,
            subhead=settings.subhead_size, subhead_line=settings.subhead_size * 1.3,
            headline=settings.headline_size, headline_line=settings.headline_size * 1.25,
            kicker=settings.kicker_size, kicker_line=settings.kicker_size * 1.6,
            subtitle=settings.subtitle_size, subtitle_line=settings.subtitle_size * 1.6,
            note=settings.note_size, note_line=settings.note_size * 1.6,
            caption=settings.caption_size, caption_line=settings.caption_size * 1.5,
            byline=settings.byline_size,
        )


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in points from the top-left corner."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class SetParagraph:
    """The part of a paragraph that stands in one column: its lines, already set."""

    lines: tuple[Line, ...]
    box: Box
    opening: bool  # holds the paragraph's first line
    kind: str = "paragraph"


@dataclass(frozen=True)
class SetSubhead:
    lines: tuple[str, ...]
    box: Box
    anchor: str
    padding_top: float
    kind: str = "subhead"


@dataclass(frozen=True)
class SetFigure:
    image: Path
    alt: str
    box: Box
    image_height: float
    caption_lines: tuple[Line, ...]
    kind: str = "figure"


@dataclass(frozen=True)
class SetHeadline:
    kicker: str | None
    lines: tuple[str, ...]
    subtitle: str | None
    box: Box


@dataclass(frozen=True)
class SetNote:
    label: str
    label_width: float
    paragraphs: tuple[tuple[Line, ...], ...]
    box: Box
    padding: float  # left and right
    padding_top: float


@dataclass(frozen=True)
class SetByline:
    lines: tuple[str, ...]
    box: Box


SetBlock = Union[SetParagraph, SetSubhead, SetFigure]


@dataclass(frozen=True)
class Page:
    """The composed page: every box, in reading order, and the figures copyfitting chose."""

    width: float
    height: float
    type_left: float
    type_width: float
    body_top: float
    rows: int
    pitch: float
    column_width: float
    gap: float
    settings: Settings
    sizes: Sizes
    furniture: Furniture
    masthead: Box
    headline: SetHeadline
    note: SetNote | None
    blocks: tuple[SetBlock, ...]
    byline: SetByline | None
    rules: tuple[Box, ...]
    column_ends: tuple[int, ...]  # the last row used in each column


# -- the pieces the body is made of -----------------------------------------------

@dataclass
class _Piece:
    kind: str  # line, subhead, figure, byline
    rows: int
    source: object = None  # the model block
    line: Line | None = None
    opening: bool = False
    paragraph: int = -1


@dataclass
class _Placed:
    piece: _Piece
    column: int
    row: int


@dataclass
class _Flow:
    placed: list[_Placed] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)


def compose(article: Article) -> Page:
    """Set every text of the article and place it on the page."""
    settings = article.layout
    faces = _faces(article)
    size = settings.body_size
    column_width = settings.column_chars * size
    gap = settings.gap_chars * size
    type_width = settings.columns * column_width + (settings.columns - 1) * gap
    page_width = settings.page_width * PT_PER_MM
    type_left = (page_width - type_width) / 2
    figure_width = settings.figure_columns * column_width + (settings.figure_columns - 1) * gap

    body = [(block, set_lines(block.text, faces[SONG], size, column_width, 2 * size))
            for block in article.blocks if isinstance(block, Paragraph)]
    lines_of = {id(block): lines for block, lines in body}
    captions = {id(figure): _caption_lines(figure, faces[KAI], settings, figure_width)
                for figure in article.figures}
    byline = _byline_lines(article, faces, settings, column_width)
    headline_lines = _heading_lines(article.headline, faces[HEI], settings.headline_size * 1.04,
                                    type_width)
    subhead_lines = {id(block): _heading_lines(block.lines, faces[HEI], settings.subhead_size,
                                               column_width)
                     for block in article.blocks if isinstance(block, Subhead)}
    head = _headline_height(article, headline_lines, settings)
    note = _note_lines(article, faces, settings, type_width)

    line_count = sum(len(lines) for lines in lines_of.values())
    byline_rows = len(byline)
    span = settings.figure_columns
    heights = _photo_heights(article, figure_width)
    band_patterns = _subhead_extras(article, settings)
    tried: list[int] = []  # rows needed minus rows there, for each arithmetic try
    for pitch in _pitches(settings):
        top, rows, note_height = _vertical(settings, pitch, head, note)
        if rows <= 0:
            continue
        capacity = settings.columns * rows
        for figure_rows in _figure_rows(article, settings, pitch, heights, captions):
            figures = span * sum(figure_rows.values())
            for bands in band_patterns:
                for spare in (0, 1) if byline_rows else (0,):
                    # Count first; pour the text into the columns only when it can fill them.
                    need = line_count + sum(bands) + figures + byline_rows + spare
                    tried.append(need - capacity)
                    if not capacity - 1 <= need <= capacity:
                        continue
                    pieces = _pieces(article, lines_of, figure_rows, bands, byline, spare)
                    flow = _flow(pieces, settings.columns, rows, span)
                    if flow is not None:
                        return _page(article, settings, flow, pitch, top, rows,
                                     note, note_height, head, type_left, type_width,
                                     column_width, gap, figure_width, captions, byline,
                                     headline_lines, subhead_lines)
    raise _no_fit(article, settings, tried)


# -- setting the texts --------------------------------------------------------------

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


def _byline_lines(article: Article, faces: dict[str, Metrics], settings: Settings,
                  width: float) -> tuple[str, ...]:
    """The byline broken where a reader expects: between credits, then between names, and
    inside a long role only between phrases."""
    if not article.byline:
        return ()
    face, size = faces[KAI], settings.byline_size
    lines: list[str] = []
    for credit in article.byline.credits:
        # (text, what joins it to the word before): role phrases run on, names stand apart.
        words = [(phrase, "") for phrase in _phrases(credit.role, face, size, width)]
        words += [(name, " ") for name in credit.names]
        line = ""
        for word, joint in words:
            candidate = line + joint + word if line else word
            if line and _plain_width(candidate, face) * size > width + 1e-6:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return tuple(lines)


def _phrases(text: str, face: Metrics, size: float, width: float) -> list[str]:
    """A role too long for the column, cut into phrases (BudouX) that each fit."""
    if _plain_width(text, face) * size <= width:
        return [text]
    phrases = _PARSER.parse(text)
    pieces, current = [], ""
    for phrase in phrases:
        if current and _plain_width(current + phrase, face) * size > width:
            pieces.append(current)
            current = phrase
        else:
            current += phrase
    pieces.append(current)
    return pieces


_PARSER = budoux.load_default_simplified_chinese_parser()


def _plain_width(text: str, face: Metrics) -> float:
    return sum(face.width(char, "latin" if ord(char) < 0x2000 else "han") for char in text)


def _heading_lines(lines: tuple[str, ...], face: Metrics, size: float,
                   width: float) -> tuple[str, ...]:
    """A headline's or subhead's lines: the manuscript's own breaks, and where a line is
    still too wide, breaks between phrases (BudouX), never inside a word such as 打造,
    into the fewest lines of the most even length."""
    result: list[str] = []
    for line in lines:
        if _plain_width(line, face) * size <= width + 1e-6:
            result.append(line)
            continue
        phrases = _PARSER.parse(line)
        # BudouX sometimes cuts a one-character phrase off its word (等|新|经济): first try
        # with such phrases held to their neighbours, then with every phrase free.
        for pieces in (_glued(phrases), phrases):
            widths = [_plain_width(piece, face) * size for piece in pieces]
            if max(widths) <= width + 1e-6:
                break
        result.extend(_balanced(pieces, widths, width))
    return tuple(result)


def _glued(phrases: list[str]) -> list[str]:
    """Phrases with every one-character phrase joined to its neighbours."""
    glued: list[str] = []
    join_next = False
    for phrase in phrases:
        if glued and (join_next or len(phrase) == 1):
            glued[-1] += phrase
        else:
            glued.append(phrase)
        join_next = len(phrase) == 1
    return glued


def _balanced(phrases: list[str], widths: list[float], width: float) -> list[str]:
    """Split phrases into the fewest lines no wider than ``width``, evening their widths."""
    count = len(phrases)
    for lines in range(1, count + 1):
        # best[i][k]: the smallest widest line setting phrases[:i] in k lines, with the cut.
        best = [[(math.inf, -1)] * (lines + 1) for _ in range(count + 1)]
        best[0][0] = (0.0, -1)
        for end in range(1, count + 1):
            for used in range(1, lines + 1):
                for start in range(end):
                    line_width = sum(widths[start:end])
                    if line_width > width + 1e-6 or best[start][used - 1][0] == math.inf:
                        continue
                    widest = max(best[start][used - 1][0], line_width)
                    if widest < best[end][used][0]:
                        best[end][used] = (widest, start)
        if best[count][lines][0] < math.inf:
            cuts, end, used = [], count, lines
            while used:
                start = best[end][used][1]
                cuts.append("".join(phrases[start:end]))
                end, used = start, used - 1
            return cuts[::-1]
    return ["".join(phrases)]  # one phrase wider than the line: nothing better to do


def _headline_height(article: Article, lines: tuple[str, ...], settings: Settings) -> float:
    sizes = Sizes.of(settings)
    height = len(lines) * sizes.headline_line
    if article.kicker:
        height += sizes.kicker_line
    if article.subtitle:
        height += sizes.subtitle_line
    return height


def _note_lines(article: Article, faces: dict[str, Metrics], settings: Settings,
                type_width: float) -> tuple[float, float, tuple[tuple[Line, ...], ...]] | None:
    if not article.editor_note:
        return None
    size = settings.note_size
    padding = size
    label_width = 3.5 * size  # 编者按 in Hei and half a character of space
    measure = type_width - 2 * padding - 1.5
    paragraphs = tuple(
        set_lines(paragraph.text, faces[KAI], size, measure, label_width if number == 0 else 2 * size)
        for number, paragraph in enumerate(article.editor_note.paragraphs))
    return label_width, padding, paragraphs


def _note_pitch(settings: Settings) -> float:
    return Sizes.of(settings).note_line


# -- geometry -----------------------------------------------------------------------

def _pitches(settings: Settings) -> Iterator[float]:
    """Line pitches to try, nearest to 1.5 times the body size first."""
    low = settings.leading_min * settings.body_size
    high = settings.leading_max * settings.body_size
    steps = int((high - low) / settings.leading_step + 1e-9)
    pitches = [round(low + step * settings.leading_step, 4) for step in range(steps + 1)]
    ideal = 1.5 * settings.body_size
    return iter(sorted(pitches, key=lambda pitch: (abs(pitch - ideal), pitch)))


def _vertical(settings: Settings, pitch: float, head: float,
              note) -> tuple[float, int, float]:
    """Where the body starts, how many rows it has, and the note box's height.

    The body ends on the bottom margin; whatever the rows leave over goes into the space
    around the headline group, so there is never an empty band at the foot."""
    top = settings.margin_top * PT_PER_MM + settings.masthead_height
    bottom = (settings.page_height - settings.margin_bottom) * PT_PER_MM
    note_height = 0.0
    if note:
        _, padding, paragraphs = note
        lines = sum(len(paragraph) for paragraph in paragraphs)
        note_height = math.ceil((lines * _note_pitch(settings) + 2 * padding) / pitch) * pitch
    minimum_space = 2 * pitch  # above and below the headline group, at least
    available = bottom - top - head - note_height - minimum_space - (pitch if note else 0)
    rows = int(available // pitch)
    return bottom - rows * pitch, rows, note_height


def _photo_heights(article: Article, width: float) -> dict[int, float]:
    """Each photo's height at the figure width, in its own shape (read once per page)."""
    heights = {}
    for figure in article.figures:
        with Image.open(figure.image) as image:
            heights[id(figure)] = width * image.height / image.width
    return heights


def _figure_rows(article: Article, settings: Settings, pitch: float, heights: dict[int, float],
                 captions) -> list[dict[int, int]]:
    """Row counts to try for each figure, the photo's own shape first."""
    if not article.figures:
        return [{}]
    options, ideals = [], []
    caption_line = Sizes.of(settings).caption_line
    for figure in article.figures:
        natural = heights[id(figure)]
        caption = len(captions[id(figure)]) * caption_line + 0.6 * pitch
        low = natural * (1 - settings.figure_crop)
        high = natural / (1 - settings.figure_crop)
        rows = range(math.ceil((low + caption) / pitch), math.floor((high + caption) / pitch) + 1)
        ideal = (natural + caption) / pitch
        ideals.append(ideal)
        options.append((id(figure), sorted(rows, key=lambda r: (abs(r - ideal), r))))
    # With several photos, try the combinations nearest their own shapes first.
    combos = sorted(itertools.product(*[rows for _, rows in options]),
                    key=lambda combo: sum(abs(r - ideal) for r, ideal in zip(combo, ideals)))
    return [dict(zip([key for key, _ in options], combo)) for combo in combos[:MAX_FIGURE_TRIES]]


def _subhead_extras(article: Article, settings: Settings) -> list[tuple[int, ...]]:
    """Which subheads take the larger band: none, then one, two ... spread evenly."""
    count = sum(isinstance(block, Subhead) for block in article.blocks)
    small, large = min(settings.subhead_rows), max(settings.subhead_rows)
    patterns = []
    for many in range(count + 1):
        chosen = {round(i * count / many + count / (2 * many) - 0.5) for i in range(many)} \
            if many else set()
        patterns.append(tuple(large if i in chosen else small for i in range(count)))
    return patterns


def _pieces(article: Article, lines_of, figure_rows, subhead_rows, byline,
            spare) -> list[_Piece]:
    pieces: list[_Piece] = []
    subheads = iter(subhead_rows)
    for number, block in enumerate(article.blocks):
        if isinstance(block, Paragraph):
            for index, line in enumerate(lines_of[id(block)]):
                pieces.append(_Piece("line", 1, block, line, opening=index == 0, paragraph=number))
        elif isinstance(block, Subhead):
            pieces.append(_Piece("subhead", next(subheads), block))
        elif isinstance(block, Figure):
            pieces.append(_Piece("figure", figure_rows[id(block)], block))
    if byline:
        pieces.append(_Piece("byline", len(byline) + spare))
    return pieces


# -- the flow -------------------------------------------------------------------------

MAX_FIGURE_TRIES = 200  # combinations of photo heights tried, nearest first
KEEP_AFTER_SUBHEAD = 2  # body lines a subhead needs under it in its own column
MIN_BESIDE_FIGURE = 2  # no single line above or below the photo in its column


def _flow(pieces: list[_Piece], columns: int, rows: int, span: int) -> _Flow | None:
    """Pour the pieces into the columns; None if that leaves a hole or spills over."""
    flow = _Flow()
    blocked: set[tuple[int, int]] = set()
    column, row = 0, 0

    def advance():
        nonlocal column, row
        while column < columns and (row >= rows or (column, row) in blocked):
            if row >= rows:
                flow.ends.append(rows - 1)
                column, row = column + 1, 0
            else:
                row += 1

    def free_run(c: int, r: int) -> int:
        count = 0
        while r + count < rows and (c, r + count) not in blocked:
            count += 1
        return count

    for index, piece in enumerate(pieces):
        advance()
        if column >= columns:
            return None
        if piece.kind == "line":
            flow.placed.append(_Placed(piece, column, row))
            row += 1
        elif piece.kind in ("subhead", "byline"):
            need = piece.rows + (KEEP_AFTER_SUBHEAD if piece.kind == "subhead" else 0)
            if free_run(column, row) < need:
                return None  # it would leave a hole at the column's foot
            flow.placed.append(_Placed(piece, column, row))
            row += piece.rows
        elif piece.kind == "figure":
            place = _figure_place(column, row, piece.rows, rows, columns, span, free_run)
            if place is None:
                return None
            fc, fr = place
            for c in range(fc, fc + span):
                for r in range(fr, fr + piece.rows):
                    blocked.add((c, r))
            flow.placed.append(_Placed(piece, fc, fr))
    if column >= columns:
        return None
    # The last column ends where its text or a photo standing in it ends.
    last = max([row - 1] + [r for (c, r) in blocked if c == column])
    flow.ends.append(last)
    # Columns end level: the last column may stop at most one row short.
    if column != columns - 1 or last < rows - 2:
        return None
    return flow if _well_spaced(flow, columns, rows, span) else None


def _well_spaced(flow: _Flow, columns: int, rows: int, span: int) -> bool:
    """No single line stranded above, below or between photos, no two photos touching,
    and no photo straight under a subhead: what a layout editor would move at a glance."""
    # Each cell: (kind, which piece) so that two photos one on the other stay apart.
    grid = [[("empty", -1)] * rows for _ in range(columns)]
    for number, placed in enumerate(flow.placed):
        piece = placed.piece
        width = span if piece.kind == "figure" else 1
        kind = "line" if piece.kind == "line" else piece.kind
        for c in range(placed.column, placed.column + width):
            for r in range(placed.row, placed.row + piece.rows):
                grid[c][r] = (kind, number)
    for cells in grid:
        for (kind, piece), (next_kind, next_piece) in zip(cells, cells[1:]):
            if next_kind == "figure" and (kind == "subhead" or (kind == "figure" and piece != next_piece)):
                return False
        r = 0
        while r < rows:
            if cells[r][0] != "line":
                r += 1
                continue
            start = r
            while r < rows and cells[r][0] == "line":
                r += 1
            above = cells[start - 1][0] if start else "edge"
            below = cells[r][0] if r < rows else "edge"
            if r - start < MIN_BESIDE_FIGURE and "figure" in (above, below):
                return False
    return True


def _figure_place(column, row, height, rows, columns, span, free_run):
    """Where the photo goes when the text reaches it: here, across this column and the
    next, if it fits with enough lines above and below it; else at the top of the next."""
    candidates = []
    if column + span <= columns:
        above = row
        if above == 0:
            candidates.append(row)  # at the top of the column
        if row + height <= rows:
            below = rows - (row + height)
            if (above == 0 or above >= MIN_BESIDE_FIGURE) and (below == 0 or below >= MIN_BESIDE_FIGURE):
                candidates.append(row)
            elif 0 < below < MIN_BESIDE_FIGURE:
                candidates.append(rows - height)  # down to the foot
    if column + 1 + span <= columns:
        candidates.append(("next", 0))
    for candidate in candidates:
        if candidate == ("next", 0):
            c, r = column + 1, 0
        else:
            c, r = column, candidate
        if r < 0 or r + height > rows:
            continue
        if all(free_run(cc, r) >= height for cc in range(c, c + span)):
            return c, r
    return None


# -- the finished page --------------------------------------------------------------

def _page(article, settings, flow, pitch, top, rows, note, note_height, head,
          type_left, type_width, column_width, gap, figure_width, captions, byline,
          headline_lines, subhead_lines) -> Page:
    x = lambda column: type_left + column * (column_width + gap)  # noqa: E731
    y = lambda row: top + row * pitch  # noqa: E731
    ids = anchors(article)
    blocks: list[SetBlock] = []
    set_byline = None
    last_line: tuple[int, int, int] | None = None  # (paragraph, column, row) just placed
    for placed in flow.placed:
        piece = placed.piece
        if piece.kind == "line":
            # Lines of one paragraph standing one under the other in a column make one box.
            continues = last_line == (piece.paragraph, placed.column, placed.row - 1)
            last_line = (piece.paragraph, placed.column, placed.row)
            if continues:
                previous = blocks[-1]
                box = previous.box
                blocks[-1] = SetParagraph(previous.lines + (piece.line,),
                                          Box(box.left, box.top, box.width, box.height + pitch),
                                          previous.opening)
            else:
                blocks.append(SetParagraph((piece.line,), Box(x(placed.column), y(placed.row),
                                                              column_width, pitch), piece.opening))
            continue
        last_line = None
        if piece.kind == "subhead":
            height = piece.rows * pitch
            lines = subhead_lines[id(piece.source)]
            text_height = len(lines) * Sizes.of(settings).subhead_line
            blocks.append(SetSubhead(lines,
                                     Box(x(placed.column), y(placed.row), column_width, height),
                                     ids[piece.source], (height - text_height) / 2))
        elif piece.kind == "figure":
            figure = piece.source
            caption_lines = captions[id(figure)]
            caption_height = len(caption_lines) * Sizes.of(settings).caption_line
            height = piece.rows * pitch
            image_height = height - caption_height - 0.6 * pitch
            blocks.append(SetFigure(figure.image, figure.alt,
                                    Box(x(placed.column), y(placed.row), figure_width, height),
                                    image_height, caption_lines))
        elif piece.kind == "byline":
            set_byline = SetByline(byline, Box(x(placed.column), y(placed.row + piece.rows - len(byline)),
                                               column_width, len(byline) * pitch))
    masthead_top = settings.margin_top * PT_PER_MM
    masthead = Box(type_left, masthead_top, type_width, settings.masthead_height - 6)
    # The rows leave some space over above the body: split it around the headline group.
    free = top - (masthead_top + settings.masthead_height) - head - note_height \
        - (pitch if note else 0)
    head_top = masthead_top + settings.masthead_height + free / 2
    headline = SetHeadline(article.kicker, headline_lines, article.subtitle,
                           Box(type_left, head_top, type_width, head))
    set_note = None
    if note:
        label_width, padding, paragraphs = note
        # The box takes whole rows; its text sits in the middle of them.
        text_height = sum(len(lines) for lines in paragraphs) * _note_pitch(settings)
        set_note = SetNote("编者按", label_width, paragraphs,
                           Box(type_left, top - pitch - note_height, type_width, note_height),
                           padding, (note_height - text_height) / 2 - 0.75)
    rules = tuple(_rules(flow, settings, x, y, rows, pitch, gap))
    return Page(
        width=settings.page_width * PT_PER_MM, height=settings.page_height * PT_PER_MM,
        type_left=type_left, type_width=type_width, body_top=top, rows=rows, pitch=pitch,
        column_width=column_width, gap=gap, settings=settings, sizes=Sizes.of(settings),
        furniture=furniture(article),
        masthead=masthead, headline=headline, note=set_note, blocks=tuple(blocks),
        byline=set_byline, rules=rules, column_ends=tuple(flow.ends),
    )


def _rules(flow: _Flow, settings: Settings, x, y, rows, pitch, gap) -> Iterator[Box]:
    """栏线: a hairline in each gap, broken where a photo crosses it."""
    figures = [placed for placed in flow.placed if placed.piece.kind == "figure"]
    for column in range(1, settings.columns):
        crossing = sorted((f.row, f.row + f.piece.rows) for f in figures
                          if f.column < column < f.column + settings.figure_columns)
        start = 0
        for top, bottom in [*crossing, (rows, rows)]:
            if top > start:
                yield Box(x(column) - gap / 2, y(start), 0, (top - start) * pitch)
            start = max(start, bottom)


def _no_fit(article: Article, settings: Settings, tried: list[int]) -> CopyfitError:
    """The copyfit message: how much to cut (or add), in characters."""
    per_row = settings.column_chars
    where = Location(article.source)
    if tried and min(tried) > 0:
        over = min(tried)
        return CopyfitError(
            f"the article is too long for the page: cut about {over * per_row} characters "
            f"({over} lines of {per_row})", where,
            "or choose a larger format or smaller type under 'layout:' in the front matter")
    if tried and max(tried) < 0:
        short = -max(tried)
        return CopyfitError(
            f"the article is too short to fill the page: add about {short * per_row} characters "
            f"({short} lines of {per_row})", where,
            "or choose a smaller format or larger type under 'layout:' in the front matter")
    return CopyfitError("no layout fills the page with every column ending level", where,
                      "cut or add two or three lines, or widen the leading bounds under 'layout:'")
