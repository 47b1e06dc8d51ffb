"""Which faces set a build, and the font files they are drawn from.

Pressroom sets three roles: Song (body text), Hei (headline, subheads, labels) and Kai
(editor's note, captions, byline). Which design fills a role follows the text's language
(``pressroom.lang``): Simplified text is set in the SC faces of Noto Serif and Noto Sans
CJK and in LXGW WenKai, Traditional text in their TC or HK faces and in TW-Kai (Taiwan's
CNS 11643 Kai). ``DESIGNS`` is that table.

Every design is a face of a font file that a Debian package installs, pinned in
``fonts/PINS.json`` (package, version, SHA-256). A build draws each face from one of
two places:

* the subset in the repository's ``fonts/`` (GB2312 and the punctuation blocks: the floor,
  which a machine with pip alone has), when it holds every character the build needs;
* otherwise a cut of the installed source font, made with HarfBuzz's subsetter (a tenth
  of a second for a whole CJK face) to the variant's repertoire plus the build's own
  characters, and kept under ``build/.fonts/`` by what it holds, so the next build of the
  same text reads it back. The same source and characters always give the same bytes.

A character a role's face lacks is drawn by the role's declared fallbacks, in order (a
rare name in a Kai caption by the Song face, a character of CJK Extension B and beyond by
Hanazono Mincho), and the coverage guard says so (PR504). The fallback faces are given to
the renderer under the role's own family with a ``unicode-range`` of exactly those
characters, so the layouts never name them, and the line setter measures each such
character in the face that draws it.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Container, Iterable, Mapping

import uharfbuzz
import yaml

from . import fonts, labels
from .errors import CoverageError, Location, ManuscriptError, PressroomError, PressroomWarning, StrictError, active_diagnostics
from .fonts import FONTS_DIR, HEI, KAI, SONG
from .lang import Convention, convention
from .fingerprint import stat_digest
from .output import cache_folder, write_atomically, write_cached

CACHE_DIR = fonts.REPO_DIR / "build" / ".fonts"
MAX_CACHED = 64  # cuts kept in the cache; the oldest go first
CUT_VERSION = 3  # raised when a cut is made differently (flags, names): old cuts are not reused
UNUSED_FOR = 24 * 3600  # seconds: a cut used more recently is never removed

NOTO_SERIF = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
NOTO_SANS_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
WENKAI = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
TW_KAI_DIR = Path("/usr/share/fonts/truetype/cns11643")
HANAZONO_DIR = Path("/usr/share/fonts/truetype/hanazono")

OFL = "SIL Open Font License 1.1"
OGDL_TW = "Open Government Data License, version 1.0 (Taiwan)"
HANAZONO = "Hanazono Font License"


@dataclass(frozen=True)
class Design:
    """One face of a font file a Debian package installs."""

    key: str  # short and stable: names its cuts in the cache
    name: str  # the face's full name (name ID 4) in ``source``; a collection is searched by it
    source: Path
    package: str
    licence: str
    # The subset of this face in fonts/ (``pressroom.fonts.FACES``), for the SC faces.
    vendored: fonts.Face | None = None
    # A last resort draws Han characters only: its emoji and symbols are not a paper's.
    ideographs_only: bool = False

    @property
    def installed(self) -> bool:
        return self.source.is_file()


SONG_SC = Design("song-sc", "Noto Serif CJK SC", NOTO_SERIF, "fonts-noto-cjk", OFL, fonts.FACES[0])
HEI_SC = Design("hei-sc", "Noto Sans CJK SC Bold", NOTO_SANS_BOLD, "fonts-noto-cjk", OFL,
                fonts.FACES[1])
KAI_SC = Design("kai-sc", "LXGW WenKai", WENKAI, "fonts-lxgw-wenkai", OFL, fonts.FACES[2])
SONG_TC = Design("song-tc", "Noto Serif CJK TC", NOTO_SERIF, "fonts-noto-cjk", OFL)
HEI_TC = Design("hei-tc", "Noto Sans CJK TC Bold", NOTO_SANS_BOLD, "fonts-noto-cjk", OFL)
SONG_HK = Design("song-hk", "Noto Serif CJK HK", NOTO_SERIF, "fonts-noto-cjk", OFL)
HEI_HK = Design("hei-hk", "Noto Sans CJK HK Bold", NOTO_SANS_BOLD, "fonts-noto-cjk", OFL)
# TW-Kai comes in three files: the CNS 11643 planes of the BMP, Extension B, and the rest.
KAI_TW = Design("kai-tw", "TW-Kai", TW_KAI_DIR / "TW-Kai-98_1.ttf", "fonts-cns11643-kai", OGDL_TW)
KAI_TW_EXT_B = Design("kai-tw-ext-b", "TW-Kai-Ext-B", TW_KAI_DIR / "TW-Kai-Ext-B-98_1.ttf",
                      "fonts-cns11643-kai", OGDL_TW)
KAI_TW_PLUS = Design("kai-tw-plus", "TW-Kai-Plus", TW_KAI_DIR / "TW-Kai-Plus-98_1.ttf",
                     "fonts-cns11643-kai", OGDL_TW)
# The last resort: GlyphWiki's Hanazono Mincho, A for the BMP, B for the planes beyond.
# Debian ships it under the Hanazono Font License or the OFL; Pressroom takes the former,
# which reserves no name.
MINCHO_A = Design("mincho-a", "HanaMinA", HANAZONO_DIR / "HanaMinA.ttf", "fonts-hanazono",
                  HANAZONO, ideographs_only=True)
MINCHO_B = Design("mincho-b", "HanaMinB", HANAZONO_DIR / "HanaMinB.ttf", "fonts-hanazono",
                  HANAZONO, ideographs_only=True)
LAST_RESORT = (MINCHO_A, MINCHO_B)


def needs_glyph(char: str) -> bool:
    """Every character but white space, controls, format characters and variation
    selectors (which choose a form of the character before them): one unassigned in this
    Python's Unicode (a newer extension's ideograph) or of a private use area (a house
    font's rare character) needs a glyph too."""
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return False
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Cs")


def is_ideograph(code: int) -> bool:
    """A CJK Unified or Compatibility Ideograph: the BMP blocks and Extension A, and the
    supplementary planes 2 and 3 (Extensions B to I and the compatibility supplement)."""
    return (0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3FFFF)


@dataclass(frozen=True)
class Role:
    """What sets one role in one variant: its own face (in one file or several) and the
    faces of other roles that draw what it lacks."""

    own: tuple[Design, ...]
    fallbacks: tuple[Design, ...]


def _roles(song: Design, hei: Design, kai: tuple[Design, ...]) -> dict[str, Role]:
    # Song is the fallback of the other two: it is the fullest face of each variant, and a
    # light rare character in a bold headline reads better than a box.
    return {SONG: Role((song,), LAST_RESORT),
            HEI: Role((hei,), (song, *LAST_RESORT)),
            KAI: Role(kai, (song, *LAST_RESORT))}


# Variant (``pressroom.lang.Convention.variant``) -> role -> designs.
DESIGNS: dict[str, dict[str, Role]] = {
    "SC": _roles(SONG_SC, HEI_SC, (KAI_SC,)),
    "TC": _roles(SONG_TC, HEI_TC, (KAI_TW, KAI_TW_EXT_B, KAI_TW_PLUS)),
    "HK": _roles(SONG_HK, HEI_HK, (KAI_TW, KAI_TW_EXT_B, KAI_TW_PLUS)),
}
WEIGHTS = {SONG: 400, HEI: 700, KAI: 400}


def source_files() -> list[Path]:
    """Every system font file a declared face is cut from: what a build's manifest
    fingerprints (house and manuscript faces lie in folders it hashes anyway)."""
    return sorted({design.source for roles in DESIGNS.values() for role in roles.values()
                   for design in (*role.own, *role.fallbacks)})
# WeasyPrint names a font in the PDF by its family, weight and style alone, so two files
# declared under one family and weight would be merged into one font (and the second's
# glyphs lost). Each further file of a role is declared at a weight of its own, near the
# role's and never one that makes fontconfig embolden it: the text still asks for the
# role's weight, whose own face is the exact match, and a further file is taken only for
# the characters of its unicode-range.
FURTHER_WEIGHTS = {400: (500, 300, 600, 200, 700, 100, 800, 900), 700: (600, 800, 900)}

ALL_DESIGNS: tuple[Design, ...] = tuple(dict.fromkeys(
    design for roles in DESIGNS.values() for role in roles.values()
    for design in (*role.own, *role.fallbacks)))


@dataclass(frozen=True)
class BuildFace:
    """One font file a build gives the renderer and the line setter for one role."""

    family: str  # the role's CSS family, which the layouts name
    design: Design
    path: Path  # a subset in fonts/, or a cut in the cache
    weight: int
    # For a further file (a fallback, or a second file of the role's face), exactly the
    # characters it draws for this role (its unicode-range); None for the role's own
    # face, which draws everything it has.
    characters: frozenset[int] | None = None

    @property
    def fallback(self) -> bool:
        """Drawn only for the characters of its unicode-range."""
        return self.characters is not None

    @property
    def unicode_range(self) -> str:
        return ", ".join(f"U+{code:X}" for code in sorted(self.characters or ()))


@dataclass(frozen=True)
class Fallback:
    """A character set in a fallback face: which role asked and which design drew it."""

    char: str
    family: str
    role_face: Design
    drawn_by: Design


@dataclass(frozen=True)
class Typefaces:
    """The faces of one build: for each role, its own face first, then its fallbacks."""

    convention: Convention
    faces: tuple[BuildFace, ...]
    fallbacks: tuple[Fallback, ...] = ()
    missing: tuple[tuple[str, str], ...] = ()  # (family, character) no face has
    # Characters the role's face would have from its source, which is not installed.
    uninstalled: tuple[tuple[str, str, Design], ...] = ()

    def of(self, family: str) -> tuple[BuildFace, ...]:
        return tuple(face for face in self.faces if face.family == family)

    def own(self, family: str) -> BuildFace:
        return self.of(family)[0]

    @property
    def lang(self) -> str:
        return self.convention.tag

    @functools.cached_property
    def files_key(self) -> str:
        """The faces' files as a cache of what they measure is keyed: a per-build cut by
        its name (the name is a digest of what the cut holds; its time is touched each
        time a build uses it), any other file by size and time."""
        cuts = [face.path for face in self.faces if _is_cut(face.path)]
        others = [face.path for face in self.faces if not _is_cut(face.path)]
        return hashlib.sha256("\n".join([*(path.name for path in cuts),
                                          stat_digest(others)]).encode()).hexdigest()

    @functools.cached_property
    def signature(self) -> str:
        """Names the faces: two builds with one signature set Latin runs alike."""
        described = "\n".join(f"{face.family}|{face.path}|{face.unicode_range}"
                              for face in self.faces)
        return hashlib.sha256(f"{self.lang}\n{described}".encode()).hexdigest()


# -- what a design holds ---------------------------------------------------------------

@dataclass(frozen=True, eq=False)  # compared and hashed as itself: HarfBuzz's set is neither
class Repertoire:
    """What a design can draw, asked a code point at a time. An installed face's is
    HarfBuzz's own set (a few kB), never a Python set of its 45,000 code points: that is
    3 MB a face, 17 MB of a build's faces and fallbacks, kept for the whole build."""

    codes: Container[int]

    def __contains__(self, code: int) -> bool:
        return code in self.codes

    def common(self, codes: Iterable[int]) -> frozenset[int]:
        """Those of ``codes`` the design can draw."""
        return frozenset(code for code in codes if code in self.codes)


@functools.cache
def _source_cmap(path: Path, name: str, stamp: tuple[int, int]) -> Repertoire:
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)), fonts.face_index(path, name))
    return Repertoire(face.unicodes)


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def design_cmap(design: Design) -> Repertoire:
    """What the design can draw on this machine: its whole source if installed, else its
    subset in fonts/, else nothing."""
    if design.installed:
        return _source_cmap(design.source, design.name, _stamp(design.source))
    if design.vendored is not None:
        return Repertoire(fonts.cmap(design.vendored))
    return Repertoire(frozenset())


