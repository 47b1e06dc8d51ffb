"""The vendored type faces: what they are, where they come from, and how they are cut.

This module owns the three faces Pressroom sets with (Song for body text, Hei for
headlines, subheads and labels, Kai for the editor's note and captions) and everything in
the repository's ``fonts/`` folder:

* ``make_fonts`` cuts each face from the font file a Debian package installs down to the
  ``repertoire`` (GB2312, the punctuation blocks and every character of the manuscripts),
  keeping every OpenType layout feature, and writes the subsets, ``SOURCES.json`` (what
  came from where, with checksums and package versions), ``README.md`` and the licence
  files. It runs rarely (``invoke fonts``) and its output is committed. A subset is a
  Modified Version under the SIL Open Font License, so a face whose licence reserves a
  name its names use is renamed (``Face.rename_to``).
* ``cmap`` tells which characters a vendored face can draw (the coverage check uses it).
* ``subset_bytes`` cuts a vendored face down to the characters of one text, for embedding
  in an EPUB.

Everything written here is reproducible: the same source fonts and manuscripts give
byte-identical files, so a diff in ``fonts/`` always means a real change.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import uharfbuzz

from .output import write_atomically
from .errors import CoverageError, PressroomError

if TYPE_CHECKING:  # fontTools is loaded only where a face is cut or renamed
    from fontTools import subset
    from fontTools.ttLib import TTFont

REPO_DIR = Path(__file__).resolve().parent.parent
FONTS_DIR = REPO_DIR / "fonts"
MANUSCRIPT_DIR = REPO_DIR / "manuscript"
TEST_MANUSCRIPTS_DIR = REPO_DIR / "tests" / "manuscripts"

SOURCES_FILE = "SOURCES.json"
README_FILE = "README.md"
LICENCE = "SIL Open Font License 1.1"
APT_HINT = "install them with 'apt-get install fonts-noto-cjk fonts-lxgw-wenkai'"


@dataclass(frozen=True)
class Face:
    """One vendored face: the family name layouts use for it and where it is cut from."""

    role_family: str  # CSS font-family used by the layouts, e.g. "Pressroom Song"
    file: str  # file name inside fonts/
    source: Path  # absolute path of the font file the Debian package installs
    source_package: str  # Debian package that installs ``source``
    face_name: str  # full name (name ID 4) of the face to take out of ``source``
    weight: int  # CSS font-weight
    # The Reserved Font Names the source's OFL declares after its copyright statement. No
    # Modified Version, and a subset is one, may be called by them: none of the
    # NAMING_IDS records of the vendored file may contain one (make_fonts checks).
    reserved_names: tuple[str, ...] = ()
    # The family name the vendored file is published under, for a face whose own names use
    # a reserved name; None keeps the source's names. ``face_name`` still names the face
    # in the source.
    rename_to: str | None = None


FACES: tuple[Face, ...] = (
    Face(
        role_family="Pressroom Song",
        file="NotoSerifCJKsc-Regular.otf",
        source=Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
        source_package="fonts-noto-cjk",
        face_name="Noto Serif CJK SC",
        weight=400,
        # Declared in upstream's LICENSE (the faces derive from Adobe's Source Han), not in
        # Debian's copyright file. No Noto name uses it: the names are kept.
        reserved_names=("Source",),
    ),
    Face(
        role_family="Pressroom Hei",
        file="NotoSansCJKsc-Bold.otf",
        source=Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
        source_package="fonts-noto-cjk",
        face_name="Noto Sans CJK SC Bold",
        weight=700,
        reserved_names=("Source",),
    ),
    Face(
        role_family="Pressroom Kai",
        file="PressroomKai-Regular.ttf",
        source=Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"),
        source_package="fonts-lxgw-wenkai",
        face_name="LXGW WenKai",
        weight=400,
        # "With Reserved Font Names "霞鹜" and "LXGW"" (Debian's copyright file): the
        # family is 霞鹜文楷 / LXGW WenKai, so the subset needs a name of its own.
        reserved_names=("霞鹜", "LXGW"),
        rename_to="Pressroom Kai",
    ),
)

# What each face is for, as README.md tells it.
# The CSS families the layouts set each part in.
SONG, HEI, KAI = "Pressroom Song", "Pressroom Hei", "Pressroom Kai"

ROLES = {
    SONG: "body text",
    HEI: "headline, subheads and labels",
    KAI: "editor's note and captions",
}

# One licence file per Debian package: the faces of one package share its copyright file.
LICENCE_FILES = {
    "fonts-noto-cjk": "OFL-NotoCJK.txt",
    "fonts-lxgw-wenkai": "OFL-LXGWWenKai.txt",
}

# The name records that name a face (family, subfamily, unique ID, full name, PostScript
# name, typographic and WWS family and subfamily, compatible full name, PostScript CID
# name, variations PostScript name prefix): none may contain a reserved name. Copyright
# (0), trademark (7), description (10) and licence (13, 14) records may mention the
# original; the OFL requires the copyright notice to stay.
NAMING_IDS = (1, 2, 3, 4, 6, 16, 17, 18, 20, 21, 22, 25)

# Marks the layouts draw that GB2312 lacks or that a manuscript may not contain.
EXTRA_CHARACTERS = "\u25a0\u25c6\u25b2\u2022"  # ■ ◆ ▲ •

# Code point ranges kept whole, beyond GB2312 (inclusive bounds).
RANGES = (
    (0x0020, 0x007E),  # printable ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement: letters and punctuation
    (0x2000, 0x206F),  # General Punctuation: dashes, quotes, ellipsis
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF01, 0xFF5E),  # Fullwidth forms of ASCII
)

# Always in an EPUB subset: readers justify and indent with these even where the text
# has none.
ALWAYS_IN_SUBSET = frozenset({0x0020, 0x3000})

# Control, unassigned, surrogate and private-use code points never belong in a font's
# repertoire: a manuscript's line breaks must not end up in a cmap.
_EXCLUDED_CATEGORIES = frozenset({"Cc", "Cn", "Cs", "Co"})


def drawable(char: str) -> bool:
    """False for control, unassigned, surrogate and private-use code points."""
    return unicodedata.category(char) not in _EXCLUDED_CATEGORIES


@functools.cache
def _gb2312() -> frozenset[str]:
    # Every two-byte code of the GB2312 grid; the codec tells which ones are assigned.
    chars = set()
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def base_characters() -> frozenset[str]:
    """GB2312, the Latin and punctuation blocks of ``RANGES`` and the layouts' marks."""
    chars = set(_gb2312())
    for first, last in RANGES:
        chars.update(chr(code) for code in range(first, last + 1))
    chars.update(EXTRA_CHARACTERS)
    return frozenset(char for char in chars if drawable(char))


