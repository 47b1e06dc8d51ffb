"""Composing an edition: every page of a plan made up, each story set in its module.

Takes the ``Plan`` and its stories' ``Article``s; gives an ``EditionLayout``: each page
with its header strip (or, on the front page, the masthead and its ear), its advertisements
and its story modules, each module a ``Page`` of the story (as a story alone is composed),
placed on the page's one baseline grid.

In order: the pages are made up one after another (``pressroom.typesetting.makeup``),
since a story that jumps brings its continuation to a later page; then each story is
poured through its modules, one chain across its pages, by the copyfitting of a story
alone (``fill_sheets``, else ``natural_sheets`` with the rows left empty reported). Where
the pour finds the make-up's counting optimistic, the module is refused or the lines a
jump carries over changed, and the pages made up again (those whose inputs did not change
are reused).

The weights below are those of a story's options (the make-up's own are in
``makeup.py``): a lead keeps a share of its page, a jump carries over what its next page
has room for, a head beside a text column or with space around it costs a little.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import CopyfitError, Location, ManuscriptError, raise_all
from ..fonts import HEI, KAI, SONG
from ..labels import label
from ..reading.model import Article, PageSpec
from ..reading.plan import Masthead, PagePlan, Plan, StoryPlan
from ..settings import type_width
from .breaking import set_lines
from .copyfit import _figure_rows, _needs, fill_sheets, natural_sheets
from .folios import Furniture, chinese_date, furniture as strip_of
from .frames import PT_PER_MM, Box, Frame
from .lines import Line, is_han
from .makeup import (CARRY_COST, GAP_COST, JUMP_COST, MAX_GAP_ROWS, MIN_JUMP_ROWS, Fits,
                     MakeUp, Option, Placement, Rect, Reserved, make_up, overlaps)
from .pages import (_strip, head_band, strip_too_long, module_sheet, pitches, side_sheet, strip_bottom,
                    strip_box)
from .parts import Page, SetFigure, Sizes
from .measure import latin_widths
from .texts import Texts, article_texts, faces_for, first_head, jump_head, keep_paragraphs, \
    text_runs
from ..faces import Typefaces, typefaces
from ..reading.coverage import Run, report_faces, texts_by_role

# Headline sizes by rank on the page, as shares of the layout's headline size: the lead's
# is the largest, and no story's is larger than that of a story above it in rank.
HEADLINE_LADDER = (1.0, 0.75, 0.62, 0.54, 0.5, 0.46, 0.43, 0.4)
MASTHEAD_COLUMNS = 2 / 3  # of the page's columns: the paper's name; the ear beside it
NAME_SIZE = 1.6  # the paper's name set in type, as a multiple of the headline size
INFO_SIZE = 8.0  # pt: the masthead's date lines and the ear's index, smaller than the body
INDEX_TITLE_SIZE = 12.0
EAR_SPARE_ROWS = 16  # rows the ear may stand deeper than its index, to stagger headlines
MIN_CONTINUATION = 6  # body lines a jump carries over at least
SIDE_HEAD_COLUMNS = 3  # the narrowest module whose head may stand beside a column of text
SIDE_COST = 4.0  # a head beside a column of text rather than across the module
PITCH_TRIES = 3  # leadings tried for a page, the layout's own first
PITCH_COST = 8.0  # for each step a page's leading moves away from the layout's own
HEAD_SPARE_ROWS = 2  # rows of space a module's head may take beyond what it needs
HEAD_SPARE_COST = 0.5  # for each column row of that space
LEAD_SHARE = 0.3  # of the page's type area, that a lead which jumps keeps at least
LEAD_COST = 1.5  # per column row it keeps less
ROOM_GAP_COST = 1.5  # per line a jump leaves its next page short of filling it
ROOM_OVER_COST = 3.0  # per line a jump carries beyond the room its next page has
CARRY_BACK = 0.93  # of the lines a continuation brought to a page too full to take it
MAX_REMAKES = 24  # make-ups of the edition, each giving a short continuation more room


@dataclass(frozen=True)
class SetAd:
    artwork: Path
    box: Box  # the module
    art: Box  # the artwork at its own size, centred in the module


@dataclass(frozen=True)
class PlacedLine:
    line: Line
    box: Box
    kind: str  # the stylesheet's class: name, info, index-title, index-page, index-story
    size: float  # pt


@dataclass(frozen=True)
class SetMasthead:
    """报头 and 报眼: the paper's name (artwork or type), its date lines, and the ear's
    index of the inside pages."""

    box: Box
    artwork: Path | None
    artwork_box: Box | None
    lines: tuple[PlacedLine, ...]
    ear: Box | None
    ear_lines: tuple[PlacedLine, ...]


@dataclass(frozen=True)
class EditionPage:
    number: int  # from 1
    label: str
    code: str
    width: float
    height: float
    pitch: float
    colour: bool
    furniture: Furniture | None  # the header strip; None on the front page
    strip: Box
    masthead: SetMasthead | None
    modules: tuple[Page, ...]  # each story's part on this page, in reading order
    stories: tuple[str, ...]  # the slug of each module's story
    boxes: tuple[Box, ...]  # each module's rectangle of the grid
    ads: tuple[SetAd, ...]
    rules: tuple[Box, ...]  # between modules
    area: Box  # the type area: the grid's rows across the columns
    gap_cells: int  # column rows of the type area left empty
    cells: int
    where: Location | None = None  # the page's entry in the plan


@dataclass(frozen=True)
class EditionLayout:
    plan: Plan
    pages: tuple[EditionPage, ...]
    articles: tuple[Article, ...]  # in reading order, each once
    pitch: float
    starting: tuple[tuple[Article, ...], ...] = ()  # the stories that start on each page
    typefaces: Typefaces | None = None  # the faces of every page


@dataclass
class _Item:
    """A story, or a story's continuation, waiting for its module on one page."""

    story: StoryPlan
    article: Article
    texts: Texts
    page: int
    continuation: bool = False
    lines: int = 0  # for a continuation: the rows it still needs
    jump_to: int | None = None  # the page it may continue on
    room: int | None = None  # the lines that page has room for, as far as can be told


