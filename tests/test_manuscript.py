"""Reading manuscripts: the default one is the seed article, whole; bad ones fail clearly."""
from __future__ import annotations

import re

import pytest

from conftest import DATA, DEFAULT
from pressroom.errors import ErrorGroup, ManuscriptError, PressroomError, ResourceError
from pressroom.reading.manuscript import read_manuscript, split_heading

CAPTION = "博山区第十八届人民代表大会第五次会议隆重开幕。"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def article():
    return read_manuscript(DEFAULT)


def article_text_in_order(article) -> str:
    """The words of the article in reading order, as the printed page gives them."""
    parts = ["编者按", *(p.text for p in article.editor_note.paragraphs), article.kicker,
             *article.headline]
    for block in article.blocks:
        parts.append(block.caption if block.kind == "figure" else block.text)
    parts.append(article.byline.text)
    return squeeze("".join(parts))


def test_default_manuscript_has_every_word_of_the_seed_once_in_order(article):
    seed = squeeze((DATA / "boshan-report.source.txt").read_text(encoding="utf-8"))
    assert seed.count(CAPTION) == 1
    text = article_text_in_order(article)
    assert text.count(CAPTION) == 1
    # The caption sat inside a word on the printed page (文化旅 … 游); the manuscript moves
    # it out to its figure, so compare the rest and the caption separately.
    assert text.replace(CAPTION, "") == seed.replace(CAPTION, "")


def test_column_breaks_are_mended(article):
    paragraphs = [block.text for block in article.blocks if block.kind == "paragraph"]
    for mended in ("文化旅游已成为博山一张亮丽的名片。", "生态环境质量迈入全省前30位。",
                   "猕猴桃产业数字化建设，打造淄博市"):
        assert sum(mended in text for text in paragraphs) == 1, mended
    # No paragraph ends mid-sentence, as a cut one would.
    assert all(text[-1] in "。！？”" for text in paragraphs), [t[-8:] for t in paragraphs]


def test_structure_of_the_default_manuscript(article):
    assert article.kicker == "高点站位、砥砺前行"
    assert article.headline == ("奋力谱写", "新时代博山高质量发展新篇章")
    subheads = [block for block in article.blocks if block.kind == "subhead"]
    assert [s.lines[0] for s in subheads] == [
        "转调并举+改革创新", "文旅融合+多元赋能", "科学规划+建管并举",
        "特色发展+重点突破", "共建共享+补齐短板", "勇于担当+用心实干"]
    assert all(len(s.lines) == 2 for s in subheads)
    assert article.byline.creators == ("姜涛", "孙良栋", "王威")
    [figure] = article.figures
    assert figure.caption == CAPTION
    assert "图片占位" in figure.alt
    # The figure stands in the 文旅融合 section, right after the paragraph it was cut into.
    index = article.blocks.index(figure)
    assert article.blocks[index - 1].text.endswith("文化旅游已成为博山一张亮丽的名片。")
    assert article.blocks[index - 2].text.startswith("文旅融合")
    assert article.lang == "zh-CN" and article.date is None


GOOD = """\
---
title: 标题
---

正文第一段。
"""


def error_of(write_manuscript, text, **kwargs) -> PressroomError:
    folder = write_manuscript(text, **kwargs)
    with pytest.raises(PressroomError) as caught:
        read_manuscript(folder)
    return caught.value


def test_a_good_small_manuscript_reads(write_manuscript):
    article = read_manuscript(write_manuscript(GOOD))
    assert article.title == "标题" and article.blocks[0].text == "正文第一段。"


def test_unknown_front_matter_key_names_file_line_and_a_suggestion(write_manuscript):
    error = error_of(write_manuscript, """\
        ---
        title: 标题
        kikcer: 引题
        ---

        正文。
        """)
    assert isinstance(error, ManuscriptError)
    assert str(error.where).endswith("sample/article.md:3")
    assert "kikcer" in str(error) and "did you mean 'kicker'" in str(error)


