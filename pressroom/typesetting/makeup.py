"""Make-up (组版): a module for each story of an edition's page.

Takes the page's grid (columns by rows at the page's one leading), the modules reserved on
it (the masthead and its ear, advertisements, a story pinned whole) and its stories in
order of importance, each with what it can fill at each width (``Fits``); gives each story
a rectangle of k columns by r rows (``Placement``) so that the modules tile the type area,
or the gap left is the least and reported.

The approach is a guillotine dynamic programme (Gange, Marriott and Stuckey, "Optimal
guillotine layout", 2012) over candidate module heights precomputed per story and width
(DeTreville's candidate layouts, 1978; paragraphs at several heights, Hassan and Hunter,
2015): the stories of a rectangle, a run of consecutive ranks, are either one module, or
split by a horizontal cut (the higher-ranked above) or a vertical cut (the higher-ranked
to the left), so the reading order follows the rank and the lead stands at the top. Each
partial layout carries the headline bands along its left and right edges, so that no two
headlines stand side by side with their bands overlapping (撞题): that is a rule, not a
cost. The rest is scored with named weights, lowest wins:

* ``GAP_COST`` per empty cell (a column's row) a story leaves in its module;
* ``JUMP_COST`` per jump: readers are lost at every jump, and ``CARRY_COST`` per line
  it carries over (the fewer readers have to follow, the better);
* ``SHAPE_COST`` times the squared log of how far a module's width-to-height ratio is
  from ``IDEAL_ASPECT`` (long thin strips and shallow bands read badly);
* ``NARROW_COST`` per column a story's module is narrower than its rank deserves
  (``RANK_COLUMNS``: the lead across most of the page, the next stories half of it).

The area a region's stories cannot fill is reported as the page's gap (PR502).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

GAP_COST = 1.0
JUMP_COST = 60.0
CARRY_COST = 1.0
SHAPE_COST = 4.0
IDEAL_ASPECT = 1.0  # a module's width over its height
NARROW_COST = 25.0
RANK_COLUMNS = (0.66, 0.5, 0.33)  # share of the page's columns a story of that rank expects
MAX_GAP_ROWS = 10  # rows a module may stand deeper than its story, the rest left empty
KEEP_CANDIDATES = 3  # partial layouts kept per height, told apart by their edges
MIN_JUMP_ROWS = 6  # body rows a jumping story keeps on its first page at least


@dataclass(frozen=True)
class Option:
    """One module a story can take: ``rows`` deep at some width, how it fills it."""

    rows: int
    cost: float
    kind: str  # "fill": its text fills it; "gap": set at its natural depth; "jump": continues
    band: int  # the rows of its head: the headline group, the editor's note under it
    empty: int = 0  # column rows it leaves empty under its text
    photo: int = 0  # rows of a photo standing above the head (图在题上), 0: none
    headline: int = 0  # the rows of the headline group (kicker, headline, subtitle)
    side: str = ""  # "right": the head beside a column of text on its left (右上题);
    # "left": beside one on its right (左上题); "": across the top

    @property
    def bands(self) -> tuple[tuple[int, int, str], ...]:
        """What must not stand level with its like in a module beside it: the headline
        band (撞题) and a photo above the head (图片撞车), as (first row, end row, kind)."""
        head = (self.photo, self.photo + (self.headline or self.band), "headline")
        return ((0, self.photo, "photo"), head) if self.photo else (head,)

    @property
    def edges(self) -> tuple[tuple, tuple]:
        """The bands on its left edge and on its right: a head beside a column of text
        stands on one edge only."""
        bands = self.bands
        return ((), bands) if self.side == "right" else (bands, ()) if self.side == "left" \
            else (bands, bands)


@dataclass(frozen=True)
class Fits:
    """What a story can fill, by module width in columns."""

    key: int  # the story's place in the page's order of importance
    options: dict[int, tuple[Option, ...]]  # columns -> the options at that width


@dataclass(frozen=True)
class Rect:
    column: int
    row: int
    columns: int
    rows: int

    @property
    def right(self) -> int:
        return self.column + self.columns

    @property
    def bottom(self) -> int:
        return self.row + self.rows


@dataclass(frozen=True)
class Placement:
    key: int  # the story's place in the page's order
    rect: Rect
    option: Option


@dataclass(frozen=True)
class MakeUp:
    placements: tuple[Placement, ...]
    gap_cells: int  # column rows left empty, in regions no story fills and under stories
    cost: float
    reserved: "Reserved | None" = None  # the way the reserved modules stand


# -- the dynamic programme ----------------------------------------------------------

@dataclass(frozen=True)
class _Partial:
    cost: float
    tree: tuple  # ("leaf", key, columns, option) | ("stack", top, bottom, top_rows) |
    #              ("side", left, right, left_columns)
    left: tuple[tuple[int, int, str], ...]  # bands (first row, end row, kind) on its left edge
    right: tuple[tuple[int, int, str], ...]
    gap: int


def _clash(left: tuple, right: tuple, shift: int = 0) -> bool:
    """Whether two edges' headline bands, or photos, overlap in height (``right`` lower by
    ``shift``)."""
    return any(a < d + shift and c + shift < b and kind == other
               for a, b, kind in left for c, d, other in right)


def _shifted(bands: tuple, rows: int) -> tuple:
    return tuple((a + rows, b + rows, kind) for a, b, kind in bands)


def _may_keep(table: dict[int, list[_Partial]], rows: int, cost: float) -> bool:
    """Whether a partial layout of ``cost`` could still be among those kept at ``rows``."""
    kept = table.get(rows)
    return not kept or len(kept) < KEEP_CANDIDATES or cost < kept[-1].cost


def _keep(table: dict[int, list[_Partial]], rows: int, partial: _Partial) -> None:
    kept = table.setdefault(rows, [])
    for index, other in enumerate(kept):
        if other.left == partial.left and other.right == partial.right:
            if partial.cost < other.cost:
                kept[index] = partial
            return
    kept.append(partial)
    kept.sort(key=lambda p: p.cost)
    del kept[KEEP_CANDIDATES:]


class _Search:
    def __init__(self, fits: list[Fits], columns: int, most_rows: int):
        self.fits = fits
        self.columns = columns
        self.most_rows = most_rows
        self.memo: dict[tuple[int, int, int], dict[int, list[_Partial]]] = {}

    def arrange(self, first: int, end: int, width: int) -> dict[int, list[_Partial]]:
        """Every height the stories ``first``..``end`` can tile at ``width`` columns."""
        key = (first, end, width)
        if key in self.memo:
            return self.memo[key]
        table: dict[int, list[_Partial]] = {}
        if end - first == 1:
            for option in self.fits[first].options.get(width, ()):
                if option.rows <= self.most_rows:
                    left, right = option.edges
                    _keep(table, option.rows, _Partial(
                        option.cost + _shape(width, option.rows) +
                        _narrow(first, width, self.columns),
                        ("leaf", first, width, option), left, right, option.empty))
        for middle in range(first + 1, end):
            self._stack(table, self.arrange(first, middle, width),
                        self.arrange(middle, end, width))
            for left_width in range(1, width):
                self._side(table, self.arrange(first, middle, left_width),
                           self.arrange(middle, end, width - left_width), left_width)
        self.memo[key] = table
        return table

    def _stack(self, table, tops, bottoms) -> None:
        for top_rows, top_list in tops.items():
            for bottom_rows, bottom_list in bottoms.items():
                rows = top_rows + bottom_rows
                if rows > self.most_rows:
                    continue
                for top in top_list:
                    for bottom in bottom_list:
                        if not _may_keep(table, rows, top.cost + bottom.cost):
                            break  # the lists are cheapest first: no later pair is kept
                        _keep(table, rows, _Partial(
                            top.cost + bottom.cost, ("stack", top, bottom, top_rows),
                            top.left + _shifted(bottom.left, top_rows),
                            top.right + _shifted(bottom.right, top_rows),
                            top.gap + bottom.gap))

    def _side(self, table, lefts, rights, left_width: int) -> None:
        for rows in lefts.keys() & rights.keys():
            for left in lefts[rows]:
                for right in rights[rows]:
                    if not _may_keep(table, rows, left.cost + right.cost):
                        break
                    if _clash(left.right, right.left):
                        continue  # 撞题: two headlines side by side
                    _keep(table, rows, _Partial(
                        left.cost + right.cost, ("side", left, right, left_width),
                        left.left, right.right, left.gap + right.gap))


def _shape(columns: int, rows: int) -> float:
    # Columns are about seven rows wide (11 characters of 9 pt and a gap, over 13.6 pt).
    aspect = columns * 7.5 / max(rows, 1)
    return SHAPE_COST * math.log(aspect / IDEAL_ASPECT) ** 2


def _narrow(rank: int, columns: int, page_columns: int) -> float:
    if rank >= len(RANK_COLUMNS):
        return 0.0
    expected = round(RANK_COLUMNS[rank] * page_columns)
    return NARROW_COST * max(0, expected - columns)


def _placements(partial: _Partial, column: int, row: int) -> list[Placement]:
    kind = partial.tree[0]
    if kind == "leaf":
        _, key, columns, option = partial.tree
        return [Placement(key, Rect(column, row, columns, option.rows), option)]
    if kind == "stack":
        _, top, bottom, top_rows = partial.tree
        return _placements(top, column, row) + _placements(bottom, column, row + top_rows)
    _, left, right, left_columns = partial.tree
    return _placements(left, column, row) + _placements(right, column + left_columns, row)


# -- the page -----------------------------------------------------------------------

@dataclass(frozen=True)
class Region:
    """A rectangle of the page's grid that stories fill."""

    rect: Rect


