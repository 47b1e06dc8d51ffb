"""Pouring a story through a chain of frames (the flow).

Takes the pieces of a story in reading order (each body line one row; a subhead, a photo
with its caption and the byline whole numbers of rows) and the columns of its chain of
frames, each with the rows it may fill; gives where every piece stands, or ``None`` when
the pieces cannot stand there by the rules a layout editor keeps:

* every column is full to its foot, except the chain's last, which may stop a row short; in
  a module set at its natural depth a column may stop a row short of its foot too, where a
  subhead would otherwise stand without its lines;
* a subhead has at least two lines of its text under it in its own column;
* no single line stands above, below or between photos; no two photos touch; no photo
  stands straight under a subhead;
* where the story jumps to another page, at least two lines of a paragraph stand on each
  side of the jump: the column before it stops a row or two short instead.

With ``ragged`` the flow never refuses: a piece that cannot stand where the text reaches it
moves to the next column, leaving the rows under it empty. The composer asks for that only
when no layout keeps the rules, so that no valid story is ever refused.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .lines import Line

KEEP_AFTER_SUBHEAD = 2  # body lines a subhead needs under it in its own column
MIN_BESIDE_FIGURE = 2  # no single line above or below a photo in its column
KEEP_AT_JUMP = 2  # lines of a paragraph on each side of a jump
MAX_JUMP_SHORTFALL = 2  # rows a column before a jump may stop short to keep that rule


@dataclass(frozen=True)
class Piece:
    kind: str  # line, subhead, figure, byline
    rows: int
    source: object = None  # the model block
    line: Line | None = None
    options: tuple[int, ...] = ()  # the rows it may take (a subhead's bands), the first preferred
    keep: int = 0  # body lines that must stand under it in its column (a subhead's)
    opening: bool = False  # the first line of its paragraph
    closing: bool = False  # the last line of its paragraph
    paragraph: int = -1


@dataclass(frozen=True)
class Column:
    """One column of a frame of the chain, and the rows the story may fill in it."""

    frame: int  # the frame's place in the chain
    index: int  # the column's place in its frame
    start: int  # the first row the story may use (a jump line may stand above it)
    end: int  # one past the last row the story may use
    jump: bool = False  # the story continues from here on another page
    floor: int | None = None  # a column set at its natural depth may stop here instead

    @property
    def lowest(self) -> int:
        """The fewest rows the column may end at and still stand level with the others."""
        return self.end if self.floor is None else self.floor


@dataclass(frozen=True)
class Placed:
    piece: Piece
    column: int  # index into the chain's columns
    row: int


@dataclass(frozen=True)
class Flow:
    placed: tuple[Placed, ...]
    ends: tuple[int, ...]  # the last row used in each column of the chain (start - 1: none)
    columns: tuple[Column, ...]


def pour(pieces: list[Piece], columns: list[Column], span: int, ragged: bool = False,
         open_end: bool = False) -> Flow | None:
    """Pour ``pieces`` into ``columns``. A photo spans ``span`` columns of one frame.
    ``open_end``: the story may end anywhere in the chain (a page it does not fill)."""
    columns = list(columns)
    for _ in range(2 * MAX_JUMP_SHORTFALL * max(1, sum(c.jump for c in columns)) + 1):
        flow, fault = _pour_once(pieces, columns, span, ragged, open_end)
        if fault is None:
            return flow
        column = columns[fault]
        if column.end - column.start <= KEEP_AT_JUMP + 1 or \
                column.end < _full_end(columns, fault) - MAX_JUMP_SHORTFALL + 1:
            return flow if ragged else None
        columns[fault] = replace(column, end=column.end - 1)
    return None


def _full_end(columns: list[Column], index: int) -> int:
    # The end a jump column had before it was shortened: the end of its frame's others.
    others = [c.end for c in columns if c.frame == columns[index].frame and c.index != columns[index].index]
    return max(others, default=columns[index].end)


MAX_BRANCHES = 32  # partial layouts followed at once through the choice of subhead bands
# Branches times pieces with a choice, at the most: a story of a hundred subheads follows
# fewer branches, so that its pours stay about as quick as a story of ten's (up to ten
# subheads, all 32 are followed, as before).
MAX_CHOICE_WORK = 320


@dataclass
class _State:
    """A partial pour: where the text has reached, and what stands where."""

    column: int
    row: int
    placed: tuple | None  # (the last Placed, the ones before): shared between branches
    ends: list[int]
    blocked: set[tuple[int, int]]

    def copy(self) -> "_State":
        return _State(self.column, self.row, self.placed, list(self.ends),
                      set(self.blocked))

    def place(self, placed: Placed) -> None:
        self.placed = (placed, self.placed)

    def all_placed(self) -> tuple[Placed, ...]:
        found, link = [], self.placed
        while link is not None:
            found.append(link[0])
            link = link[1]
        return tuple(reversed(found))

    @property
    def key(self):
        # Photos are few: the rows they block are told apart by their count and extent.
        return self.column, self.row, len(self.blocked), max(self.blocked, default=None)


def _pour_once(pieces, columns, span, ragged, open_end) -> tuple[Flow | None, int | None]:
    """Every way the subheads' bands (``Piece.options``) can be chosen is followed at once,
    partial layouts that reach the same place merged: a subhead stranded at a column's
    foot by one choice stands well by another."""
    count = len(columns)
    if not count:
        return None, None
    states = [_State(0, columns[0].start, None, [], set())]
    choices = sum(len(piece.options) > 1 for piece in pieces)
    branches = max(4, min(MAX_BRANCHES, MAX_CHOICE_WORK // max(1, choices)))
    for piece in pieces:
        following: dict = {}
        for state in states:
            starts = [state]
            if not ragged and _may_stop(state, columns):
                # A column at its natural depth may stop a row short here: follow both.
                stopped = state.copy()
                _next_column(stopped, columns)
                starts.append(stopped)
            for start in starts:
                for option in piece.options or (piece.rows,):
                    chosen = piece if option == piece.rows else replace(piece, rows=option)
                    successor = start.copy() if len(piece.options) > 1 or len(starts) > 1 \
                        else start
                    if _place(successor, chosen, columns, span, ragged):
                        following.setdefault(successor.key, successor)
        states = list(following.values())[:branches]
        if not states:
            return None, None
    fault = None
    for state in states:
        flow, fault = _finish(state, columns, span, ragged, open_end)
        if flow is not None:
            return flow, None
    return None, fault


def _may_stop(state: _State, columns: list[Column]) -> bool:
    """Whether the text may leave its column here for the next: at the row a column at
    its natural depth may stop at, with a column after it."""
    if state.column + 1 >= len(columns):
        return False
    column = columns[state.column]
    return column.floor is not None and state.row == column.floor < column.end \
        and columns[state.column + 1].frame == column.frame


def _advance(state: _State, columns: list[Column]) -> None:
    count = len(columns)
    while state.column < count and (state.row >= columns[state.column].end
                                    or (state.column, state.row) in state.blocked):
        if state.row >= columns[state.column].end:
            _next_column(state, columns)
        else:
            state.row += 1


def _last_used(state: _State, column: int, row: int) -> int:
    return max([row - 1] + [r for (c, r) in state.blocked if c == column])


def _next_column(state: _State, columns: list[Column]) -> None:
    state.ends.append(_last_used(state, state.column, state.row))
    state.column += 1
    state.row = columns[state.column].start if state.column < len(columns) else 0


def _free_run(state: _State, columns: list[Column], column: int, row: int) -> int:
    run = 0
    while row + run < columns[column].end and (column, row + run) not in state.blocked:
        run += 1
    return run


def _place(state: _State, piece: Piece, columns: list[Column], span: int, ragged: bool) -> bool:
    """Put ``piece`` where the text has reached in ``state``; False if it cannot stand."""
    count = len(columns)
    _advance(state, columns)
    if state.column >= count:
        return False
    if piece.kind == "line":
        state.place(Placed(piece, state.column, state.row))
        state.row += 1
        return True
    if piece.kind in ("subhead", "byline"):
        need = piece.rows + piece.keep
        while _free_run(state, columns, state.column, state.row) < need:
            if not ragged and state.row < columns[state.column].lowest:
                return False  # it would leave a hole at the column's foot
            _next_column(state, columns)
            _advance(state, columns)
            if state.column >= count:
                return False
            free = _free_run(state, columns, state.column, state.row)
            if state.row == columns[state.column].start and piece.rows <= free < need:
                # At a column's head, what must stand under it may go on in the next
                # column; the piece itself never overruns its column (it would be drawn
                # over the foot of the page): it goes on looking for a deeper one.
                need = free
        state.place(Placed(piece, state.column, state.row))
        state.row += piece.rows
        return True
    # A photo with its caption.
    free_run = lambda c, r: _free_run(state, columns, c, r)  # noqa: E731
    place = _figure_place(state.column, state.row, piece.rows, columns, span, free_run)
    if place is None and ragged:
        for later in range(state.column + 1, count):
            if _spannable(columns, later, span):
                top = columns[later].start
                if all(free_run(c, top) >= min(piece.rows, columns[c].end - top)
                       for c in range(later, later + _span(columns, later, span))):
                    place = (later, top)
                    break
    if place is None:
        return False
    fc, fr = place
    for c in range(fc, fc + _span(columns, fc, span)):
        for r in range(fr, min(fr + piece.rows, columns[c].end)):
            state.blocked.add((c, r))
    state.place(Placed(piece, fc, fr))
    return True


def _finish(state: _State, columns, span, ragged, open_end) -> tuple[Flow | None, int | None]:
    count = len(columns)
    if state.column >= count:
        return None, None
    last = _last_used(state, state.column, state.row)
    ends = state.ends + [last] + [columns[c].start - 1 for c in range(state.column + 1, count)]
    # Photos may stand in columns the text has not reached.
    for (c, r) in state.blocked:
        ends[c] = max(ends[c], r)
    flow = Flow(state.all_placed(), tuple(ends), tuple(columns))
    if ragged:
        return flow, None
    final = columns[state.column]
    if not open_end and (state.column != count - 1 or
                         last + 1 < (final.floor if final.floor is not None else final.end - 1)):
        return None, None  # columns end level: the last may stop one row short
    fault = _jump_fault(flow)
    if fault is not None:
        return None, fault
    if not _well_spaced(flow, span):
        return None, None
    return flow, None


def _jump_fault(flow: Flow) -> int | None:
    """The first jump column that leaves fewer than two lines of a paragraph on a side."""
    by_column: dict[int, list[Placed]] = {}
    for placed in flow.placed:
        by_column.setdefault(placed.column, []).append(placed)
    for index, column in enumerate(flow.columns):
        if not column.jump or index + 1 >= len(flow.columns):
            continue
        before = [p for p in by_column.get(index, []) if p.piece.kind == "line"]
        after = [p for p in by_column.get(index + 1, []) if p.piece.kind == "line"]
        if not before or not after:
            continue
        last, first = before[-1], after[0]
        if last.piece.paragraph != first.piece.paragraph or last.piece.closing:
            continue  # the jump falls between paragraphs
        lines_before = sum(p.piece.paragraph == last.piece.paragraph for p in flow.placed
                           if p.piece.kind == "line" and p.column <= index)
        lines_after = sum(p.piece.paragraph == last.piece.paragraph for p in flow.placed
                          if p.piece.kind == "line" and p.column > index)
        if lines_before < KEEP_AT_JUMP or lines_after < KEEP_AT_JUMP:
            return index
    return None


def _span(columns: list[Column], first: int, span: int) -> int:
    """How many columns a photo starting in column ``first`` spans: ``span``, or all its
    frame has when the frame is narrower."""
    frame = columns[first].frame
    in_frame = sum(1 for c in columns if c.frame == frame)
    return min(span, in_frame)


def _spannable(columns: list[Column], first: int, span: int) -> bool:
    width = _span(columns, first, span)
    last = first + width - 1
    return last < len(columns) and columns[last].frame == columns[first].frame


def _figure_place(column, row, height, columns, span, free_run):
    """Where the photo goes when the text reaches it: here, across this column and the
    next, if it fits with enough lines above and below it; else at the top of the next;
    else at the foot of this column or the next, the text running on above it."""
    candidates = []
    if _spannable(columns, column, span):
        start, end = columns[column].start, columns[column].end
        above = row - start
        if above == 0:
            candidates.append((column, row))  # at the top of the column
        if row + height <= end:
            below = end - (row + height)
            if (above == 0 or above >= MIN_BESIDE_FIGURE) and \
                    (below == 0 or below >= MIN_BESIDE_FIGURE):
                candidates.append((column, row))
            elif 0 < below < MIN_BESIDE_FIGURE:
                candidates.append((column, end - height))  # down to the foot
    if column + 1 < len(columns) and _spannable(columns, column + 1, span):
        candidates.append((column + 1, columns[column + 1].start))
    # Else at the foot of these columns, or of the next: the text runs on above it.
    for later in (column, column + 1):
        if later < len(columns) and _spannable(columns, later, span):
            foot = columns[later].end - height
            above = foot - (row if later == column else columns[later].start)
            if above >= MIN_BESIDE_FIGURE:
                candidates.append((later, foot))
    for c, r in candidates:
        width = _span(columns, c, span)
        if r < columns[c].start or any(r + height > columns[cc].end for cc in range(c, c + width)):
            continue
        if all(free_run(cc, r) >= height for cc in range(c, c + width)):
            return c, r
    return None


def _well_spaced(flow: Flow, span: int) -> bool:
    """No single line stranded above, below or between photos, no two photos touching,
    and no photo straight under a subhead: what a layout editor would move at a glance."""
    columns = list(flow.columns)
    depth = max((c.end for c in columns), default=0)
    # Each cell: (kind, which piece) so that two photos one on the other stay apart.
    grid = [[("empty", -1)] * depth for _ in columns]
    for number, placed in enumerate(flow.placed):
        piece = placed.piece
        width = _span(columns, placed.column, span) if piece.kind == "figure" else 1
        kind = "line" if piece.kind == "line" else piece.kind
        for c in range(placed.column, placed.column + width):
            for r in range(placed.row, min(placed.row + piece.rows, depth)):
                grid[c][r] = (kind, number)
    for cells in grid:
        for (kind, piece), (next_kind, next_piece) in zip(cells, cells[1:]):
            if next_kind == "figure" and (kind == "subhead" or
                                          (kind == "figure" and piece != next_piece)):
                return False
        r = 0
        while r < depth:
            if cells[r][0] != "line":
                r += 1
                continue
            start = r
            while r < depth and cells[r][0] == "line":
                r += 1
            above = cells[start - 1][0] if start else "edge"
            below = cells[r][0] if r < depth else "edge"
            if r - start < MIN_BESIDE_FIGURE and "figure" in (above, below):
                return False
    return True
