"""Overlaps (the typography checker's ``overlaps``): no glyph is printed over another line's,
and none on a photo where the photo shows.

Real pages: the default page and the test manuscript of four photos as the pipeline builds
them, and copies whose stylesheet moves a subhead onto the body text or a caption onto its
photo. Small pages written here and rendered with WeasyPrint: a photo cropped by
``object-fit: cover`` (its image reaches past its box, clipped), and lines set too close.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from conftest import DEFAULT, ROOT
from pressroom import build
from pressroom.checks.check import check_typography, squeeze
from pressroom.checks.typecheck import check_pdf, read_page, visible_images
from pressroom.fonts import FACES, FONTS_DIR
from pressroom.outputs.layouts import LAYOUTS_DIR
from pressroom.reading.manuscript import read_manuscript
from pressroom.settings import Settings

PHOTOS = ROOT / "tests" / "manuscripts" / "photos"
WIDE_PHOTO = PHOTOS / "photo-4.jpg"  # 1920 x 1080, 16:9


def overlap_problems(report) -> list[str]:
    return [str(problem) for problem in report.problems if problem.code == "overlaps"]


def image_bounds(pdf: Path) -> list[tuple[float, float, float, float]]:
    """Each image's own extent (what PDFium says of the object), in pt from the top left."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[0]
        height = page.get_size()[1]
        found = []
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            left, bottom, right, top = obj.get_bounds()
            found.append((left, height - top, right, height - bottom))
        return found
    finally:
        document.close()


def meets(box, rect, inset: float = 0.3) -> bool:
    left, top, right, bottom = box
    return left + inset < rect[2] and rect[0] < right - inset \
        and top + inset < rect[3] and rect[1] < bottom - inset


# -- real pages ---------------------------------------------------------------------

def variant(tmp_path: Path, source: Path, css: str) -> tuple[Path, Settings]:
    """Build a copy of a manuscript whose print stylesheet ends with ``css``."""
    folder = tmp_path / "copy" / source.name
    shutil.copytree(source, folder)
    if css:
        (folder / "layouts" / "css").mkdir(parents=True)
        sheet = (LAYOUTS_DIR / "css" / "print.css").read_text(encoding="utf-8")
        (folder / "layouts" / "css" / "print.css").write_text(sheet + css, encoding="utf-8")
    pdf = build.build_pdf(folder, tmp_path / "out")
    return pdf, read_manuscript(folder).printing.settings


@pytest.fixture(scope="module")
def photos_page(tmp_path_factory) -> tuple[Path, Settings]:
    return variant(tmp_path_factory.mktemp("photos"), PHOTOS, "")


def test_clean_photos_page_has_no_overlap(photos_page):
    pdf, settings = photos_page
    report = check_pdf(pdf, settings)
    assert report.overlaps == 0, "\n".join(overlap_problems(report))


def test_photos_page_sees_each_photo_where_it_shows(photos_page):
    # The 4:3 and 16:9 photos are cropped to 3:2 boxes: their images reach past the boxes
    # (over the column gaps, towards the text beside them), clipped.
    pdf, _ = photos_page
    _, _, glyphs, shown = read_page(pdf)
    extents = image_bounds(pdf)
    assert len(shown) == len(extents) == 4
    cropped = [extent for extent in extents
               if not any(all(abs(a - b) < 0.5 for a, b in zip(extent, rect)) for rect in shown)]
    assert len(cropped) >= 2, (extents, shown)
    boxes = [glyph.ink for glyph in glyphs if not glyph.char.isspace()]
    assert not any(meets(box, rect) for box in boxes for rect in shown)
    # What shows is the photo's box: as wide as the columns it spans, inside its image.
    settings = photos_page[1]
    span, size = settings.figure_columns, settings.body_size
    width = span * settings.column_chars * size + (span - 1) * settings.gap_chars * size
    for rect in shown:
        assert abs((rect[2] - rect[0]) - width) < 0.1, (rect, width)
        assert any(extent[0] - 0.01 <= rect[0] and rect[2] <= extent[2] + 0.01
                   and extent[1] - 0.01 <= rect[1] and rect[3] <= extent[3] + 0.01
                   for extent in extents)


def test_subhead_moved_onto_the_body_text_overlaps_it(tmp_path):
    # Two rows down from its band: the subhead stands on the lines of the text under it.
    pdf, settings = variant(tmp_path, DEFAULT, ".subhead { position: relative; top: 28pt; }")
    report = check_pdf(pdf, settings)
    assert report.overlaps > 0 and "overlaps" in {f.split(":")[0] for f in report.failures()}
    subheads = [line[:4] for block in read_manuscript(DEFAULT).blocks if block.kind == "subhead"
                for line in block.lines]
    problems = overlap_problems(report)
    assert any(head in problem for problem in problems for head in subheads), problems
    assert all(" overlap" in problem and "column " in problem for problem in problems), problems


def test_caption_moved_onto_its_photo_overlaps_it(tmp_path):
    pdf, settings = variant(tmp_path, DEFAULT, ".photo figcaption { position: relative; top: -40pt; }")
    report = check_pdf(pdf, settings)
    caption = next(block.caption for block in read_manuscript(DEFAULT).blocks
                   if block.kind == "figure")
    # Every character of the caption, and nothing else, stands on the photo.
    assert report.overlaps == len(squeeze(caption)), "\n".join(overlap_problems(report))
    assert all("is printed on the photo" in problem and "caption at" in problem
               for problem in overlap_problems(report))