def repertoire(manuscripts_dir: Path, *extra_dirs: Path) -> str:
    """The characters the vendored faces keep, sorted and without repeats.

    GB2312, printable ASCII, Latin-1 Supplement (U+00A0-U+00FF), General Punctuation,
    CJK Symbols and Punctuation, the fullwidth forms U+FF01-U+FF5E, the marks
    ■ ◆ ▲ •, and every character of every ``*.md`` under ``manuscripts_dir`` and each of
    ``extra_dirs`` (``manuscript/<slug>/article.md`` and anything nested deeper). Control,
    unassigned and private-use code points are left out.
    """
    chars = set(base_characters())
    for folder in (manuscripts_dir, *extra_dirs):
        folder = Path(folder)
        if not folder.is_dir():
            raise PressroomError(f"manuscript folder {folder} does not exist",
                                 hint="pass the folder that holds the <slug>/article.md files")
        for path in sorted(folder.rglob("*.md")):
            chars.update(path.read_text(encoding="utf-8"))
    return "".join(sorted(char for char in chars if drawable(char)))


def _default_manuscripts_dirs() -> list[Path]:
    dirs = [MANUSCRIPT_DIR]
    # Tests keep manuscripts of their own; the fonts must draw those too.
    if TEST_MANUSCRIPTS_DIR.is_dir():
        dirs.append(TEST_MANUSCRIPTS_DIR)
    return dirs


def _subset_options(font_number: int = 0, drop_hints: bool = True) -> "subset.Options":
    from fontTools import subset

    options = subset.Options()
    # Every feature. halt/palt/vhal/vpal (punctuation squeezing), locl (SC forms), kern
    # and vert make CJK setting look right; fontTools' default list keeps those but drops
    # others a layout may ask for (fwid/hwid/pwid width variants, salt, frac, sups).
    options.layout_features = ["*"]
    options.layout_scripts = ["*"]
    # The name table carries the copyright and licence notices the OFL requires.
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.glyph_names = False
    # Hints are for low-resolution screens; print and e-readers do without, and the
    # files shrink. The vendored files have none left, so subset_bytes skips the costly
    # pass that looks for them (same bytes, half the time for the CFF faces).
    options.hinting = not drop_hints
    # CFF subroutines save little once hints are gone (the vendored Song grows from 4.1
    # to 4.4 MB without them), but every later cut of a subroutinized font has to walk
    # and rebuild them: flat charstrings make subset_bytes about twice as fast.
    options.desubroutinize = True
    options.notdef_outline = True
    # By default fontTools adds the mirror image of brackets and relations (∈ brings ∋);
    # Chinese is set left to right, and a subset must map exactly what was asked for.
    options.bidi_closure = False
    # Reproducibility: keep the source's timestamps and bounds, and pack the layout tables
    # with fontTools' own packer whether or not the optional uharfbuzz is installed, so
    # that every machine writes the same bytes.
    options.recalc_timestamp = False
    options.recalc_bounds = False
    options.harfbuzz_repacker = False
    options.font_number = font_number
    return options