# -- pins ---------------------------------------------------------------------------------

PINS_FILE = "PINS.json"


@functools.cache
def pins() -> Mapping[str, dict]:
    """The pinned source files (``fonts/PINS.json``): path -> package, version, sha256."""
    try:
        return json.loads((FONTS_DIR / PINS_FILE).read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError):
        return {}


def pin_sources(fonts_dir: Path = FONTS_DIR) -> list[Path]:
    """Record every design's installed source (package, version, SHA-256) in
    ``fonts/PINS.json``, and copy the licence of each package whose faces no subset in
    fonts/ carries (those are written by ``pressroom.fonts.make_fonts``)."""
    sources: dict[str, dict] = {}
    licences: dict[str, str] = {}
    for design in ALL_DESIGNS:
        entry = sources.setdefault(str(design.source), {
            "package": design.package,
            "version": fonts.package_version(design.package),
            "sha256": _sha256(design.source, _stamp(design.source)),
            "licence": design.licence,
            "faces": [],
        })
        entry["faces"].append(design.name)
        if design.package not in fonts.LICENCE_FILES:
            licences[design.package] = design.licence
    written = []
    for package, licence in sorted(licences.items()):
        path, text = fonts.copyright_file(package)
        target = fonts_dir / licence_file(package)
        body = (f"Licence of the faces Pressroom cuts, per build, from the Debian package "
                f"{package} {fonts.package_version(package)} ({licence}):\n\n"
                f"(The whole of {path}:)\n\n{text.rstrip()}\n")
        written.append(write_atomically(target, body.encode("utf-8")))
    document = json.dumps({"sources": sources}, sort_keys=True, indent=2, ensure_ascii=False)
    written.append(write_atomically(fonts_dir / PINS_FILE, (document + "\n").encode("utf-8")))
    pins.cache_clear()
    return written


