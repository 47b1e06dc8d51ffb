"""Invoke tasks: a thin shell over the ``pressroom`` package.

Run ``invoke --list`` for the tasks, ``invoke --help TASK`` for a task's options.
"""
from __future__ import annotations

import itertools
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from invoke import Exit, task

from pressroom.errors import (EXIT_CHECKS_FAILED, EXIT_INTERNAL, EXIT_INTERRUPTED,
                              PressroomError, PressroomWarning, diagnostics)

# Where things are, without importing the pipeline: `invoke --list` and a build with
# nothing to do stay quick.
ROOT = Path(__file__).resolve().parent
MANUSCRIPTS_DIR = ROOT / "manuscript"
DEFAULT_MANUSCRIPT = MANUSCRIPTS_DIR / "boshan-report"
BUILD_DIR = ROOT / "build"


@contextmanager
def _reported():
    """Turn a Pressroom error into one line (a line each, for several) and its exit code,
    never a traceback. Anything else is a bug: one line that says so, and the trace in a
    file outside build/."""
    from pressroom.runner import internal_error

    try:
        yield
    except PressroomError as error:
        raise Exit(str(error), code=error.exit_code) from None
    except KeyboardInterrupt:
        raise Exit("interrupted: outputs not yet complete were discarded, no file is left "
                   "half-written", code=EXIT_INTERRUPTED) from None
    except Exception as error:  # noqa: BLE001 - the edge: report, do not crash
        raise Exit(internal_error(error), code=EXIT_INTERNAL) from None


def _warn(warning: PressroomWarning) -> None:
    print(warning, file=sys.stderr)


def _manuscripts(folder=None) -> list[Path]:
    return sorted(path.parent for path in Path(folder or MANUSCRIPTS_DIR).glob("*/article.md"))


VARIANT_NAMES = ("screen", "press", "press-x1a", "archive")  # pressroom.variants.VARIANTS


def _each(task_name, manuscript, all_, strict=False, edition=None, out=None, jobs=None,
          force=False, folder=None, variant=None, proof_only=False):
    from pressroom import runner

    if variant is not None and variant not in VARIANT_NAMES:
        raise Exit(f"--variant {variant}: give one of {', '.join(VARIANT_NAMES)}", code=2)
    out_dir = Path(out) if out else BUILD_DIR
    if jobs is not None and not (str(jobs).isdigit() and int(jobs) > 0):
        raise Exit(f"--jobs {jobs}: give a number of builds at once, 1 or more", code=2)
    jobs = int(jobs) if jobs else None
    if (folder or jobs) and not all_:
        raise Exit("--folder and --jobs go with --all (one manuscript: --manuscript PATH)",
                   code=2)
    if all_ and not edition:
        targets = _manuscripts(folder)
        if not targets:
            raise Exit(f"no manuscript (a folder with an article.md) in "
                       f"{_shown(Path(folder or MANUSCRIPTS_DIR))}", code=2)
        _many(task_name, targets, out_dir, strict, jobs, force, variant, proof_only)
        return
    target = Path(edition) if edition else Path(manuscript) if manuscript else DEFAULT_MANUSCRIPT
    if not edition:  # an edition's pages would each leave their layout's garbage
        runner.collector_off()  # this process builds once, then exits
    with _reported():
        outcome = runner.run(task_name, target, out_dir, strict, edition=bool(edition),
                             force=force, emit=_warn, inform=print, variant=variant,
                             proof_only=proof_only)
    if not outcome.ok:
        raise Exit(outcome.error, code=outcome.code)
    if outcome.fresh:
        print(f"up to date: {', '.join(_shown(path) for path in outcome.outputs)} "
              "(nothing changed since they were built; --force builds again)")
        return
    for path in outcome.outputs:
        print(f"wrote {_shown(path)}")


