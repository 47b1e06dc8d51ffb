"""Traditional Chinese stories end to end: real press releases and a speech of Taiwan's
Office of the President (tests/articles-traditional/), from a page of 500 characters to
three of 5,400, built to PDF and EPUB in the Traditional faces and checked as the plant
and a store would."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from pypdf import PdfReader

from pressroom import faces
from pressroom.build import build_all
from pressroom.checks.check import check_epub, check_pdf
from pressroom.checks.typecheck import check_pdf as typecheck_pdf
from pressroom.errors import diagnostics
from pressroom.reading.manuscript import read_manuscript

from pdfinfo import page_count, squeeze, text

ARTICLES = Path(__file__).resolve().parent / "articles-traditional"
pytestmark = pytest.mark.skipif(not all(design.installed for design in faces.ALL_DESIGNS),
                                reason="needs the font packages scripts/install.sh installs")


def embedded_face_names(pdf: Path) -> set[str]:
    """The full names (name ID 4) the embedded font programs carry."""
    names = set()
    for page in PdfReader(pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            for key in ("/FontFile2", "/FontFile3", "/FontFile"):
                if key in descriptor:
                    program = descriptor[key].get_object().get_data()
                    names.add(_font_name(program))
    return names


def _font_name(program: bytes) -> str:
    if program[:4] in (b"OTTO", b"\x00\x01\x00\x00", b"true"):
        with TTFont(io.BytesIO(program), lazy=True) as font:
            return font["name"].getDebugName(4) or ""
    # A bare CFF program (FontFile3/CIDFontType0C): its name is in the Name INDEX.
    from fontTools.cffLib import CFFFontSet
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    return cff.fontNames[0]


@pytest.fixture(scope="module", params=["president-2024-qiaotou-temple-plaque",
                                        "president-2024-climate-change-committee-first-meeting",
                                        "president-2016-inaugural-address"])
def built(request, tmp_path_factory):
    folder = ARTICLES / request.param
    out = tmp_path_factory.mktemp(request.param)
    with diagnostics():
        pdf, epub = build_all(folder, out)
    return read_manuscript(folder), pdf, epub


def test_the_pages_embed_the_traditional_faces(built):
    article, pdf, _ = built
    names = embedded_face_names(pdf)
    assert names, "no embedded font"
    simplified = {name for name in names if re.search(r"CJK ?SC|LXGW|Pressroom Kai", name)}
    assert not simplified, simplified
    assert any("TC" in name for name in names), names


def test_the_text_copies_back_out_exactly(built):
    article, pdf, _ = built
    printed = squeeze(text(pdf))
    for block in article.blocks:
        if block.kind in ("paragraph", "subhead"):
            assert squeeze(block.text) in printed, block.text[:30]


def test_the_traditional_rules_hold_on_every_page(built):
    article, pdf, _ = built
    for number in range(page_count(pdf)):
        report = typecheck_pdf(pdf, article.printing.settings, page=number)
        assert report.stops_measured > 0
        assert report.compressed_stops == report.hung_stops == report.off_centre_stops == 0
        assert report.max_stop_offset_em <= 0.1
        assert not report.failures(), report.failures()


def test_the_pdf_and_the_e_book_pass_their_checks(built):
    article, pdf, epub = built
    results = list(check_pdf(article, pdf)) + list(check_epub(article, epub))
    failed = {result.check: result.problem for result in results if not result.passed}
    assert not failed, failed


def test_the_e_book_is_in_traditional_chinese(built):
    article, _, epub = built
    with zipfile.ZipFile(epub) as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        nav = book.read("EPUB/nav.xhtml").decode()
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-TW"
    for landmark in ("封面", "目錄", "正文", "導覽"):
        assert landmark in nav
