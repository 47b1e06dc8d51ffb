"""The printed page of the default manuscript, read back from the PDF itself."""
from __future__ import annotations

import pytest

import pdfinfo
from conftest import DEFAULT
from pressroom import build
from pressroom.output import CACHE_FOLDERS
from pressroom.fonts import FACES
from pressroom.reading.manuscript import read_manuscript

# The PostScript names WeasyPrint gives the vendored faces in the PDF.
VENDORED = {"Pressroom-Song", "Pressroom-Hei-Bold", "Pressroom-Kai"}


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    return build.build_pdf(DEFAULT, tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def article():
    return read_manuscript(DEFAULT)


def test_one_page_of_the_tabloid_format(pdf):
    assert pdf.name == "boshan-report.pdf"
    assert pdfinfo.page_count(pdf) == 1
    width, height = pdfinfo.page_size_mm(pdf)
    assert abs(width - 270) < 0.5 and abs(height - 390) < 0.5


def test_every_font_is_embedded_subset_and_vendored(pdf):
    fonts = pdfinfo.embedded_fonts(pdf)
    assert fonts, "no fonts in the PDF"
    for font in fonts:
        assert font.embedded and font.subset, font
    assert {pdfinfo.base_font_name(font.name) for font in fonts} == VENDORED
    assert len(FACES) == len(VENDORED)


def test_every_word_reaches_the_page(pdf, article):
    page = pdfinfo.squeeze(pdfinfo.text(pdf))
    parts = [*article.headline, article.kicker, article.byline.text, "编者按",
             *(p.text for p in article.editor_note.paragraphs)]
    for block in article.blocks:
        parts.append(block.caption if block.kind == "figure" else block.text)
    missing = [part for part in parts if pdfinfo.squeeze(part) not in page]
    assert not missing


def test_body_text_copies_out_in_reading_order(pdf, article):
    page = pdfinfo.squeeze(pdfinfo.text(pdf))
    body = [block.text for block in article.blocks if block.kind == "paragraph"]
    positions = [page.index(pdfinfo.squeeze(text)) for text in body]
    assert positions == sorted(positions)


def test_each_part_is_set_in_its_face(pdf, article):
    drawn = pdfinfo.chars_with_fonts(pdf)
    faces_of = {}
    for char, font in drawn:
        faces_of.setdefault(char, set()).add(font)
    # Characters that occur in only one part of the page tell which face set that part.
    assert faces_of["谱"] == {"Pressroom-Hei-Bold"}  # headline 奋力谱写
    assert faces_of["砺"] == {"Pressroom-Song"}  # kicker 砥砺前行
    assert faces_of["隆"] == {"Pressroom-Kai"}  # caption ……隆重开幕
    assert faces_of["纵"] == {"Pressroom-Kai"}  # editor's note 纵观博山区
    assert faces_of["姜"] == {"Pressroom-Kai"}  # byline 姜涛
    assert faces_of["泵"] == {"Pressroom-Song"}  # body 机电泵


def test_tagged_with_the_photo_alt_text_and_metadata(pdf, article):
    assert pdfinfo.is_tagged(pdf)
    tags = pdfinfo.structure(pdf)
    figures = [alt for kind, alt in tags if kind == "Figure"]
    assert figures == [article.figures[0].alt]
    assert sum(kind == "H2" for kind, _ in tags) == 6
    meta = pdfinfo.metadata(pdf)
    assert meta["Title"] == article.title
    assert meta["Author"] == "姜涛、孙良栋、王威"


def test_a_failed_build_leaves_the_previous_pdf_untouched(pdf, write_manuscript):
    before = pdf.read_bytes()
    bad = write_manuscript("---\ntitle: 标题\nkikcer: x\n---\n\n正文。\n", name="boshan-report")
    with pytest.raises(Exception):
        build.build_pdf(bad, pdf.parent)
    assert pdf.read_bytes() == before
    assert sorted(p.name for p in pdf.parent.iterdir()
                  if p.name not in CACHE_FOLDERS) == ["boshan-report.pdf"]


def test_curly_quotes_in_the_note_are_drawn_by_song(tmp_path):
    # Kai's own “” are a third of an em wide and jam (主题””高质量): the page draws them from
    # Song, at a full-width mark's width (less at most the half em the breaker may take).
    import ctypes
    import shutil
    import pypdfium2
    import pypdfium2.raw as raw
    from pressroom.outputs.pdf import render_pdf
    from pressroom.reading.manuscript import read_manuscript
    folder = tmp_path / DEFAULT.name
    shutil.copytree(DEFAULT, folder)
    source = folder / "article.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "::: editor-note\n", "::: editor-note\n围绕“高质量发展”这一主题，", 1), encoding="utf-8")
    page = pypdfium2.PdfDocument(render_pdf(read_manuscript(folder)))[0].get_textpage()
    chars = [page.get_text_range(index, 1) for index in range(page.count_chars())]
    start = chars.index("绕")
    assert chars[start + 1] == "“"
    buffer, flags = ctypes.create_string_buffer(256), ctypes.c_int()
    length = raw.FPDFText_GetFontInfo(page.raw, start + 1, buffer, 256, ctypes.byref(flags))
    assert buffer.raw[:max(length - 1, 0)].decode().endswith("Pressroom-Song")
    xs = []
    for index in (start, start + 2):
        x, y = ctypes.c_double(), ctypes.c_double()
        raw.FPDFText_GetCharOrigin(page.raw, index, ctypes.byref(x), ctypes.byref(y))
        xs.append(x.value)
    apart = (xs[1] - xs[0]) / raw.FPDFText_GetFontSize(page.raw, start)
    assert 1.45 < apart < 2.05  # 绕, then a full-width quote less at most half an em
