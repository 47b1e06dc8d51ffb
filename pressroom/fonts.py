"""The vendored type faces: what they are, where they come from, and how they are cut.

This module owns the three faces Pressroom sets with (Song for body text, Hei for
headlines, subheads and labels, Kai for the editor's note and captions) and everything in
the repository's ``fonts/`` folder:

* ``make_fonts`` cuts each face from the font file a Debian package installs down to the
  ``repertoire`` (GB2312, the punctuation blocks and every character of the manuscripts),
  keeping every OpenType layout feature, and writes the subsets, ``SOURCES.json`` (what
  came from where, with checksums and package versions), ``README.md`` and the licence
  files. It runs rarely (``invoke fonts``) and its output is committed.
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
import os
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

from .errors import CoverageError, PressroomError

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


FACES: tuple[Face, ...] = (
    Face(
        role_family="Pressroom Song",
        file="NotoSerifCJKsc-Regular.otf",
        source=Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
        source_package="fonts-noto-cjk",
        face_name="Noto Serif CJK SC",
        weight=400,
    ),
    Face(
        role_family="Pressroom Hei",
        file="NotoSansCJKsc-Bold.otf",
        source=Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
        source_package="fonts-noto-cjk",
        face_name="Noto Sans CJK SC Bold",
        weight=700,
    ),
    Face(
        role_family="Pressroom Kai",
        file="LXGWWenKai-Regular.ttf",
        source=Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"),
        source_package="fonts-lxgw-wenkai",
        face_name="LXGW WenKai",
        weight=400,
    ),
)

# What each face is for, as README.md tells it.
ROLES = {
    "Pressroom Song": "body text",
    "Pressroom Hei": "headline, subheads and labels",
    "Pressroom Kai": "editor's note and captions",
}

# One licence file per Debian package: the faces of one package share its copyright file.
LICENCE_FILES = {
    "fonts-noto-cjk": "OFL-NotoCJK.txt",
    "fonts-lxgw-wenkai": "OFL-LXGWWenKai.txt",
}

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


def _drawable(char: str) -> bool:
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


def repertoire(manuscripts_dir: Path, *extra_dirs: Path) -> str:
    """The characters the vendored faces keep, sorted and without repeats.

    GB2312, printable ASCII, Latin-1 Supplement (U+00A0-U+00FF), General Punctuation,
    CJK Symbols and Punctuation, the fullwidth forms U+FF01-U+FF5E, the marks
    ■ ◆ ▲ •, and every character of every ``*.md`` under ``manuscripts_dir`` and each of
    ``extra_dirs`` (``manuscript/<slug>/article.md`` and anything nested deeper). Control,
    unassigned and private-use code points are left out.
    """
    chars = set(_gb2312())
    for first, last in RANGES:
        chars.update(chr(code) for code in range(first, last + 1))
    chars.update(EXTRA_CHARACTERS)
    for folder in (manuscripts_dir, *extra_dirs):
        folder = Path(folder)
        if not folder.is_dir():
            raise PressroomError(f"manuscript folder {folder} does not exist",
                                 hint="pass the folder that holds the <slug>/article.md files")
        for path in sorted(folder.rglob("*.md")):
            chars.update(path.read_text(encoding="utf-8"))
    return "".join(sorted(char for char in chars if _drawable(char)))


def _default_manuscripts_dirs() -> list[Path]:
    dirs = [MANUSCRIPT_DIR]
    # Tests keep manuscripts of their own; the fonts must draw those too.
    if TEST_MANUSCRIPTS_DIR.is_dir():
        dirs.append(TEST_MANUSCRIPTS_DIR)
    return dirs


def _subset_options(font_number: int = 0, drop_hints: bool = True) -> subset.Options:
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


def _names(font: TTFont) -> tuple[str, set[str]]:
    """The full name (name ID 4) and the family names (IDs 1 and 16) of a face."""
    table = font["name"]
    full = table.getDebugName(4) or ""
    families = {name for name in (table.getDebugName(1), table.getDebugName(16)) if name}
    return full, families


def _face_number(face: Face) -> int:
    """Which face of ``face.source`` is ``face.face_name``: 0 for a plain font file.

    Collections are searched by name, never by position: the order of the faces in a
    .ttc is the packager's choice, and a wrong index would silently give JP or TC forms.
    """
    if not face.source.is_file():
        raise PressroomError(f"source font {face.source} of {face.role_family} is missing",
                             hint=f"the Debian package {face.source_package} installs it; {APT_HINT}")
    with face.source.open("rb") as stream:
        is_collection = stream.read(4) == b"ttcf"
    opened = TTCollection(str(face.source), lazy=True) if is_collection else TTFont(
        str(face.source), lazy=True)
    with opened:
        names = [_names(font) for font in (opened.fonts if is_collection else [opened])]
    found = [full for full, _ in names]
    if face.face_name in found:
        return found.index(face.face_name)
    # Fall back to the family name, but only where it picks out a single face.
    by_family = [number for number, (_, families) in enumerate(names) if face.face_name in families]
    if len(by_family) == 1:
        return by_family[0]
    raise PressroomError(
        f"{face.source} holds no face named {face.face_name!r} (it holds: {', '.join(found)})",
        hint="the Debian package may have changed; fix Face.face_name in pressroom/fonts.py")


def _cut(source: Path | io.BytesIO, font_number: int, unicodes: set[int],
         drop_hints: bool = True) -> tuple[bytes, frozenset[int], str]:
    """Subset one face to ``unicodes``: its bytes, the code points it maps, its copyright."""
    options = _subset_options(font_number, drop_hints)
    font = subset.load_font(source, options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        out = io.BytesIO()
        subset.save_font(font, out, options)
        return out.getvalue(), frozenset(font.getBestCmap()), font["name"].getDebugName(0) or ""
    finally:
        font.close()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    # A half-written font must never be left where WeasyPrint would pick it up: write
    # beside the target, then rename over it in one step.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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


def _licence_from_copyright(package: str) -> str:
    """The copyright lines and the OFL text of a package, from its Debian copyright file.

    The text is taken from the file, never typed in: the ``Files: *`` paragraph gives the
    copyright holders and the licence's short name, and the stand-alone ``License:``
    paragraph of that name gives the full text. If the file does not have that shape,
    the whole file is copied instead.
    """
    path = Path("/usr/share/doc") / package / "copyright"
    if not path.is_file():
        raise PressroomError(f"{path} is missing: it holds the licence of the {package} fonts",
                             hint=APT_HINT)
    text = path.read_text(encoding="utf-8")
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
        "# Vendored fonts",
        "",
        "Written by `make_fonts` in `pressroom/fonts.py` (`invoke fonts`); do not edit by hand.",
        "",
        "| Layout family | Role | Face | File | Debian package |",
        "| --- | --- | --- | --- | --- |",
    ]
    for face in FACES:
        entry = entries[face.role_family]
        lines.append(f"| {face.role_family} | {ROLES[face.role_family]} | {face.face_name} "
                     f"(weight {face.weight}) | `{face.file}` | "
                     f"{entry['package']} {entry['package_version']} |")
    lines += [
        "",
        "## Where they come from",
        "",
        "Each file is a subset of the font a Debian package installs:",
        "",
    ]
    for face in FACES:
        lines.append(f"- `{face.file}`: the face \"{face.face_name}\" of `{face.source}`, "
                     f"from the package `{face.source_package}`.")
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
    ]
    return "\n".join(lines)


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

    written: list[Path] = []
    entries: dict[str, dict] = {}
    notices: dict[str, dict[str, str]] = {package: {} for package in LICENCE_FILES}
    for face in FACES:
        number = _face_number(face)
        data, mapped, notice = _cut(face.source, number, unicodes)
        target = fonts_dir / face.file
        _write_atomic(target, data)
        written.append(target)
        notices[face.source_package][face.face_name] = notice
        entries[face.role_family] = {
            "file": face.file,
            "sha256": _sha256(data),
            "source": str(face.source),
            "source_sha256": _sha256(face.source.read_bytes()),
            "package": face.source_package,
            "package_version": versions[face.source_package],
            "face_name": face.face_name,
            "weight": face.weight,
            "licence": LICENCE,
            "licence_file": LICENCE_FILES[face.source_package],
            "repertoire_characters": len(characters),
            "characters_mapped": len(unicodes & mapped),
        }

    for package, name in LICENCE_FILES.items():
        target = fonts_dir / name
        _write_atomic(target, _licence_file_text(package, versions[package], notices[package])
                      .encode("utf-8"))
        written.append(target)
    sources = json.dumps({"faces": entries}, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    _write_atomic(fonts_dir / SOURCES_FILE, sources.encode("utf-8"))
    _write_atomic(fonts_dir / README_FILE, _readme(entries, len(characters)).encode("utf-8"))
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
    font = TTFont(io.BytesIO(_vendored_bytes(face)), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def subset_bytes(face: Face, text: str) -> bytes:
    """The vendored ``face`` cut down to the characters of ``text``, for an EPUB.

    The result maps exactly the characters of ``text`` plus U+0020 and U+3000 (control
    characters such as line breaks are ignored), keeps every layout feature that still
    applies to them, and has the source's flavour (CFF .otf or TrueType .ttf, no WOFF).
    The same face and set of characters always give the same bytes. A character the face
    lacks is a ``CoverageError``: an EPUB must not depend on a reader's fallback font.
    """
    wanted = {ord(char) for char in text if _drawable(char)} | ALWAYS_IN_SUBSET
    missing = sorted(wanted - cmap(face))
    if missing:
        shown = " ".join(f"{chr(code)} (U+{code:04X})" for code in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        raise CoverageError(f"{face.role_family} ({face.file}) has no glyph for {shown}{more}",
                            hint="run 'invoke fonts' to add it from the source font, "
                                 "or replace the character")
    return _cut(io.BytesIO(_vendored_bytes(face)), 0, wanted, drop_hints=False)[0]
