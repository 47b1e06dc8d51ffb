"""Advertisements stamped onto a rendered page, read back from the PDF itself.

The page is a small tagged PDF/UA page made by WeasyPrint as the print back end makes
one; the raster and PDF artworks are made here at known sizes, the SVGs are in
tests/data/ads/.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import weasyprint
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject, RectangleObject

from conftest import DATA, ROOT
from pressroom.checks.check import structure
from pressroom.errors import PressroomError
from pressroom.outputs.pdf import PDF_OPTIONS
from pressroom.outputs.stamp import Stamp, artwork_size, stamp

ADS = DATA / "ads"
MM = 72 / 25.4
TEXT = "Hello from the stamped page."


def _weasy_pdf(html: str, **options) -> bytes:
    return weasyprint.HTML(string=html).write_pdf(**options)


@pytest.fixture(scope="module")
def art(tmp_path_factory) -> Path:
    """The raster and PDF artworks, made at known sizes."""
    folder = tmp_path_factory.mktemp("ads")
    Image.new("RGB", (600, 300), (200, 30, 30)).save(folder / "ad-300dpi.png", dpi=(300, 300))
    Image.new("RGB", (300, 150), (30, 30, 200)).save(folder / "ad-72dpi.png", dpi=(72, 72))
    Image.new("RGB", (300, 150), (30, 30, 200)).save(folder / "ad-no-dpi.jpg")
    Image.new("RGB", (300, 150), (30, 30, 200)).save(folder / "ad-150dpi.jpg", dpi=(150, 150))
    # An EXIF orientation of 6: the picture stands a quarter turn from its pixels.
    turned = Image.new("RGB", (300, 150), (30, 160, 30))
    exif = turned.getexif()
    exif[0x0112] = 6
    turned.save(folder / "ad-turned.jpg", exif=exif)
    # A tagged PDF of 80 x 40 mm: an orange box 5 mm in from every edge, and a word.
    pdf = _weasy_pdf("<html lang=en><title>Ad</title><style>@page { size: 80mm 40mm; "
                     "margin: 0 } body { margin: 0 } div { margin: 5mm; height: 30mm; "
                     "background: #f80 }</style><div>Sale</div></html>", **PDF_OPTIONS)
    (folder / "ad-80x40mm.pdf").write_bytes(pdf)
    (folder / "ad-trimmed.pdf").write_bytes(_with_page(pdf, trim=(5 * MM, 5 * MM,
                                                                  75 * MM, 35 * MM)))
    (folder / "ad-rotated.pdf").write_bytes(_with_page(pdf, rotate=90))
    (folder / "png-named.svg").write_bytes((folder / "ad-300dpi.png").read_bytes())
    (folder / "truncated.png").write_bytes((folder / "ad-300dpi.png").read_bytes()[:300])
    noise = Image.effect_noise((300, 300), 64).convert("RGB")
    noise.save(folder / "whole.jpg", dpi=(300, 300))
    (folder / "truncated.jpg").write_bytes((folder / "whole.jpg").read_bytes()[:6000])
    return folder


def _with_page(pdf: bytes, trim=None, rotate=None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    page = writer.pages[0]
    if trim:
        page[NameObject("/TrimBox")] = RectangleObject(trim)
    if rotate:
        page[NameObject("/Rotate")] = NumberObject(rotate)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def page() -> bytes:
    """A tagged PDF/UA page of 200 x 150 mm, as pdf.py renders one."""
    return _weasy_pdf(f"<html lang=en><head><title>Page</title><style>@page {{ size: 200mm "
                      f"150mm; margin: 10mm }}</style></head><body><h1>Front</h1>"
                      f"<p>{TEXT}</p></body></html>", **PDF_OPTIONS)


@pytest.fixture(scope="module")
def roots(art) -> list[Path]:
    return [art, ADS]


# -- reading the PDF back ---------------------------------------------------------------

def _compose(outer, inner):
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _drawn(pdf: bytes, number: int = 0) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Every image and path drawn on the page, inside forms too: its kind and its box in pt
    from the page's top-left corner (left, top, right, bottom). PDFium gives an object's
    bounds in the space of the form that draws it; the forms' matrices take it out."""
    document = pypdfium2.PdfDocument(pdf)
    page = document[number]
    height = page.get_height()
    found, forms = [], []  # forms: the matrix of the form at each depth, outside in
    for obj in page.get_objects(max_depth=8):
        del forms[obj.level:]
        if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            forms.append(obj.get_matrix().get())
            continue
        if obj.type not in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH):
            continue
        left, bottom, right, top = obj.get_bounds()
        corners = [(x, y) for x in (left, right) for y in (bottom, top)]
        for matrix in reversed(forms):
            a, b, c, d, e, f = matrix
            corners = [(a * x + c * y + e, b * x + d * y + f) for x, y in corners]
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        found.append((obj.type, (min(xs), height - max(ys), max(xs), height - min(ys))))
    return found


