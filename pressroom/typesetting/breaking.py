"""Breaking a paragraph into lines as a whole (Knuth and Plass, to clreq and JLREQ).

Takes a paragraph's text, its face, type size and measure; gives its lines, and where that
costs little colour the same paragraph a line shorter or longer (TeX's ``\\looseness``), so
that copyfitting can fill a frame by choosing among them.

On an 11-character measure the breaks of pure Han text are nearly forced: a line one
character short spreads one em over ten gaps, 0.1 em, which reads as a loose line. The
slack is in the marks: half an em where a mark may be compressed, and in Han-Latin gaps.
So every way of breaking the paragraph is weighed at once (dynamic programming over its
break points), each line by what it takes to reach its measure, in the order of clreq and
JLREQ, cheapest first:

1. a line-end stop or closing mark set half width (clreq allows it); a line-end 。，、
   hung outside the column (行末点号悬挂, as 飞腾 offers) only where the line would
   otherwise be spread past 0.05 em (``hanging: false`` in the layout never hangs one);
   in Traditional text, whose stops are centred, only a closing mark is set half and no
   stop ever hangs (``lines.centred_stops``);
2. shrinking: Han-Latin gaps down to 1/8 em, then the marks inside the line, evenly, by up
   to half an em each, then, by no more than 0.02 em, the spacing of its characters;
3. stretching: Han-Latin gaps up to 1/4 em, then every other gap of the line evenly,
   costing steeply past 0.05 em and prohibitively past 0.08 em, and past that more with
   the square of the excess, so that where the text leaves no setting without loose lines
   the slack is shared among a few lines rather than opening one up (a Traditional column,
   whose full-width stops give nothing, often has such paragraphs);
4. as a last resort, a long Latin word hyphenated (a URL broken after / . or @);
5. where nothing else lets a line reach its measure, a break inside what may not break
   (``FORCED_BREAK_COST``, worse than a loose line): between two characters of a Latin
   piece wider than the column (``lines.split_wide``: after a letter with a hyphen, after
   a digit without), or between any two units of a stretch with no break point wider
   than the column (a run of a thousand closing marks). So every line fits its column,
   and the work stays linear in the paragraph's length: a line is weighed only until it
   is too wide, and a setting with a forced break behind it is followed only if it is
   the cheapest.

A paragraph's last line holds at least two characters besides punctuation (no 孤字),
unless only a line spread past a quarter em could give it them. Lines that the text
leaves no way to set within the limits (a pure Han line before a word that cannot move)
remain, and the typography check counts them.
Breaks depend on the text, face, size and measure only, never on leading: each paragraph
is broken once per (text, face, size, measure) and reused.

How often a paragraph has such a variant, measured with ``benchmarks/variants.py`` on the
21 manuscripts of the test suite (893 paragraphs of two lines or more, 11- and
12-character measures): 1.7 % can be set a line shorter and 0.1 % a line longer within the
limits (no line spread past 0.08 em, no lone last character). On a measure this short a
Han line changes by whole characters: a line one character short is spread by a tenth of
an em, so a paragraph grows a line only where the marks of most of its lines give the
half ems it needs. Copyfitting therefore still turns to the leading far more often than to
variants, and says which leading it used.
"""
from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass

from ..reading.model import ARTICLE_NUMBER
from .lines import (HALF, HAN_LATIN_GAP, MAX_HAN_LATIN_GAP, MIN_HAN_LATIN_GAP, Fit, Line,
                    Metrics, Unit, compressible, compressible_marks, gap, hanging_marks,
                    may_break, set_line, split_wide, stretchable, units, whole)