def _names(face: "uharfbuzz.Face") -> tuple[str, set[str]]:
    """The full name (name ID 4) and the family names (IDs 1 and 16) of a face."""
    families = {name for name in (face.get_name(1), face.get_name(16)) if name}
    return face.get_name(4) or "", families


def _face_number(face: Face) -> int:
    """Which face of ``face.source`` is ``face.face_name``: 0 for a plain font file."""
    if not face.source.is_file():
        raise PressroomError(f"source font {face.source} of {face.role_family} is missing",
                             hint=f"the Debian package {face.source_package} installs it; {APT_HINT}")
    return face_index(face.source, face.face_name)


@functools.cache
def face_index(source: Path, name: str) -> int:
    """Which face of the font file ``source`` is called ``name`` (its full name, or a
    family name that picks out a single face): 0 for a plain font file.

    Collections are searched by name, never by position: the order of the faces in a
    .ttc is the packager's choice, and a wrong index would silently give JP or TC forms.
    """
    with source.open("rb") as stream:
        is_collection = stream.read(4) == b"ttcf"
    # HarfBuzz reads the name tables without loading the font (fontTools would take a
    # tenth of a second to open a CJK collection, on every build).
    blob = uharfbuzz.Blob.from_file_path(str(source))
    count = uharfbuzz.Face(blob).count if is_collection else 1  # hb_face_count
    names = [_names(uharfbuzz.Face(blob, number)) for number in range(count)]
    found = [full for full, _ in names]
    if name in found:
        return found.index(name)
    # Fall back to the family name, but only where it picks out a single face.
    by_family = [number for number, (_, families) in enumerate(names) if name in families]
    if len(by_family) == 1:
        return by_family[0]
    raise PressroomError(
        f"{source} holds no face named {name!r} (it holds: {', '.join(found)})",
        hint="the Debian package may have changed; fix the face's name in "
             "pressroom/fonts.py (the vendored faces) or pressroom/faces.py (DESIGNS)")


def _reserved_name_records(font: TTFont, reserved_names: Sequence[str]) -> list[str]:
    """The NAMING_IDS records of ``font`` that contain a reserved name, described.

    The comparison ignores case: "Lxgw" is as much the name "LXGW" as "LXGW" is.
    """
    found = []
    for record in font["name"].names:
        if record.nameID not in NAMING_IDS:
            continue
        text = record.toUnicode(errors="replace")
        if any(name.casefold() in text.casefold() for name in reserved_names):
            found.append(f"name ID {record.nameID} (platform {record.platformID}, "
                         f"language 0x{record.langID:X}): {text!r}")
    return found


def _rename(font: TTFont, face: Face) -> None:
    """Give a cut of ``face`` its own names: ``face.rename_to`` for family and full name.

    Every record, in every language, of the family (1, 16, 21), unique ID (3), full name
    (4, 18) and PostScript name (6) is rewritten, e.g. "Pressroom Kai", "Pressroom Kai
    Regular", "PressroomKai-Regular"; subfamily records (2, 17, 22) keep the style. The
    description (10) says what the face was cut from. Copyright (0), trademark (7) and
    licence (13, 14) records are left as they are.
    """
    assert face.rename_to is not None
    table = font["name"]
    style = table.getDebugName(2) or "Regular"
    version = table.getDebugName(5) or ""
    family = face.rename_to
    full = f"{family} {style}"
    postscript = f"{family}-{style}".replace(" ", "")
    names = {1: family, 3: f"{postscript};{version.split(';')[0]}", 4: full,
             6: postscript, 16: family, 18: full, 21: family}
    for record in table.names:
        if record.nameID in names:
            record.string = names[record.nameID]
    number = re.search(r"Version\s+([^;\s]+)", version)
    original = f"{face.face_name} {number.group(1) if number else version}".strip()
    # ASCII only: the Macintosh records are Mac Roman.
    description = (f"{full} is a subset of {original}, cut by Pressroom to the characters "
                   "its pages use. It is a Modified Version under the SIL Open Font "
                   "License 1.1, renamed because that licence reserves the original's "
                   "font names.")
    # Beside every default-language family record: Macintosh English, Windows US English.
    for record in [record for record in table.names if record.nameID == 1
                   and (record.platformID, record.langID) in ((1, 0), (3, 0x409))]:
        table.setName(description, 10, record.platformID, record.platEncID, record.langID)


