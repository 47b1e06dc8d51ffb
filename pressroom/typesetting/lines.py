"""Setting text into lines the way a Chinese compositor does (clreq, GB/T 15834).

WeasyPrint breaks Chinese lines correctly but cannot justify them, compress punctuation or
space Latin runs, so Pressroom chooses every line break itself and hands WeasyPrint lines
that are already set: each line a row of segments whose spacing makes it end exactly at the
column edge. The measure of every glyph comes from HarfBuzz on the same font file that
WeasyPrint embeds, so what is computed here is what is printed.

The rules, in the order a compositor applies them:
* the text is cut into units: one Han character or mark, or one unbreakable Latin run;
* adjacent marks are compressed: 」， or ）。 take 1.5 em, not 2 (标点挤压);
* a Han character next to a Latin letter or digit gets a fixed gap of ``HAN_LATIN_GAP``;
* no line starts with a closing mark or ends with an opening one (避头尾): a mark that would
  start a line is pulled back into the line above by compressing marks there (push in), or
  takes the last character of that line along with it (push out);
* a paragraph's last line never holds a single character (孤字);
* every line but the last is justified: its leftover width is shared by the gaps between
  its units.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz

OPENING = frozenset("“‘（《〈「『【〔〖［｛")
CLOSING = frozenset("”’）》〉」』】〕〗］｝")
STOPS = frozenset("。，、；：？！")
MIDDLE = frozenset("·・")
PAIRED = frozenset("—…")  # —— and …… are one mark of two characters, never split
HAN_LATIN_GAP = 0.15  # em; clreq asks for 1/8 to 1/4 em
MAX_HAN_LATIN_GAP = 0.25
HALF = 0.5

# Characters that belong to Chinese text; anything else (Latin, digits, ASCII signs) joins
# a Latin run.
_CJK_PUNCTUATION = OPENING | CLOSING | STOPS | MIDDLE | PAIRED | frozenset("\u3000")


def is_han(char: str) -> bool:
    code = ord(char)
    return (0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF
            or 0x3040 <= code <= 0x30FF or 0xFF10 <= code <= 0xFF5A)


def _is_chinese(char: str) -> bool:
    return is_han(char) or char in _CJK_PUNCTUATION or 0x3000 <= ord(char) <= 0x303F \
        or 0xFF00 <= ord(char) <= 0xFFEF or 0x2E80 <= ord(char) <= 0x2FFF


class Metrics:
    """Advance widths of one face, in em: HarfBuzz for Chinese, WeasyPrint's own measure
    (``latin``, filled by ``pressroom.measure``) for Latin runs."""

    def __init__(self, path: Path, family: str = ""):
        face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)))
        self.family = family
        self.font = uharfbuzz.Font(face)
        self.upem = face.upem
        self.latin: dict[str, float] = {}
        # Fonts with the OpenType 'halt' feature compress marks themselves; for the others
        # the blank half of the mark is taken away with spacing.
        self.has_halt = self.advance("，", halt=True) < self.advance("，")

    @functools.lru_cache(maxsize=None)
    def advance(self, text: str, halt: bool = False) -> float:
        buffer = uharfbuzz.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        buffer.language = "zh-CN"
        uharfbuzz.shape(self.font, buffer, {"halt": True} if halt else {})
        return sum(position.x_advance for position in buffer.glyph_positions) / self.upem


    def width(self, text: str, kind: str) -> float:
        if kind in ("latin", "space"):
            # Pango's figure wins; HarfBuzz's is the fallback for a run not measured.
            return self.latin.get(text) or self.advance(text)
        return self.advance(text)


# A Latin run holds no-break spaces (1\u00a0pt, 210\u00a0mm stay together); ordinary white
# space separates runs and is a place to break.
_BREAKING_SPACE = "\t\n\r\f\v \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000"
LATIN_RUN = re.compile(rf"——+|……+|(?:[^{_BREAKING_SPACE}\u3000-\u303F\u2E80-\u9FFF"
                       rf"\uF900-\uFAFF\uFF00-\uFFEF“‘”’—…·]+)|[{_BREAKING_SPACE}]+|.")


def latin_runs(text: str) -> set[str]:
    """The Latin runs (and the space) a text will need measured."""
    return {piece if not piece.isspace() else " " for piece in LATIN_RUN.findall(text)
            if _kind(piece) in ("latin", "space")}


@dataclass(frozen=True)
class Unit:
    """The smallest piece a line is made of: a character, a paired mark or a Latin run."""

    text: str
    kind: str  # han, open, close, stop, middle, paired, latin, space
    width: float  # em, as set (after compression)
    squeeze: str = ""  # "" or "right"/"left": which blank half of a mark is taken away


@dataclass(frozen=True)
class Segment:
    """A run of a line that WeasyPrint sets with one spacing: what the layouts print."""

    text: str
    letter_spacing: float = 0.0  # pt after each character
    margin_left: float = 0.0  # pt
    margin_right: float = 0.0  # pt
    halt: bool = False  # set with the font's own half-width forms
    latin: bool = False


@dataclass(frozen=True)
class Line:
    segments: tuple[Segment, ...]
    text: str
    width: float  # pt, where the last glyph ends
    measure: float  # pt, the width the line is set to
    indent: float  # pt
    justified: bool

    @classmethod
    def whole(cls, text: str) -> "Line":
        """A text as one line, for an output that breaks its own lines (the e-book)."""
        return cls((Segment(text),), text, 0.0, 0.0, 0.0, False)


def _kind(text: str) -> str:
    char = text[0]
    if char in OPENING:
        return "open"
    if char in CLOSING:
        return "close"
    if char in STOPS:
        return "stop"
    if char in MIDDLE:
        return "middle"
    if char in PAIRED:
        return "paired"
    if char.isspace():
        return "space"
    return "han" if _is_chinese(char) else "latin"


def units(text: str, face: Metrics) -> list[Unit]:
    """Cut text into units and compress adjacent marks."""
    result = []
    for piece in LATIN_RUN.findall(text):
        kind = _kind(piece)
        piece = " " if kind == "space" else piece
        result.append(Unit(piece, kind, face.width(piece, kind)))
    # A space typed between Chinese and Latin (本版是 Pressroom 排版) gives way to the
    # fixed Han-Latin gap, as clreq's automatic spacing does.
    result = [unit for index, unit in enumerate(result)
              if not (unit.kind == "space" and 0 < index < len(result) - 1
                      and {result[index - 1].kind, result[index + 1].kind} == {"han", "latin"})]
    # 标点挤压: of two adjacent marks, the first loses its blank half, unless both open,
    # when the second does (its blank is on the side that meets the first).
    marks = ("open", "close", "stop")
    for index in range(len(result) - 1):
        first, second = result[index], result[index + 1]
        if first.kind in marks and second.kind in marks:
            if first.kind == "open" and second.kind == "open":
                result[index + 1] = _squeezed(second, face)
            elif first.kind in ("close", "stop") and not first.squeeze:
                result[index] = _squeezed(first, face)
    return result


def _squeezed(unit: Unit, face: Metrics) -> Unit:
    side = "left" if unit.kind == "open" else "right"
    width = face.advance(unit.text, halt=True) if face.has_halt else unit.width - HALF
    return Unit(unit.text, unit.kind, min(width, unit.width - HALF + 1e-9), side)


def _may_break(before: Unit, after: Unit) -> bool:
    # No closing mark, stop, middle dot, dash or ellipsis starts a line (2021—2025 stays
    # whole); no opening mark ends one.
    if after.kind in ("close", "stop", "middle", "paired") or before.kind == "open":
        return False
    return True


def _gap(before: Unit, after: Unit) -> float:
    """The fixed gap between two units: only a Han character beside a Latin letter or
    digit gets one (2021年, 5G网络), not one beside a sign such as + or %."""
    if before.kind == "han" and after.kind == "latin" and after.text[0].isalnum():
        return HAN_LATIN_GAP
    if before.kind == "latin" and after.kind == "han" and before.text[-1].isalnum():
        return HAN_LATIN_GAP
    return 0.0


def _whole(unit: Unit) -> Unit:
    """A mark with its blank half given back, as it stands at the end of a line."""
    if not unit.squeeze:
        return unit
    return Unit(unit.text, unit.kind, unit.width + HALF)


def _set_width(line: list[Unit]) -> float:
    """The width of ``line`` as it would be set, ending with a whole mark."""
    return _natural(line[:-1] + [_whole(line[-1])]) if line else 0.0


def _ended(items: list[Unit], start: int, end: int) -> list[Unit]:
    """Take items[start:end] as a line, its last mark made whole again."""
    if end > start and items[end - 1].squeeze:
        items[end - 1] = _whole(items[end - 1])
    return items[start:end]


def _natural(line: list[Unit]) -> float:
    return sum(unit.width for unit in line) + sum(_gap(a, b) for a, b in zip(line, line[1:]))


class LineBreaker:
    """Breaks one paragraph's units into lines of a given measure (all lengths in em)."""

    def __init__(self, face: Metrics, measure: float, indent: float):
        self.face = face
        self.measure = measure
        self.indent = indent

    def available(self, first: bool) -> float:
        return self.measure - (self.indent if first else 0.0)

    def breaks(self, items: list[Unit]) -> list[list[Unit]]:
        lines: list[list[Unit]] = []
        start = 0
        while start < len(items):
            line = self._one_line(items, start, first=not lines)
            lines.append(line)
            start += len(line)
        self._no_lone_character(lines)
        return lines

    def _one_line(self, items: list[Unit], start: int, first: bool) -> list[Unit]:
        room = self.available(first)
        end = start
        while end < len(items) and _set_width(items[start:end + 1]) <= room + 1e-9:
            end += 1
        if end == len(items):
            return _ended(items, start, end)
        if end == start:  # a Latin run wider than the column: it has to be split
            return self._split_long(items, start, room)
        # Push in: if what follows may not start a line, compress marks in this line so
        # that the following marks fit too.
        stay = end
        while stay < len(items) and not _may_break(items[stay - 1], items[stay]):
            stay += 1
        if stay > end:
            squeezed = self._push_in(items[start:stay], room)
            if squeezed is not None:
                items[start:stay] = squeezed
                return _ended(items, start, stay)
            # Push out: go back to the last place a line may end.
            while end > start + 1 and not _may_break(items[end - 1], items[end]):
                end -= 1
        return _ended(items, start, end)

    def _push_in(self, line: list[Unit], room: float) -> list[Unit] | None:
        # The line's last mark keeps its full width (a line ends on the column edge with a
        # whole mark); the marks before it give up their blank halves, last first.
        line = list(line)
        for index in range(len(line) - 2, -1, -1):
            if _set_width(line) <= room + 1e-9:
                return line
            unit = line[index]
            if unit.kind in ("close", "stop") and not unit.squeeze:
                line[index] = _squeezed(unit, self.face)
        return line if _set_width(line) <= room + 1e-9 else None

    def _split_long(self, items: list[Unit], start: int, room: float) -> list[Unit]:
        unit = items[start]
        for cut in range(len(unit.text) - 1, 0, -1):
            head = unit.text[:cut]
            if self.face.width(head, unit.kind) <= room:
                tail = unit.text[cut:]
                items[start:start + 1] = [Unit(head, unit.kind, self.face.width(head, unit.kind)),
                                          Unit(tail, unit.kind, self.face.width(tail, unit.kind))]
                return items[start:start + 1]
        return items[start:start + 1]

    def _no_lone_character(self, lines: list[list[Unit]]) -> None:
        # 孤字: a last line of one character takes a unit from the line above, moving back
        # further if that unit may not start a line.
        if len(lines) < 2 or len("".join(unit.text for unit in lines[-1]).strip()) > 1:
            return
        above, last = lines[-2], lines[-1]
        cut = len(above) - 1
        while cut > 1 and not _may_break(above[cut - 1], above[cut]):
            cut -= 1
        if cut > 1:
            lines[-2], lines[-1] = above[:cut], above[cut:] + last


