"""The build's own guards: what WeasyPrint says sorted by cause, the text of the laid-out
page read back before anything is written, temporary files that never outlive a build,
messages safe for a terminal, outputs that do not depend on the checkout's folder, and a
manuscript's templates that fail as errors, not crashes.

Everything here renders with the real WeasyPrint; the manuscripts are copies of the
default one (Dazhong Daily's report, see manuscript/boshan-report/SOURCE.md).
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import weasyprint
from PIL import Image

from conftest import DEFAULT, ROOT, output_names
from pressroom.output import CACHE_FOLDERS
from pressroom import build
from pressroom.checks.check import check_reproducible
from pressroom.errors import (BuildError, ManuscriptError, PressroomError, diagnostics,
                              printable)
from pressroom.output import LOCK_FILE, SCRATCH_DIR, scratch, sweep
from pressroom.outputs.layouts import LAYOUTS_DIR
from pressroom.outputs.sandbox import TEMPLATES, classify, weasyprint_log


def _copy(tmp_path: Path, print_css: str = "", name: str = "boshan-report") -> Path:
    folder = tmp_path / "copy" / name
    shutil.copytree(DEFAULT, folder)
    if print_css:
        (folder / "layouts" / "css").mkdir(parents=True)
        css = (LAYOUTS_DIR / "css" / "print.css").read_text(encoding="utf-8")
        (folder / "layouts" / "css" / "print.css").write_text(css + print_css, encoding="utf-8")
    return folder


# -- WeasyPrint's messages, each template met for real -------------------------------------

def _png16(folder: Path) -> str:
    Image.new("I;16", (8, 8), 3000).save(folder / "deep.png")
    return "deep.png"


MESSAGES = {
    "ignored declaration": ("stylesheet", lambda f: '<p style="padding-top:-6pt">x</p>'),
    "parse error": ("stylesheet", lambda f: "<style>p { color: red } } @{</style><p>x</p>"),
    "media rule": ("stylesheet", lambda f: "<style>@media screen and ((( {}</style><p>x</p>"),
    "font-face descriptor": ("stylesheet",
                             lambda f: "<style>@font-face { font-family: X }</style><p>x</p>"),
    "font-face not loaded": ("stylesheet", lambda f: "<style>@font-face { font-family: Y; src: "
                             "url(missing.ttf) } p { font-family: Y }</style><p>x</p>"),
    "stylesheet not loaded": ("stylesheet",
                              lambda f: '<link rel="stylesheet" href="missing.css"><p>x</p>'),
    "image not loaded": ("image", lambda f: '<img src="missing.png" alt="">'),
    "image mode": ("image", lambda f: f'<img src="{_png16(f)}" alt="">'),
    # A private-use character of plane 16, which no font on the machine draws (TW-Kai-Plus
    # has plane 15's).
    "empty glyph": ("glyph", lambda f: "<p>\U0010FFFD</p>"),
}


@pytest.mark.parametrize("case", MESSAGES)
def test_each_message_weasyprint_logs_is_sorted_by_its_cause(tmp_path, case):
    cause, page = MESSAGES[case]
    with weasyprint_log() as logged:
        weasyprint.HTML(string=page(tmp_path), base_url=tmp_path.as_uri() + "/").write_pdf()
    assert logged, "the case no longer makes WeasyPrint log anything"
    assert cause in {classify(message, message.origin).cause for message in logged}, logged


def test_the_missing_subsetter_is_a_machine_message_and_the_page_still_builds(tmp_path):
    """A machine without libharfbuzz-subset0: WeasyPrint's own fallback path runs (its
    module-level handle to the library set to None, as its loader leaves it when the
    library is absent); the build succeeds, under --strict too, with one PR505."""
    script = """
import sys
from pathlib import Path
import weasyprint.pdf.fonts
weasyprint.pdf.fonts.harfbuzz_subset = None
from pressroom import build
from pressroom.errors import diagnostics
with diagnostics(strict=True) as found:
    build.build_all(Path(sys.argv[1]), Path(sys.argv[2]))
