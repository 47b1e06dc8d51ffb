"""Bad input gets a clear error and loses nothing.

The corpus of bad manuscripts (tests/bad) through the Python API and, for a handful,
through `invoke` in a fresh process; the error codes and the README's table; --strict;
internal errors and Ctrl-C at the task layer.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from invoke import Exit
from PIL import Image

import corpus
from conftest import DEFAULT, ROOT
from pressroom import build
from pressroom.errors import (CODES, EXIT_INTERNAL, EXIT_INTERRUPTED, ErrorGroup, Location,
                              ManuscriptError, PressroomError, PressroomWarning, ResourceError,
                              StrictError, diagnostics)
from pressroom.reading.manuscript import read_manuscript

CASES = corpus.cases()
MAKERS = {"pdf": build.build_pdf, "epub": build.build_epub}


def _tasks_module():
    spec = importlib.util.spec_from_file_location("pressroom_tasks", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_corpus_has_at_least_25_bad_manuscripts_each_with_its_own_fault():
    assert len(CASES) >= 25
    assert len({case.code for case in CASES}) >= 20  # not 25 copies of one mistake


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_bad_manuscript_fails_with_its_code_file_and_line_and_writes_nothing(case, tmp_path):
    folder = corpus.materialise(case, tmp_path)
    out = tmp_path / "build"
    out.mkdir()
    # The outputs of a previous good build: they must come through byte for byte.
    for suffix in (".pdf", ".epub", ".png"):
        (out / f"{case.name}{suffix}").write_bytes(f"previous {suffix}".encode())
    before, manuscript_before = corpus.tree_hashes(out), corpus.tree_hashes(folder)

    for output in case.outputs:
        started = time.monotonic()
        with diagnostics(strict=case.strict), pytest.raises(PressroomError) as caught:
            MAKERS[output](folder, out)
        elapsed = time.monotonic() - started
        error = caught.value
        message = str(error)
        assert not isinstance(error, ErrorGroup), message  # one fault, one message
        assert "\n" not in message
        assert error.code == case.code, message
        assert isinstance(error, CODES[case.code].kind)
        assert error.exit_code not in (0, EXIT_INTERNAL)
        assert Path(error.where.path) == folder / case.file, message
        assert error.where.line == case.line, message
        if case.column is not None:
            assert error.where.column == case.column, message
        assert case.words in message
        assert f"error {case.code}: " in message
        if case.seconds is not None:
            assert elapsed < case.seconds, f"{output} took {elapsed:.1f} s"

    assert corpus.tree_hashes(out) == before
    assert corpus.tree_hashes(folder) == manuscript_before  # nothing written beside it


# A handful through the task, the way a user meets them: exit code, one line, no traceback.
THROUGH_INVOKE = ["07-unknown-key", "17-decompression-bomb", "21-not-utf8",
                  "28-figure-symlink-out", "30-layout-imports-http", "31-enormous",
                  "36-low-resolution-strict"]


@pytest.mark.parametrize("name", THROUGH_INVOKE)
def test_a_bad_manuscript_through_invoke_exits_with_one_line(name, tmp_path):
    case = corpus.case(name)
    folder = corpus.materialise(case, tmp_path)
    build_dir = ROOT / "build"
    before = corpus.tree_hashes(build_dir)

    strict = ["--strict"] if case.strict else []
    result = corpus.invoke("pdf", "--manuscript", str(folder), *strict)

    assert result.returncode == CODES[case.code].kind.exit_code, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    place = f"{case.file}:{case.line}:" if case.line else f"{case.file}: "
    assert place in lines[0] and f"error {case.code}: " in lines[0]
    assert case.words in lines[0]
    assert result.stdout == ""
    assert corpus.tree_hashes(build_dir) == before


# -- the codes --------------------------------------------------------------------------

def _readme_codes() -> dict[str, int]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {code: int(exit_code) for code, exit_code in
            re.findall(r"^\| `(PR\d{3})` \| (\d+) \|", text, flags=re.MULTILINE)}


def test_every_code_is_in_the_readme_table_with_its_exit_code():
    documented = _readme_codes()
    assert documented == {code: known.kind.exit_code for code, known in CODES.items()}


def test_the_readme_documents_every_exit_code():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for exit_code in {0, EXIT_INTERNAL, EXIT_INTERRUPTED,
                      *(known.kind.exit_code for known in CODES.values())}:
        assert re.search(rf"^\| {exit_code} \| ", text, flags=re.MULTILINE), exit_code


def test_every_code_the_package_raises_is_a_known_one():
    used = set()
    for source in (ROOT / "pressroom").glob("*.py"):
        used |= set(re.findall(r"\"(PR\d{3})\"", source.read_text(encoding="utf-8")))
    assert used <= set(CODES), used - set(CODES)


def test_codes_are_distinct_per_kind_and_checked():
    exit_codes = {known.kind.exit_code for known in CODES.values()}
    assert len({code[:3] for code in CODES}) == len(exit_codes)  # a hundred per exit code
    with pytest.raises(ValueError):
        ManuscriptError("wrong kind", code="PR304")  # a resource code on a manuscript error
    with pytest.raises(ValueError):
        ResourceError("no such code", code="PR399")
    assert ResourceError("x", code="PR304").code == "PR304"
    assert ManuscriptError("x").code == "PR100"


def test_a_location_shows_file_line_and_column(tmp_path):
    path = tmp_path / "article.md"
    assert str(Location(path, 3, 7)).endswith("article.md:3:7")
    assert str(Location(path, 3)).endswith("article.md:3")
    assert str(Location(path)).endswith("article.md")
    error = ManuscriptError("problem", Location(path, 2), "what to do", code="PR101")
    assert str(error).endswith("article.md:2: error PR101: problem (what to do)")


# -- all errors together ----------------------------------------------------------------

def test_every_error_of_a_manuscript_is_reported_at_once(write_manuscript):
    folder = write_manuscript("""\
        ---
        title: 标题
        kikcer: 引题
        date: 二月
        ---

        正文<b>加粗</b>。

        ::: figrue
        :::

        ::: figure
        ![](missing.jpg)
        :::
        """)
    with pytest.raises(ErrorGroup) as caught:
        read_manuscript(folder)
    found = [(error.code, error.where.line) for error in caught.value.errors]
    assert found == [("PR101", 3), ("PR105", 4), ("PR112", 7), ("PR110", 9),
                     ("PR121", 12), ("PR122", 12), ("PR304", 12)]
    assert caught.value.exit_code == 2  # the first error's
    lines = str(caught.value).splitlines()
    assert len(lines) == len(found) and all("article.md:" in line for line in lines)


# -- nothing vanishes -------------------------------------------------------------------

def test_a_line_that_looks_like_a_link_reference_stays_text(write_manuscript):
    # CommonMark would take it for a link reference definition and drop it from the text.
    article = read_manuscript(write_manuscript(
        "---\ntitle: 标题\n---\n\n[注]: 见下文\n\n正文。\n"))
    assert [block.text for block in article.blocks] == ["[注]: 见下文", "正文。"]


# -- images -----------------------------------------------------------------------------

FIGURE = """\
---
title: 标题
---

