"""The make-up search on made-up stories: what it must tile, and what it must refuse."""
from __future__ import annotations

import itertools

from pressroom.typesetting.makeup import Fits, Option, Rect, Reserved, make_up, regions


def story(key: int, **depths: list[int]) -> Fits:
    """A story that fills exactly ``depths[w<n>]`` rows at n columns, its headline band
    three rows deep; ``side_w<n>`` for depths with the head beside a column of text."""
    options: dict[int, list[Option]] = {}
    for name, rows in depths.items():
        side = "right" if name.startswith("side_") else ""
        width = int(name.rsplit("w", 1)[1])
        options.setdefault(width, []).extend(Option(r, 0.0, "fill", 3, side=side) for r in rows)
    return Fits(key, {width: tuple(found) for width, found in options.items()})


def cells(rect: Rect) -> set[tuple[int, int]]:
    return {(c, r) for c in range(rect.column, rect.right) for r in range(rect.row, rect.bottom)}


def assert_tiles(found, area: Rect, reserved: tuple[Rect, ...] = ()) -> None:
    rects = [p.rect for p in found.placements] + list(reserved)
    for one, other in itertools.combinations(rects, 2):
        assert not cells(one) & cells(other), (one, other)
    assert set().union(*map(cells, rects)) == cells(area)


def test_two_stories_that_fit_stacked_tile_the_area():
    area = Rect(0, 0, 6, 40)
    found = make_up([story(0, w6=[25]), story(1, w6=[15])], area, [Reserved(())])
    assert found is not None and found.gap_cells == 0
    assert_tiles(found, area)
    lead = next(p for p in found.placements if p.key == 0)
    assert lead.rect.row == 0  # the lead stands at the top


def test_headlines_level_side_by_side_are_refused():
    # Only side by side can the two fill the area, and both heads stand at the top: 撞题.
    area = Rect(0, 0, 6, 20)
    assert make_up([story(0, w3=[20]), story(1, w3=[20])], area, [Reserved(())]) is None


def test_a_head_beside_a_column_of_text_may_stand_beside_another():
    # The second story's head stands over its last two columns, its first column's text
    # beside the first story's headline: the two headlines are not side by side.
    area = Rect(0, 0, 6, 20)
    found = make_up([story(0, w3=[20]), story(1, side_w3=[20])], area, [Reserved(())])
    assert found is not None and found.gap_cells == 0
    assert_tiles(found, area)
    first, second = sorted(found.placements, key=lambda p: p.rect.column)
    assert (first.key, second.key) == (0, 1)  # the higher rank on the left


def test_stories_are_made_up_around_a_reserved_module():
    area = Rect(0, 0, 6, 40)
    advertisement = Rect(4, 30, 2, 10)
    found = make_up([story(0, w6=[30]), story(1, w4=[10])], area,
                    [Reserved((advertisement,))])
    assert found is not None and found.gap_cells == 0
    assert_tiles(found, area, (advertisement,))


def test_a_region_no_story_fills_is_a_gap_not_a_failure():
    area = Rect(0, 0, 6, 40)
    found = make_up([story(0, w6=[30])], area, [Reserved(())])
    assert found is not None and found.gap_cells == 6 * 10


def test_regions_cut_around_a_corner_module_both_ways():
    ways = regions(Rect(0, 0, 6, 40), [Rect(4, 30, 2, 10)])
    shapes = {tuple(region.rect for region in way) for way in ways}
    assert (Rect(0, 0, 6, 30), Rect(0, 30, 4, 10)) in shapes  # across the top, then beside
    assert (Rect(0, 0, 4, 40), Rect(4, 0, 2, 30)) in shapes  # down the left, then above


def test_a_page_of_advertising_needs_no_story():
    area = Rect(0, 0, 6, 40)
    whole = make_up([], area, [Reserved((area,))])
    assert whole is not None and whole.placements == () and whole.gap_cells == 0
    half = make_up([], area, [Reserved((Rect(0, 20, 6, 20),))])
    assert half is not None and half.gap_cells == 6 * 20
