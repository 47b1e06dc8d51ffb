"""An edition made up from its plan: the example of manuscript/editions, and plans written
here of the test articles, composed and built as a user builds them."""
from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT
from pressroom import build
from pressroom.errors import ManuscriptError
from pressroom.reading.model import Paragraph
from pressroom.settings import PT_PER_MM
from pressroom.typesetting.texts import Texts

EXAMPLE = ROOT / "manuscript" / "editions" / "example.yaml"
ARTICLES = ROOT / "tests" / "articles"


@pytest.fixture(scope="module")
def example():
    return build.compose_plan(EXAMPLE)


def overlap(one, other) -> bool:
    return (one.left < other.right - 0.5 and other.left < one.right - 0.5
            and one.top < other.bottom - 0.5 and other.top < one.bottom - 0.5)


def test_modules_stand_inside_the_type_area_and_never_overlap(example):
    settings = example.plan.settings
    for page in example.pages:
        area = page.area
        boxes = list(page.boxes) + [ad.box for ad in page.ads]
        if page.masthead:
            boxes += [page.masthead.box] + ([page.masthead.ear] if page.masthead.ear else [])
        for box in boxes:
            assert area.left - 0.5 <= box.left and box.right <= area.right + 0.5, page.label
            assert area.top - 0.5 <= box.top and box.bottom <= area.bottom + 0.5, page.label
            assert box.bottom <= settings.page_height * PT_PER_MM
        for one, other in itertools.combinations(boxes, 2):
            assert not overlap(one, other), (page.label, one, other)
        covered = sum(box.width * box.height for box in boxes)
        assert covered <= area.width * area.height * 1.0001


def test_the_example_leaves_at_most_five_percent_of_a_page_empty(example):
    for page in example.pages:
        assert page.gap_cells / page.cells <= 0.05, (page.label, page.gap_cells, page.cells)


def test_the_lead_stands_at_the_top_with_the_largest_headline(example):
    for page, plan in zip(example.pages, example.plan.pages):
        heads = [module.headline for module in page.modules if module.headline]
        if not heads:
            continue
        lead = next(story for story in plan.stories if story.lead) if any(
            story.lead for story in plan.stories) else plan.stories[0]
        index = page.stories.index(lead.folder.name)
        top = min(box.top for box in page.boxes)
        assert page.boxes[index].top == top, page.label
        sizes = [module.sizes.headline for module in page.modules if module.headline]
        assert page.modules[index].sizes.headline == max(sizes), page.label


def test_headline_sizes_never_grow_with_rank(example):
    for page, plan in zip(example.pages, example.plan.pages):
        order = [story.folder.name for story in sorted(plan.stories, key=lambda s: not s.lead)]
        sizes = [next(module.sizes.headline for slug, module in zip(page.stories, page.modules)
                      if slug == name and module.headline) for name in order]
        assert sizes == sorted(sizes, reverse=True), (page.label, list(zip(order, sizes)))


def test_no_two_headlines_stand_level_side_by_side(example):
    # Two heads whose bands overlap in height, with no column of text between them.
    for page in example.pages:
        heads = [(module.headline or module.jump_headline).box
                 for module in page.modules if module.headline or module.jump_headline]
        texts = [block.box for module in page.modules for block in module.blocks
                 if block.kind == "paragraph"]
        for one, other in itertools.combinations(heads, 2):
            if one.top < other.bottom and other.top < one.bottom:
                left, right = sorted((one, other), key=lambda box: box.left)
                between = [box for box in texts if left.right <= box.left and
                           box.right <= right.left and box.top < max(one.bottom, other.bottom)
                           and min(one.top, other.top) < box.bottom]
                assert between, (page.label, one, other)


def test_every_line_of_every_story_is_placed_once_in_order(example):
    settings = example.plan.settings
    for article in example.articles:
        placed = []
        for page in example.pages:
            for slug, module in zip(page.stories, page.modules):
                if slug == article.slug:
                    placed += [line.text for block in module.blocks
                               if block.kind == "paragraph" for line in block.lines]
        texts = Texts.of(article, settings)
        # Each paragraph as set, or set a line shorter or longer: its words, in order.
        expected = "".join(block.text for block in article.blocks
                           if isinstance(block, Paragraph))
        assert re.sub(r"\s", "", "".join(placed)) == re.sub(r"\s", "", expected), article.slug
        assert texts.line_count - 2 * len(texts.variants) <= len(placed)


def test_a_story_that_jumps_points_at_the_page_of_its_continuation(example):
    labels = [page.label for page in example.pages]
    jumps = 0
    for number, page in enumerate(example.pages):
        for slug, module in zip(page.stories, page.modules):
            if module.jump_to:
                target = labels.index(module.jump_to.page)
                continuation = example.pages[target].modules[
                    example.pages[target].stories.index(slug)]
                assert continuation.jump_from.page == page.label
                assert continuation.jump_headline is not None
                jumps += 1
    assert jumps == 1


def test_the_front_page_has_its_masthead_and_no_header_strip(example):
    front, *inside = example.pages
    assert front.masthead is not None and front.furniture is None
    assert front.masthead.lines[0].kind == "name"
    assert all(page.furniture is not None and page.masthead is None for page in inside)
    index = "".join(line.line.text for line in front.masthead.ear_lines)
    for page in example.plan.pages[1:]:
        assert page.label in index


