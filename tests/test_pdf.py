"""The printed page of the default manuscript, read back from the PDF itself."""
from __future__ import annotations

import pytest

import pdfinfo
from conftest import DEFAULT
from pressroom import build
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
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["boshan-report.pdf"]