def regions(area: Rect, reserved: list[Rect]) -> list[tuple[Region, ...]]:
    """The ways to cut the area around its reserved modules into free rectangles by
    guillotine cuts along the reserved modules' edges, each way its regions in reading
    order (top to bottom, left to right)."""
    found: dict[tuple, tuple[Region, ...]] = {}
    for way in _cuts(area, [r for r in reserved if overlaps(r, area)]):
        ordered = tuple(sorted(way, key=lambda region: (region.rect.row, region.rect.column)))
        found.setdefault(tuple(r.rect for r in ordered), ordered)
    return list(found.values())


def overlaps(a: Rect, b: Rect) -> bool:
    return a.column < b.right and b.column < a.right and a.row < b.bottom and b.row < a.bottom


def _cuts(area: Rect, reserved: list[Rect]) -> list[list[Region]]:
    if not reserved:
        return [[Region(area)]] if area.columns > 0 and area.rows > 0 else [[]]
    if len(reserved) == 1 and reserved[0] == area:
        return [[]]
    ways = []
    xs = sorted({x for r in reserved for x in (r.column, r.right)
                 if area.column < x < area.right})
    ys = sorted({y for r in reserved for y in (r.row, r.bottom) if area.row < y < area.bottom})
    for x in xs:
        if any(r.column < x < r.right for r in reserved):
            continue
        left = Rect(area.column, area.row, x - area.column, area.rows)
        right = Rect(x, area.row, area.right - x, area.rows)
        for a in _cuts(left, [r for r in reserved if overlaps(r, left)]):
            for b in _cuts(right, [r for r in reserved if overlaps(r, right)]):
                ways.append(a + b)
    for y in ys:
        if any(r.row < y < r.bottom for r in reserved):
            continue
        top = Rect(area.column, area.row, area.columns, y - area.row)
        bottom = Rect(area.column, y, area.columns, area.bottom - y)
        for a in _cuts(top, [r for r in reserved if overlaps(r, top)]):
            for b in _cuts(bottom, [r for r in reserved if overlaps(r, bottom)]):
                ways.append(a + b)
    return ways


