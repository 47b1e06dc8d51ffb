"""The typography check of a built page (排版检查): what a proofreader measures with a loupe.

This module reads a finished PDF, never the composer's own figures, so it can catch the
composer (or WeasyPrint) being wrong. PDFium gives every glyph with its origin, its boxes,
its font and its size; from those the check rebuilds the lines of the page and measures
them against the rules of Chinese newspaper setting (clreq, GB/T 15834):

* flush justification: a line that is not its paragraph's last ends on its measure's right
  edge (body: the column; editor's note: its column in the box, the note standing in one
  or in columns of its own; caption: the photo's width);
* no line starts with a closing mark or ends with an opening one (避头尾), and no line
  starts or ends with a space;
* no paragraph's last line holds fewer than two characters besides punctuation (孤字:
  一字 or 图”。 alone on a line), in the body, the editor's note and the captions;
* two adjacent marks take at most 1.5 em (标点挤压);
* a Han character beside a Latin letter or digit stands 1/8 to 1/4 em from it;
* body lines lie on one baseline grid, the byline's on the same, and the columns end level;
* the colour of the body (灰度): on each justified body line (not a paragraph's last) the
  space added between adjacent Han characters (the next one's origin less this one's, less
  1 em; the line's figure is the median over its Han–Han gaps) is at most 0.08 em, and
  above 0.05 em on at most 1 % of those lines (a line holding a Latin word wider than a
  third of its measure is excepted, the word may open it up); and within each of them the
  Han–Han gaps differ by at most 0.02 em (uneven lines: the slack piled into a few gaps).
  A space is a character, not slack: WeasyPrint draws no glyph for the ideographic space
  of 第一条　总则, so a Han–Han gap one em wider than the line's spacing is taken for one;
* the editor's note and the captions are set in lines of at most 40 characters (the Kai
  lines of the note's box, the label aside; the Kai lines under a photo);
* nothing is printed over anything else: no two glyphs of different lines touch (their
  tight boxes, less 0.3 pt a side, intersect), and no glyph stands on a photo where it
  shows (the image's extent cut by its clip path: WeasyPrint draws a photo whole, scaled
  to cover its box, and clips it to the box).

A Traditional page (the PDF catalog's /Lang, written from the manuscript's ``lang:``, names
Traditional text: zh-TW, zh-HK, zh-Hant …; ``pressroom.lang``) is measured by the rules of
Taiwan's 重訂標點符號手冊 and Hong Kong's papers, whose stops 。，、；：？！ stand in the middle
of the em box:

* no stop is compressed: inside a line it has its full em between its neighbours (the
  line's spacing left out; a bracket beside it, which may have given its blank half,
  counted from its ink: ``_stop_room``), and at a line's end it is neither set half width
  nor hung outside the column (either leaves its ink across the measure's edge);
* every stop's ink stands within ``STOP_CENTRE_EM`` of its em box's centre, across and up:
  the em box runs from its origin one em (its size) to the right, and from the face's
  ideographic em box top to bottom (OS/2's typographic ascender and descender of the
  embedded font, which CJK faces set to the em box: 0.88 and 0.12 em in Noto CJK);
* two adjacent marks take at most 1.5 em only where a bracket or quote has its blank half
  facing the other mark (」「, 」。, 。「); a stop before a closing mark or another stop
  has no blank half to give, and the pair keeps its 2 em (。」).

A Simplified page is measured as before, and its report carries none of these figures.

How a line's extent is measured. A glyph's origin is where the PDF puts it; its advance is
where its em box ends. PDFium's loose box (pypdfium2 5.15) is the union of the advance box
and the ink box, so its right edge is the advance unless the ink reaches further (思 in
Noto Serif overshoots by 0.02 em); then the font's declared width is taken instead. (The
font's width by character alone is not enough: Pango may draw another glyph for a digit,
and 1 or 5 then have another width.) A mark set with the ``halt`` feature is drawn with
its full declared width and moved back with a TJ adjustment, so mid line its real advance
is the next origin minus its own, less the line's justification spacing (what a Han
character or a mark stands from its neighbour beyond its advance). At a line's end a
halved mark looks the same as a whole one (only the blank half after it differs): a line
that ends on a stop or closing mark is flush when the mark's full advance, its half (set
half width, as clreq allows) or its origin (hung outside the column, 行末点号悬挂) meets the
measure's edge, whichever is nearest; any other line's right edge is its last glyph's
origin plus declared width.

Which line a glyph is on. Body glyphs are Song at the body size, one line per column and
baseline; a glyph belongs to the column its ink stands in (an opening mark at a line's start
may be pulled left, its origin outside the column, its ink inside). Overlaps are judged on
the lines as the page draws them: a line runs on while the baseline stays and each glyph
stands right of the one before, so that the glyphs of one line (a compressed pair) never
count as an overlap.

``check_pdf(pdf, settings, page)`` returns a ``Report``; ``Report.failures()`` names what is over
its limit, ``str(report)`` prints every figure, one a line, then the problems found.
"""
from __future__ import annotations

import ctypes
import dataclasses
import io
import math
import statistics
from collections import Counter
from dataclasses import dataclass, fields
from pathlib import Path
from struct import error as struct_error

import pypdfium2
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTFont, TTLibError

from ..lang import convention
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
LOOSE_EM = 0.08  # more space between Han characters than this is a loose line
SPACED_EM = 0.05  # more than this is allowed on a share of the lines only
SPACED_SHARE_PERCENT = 1.0  # of the justified body lines measured
UNEVEN_EM = 0.02  # Han–Han gaps of one line differing by more than this
LONG_WORD_SHARE = 1 / 3  # of the measure: a Latin word that wide excepts its line
NOTE_LINE_CHARS = 40  # characters on a line of the editor's note
CAPTION_LINE_CHARS = 40  # characters on a caption line
OVERLAP_TOLERANCE_PT = 0.3  # ink boxes shrunk by this a side before they may meet
# Kai texts on one baseline are two lines where more than this (in em) parts them: the
# note's columns stand 1.5 em apart, a caption's credit 1 em after its text.
KAI_GAP_EM = 1.25
MAX_PROBLEMS_SHOWN = 30
# Traditional pages: how far a stop's ink centre may stand from its em box's centre. The
# faces' centred stops sit within 0.03 em of it, but for ；, whose comma reaches below
# (0.08 to 0.099 em in Noto Serif and Sans CJK TC and HK, the bold Serif the furthest,
# 0.02 em in TW-Kai); a stop in the corner of its em box (a Simplified form, 。 at 0.32
# em across and down) is far outside.
STOP_CENTRE_EM = 0.1
# The ideographic em box of a face whose embedded font does not say (Noto CJK's): 0.88 em
# above the baseline, 0.12 em below.
EM_BOX_ASCENT = 0.88
EM_BOX_DESCENT = 0.12