正文。

::: figure
![照片](photo.jpg)

说明。
:::
"""


def test_an_image_that_cannot_be_read_is_named(write_manuscript, monkeypatch):
    folder = write_manuscript(FIGURE, images=("photo.jpg",))
    image = folder / "photo.jpg"
    image.chmod(0)
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if self == image:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    # root reads a file of mode 000 all the same: refuse it the way the kernel would refuse
    # anyone else.
    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(ResourceError) as caught:
        read_manuscript(folder)
    assert caught.value.code == "PR305" and caught.value.where.line == 7
    assert "permission denied" in str(caught.value)


def test_an_unreadable_manuscript_is_named(write_manuscript, monkeypatch):
    folder = write_manuscript(FIGURE)
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if self.name == "article.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(ResourceError) as caught:
        read_manuscript(folder)
    assert caught.value.code == "PR301" and "permission denied" in str(caught.value)


def test_a_bomb_beyond_pillows_own_limit_is_refused_without_a_pillow_warning(write_manuscript):
    # 200 megapixels: Image.open would raise DecompressionBombError (and warn from 89 MP,
    # which this suite's filterwarnings=error would turn into a crash).
    folder = write_manuscript(FIGURE)
    Image.new("1", (20_000, 10_000)).save(folder / "photo.jpg", format="PNG", optimize=True)
    with pytest.raises(ResourceError) as caught:
        read_manuscript(folder)
    assert caught.value.code == "PR308"
    assert Image.MAX_IMAGE_PIXELS == 89_478_485  # Pillow's own guard left as it was


def test_an_image_named_in_chinese_is_found(write_manuscript):
    folder = write_manuscript(FIGURE.replace("photo.jpg", "开幕式 照片.jpg").replace(
        "(开幕式 照片.jpg)", "(<开幕式 照片.jpg>)"))
    shutil.copyfile(DEFAULT / "opening-ceremony.jpg", folder / "开幕式 照片.jpg")
    [figure] = read_manuscript(folder).figures
    assert figure.image.name == "开幕式 照片.jpg"


def test_a_huge_file_is_refused_before_it_is_parsed(write_manuscript):
    folder = write_manuscript("---\ntitle: 标题\n---\n\n" + "正文。" * 400_000)  # 3.6 MB
    started = time.monotonic()
    with pytest.raises(ManuscriptError) as caught:
        read_manuscript(folder)
    assert time.monotonic() - started < 2
    assert caught.value.code == "PR131" and "MB" in str(caught.value)


# -- warnings and --strict --------------------------------------------------------------

def _low_resolution_copy(parent: Path) -> Path:
    """The default manuscript with its photo at 300 x 200 pixels: same shape, so the page
    still fits, but about 100 dpi in print."""
    folder = parent / "low-resolution"
    shutil.copytree(DEFAULT, folder, ignore=shutil.ignore_patterns("*.png"))
    with Image.open(DEFAULT / "opening-ceremony.jpg") as photo:
        photo.resize((300, 200)).save(folder / "opening-ceremony.jpg", format="JPEG")
    return folder


def test_a_warning_names_file_line_and_code_and_the_build_goes_on(tmp_path):
    folder = _low_resolution_copy(tmp_path)
    with diagnostics() as found:
        article = read_manuscript(folder)
    [warning] = found.warnings
    assert isinstance(warning, PressroomWarning) and warning.code == "PR501"
    line = next(number for number, text in
                enumerate((folder / "article.md").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("::: figure"))
    assert str(warning).endswith(f"low-resolution/article.md:{line}: warning PR501: "
                                 f"{warning.message} ({warning.hint})")
    assert "300 pixels wide" in warning.message and "dpi" in warning.message
    assert article.figures


def test_strict_makes_warnings_errors_reported_with_the_others(tmp_path):
    folder = _low_resolution_copy(tmp_path)
    article = folder / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("lang: zh-CN", "lnag: zh-CN"),
                       encoding="utf-8")
    with diagnostics(strict=True), pytest.raises(ErrorGroup) as caught:
        read_manuscript(folder)
    codes = [error.code for error in caught.value.errors]
    assert codes == ["PR101", "PR501"]
    strict = caught.value.errors[1]
    assert isinstance(strict, StrictError) and strict.exit_code == 6
    assert "an error under --strict" in str(strict)


def test_strict_through_invoke(tmp_path):
    folder = _low_resolution_copy(tmp_path)
    build_dir = ROOT / "build"
    output = build_dir / "low-resolution.pdf"
    try:
        lenient = corpus.invoke("pdf", "--manuscript", str(folder))
        assert lenient.returncode == 0, lenient.stderr
        assert "warning PR501: " in lenient.stderr and "article.md:" in lenient.stderr
        assert output.is_file()
        before = corpus.tree_hashes(build_dir)

        strict = corpus.invoke("pdf", "--manuscript", str(folder), "--strict")
        assert strict.returncode == 6
        [line] = strict.stderr.strip().splitlines()
        assert "error PR501: " in line and "Traceback" not in strict.stderr
        assert corpus.tree_hashes(build_dir) == before
    finally:
        output.unlink(missing_ok=True)


def test_the_default_manuscript_builds_under_strict():
    with diagnostics(strict=True) as found:
        read_manuscript(DEFAULT)
    assert found.warnings == []


# -- the task layer ---------------------------------------------------------------------

CRASHING_TASK = """
import sys
sys.path.insert(0, {root!r})
from pressroom import build

