"""The units of Chinese text and the setting of one line (clreq, GB/T 15834).

WeasyPrint breaks Chinese lines correctly but cannot justify them, compress punctuation or
space Latin runs, so Pressroom chooses every line break itself (``pressroom.typesetting.
breaking``) and hands WeasyPrint lines that are already set: each line a row of segments
whose spacing makes it end exactly at the column edge. The measure of every glyph comes
from HarfBuzz on the same font file that WeasyPrint embeds, so what is computed here is
what is printed.

This module takes a text and gives its units: one Han character or mark, or one
unbreakable piece of a Latin run, with adjacent marks compressed (」， takes 1.5 em, not 2:
标点挤压) and the fixed gap of ``HAN_LATIN_GAP`` between a Han character and a Latin
letter or digit. It then sets a line of units by a ``Fit``, the breaker's choice of how
the line reaches its measure: its last mark whole, half (clreq allows it) or hung outside
the column; marks inside it compressed; Han-Latin gaps between 1/8 and 1/4 em; what is
left shared evenly between all other characters.

Traditional text (a face whose ``lang`` is zh-TW, zh-HK, zh-Hant …: ``pressroom.lang``) is
set to Taiwan's 重訂標點符號手冊 and Hong Kong's papers: its faces draw 。，、；：？！ in the
middle of the em box, their blank split between its two sides, so a stop has no blank half
to give. It is never compressed, inside a line, beside another mark, in 开明式 or at the
line's end, and never hung outside the column (``centred_stops``). Brackets and quotes keep
their blank on one side and are compressed as in Simplified text: 」「 and 」（ take 1.5 em,
」。 too (the bracket gives its half, the stop stays whole), and 。「 (the bracket's blank
faces the stop); 。」 keeps its 2 em, no blank half meeting the other mark.

No-break spaces (U+00A0; reading turns U+2007, U+202F and a word joiner into it) never
drop text and never let a line break where they stand: between Latin words one is set
inside the run as a word space (1\u00a0pt, Windows\u00a011); beside a Chinese character
it gives way to the Han-Latin gap (如\u00a0Adobe is set 如 Adobe with the gap), between
two Chinese characters it is an ideographic space, and the units it joins stay on one
line.

A Latin run is cut where it may break as a last resort: a URL after / . @, a word of five
letters or more between its syllables (pyphen), with a hyphen. A piece that is still
wider than the column (a word pyphen cannot cut, a long number, a code: ``split_wide``)
may also break between any two of its characters, at a higher cost than a loose line
(the breaker's ``FORCED_BREAK_COST``): between two letters with a hyphen, anywhere else
(after a digit or a sign) with nothing added. So no run is ever wider than its column,
and a run of any length gives as many units as it has characters at most (linear work).
"""
from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pyphen
import uharfbuzz

from ..lang import convention

OPENING = frozenset("“‘（《〈「『【〔〖［｛")
CLOSING = frozenset("”’）》〉」』】〕〗］｝")
STOPS = frozenset("。，、；：？！")
MIDDLE = frozenset("·・")
PAIRED = frozenset("—…")  # —— and …… are one mark of two characters, never split
HAN_LATIN_GAP = 0.15  # em; clreq asks for 1/8 to 1/4 em
MIN_HAN_LATIN_GAP = 0.125
MAX_HAN_LATIN_GAP = 0.25
HALF = 0.5
LATIN_OPENING = frozenset("([{<")
LATIN_CLOSING = frozenset(")]}>.,;:!?%")

# Marks with a blank half that may be taken away: inside a line to shrink it, at its end
# to let the line hold one character more. ？ and ！ keep their width: squeezed against
# the next word they read as jammed.
COMPRESSIBLE = OPENING | CLOSING | frozenset("。，、；：")
KAIMING_HALF = frozenset("、，；：")  # set half width inside a line in 开明式
HANGING = frozenset("。，、")  # may hang outside the column (行末点号悬挂)