OPENING = "（《「『“‘〈【〔〖［｛"
CLOSING = "）》」』”’〉】〕〗］｝"
STOPS = "。，、；：？！"
NO_LINE_START = frozenset(STOPS + CLOSING + "…—")
NO_LINE_END = frozenset(OPENING)
MARKS = frozenset(STOPS + CLOSING + OPENING)
CHINESE_MARKS = MARKS | frozenset("—…·・")
HALVED_AT_LINE_END = frozenset("。，、；：" + CLOSING)  # marks with their blank on the right
CENTRED_STOPS = frozenset(STOPS)  # on a Traditional page: in the middle of the em box
# What does not count as a character of a paragraph's last line (孤字).
NOT_COUNTED_ON_LAST_LINE = MARKS | frozenset("…")

Box = tuple[float, float, float, float]  # left, top, right, bottom, in pt from the top left


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
    lone_characters: int = 0  # last lines with fewer than two characters besides marks
    mark_pairs: int = 0  # adjacent marks measured
    uncompressed_pairs: int = 0
    han_latin_gaps: int = 0  # gaps measured
    han_latin_gaps_out_of_range: int = 0
    pitch_pt: float = 0.0
    baseline_misalignment_pt: float = 0.0  # of body lines, from the grid
    byline_misalignment_pt: float = 0.0  # of byline lines, from the body's grid
    column_end_spread: float = 0.0
    justified_lines: int = 0  # body lines measured for spacing: not a paragraph's last
    loose_lines: int = 0  # of those, spaced more than LOOSE_EM (long Latin words excepted)
    max_spacing_em: float = 0.0  # the widest spacing of a justified body line
    lines_over_005: int = 0  # justified body lines spaced more than SPACED_EM
    lines_over_005_percent: float = 0.0  # the same, as a share of justified_lines
    uneven_lines: int = 0  # justified body lines whose Han–Han gaps differ by > UNEVEN_EM
    max_gap_spread_em: float = 0.0  # the largest such difference on a line
    widest_note_line: int = 0  # characters
    widest_caption_line: int = 0  # characters
    overlaps: int = 0  # glyph pairs of different lines, and glyphs on a photo, that meet
    # Traditional pages only (``TRADITIONAL_FIGURES``): measured by the rules of centred stops.
    centred_stops: bool = False  # the page's /Lang names Traditional text
    stops_measured: int = 0  # stops whose ink was measured in its em box
    compressed_stops: int = 0  # narrower than an em inside a line, or at its end set half
    hung_stops: int = 0  # hung outside the column at a line's end
    off_centre_stops: int = 0  # ink further than STOP_CENTRE_EM from the em box's centre
    max_stop_offset_em: float = 0.0  # the furthest a stop's ink centre stands from it
    problems: tuple[Problem, ...] = ()

    def failures(self) -> list[str]:
        """Each figure over its limit, as ``name: value (limit ...)``."""
        found = []
        if self.body_lines == 0:
            found.append("body_lines: 0 (no body text found in the columns)")
        if self.justified_lines and self.loose_lines > SYSTEMATIC_SHARE * self.justified_lines:
            # The text forces a loose line here and there, never a quarter of them: that
            # is the setting (a stylesheet's letter-spacing, a wrong measure).
            found.append(f"loose_lines: {self.loose_lines} of {self.justified_lines} justified "
                         f"lines (over {SYSTEMATIC_SHARE:.0%}: a fault of the setting)")
        return found + self._over(_LIMITS) + self._over(_TRADITIONAL_LIMITS)

    def colour_faults(self) -> list[str]:
        """Each colour figure over its limit (``COLOUR_LIMITS``), in the same form."""
        return self._over(COLOUR_LIMITS)

    def _over(self, limits: dict[str, float]) -> list[str]:
        return [f"{name}: {_shown(getattr(self, name), name)} (limit {_shown(limit, name)})"
                for name, limit in limits.items() if getattr(self, name) > limit]

    def lines(self) -> list[str]:
        """The printable report: one figure a line, then the problems found."""
        out = []
        for item in fields(self):
            if item.name == "problems" or (item.name in TRADITIONAL_FIGURES
                                           and not self.centred_stops):
                continue
            value = getattr(self, item.name)
            limit = _LIMITS.get(item.name, COLOUR_LIMITS.get(item.name,
                                                              _TRADITIONAL_LIMITS.get(item.name)))
            verdict = "  FAIL" if item.name in _LIMITS or item.name in _TRADITIONAL_LIMITS \
                else "  WARN"
            mark = "" if limit is None else f"  (limit {_shown(limit, item.name)})" + (
                verdict if value > limit else "")
            out.append(f"{item.name}: {_shown(value, item.name)}{mark}")
        if self.problems:
            out.append(f"problems ({len(self.problems)}):")
            out += [f"  {problem}" for problem in self.problems[:MAX_PROBLEMS_SHOWN]]
            if len(self.problems) > MAX_PROBLEMS_SHOWN:
                out.append(f"  ... and {len(self.problems) - MAX_PROBLEMS_SHOWN} more")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def summary(self) -> str:
        """The report in one line: what was checked, the figures that have a limit, and the
        count of spaced lines, the widest spacing and the largest gap spread found."""
        traditional = ("stops_measured", *_TRADITIONAL_LIMITS, "max_stop_offset_em") \
            if self.centred_stops else ()
        figures = ", ".join(f"{name} {_shown(getattr(self, name), name)}"
                            for name in (*_LIMITS, *COLOUR_LIMITS, *_SUMMARY_EXTRA, *traditional))
        return (f"{self.lines_checked} lines checked ({self.body_lines} body, {self.note_lines} "
                f"note, {self.caption_lines} caption; {self.justified_lines} justified body "
                f"lines measured for spacing): {figures}")