def set_lines(text: str, face: Metrics, size: float, measure: float, indent: float = 0.0,
              justify_last: bool = False) -> tuple[Line, ...]:
    """Set a paragraph into lines ``measure`` pt wide, the first indented by ``indent`` pt."""
    breaker = LineBreaker(face, measure / size, indent / size)
    broken = breaker.breaks(units(text, face))
    lines = []
    for number, line in enumerate(broken):
        # Spaces at the ends of a line are dropped, as in any typesetting.
        while line and line[-1].kind == "space":
            line = line[:-1]
        while line and line[0].kind == "space" and number:
            line = line[1:]
        last = number == len(broken) - 1
        room = breaker.available(number == 0)
        lines.append(_justified(line, face, size, room, not last or justify_last,
                                indent if number == 0 else 0.0, measure))
    return tuple(lines)


def _justified(line: list[Unit], face: Metrics, size: float, room: float, justify: bool,
               indent: float, measure: float) -> Line:
    gaps = [_gap(a, b) for a, b in zip(line, line[1:])]
    stretchable = [index for index, (a, b) in enumerate(zip(line, line[1:]))
                   if not gaps[index] and not (a.kind == "paired" and b.kind == "paired")]
    slack = room - _natural(line) if justify else 0.0
    # A loose line first widens its Han-Latin gaps up to a quarter em (the most clreq
    # allows), then shares what is left evenly between all other characters.
    latin_gaps = [index for index, gap in enumerate(gaps) if gap]
    if slack > 0 and latin_gaps:
        grow = min(slack / len(latin_gaps), MAX_HAN_LATIN_GAP - HAN_LATIN_GAP)
        for index in latin_gaps:
            gaps[index] += grow
        slack -= grow * len(latin_gaps)
    extra = slack / len(stretchable) if stretchable and slack > 0 else 0.0
    tracking = 0.0  # em between the letters of Latin runs
    if not stretchable and slack > 0 and latin_gaps:
        # Nothing else can take it (1997年10月21日 alone on a line): the letters of the
        # Latin runs are spaced, so that no Han-Latin gap grows past a quarter em.
        letters = sum(len(unit.text) - 1 for unit in line if unit.kind == "latin")
        if letters:
            tracking = slack / letters
        else:
            for index in latin_gaps:
                gaps[index] += slack / len(latin_gaps)
    for index in stretchable:
        gaps[index] += extra
    gaps.append(0.0)
    segments: list[Segment] = []
    for unit, gap in zip(line, gaps):
        spaced = tracking if unit.kind == "latin" and len(unit.text) > 1 else 0.0
        segments.append(_segment(unit, gap * size, face, size, spaced * size))
    width = (sum(unit.width for unit in line) + sum(gaps) + slack * bool(tracking)) * size
    return Line(tuple(_merged(segments)), "".join(unit.text for unit in line), width,
                measure - indent, indent, justify)