# What a line costs, in demerits. The scale: a line spread by 0.01 em costs 1.
LINE_COST = 1.0  # each line: of two settings as good, the shorter wins
END_HALF_COST = 2.0  # a line-end mark set half width
HANG_COST = 250.0  # a line-end mark hung outside the column: a last resort before a spread line
HYPHEN_COST = 3000.0  # a hyphen: only when a word would otherwise open its line up
LOOSE = 0.078  # em added between characters: past this (0.08, less a margin) a line reads as loose
SPREAD = 0.048  # em: past this (0.05, less a margin) a line is noticeably spread
LOOSE_COST = 20000.0  # a loose line: avoided whenever possible
# Past LOOSE, a loose line's worth more for every LOOSE_STEP em of excess, squared: where
# loose lines cannot be avoided, one line at 0.43 em (8 characters in 11) costs as much as
# four at 0.11 em and one at 1/3 em more than two, while one at 1/4 em (9 in 11) still
# costs less than two, so the loose lines of a page stay few as well as narrow. (Flat, the
# cost of a loose line made the breaker open one line up to 0.43 em rather than spread
# two by 0.11 em.)
LOOSE_STEP = 0.2
LONE_SPREAD = 0.25  # em: a lone last character costs as much as a line spread this far
SPREAD_COST = 300.0
MARK_SHRINK_COST = 24.0  # per mark: a mark halved inside a 全身式 line costs 144
TIGHT = 0.02  # em the characters of a line may close up by, when its marks cannot take more
TIGHT_COST = 100.0
TRACKING_COST = 5000.0  # letters of a Latin run spaced, when nothing else can take the room
UNJUSTIFIABLE_COST = 50000.0
GOOD = LOOSE_COST  # a setting costing less has no loose line and no lone last line (LONE_COST)
EPSILON = 1e-9
WORD_SPACE_STRETCH = 0.2  # em a space between Latin words may grow by before Han gaps do
SHORTEST = 0.5  # of the measure: a shorter line is tried only where no longer one fits
MAX_KEPT_PARAGRAPHS = 4096  # set paragraphs a face keeps for reuse (a few editions' worth)
# A break where none is allowed (inside a Latin piece too wide for its column): worse than
# a lone last character or a loose line spread by up to half an em, as it was before the
# loose lines' steeper scale: a reader takes GD-P for a typo, a loose line for a loose line.
FORCED_BREAK_COST = 6 * LOOSE_COST


def stretch_cost(spread: float) -> float:
    cost = (100 * spread) ** 2
    if spread > SPREAD + EPSILON:
        cost += SPREAD_COST
    if spread > LOOSE + EPSILON:
        # Past the limit, the worse a line the more it costs, and steeply: two or three
        # lines a little loose are better than one with its characters standing apart.
        cost += LOOSE_COST * (1 + ((spread - LOOSE) / LOOSE_STEP) ** 2)
    return cost


# A lone last character (孤字) costs what spreading a line up to LONE_SPREAD does; a line
# loose already may be spread further to avoid one (its LOOSE_COST is counted already).
LONE_COST = stretch_cost(LONE_SPREAD)


@dataclass(frozen=True)
class Content:
    """What a candidate line holds, as the breaker weighs it (lengths in em)."""

    natural: float  # its width with every mark as set and its last unit whole
    marks: int  # compressible marks inside it
    latin_gaps: int
    stretchable: int  # gaps that justification may widen
    letters: int  # gaps between the letters of its Latin runs
    word_spaces: int  # spaces between Latin words inside it
    end_half: bool  # its last unit is a mark that may be set half width
    end_hang: float  # the width of a last mark that may hang outside the column (or 0)
    hyphenated: bool

    @property
    def narrowest(self) -> float:
        """Its width with every shrink ``fit_line`` may use taken in full: a line narrower
        than the room may fit, a wider one (and every longer one) never."""
        return (self.natural - self.marks * HALF
                - self.latin_gaps * (HAN_LATIN_GAP - MIN_HAN_LATIN_GAP)
                - self.stretchable * TIGHT - max(HALF * self.end_half, self.end_hang))


def fit_line(content: Content, room: float, justify: bool) -> Fit | None:
    """The cheapest way ``content`` reaches ``room`` em, or None if it cannot fit."""
    ends = [("whole", 0.0, 0.0)]
    if content.end_half:
        ends.append(("half", HALF, END_HALF_COST))
    if content.end_hang:
        ends.append(("hang", content.end_hang, HANG_COST))
    best = None
    for end, cut, cost in ends:
        if content.hyphenated:
            cost += HYPHEN_COST
        # A hung mark starts at the column's edge: its line is full, even a last one.
        fit = _reach(content, room - (content.natural - cut), justify or end == "hang", end,
                     cost)
        if fit is not None and (best is None or fit.cost < best.cost):
            best = fit
    return best