_LIMITS: dict[str, float] = {
    "lines_not_flush": 0,
    "prohibited_starts": 0,
    "prohibited_ends": 0,
    "spaces_at_line_ends": 0,
    "uncompressed_pairs": 0,
    "han_latin_gaps_out_of_range": 0,
    "baseline_misalignment_pt": GRID_TOLERANCE_PT,
    "byline_misalignment_pt": GRID_TOLERANCE_PT,
    "column_end_spread": COLUMN_END_LIMIT,
    "uneven_lines": 0,
    "widest_note_line": NOTE_LINE_CHARS,
    "widest_caption_line": CAPTION_LINE_CHARS,
    "overlaps": 0,
}
# The colour of the body: limits the text itself may leave no way to keep. On an
# 11-character measure a line holds whole characters, so a paragraph such as one ending
# （以下简称《报告》）。 can end on a lone 告》）。 or spread a line above it, never neither;
# the breaker chooses the lesser. Beyond these limits the page is flagged for the editor
# (改字: a word changed, a line gained or lost), a warning, not a fault of the setting;
# ``invoke check --strict`` fails on it.
SYSTEMATIC_SHARE = 0.25  # of the justified lines loose: past this a failure, not a warning
COLOUR_LIMITS: dict[str, float] = {
    "loose_lines": 0,
    "lines_over_005_percent": SPACED_SHARE_PERCENT,
    "lone_characters": 0,
}
# Figures without a limit that the one-line summary shows too.
_SUMMARY_EXTRA = ("lines_over_005", "max_spacing_em", "max_gap_spread_em")
# Faults of the setting on a Traditional page only (zero on any other, and not shown).
_TRADITIONAL_LIMITS: dict[str, float] = {
    "compressed_stops": 0,
    "hung_stops": 0,
    "off_centre_stops": 0,
}
TRADITIONAL_FIGURES = frozenset({"centred_stops", "stops_measured", "max_stop_offset_em",
                                 *_TRADITIONAL_LIMITS})


def _shown(value: float, name: str = "") -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}" if name.endswith("_em") else f"{value:.2f}"


# -- reading the glyphs ------------------------------------------------------------


def sheet_size(page) -> tuple[float, float]:
    """A PDFium page's sheet, its TrimBox: width, and the height its top-down coordinates
    are measured from. WeasyPrint puts a press PDF's bleed around the trim, whose
    bottom-left corner stays the origin."""
    left, bottom, right, top = page.get_trimbox()
    return right - left, top

@dataclass(frozen=True)
class Glyph:
    """One drawn character, in pt from the page's top-left corner."""

    char: str
    x: float  # origin
    y: float  # baseline
    advance: float  # declared width at this size
    size: float  # pt, as printed (the text matrix's scale included)
    font: str  # base name, without the subset tag
    ink: "Box" = (0.0, 0.0, 0.0, 0.0)  # the tight box of what is drawn: left, top, right, bottom
    em_box: "Box | None" = None  # its em box, where asked for (``read_page(em_boxes=...)``)

    @property
    def right(self) -> float:
        return self.x + self.advance

    @property
    def centre(self) -> float:
        """Across: the middle of its ink (of its em box if it has none). An opening mark at
        a line's start may be pulled left, its origin outside the column while its ink, in
        the em's right half, is inside: the ink says which column the glyph is set in."""
        left, _, right, _ = self.ink
        return (left + right) / 2 if right > left else self.x + self.advance / 2


def read_glyphs(pdf: Path, number: int = 0) -> tuple[float, float, list[Glyph]]:
    """The page's width, height and every glyph of page ``number`` (from 0; PDFium's own
    spaces left out), in the order the page draws them."""
    width, height, glyphs, _ = read_page(pdf, number)
    return width, height, glyphs


def read_page(pdf: Path, number: int = 0, em_boxes: frozenset[str] = frozenset()
              ) -> tuple[float, float, list[Glyph], list[Box]]:
    """``read_glyphs``, and where each image of the page shows (``visible_images``). The
    glyphs of the characters in ``em_boxes`` carry their em box (``Glyph.em_box``)."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[number]
        try:
            # The sheet is the TrimBox: a press PDF's bleed lies beyond it (its origin
            # stays the trim's bottom-left corner, so only the height changes).
            width, height = sheet_size(page)
            textpage = page.get_textpage()
            try:
                glyphs = []
                faces: dict[int | None, tuple[float, float]] = {}  # em boxes, by PDFium font
                for index in range(textpage.count_chars()):
                    glyph = _glyph(textpage.raw, index, height)
                    if glyph is None:
                        continue
                    if glyph.char in em_boxes:
                        glyph = dataclasses.replace(
                            glyph, em_box=_em_box(textpage.raw, index, glyph, faces))
                    glyphs.append(glyph)
            finally:
                textpage.close()
            images = visible_images(page.raw, height)
        finally:
            page.close()
    finally:
        document.close()
    return width, height, glyphs, images


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
    left, right, bottom, top = (value.value for value in ink)
    return Glyph(char, x.value, page_height - y.value, max(advance, 0.0), size, name,
                 (left, page_height - top, right, page_height - bottom))


def _em_box(raw, index: int, glyph: Glyph, faces: dict) -> Box:
    """The em box of the glyph at ``index``: one em (its size) square, from its origin to
    the right, and from its face's ideographic em box top (above the baseline) to bottom
    (``faces``: the face's figures already read, by its PDFium font)."""
    font = pdfium_c.FPDFTextObj_GetFont(pdfium_c.FPDFText_GetTextObject(raw, index))
    key = ctypes.cast(font, ctypes.c_void_p).value if font else None
    if key not in faces:
        faces[key] = _ideographic_em_box(font) if font else (EM_BOX_ASCENT, EM_BOX_DESCENT)
    ascent, descent = faces[key]
    return (glyph.x, glyph.y - ascent * glyph.size, glyph.x + glyph.size,
            glyph.y + descent * glyph.size)


def _ideographic_em_box(font) -> tuple[float, float]:
    """How far the em box of an embedded face reaches above and below the baseline, in em:
    OS/2's typographic ascender and descender, which CJK faces set to the ideographic em
    box (Noto CJK 0.88 and 0.12, TW-Kai 0.80 and 0.20). A face that embeds no OpenType
    font, or whose figures do not make one em, is taken to have Noto CJK's."""
    size = ctypes.c_size_t()
    if not pdfium_c.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size)) or not size.value:
        return EM_BOX_ASCENT, EM_BOX_DESCENT
    data = (ctypes.c_uint8 * size.value)()
    if not pdfium_c.FPDFFont_GetFontData(font, data, size.value, ctypes.byref(size)):
        return EM_BOX_ASCENT, EM_BOX_DESCENT
    try:
        with TTFont(io.BytesIO(bytes(data)), lazy=True) as face:
            upem = face["head"].unitsPerEm
            ascent = face["OS/2"].sTypoAscender / upem
            descent = -face["OS/2"].sTypoDescender / upem
    except (TTLibError, KeyError, AssertionError, ValueError, ZeroDivisionError, struct_error):
        return EM_BOX_ASCENT, EM_BOX_DESCENT
    if abs(ascent + descent - 1.0) > 0.05:  # line spacing, not the em box
        return EM_BOX_ASCENT, EM_BOX_DESCENT
    return ascent, descent


_Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as PDF writes them


def _on_point(chain: tuple[_Matrix, ...], x: float, y: float) -> tuple[float, float]:
    """A point of the innermost form's space, in the page's (the chain runs outside in)."""
    for a, b, c, d, e, f in reversed(chain):
        x, y = a * x + c * y + e, b * x + d * y + f
    return x, y


def _on_rect(chain: tuple[_Matrix, ...], left: float, bottom: float, right: float,
             top: float) -> tuple[float, float, float, float]:
    corners = [_on_point(chain, x, y) for x in (left, right) for y in (bottom, top)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _clip_rect(obj, chain: tuple[_Matrix, ...]) -> tuple[float, float, float, float] | None:
    """The box around an object's clip path, in the page's space (PDF's, y up); None when
    it has none. The clip is the intersection of its paths: the box is that of their boxes
    (a path's box: of its points, control points included)."""
    clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    box = None
    for path in range(pdfium_c.FPDFClipPath_CountPaths(clip)):
        xs, ys = [], []
        for index in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, path)):
            segment = pdfium_c.FPDFClipPath_GetPathSegment(clip, path, index)
            x, y = ctypes.c_float(), ctypes.c_float()
            if segment and pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x),
                                                             ctypes.byref(y)):
                xs.append(x.value)
                ys.append(y.value)
        if xs:
            rect = _on_rect(chain, min(xs), min(ys), max(xs), max(ys))
            box = rect if box is None else _intersection(box, rect)
    return box


def _intersection(one, two):
    return (max(one[0], two[0]), max(one[1], two[1]), min(one[2], two[2]), min(one[3], two[3]))


def visible_images(raw_page, page_height: float) -> list[Box]:
    """Where each image drawn on the page shows (``visible_image_objects``)."""
    return [box for box, _ in visible_image_objects(raw_page, page_height)]


def visible_image_objects(raw_page, page_height: float) -> list[tuple[Box, object]]:
    """Where each image drawn on the page shows, in pt from the page's top-left corner, with
    the object of the page's own content that draws it (the image, or the form holding it:
    what carries its marked content, its tag or its /Artifact mark). Each box is the
    image's extent cut by its clip path and those of the forms around it. WeasyPrint draws
    a photo whole, scaled to cover its box (object-fit), and clips it to the box, so the
    image's own extent may reach well past what is seen. PDFium gives an object's bounds and
    its clip path's points in the space of the content that draws it: the page's (y up)
    for an object on the page, the form's for one inside a form XObject, which the form's
    matrix takes to the space around it."""
    found: list[tuple[Box, object]] = []

    def walk(count: int, get, chain: tuple[_Matrix, ...], shown, outer=None) -> None:
        for index in range(count):
            obj = get(index)
            holder = obj if outer is None else outer
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind not in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM):
                continue
            clip = _clip_rect(obj, chain)
            area = shown if clip is None else clip if shown is None else _intersection(shown, clip)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                matrix = pdfium_c.FS_MATRIX()
                if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
                    continue
                own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
                walk(pdfium_c.FPDFFormObj_CountObjects(obj),
                     lambda number, form=obj: pdfium_c.FPDFFormObj_GetObject(form, number),
                     (*chain, own), area, holder)
                continue
            bounds = [ctypes.c_float() for _ in range(4)]  # left, bottom, right, top
            if not pdfium_c.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in bounds)):
                continue
            rect = _on_rect(chain, *(value.value for value in bounds))
            if area is not None:
                rect = _intersection(rect, area)
            left, bottom, right, top = rect
            if right > left and top > bottom:
                found.append(((left, page_height - top, right, page_height - bottom), holder))

    walk(pdfium_c.FPDFPage_CountObjects(raw_page),
         lambda number: pdfium_c.FPDFPage_GetObject(raw_page, number), (), None)
    return found


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
    measure_left: float | None = None  # where the measure starts


def _near(value: float, target: float) -> bool:
    return abs(value - target) <= SIZE_TOLERANCE_PT


def _body_lines(glyphs: list[Glyph], grid: _Grid, top: float) -> list[TextLine]:
    """Song at the body size, inside the type area and below the masthead strip, one line
    per column and baseline, in reading order (column by column, top to bottom). A glyph
    belongs to the column its ink stands in (``Glyph.centre``)."""
    rows: dict[tuple[int, float], list[Glyph]] = {}
    for glyph in glyphs:
        if glyph.font.startswith(BODY_FONT) and _near(glyph.size, grid.body_size) \
                and glyph.y > top and grid.left - FLUSH_TOLERANCE_PT <= glyph.centre \
                <= grid.right + grid.gap:
            rows.setdefault((grid.column_of(glyph.centre), round(glyph.y, 1)), []).append(glyph)
    return [TextLine("body", tuple(sorted(rows[key], key=lambda g: g.x)), key[0])
            for key in sorted(rows)]


def _borrowed_by_kai(glyph: Glyph, kai_glyphs: list[Glyph]) -> bool:
    """A Song mark a Kai line draws with Song's form (a face whose own form is narrow or
    centred in its em box): a bracket or quote of Song standing beside a Kai glyph of its
    size on its baseline, such as the brackets of a Traditional jump line （上接第1版）."""
    if not glyph.font.startswith(BODY_FONT) or glyph.char not in MARKS:
        return False
    return any(abs(other.y - glyph.y) < 0.1 and _near(other.size, glyph.size)
               and min(abs(other.x - glyph.right), abs(glyph.x - other.right)) < 0.5 * glyph.size
               for other in kai_glyphs)