def broken(*args, **kwargs):
    raise RuntimeError("simulated fault\\nin the layout engine")

build.build_pdf = broken  # a bug, as far as the task can tell
from invoke import Collection, Program
import tasks
Program(namespace=Collection.from_module(tasks)).run(["invoke", "pdf", "--force"])
"""


def test_an_internal_error_says_so_in_one_line_and_writes_its_trace_elsewhere():
    before = corpus.tree_hashes(ROOT / "build")
    result = subprocess.run([sys.executable, "-c", CRASHING_TASK.format(root=str(ROOT))],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == EXIT_INTERNAL
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("internal error: RuntimeError: simulated fault in the layout engine")
    assert "Traceback" not in result.stderr
    log = Path(re.search(r"trace written to (\S+)\)$", line).group(1))
    try:
        assert not log.is_relative_to(ROOT)  # not among the outputs, nor in the checkout
        trace = log.read_text(encoding="utf-8")
        assert "Traceback" in trace and "def broken" not in trace and "broken" in trace
    finally:
        log.unlink(missing_ok=True)
    assert corpus.tree_hashes(ROOT / "build") == before


def test_ctrl_c_is_reported_as_an_interruption():
    tasks = _tasks_module()
    with pytest.raises(Exit) as caught:
        with tasks._reported():
            raise KeyboardInterrupt
    assert caught.value.code == EXIT_INTERRUPTED and "interrupted" in caught.value.message


def test_a_pressroom_error_keeps_its_exit_code_at_the_task_layer(tmp_path):
    tasks = _tasks_module()
    with pytest.raises(Exit) as caught:
        with tasks._reported():
            raise ResourceError("gone", Location(tmp_path / "article.md", 4), code="PR304")
    assert caught.value.code == 4
    assert caught.value.message.endswith("article.md:4: error PR304: gone")