def licence_file(package: str) -> str:
    """The file in fonts/ that holds a package's licence."""
    return fonts.LICENCE_FILES.get(package) or f"LICENCE-{package}.txt"


@functools.cache
def _sha256(path: Path, stamp: tuple[int, int]) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked_source(design: Design) -> str:
    """The SHA-256 of the design's installed source, warning (PR506) once a run where it
    is not the pinned file: the build goes on, but its outputs differ from a machine
    with the pinned package."""
    actual = _sha256(design.source, _stamp(design.source))
    if not design.package:
        return actual  # a house or manuscript font: the file itself is the record
    pin = pins().get(str(design.source))
    diagnostics = active_diagnostics()
    if (pin is None or pin.get("sha256") != actual) and diagnostics.first_time(
            f"PR506 {design.source}"):
        pinned = (f"{pin.get('package')} {pin.get('version')}" if pin else "no version")
        warning = PressroomWarning(
            "PR506", f"{design.source} (from {design.package}) is not the file Pressroom "
                     f"pins ({pinned}): pages set with it may differ from another machine's",
            hint="install the pinned version, or run 'invoke fonts' to pin the installed one")
        if diagnostics.strict:
            raise StrictError.from_warning(warning)
        diagnostics.warn(warning)
    return actual


# -- cutting ------------------------------------------------------------------------------

