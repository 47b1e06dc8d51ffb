"""Each crash, hang or loss the campaign (``tests/fuzzing.py``) found, kept as a minimal
manuscript under ``tests/reproducers/<name>/``: built as the campaign builds a case (PDF
and EPUB through the Python API, in a worker process, under the 20 s limit, with its own
temporary folder), it must end with a Pressroom error whose message is one clean line, or
build with all its text and leave nothing behind.

A reproducer is a manuscript folder (``article.md`` and what it needs); its
``reproducer.json`` says what it reproduces and, where the case needs it, the folder's
name to build it under (``"folder"``) or the page plan to build (``"plan"``). Photos are
kept as the smallest file that shows the fault.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import fuzzing

HERE = Path(__file__).resolve().parent / "reproducers"
REPRODUCERS = sorted(path for path in HERE.iterdir() if (path / "reproducer.json").is_file())


@pytest.fixture(scope="module")
def outcomes() -> dict[str, fuzzing.Outcome]:
    report = fuzzing.run_folders(REPRODUCERS, jobs=2)
    return {Path(outcome.case.folder).name: outcome for outcome in report.outcomes}


def test_every_reproducer_says_what_it_reproduces():
    assert REPRODUCERS
    for folder in REPRODUCERS:
        spec = json.loads((folder / "reproducer.json").read_text(encoding="utf-8"))
        assert spec["finding"] and spec["family"] in fuzzing.FAMILIES, folder.name
        # A reproducer laid over a copied tree of the repository may take its plan from it.
        wanted = spec.get("plan", "article.md")
        assert (folder / wanted).is_file() or (fuzzing.ROOT / wanted).is_file(), folder.name
        assert sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) < 64_000


@pytest.mark.parametrize("folder", REPRODUCERS, ids=[folder.name for folder in REPRODUCERS])
def test_a_reproducer_ends_with_a_pressroom_error_or_builds_whole(folder, outcomes):
    outcome = outcomes[folder.name]
    assert not outcome.findings, "\n".join(f"{f.kind}: {f.cause}: {f.detail}"
                                           for f in outcome.findings)
    assert outcome.result in ("ok", "user"), outcome