def _publish_names(font: TTFont, face: Face) -> None:
    """Rename a cut of ``face`` if it says so, then make sure no reserved name is left."""
    if face.rename_to is not None:
        _rename(font, face)
    found = _reserved_name_records(font, face.reserved_names)
    if found:
        raise PressroomError(
            f"the cut of {face.face_name} for {face.role_family} would be called by a "
            f"Reserved Font Name ({', '.join(face.reserved_names)}): " + "; ".join(found),
            hint="a subset is a Modified Version under the OFL; set Face.rename_to in "
                 "pressroom/fonts.py")


def _cut(source: Path | io.BytesIO, font_number: int, unicodes: set[int],
         drop_hints: bool = True, face: Face | None = None) -> tuple[bytes, frozenset[int], str]:
    """Subset one face to ``unicodes``: its bytes, the code points it maps, its copyright.

    With ``face``, the cut gets the names it is published under (``_publish_names``).
    """
    from fontTools import subset

    options = _subset_options(font_number, drop_hints)
    font = subset.load_font(source, options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        if face is not None:
            _publish_names(font, face)
        out = io.BytesIO()
        subset.save_font(font, out, options)
        return (identity_cids(out.getvalue()), frozenset(font.getBestCmap()),
                font["name"].getDebugName(0) or "")
    finally:
        font.close()


def _identity_charset(font) -> bool:
    """Number a CID-keyed CFF face so that each glyph's CID is its glyph number; True if
    anything changed.

    WeasyPrint writes a CFF font's glyph numbers as the text's codes (Identity-H), and a
    renderer that follows the standard (Acrobat, Ghostscript, a plant's RIP) takes a code
    for a CID and finds its glyph through the font's charset (ISO 32000-1, 9.7.4.2). A cut
    of a CID-keyed face (Noto CJK) keeps the source's CIDs under new glyph numbers, so such
    a renderer drew other glyphs, or none, where PDFium and poppler, which take the code
    for the glyph number, drew the right ones. The glyphs are renamed cid<glyph number>;
    their order, outlines and metrics stay as they were."""
    if "CFF " not in font:
        return False
    top = font["CFF "].cff.topDictIndex[0]
    if not hasattr(top, "ROS"):
        return False  # name-keyed: the codes are the glyph numbers already
    order = list(top.charset)
    wanted = [order[0]] + [f"cid{number:05d}" for number in range(1, len(order))]
    if wanted == order:
        return False
    strings = top.CharStrings
    strings.charStrings = {new: strings.charStrings[old] for new, old in zip(wanted, order)}
    top.charset = wanted
    font.setGlyphOrder(wanted)
    return True


def identity_cids(data: bytes) -> bytes:
    """A font file's bytes with ``_identity_charset`` made (the same bytes if nothing is
    to change): for the cuts HarfBuzz makes, which keep the source's CIDs."""
    from fontTools.ttLib import TTFont

    # Only the CFF table is read and rewritten; no new timestamp nor bounding boxes, so
    # the same cut gives the same bytes.
    with TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False,
                recalcBBoxes=False) as font:
        if not _identity_charset(font):
            return data
        out = io.BytesIO()
        font.save(out, reorderTables=False)
        return out.getvalue()


def published_as(data: bytes, face: Face) -> bytes:
    """A cut of ``face``'s source (made by another subsetter) under the names the face is
    published under: renamed where its licence reserves its own names."""
    from fontTools.ttLib import TTFont

    # The source's timestamp kept: fontTools would stamp the clock's time in the head
    # table, and the same cut, made again (another cache, another machine), would not be
    # the same bytes, nor would the PDFs that embed it.
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    try:
        _publish_names(font, face)
        out = io.BytesIO()
        font.save(out, reorderTables=False)
        return out.getvalue()
    finally:
        font.close()


def _published_names(data: bytes) -> tuple[str, str]:
    """The full name (name ID 4) and PostScript name (ID 6) of a font file's bytes."""
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(data), lazy=True) as font:
        return font["name"].getDebugName(4) or "", font["name"].getDebugName(6) or ""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def package_version(package: str) -> str:
    """The installed version of a Debian package, as ``dpkg-query`` reports it."""
    try:
        result = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                                capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise PressroomError(
            "dpkg-query is not available: the vendored fonts are cut from Debian packages",
            hint="run 'invoke fonts' on a Debian or Ubuntu machine") from None
    if result.returncode != 0 or not result.stdout.strip():
        raise PressroomError(f"Debian package {package} is not installed", hint=APT_HINT)
    return result.stdout.strip()


def _dep5_paragraphs(text: str) -> list[dict[str, list[str]]]:
    """Paragraphs of a machine-readable Debian copyright file: field -> its lines."""
    paragraphs: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] = {}
    field = None
    for line in text.splitlines():
        if not line.strip():
            if current:
                paragraphs.append(current)
            current, field = {}, None
        elif line[0] in " \t":
            if field is None:
                raise ValueError(f"continuation line outside a field: {line!r}")
            current[field].append(line)
        else:
            field, _, value = line.partition(":")
            current[field] = [value.strip()]
    if current:
        paragraphs.append(current)
    return paragraphs