def test_typography_check_names_the_overlap(tmp_path):
    pdf, _ = variant(tmp_path, DEFAULT, ".subhead { position: relative; top: 28pt; }")
    article = read_manuscript(DEFAULT)
    result, _ = check_typography(article, pdf)
    assert not result.passed
    assert "overlaps" in result.figure
    assert "overlaps:" in result.problem and " overlap" in result.problem, result.problem


# -- small pages, set by hand -------------------------------------------------------

SETTINGS = Settings(page_width=100, page_height=100, margin_top=5, margin_bottom=5,
                    masthead_height=10, columns=2, column_chars=10, gap_chars=2,
                    body_size=10, figure_columns=2)
BOX = (40.0, 60.0, 160.0, 140.0)  # the photo's box: left, top, right, bottom, in pt (3:2)


def render(tmp_path: Path, body: str) -> Path:
    faces = "".join(
        f'@font-face{{font-family:"{face.role_family}";src:url("{(FONTS_DIR / face.file).as_uri()}");'
        f"font-weight:{face.weight}}}" for face in FACES)
    page = f"""<html lang="zh-CN"><head><style>{faces}
@page {{ size: 100mm 100mm; margin: 0 }}
body {{ margin: 0 }}
p {{ position: absolute; margin: 0; white-space: pre; font-family: "Pressroom Song";
     font-size: 10pt; line-height: 15pt }}
.photo {{ position: absolute; object-fit: cover }}
</style></head><body>{body}</body></html>"""
    target = tmp_path / "page.pdf"
    weasyprint.HTML(string=page).write_pdf(target, font_config=FontConfiguration())
    return target


def photo(box=BOX, wrapper: str = "") -> str:
    left, top, right, bottom = box
    image = (f'<img class="photo" src="{WIDE_PHOTO.as_uri()}" '
             f'style="left:{left}pt;top:{top}pt;width:{right - left}pt;height:{bottom - top}pt"/>')
    return f'<div style="{wrapper}">{image}</div>' if wrapper else image


def text_at(left: float, top: float, text: str = "图片说明文字") -> str:
    return f'<p style="left:{left}pt;top:{top}pt">{text}</p>'


@pytest.mark.parametrize("wrapper", [
    "",  # drawn on the page
    # drawn inside a form XObject (a group for the opacity), moved by the form's matrix
    "position:absolute;left:0;top:0;opacity:0.9;transform:translate(10pt,5pt)",
])
def test_visible_rectangle_of_a_cropped_photo_is_its_box(tmp_path, wrapper):
    pdf = render(tmp_path, photo(wrapper=wrapper))
    shift = (10.0, 5.0) if wrapper else (0.0, 0.0)
    want = (BOX[0] + shift[0], BOX[1] + shift[1], BOX[2] + shift[0], BOX[3] + shift[1])
    _, _, _, shown = read_page(pdf)
    assert len(shown) == 1 and all(abs(a - b) < 0.05 for a, b in zip(shown[0], want)), shown
    if not wrapper:  # the 16:9 image covers the 3:2 box: wider than the box, as tall
        (extent,) = image_bounds(pdf)
        assert extent[0] < BOX[0] - 10 and extent[2] > BOX[2] + 10, extent
        assert abs(extent[1] - BOX[1]) < 0.05 and abs(extent[3] - BOX[3]) < 0.05, extent
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[0]
        assert visible_images(page.raw, page.get_size()[1]) == shown
    finally:
        document.close()


def test_text_beside_a_cropped_photo_is_no_overlap(tmp_path):
    # Right of the box by 2 pt, on the part of the image the clip hides: measured by the
    # image's own extent it would stand on the photo.
    pdf = render(tmp_path, photo() + text_at(BOX[2] + 2, 80))
    _, _, glyphs, _ = read_page(pdf)
    (extent,) = image_bounds(pdf)
    assert sum(meets(glyph.ink, extent) for glyph in glyphs) >= 1
    report = check_pdf(pdf, SETTINGS)
    assert report.overlaps == 0, "\n".join(overlap_problems(report))


def test_text_on_a_photo_overlaps_it(tmp_path):
    # Six characters from 8 pt inside the box's right edge: the first stands on the photo.
    report = check_pdf(render(tmp_path, photo() + text_at(BOX[2] - 8, 80)), SETTINGS)
    assert report.overlaps == 1, "\n".join(overlap_problems(report))
    assert "「图」 of " in overlap_problems(report)[0]
    assert "“图片说明文字” is printed on the photo at 40.0-160.0 x 60.0-140.0 pt" \
        in overlap_problems(report)[0]


@pytest.mark.parametrize("step, overlapping", [(10.0, False), (6.0, True)])
def test_lines_set_too_close_overlap(tmp_path, step, overlapping):
    # Two lines of six characters, one under the other: an em apart (set solid) they only
    # come near; 0.6 em apart every character meets the one above. (Not the same text
    # twice: PDFium reads a text drawn again just beside itself as one, a fake bold.)
    body = text_at(40, 60) + text_at(40, 60 + step, "版面编排规则")
    report = check_pdf(render(tmp_path, body), SETTINGS)
    assert report.overlaps == (6 if overlapping else 0), "\n".join(overlap_problems(report))
    if overlapping:
        problems = overlap_problems(report)
        assert any("「图」 of " in problem and "“图片说明文字” and 「版」 of " in problem
                   and "“版面编排规则” overlap" in problem for problem in problems), problems


def test_glyphs_of_one_line_never_overlap_each_other(tmp_path):
    # Kerned into each other (a negative letter spacing), the glyphs of one line are one
    # line's business (compression), not an overlap.
    body = '<p style="left:40pt;top:60pt;letter-spacing:-3pt">图片说明文字</p>'
    report = check_pdf(render(tmp_path, body), SETTINGS)
    assert report.overlaps == 0, "\n".join(overlap_problems(report))