def _hb_cut(design: Design, unicodes: frozenset[int]) -> bytes:
    """The design's source cut to ``unicodes``."""
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(design.source)),
                          fonts.face_index(design.source, design.name))
    return _subset(face, unicodes, design.source)


def _subset(face: uharfbuzz.Face, unicodes: frozenset[int], path: Path) -> bytes:
    """``face`` cut to ``unicodes`` by HarfBuzz: every layout feature, every name record
    (the copyright and licence notices travel with the font), no hinting."""
    wanted = uharfbuzz.SubsetInput()
    for code in sorted(unicodes):
        wanted.unicode_set.add(code)
    for kind in (uharfbuzz.SubsetInputSets.LAYOUT_FEATURE_TAG,
                 uharfbuzz.SubsetInputSets.NAME_ID,
                 uharfbuzz.SubsetInputSets.NAME_LANG_ID,
                 uharfbuzz.SubsetInputSets.LAYOUT_SCRIPT_TAG):
        wanted.sets(kind).clear()
        wanted.sets(kind).invert()  # all of them
    wanted.flags = uharfbuzz.SubsetFlags.NO_HINTING | uharfbuzz.SubsetFlags.DESUBROUTINIZE
    try:
        cut = uharfbuzz.subset(face, wanted)
    except RuntimeError as error:  # a damaged font: HarfBuzz opens it but cannot cut it
        raise PressroomError(f"HarfBuzz could not cut a subset of {path}: {error}",
                             hint="the font file may be damaged; replace it") from None
    return cut.blob.data