def _dep5_body(lines: list[str]) -> str:
    # Continuation lines lose their leading space; a lone "." stands for an empty line.
    body = []
    for line in lines:
        line = line[1:] if line[:1] in " \t" else line
        body.append("" if line.strip() == "." else line.rstrip())
    return "\n".join(body).strip("\n")


def copyright_file(package: str) -> tuple[Path, str]:
    """The path and text of a package's Debian copyright file."""
    path = Path("/usr/share/doc") / package / "copyright"
    if not path.is_file():
        raise PressroomError(f"{path} is missing: it holds the licence of the {package} fonts",
                             hint=APT_HINT)
    return path, path.read_text(encoding="utf-8")


_RESERVED_STATEMENT = re.compile(
    r"Reserved\s+Font\s+Names?\s+((?:(?:,\s*|\s+and\s+|,\s+and\s+)?[\"'“‘][^\"'”’]+[\"'”’])+)")


def reserved_font_names(text: str) -> tuple[str, ...]:
    """The quoted names a licence text declares as Reserved Font Names, in order.

    Reads statements such as ``with Reserved Font Names "霞鹜" and "LXGW"`` or ``with
    Reserved Font Name 'Source'``; the OFL's own uses of the term are not declarations.
    """
    names: list[str] = []
    for statement in _RESERVED_STATEMENT.finditer(text):
        for name in re.findall(r"[\"'“‘]([^\"'”’]+)[\"'”’]", statement.group(1)):
            if name not in names:
                names.append(name)
    return tuple(names)


def _licence_from_copyright(package: str) -> str:
    """The copyright lines and the OFL text of a package, from its Debian copyright file.

    The text is taken from the file, never typed in: the ``Files: *`` paragraph gives the
    copyright holders and the licence's short name, and the stand-alone ``License:``
    paragraph of that name gives the full text. If the file does not have that shape,
    the whole file is copied instead.
    """
    path, text = copyright_file(package)
    if "SIL OPEN FONT LICENSE Version 1.1" not in text:
        raise PressroomError(f"{path} does not contain the SIL Open Font License 1.1",
                             hint="check the package's licence before vendoring its fonts")
    try:
        paragraphs = _dep5_paragraphs(text)
        files = next(p for p in paragraphs if p.get("Files", [""])[0] == "*")
        short_name = files["License"][0]
        licence = next(p for p in paragraphs if "Files" not in p
                       and p.get("License", [""])[0] == short_name and len(p["License"]) > 1)
    except (StopIteration, KeyError, ValueError):
        return f"(The whole of {path}:)\n\n{text.rstrip()}\n"
    body = _dep5_body(licence["License"][1:])
    if "SIL OPEN FONT LICENSE Version 1.1" not in body or "DISCLAIMER" not in body:
        return f"(The whole of {path}:)\n\n{text.rstrip()}\n"
    parts = [f"Copyright, as {path} states it for the upstream files:",
             _dep5_body([" " + files["Copyright"][0], *files["Copyright"][1:]])]
    if "Comment" in files:
        parts += ["", "Comment from the same paragraph:",
                  _dep5_body([" " + files["Comment"][0], *files["Comment"][1:]])]
    parts += ["", f"License: {short_name}", "", body]
    return "\n".join(parts) + "\n"


def _licence_file_text(package: str, version: str, notices: dict[str, str]) -> str:
    header = [f"Licence of the vendored faces cut from the Debian package {package} {version}:", ""]
    # The copyright notice inside each font (name ID 0) is the upstream's own statement
    # and is more current than the Debian file's; the OFL asks that it travel with copies.
    for face_name, notice in notices.items():
        header.append(f"Copyright notice in the font {face_name} (name ID 0):")
        header.extend(notice.replace("\r\n", "\n").replace("\r", "\n").splitlines())
        header.append("")
    return "\n".join(header) + "\n" + _licence_from_copyright(package)


