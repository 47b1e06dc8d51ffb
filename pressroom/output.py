"""Writing outputs so that a failed or interrupted build never leaves half a file.

Every file goes to a temporary name in its final folder and is renamed into place only
when complete: ``os.replace`` is atomic on one filesystem, so a reader (or the plant's
pick-up job) sees either the previous file or the new one, never a torn one. The
temporary name is unique (``mkstemp``), so two builds writing into one folder at once
never write into each other's file.

Inside ``staged_outputs()`` (the tasks run every build in one), the renames wait until the
whole build has succeeded: a build that writes the PDF and then fails on the EPUB leaves
both previous files as they were, not a new PDF beside an old EPUB.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

PART_SUFFIX = ".part"

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
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent)
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