# Characters that belong to Chinese text; anything else (Latin, digits, ASCII signs) joins
# a Latin run.
_CJK_PUNCTUATION = OPENING | CLOSING | STOPS | MIDDLE | PAIRED | frozenset("\u3000")
CHINESE_KINDS = frozenset({"han", "open", "close", "stop", "middle", "paired"})


def is_han(char: str) -> bool:
    code = ord(char)
    return (0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF
            or 0x3040 <= code <= 0x30FF or 0xFF10 <= code <= 0xFF5A)


def _is_chinese(char: str) -> bool:
    return is_han(char) or char in _CJK_PUNCTUATION or 0x3000 <= ord(char) <= 0x303F \
        or 0xFF00 <= ord(char) <= 0xFFEF or 0x2E80 <= ord(char) <= 0x2FFF


class Metrics:
    """Advance widths of one face, in em: HarfBuzz for Chinese, WeasyPrint's own measure
    (``latin``, filled by ``pressroom.typesetting.measure``) for Latin runs. ``marks``:
    the face that draws the marks this one has only in narrow, proportional forms (the
    Kai face's curly quotes), so that they keep a full-width mark's width and compression.
    ``lang``: the text's BCP 47 tag, which HarfBuzz shapes with (it picks the face's
    ``locl`` forms). ``fallbacks``: the faces declared to draw, in order, what this one
    lacks (``pressroom.faces``): a character is measured in the face that draws it."""

    def __init__(self, path: Path, family: str = "", marks: "Metrics | None" = None,
                 lang: str = "zh-CN", fallbacks: "tuple[Metrics, ...]" = (),
                 covered: frozenset[int] | None = None):
        face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)))
        self.family = family
        self.font = uharfbuzz.Font(face)
        self.upem = face.upem
        self.lang = lang
        # What it draws: a fallback only the characters the renderer is told it draws.
        self.covered = frozenset(face.unicodes) if covered is None else covered
        self.fallbacks = fallbacks
        self.latin: dict[str, float] = {}
        self.marks = marks
        self.paragraphs: dict = {}  # set paragraphs (pressroom.typesetting.breaking), reused
        self.advances: dict[tuple[str, bool], float] = {}
        # Fonts with the OpenType 'halt' feature compress marks themselves; for the others
        # the blank half of the mark is taken away with spacing.
        self.has_halt = self.advance("，", halt=True) < self.advance("，")

    def advance(self, text: str, halt: bool = False) -> float:
        # Kept on the face itself, not in a cache of the class: that would hold every
        # face ever made (and its font file) for as long as the process runs.
        key = (text, halt)
        found = self.advances.get(key)
        if found is None:
            drawing = self.drawn_by(text)
            if drawing is not self:
                return drawing.advance(text, halt)
            # A lone CJK mark is of no script; Pango shapes it in the Han run it stands
            # in, which picks the faces' locl forms for the language (the centred stops of
            # a TC face). Marks shared with Latin text (— “ …) keep their own shaping, as
            # Pango gives them beside digits.
            buffer = self._shaped(text, {"halt": True} if halt else {}, han=all(
                0x3000 <= ord(char) <= 0x303F or 0xFF00 <= ord(char) <= 0xFFEF for char in text))
            found = sum(position.x_advance for position in buffer.glyph_positions) / self.upem
            self.advances[key] = found
        return found

    def _shaped(self, text: str, features: dict, han: bool) -> uharfbuzz.Buffer:
        """``text`` shaped by HarfBuzz in this face and the text's language; ``han``: a
        text of no script of its own (a mark) is shaped as Han."""
        buffer = uharfbuzz.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        if han and buffer.script in (None, "Zyyy", "Zinh"):
            buffer.script = "Hani"
        buffer.language = self.lang
        uharfbuzz.shape(self.font, buffer, features)
        return buffer

    def drawn_by(self, text: str) -> "Metrics":
        """The face that draws ``text``: this one, or for one character it lacks the first
        declared fallback that has it (the renderer takes the same one)."""
        if len(text) != 1 or ord(text) in self.covered:
            return self
        return next((face for face in self.fallbacks if ord(text) in face.covered), self)

    def width(self, text: str, kind: str) -> float:
        if kind in ("latin", "space"):
            # Pango's figure wins; HarfBuzz's is the fallback for a run not measured.
            return self.latin.get(text) or self.advance(text)
        return self.advance(text)

    def drawing(self, mark: str) -> "Metrics":
        """The face that draws the bracket or quote ``mark``: this one, or ``marks`` where
        this one's form is narrower than a full-width mark (LXGW WenKai's curly quotes) or
        stands in the middle of its em box (TW-Kai's brackets), with no blank half to take
        away when marks are compressed."""
        if self.marks and (self.advance(mark) < 0.9 <= self.marks.advance(mark)
                           or (not self.sided(mark) and self.marks.sided(mark))):
            return self.marks
        return self

    def sided(self, mark: str) -> bool:
        """True where the ink of an opening mark stands in the right half of its em box,
        of a closing mark in the left half: its other half is blank."""
        left, right = self.ink(mark)
        return left >= 0.45 if mark in OPENING else right <= 0.55 if mark in CLOSING else True

    def ink(self, text: str) -> tuple[float, float]:
        """Where the ink of a one-glyph ``text`` starts and ends, in em from its origin."""
        buffer = self._shaped(text, {}, han=True)
        extents = self.font.get_glyph_extents(buffer.glyph_infos[0].codepoint)
        if extents is None:
            return 0.0, 0.0
        return extents.x_bearing / self.upem, (extents.x_bearing + extents.width) / self.upem


