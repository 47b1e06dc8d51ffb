"""The coverage guard: each character goes to its role's face or a declared fallback, and
a character no face has stops the build, named with its line and column."""
from __future__ import annotations

import pytest

from pressroom.build import build_pdf
from pressroom.errors import CoverageError, ErrorGroup, StrictError, diagnostics
from pressroom.reading.coverage import check_coverage
from pressroom.reading.manuscript import read_manuscript


def test_the_default_manuscript_is_covered():
    from conftest import DEFAULT
    with diagnostics() as said:
        article = check_coverage(read_manuscript(DEFAULT))
    assert not said.warnings
    # The vendored subsets hold every character of it: no cut of a source is needed.
    assert all(face.path.parent.name == "fonts" for face in article.typefaces.faces)


def test_a_character_no_face_has_is_named_with_code_point_line_and_column(write_manuscript,
                                                                         tmp_path):
    # An emoji: the last-resort face draws Han characters only, so nothing sets it.
    folder = write_manuscript("---\ntitle: 标题\n---\n\n第一段。\n\n第二段有\n表情😀。\n")
    with pytest.raises(CoverageError) as caught:
        check_coverage(read_manuscript(folder))
    message = str(caught.value)
    assert "U+1F600" in message and "😀" in message
    assert (caught.value.where.line, caught.value.where.column) == (8, 3)
    out = tmp_path / "out"
    with pytest.raises(CoverageError):
        build_pdf(folder, out)
    assert not out.exists() or not any(path.is_file() for path in out.iterdir())


def test_every_missing_character_is_reported_at_once(write_manuscript):
    # U+31350 is an ideograph of Extension H, newer than every face (and than this
    # Python's Unicode database): it still needs a glyph.
    folder = write_manuscript("---\ntitle: 标题😀\n---\n\n正文\U00031350。\n")
    with pytest.raises(ErrorGroup) as caught:
        check_coverage(read_manuscript(folder))
    assert sorted(error.where.line for error in caught.value.errors) == [2, 5]
    assert all("is in no face" in str(error) for error in caught.value.errors)


def test_a_character_the_role_lacks_is_set_in_a_declared_fallback(write_manuscript):
    # 㵢 is in Noto Serif CJK SC but not in the Kai face: the caption's one is set in Song.
    folder = write_manuscript("---\ntitle: 标题\nbyline: 记者 王㵢\n---\n\n正文。\n")
    with diagnostics() as said:
        article = check_coverage(read_manuscript(folder))
    assert [warning.code for warning in said.warnings] == ["PR504"]
    warning = said.warnings[0]
    assert "U+3D62" in str(warning) and "LXGW WenKai" in str(warning) \
        and "Noto Serif CJK SC" in str(warning)
    assert (warning.where.line, warning.where.column) == (3, 13)
    kai = article.typefaces.of("Pressroom Kai")
    assert [face.design.name for face in kai] == ["LXGW WenKai", "Noto Serif CJK SC"]
    assert kai[1].characters == {0x3D62}
    with diagnostics(strict=True), pytest.raises(StrictError):
        check_coverage(read_manuscript(folder))
