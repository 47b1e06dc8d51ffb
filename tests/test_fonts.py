"""The vendored faces in fonts/: what they hold, where they came from, and how they are cut."""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTCollection, TTFont

from pressroom import fonts
from pressroom.errors import CoverageError, PressroomError

FACES = {face.role_family: face for face in fonts.FACES}
NOTO = [face for face in fonts.FACES if face.source_package == "fonts-noto-cjk"]

# Generous bounds over the sizes make_fonts gives today (4.4, 3.2 and 3.6 MB): a face
# that grows past them has picked up far more than the repertoire.
SIZE_BOUNDS = {
    "NotoSerifCJKsc-Regular.otf": 6_000_000,
    "NotoSansCJKsc-Bold.otf": 5_000_000,
    "PressroomKai-Regular.ttf": 5_000_000,
}

# The name records that name a face: family, subfamily, unique ID, full name, PostScript
# name, typographic and WWS family and subfamily, compatible full name, PostScript CID
# name, variations PostScript name prefix. A Modified Version under the OFL must not be
# called by a Reserved Font Name in any of them.
NAMING_IDS = {1, 2, 3, 4, 6, 16, 17, 18, 20, 21, 22, 25}

SAMPLE = "博山陶瓷琉璃艺术节开幕，骨直次。“新闻”——（记者）《报》、：；？！…\n"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _features(font: TTFont, table: str) -> set[str]:
    if table not in font:
        return set()
    return {record.FeatureTag for record in font[table].table.FeatureList.FeatureRecord}


def _gb2312_hanzi() -> set[str]:
    # Levels 1 and 2 of GB2312: rows 16-87, that is lead bytes 0xB0-0xF7.
    hanzi = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                hanzi.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return hanzi


def _outline(font: TTFont, char: str) -> list:
    pen = RecordingPen()
    font.getGlyphSet()[font.getBestCmap()[ord(char)]].draw(pen)
    return pen.value


def _sources_installed() -> bool:
    return all(face.source.is_file() for face in fonts.FACES) and shutil.which("dpkg-query") is not None


needs_sources = pytest.mark.skipif(
    not _sources_installed(),
    reason="the Debian fonts (apt-get install fonts-noto-cjk fonts-lxgw-wenkai) or dpkg-query are missing")


def test_three_faces_with_the_families_the_layouts_use():
    assert [(face.role_family, face.weight) for face in fonts.FACES] == [
        ("Pressroom Song", 400), ("Pressroom Hei", 700), ("Pressroom Kai", 400)]
    assert len({face.file for face in fonts.FACES}) == 3
    assert fonts.FONTS_DIR == Path(fonts.__file__).resolve().parent.parent / "fonts"


@pytest.mark.parametrize("face", fonts.FACES, ids=lambda face: face.role_family)
def test_vendored_file_exists_within_its_size_bound(face):
    path = fonts.FONTS_DIR / face.file
    assert path.is_file()
    assert path.stat().st_size <= SIZE_BOUNDS[face.file]


def test_fonts_folder_is_under_25_mb():
    total = sum(path.stat().st_size for path in fonts.FONTS_DIR.rglob("*") if path.is_file())
    assert total < 25 * 1024 * 1024


def _reserved_name_records(data: bytes, reserved_names) -> list[tuple[int, int, int, str]]:
    with TTFont(io.BytesIO(data)) as font:
        return [(record.nameID, record.platformID, record.langID, record.toUnicode())
                for record in font["name"].names
                if record.nameID in NAMING_IDS
                and any(name.casefold() in record.toUnicode().casefold() for name in reserved_names)]


@pytest.mark.parametrize("face", fonts.FACES, ids=lambda face: face.role_family)
def test_vendored_file_names_its_face(face):
    with TTFont(fonts.FONTS_DIR / face.file) as font:
        if face.rename_to is None:
            assert font["name"].getDebugName(4) == face.face_name
        else:
            style = font["name"].getDebugName(2)
            assert style == "Regular"
            assert font["name"].getDebugName(1) == face.rename_to
            assert font["name"].getDebugName(4) == f"{face.rename_to} {style}"
            assert font["name"].getDebugName(6) == f"{face.rename_to}-{style}".replace(" ", "")
            # The file is named after its PostScript name, not the original's.
            assert face.file.rsplit(".", 1)[0] == font["name"].getDebugName(6)
        # Same flavour as the source: CFF for Noto, TrueType outlines for WenKai.
        assert font.sfntVersion == ("OTTO" if face.file.endswith(".otf") else "\0\1\0\0")
        if face in NOTO:
            assert "CJK SC" in font["name"].getDebugName(1)
            assert "CJK SC" in font["name"].getDebugName(4)


