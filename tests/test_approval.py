"""Approved proofs are kept with a record of what they were approved for: the visual check
compares a page with them only while the manuscript's inputs and the shared layouts are
those the record names, by content, wherever the folder lies."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import DEFAULT, ROOT
from pressroom import build, fingerprint
from pressroom.checks.check import check_visual
from pressroom.outputs.layouts import LAYOUTS_DIR
from pressroom.outputs.proof import (CURRENT, NONE, STALE, approval_record,
                                     approval_record_path, approval_state, approved_proof_path)
from pressroom.reading.manuscript import read_manuscript

NOT_APPROVED = "no proof approved for this text yet"


def approved_copy(target: Path) -> Path:
    """The default manuscript with its approved proof, copied to ``target`` and recorded
    as approved there, as ``invoke approve`` records it."""
    shutil.copytree(DEFAULT, target, ignore=shutil.ignore_patterns("approved-proof.json"))
    article = read_manuscript(target)
    approval_record_path(article).write_bytes(approval_record(article, 1))
    return target


def test_a_copy_with_an_edited_paragraph_is_not_compared_and_names_the_copy(tmp_path,
                                                                             monkeypatch):
    folder = approved_copy(tmp_path / "desk" / "boshan-report")
    copy = tmp_path / "desk" / "boshan-report-2"
    shutil.copytree(folder, copy)
    path = copy / "article.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("作政府工作报告", "作了一个很长的政府工作报告", 1),
                    encoding="utf-8")
    pdf = build.build_pdf(copy, tmp_path / "out")
    monkeypatch.chdir(tmp_path)  # the folder is shown as the user would type it from here
    article = read_manuscript(copy)
    assert approval_state(article).state == STALE
    assert approval_state(article).changed == ("manuscript",)
    [result] = check_visual(article, pdf)
    assert result.passed and result.warning
    assert result.problem.startswith(
        f"{NOT_APPROVED}: run 'invoke approve --manuscript desk/boshan-report-2'")
    assert not list(tmp_path.glob("out/*.diff.png"))
    # The original beside it is still approved and compared.
    assert approval_state(read_manuscript(folder)).state == CURRENT


def test_an_unchanged_copy_in_another_folder_is_still_approved(tmp_path):
    folder = approved_copy(tmp_path / "one" / "boshan-report")
    elsewhere = tmp_path / "two" / "deeper" / "renamed"
    shutil.copytree(folder, elsewhere)
    original, copy = read_manuscript(folder), read_manuscript(elsewhere)
    assert approval_state(copy).state == CURRENT
    assert approval_record(copy, 1) == approval_record(original, 1)
    pdf = build.build_pdf(elsewhere, tmp_path / "out")
    [result] = check_visual(copy, pdf)
    assert result.passed and not result.warning, str(result)
    assert result.figure.startswith("0.000% of pixels changed"), str(result)


def test_a_layout_of_the_manuscripts_own_makes_the_approval_stale(tmp_path):
    folder = approved_copy(tmp_path / "boshan-report")
    (folder / "layouts" / "css").mkdir(parents=True)
    css = (LAYOUTS_DIR / "css" / "print.css").read_text(encoding="utf-8")
    (folder / "layouts" / "css" / "print.css").write_text(css + "\nh1 { letter-spacing: 1pt; }\n",
                                                         encoding="utf-8")
    article = read_manuscript(folder)
    approval = approval_state(article)
    assert approval.state == STALE and approval.changed == ("manuscript",)
    [result] = check_visual(article, tmp_path / "never-read.pdf")
    assert result.passed and result.warning and NOT_APPROVED in result.problem


def test_a_change_to_the_shared_layouts_makes_the_approval_stale(tmp_path, monkeypatch):
    folder = approved_copy(tmp_path / "boshan-report")
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS_DIR, layouts)
    monkeypatch.setattr(fingerprint, "LAYOUTS_DIR", layouts)
    article = read_manuscript(folder)
    assert approval_state(article).state == CURRENT  # the same files, elsewhere
    with (layouts / "css" / "print.css").open("a", encoding="utf-8") as stream:
        stream.write("\n/* a rule moved */\n")
    approval = approval_state(article)
    assert approval.state == STALE and approval.changed == ("layouts",)
    assert "the layouts changed" in str(approval)


def test_the_same_inputs_over_another_number_of_pages_fail(tmp_path):
    # Approved over two pages; the same text in the same layouts now sets on one.
    folder = approved_copy(tmp_path / "boshan-report")
    shutil.copyfile(folder / "approved-proof.png", folder / "approved-proof-2.png")
    article = read_manuscript(folder)
    approval_record_path(article).write_bytes(approval_record(article, 2))
    assert approval_state(article).state == CURRENT
    pdf = build.build_pdf(folder, tmp_path / "out")
    results = {result.check: result for result in check_visual(article, pdf)}
    assert results["visual"].passed
    assert not results["visual.pages"].passed
    assert results["visual.pages"].figure == "1 page, 2 approved"


def test_the_record_is_stable_sorted_json_of_content_hashes(tmp_path):
    folder = approved_copy(tmp_path / "boshan-report")
    article = read_manuscript(folder)
    data = approval_record(article, 2)
    assert data == approval_record(article, 2)
    record = json.loads(data)
    assert list(record) == sorted(record)
    assert record["pages"] == 2
    assert record["manuscript_sha256"] == fingerprint.folder_digest(folder)
    assert record["layouts_sha256"] == fingerprint.layouts_digest()
    assert all(len(record[key]) == 64 for key in ("manuscript_sha256", "layouts_sha256"))
    assert str(tmp_path) not in data.decode()
    # The proofs and the record are not inputs: writing them changes no fingerprint.
    approval_record_path(article).write_bytes(data)
    assert approval_record(article, 2) == data


def test_an_approval_is_current_for_the_text_it_approved(tmp_path):
    """What ``invoke approve`` writes names the inputs as they are once it is done: the
    proofs it stages beside the manuscript while it works are not inputs."""
    folder = tmp_path / "boshan-report"
    shutil.copytree(DEFAULT, folder, ignore=shutil.ignore_patterns("approved-proof*"))
    from pressroom.errors import diagnostics

    with diagnostics():
        build.approve(folder)
    assert approval_state(read_manuscript(folder)).state == CURRENT


def test_no_record_or_no_proof_is_no_approval(tmp_path):
    folder = approved_copy(tmp_path / "boshan-report")
    article = read_manuscript(folder)
    record = approval_record_path(article)
    approved_proof_path(article).unlink()
    assert approval_state(article).state == NONE
    shutil.copyfile(DEFAULT / "approved-proof.png", approved_proof_path(article))
    record.write_bytes(approval_record(article, 2))  # a second page no proof is kept for
    assert approval_state(article).state == NONE
    record.write_text("{not json", encoding="utf-8")
    assert approval_state(article).state == NONE
    record.unlink()
    assert approval_state(article).state == NONE


APPROVED = sorted(path.parent for pattern in ("manuscript/*/approved-proof.png",
                                              "tests/*/*/approved-proof.png")
                  for path in ROOT.glob(pattern))


@pytest.mark.parametrize("folder", APPROVED, ids=[folder.name for folder in APPROVED])
def test_every_approved_proof_in_the_repository_is_approved_for_its_text(folder):
    # Otherwise its visual check compares nothing: after a change to the manuscript or to
    # layouts/, look at the page and approve it again.
    approval = approval_state(read_manuscript(folder))
    assert approval.state == CURRENT, \
        f"{approval}: run 'invoke approve --manuscript {folder.relative_to(ROOT)}'"