def _box(grid: Frame, rect: Rect) -> Box:
    """A module's rectangle of the page's grid, in points."""
    return Box(grid.x(rect.column), grid.y(rect.row), grid.span_width(rect.columns),
               rect.rows * grid.pitch)


def compose_edition(plan: Plan, articles: dict[Path, Article],
                    artwork_sizes: dict[Path, tuple[float, float]]) -> EditionLayout:
    """Make up every page, then pour each story through its modules. A continuation that
    the pour finds short of room (its estimate of the lines carried over was low) is
    given more, and the pages are made up again."""
    # One set of faces for the whole edition, so that every page embeds the same ones.
    furniture = _furniture_texts(plan, articles)
    chosen = edition_faces(plan, articles, furniture)
    report_faces(chosen, [Run(text, family, Location(plan.source))
                          for family, values in furniture.items() for text in values])
    articles = {folder: dataclasses.replace(article, typefaces=chosen)
                for folder, article in articles.items()}
    # Every Latin run of the edition measured in one layout, then each story set.
    latin_widths([run for article in articles.values() for run in text_runs(
        article_texts(article))] + text_runs(furniture), chosen)
    texts = {folder: Texts.of(article, plan.settings) for folder, article in articles.items()}
    faces = faces_for(furniture, chosen)  # the faces of the masthead, the ear and the header strips
    # The room each page a story may jump to has, worked out once for every make-up.
    targets = {_jump_target(plan, number, story) for number, page in enumerate(plan.pages)
               for story in page.stories} - {None}
    rooms = {target: _room(plan, target, texts, artwork_sizes) for target in targets}
    try:
        return _made_up(plan, articles, texts, faces, artwork_sizes, rooms, chosen)
    finally:
        # The notes are set with the heads, at the widths the make-up gives them.
        for text in texts.values():
            keep_paragraphs(text.faces)


def _made_up(plan: Plan, articles, texts, faces, artwork_sizes, rooms,
             chosen: Typefaces) -> EditionLayout:
    """The make-up of the pages, made again where a story's text did not pour."""
    extra: dict[Path, int] = {}
    refused: set[tuple[Path, int, int, int]] = set()
    carry: dict[Path, int] = {}  # the most lines a story may carry over to its next page
    cache: dict = {}  # the pages made up so far, by what each depends on
    for _ in range(MAX_REMAKES):
        try:
            made = _make_up_pages(plan, articles, texts, faces, artwork_sizes, rooms, extra,
                                  refused, carry, cache)
            return replace(_assemble(plan, made, texts, faces), typefaces=chosen)
        except _Short as short:
            extra[short.folder] = extra.get(short.folder, 0) + short.lines
        except _Refused as refusal:
            refused.add(refusal.module)
        except _Crowded as crowded:
            for folder, lines in crowded.carried.items():
                carry[folder] = int(lines * CARRY_BACK)
    raise CopyfitError(f"the stories of {plan.source.name} could not be poured into the "
                       "modules made up for them", Location(plan.source),
                       "give the stories that jump more room, or fewer stories to a page")


class _Refused(Exception):
    """A body the make-up counted a story into, but its text cannot be poured into:
    (folder, page, columns, rows under the head)."""

    def __init__(self, module: tuple[Path, int, int, int]):
        super().__init__(module)
        self.module = module


class _Crowded(Exception):
    """A page its own stories and the continuations brought to it do not fit: the pages
    before it should carry less over."""

    def __init__(self, carried: dict[Path, int]):
        super().__init__(carried)
        self.carried = carried


class _Short(Exception):
    """A story's chain of modules holds fewer lines than it needs."""

    def __init__(self, folder: Path, lines: int):
        super().__init__(folder)
        self.folder, self.lines = folder, lines


def _make_up_page(plan: Plan, page: PagePlan, items: list[_Item], artwork_sizes, faces,
                  articles, refused, carry):
    """The best make-up of one page: (cost, grid, make-up, reserved modules), or None.
    One leading for the page, the layout's own first: a few others are tried, and the
    page made up best at its leading wins."""
    settings = plan.settings
    best = None
    for step, pitch in enumerate(pitches(settings)[:PITCH_TRIES]):
        grid = _grid(plan, page, pitch)
        reserved, front = _reserved(plan, page, grid, artwork_sizes, faces, articles)
        fits = [_fits(item, rank, grid, settings.columns, refused, carry.get(item.story.folder))
                for rank, item in enumerate(items)]
        # A story pinned to a place stands there, as a reserved module does; the search
        # makes up the others around it.
        fixed = {rank: found for rank, item in enumerate(items)
                 if (found := _pinned(item, fits[rank], grid)) is not None}
        if any(option is None for option, _ in fixed.values()):
            continue
        pinned = {rank: rect for rank, (_, rect) in fixed.items()}
        fixed = {rank: option for rank, (option, _) in fixed.items()}
        free = [rank for rank in range(len(items)) if rank not in pinned]
        ways = [Reserved(way.rects + tuple(pinned.values()), way.empty) for way in reserved]
        found = make_up([replace(fits[rank], key=index) for index, rank in enumerate(free)],
                        Rect(0, 0, settings.columns, grid.rows), ways)
        if found is None or len({p.key for p in found.placements}) < len(free):
            continue
        placements = tuple(replace(p, key=free[p.key]) for p in found.placements) + tuple(
            Placement(rank, pinned[rank], option) for rank, option in fixed.items())
        found = replace(found, placements=placements, cost=found.cost + sum(
            option.cost for option in fixed.values()) + sum(o.empty for o in fixed.values()),
            gap_cells=found.gap_cells + sum(o.empty for o in fixed.values()))
        cost = found.cost + PITCH_COST * step
        if best is None or cost < best[0]:
            best = (cost, grid, found, front)
        if not found.gap_cells and not step:
            break  # the layout's own leading fills the page: no other is looked for
    return best