@pytest.mark.parametrize("face", fonts.FACES, ids=lambda face: face.role_family)
def test_cmap_covers_every_gb2312_hanzi(face):
    hanzi = _gb2312_hanzi()
    assert len(hanzi) == 6763
    missing = sorted(char for char in hanzi if ord(char) not in fonts.cmap(face))
    assert missing == []


@pytest.mark.parametrize("face", fonts.FACES, ids=lambda face: face.role_family)
def test_cmap_covers_the_manuscripts(face):
    # A failure here means a manuscript gained a character after the fonts were cut:
    # run 'invoke fonts'.
    text = "".join(path.read_text(encoding="utf-8")
                   for path in sorted((fonts.REPO_DIR / "manuscript").rglob("*.md")))
    missing = sorted({char for char in text
                      if unicodedata.category(char) != "Cc" and ord(char) not in fonts.cmap(face)})
    assert missing == []


@pytest.mark.parametrize("face", NOTO, ids=lambda face: face.role_family)
def test_noto_faces_keep_the_cjk_layout_features(face):
    with TTFont(fonts.FONTS_DIR / face.file) as font:
        assert {"halt", "palt", "vhal", "vpal", "kern"} <= _features(font, "GPOS")
        assert {"locl", "vert"} <= _features(font, "GSUB")


def test_kai_is_renamed_away_from_its_reserved_names():
    face = FACES["Pressroom Kai"]
    assert face.face_name == "LXGW WenKai"  # what to look for in the source
    assert set(face.reserved_names) == {"霞鹜", "LXGW"}
    assert face.rename_to == "Pressroom Kai" == face.role_family
    assert face.file == "PressroomKai-Regular.ttf"
    assert not (fonts.FONTS_DIR / "LXGWWenKai-Regular.ttf").exists()
    with TTFont(fonts.FONTS_DIR / face.file) as font:
        table = font["name"]
        # Every language, the Chinese records (霞鹜文楷 in the source) included.
        for record in table.names:
            if record.nameID in (1, 16, 21):
                assert record.toUnicode() == "Pressroom Kai", record
        assert {record.langID for record in table.names if record.nameID == 1} >= {0x409, 0x804}
        # The copyright notice and the licence stay; the description credits the original.
        assert "Copyright 2021-2023 LXGW" in table.getDebugName(0)
        assert "SIL Open Font License" in table.getDebugName(13)
        assert table.getDebugName(14)
        description = table.getDebugName(10)
        assert "subset of LXGW WenKai 1.250" in description
        assert "SIL Open Font License 1.1" in description


@pytest.mark.parametrize("face", fonts.FACES, ids=lambda face: face.role_family)
def test_no_vendored_face_is_called_by_a_reserved_name(face):
    assert face.reserved_names  # both licences declare some
    data = (fonts.FONTS_DIR / face.file).read_bytes()
    assert _reserved_name_records(data, face.reserved_names) == []
    # Nor are the subsets embedded in EPUBs, which keep the whole name table.
    assert _reserved_name_records(fonts.subset_bytes(face, SAMPLE), face.reserved_names) == []


@pytest.mark.parametrize("face", fonts.FACES, ids=lambda face: face.role_family)
def test_faces_list_the_reserved_names_their_licence_files_declare(face):
    text = (fonts.FONTS_DIR / fonts.LICENCE_FILES[face.source_package]).read_text(encoding="utf-8")
    assert set(fonts.reserved_font_names(text)) <= set(face.reserved_names)


def test_reserved_font_names_reads_the_declarations():
    assert fonts.reserved_font_names(
        'Comment:\n With Reserved Font Names "霞鹜" and "LXGW". Fonts rebuilt from unmodified\n'
        ' source code are allowed to use Reserved Font Names.') == ("霞鹜", "LXGW")
    assert fonts.reserved_font_names(
        "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.") \
        == ("Source",)
    assert fonts.reserved_font_names('with Reserved Font Names "A", "B", and "C".') == ("A", "B", "C")
    # The OFL's own uses of the term declare nothing.
    assert fonts.reserved_font_names(
        '"Reserved Font Name" refers to any names specified as such after the copyright '
        "statement(s).\n3) No Modified Version of the Font Software may use the Reserved Font\n"
        "Name(s) unless explicit written permission is granted") == ()