def _near(box, expected, tolerance=0.5) -> bool:
    return all(abs(one - two) <= tolerance for one, two in zip(box, expected))


def _box(left, top, width, height):
    return (left, top, left + width, top + height)


def _contents(pdf: bytes, number: int = 0) -> list[bytes]:
    contents = PdfReader(BytesIO(pdf)).pages[number]["/Contents"]
    streams = contents if isinstance(contents, list) else [contents]
    return [stream.get_object().get_data() for stream in streams]


def _text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    return document[0].get_textpage().get_text_bounded()


# -- the size of an artwork ---------------------------------------------------------------

@pytest.mark.parametrize("name, size", [
    ("ad-300dpi.png", (144, 72)),  # 600 x 300 px at 300 ppi
    # Its own 72 ppi, as PNG stores it: 2835 pixels a metre, 72.009 ppi, 299.96 pt wide.
    ("ad-72dpi.png", (300 * 72 / (2835 * 0.0254), 150 * 72 / (2835 * 0.0254))),
    ("ad-no-dpi.jpg", (72, 36)),  # 300 x 150 px, no resolution given: 300 ppi
    ("ad-150dpi.jpg", (144, 72)),  # 300 x 150 px at the 150 ppi of its JFIF header
    # EXIF orientation 6: stands upright; its EXIF gives no resolution (Pillow says 72).
    ("ad-turned.jpg", (36, 72)),
    ("ad-80x40mm.pdf", (80 * MM, 40 * MM)),  # its MediaBox
    ("ad-trimmed.pdf", (70 * MM, 30 * MM)),  # its TrimBox
    ("ad-rotated.pdf", (40 * MM, 80 * MM)),  # /Rotate 90: shown upright
    ("png-named.svg", (144, 72)),  # the bytes say PNG, whatever the name says
])
def test_artwork_size_of_rasters_and_pdfs(art, name, size):
    width, height = artwork_size(art / name)
    assert width == pytest.approx(size[0], abs=0.01)
    assert height == pytest.approx(size[1], abs=0.01)


def test_artwork_size_of_an_svg_in_mm():
    width, height = artwork_size(ADS / "ad-50x20mm.svg")
    assert (round(width, 2), round(height, 2)) == (141.73, 56.69)


@pytest.mark.parametrize("width, points", [
    ("2in", 144), ("10cm", 10 / 2.54 * 72), ("36pt", 36), ("3pc", 36), ("96px", 72),
    ("96", 72), (" 1.5e1mm ", 15 * MM)])
def test_svg_units(tmp_path, width, points):
    svg = tmp_path / "ad.svg"
    svg.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="1in"/>')
    assert artwork_size(svg) == (pytest.approx(points), pytest.approx(72))


# -- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, words", [
    ("missing.png", "is not there"),
    ("not-an-image.png", "is not a PNG, JPEG, SVG or PDF"),
    ("no-size.svg", "has no width"),
    ("percent-size.svg", 'width="100%"'),
])
def test_a_bad_artwork_is_pr158_naming_the_file(name, words):
    with pytest.raises(PressroomError) as caught:
        artwork_size(ADS / name)
    error = caught.value
    assert error.code == "PR158"
    assert name in error.message and words in error.message
    if name.endswith(".svg"):
        assert "width and height in mm" in str(error)