def centred_stops(face: Metrics) -> bool:
    """Whether ``face`` sets text whose stops stand in the middle of the em box (Traditional
    text): a blank on both sides, neither a half that could be taken away."""
    return convention(face.lang).centred_stops


def compressible_marks(face: Metrics) -> frozenset[str]:
    """The marks of ``face``'s text with a blank half to give: ``COMPRESSIBLE``, less the
    stops where they are centred."""
    return COMPRESSIBLE - STOPS if centred_stops(face) else COMPRESSIBLE


def hanging_marks(face: Metrics) -> frozenset[str]:
    """The marks that may hang outside the column at a line's end: none where the stops
    are centred (a hung centred stop stands clear of the column, adrift)."""
    return frozenset() if centred_stops(face) else HANGING


# A Latin run holds no-break spaces (1\u00a0pt, 210\u00a0mm stay together); ordinary white
# space separates runs and is a place to break.
_BREAKING_SPACE = "\t\n\r\f\v \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000"
LATIN_RUN = re.compile(rf"——+|……+|(?:[^{_BREAKING_SPACE}\u3000-\u303F\u2E80-\u9FFF"
                       rf"\uF900-\uFAFF\uFF00-\uFFEF“‘”’—…·]+)|[{_BREAKING_SPACE}]+|.")
HYPHEN = "-"
MIN_HYPHENATED = 5  # letters: a shorter word is never hyphenated
NO_BREAK_SPACE = "\u00a0"
_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)|@", re.IGNORECASE)
_ADDRESS_BREAK = re.compile(r"(?<=[/.@])(?=[^/.@])")
_WORD = re.compile(r"[^\W\d_]+")


@functools.cache
def _hyphenator() -> pyphen.Pyphen:
    # Loading the dictionary takes a tenth of a second: only a page with a long Latin
    # word pays it.
    return pyphen.Pyphen(lang="en_US")


def _pieces(run: str) -> list[tuple[str, str | None]]:
    """A Latin run cut where it may break as a last resort, each piece with what a break
    after it adds: a URL or e-mail address breaks after / . @ with nothing added, a long
    word between syllables (pyphen) with a hyphen. ``None``: the run ends here."""
    if _ADDRESS.search(run):
        parts = _ADDRESS_BREAK.split(run)
        return [(part, "" if index < len(parts) - 1 else None) for index, part in enumerate(parts)]
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for word in _WORD.finditer(run):
        if len(word.group()) < MIN_HYPHENATED:
            continue
        for cut in _hyphenator().positions(word.group()):
            pieces.append((run[position:word.start() + cut], HYPHEN))
            position = word.start() + cut
    pieces.append((run[position:], None))
    return pieces


