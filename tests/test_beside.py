"""Work beside the build (``pressroom.beside``): the page rendered in a forked process
while the build reads the manuscript, sets the page and makes the e-book; its answer, its
warnings and its failures brought back to the build."""
from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from pressroom import build
from pressroom.beside import beside
from pressroom.errors import (BuildError, CoverageError, ErrorGroup, Location,
                              ManuscriptError, PressroomWarning, active_diagnostics,
                              diagnostics)

SMALL = ROOT / "tests" / "articles" / "prc-mohrss-notice-monthly-working-days"


def _no_child_left() -> bool:
    """True if this process has no child left to reap: every fork was joined."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _doubled(number: int, page) -> tuple[int, int, int]:
    return number * 2, page(), os.getpid()


def test_the_work_runs_in_another_process_and_answers_with_the_page():
    with beside("a sum", _doubled, 21) as work:
        doubled, page, pid = work.finish(7)
    assert (doubled, page) == (42, 7)
    assert pid != os.getpid()
    assert _no_child_left()


def _saying(page) -> str:
    diagnostics_ = active_diagnostics()
    diagnostics_.warn(PressroomWarning("PR502", "a page left part empty", Location(Path("a.md"))))
    diagnostics_.note("a note of the work")
    return page()


def test_a_value_handed_first_and_the_result_asked_later_and_again():
    warned = []
    with diagnostics(emit=warned.append):
        with beside("words", _saying) as work:
            work.hand("the page")
            assert work.result() == "the page"
            assert work.result() == "the page"
    # Said once, however often the result is asked for.
    assert [warning.code for warning in warned] == ["PR502"]
    assert _no_child_left()


def test_the_works_warnings_and_notes_are_said_by_the_builds_diagnostics():
    warned, noted = [], []
    with diagnostics(emit=warned.append, inform=noted.append) as collector:
        collector.note("the build's own note")
        with beside("words", _saying) as work:
            assert work.finish("the page") == "the page"
    assert [str(warning) for warning in warned] == ["a.md: warning PR502: a page left part empty"]
    assert noted == ["the build's own note", "a note of the work"]


def _strictness(page) -> bool:
    page()
    return active_diagnostics().strict


@pytest.mark.parametrize("strict", [False, True])
def test_the_work_is_as_strict_as_the_build(strict):
    with diagnostics(strict=strict):
        with beside("strictness", _strictness) as work:
            assert work.finish(None) is strict


def _failing(error, page):
    page()
    raise error


@pytest.mark.parametrize("error", [
    ManuscriptError("no title", Location(Path("article.md"), 3), "add one", code="PR104"),
    ErrorGroup([CoverageError("丌 is missing"), ManuscriptError("an empty subhead", code="PR114")]),
])
def test_a_user_error_of_the_work_is_raised_in_the_build_as_it_was(error):
    with pytest.raises(type(error)) as raised:
        with beside("errors", _failing, error) as work:
            work.finish(None)
    assert str(raised.value) == str(error)
    assert raised.value.exit_code == error.exit_code
    assert _no_child_left()


def test_a_bug_in_the_work_is_raised_in_the_build_with_the_works_trace():
    with pytest.raises(ZeroDivisionError) as raised:
        with beside("a bug", _failing, ZeroDivisionError("a bug")) as work:
            work.finish(None)
    notes = "\n".join(raised.value.__notes__)
    assert "raised beside the build, in the process making a bug" in notes
    assert "_failing" in notes  # the work's own frames


class _Unpicklable(Exception):
    def __init__(self, handle):
        super().__init__("unpicklable")
        self.handle = handle

    def __reduce__(self):
        raise TypeError("cannot be pickled")


def _raising_unpicklable(page):
    page()
    raise _Unpicklable(threading.Lock())


def test_an_error_that_cannot_cross_is_raised_as_a_runtime_error_saying_what_it_was():
    with pytest.raises(RuntimeError, match="_Unpicklable"):
        with beside("a bug", _raising_unpicklable) as work:
            work.finish(None)


class _Unloadable(Exception):
    """Pickles, but cannot be made again: its __init__ wants more than it gives on."""

    def __init__(self, first, second):
        super().__init__(first)


def _raising_unloadable(page):
    active_diagnostics().warn(PressroomWarning("PR502", "said before the error"))
    page()
    raise _Unloadable("one", "two")


def test_an_error_that_cannot_be_made_again_keeps_the_works_warnings():
    warned = []
    with diagnostics(emit=warned.append):
        with pytest.raises(RuntimeError, match="_Unloadable"):
            with beside("a bug", _raising_unloadable) as work:
                work.finish(None)
    assert [warning.message for warning in warned] == ["said before the error"]


def _saying_once_a_run(page):
    if active_diagnostics().first_time("PR505 a library"):
        active_diagnostics().warn(PressroomWarning("PR505", "a library is missing"))
    return page()


def test_a_warning_said_once_a_run_is_said_once_though_both_processes_say_it():
    warned = []
    with diagnostics(emit=warned.append) as collector:
        with beside("words", _saying_once_a_run) as work:
            # The build says it too, while the work runs: both met the missing library.
            if collector.first_time("PR505 a library"):
                collector.warn(PressroomWarning("PR505", "a library is missing"))
            work.finish(None)
        assert not collector.first_time("PR505 a library")
    assert [warning.message for warning in warned] == ["a library is missing"]


def _killed(page):
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_work_that_dies_is_reported_not_waited_for():
    with pytest.raises(RuntimeError, match="the process making the page beside the build "
                                           "was killed by signal 9"):
        with beside("the page", _killed) as work:
            work.finish(b"page")
    assert _no_child_left()


def _interrupted(page):
    raise KeyboardInterrupt


def test_a_work_ended_by_ctrl_c_ends_the_build_as_interrupted():
    with pytest.raises(KeyboardInterrupt):
        with beside("the e-book", _interrupted) as work:
            work.finish(b"page")
    assert _no_child_left()


def _slow(marker: Path, page):
    import time

    time.sleep(60)  # an e-book template including itself takes as long to fail
    marker.write_text("still ran")
    return page()


def test_a_build_that_fails_first_stops_its_work_and_joins_it(tmp_path):
    with pytest.raises(BuildError):
        with beside("the e-book", _slow, tmp_path / "marker"):
            raise BuildError("the page failed")
    # The work was stopped, not waited for; nothing of it is left.
    assert not (tmp_path / "marker").exists()
    assert _no_child_left()


def _large_without_the_page(page):
    return b"e" * (2 << 20)


def test_a_large_answer_and_a_large_page_never_wait_on_each_other():
    # The work does without the page and answers with more than a pipe holds, while the
    # build hands it a page larger than a pipe holds: both are read. On a thread, so that
    # a regression fails the test instead of hanging the suite.
    answers = []

    def run():
        with beside("the e-book", _large_without_the_page) as work:
            answers.append(len(work.finish(b"p" * (2 << 20))))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert answers == [2 << 20], "the build and its work waited on each other"
    assert _no_child_left()


# -- in a build --------------------------------------------------------------------------

@pytest.fixture
def copy(tmp_path) -> Path:
    folder = tmp_path / "notice"
    shutil.copytree(SMALL, folder, ignore=shutil.ignore_patterns("approved-proof*"))
    return folder


def test_a_build_renders_its_page_in_a_second_process_and_makes_its_e_book_itself(
        copy, tmp_path, monkeypatch):
    from pressroom.outputs import pdf

    rendered_by, made_by = tmp_path / "rendered-by", tmp_path / "made-by"
    real_render, real_ebook = pdf.render_page, build._ebook

    def rendering(page):
        rendered_by.write_text(str(os.getpid()))
        return real_render(page)

    def signed(article, cover):
        made_by.write_text(str(os.getpid()))
        return real_ebook(article, cover)

    monkeypatch.setattr(pdf, "render_page", rendering)
    monkeypatch.setattr(build, "_ebook", signed)
    paths = build.build_all(copy, out_dir=tmp_path / "out")
    assert sorted(path.name for path in paths) == ["notice.epub", "notice.pdf"]
    assert int(rendered_by.read_text()) != os.getpid()
    assert int(made_by.read_text()) == os.getpid()
    assert _no_child_left()


def test_a_manuscript_that_cannot_be_read_stops_the_renderer_and_says_why(copy, tmp_path):
    article = copy / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("title:", "titel:", 1),
                       encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ErrorGroup) as raised:
        build.build_all(copy, out_dir=out)
    assert "article.md:2: error PR101: unknown front-matter key 'titel'" in str(raised.value)
    assert not out.exists() or not [path for path in out.iterdir()
                                    if path.suffix in (".pdf", ".epub")]
    assert _no_child_left()


def test_an_e_book_that_fails_leaves_neither_output(copy, tmp_path, monkeypatch):
    def refused(article, cover):
        raise BuildError("ebooklib could not package the EPUB: a test's failure")

    monkeypatch.setattr(build, "render_epub", refused)
    out = tmp_path / "out"
    with pytest.raises(BuildError, match="a test's failure"):
        build.build_all(copy, out_dir=out)
    assert not out.exists() or not [path for path in out.iterdir()
                                    if path.suffix in (".pdf", ".epub")]
    assert _no_child_left()