@pytest.mark.parametrize("name", ["truncated.png", "truncated.jpg"])
def test_a_truncated_image_is_pr158(art, name):
    assert artwork_size(art / "whole.jpg") == (72, 72)
    with pytest.raises(PressroomError) as caught:
        artwork_size(art / name)
    assert caught.value.code == "PR158" and name in caught.value.message
    assert "truncated" in caught.value.message


def test_a_bad_artwork_stops_the_stamp(page, roots):
    with pytest.raises(PressroomError) as caught:
        stamp(page, [Stamp(0, ADS / "no-size.svg", 10, 10)], roots)
    assert caught.value.code == "PR158" and "no-size.svg" in caught.value.message


def test_an_artwork_outside_the_roots_is_refused(page, art):
    with pytest.raises(PressroomError) as caught:
        stamp(page, [Stamp(0, art / "ad-300dpi.png", 10, 10)], [ADS])
    assert caught.value.code == "PR158" and "ad-300dpi.png" in caught.value.message


def test_an_svg_asking_for_a_file_outside_the_roots_is_refused(page, roots):
    with pytest.raises(PressroomError) as caught:
        stamp(page, [Stamp(0, ADS / "outside-link.svg", 10, 10)], roots)
    assert caught.value.code == "PR310" and "outside-link.svg" in caught.value.message


# -- the stamped page --------------------------------------------------------------------

@pytest.fixture(scope="module")
def stamps(art) -> list[Stamp]:
    return [Stamp(0, art / "ad-300dpi.png", 40, 60),
            Stamp(0, art / "ad-no-dpi.jpg", 40, 200),
            Stamp(0, ADS / "ad-50x20mm.svg", 300, 60),
            Stamp(0, art / "ad-80x40mm.pdf", 300, 200)]


@pytest.fixture(scope="module")
def stamped(page, stamps, roots) -> bytes:
    return stamp(page, stamps, roots)


def test_images_stand_at_their_own_size_where_asked(stamped):
    images = [box for kind, box in _drawn(stamped) if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE]
    assert len(images) == 2
    assert _near(images[0], _box(40, 60, 144, 72))
    assert _near(images[1], _box(40, 200, 72, 36))


def test_an_svg_draws_its_paths_at_its_own_size(stamped):
    paths = [box for kind, box in _drawn(stamped) if kind == pdfium_c.FPDF_PAGEOBJ_PATH]
    ground = _box(300, 60, 50 * MM, 20 * MM)
    band = _box(300 + 5 * MM, 60 + 5 * MM, 40 * MM, 10 * MM)
    assert any(_near(box, ground) for box in paths)
    assert any(_near(box, band) for box in paths)


def test_a_pdf_draws_at_its_own_size_without_its_tags(stamped):
    paths = [box for kind, box in _drawn(stamped) if kind == pdfium_c.FPDF_PAGEOBJ_PATH]
    assert any(_near(box, _box(300 + 5 * MM, 200 + 5 * MM, 70 * MM, 30 * MM)) for box in paths)
    # The artwork's own marked content (MCIDs into its own structure) is gone.
    reader = PdfReader(BytesIO(stamped))
    xobjects = reader.pages[0]["/Resources"]["/XObject"]
    forms = [xobjects[name].get_object() for name in xobjects if name.startswith("/Ad")]
    assert len(forms) == 4
    assert not any(re.search(rb"\bBDC\b|\bMCID\b", form.get_data()) for form in forms)
    assert "Sale" in _text(stamped)


def test_a_trimmed_and_a_rotated_pdf_stand_at_their_shown_size(page, art, roots):
    out = stamp(page, [Stamp(0, art / "ad-trimmed.pdf", 20, 20),
                       Stamp(0, art / "ad-rotated.pdf", 300, 20)], roots)
    paths = [box for kind, box in _drawn(out) if kind == pdfium_c.FPDF_PAGEOBJ_PATH]
    # Trimmed to the orange box: the box fills the artwork.
    assert any(_near(box, _box(20, 20, 70 * MM, 30 * MM)) for box in paths)
    # Turned a quarter clockwise: 40 x 80 mm, the box 5 mm in from every edge.
    assert any(_near(box, _box(300 + 5 * MM, 20 + 5 * MM, 30 * MM, 70 * MM)) for box in paths)


