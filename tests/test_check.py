"""`invoke check`: every check passes on a good build and fails, by name, on a bad one."""
from __future__ import annotations

import dataclasses
import inspect
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter

from conftest import DEFAULT, ROOT
from pressroom import build
from pressroom.checks.check import (check_epub, check_outputs, check_pdf, check_typography,
                                    check_visual, iter_checks)
from pressroom.checks import typecheck
from pressroom.outputs.layouts import LAYOUTS_DIR
from pressroom.outputs.proof import approval_record, approval_record_path
from pressroom.reading.manuscript import read_manuscript
from pressroom.typesetting.compose import compose
from pressroom.outputs.page import page_html, page_roots
from pressroom.outputs.pdf import render_pdf
from pressroom.outputs.sandbox import SandboxFetcher
import weasyprint


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built")
    build.build_all(DEFAULT, out)
    return out


@pytest.fixture(scope="module")
def article():
    return read_manuscript(DEFAULT)


def failed(results) -> set[str]:
    return {result.check for result in results if not result.passed}


def copy_of_default(tmp_path: Path, print_css_extra: str = "", change_text=None) -> Path:
    """A copy of the default manuscript, with a print stylesheet override or text change."""
    folder = tmp_path / "copy" / "boshan-report"
    shutil.copytree(DEFAULT, folder)
    if print_css_extra:
        (folder / "layouts" / "css").mkdir(parents=True)
        css = (LAYOUTS_DIR / "css" / "print.css").read_text(encoding="utf-8")
        (folder / "layouts" / "css" / "print.css").write_text(css + print_css_extra, encoding="utf-8")
    if change_text:
        path = folder / "article.md"
        path.write_text(change_text(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def test_every_check_passes_on_a_fresh_build(built):
    results = check_outputs(DEFAULT, built)
    assert not failed(results), "\n".join(map(str, results))
    names = {result.check for result in results}
    assert {"pdf.pages", "pdf.fonts", "pdf.glyphs", "pdf.text", "pdf.images", "pdf.metadata",
            "epub.epubcheck", "epub.ace", "epub.text", "epub.lang", "epub.accessibility",
            "epub.navigation", "epub.fonts", "typography", "visual"} <= names
    assert all(result.figure for result in results)


def test_typography_result_shows_every_figure_with_a_limit(built, article):
    result, colour = check_typography(article, built / "boshan-report.pdf")
    for name in ("lines_not_flush", "lone_characters", "loose_lines", "lines_over_005_percent",
                 "uneven_lines", "widest_note_line", "widest_caption_line", "overlaps",
                 "max_spacing_em", "max_gap_spread_em", "justified body lines"):
        assert name in result.figure, result.figure
    report = typecheck.check_pdf(built / "boshan-report.pdf", article.printing.settings)
    assert f"loose_lines {report.loose_lines}," in result.figure
    assert f"overlaps {report.overlaps}" in result.figure
    assert result.passed == (report.failures() == [])
    # The body's colour is its own result: a warning, never a failure, when over its limits.
    assert colour.check == "typography.colour" and colour.passed
    assert colour.warning == bool(report.colour_faults())
    assert f"{report.loose_lines} loose lines" in colour.figure


def test_letter_spaced_text_fails_the_typography_check_as_loose(tmp_path, article):
    # 1 pt (0.11 em) more between the characters of every body line: all of them loose.
    folder = copy_of_default(tmp_path, print_css_extra=".placed > p { letter-spacing: 1pt; }")
    pdf = build.build_pdf(folder, tmp_path / "out")
    report = typecheck.check_pdf(pdf, article.printing.settings)
    assert report.loose_lines >= 0.9 * report.justified_lines > 100, str(report)
    assert report.max_spacing_em >= 0.11 and report.lines_over_005_percent > 90, str(report)
    result, colour = check_typography(article, pdf)
    assert not result.passed  # a quarter of the lines loose is the setting's fault
    assert "loose_lines:" in result.problem and "a fault of the setting" in result.problem
    assert colour.warning and "em between Han characters" in colour.problem


def test_a_paragraph_dropped_from_the_page_fails_the_text_check(tmp_path, article):
    paragraph = next(block for block in article.blocks if block.kind == "paragraph"
                     and block.text.startswith("多元赋能"))
    folder = copy_of_default(tmp_path, change_text=lambda text: text.replace(paragraph.text + "\n", ""))
    pdf = build.build_pdf(folder, tmp_path / "out")
    results = list(check_pdf(article, pdf))
    assert failed(results) == {"pdf.text"}
    problem = next(r.problem for r in results if r.check == "pdf.text")
    assert f"article.md:{paragraph.where.line}" in problem


def test_a_font_swapped_for_a_system_font_fails_the_font_check(tmp_path, article):
    folder = copy_of_default(tmp_path, print_css_extra='.placed p { font-family: "DejaVu Serif", "Noto Serif CJK JP", serif; }')
    pdf = build.build_pdf(folder, tmp_path / "out")
    assert "pdf.fonts" in failed(check_pdf(article, pdf))


def test_text_moved_off_the_type_area_fails_the_area_check(tmp_path, article):
    # Off the type area but still on the sheet: off the sheet, the build itself refuses
    # the page (PR420, tests/test_verify.py).
    folder = copy_of_default(tmp_path, print_css_extra=".placed { margin-left: -30pt; }")
    pdf = build.build_pdf(folder, tmp_path / "out")
    assert "pdf.area" in failed(check_pdf(article, pdf))


def test_a_glyph_outside_the_font_fails_the_glyph_check(tmp_path, article):
    # The coverage guard and the renderer's own warning would stop this build; render past
    # both with WeasyPrint directly, as a broken pipeline might.
    folder = copy_of_default(tmp_path, change_text=lambda text: text.replace("机电泵", "机电\U000F0041"))
    tofu = read_manuscript(folder)
    roots = page_roots(tofu)
    html = page_html(tofu, compose(tofu, tofu.printing), roots)
    pdf = tmp_path / "tofu.pdf"
    pdf.write_bytes(weasyprint.HTML(string=html, base_url=roots.folder_url(folder),
                                    url_fetcher=SandboxFetcher(roots)).write_pdf())
    results = list(check_pdf(article, pdf))
    assert "pdf.glyphs" in failed(results)
    assert "U+F0041" in next(r.problem for r in results if r.check == "pdf.glyphs")


def test_a_second_page_fails_the_page_check(tmp_path, built, article):
    writer = PdfWriter(clone_from=built / "boshan-report.pdf")
    writer.add_blank_page()
    pdf = tmp_path / "two.pdf"
    with pdf.open("wb") as stream:
        writer.write(stream)
    # A blank page, and no jump line to it.
    assert "pdf.pages" in failed(check_pdf(article, pdf))
    assert failed(check_pdf(article, pdf)) <= {"pdf.pages", "pdf.jumps"}


def test_a_photo_without_alt_text_fails_the_image_check(tmp_path, article):
    bare = dataclasses.replace(article, blocks=tuple(
        dataclasses.replace(block, alt="") if block.kind == "figure" else block
        for block in article.blocks))
    pdf = tmp_path / "noalt.pdf"
    try:
        pdf.write_bytes(render_pdf(bare))
    except Exception as error:  # WeasyPrint reports the untagged image itself: also a catch
        assert "alt" in str(error).lower() or "image" in str(error).lower()
        return
    assert "pdf.images" in failed(check_pdf(article, pdf))


def rewrite_epub(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as book:
        entries = [(info, book.read(info.filename)) for info in book.infolist()]
    with zipfile.ZipFile(target, "w") as book:
        for info, data in entries:
            data = change(info.filename, data)
            if data is not None:
                book.writestr(info, data)
    return target


def test_nav_removed_from_the_epub_fails_the_navigation_check(tmp_path, built, article):
    def without_nav(name, data):
        if name.endswith("nav.xhtml"):
            return None
        if name.endswith(".opf"):
            return data.replace(b' properties="nav"', b"")
        return data
    epub = rewrite_epub(built / "boshan-report.epub", tmp_path / "boshan-report.epub", without_nav)
    failures = failed(check_epub(article, epub))
    assert "epub.navigation" in failures and "epub.epubcheck" in failures


def test_an_image_without_alt_in_the_epub_fails_ace(tmp_path, built, article):
    def without_alt(name, data):
        if name.endswith("chapter.xhtml"):
            start = data.index(b"<img")
            alt = data.index(b' alt="', start)
            end = data.index(b'"', alt + 6)
            return data[:alt] + data[end + 1:]
        return data
    epub = rewrite_epub(built / "boshan-report.epub", tmp_path / "boshan-report.epub", without_alt)
    assert "epub.ace" in failed(check_epub(article, epub))


def test_a_shifted_layout_fails_the_visual_check_and_writes_a_diff(tmp_path, article):
    folder = copy_of_default(tmp_path, print_css_extra="body { position: relative; left: 4pt; }")
    # Recorded as approved for these very inputs: the page moved all the same, as a change
    # of Pressroom's own setting would move it.
    copy = read_manuscript(folder)
    approval_record_path(copy).write_bytes(approval_record(copy, 1))
    pdf = build.build_pdf(folder, tmp_path / "out")
    results = list(check_visual(copy, pdf))
    assert failed(results) == {"visual"}
    assert (tmp_path / "out" / "boshan-report.diff.png").stat().st_size > 0
    assert "invoke approve --manuscript " in results[0].problem


def test_a_hint_gives_the_whole_command_with_the_folder_as_typed(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    results = check_outputs(DEFAULT, tmp_path)
    assert [(result.check, result.passed) for result in results] == [("pdf", False),
                                                                     ("epub", False)]
    for result in results:
        # The folder the check reads is the one the build is told to write.
        assert result.problem.endswith(
            f"run 'invoke build --manuscript manuscript/boshan-report --out {tmp_path}'")
    monkeypatch.chdir(tmp_path)  # outside the checkout: its folders are shown whole
    [pdf, _] = check_outputs(DEFAULT, tmp_path / "empty")
    assert pdf.problem == (f"empty/boshan-report.pdf is missing: run 'invoke build "
                           f"--manuscript {DEFAULT} --out empty'")
    spaced = tmp_path / "my story"
    shutil.copytree(DEFAULT, spaced)
    [pdf, _] = check_outputs(spaced, ROOT / "build")
    # Ready to paste; build/ is where the build writes anyway.
    assert pdf.problem.endswith("run 'invoke build --manuscript \"my story\"'")


def test_the_checks_come_one_by_one_as_they_are_made(built):
    checks = iter_checks(DEFAULT, built)
    assert inspect.isgenerator(checks)
    first = next(checks)  # the PDF's first figure, before any other check has run
    assert first.check == "pdf.pages" and first.passed
    checks.close()


def test_invoke_check_names_the_failing_check(tmp_path, built):
    out = tmp_path / "build"
    shutil.copytree(built, out)
    writer = PdfWriter(clone_from=out / "boshan-report.pdf")
    writer.add_blank_page()
    with (out / "boshan-report.pdf").open("wb") as stream:
        writer.write(stream)
    result = subprocess.run([sys.executable, "-m", "invoke", "check", "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "FAIL pdf.pages" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["boshan-report.pdf", "boshan-report.epub"])
@pytest.mark.parametrize("damage", ["emptied", "cut short"])
def test_a_damaged_output_is_one_failure_and_the_other_checks_still_run(tmp_path, built, name,
                                                                        damage):
    """A PDF or EPUB emptied or cut short since it was built (a full disk, a copy
    interrupted): "not read" with the command that builds it again, never a crash."""
    out = tmp_path / "build"
    shutil.copytree(built, out)
    data = (out / name).read_bytes()
    (out / name).write_bytes(b"" if damage == "emptied" else data[:len(data) // 3])
    results = list(iter_checks(DEFAULT, out))
    kind = name.rsplit(".", 1)[1]
    broken = [result for result in results if result.check == kind]
    assert len(broken) == 1 and not broken[0].passed and broken[0].figure == "not read"
    assert "invoke build" in broken[0].problem
    other = "epub" if kind == "pdf" else "pdf"
    assert any(result.check.startswith(f"{other}.") and result.passed for result in results)


def test_an_e_book_whose_file_inside_is_overwritten_is_one_failure(tmp_path, built):
    """Bytes overwritten inside a compressed file of the EPUB: its ZIP still opens, the
    file does not inflate; "not read", not a crash."""
    out = tmp_path / "build"
    shutil.copytree(built, out)
    path = out / "boshan-report.epub"
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("EPUB/fonts/pressroom-song.otf")
    assert member.compress_type == zipfile.ZIP_DEFLATED
    start = member.header_offset + 30 + len(member.filename) + len(member.extra) + 100
    data[start:start + 50] = bytes(50)
    path.write_bytes(bytes(data))
    results = list(iter_checks(DEFAULT, out))
    (broken,) = [result for result in results if result.check == "epub"]
    assert not broken.passed and broken.figure == "not read", broken


def test_two_builds_in_different_time_zones_are_byte_identical():
    from pressroom.checks.check import check_reproducible

    results = check_reproducible(DEFAULT)
    assert {result.check for result in results} == {"reproducible.pdf", "reproducible.epub"}
    assert all(result.passed for result in results), "\n".join(map(str, results))


def test_source_date_epoch_sets_the_dates_of_both_outputs(tmp_path, monkeypatch):
    from pypdf import PdfReader

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1612137600")  # 2021-02-01 00:00 UTC
    pdf, epub = build.build_all(DEFAULT, tmp_path / "one")
    assert PdfReader(pdf).metadata["/CreationDate"] == "D:20210201000000Z"
    with zipfile.ZipFile(epub) as book:
        opf = book.read(next(n for n in book.namelist() if n.endswith(".opf"))).decode()
    assert "2021-02-01T00:00:00Z" in opf
    again = build.build_all(DEFAULT, tmp_path / "two")
    assert [p.read_bytes() for p in again] == [pdf.read_bytes(), epub.read_bytes()]
