"""The typography check of a built page (排版检查): what a proofreader measures with a loupe.

This module reads a finished PDF, never the composer's own figures, so it can catch the
composer (or WeasyPrint) being wrong. PDFium gives every glyph with its origin, its boxes,
its font and its size; from those the check rebuilds the lines of the page and measures
them against the rules of Chinese newspaper setting (clreq, GB/T 15834):

* flush justification: a line that is not its paragraph's last ends on its measure's right
  edge (body: the column; editor's note: the box's text area; caption: the photo's width);
* no line starts with a closing mark or ends with an opening one (避头尾), and no line
  starts or ends with a space;
* no paragraph ends on a line of one character (孤字);
* two adjacent marks take at most 1.5 em (标点挤压);
* a Han character beside a Latin letter or digit stands 1/8 to 1/4 em from it;
* body lines lie on one baseline grid, the byline's on the same, and the columns end level.

How a line's extent is measured. A glyph's origin is where the PDF puts it; its advance is
where its em box ends. PDFium's loose box (pypdfium2 5.15) is the union of the advance box
and the ink box, so its right edge is the advance unless the ink reaches further (思 in
Noto Serif overshoots by 0.02 em); then the font's declared width is taken instead. (The
font's width by character alone is not enough: Pango may draw another glyph for a digit,
and 1 or 5 then have another width.) A mark set with the ``halt`` feature is drawn with
its full declared width and moved back with a TJ adjustment, so mid line its real advance
is the next origin minus its own, less the line's justification spacing (what a Han
character or a mark stands from its neighbour beyond its advance). At a line's end a
halved mark would look the same as a whole one (only the blank half after it differs), so
the line's right edge is always origin plus declared width: a composer that counted such a
mark as half an em would push its origin half an em too far right, and the flush check
sees that.

``check_pdf(pdf, settings)`` returns a ``Report``; ``Report.failures()`` names what is over
its limit, ``str(report)`` prints every figure, one a line, then the problems found.
"""
from __future__ import annotations

import ctypes
import math
import statistics
from collections import Counter
from dataclasses import dataclass, fields
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c

from ..settings import PT_PER_MM, Settings


# The names WeasyPrint gives the vendored faces in the PDF (``pressroom.fonts.FACES``).
BODY_FONT = "Pressroom-Song"
KAI_FONT = "Pressroom-Kai"

# Limits: how far a measure may be off before it counts as a fault.
FLUSH_TOLERANCE_PT = 0.5
GRID_TOLERANCE_PT = 0.5
EM_TOLERANCE = 0.01
PAIR_LIMIT_EM = 1.5
HAN_LATIN_GAP_EM = (1 / 8, 1 / 4)
COLUMN_END_LIMIT = 1.0  # lines
SIZE_TOLERANCE_PT = 0.05
MAX_PROBLEMS_SHOWN = 30

OPENING = "（《「『“‘〈【〔〖［｛"
CLOSING = "）》」』”’〉】〕〗］｝"
STOPS = "。，、；：？！"
NO_LINE_START = frozenset(STOPS + CLOSING + "…—")
NO_LINE_END = frozenset(OPENING)
MARKS = frozenset(STOPS + CLOSING + OPENING)
CHINESE_MARKS = MARKS | frozenset("—…·・")


# -- what the check reports --------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One fault found on the page: its code (a Report field), where, the line, what."""

    code: str
    where: str
    text: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.where}: {self.detail}" + (f": {self.text}" if self.text else "")


