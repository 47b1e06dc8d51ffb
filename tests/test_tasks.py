"""The tasks as a user runs them: `invoke ...` in a fresh process."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from conftest import DEFAULT, ROOT
from pressroom import build

TASKS = ("build", "clean", "epub", "fonts", "pdf", "proof", "standin", "test")


def invoke(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_every_task_is_listed_with_a_line_of_help():
    listing = invoke("--list").stdout
    for task in TASKS:
        line = next((line for line in listing.splitlines() if line.strip().startswith(task + " ")),
                    None)
        assert line and len(line.split(None, 1)[1]) > 10, (task, listing)


def test_a_bad_manuscript_fails_with_file_line_and_no_traceback(write_manuscript):
    folder = write_manuscript("---\ntitle: 标题\nkikcer: 引题\n---\n\n正文。\n")
    result = invoke("pdf", "--manuscript", str(folder))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "article.md:3:" in lines[0] and "kikcer" in lines[0] and "kicker" in lines[0]


def test_a_missing_manuscript_fails_clearly(tmp_path):
    result = invoke("epub", "--manuscript", str(tmp_path / "nowhere"))
    assert result.returncode == 4 and "manuscript not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_real_png_saved_over_the_stand_in_just_works(tmp_path):
    folder = tmp_path / "boshan-report"
    shutil.copytree(DEFAULT, folder)
    photo = Image.new("RGB", (1200, 900), (90, 120, 150))  # 4:3, not the stand-in's 3:2
    buffer = io.BytesIO()
    photo.save(buffer, format="PNG")
    (folder / "opening-ceremony.jpg").write_bytes(buffer.getvalue())
    out = tmp_path / "out"
    pdf, epub = build.build_all(folder, out)
    assert pdf.stat().st_size > 0 and epub.stat().st_size > 0
    import zipfile
    names = zipfile.ZipFile(epub).namelist()
    assert any(name.endswith(".png") and "images/" in name for name in names), names


@pytest.mark.parametrize("task", ["pdf", "epub"])
def test_build_tasks_write_into_build(task, tmp_path):
    result = invoke(task)
    assert result.returncode == 0, result.stderr
    suffix = "." + task
    assert (ROOT / "build" / f"boshan-report{suffix}").stat().st_size > 10_000
