"""Copyfitting: the search for a layout of a story on its pages.

Takes the ``Texts`` of a story and where it is printed; gives a ``Layout`` or ``None``.
Each search moves only what a layout editor would, within the bounds of
``pressroom.settings``: the leading, a photo's height (cropping a little), the band each
subhead takes (chosen subhead by subhead by the flow), a spare row before the byline,
and for a story set at its natural depth which of its columns stand a row shallower.
``fill`` fills every column of its pages; ``natural`` sets the last page at its natural
depth; ``ragged`` is the last resort, which leaves holes (reported) rather than fail.
"""
from __future__ import annotations

import functools

import itertools
import math
from typing import Iterator

from ..errors import CopyfitError, Location
from ..reading.model import Figure, PageSpec, Paragraph, Subhead
from .flow import KEEP_AFTER_SUBHEAD, Piece, pour
from .folios import page_labels
from .pages import Sheet, chain_of, make_layout, make_sheet, make_sheets, pitches
from .parts import Layout, Sizes
from .texts import MAX_PAGES, Texts, first_head

SHORT_STORY = 800  # characters: up to this a story that does not fill the page takes 2-3 columns
MAX_POURS = 1500  # layouts poured per page count before settling for a ragged one
MAX_FIGURE_TRIES = 200  # combinations of photo heights tried, nearest first
NATURAL_POURS = 60  # depths poured per module shape for a story at its natural depth
NATURAL_BUDGET = 300  # and over all its shapes (a page of 20 columns has 11 to try)
NATURAL_FIGURE_TRIES = 8  # photo heights tried per leading there
VARIANT_TRIES = 4  # choices of paragraphs set a line shorter or longer tried per count
VARIANT_SPARES = 2  # paragraphs beyond the cheapest that such a choice may take


# -- the copyfit search -------------------------------------------------------------

def fill(texts: Texts, spec: PageSpec, count: int, tried: list[int]) -> Layout | None:
    """The story on ``count`` pages, every column of every page full."""
    settings = texts.settings
    span = min(settings.figure_columns, settings.columns)
    bylines = len(texts.byline)
    pours = 0
    for pitch in pitches(settings):
        sheets = make_sheets(texts, spec, count, pitch, settings.columns)
        if any(sheet.frame.rows < 4 for sheet in sheets):
            continue
        found = fill_sheets(texts, spec, sheets, tried, MAX_POURS - pours)
        if isinstance(found, Layout):
            return found
        pours += found
        if pours >= MAX_POURS:
            return None
    return None


def fill_sheets(texts: Texts, spec: PageSpec, sheets: list[Sheet], tried: list[int],
                budget: int = MAX_POURS, labels: tuple[str, ...] | None = None
                ) -> Layout | int:
    """The story poured through ``sheets`` at their leading, every column full: the
    layout, or the number of pours tried (at most ``budget``)."""
    settings = texts.settings
    span = min(settings.figure_columns, settings.columns)
    bylines = len(texts.byline)
    count = len(sheets)
    columns = chain_of(sheets)
    capacity = sum(column.end - column.start for column in columns)
    floor = capacity - 1 - 2 * (count - 1)  # the last column may stop short, a jump too
    pitch = sheets[0].frame.pitch
    pours = 0
    for figure_rows in _figure_rows(texts, pitch, min(sheet.frame.rows for sheet in sheets)):
        figures = span * sum(figure_rows.values())
        for spare in (0, 1) if bylines else (0,):
            tried.extend(need + figures + spare - capacity for need in _needs(texts, pitch))
            # Count first; pour the text into the columns only when it can fill them,
            # its paragraphs as set or some a line shorter or longer.
            for chosen in _variant_texts(texts, floor - figures - spare,
                                         capacity - figures - spare, pitch):
                pours += 1
                if pours > budget:
                    return pours
                flow = pour(_pieces(chosen, figure_rows, spare, pitch), columns, span)
                if flow is not None:
                    return make_layout(chosen, spec, sheets, flow, figure_rows, labels=labels)
    return pours


