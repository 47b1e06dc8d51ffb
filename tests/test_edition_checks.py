"""The checks of a built edition (``pressroom.checks.edition``), on real outputs.

The example edition (``manuscript/editions/example.yaml``: three pages, a lead that jumps
from the front page to the second, an advertisement, a page of photos) is built once for
the module, PDFs and EPUB, and every check must pass on it. Then each check is shown to
fail on outputs that are wrong the way a composer could get them wrong: a copy of the
built files with a page missing or swapped, a sheet of another size, a page rendered by
WeasyPrint with two stories' headlines level or two modules overlapping, an e-book short
of a chapter, a plan that names another lead or another jump page.
"""
from __future__ import annotations

import html
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from conftest import ROOT
from pressroom import fonts
from pressroom.build import build_edition
from pressroom.checks import edition as checks
from pressroom.checks.edition import check_edition, read_edition
from pressroom.errors import diagnostics
from pressroom.reading.manuscript import read_manuscript
from pressroom.settings import PT_PER_MM

PLAN = ROOT / "manuscript" / "editions" / "example.yaml"
PAGES = ("20261201-A01.pdf", "20261201-A02.pdf", "20261201-A03.pdf")
STORIES = ROOT / "manuscript" / "editions" / "example"
HOLIDAYS = STORIES / "prc-gov-office-holiday-notice-2025"
MERGERS = STORIES / "prc-merger-notification-thresholds-2024"
HOURS = STORIES / "prc-working-hours-provisions-1995"


@pytest.fixture(scope="module")
def composed(tmp_path_factory) -> tuple[Path, dict[str, float]]:
    """The example edition's PDFs and EPUB, built once: the folder holding them, and the
    share of each page's type area the composer says it left empty (PR502)."""
    out = tmp_path_factory.mktemp("edition")
    with diagnostics() as found:
        build_edition(PLAN, out)
    gaps = {}
    for warning in found.warnings:
        said = re.search(r"(\S+) leaves (\d+) of its (\d+) column rows", warning.message)
        if warning.code == "PR502" and said:
            gaps[said.group(1)] = int(said.group(2)) / int(said.group(3))
    return out, gaps


@pytest.fixture(scope="module")
def built(composed) -> Path:
    return composed[0]


@pytest.fixture(scope="module")
def results(built):
    return check_edition(PLAN, built)


@pytest.fixture
def copy(built, tmp_path) -> Path:
    """A copy of the built edition, for a test to spoil."""
    target = tmp_path / "out"
    shutil.copytree(built, target)
    return target


def page(out: Path, number: int) -> Path:
    return out / "example" / PAGES[number - 1]


def named(results, name: str):
    found = [result for result in results if result.check == name]
    assert len(found) == 1, [result.check for result in results]
    return found[0]


# -- the example edition passes ------------------------------------------------------

def test_every_check_passes_on_the_example_edition(results):
    failed = [str(result) for result in results if not result.passed]
    assert not failed, "\n".join(failed)


def test_every_check_is_run(results):
    names = {result.check for result in results}
    wanted = {"edition.files", "edition.whole", "edition.text", "edition.jumps",
              "edition.epub.epubcheck", "edition.epub.ace", "edition.epub.spine"}
    for number in (1, 2, 3):
        wanted |= {f"edition.p{number}.{check}"
                   for check in ("sheet", "modules", "headlines", "photos", "typography")}
    assert names == wanted


def test_the_figures_say_what_was_found(results):
    assert named(results, "edition.files").figure.startswith("5 of 5 files")
    assert named(results, "edition.p1.modules").figure.startswith(
        "4 modules inside the type area, none overlapping; gap ")
    assert re.search(r"gap \d+\.\d % of the type area",
                     named(results, "edition.p3.modules").figure)
    assert named(results, "edition.jumps").figure.startswith("1 jump, 2 jump lines")
    assert "column ends not judged" in named(results, "edition.p1.typography").figure
    assert named(results, "edition.epub.spine").figure.startswith("6 chapters for 6 stories")