def _reach(content: Content, slack: float, justify: bool, end: str, cost: float) -> Fit | None:
    gaps, marks = content.latin_gaps, content.marks
    if slack < -EPSILON:  # too wide: shrink Han-Latin gaps, then marks
        need = -slack
        narrower = min(need, gaps * (HAN_LATIN_GAP - MIN_HAN_LATIN_GAP))
        rest = need - narrower
        per_mark = min(HALF, rest / marks) if marks else 0.0
        rest -= per_mark * marks
        # What the marks cannot take, the characters' spacing may, a little: past TIGHT
        # a line looks as crowded as one spread by 0.05 em looks loose.
        tight = rest / content.stretchable if content.stretchable else math.inf
        if tight > TIGHT + EPSILON:
            return None
        per_gap = narrower / gaps if gaps else 0.0
        cost += gaps * (100 * per_gap) ** 2 + marks * (MARK_SHRINK_COST * per_mark) ** 2 \
            + (tight > EPSILON) * (TIGHT_COST + (300 * tight) ** 2)
        return Fit(end, per_mark, -per_gap, stretch=-max(tight, 0.0), cost=cost)
    if not justify or slack <= EPSILON:
        return Fit(end, cost=cost)
    wider = min(slack / gaps, MAX_HAN_LATIN_GAP - HAN_LATIN_GAP) if gaps else 0.0
    rest = slack - wider * gaps
    cost += gaps * (30 * wider) ** 2
    # The spaces between Latin words stretch next, as in Latin justification.
    spaces = content.word_spaces
    word = min(rest / spaces, WORD_SPACE_STRETCH) if spaces else 0.0
    rest -= word * spaces
    cost += spaces * (30 * word) ** 2
    if rest <= EPSILON:
        return Fit(end, latin_gap=wider, word_space=word, cost=cost)
    if content.stretchable:
        spread = rest / content.stretchable
        return Fit(end, latin_gap=wider, stretch=spread, word_space=word,
                   cost=cost + stretch_cost(spread))
    if content.letters:  # 1997年10月21日 alone on a line: its figures are spaced
        tracking = rest / content.letters
        return Fit(end, latin_gap=wider, tracking=tracking,
                   cost=cost + TRACKING_COST + stretch_cost(tracking))
    if gaps:
        return Fit(end, latin_gap=wider + rest / gaps, cost=cost + UNJUSTIFIABLE_COST)
    return Fit(end, cost=cost + UNJUSTIFIABLE_COST)  # one unit alone: left as it is


class _Counts:
    """Running sums over a paragraph's units, so that any line's ``Content`` is read in
    constant time."""

    def __init__(self, items: list[Unit], face: Metrics, hang: bool):
        self.items = items
        self.face = face
        # What may end a line half width or hung: the face's text says (no centred stop).
        self.halvable = compressible_marks(face)
        self.hanging = hanging_marks(face) if hang else frozenset()
        self.width = list(itertools.accumulate((unit.width for unit in items), initial=0.0))
        pairs = list(zip(items, items[1:]))
        # Sums over the gaps: gap t lies between units t and t + 1.
        self.gap = list(itertools.accumulate((gap(a, b) for a, b in pairs), initial=0.0))
        self.latin = list(itertools.accumulate((gap(a, b) > 0 for a, b in pairs), initial=0))
        self.stretch = list(itertools.accumulate((stretchable(a, b) for a, b in pairs),
                                                 initial=0))
        self.marks = list(itertools.accumulate((compressible(u) for u in items), initial=0))
        self.spaces = list(itertools.accumulate((u.kind == "space" and u.text == " "
                                                 for u in items), initial=0))
        # A piece cut character by character (``Unit.forced``) has a letter gap after
        # each of its characters but the last.
        self.letters = list(itertools.accumulate(
            (max(0, len(u.text) - 1) + u.forced if u.kind == "latin" else 0 for u in items),
            initial=0))

    def content(self, start: int, end: int) -> Content:
        """The line items[start:end] (``end`` past any spaces it ends on)."""
        last = whole(self.items[end - 1])
        extra = last.width - self.items[end - 1].width
        if last.split:
            extra += self.face.width(last.split, "latin")
        return Content(
            natural=self.width[end] - self.width[start] + self.gap[end - 1] - self.gap[start]
            + extra,
            marks=self.marks[end - 1] - self.marks[start],
            latin_gaps=self.latin[end - 1] - self.latin[start],
            stretchable=self.stretch[end - 1] - self.stretch[start],
            letters=self.letters[end] - self.letters[start] - self.items[end - 1].forced,
            word_spaces=self.spaces[end] - self.spaces[start],
            end_half=last.kind in ("stop", "close") and last.text in self.halvable
            and last.width > 0.9,
            end_hang=last.width if last.text in self.hanging else 0.0,
            hyphenated=bool(last.split))