def _kai_blocks(glyphs: list[Glyph], settings: Settings, top: float,
                labels: list[Glyph] = ()) -> list[list[TextLine]]:
    """Kai lines at the note, caption or byline size, cut where a gap wider than
    ``KAI_GAP_EM`` parts two texts on one baseline (two columns of the note, two captions
    side by side), then stacked into blocks of lines one under the other. A line's
    extent takes in a label in another face just before it on its baseline (编者按 in Hei),
    so that a short last line under the label still joins its note. A mark Kai has only in
    a narrow form (its curly quotes) is drawn by Song at full width: a Song mark at a Kai
    size other than the body's belongs to the Kai line it stands on."""
    sizes = {settings.note_size, settings.caption_size, settings.byline_size}

    def kai(glyph: Glyph) -> bool:
        return glyph.font.startswith(KAI_FONT) or (
            glyph.font.startswith(BODY_FONT) and glyph.char in MARKS
            and not _near(glyph.size, settings.body_size))

    rows: dict[tuple[float, float], list[Glyph]] = {}
    for glyph in glyphs:
        if kai(glyph) and glyph.y > top and any(_near(glyph.size, size) for size in sizes):
            rows.setdefault((round(glyph.size, 2), round(glyph.y, 1)), []).append(glyph)
    lines: list[TextLine] = []
    for (size, _), row in sorted(rows.items(), key=lambda item: (item[0][0], item[0][1])):
        row.sort(key=lambda glyph: glyph.x)
        start = 0
        for index in range(1, len(row) + 1):
            if index == len(row) or row[index].x - row[index - 1].right > KAI_GAP_EM * size:
                lines.append(TextLine("kai", tuple(row[start:index])))
                start = index
    def reach(line: TextLine) -> float:
        """Where the line starts, its label included."""
        before = [glyph.x for glyph in labels if abs(glyph.y - line.baseline) < 0.1
                  and _near(glyph.size, line.size) and 0 <= line.left - glyph.x <= 6 * line.size]
        return min([line.left, *before])

    blocks: list[list[TextLine]] = []
    for line in lines:  # sorted by size, then top to bottom
        for block in blocks:
            previous = block[-1]
            if previous.size == line.size and 0 < line.baseline - previous.baseline \
                    <= 2.2 * line.size and line.left < previous.right and line.right > reach(previous):
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
                                first, last, grid.column_right(line.column),
                                grid.column_left(line.column)))
    first_body = min((line.baseline for line in body), default=math.inf)
    notes = [block for block in blocks if _near(block[0].size, settings.note_size)
             and block[-1].baseline < first_body]
    checked += _note_lines(notes, labels, grid, settings)
    bylines, captions = [], []
    for block in blocks:
        if any(block is note for note in notes):
            continue
        block_size = block[0].size
        block_left = min(line.left for line in block)
        aligned = grid.column_at(block_left)
        if _near(block_size, settings.caption_size) and aligned is not None:
            role = "caption"
            measure_left = grid.column_left(aligned)
            measure_right = measure_left + grid.figure_width
        elif _near(block_size, settings.caption_size):
            role = "caption"
            measure_left = block_left
            measure_right = max(line.right for line in block)
        elif _near(block_size, settings.byline_size):
            bylines += [TextLine("byline", line.glyphs) for line in block]
            continue
        else:
            continue
        marks = _paragraph_marks(block, lambda line: line.left - block_left >= 0.5 * line.size)
        for number, (line, (first, last)) in enumerate(zip(block, marks), 1):
            line = TextLine(role, line.glyphs)
            if role == "caption":
                captions.append(line)
            where = f"{role} at {line.baseline:.1f} pt, line {number}"
            checked.append(_Checked(line, where, first, last, measure_right, measure_left))
    return checked, bylines, captions


def _note_lines(columns: list[list[TextLine]], labels: list[Glyph], grid: _Grid,
                settings: Settings) -> list[_Checked]:
    """The editor's note's lines, with their paragraphs and measures. The note may stand in
    columns of its own (变栏): equal measures side by side in its box, read left to right,
    a paragraph running on from one column into the next. The box is centred on the type
    area, its padding the same both sides, so its text ends as far inside the type area's
    right edge as it starts inside the left; the last column ends there, and each column is
    as wide as the last."""
    if not columns:
        return []
    columns = sorted(columns, key=lambda block: min(line.left for line in block))
    lefts = [min(line.left for line in block) for block in columns]
    # The note's label is not Kai: the first line's Kai text starts after the label.
    first = columns[0][0]
    lefts[0] = min([lefts[0]] + [glyph.x for glyph in labels
                                 if abs(glyph.y - first.baseline) < 0.1
                                 and _near(glyph.size, settings.note_size)])
    measure = grid.left + grid.right - lefts[0] - lefts[-1]
    lines = [(line, left) for block, left in zip(columns, lefts) for line in block]
    starts = [index == 0 or line.left - left >= 0.5 * line.size
              for index, (line, left) in enumerate(lines)]
    checked = []
    for number, (line, left) in enumerate(lines):
        last = number == len(lines) - 1 or starts[number + 1]
        where = f"note at {line.baseline:.1f} pt, line {number + 1}"
        checked.append(_Checked(TextLine("note", line.glyphs), where, starts[number], last,
                                left + measure, left))
    return checked


# -- the measures -------------------------------------------------------------------