def _many(task_name, targets, out_dir, strict, jobs, force, variant=None, proof_only=False):
    """Every manuscript, in parallel, past any failure: progress, then the table."""
    from pressroom import report, runner

    runner.collector_off()  # this process and its workers build, then exit
    bar, done = report.progress(len(targets), f"invoke {task_name} --all")
    with _reported(), bar:
        outcomes = runner.run_many(task_name, targets, out_dir, strict, jobs, force, done,
                                   variant, proof_only)
    report.summary(outcomes)
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if failed:
        raise Exit(code=max(outcome.code for outcome in failed))


def _shown(path: Path) -> str:
    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_HELP = {"manuscript": "manuscript folder (default: manuscript/boshan-report)",
         "all": "build every manuscript in manuscript/, in parallel, past any failure",
         "strict": "treat warnings (PR5xx) as errors: exit 6 and write nothing",
         "edition": "a page plan (manuscript/editions/<name>.yaml): the whole edition",
         "out": "the folder to write into (default: build/); nothing is written outside it",
         "jobs": "with --all: builds at once (default: the number of cores)",
         "force": "build even if nothing changed since the last build",
         "folder": "with --all: the folder whose manuscripts to build (default: manuscript/)",
         "variant": "what the PDF is for: screen (default; PDF/UA-1), press (PDF/X-4 for the "
                    "plant), press-x1a (PDF/X-1a), archive (PDF/A-2a); an edition: its plan's",
         "proof-only": "with a press variant: a proof, which may carry stand-ins (no date, "
                       "a stand-in photo); never for the plate"}
_EPUB_HELP = {key: text for key, text in _HELP.items() if key not in ("variant", "proof-only")}


@task(help=_HELP)
def pdf(c, manuscript=None, all=False, strict=False, edition=None, out=None, jobs=None,
        force=False, folder=None, variant=None, proof_only=False):
    """Typeset the newspaper page: build/<slug>.pdf (build/<slug>-press.pdf ... for
    another --variant); with --edition, one PDF a page under build/<edition>/ and the whole
    edition as build/<edition>.pdf."""
    _each("pdf", manuscript, all, strict, edition, out, jobs, force, folder, variant,
          proof_only)


@task(help=_EPUB_HELP)
def epub(c, manuscript=None, all=False, strict=False, edition=None, out=None, jobs=None,
         force=False, folder=None):
    """Package the e-book: build/<slug>.epub (build/<edition>.epub with --edition)."""
    _each("epub", manuscript, all, strict, edition, out, jobs, force, folder)


@task(name="build", help=_HELP, default=True)
def build_(c, manuscript=None, all=False, strict=False, edition=None, out=None, jobs=None,
           force=False, folder=None, variant=None, proof_only=False):
    """Build the PDF page and the EPUB from one layout of the page (with --edition: the
    edition's PDFs and its EPUB from one make-up); nothing is written if nothing changed."""
    _each("build", manuscript, all, strict, edition, out, jobs, force, folder, variant,
          proof_only)


@task(help=_HELP)
def proof(c, manuscript=None, all=False, strict=False, edition=None, out=None, jobs=None,
          force=False, folder=None, variant=None, proof_only=False):
    """Render the page proof for the eye: build/<slug>.png (with --edition, a PNG beside
    each page's PDF)."""
    _each("proof", manuscript, all, strict, edition, out, jobs, force, folder, variant,
          proof_only)


@task(help={key: _HELP[key] for key in ("manuscript", "all", "strict")})
def approve(c, manuscript=None, all=False, strict=False):
    """Keep the page as it now is as its approved proof, the visual check's reference,
    recorded with the fingerprints of the text and layouts it was approved for."""
    from pressroom import build

    targets = _manuscripts() if all else [Path(manuscript) if manuscript else DEFAULT_MANUSCRIPT]
    with _reported(), diagnostics(strict=strict, emit=_warn, inform=print):
        for target in targets:
            for path in build.approve(target):
                print(f"wrote {_shown(path)}")