@dataclass(frozen=True)
class Report:
    """The figures measured on one page. Lengths in pt, spreads in lines."""

    characters: int = 0  # glyphs on the page other than spaces
    lines_checked: int = 0  # body + note + caption lines
    body_lines: int = 0
    note_lines: int = 0
    caption_lines: int = 0
    lines_not_flush: int = 0
    worst_deviation_pt: float = 0.0  # from the measure's right edge, of the lines checked for it
    prohibited_starts: int = 0
    prohibited_ends: int = 0
    spaces_at_line_ends: int = 0
    lone_characters: int = 0
    mark_pairs: int = 0  # adjacent marks measured
    uncompressed_pairs: int = 0
    han_latin_gaps: int = 0  # gaps measured
    han_latin_gaps_out_of_range: int = 0
    pitch_pt: float = 0.0
    baseline_misalignment_pt: float = 0.0  # of body lines, from the grid
    byline_misalignment_pt: float = 0.0  # of byline lines, from the body's grid
    column_end_spread: float = 0.0
    problems: tuple[Problem, ...] = ()

    def failures(self) -> list[str]:
        """Each figure over its limit, as ``name: value (limit ...)``."""
        found = []
        if self.body_lines == 0:
            found.append("body_lines: 0 (no body text found in the columns)")
        for name, limit in _LIMITS.items():
            value = getattr(self, name)
            if value > limit:
                found.append(f"{name}: {_shown(value)} (limit {_shown(limit)})")
        return found

    def lines(self) -> list[str]:
        """The printable report: one figure a line, then the problems found."""
        out = []
        for item in fields(self):
            if item.name == "problems":
                continue
            value = getattr(self, item.name)
            limit = _LIMITS.get(item.name)
            mark = "" if limit is None else f"  (limit {_shown(limit)})" + (
                "  FAIL" if value > limit else "")
            out.append(f"{item.name}: {_shown(value)}{mark}")
        if self.problems:
            out.append(f"problems ({len(self.problems)}):")
            out += [f"  {problem}" for problem in self.problems[:MAX_PROBLEMS_SHOWN]]
            if len(self.problems) > MAX_PROBLEMS_SHOWN:
                out.append(f"  ... and {len(self.problems) - MAX_PROBLEMS_SHOWN} more")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def summary(self) -> str:
        """The report in one line: what was checked and the figures that have a limit."""
        figures = ", ".join(f"{name} {_shown(getattr(self, name))}" for name in _LIMITS)
        return (f"{self.lines_checked} lines checked ({self.body_lines} body, {self.note_lines} "
                f"note, {self.caption_lines} caption): {figures}")


_LIMITS: dict[str, float] = {
    "lines_not_flush": 0,
    "prohibited_starts": 0,
    "prohibited_ends": 0,
    "spaces_at_line_ends": 0,
    "lone_characters": 0,
    "uncompressed_pairs": 0,
    "han_latin_gaps_out_of_range": 0,
    "baseline_misalignment_pt": GRID_TOLERANCE_PT,
    "byline_misalignment_pt": GRID_TOLERANCE_PT,
    "column_end_spread": COLUMN_END_LIMIT,
}


def _shown(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.2f}"


# -- reading the glyphs ------------------------------------------------------------

@dataclass(frozen=True)
class Glyph:
    """One drawn character, in pt from the page's top-left corner."""

    char: str
    x: float  # origin
    y: float  # baseline
    advance: float  # declared width at this size
    size: float  # pt, as printed (the text matrix's scale included)
    font: str  # base name, without the subset tag

    @property
    def right(self) -> float:
        return self.x + self.advance


