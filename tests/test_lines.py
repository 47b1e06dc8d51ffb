"""Line setting to clreq: prohibitions, justification, compression, spacing, lone characters."""
from __future__ import annotations

import re

import pytest

from conftest import DEFAULT
from pressroom import fonts
from pressroom.typesetting.breaking import set_lines
from pressroom.typesetting.lines import CLOSING, OPENING, STOPS, Metrics, units
from pressroom.reading.manuscript import read_manuscript

SONG = next(face for face in fonts.FACES if face.role_family == "Pressroom Song")
KAI = next(face for face in fonts.FACES if face.role_family == "Pressroom Kai")


@pytest.fixture(scope="module")
def song():
    return Metrics(fonts.FONTS_DIR / SONG.file, SONG.role_family)


@pytest.fixture(scope="module")
def paragraphs():
    article = read_manuscript(DEFAULT)
    return [block.text for block in article.blocks if block.kind == "paragraph"]


@pytest.mark.parametrize("chars", [10, 11, 12, 13])
def test_every_paragraph_sets_to_the_rules(song, paragraphs, chars):
    size, measure = 9.0, 9.0 * chars
    for text in paragraphs:
        lines = set_lines(text, song, size, measure, 2 * size)
        assert re.sub(r"\s", "", "".join(line.text for line in lines)) == re.sub(r"\s", "", text)
        for line in lines:
            assert line.text[0] not in CLOSING | STOPS, line.text
            assert line.text[-1] not in OPENING, line.text
            if line.justified:
                assert abs(line.width - line.measure) < 1e-6, line.text
            assert line.width <= line.measure + 1e-6
        assert len(lines[-1].text.strip()) > 1, lines[-1].text
        assert not lines[-1].justified and all(line.justified for line in lines[:-1])


def test_adjacent_marks_are_compressed_to_one_and_a_half_em(song):
    compressed = units("说」，好。“对”", song)
    widths = {unit.text: unit.width for unit in compressed}
    assert widths["」"] + widths["，"] <= 1.5
    assert widths["。"] + widths["“"] <= 1.5
    assert widths["说"] == 1.0


def gaps_after(line) -> dict[str, float]:
    """The space after each segment's last character, in pt."""
    return {segment.text: segment.margin_right + segment.letter_spacing for segment in line.segments}


def test_han_and_latin_are_spaced_but_not_signs(song):
    # The last line of a paragraph is not justified, so the gaps are the bare rules.
    [line] = set_lines("在2021年用5G和旅游+", song, 10.0, 200.0)
    gaps = gaps_after(line)
    assert gaps["2021"] == pytest.approx(1.5)  # 0.15 em between 2021 and 年
    assert gaps["在"] == pytest.approx(1.5)  # and between 在 and 2021
    assert gaps["5G"] == pytest.approx(1.5)
    assert gaps["年"] == pytest.approx(0) and gaps["用"] == pytest.approx(1.5)
    assert gaps["和旅游"] == pytest.approx(0)  # 游+ : a sign takes no gap


def test_a_line_never_ends_on_a_halved_mark(song, paragraphs):
    for text in paragraphs:
        for line in set_lines(text, song, 9.0, 99.0, 18.0):
            assert not line.segments[-1].halt, line.text


def test_a_lone_last_character_is_avoided(song):
    # Eleven characters fill a line of eleven exactly; a twelfth alone would be a 孤字.
    lines = set_lines("一二三四五六七八九十甲乙", song, 10.0, 110.0)
    assert len(lines[-1].text) >= 2


def test_faces_without_halt_compress_with_spacing():
    kai = Metrics(fonts.FONTS_DIR / KAI.file, KAI.role_family)
    assert not kai.has_halt
    [line] = set_lines("《报告》，改革", kai, 10.0, 200.0)
    squeezed = [segment for segment in line.segments if segment.letter_spacing < 0]
    assert squeezed and squeezed[0].text.endswith("》")