def _readme(entries: dict[str, dict], characters: int) -> str:
    lines = [
        "# Fonts",
        "",
        "Written by `make_fonts` in `pressroom/fonts.py` (`invoke fonts`); do not edit by hand.",
        "",
        *_build_faces_section(),
        "## The vendored subsets",
        "",
        "| Layout family | Role | Face | File | Debian package |",
        "| --- | --- | --- | --- | --- |",
    ]
    for face in FACES:
        entry = entries[face.role_family]
        cut_from = f", cut from {face.face_name}" if face.rename_to else ""
        lines.append(f"| {face.role_family} | {ROLES[face.role_family]} | {entry['full_name']}"
                     f"{cut_from} (weight {face.weight}) | `{face.file}` | "
                     f"{entry['package']} {entry['package_version']} |")
    lines += [
        "",
        "## Where they come from",
        "",
        "Each file is a subset of the font a Debian package installs:",
        "",
    ]
    for face in FACES:
        renamed = (f" It is published as \"{entries[face.role_family]['full_name']}\" "
                   "(see *Names* below)." if face.rename_to else "")
        lines.append(f"- `{face.file}`: the face \"{face.face_name}\" of `{face.source}`, "
                     f"from the package `{face.source_package}`.{renamed}")
    lines += [
        "",
        "`SOURCES.json` records, for each file, its sha256, the source file and its sha256, "
        "and the package version. To regenerate them from the installed packages:",
        "",
        "```sh",
        "apt-get install fonts-noto-cjk fonts-lxgw-wenkai",
        "invoke fonts",
        "```",
        "",
        "The same packages and manuscripts give byte-identical files.",
        "",
        "## What they contain",
        "",
        f"The repertoire has {characters} characters: every character of GB2312, printable "
        "ASCII, Latin-1 Supplement (U+00A0-U+00FF), General Punctuation (U+2000-U+206F), "
        "CJK Symbols and Punctuation (U+3000-U+303F), fullwidth forms (U+FF01-U+FF5E), "
        "■ ◆ ▲ •, and every character of the manuscripts (`manuscript/` and "
        "`tests/manuscripts/`), less control characters. A character a face lacks in its "
        "source stays missing (see `characters_mapped` in `SOURCES.json`). All OpenType "
        "layout features are kept (`halt`, `palt`, `vhal`, `vpal`, `locl`, `kern`, `vert` "
        "among them); hinting is dropped.",
        "",
        "## Licence",
        "",
        f"All three faces are under the {LICENCE}. The copyright notices and the licence "
        "text, taken from the fonts and from the packages' `/usr/share/doc/<package>/copyright`, "
        "are in `OFL-NotoCJK.txt` (Noto Serif CJK, Noto Sans CJK) and `OFL-LXGWWenKai.txt` "
        "(LXGW WenKai). The faces are Modified Versions in the licence's sense: they may be "
        "bundled and embedded but not sold by themselves.",
        "",
        "## Names",
        "",
        "The OFL lets a font's authors declare Reserved Font Names, after the copyright "
        "statement, that no Modified Version may be called by; a subset is a Modified "
        "Version. `make_fonts` checks that no record of a vendored file's name table that "
        "names the face (name IDs " + ", ".join(str(number) for number in NAMING_IDS) +
        ", in every language) contains a reserved name of its source, and renames the faces "
        "whose own names use one:",
        "",
    ]
    for face in FACES:
        reserved = " and ".join(f"\"{name}\"" for name in face.reserved_names) or "no name"
        if face.rename_to:
            entry = entries[face.role_family]
            lines.append(
                f"- {face.face_name}: its licence reserves {reserved}, and the source's "
                f"family, full and PostScript names use them, so `{face.file}` is renamed: "
                f"family \"{face.rename_to}\", full name \"{entry['full_name']}\", "
                f"PostScript name \"{entry['postscript_name']}\", in every language. "
                "Its description (name ID 10) says which font and version it was cut from; "
                "the copyright notice (name ID 0), which the OFL requires to stay, and the "
                "licence records (13, 14) are kept as they were.")
        else:
            lines.append(
                f"- {face.face_name}: its licence reserves {reserved}, which none of its "
                f"names uses, so `{face.file}` keeps the source's names.")
    lines += [
        "",
        "Noto CJK's reserved name \"Source\" (its faces derive from Adobe's Source Han) is "
        "declared in upstream's LICENSE, not in Debian's copyright file, and is listed in "
        "`pressroom/fonts.py`. Mentioning an original by name in a description or credit, "
        "as here and in the licence files, is not calling the font by it.",
        "",
    ]
    return "\n".join(lines)


