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

import fcntl
import os
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

from .errors import ResourceError

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


def write_cached(path: Path, data: bytes) -> Path:
    """Write a cache file whole or not at all, at once even inside ``staged_outputs()``:
    the build that made it reads it back before its outputs are published."""
    path = Path(path)
    temporary = _write_temporary(path, data)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


@contextmanager
def staged_outputs() -> Iterator[None]:
    """Publish the outputs written inside together, once the block has completed; if it
    raises or is interrupted, discard them and leave the previous files untouched. Inside
    another such block, the outputs join the outer one's and appear with them."""
    if _STAGED.get() is not None:
        yield
        return
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

LOCK_FILE = ".lock"
# Builds of this process in a scratch folder, by folder: threads of one process share it,
# and the last to finish removes it.
_IN_USE: dict[Path, int] = {}
# The output folder of the build running in this context: its caches live there too, so
# that ``--out`` writes nowhere outside the folder it names.
_OUT_DIR: ContextVar[Path | None] = ContextVar("pressroom_out_dir", default=None)
_IN_USE_LOCK = threading.Lock()
# The scratch folders' lock files this process holds open, locked.
_HELD: set = set()


def _forked() -> None:
    # A process forked from a build (its e-book's, ``pressroom.beside``) shares the build's
    # locks: closed here, so that once the build ends, or is killed, its folder is free
    # to sweep, whatever the fork is still doing. The build's own lock stays taken.
    for lock in list(_HELD):
        lock.close()
    _HELD.clear()


os.register_at_fork(after_in_child=_forked)


@contextmanager
def scratch(out_dir: Path) -> Iterator[Path]:
    """This process's temporary folder under ``out_dir``; the system's temporary files
    (``tempfile``) go there inside the block, and the folder is gone after it.

    The folder holds a lock file locked for as long as a build uses it: a folder whose
    lock can be taken belongs to no running build (whatever its process number now
    names, in this container or another sharing the folder), and is swept."""
    out_dir = Path(out_dir).absolute()
    if out_dir.exists() and not out_dir.is_dir():
        raise ResourceError(f"the output folder {out_dir} is a file", None,
                            "name a folder for the outputs, or remove the file",
                            code="PR300")
    folder = (out_dir / SCRATCH_DIR / str(os.getpid())).resolve() \
        if out_dir.exists() else out_dir / SCRATCH_DIR / str(os.getpid())
    with _IN_USE_LOCK:
        nested = _IN_USE.get(folder, 0)
        _IN_USE[folder] = nested + 1
    if nested:  # a build inside a build, or in another thread: one folder, removed once
        try:
            yield folder
        finally:
            with _IN_USE_LOCK:
                _IN_USE[folder] -= 1
        return
    made = [parent for parent in (out_dir, *out_dir.parents) if not parent.exists()]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with _guarded(out_dir):
            sweep(out_dir)
            folder.mkdir(parents=True, exist_ok=True)
            lock = open(folder / LOCK_FILE, "wb")  # noqa: SIM115 - held for the block
            fcntl.flock(lock, fcntl.LOCK_EX)
            _HELD.add(lock)
    except BaseException as error:  # a Ctrl-C waiting for the guard too: not in use
        with _IN_USE_LOCK:
            del _IN_USE[folder]
        if not isinstance(error, OSError):
            raise
        raise ResourceError(f"the output folder {out_dir} cannot be written: "
                            f"{error.strerror or error}", None,
                            "check the folder's permissions and free space",
                            code="PR300") from None
    previous = tempfile.tempdir
    tempfile.tempdir = str(folder)
    token = _OUT_DIR.set(out_dir)
    try:
        yield folder
    finally:
        _OUT_DIR.reset(token)
        tempfile.tempdir = previous
        with _IN_USE_LOCK:
            del _IN_USE[folder]
        shutil.rmtree(folder, ignore_errors=True)
        _HELD.discard(lock)
        lock.close()
        # The scratch root only if no other build is using it, and the output folder
        # (and its parents) only if this build made them and wrote nothing there.
        try:
            with _guarded(out_dir):
                folder.parent.rmdir()
            for emptied in made:
                emptied.rmdir()
        except OSError:
            pass