def test_a_turned_jpeg_stands_upright(page, art, roots):
    out = stamp(page, [Stamp(0, art / "ad-turned.jpg", 30, 40)], roots)
    images = [box for kind, box in _drawn(out) if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE]
    assert len(images) == 1 and _near(images[0], _box(30, 40, 36, 72))


def test_the_page_text_still_extracts(stamped):
    assert TEXT in _text(stamped)
    assert TEXT in PdfReader(BytesIO(stamped)).pages[0].extract_text()


def test_each_artwork_is_drawn_as_an_artifact_over_the_page(page, stamped):
    before, after = _contents(page), _contents(stamped)
    # The page's own content streams are all still there, byte for byte, before the ads.
    assert after[1:1 + len(before)] == before
    last = after[-1].decode("ascii")
    draws = list(re.finditer(r"/(Ad\d+) Do", last))
    assert len(draws) == 4
    for draw in draws:
        opened = last.rfind("/Artifact BMC", 0, draw.start())
        closed = last.find("EMC", draw.end())
        assert opened >= 0 and closed > draw.end()
        assert last.count("BMC", opened, draw.start()) == 1  # no other mark between
        assert "EMC" not in last[opened:draw.start()]


def test_structure_and_metadata_as_they_were(page, stamped):
    before, after = PdfReader(BytesIO(page)), PdfReader(BytesIO(stamped))
    assert "/StructTreeRoot" in after.root_object
    assert after.root_object["/MarkInfo"] == before.root_object["/MarkInfo"]
    assert after.metadata == before.metadata
    assert after.xmp_metadata is not None
    assert after.root_object["/Metadata"].get_data() == before.root_object["/Metadata"].get_data()
    assert after.trailer.get("/ID") == before.trailer.get("/ID")
    assert after.pdf_header == before.pdf_header
    assert after.pages[0]["/StructParents"] == before.pages[0]["/StructParents"]
    # PDFium reads the same tags, the artworks add none.
    assert structure(pypdfium2.PdfDocument(stamped)) == structure(pypdfium2.PdfDocument(page))


def test_the_same_inputs_give_the_same_bytes(page, stamps, roots, stamped):
    assert stamp(page, stamps, roots) == stamped


def test_the_same_bytes_in_another_process(page, stamps, roots, stamped, tmp_path):
    """No hash order or clock reaches the bytes: a fresh process with another hash seed."""
    (tmp_path / "page.pdf").write_bytes(page)
    script = ("import sys; from pathlib import Path; "
              "from pressroom.outputs.stamp import Stamp, stamp; "
              f"stamps = [Stamp(0, Path(a), l, t) for a, l, t in {[(str(s.artwork), s.left, s.top) for s in stamps]!r}]; "
              f"out = stamp(Path(sys.argv[1]).read_bytes(), stamps, {[str(r) for r in roots]!r}); "
              "Path(sys.argv[2]).write_bytes(out)")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "page.pdf"),
                    str(tmp_path / "out.pdf")], check=True, cwd=ROOT,
                   env={**os.environ, "PYTHONHASHSEED": "12345", "TZ": "Asia/Shanghai"})
    assert (tmp_path / "out.pdf").read_bytes() == stamped


def test_one_artwork_on_two_pages_is_stored_once(roots):
    two = _weasy_pdf("<html lang=en><title>Two</title><style>@page { size: 100mm 100mm }"
                     "</style><p>One</p><p style='break-before: page'>Two</p></html>",
                     **PDF_OPTIONS)
    out = stamp(two, [Stamp(0, ADS / "ad-50x20mm.svg", 10, 10),
                      Stamp(1, ADS / "ad-50x20mm.svg", 20, 30)], roots)
    reader = PdfReader(BytesIO(out))
    first, second = (page["/Resources"]["/XObject"].raw_get("/Ad0") for page in reader.pages)
    assert first.idnum == second.idnum
    ground = _box(20, 30, 50 * MM, 20 * MM)
    assert any(_near(box, ground) for kind, box in _drawn(out, 1))


def test_no_stamps_leave_the_content_as_it_was(page, roots):
    out = stamp(page, [], roots)
    assert _contents(out) == _contents(page)
    assert TEXT in _text(out)