def test_an_advertisement_stands_at_its_own_size_where_the_plan_puts_it(example):
    page = example.pages[1]
    (ad,) = page.ads
    assert ad.art.width == pytest.approx(233 / 25.4 * 72, abs=0.5)
    assert ad.box.bottom == pytest.approx(page.area.bottom)  # row: foot
    assert ad.box.left == pytest.approx(page.area.left)  # column: 0


def squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


def write_plan(folder: Path, text: str, stories: list[str]) -> Path:
    """A plan in ``folder``/plans with copies of the test articles under ``folder``/stories."""
    for name in stories:
        shutil.copytree(ARTICLES / name, folder / "stories" / name,
                        ignore=shutil.ignore_patterns("approved-proof*"))
    (folder / "plans").mkdir()
    path = folder / "plans" / "edition.yaml"
    path.write_text(text, encoding="utf-8")
    return path


EIGHT = ["prc-aircraft-nationality-registration-regulations",
         "prc-mohrss-notice-monthly-working-days", "prc-holidays-measures-2024",
         "prc-merger-notification-thresholds-2024", "prc-vagrant-relief-measures-2003",
         "prc-state-council-notice-foreign-enterprise-taxes-1994",
         "prc-arbitration-commission-registration-measures-1995",
         "prc-working-hours-provisions-1995"]

PLAN = """\
publication: 测试日报
date: 2026-11-30
pages:
  - page: 第1版
    section: 要闻
    masthead: true
    stories:
      - story: ../stories/prc-aircraft-nationality-registration-regulations
        jump: 第3版
      - ../stories/prc-mohrss-notice-monthly-working-days
      - ../stories/prc-holidays-measures-2024
      - ../stories/prc-working-hours-provisions-1995
  - page: 第2版
    section: 综合
    stories:
      - ../stories/prc-vagrant-relief-measures-2003
      - ../stories/prc-state-council-notice-foreign-enterprise-taxes-1994
  - page: 第3版
    section: 政策
    stories:
      - ../stories/prc-arbitration-commission-registration-measures-1995
      - ../stories/prc-merger-notification-thresholds-2024
"""


def test_eight_stories_on_three_pages_build_with_the_tasks(tmp_path):
    plan = write_plan(tmp_path, PLAN, EIGHT)
    out = tmp_path / "out"
    paths = build.build_edition(plan, out)
    names = sorted(path.relative_to(out).as_posix() for path in paths)
    assert names == ["edition.epub", "edition.pdf", "edition/20261130-01.pdf",
                     "edition/20261130-02.pdf", "edition/20261130-03.pdf"]
    whole = PdfReader(out / "edition.pdf")
    assert len(whole.pages) == 3
    for number in range(1, 4):
        page = PdfReader(out / "edition" / f"20261130-0{number}.pdf")
        assert len(page.pages) == 1
        assert f"第{number}版" in squeezed(page.pages[0].extract_text())
    front = squeezed(whole.pages[0].extract_text())
    assert "测试日报" in front and "导读" in front and "（下转第3版）" in front
    assert "（上接第1版）" in squeezed(whole.pages[2].extract_text())


def test_a_plan_error_names_the_plan_file_and_line_and_writes_nothing(tmp_path):
    plan = write_plan(tmp_path, PLAN.replace("jump: 第3版", "jump: 第9版"), EIGHT)
    result = subprocess.run([sys.executable, "-m", "invoke", "pdf", "--edition", str(plan)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"edition\.yaml:\d+:\d+: error PR157", result.stderr), result.stderr
    assert not (ROOT / "build" / "edition").exists()


def test_a_story_pinned_to_a_place_stands_there(tmp_path):
    pinned = PLAN.replace("      - ../stories/prc-state-council-notice-foreign-enterprise-taxes-1994\n",
                          "      - story: ../stories/prc-state-council-notice-foreign-enterprise-taxes-1994\n"
                          "        column: 3\n        row: foot\n        columns: 3\n")
    layout = build.compose_plan(write_plan(tmp_path, pinned, EIGHT))
    page = layout.pages[1]
    box = page.boxes[page.stories.index("prc-state-council-notice-foreign-enterprise-taxes-1994")]
    column = (page.area.width + 13.5) / 6
    assert box.left == pytest.approx(page.area.left + 3 * column)
    assert box.width == pytest.approx(3 * column - 13.5)
    assert box.bottom == pytest.approx(page.area.bottom)
    for other in page.boxes:
        assert other == box or not overlap(other, box)


def test_an_advertisement_that_leaves_the_type_area_is_the_plans_error(tmp_path):
    shutil.copy(ROOT / "manuscript" / "editions" / "example" / "ad-standin.png",
                tmp_path / "ad.png")  # 233 mm wide: the whole width of the type area
    plan = write_plan(tmp_path, PLAN.replace(
        "    section: 综合\n", "    section: 综合\n    ads:\n      - artwork: ../ad.png\n"
        "        column: 2\n        row: foot\n"), EIGHT)
    with pytest.raises(ManuscriptError) as raised:
        build.compose_plan(plan)
    assert "PR156" in str(raised.value) and "edition.yaml:" in str(raised.value)
    assert "ad.png does not fit" in str(raised.value)
