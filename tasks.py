"""Invoke tasks: a thin shell over the ``pressroom`` package.

Run ``invoke --list`` for the tasks, ``invoke --help TASK`` for a task's options.
"""
from __future__ import annotations

import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from invoke import Exit, task

from pressroom import build
from pressroom.errors import PressroomError


@contextmanager
def _reported():
    """Turn a Pressroom error into one line and its exit code, never a traceback."""
    try:
        yield
    except PressroomError as error:
        raise Exit(str(error), code=error.exit_code) from None


def _targets(manuscript: str | None, all_: bool) -> list[Path]:
    if all_:
        return build.manuscripts()
    return [Path(manuscript) if manuscript else build.DEFAULT_MANUSCRIPT]


def _each(maker, manuscript, all_):
    with _reported():
        for target in _targets(manuscript, all_):
            for path in _as_list(maker(target)):
                print(f"wrote {_shown(path)}")


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_HELP = {"manuscript": "manuscript folder (default: manuscript/boshan-report)",
         "all": "build every manuscript in manuscript/"}


@task(help=_HELP)
def pdf(c, manuscript=None, all=False):
    """Typeset the newspaper page: build/<slug>.pdf."""
    _each(build.build_pdf, manuscript, all)


@task(help=_HELP)
def epub(c, manuscript=None, all=False):
    """Package the e-book: build/<slug>.epub."""
    _each(build.build_epub, manuscript, all)


@task(name="build", help=_HELP, default=True)
def build_(c, manuscript=None, all=False):
    """Build the PDF page and the EPUB from one layout of the page."""
    _each(build.build_all, manuscript, all)


@task(help=_HELP)
def proof(c, manuscript=None, all=False):
    """Render the page proof for the eye: build/<slug>.png."""
    _each(build.build_proof, manuscript, all)


@task
def fonts(c):
    """Regenerate the vendored font subsets in fonts/ from Debian's font packages."""
    from pressroom import fonts as vendored

    for path in vendored.make_fonts():
        print(f"wrote {_shown(path)}")


@task
def standin(c):
    """Redraw the stand-in photo of the default manuscript (图片占位)."""
    from pressroom.standin import write_standin

    print(f"wrote {_shown(write_standin(build.DEFAULT_MANUSCRIPT / 'opening-ceremony.jpg'))}")


@task
def test(c):
    """Run the test suite."""
    c.run(f"{sys.executable} -m pytest -q", pty=False)


@task
def clean(c):
    """Remove build/."""
    shutil.rmtree(build.BUILD_DIR, ignore_errors=True)
    print(f"removed {_shown(build.BUILD_DIR)}")
