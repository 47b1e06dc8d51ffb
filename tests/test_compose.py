"""Composition on the grid: the page is full, level and overlap-free; copyfitting adapts
to a somewhat shorter or longer text; a short story is set at its own size, a long one runs
on over pages with jump lines; where a full page is asked for, the message says which way
and how much."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import DEFAULT
from pressroom.typesetting.compose import compose as _compose
from pressroom.typesetting.parts import SetFigure, SetParagraph, SetSubhead
from pressroom.typesetting.folios import page_labels
from pressroom.errors import CopyfitError
from pressroom.reading.manuscript import read_manuscript


def compose(article):
    """The article's one page, where it fits one."""
    layout = _compose(article, article.printing)
    assert len(layout.pages) == 1
    return layout.pages[0]


def asking_fill(folder: Path) -> Path:
    """The manuscript with 'fill: true' under layout: it must fill its one page."""
    text = (folder / "article.md").read_text(encoding="utf-8")
    (folder / "article.md").write_text(text.replace("lang: zh-CN\n", "lang: zh-CN\nlayout:\n  fill: true\n", 1),
                                       encoding="utf-8")
    return folder


def variant(tmp_path: Path, change) -> Path:
    """A copy of the default manuscript with its body paragraphs changed by ``change``."""
    folder = tmp_path / "variant"
    shutil.copytree(DEFAULT, folder)
    text = (folder / "article.md").read_text(encoding="utf-8")
    head, body = text.split("\n## ", 1)
    paragraphs = body.split("\n\n")
    (folder / "article.md").write_text(head + "\n## " + "\n\n".join(change(paragraphs)),
                                       encoding="utf-8")
    return folder


def overlaps(a, b) -> bool:
    return (a.left < b.left + b.width - 0.01 and b.left < a.left + a.width - 0.01
            and a.top < b.top + b.height - 0.01 and b.top < a.top + a.height - 0.01)


def check_page(page, article):
    [frame] = page.frames
    rows = frame.rows
    # Every column full; the last ends at most one row short.
    assert all(end == rows - 1 for end in page.column_ends[:-1]), page.column_ends
    assert page.column_ends[-1] >= rows - 2
    boxes = [block.box for block in page.blocks] + ([page.byline.box] if page.byline else [])
    for index, first in enumerate(boxes):
        for second in boxes[index + 1:]:
            assert not overlaps(first, second), (first, second)
    bottom = frame.top + rows * page.pitch
    for box in boxes:
        assert frame.top - 1e-6 <= box.top and box.top + box.height <= bottom + 1e-6
        # on the grid (a subhead's text box is centred in its band)
        if box not in [block.box for block in page.blocks if isinstance(block, SetSubhead)]:
            assert abs(((box.top - frame.top) / page.pitch) - round((box.top - frame.top) / page.pitch)) < 1e-6
    # Every line of every paragraph is on the page, once, in order.
    set_text = "".join(line.text for block in page.blocks if isinstance(block, SetParagraph)
                       for line in block.lines)
    body = "".join(block.text for block in article.blocks if block.kind == "paragraph")
    assert re.sub(r"\s", "", set_text) == re.sub(r"\s", "", body)
    assert sum(isinstance(block, SetSubhead) for block in page.blocks) == \
        sum(block.kind == "subhead" for block in article.blocks)
    assert sum(isinstance(block, SetFigure) for block in page.blocks) == len(article.figures)


def test_the_default_page_is_full_level_and_on_the_grid():
    article = read_manuscript(DEFAULT)
    page = compose(article)
    check_page(page, article)
    # Bounds a layout editor accepts: leading 1.4-1.8 of 9 pt, columns of 11 characters.
    assert 1.4 <= page.pitch / 9 <= 1.8
    assert page.frames[0].column_width == 99
    assert page.free is None and page.jump_to is None and page.jump_from is None
    [figure] = [block for block in page.blocks if isinstance(block, SetFigure)]
    assert figure.box.width > 2 * page.frames[0].column_width  # the photo spans two columns


@pytest.mark.parametrize("change", [
    lambda ps: ps[:-2],  # two paragraphs shorter
    lambda ps: ps[:10] + ps[10:]  + ps[-4:-1],  # three paragraphs longer
], ids=["shorter", "longer"])
def test_a_somewhat_shorter_or_longer_text_still_fills_the_page(tmp_path, change):
    article = read_manuscript(variant(tmp_path, change))
    check_page(compose(article), article)


def test_asked_to_fill_a_text_far_too_long_says_how_much_to_cut(tmp_path):
    article = read_manuscript(asking_fill(variant(tmp_path, lambda ps: ps + ps[2:])))
    with pytest.raises(CopyfitError) as caught:
        _compose(article, article.printing)
    cut = int(re.search(r"cut about (\d+) characters", str(caught.value)).group(1))
    assert 500 < cut < 3000
    assert "article.md" in str(caught.value) and "body frame of 第1版" in str(caught.value)


def test_asked_to_fill_a_text_far_too_short_says_how_much_to_add(tmp_path):
    article = read_manuscript(asking_fill(variant(tmp_path, lambda ps: ps[:6])))
    with pytest.raises(CopyfitError) as caught:
        _compose(article, article.printing)
    message = str(caught.value)
    add = int(re.search(r"add about (\d+) characters", message).group(1))
    assert 500 < add < 3000 and "cut or add" not in message


