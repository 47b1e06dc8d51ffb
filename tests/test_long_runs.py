"""Long runs, no-break spaces, parts too long for their place, extreme photos and settings
at the edges of their ranges (issue 11): each builds with all its text, or is refused
with PR116 at the line of the part, in a few seconds.

The material is the default manuscript (manuscript/boshan-report, a report of 大众日报
reprinted with the project), copied into tmp_path and mutated; the inserted words are
made up for the test (Pneumonoultramicroscopicsilicovolcanoconiosis and
Supercalifragilisticexpialidocious are English dictionary words).
"""
from __future__ import annotations

import dataclasses
import re
import shutil
import time
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from pressroom import build
from pressroom.errors import ErrorGroup, ManuscriptError, PressroomError
from pressroom.fonts import HEI, SONG
from pressroom.reading.model import Subhead
from pressroom.typesetting.breaking import set_lines
from pressroom.typesetting.compose import compose
from pressroom.typesetting.headings import heading_lines
from pressroom.typesetting.parts import SetFigure, SetSubhead
from pressroom.typesetting.texts import PHOTO_SHAPES, faces_for

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "manuscript" / "boshan-report"
HAN = "新时代博山高质量发展新篇章"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" + "Supercalifragilisticexpialidocious"
FIRST_SUBHEAD = "## 转调并举+改革创新 推动产业高质量发展"
PARAGRAPH = "产业是一座城市的根基"
CAPTION = "博山区第十八届人民代表大会第五次会议隆重开幕。"
FAST = 8.0  # seconds: "a few seconds", with room for a loaded test machine