@contextmanager
def _guarded(out_dir: Path) -> Iterator[None]:
    """Held (a lock on the output folder itself) while a build makes its scratch folder
    and takes its lock, sweeps, or removes the scratch root: builds starting together
    (the workers of --all) never sweep a folder another has made but not yet locked, nor
    remove the root another is making its folder in. Where the file system cannot lock a
    folder, the builds go on unguarded, as they would on one machine at a time."""
    while True:
        try:
            guard = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            yield
            return
        with suppress(OSError):
            fcntl.flock(guard, fcntl.LOCK_EX)
        try:
            current = os.path.samestat(os.fstat(guard), os.stat(out_dir))
        except OSError:
            current = False
        if current:
            break
        # The folder was removed while this build waited (by a build that had made it and
        # left it empty), and perhaps made again: a lock on the removed one guards nothing.
        os.close(guard)
        with suppress(OSError):
            os.mkdir(out_dir)
    try:
        yield
    finally:
        os.close(guard)


# The caches a build keeps beside its outputs (faces cut, Latin widths, set paragraphs,
# compiled templates, manifests): never outputs themselves, never half-written files.
CACHE_FOLDERS = frozenset({".fonts", ".widths", ".paragraphs", ".jinja", ".manifest"})


def cache_folder(name: str, default: Path) -> Path:
    """``<out>/<name>`` for the build running in this context (``scratch``), ``default``
    outside a build: a cache kept between builds, beside their outputs."""
    out_dir = _OUT_DIR.get()
    return out_dir / name if out_dir is not None else default


def trim_cache(folder: Path, keep: int = 64) -> None:
    """Keep the ``keep`` files of a cache folder written or used last, remove the rest: a
    cache keyed by what it was made from gains a file each time that changes."""
    try:
        files = sorted(((path.stat().st_mtime, path) for path in folder.iterdir()
                        if path.is_file()), reverse=True)
    except OSError:
        return
    for _, old in files[keep:]:
        old.unlink(missing_ok=True)


def sweep(out_dir: Path) -> None:
    """Remove what builds that are no longer running left in ``out_dir``: their scratch
    folders and their ``.part`` files (those of ``out_dir`` and of its subfolders, where
    an edition's pages go). Nothing reached through a symlink is touched."""
    out_dir = Path(out_dir)
    scratch_root = out_dir / SCRATCH_DIR
    gone: set[int] = set()  # the processes whose builds were found to have ended
    if scratch_root.is_dir() and not scratch_root.is_symlink():
        for folder in scratch_root.iterdir():
            if folder.name.isdigit() and folder.is_dir() and not folder.is_symlink() \
                    and not _locked(folder):
                shutil.rmtree(folder, ignore_errors=True)
                gone.add(int(folder.name))
    for entry, pid in _part_files(out_dir):
        if pid in gone or not _running(pid, scratch_root):
            entry.unlink(missing_ok=True)


def discard_own_parts(out_dir: Path) -> None:
    """Remove the ``.part`` files this process left in ``out_dir``: a Ctrl-C that lands
    between a temporary file's creation and the guard that removes it on failure leaves
    one, which a long-running process (the watcher) must not leave behind as it stops."""
    for entry, pid in _part_files(Path(out_dir)):
        if pid == os.getpid():
            entry.unlink(missing_ok=True)


def _part_files(out_dir: Path) -> Iterator[tuple[Path, int]]:
    """The ``.part`` files of ``out_dir`` and of its subfolders (an edition's pages, the
    caches), each with the process that writes it; nothing reached through a symlink."""
    if not out_dir.is_dir():
        return
    folders = [out_dir, *(child for child in out_dir.iterdir()
                          if child.is_dir() and not child.is_symlink()
                          and child.name != SCRATCH_DIR)]
    for folder in folders:
        for entry in folder.iterdir():
            found = _PART.match(entry.name)
            if found and entry.is_file() and not entry.is_symlink():
                yield entry, int(found.group(1))


def _locked(folder: Path) -> bool:
    """True if a running build holds the folder's lock (or it cannot be told)."""
    try:
        with open(folder / LOCK_FILE, "rb") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            return False
    except FileNotFoundError:
        return False  # a folder from before locks, or one whose build died making it
    except OSError:
        return True


def _running(pid: int, scratch_root: Path) -> bool:
    """True if the build of process ``pid`` may still be writing: its scratch folder is
    locked, or the process runs."""
    folder = scratch_root / str(pid)
    if folder.is_dir() and not folder.is_symlink():
        return _locked(folder)
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