def split_wide(items: list["Unit"], face: Metrics, room: float) -> list["Unit"]:
    """``items`` with every Latin piece wider than ``room`` em cut into its characters,
    each a place to break as a last resort (``Unit.forced``): after a letter followed by
    a letter with a hyphen, elsewhere with nothing added."""
    if all(unit.kind != "latin" or unit.width <= room for unit in items):
        return items
    result: list[Unit] = []
    for unit in items:
        if unit.kind != "latin" or unit.width <= room or len(unit.text) < 2:
            result.append(unit)
            continue
        text = unit.text
        for index, char in enumerate(text):
            last = index == len(text) - 1
            joint = unit.split if last else (
                HYPHEN if char.isalpha() and text[index + 1].isalpha() else "")
            result.append(Unit(char, "latin", face.width(char, "latin"), split=joint,
                               glued=unit.glued and index == 0, forced=not last))
    return result


def _glued_run(run: str) -> tuple[bool, str, bool]:
    """A Latin run without the no-break spaces at its ends, and whether it had one before
    and after: they join it to the Chinese next to it, with the Han-Latin gap."""
    core = run.strip(NO_BREAK_SPACE)
    return run[:1] == NO_BREAK_SPACE, core, run[-1:] == NO_BREAK_SPACE


def latin_runs(text: str) -> set[str]:
    """The Latin runs and their pieces (and the space and hyphen) a text will need measured."""
    runs = set()
    for piece in LATIN_RUN.findall(text):
        kind = _kind(piece)
        if kind == "space":
            runs.add(" ")
        elif kind == "latin":
            _, core, _ = _glued_run(piece)
            if core:
                runs.update(part for part, _ in _pieces(core))
            runs.add(HYPHEN)
    return runs


@dataclass(frozen=True)
class Unit:
    """The smallest piece a line is made of: a character, a paired mark or a Latin piece."""

    text: str
    kind: str  # han, open, close, stop, middle, paired, latin, space
    width: float  # em, as set (after compression)
    squeeze: str = ""  # "" or "right"/"left": which blank half of a mark is taken away
    split: str | None = None  # a Latin piece the run goes on after: what a break here adds
    borrowed: bool = False  # drawn by the face's ``marks`` face
    compressible: bool = False  # a mark with a blank half that may be taken away
    glued: bool = False  # no line may start with it: a no-break space joins it to the last
    forced: bool = False  # a break after it cuts a piece too wide for the column (split_wide)


@dataclass(frozen=True)
class Segment:
    """A run of a line that WeasyPrint sets with one spacing: what the layouts print."""

    text: str
    letter_spacing: float = 0.0  # pt after each character
    margin_left: float = 0.0  # pt
    margin_right: float = 0.0  # pt
    halt: bool = False  # set with the font's own half-width forms
    latin: bool = False
    borrowed: bool = False  # drawn by the marks' face (the layouts' class ``borrowed``)


@dataclass(frozen=True)
class Line:
    segments: tuple[Segment, ...]
    text: str
    width: float  # pt, where the last glyph's advance ends (a hung mark's included)
    measure: float  # pt, the width the line is set to
    indent: float  # pt
    justified: bool

    @classmethod
    def whole(cls, text: str) -> "Line":
        """A text as one line, for an output that breaks its own lines (the e-book)."""
        return cls((Segment(text),), text, 0.0, 0.0, 0.0, False)


@dataclass(frozen=True)
class Fit:
    """How a line reaches its measure, all in em: the breaker's choice, which ``set_line``
    carries out."""

    end: str = "whole"  # its last mark: whole, half (its blank half taken away) or hang
    mark_shrink: float = 0.0  # taken from each compressible mark inside the line
    latin_gap: float = 0.0  # added to each Han-Latin gap (less than 0: taken away)
    stretch: float = 0.0  # added after each character but the last
    tracking: float = 0.0  # added between the letters of Latin runs (nothing else can take it)
    word_space: float = 0.0  # added to each space between Latin words, before ``stretch``
    cost: float = 0.0


