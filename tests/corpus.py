"""The corpus of bad manuscripts in tests/bad, and what the tests of failure share:
copying a case to a temporary folder, hashing a folder, running a task in a fresh process."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from conftest import ROOT
from pressroom.output import CACHE_FOLDERS

BAD = Path(__file__).resolve().parent / "bad"


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    code: str
    line: int | None
    column: int | None = None
    file: str = "article.md"
    words: str = ""
    strict: bool = False
    outputs: tuple[str, ...] = ("pdf", "epub")
    seconds: float | None = None
    setup: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def cases() -> list[Case]:
    found = []
    for expected in sorted(BAD.glob("*/expected.yaml")):
        data = yaml.safe_load(expected.read_text(encoding="utf-8"))
        data["outputs"] = tuple(data.get("outputs", ("pdf", "epub")))
        found.append(Case(name=expected.parent.name, folder=expected.parent, **data))
    return found


def case(name: str) -> Case:
    return next(found for found in cases() if found.name == name)


def materialise(case: Case, parent: Path) -> Path:
    """The case as a manuscript folder under ``parent``, named after the case (its slug)."""
    target = parent / case.name
    setup = case.setup or {}
    if "base" in setup:
        base = ROOT / setup["base"]
        shutil.copytree(base, target, ignore=shutil.ignore_patterns("*.png"))
    shutil.copytree(case.folder, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("expected.yaml"))
    for name, source in setup.get("copy", {}).items():
        shutil.copyfile(ROOT / source, target / name)
    for name, pointee in setup.get("symlink", {}).items():
        link = target / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        os.symlink(pointee, link)
    if "enormous" in setup:
        article = target / "article.md"
        text = article.read_text(encoding="utf-8")
        paragraphs = [block for block in text.split("\n\n")
                      if block.strip() and not re.match(r"(---|:::|#|!|\w+:)", block.strip())
                      and "\n:::" not in block]
        while len(text) < setup["enormous"]:
            text += "\n\n" + "\n\n".join(paragraphs)
        article.write_text(text + "\n", encoding="utf-8")
    return target


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (symlinks as their targets' names) and its SHA-256;
    not the caches a build keeps beside its outputs (``output.CACHE_FOLDERS``)."""
    hashes = {}
    if not folder.exists():
        return hashes
    for path in sorted(folder.rglob("*")):
        if path.relative_to(folder).parts[0] in CACHE_FOLDERS:
            continue
        name = str(path.relative_to(folder))
        if path.is_symlink():
            hashes[name] = "-> " + os.readlink(path)
        elif path.is_file():
            hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def invoke(*args: str, env: dict[str, str] | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