def test_all_errors_are_reported_together(write_manuscript):
    error = error_of(write_manuscript, """\
        ---
        title: 标题
        colour: red
        ---

        ::: sidebar
        旁文
        :::

        ### 三级标题
        """)
    assert isinstance(error, ErrorGroup)
    lines = [e.where.line for e in error.errors]
    assert lines == [3, 6, 10]
    assert "'::: sidebar'" in str(error)


@pytest.mark.parametrize("text, line, words", [
    ("---\ntitle: [unclosed\n---\n\n正文。\n", 2, "not valid YAML"),
    ("---\nkicker: 引题\n---\n\n正文。\n", 1, "no 'title'"),
    ("---\ntitle: 标题\ndate: 二月\n---\n\n正文。\n", 3, "YYYY-MM-DD"),
    ("---\ntitle: 标题\nlang: zh_CN\n---\n\n正文。\n", 3, "BCP 47"),
    ("---\ntitle: 标题\n---\n\n正文<b>粗</b>。\n", 5, "raw HTML"),
    ("---\ntitle: 标题\n---\n\n正文。\n\n- 列表\n", 7, "a list"),
    ("---\ntitle: 标题\n---\n\n正文**加粗**。\n", 5, "bold text"),
    ("---\ntitle: 标题\n---\n\n正文。\n\n::: figure\n![](opening-ceremony.jpg)\n\n说明。\n:::\n",
     7, "no alt text"),
    ("---\ntitle: 标题\n---\n\n正文。\n\n::: figure\n![图](missing.jpg)\n\n说明。\n:::\n",
     7, "not found"),
    ("---\ntitle: 标题\n---\n\n正文。\n\n::: figure\n![图](../outside.jpg)\n\n说明。\n:::\n",
     7, "outside the manuscript's folder"),
    ("---\ntitle: 标题\n---\n\n正文。\n\n::: figure\n![图](http://example.com/a.jpg)\n\n说明。\n:::\n",
     7, "not a file in the manuscript's folder"),
    ("---\ntitle: 标题\n---\n\n正文。\n\n::: figure\n![图](opening-ceremony.jpg)\n:::\n",
     7, "no caption"),
    ("---\ntitle: 标题\n---\n\n正文。\n\n::: editor-note\n按语。\n:::\n", 7, "before the body"),
    ("---\ntitle: 标题\n---\n", 3, "no body text"),
])
def test_malformed_manuscripts_fail_with_file_and_line(write_manuscript, text, line, words):
    error = error_of(write_manuscript, text, images=("opening-ceremony.jpg",))
    assert error.where.line == line, str(error)
    assert words in str(error)
    assert "article.md" in str(error.where)


def test_not_utf8_is_an_error_naming_the_line(write_manuscript):
    error = error_of(write_manuscript, "---\ntitle: 标题\n---\n\n正文。\n", encoding="gb18030")
    assert "not UTF-8" in str(error) and error.where.line == 2


def test_bom_and_crlf_are_accepted(write_manuscript):
    folder = write_manuscript("x")
    (folder / "article.md").write_bytes(("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8"))
    assert read_manuscript(folder).blocks[0].text == "正文第一段。"


def test_soft_line_breaks_join_chinese_without_a_space(write_manuscript):
    article = read_manuscript(write_manuscript(
        "---\ntitle: 标题\n---\n\n　　第一行\n第二行 and\nLatin words\n"))
    assert article.blocks[0].text == "第一行第二行 and Latin words"


def test_missing_manuscript_is_a_resource_error(tmp_path):
    with pytest.raises(ResourceError):
        read_manuscript(tmp_path / "nowhere")


@pytest.mark.parametrize("text, lines", [
    ("奋力谱写 新时代博山高质量发展新篇章", ["奋力谱写", "新时代博山高质量发展新篇章"]),
    ("奋力谱写\n新时代", ["奋力谱写", "新时代"]),
    ("5G network 助力发展", ["5G network", "助力发展"]),
    ("Hello world", ["Hello world"]),
])
def test_headings_break_at_spaces_next_to_chinese(text, lines):
    assert split_heading(text) == lines