def _kind(text: str) -> str:
    char = text[0]
    if char == NO_BREAK_SPACE and text.strip(NO_BREAK_SPACE):
        return "latin"  # a run that a no-break space joins to what stands before it
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


def units(text: str, face: Metrics, kaiming: bool = False) -> list[Unit]:
    """Cut text into units and compress adjacent marks. ``kaiming``: 开明式, where 、，；：
    are half width inside a line (not where the face's stops are centred: ``centred_stops``)."""
    result = []
    glue = False  # the next unit follows a no-break space
    for piece in LATIN_RUN.findall(text):
        kind = _kind(piece)
        if kind == "space" and NO_BREAK_SPACE in piece:
            # No-break spaces alone between Chinese: a space (ideographic between two
            # Chinese characters, the Han-Latin gap beside a Latin run, as below) that
            # holds its neighbours on one line.
            result.append(Unit(" ", kind, face.width(" ", kind), glued=True))
            glue = True
            continue
        if kind == "paired" and len(piece) > 2:
            # A long run of dashes or ellipses: marks of two characters each, which the
            # breaker parts only where the run is wider than the column.
            pairs = [piece[index:index + 2] for index in range(0, len(piece), 2)]
            if len(pairs[-1]) == 1:
                pairs[-2:] = [pairs[-2] + pairs[-1]]
            result.extend(Unit(pair, kind, face.width(pair, kind), glued=glue and not index)
                          for index, pair in enumerate(pairs))
            glue = False
            continue
        if kind == "space":
            space = "\u3000" if "\u3000" in piece else " "
            result.append(Unit(space, kind, face.width(space, kind)))
        elif kind == "latin":
            before, core, after = _glued_run(piece)
            for index, (part, split) in enumerate(_pieces(core)):
                result.append(Unit(part, kind, face.width(part, kind), split=split,
                                   glued=index == 0 and (glue or before)))
            glue = after
            continue
        else:
            drawing = face.drawing(piece) if kind in ("open", "close") else face
            result.append(Unit(piece, kind, drawing.width(piece, kind),
                               borrowed=drawing is not face,
                               compressible=_compressible(piece, drawing), glued=glue))
        glue = False
    # A space typed between Chinese and Latin (本版是 Pressroom 排版) gives way to the
    # fixed Han-Latin gap, as clreq's automatic spacing does; one between two Chinese
    # characters (第一条 为了) is the ideographic space such texts mean, and holds them
    # together.
    spaced = []
    for index, unit in enumerate(result):
        if unit.kind == "space" and 0 < index < len(result) - 1:
            kinds = {result[index - 1].kind, result[index + 1].kind}
            if kinds == {"han", "latin"} and unit.text == " ":
                continue
            if kinds <= CHINESE_KINDS:
                unit = Unit("\u3000", "space", face.width("\u3000", "han"), glued=unit.glued)
        spaced.append(unit)
    result = spaced
    # 标点挤压: of two adjacent marks, the first loses its blank half, unless both open,
    # when the second does (its blank is on the side that meets the first). A centred
    # stop has none to lose: after it an opening mark gives its own (。「), any other mark
    # stands whole beside it (。」).
    marks = ("open", "close", "stop")
    centred = centred_stops(face)
    for index in range(len(result) - 1):
        first, second = result[index], result[index + 1]
        if first.kind in marks and second.kind in marks:
            if first.kind == "open" and second.kind == "open":
                result[index + 1] = _squeezed(second, face)
            elif centred and first.kind == "stop":
                if second.kind == "open":
                    result[index + 1] = _squeezed(second, face)
            elif first.kind in ("close", "stop") and not first.squeeze:
                result[index] = _squeezed(first, face)
    if kaiming and not centred:  # 开明式 halves stops, and a centred stop has no half
        result = [_squeezed(unit, face) if unit.text in KAIMING_HALF and not unit.squeeze
                  else unit for unit in result]
    # A mark beside another has given its half em to the pair (”。 takes 1.5 em): it is
    # compressed no further, or the pair would read as one jammed mark.
    for index, unit in enumerate(result):
        if unit.compressible and any(0 <= other < len(result) and result[other].kind in marks
                                     for other in (index - 1, index + 1)):
            result[index] = dataclasses.replace(unit, compressible=False)
    return result


