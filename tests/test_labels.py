"""The words Pressroom itself prints come in the script of the text: 編者按, （下轉第4版）,
要聞續一, 責任編輯, 導讀 on a page in Traditional characters (zh-TW, zh-HK, zh-MO,
zh-Hant ...), 编者按, （下转第4版）, 要闻续一, 责任编辑, 导读 on one in Simplified; and
what reads the pages back reads the jump lines of both.

The pages are built as a user builds them and read back from the PDF with pypdfium2.
"""
from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pypdfium2
import pytest

from conftest import ROOT
from pressroom import build
from pressroom.checks.check import check_pdf
from pressroom.checks.edition import check_jumps, check_text, read_edition
from pressroom.labels import LABELS, characters, label
from pressroom.outputs.verify import JUMP_FROM, JUMP_TO, join_jumped
from pressroom.reading.manuscript import read_manuscript
from pressroom.reading.model import PageSpec
from pressroom.settings import Settings
from pressroom.typesetting.folios import chinese_date, furniture, page_labels

TRADITIONAL = ROOT / "tests" / "articles-traditional"
SIMPLIFIED = ROOT / "tests" / "articles"
CLIMATE = TRADITIONAL / "president-2024-climate-change-committee-first-meeting"
APPRAISAL = SIMPLIFIED / "prc-state-asset-appraisal-measures"

# Labels whose two scripts differ, as each script writes them.
HANS = ("编者按", "下转", "续", "责任编辑", "导读", "国内统一连续出版物号", "邮发代号")
HANT = ("編者按", "下轉", "續", "責任編輯", "導讀", "國內統一連續出版物號", "郵發代號")


def squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text as PDFium reads it, white space dropped."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return [squeezed(page.get_textpage().get_text_range()) for page in document]
    finally:
        document.close()


