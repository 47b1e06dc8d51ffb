"""The coverage guard: a character no vendored face can draw stops the build, named."""
from __future__ import annotations

import pytest

from pressroom.build import build_pdf
from pressroom.reading.coverage import check_coverage
from pressroom.errors import CoverageError, ErrorGroup
from pressroom.reading.manuscript import read_manuscript


def test_the_default_manuscript_is_covered():
    from conftest import DEFAULT
    check_coverage(read_manuscript(DEFAULT))


def test_a_missing_character_is_named_with_code_point_and_line(write_manuscript, tmp_path):
    # U+2A6A5 (𪚥) is far outside GB2312 and in none of the vendored subsets.
    folder = write_manuscript("---\ntitle: 标题\n---\n\n第一段。\n\n第二段有\n生僻字𪚥。\n")
    with pytest.raises(CoverageError) as caught:
        check_coverage(read_manuscript(folder))
    message = str(caught.value)
    assert "U+2A6A5" in message and "𪚥" in message
    assert caught.value.where.line == 8  # the source line holding it, not the paragraph's first
    out = tmp_path / "out"
    with pytest.raises(CoverageError):
        build_pdf(folder, out)
    assert not out.exists() or not any(out.iterdir())


def test_every_missing_character_is_reported_at_once(write_manuscript):
    folder = write_manuscript("---\ntitle: 标题𪚥\n---\n\n正文𠀀。\n")
    with pytest.raises(ErrorGroup) as caught:
        check_coverage(read_manuscript(folder))
    assert [error.where.line for error in caught.value.errors] == [2, 5]