def test_each_module_is_read_as_its_story(built):
    edition = read_edition(PLAN, built)
    names = [[edition.stories[module.story].name for module in sheet.modules]
             for sheet in edition.sheets]
    lead = "奋力谱写新时代博山高质量发展新篇章"
    assert names[0][0] == lead and len(names[0]) == 4
    assert sorted(names[1]) == sorted([lead, "国务院关于经营者集中申报标准的规定"])
    assert names[2] == ["一幅照片怎样上版"]
    # The advertisement on page 2 is an artifact, in no module.
    assert len(edition.sheets[1].ads) == 1 and not edition.sheets[1].untagged


def test_the_gap_read_from_the_pages_is_at_least_the_composers(composed):
    # The composer counts the rows its stories leave; the check reads every blank cell,
    # beside the masthead too: never less than the composer admits, less a row's slack.
    built, gaps = composed
    edition = read_edition(PLAN, built)
    for index, sheet in enumerate(edition.sheets):
        empty, cells, pitch = checks.empty_cells(edition, sheet)
        assert 13 < pitch < 14.5 and cells > 400
        said = gaps.get(edition.label(index), 0.0)
        assert empty / cells >= said - edition.settings.columns / cells, edition.label(index)
        result = checks.check_modules(edition, sheet)
        assert result.warning == (empty / cells > 0.05)


# -- each check fails on spoilt outputs ------------------------------------------------

def test_a_missing_page_fails_the_files_and_the_text(copy):
    page(copy, 2).unlink()
    (copy / "example.epub").unlink()
    edition = read_edition(PLAN, copy)
    files = checks.check_files(edition)
    assert not files.passed
    assert "example/20261201-A02.pdf" in files.problem and "example.epub" in files.problem
    text = checks.check_text(edition)
    assert not text.passed and "国务院关于经营者集中申报标准的规定" in text.problem
    assert [result.check for result in checks.check_epub(edition)] == ["edition.epub"]


def test_a_missing_file_names_the_command_that_builds_the_edition(copy, monkeypatch):
    page(copy, 2).unlink()
    (copy / "example.epub").unlink()
    monkeypatch.chdir(ROOT)
    edition = read_edition(PLAN, copy)
    build = f"run 'invoke build --edition manuscript/editions/example.yaml --out {copy}'"
    assert build in checks.check_files(edition).problem
    [epub] = checks.check_epub(edition)
    assert epub.problem.startswith(f"example.epub is missing: {build}")
    # The results come one by one: the files' first, before any page is measured.
    results = checks.iter_edition_checks(PLAN, copy)
    assert [next(results).check, next(results).check] == ["edition.files", "edition.whole"]
    results.close()


def test_a_page_swapped_for_another_fails_the_text_the_jumps_and_the_whole(copy):
    shutil.copyfile(page(copy, 3), page(copy, 2))
    edition = read_edition(PLAN, copy)
    text = checks.check_text(edition)
    assert not text.passed
    assert "奋力谱写新时代博山高质量发展新篇章" in text.problem
    assert "国务院关于经营者集中申报标准的规定" in text.problem
    jumps = checks.check_jumps(edition)
    assert not jumps.passed and "下转 第2版, should be none" in jumps.problem
    assert not checks.check_whole(edition).passed


def test_a_sheet_of_another_size_or_two_sheets_fails(copy):
    path = page(copy, 1)
    writer = PdfWriter()
    writer.add_page(PdfReader(path).pages[0])
    writer.add_page(PdfReader(path).pages[0])
    for sheet in writer.pages:  # an A4 sheet: its trim (the sheet) and its media
        sheet.mediabox = RectangleObject([0, 0, 210 * PT_PER_MM, 297 * PT_PER_MM])
        sheet.trimbox = sheet.bleedbox = sheet.mediabox
    with path.open("wb") as stream:
        writer.write(stream)
    edition = read_edition(PLAN, copy)
    result = checks.check_sheet(edition, edition.sheets[0])
    assert not result.passed
    assert "2 pages" in result.problem and "the format 765.4 x 1105.5 pt" in result.problem