def natural_sheets(texts: Texts, spec: PageSpec, sheets: list[Sheet],
                   labels: tuple[str, ...] | None = None) -> Layout | None:
    """The story poured through ``sheets``, the last at the story's natural depth (its
    columns level within a row), the rows under it left empty; else ragged."""
    settings = texts.settings
    span = min(settings.figure_columns, settings.columns)
    bylines = len(texts.byline)
    count = len(sheets)
    last = sheets[-1].frame
    capacity = sum(column.end - column.start for column in chain_of(sheets[:-1]))
    for figure_rows in _figure_rows(texts, last.pitch, last.rows)[:NATURAL_FIGURE_TRIES]:
        figures = span * sum(figure_rows.values())
        depths = sorted({math.ceil((base + figures + spare - capacity + shift
                                    + (1 if count > 1 else 0)) / last.columns)
                         for base in _needs(texts, last.pitch)
                         for spare in ((0, 1) if bylines else (0,))
                         for shift in (0, 1)})
        for depth in depths:
            if depth <= 1 or depth > last.rows:
                continue
            chain = chain_of(sheets, ends=[depth] * last.columns)
            for spare in (0, 1) if bylines else (0,):
                flow = pour(_pieces(texts, figure_rows, spare, last.pitch), chain, span)
                if flow is not None:
                    return make_layout(texts, spec, sheets, flow, figure_rows, depth,
                                       labels=labels)
    figure_rows = _figure_rows(texts, last.pitch, last.rows)[0]
    pieces = _pieces(texts, figure_rows, 0, last.pitch)
    for depth in range(1, last.rows + 1):
        flow = pour(pieces, chain_of(sheets, ends=[depth] * last.columns), span, ragged=True)
        if flow is not None:
            return make_layout(texts, spec, sheets, flow, figure_rows, depth, labels=labels)
    return None


def _variant_texts(texts: Texts, low: int, high: int,
                   pitch: float | None = None) -> Iterator[Texts]:
    """The story with some paragraphs a line shorter or longer (a small knapsack: the
    fewest changes of the least colour), so that its rows come to between ``low`` and
    ``high``: as set first, then by the size of the change."""
    offers = {change: sorted(((variant.by_change()[change][1], key)
                              for key, variant in texts.variants.items()
                              if change in variant.by_change()), key=lambda offer: offer[0])
              for change in (-1, 1)}
    changes = sorted({need_change for need in _needs(texts, pitch)
                      for need_change in range(low - need, high - need + 1)
                      if -len(offers[-1]) <= need_change <= len(offers[1])},
                     key=lambda change: (abs(change), change))
    for change in changes:
        if not change:
            yield texts
            continue
        candidates = offers[1 if change > 0 else -1][:abs(change) + VARIANT_SPARES]
        combinations = itertools.islice(itertools.combinations(candidates, abs(change)), 200)
        for chosen in sorted(combinations, key=lambda combo: sum(cost for cost, _ in combo)
                             )[:VARIANT_TRIES]:
            yield texts.with_variants({key: 1 if change > 0 else -1 for _, key in chosen})


def _needs(texts: Texts, pitch: float | None = None) -> list[int]:
    """The rows the story's lines, subheads and byline take, for each way its subheads
    can take their bands (at ``pitch``: a subhead on more lines may need a deeper band),
    fewest first."""
    bands = tuple(subhead_bands(texts, block, pitch) for block in texts.article.blocks
                  if isinstance(block, Subhead))
    base = texts.line_count + sum(min(options) for options in bands) + len(texts.byline)
    return [base + total for total in _band_totals(bands)]


