"""Every character an article uses: the faces of a build (``pressroom.faces``).

Rare characters of names are set from the whole installed faces (cut per build and kept
in a cache), a character a role lacks from its declared fallback, and the PDF and the
EPUB carry each as the face that draws it.
"""
from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest

from pressroom import faces
from pressroom.build import build_all
from pressroom.checks.check import check_outputs
from pressroom.errors import diagnostics
from pressroom.fonts import HEI, KAI, SONG
from pressroom.reading.coverage import check_coverage
from pressroom.reading.manuscript import read_manuscript

from pdfinfo import chars_with_fonts, embedded_fonts, squeeze, text

RARE = "瀜彧璟喆昇㵢𠮷"
installed = pytest.mark.skipif(not all(design.installed for design in faces.ALL_DESIGNS),
                               reason="needs the font packages scripts/install.sh installs")

# A test text, not an article: it carries the rare characters of personal names in the
# body, a caption and the byline.
RARE_MANUSCRIPT = f"""\
---
title: 生僻字测试稿
byline: 记者 贾瀜 王㵢
---

这是一篇测试稿，正文里有人名用字{RARE}，也有常用字。每个字都应当由它所在角色的字体印出，或由声明的后备字体印出并报告。

::: figure
![测试图片](photo.jpg)

说明里也有{RARE}。
:::

第二段正文，再写几句，让版面有些内容。
"""


@installed
def test_rare_characters_of_names_are_set_and_copy_back_out(write_manuscript, tmp_path):
    folder = write_manuscript(RARE_MANUSCRIPT, images=("photo.jpg",))
    out = tmp_path / "out"
    with diagnostics() as said:
        pdf, epub = build_all(folder, out)
    # Only 㵢, which LXGW WenKai lacks, is set in a fallback (Song), in the Kai roles.
    fallbacks = [warning for warning in said.warnings if warning.code == "PR504"]
    assert len(fallbacks) == 1 and "U+3D62" in str(fallbacks[0])
    assert RARE in squeeze(text(pdf))
    drawn = {}
    for char, font in chars_with_fonts(pdf):
        drawn.setdefault(char, set()).add(font)
    assert drawn["瀜"] == {"Pressroom-Song", "Pressroom-Kai"}
    assert drawn["㵢"] == {"Pressroom-Song", "Pressroom-Kai-Medium"}  # Song, as Kai's fallback
    assert all(font.embedded and font.subset for font in embedded_fonts(pdf))
    results = {result.check: result for result in check_outputs(folder, out)}
    for name in ("pdf.fonts", "pdf.glyphs", "pdf.text", "epub.fonts", "epub.text",
                 "epub.epubcheck"):
        assert results[name].passed, (name, results[name].problem)
    with zipfile.ZipFile(epub) as book:
        css = book.read("EPUB/css/fonts.css").decode()
    assert "unicode-range: U+3D62;" in css


@installed
def test_a_build_needing_more_than_the_vendored_subsets_cuts_the_source_once(tmp_path,
                                                                             monkeypatch):
    # Each cut at another time by the clock fontTools reads: no cut may carry it.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cache = tmp_path / "cache"
    texts = {SONG: ["人名" + RARE], KAI: ["摄影 贾瀜"], HEI: ["标题"]}
    first = faces.typefaces("zh-CN", texts, cache)
    song = first.own(SONG)
    assert song.path.parent == cache and song.design is faces.SONG_SC
    # Every role carries every character of the build (the e-book may set any text in
    # any role): Hei is cut too. A text the subsets hold takes them, the floor.
    assert first.own(HEI).path.parent == cache
    common = faces.typefaces("zh-CN", {SONG: ["博山区"], HEI: ["标题"], KAI: ["摄影"]}, cache)
    assert {face.path.name for face in common.faces} == {
        "NotoSerifCJKsc-Regular.otf", "NotoSansCJKsc-Bold.otf", "PressroomKai-Regular.ttf"}
    assert {ord(char) for char in RARE} <= faces.file_cmap(song.path)
    stamp = song.path.stat().st_mtime_ns
    again = faces.typefaces("zh-CN", texts, cache)
    assert again.own(SONG).path == song.path and song.path.stat().st_mtime_ns >= stamp
    # Another cache, the same bytes: a cut depends on the source and the characters only.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    elsewhere = faces.typefaces("zh-CN", texts, tmp_path / "other")
    for role in (SONG, KAI):  # Kai's cut renamed by fontTools, as its licence asks
        assert elsewhere.own(role).path.read_bytes() == first.own(role).path.read_bytes()