def _break_points(items: list[Unit]) -> list[int]:
    """Where a line may start: after a space, unless it pads Chinese characters apart (a
    name written 张  斌, the number of an article 第一条　总则); after a Latin piece; or
    where the marks allow."""
    points = []
    for index in range(1, len(items)):
        before, after = items[index - 1], items[index]
        if after.kind == "space" or after.glued:
            continue
        if before.kind == "space":
            if not _padding(items, index - 1):
                points.append(index)
        elif before.split is not None or may_break(before, after):
            points.append(index)
    return points


def _padding(items: list[Unit], space: int) -> bool:
    """Whether the space at ``space`` pads Chinese text rather than parting two phrases:
    a name's two characters on either side of it (张  斌), or an article's number before it."""
    if not (0 < space < len(items) - 1 and items[space - 1].kind == "han"
            and items[space + 1].kind == "han"):
        return False
    before = _han_run(items, space - 1, -1)
    after = _han_run(items, space + 1, 1)
    return (len(before) == 1 and len(after) == 1) or bool(ARTICLE_NUMBER.fullmatch(before))


def _han_run(items: list[Unit], start: int, step: int) -> str:
    """The Han characters next to each other from ``start`` on, in reading order."""
    run = []
    index = start
    while 0 <= index < len(items) and items[index].kind == "han":
        run.append(items[index].text)
        index += step
    return "".join(run if step > 0 else reversed(run))



def _characters(items: list[Unit]) -> int:
    """Characters besides punctuation: what a last line needs two of."""
    return sum(len(unit.text) if unit.kind == "latin" else unit.kind == "han"
               for unit in items)


@dataclass(frozen=True)
class Broken:
    """A paragraph broken: each line's units and how it is set, and what it costs."""

    lines: tuple[tuple[tuple[Unit, ...], Fit], ...]
    cost: float


def break_paragraph(items: list[Unit], face: Metrics, measure: float, indent: float,
                    hang: bool = False, justify_last: bool = False) -> dict[int, Broken]:
    """Every line count the paragraph can be set in with its cheapest breaks (em)."""
    counts = _Counts(items, face, hang)
    ends = len(items)
    allowed = [0] + _break_points(items) + [ends]
    # A stretch between two break points wider than the column may break anywhere inside,
    # at a cost (a thousand closing marks in a row, a line of dashes).
    forced: set[int] = set()
    for before, after in zip(allowed, allowed[1:]):
        if counts.width[after] - counts.width[before] > measure - indent + EPSILON:
            forced.update(range(before + 1, after))
    points = sorted(set(allowed) | forced) if forced else allowed
    widths = [counts.width[point] for point in points]
    # best[p]: line count -> (cost, previous point, its Fit) for a line starting at points[p].
    best: list[dict[int, tuple[float, int, Fit | None]]] = [{} for _ in points]
    best[0][0] = (0.0, -1, None)
    for here, start in enumerate(points[:-1]):
        states = best[here]
        if not states:
            continue
        cheapest = min(cost for cost, _, _ in states.values())
        # Settings with a loose line behind them are followed only if nothing better is.
        states = {n: s for n, s in states.items() if s[0] < GOOD or s[0] <= cheapest}
        room = measure - (indent if start == 0 else 0.0)

        def follow(there: int) -> bool | None:
            """Weigh the line from points[here] to points[there]: None if it is too wide
            (and every longer one), else whether it can be set."""
            stop = points[there]
            end = stop
            while end - 1 > start and items[end - 1].kind == "space":
                end -= 1  # a line drops the spaces it ends on
            content = counts.content(start, end)
            if content.narrowest > room + EPSILON:
                return None
            last = stop == ends
            fit = fit_line(content, room, justify=not last or justify_last)
            if fit is None:
                return False
            cost = LINE_COST + fit.cost
            if stop in forced or items[end - 1].forced:
                cost += FORCED_BREAK_COST
            if last and start > 0 and _characters(items[start:end]) < 2:
                cost += LONE_COST  # a lone last character (孤字)
            for lines, (before, _, _) in states.items():
                total = before + cost
                known = best[there].get(lines + 1)
                if known is None or total < known[0]:
                    best[there][lines + 1] = (total, here, fit)
            return True

        # Lines under half full are weighed only where no longer one can stand.
        shortest = bisect.bisect_left(widths, counts.width[start] + room * SHORTEST, here + 1)
        reached = False
        for span in (range(shortest, len(points)), range(here + 1, shortest)):
            for there in span:
                weighed = follow(there)
                if weighed is None:
                    break
                reached = reached or weighed
            if reached:
                break
        if not reached:
            # Not even one unit fits (a run wider than the column): it stands alone.
            fit = Fit(cost=UNJUSTIFIABLE_COST)
            for lines, (before, _, _) in states.items():
                known = best[here + 1].get(lines + 1)
                if known is None or before + UNJUSTIFIABLE_COST < known[0]:
                    best[here + 1][lines + 1] = (before + UNJUSTIFIABLE_COST, here, fit)
    return {lines: _trace(best, points, items, lines)
            for lines in best[-1]}


