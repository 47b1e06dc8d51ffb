"""Incremental builds: an unchanged build writes nothing, a change of any input rebuilds;
many manuscripts build in parallel past a failure; --out writes nowhere else."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import pdfinfo
from conftest import ROOT
from pressroom import manifest, runner

SMALL = ROOT / "tests" / "articles" / "prc-mohrss-notice-monthly-working-days"


@pytest.fixture
def copy(tmp_path) -> Path:
    folder = tmp_path / "notice"
    shutil.copytree(SMALL, folder, ignore=shutil.ignore_patterns("approved-proof*"))
    return folder


def _state(out: Path) -> dict[str, int]:
    return {str(path.relative_to(out)): path.stat().st_mtime_ns
            for path in out.rglob("*") if path.is_file() and ".manifest" not in path.parts}


def test_an_unchanged_build_writes_nothing_and_any_change_rebuilds(copy, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = runner.run("build", copy, out)
    assert first.ok and not first.fresh, first.error
    assert sorted(path.name for path in first.outputs) == ["notice.epub", "notice.pdf"]
    assert first.pages == 1
    before = _state(out)

    again = runner.run("build", copy, out)
    assert again.fresh and again.ok
    assert sorted(again.outputs) == sorted(first.outputs) and again.pages == 1
    assert _state(out) == before  # not a byte written, not a file touched

    # Each kind of input makes the build run again.
    article = copy / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("通知", "通知书", 1),
                       encoding="utf-8")
    assert not runner.run("build", copy, out).fresh
    assert runner.run("build", copy, out).fresh
    assert not runner.run("build", copy, out, strict=True).fresh  # another option
    (copy / "layouts").mkdir()
    (copy / "layouts" / "print.css").write_text("/* an override */\n", encoding="utf-8")
    assert not runner.run("build", copy, out).fresh  # the manuscript's own layouts
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1612137600")
    assert not runner.run("build", copy, out).fresh
    (out / "notice.pdf").write_bytes(b"%PDF-1.7 tampered")
    rebuilt = runner.run("build", copy, out)
    assert not rebuilt.fresh and (out / "notice.pdf").read_bytes()[:5] == b"%PDF-"
    # A task's manifest is its own: the PDF alone is built once, then up to date.
    assert not runner.run("pdf", copy, out).fresh
    assert runner.run("pdf", copy, out).fresh


def test_the_manifest_records_every_input(copy, tmp_path):
    out = tmp_path / "out"
    assert runner.run("build", copy, out).ok
    recorded = json.loads(runner.job_of("build", copy, False, False).path(out).read_text())
    assert set(recorded["inputs"]) == {"sources", "layouts", "fonts", "font_sources", "code",
                                       "libraries", "options", "SOURCE_DATE_EPOCH"}
    assert recorded["sources"] == [str(copy)]
    assert any(path.endswith("NotoSerifCJK-Regular.ttc") for path in recorded["font_sources"])
    assert {name for name, _ in manifest.libraries()} >= {"weasyprint", "pango", "harfbuzz"}
    assert all(version != "missing" for name, version in manifest.libraries()
               if name in ("weasyprint", "pango", "harfbuzz"))


def test_a_failed_build_leaves_no_manifest_that_vouches_for_old_outputs(copy, tmp_path):
    out = tmp_path / "out"
    assert runner.run("build", copy, out).ok
    (copy / "article.md").write_text("---\nheadline: [unclosed\n---\n", encoding="utf-8")
    failed = runner.run("build", copy, out)
    assert not failed.ok and "PR102" in failed.error and "article.md:2" in failed.error
    # Put back as it was built: the outputs on disk are the earlier ones, still whole,
    # but no manifest says so any more, so the next build makes them again.
    shutil.copy(SMALL / "article.md", copy / "article.md")
    assert not runner.run("build", copy, out).fresh


def _invoke(*args: str, cwd: Path = ROOT, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_all_builds_the_rest_past_a_broken_manuscript_and_prints_the_table(tmp_path):
    folder = tmp_path / "desk"
    for name in ("a-notice", "c-notice"):
        shutil.copytree(SMALL, folder / name, ignore=shutil.ignore_patterns("approved-proof*"))
    (folder / "b-broken").mkdir()
    (folder / "b-broken" / "article.md").write_text("---\nheadline: [x\n---\n", "utf-8")
    out = tmp_path / "out"
    run = _invoke("build", "--all", "--folder", str(folder), "--out", str(out), "--jobs", "2")
    assert run.returncode == 2, run.stdout + run.stderr  # the failed build's exit code
    for name in ("a-notice", "c-notice"):
        assert (out / f"{name}.pdf").is_file() and (out / f"{name}.epub").is_file()
    assert not list(out.glob("b-broken*"))
    table = run.stdout
    for heading in ("manuscript", "outputs", "pages", "time", "result"):
        assert heading in table
    rows = {line.split()[0].rstrip("│"): line for line in table.splitlines()
            if "-notice" in line or "b-broken" in line}
    assert set(rows) >= {str(folder / "a-notice"), str(folder / "b-broken"),
                         str(folder / "c-notice")}
    assert "failed (PR102, exit 2)" in rows[str(folder / "b-broken")]
    assert "built" in rows[str(folder / "a-notice")] and "a-notice.pdf" in rows[str(folder / "a-notice")]
    assert "2 of 3 built or up to date, 1 failed" in table
    assert "b-broken/article.md:2" in run.stderr and "PR102" in run.stderr


def _desk(tmp_path: Path, names: tuple[str, ...]) -> Path:
    folder = tmp_path / "desk"
    for name in names:
        shutil.copytree(SMALL, folder / name, ignore=shutil.ignore_patterns("approved-proof*"))
    return folder


@pytest.mark.parametrize("jobs", [1, 2])
def test_all_builds_each_manuscript_in_a_process_of_its_own(tmp_path, monkeypatch, jobs):
    """A worker's memory is one build's: no manuscript is built in a process that built
    another (or in this one), and each is built whole."""
    folder = _desk(tmp_path, ("a-notice", "b-notice", "c-notice"))
    out = tmp_path / "out"
    targets = sorted(folder.iterdir())
    build = runner._run_collected

    def signed(task, target, *arguments):  # runs where the manuscript is built
        outcome = build(task, target, *arguments)
        return dataclasses.replace(outcome, messages=(f"built in {os.getpid()}",))

    monkeypatch.setattr(runner, "_run_collected", signed)
    heard = []
    outcomes = runner.run_many("build", targets, out, jobs=jobs,
                               done=lambda outcome: heard.append(os.getpid()))
    assert [outcome.target for outcome in outcomes] == targets
    assert all(outcome.ok and not outcome.fresh for outcome in outcomes), outcomes
    for name in ("a-notice", "b-notice", "c-notice"):
        assert pdfinfo.page_count(out / f"{name}.pdf") == 1 and (out / f"{name}.epub").is_file()
    builders = [outcome.messages[0] for outcome in outcomes]
    assert len(set(builders)) == 3 and f"built in {os.getpid()}" not in builders
    assert heard == [os.getpid()] * 3  # the table hears of each in this process

    # Nothing changed: each is answered from its manifest, and nothing is built.
    again = runner.run_many("build", targets, out, jobs=jobs)
    assert all(outcome.fresh and not outcome.messages for outcome in again)


def test_all_reports_a_worker_that_died_and_builds_the_rest(tmp_path, monkeypatch):
    folder = _desk(tmp_path, ("a-notice", "b-killed", "c-notice"))
    out = tmp_path / "out"
    build = runner._run_collected

    def killed_on_b(task, target, *arguments):  # in the forked worker
        if target.name == "b-killed":
            os.kill(os.getpid(), signal.SIGKILL)
        return build(task, target, *arguments)

    monkeypatch.setattr(runner, "_run_collected", killed_on_b)
    outcomes = {outcome.target.name: outcome
                for outcome in runner.run_many("build", sorted(folder.iterdir()), out, jobs=2)}
    assert outcomes["a-notice"].ok and outcomes["c-notice"].ok
    dead = outcomes["b-killed"]
    assert dead.code == 70 and "killed by signal 9" in dead.error, dead
    assert not list(out.glob("b-killed*")) and (out / "c-notice.pdf").is_file()


def test_a_worker_ended_by_ctrl_c_ends_the_run_as_interrupted(tmp_path, monkeypatch):
    """A worker reports Ctrl-C by its exit code (130): the run ends as interrupted, once
    the other builds under way have ended, and no build is left staged."""
    folder = _desk(tmp_path, ("a-notice", "b-interrupted", "c-notice"))
    out = tmp_path / "out"
    build = runner._run_collected

    def interrupted_on_b(task, target, *arguments):  # in the forked worker
        if target.name == "b-interrupted":
            os._exit(130)
        return build(task, target, *arguments)

    monkeypatch.setattr(runner, "_run_collected", interrupted_on_b)
    with pytest.raises(KeyboardInterrupt):
        runner.run_many("build", sorted(folder.iterdir()), out, jobs=2)
    assert not list(out.glob("b-interrupted*"))
    assert not list(out.rglob("*.part")) and not (out / ".tmp").exists()


def test_a_worker_still_sending_is_read_when_the_run_stops(tmp_path):
    """The run stops (here: the table's callback fails) while a worker sends an outcome
    larger than a pipe holds: it is read and dropped, and the run ends, never waiting on
    that worker for good."""
    folder = _desk(tmp_path, ("a-notice", "b-notice"))
    script = f"""
import time, sys
from pathlib import Path
from pressroom import runner

def fake(task, target, *arguments):
    if target.name == "b-notice":
        time.sleep(0.5)
        return runner.Outcome(target, messages=("x" * 2_000_000,))
    return runner.Outcome(target)

def done(outcome):
    raise RuntimeError("the table could not be printed")

runner._run_collected = fake
try:
    runner.run_many("build", sorted(Path({str(folder)!r}).iterdir()), Path({str(tmp_path)!r}),
                    jobs=2, force=True, done=done)
except RuntimeError as error:
    print("stopped:", error)
"""
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0 and "stopped: the table could not be printed" in run.stdout, \
        run.stderr


def test_a_dangling_link_in_a_manuscript_folder_does_not_stop_its_build(tmp_path):
    folder = _desk(tmp_path, ("a-notice", "b-notice"))
    (folder / "b-notice" / "notes.txt").symlink_to(tmp_path / "nowhere")
    out = tmp_path / "out"
    targets = sorted(folder.iterdir())
    assert all(outcome.ok for outcome in runner.run_many("build", targets, out, jobs=2))
    assert all(outcome.fresh for outcome in runner.run_many("build", targets, out, jobs=2))


def test_a_no_op_build_does_not_load_the_typesetting(copy, tmp_path):
    out = tmp_path / "out"
    assert _invoke("build", "--manuscript", str(copy), "--out", str(out)).returncode == 0
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    run = _invoke("build", "--manuscript", str(copy), "--out", str(out), env=env)
    assert run.returncode == 0 and "up to date" in run.stdout
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines()
                if line.startswith("import time:")}
    assert "pressroom.manifest" in imported
    assert not {"weasyprint", "pressroom.build", "ebooklib"} & imported


def test_the_e_book_of_a_page_already_built_does_not_load_weasyprint(copy, tmp_path):
    """invoke epub after invoke pdf: the cover is drawn from the PDF the manifest vouches
    for, so nothing sets a page and WeasyPrint is never imported."""
    out = tmp_path / "out"
    assert _invoke("pdf", "--manuscript", str(copy), "--out", str(out)).returncode == 0
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    run = _invoke("epub", "--manuscript", str(copy), "--out", str(out), env=env)
    assert run.returncode == 0 and (out / "notice.epub").is_file(), run.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines()
                if line.startswith("import time:")}
    assert {"pressroom.build", "ebooklib"} <= imported
    assert "weasyprint" not in imported


def test_out_writes_nowhere_outside_its_folder(copy, tmp_path):
    build_dir = ROOT / "build"
    before = set(build_dir.rglob("*")) if build_dir.exists() else set()
    out = tmp_path / "elsewhere"
    run = _invoke("build", "--manuscript", str(copy), "--out", str(out), "--force")
    assert run.returncode == 0, run.stderr
    after = set(build_dir.rglob("*")) if build_dir.exists() else set()
    # No file of this build in the checkout's build/ (a scratch folder there is another
    # running build's).
    assert {path for path in after - before if ".tmp" not in path.parts} == set()
    assert {path.name for path in out.iterdir()} == {"notice.pdf", "notice.epub", ".widths",
                                                     ".paragraphs", ".jinja", ".manifest"} | (
        {".fonts"} if (out / ".fonts").exists() else set())
    assert list((out / ".widths").glob("*.json")) and list((out / ".jinja").iterdir())
    assert sorted(path.name for path in copy.iterdir()) == sorted(
        path.name for path in SMALL.iterdir() if not path.name.startswith("approved-proof"))


def test_a_new_process_breaks_no_paragraph_the_last_build_set(tmp_path, monkeypatch):
    """The set paragraphs kept beside the outputs hold every text of the page, the
    editor's note (set with the head, during the make-up) too: a second build, its faces
    read afresh as a new process reads them, breaks none of them again."""
    from pressroom.build import DEFAULT_MANUSCRIPT, prepare
    from pressroom.errors import diagnostics
    from pressroom.output import scratch
    from pressroom.typesetting import breaking, texts
    from pressroom.typesetting.compose import compose

    broken = []
    set_paragraph = breaking._set_paragraph
    monkeypatch.setattr(breaking, "_set_paragraph",
                        lambda text, *rest: broken.append(text) or set_paragraph(text, *rest))
    monkeypatch.setattr(texts, "_METRICS", {})
    with diagnostics(strict=False, emit=lambda warning: None, inform=lambda note: None), \
            scratch(tmp_path):
        article = prepare(DEFAULT_MANUSCRIPT)
        compose(article, article.printing)
        note = article.editor_note.paragraphs[0].text
        assert note in broken  # the first build set it
        broken.clear()
        texts._METRICS.clear()  # as a new process: nothing set in memory
        compose(article, article.printing)
    assert not broken, broken