@installed
def test_the_pins_name_every_installed_source():
    pins = faces.pins()
    for design in faces.ALL_DESIGNS:
        pin = pins[str(design.source)]
        assert pin["package"] == design.package and design.name in pin["faces"]
        assert pin["sha256"] == faces._sha256(design.source, faces._stamp(design.source))


@installed
def test_a_source_that_is_not_the_pinned_file_is_a_warning(monkeypatch, tmp_path):
    pins = {path: {**pin, "sha256": "0" * 64} for path, pin in faces.pins().items()}
    monkeypatch.setattr(faces, "pins", lambda: pins)
    with diagnostics() as said:
        faces.typefaces("zh-CN", {SONG: ["人名" + RARE]}, tmp_path)
    # Once for each source file the build cut from.
    assert {warning.code for warning in said.warnings} == {"PR506"}
    named = [str(warning) for warning in said.warnings]
    assert len(named) == len(set(named)) and any("NotoSerifCJK-Regular.ttc" in text
                                                  for text in named)


def test_without_the_packages_the_vendored_subsets_are_the_floor(monkeypatch, tmp_path):
    # As on a machine with pip alone: no source installed.
    gone = {key: {family: faces.Role(
        tuple(dataclasses.replace(design, source=tmp_path / "none.ttf") for design in role.own),
        tuple(dataclasses.replace(design, source=tmp_path / "none.ttf") for design in role.fallbacks))
        for family, role in roles.items()} for key, roles in faces.DESIGNS.items()}
    monkeypatch.setattr(faces, "DESIGNS", gone)
    common = faces.typefaces("zh-CN", {SONG: ["博山区政府工作报告"]}, tmp_path)
    assert not common.missing and common.own(SONG).path.name == "NotoSerifCJKsc-Regular.otf"
    rare = faces.typefaces("zh-CN", {SONG: ["人名瀜"]}, tmp_path)
    assert rare.missing == (("Pressroom Song", "瀜"),)
    assert rare.uninstalled[0][2].package == "fonts-noto-cjk"


def test_the_text_language_picks_the_variant_of_the_faces(tmp_path):
    if not faces.SONG_TC.installed:
        pytest.skip("needs fonts-noto-cjk")
    for tag, variant in (("zh-CN", "SC"), ("zh", "SC"), ("zh-SG", "SC"), ("zh-TW", "TC"),
                         ("zh-Hant", "TC"), ("zh-Hant-TW", "TC"), ("zh-HK", "HK"),
                         ("zh-MO", "HK")):
        chosen = faces.typefaces(tag, {SONG: ["東"]}, tmp_path)
        assert chosen.convention.variant == variant, tag
        assert chosen.own(SONG).design is faces.DESIGNS[variant][SONG].own[0]


# -- house faces and a manuscript's own fonts -------------------------------------------