def read_glyphs(pdf: Path, number: int = 0) -> tuple[float, float, list[Glyph]]:
    """The page's width, height and every glyph of page ``number`` (from 0; PDFium's own
    spaces left out)."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[number]
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            glyphs = [glyph for index in range(textpage.count_chars())
                      if (glyph := _glyph(textpage.raw, index, height)) is not None]
        finally:
            textpage.close()
            page.close()
    finally:
        document.close()
    return width, height, glyphs


def _glyph(raw, index: int, page_height: float) -> Glyph | None:
    if pdfium_c.FPDFText_IsGenerated(raw, index) != 0:  # spaces and breaks PDFium inferred
        return None
    code = pdfium_c.FPDFText_GetUnicode(raw, index)
    char = chr(code)
    if char in "\r\n":
        return None
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(raw, index, ctypes.byref(x), ctypes.byref(y))
    loose = pdfium_c.FS_RECTF()
    pdfium_c.FPDFText_GetLooseCharBox(raw, index, ctypes.byref(loose))
    ink = [ctypes.c_double() for _ in range(4)]  # left, right, bottom, top
    pdfium_c.FPDFText_GetCharBox(raw, index, *(ctypes.byref(value) for value in ink))
    matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFText_GetMatrix(raw, index, ctypes.byref(matrix))
    scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
    size = pdfium_c.FPDFText_GetFontSize(raw, index) * scale
    advance = loose.right - x.value
    if ink[1].value >= loose.right - 1e-3 and not char.isspace():
        # The ink, not the advance, sets the loose box's right edge: ask the font. Its
        # answer goes through the ToUnicode map, so where two glyphs share a character
        # (proportional and tabular 1) it may be the other's; it is only taken if smaller.
        declared = ctypes.c_float()
        font = pdfium_c.FPDFTextObj_GetFont(pdfium_c.FPDFText_GetTextObject(raw, index))
        if font and pdfium_c.FPDFFont_GetGlyphWidth(font, code, ctypes.c_float(1.0),
                                                    ctypes.byref(declared)):
            if 0 < declared.value * size < advance:
                advance = declared.value * size
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    length = pdfium_c.FPDFText_GetFontInfo(raw, index, buffer, len(buffer), ctypes.byref(flags))
    name = buffer.raw[:max(length - 1, 0)].decode("utf-8", "replace")
    name = name.split("+", 1)[1] if len(name) > 7 and name[6] == "+" else name
    return Glyph(char, x.value, page_height - y.value, max(advance, 0.0), size, name)


# -- the page's geometry and its lines -----------------------------------------------

@dataclass(frozen=True)
class _Grid:
    """The type area the settings describe: columns of whole characters, centred."""

    left: float
    column_width: float
    gap: float
    columns: int
    figure_width: float
    body_size: float

    @classmethod
    def of(cls, settings: Settings, page_width: float) -> "_Grid":
        size = settings.body_size
        column_width = settings.column_chars * size
        gap = settings.gap_chars * size
        type_width = settings.columns * column_width + (settings.columns - 1) * gap
        span = settings.figure_columns
        return cls((page_width - type_width) / 2, column_width, gap, settings.columns,
                   span * column_width + (span - 1) * gap, size)

    @property
    def right(self) -> float:
        return self.column_left(self.columns - 1) + self.column_width

    def column_left(self, column: int) -> float:
        return self.left + column * (self.column_width + self.gap)

    def column_right(self, column: int) -> float:
        return self.column_left(column) + self.column_width

    def column_of(self, x: float) -> int:
        """The column an origin stands in; one in the gap belongs to the column before."""
        column = math.floor((x - self.left + FLUSH_TOLERANCE_PT) / (self.column_width + self.gap))
        return min(max(column, 0), self.columns - 1)

    def column_at(self, x: float) -> int | None:
        """The column whose left edge is at ``x``, if any."""
        column = self.column_of(x)
        return column if abs(x - self.column_left(column)) <= FLUSH_TOLERANCE_PT else None

    def overlaps(self, line: "TextLine", column: int) -> bool:
        return line.left < self.column_right(column) and line.right > self.column_left(column)


@dataclass(frozen=True)
class TextLine:
    """The glyphs of one line, left to right, and what the page uses it for."""

    role: str  # body, note, caption, byline
    glyphs: tuple[Glyph, ...]
    column: int = -1  # body lines: the column they stand in

    @property
    def text(self) -> str:
        return "".join(glyph.char for glyph in self.glyphs)

    @property
    def left(self) -> float:
        return self.glyphs[0].x

    @property
    def right(self) -> float:
        return self.glyphs[-1].right

    @property
    def baseline(self) -> float:
        return self.glyphs[0].y

    @property
    def size(self) -> float:
        return Counter(round(glyph.size, 2) for glyph in self.glyphs).most_common(1)[0][0]


@dataclass(frozen=True)
class _Checked:
    """A line with what its paragraph and measure say about it."""

    line: TextLine
    where: str
    first: bool  # opens its paragraph
    last: bool  # ends its paragraph
    measure_right: float | None  # where a full line ends


def _near(value: float, target: float) -> bool:
    return abs(value - target) <= SIZE_TOLERANCE_PT


def _body_lines(glyphs: list[Glyph], grid: _Grid, top: float) -> list[TextLine]:
    """Song at the body size, inside the type area and below the masthead strip, one line
    per column and baseline, in reading order (column by column, top to bottom)."""
    rows: dict[tuple[int, float], list[Glyph]] = {}
    for glyph in glyphs:
        if glyph.font.startswith(BODY_FONT) and _near(glyph.size, grid.body_size) \
                and glyph.y > top and grid.left - FLUSH_TOLERANCE_PT <= glyph.x \
                <= grid.right + grid.gap:
            rows.setdefault((grid.column_of(glyph.x), round(glyph.y, 1)), []).append(glyph)
    return [TextLine("body", tuple(sorted(rows[key], key=lambda g: g.x)), key[0])
            for key in sorted(rows)]


def _kai_blocks(glyphs: list[Glyph], settings: Settings, top: float) -> list[list[TextLine]]:
    """Kai lines at the note, caption or byline size, cut where a wide gap parts two texts
    on one baseline, then stacked into blocks of lines one under the other."""
    sizes = {settings.note_size, settings.caption_size, settings.byline_size}
    rows: dict[tuple[float, float], list[Glyph]] = {}
    for glyph in glyphs:
        if glyph.font.startswith(KAI_FONT) and glyph.y > top \
                and any(_near(glyph.size, size) for size in sizes):
            rows.setdefault((round(glyph.size, 2), round(glyph.y, 1)), []).append(glyph)
    lines: list[TextLine] = []
    for (size, _), row in sorted(rows.items(), key=lambda item: (item[0][0], item[0][1])):
        row.sort(key=lambda glyph: glyph.x)
        start = 0
        for index in range(1, len(row) + 1):
            if index == len(row) or row[index].x - row[index - 1].right > 2 * size:
                lines.append(TextLine("kai", tuple(row[start:index])))
                start = index
    blocks: list[list[TextLine]] = []
    for line in lines:  # sorted by size, then top to bottom
        for block in blocks:
            previous = block[-1]
            if previous.size == line.size and 0 < line.baseline - previous.baseline \
                    <= 2.2 * line.size and line.left < previous.right and line.right > previous.left:
                block.append(line)
                break
        else:
            blocks.append([line])
    return blocks


def _paragraph_marks(lines: list[TextLine], indented) -> list[tuple[bool, bool]]:
    """(first, last) for each line: a paragraph opens on an indented line, and the line
    before one that opens a paragraph ends one, as does the block's last line."""
    first = [index == 0 or indented(line) for index, line in enumerate(lines)]
    return [(first[index], index == len(lines) - 1 or first[index + 1])
            for index in range(len(lines))]