def article_html(folder: Path, left: float, top: float, width: float,
                 paragraphs: int = 3, measure: float | None = None) -> str:
    """One story's module as the edition's HTML has it: an ``article`` with its headline
    and its first paragraphs, placed on the page; ``measure``: the paragraphs' width, if
    not the module's."""
    article = read_manuscript(folder)
    body = "".join(f"<p>{html.escape(block.text)}</p>" for block in article.blocks
                   if block.kind == "paragraph")
    body = "".join(re.findall(r"<p>.*?</p>", body)[:paragraphs])
    style = f"left:{left:.2f}pt;top:{top:.2f}pt;width:{width:.2f}pt"
    inner = f' style="width:{measure:.2f}pt"' if measure else ""
    return (f'<article style="{style}"><h1>{html.escape("".join(article.headline))}</h1>'
            f"<div{inner}>{body}</div></article>")


def render_page(out: Path, number: int, articles: list[str]) -> None:
    """A page of the plan's format rendered by WeasyPrint, tagged as the build tags its
    pages, in the vendored faces, written over page ``number`` of ``out``."""
    faces = "".join(f'@font-face {{ font-family: "{face.role_family}"; src: url('
                    f'"{(ROOT / "fonts" / face.file).as_uri()}"); font-weight: {face.weight}; }}'
                    for face in fonts.FACES)
    settings = read_edition(PLAN, out).settings
    css = (f"@page {{ size: {settings.page_width}mm {settings.page_height}mm; margin: 0 }}"
           "body { margin: 0; font: 9pt/13.5pt 'Pressroom Song'; }"
           "article { position: absolute; }"
           "h1 { font: 700 36pt/44pt 'Pressroom Hei'; margin: 0 0 13.5pt; }"
           "p { margin: 0; text-indent: 2em; text-align: justify; }")
    document = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"/>'
                f"<title>样报</title><style>{faces}{css}</style></head><body>"
                + "".join(articles) + "</body></html>")
    data = weasyprint.HTML(string=document, base_url=str(ROOT)).write_pdf(
        pdf_tags=True, pdf_variant="pdf/ua-1")
    page(out, number).write_bytes(data)


COLUMN = 11 * 9.0  # pt: the example's columns of 11 characters at 9 pt
STEP = COLUMN + 1.5 * 9.0  # from one column's left edge to the next's
LEFT = (270 * PT_PER_MM - 6 * COLUMN - 5 * 1.5 * 9.0) / 2
WIDE = 3 * COLUMN + 2 * (STEP - COLUMN)  # three columns and the gaps between them


def test_headlines_side_by_side_fail(copy):
    # Two stories set level in the top half of page 3, each across three columns: their
    # headlines stand side by side (撞题). The second's paragraphs are set 6 pt short of
    # their column: its lines are not flush, and the typography check says so. (WeasyPrint
    # alone does not set Chinese as the composer does: the first fails it too.)
    render_page(copy, 3, [article_html(HOLIDAYS, LEFT, 100, WIDE, measure=COLUMN),
                          article_html(MERGERS, LEFT + 3 * STEP, 100, WIDE, measure=COLUMN - 6)])
    edition = read_edition(PLAN, copy)
    sheet = edition.sheets[2]
    assert sorted(edition.stories[module.story].name for module in sheet.modules) == sorted(
        ["国务院办公厅关于2025年部分节假日安排的通知", "国务院关于经营者集中申报标准的规定"])
    headlines = checks.check_headlines(edition, sheet)
    assert not headlines.passed
    assert "撞题" in headlines.problem
    # Both headlines are named, by the lines that stand level.
    assert "“国务院办公厅" in headlines.problem and "“国务院关于经营者" in headlines.problem
    typography = checks.check_typography(edition, sheet)
    assert not typography.passed
    assert "“国务院关于经营者集中申报标准的规定”: lines_not_flush" in typography.problem
    assert "ends -6.00 pt from the measure's edge" in typography.problem
    # Half a page left white: the gap is a warning, the modules themselves are in order.
    modules = checks.check_modules(edition, sheet)
    assert modules.passed and modules.warning and "more than 5 %" in modules.problem