def copy_with(source: Path, target: Path, front: str, note: str) -> Path:
    """A copy of a manuscript with more front matter and an editor's note before its text."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("approved-proof*"))
    text = (target / "article.md").read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    (target / "article.md").write_text(
        f"{head}\n{front}\n---\n\n::: editor-note\n{note}\n:::\n\n{body}", encoding="utf-8")
    return target


# -- the table ------------------------------------------------------------------------

@pytest.mark.parametrize("tag", ["zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh-Hant-CN"])
def test_a_traditional_tag_takes_the_traditional_labels(tag):
    assert label(tag, "editor_note") == "編者按"
    assert label(tag, "jump_to").format("第4版") == "（下轉第4版）"
    assert label(tag, "continued") == "續"
    assert label(tag, "index") == "導讀"


@pytest.mark.parametrize("tag", ["zh-CN", "zh-SG", "zh", "zh-Hans", "zh-Hans-HK", "en"])
def test_any_other_tag_takes_the_simplified_labels(tag):
    assert label(tag, "editor_note") == "编者按"
    assert label(tag, "jump_to").format("第4版") == "（下转第4版）"
    assert label(tag, "continued") == "续"
    assert label(tag, "index") == "导读"


def test_both_scripts_have_every_label_with_the_same_blanks():
    hans, hant = LABELS["Hans"], LABELS["Hant"]
    assert hans.keys() == hant.keys()
    for key in hans:
        assert hans[key].count("{}") == hant[key].count("{}"), key
    # Each label that differs is in its own script: no Simplified form in the Traditional
    # table, no Traditional one in the Simplified table.
    assert not any(form in text for form in HANS for text in hant.values())
    assert not any(form in text for form in HANT for text in hans.values())


def test_the_characters_of_every_label_are_cut_into_the_faces():
    chars = characters()
    for table in LABELS.values():
        for text in table.values():
            assert set(text.replace("{}", "")) <= chars, text
    for lang in ("zh-CN", "zh-TW"):
        printed = (chinese_date(datetime.date(2024, 8, 4), lang)
                   + "".join(page_labels("要闻", 12, lang)[1:]) + "".join(page_labels("第九十八版", 3)))
        assert set(printed) - set("0123456789 要闻") <= chars, printed


# -- folios and jump lines --------------------------------------------------------------

def test_a_traditional_page_labels_its_run_on_pages_and_header_strip_in_traditional():
    assert page_labels("要聞", 3, "zh-TW") == ("要聞", "要聞續一", "要聞續二")
    assert page_labels("要闻", 3, "zh-CN") == ("要闻", "要闻续一", "要闻续二")
    assert page_labels("第5版", 2, "zh-TW") == ("第5版", "第6版")  # numbered on, no mark
    spec = PageSpec(Settings(), "報", "要聞", None, "第5版", "王小明")
    strip = furniture(spec, ("第5版",), 0, "zh-HK")
    assert (strip.editor, strip.date) == ("責任編輯 王小明", "日期待定")
    assert furniture(spec, ("第5版",), 0, "zh-CN").editor == "责任编辑 王小明"
    assert chinese_date(datetime.date(2024, 8, 8), "zh-TW") == "2024年8月8日 星期四"


def test_the_jump_lines_of_both_scripts_are_read_back():
    assert JUMP_TO.findall("（下转第2版）文（下轉要聞續一）") == ["第2版", "要聞續一"]
    assert JUMP_FROM.findall("（上接第1版）") == ["第1版"]
    # A story's parts joined across its break whichever script its jump lines are in.
    for to, back in (("（下转第2版）", "（上接第1版）"), ("（下轉第2版）", "（上接第1版）")):
        assert join_jumped([f"报眉 正文一{to}", f"报眉 转版标题{back}正文二"]) == "报眉 正文一正文二"
    assert JUMP_TO.findall("（下轉）") == []  # a jump line names its page


# -- whole pages -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def traditional(tmp_path_factory):
    """The Traditional manuscript with an editor's note, a page editor and a page label in
    no numbered style, on 八开 pages: it runs on to a second page."""
    root = tmp_path_factory.mktemp("traditional")
    folder = copy_with(CLIMATE, root / "climate",
                       "page: 要聞\nsection: 政治\npage_editor: 王小明\nlayout: {format: 八开}",
                       "總統府今日召開國家氣候變遷對策委員會第一次會議，本報摘錄總統致詞全文。")
    return build.build_pdf(folder, root / "out")


def test_a_traditional_page_prints_its_labels_in_traditional(traditional):
    first, second, *more = pdf_pages(traditional)
    assert not more
    assert "編者按總統府今日召開" in first
    assert "2024年8月8日星期四政治責任編輯王小明要聞" in first[:40]
    assert first.endswith("（下轉要聞續一）")
    assert "責任編輯王小明要聞續一" in second[:60]
    assert "（上接要聞）" in second
    for page in (first, second):
        for form in HANS:
            assert form not in page, form


def test_a_traditional_page_with_numbered_labels_passes_the_jump_check(tmp_path):
    folder = copy_with(CLIMATE, tmp_path / "climate", "page: 第3版\nlayout: {format: 八开}",
                       "本報摘錄總統致詞全文。")
    pdf = build.build_pdf(folder, tmp_path / "out")
    first, second = pdf_pages(pdf)
    assert first.endswith("（下轉第4版）") and "（上接第3版）" in second
    results = {result.check: result for result in check_pdf(read_manuscript(folder), pdf)}
    assert results["pdf.jumps"].passed, results["pdf.jumps"].problem
    assert results["pdf.text"].passed, results["pdf.text"].problem


def test_a_simplified_page_is_unchanged(tmp_path):
    folder = copy_with(APPRAISAL, tmp_path / "appraisal",
                       "page: 要闻\nsection: 综合\npage_editor: 王小明\nlayout: {format: 八开}",
                       "本报全文刊发《国有资产评估管理办法》，供读者参阅。")
    first, second, *rest = pdf_pages(build.build_pdf(folder, tmp_path / "out"))
    assert "编者按本报全文刊发" in first
    assert "2020年11月29日星期日综合责任编辑王小明要闻" in first[:60]
    assert first.endswith("（下转要闻续一）")
    assert "（上接要闻）" in second and "要闻续一" in second[:60]
    for page in (first, second, *rest):
        for form in HANT:
            assert form not in page, form


def test_a_traditional_edition_prints_its_furniture_and_jumps_in_traditional(tmp_path):
    stories = ["president-2024-climate-change-committee-first-meeting",
               "president-2023-vice-president-japan-ldp-youth-lunch"]
    for name in stories:
        shutil.copytree(TRADITIONAL / name, tmp_path / "stories" / name,
                        ignore=shutil.ignore_patterns("approved-proof*"))
    (tmp_path / "plans").mkdir()
    plan = tmp_path / "plans" / "edition.yaml"
    plan.write_text(f"""\
publication: 測試日報
date: 2026-11-30
lang: zh-TW
masthead:
  serial: CN 37-0001
  postal_code: 23-1
pages:
  - page: 第1版
    section: 要聞
    masthead: true
    stories:
      - story: ../stories/{stories[0]}
        jump: 第2版
      - ../stories/{stories[1]}
  - page: 第2版
    section: 綜合
    editor: 李大同
    stories: []
""", encoding="utf-8")
    out = tmp_path / "out"
    build.build_edition(plan, out)
    front, inside = pdf_pages(out / "edition.pdf")
    assert "2026年11月30日星期一第1版今日2版國內統一連續出版物號CN37-0001郵發代號23-1導讀" \
        in front
    assert "（下轉第2版）" in front and "（上接第1版）" in inside
    assert "綜合責任編輯李大同第2版" in inside[:60]
    for page in (front, inside):
        for form in HANS:
            assert form not in page, form
    edition = read_edition(plan, out)
    jumps = check_jumps(edition)
    assert jumps.passed, jumps.problem
    text = check_text(edition)
    assert text.passed, text.problem