def _build_faces_section() -> list[str]:
    """How a build gets its faces (``pressroom.faces``), and why, for README.md."""
    from . import faces  # faces builds on this module

    lines = [
        "## How a build gets its faces",
        "",
        "A build sets three roles: Song (body text), Hei (headline, subheads, labels) and Kai "
        "(editor's note, captions, byline). The text's language (`lang:`, a BCP 47 tag) picks "
        "the variant of the faces:",
        "",
        "| Variant | Tags | Song | Hei | Kai |",
        "| --- | --- | --- | --- | --- |",
    ]
    tags = {"SC": "zh-CN, zh, zh-SG, zh-Hans, any tag of Simplified script",
            "TC": "zh-TW, zh-Hant, zh-Hant-TW, any other Traditional tag",
            "HK": "zh-HK, zh-MO, zh-Hant-HK"}
    for variant, roles in faces.DESIGNS.items():
        cells = [" + ".join(design.name for design in roles[family].own)
                 for family in (SONG, HEI, KAI)]
        lines.append(f"| {variant} | {tags[variant]} | " + " | ".join(cells) + " |")
    fallback = faces.DESIGNS["SC"]
    lines += [
        "",
        "Each role's face comes from one of two places:",
        "",
        "- the subset in this folder (below), when it holds every character the build "
        "needs: GB2312, the punctuation and Latin blocks and the project's manuscripts. "
        "It is the floor: a machine with pip alone sets every such article;",
        "- otherwise a cut of the whole face as the Debian package installs it, made by "
        "HarfBuzz's subsetter (`uharfbuzz`, a tenth of a second for a CJK face; fontTools "
        "takes about 20 s) to the variant's repertoire plus the build's own characters, and "
        "kept in `build/.fonts/` by what it holds, so the next build of the same text reads "
        "it back. The same source and characters give the same bytes, and the PDF and the "
        "EPUB embed only subsets of the characters they use.",
        "",
        "Why this way: vendoring every CJK Unified Ideograph and Extension A character of "
        "three faces in SC and TC would be 80 to 130 MB in the repository, and more with "
        "every regeneration; the subsets here are 11 MB. The packages are installed by "
        "`scripts/install.sh` (the README's first command), so a fresh clone sets any "
        "character the faces have with no further step. A machine without them sets what "
        "the subsets hold and names the package for anything else.",
        "",
        "`PINS.json` pins every source file a build may cut from (package, version, "
        "SHA-256); `invoke fonts` writes it. A build whose installed file differs warns "
        "once (PR506) and keys its cuts by the file it read.",
        "",
        "### Declared fallbacks",
        "",
        "A character a role's face lacks is set in the first of its fallbacks that has it, "
        "with warning PR504 naming the character, its place and both faces (`--strict` "
        "makes it an error); the line setter measures it in the face that draws it. Song "
        f"falls back on {', then '.join(d.name for d in fallback[SONG].fallbacks)} (the last "
        "resort, for Han characters only, Extension B and beyond among them); Hei and Kai "
        "fall back on their variant's Song, then the same. A character no face has (an "
        "emoji, a character newer than every face) stops the build, named with its line "
        "and column (PR200). The fallbacks are given to WeasyPrint under the role's own "
        "family with a `unicode-range` of exactly their characters, each at a weight of "
        "its own (WeasyPrint names a PDF font by family and weight, and would merge two "
        "files of one name).",
        "",
        "### House faces and a manuscript's own fonts",
        "",
        "`layouts/faces.yaml` may set a paper's own licensed faces per variant and role "
        "(`faces: {SC: {song: {file: ..., licence: ...}}}`, files beside it); a manuscript "
        "may bring fonts for characters no face has (`fonts:` in its front matter, each with "
        "its licence file beside it), tried before the fallbacks. Both are refused (PR162) "
        "when missing, outside their folder, not a font, without a licence file, or when "
        "their OS/2 `fsType` forbids embedding or subsetting.",
        "",
        "### Licences of the faces cut per build",
        "",
    ]
    for package in dict.fromkeys(design.package for design in faces.ALL_DESIGNS):
        licence = next(design.licence for design in faces.ALL_DESIGNS if design.package == package)
        lines.append(f"- `{package}`: {licence}, in `{faces.licence_file(package)}`.")
    lines += [
        "",
        "TW-Kai (`fonts-cns11643-kai`) is published by Taiwan's National Development Council "
        "under the Open Government Data License 1.0, which asks that its source be credited: "
        "a page or e-book set in it embeds a subset of TW-Kai, © National Development "
        "Council. Hanazono Mincho (`fonts-hanazono`) is taken under the Hanazono Font "
        "License (Debian offers it or the OFL), which allows modified copies freely.",
        "",
    ]
    return lines


