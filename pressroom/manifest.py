"""The manifest of a build: what its outputs were made from, so that an unchanged build
writes nothing.

Beside the outputs, ``<out>/.manifest/<name>.json`` records, for one task on one
manuscript (or page plan), the fingerprints of every input (``pressroom.fingerprint``):
the manuscript's folder (text, photos, its layouts and fonts), the shared layouts, the
vendored fonts, the system's font files the faces are cut from, Pressroom's own code,
the versions of WeasyPrint, Pango and HarfBuzz, the build's options and
``SOURCE_DATE_EPOCH``; and the SHA-256 of every output written. A build whose inputs
and outputs all match its manifest is up to date. Deciding that reads small files only
and imports none of the typesetting: a no-op build stays well under a second.

A manifest is written after its outputs are in place, and removed before a build
starts to replace them, so a build that fails half-way is never taken for a finished one.
"""
from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from . import fingerprint
from .output import write_cached

MANIFEST_DIR = ".manifest"
VERSION = 1  # of the manifest's own format


@dataclass(frozen=True)
class Job:
    """One task on one source: what a manifest is kept for."""

    task: str  # pdf, epub, build, proof
    name: str  # readable: "manuscript-" and the folder's name, or "edition-" and the plan's
    target: str  # the manuscript folder or plan file, absolute
    options: tuple[tuple[str, str], ...] = ()  # --strict and the like, as text

    def path(self, out_dir: Path) -> Path:
        where = hashlib.sha256(self.target.encode("utf-8", "surrogateescape")).hexdigest()
        return Path(out_dir) / MANIFEST_DIR / f"{self.name}-{where[:12]}.{self.task}.json"


def up_to_date(job: Job, out_dir: Path) -> list[Path] | None:
    """The outputs of ``job`` if its manifest shows nothing changed since they were
    made; None when it must be built."""
    try:
        recorded = json.loads(job.path(out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or recorded.get("version") != VERSION \
            or recorded.get("target") != job.target or not Path(job.target).exists():
        return None
    sources = recorded.get("sources", [])
    fonts = recorded.get("font_sources", [])
    if recorded.get("inputs") != _inputs(job, sources, fonts):
        return None
    paths = []
    try:
        for name, digest in recorded.get("outputs") or ():
            path = Path(out_dir) / name
            if fingerprint.file_digest(path) != digest:
                return None
            paths.append(path)
    except (OSError, TypeError, ValueError):
        return None
    return paths or None


def recorded_pages(job: Job, out_dir: Path) -> int | None:
    """The page count the manifest of ``job`` records."""
    try:
        pages = json.loads(job.path(out_dir).read_text(encoding="utf-8")).get("pages")
    except (OSError, ValueError, AttributeError):
        return None
    return pages if isinstance(pages, int) else None


def forget(job: Job, out_dir: Path) -> None:
    """Before a build replaces the outputs: no manifest vouches for them meanwhile."""
    job.path(out_dir).unlink(missing_ok=True)


def record(job: Job, out_dir: Path, sources: Iterable[Path], outputs: Iterable[Path],
           font_sources: Iterable[Path], pages: int | None = None) -> Path:
    """After the outputs are in place: what they were made from (``sources``: the
    manuscript folders and plan file the build read)."""
    out_dir = Path(out_dir)
    sources = sorted({str(Path(path).absolute()) for path in sources})
    fonts = sorted({str(path) for path in font_sources})
    data = {"version": VERSION, "task": job.task, "target": job.target,
            "sources": sources, "font_sources": fonts,
            "inputs": _inputs(job, sources, fonts),
            "outputs": [[os.path.relpath(path, out_dir), fingerprint.file_digest(path)]
                        for path in outputs],
            "pages": pages}
    path = job.path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_cached(path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def _inputs(job: Job, sources: list[str], font_sources: list[str]) -> dict[str, str]:
    digests = {path: (fingerprint.folder_digest(Path(path)) if Path(path).is_dir()
                      else _file_or_missing(Path(path)))
               for path in sources}
    return {
        "sources": _digest(sorted(digests.items())),
        "layouts": fingerprint.layouts_digest(),
        "fonts": fingerprint.folder_digest(fingerprint.FONTS_DIR),
        "font_sources": fingerprint.stat_digest(font_sources),
        "code": fingerprint.code_digest(),
        "libraries": _digest(libraries()),
        "options": _digest(sorted(job.options)),
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", ""),
    }


def _file_or_missing(path: Path) -> str:
    try:
        return fingerprint.file_digest(path)
    except OSError:
        return "missing"


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()


# Every library whose work reaches an output: drawing, shaping, reading the manuscript,
# photos, proofs, fonts cut for the e-book, the e-book itself, ads stamped on a page.
DISTRIBUTIONS = ("weasyprint", "pydyf", "uharfbuzz", "fonttools", "pyphen", "budoux",
                 "markdown-it-py", "mdit-py-plugins", "PyYAML", "jinja2", "pillow",
                 "pypdfium2", "pypdf", "ebooklib", "lxml", "tinycss2", "cssselect2")


@functools.cache
def libraries() -> list[tuple[str, str]]:
    """The versions of what draws the page: WeasyPrint and the C libraries it shapes and
    lays text out with (read from the libraries themselves, not from WeasyPrint, which
    would take half a second to import), and the Python libraries whose data decide a
    line: HarfBuzz's binding, hyphenation and the headlines' phrases."""
    versions = [("python", sys.version)]
    versions += [(name, _distribution(name)) for name in DISTRIBUTIONS]
    for name, library, function in (("pango", "libpango-1.0.so.0", "pango_version_string"),
                                    ("harfbuzz", "libharfbuzz.so.0", "hb_version_string"),
                                    ("fontconfig", "libfontconfig.so.1", "FcGetVersion")):
        versions.append((name, _library_version(library, function)))
    return versions


def _distribution(name: str) -> str:
    found = _installed().get(_normalised(name))
    if found:
        return found
    from importlib import metadata  # an egg or other install the listing does not show

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


_DIST_INFO = re.compile(r"^(.+?)-([^-]+)\.dist-info$")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _installed() -> dict[str, str]:
    """Installed distributions' versions from their dist-info folders' names: one listing
    of each folder on the path, where asking importlib.metadata for each would read its
    files (a tenth of a second, on a build with nothing to do)."""
    versions: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            match = _DIST_INFO.match(entry)
            if match:
                versions.setdefault(_normalised(match.group(1)), match.group(2))
    return versions


def _library_version(library: str, function: str) -> str:
    try:
        call = getattr(ctypes.CDLL(library), function)
    except (OSError, AttributeError):
        return "missing"
    if function == "FcGetVersion":
        call.restype = ctypes.c_int
        return str(call())
    call.restype = ctypes.c_char_p
    return call().decode("ascii", "replace")