def _pinned(item: _Item, fits: Fits, grid: Frame):
    """Where the plan pins a story to a place, the module it takes there and its option:
    the size the plan gives, or the best the story fills from that place; (None, None)
    if it cannot stand there; None if it is not pinned to a place (a continuation is
    made up freely)."""
    pin = item.story.pin
    if item.continuation or not pin or pin.column is None or pin.row is None:
        return None
    column = int(pin.column)
    options = [(option.cost, width, option) for width, found in fits.options.items()
               if column + width <= grid.columns for option in found
               if option.kind != "jump" or item.jump_to is not None]
    if pin.row != "foot":
        options = [o for o in options if int(pin.row) + o[2].rows <= grid.rows]
    if not options:
        return None, None
    _, width, option = min(options, key=lambda o: (o[0], -o[1]))
    row = grid.rows - option.rows if pin.row == "foot" else int(pin.row)
    return option, Rect(column, row, width, option.rows)


def _make_up_pages(plan: Plan, articles, texts, faces, artwork_sizes, rooms, extra, refused,
                   carry, cache) -> list:
    """Each page made up in turn, a story that jumps bringing its continuation to a later
    page; the problems of every page reported together."""
    waiting: dict[int, list[_Item]] = {}
    made: list[tuple[Frame, MakeUp, list[_Item], dict]] = []
    errors = []
    for number, page in enumerate(plan.pages):
        items = [_Item(story, articles[story.folder], texts[story.folder], number,
                       jump_to=(target := _jump_target(plan, number, story)),
                       room=rooms.get(target))
                 for story in _ranked(page.stories)] + waiting.pop(number, [])
        # The page's make-up depends on nothing but its stories, what they may carry over,
        # and the modules refused them: a make-up of the edition again reuses it.
        key = (number, tuple((item.story.folder, item.continuation, item.lines, item.room,
                              carry.get(item.story.folder)) for item in items),
               frozenset(module for module in refused if module[1] == number))
        if key not in cache:
            cache[key] = _make_up_page(plan, page, items, artwork_sizes, faces, articles,
                                       refused, carry)
        best = cache[key]
        if best is None:
            carried = {item.story.folder: item.lines for item in items if item.continuation
                       and item.lines > MIN_CONTINUATION}
            if carried:
                raise _Crowded(carried)
            errors.append(_no_room(plan, page, items))
            continue
        _, grid, found, front = best
        for placement in found.placements:
            item = items[placement.key]
            if placement.option.kind == "jump":
                option = placement.option
                body = option.rows - option.band - option.photo
                carried = max(MIN_CONTINUATION, _natural(item, grid.pitch, bool(option.photo))
                              - (placement.rect.columns * body - 1)) \
                    + extra.get(item.story.folder, 0)
                nxt = replace(item, page=item.jump_to, continuation=True, lines=carried,
                              jump_to=item.jump_to + 1 if item.story.full_text
                              and item.jump_to + 1 < len(plan.pages) else None)
                waiting.setdefault(item.jump_to, []).append(nxt)
        made.append((grid, found, items, front))
    for number, items in waiting.items():
        for item in items:
            errors.append(ManuscriptError(
                f"'{item.article.slug}' jumps to {plan.pages[number].label}, which has no "
                "room left for it", item.story.where, "allow the jump to another page, or "
                "move a story off that page", code="PR157"))
    raise_all(errors)
    return made


def edition_faces(plan: Plan, articles: dict[Path, Article],
                  furniture: dict[str, list[str]] | None = None) -> Typefaces:
    """The faces of every story of the edition and of its furniture, in the plan's
    script."""
    furniture = furniture if furniture is not None else _furniture_texts(plan, articles)
    texts: dict[str, list[str]] = {family: list(values) for family, values in furniture.items()}
    for article in articles.values():
        for family, values in texts_by_role(article).items():
            texts.setdefault(family, []).extend(values)
    own = tuple(dict.fromkeys(path for article in articles.values() for path in article.fonts))
    return typefaces(plan.lang, texts, own_fonts=own)


def _furniture_texts(plan: Plan, articles: dict[Path, Article]) -> dict[str, list[str]]:
    """What the edition sets besides its stories, by face: the masthead's lines, the ear's
    index, the header strips."""
    song = _masthead_info(plan) + [article.title for article in articles.values()]
    editor = label(plan.lang, "page_editor")
    song += [text for page in plan.pages for text in (page.label, page.section or "",
                                                      editor.format(page.editor or ""))]
    if plan.date:
        song.append(chinese_date(plan.date, plan.lang))
    hei = [plan.publication, label(plan.lang, "index")] + [line for page in plan.pages for line in
                                       _joined([page.label, *filter(None, [page.section])])]
    return {SONG: song, HEI: hei, KAI: []}