def _trace(best, points, items, lines) -> Broken:
    cost = best[-1][lines][0]
    found = []
    here = len(points) - 1
    count = lines
    while here > 0:
        _, before, fit = best[here][count]
        start, end = points[before], points[here]
        line = items[start:end]
        while len(line) > 1 and line[-1].kind == "space":
            line = line[:-1]
        while len(line) > 1 and line[0].kind == "space" and start > 0:
            line = line[1:]
        found.append((tuple(line), fit))
        here, count = before, count - 1
    return Broken(tuple(reversed(found)), cost)


@dataclass(frozen=True)
class Variants:
    """A paragraph set at its best, and a line shorter or longer where that keeps the
    colour limits (None where it does not); ``extra`` is what each costs beyond the best."""

    lines: tuple[Line, ...]
    shorter: tuple[Line, ...] | None = None
    longer: tuple[Line, ...] | None = None
    shorter_extra: float = 0.0
    longer_extra: float = 0.0

    def by_change(self) -> dict[int, tuple[tuple[Line, ...], float]]:
        """The settings on offer by their change in lines: {0: best, -1: shorter, 1: longer}."""
        offered = {0: (self.lines, 0.0)}
        if self.shorter:
            offered[-1] = (self.shorter, self.shorter_extra)
        if self.longer:
            offered[1] = (self.longer, self.longer_extra)
        return offered


def set_paragraph(text: str, face: Metrics, size: float, measure: float, indent: float = 0.0,
                  kaiming: bool = False, hang: bool = False,
                  justify_last: bool = False) -> Variants:
    """Set a paragraph into lines ``measure`` pt wide, the first indented by ``indent`` pt,
    with its variants a line shorter and longer. Set once per face and reused."""
    key = (text, size, measure, indent, kaiming, hang, justify_last)
    if key not in face.paragraphs:
        if len(face.paragraphs) >= MAX_KEPT_PARAGRAPHS:
            face.paragraphs.clear()  # a long-lived process sets many stories: stay bounded
        face.paragraphs[key] = _set_paragraph(*key[:1], face, *key[1:])
    return face.paragraphs[key]


def _set_paragraph(text: str, face: Metrics, size: float, measure: float, indent: float,
                   kaiming: bool, hang: bool, justify_last: bool) -> Variants:
    items = units(text, face, kaiming)
    while items and items[-1].kind == "space":
        items.pop()
    while items and items[0].kind == "space":
        items.pop(0)
    if not items:
        return Variants(())
    items = split_wide(items, face, (measure - indent) / size)
    settings = break_paragraph(items, face, measure / size, indent / size, hang, justify_last)
    lines = min(settings, key=lambda n: (settings[n].cost, n))
    chosen = settings[lines]

    def setting(broken: Broken) -> tuple[Line, ...]:
        return tuple(
            set_line(list(units_), fit, face, size, measure, indent if number == 0 else 0.0,
                     number < len(broken.lines) - 1 or justify_last)
            for number, (units_, fit) in enumerate(broken.lines))

    def variant(n: int) -> tuple[tuple[Line, ...] | None, float]:
        other = settings.get(n)
        if other is None or other.cost >= GOOD:
            return None, 0.0
        return setting(other), other.cost - chosen.cost

    shorter, shorter_extra = variant(lines - 1)
    longer, longer_extra = variant(lines + 1)
    return Variants(setting(chosen), shorter, longer, shorter_extra, longer_extra)


def set_lines(text: str, face: Metrics, size: float, measure: float, indent: float = 0.0,
              justify_last: bool = False, kaiming: bool = False,
              hang: bool = False) -> tuple[Line, ...]:
    """A paragraph's lines at their best (see ``set_paragraph``)."""
    return set_paragraph(text, face, size, measure, indent, kaiming, hang, justify_last).lines