def _compressible(mark: str, face: Metrics) -> bool:
    return mark in compressible_marks(face)


def _squeezed(unit: Unit, face: Metrics) -> Unit:
    side = "left" if unit.kind == "open" else "right"
    halt = face.has_halt and not unit.borrowed
    width = face.advance(unit.text, halt=True) if halt else unit.width - HALF
    return Unit(unit.text, unit.kind, min(width, unit.width - HALF + 1e-9), side,
                borrowed=unit.borrowed, compressible=unit.compressible, glued=unit.glued)


def may_break(before: Unit, after: Unit) -> bool:
    """Whether a line may end after ``before`` and the next start with ``after``."""
    # No closing mark, stop, middle dot, dash or ellipsis starts a line (2021—2025 stays
    # whole); no opening mark ends one.
    if after.kind in ("close", "stop", "middle", "paired") or before.kind == "open":
        return False
    if after.glued:  # a no-break space stands between them
        return False
    # The same for the ASCII marks of a Latin run: (三) stays whole.
    if before.kind == "latin" and before.text[-1] in LATIN_OPENING:
        return False
    if after.kind == "latin" and after.text[0] in LATIN_CLOSING:
        return False
    return True


def gap(before: Unit, after: Unit) -> float:
    """The fixed gap between two units: only a Han character beside a Latin letter or
    digit gets one (2021年, 5G网络), not one beside a sign such as + or %."""
    if before.kind == "han" and after.kind == "latin" and after.text[0].isalnum():
        return HAN_LATIN_GAP
    if before.kind == "latin" and after.kind == "han" and before.text[-1].isalnum():
        return HAN_LATIN_GAP
    return 0.0


def stretchable(before: Unit, after: Unit) -> bool:
    """Whether justification may widen the gap between two units: not inside a paired
    mark (—— stays one dash), not inside a word, not at a Han-Latin gap (it has its own).
    Inside a piece cut character by character (a long number) only the run's tracking
    may, as inside any Latin run."""
    return not (gap(before, after) or (before.kind == "paired" and after.kind == "paired")
                or before.split is not None)


def compressible(unit: Unit) -> bool:
    """A full-width mark whose blank half may be taken away inside a line."""
    return unit.compressible and not unit.squeeze and unit.width > 0.9


def whole(unit: Unit) -> Unit:
    """A mark with its blank half given back, as it stands at the end of a line."""
    if not unit.squeeze:
        return unit
    return Unit(unit.text, unit.kind, unit.width + HALF, borrowed=unit.borrowed,
                compressible=unit.compressible, glued=unit.glued)


def set_line(line: list[Unit], fit: Fit, face: Metrics, size: float, measure: float,
             indent: float, justified: bool) -> Line:
    """Set ``line`` (units) as ``fit`` says, ``measure`` pt wide from an indent of ``indent``."""
    line = line[:-1] + [whole(line[-1])]
    gaps = []
    for before, after in zip(line, line[1:]):
        fixed = gap(before, after)
        gaps.append(fixed + fit.latin_gap if fixed else
                    (fit.stretch if stretchable(before, after) else 0.0)
                    + (fit.word_space if before.kind == "space" and before.text == " " else 0.0)
                    + (fit.tracking if before.forced else 0.0))  # between a run's letters
    gaps.append(0.0)
    segments: list[Segment] = []
    width = 0.0
    for index, (unit, after) in enumerate(zip(line, gaps)):
        cut = fit.mark_shrink if index < len(line) - 1 and compressible(unit) else 0.0
        if index == len(line) - 1 and fit.end != "whole":
            cut = HALF if fit.end == "half" else unit.width
        tracking = fit.tracking if unit.kind == "latin" and len(unit.text) > 1 else 0.0
        hang = index == len(line) - 1 and fit.end == "hang"
        segment = _segment(unit, after * size, cut * size, face, size, tracking * size, hang)
        if index and line[index - 1].forced and segments and _joinable(segments[-1], segment):
            segment = _joined(segments.pop(), segment)
        segments.append(segment)
        width += unit.width - cut + after + tracking * (len(unit.text) - 1)
    text = "".join(unit.text for unit in line)
    if line[-1].split:
        segments.append(Segment(line[-1].split, latin=True))
        text += line[-1].split
        width += face.width(line[-1].split, "latin")
    if fit.end == "hang":
        width += line[-1].width
    return Line(tuple(_merged(segments)), text, width * size, measure - indent, indent,
                justified)