def han(count: int) -> str:
    return (HAN * (count // len(HAN) + 1))[:count]


def manuscript(tmp_path: Path, replace=(), layout: dict | None = None) -> Path:
    folder = tmp_path / "story"
    shutil.copytree(DEFAULT, folder)
    text = (folder / "article.md").read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new, 1)
    if layout:
        text = text.replace("lang: zh-CN\n", "lang: zh-CN\nlayout:\n" + "".join(
            f"  {key}: {value}\n" for key, value in layout.items()), 1)
    (folder / "article.md").write_text(text, encoding="utf-8")
    return folder


def line_of(folder: Path, needle: str) -> int:
    lines = (folder / "article.md").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def pdf_text(path: Path) -> str:
    """The PDF's text as one run: white space dropped, and a Latin word the composer
    hyphenated at a line's end joined again (pdfium reads that hyphen as U+FFFE)."""
    document = pypdfium2.PdfDocument(str(path))
    text = "".join(page.get_textpage().get_text_range() for page in document)
    text = text.replace("\ufffe", "")
    text = re.sub(r"(?<=[A-Za-z])-\s*\n\s*(?=[A-Za-z])", "", text)
    return re.sub(r"\s", "", text)


def squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


def built(folder: Path, tmp_path: Path) -> tuple[str, float]:
    start = time.monotonic()
    path = build.build_pdf(folder, out_dir=tmp_path / "out")
    return pdf_text(path), time.monotonic() - start


# -- no-break spaces ------------------------------------------------------------------

def test_no_break_spaces_never_drop_a_latin_run(tmp_path):
    pasted = "公司名称如\u00a0Adobe和Google，版本Windows\u00a011，第一条\u00a0为了"
    folder = manuscript(tmp_path, replace=[
        (PARAGRAPH, pasted + PARAGRAPH),
        ("kicker: 高点站位、砥砺前行", "kicker: 名称如\u00a0Adobe和Google"),
        (FIRST_SUBHEAD, "## 名称如\u00a0Adobe和Google")])
    text, _ = built(folder, tmp_path)
    assert squeezed(pasted) + PARAGRAPH in text
    assert text.count("如Adobe和Google") == 3  # the paragraph, the kicker and the subhead


def test_a_no_break_space_holds_its_neighbours_on_one_line():
    text = "一二三四五六七八九十甲如\u00a0Adobe和Google"
    faces = faces_for({SONG: [text]})
    lines = set_lines(text, faces[SONG], 9.0, 11 * 9.0)
    assert "".join(line.text for line in lines) == text.replace("\u00a0", "")
    # 如 may not end a line: a no-break space joins it to Adobe.
    assert not any(line.text.endswith("如") for line in lines)


# -- long runs in the body ------------------------------------------------------------

def test_long_runs_in_a_paragraph_are_broken_never_lost(tmp_path):
    runs = [LONG_WORD, "7" * 600, "”" * 300, "“" * 300, "x" * 40 + "0" * 40]
    inserted = "甲".join(runs)
    folder = manuscript(tmp_path, replace=[(PARAGRAPH, "产业是" + inserted + PARAGRAPH)])
    text, _ = built(folder, tmp_path)
    assert "产业是" + inserted + PARAGRAPH in text
    # Every line stands inside its column: the long runs were broken, by the stated rule.
    article = build.prepare(folder)
    layout = compose(article, article.printing)
    measure = article.printing.settings.column_chars * article.printing.settings.body_size
    lines = [line for page in layout.pages for block in page.blocks
             if block.kind == "paragraph" for line in block.lines]
    assert max(line.width for line in lines) <= measure + 9.0 + 0.01  # a hung 。 outside
    broken = [line.text for line in lines if "7" in line.text or "Pneu" in line.text]
    assert len(broken) > 10
    # A word broken between two letters takes a hyphen; a number is broken without one.
    assert any(re.search(r"[A-Za-z]-$", line) for line in broken)
    assert not any(re.search(r"7-$", line) for line in broken)


RUNS = {"5,000 digits": "7" * 5000, "1,000 closing marks": "”" * 1000,
        "1,000 opening marks": "“" * 1000, "a word of 3,000 letters": "x" * 3000,
        "400 dashes": "——" * 400, "1,000 letters joined by no-break spaces": "a\u00a0" * 1000 + "b"}


@pytest.mark.parametrize("run", list(RUNS.values()), ids=list(RUNS))
def test_a_long_run_is_set_in_linear_time(run):
    text = "产业是" + run + "一座城市"
    faces = faces_for({SONG: [text]})
    start = time.monotonic()
    lines = set_lines(text, faces[SONG], 9.0, 11 * 9.0, 18.0)
    assert time.monotonic() - start < 5.0
    setting = "".join(line.text for line in lines)
    assert re.sub(r"-(?=[a-z])", "", setting).replace("\u00a0", "") == \
        text.replace("\u00a0", "")
    assert max(line.width for line in lines) <= 11 * 9.0 + 9.0 + 0.01


HEADINGS = {"1,000 characters": han(1000), "5,000 digits": "7" * 5000,
            "1,000 opening marks": "“" * 1000 + "新", "5,000 characters": han(5000)}


@pytest.mark.parametrize("text", list(HEADINGS.values()), ids=list(HEADINGS))
def test_headline_breaking_is_bounded(text):
    faces = faces_for({HEI: [text]})
    start = time.monotonic()
    lines = heading_lines((text,), faces[HEI], 12.0, 11 * 9.0)
    assert time.monotonic() - start < 5.0
    assert "".join(lines).replace("-", "") == text.replace("-", "")


# -- display parts on more lines, or refused ------------------------------------------

def test_display_parts_too_long_for_one_line_are_set_on_more(tmp_path):
    kicker, subtitle, role = han(40), han(50), han(60)
    subhead = "转调并举" + LONG_WORD[:84] + "推动"
    folder = manuscript(tmp_path, replace=[
        ("kicker: 高点站位、砥砺前行", f"kicker: {kicker}\nsubtitle: {subtitle}"),
        (FIRST_SUBHEAD, "## " + subhead),
        ("role: 见习记者", "role: " + role),
        ("## 文旅融合+多元赋能 打造全域旅游样板", "## " + han(30))])
    text, _ = built(folder, tmp_path)
    for part in (kicker, subtitle, subhead, role, han(30)):
        assert part in text
    article = build.prepare(folder)
    layout = compose(article, article.printing)
    head = layout.pages[0].headline
    assert len(head.kickers) >= 2 and len(head.subtitles) >= 2
    # Each subhead's band of rows holds its lines: nothing stands over the text around it.
    subhead_line = layout.pages[0].sizes.subhead_line
    for page in layout.pages:
        for block in page.blocks:
            if isinstance(block, SetSubhead):
                assert len(block.lines) * subhead_line <= block.box.height + 1e-6


REFUSED = {
    "subhead of 1,000 characters": ([(FIRST_SUBHEAD, "## " + han(1000))], "## 新时代"),
    "subhead of 5,000 digits": ([(FIRST_SUBHEAD, "## " + "7" * 5000)], "## 777"),
    "title of 5,000 characters": ([("title: 奋力谱写 新时代博山高质量发展新篇章",
                                    "title: " + han(5000))], "title:"),
    "kicker of 5,000 characters": ([("kicker: 高点站位、砥砺前行", "kicker: " + han(5000))],
                                   "kicker:"),
    "byline role of 300 characters": ([("role: 见习记者", "role: " + han(300))], "role: 新"),
    # A caption is named by its figure's opening line (the model's place of a figure).
    "caption of 2,000 characters": ([(CAPTION, han(2000))], "::: figure"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_part_too_long_for_its_place_is_refused_at_its_line(tmp_path, case):
    replace, needle = REFUSED[case]
    folder = manuscript(tmp_path, replace=replace)
    start = time.monotonic()
    with pytest.raises(ManuscriptError) as caught:
        build.build_pdf(folder, out_dir=tmp_path / "out")
    assert time.monotonic() - start < FAST
    error = caught.value
    assert error.code == "PR116", str(error)
    assert error.where.path.name == "article.md"
    expected = line_of(folder, needle)
    if case.startswith("byline"):  # the byline's key, a line or two above the role
        assert expected - 3 <= error.where.line <= expected
    else:
        assert error.where.line == expected
    assert not (tmp_path / "out" / "story.pdf").exists()


def test_a_header_strip_text_too_long_for_the_sheet_is_refused_at_its_line(tmp_path):
    folder = manuscript(tmp_path, replace=[("lang: zh-CN\n", "lang: zh-CN\nsection: "
                                            + han(5000) + "\n")])
    start = time.monotonic()
    with pytest.raises(ManuscriptError) as caught:
        build.build_pdf(folder, out_dir=tmp_path / "out")
    assert time.monotonic() - start < FAST
    assert caught.value.code == "PR116" and "section" in str(caught.value)
    assert caught.value.where.line == line_of(folder, "section:")


def test_a_thousand_short_paragraphs_build_whole(tmp_path):
    # A thousand Latin runs (the numbers) are measured in one layout taller than a page.
    paragraphs = [f"短段{number}。" for number in range(1000)]
    folder = manuscript(tmp_path, replace=[(PARAGRAPH, "\n\n".join(paragraphs) + "\n\n"
                                            + PARAGRAPH)])
    text, seconds = built(folder, tmp_path)
    assert not [paragraph for paragraph in paragraphs if paragraph not in text]
    assert seconds < 30.0


def test_far_too_much_text_fails_fast_with_its_figure(tmp_path):
    paragraph = "产业是一座城市的根基，更是城市蓬勃发展的动力源泉。" * 200
    folder = manuscript(tmp_path, replace=[
        (PARAGRAPH, "\n\n".join([paragraph] * 80) + "\n\n" + PARAGRAPH)])
    start = time.monotonic()
    with pytest.raises(PressroomError) as caught:
        build.build_pdf(folder, out_dir=tmp_path / "out")
    assert time.monotonic() - start < FAST
    assert caught.value.code == "PR410" and "cut about" in str(caught.value)
    # One paragraph far too long to set is named at its line.
    folder = manuscript(tmp_path / "one", replace=[(PARAGRAPH, "产业是" * 4000 + PARAGRAPH)])
    with pytest.raises(ManuscriptError) as caught:
        build.build_pdf(folder, out_dir=tmp_path / "out")
    assert caught.value.code == "PR133"
    assert caught.value.where.line == line_of(folder, "产业是产业是")


# -- photos of extreme shape ----------------------------------------------------------

@pytest.mark.parametrize("pixels", [(2, 8000), (8000, 2)])
def test_a_photo_of_extreme_shape_is_sized_by_the_layout(tmp_path, pixels):
    folder = manuscript(tmp_path)
    Image.new("RGB", pixels, (120, 60, 30)).save(folder / "opening-ceremony.jpg")
    text, seconds = built(folder, tmp_path)
    assert seconds < FAST
    assert squeezed(CAPTION) in text
    article = build.prepare(folder)
    layout = compose(article, article.printing)
    figures = [block for page in layout.pages for block in page.blocks
               if isinstance(block, SetFigure)]
    assert len(figures) == 1
    figure = figures[0]
    crop = article.printing.settings.figure_crop
    high = figure.box.width * PHOTO_SHAPES[1] / (1 - crop)
    low = figure.box.width * PHOTO_SHAPES[0] * (1 - crop)
    pitch = layout.pitch
    assert low - pitch <= figure.image_height <= high + pitch


# -- settings at the edges of their ranges --------------------------------------------

CORNERS = {
    "one column of 30 at 14 pt, leading 2.2": dict(
        columns=1, figure_columns=1, column_chars=30, body_size=14, leading_min=2.2,
        leading_max=2.2, page_width=600, page_height=600),
    "20 columns of 6 at 6 pt on 600 mm": dict(
        columns=20, column_chars=6, body_size=6, page_width=600, page_height=600),
    "14 pt, leading 1.2 to 2.2 by 0.05 pt": dict(
        body_size=14, columns=3, column_chars=6, leading_min=1.2, leading_max=2.2,
        leading_step=0.05),
    "a wide, shallow sheet": dict(
        page_width=600, page_height=100, margin_top=5, margin_bottom=5, columns=20,
        column_chars=6, body_size=6, leading_min=1.2, leading_max=1.2),
    "display sizes at their top": dict(
        headline_size=144, kicker_size=72, subtitle_size=72, byline_size=72,
        caption_size=72, note_size=72, subhead_size=72, jump_headline_size=96,
        masthead_height=144),
    "display sizes at their foot, no crop, one band": dict(
        headline_size=12, kicker_size=6, subtitle_size=6, byline_size=6, caption_size=6,
        note_size=6, subhead_size=6, jump_headline_size=10, masthead_height=12,
        gap_chars=0.5, figure_crop=0, subhead_rows="[2]"),
}


@pytest.mark.parametrize("corner", list(CORNERS))
def test_settings_at_the_edges_compose(tmp_path, corner):
    folder = manuscript(tmp_path, layout=CORNERS[corner])
    start = time.monotonic()
    try:
        path = build.build_pdf(folder, out_dir=tmp_path / "out")
    except (ManuscriptError, ErrorGroup) as error:  # refused, with the part and its line
        errors = getattr(error, "errors", [error])
        assert all(e.code == "PR116" and e.where.line for e in errors), str(error)
    else:
        text = pdf_text(path)
        article = build.prepare(folder)
        for block in article.blocks:
            needle = squeezed(block.caption if block.kind == "figure" else block.text)
            assert needle[:12] in text and needle[-12:] in text, block.where
    assert time.monotonic() - start < 30.0