def _ranked(stories: tuple[StoryPlan, ...]) -> list[StoryPlan]:
    """The page's stories in order of importance, the one marked lead first."""
    return sorted(stories, key=lambda story: not story.lead)


def _jump_target(plan: Plan, number: int, story: StoryPlan) -> int | None:
    if story.jump:
        return plan.page_of(story.jump)
    if story.full_text and number + 1 < len(plan.pages):
        return number + 1
    return None


def _grid(plan: Plan, page: PagePlan, pitch: float) -> Frame:
    """The page's baseline grid: rows from the foot of the type area up, as on a page of
    one story; the front page has no header strip, its masthead stands in the grid."""
    settings = plan.settings
    top = settings.margin_top * PT_PER_MM if page.masthead else strip_bottom(settings, pitch)
    bottom = (settings.page_height - settings.margin_bottom) * PT_PER_MM
    rows = int((bottom - top) // pitch)
    width = type_width(settings)
    column_width = settings.column_chars * settings.body_size
    return Frame((settings.page_width * PT_PER_MM - width) / 2, bottom - rows * pitch,
                 settings.columns, rows, column_width, settings.gap_chars * settings.body_size,
                 pitch)


# -- what each story can fill -----------------------------------------------------

def _natural(item: _Item, pitch: float, photo: bool = False) -> int:
    """The rows the story's body takes as set, its photos at their own shapes; ``photo``:
    but the first, which stands above the head."""
    if item.continuation:
        return item.lines + 1  # its first column keeps a row for （上接…）
    texts = item.texts
    return min(_needs(texts, pitch)) + _figure_cells(item, _figure_rows(texts, pitch, None)[0],
                                                     photo)


def _figure_cells(item: _Item, rows: dict[int, int], photo: bool) -> int:
    span = min(item.texts.settings.figure_columns, item.texts.settings.columns)
    first = id(item.article.figures[0]) if photo else None
    return span * sum(count for key, count in rows.items() if key != first)


def _flex(item: _Item, pitch: float, photo: bool = False) -> tuple[int, int]:
    """The fewest and most rows the body can be made to fill: subhead bands, photo
    heights, a spare row before the byline, paragraphs a line shorter or longer."""
    if item.continuation:
        return item.lines + 1, item.lines + 2
    texts = item.texts
    figures = [_figure_cells(item, combo, photo) for combo in _figure_rows(texts, pitch, None)]
    needs = _needs(texts, pitch)
    shorter = sum(-1 in variant.by_change() for variant in texts.variants.values())
    longer = sum(1 in variant.by_change() for variant in texts.variants.values())
    spare = 1 if texts.byline else 0
    return min(needs) + min(figures) - shorter, max(needs) + max(figures) + spare + longer


def _photo_rows(item: _Item, pitch: float) -> int:
    """The rows of the story's first photo with its caption, at the photo's own shape."""
    return _figure_rows(item.texts, pitch, None)[0][id(item.article.figures[0])]


def _head(item: _Item, width: float, size: float):
    if item.continuation:
        return jump_head(item.texts, item.article.printing.jump_title, width, size)
    return first_head(item.texts, width, size)


def _size(settings, rank: int) -> float:
    return settings.headline_size * HEADLINE_LADDER[min(rank, len(HEADLINE_LADDER) - 1)]


def _fits(item: _Item, rank: int, grid: Frame, columns: int, refused=frozenset(),
          carry: int | None = None) -> Fits:
    """Every module the story can take on the page: each width, and at each the depths
    its text fills, the deeper ones it leaves a gap in, and (where it may jump) the
    shallower ones it continues from; a story with a photo also with the photo above its
    head, in a module as wide as the photo."""
    settings = item.texts.settings
    pin = item.story.pin
    span = min(settings.figure_columns, columns)
    options: dict[int, tuple[Option, ...]] = {}
    # The lead of a page takes a good share of it, even where it could jump sooner.
    lead_cells = LEAD_SHARE * columns * grid.rows if rank == 0 and not item.continuation else 0
    for width in range(span if item.article.figures else 1, columns + 1):
        if pin and pin.columns and width != pin.columns:
            continue
        head = _head(item, grid.span_width(width), _size(settings, rank))
        bands = (head_band(head, grid.pitch), head_band(replace(head, note=None), grid.pitch))
        found = _depths(item, width, bands, 0, grid, carry)
        if width == span and item.article.figures and not item.continuation:
            found += _depths(item, width, bands, _photo_rows(item, grid.pitch), grid, carry)
        if width >= SIDE_HEAD_COLUMNS and not item.continuation and not item.article.editor_note:
            beside = _head(item, grid.span_width(width - 1), _size(settings, rank))
            side_bands = (head_band(beside, grid.pitch),) * 2
            for side in ("right", "left"):
                found += _depths(item, width, side_bands, 0, grid, carry, side)
        if lead_cells:
            found = [replace(o, cost=o.cost + LEAD_COST * max(0, lead_cells - width * o.rows))
                     if o.kind == "jump" else o for o in found]
        found = [o for o in found if o.rows <= grid.rows
                 and not (pin and pin.rows and o.rows != pin.rows)
                 and (item.story.folder, item.page, width, o.rows - o.band - o.photo)
                 not in refused]
        if found:
            options[width] = tuple(found)
    return Fits(rank, options)


def _depths(item: _Item, width: int, bands: tuple[int, int], photo: int,
            grid: Frame, carry: int | None = None, side: str = "") -> list[Option]:
    """The depths of a module ``width`` columns wide, its head given a row or two of
    space more where that makes it stand level with its neighbours."""
    found: list[Option] = []
    for spare in range(HEAD_SPARE_ROWS + 1):
        band, headline = bands[0] + spare, bands[1] + spare
        found += _depths_at(item, width, (band, headline), photo, grid, carry, side,
                            HEAD_SPARE_COST * spare * width)
    return found


def _depths_at(item: _Item, width: int, bands: tuple[int, int], photo: int,
               grid: Frame, carry: int | None, side: str, spare_cost: float) -> list[Option]:
    """Each depth of the module, by what its body holds there: the text filling it, the
    text and rows left empty under it, or (where it may jump) the part before the jump."""
    band, headline = bands
    natural = _natural(item, grid.pitch, bool(photo))
    low, high = _flex(item, grid.pitch, bool(photo))
    top = band + photo

    def capacity(rows: int) -> int:
        if side:  # the text column beside the head starts a row under the module's top
            return rows - 1 + (width - 1) * (rows - band)
        return width * (rows - top)

    found: list[Option] = []
    deepest = None
    cost = (SIDE_COST if side else 0.0) + spare_cost
    for rows in range(top + 1, grid.rows + 1):
        held = capacity(rows)
        if low <= held <= high + 1:
            found.append(Option(rows, cost + 0.05 * abs(held - natural), "fill", band,
                                photo=photo, headline=headline, side=side))
            deepest = rows
        elif held > high + 1 and held >= natural:
            deepest = deepest or rows - 1
            if rows > deepest + MAX_GAP_ROWS:
                break
            found.append(Option(rows, cost + GAP_COST * (held - natural), "gap", band,
                                held - natural, photo, headline, side))
        elif item.jump_to is not None and rows - top >= MIN_JUMP_ROWS:
            carried = natural - (held - 1)  # a row of the last column holds （下转…）
            if MIN_CONTINUATION <= carried <= (carry or carried):
                found.append(Option(rows, cost + JUMP_COST + CARRY_COST * carried
                                    + _room_cost(carried, item.room), "jump", band,
                                    photo=photo, headline=headline, side=side))
    return found


def _room(plan: Plan, number: int, texts: dict[Path, Texts], sizes) -> int:
    """About how many lines page ``number`` has room for besides its own stories: its
    type area, less its advertisements, its stories at their natural lengths and their
    heads (taken at half the page's width), and the head of a continuation."""
    settings = plan.settings
    page = plan.pages[number]
    grid = _grid(plan, page, pitches(settings)[0])
    cells = settings.columns * grid.rows
    for ad in page.ads:
        width, height = sizes[ad.artwork]
        cells -= math.ceil((width + grid.gap) / (grid.column_width + grid.gap)) \
            * math.ceil(height / grid.pitch)
    columns = max(1, settings.columns // 2)
    for story in page.stories:
        story_texts = texts[story.folder]
        item = _Item(story, story_texts.article, story_texts, number)
        head = first_head(story_texts, grid.span_width(columns), _size(settings, 1))
        # A row of each column more: a module is seldom filled to its last line.
        cells -= _natural(item, grid.pitch) + columns * (head_band(head, grid.pitch) + 1)
    head = jump_head(next(iter(texts.values())), None, grid.span_width(settings.columns))
    return max(0, cells - settings.columns * head_band(head, grid.pitch))


def _room_cost(carried: int, room: int | None) -> float:
    """What a jump carrying ``carried`` lines costs its next page: the rows it would leave
    empty there, or more for the lines that would crowd it."""
    if room is None:
        return 0.0
    return ROOM_GAP_COST * (room - carried) if carried <= room else \
        ROOM_OVER_COST * (carried - room)


# -- reserved modules -------------------------------------------------------------

def _reserved(plan: Plan, page: PagePlan, grid: Frame, sizes, faces,
              articles) -> tuple[list[list[Rect]], dict]:
    """The ways the page's reserved modules may stand (the ear of varying depth), and
    what they hold."""
    settings = plan.settings
    fixed: list[Rect] = []
    ads = []
    for ad in page.ads:
        width, height = sizes[ad.artwork]
        columns = max(1, math.ceil((width + grid.gap - 0.01) / (grid.column_width + grid.gap)))
        rows = math.ceil(height / grid.pitch - 1e-6)
        row = grid.rows - rows if ad.pin.row == "foot" else int(ad.pin.row)
        rect = Rect(int(ad.pin.column), row, columns, rows)
        _check_ad(plan, ad, rect, grid, fixed, (width, height))
        fixed.append(rect)
        ads.append((ad, rect, width, height))
    front = {"ads": ads, "masthead": None}
    if not page.masthead:
        return [Reserved(tuple(fixed))], front
    name_columns = max(1, round(settings.columns * MASTHEAD_COLUMNS))
    masthead = _masthead_lines(plan, grid, name_columns, sizes, faces)
    rows = plan.masthead.rows if plan.masthead and plan.masthead.rows else masthead["rows"]
    front["masthead"] = masthead | {"rect": Rect(0, 0, name_columns, rows)}
    ear_columns = settings.columns - name_columns
    if ear_columns <= 0:
        return [Reserved(tuple(fixed) + (Rect(0, 0, settings.columns, rows),))], front
    index = _index_lines(plan, grid, ear_columns, faces, articles)
    front["index"] = index
    least = max(rows, index["rows"])
    # The ear may stand deeper than its index, so that the stories under the masthead and
    # under the ear do not start level (撞题); the rows it leaves empty count as a gap.
    ways = [Reserved(tuple(fixed) + (Rect(0, 0, name_columns, rows),
                                     Rect(name_columns, 0, ear_columns, ear)),
                     ear_columns * (ear - index["rows"]))
            for ear in range(least, least + EAR_SPARE_ROWS + 1)]
    return ways, front


def _check_ad(plan: Plan, ad, rect: Rect, grid: Frame, others: list[Rect],
              size: tuple[float, float]) -> None:
    """An advertisement is placed as given: one that does not fit the type area where
    the plan puts it, or stands on another, is the plan's error, never resized."""
    problem = None
    if rect.row < 0 or rect.right > grid.columns or rect.bottom > grid.rows:
        problem = (f"at {size[0] / PT_PER_MM:.0f} x {size[1] / PT_PER_MM:.0f} mm it takes "
                   f"{rect.columns} columns and {rect.rows} rows, which from column "
                   f"{rect.column}, row {rect.row} leave the type area ({grid.columns} "
                   f"columns, {grid.rows} rows)")
    elif any(overlaps(rect, other) for other in others):
        problem = "it stands on another advertisement"
    if problem:
        raise ManuscriptError(f"the advertisement {ad.artwork.name} does not fit: {problem}",
                              ad.where or Location(plan.source),
                              "move it (column, row), or supply the artwork at a size that "
                              "fits", code="PR156")


def _masthead_lines(plan: Plan, grid: Frame, columns: int, sizes, faces) -> dict:
    """The masthead's contents, placed from its top left: the paper's name (its artwork
    at its own size, or set in Hei) and under it, a line to a row of the page's grid, the
    date and the numbers of the issue."""
    settings = plan.settings
    width = grid.span_width(columns)
    masthead = plan.masthead
    lines: list[PlacedLine] = []
    top = grid.pitch / 2
    artwork = masthead.artwork if masthead else None
    art_box = None
    if artwork:
        art_width, art_height = sizes[artwork]
        if art_width > width + 0.5 or art_height > grid.rows * grid.pitch / 3:
            # Placed as given, never resized: artwork too large is the plan's to change.
            raise ManuscriptError(
                f"the masthead's artwork {artwork.name} is {art_width / PT_PER_MM:.0f} x "
                f"{art_height / PT_PER_MM:.0f} mm; the masthead takes {columns} columns, "
                f"{width / PT_PER_MM:.0f} mm, and at most a third of the type area's depth",
                masthead.where or Location(plan.source),
                "supply the paper's name at the size it is printed", code="PR156")
        art_box = Box(0, top, art_width, art_height)
        top += art_height
    else:
        size = settings.headline_size * NAME_SIZE
        line = set_lines(plan.publication, faces[HEI], size, width)[0]
        lines.append(PlacedLine(line, Box(0, top, width, size * 1.2), "name", size))
        top += size * 1.2
    row = math.ceil(top / grid.pitch - 1e-6)
    for text in _masthead_info(plan):
        line = set_lines(text, faces[SONG], INFO_SIZE, width)[0]
        lines.append(PlacedLine(line, Box(0, row * grid.pitch, width, grid.pitch), "info",
                                INFO_SIZE))
        row += 1
    return {"lines": tuple(lines), "artwork": artwork, "artwork_box": art_box,
            "rows": row + 1}


def _masthead_info(plan: Plan) -> list[str]:
    """The masthead's small lines, as the plan gives them: a space parts two items only
    between Chinese words, so a number never stands by a space (CN 37-0001　邮发代号)."""
    masthead = plan.masthead or Masthead()
    first = [chinese_date(plan.date, plan.lang) if plan.date else label(plan.lang, "undated")]
    if masthead.lunar_date:
        first.append(masthead.lunar_date)
    second = [plan.pages[0].label, label(plan.lang, "pages_today").format(len(plan.pages))]
    if masthead.issue_number:
        second.append(masthead.issue_number)
    lines = _joined(first) + _joined(second)
    if masthead.serial:
        lines.append(label(plan.lang, "serial").format(masthead.serial))
    if masthead.postal_code:
        lines.append(label(plan.lang, "postal_code").format(masthead.postal_code))
    return lines


def _joined(items: list[str]) -> list[str]:
    """Items on one line, parted by an ideographic space where a Chinese character stands
    on both sides of it; else the next item starts a line (A01 今日3版 would put a space of
    an em beside a Latin letter)."""
    lines: list[str] = []
    for item in items:
        if lines and is_han(lines[-1][-1]) and is_han(item[0]):
            lines[-1] += "　" + item
        else:
            lines.append(item)
    return lines


def _index_lines(plan: Plan, grid: Frame, columns: int, faces, articles) -> dict:
    """导读: the inside pages and their stories' headlines, from the plan; the headlines
    a line to a row of the page's grid."""
    padding = INFO_SIZE
    width = grid.span_width(columns) - 2 * padding
    lines: list[PlacedLine] = []
    title = set_lines(label(plan.lang, "index"), faces[HEI], INDEX_TITLE_SIZE, width)[0]
    lines.append(PlacedLine(title, Box(padding, grid.pitch / 2, width, INDEX_TITLE_SIZE * 1.5),
                            "index-title", INDEX_TITLE_SIZE))
    row = math.ceil((grid.pitch / 2 + INDEX_TITLE_SIZE * 1.5) / grid.pitch - 1e-6)
    for page in plan.pages[1:]:
        stories = [articles[story.folder] for story in _ranked(page.stories)]
        if not stories:
            continue
        for line in (line for heading in _joined([page.label, *filter(None, [page.section])])
                     for line in set_lines(heading, faces[HEI], INFO_SIZE, width)):
            lines.append(PlacedLine(line, Box(padding, row * grid.pitch, width, grid.pitch),
                                    "index-page", INFO_SIZE))
            row += 1
        for article in stories:
            for line in set_lines(article.title, faces[SONG], INFO_SIZE, width - INFO_SIZE):
                lines.append(PlacedLine(line, Box(padding + INFO_SIZE, row * grid.pitch,
                                                  width - INFO_SIZE, grid.pitch),
                                        "index-story", INFO_SIZE))
                row += 1
    return {"lines": tuple(lines), "rows": row + 1}


def _no_room(plan: Plan, page: PagePlan, items: list[_Item]) -> CopyfitError:
    slugs = "、".join(item.article.slug for item in items)
    return CopyfitError(
        f"{page.label}: its stories ({slugs}) do not fit its type area, even with the "
        "rows left empty", page.where or Location(plan.source),
        "move a story to another page, let a long one jump ('jump: 第N版'), or drop an "
        "advertisement", code="PR410")


# -- the finished pages -------------------------------------------------------------

def _assemble(plan: Plan, made, texts, faces) -> EditionLayout:
    settings = plan.settings
    chains: dict[Path, list[tuple[int, Placement, _Item, Frame]]] = {}
    for number, (grid, found, items, _) in enumerate(made):
        for placement in found.placements:
            item = items[placement.key]
            chains.setdefault(item.story.folder, []).append((number, placement, item, grid))
    modules: dict[int, list[tuple[Rect, Page, str]]] = {}
    modules_seen: set[Path] = set()
    for folder, chain in chains.items():
        article = chain[0][2].article
        story_texts = texts[folder]
        photo = chain[0][1].option.photo
        if photo:  # the first photo stands above the head: the rest is poured
            story_texts = _without(story_texts, article.figures[0])
        elif len(chain) > 1 and article.figures:
            story_texts = _photo_early(story_texts)
        sheets = []
        for number, placement, item, grid in chain:
            rect = placement.rect
            rank = placement.key
            option = placement.option
            head = _head(item, grid.span_width(_head_columns(placement)),
                         _final_size(made[number], rank, settings))
            if option.side:
                sheets.append(side_sheet(story_texts, head, grid.pitch, grid.x(rect.column),
                                         grid.y(rect.row), rect.columns, rect.rows, option.band,
                                         option.side))
                continue
            sheets.append(module_sheet(story_texts, head, grid.pitch, grid.x(rect.column),
                                       grid.y(rect.row + option.photo), rect.columns,
                                       rect.rows - option.photo, option.band))
        labels = tuple(plan.pages[number].label for number, *_ in chain)
        spec = PageSpec(settings, plan.publication, plan.pages[chain[0][0]].section, plan.date,
                        labels[0], plan.pages[chain[0][0]].editor, article.printing.jump_title)
        layout = None
        if all(p.option.kind != "gap" for _, p, _, _ in chain):
            found = fill_sheets(story_texts, spec, sheets, [], labels=labels)
            layout = found if not isinstance(found, int) else None
        if layout is None:
            layout = natural_sheets(story_texts, spec, sheets, labels=labels)
        if layout is None:
            if len(chain) > 1:  # the continuation needs more room
                raise _Short(folder, chain[-1][1].rect.columns)
            number, placement = chain[0][0], chain[0][1]
            option = placement.option
            raise _Refused((folder, number, placement.rect.columns,
                            placement.rect.rows - option.band - option.photo))
        pages = list(layout.pages)
        if photo:
            number, placement, _, grid = chain[0]
            pages[0] = replace(pages[0], blocks=(_photo_above(texts[folder], article.figures[0],
                                                              grid, placement),
                                                 *pages[0].blocks))
        pages = [_anchored(page, f"story-{len(modules_seen) + 1}-") for page in pages]
        modules_seen.add(folder)
        for (number, placement, _, _), module in zip(chain, pages):
            modules.setdefault(number, []).append((placement.rect, module, article.slug))
    pages = []
    # The header strips are set in the faces that measured their runs.
    strip_texts = dataclasses.replace(next(iter(texts.values())), faces=faces)
    for number, (grid, found, items, front) in enumerate(made):
        page_plan = plan.pages[number]
        placed = sorted(modules.get(number, []), key=lambda m: (m[0].row, m[0].column))
        pages.append(_page(plan, page_plan, number, grid, found, front, placed, strip_texts))
    # The e-book's order: where each story starts, page by page, top to bottom, left to right.
    order = sorted(chains.values(), key=lambda chain: (chain[0][0], chain[0][1].rect.row,
                                                       chain[0][1].rect.column))
    starting = tuple(tuple(chain[0][2].article for chain in order if chain[0][0] == number)
                     for number in range(len(pages)))
    return EditionLayout(plan, tuple(pages), tuple(chain[0][2].article for chain in order),
                         made[0][0].pitch if made else 0, starting)


def _anchored(page: Page, prefix: str) -> Page:
    """The story's part with ids of its own on a page of several stories: its headline's
    and its subheads' (the PDF's bookmarks)."""
    blocks = tuple(replace(block, anchor=prefix + block.anchor) if block.kind == "subhead"
                   else block for block in page.blocks)
    headline = replace(page.headline, anchor=prefix + page.headline.anchor) \
        if page.headline else None
    return replace(page, blocks=blocks, headline=headline)


def _photo_early(texts: Texts) -> Texts:
    """A story that jumps shows its first photo on its first page: the photo stands after
    the first paragraph, wherever the manuscript has it (a photo is looked at, not read
    in its place; the e-book keeps the manuscript's order)."""
    blocks = list(texts.article.blocks)
    figure = texts.article.figures[0]
    blocks.remove(figure)
    first = next(index for index, block in enumerate(blocks) if block.kind == "paragraph")
    blocks.insert(first + 1, figure)
    return dataclasses.replace(texts, article=replace(texts.article, blocks=tuple(blocks)))


def _without(texts: Texts, figure) -> Texts:
    """The story's texts as the flow pours them when ``figure`` stands above the head."""
    blocks = tuple(block for block in texts.article.blocks if block is not figure)
    return dataclasses.replace(texts, article=replace(texts.article, blocks=blocks))


def _photo_above(texts: Texts, figure, grid: Frame, placement: Placement) -> SetFigure:
    """图在题上: the photo and its caption across the top of the module, over the head."""
    rect = placement.rect
    caption = texts.captions[id(figure)]
    height = placement.option.photo * grid.pitch
    image_height = height - len(caption) * Sizes.of(texts.settings).caption_line - 0.6 * grid.pitch
    return SetFigure(figure.image, figure.alt, caption,
                     Box(grid.x(rect.column), grid.y(rect.row), grid.span_width(rect.columns),
                         height), image_height)


def _head_columns(placement: Placement) -> int:
    """The columns a module's head stands over: all, or all but one beside it."""
    return placement.rect.columns - (1 if placement.option.side else 0)


def _final_size(made_page, rank: int, settings) -> float:
    """The headline size of the story of ``rank``: its ladder step, and never larger
    than that of a story above it (the narrow lead's headline is set smaller, and so is
    everything after it)."""
    grid, found, items, _ = made_page
    size = math.inf
    for key in range(rank + 1):
        placement = next((p for p in found.placements if p.key == key), None)
        if placement is None:
            continue
        head = _head(items[key], grid.span_width(_head_columns(placement)), _size(settings, key))
        actual = head.sizes.jump_headline if head.jump else head.sizes.headline
        size = min(size, actual)
    return size


def _page(plan: Plan, page: PagePlan, number: int, grid: Frame, found: MakeUp, front: dict,
          placed, strip_texts: Texts) -> EditionPage:
    settings = plan.settings
    width = settings.page_width * PT_PER_MM
    columns = settings.columns
    area = Box(grid.left, grid.top, grid.span_width(columns), grid.rows * grid.pitch)
    furniture = None
    strip = strip_box(settings, grid.left, grid.span_width(columns), grid.pitch)
    if not page.masthead:
        spec = PageSpec(settings, plan.publication, page.section, plan.date, page.label,
                        page.editor)
        furniture = _strip(strip_texts, strip_of(spec, (page.label,), 0, plan.lang))
        too_long_strip = strip_too_long(strip_texts, furniture, width)
        if too_long_strip:
            name, total = too_long_strip
            raise ManuscriptError(
                f"{page.label}'s header strip is {total:.0f} pt wide, the sheet {width:.0f} "
                f"pt: its {name} is too long for one line", page.where or Location(plan.source),
                f"shorten the {name}", code="PR116")
    masthead = None
    rects = [rect for rect, _, _ in placed]
    ads = []
    for ad, rect, art_width, art_height in front["ads"]:
        box = _box(grid, rect)
        ads.append(SetAd(ad.artwork, box, Box(box.left + (box.width - art_width) / 2,
                                             box.top + (box.height - art_height) / 2,
                                             art_width, art_height)))
        rects.append(rect)
    if front.get("masthead"):
        # The lines of the masthead and of the ear stand in their boxes, from the top left.
        info = front["masthead"]
        ear_box, ear_lines = None, ()
        if "index" in front:
            ear_rect = found.reserved.rects[-1]
            ear_box = _box(grid, ear_rect)
            ear_lines = front["index"]["lines"]
        masthead = SetMasthead(_box(grid, info["rect"]), info["artwork"], info["artwork_box"],
                               info["lines"], ear_box, ear_lines)
    cells = columns * grid.rows
    return EditionPage(
        number=number + 1, label=page.label, code=page.code or f"{number + 1:02d}",
        width=width, height=settings.page_height * PT_PER_MM, pitch=grid.pitch,
        colour=page.colour, furniture=furniture, strip=strip, masthead=masthead,
        modules=tuple(module for _, module, _ in placed),
        stories=tuple(slug for _, _, slug in placed),
        boxes=tuple(_box(grid, rect) for rect, _, _ in placed), ads=tuple(ads),
        rules=tuple(_module_rules(grid, rects, columns)), area=area,
        gap_cells=found.gap_cells, cells=cells, where=page.where)


def _module_rules(grid: Frame, rects: list[Rect], columns: int):
    """A hairline between modules (the stories' and the advertisements'; the ear has a
    box of its own): along the top of each module below another, and down the gap on the
    right of each module short of the page's right edge."""
    for rect in rects:
        box = _box(grid, rect)
        if rect.row > 0:
            yield Box(box.left, box.top + grid.pitch * 0.25, box.width, 0)
        if rect.right < columns:
            yield Box(box.right + grid.gap / 2, box.top, 0, box.height)