def _cut(design: Design, unicodes: frozenset[int], cache_dir: Path) -> Path:
    """A cut of ``design`` holding ``unicodes``, from the cache or made now."""
    source_sha = _checked_source(design)
    key = hashlib.sha256(
        f"{design.key}\n{design.name}\n{source_sha}\nhb {uharfbuzz.__version__}\n"
        f"cut {CUT_VERSION}\n".encode()
        + ",".join(map(str, sorted(unicodes))).encode()).hexdigest()[:24]
    suffix = ".otf" if design.source.suffix in (".ttc", ".otf") else ".ttf"
    path = cache_dir / f"{design.key}-{key}{suffix}"
    if not path.is_file():
        data = fonts.identity_cids(_hb_cut(design, unicodes))
        if design.vendored is not None and design.vendored.rename_to:
            data = fonts.published_as(data, design.vendored)
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_cached(path, data)
        _trim(cache_dir)
    else:
        try:
            os.utime(path)  # the cache keeps what is used
        except FileNotFoundError:  # trimmed by another build this instant: cut it again
            return _cut(design, unicodes, cache_dir)
    return path


_CUT_NAME = re.compile(r"-[0-9a-f]{24}\.[ot]tf$")  # <design key>-<digest>.otf, from _cut


def _is_cut(path: Path) -> bool:
    return path.parent.name == CACHE_DIR.name and bool(_CUT_NAME.search(path.name))


def _trim(cache_dir: Path) -> None:
    """Past ``MAX_CACHED`` cuts, remove the oldest of those unused for a day: a build
    running beside this one touched its own when it chose them."""
    now = time.time()
    cuts = []
    for path in cache_dir.glob("*.[ot]tf"):
        try:
            cuts.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    cuts.sort()
    for used, old in cuts[:-MAX_CACHED]:
        if now - used > UNUSED_FOR:
            old.unlink(missing_ok=True)


@functools.cache
def base_repertoire(variant: str) -> frozenset[int]:
    """What every cut of a role's own face holds besides the build's own characters, so
    that the labels Pressroom prints need no look-up: for Simplified the repertoire of the
    subsets in fonts/ (GB2312 and the punctuation and Latin blocks), for Traditional the
    punctuation and Latin blocks and the labels' characters (a cut of Big5 would be 20 MB
    of Kai for every page)."""
    if variant == "SC":
        chars = set(fonts.base_characters())
    else:
        chars = {chr(code) for first, last in fonts.RANGES for code in range(first, last + 1)}
        chars |= set(fonts.EXTRA_CHARACTERS)
    chars |= labels.characters()
    return frozenset(ord(char) for char in chars if fonts.drawable(char))


# -- house faces and a manuscript's own fonts ------------------------------------------------

HOUSE_FILE = fonts.REPO_DIR / "layouts" / "faces.yaml"
ROLE_KEYS = {"song": SONG, "hei": HEI, "kai": KAI}
# OS/2 fsType bits that forbid what a build does: restricted licence embedding (1), no
# subsetting (8), bitmap embedding only (9).
FORBIDDING_FS_TYPE = {0x0002: "its licence forbids embedding it (restricted licence)",
                      0x0100: "its licence forbids embedding a subset of it",
                      0x0200: "its licence allows embedding its bitmaps only"}


def _font_error(message: str, where: Location, hint: str | None = None) -> ManuscriptError:
    """A house face or a manuscript's font that cannot be used (PR162)."""
    return ManuscriptError(message, where, hint, code="PR162")


def font_file_problem(path: Path) -> str | None:
    """What keeps a font file from being set and embedded, in a few words; None if
    nothing does."""
    if not path.is_file():
        return "is not there"
    try:
        face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)))
        if not face.glyph_count or not face.unicodes:
            return "is not a font (no glyphs, or no character map)"
        os2 = face.reference_table("OS/2").data
    except Exception:  # HarfBuzz raises its own errors for a file it cannot open
        return "is not a font HarfBuzz can read"
    fs_type = int.from_bytes(os2[8:10], "big") if len(os2) >= 10 else 0
    # Installable (0) and editable (8) embedding allow what a build does, whatever more
    # restrictive bit is set beside them (the least restrictive bit rules).
    if not fs_type & 0x0008:
        found = next((text for bit, text in FORBIDDING_FS_TYPE.items() if fs_type & bit), None)
        if found:
            return found
    try:
        _subset(face, frozenset(sorted(face.unicodes)[:8]), path)
    except PressroomError:
        return "is damaged: HarfBuzz cannot cut a subset of it"
    return None


@functools.cache
def own_design(path: Path) -> Design:
    """A font file of the project's or a manuscript's as a design, named by its full name."""
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)))
    name = face.get_name(uharfbuzz.OTNameIdPredefined.FULL_NAME) or path.stem
    digest = _sha256(path, _stamp(path))[:12]
    return Design(f"own-{digest}", name, path, "", "the licence file beside it")