def test_overlapping_modules_and_one_outside_the_type_area_fail(copy):
    render_page(copy, 3, [article_html(HOLIDAYS, LEFT, 100, WIDE, measure=COLUMN),
                          article_html(MERGERS, LEFT + 2 * STEP, 200, WIDE, measure=COLUMN),
                          article_html(HOURS, LEFT + 3 * STEP, 1040, WIDE, paragraphs=1,
                                       measure=COLUMN)])
    edition = read_edition(PLAN, copy)
    result = checks.check_modules(edition, edition.sheets[2])
    assert not result.passed and not result.warning
    assert ("“国务院办公厅关于2025年部分节假日安排的通知” and “国务院关于经营者集中申报标准的规定” "
            "overlap") in result.problem
    assert "“国务院关于职工工作时间的规定” at" in result.problem
    assert "reaches outside the type area" in result.problem
    assert "some overlapping" in result.figure


def spoilt_plan(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """A copy of the example plan and its stories, with ``changes`` made to the plan."""
    folder = tmp_path / "manuscript"
    shutil.copytree(ROOT / "manuscript" / "editions", folder / "editions")
    shutil.copytree(ROOT / "manuscript" / "boshan-report", folder / "boshan-report")
    plan = folder / "editions" / "example.yaml"
    text = plan.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    plan.write_text(text, encoding="utf-8")
    return plan


def test_a_lead_that_is_not_the_largest_nor_at_the_top_fails(built, tmp_path):
    # The plan makes the front page's third story its lead: on the page as built, its
    # headline is smaller than the next in rank and another module stands above it.
    plan = spoilt_plan(tmp_path, ("        lead: true\n", ""),
                       ("      - example/prc-mohrss-notice-monthly-working-days",
                        "      - story: example/prc-mohrss-notice-monthly-working-days\n"
                        "        lead: true"))
    edition = read_edition(plan, built)
    result = checks.check_headlines(edition, edition.sheets[0])
    assert not result.passed
    lead = "关于职工全年月平均工作时间和工资折算问题的通知"
    assert f"is larger than that of the lead “{lead}”" in result.problem
    assert f"the lead “{lead}” stands below the top of" in result.problem


def test_a_jump_to_a_page_the_plan_does_not_allow_fails(built, tmp_path):
    plan = spoilt_plan(tmp_path, ("jump: 第2版", "jump: 第3版"))
    edition = read_edition(plan, built)
    result = checks.check_jumps(edition)
    assert not result.passed
    assert "“奋力谱写新时代博山高质量发展新篇章” on 第2版: the plan lets it jump to 第3版 only" \
        in result.problem


def test_an_ebook_short_of_a_chapter_fails(copy):
    path = copy / "example.epub"
    with zipfile.ZipFile(path) as book:
        files = [(info, book.read(info)) for info in book.infolist()]
    with zipfile.ZipFile(path, "w") as book:
        for info, data in files:
            if info.filename.endswith(".opf"):
                data = data.replace(b'<itemref idref="page-3-story-1"/>', b"")
            book.writestr(info, data)
    edition = read_edition(PLAN, copy)
    result = checks.check_spine(edition, path)
    assert not result.passed
    assert "5 chapters for 6 stories" in result.problem
    assert "“一幅照片怎样上版” is whole in 0 chapters" in result.problem


def test_photos_of_two_stories_side_by_side_fail(copy):
    # Two stories a page apart in height, so their headlines do not stand level, each with
    # a photo at the same height beside the other's (图片撞车).
    photo = (STORIES / "photos" / "photo-1.jpg").as_uri()
    picture = f'<img src="{photo}" alt="示意图" style="width:200pt;height:120pt"/>'
    first = article_html(HOLIDAYS, LEFT, 100, WIDE, paragraphs=1).replace(
        "</h1>", "</h1>" + picture + '<div style="height:300pt"></div>', 1)
    second = article_html(MERGERS, LEFT + 3 * STEP, 360, WIDE, paragraphs=1).replace(
        "</h1>", "</h1>", 1)
    second = second.replace('<article style="', '<article style="', 1).replace(
        "</article>", "", 1) + "</article>"
    # The second's photo stands level with the first's: placed absolutely beside it.
    second = second.replace("</article>", f'<div style="position:absolute;left:0;top:-196pt">'
                                          f"{picture}</div></article>")
    render_page(copy, 3, [first, second])
    edition = read_edition(PLAN, copy)
    sheet = edition.sheets[2]
    photos = checks.check_photos(edition, sheet)
    assert not photos.passed and "图片撞车" in photos.problem, photos
