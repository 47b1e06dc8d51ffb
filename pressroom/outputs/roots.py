"""What a rendering may read, under which names, and who it is for: the part of the
renderer's sandbox (``pressroom.outputs.sandbox``) a page's HTML is written with, kept
free of WeasyPrint, so that a build sets its page and writes the HTML while the process
that renders it is still importing WeasyPrint (``pressroom.build``).

Every file reaches the renderer under a name that does not hold the checkout's path:
``file:///pressroom/<root>/<path inside it>`` (``Roots``). WeasyPrint names a PDF's image
objects by a hash of their URL, so real paths would make the same commit give different
bytes in two folders; the sandbox's fetcher maps the names back to the files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable
from urllib.parse import quote, unquote, urlsplit

from .. import faces, fonts
from ..output import cache_folder
from ..dates import source_date
from ..errors import Location, PressroomError

if TYPE_CHECKING:
    from .sandbox import SandboxRefusal

VIRTUAL_ROOT = PurePosixPath("/pressroom")


@dataclass(frozen=True)
class Roots:
    """The folders a rendering may read, each under a name of its own."""

    folders: tuple[tuple[str, Path], ...]
    photos: frozenset[Path] = frozenset()  # files served as print_photo prepares them
    # A press PDF's photos: (file, the arguments of photos.press_photo after the file)
    press: tuple[tuple[Path, tuple], ...] = ()

    @classmethod
    def of(cls, folders: dict[str, Path], photos=(), press=None) -> "Roots":
        return cls(tuple((name, Path(folder).absolute()) for name, folder in folders.items()),
                   frozenset(Path(photo).resolve() for photo in photos),
                   tuple(sorted((press or {}).items())))

    def url(self, path: Path) -> str:
        """The name under which the renderer asks for ``path``: the most specific root
        holding it, so that a manuscript inside the plan's tree keeps one name."""
        path = Path(os.path.normpath(Path(path).absolute()))
        holding = [(name, folder) for name, folder in self.folders
                   if path == folder or path.is_relative_to(folder)]
        if not holding:
            raise ValueError(f"{path} is in no root of the sandbox")
        name, folder = max(holding, key=lambda pair: len(pair[1].parts))
        inside = path.relative_to(folder).as_posix()
        virtual = VIRTUAL_ROOT / name / inside if inside != "." else VIRTUAL_ROOT / name
        return "file://" + quote(str(virtual))

    def folder_url(self, path: Path) -> str:
        return self.url(path) + "/"

    def resolve(self, url: str) -> tuple[Path | None, str]:
        """The file ``url`` names, resolved, if it may be read; else None and why not."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            return None, "Pressroom reads only files, it fetches nothing from a network"
        if parts.netloc not in ("", "localhost"):
            return None, "a file on another host"
        virtual = PurePosixPath(os.path.normpath(unquote(parts.path)))
        if "\x00" in str(virtual) or not virtual.is_relative_to(VIRTUAL_ROOT) \
                or len(virtual.parts) < 3:
            return None, "outside the allowed folders"
        name, inside = virtual.parts[2], PurePosixPath(*virtual.parts[3:])
        folder = dict(self.folders).get(name)
        if folder is None:
            return None, "outside the allowed folders"
        try:
            path = (folder / inside).resolve()
            allowed = path.is_relative_to(folder.resolve())
        except (OSError, RuntimeError, ValueError):
            return None, "not a path Pressroom can read"
        if not allowed:
            return None, "a symlink to a file outside the allowed folders"
        return path, ""


def font_roots() -> dict[str, Path]:
    """The folders the faces of a build are read from: the subsets in fonts/ and the cuts
    of the installed sources, kept beside the build's outputs."""
    return {"fonts": fonts.FONTS_DIR,
            "font-cuts": cache_folder(faces.CACHE_DIR.name, faces.CACHE_DIR)}


def font_faces(roots: Roots, chosen: faces.Typefaces) -> list[dict]:
    """The @font-face entries of a rendered page: each role's face under its sandbox
    name, then its fallbacks, each limited to the characters it draws."""
    return [{"family": face.family, "url": roots.url(face.path), "weight": face.weight,
             "unicode_range": face.unicode_range} for face in chosen.faces]


def created_stamp() -> str | None:
    """The PDF's creation date: only when SOURCE_DATE_EPOCH gives one, no clock time, so
    two builds of one input are the same bytes."""
    created = source_date()
    return created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None


@dataclass(frozen=True)
class Asker:
    """Who a rendering is for: where its errors point, and how a refusal reads."""

    where: Location  # the manuscript or the plan
    whose: str  # "the manuscript's", "the plan folder's": whose layouts/ may be at fault
    stylesheets: tuple[Path, ...] = ()  # the stylesheets the page links, in cascade order
    refused: Callable[[SandboxRefusal], PressroomError] | None = None
    figures: tuple[tuple[str, Location], ...] = ()  # (sandbox URL, the figure's line)


def layouts_hint(whose: str) -> str:
    return f"check {whose} own layouts/, if it has one; else this is a fault of the " \
        "project's layouts"
