"""`invoke new SLUG`: a new manuscript from the commented template builds as it is, and a
slug that cannot name a folder, or a folder that exists, is refused with nothing written."""
from __future__ import annotations

import re
import zipfile

import pytest

from pressroom import build
from pressroom.checks.check import check_pdf, check_visual
from pressroom.errors import ManuscriptError, diagnostics
from pressroom.reading.manuscript import FRONT_MATTER, read_manuscript
from pressroom.scaffold import TEMPLATE, new_manuscript
from pdfinfo import squeeze, text


def test_a_new_manuscript_builds_to_a_pdf_and_an_epub(tmp_path):
    path = new_manuscript("xin-gao", tmp_path / "manuscript")
    assert path == tmp_path / "manuscript" / "xin-gao" / "article.md"
    with diagnostics() as said:
        pdf, epub = build.build_all(path.parent, tmp_path / "out")
    # A short story leaves its page partly empty (PR502); its stand-ins (no date, the drawn
    # photo) are warned of (PR507); nothing of the template is wrong.
    assert {warning.code for warning in said.warnings} <= {"PR502", "PR505", "PR506",
                                                           "PR507"}, \
        [str(warning) for warning in said.warnings]
    standins = [warning.message for warning in said.warnings if warning.code == "PR507"]
    assert any("issue date" in text for text in standins)
    assert any("stand-in (图片占位)" in text for text in standins)
    article = read_manuscript(path.parent)
    failures = [str(result) for result in check_pdf(article, pdf) if not result.passed]
    assert not failures, failures
    printed = squeeze(text(pdf))
    assert "这里写主题" in printed and "这里写图片说明" in printed and "日期待定" in printed
    with zipfile.ZipFile(epub) as book:
        chapter = book.read("EPUB/chapter.xhtml").decode("utf-8")
    assert "这里写导语" in chapter and 'alt="这里写替代文本' in chapter
    # Nothing is approved for the new page yet: the visual check says how to approve it.
    [visual] = check_visual(article, pdf)
    assert visual.passed and visual.warning and "invoke approve --manuscript" in visual.problem


def test_the_template_names_every_front_matter_key():
    template = TEMPLATE.read_text(encoding="utf-8")
    matter = template.split("\n---\n", 1)[0]
    missing = [key for key in FRONT_MATTER
               if not re.search(rf"^(# )?{key}:", matter, flags=re.MULTILINE)]
    assert not missing


@pytest.mark.parametrize("slug, fault", [
    ("../x", "starts with a dot"),
    (".hidden", "starts with a dot"),
    ("a/b", "holds '/'"),
    ("", "is empty"),
])
def test_a_slug_that_cannot_name_a_folder_is_refused(tmp_path, slug, fault):
    folder = tmp_path / "manuscript"
    with pytest.raises(ManuscriptError) as raised:
        new_manuscript(slug, folder)
    error = raised.value
    assert error.code == "PR108"
    assert f"'{slug}' cannot be a manuscript's name: it {fault}" in str(error)
    assert not any(tmp_path.rglob("article.md"))


def test_an_existing_folder_is_never_written_over(tmp_path):
    folder = tmp_path / "manuscript"
    path = new_manuscript("xin-gao", folder)
    path.write_text("---\ntitle: 已经写好的稿件\n---\n\n正文。\n", encoding="utf-8")
    with pytest.raises(ManuscriptError) as raised:
        new_manuscript("xin-gao", folder)
    assert raised.value.code == "PR109"
    assert "xin-gao: error PR109: a folder of that name exists already; nothing was written" \
        in str(raised.value)
    assert path.read_text(encoding="utf-8") == "---\ntitle: 已经写好的稿件\n---\n\n正文。\n"
    (folder / "notes").write_text("not a folder", encoding="utf-8")
    with pytest.raises(ManuscriptError, match="a file of that name exists already"):
        new_manuscript("notes", folder)
    assert (folder / "notes").read_text(encoding="utf-8") == "not a folder"
