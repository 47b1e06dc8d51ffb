"""Whole character sets through the faces of a build and WeasyPrint: every character of
the 通用规范汉字表 in the Simplified faces, every hanzi of Big5 in the Traditional ones,
each drawn by its role's face or a declared fallback, and read back from the PDF."""
from __future__ import annotations

import html
import unicodedata
from collections import Counter
from pathlib import Path

import pypdfium2
import pytest
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from pressroom import faces
from pressroom.checks.check import _pdf_glyphs, char_fonts, face_cmaps, pdf_font_name
from pressroom.fonts import HEI, KAI, SONG

from conftest import DATA

ROLES = (SONG, HEI, KAI)
pytestmark = pytest.mark.skipif(not all(design.installed for design in faces.ALL_DESIGNS),
                                reason="needs the font packages scripts/install.sh installs")


def general_standard_table() -> list[str]:
    lines = (DATA / "tongyong-guifan-hanzi-8105.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line]


def big5_hanzi() -> list[str]:
    """The 13,053 hanzi of Big5: level 1 at A440-C67E, level 2 at C940-F9D5."""
    chars = []
    for lead in (*range(0xA4, 0xC7), *range(0xC9, 0xFA)):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            code = lead << 8 | trail
            if 0xA440 <= code <= 0xC67E or 0xC940 <= code <= 0xF9D5:
                chars.append(bytes((lead, trail)).decode("big5"))
    return chars


def set_and_read_back(chosen: faces.Typefaces, chars: list[str], tmp_path: Path):
    """Each role's text of ``chars`` set by WeasyPrint in the build's faces: the PDF's
    characters with their fonts, and the glyph check's result."""
    rules = "".join(
        f'@font-face{{font-family:"{face.family}";src:url("{face.path.as_uri()}");'
        f"font-weight:{face.weight}" + (f";unicode-range:{face.unicode_range}"
                                         if face.fallback else "") + "}"
        for face in chosen.faces)
    text = html.escape("".join(chars))
    blocks = "".join(f'<p style="font-family:&quot;{family}&quot;;font-weight:'
                     f'{faces.WEIGHTS[family]}">{text}</p>' for family in ROLES)
    page = (f'<html lang="{chosen.lang}"><style>{rules}@page{{size:A3;margin:10mm}}'
            f"p{{font-size:7pt;line-height:1.2;margin:0 0 4pt}}</style>{blocks}")
    pdf = tmp_path / "set.pdf"
    weasyprint.HTML(string=page).write_pdf(pdf, font_config=FontConfiguration())
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return list(char_fonts(document)), _pdf_glyphs(document, face_cmaps(chosen))
    finally:
        document.close()


def _expected_font(chosen: faces.Typefaces, family: str, char: str) -> str:
    for face in chosen.of(family)[1:]:
        if ord(char) in face.characters:
            return pdf_font_name(face.family, face.weight)
    own = chosen.own(family)
    return pdf_font_name(own.family, own.weight)


def _check_drawn(chosen: faces.Typefaces, chars: list[str], drawn: list[tuple[str, str]]):
    assert len(drawn) == 3 * len(chars)
    for number, family in enumerate(ROLES):
        part = drawn[number * len(chars):(number + 1) * len(chars)]
        # A compatibility ideograph (Big5's second 兀, U+FA0C) may share its glyph with the
        # unified one it is canonically equivalent to, and copy out as that one.
        assert unicodedata.normalize("NFC", "".join(char for char, _ in part)) \
            == unicodedata.normalize("NFC", "".join(chars)), family
        wrong = [(char, font) for char, font in part
                 if font != _expected_font(chosen, family, char)]
        assert not wrong, (family, wrong[:10])


def test_the_general_standard_table_is_set_in_the_simplified_faces(tmp_path):
    chars = general_standard_table()
    assert len(chars) == 8105 and sum(ord(char) > 0xFFFF for char in chars) == 196
    chosen = faces.typefaces("zh-CN", {family: ["".join(chars)] for family in ROLES},
                             tmp_path / "cache")
    assert not chosen.missing
    by_role = Counter(fallback.family for fallback in chosen.fallbacks)
    assert by_role[SONG] == by_role[HEI] == 0  # Noto Serif and Sans CJK SC have them all
    # Kai's fallbacks are what LXGW WenKai lacks, each reported (PR504) by the guard.
    kai_lacks = [char for char in chars if ord(char) not in faces.design_cmap(faces.KAI_SC)]
    assert by_role[KAI] == len(kai_lacks)
    print(f"Kai sets {len(chars) - len(kai_lacks)} of the 8,105 itself, "
          f"{len(kai_lacks)} in its fallbacks")
    drawn, glyphs = set_and_read_back(chosen, chars, tmp_path)
    assert glyphs.passed, glyphs.problem
    _check_drawn(chosen, chars, drawn)


def test_the_hanzi_of_big5_are_set_in_the_traditional_faces(tmp_path):
    chars = big5_hanzi()
    assert len(chars) == 13053
    chosen = faces.typefaces("zh-TW", {family: ["".join(chars)] for family in ROLES},
                             tmp_path / "cache")
    assert not chosen.missing
    assert [chosen.own(family).design for family in ROLES] == [
        faces.SONG_TC, faces.HEI_TC, faces.KAI_TW]
    drawn, glyphs = set_and_read_back(chosen, chars, tmp_path)
    assert glyphs.passed, glyphs.problem
    _check_drawn(chosen, chars, drawn)


def test_characters_outside_the_bmp_come_from_a_declared_face(tmp_path):
    # 𠮷 and the table's 196 characters of Extensions B to E; in Traditional text too.
    chars = ["𠮷"] + [char for char in general_standard_table() if ord(char) > 0xFFFF]
    for lang in ("zh-CN", "zh-TW"):
        chosen = faces.typefaces(lang, {family: ["".join(chars)] for family in ROLES},
                                 tmp_path / lang)
        assert not chosen.missing, lang
        declared = {design for role in faces.DESIGNS[chosen.convention.variant].values()
                    for design in (*role.own, *role.fallbacks)}
        assert {face.design for face in chosen.faces} <= declared
        drawn, glyphs = set_and_read_back(chosen, chars, tmp_path)
        assert glyphs.passed, glyphs.problem
        _check_drawn(chosen, chars, drawn)