def is_han(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF \
        or 0x20000 <= code <= 0x3FFFF


def is_latin(char: str) -> bool:
    """A Latin (Greek, Cyrillic) letter or an ASCII digit: what stands apart from Han."""
    return ord(char) < 0x2000 and char.isalnum()


def _tracking(glyphs: tuple[Glyph, ...], size: float) -> float:
    """The line's justification spacing: how far a Han character stands from the next
    (or, failing that, from a mark, or a mark from what follows it), beyond its advance
    (the slack is spread evenly). A Han-Latin gap is not spacing, and a mark whose neighbour starts more
    than a quarter em inside its advance is a compressed mark."""
    # After Han characters first: a mark inside a line may be compressed by any part of
    # its blank half, which is not the line's spacing.
    between_han = [b.x - a.right for a, b in zip(glyphs, glyphs[1:])
                   if is_han(a.char) and is_han(b.char)]
    after_han = between_han or [b.x - a.right for a, b in zip(glyphs, glyphs[1:])
                                if is_han(a.char) and not is_latin(b.char)]
    if after_han:
        return statistics.median(after_han)
    spaces = [b.x - a.right for a, b in zip(glyphs, glyphs[1:])
              if a.char in CHINESE_MARKS and b.x - a.right > -0.25 * size]
    return statistics.median(spaces) if spaces else 0.0


def _han_gaps(glyphs: tuple[Glyph, ...], size: float) -> list[float]:
    """The space added between each two adjacent Han characters of a line, in em: the next
    one's origin less this one's, less the em a Han character takes. A space is a character
    of the text: the Han characters either side of a drawn one are no neighbours; and a
    gap one em wider than the line's spacing (once or twice: its own spacing) is a space
    the renderer did not draw (WeasyPrint draws no glyph for the ideographic space of
    第一条　总则), not slack, and is left out too. (So a hole of exactly one em in a line
    set solid passes for a space; any other hole is seen.)"""
    gaps = [(b.x - a.x) / size - 1 for a, b in zip(glyphs, glyphs[1:])
            if is_han(a.char) and is_han(b.char)]
    spacing = [gap for gap in gaps if gap < 0.5]
    tracking = statistics.median(spacing) if spacing else 0.0
    return [gap for gap in gaps if gap < 0.5 or not any(
        abs(gap - 1 - times * tracking) <= UNEVEN_EM for times in (0, 1, 2))]


def _longest_latin_word(glyphs: tuple[Glyph, ...]) -> float:
    """The width of the line's widest run of ASCII letters and digits, in pt: the sum of
    its glyphs' advances, so that what justification adds inside the run (the very
    looseness measured) does not make a word long."""
    longest = run = 0.0
    for glyph in glyphs:
        run = run + glyph.advance if glyph.char.isascii() and glyph.char.isalnum() else 0.0
        longest = max(longest, run)
    return longest


def ink_characters(line: TextLine) -> int:
    """The characters a line prints: its glyphs other than spaces."""
    return sum(not glyph.char.isspace() for glyph in line.glyphs)


class _Tally:
    def __init__(self):
        self.counts: Counter[str] = Counter()
        self.problems: list[Problem] = []
        self.worst_deviation = 0.0
        self.spacings: list[tuple[float, _Checked]] = []  # em, of the justified body lines
        self.spreads: list[float] = []  # em

    def fault(self, code: str, item: _Checked, detail: str) -> None:
        self.counts[code] += 1
        self.problems.append(Problem(code, item.where, item.line.text, detail))


def _check_line(item: _Checked, tally: _Tally, centred: bool = False) -> None:
    """Measure one line; ``centred``: on a Traditional page, whose stops are centred."""
    glyphs = item.line.glyphs
    size = item.line.size
    if glyphs[0].char.isspace() or glyphs[-1].char.isspace():
        tally.fault("spaces_at_line_ends", item, "starts or ends with a space")
    glyphs = tuple(glyph for glyph in glyphs if not glyph.char.isspace()) or glyphs
    if glyphs[0].char in NO_LINE_START:
        tally.fault("prohibited_starts", item, f"starts with {glyphs[0].char}")
    if glyphs[-1].char in NO_LINE_END:
        tally.fault("prohibited_ends", item, f"ends with {glyphs[-1].char}")
    counted = sum(glyph.char not in NOT_COUNTED_ON_LAST_LINE for glyph in glyphs)
    if item.last and not item.first and counted <= 1:
        tally.fault("lone_characters", item, f"a paragraph's last line of {counted} character"
                    f"{'' if counted == 1 else 's'} besides punctuation")
    if item.line.role == "body" and not item.last:
        _check_colour(item, size, tally)

    if item.measure_right is not None:
        last = glyphs[-1]
        deviation = last.right - item.measure_right
        if centred and last.char in CENTRED_STOPS:
            # A centred stop ends its line whole: set half width or hung, its ink crosses
            # the measure's edge. A line running long by exactly so much is that fault,
            # not a line set wrong.
            for code, cut, how in (("hung_stops", 1.0, "hung outside the column"),
                                   ("compressed_stops", 0.5, "set half width")):
                if abs(deviation - cut * size) <= FLUSH_TOLERANCE_PT:
                    tally.fault(code, item, f"{last.char} {how} at the line's end")
                    deviation -= cut * size
                    break
        elif last.char in HALVED_AT_LINE_END:
            # clreq lets a line end on such a mark set half width (its ink, in the left
            # half, ends at the edge) or hung outside the column (it starts at the edge).
            # A paragraph's last line need only not run long in one of these ways: set
            # half width, the mark may end it short of the edge.
            ways = (last.right - item.measure_right, last.x + 0.5 * size - item.measure_right,
                    last.x - item.measure_right)
            deviation = min(ways) if item.last else min(ways, key=abs)
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

    if centred:
        for index, glyph in enumerate(glyphs):
            if glyph.char in CENTRED_STOPS:
                room = _stop_room(glyphs, index, size, tracking)
                if room < 1 - EM_TOLERANCE:
                    shown = "".join(other.char for other in glyphs[max(index - 1, 0):index + 2])
                    tally.fault("compressed_stops", item,
                                f"{shown}: {glyph.char} has {room:.2f} em")
    for index, (a, b) in enumerate(zip(glyphs, glyphs[1:])):
        if a.char in MARKS and b.char in MARKS:
            tally.counts["mark_pairs"] += 1
            width = (real_advance(index) + real_advance(index + 1)) / size
            # Where stops are centred, a pair without a bracket's blank half facing the
            # other mark (。」, ？！) has no half em to give.
            facing = not centred or a.char in CLOSING or b.char in OPENING
            if facing and width > PAIR_LIMIT_EM + EM_TOLERANCE:
                tally.fault("uncompressed_pairs", item, f"{a.char}{b.char} takes {width:.2f} em")
        if (is_han(a.char) and is_latin(b.char)) or (is_latin(a.char) and is_han(b.char)):
            tally.counts["han_latin_gaps"] += 1
            gap = (b.x - a.right) / size
            low, high = HAN_LATIN_GAP_EM
            if not low - EM_TOLERANCE <= gap <= high + EM_TOLERANCE:
                tally.fault("han_latin_gaps_out_of_range", item,
                            f"{a.char}|{b.char} gap {gap:.3f} em")


def _stop_room(glyphs: tuple[Glyph, ...], index: int, size: float, tracking: float) -> float:
    """The room a centred stop has in its line, in em, at most its em: from where the glyph
    before it ends to where the one after it starts, the line's spacing left out. A
    closing mark before it may have given its blank right half, an opening mark after it
    its left half (its origin then half an em back over the stop's em): a bracket ends or
    starts where its ink does. (Not the middle of its em: a mark set with ``halt`` is drawn
    a little further back than the half em it gives, 0.012 em at 10 pt.) A stop set with
    ``halt`` itself (a quarter em off each side, moved back over the glyph before it) or
    squeezed by the spacing has less."""
    stop = glyphs[index]
    left, right = stop.x, stop.x + size
    if index > 0:
        before = glyphs[index - 1]
        ink_left, _, ink_right, _ = before.ink
        end = ink_right if before.char in CLOSING and ink_right > ink_left \
            else before.x + before.advance
        left = max(left, end + tracking)
    if index < len(glyphs) - 1:
        after = glyphs[index + 1]
        ink_left, _, ink_right, _ = after.ink
        start = ink_left if after.char in OPENING and ink_right > ink_left else after.x
        right = min(right, start - tracking)
    return (right - left) / size


def _check_colour(item: _Checked, size: float, tally: _Tally) -> None:
    """The spacing of a justified body line and how evenly it is spread."""
    tally.counts["justified_lines"] += 1
    gaps = _han_gaps(item.line.glyphs, size)
    if len(gaps) >= 2:
        spread = round(max(gaps) - min(gaps), 3) + 0.0
        tally.spreads.append(spread)
        if spread > UNEVEN_EM:
            tally.fault("uneven_lines", item, f"Han–Han gaps from {min(gaps):+.3f} to "
                        f"{max(gaps):+.3f} em (differ by {spread:.3f} em)")
    if not gaps:
        return
    measure = (item.measure_right or 0.0) - (item.measure_left or 0.0)
    word = _longest_latin_word(item.line.glyphs)
    if measure > 0 and word > LONG_WORD_SHARE * measure:
        return  # a long Latin word may open its line up
    spacing = round(statistics.median(gaps), 3) + 0.0  # no -0.000
    tally.spacings.append((spacing, item))
    if spacing > LOOSE_EM:
        tally.fault("loose_lines", item, f"{spacing:.3f} em between Han characters")


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


def drawn_lines(glyphs: list[Glyph]) -> list[int]:
    """A line number for each glyph, in the order the page draws them: a line runs on while
    the baseline stays and each glyph stands right of the one before."""
    numbers: list[int] = []
    number, previous = -1, None
    for glyph in glyphs:
        if previous is None or abs(glyph.y - previous.y) > SIZE_TOLERANCE_PT \
                or glyph.x < previous.x - SIZE_TOLERANCE_PT:
            number += 1
        numbers.append(number)
        previous = glyph
    return numbers


def _shrunk(box: Box) -> Box | None:
    left, top, right, bottom = box
    t = OVERLAP_TOLERANCE_PT
    if right - left <= 2 * t or bottom - top <= 2 * t:
        return None
    return left + t, top + t, right - t, bottom - t


def _meet(one: Box, two: Box) -> bool:
    return one[0] < two[2] and two[0] < one[2] and one[1] < two[3] and two[1] < one[3]


def _overlaps(glyphs: list[Glyph], images: list[Box], where: dict[int, str]) -> list[Problem]:
    """Glyphs of different lines whose ink boxes meet, and glyphs on a photo where it shows
    (``where``: the name of the checked line a glyph stands on, by the glyph's id)."""
    numbers = drawn_lines(glyphs)
    texts: dict[int, str] = {}
    for glyph, number in zip(glyphs, numbers):
        texts[number] = texts.get(number, "") + glyph.char

    def named(glyph: Glyph, number: int) -> str:
        text = texts[number].strip()
        shown = text[:16] + ("…" if len(text) > 16 else "")
        return f"「{glyph.char}」 of {where.get(id(glyph), 'the line')} “{shown}”"

    boxes = sorted(((box, glyph, number) for glyph, number in zip(glyphs, numbers)
                    if not glyph.char.isspace() and (box := _shrunk(glyph.ink)) is not None),
                   key=lambda item: item[0][1])
    found: list[tuple[float, float, str]] = []  # where (top to bottom, left to right), what
    active: list[tuple[Box, Glyph, int]] = []  # the boxes reaching down to this one's top
    for box, glyph, number in boxes:
        active = [item for item in active if item[0][3] > box[1]]
        for other_box, other, other_number in active:
            if other_number != number and _meet(box, other_box):
                found.append(((max(box[1], other_box[1]) + min(box[3], other_box[3])) / 2,
                              (max(box[0], other_box[0]) + min(box[2], other_box[2])) / 2,
                              f"{named(other, other_number)} and {named(glyph, number)} overlap"))
        active.append((box, glyph, number))
        for image in images:
            if _meet(box, image):
                found.append(((box[1] + box[3]) / 2, (box[0] + box[2]) / 2,
                              f"{named(glyph, number)} is printed on the photo at "
                              f"{image[0]:.1f}-{image[2]:.1f} x {image[1]:.1f}-{image[3]:.1f} pt"))
    return [Problem("overlaps", f"at {x:.1f}, {y:.1f} pt", "", detail)
            for y, x, detail in sorted(found, key=lambda item: (round(item[0]), item[1]))]


def page_count(pdf: Path) -> int:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def document_lang(pdf: Path) -> str:
    """The language the PDF's catalog names (/Lang), or "" if it names none."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        size = pdfium_c.FPDFCatalog_GetLanguage(document.raw, None, 0)
        if size <= 2:
            return ""
        buffer = (ctypes.c_ushort * (size // 2))()
        pdfium_c.FPDFCatalog_GetLanguage(document.raw, buffer, size)
        return bytes(buffer).decode("utf-16-le").rstrip("\0")
    finally:
        document.close()


def check_pdf(pdf: Path, settings: Settings, page: int = 0, region: Box | None = None,
              lang: str | None = None) -> Report:
    """Measure the typography of page ``page`` (from 0) of ``pdf``, laid out with
    ``settings``; with ``region`` (left, top, right, bottom in pt from the top left), only
    what stands in it: one module of an edition's page, measured on its own columns.
    ``lang``: the text's language, by default the one the PDF's catalog names; Traditional
    text is measured by the rules of centred stops too."""
    centred = convention(document_lang(Path(pdf)) if lang is None else lang).centred_stops
    page_width, _, glyphs, images = read_page(Path(pdf), page,
                                              CENTRED_STOPS if centred else frozenset())
    grid = _Grid.of(settings, page_width)
    # Nothing in the masthead strip (paper, date, page number) is body text.
    top = settings.margin_top * PT_PER_MM + settings.masthead_height
    if region is not None:
        glyphs, images, grid = _in_region(region, glyphs, images, grid)
        top = region[1] - FLUSH_TOLERANCE_PT
    kai_glyphs = [glyph for glyph in glyphs if glyph.font.startswith(KAI_FONT)]
    body = _body_lines([glyph for glyph in glyphs if not _borrowed_by_kai(glyph, kai_glyphs)],
                       grid, top)
    labels = [glyph for glyph in glyphs if not glyph.font.startswith((BODY_FONT, KAI_FONT))]
    checked, bylines, captions = _checked_lines(body, _kai_blocks(glyphs, settings, top, labels),
                                                labels, grid, settings)
    tally = _Tally()
    for item in checked:
        _check_line(item, tally, centred)
    where = {id(glyph): item.where for item in checked for glyph in item.line.glyphs}
    offsets = _check_centring(glyphs, where, tally) if centred else []
    widest = {"note": 0, "caption": 0}
    for item in checked:
        if item.line.role in widest:
            count = ink_characters(item.line)
            widest[item.line.role] = max(widest[item.line.role], count)
            limit = _LIMITS[f"widest_{item.line.role}_line"]
            if count > limit:
                tally.fault(f"widest_{item.line.role}_line", item,
                            f"{count} characters (at most {limit})")
    justified = tally.counts["justified_lines"]
    spaced = [(spacing, item) for spacing, item in tally.spacings if spacing > SPACED_EM]
    spaced_percent = round(100 * len(spaced) / justified, 2) if justified else 0.0
    if spaced_percent > SPACED_SHARE_PERCENT:
        for spacing, item in spaced:
            if spacing <= LOOSE_EM:  # those above are loose lines, already listed
                tally.problems.append(Problem("lines_over_005_percent", item.where,
                                              item.line.text,
                                              f"{spacing:.3f} em between Han characters"))
    overlaps = _overlaps(glyphs, images, where)
    tally.problems += overlaps

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
        justified_lines=justified,
        loose_lines=tally.counts["loose_lines"],
        max_spacing_em=max((spacing for spacing, _ in tally.spacings), default=0.0),
        lines_over_005=len(spaced),
        lines_over_005_percent=spaced_percent,
        uneven_lines=tally.counts["uneven_lines"],
        max_gap_spread_em=max(tally.spreads, default=0.0),
        widest_note_line=widest["note"],
        widest_caption_line=widest["caption"],
        overlaps=len(overlaps),
        centred_stops=centred,
        stops_measured=len(offsets),
        compressed_stops=tally.counts["compressed_stops"],
        hung_stops=tally.counts["hung_stops"],
        off_centre_stops=tally.counts["off_centre_stops"],
        max_stop_offset_em=round(max(offsets, default=0.0), 3),
        problems=tuple(tally.problems),
    )


def stop_offset(glyph: Glyph) -> tuple[float, float] | None:
    """How far a stop's ink centre stands from its em box's centre, in em: across (more
    than 0 to the right) and down (more than 0 below it); None for a glyph without ink or
    em box."""
    left, top, right, bottom = glyph.ink
    if glyph.em_box is None or right <= left or bottom <= top or glyph.size <= 0:
        return None
    em_left, em_top, em_right, em_bottom = glyph.em_box
    return (((left + right) - (em_left + em_right)) / 2 / glyph.size,
            ((top + bottom) - (em_top + em_bottom)) / 2 / glyph.size)


def _check_centring(glyphs: list[Glyph], where: dict[int, str], tally: _Tally) -> list[float]:
    """Every stop of the page (its headlines and furniture too) measured in its em box:
    the larger of each one's offsets, across or up, in em; those past ``STOP_CENTRE_EM``
    are faults."""
    offsets = []
    for glyph in glyphs:
        offset = stop_offset(glyph) if glyph.char in CENTRED_STOPS else None
        if offset is None:
            continue
        across, down = offset
        worst = max(abs(across), abs(down))
        offsets.append(worst)
        if worst > STOP_CENTRE_EM:
            tally.counts["off_centre_stops"] += 1
            tally.problems.append(Problem(
                "off_centre_stops", where.get(id(glyph), f"at {glyph.x:.1f}, {glyph.y:.1f} pt"),
                glyph.char, f"ink {across:+.2f} em across and {down:+.2f} em down from the "
                f"centre of its em box (at most {STOP_CENTRE_EM} em)"))
    return offsets


def _in_region(region: Box, glyphs: list[Glyph], images: list[Box],
               grid: _Grid) -> tuple[list[Glyph], list[Box], _Grid]:
    """The glyphs whose ink stands in ``region`` (by its centre), the images that meet it,
    and the grid of the page's columns it spans."""
    left, top, right, bottom = region

    def inside(glyph: Glyph) -> bool:
        ink_left, ink_top, ink_right, ink_bottom = glyph.ink
        y = (ink_top + ink_bottom) / 2 if ink_bottom > ink_top else glyph.y
        return left <= glyph.centre <= right and top <= y <= bottom

    first = grid.column_of(left + FLUSH_TOLERANCE_PT)
    last = grid.column_of(right - FLUSH_TOLERANCE_PT)
    own = dataclasses.replace(grid, left=grid.column_left(first), columns=last - first + 1)
    return ([glyph for glyph in glyphs if inside(glyph)],
            [image for image in images if _meet(image, region)], own)


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