def _segment(unit: Unit, gap: float, face: Metrics, size: float,
             tracking: float = 0.0) -> Segment:
    if unit.kind == "latin" or unit.kind == "space":
        # CSS letter-spacing follows every letter, the last too: the margin takes it back.
        return Segment(unit.text, letter_spacing=tracking, margin_right=gap - tracking,
                       latin=True)
    if not unit.squeeze:
        return Segment(unit.text, letter_spacing=gap / len(unit.text))
    if face.has_halt:
        return Segment(unit.text, letter_spacing=gap, halt=True)
    if unit.squeeze == "right":
        return Segment(unit.text, letter_spacing=gap - HALF * size)
    return Segment(unit.text, letter_spacing=gap, margin_left=-HALF * size)


def _merged(segments: list[Segment]) -> list[Segment]:
    """Join neighbours that WeasyPrint can set as one run (same spacing, plain text)."""
    merged: list[Segment] = []
    for segment in segments:
        previous = merged[-1] if merged else None
        plain = not (segment.halt or segment.latin or segment.margin_left or segment.margin_right)
        if previous and plain and not (previous.halt or previous.latin or previous.margin_left
                                       or previous.margin_right) \
                and abs(previous.letter_spacing - segment.letter_spacing) < 1e-6:
            merged[-1] = Segment(previous.text + segment.text, previous.letter_spacing)
        else:
            merged.append(segment)
    return merged