def _segment(unit: Unit, gap: float, cut: float, face: Metrics, size: float,
             tracking: float, hang: bool = False) -> Segment:
    """One unit as WeasyPrint sets it: ``gap`` pt after it, ``cut`` pt of its blank taken
    away (a halved or hung mark at a line's end, a compressed one inside)."""
    if unit.kind == "latin" or unit.kind == "space":
        # CSS letter-spacing follows every letter, the last too: the margin takes it back.
        return Segment(unit.text, letter_spacing=tracking, margin_right=gap - tracking,
                       latin=True)
    borrowed = unit.borrowed
    if hang:
        # A letter-spacing of minus the whole advance makes Pango move the glyph back over
        # its neighbour; a negative margin leaves it where it stands.
        return Segment(unit.text, margin_right=-cut, borrowed=borrowed)
    if cut:
        if unit.kind == "open":
            return Segment(unit.text, letter_spacing=gap, margin_left=-cut, borrowed=borrowed)
        return Segment(unit.text, letter_spacing=gap - cut, borrowed=borrowed)
    if not unit.squeeze:
        return Segment(unit.text, letter_spacing=gap / len(unit.text), borrowed=borrowed)
    if face.has_halt and not borrowed:
        return Segment(unit.text, letter_spacing=gap, halt=True)
    if unit.squeeze == "right":
        return Segment(unit.text, letter_spacing=gap - HALF * size, borrowed=borrowed)
    return Segment(unit.text, letter_spacing=gap, margin_left=-HALF * size, borrowed=borrowed)


def _joinable(before: Segment, after: Segment) -> bool:
    """Whether two characters of a number cut character by character (``split_wide``)
    print as one run: a thousand digits as a few spans, not a thousand. Letters stay
    apart, so that no kerning between them moves the line's end."""
    if not (before.latin and after.latin and len(after.text) == 1) or after.letter_spacing \
            or before.margin_left or after.margin_left:
        return False
    if any(char.isalpha() for char in before.text + after.text):
        return False
    gap = before.letter_spacing + before.margin_right  # after its last character
    return len(before.text) == 1 or abs(gap - before.letter_spacing) < 1e-9


def _joined(before: Segment, after: Segment) -> Segment:
    """One run of ``before`` and ``after``, every gap inside it as letter-spacing."""
    spacing = before.letter_spacing + before.margin_right
    return Segment(before.text + after.text, letter_spacing=spacing,
                   margin_right=after.margin_right - spacing, latin=True)


def _merged(segments: list[Segment]) -> list[Segment]:
    """Join neighbours that WeasyPrint can set as one run (same spacing, plain text)."""
    merged: list[Segment] = []
    for segment in segments:
        previous = merged[-1] if merged else None
        if previous and _plain(segment) and _plain(previous) \
                and previous.borrowed == segment.borrowed \
                and abs(previous.letter_spacing - segment.letter_spacing) < 1e-6:
            merged[-1] = Segment(previous.text + segment.text, previous.letter_spacing,
                                 borrowed=segment.borrowed)
        else:
            merged.append(segment)
    return merged


def _plain(segment: Segment) -> bool:
    return not (segment.halt or segment.latin or segment.margin_left or segment.margin_right)
