"""Fingerprints of a build's inputs: what the manifest of a build and an approved proof
are keyed by.

Small files (a manuscript, its photos, the layouts, the vendored fonts, Pressroom's own
code) are hashed by content, so a file saved unchanged or copied elsewhere keeps its
fingerprint. The system's font files a build cuts its faces from are tens of megabytes
each and change only when a package is upgraded: they are fingerprinted by path, size and
modification time, as make and ninja judge their inputs, so an unchanged build can tell
it is unchanged without reading them.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable

from .output import PART_SUFFIX

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
LAYOUTS_DIR = ROOT / "layouts"
FONTS_DIR = ROOT / "fonts"

# Files in a manuscript's folder that are not inputs of its build: the approved proofs
# and their records are the visual check's. Hidden files count (a figure may name one);
# an editor's swap file only costs a rebuild.
NOT_INPUTS = ("approved-proof",)
CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def folder_files(folder: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """Every file under ``folder`` that a build may read, in a stable order: no approved
    proof, no ``__pycache__`` or ``.git``."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for top, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name not in ("__pycache__", ".git"))
        for name in sorted(files):
            if name.startswith(NOT_INPUTS) or name.endswith((".pyc", "~")):
                continue
            if name.startswith(".") and name.endswith(PART_SUFFIX):
                continue  # a file being written (approved-proof.png as it is staged)
            if suffixes is None or name.endswith(suffixes):
                found.append(Path(top) / name)
    return found


def files_digest(files: Iterable[Path], base: Path) -> str:
    """One digest of several files' names (relative to ``base``) and contents."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(os.path.relpath(path, base).encode("utf-8", "surrogateescape") + b"\0")
        try:
            content = file_digest(path)
        except OSError as error:
            # A dangling link, a file this user cannot read: the build may never open it,
            # and reports it where it does (a figure naming it); the fingerprint notes it.
            content = f"unreadable: {error.strerror or error}"
        digest.update(content.encode() + b"\n")
    return digest.hexdigest()


def folder_digest(folder: Path) -> str:
    return files_digest(folder_files(folder), folder)


def stat_digest(paths: Iterable[Path]) -> str:
    """A digest of large files by path, size and modification time (see the module's
    docstring); a missing file counts as such."""
    digest = hashlib.sha256()
    for path in sorted(set(map(str, paths))):
        try:
            stat = os.stat(path)
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{path}\0missing\n".encode())
    return digest.hexdigest()


_CODE: str | None = None


def code_digest() -> str:
    """A digest of Pressroom's own code: a new version of the program rebuilds."""
    global _CODE
    if _CODE is None:
        _CODE = files_digest(folder_files(PACKAGE_DIR, (".py", ".j2", ".css", ".html")),
                             PACKAGE_DIR)
    return _CODE


def layouts_digest() -> str:
    """The shared layouts (templates and stylesheets), by content."""
    return folder_digest(LAYOUTS_DIR)
