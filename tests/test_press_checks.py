"""The checks of a variant PDF (``pressroom.checks.press``), against real PDFs: the plate
test manuscript built for the press (PDF/X-4, PDF/X-1a) and the archive passes them; a
copy spoiled the way a plant would refuse it (an RGB photo, no output intent, text in
four-colour black, no date, transparency in a PDF/X-1a) fails the check that names the
fault, and Ghostscript's plates agree with what the content streams say.

Every PDF is built once for the module; the spoiled copies are made with pypdf.
"""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

from conftest import ROOT
from pressroom.build import build_all, build_pdf
from pressroom.checks.check import iter_checks
from pressroom.checks.press import check_variant, read_pages
from pressroom.errors import Location, diagnostics
from pressroom.outputs.page import dated_stamp
from pressroom.variants import VARIANTS

PLATE = ROOT / "tests" / "manuscripts" / "plate"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The plate manuscript for the plant and the archive, once; and its screen PDF and
    EPUB, which ``invoke check --variant`` still reads."""
    out = tmp_path_factory.mktemp("press-checks")
    with diagnostics():
        files = {name: build_pdf(PLATE, out_dir=out, variant=VARIANTS[name])
                 for name in ("press", "press-x1a", "archive")}
        build_all(PLATE, out)
    return files


@pytest.fixture(scope="module")
def issue_date() -> str:
    """The creation date the build gave (the issue's midnight, or SOURCE_DATE_EPOCH)."""
    return dated_stamp(VARIANTS["press"], datetime.date(2026, 12, 1), Location(PLATE))


def results(path: Path, name: str, **options) -> dict:
    return {result.check: result for result in check_variant(path, VARIANTS[name], **options)}


def spoiled(source: Path, target: Path, change) -> Path:
    """A copy of ``source`` with ``change(writer)`` made to it."""
    writer = PdfWriter(clone_from=str(source))
    change(writer)
    writer.write(str(target))
    return target


@pytest.mark.parametrize("name, expected", [
    ("press", {"press.identification", "press.intent", "press.boxes", "press.fonts",
               "press.glyphs", "press.colour", "press.black", "press.inkcov",
               "press.separations", "press.images", "press.dated"}),
    ("press-x1a", {"press.identification", "press.intent", "press.boxes", "press.fonts",
                   "press.glyphs", "press.colour", "press.black", "press.inkcov",
                   "press.separations", "press.images", "press.transparency",
                   "press.dated"}),
    ("archive", {"archive.identification", "archive.tagged", "archive.intent",
                 "archive.fonts", "archive.glyphs", "archive.dated"}),
])
def test_the_built_variants_pass_their_checks(built, issue_date, name, expected):
    found = results(built[name], name, date=issue_date)
    assert set(found) == expected
    failed = {check: result.problem for check, result in found.items()
              if not result.passed}
    assert not failed
    assert not any(result.warning for result in found.values())


def test_the_figures_say_what_the_press_pdf_is(built, issue_date):
    found = results(built["press"], "press", date=issue_date)
    assert found["press.identification"].figure == "PDF/X-4, Trapped False"
    assert "Artifex CMYK SWOP Profile" in found["press.intent"].figure
    assert found["press.colour"].figure == "spaces used: DeviceCMYK"
    # One photo: it alone carries cyan, magenta and yellow, on Ghostscript's plates too.
    cyan, magenta, yellow, black = map(float, re.findall(
        r"C ([\d.]+)% M ([\d.]+)% Y ([\d.]+)% K ([\d.]+)%", found["press.inkcov"].figure)[0])
    assert 0 < cyan < 30 and 0 < magenta < 30 and 0 < yellow < 30 and black > 0
    placed, inked = re.search(r"(\d+) px on C/M/Y, (\d+) of them in 1 photos",
                              found["press.separations"].figure).groups()
    assert placed == inked != "0"
    ink = int(re.search(r"total ink at most (\d+) %", found["press.images"].figure).group(1))
    assert 200 < ink <= 240


def test_every_cff_code_draws_its_own_glyph(built):
    """A cut of a CID-keyed face keeps the source's CIDs under new glyph numbers; the
    writer renumbers them (``pdf.identity_cids``), so a RIP reading a code as a CID
    (ISO 32000-1 9.7.4.2) finds the glyph PDFium draws."""
    for name in ("press", "press-x1a"):
        found = results(built[name], name)["press.glyphs"]
        assert found.passed, found.problem
    assert results(built["archive"], "archive")["archive.glyphs"].passed


def test_a_mono_page_with_a_colour_photo_fails(built):
    found = results(built["press"], "press", mono_pages=frozenset({0}))
    assert not found["press.inkcov"].passed
    assert "page 1 is mono" in found["press.inkcov"].problem
    assert not found["press.separations"].passed  # no photo area is allowed on mono plates


def test_an_rgb_photo_fails_the_colour_and_the_image_checks(built, tmp_path):
    def rgb_photo(writer: PdfWriter) -> None:
        page = writer.pages[0]
        xobjects = page["/Resources"]["/XObject"]
        (name,) = list(xobjects)
        image = DecodedStreamObject()
        image.set_data(bytes([200, 40, 40]) * (600 * 400))
        image.update({NameObject("/Type"): NameObject("/XObject"),
                      NameObject("/Subtype"): NameObject("/Image"),
                      NameObject("/Width"): NumberObject(600),
                      NameObject("/Height"): NumberObject(400),
                      NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                      NameObject("/BitsPerComponent"): NumberObject(8)})
        xobjects[NameObject(name)] = writer._add_object(image)

    found = results(spoiled(built["press"], tmp_path / "rgb.pdf", rgb_photo), "press")
    assert not found["press.colour"].passed
    assert "an image in DeviceRGB" in found["press.colour"].problem
    assert not found["press.images"].passed
    assert "is RGB" in found["press.images"].problem
    assert found["press.black"].passed  # the text is still on the black plate


def test_a_pdf_without_its_output_intent_fails(built, tmp_path):
    def no_intent(writer: PdfWriter) -> None:
        del writer._root_object["/OutputIntents"]

    found = results(spoiled(built["press"], tmp_path / "no-intent.pdf", no_intent), "press")
    assert not found["press.intent"].passed
    assert found["press.intent"].figure == "no output intent"


def four_colour_black(writer: PdfWriter) -> None:
    """Every text and rule of the page in 70/70/70/100 instead of 100 % K."""
    page = writer.pages[0]
    contents = page.get_contents()
    data = contents.get_data()
    assert b"0 0 0 1 scn" in data
    contents.set_data(data.replace(b"0 0 0 1 scn", b"0.7 0.7 0.7 1 scn"))
    page.replace_contents(contents)


def test_text_in_four_colour_black_fails_on_the_content_and_on_the_plates(built, tmp_path):
    path = spoiled(built["press"], tmp_path / "rich-black.pdf", four_colour_black)
    found = results(path, "press")
    black = found["press.black"]
    assert not black.passed
    runs = int(re.search(r"(\d+) text runs not on K only", black.problem).group(1))
    assert runs > 100  # every text run of the page
    assert "DeviceCMYK 0.7 0.7 0.7 1" in black.problem
    # Ghostscript's reading agrees: cyan outside the photo.
    assert not found["press.separations"].passed
    assert "of Cyan outside the photos" in found["press.separations"].problem
    assert found["press.colour"].passed  # still CMYK: not an RGB fault


def test_process_colour_passes_inside_an_allowed_rectangle(built, tmp_path):
    """A red masthead: process colour where the edition says, and only there."""
    path = spoiled(built["press"], tmp_path / "rich-black.pdf", four_colour_black)
    width, height = (float(value) for value in PdfReader(path).pages[0].mediabox[2:])
    # The top strip only (the header line): everything below still fails.
    strip = ((0, 0, height - 90, width, height),)
    drawings = read_pages(PdfReader(path))
    in_strip = [paint for paint in drawings.paints
                if paint.kind == "text" and paint.box[1] > height - 90]
    assert in_strip
    found = results(path, "press", allowed_colour=strip)
    runs = int(re.search(r"(\d+) text runs", found["press.black"].problem).group(1))
    assert runs == sum(1 for paint in drawings.paints if paint.kind == "text") - len(in_strip)
    whole = results(path, "press", allowed_colour=((0, 0, 0, width, height),))
    assert whole["press.black"].passed and whole["press.separations"].passed


def test_an_undated_press_pdf_fails(built, tmp_path, issue_date):
    def undated(writer: PdfWriter) -> None:
        info = writer._info.get_object()
        for key in ("/CreationDate", "/ModDate"):
            del info[key]
        metadata = writer._root_object["/Metadata"].get_object()
        xmp = metadata.get_data()
        xmp = re.sub(rb"<rdf:Description rdf:about=\"\"><xmp:(CreateDate|ModifyDate)>"
                     rb"[^<]*</xmp:\w+></rdf:Description>", b"", xmp)
        xmp = re.sub(rb"<xmp:MetadataDate>[^<]*</xmp:MetadataDate>", b"", xmp)
        metadata.set_data(xmp)

    found = results(spoiled(built["press"], tmp_path / "undated.pdf", undated), "press",
                    date=issue_date)
    dated = found["press.dated"]
    assert not dated.passed
    assert dated.problem.startswith("no Info CreationDate; no Info ModDate; no xmp:CreateDate")


def test_a_press_pdf_of_another_date_fails(built):
    found = results(built["press"], "press", date="2026-12-02T00:00:00+08:00")
    assert not found["press.dated"].passed
    assert "the issue's is 2026-12-02" in found["press.dated"].problem


def test_a_transparency_group_fails_pdf_x1a(built, tmp_path):
    def transparent(writer: PdfWriter) -> None:
        group = DictionaryObject({NameObject("/S"): NameObject("/Transparency"),
                                  NameObject("/CS"): NameObject("/DeviceCMYK")})
        writer.pages[0][NameObject("/Group")] = group

    path = spoiled(built["press-x1a"], tmp_path / "transparent.pdf", transparent)
    found = results(path, "press-x1a")
    assert not found["press.transparency"].passed
    assert "page 1 is a transparency group" in found["press.transparency"].problem
    # PDF/X-4 allows it: the same group is no fault there.
    assert "press.transparency" not in results(built["press"], "press")


def test_invoke_check_with_a_variant_reads_its_own_pdf(built):
    out = built["press"].parent
    found = {result.check: result for result in iter_checks(PLATE, out, VARIANTS["press"])}
    assert {"pdf.fonts", "typography", "press.identification", "press.separations",
            "visual", "epub.epubcheck"} <= set(found)
    failed = {check: result.problem for check, result in found.items()
              if not result.passed}
    assert not failed
    assert found["visual"].passed and "skipped" in found["visual"].figure
