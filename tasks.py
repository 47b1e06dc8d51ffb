"""Invoke tasks: a thin shell over the ``pressroom`` package.

Run ``invoke --list`` for the tasks, ``invoke --help TASK`` for a task's options.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path

from invoke import Exit, task

from pressroom import build
from pressroom.errors import (EXIT_CHECKS_FAILED, EXIT_INTERNAL, EXIT_INTERRUPTED,
                              PressroomError, PressroomWarning, diagnostics, printable)
from pressroom.output import staged_outputs


@contextmanager
def _reported():
    """Turn a Pressroom error into one line (a line each, for several) and its exit code,
    never a traceback. Anything else is a bug: one line that says so, and the trace in a
    file outside build/."""
    try:
        yield
    except PressroomError as error:
        raise Exit(str(error), code=error.exit_code) from None
    except KeyboardInterrupt:
        raise Exit("interrupted: outputs not yet complete were discarded, no file is left "
                   "half-written", code=EXIT_INTERRUPTED) from None
    except Exception as error:  # noqa: BLE001 - the edge: report, do not crash
        log = _crash_log(error)
        message = printable(" ".join(str(error).split())[:300])
        raise Exit(f"internal error: {type(error).__name__}: {message} (a bug in Pressroom, "
                   f"not in the manuscript; trace written to {log})",
                   code=EXIT_INTERNAL) from None


def _crash_log(error: Exception) -> str:
    handle, name = tempfile.mkstemp(prefix="pressroom-crash-", suffix=".log")
    with open(handle, "w", encoding="utf-8") as stream:
        stream.write(f"pressroom internal error\nargv: {sys.argv}\npython: {sys.version}\n\n")
        stream.writelines(traceback.format_exception(error))
    return name


def _warn(warning: PressroomWarning) -> None:
    print(warning, file=sys.stderr)


def _targets(manuscript: str | None, all_: bool) -> list[Path]:
    if all_:
        return build.manuscripts()
    return [Path(manuscript) if manuscript else build.DEFAULT_MANUSCRIPT]


def _each(maker, manuscript, all_, strict=False, edition=None, edition_maker=None):
    with _reported(), diagnostics(strict=strict, emit=_warn, inform=print):
        if edition:
            with staged_outputs():
                paths = _as_list(edition_maker(Path(edition)))
            for path in paths:
                print(f"wrote {_shown(path)}")
            return
        for target in _targets(manuscript, all_):
            # The outputs of one manuscript appear together, once all of them are made.
            with staged_outputs():
                paths = _as_list(maker(target))
            for path in paths:
                print(f"wrote {_shown(path)}")


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_HELP = {"manuscript": "manuscript folder (default: manuscript/boshan-report)",
         "all": "build every manuscript in manuscript/",
         "strict": "treat warnings (PR5xx) as errors: exit 6 and write nothing",
         "edition": "a page plan (manuscript/editions/<name>.yaml): the whole edition"}


@task(help=_HELP)
def pdf(c, manuscript=None, all=False, strict=False, edition=None):
    """Typeset the newspaper page: build/<slug>.pdf; with --edition, one PDF a page under
    build/<edition>/ and the whole edition as build/<edition>.pdf."""
    _each(build.build_pdf, manuscript, all, strict, edition, build.build_edition_pdf)


@task(help=_HELP)
def epub(c, manuscript=None, all=False, strict=False, edition=None):
    """Package the e-book: build/<slug>.epub (build/<edition>.epub with --edition)."""
    _each(build.build_epub, manuscript, all, strict, edition, build.build_edition_epub)


@task(name="build", help=_HELP, default=True)
def build_(c, manuscript=None, all=False, strict=False, edition=None):
    """Build the PDF page and the EPUB from one layout of the page (with --edition: the
    edition's PDFs and its EPUB from one make-up)."""
    _each(build.build_all, manuscript, all, strict, edition, build.build_edition)


@task(help=_HELP)
def proof(c, manuscript=None, all=False, strict=False, edition=None):
    """Render the page proof for the eye: build/<slug>.png (with --edition, a PNG beside
    each page's PDF)."""
    _each(build.build_proof, manuscript, all, strict, edition, build.build_edition_proof)


@task(help={key: text for key, text in _HELP.items() if key != "edition"})
def approve(c, manuscript=None, all=False, strict=False):
    """Keep the page as it now is as its approved proof, the visual check's reference."""
    _each(build.approve, manuscript, all, strict)


@task(help={"manuscript": _HELP["manuscript"], "all": "check every manuscript in manuscript/",
            "out": "folder holding the built outputs (default: build/)",
            "reproducible": "also build twice, once under TZ=Asia/Shanghai, and compare bytes",
            "strict": "count warnings (the body's colour) as failures",
            "edition": "check the built edition of a page plan instead"})
def check(c, manuscript=None, all=False, out=None, reproducible=False, strict=False,
          edition=None):
    """Verify the built PDF and EPUB against the manuscript, one figure per check."""
    from pressroom.checks.check import check_outputs, check_reproducible
    from pressroom.checks.edition import check_edition

    failures = warnings = 0
    out_dir = Path(out) if out else build.BUILD_DIR
    with _reported():
        targets = [Path(edition)] if edition else _targets(manuscript, all)
        for target in targets:
            if edition:
                results = check_edition(target, out_dir)
            else:
                results = check_outputs(target, out_dir)
            if reproducible and not edition:
                results += check_reproducible(target)
            print(_shown(target.resolve()))
            for result in results:
                print("  " + str(result).replace("\n", "\n  "))
            failures += sum(not result.passed or (strict and result.warning)
                            for result in results)
            warnings += sum(result.passed and result.warning for result in results)
    if warnings and not strict:
        print(f"{warnings} warning{'s' if warnings > 1 else ''} (--strict counts them as failures)")
    if failures:
        raise Exit(f"{failures} check{'s' if failures > 1 else ''} failed", code=EXIT_CHECKS_FAILED)


@task
def fonts(c):
    """Regenerate the vendored font subsets in fonts/ from Debian's font packages, and pin
    the packages' files every build cuts its faces from (fonts/PINS.json)."""
    from pressroom import faces, fonts as vendored

    with _reported():
        for path in [*vendored.make_fonts(), *faces.pin_sources()]:
            print(f"wrote {_shown(path)}")


@task
def standin(c):
    """Redraw the stand-in photo of the default manuscript (图片占位)."""
    from pressroom.outputs.standin import write_standin

    with _reported():
        print(f"wrote {_shown(write_standin(build.DEFAULT_MANUSCRIPT / 'opening-ceremony.jpg'))}")


@task
def test(c):
    """Run the test suite."""
    c.run(f"{sys.executable} -m pytest -q", pty=False)


@task(help={"n": "how many mutated manuscripts to build (CI's test runs a few hundred)",
            "jobs": "worker processes (2)", "seed": "the campaign's seed: same seed, same cases",
            "out": "write the report and the failing cases' manuscripts here"})
def fuzz(c, n=2000, jobs=2, seed=0, out=None):
    """Run the robustness campaign: mutated manuscripts and plans, each built in a worker
    of its own; any crash, hang, lost text or leftover file fails it."""
    sys.path.insert(0, str(build.ROOT))
    from tests import fuzzing

    argv = ["-n", str(n), "--jobs", str(jobs), "--seed", str(seed)]
    code = fuzzing.main(argv + (["--out", out] if out else []))
    if code:
        raise Exit(code=code)


@task
def clean(c):
    """Remove build/."""
    shutil.rmtree(build.BUILD_DIR, ignore_errors=True)
    print(f"removed {_shown(build.BUILD_DIR)}")