@task(help={"manuscript": _HELP["manuscript"], "all": "check every manuscript in manuscript/",
            "out": "folder holding the built outputs (default: build/)",
            "reproducible": "also build twice, once under TZ=Asia/Shanghai, and compare bytes",
            "strict": "count warnings (the body's colour) as failures",
            "edition": "check the built edition of a page plan instead",
            "variant": "the PDF to check: screen (default), press, press-x1a or archive, "
                       "as built with the same --variant",
            "proof-only": "check the proof a --proof-only build made (build/<slug>-press-proof.pdf)"})
def check(c, manuscript=None, all=False, out=None, reproducible=False, strict=False,
          edition=None, variant=None, proof_only=False):
    """Verify the built PDF and EPUB against the manuscript, one figure per check, each
    shown as it is made."""
    if variant is not None and variant not in VARIANT_NAMES:
        raise Exit(f"--variant {variant}: give one of {', '.join(VARIANT_NAMES)}", code=2)
    from pressroom.checks.check import check_reproducible, iter_checks
    from pressroom.checks.edition import iter_edition_checks
    from pressroom.variants import variant_named

    chosen = variant_named(variant or "screen").as_proof(proof_only)
    failures = warnings = 0
    out_dir = Path(out) if out else BUILD_DIR
    with _reported():
        targets = [Path(edition)] if edition else (
            _manuscripts() if all else [Path(manuscript) if manuscript else DEFAULT_MANUSCRIPT])
        for target in targets:
            print(_shown(target.resolve()), flush=True)
            # Without --variant an edition is checked in its plan's variant.
            results = (iter_edition_checks(target, out_dir, variant=chosen if variant else None)
                       if edition
                       else iter_checks(target, out_dir, variant=chosen))
            if reproducible and not edition:
                results = itertools.chain(results, check_reproducible(target, chosen))
            for result in results:
                print("  " + str(result).replace("\n", "\n  "), flush=True)
                failures += not result.passed or (strict and result.warning)
                warnings += result.passed and result.warning
    if warnings and not strict:
        print(f"{warnings} warning{'s' if warnings > 1 else ''} (--strict counts them as failures)")
    if failures:
        raise Exit(f"{failures} check{'s' if failures > 1 else ''} failed", code=EXIT_CHECKS_FAILED)


@task(help={"slug": "the new manuscript's folder name (letters, digits, '-', '_', Chinese)",
            "folder": "where to create it (default: manuscript/)"})
def new(c, slug, folder=None):
    """Create manuscript/<slug>/article.md from a commented template, ready to build."""
    from pressroom.scaffold import new_manuscript

    with _reported():
        path = new_manuscript(slug, Path(folder) if folder else MANUSCRIPTS_DIR)
        print(f"wrote {_shown(path)}")
        print(f"next: edit it, then run 'invoke build --manuscript {_shown(path.parent)}'")


@task(help={"manuscript": _HELP["manuscript"], "out": _HELP["out"],
            "port": "the preview's port on 127.0.0.1 (default: 8000)"})
def watch(c, manuscript=None, out=None, port=8000):
    """Rebuild the page and its proof on every save, the EPUB after it, and serve a live
    preview at http://127.0.0.1:PORT/ (only the outputs; Ctrl-C stops)."""
    from pressroom.watch import watch as watching

    with _reported():
        watching(Path(manuscript) if manuscript else DEFAULT_MANUSCRIPT,
                 Path(out) if out else BUILD_DIR, port=int(port))


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
        print(f"wrote {_shown(write_standin(DEFAULT_MANUSCRIPT / 'opening-ceremony.jpg'))}")


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
    sys.path.insert(0, str(ROOT))
    from tests import fuzzing

    argv = ["-n", str(n), "--jobs", str(jobs), "--seed", str(seed)]
    code = fuzzing.main(argv + (["--out", out] if out else []))
    if code:
        raise Exit(code=code)


@task
def clean(c):
    """Remove build/."""
    shutil.rmtree(BUILD_DIR, ignore_errors=True)
    print(f"removed {_shown(BUILD_DIR)}")