def _font_for(path: Path, char: str, like: str = "永", fs_type: int = 0) -> Path:
    """A font of one glyph, drawn like ``like`` in the vendored Song, mapped to ``char``:
    what a paper makes for a character no font has (造字)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from pressroom.fonts import FONTS_DIR
    font = TTFont(FONTS_DIR / "NotoSerifCJKsc-Regular.otf")
    options = subset.Options()
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=like)
    subsetter.subset(font)
    glyph = font.getBestCmap()[ord(like)]
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap = {ord(char): glyph}
            if ord(char) > 0xFFFF and table.format != 12:
                table.cmap = {}
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
    full = CmapSubtable.newSubtable(12)
    full.platformID, full.platEncID, full.language, full.cmap = 3, 10, 0, {ord(char): glyph}
    font["cmap"].tables.append(full)
    font["OS/2"].fsType = fs_type
    font["name"].setName("Pressroom Test Zaozi", 4, 3, 1, 0x409)
    font.save(path)
    return path


NEW_CHAR = "\U00031350"  # Extension H: in no face Pressroom has


def test_a_manuscript_brings_a_font_of_its_own_for_a_character_no_face_has(write_manuscript,
                                                                           tmp_path):
    folder = write_manuscript(f"---\ntitle: 标题\nfonts:\n  - file: zaozi.otf\n"
                              f"    licence: zaozi.txt\n---\n\n人名用字{NEW_CHAR}。\n")
    _font_for(folder / "zaozi.otf", NEW_CHAR)
    (folder / "zaozi.txt").write_text("made for this test", encoding="utf-8")
    with diagnostics() as said:
        pdf = build_all(folder, tmp_path / "out")[0]
    assert not [warning for warning in said.warnings if warning.code == "PR504"]
    assert (NEW_CHAR, "Pressroom-Song-Medium") in chars_with_fonts(pdf)
    results = {result.check: result for result in check_outputs(folder, tmp_path / "out")}
    assert results["epub.fonts"].passed, results["epub.fonts"].problem


@installed
def test_a_rare_character_of_a_headline_is_in_the_e_books_contents_too(write_manuscript,
                                                                       tmp_path):
    # The contents list the headline and subheads in Song; the page sets them in Hei.
    folder = write_manuscript("---\ntitle: 標題有𠀁字\nlang: zh-TW\n---\n\n"
                              "## 小標有𠀁字\n\n正文。\n")
    with diagnostics():
        build_all(folder, tmp_path / "out")
    results = {result.check: result for result in check_outputs(folder, tmp_path / "out")}
    for name in ("pdf.glyphs", "epub.fonts", "epub.epubcheck"):
        assert results[name].passed, (name, results[name].problem)


@pytest.mark.parametrize("front, fs_type, words", [
    ("  - file: zaozi.otf\n", 0, "no licence file"),
    ("  - file: zaozi.otf\n    licence: zaozi.txt\n", 2, "forbids embedding"),
    ("  - file: ../zaozi.otf\n    licence: zaozi.txt\n", 0, "outside"),
    ("  - file: missing.otf\n    licence: zaozi.txt\n", 0, "is not there"),
])
def test_a_font_that_cannot_be_embedded_is_refused(write_manuscript, front, fs_type, words):
    from pressroom.errors import ManuscriptError
    folder = write_manuscript(f"---\ntitle: 标题\nfonts:\n{front}---\n\n正文。\n")
    _font_for(folder / "zaozi.otf", NEW_CHAR, fs_type=fs_type)
    (folder / "zaozi.txt").write_text("licence", encoding="utf-8")
    with pytest.raises(ManuscriptError) as caught:
        read_manuscript(folder)
    assert caught.value.code == "PR162" and words in str(caught.value)
    assert caught.value.where.line == 3


def test_a_house_face_sets_its_role_for_the_project(monkeypatch, tmp_path):
    house = tmp_path / "layouts"
    house.mkdir()
    _font_for(house / "house-kai.otf", "瀜")
    (house / "house-kai.txt").write_text("the paper's licence", encoding="utf-8")
    (house / "faces.yaml").write_text(
        "faces:\n  SC:\n    kai: {file: house-kai.otf, licence: house-kai.txt}\n",
        encoding="utf-8")
    monkeypatch.setattr(faces, "HOUSE_FILE", house / "faces.yaml")
    faces.house_faces.cache_clear()
    try:
        chosen = faces.typefaces("zh-CN", {KAI: ["瀜"], SONG: ["正文"]}, tmp_path / "cache")
        assert chosen.own(KAI).design.name == "Pressroom Test Zaozi"
        assert chosen.own(SONG).design is faces.SONG_SC
        assert not chosen.fallbacks
    finally:
        faces.house_faces.cache_clear()


def test_an_edition_is_set_in_one_script(tmp_path):
    import shutil
    from pressroom import build
    from pressroom.errors import ErrorGroup, ManuscriptError
    root = Path(__file__).resolve().parent
    for name, source in (("simplified", root / "articles" / "prc-holidays-measures-2024"),
                         ("traditional", root / "articles-traditional"
                          / "president-2024-qiaotou-temple-plaque")):
        shutil.copytree(source, tmp_path / "stories" / name,
                        ignore=shutil.ignore_patterns("approved-proof*"))
    (tmp_path / "plans").mkdir()
    plan = tmp_path / "plans" / "edition.yaml"
    plan.write_text("publication: 测试日报\ndate: 2026-11-30\npages:\n  - page: 第1版\n"
                    "    stories:\n      - ../stories/simplified\n      - ../stories/traditional\n",
                    encoding="utf-8")
    with pytest.raises((ManuscriptError, ErrorGroup)) as raised:
        build.prepare_edition(plan)
    assert raised.value.code == "PR159"
    assert "zh-TW" in str(raised.value) and "traditional/article.md" in str(raised.value)
