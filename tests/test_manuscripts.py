"""The test manuscripts (tests/manuscripts/<slug>/article.md), each built to its page and
its e-book.

Each one stresses the composer another way: ``short`` is about 800 characters on a small
page with larger type, ``long`` about 6,000 on a broadsheet with an editor's note and two
photos, ``latin-digits`` is thick with figures, percentages, acronyms and English names,
``photos`` carries four photos of four shapes. Each must fill its one page exactly (the
build stops with a copyfit error otherwise) and give an EPUB that EPUBCheck passes.

Everything is built once for the module, PDF and EPUB from one layout of the page
(``build_all``); the EPUBCheck runs start as soon as the books exist (an autouse fixture)
and are collected at the end, so Java works while the other tests run.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

import pdfinfo
from conftest import DEFAULT
from pressroom import build
from pressroom import fonts
from pressroom.reading.manuscript import read_manuscript
from pressroom.outputs.standin import draw_standin

TEST_MANUSCRIPTS = Path(__file__).resolve().parent / "manuscripts"
SLUGS = ["latin-digits", "long", "photos", "plate", "short"]
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


def _make_photos():
    spec = importlib.util.spec_from_file_location("make_photos", TEST_MANUSCRIPTS / "make_photos.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """slug -> (article, pdf, epub), every manuscript built once."""
    result = {}
    for slug in SLUGS:
        folder = TEST_MANUSCRIPTS / slug
        out = tmp_path_factory.mktemp(slug)
        pdf, epub = build.build_all(folder, out)
        result[slug] = (read_manuscript(folder), pdf, epub)
    return result


@pytest.fixture(scope="module", autouse=True)
def epubchecks(built, tmp_path_factory) -> dict:
    """slug -> the future of an EPUBCheck run (return code, messages), started at once and
    run as many at a time as there are processors; a skip reason without Java or the jar."""
    from test_epub import epubcheck_jar

    try:
        jar = epubcheck_jar()
    except pytest.skip.Exception as skipped:  # autouse: skip the EPUBCheck tests only
        yield str(skipped)
        return
    reports = tmp_path_factory.mktemp("epubcheck")

    def check(slug: str, epub: Path) -> tuple[int, list]:
        report = reports / f"{slug}.json"
        # C1 only and the serial collector: a short run of the JVM takes half the time.
        result = subprocess.run(
            ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar),
             "--failonwarnings", "-q", "--json", str(report), str(epub)],
            capture_output=True, text=True, timeout=300)
        messages = json.loads(report.read_text(encoding="utf-8"))["messages"]
        output = (result.stdout + result.stderr).strip()
        return result.returncode, messages + ([output] if output else [])

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        yield {slug: pool.submit(check, slug, epub) for slug, (_, _, epub) in built.items()}


def page_text(pdf: Path) -> str:
    return pdfinfo.squeeze(pdfinfo.text(pdf))


# -- the manuscripts themselves ---------------------------------------------------------

def test_the_test_manuscripts_are_these():
    assert [path.name for path in build.manuscripts(TEST_MANUSCRIPTS)] == SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_marked_as_test_material(slug):
    article = read_manuscript(TEST_MANUSCRIPTS / slug)
    assert "测试" in article.publication
    assert "测试样稿" in article.kicker


@pytest.mark.parametrize("slug", SLUGS)
def test_vendored_faces_draw_every_character_of_the_file(slug):
    # The font repertoire takes in every character of tests/manuscripts/**/*.md, comments
    # included; one outside the vendored cut would need the fonts regenerated.
    text = (TEST_MANUSCRIPTS / slug / "article.md").read_text(encoding="utf-8")
    for face in fonts.FACES:
        covered = fonts.cmap(face)
        missing = sorted({char for char in text
                          if unicodedata.category(char) != "Cc" and ord(char) not in covered})
        assert missing == [], face.role_family


def test_photos_are_the_drawn_stand_ins_in_four_shapes():
    photos = _make_photos().PHOTOS
    shapes = set()
    for name, (size, lines) in photos.items():
        path = TEST_MANUSCRIPTS / name
        with Image.open(path) as image:
            assert image.size == size, name
        shapes.add(round(size[0] / size[1], 3))
        assert path.read_bytes() == draw_standin(lines, size=size), \
            f"{name} is not the stand-in make_photos.py draws"
    assert shapes == {1.5, round(4 / 3, 3), round(2 / 3, 3), round(16 / 9, 3)}


def test_the_default_stand_in_is_unchanged():
    assert draw_standin() == (DEFAULT / "opening-ceremony.jpg").read_bytes()


# -- the printed page --------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_one_page_of_the_chosen_format(built, slug):
    article, pdf, _ = built[slug]
    assert pdfinfo.page_count(pdf) == 1
    width, height = pdfinfo.page_size_mm(pdf)
    assert abs(width - article.printing.settings.page_width) < 0.5
    assert abs(height - article.printing.settings.page_height) < 0.5


@pytest.mark.parametrize("slug", SLUGS)
def test_every_paragraph_reaches_the_page(built, slug):
    article, pdf, _ = built[slug]
    page = page_text(pdf)
    paragraphs = [block.text for block in article.blocks if block.kind == "paragraph"]
    if article.editor_note:
        paragraphs += [paragraph.text for paragraph in article.editor_note.paragraphs]
    missing = [text for text in paragraphs if pdfinfo.squeeze(text) not in page]
    assert not missing


@pytest.mark.parametrize("slug", SLUGS)
def test_headline_and_subheads_reach_the_page(built, slug):
    article, pdf, _ = built[slug]
    page = page_text(pdf)
    parts = [*article.headline, article.kicker, *(block.text for block in article.blocks
                                                  if block.kind == "subhead")]
    missing = [part for part in parts if pdfinfo.squeeze(part) not in page]
    assert not missing


@pytest.mark.parametrize("slug", SLUGS)
def test_every_caption_and_credit_reaches_the_page(built, slug):
    article, pdf, _ = built[slug]
    page = page_text(pdf)
    for figure in article.figures:
        assert pdfinfo.squeeze(figure.caption) in page
        assert figure.credit and pdfinfo.squeeze(figure.credit) in page


@pytest.mark.parametrize("slug", SLUGS)
def test_every_figure_is_tagged_with_its_alt_text(built, slug):
    article, pdf, _ = built[slug]
    tagged = [alt for kind, alt in pdfinfo.structure(pdf) if kind == "Figure"]
    assert len(tagged) == len(article.figures)
    assert sorted(tagged) == sorted(figure.alt for figure in article.figures)


# -- the e-book --------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_chapter_holds_every_paragraph_and_figure(built, slug):
    article, _, epub = built[slug]
    with zipfile.ZipFile(epub) as archive:
        names = set(archive.namelist())
        chapter = etree.fromstring(archive.read("EPUB/chapter.xhtml"))
    text = pdfinfo.squeeze("".join(chapter.itertext()))
    for block in article.blocks:
        wanted = block.caption if block.kind == "figure" else block.text
        assert pdfinfo.squeeze(wanted) in text
    images = chapter.findall(".//x:figure//x:img", XHTML)
    assert [image.get("alt") for image in images] == [figure.alt for figure in article.figures]
    for image in images:
        assert "EPUB/" + image.get("src") in names


@pytest.mark.parametrize("slug", SLUGS)
def test_epubcheck_finds_no_error_and_no_warning(epubchecks, slug):
    if isinstance(epubchecks, str):
        pytest.skip(epubchecks)
    returncode, messages = epubchecks[slug].result()
    assert messages == []
    assert returncode == 0


@pytest.mark.parametrize("slug", SLUGS)
def test_the_typography_checker_passes_every_shape(built, slug):
    from pressroom.checks.typecheck import check_pdf

    article, pdf, _ = built[slug]
    report = check_pdf(pdf, article.printing.settings)
    assert report.body_lines > 50
    assert not report.failures(), str(report)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_page_matches_its_approved_proof(built, slug):
    from pressroom.checks.check import check_visual

    article, pdf, _ = built[slug]
    results = list(check_visual(article, pdf))
    assert all(result.passed for result in results), "\n".join(map(str, results))