@functools.cache
def house_faces() -> dict[str, dict[str, Design]]:
    """The project's own faces by variant and role, from ``layouts/faces.yaml``."""
    if not HOUSE_FILE.is_file():
        return {}
    where = Location(HOUSE_FILE)
    try:
        document = yaml.safe_load(HOUSE_FILE.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise _font_error(f"cannot read the house faces: {error}", where) from None
    house: dict[str, dict[str, Design]] = {}
    for variant, roles in (document.get("faces") or {}).items():
        if variant not in DESIGNS or not isinstance(roles, dict):
            raise _font_error(f"'{variant}' is not a variant of the faces", where,
                                f"write one of {', '.join(DESIGNS)}, each a mapping of "
                                "song, hei and kai to {file, licence}")
        for key, entry in roles.items():
            if key not in ROLE_KEYS or not isinstance(entry, dict) or "file" not in entry:
                raise _font_error(f"'{variant}: {key}' must be song, hei or kai, with a file "
                                    "and a licence", where)
            path = checked_font_file(HOUSE_FILE.parent, str(entry["file"]),
                                     entry.get("licence"), where)
            house.setdefault(variant, {})[ROLE_KEYS[key]] = own_design(path)
    return house


def checked_font_file(folder: Path, file: str, licence: object, where: Location) -> Path:
    """A font file named in ``folder`` (a house face, a manuscript's font), checked: inside
    the folder, readable as a font, embeddable, with its licence file beside it."""
    path = (folder / file).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise _font_error(f"the font '{file}' is outside {folder.name}/", where,
                            "copy the font into the folder")
    problem = font_file_problem(path)
    if problem:
        raise _font_error(f"the font '{file}' {problem}", where,
                            "a font Pressroom embeds must allow embedding a subset (OS/2 "
                            "fsType 0, 4 or 8)" if "licence" in problem else None)
    licence_path = (folder / licence).resolve() if isinstance(licence, str) else None
    if licence_path is None or not licence_path.is_relative_to(folder.resolve()) \
            or not licence_path.is_file():
        raise _font_error(f"the font '{file}' has no licence file beside it", where,
                            "name it as 'licence: <file>' and put the file in the folder: "
                            "the licence travels with the font")
    return path


def with_house_faces(roles: dict[str, Role], variant: str) -> dict[str, Role]:
    """The roles with the project's house faces, where it declares them, as their own."""
    house = house_faces().get(variant, {})
    return {family: Role((house[family],), role.fallbacks) if family in house else role
            for family, role in roles.items()}


def with_own_fonts(roles: dict[str, Role], own: tuple[Design, ...]) -> dict[str, Role]:
    """The roles with a manuscript's own fonts first among the fallbacks of every role."""
    return {family: Role(role.own, (*own, *role.fallbacks)) for family, role in roles.items()}


# -- a build's faces -----------------------------------------------------------------------

def typefaces(lang: str, texts: Mapping[str, Iterable[str]], cache_dir: Path | None = None,
              own_fonts: Iterable[Path] = ()) -> Typefaces:
    """The faces that set ``texts`` (role family -> its texts) in language ``lang``.

    Each character goes to its role's own face (the house face of ``layouts/faces.yaml``
    where the project declares one) if it has it, else to the manuscript's own fonts
    (``own_fonts``), else to the first declared fallback that has it; what no face has is
    listed in ``missing``. A face is the subset in fonts/ where that holds every
    character it draws, else a cut of its file.
    """
    rule = convention(lang)
    roles = with_own_fonts(with_house_faces(DESIGNS[rule.variant], rule.variant),
                           tuple(own_design(path) for path in own_fonts))
    needed = {family: {char for text in texts.get(family, ()) for char in text
                       if needs_glyph(char)} for family in roles}
    # Every role resolves every character of the build, so that the e-book (whose
    # stylesheets may set the headline in Song, in its contents) or a manuscript's own
    # layouts find each one in any role; only a role's own texts make warnings and errors.
    every = sorted(set().union(*needed.values()))
    drawn: dict[tuple[str, Design], set[int]] = {}  # (family, design) -> characters
    fallbacks: list[Fallback] = []
    missing: list[tuple[str, str]] = []
    uninstalled: list[tuple[str, str, Design]] = []
    for family, role in roles.items():
        for design in role.own:
            drawn.setdefault((family, design), set())
        first = role.own[0]
        # Without its own face (a Traditional text on a machine without the packages),
        # a role is not set in its fallbacks: every character asks for the package.
        chain = (*role.own, *role.fallbacks) if first.installed or first.vendored else ()
        # What each design may set, read once: the character maps, and a last resort's
        # limit to ideographs.
        sets = [(design, design_cmap(design)) for design in chain]
        for char in every:
            code = ord(char)
            design = next((design for design, cmap in sets if code in cmap and (
                not design.ideographs_only or is_ideograph(code))), None)
            if design is None:
                if char in needed[family]:
                    missing.append((family, char))
                    uninstalled += [(family, char, own) for own in role.own
                                    if not own.installed]
                continue
            drawn.setdefault((family, design), set()).add(code)
            if design not in role.own and char in needed[family]:
                fallbacks.append(Fallback(char, family, first, design))
    cache_dir = cache_dir or cache_folder(CACHE_DIR.name, CACHE_DIR)
    # A role's own face also carries the characters of the other roles it has.
    all_codes = frozenset(ord(char) for char in every)
    faces: list[BuildFace] = []
    for (family, design), codes in drawn.items():
        first = design is roles[family].own[0]
        if not codes and not first:
            continue  # a fallback, or a further file of the role's face, that draws nothing
        own = design in roles[family].own
        wanted = codes | design_cmap(design).common(all_codes) if own else codes
        path = _file(design, frozenset(wanted), rule.variant, own, cache_dir)
        if path is None:
            continue
        further = sum(face.family == family for face in faces)
        if first or not further:
            faces.append(BuildFace(family, design, path, WEIGHTS[family]))
            continue
        slots = FURTHER_WEIGHTS[WEIGHTS[family]]
        if further > len(slots):
            raise PressroomError(
                f"the {family} role would be set from {further + 1} font files, more than "
                f"the {len(slots) + 1} one role can have",
                hint="drop one of the manuscript's own fonts, or set the role in a house face "
                     "that has more of its characters")
        faces.append(BuildFace(family, design, path, slots[further - 1], frozenset(codes)))
    return Typefaces(rule, tuple(faces), tuple(fallbacks), tuple(missing), tuple(uninstalled))


def _file(design: Design, codes: frozenset[int], variant: str, own: bool,
          cache_dir: Path) -> Path | None:
    """The file a design is drawn from in a build that needs ``codes`` of it."""
    vendored = design.vendored
    if vendored is not None and codes <= fonts.cmap(vendored):
        return FONTS_DIR / vendored.file
    if not design.installed:
        return None
    # The role's own face carries the variant's repertoire too (labels, folios); a
    # fallback carries only what it draws.
    wanted = codes | design_cmap(design).common(base_repertoire(variant)) if own else codes
    return _cut(design, frozenset(wanted), cache_dir)


# -- the e-book's subsets --------------------------------------------------------------------

def ebook_subsets(chosen: Typefaces, family: str, text: str) -> list[tuple[BuildFace, bytes]]:
    """The faces of ``family`` cut to the characters of ``text`` each draws, for an
    e-book: the role's own face first (with U+0020 and U+3000, which readers justify and
    indent with), then each fallback that draws any of them. A character no face of the
    role has is a ``CoverageError``: an e-book must not depend on a reader's fonts."""
    wanted = {ord(char) for char in text if needs_glyph(char)}
    result = []
    for face in chosen.of(family):
        if face.fallback:
            codes = wanted & face.characters
            if codes:
                result.append((face, frozenset(codes)))
            wanted -= codes
    own = chosen.own(family)
    covered = file_cmap(own.path)
    missing = sorted(wanted - covered)
    if missing:
        shown = " ".join(f"{chr(code)} (U+{code:04X})" for code in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        raise CoverageError(f"{family} ({own.design.name}) has no glyph for {shown}{more}",
                            hint="the coverage guard should have caught this: please report it")
    subsets = [(own, _cut_file(own.path, frozenset(wanted | fonts.ALWAYS_IN_SUBSET)))]
    return subsets + [(face, _cut_file(face.path, codes)) for face, codes in result]


@functools.cache
def file_cmap(path: Path) -> frozenset[int]:
    """The code points a font file of one face maps to a glyph."""
    return frozenset(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path))).unicodes)


def _cut_file(path: Path, unicodes: frozenset[int]) -> bytes:
    """A font file of one face cut to ``unicodes``, its layout features and names kept."""
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)))
    return _subset(face, unicodes, path)