def test_a_reserved_name_left_in_a_face_is_a_clear_error():
    face = FACES["Pressroom Kai"]
    with TTFont(fonts.FONTS_DIR / face.file) as font:
        font["name"].setName("霞鹜文楷", 1, 3, 1, 0x804)
        unrenamed = fonts.Face(face.role_family, face.file, face.source, face.source_package,
                               face.face_name, face.weight, reserved_names=face.reserved_names)
        with pytest.raises(PressroomError, match="Reserved Font Name.*name ID 1 .*0x804.*霞鹜文楷"):
            fonts._publish_names(font, unrenamed)
        # Renaming rewrites every language.
        fonts._publish_names(font, face)
        assert font["name"].getName(1, 3, 1, 0x804).toUnicode() == "Pressroom Kai"


def test_kai_keeps_vertical_forms():
    with TTFont(fonts.FONTS_DIR / FACES["Pressroom Kai"].file) as font:
        assert "vert" in _features(font, "GSUB")


def test_sources_json_matches_the_files():
    path = fonts.FONTS_DIR / "SOURCES.json"
    text = path.read_text(encoding="utf-8")
    sources = json.loads(text)["faces"]
    # Written with sorted keys, two-space indent and a final newline, so diffs stay small.
    assert text == json.dumps({"faces": sources}, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert set(sources) == set(FACES)
    for role, entry in sources.items():
        face = FACES[role]
        assert entry["file"] == face.file
        assert entry["sha256"] == _sha256(fonts.FONTS_DIR / face.file)
        assert entry["source"] == str(face.source)
        assert entry["package"] == face.source_package
        assert entry["package_version"]
        assert entry["face_name"] == face.face_name
        assert entry["reserved_names"] == list(face.reserved_names)
        with TTFont(fonts.FONTS_DIR / face.file) as font:
            assert entry["full_name"] == font["name"].getDebugName(4)
            assert entry["postscript_name"] == font["name"].getDebugName(6)
        assert entry["licence"] == "SIL Open Font License 1.1"
        assert (fonts.FONTS_DIR / entry["licence_file"]).is_file()
        assert entry["repertoire_characters"] >= entry["characters_mapped"] > 7000


@needs_sources
def test_sources_json_matches_the_installed_packages():
    sources = json.loads((fonts.FONTS_DIR / "SOURCES.json").read_text(encoding="utf-8"))["faces"]
    for role, entry in sources.items():
        face = FACES[role]
        if entry["source_sha256"] != _sha256(face.source):
            pytest.skip(f"{face.source} differs from the one the fonts were cut from")
        assert entry["package_version"] == fonts.package_version(face.source_package)


@pytest.mark.parametrize("name, notice", [("OFL-NotoCJK.txt", "Adobe"),
                                          ("OFL-LXGWWenKai.txt", "LXGW")])
def test_licence_files_hold_the_ofl_and_the_copyright(name, notice):
    text = (fonts.FONTS_DIR / name).read_text(encoding="utf-8")
    for words in ("SIL OPEN FONT LICENSE Version 1.1", "PERMISSION & CONDITIONS",
                  "Reserved Font Name", "TERMINATION", "DISCLAIMER", "OTHER DEALINGS IN THE FONT SOFTWARE"):
        assert words in text
    assert "Copyright" in text and notice in text


def test_readme_names_faces_roles_packages_and_regeneration():
    text = (fonts.FONTS_DIR / "README.md").read_text(encoding="utf-8")
    for face in fonts.FACES:
        assert face.role_family in text and face.file in text and face.source_package in text
        assert face.face_name in text
    # Why the Kai face is renamed and the Noto faces are not.
    assert "## Names" in text
    for words in ('reserves "霞鹜" and "LXGW"', 'family "Pressroom Kai"',
                  'PostScript name "PressroomKai-Regular"', 'reserves "Source"',
                  "keeps the source's names"):
        assert words in text
    for words in ("body text", "headline", "editor's note", "invoke fonts",
                  "apt-get install fonts-noto-cjk fonts-lxgw-wenkai", "GB2312",
                  "SIL Open Font License 1.1"):
        assert words in text


def test_repertoire(tmp_path):
    article = tmp_path / "some-story" / "article.md"
    article.parent.mkdir()
    article.write_text("---\ntitle: 龘\n---\n\n𠮷野家\t开张。\r\n", encoding="utf-8")
    nested = tmp_path / "deeper" / "still" / "notes.md"
    nested.parent.mkdir(parents=True)
    nested.write_text("한\n", encoding="utf-8")
    extra = tmp_path.parent / (tmp_path.name + "-extra")
    extra.mkdir()
    (extra / "x.md").write_text("ŵ", encoding="utf-8")

    chars = fonts.repertoire(tmp_path, extra)
    assert chars == "".join(sorted(set(chars)))
    for char in "龘𠮷한ŵ啊齄■◆▲•\u3000\uff01\uff5e\u2014\u2026\u00a0\u00ff ~":
        assert char in chars
    assert not any(unicodedata.category(char) == "Cc" for char in chars)
    assert "\uff5f" not in chars and "\u4e02" not in chars  # past the ranges, not in GB2312
    assert fonts.repertoire(tmp_path) == chars.replace("ŵ", "")  # ŵ is only in the extra folder


def test_repertoire_refuses_a_missing_folder(tmp_path):
    with pytest.raises(PressroomError, match="does not exist"):
        fonts.repertoire(tmp_path / "nowhere")


@pytest.mark.parametrize("face", fonts.FACES, ids=lambda face: face.role_family)
def test_subset_bytes_maps_exactly_the_text(face):
    data = fonts.subset_bytes(face, SAMPLE)
    font = TTFont(io.BytesIO(data))
    expected = {ord(char) for char in SAMPLE if char != "\n"} | {0x20, 0x3000}
    assert set(font.getBestCmap()) == expected
    with TTFont(fonts.FONTS_DIR / face.file) as vendored:
        assert font.sfntVersion == vendored.sfntVersion
        assert _outline(font, "骨") == _outline(vendored, "骨")
    if face in NOTO:
        assert {"halt", "palt", "vhal", "vpal"} <= _features(font, "GPOS")
        assert len(data) < 60_000  # a few dozen glyphs, not the whole face
    # Reproducible, whatever the order of the text.
    assert fonts.subset_bytes(face, SAMPLE[::-1] + SAMPLE) == data


def test_subset_bytes_refuses_a_character_the_face_lacks():
    with pytest.raises(CoverageError, match="U\\+D55C"):
        fonts.subset_bytes(FACES["Pressroom Song"], "新闻한")


@needs_sources
def test_song_is_the_simplified_chinese_face():
    # The Noto collections hold JP, KR, SC, TC and HK faces over one glyph set; the SC
    # face must have been picked, by name. 骨 and 直 are drawn differently in China and
    # Japan.
    with TTFont(fonts.FONTS_DIR / FACES["Pressroom Song"].file) as vendored, \
            TTCollection(str(FACES["Pressroom Song"].source), lazy=True) as collection:
        by_name = {font["name"].getDebugName(4): font for font in collection.fonts}
        for char in "骨直":
            assert _outline(vendored, char) == _outline(by_name["Noto Serif CJK SC"], char)
            assert _outline(vendored, char) != _outline(by_name["Noto Serif CJK JP"], char)


@needs_sources
def test_a_face_missing_from_its_source_is_a_clear_error():
    face = fonts.Face("Pressroom Song", "x.otf", FACES["Pressroom Song"].source,
                      "fonts-noto-cjk", "Noto Serif CJK XX", 400)
    with pytest.raises(PressroomError, match="no face named 'Noto Serif CJK XX'.*Noto Serif CJK SC"):
        fonts._face_number(face)


def test_missing_dpkg_query_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PressroomError, match="dpkg-query is not available"):
        fonts.package_version("fonts-noto-cjk")


@pytest.mark.slow
@needs_sources
def test_make_fonts_is_reproducible(tmp_path):
    # About 20 s a run, most of it cutting Noto Serif CJK.
    first = fonts.make_fonts(tmp_path / "one")
    second = fonts.make_fonts(tmp_path / "two")
    assert [path.name for path in first] == [path.name for path in second]
    assert {path.name for path in first} == {
        *(face.file for face in fonts.FACES), "SOURCES.json", "README.md",
        "OFL-NotoCJK.txt", "OFL-LXGWWenKai.txt"}
    for one, two in zip(first, second):
        assert _sha256(one) == _sha256(two), one.name
    # No temporary file left behind by the atomic writes.
    assert sorted(path.name for path in (tmp_path / "one").iterdir()) == sorted(path.name for path in first)