print("\\n".join(str(warning) for warning in found.warnings))
"""
    out = tmp_path / "out"
    # The plate test page: dated, labelled, a real photo, so --strict has no stand-in to stop at.
    plate = ROOT / "tests" / "manuscripts" / "plate"
    run = subprocess.run([sys.executable, "-c", script, str(plate), str(out)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    warnings = run.stdout.strip().splitlines()
    assert len(warnings) == 1 and "PR505" in warnings[0] and "libharfbuzz-subset0" in warnings[0]
    assert output_names(out) == ["plate.epub", "plate.pdf"]
    assert classify('Using fontTools instead of HarfBuzz-Subset for font "X". This will be '
                    "unsupported").cause == "machine"


def test_every_template_has_a_cause_the_build_knows():
    assert {template.cause for template in TEMPLATES} <= {"machine", "applied", "stylesheet",
                                                          "image", "glyph"}
    assert classify("something WeasyPrint never said").cause == "page"


def test_css_the_renderer_ignores_names_the_stylesheet_and_line(tmp_path):
    folder = _copy(tmp_path, print_css="\n.byline-line { padding-top: -3pt; }\n")
    with pytest.raises(BuildError) as caught:
        build.build_pdf(folder, tmp_path / "out")
    error = caught.value
    assert error.code == "PR401"
    assert error.where.path == folder / "layouts" / "css" / "print.css"
    lines = error.where.path.read_text(encoding="utf-8").splitlines()
    assert "padding-top: -3pt" in lines[error.where.line - 1]
    out = tmp_path / "out"
    assert not out.exists() or output_names(out) == []  # nothing but the build's caches


# -- the text of the laid-out page, read back ----------------------------------------------

HIDING = {
    "too small": (".byline-line { font-size: 2pt !important; }", "the byline", "under 5 pt"),
    "off the sheet": (".placed .byline-line { position: relative; left: 2000pt; }",
                      "the byline", "off the sheet"),
    "not drawn": (".kicker { display: none !important; }", "the kicker", "missing"),
}


HIDING.update({
    "hidden": (".placed > p { visibility: hidden; }", "a paragraph", "visibility"),
    "moved": (".placed > p { transform: translateX(3000pt); }", "a paragraph", "transform"),
    "shrunk": (".byline { transform: scale(0.01); }", "the byline", "transform"),
    "transparent": (".kicker { opacity: 0; }", "the kicker", "opacity"),
    "no ink": (".byline-line { color: transparent; }", "the byline", "transparent colour"),
})


@pytest.mark.parametrize("case", HIDING)
def test_a_part_the_page_does_not_show_stops_the_build_and_is_named(tmp_path, case):
    css, part, why = HIDING[case]
    folder = _copy(tmp_path, print_css=css)
    out = tmp_path / "out"
    out.mkdir()
    (out / "boshan-report.pdf").write_bytes(b"previous")
    with pytest.raises(BuildError) as caught:
        build.build_pdf(folder, out)
    error = caught.value
    assert error.code == "PR420" and part in error.message and why in error.message, str(error)
    assert error.where.path == folder / "article.md" and error.where.line
    assert (out / "boshan-report.pdf").read_bytes() == b"previous"


def test_a_headline_whose_box_clips_nothing_is_not_refused(tmp_path):
    # The face's content area stands above and below a tight headline line: clipping
    # the line's box cuts no ink, and the page is the same.
    folder = _copy(tmp_path, print_css=".headline { overflow: hidden; }")
    assert build.build_pdf(folder, tmp_path / "out").exists()


def test_a_hyphen_of_the_manuscript_at_a_line_end_is_not_taken_for_the_composers(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "article.md"
    text = path.read_text(encoding="utf-8")
    words = "state-of-the-art pay-as-you-go well-to-wheel " * 6
    path.write_text(text.replace("在2月1日举行的", f"在2月1日举行的{words}", 1),
                    encoding="utf-8")
    assert build.build_pdf(folder, tmp_path / "out").exists()


def test_messages_of_css_applied_or_without_a_line_never_crash(tmp_path):
    for rule, built in ((".kicker:frob { color: red; }", False),
                        ("p { -weasy-hyphens: auto; }", True)):
        folder = _copy(tmp_path / rule.split()[0].strip(".:"), print_css=rule)
        if built:
            assert build.build_pdf(folder, tmp_path / "out").exists()
        else:
            with pytest.raises(BuildError) as caught:
                build.build_pdf(folder, tmp_path / "out")
            assert caught.value.code == "PR401"
            assert caught.value.where.path == folder / "layouts" / "css" / "print.css"


def test_a_stylesheet_fault_is_blamed_on_its_own_file(tmp_path):
    # WeasyPrint gives a line but no file: the rule at line 13 of the manuscript's own
    # stylesheet is not blamed on line 13 of the project's shared.css.
    folder = _copy(tmp_path)
    (folder / "layouts" / "css").mkdir(parents=True)
    css = (LAYOUTS_DIR / "css" / "print.css").read_text(encoding="utf-8").splitlines()
    css.insert(12, "@frobnicate;")
    (folder / "layouts" / "css" / "print.css").write_text("\n".join(css), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build.build_pdf(folder, tmp_path / "out")
    assert caught.value.where.path == folder / "layouts" / "css" / "print.css"
    assert caught.value.where.line == 13


def test_a_part_the_e_book_loses_stops_the_build(tmp_path):
    folder = _copy(tmp_path)
    (folder / "layouts" / "partials").mkdir(parents=True)
    # The chapter's own byline partial prints nothing: the e-book would lose the byline.
    (folder / "layouts" / "partials" / "byline.html.j2").write_text("{# gone #}\n",
                                                                   encoding="utf-8")
    with pytest.raises(PressroomError) as caught:
        build.build_epub(folder, tmp_path / "out")
    assert caught.value.code == "PR420" and "the byline" in caught.value.message


# -- temporary files -----------------------------------------------------------------------

def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_build_leaves_no_temporary_file_anywhere(tmp_path, monkeypatch):
    system = tmp_path / "system-tmp"
    system.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    out = tmp_path / "out"
    build.build_all(DEFAULT, out)
    assert output_names(out) == ["boshan-report.epub", "boshan-report.pdf"]
    assert list(system.iterdir()) == []
    assert tempfile.tempdir == str(system)  # given back


def test_leftovers_of_dead_builds_are_swept_and_a_running_builds_are_kept(tmp_path):
    out = tmp_path / "out"
    dead, alive = _dead_pid(), os.getppid()
    (out / SCRATCH_DIR / str(dead) / "weasyprint-x").mkdir(parents=True)
    (out / SCRATCH_DIR / str(dead) / LOCK_FILE).write_bytes(b"")  # its lock, let go
    (out / SCRATCH_DIR / str(dead) / "weasyprint-x" / "font.otf").write_bytes(b"0" * 100)
    (out / SCRATCH_DIR / str(alive)).mkdir()
    (out / "edition").mkdir()
    for folder in (out, out / "edition"):
        (folder / f".a.pdf.{dead}.k2j4.part").write_bytes(b"torn")
        (folder / f".a.pdf.{alive}.k2j4.part").write_bytes(b"being written")
    outside = tmp_path / "precious" / "4000000"
    outside.mkdir(parents=True)
    (outside / "keep.txt").write_text("mine", encoding="utf-8")
    (out / "linked").mkdir()
    (out / "linked" / SCRATCH_DIR).symlink_to(outside.parent)
    # A running build holds its folder's lock for as long as it runs.
    with open(out / SCRATCH_DIR / str(alive) / LOCK_FILE, "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sweep(out)
        sweep(out / "linked")
    assert not (out / SCRATCH_DIR / str(dead)).exists()
    assert (out / SCRATCH_DIR / str(alive)).exists()
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "mine"  # no symlink followed
    for folder in (out, out / "edition"):
        assert sorted(path.name for path in folder.iterdir() if path.is_file()) \
            == [f".a.pdf.{alive}.k2j4.part"]
    # Once its build is gone, the lock can be taken: the folder and its file go too.
    sweep(out)
    assert not (out / SCRATCH_DIR / str(alive)).exists()
    assert not (out / f".a.pdf.{alive}.k2j4.part").exists()


def test_an_output_folder_that_cannot_be_one_is_an_error_not_a_crash(tmp_path):
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    with pytest.raises(PressroomError) as caught:
        build.build_pdf(DEFAULT, tmp_path / "out")
    assert caught.value.code == "PR300" and "is a file" in caught.value.message


def test_nested_builds_share_one_scratch_however_the_folder_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with scratch(Path("out")) as outer:
        marker = outer / "mine"
        marker.write_text("x", encoding="utf-8")
        with scratch(tmp_path / "out") as inner:
            assert inner == outer
        assert marker.exists()  # the inner build did not take the outer's folder away
    assert not outer.exists()


def test_a_killed_build_leaves_nothing_once_the_next_build_has_run(tmp_path):
    out = tmp_path / "out"
    script = ("import sys; from pathlib import Path; from pressroom import build; "
              "build.build_all(Path(sys.argv[1]), Path(sys.argv[2]))")
    child = subprocess.Popen([sys.executable, "-c", script, str(DEFAULT), str(out)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not (out / SCRATCH_DIR).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # in the middle of composing or rendering
    child.send_signal(signal.SIGKILL)
    child.wait()
    build.build_pdf(DEFAULT, out)
    left = sorted(str(path.relative_to(out)) for path in out.rglob("*")
                  if path.relative_to(out).parts[0] not in CACHE_FOLDERS)
    assert set(left) <= {"boshan-report.pdf", "boshan-report.epub"}, left


def test_scratch_inside_scratch_is_one_folder(tmp_path):
    with scratch(tmp_path) as outer:
        with scratch(tmp_path) as inner:
            assert inner == outer and tempfile.gettempdir() == str(outer)
        assert outer.is_dir()
    assert not outer.exists()


# -- messages ------------------------------------------------------------------------------

def test_messages_never_carry_raw_control_characters(tmp_path):
    folder = tmp_path / "a\x1b[31mb"
    folder.mkdir()
    (folder / "article.md").write_text("---\ntitle: 题\x1b[2J\n---\n\n正文\u0085。\n",
                                       encoding="utf-8")
    with pytest.raises(PressroomError) as caught:
        build.build_pdf(folder, tmp_path / "out")
    text = str(caught.value)
    assert text.isprintable() or all(c.isprintable() or c == "\n" for c in text), repr(text)
    assert "\x1b" not in text and "\\x1b" in text
    assert printable("名\u3000字\u00a0x\n") == "名\u3000字\u00a0x\\n"


# -- the checkout's folder -----------------------------------------------------------------

def test_two_folders_build_the_same_bytes():
    results = check_reproducible(DEFAULT)
    assert {result.check for result in results} == {"reproducible.pdf", "reproducible.epub"}
    assert all(result.passed for result in results), "\n".join(map(str, results))


def test_the_pdf_names_no_path_of_the_checkout(tmp_path):
    pdf = build.build_pdf(DEFAULT, tmp_path / "out").read_bytes()
    assert str(ROOT).encode() not in pdf and str(DEFAULT).encode() not in pdf


# -- a manuscript's own templates ----------------------------------------------------------

TEMPLATE_FAULTS = {
    "undefined name": ("{{ nothing.here }}\n", "is undefined"),
    "python error": ("{{ 1 / 0 }}\n", "ZeroDivisionError"),
    "memory": ("{{ 'x' * 10 ** 10 }}\n", "beyond what a layout uses"),
    "outside the layouts": ("{% include '/etc/passwd' %}\n", "in no layouts folder"),
    "itself": ("{% include 'partials/byline.html.j2' %}\n", "itself"),
    "unsafe attribute": ("{{ article.__class__.__mro__ }}\n", "may not"),
}


@pytest.mark.parametrize("case", TEMPLATE_FAULTS)
def test_a_fault_of_a_manuscripts_template_is_an_error_at_its_line(tmp_path, case):
    text, words = TEMPLATE_FAULTS[case]
    folder = _copy(tmp_path)
    (folder / "layouts" / "partials").mkdir(parents=True)
    template = folder / "layouts" / "partials" / "byline.html.j2"
    template.write_text("{# a byline of our own #}\n" + text, encoding="utf-8")
    for maker in (build.build_pdf, build.build_epub):
        with pytest.raises(ManuscriptError) as caught:
            maker(folder, tmp_path / "out")
        error = caught.value
        assert error.code == "PR160" and words in error.message, str(error)
        assert error.where.path == template and error.where.line == 2


def test_a_loop_of_templates_is_refused_before_it_is_rendered(tmp_path):
    # Rendered, the loop would run to Python's recursion limit (seconds, and an error
    # that names no loop): it is found in the templates' references, and named.
    folder = _copy(tmp_path)
    (folder / "layouts" / "partials").mkdir(parents=True)
    template = folder / "layouts" / "partials" / "headline.html.j2"
    template.write_text("{# the headline, and the whole chapter again #}\n"
                        "{% include 'chapter.html.j2' %}\n", encoding="utf-8")
    # (The page sets its headline inside a loop over its frames, which may end: there
    # the render meets the recursion limit, quickly, the page's output being short.)
    page = build.build_pdf(DEFAULT, tmp_path / "page")  # a cover, not this folder's page
    with pytest.raises(ManuscriptError) as caught:
        build.build_epub(folder, tmp_path / "out", page=page)
    error = caught.value
    loop = "chapter.html.j2 → partials/headline.html.j2 → chapter.html.j2"
    assert error.code == "PR160" and loop in error.message, str(error)
    assert error.where.path == template and error.where.line == 2


def test_a_template_that_may_include_itself_again_is_rendered(tmp_path):
    # Inside a loop the repetition may end (a tree of parts, each smaller): not refused.
    folder = _copy(tmp_path)
    (folder / "layouts" / "partials").mkdir(parents=True)
    project = (build.ROOT / "layouts" / "partials" / "byline.html.j2").read_text(encoding="utf-8")
    (folder / "layouts" / "partials" / "byline.html.j2").write_text(
        "{% for part in [] %}{% include 'partials/byline.html.j2' %}{% endfor %}\n" + project,
        encoding="utf-8")
    epub_path = build.build_epub(folder, tmp_path / "out")
    assert epub_path.is_file()


def test_a_fault_in_the_projects_template_is_not_blamed_on_the_manuscript(tmp_path):
    # A manuscript whose layouts/ holds only a stylesheet, and a project template that
    # fails: a bug of Pressroom's, reported as one (not as PR160).
    from pressroom.outputs.layouts import render_in
    folder = _copy(tmp_path, print_css="/* house rules */")
    with pytest.raises(Exception) as caught:
        render_in(folder, "page.html.j2")  # no context: the project's template fails
    assert not isinstance(caught.value, PressroomError)