def test_asked_to_fill_a_text_a_little_off_still_gives_a_direction(tmp_path):
    for number, change in enumerate((lambda ps: ps[:-7], lambda ps: ps + ps[3:6])):
        article = read_manuscript(asking_fill(variant(tmp_path / str(number), change)))
        try:
            _compose(article, article.printing)
        except CopyfitError as error:
            assert re.search(r"(cut|add) about \d+ characters", str(error)), str(error)
            assert "cut or add" not in str(error)


def test_a_short_story_is_set_at_its_own_size_with_level_columns(tmp_path):
    article = read_manuscript(variant(tmp_path, lambda ps: ps[:14]))
    assert sum(len(b.text) for b in article.blocks if b.kind == "paragraph") > 800
    layout = _compose(article, article.printing)
    [page] = layout.pages
    [frame] = page.frames
    assert page.free is not None and page.free.rows > 10
    ends = page.column_ends
    assert max(ends) - min(ends) <= 1, ends  # columns end within one line
    assert frame.columns == article.printing.settings.columns  # over 800 characters: across
    assert page.frames[0].top > page.headline.box.top


def test_a_brief_takes_two_or_three_columns(tmp_path):
    article = read_manuscript(variant(tmp_path, lambda ps: ps[:2]))
    [page] = _compose(article, article.printing).pages
    [frame] = page.frames
    assert frame.columns in (2, 3) and page.free.columns == 6 - frame.columns
    assert max(page.column_ends) - min(page.column_ends) <= 1
    # The headline stands over the module, not across the page.
    assert page.headline.box.width == pytest.approx(frame.width)


def test_a_long_story_runs_on_with_jump_lines(tmp_path):
    article = read_manuscript(variant(tmp_path, lambda ps: ps + ps[2:] + ps[2:]))
    layout = _compose(article, article.printing)
    pages = layout.pages
    assert len(pages) >= 2
    for before, after in zip(pages, pages[1:]):
        assert before.jump_to.text == f"（下转{after.furniture.page}）"
        assert after.jump_from.text == f"（上接{before.furniture.page}）"
        # The jump line stands at the foot of the last column, the other at the head of the first.
        assert before.jump_to.box.top == pytest.approx(before.frames[0].y(before.frames[0].rows - 1))
        assert after.jump_from.box.top == pytest.approx(after.frames[0].top)
        assert after.jump_headline is not None and after.headline is None
    assert pages[0].jump_from is None and pages[-1].jump_to is None
    set_text = "".join(line.text for page in pages for block in page.blocks
                       if isinstance(block, SetParagraph) for line in block.lines)
    body = "".join(block.text for block in article.blocks if block.kind == "paragraph")
    assert re.sub(r"\s", "", set_text) == re.sub(r"\s", "", body)


@pytest.mark.parametrize("first, following", [
    ("第5版", ["第5版", "第6版", "第7版"]),
    ("第五版", ["第五版", "第六版", "第七版"]),
    ("第九版", ["第九版", "第十版", "第十一版"]),
    ("第十九版", ["第十九版", "第二十版", "第二十一版"]),
    ("A5版", ["A5版", "A6版", "A7版"]),
    ("第A09版", ["第A09版", "第A10版", "第A11版"]),
    (None, ["第1版", "第2版", "第3版"]),
])
def test_page_labels_continue_in_the_papers_own_style(first, following):
    assert list(page_labels(first, 3)) == following


def test_headlines_break_between_phrases_into_even_lines(tmp_path):
    folder = variant(tmp_path, lambda ps: ps)
    text = (folder / "article.md").read_text(encoding="utf-8")
    text = text.replace("title: 奋力谱写 新时代博山高质量发展新篇章",
                        "title: 聚力打造氢能人工智能工业互联网等新经济特色产业集群")
    (folder / "article.md").write_text(text, encoding="utf-8")
    page = compose(read_manuscript(folder))
    lines = page.headline.lines
    assert len(lines) == 2 and "".join(lines) == "聚力打造氢能人工智能工业互联网等新经济特色产业集群"
    assert not any(line.endswith("打") for line in lines)  # never 打|造
    assert abs(len(lines[0]) - len(lines[1])) <= 3


def test_a_headline_may_break_after_a_joining_word_to_stay_even():
    # BudouX gives 及 as a phrase of its own; held to both its neighbours, it leaves
    # 办法 alone on the second line. Held to the word before it only, it may end the first.
    from pressroom.typesetting.headings import heading_lines
    from pressroom.typesetting.texts import faces_for
    hei = faces_for({"Pressroom Hei": []})["Pressroom Hei"]
    size = 36 * 1.04
    assert heading_lines(("全国年节及纪念日放假办法",), hei, size, 4 * 99 + 3 * 13.5) == (
        "全国年节及", "纪念日放假办法")
    # Where holding it to both neighbours is as even, that stays.
    assert heading_lines(("全国年节及纪念日放假办法",), hei, size, 2 * 99 + 13.5) == (
        "全国年节", "及纪念日", "放假办法")
