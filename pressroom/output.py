"""Writing outputs so that a failed or interrupted build never leaves half a file.

Every file goes to a temporary name in its final folder and is renamed into place only
when complete: ``os.replace`` is atomic on one filesystem, so a reader (or the plant's
pick-up job) sees either the previous file or the new one, never a torn one. The
temporary name is unique (``mkstemp``), so two builds writing into one folder at once
never write into each other's file.

Inside ``staged_outputs()`` (the tasks run every build in one), the renames wait until the
whole build has succeeded: a build that writes the PDF and then fails on the EPUB leaves
both previous files as they were, not a new PDF beside an old EPUB.

Every temporary file of a build, Pressroom's and WeasyPrint's (its fonts' folder), lives in
``scratch(out_dir)``: ``<out_dir>/.tmp/<pid>``, removed however the build ends. A build
killed outright (``kill -9``) cannot clean up, so each build first sweeps the scratch
folders and ``.part`` files of processes that no longer run, never a running build's.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

PART_SUFFIX = ".part"
SCRATCH_DIR = ".tmp"
# .<name>.<pid>.<random>.part: the pid tells a dead build's leftover from a running one's.
_PART = re.compile(r"^\..*\.(\d+)\.[^.]+\.part$")

# (temporary file, final path) of the outputs written inside the current staged_outputs().
_STAGED: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("pressroom_staged", default=None)


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all; inside ``staged_outputs()`` the file
    appears when the block completes."""
    path = Path(path)
    temporary = _write_temporary(path, data)
    staged = _STAGED.get()
    if staged is not None:
        staged.append((temporary, path))
        return path
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return path


@contextmanager
def staged_outputs() -> Iterator[None]:
    """Publish the outputs written inside together, once the block has completed; if it
    raises or is interrupted, discard them and leave the previous files untouched."""
    staged: list[tuple[Path, Path]] = []
    token = _STAGED.set(staged)
    try:
        yield
        _STAGED.reset(token)
        token = None
        for index, (temporary, path) in enumerate(staged):
            os.replace(temporary, path)
            staged[index] = (path, path)  # renamed: nothing left to clean up
        for folder in {path.parent for _, path in staged}:
            _sync_folder(folder)
    finally:
        if token is not None:
            _STAGED.reset(token)
        for temporary, path in staged:
            if temporary != path:
                temporary.unlink(missing_ok=True)


def _write_temporary(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=PART_SUFFIX,
                                    dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        # BaseException too: Ctrl-C in the middle of a write must not leave the .part file.
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every system can open a folder, so try."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


# -- scratch space -------------------------------------------------------------------------

@contextmanager
def scratch(out_dir: Path) -> Iterator[Path]:
    """This process's temporary folder under ``out_dir``; the system's temporary files
    (``tempfile``) go there inside the block, and the folder is gone after it."""
    out_dir = Path(out_dir)
    folder = out_dir / SCRATCH_DIR / str(os.getpid())
    previous = tempfile.tempdir
    if previous == str(folder):  # a build inside a build: one folder, removed once
        yield folder
        return
    sweep(out_dir)
    made = [parent for parent in (out_dir.absolute(), *out_dir.absolute().parents)
            if not parent.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)
        # The scratch root only if no other build is using it, and the output folder
        # (and its parents) only if this build made them and wrote nothing there.
        for emptied in (folder.parent, *made):
            try:
                emptied.rmdir()
            except OSError:
                break


def sweep(out_dir: Path) -> None:
    """Remove what builds that are no longer running left in ``out_dir``: their scratch
    folders and their ``.part`` files (those of ``out_dir`` and of its subfolders, where
    an edition's pages go)."""
    out_dir = Path(out_dir)
    scratch_root = out_dir / SCRATCH_DIR
    if scratch_root.is_dir():
        for folder in scratch_root.iterdir():
            if folder.name.isdigit() and not _running(int(folder.name)):
                shutil.rmtree(folder, ignore_errors=True)
    if not out_dir.is_dir():
        return
    folders = [out_dir, *(child for child in out_dir.iterdir()
                          if child.is_dir() and not child.is_symlink()
                          and child.name != SCRATCH_DIR)]
    for folder in folders:
        for entry in folder.iterdir():
            found = _PART.match(entry.name)
            if found and entry.is_file() and not _running(int(found.group(1))):
                entry.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OverflowError:
        return False  # a number no process can have
    except PermissionError:
        return True  # another user's process: leave it
    return True