@functools.lru_cache(maxsize=64)
def _band_totals(bands: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    """The rows the subheads take beyond their fewest, for every way of choosing their
    bands, fewest first: worked out once for a story's subheads, not at every try."""
    totals = {0}
    for options in bands:
        totals = {total + option - min(options) for total in totals for option in options}
    return tuple(sorted(totals))


def subhead_bands(texts: Texts, subhead: Subhead, pitch: float | None) -> tuple[int, ...]:
    """The bands of rows a subhead may take: the layout's that hold its lines at
    ``pitch``, else the fewest rows that do (never a band its lines overflow)."""
    bands = tuple(sorted(set(texts.settings.subhead_rows)))
    if pitch is None:
        return bands
    height = len(texts.subheads[id(subhead)]) * Sizes.of(texts.settings).subhead_line
    need = math.ceil(height / pitch - 1e-6)
    return tuple(band for band in bands if band >= need) or (need,)


def natural(texts: Texts, spec: PageSpec, count: int) -> Layout | None:
    """The story on ``count`` pages, the last set at its natural depth: every column of
    its module as deep as the deepest or a row less (the flow chooses which, column by
    column, so that no subhead is stranded at a column's foot), the rest of the type area
    left empty. Shapes are tried widest first, each with a budget of pours, and all of
    them with one (``NATURAL_BUDGET``)."""
    settings = texts.settings
    span = min(settings.figure_columns, settings.columns)
    bylines = len(texts.byline)
    seen: set = set()
    total = 0
    for columns_wide in shapes(texts, count):
        if total > NATURAL_BUDGET:
            break
        pours = 0
        for pitch in pitches(settings):
            sheets = make_sheets(texts, spec, count, pitch, columns_wide)
            if any(sheet.frame.rows < 4 for sheet in sheets):
                continue
            capacity = sum(column.end - column.start for column in chain_of(sheets[:-1]))
            last = sheets[-1].frame
            for figure_rows in _figure_rows(texts, pitch, last.rows)[:NATURAL_FIGURE_TRIES]:
                figures = span * sum(figure_rows.values())
                depths = sorted({math.ceil((base + figures + spare - capacity + shift
                                            + (1 if count > 1 else 0)) / columns_wide)
                                 for base in _needs(texts, pitch)
                                 for spare in ((0, 1) if bylines else (0,))
                                 for shift in (0, 1)})
                for depth in depths:
                    if depth <= 1 or depth > last.rows:
                        continue
                    # Without photos the pour does not depend on the leading.
                    key = (columns_wide, tuple(s.frame.rows for s in sheets[:-1]),
                           figures and pitch, depth, tuple(sorted(figure_rows.values())))
                    if key in seen:
                        continue
                    seen.add(key)
                    pours += 1
                    total += 1
                    if pours > NATURAL_POURS:
                        break
                    chain = chain_of(sheets, ends=[depth] * columns_wide)
                    for spare in (0, 1) if bylines else (0,):
                        flow = pour(_pieces(texts, figure_rows, spare, pitch), chain, span)
                        if flow is not None:
                            return make_layout(texts, spec, sheets, flow, figure_rows, depth)
                if pours > NATURAL_POURS:
                    break
            if pours > NATURAL_POURS:
                break
    return None


def ragged(texts: Texts, spec: PageSpec, count: int) -> Layout | None:
    """The last resort on ``count`` pages, when no layout keeps every rule: a piece that
    cannot stand where the text reaches it moves on, leaving the rows under it empty
    (reported as PR502), in a last page as shallow as that allows. Better a hole a layout
    editor fills than a jump for a few lines."""
    settings = texts.settings
    span = min(settings.figure_columns, settings.columns)
    best: tuple[int, Layout] | None = None
    for columns_wide in shapes(texts, count):
        for pitch in pitches(settings)[:3]:
            sheets = make_sheets(texts, spec, count, pitch, columns_wide)
            if any(sheet.frame.rows < 4 for sheet in sheets):
                continue
            figure_rows = _figure_rows(texts, pitch, sheets[-1].frame.rows)[0]
            pieces = _pieces(texts, figure_rows, 0, pitch)
            capacity = sum(c.end - c.start for c in chain_of(sheets[:-1]))
            rest = max(1, _needs(texts, pitch)[0] + span * sum(figure_rows.values()) - capacity)
            last = sheets[-1].frame
            for depth in range(min(last.rows, math.ceil(rest / columns_wide)), last.rows + 1):
                flow = pour(pieces, chain_of(sheets, ends=[depth] * columns_wide), span,
                            ragged=True)
                if flow is None:
                    continue
                layout = make_layout(texts, spec, sheets, flow, figure_rows,
                                 depth if depth < last.rows or columns_wide < settings.columns
                                 else None)
                holes = sum(page.free.holes for page in layout.pages if page.free)
                if best is None or holes < best[0]:
                    best = (holes, layout)  # the fewest holes, at the leading nearest 1.5
                break
    return best[1] if best else None



def _figure_rows(texts: Texts, pitch: float, frame_rows: int | None) -> list[dict[int, int]]:
    """Row counts to try for each figure, the photo's own shape first (worked out once
    per leading and depth: an edition asks for them at every width of every module)."""
    key = (tuple(id(figure) for figure in texts.article.figures), pitch, frame_rows)
    if key not in texts.photo_rows:
        texts.photo_rows[key] = _photo_row_counts(texts, pitch, frame_rows)
    return texts.photo_rows[key]


def _photo_row_counts(texts: Texts, pitch: float, frame_rows: int | None
                      ) -> list[dict[int, int]]:
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
            # A photo taller than its frame is cropped to it, never left out; but it keeps
            # two rows above its caption (else it would not be seen at all).
            least = math.ceil(caption / pitch) + 2
            highest = max(min(highest, frame_rows), least)
            lowest = max(min(lowest, frame_rows), least)
        rows = range(lowest, max(lowest, highest) + 1)
        ideal = (natural + caption) / pitch
        ideals.append(ideal)
        options.append((id(figure), sorted(rows, key=lambda r: (abs(r - ideal), r))))
    # With several photos, try the combinations nearest their own shapes first.
    combos = itertools.islice(itertools.product(*[rows for _, rows in options]), 20000)
    combos = sorted(combos, key=lambda combo: sum(abs(r - ideal)
                                                  for r, ideal in zip(combo, ideals)))
    return [dict(zip([key for key, _ in options], combo)) for combo in combos[:MAX_FIGURE_TRIES]]


def _lines_after(texts: Texts, number: int) -> int:
    """Body lines that follow block ``number`` before the next subhead or the end."""
    lines = 0
    for block in texts.article.blocks[number + 1:]:
        if isinstance(block, Subhead):
            break
        if isinstance(block, Paragraph):
            lines += len(texts.lines_of[id(block)])
    return lines


def _pieces(texts: Texts, figure_rows, spare, pitch: float) -> list[Piece]:
    """The story as the flow takes it at ``pitch``. A subhead may take any of its bands:
    the flow chooses, subhead by subhead, the one that keeps the rules."""
    pieces: list[Piece] = []
    for number, block in enumerate(texts.article.blocks):
        if isinstance(block, Paragraph):
            lines = texts.lines_of[id(block)]
            for index, line in enumerate(lines):
                pieces.append(Piece("line", 1, block, line, opening=index == 0,
                                    closing=index == len(lines) - 1, paragraph=number))
        elif isinstance(block, Subhead):
            bands = subhead_bands(texts, block, pitch)
            pieces.append(Piece("subhead", bands[0], block, options=bands,
                                keep=min(KEEP_AFTER_SUBHEAD, _lines_after(texts, number))))
        elif isinstance(block, Figure):
            pieces.append(Piece("figure", figure_rows[id(block)], block))
    if texts.byline:
        pieces.append(Piece("byline", len(texts.byline) + spare))
    return pieces


def no_fill(texts: Texts, spec: PageSpec, tried: list[int]) -> CopyfitError:
    """The copyfit message where a full page is asked for: which way, and how much."""
    settings = texts.settings
    per_row = settings.column_chars
    # A count that fits but could not be poured is a line or two from a layout that pours.
    misses = [t for t in tried if not -1 <= t <= 0] or [1]
    nearest = min(misses, key=lambda t: (abs(t), t))
    lines = abs(nearest) if nearest > 0 else abs(nearest) - 1
    lines = max(1, lines)
    sheet = make_sheet(texts, first_head(texts, texts.type_width), pitches(settings)[0])
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


def _capacity(texts: Texts, spec: PageSpec, count: int, pitch: float) -> int:
    """Rows the body frames of ``count`` pages hold at ``pitch``."""
    sheets = make_sheets(texts, spec, count, pitch, texts.settings.columns)
    return sum(column.end - column.start for column in chain_of(sheets))


def fewest_pages(texts: Texts, spec: PageSpec) -> int:
    """The fewest pages that could hold the story's lines at the tightest leading: where
    the search for a layout starts."""
    tightest = min(pitches(texts.settings))
    one, two = _capacity(texts, spec, 1, tightest), _capacity(texts, spec, 2, tightest)
    per_page = max(1, two - one)
    if texts.line_count <= one:
        return 1
    return 1 + math.ceil((texts.line_count - one) / per_page)


def too_long(texts: Texts, spec: PageSpec) -> CopyfitError:
    per_row = texts.settings.column_chars
    room = _capacity(texts, spec, MAX_PAGES, min(pitches(texts.settings)))
    over = max(1, texts.line_count - room)
    return CopyfitError(
        f"the article is too long even for {MAX_PAGES} pages: cut about {over * per_row} "
        f"characters ({over} lines of {per_row})", Location(texts.article.source),
        "a story this long is a book, not a newspaper article; or choose a larger format "
        "or smaller type under 'layout:' in the front matter")


def shapes(texts: Texts, count: int) -> list[int]:
    """Module widths to try, in columns: two or three for a short story alone on its
    page, the page's width otherwise; then a column narrower at a time, down to half the
    page, for a story whose subheads or photos stand badly at the first width."""
    columns = texts.settings.columns
    if count == 1 and texts.characters <= SHORT_STORY:
        first = [c for c in (3, 2) if c <= columns] or [columns]
    else:
        first = [columns]
    # A story running on keeps the page's width, or a column less, on its last page.
    lowest = max(1, columns // 2) if count == 1 else columns - 1
    narrower = range(min(first) - 1, lowest - 1, -1)
    wider = range(max(first) + 1, columns + 1)
    return first + [c for c in (*wider, *narrower) if c >= 2]
