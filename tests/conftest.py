"""Shared fixtures: the default manuscript and small manuscripts written on the fly."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pressroom.output import CACHE_FOLDERS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "manuscript" / "boshan-report"
DATA = Path(__file__).resolve().parent / "data"


def output_names(folder: Path) -> list[str]:
    """The names in an output folder, but for the caches a build keeps there."""
    return sorted(path.name for path in folder.iterdir() if path.name not in CACHE_FOLDERS)


@pytest.fixture
def write_manuscript(tmp_path):
    """Write an article.md (dedented) into a fresh folder and return the folder."""

    def write(text: str, name: str = "sample", encoding: str = "utf-8", images=()) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        data = textwrap.dedent(text).lstrip("\n")
        (folder / "article.md").write_bytes(data.encode(encoding) if isinstance(data, str) else data)
        for image in images:
            (folder / image).write_bytes((DEFAULT / "opening-ceremony.jpg").read_bytes())
        return folder

    return write