def make_fonts(fonts_dir: Path = FONTS_DIR,
               manuscripts_dirs: Sequence[Path] | None = None) -> list[Path]:
    """Cut the vendored faces from the installed Debian fonts into ``fonts_dir``.

    ``manuscripts_dirs`` defaults to the repository's ``manuscript/`` and, if it exists,
    ``tests/manuscripts/``. Writes one font file per face, then ``SOURCES.json``,
    ``README.md`` and the licence files, each atomically, and returns their paths (fonts
    first). The output depends only on the source fonts, the package versions and the
    manuscripts' characters.
    """
    fonts_dir = Path(fonts_dir)
    fonts_dir.mkdir(parents=True, exist_ok=True)
    dirs = list(manuscripts_dirs) if manuscripts_dirs is not None else _default_manuscripts_dirs()
    if not dirs:
        raise PressroomError("make_fonts needs at least one manuscript folder")
    characters = repertoire(*dirs)
    unicodes = {ord(char) for char in characters}
    # Fail before the slow part if a package or dpkg-query is missing.
    versions = {package: package_version(package) for package in LICENCE_FILES}
    # Or if the licence reserves a name the Face does not know about.
    for face in FACES:
        path, text = copyright_file(face.source_package)
        unknown = [name for name in reserved_font_names(text) if name not in face.reserved_names]
        if unknown:
            raise PressroomError(
                f"{path} declares Reserved Font Names {', '.join(unknown)} that the face "
                f"{face.role_family} does not list",
                hint="add them to Face.reserved_names in pressroom/fonts.py")

    written: list[Path] = []
    entries: dict[str, dict] = {}
    notices: dict[str, dict[str, str]] = {package: {} for package in LICENCE_FILES}
    for face in FACES:
        number = _face_number(face)
        data, mapped, notice = _cut(face.source, number, unicodes, face=face)
        target = fonts_dir / face.file
        write_atomically(target, data)
        written.append(target)
        notices[face.source_package][face.face_name] = notice
        full_name, postscript_name = _published_names(data)
        entries[face.role_family] = {
            "file": face.file,
            "sha256": _sha256(data),
            "source": str(face.source),
            "source_sha256": _sha256(face.source.read_bytes()),
            "package": face.source_package,
            "package_version": versions[face.source_package],
            "face_name": face.face_name,
            "full_name": full_name,
            "postscript_name": postscript_name,
            "reserved_names": list(face.reserved_names),
            "weight": face.weight,
            "licence": LICENCE,
            "licence_file": LICENCE_FILES[face.source_package],
            "repertoire_characters": len(characters),
            "characters_mapped": len(unicodes & mapped),
        }

    for package, name in LICENCE_FILES.items():
        target = fonts_dir / name
        write_atomically(target, _licence_file_text(package, versions[package], notices[package])
                      .encode("utf-8"))
        written.append(target)
    sources = json.dumps({"faces": entries}, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    write_atomically(fonts_dir / SOURCES_FILE, sources.encode("utf-8"))
    write_atomically(fonts_dir / README_FILE, _readme(entries, len(characters)).encode("utf-8"))
    written += [fonts_dir / SOURCES_FILE, fonts_dir / README_FILE]
    # The cached cmaps and bytes may describe the files just replaced.
    cmap.cache_clear()
    _vendored_bytes.cache_clear()
    return written


@functools.cache
def _vendored_bytes(face: Face) -> bytes:
    path = FONTS_DIR / face.file
    if not path.is_file():
        raise PressroomError(f"vendored font {path} is missing", hint="run 'invoke fonts'")
    return path.read_bytes()


@functools.cache
def cmap(face: Face) -> frozenset[int]:
    """The code points the vendored file of ``face`` maps to a glyph."""
    return frozenset(_hb_face(face).unicodes)


def _hb_face(face: Face) -> "uharfbuzz.Face":
    path = FONTS_DIR / face.file
    if not path.is_file():
        raise PressroomError(f"vendored font {path} is missing", hint="run 'invoke fonts'")
    # Mapped, not read: a build looks at the cmap and metrics, not at every glyph.
    return uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)))


def subset_bytes(face: Face, text: str) -> bytes:
    """The vendored ``face`` cut down to the characters of ``text``, for an EPUB.

    The result maps exactly the characters of ``text`` plus U+0020 and U+3000 (control
    characters such as line breaks are ignored), keeps every layout feature that still
    applies to them, and has the source's flavour (CFF .otf or TrueType .ttf, no WOFF).
    The same face and set of characters always give the same bytes. A character the face
    lacks is a ``CoverageError``: an EPUB must not depend on a reader's fallback font.
    """
    wanted = {ord(char) for char in text if drawable(char)} | ALWAYS_IN_SUBSET
    missing = sorted(wanted - cmap(face))
    if missing:
        shown = " ".join(f"{chr(code)} (U+{code:04X})" for code in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        raise CoverageError(f"{face.role_family} ({face.file}) has no glyph for {shown}{more}",
                            hint="run 'invoke fonts' to add it from the source font, "
                                 "or replace the character")
    return _cut(io.BytesIO(_vendored_bytes(face)), 0, wanted, drop_hints=False)[0]


@functools.cache
def vertical_metrics(family: str) -> tuple[float, float]:
    """The ascent and descent (per em, from ``hhea``, as Pango reads them) of the face
    the layouts call ``family``: where a line's baseline falls in its line box."""
    face = _hb_face(next(face for face in FACES if face.role_family == family))
    extents = uharfbuzz.Font(face).get_font_extents("ltr")  # hhea's, as Pango's
    return extents.ascender / face.upem, -extents.descender / face.upem


def baseline(family: str, size: float, line_height: float) -> float:
    """How far below the top of its line box a line of ``size`` pt type of ``family``
    stands, in a box ``line_height`` pt tall (CSS: half the leading above the ascent)."""
    ascent, descent = vertical_metrics(family)
    return (line_height - (ascent + descent) * size) / 2 + ascent * size