@dataclass(frozen=True)
class Reserved:
    """One way the page's reserved modules may stand, and the cells of them left empty
    (an ear deeper than its index)."""

    rects: tuple[Rect, ...]
    empty: int = 0


def make_up(fits: list[Fits], area: Rect, reserved_ways: list[Reserved]) -> MakeUp | None:
    """The best make-up of the stories (``fits``, in order of importance) on the area,
    around one of the ways its modules may be reserved (the ear's depth may vary)."""
    best: MakeUp | None = None
    search = _Search(fits, area.columns, area.rows)
    for reserved in reserved_ways:
        for way in regions(area, list(reserved.rects)):
            found = _fill_regions(search, fits, way)
            if found is None:
                continue
            found = MakeUp(found.placements, found.gap_cells + reserved.empty,
                           found.cost + GAP_COST * reserved.empty, reserved)
            if best is None or found.cost < best.cost:
                best = found
    return best


def _fill_regions(search: _Search, fits: list[Fits], way: tuple[Region, ...]) -> MakeUp | None:
    """The stories split over the regions in order, each region's run tiling it (what
    it leaves at its foot is a gap); no headline beside another across regions."""
    count, best = len(fits), None
    if not way:  # the reserved modules take the whole area: a page of advertising
        return MakeUp((), 0, 0.0) if not fits else None
    for cuts in itertools.combinations_with_replacement(range(count + 1), len(way) - 1):
        bounds = (0, *cuts, count)
        choices = []
        for region, first, end in zip(way, bounds, bounds[1:]):
            rect = region.rect
            if first == end:
                empty = _Partial(GAP_COST * rect.columns * rect.rows, ("empty",), (), (),
                                 rect.columns * rect.rows)
                choices.append([(empty, rect.rows)])
                continue
            table = search.arrange(first, end, rect.columns)
            options = []
            for rows, partials in table.items():
                if rows > rect.rows:
                    continue
                spare = rect.columns * (rect.rows - rows)
                options.extend((p, rows, spare) for p in partials)
            options.sort(key=lambda o: o[0].cost + GAP_COST * o[2])
            if not options:
                break
            choices.append([(p, rows) for p, rows, _ in options[:KEEP_CANDIDATES * 2]])
        else:
            for combo in itertools.product(*choices):
                if _clash_between(way, combo):
                    continue
                cost = sum(p.cost + GAP_COST * (r.rect.columns * (r.rect.rows - rows))
                           for (p, rows), r in zip(combo, way))
                if best is None or cost < best.cost:
                    placements = tuple(pl for (p, _), r in zip(combo, way)
                                       if p.tree[0] != "empty"
                                       for pl in _placements(p, r.rect.column, r.rect.row))
                    gap = sum(p.gap + r.rect.columns * (r.rect.rows - rows)
                              for (p, rows), r in zip(combo, way))
                    best = MakeUp(placements, gap, cost)
    return best


def _clash_between(way: tuple[Region, ...], combo) -> bool:
    """撞题 across two regions side by side: the bands on their common edge."""
    for (a, (pa, _)), (b, (pb, _)) in itertools.permutations(zip(way, combo), 2):
        ra, rb = a.rect, b.rect
        if ra.right == rb.column and ra.row < rb.bottom and rb.row < ra.bottom:
            if _clash(_shifted(pa.right, ra.row), _shifted(pb.left, rb.row)):
                return True
    return False
