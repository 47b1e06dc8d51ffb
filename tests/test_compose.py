"""Composition on the grid: the page is full, level and overlap-free, and copyfitting
adapts to a somewhat shorter or longer text or says how much to cut or add."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import DEFAULT
from pressroom.typesetting.compose import SetFigure, SetParagraph, SetSubhead, compose
from pressroom.errors import CopyfitError
from pressroom.reading.manuscript import read_manuscript


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
    rows = page.rows
    # Every column full; the last ends at most one row short.
    assert all(end == rows - 1 for end in page.column_ends[:-1]), page.column_ends
    assert page.column_ends[-1] >= rows - 2
    boxes = [block.box for block in page.blocks] + ([page.byline.box] if page.byline else [])
    for index, first in enumerate(boxes):
        for second in boxes[index + 1:]:
            assert not overlaps(first, second), (first, second)
    bottom = page.body_top + rows * page.pitch
    for box in boxes:
        assert page.body_top - 1e-6 <= box.top and box.top + box.height <= bottom + 1e-6
        # on the grid
        assert abs(((box.top - page.body_top) / page.pitch) - round((box.top - page.body_top) / page.pitch)) < 1e-6
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
    assert page.column_width == 99
    [figure] = [block for block in page.blocks if isinstance(block, SetFigure)]
    assert figure.box.width > 2 * page.column_width  # the photo spans two columns


@pytest.mark.parametrize("change", [
    lambda ps: ps[:-2],  # two paragraphs shorter
    lambda ps: ps[:10] + ps[10:]  + ps[-4:-1],  # three paragraphs longer
], ids=["shorter", "longer"])
def test_a_somewhat_shorter_or_longer_text_still_fills_the_page(tmp_path, change):
    article = read_manuscript(variant(tmp_path, change))
    check_page(compose(article), article)


def test_a_text_far_too_long_says_how_much_to_cut(tmp_path):
    article = read_manuscript(variant(tmp_path, lambda ps: ps + ps[2:]))
    with pytest.raises(CopyfitError) as caught:
        compose(article)
    cut = int(re.search(r"cut about (\d+) characters", str(caught.value)).group(1))
    assert 500 < cut < 3000
    assert "article.md" in str(caught.value)


def test_a_text_far_too_short_says_how_much_to_add(tmp_path):
    article = read_manuscript(variant(tmp_path, lambda ps: ps[:6]))
    with pytest.raises(CopyfitError) as caught:
        compose(article)
    add = int(re.search(r"add about (\d+) characters", str(caught.value)).group(1))
    assert 500 < add < 3000


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