def _checked_lines(body: list[TextLine], blocks: list[list[TextLine]], labels: list[Glyph],
                   grid: _Grid, settings: Settings
                   ) -> tuple[list[_Checked], list[TextLine], list[TextLine]]:
    """The lines to check, with their paragraphs and measures; and the byline and caption
    lines (for where the columns end). ``labels`` are the glyphs that may start a note's
    first line in another face (编者按 in Hei)."""
    checked: list[_Checked] = []
    size = settings.body_size
    numbers: Counter[int] = Counter()
    marks = _paragraph_marks(body, lambda line: line.left - grid.column_left(line.column)
                             >= 0.5 * size)
    for line, (first, last) in zip(body, marks):
        numbers[line.column] += 1
        checked.append(_Checked(line, f"column {line.column + 1}, line {numbers[line.column]}",
                                first, last, grid.column_right(line.column)))
    first_body = min((line.baseline for line in body), default=math.inf)
    bylines, captions = [], []
    for block in blocks:
        block_size = block[0].size
        block_left = min(line.left for line in block)
        aligned = grid.column_at(block_left)
        if _near(block_size, settings.note_size) and block[-1].baseline < first_body:
            role = "note"
            block_left = min([block_left] + [glyph.x for glyph in labels
                                             if abs(glyph.y - block[0].baseline) < 0.1
                                             and _near(glyph.size, settings.note_size)])
            # The note's box is centred on the type area, its padding the same both sides.
            measure_right = grid.left + grid.right - block_left
        elif _near(block_size, settings.caption_size) and aligned is not None:
            role = "caption"
            measure_right = grid.column_left(aligned) + grid.figure_width
        elif _near(block_size, settings.caption_size):
            role = "caption"
            measure_right = max(line.right for line in block)
        elif _near(block_size, settings.byline_size):
            bylines += [TextLine("byline", line.glyphs) for line in block]
            continue
        else:
            continue
        # The note's label is not Kai: its first line's Kai text starts after the label.
        marks = _paragraph_marks(block, lambda line: line.left - block_left >= 0.5 * line.size)
        for number, (line, (first, last)) in enumerate(zip(block, marks), 1):
            line = TextLine(role, line.glyphs)
            if role == "caption":
                captions.append(line)
            where = f"{role} at {line.baseline:.1f} pt, line {number}"
            checked.append(_Checked(line, where, first, last, measure_right))
    return checked, bylines, captions


# -- the measures -------------------------------------------------------------------

def is_han(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF \
        or 0x20000 <= code <= 0x3FFFF


def is_latin(char: str) -> bool:
    """A Latin (Greek, Cyrillic) letter or an ASCII digit: what stands apart from Han."""
    return ord(char) < 0x2000 and char.isalnum()


def _tracking(glyphs: tuple[Glyph, ...], size: float) -> float:
    """The line's justification spacing: how far a Han character or a Chinese mark stands
    from what follows it, beyond its advance (the slack is spread evenly). A Han-Latin gap
    is not spacing, and a glyph whose neighbour starts more than a quarter em inside its
    advance is a compressed mark."""
    spaces = [b.x - a.right for a, b in zip(glyphs, glyphs[1:])
              if (is_han(a.char) or a.char in CHINESE_MARKS)
              and not (is_han(a.char) and is_latin(b.char))
              and b.x - a.right > -0.25 * size]
    return statistics.median(spaces) if spaces else 0.0


class _Tally:
    def __init__(self):
        self.counts: Counter[str] = Counter()
        self.problems: list[Problem] = []
        self.worst_deviation = 0.0

    def fault(self, code: str, item: _Checked, detail: str) -> None:
        self.counts[code] += 1
        self.problems.append(Problem(code, item.where, item.line.text, detail))


def _check_line(item: _Checked, tally: _Tally) -> None:
    glyphs = item.line.glyphs
    size = item.line.size
    if glyphs[0].char.isspace() or glyphs[-1].char.isspace():
        tally.fault("spaces_at_line_ends", item, "starts or ends with a space")
    glyphs = tuple(glyph for glyph in glyphs if not glyph.char.isspace()) or glyphs
    if glyphs[0].char in NO_LINE_START:
        tally.fault("prohibited_starts", item, f"starts with {glyphs[0].char}")
    if glyphs[-1].char in NO_LINE_END:
        tally.fault("prohibited_ends", item, f"ends with {glyphs[-1].char}")
    if item.last and not item.first and len(glyphs) == 1:
        tally.fault("lone_characters", item, "a paragraph's last line of one character")

    if item.measure_right is not None:
        deviation = glyphs[-1].right - item.measure_right
        # A last line may end short, never long.
        if not item.last or deviation > 0:
            tally.worst_deviation = max(tally.worst_deviation, abs(deviation))
            if abs(deviation) > FLUSH_TOLERANCE_PT:
                tally.fault("lines_not_flush", item, f"ends {deviation:+.2f} pt from the measure's "
                            f"edge at {item.measure_right:.2f} pt")

    tracking = _tracking(glyphs, size)

    def real_advance(index: int) -> float:
        if index == len(glyphs) - 1:
            return glyphs[index].advance
        return glyphs[index + 1].x - glyphs[index].x - tracking

    for index, (a, b) in enumerate(zip(glyphs, glyphs[1:])):
        if a.char in MARKS and b.char in MARKS:
            tally.counts["mark_pairs"] += 1
            width = (real_advance(index) + real_advance(index + 1)) / size
            if width > PAIR_LIMIT_EM + EM_TOLERANCE:
                tally.fault("uncompressed_pairs", item, f"{a.char}{b.char} takes {width:.2f} em")
        if (is_han(a.char) and is_latin(b.char)) or (is_latin(a.char) and is_han(b.char)):
            tally.counts["han_latin_gaps"] += 1
            gap = (b.x - a.right) / size
            low, high = HAN_LATIN_GAP_EM
            if not low - EM_TOLERANCE <= gap <= high + EM_TOLERANCE:
                tally.fault("han_latin_gaps_out_of_range", item,
                            f"{a.char}|{b.char} gap {gap:.3f} em")


def _pitch(lines: list[TextLine]) -> float:
    """The most common distance between neighbouring baselines in a column."""
    steps = Counter(round(b.baseline - a.baseline, 2) for a, b in zip(lines, lines[1:])
                    if a.column == b.column and b.baseline > a.baseline)
    return steps.most_common(1)[0][0] if steps else 0.0


def _off_grid(baseline: float, phase: float, pitch: float) -> float:
    """How far a baseline stands from the nearest grid line (+ below it)."""
    if pitch <= 0:
        return 0.0
    off = (baseline - phase) % pitch
    return off - pitch if off > pitch / 2 else off


def _grid_phase(baselines: list[float], pitch: float) -> tuple[float, float]:
    """The grid's phase (the residue most baselines share) and the worst baseline's
    distance from it."""
    if not baselines or pitch <= 0:
        return 0.0, 0.0
    residues = [baseline % pitch for baseline in baselines]

    def distance(a: float, b: float) -> float:
        d = abs(a - b) % pitch
        return min(d, pitch - d)

    phase = max(residues, key=lambda r: (sum(distance(r, o) <= GRID_TOLERANCE_PT for o in residues), -r))
    return phase, max(distance(phase, residue) for residue in residues)


def page_count(pdf: Path) -> int:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def check_pdf(pdf: Path, settings: Settings, page: int = 0) -> Report:
    """Measure the typography of page ``page`` (from 0) of ``pdf``, laid out with
    ``settings``."""
    page_width, _, glyphs = read_glyphs(Path(pdf), page)
    grid = _Grid.of(settings, page_width)
    # Nothing in the masthead strip (paper, date, page number) is body text.
    top = settings.margin_top * PT_PER_MM + settings.masthead_height
    body = _body_lines(glyphs, grid, top)
    labels = [glyph for glyph in glyphs if not glyph.font.startswith((BODY_FONT, KAI_FONT))]
    checked, bylines, captions = _checked_lines(body, _kai_blocks(glyphs, settings, top),
                                                labels, grid, settings)
    tally = _Tally()
    for item in checked:
        _check_line(item, tally)

    pitch = _pitch(body)
    phase, misalignment = _grid_phase([line.baseline for line in body], pitch)
    byline_misalignment = 0.0
    for code, lines in (("baseline_misalignment_pt", body), ("byline_misalignment_pt", bylines)):
        for line in lines:
            off = _off_grid(line.baseline, phase, pitch)
            if code == "byline_misalignment_pt":
                byline_misalignment = max(byline_misalignment, abs(off))
            if abs(off) > GRID_TOLERANCE_PT:
                tally.problems.append(Problem(
                    code, f"column {grid.column_of(line.left) + 1}",
                    line.text, f"baseline {line.baseline:.2f} pt is {off:+.2f} pt off the grid"))

    spread = 0.0
    if pitch:
        ends = _column_ends(body, bylines, captions, grid, phase, pitch)
        spread = round((max(ends) - min(ends)) / pitch, 3)
        if spread > COLUMN_END_LIMIT:
            shown = ", ".join(f"{end:.1f}" for end in ends)
            tally.problems.append(Problem("column_end_spread", "all columns", "",
                                          f"last baselines at {shown} pt"))

    if not body:
        sizes = Counter(round(glyph.size, 2) for glyph in glyphs if glyph.font.startswith(BODY_FONT)
                        and glyph.y > top)
        found = ", ".join(f"{size} pt ({count} glyphs)" for size, count in sizes.most_common(3))
        tally.problems.append(Problem("body_lines", "page", "",
                                      f"no {BODY_FONT} at {settings.body_size} pt in the columns; "
                                      f"{BODY_FONT} found at: {found or 'no size'}"))

    role_counts = Counter(item.line.role for item in checked)
    return Report(
        characters=sum(not glyph.char.isspace() for glyph in glyphs),
        lines_checked=len(checked),
        body_lines=role_counts["body"],
        note_lines=role_counts["note"],
        caption_lines=role_counts["caption"],
        lines_not_flush=tally.counts["lines_not_flush"],
        worst_deviation_pt=round(tally.worst_deviation, 3),
        prohibited_starts=tally.counts["prohibited_starts"],
        prohibited_ends=tally.counts["prohibited_ends"],
        spaces_at_line_ends=tally.counts["spaces_at_line_ends"],
        lone_characters=tally.counts["lone_characters"],
        mark_pairs=tally.counts["mark_pairs"],
        uncompressed_pairs=tally.counts["uncompressed_pairs"],
        han_latin_gaps=tally.counts["han_latin_gaps"],
        han_latin_gaps_out_of_range=tally.counts["han_latin_gaps_out_of_range"],
        pitch_pt=pitch,
        baseline_misalignment_pt=round(misalignment, 3),
        byline_misalignment_pt=round(byline_misalignment, 3),
        column_end_spread=round(spread, 3),
        problems=tuple(tally.problems),
    )


def _column_ends(body: list[TextLine], bylines: list[TextLine], captions: list[TextLine],
                 grid: _Grid, phase: float, pitch: float) -> list[float]:
    """The last baseline of each column: of its body lines, or of the byline or a caption
    (a photo at the column's foot) that ends it, put on the nearest grid line: how far
    those stand off the grid is measured apart, so a column end counts in whole lines."""
    top = min((line.baseline for line in body), default=0.0)
    ends: list[float | None] = []
    for column in range(grid.columns):
        candidates = [line.baseline for line in body if line.column == column]
        candidates += [line.baseline - _off_grid(line.baseline, phase, pitch)
                       for line in bylines + captions if grid.overlaps(line, column)]
        ends.append(max(candidates) if candidates else None)
    # Empty columns at the right are the page's free area beside a story set at its own
    # width (reported as PR502 when it is built); an empty column between two that hold
    # text ends a line above the first body line.
    while ends and ends[-1] is None:
        ends.pop()
    ends = [top - pitch if end is None else end for end in ends] or [top]
    return ends
