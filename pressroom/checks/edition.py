"""Verifying a built edition (several pages, each of several stories) before it goes to the
plant, from the files alone.

The checks read what was written, never the composer's make-up, so that they can catch
the composer being wrong: the plan (``manuscript/editions/<name>.yaml``) and each story's
manuscript say what the edition should hold; the page PDFs, the edition's PDF and its EPUB
are read for what it does hold. On each page PDF, PDFium gives:

* the structure tree (the PDF is tagged, PDF/UA-1): each story's module is one ``Art``
  element, whose descendants' marked-content ids (MCIDs) name the text objects and images
  that are the story's on that page; what is tagged outside every ``Art`` is the page's
  furniture (the header strip, or on the front page the masthead and its ear);
* every glyph with its origin, ink box, size and face (as ``typecheck`` reads them), and
  the text object it is drawn by, whose MCID says which module it belongs to;
* every image where it shows (``typecheck.visible_image_objects``): a photo carries the
  MCID of its story, an advertisement is stamped as an artifact (``/Artifact BMC … EMC``).

Which story a module is is read from its text (the manuscript's words it holds), not from
the order of the modules. Then, each a ``Result`` with one figure:

* ``edition.files``: the page PDFs the plan names, ``<name>.pdf`` and ``<name>.epub``
  (for a variant other than the screen's, its PDFs: ``<name>-press/`` and
  ``<name>-press.pdf``, and the one EPUB);
  ``edition.whole``: the edition's PDF holds the pages in the plan's order;
* ``edition.pN.sheet``: the page is one sheet of the plan's format, in the project's faces;
* ``edition.pN.modules``: each module (the box of its ink) inside the type area, no two
  overlapping each other, the furniture or an advertisement; and the share of the type
  area's grid cells (a column by a line of the pitch the body's baselines keep) left
  blank, a module's own white (beside its headline, about its photos) not counted, a
  warning above 5 %: the rules between modules are read from the page's thin paths;
* ``edition.pN.headlines``: no two stories' headlines side by side (撞题); the lead story's
  headline the largest and its module at the top; headline sizes never rising with rank;
* ``edition.text``: every story's text, in reading order, across its parts (a photo's
  caption wherever the make-up put the photo);
* ``edition.jumps``: each （下转X） in the story that jumps, its continuation on page X
  opening with （上接Y）, Y the page it jumped from;
* ``edition.pN.typography``: the typography checker on each module alone (the columns of
  a module need not end level), and one baseline grid across the page's modules;
* ``edition.epub.*``: EPUBCheck, DAISY Ace, and a chapter for each story;
* ``edition.pN.press.*`` (``.archive.*``): for a variant other than the screen's, the
  checks of a variant PDF (``pressroom.checks.press``) on each page PDF, a mono page
  (黑白版) held to carry no C, M or Y at all, the front page's process colour allowed
  only in the box of the masthead's name; ``edition.whole.press.*`` the same checks on
  the edition's PDF, which the plant may be sent instead of the pages.
"""
from __future__ import annotations

import ctypes
import dataclasses
import itertools
import math
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pypdfium2
import pypdfium2.raw as pdfium_c
from lxml import etree
from pypdf import PdfReader

from .. import fonts
from ..faces import WEIGHTS
from ..reading.manuscript import read_manuscript
from ..reading.model import Article
from ..reading.plan import Plan, StoryPlan, page_file_name, read_plan
from ..settings import PT_PER_MM, Settings
from . import typecheck
from .check import (AREA_TOLERANCE_PT, HUNG_INK_PT, HUNG_MARKS, JUMP_FROM, JUMP_TO,
                    LINE_END_HYPHEN, NS, Result, _ace, _epubcheck, _in_order, _page_label,
                    _pdf_fonts, _pdf_glyphs, _text_of, _typography_failures, face_cmaps,
                    join_jumped, pdf_font_name, reading_order, run_build, squeeze, type_area)
from ..typesetting.edition import edition_faces
from ..variants import VARIANTS, Variant
from .typecheck import Box, Glyph, sheet_size

HEI_FONT = pdf_font_name(fonts.HEI, WEIGHTS[fonts.HEI])
SHEET_TOLERANCE_PT = 0.5
OVERLAP_TOLERANCE_PT = 1.0  # a glyph's ink may overshoot its module's edge a little
GAP_WARNING_PERCENT = 5.0  # of the type area's cells left empty: the editor should look
HEADLINE_SHARE = 1.5  # of the body size: a headline's type at least (a subhead's is less)
SIZE_TOLERANCE_PT = 0.05
STORY_MATCH_SHARE = 0.5  # of a module's text found in a manuscript: the module is that story
SHINGLE = 6  # characters: a run of text that identifies where it comes from
EM_CENTRE = 0.38  # em above the baseline: the middle of a Han character's em box
# Around the masthead name's ink, where its process red may lie: the antialiasing of its
# edges at the separations' resolution, never as far as the date lines under it.
MASTHEAD_MARGIN_PT = 3.0


# -- what is read from the files ------------------------------------------------------

@dataclass
class Block:
    """What one structure element tags on one page: a story's module (an ``Art``) or a
    piece of furniture (the header strip, the masthead, the ear)."""

    mcids: list[int]
    glyphs: list[Glyph] = field(default_factory=list)
    images: list[Box] = field(default_factory=list)
    text: str = ""  # in the tagged order: the reading order the PDF gives
    story: int | None = None  # which of the edition's stories, read from its text

    @property
    def boxes(self) -> list[Box]:
        return [glyph.ink for glyph in self.glyphs if not glyph.char.isspace()] + self.images

    @property
    def box(self) -> Box | None:
        return union(self.boxes)


@dataclass
class Sheet:
    """One page PDF as read: its modules, its furniture, its advertisements."""

    index: int  # in the plan, from 0
    path: Path
    width: float
    height: float
    modules: list[Block]
    furniture: list[Block]
    ads: list[Box]  # images stamped as artifacts: the advertisements
    glyphs: list[Glyph]  # every glyph of the page
    untagged: list[Box] = field(default_factory=list)  # images neither tagged nor artifacts
    rules: list[Box] = field(default_factory=list)  # hairlines: rules, a box's sides

    def parts_of(self, story: int) -> list[Block]:
        return [module for module in self.modules if module.story == story]


@dataclass(frozen=True)
class Story:
    """A story of the plan, with its manuscript and its place in the plan."""

    plan: StoryPlan
    article: Article
    page: int  # the page it starts on, from 0
    rank: int  # on that page: 0 the lead, then the others in the plan's order

    @property
    def name(self) -> str:
        return "".join(self.article.headline)


@dataclass
class Edition:
    plan: Plan
    out_dir: Path
    stories: list[Story]
    sheets: list[Sheet | None]  # None: the page's file is missing or unreadable
    faces: dict[str, frozenset[int]]  # what each face of the edition draws, by its PDF name
    variant: Variant = VARIANTS["screen"]  # what the PDFs checked are made for

    @property
    def settings(self) -> Settings:
        return self.plan.settings

    @property
    def folder(self) -> Path:
        """The page PDFs' folder: build/<name>/, build/<name>-press/ ... (as the build
        names it, ``pressroom.build.edition_folder``)."""
        return self.out_dir / f"{self.plan.name}{self.variant.suffix}"

    @property
    def whole_path(self) -> Path:
        return self.folder.with_suffix(".pdf")

    @property
    def epub_path(self) -> Path:
        return self.out_dir / f"{self.plan.name}.epub"  # one, whatever the PDFs are for

    def page_path(self, index: int) -> Path:
        return self.folder / page_file_name(self.plan, index)

    def label(self, index: int) -> str:
        return self.plan.pages[index].label

    def page_name(self, index: int) -> str:
        return f"edition.p{index + 1}"


def union(boxes: list[Box]) -> Box | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _meet(one: Box, two: Box, tolerance: float = 0.0) -> bool:
    """The boxes overlap by more than ``tolerance`` both ways."""
    return min(one[2], two[2]) - max(one[0], two[0]) > tolerance \
        and min(one[3], two[3]) - max(one[1], two[1]) > tolerance


def edition_variant(plan: Plan, variant: Variant | str | None = None) -> Variant:
    """The variant checked: the one asked for (a Variant or its name), else the plan's."""
    if isinstance(variant, str):
        return VARIANTS[variant]
    return variant or VARIANTS[plan.variant]


def read_edition(plan_path: Path, out_dir: Path, variant: Variant | str | None = None) -> Edition:
    """The plan, its stories' manuscripts and every page PDF there is (of ``variant``, by
    default the plan's), read."""
    plan = read_plan(Path(plan_path))
    stories = []
    for index, page in enumerate(plan.pages):
        # The lead (头条) ranks first: the one the plan marks, else the page's first.
        order = sorted(page.stories, key=lambda story: not story.lead)
        stories += [Story(story, read_manuscript(story.folder), index, rank)
                    for rank, story in enumerate(order)]
    faces = face_cmaps(edition_faces(plan, {story.article.folder: story.article
                                            for story in stories}))
    edition = Edition(plan, Path(out_dir), stories, [], faces, edition_variant(plan, variant))
    texts = [_shingles(_story_text(story.article)) for story in stories]
    for index in range(len(plan.pages)):
        path = edition.page_path(index)
        sheet = read_sheet(path, index) if path.exists() else None
        if sheet is not None:
            for module in sheet.modules:
                module.story = _which_story(module.text, texts)
        edition.sheets.append(sheet)
    return edition


def read_sheet(path: Path, index: int = 0) -> Sheet | None:
    """A page PDF's modules and furniture by its structure tree; None if it cannot be
    read as a PDF."""
    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError:
        return None
    if not len(document):
        document.close()
        return None
    try:
        page = document[0]
        width, height = sheet_size(page)  # the TrimBox: a bleed lies beyond it
        modules, furniture = _tagged_blocks(page)
        owner = {mcid: block for block in modules + furniture for mcid in block.mcids}
        textpage = page.get_textpage()
        glyphs, texts = _glyphs_by_mcid(textpage.raw, height)
        textpage.close()
        every = []
        for mcid, found in glyphs.items():
            every += found
            if mcid in owner:
                owner[mcid].glyphs += found
        for block in modules + furniture:
            block.text = _cleaned("".join(texts.get(mcid, "") for mcid in block.mcids))
        ads, untagged = [], []
        for box, holder in typecheck.visible_image_objects(page.raw, height):
            mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(holder)
            if mcid in owner:
                owner[mcid].images.append(box)
            else:
                (ads if _is_artifact(holder) else untagged).append(box)
        rules = _rules(page.raw, height)
        page.close()
    finally:
        document.close()
    return Sheet(index, path, width, height, modules, [b for b in furniture if b.boxes],
                 ads, every, untagged, rules)


RULE_PT = 2.0  # a path thinner than this one way is a rule


def _rules(raw_page, height: float) -> list[Box]:
    """The hairlines the page draws: its thin paths (rules between modules and columns),
    and the sides of its larger ones (WeasyPrint draws a box's border as a filled ring)."""
    found = []
    for index in range(pdfium_c.FPDFPage_CountObjects(raw_page)):
        obj = pdfium_c.FPDFPage_GetObject(raw_page, index)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        bounds = [ctypes.c_float() for _ in range(4)]  # left, bottom, right, top
        if not pdfium_c.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in bounds)):
            continue
        left, bottom, right, top = (value.value for value in bounds)
        box = (left, height - top, right, height - bottom)
        if right - left <= RULE_PT or top - bottom <= RULE_PT:
            found.append(box)
        else:
            l, t, r, b = box
            found += [(l, t, r, t), (l, b, r, b), (l, t, l, b), (r, t, r, b)]
    return found


def _tagged_blocks(page) -> tuple[list[Block], list[Block]]:
    """The page's ``Art`` elements, and the largest elements holding none (the furniture),
    each with its MCIDs in the tree's order."""
    tree = pdfium_c.FPDF_StructTree_GetForPage(page.raw)
    buffer = ctypes.create_string_buffer(256)

    def kind(element) -> str:
        length = pdfium_c.FPDF_StructElement_GetType(element, buffer, len(buffer))
        return buffer.raw[:length].decode("utf-16-le").rstrip("\x00") if length else ""

    def children(element):
        for index in range(pdfium_c.FPDF_StructElement_CountChildren(element)):
            child = pdfium_c.FPDF_StructElement_GetChildAtIndex(element, index)
            if child:
                yield child

    def mcids(element) -> list[int]:
        found = [pdfium_c.FPDF_StructElement_GetMarkedContentIdAtIndex(element, index)
                 for index in range(pdfium_c.FPDF_StructElement_GetMarkedContentIdCount(element))]
        found = [mcid for mcid in found if mcid >= 0]
        for child in children(element):
            found += mcids(child)
        return found

    def holds_art(element) -> bool:
        return kind(element) == "Art" or any(holds_art(child) for child in children(element))

    modules: list[Block] = []
    furniture: list[Block] = []

    def walk(element) -> None:
        if kind(element) == "Art":
            modules.append(Block(mcids(element)))
        elif holds_art(element):
            for child in children(element):
                walk(child)
        else:
            furniture.append(Block(mcids(element)))

    try:
        for index in range(pdfium_c.FPDF_StructTree_CountChildren(tree)):
            walk(pdfium_c.FPDF_StructTree_GetChildAtIndex(tree, index))
    finally:
        pdfium_c.FPDF_StructTree_Close(tree)
    return modules, furniture


def _glyphs_by_mcid(raw, height: float) -> tuple[dict[int, list[Glyph]], dict[int, str]]:
    """Every glyph under the MCID of the text object that draws it, and the text of each
    MCID. PDFium's own breaks and spaces (it infers them between lines and runs) belong to
    no object: they go with the glyph before them, so that a line's end stays a break."""
    glyphs: dict[int, list[Glyph]] = {}
    texts: dict[int, list[str]] = {}
    last = -1
    for index in range(pdfium_c.FPDFText_CountChars(raw)):
        if pdfium_c.FPDFText_IsGenerated(raw, index) != 0:
            texts.setdefault(last, []).append(chr(pdfium_c.FPDFText_GetUnicode(raw, index)))
            continue
        glyph = typecheck._glyph(raw, index, height)
        if glyph is None:  # a break the content draws: the line ends there
            texts.setdefault(last, []).append("\n")
            continue
        obj = pdfium_c.FPDFText_GetTextObject(raw, index)
        last = pdfium_c.FPDFPageObj_GetMarkedContentID(obj) if obj else -1
        glyphs.setdefault(last, []).append(glyph)
        texts.setdefault(last, []).append(glyph.char)
    return glyphs, {mcid: _paired("".join(chars)) for mcid, chars in texts.items()}


def _paired(text: str) -> str:
    """Text read one UTF-16 unit at a time with its surrogate pairs joined again: PDFium
    counts a character beyond the BMP (𣱣, U+23C63) as two."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _cleaned(text: str) -> str:
    # PDFium's U+0002 (or U+FFFE) is a hyphen at a line's end; one that breaks a Latin
    # word is the composer's, not the manuscript's (as ``check.page_texts`` reads it).
    return LINE_END_HYPHEN.sub("", text.replace("\x02", "-").replace("\ufffe", "-")
                               .replace("\r", ""))


def _is_artifact(obj) -> bool:
    buffer = (ctypes.c_ushort * 64)()
    for index in range(pdfium_c.FPDFPageObj_CountMarks(obj)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj, index)
        length = ctypes.c_ulong()
        if mark and pdfium_c.FPDFPageObjMark_GetName(mark, buffer, ctypes.sizeof(buffer),
                                                      ctypes.byref(length)):
            name = bytes(buffer)[:length.value].decode("utf-16-le").rstrip("\x00")
            if name == "Artifact":
                return True
    return False


# -- which story a module is --------------------------------------------------------

def _story_text(article: Article) -> str:
    return squeeze("".join(text for text, _ in reading_order(article)))


def _shingles(text: str) -> set[str]:
    return {text[index:index + SHINGLE] for index in range(max(len(text) - SHINGLE + 1, 1))}


def _which_story(text: str, stories: list[set[str]]) -> int | None:
    """The story whose manuscript holds most of the module's text, if it holds at least
    ``STORY_MATCH_SHARE`` of it (the jump lines and headline are not the manuscript's
    words, nor are they the most of a module)."""
    own = _shingles(squeeze(text))
    if not own or not stories:
        return None
    shares = [len(own & story) / len(own) for story in stories]
    best = max(range(len(shares)), key=shares.__getitem__)
    return best if shares[best] >= STORY_MATCH_SHARE else None


# -- the checks ---------------------------------------------------------------------

def iter_edition_checks(plan_path: Path, out_dir: Path,
                        variant: Variant | str | None = None) -> Iterator[Result]:
    """Every check of the edition the plan ``plan_path`` describes, built into ``out_dir``
    for ``variant`` (by default the plan's), each result as soon as it is known."""
    edition = read_edition(plan_path, out_dir, variant)
    yield check_files(edition)
    yield check_whole(edition)
    if edition.variant.name != "screen" and edition.whole_path.is_file():
        yield from check_whole_variant(edition)
    for index, sheet in enumerate(edition.sheets):
        name = edition.page_name(index)
        if sheet is None:
            yield Result(f"{name}.sheet", False, "not read",
                         _missing(edition, edition.page_path(index), "is missing or no PDF"))
            continue
        yield check_sheet(edition, sheet)
        yield check_modules(edition, sheet)
        yield check_headlines(edition, sheet)
        yield check_photos(edition, sheet)
        yield check_typography(edition, sheet)
        if edition.variant.name != "screen":
            yield from check_page_variant(edition, sheet)
    yield check_text(edition)
    yield check_jumps(edition)
    yield from check_epub(edition)


def check_edition(plan_path: Path, out_dir: Path,
                  variant: Variant | str | None = None) -> list[Result]:
    """Every check of the edition, in a list."""
    return list(iter_edition_checks(plan_path, out_dir, variant))


def _missing(edition: Edition, path: Path, what: str = "is missing") -> str:
    return f"{_shown(path, edition)} {what}: {_run_build(edition)}"


def _run_build(edition: Edition) -> str:
    hint = run_build("edition", edition.plan.source, edition.out_dir)
    if edition.variant.name == edition.plan.variant:
        return hint
    return f"{hint[:-1]} --variant {edition.variant.name}'"  # inside the command's quotes


def check_files(edition: Edition) -> Result:
    """Every file the plant and the readers are sent: a PDF a page, named as the plan says,
    the edition's PDF and its EPUB."""
    plan = edition.plan
    wanted = [edition.page_path(index) for index in range(len(plan.pages))]
    wanted += [edition.whole_path, edition.epub_path]
    missing = [path for path in wanted if not path.is_file() or not path.stat().st_size]
    figure = f"{len(wanted) - len(missing)} of {len(wanted)} files ({len(plan.pages)} pages, " \
             f"{edition.whole_path.name}, {edition.epub_path.name})"
    return Result("edition.files", not missing, figure,
                  ("missing or empty: " + ", ".join(_shown(path, edition) for path in missing)
                   + "; " + _run_build(edition)) if missing else "")


def _shown(path: Path, edition: Edition) -> str:
    try:
        return str(path.relative_to(edition.out_dir))
    except ValueError:
        return str(path)


def _page_text(page) -> str:
    textpage = page.get_textpage()
    try:
        return squeeze(textpage.get_text_range())
    finally:
        textpage.close()


def check_whole(edition: Edition) -> Result:
    """The edition's PDF: the pages of the plan in order, each as its page file prints it
    (read by its text)."""
    plan = edition.plan
    path = edition.whole_path
    name = "edition.whole"
    try:
        document = pypdfium2.PdfDocument(str(path))
    except (pypdfium2.PdfiumError, FileNotFoundError):
        return Result(name, False, "not read", _missing(edition, path, "is missing or no PDF"))
    problems = []
    try:
        count = len(document)
        if count != len(plan.pages):
            problems.append(f"{count} pages, the plan has {len(plan.pages)}")
        for index, sheet in enumerate(edition.sheets[:count]):
            if sheet is None:
                continue
            single = pypdfium2.PdfDocument(str(sheet.path))
            try:
                if _page_text(document[index]) != _page_text(single[0]):
                    problems.append(f"page {index + 1} is not {sheet.path.name}")
            finally:
                single.close()
    finally:
        document.close()
    return Result(name, not problems, f"{count} pages in the plan's order", "; ".join(problems))


def check_sheet(edition: Edition, sheet: Sheet) -> Result:
    """One sheet of the plan's format (within half a point), its faces the project's, each
    embedded as a subset, and a glyph for every character."""
    settings = edition.settings
    reader = PdfReader(sheet.path)
    problems = []
    if len(reader.pages) != 1:
        problems.append(f"{len(reader.pages)} pages, the plant takes one a file")
    width, height = settings.page_width * PT_PER_MM, settings.page_height * PT_PER_MM
    for number, page in enumerate(reader.pages, 1):
        box = page.trimbox  # the sheet; a bleed lies beyond it
        if abs(float(box.width) - width) > SHEET_TOLERANCE_PT \
                or abs(float(box.height) - height) > SHEET_TOLERANCE_PT:
            problems.append(f"page {number} is {float(box.width):.1f} x {float(box.height):.1f} "
                            f"pt, the format {width:.1f} x {height:.1f} pt")
    if not sheet.glyphs:
        problems.append("the page is blank")
    faces = _pdf_fonts(reader, edition.faces)
    document = pypdfium2.PdfDocument(str(sheet.path))
    try:
        glyphs = _pdf_glyphs(document, edition.faces)
    finally:
        document.close()
    problems += [result.problem for result in (faces, glyphs) if not result.passed]
    figure = f"{_count(len(reader.pages), 'sheet')} of {settings.page_width:.0f} x " \
             f"{settings.page_height:.0f} mm, {faces.figure}, {glyphs.figure}"
    return Result(f"{edition.page_name(sheet.index)}.sheet", not problems, figure,
                  "; ".join(problems))


# -- modules ------------------------------------------------------------------------

def module_box(module: Block, area: Box) -> Box | None:
    """The box of a module's ink. A line-end 。，、 hung outside its column (行末点号悬挂)
    stands in the margin beside it, as ``check._pdf_area`` allows: it starts at the edge."""
    boxes = module.images[:]
    for glyph in module.glyphs:
        if glyph.char.isspace():
            continue
        left, top, right, bottom = glyph.ink
        if glyph.char in HUNG_MARKS and right > area[2] and left <= area[2] + HUNG_INK_PT:
            right = area[2]
        boxes.append((left, top, right, bottom))
    return union(boxes)


def _story_name(edition: Edition, module: Block) -> str:
    if module.story is None:
        return f"a module that is no story of the plan (“{squeeze(module.text)[:16]}…”)"
    return f"“{edition.stories[module.story].name}”"


def check_modules(edition: Edition, sheet: Sheet) -> Result:
    """Each story's module (the box of its ink: the text and images its ``Art`` tags) inside
    the type area, clear of every other module, of the furniture and the advertisements;
    and the share of the type area left empty (``empty_cells``), a warning above
    ``GAP_WARNING_PERCENT`` (the composer warns of its own gap, PR502)."""
    area = type_area(edition.settings)
    t = AREA_TOLERANCE_PT
    problems, overlaps = [], []
    modules: list[tuple[str, Box]] = []
    for module in sheet.modules:
        name = _story_name(edition, module)
        box = module_box(module, area)
        if box is None:
            problems.append(f"{name} prints nothing")
            continue
        if module.story is None:
            problems.append(name)
        if box[0] < area[0] - t or box[1] < area[1] - t or box[2] > area[2] + t \
                or box[3] > area[3] + t:
            problems.append(f"{name} at {_box_shown(box)} reaches outside the type area "
                            f"{_box_shown(area)}")
        modules.append((name, box))
    others = [(_furniture_name(block), block.box) for block in sheet.furniture]
    others += [(f"the advertisement at {_box_shown(ad)}", ad) for ad in sheet.ads]
    others += [(f"the image at {_box_shown(image)}", image) for image in sheet.untagged]
    # PDF/UA: an image is a story's (tagged, with its alt text) or an artifact.
    problems += [f"the image at {_box_shown(image)} is neither tagged nor an artifact"
                 for image in sheet.untagged]
    for index, (name, box) in enumerate(modules):
        overlaps += [f"{name} and {other} overlap" for other, other_box
                     in modules[index + 1:] + others
                     if _meet(box, other_box, OVERLAP_TOLERANCE_PT)]
    empty, cells, pitch = empty_cells(edition, sheet)
    share = 100 * empty / cells if cells else 0.0
    figure = (f"{_count(len(modules), 'module')} inside the type area, "
              f"{'some' if overlaps else 'none'} overlapping; gap {share:.1f} % of the type "
              f"area ({empty} of {cells} cells of a column by a {pitch:.2f} pt line empty)")
    problems += overlaps
    if problems:
        return Result(f"{edition.page_name(sheet.index)}.modules", False, figure,
                      "; ".join(problems))
    warning = share > GAP_WARNING_PERCENT
    return Result(f"{edition.page_name(sheet.index)}.modules", True, figure,
                  f"more than {GAP_WARNING_PERCENT:g} % of the type area is left empty: add "
                  "a story, a photo or an advertisement" if warning else "", warning=warning)


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


def _furniture_name(block: Block) -> str:
    text = squeeze(block.text)
    return f"the page's furniture (“{text[:12]}…”)" if text else "the page's furniture"


def _box_shown(box: Box) -> str:
    return f"{box[0]:.1f}-{box[2]:.1f} x {box[1]:.1f}-{box[3]:.1f} pt"


def _columns(settings: Settings, width: float) -> list[tuple[float, float]]:
    size = settings.body_size
    column, gap = settings.column_chars * size, settings.gap_chars * size
    left = (width - settings.columns * column - (settings.columns - 1) * gap) / 2
    return [(left + number * (column + gap), left + number * (column + gap) + column)
            for number in range(settings.columns)]


def body_lines(edition: Edition, sheet: Sheet) -> dict[int, list[float]]:
    """The baselines of the body's lines (Song at the body size in the stories' modules),
    column by column."""
    settings = edition.settings
    columns = _columns(settings, sheet.width)
    found: dict[int, set[float]] = {}
    for module in sheet.modules:
        for glyph in module.glyphs:
            if glyph.font.startswith(typecheck.BODY_FONT) \
                    and abs(glyph.size - settings.body_size) <= SIZE_TOLERANCE_PT:
                for number, (left, right) in enumerate(columns):
                    if left - 1 <= glyph.centre <= right + 1:
                        found.setdefault(number, set()).add(round(glyph.y, 2))
    return {number: sorted(lines) for number, lines in found.items()}


def page_pitch(lines: dict[int, list[float]]) -> float:
    """The most common step between neighbouring body lines of a column."""
    steps = Counter(round(b - a, 2) for baselines in lines.values()
                    for a, b in zip(baselines, baselines[1:]) if b - a > 1)
    return steps.most_common(1)[0][0] if steps else 0.0


# Rows a module's head may keep blank above its first ink: its headline's leading, the
# space of its head band.
HEAD_SPACE_ROWS = 3


def grid_rows(edition: Edition, sheet: Sheet) -> tuple[list[tuple[float, float]], float]:
    """The type area's rows, top to bottom, and the pitch: one line of the page's pitch
    deep each (the most common step between the body's baselines), centred on the em boxes
    of the body's lines (their phase), those of the type area under the header strip (the
    front page's masthead stands in the grid); a quarter line's slack at either end."""
    settings = edition.settings
    lines = body_lines(edition, sheet)
    pitch = page_pitch(lines)
    if pitch <= 0:
        return [], 0.0
    _, top, _, bottom = type_area(settings)
    if not edition.plan.pages[sheet.index].masthead:
        top += settings.masthead_height
    phase, _ = typecheck._grid_phase([y for ys in lines.values() for y in ys], pitch)
    centre = phase - EM_CENTRE * settings.body_size
    slack = pitch / 4
    row = math.ceil((top - slack - centre) / pitch + 0.5)
    rows = []
    while centre + row * pitch + pitch / 2 <= bottom + slack:
        rows.append((centre + row * pitch - pitch / 2, centre + row * pitch + pitch / 2))
        row += 1
    return rows, pitch


def empty_cells(edition: Edition, sheet: Sheet) -> tuple[int, int, float]:
    """How many cells of the type area (one column by one row, ``grid_rows``; the gaps
    between columns are no one's) are left empty, of how many, and the pitch.

    A cell is filled by ink of any kind in it: a glyph, a photo, an advertisement, a rule.
    A blank cell is a module's own white, not a gap, where the module's box holds it and
    the module has ink lower in the column (beside a headline set narrower than its
    module, about a photo or a subhead), the box taken up to the rule over it or the top
    of the type area a few rows up (the space above a headline); or where the column holds
    one block's ink above and below it. Everything else blank is a gap: a short column at
    a module's foot, rows no module reaches, the paper beside the masthead."""
    rows, pitch = grid_rows(edition, sheet)
    inks: list[tuple[Box, tuple[str, int]]] = []
    boxes: list[tuple[Box, tuple[str, int]]] = []
    area_top = rows[0][0] if rows else 0.0
    for number, module in enumerate(sheet.modules):
        inks += [(box, ("module", number)) for box in module.boxes]
        if module.box is not None:
            boxes.append((_with_head_space(module.box, sheet.rules, area_top, pitch),
                          ("module", number)))
    for number, block in enumerate(sheet.furniture):
        inks += [(box, ("furniture", number)) for box in block.boxes]
        boxes.append((_with_head_space(block.box, sheet.rules, area_top, pitch),
                      ("furniture", number)))
    inks += [(box, ("ad", number)) for number, box in enumerate(sheet.ads + sheet.untagged)]
    columns = _columns(edition.settings, sheet.width)
    empty = 0
    for left, right in columns:
        owners: list[set] = []
        within: list[set] = []
        for top, bottom in rows:
            cell = (left, top, right, bottom)
            found = {owner for box, owner in inks if _inks(cell, box)}
            if any(_crosses(cell, rule) for rule in sheet.rules):
                found.add(RULE)
            owners.append(found)
            within.append({owner for box, owner in boxes if _holds(box, cell)})
        empty += _gap_rows(owners, within)
    return empty, len(rows) * len(columns), pitch


RULE = ("rule", -1)


def _gap_rows(owners: list[set], within: list[set]) -> int:
    """The blank cells of one column that are a gap (``empty_cells``); ``owners``: what
    inks each cell, top to bottom; ``within``: the blocks (modules, furniture) whose boxes
    hold it."""
    gaps, row = 0, 0
    while row < len(owners):
        if owners[row]:
            row += 1
            continue
        end = row
        while end < len(owners) and not owners[end]:
            end += 1
        above = owners[row - 1] if row else set()
        below = owners[end] if end < len(owners) else set()
        if (above - {RULE}) & below:
            row = end
            continue
        lower = set().union(*owners[end:])  # what the column holds under the run
        gaps += sum(not within[cell] & lower for cell in range(row, end))
        row = end
    return gaps


def _with_head_space(box: Box, rules: list[Box], area_top: float, pitch: float) -> Box:
    """A module's box up to the rule over it, or to the top of the type area, where that is
    a few rows above its first ink: the space above its headline is its own."""
    reach = box[1] - (HEAD_SPACE_ROWS + 0.5) * pitch
    over = [rule[3] for rule in rules if rule[3] - rule[1] <= RULE_PT
            and reach <= rule[1] <= box[1]
            and min(rule[2], box[2]) - max(rule[0], box[0]) > (box[2] - box[0]) / 2]
    top = max(over) if over else area_top if area_top >= reach else box[1]
    return (box[0], top, box[2], box[3])


def _holds(box: Box, cell: Box) -> bool:
    """The cell's middle row stands in the box, and a third of its width."""
    middle = (cell[1] + cell[3]) / 2
    return box[1] <= middle <= box[3] \
        and min(box[2], cell[2]) - max(box[0], cell[0]) > (cell[2] - cell[0]) / 3


def _inks(cell: Box, box: Box) -> bool:
    """Ink in a cell: a third of the box's extent (or of the cell's, for a larger box) lies
    in it, each way; a descender reaching into the line below does not count."""
    across = min(cell[2], box[2]) - max(cell[0], box[0])
    down = min(cell[3], box[3]) - max(cell[1], box[1])
    return across > min(box[2] - box[0], cell[2] - cell[0]) / 3 \
        and down > min(box[3] - box[1], cell[3] - cell[1]) / 3


def _crosses(cell: Box, rule: Box) -> bool:
    """A hairline across a cell, along a third of its width. (An upright one runs in the
    gap between columns, or is a box's side on a column's edge: it fills no column.)"""
    if rule[3] - rule[1] > RULE_PT:
        return False
    middle = (rule[1] + rule[3]) / 2
    return cell[1] <= middle < cell[3] \
        and min(cell[2], rule[2]) - max(cell[0], rule[0]) > (cell[2] - cell[0]) / 3


# -- headlines ----------------------------------------------------------------------

@dataclass(frozen=True)
class HeadlineLine:
    """One line of a story's headline (or jump headline) as printed: Hei at a headline's
    size, on one baseline."""

    story: int | None
    text: str
    size: float
    left: float
    right: float
    top: float  # of its em boxes
    bottom: float


def headline_lines(edition: Edition, module: Block) -> list[HeadlineLine]:
    """The module's headline lines: Hei glyphs of ``HEADLINE_SHARE`` times the body size or
    more (a subhead's Hei is smaller), grouped by size and baseline, and parted where a gap
    wider than an em stands between two of them."""
    least = HEADLINE_SHARE * edition.settings.body_size
    rows: dict[tuple[float, float], list[Glyph]] = {}
    for glyph in module.glyphs:
        if glyph.font.startswith(HEI_FONT) and glyph.size >= least - SIZE_TOLERANCE_PT \
                and not glyph.char.isspace():
            rows.setdefault((round(glyph.size, 1), round(glyph.y, 1)), []).append(glyph)
    lines = []
    for (size, baseline), glyphs in sorted(rows.items(), key=lambda item: item[0][1]):
        glyphs.sort(key=lambda glyph: glyph.x)
        start = 0
        for index in range(1, len(glyphs) + 1):
            if index == len(glyphs) or glyphs[index].x - glyphs[index - 1].right > size:
                run = glyphs[start:index]
                lines.append(HeadlineLine(module.story, "".join(g.char for g in run), size,
                                          run[0].x, run[-1].right, baseline - 0.88 * size,
                                          baseline + 0.12 * size))
                start = index
    return lines


def check_headlines(edition: Edition, sheet: Sheet) -> Result:
    """No two stories' headlines side by side (撞题: their lines level, one beside the
    other, with no column of text between them); the lead's headline the largest of the page's stories and its module at the
    top; and no story's headline larger than that of a story above it in rank (the plan's
    order after the lead). Jump headlines count for 撞题, not for rank: a continuation is
    no story of this page's plan."""
    problems = []
    lines = [line for module in sheet.modules for line in headline_lines(edition, module)]
    body = _body_glyphs(edition, sheet)
    for index, one in enumerate(lines):
        for two in lines[index + 1:]:
            level = min(one.bottom, two.bottom) - max(one.top, two.top) > OVERLAP_TOLERANCE_PT
            apart = one.right <= two.left or two.right <= one.left
            if one.story != two.story and level and apart and not _text_between(
                    (one.left, one.top, one.right, one.bottom),
                    (two.left, two.top, two.right, two.bottom), body):
                problems.append(f"撞题: “{one.text}” and “{two.text}” stand side by side")
    # The page's own stories by rank, each with the size of its largest headline line.
    ranked = sorted((number for number, story in enumerate(edition.stories)
                     if story.page == sheet.index), key=lambda n: edition.stories[n].rank)
    sizes = {number: max((line.size for line in lines if line.story == number), default=0.0)
             for number in ranked}
    problems += [f"“{edition.stories[number].name}” has no headline on this page"
                 for number in ranked if not sizes[number]]
    headed = [number for number in ranked if sizes[number]]
    for higher, lower in zip(headed, headed[1:]):
        if sizes[lower] > sizes[higher] + SIZE_TOLERANCE_PT:
            one, two = edition.stories[higher], edition.stories[lower]
            what = "the lead " if one.rank == 0 else ""
            problems.append(f"the headline of “{two.name}” ({sizes[lower]:.1f} pt, rank "
                            f"{two.rank + 1}) is larger than that of {what}“{one.name}” "
                            f"({sizes[higher]:.1f} pt, rank {one.rank + 1})")
    if ranked:
        problems += _lead_at_top(edition, sheet, ranked[0])
    figure = f"{_count(len(lines), 'headline line')} of {_count(len(sheet.modules), 'module')}"
    if not problems:
        figure += ", none side by side"
        if headed:
            figure += "; sizes by rank " + ", ".join(f"{sizes[n]:g}" for n in headed) \
                + " pt, the lead at the top"
    return Result(f"{edition.page_name(sheet.index)}.headlines", not problems, figure,
                  "; ".join(problems))


def check_photos(edition: Edition, sheet: Sheet) -> Result:
    """No two stories' photos side by side at the same height (图片撞车): two pictures of
    different modules level with each other, with no column of text between them."""
    body = _body_glyphs(edition, sheet)
    photos = [(number, box) for number, module in enumerate(sheet.modules)
              for box in module.images]
    problems = []
    for (one, first), (two, second) in itertools.combinations(photos, 2):
        left, right = sorted((first, second), key=lambda box: box[0])
        top, bottom = max(first[1], second[1]), min(first[3], second[3])
        if one == two or bottom - top <= OVERLAP_TOLERANCE_PT or left[2] > right[0]:
            continue
        if not _text_between(first, second, body):
            names = [_story_name(edition, sheet.modules[n]) for n in (one, two)]
            problems.append(f"图片撞车: the photos of {names[0]} and {names[1]} stand "
                            "side by side")
    return Result(f"{edition.page_name(sheet.index)}.photos", not problems,
                  f"{_count(len(photos), 'photo')}, none level beside another story's",
                  "; ".join(problems))


def _body_glyphs(edition: Edition, sheet: Sheet) -> list[Glyph]:
    """The page's glyphs of body text: Song at the body size."""
    return [glyph for glyph in sheet.glyphs if glyph.font.startswith(typecheck.BODY_FONT)
            and abs(glyph.size - edition.settings.body_size) < SIZE_TOLERANCE_PT]


def _text_between(one: Box, two: Box, body: list[Glyph]) -> bool:
    """Whether a column of body text stands between two boxes (left, top, right, bottom),
    level with them: headlines or photos parted by text (a head beside a column of its
    story's text, 右上题) are not side by side; only two with nothing but white between
    them read as one (撞题, 图片撞车)."""
    left, right = sorted((one, two), key=lambda box: box[0])
    top, bottom = max(one[1], two[1]), min(one[3], two[3])
    return any(left[2] <= glyph.x and glyph.right <= right[0]
               and top < glyph.y <= bottom + glyph.size for glyph in body)


def _lead_at_top(edition: Edition, sheet: Sheet, lead: int) -> list[str]:
    """No other module's top above the lead's (头条 stands at the head of the page)."""
    area = type_area(edition.settings)
    tops = [(box[1], module) for module in sheet.modules
            if (box := module_box(module, area)) is not None]
    own = [top for top, module in tops if module.story == lead]
    if not own:
        return []
    above = [(top, module) for top, module in tops
             if module.story != lead and top < min(own) - OVERLAP_TOLERANCE_PT]
    if not above:
        return []
    highest = min(above, key=lambda item: item[0])[1]
    return [f"the lead “{edition.stories[lead].name}” stands below the top of "
            f"{_story_name(edition, highest)}"]


# -- the text and the jumps ---------------------------------------------------------

def story_parts(edition: Edition, number: int) -> list[tuple[int, Block]]:
    """The story's modules, page by page in the plan's order: (page index, module)."""
    return [(sheet.index, module) for sheet in edition.sheets if sheet is not None
            for module in sheet.parts_of(number)]


def check_text(edition: Edition) -> Result:
    """Every story's kicker, headline, note, paragraphs, subheads and byline, in reading
    order, and every caption, in the text its ``Art`` elements tag, read across its parts
    in the plan's page order (each part up to its （下转…）, each continuation from its
    （上接…）). A photo stands where the make-up puts it (above the head, at a column's
    foot), not where the manuscript names it: its caption is looked for in the story's
    text, not in the paragraphs' order."""
    problems, found, total = [], 0, 0
    for number, story in enumerate(edition.stories):
        parts = story_parts(edition, number)
        text = join_jumped([module.text for _, module in parts])
        count, problem = _in_flow(text, story.article)
        found, total = found + count, total + len(reading_order(story.article))
        if not parts:
            problem = f"not on any page (the plan sets it on {edition.label(story.page)})"
        if problem:
            problems.append(f"“{story.name}”: {problem}")
    return Result("edition.text", not problems, f"{found} of {total} parts of "
                  f"{len(edition.stories)} stories in reading order", "; ".join(problems))


LATIN_HYPHEN = re.compile(r"(?<=[A-Za-z\u00c0-\u024f])-(?=[A-Za-z\u00c0-\u024f])")


def _in_flow(text: str, article: Article) -> tuple[int, str]:
    """``check._in_order`` on the article's text without its photos, then each caption
    anywhere in it: how many parts were found, and the first problem."""
    # The composer may hyphenate a Latin word at a line's end (Win-|dows); the module's
    # tagged text runs its lines together, so a hyphen between Latin letters is taken out
    # on both sides before they are compared (after the spaces: a loosely set line reads
    # as W i - F i).
    text = LATIN_HYPHEN.sub("", squeeze(text))
    blocks = tuple(dataclasses.replace(block, text=LATIN_HYPHEN.sub("", squeeze(block.text)))
                   if block.kind == "paragraph" else block
                   for block in article.blocks if block.kind != "figure")
    squeezed = squeeze(text)
    # A photo at a column's head may stand inside a paragraph that runs past it: its
    # caption and credit are taken out (where they last stand) before the order is read.
    body = squeezed
    for figure in article.figures:
        for caption in filter(None, (figure.caption, figure.credit)):
            index = body.rfind(LATIN_HYPHEN.sub("", squeeze(caption)))
            if index >= 0:
                body = body[:index] + body[index + len(LATIN_HYPHEN.sub("", squeeze(caption))):]
    found, problem = _in_order(body, dataclasses.replace(article, blocks=blocks))
    for figure in article.figures:
        for caption in filter(None, (figure.caption, figure.credit)):
            if LATIN_HYPHEN.sub("", squeeze(caption)) in squeezed:
                found += 1
            elif not problem:
                problem = f"missing: {figure.where}: {caption[:24]}…"
    return found, problem


def check_jumps(edition: Edition) -> Result:
    """A story in more than one part jumps: each part but the last ends （下转X）, X the
    label of the page of the next part, which opens （上接Y）, Y the label of the page
    before; the first part stands on the page the plan sets the story on and the jump goes
    where the plan lets it (its ``jump:`` page, or any later one for a full text); a story
    in one part has no jump line."""
    problems, jumps = [], 0
    for number, story in enumerate(edition.stories):
        parts = story_parts(edition, number)
        if not parts:
            continue
        pages = [page for page, _ in parts]
        if pages[0] != story.page:
            problems.append(f"“{story.name}” starts on {edition.label(pages[0])}, the plan "
                            f"sets it on {edition.label(story.page)}")
        for index, (page, module) in enumerate(parts):
            text = squeeze(module.text)
            to = [squeeze(label) for label in JUMP_TO.findall(text)]
            back = [squeeze(label) for label in JUMP_FROM.findall(text)]
            want_to = [edition.label(parts[index + 1][0])] if index + 1 < len(parts) else []
            want_back = [edition.label(parts[index - 1][0])] if index else []
            where = f"“{story.name}” on {edition.label(page)}"
            if to != want_to:
                problems.append(f"{where}: 下转 {'、'.join(to) or 'none'}, should be "
                                f"{'、'.join(want_to) or 'none'}")
            if back != want_back:
                problems.append(f"{where}: 上接 {'、'.join(back) or 'none'}, should be "
                                f"{'、'.join(want_back) or 'none'}")
            if index:
                jumps += 1
                allowed = (story.plan.full_text and page > parts[index - 1][0]) or (
                    story.plan.jump == edition.label(page) and index == 1)
                if not allowed:
                    problems.append(f"{where}: the plan lets it jump "
                                    + (f"to {story.plan.jump} only" if story.plan.jump
                                       else "nowhere"))
                label = _printed_label(edition, page)
                if label is not None and label != squeeze(edition.label(page)):
                    problems.append(f"{edition.label(page)} is labelled {label} in its header "
                                    "strip")
    figure = f"{_count(jumps, 'jump')}, {_count(2 * jumps, 'jump line')}"
    return Result("edition.jumps", not problems,
                  figure + ("" if problems else ", each pointing at the page it names"),
                  "; ".join(problems))


def _printed_label(edition: Edition, page: int) -> str | None:
    """The label an inside page's header strip prints (第2版), read from its furniture."""
    sheet = edition.sheets[page]
    if sheet is None or edition.plan.pages[page].masthead or not sheet.furniture:
        return None
    return _page_label(squeeze("".join(block.text for block in sheet.furniture)))


# -- typography ---------------------------------------------------------------------

# The figures of the typography checker an edition's module is not held to: a story set
# at its natural length ends its last column short, and the next module starts under it,
# so the columns of a module need not end level (the rows left are the page's gap,
# ``empty_cells``).
NOT_FOR_MODULES = ("column_end_spread",)


def check_typography(edition: Edition, sheet: Sheet) -> Result:
    """The typography checker (``typecheck.check_pdf``) on each module of the page alone:
    its glyphs and photos measured on the columns it spans (``region``), so that one
    module's lines, note and captions are judged by its own measures; the furniture is not
    measured. Fails on any figure over its limit but the column ends; the colour of the
    body (loose lines, spaced lines, lone characters) is a warning, as for a story alone."""
    settings = edition.settings
    area = type_area(settings)
    failures, colour, reports = [], [], []
    for module in sheet.modules:
        box = module_box(module, area)
        if box is None:
            continue
        t = OVERLAP_TOLERANCE_PT
        report = typecheck.check_pdf(sheet.path, settings, 0,
                                     region=(box[0] - t, box[1] - t, box[2] + t, box[3] + t))
        reports.append(report)
        name = _story_name(edition, module)
        faults = [fault for fault in report.failures()
                  if fault.split(":")[0] not in NOT_FOR_MODULES]
        if faults:
            failures.append(f"{name}: {_typography_failures(report, faults)}")
        if report.colour_faults():
            colour.append(f"{name}: {_typography_failures(report, report.colour_faults())}")
    total = {name: sum(getattr(report, name) for report in reports)
             for name in ("lines_checked", "body_lines", "note_lines", "caption_lines",
                          "lines_not_flush", "prohibited_starts", "prohibited_ends",
                          "uncompressed_pairs", "han_latin_gaps_out_of_range", "overlaps",
                          "uneven_lines", "loose_lines", "lines_over_005", "lone_characters",
                          "justified_lines")}
    worst = {name: max((getattr(report, name) for report in reports), default=0.0)
             for name in ("baseline_misalignment_pt", "byline_misalignment_pt",
                          "max_spacing_em", "widest_note_line", "widest_caption_line")}
    figure = (f"{_count(len(reports), 'module')} measured alone: {total['lines_checked']} lines "
              f"({total['body_lines']} body, {total['note_lines']} note, "
              f"{total['caption_lines']} caption), not flush {total['lines_not_flush']}, "
              f"prohibited starts {total['prohibited_starts']} and ends "
              f"{total['prohibited_ends']}, uncompressed pairs {total['uncompressed_pairs']}, "
              f"Han–Latin gaps out of range {total['han_latin_gaps_out_of_range']}, off the "
              f"grid {worst['baseline_misalignment_pt']:.2f} pt, uneven lines "
              f"{total['uneven_lines']}, overlaps {total['overlaps']}; loose lines "
              f"{total['loose_lines']} of {total['justified_lines']} (widest "
              f"{worst['max_spacing_em']:.3f} em), lone characters {total['lone_characters']}"
              "; column ends not judged")
    # Each module is measured on its own grid; the page has one for all of them.
    baselines = [y for ys in body_lines(edition, sheet).values() for y in ys]
    _, off = typecheck._grid_phase(baselines, page_pitch(body_lines(edition, sheet)))
    if off > typecheck.GRID_TOLERANCE_PT:
        failures.append(f"the modules' body lines stand on different grids: one is "
                        f"{off:.2f} pt off the page's (limit {typecheck.GRID_TOLERANCE_PT} pt)")
    figure += f"; one grid across the modules ({off:.2f} pt off at most)"
    warning = not failures and bool(colour)
    problem = "; ".join(failures) if failures else "; ".join(colour)
    if warning:
        problem += "; where the text leaves the breaker no setting within the limits, " \
                   "change a word (改字) or accept the page"
    return Result(f"{edition.page_name(sheet.index)}.typography", not failures, figure,
                  problem, warning=warning)


# -- the variant ----------------------------------------------------------------------

def check_page_variant(edition: Edition, sheet: Sheet) -> Iterator[Result]:
    """The checks of a variant PDF on one page's file (``pressroom.checks.press``), each
    under the page's name: a mono page without C, M or Y, process colour on a colour page
    only in the masthead name's box, the date the build gives the plan."""
    from .press import check_variant

    page = edition.plan.pages[sheet.index]
    allowed = tuple((0, *box) for box in masthead_boxes(sheet)) \
        if page.colour and page.masthead else ()
    for result in check_variant(sheet.path, edition.variant,
                                mono_pages=frozenset() if page.colour else frozenset({0}),
                                date=expected_date(edition), allowed_colour=allowed):
        yield dataclasses.replace(result, check=f"{edition.page_name(sheet.index)}.{result.check}")


def check_whole_variant(edition: Edition) -> Iterator[Result]:
    """The checks of a variant PDF on the edition's PDF, each page held to what its own
    file is: a mono page without C, M or Y, a colour page's process colour only in the
    masthead name's box (read from the page's own file, which ``edition.whole`` shows
    the same page)."""
    from .press import check_variant

    plan = edition.plan
    mono = frozenset(index for index, page in enumerate(plan.pages) if not page.colour)
    allowed = tuple((sheet.index, *box) for sheet in edition.sheets if sheet is not None
                    and plan.pages[sheet.index].colour and plan.pages[sheet.index].masthead
                    for box in masthead_boxes(sheet))
    for result in check_variant(edition.whole_path, edition.variant, mono_pages=mono,
                                date=expected_date(edition), allowed_colour=allowed):
        yield dataclasses.replace(result, check=f"edition.whole.{result.check}")


def masthead_boxes(sheet: Sheet) -> list[tuple[float, float, float, float]]:
    """Where the front page's masthead name is printed, in PDF points from the page's
    bottom left (x0, y0, x1, y1), with a margin: the ink of the largest type outside every
    story (the paper's name is the largest furniture of the front page), and the
    masthead's artwork, if any."""
    glyphs = [glyph for block in sheet.furniture for glyph in block.glyphs
              if not glyph.char.isspace()]
    boxes = [box for block in sheet.furniture for box in block.images]
    if glyphs:
        largest = max(glyph.size for glyph in glyphs)
        boxes += [glyph.ink for glyph in glyphs if glyph.size >= largest - SIZE_TOLERANCE_PT]
    if not boxes:
        return []
    left, top, right, bottom = union(boxes)
    margin = MASTHEAD_MARGIN_PT
    return [(left - margin, sheet.height - bottom - margin, right + margin,
             sheet.height - top + margin)]


def expected_date(edition: Edition) -> str | None:
    """The creation date the build writes in the edition's PDFs (``dated_stamp``), or None
    where it gives none to expect (an undated plan: the build took SOURCE_DATE_EPOCH)."""
    from ..errors import BuildError, Location
    from ..outputs.page import dated_stamp

    try:
        return dated_stamp(edition.variant, edition.plan.date, Location(edition.plan.source))
    except BuildError:
        return None


# -- the e-book ---------------------------------------------------------------------

def check_epub(edition: Edition) -> list[Result]:
    """EPUBCheck and DAISY Ace as the stores run them, and the book's spine: a chapter (a
    document holding an ``article``) for each story of the plan, in the plan's order, each
    with the story's text in reading order."""
    path = edition.epub_path
    if not path.exists():
        return [Result("edition.epub", False, "not built", _missing(edition, path))]
    results = [dataclasses.replace(result, check="edition." + result.check)
               for result in (_epubcheck(path), _ace(path))]
    return results + [check_spine(edition, path)]


def check_spine(edition: Edition, path: Path) -> Result:
    name = "edition.epub.spine"
    try:
        with zipfile.ZipFile(path) as book:
            files = {item: book.read(item) for item in book.namelist()}
        opf_name = etree.fromstring(files["META-INF/container.xml"]).find(
            ".//container:rootfile", NS).get("full-path")
        opf = etree.fromstring(files[opf_name])
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, AttributeError) as error:
        return Result(name, False, "not read", f"{path.name}: {error}")
    base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
    manifest = {item.get("id"): item for item in opf.find("opf:manifest", NS)}
    chapters = []
    for ref in opf.find("opf:spine", NS):
        item = manifest.get(ref.get("idref"))
        document = files.get(base + item.get("href")) if item is not None else None
        if document is None:
            continue
        body = etree.fromstring(document).find("xhtml:body", NS)
        if body is not None and body.find(".//xhtml:article", NS) is not None:
            chapters.append((item.get("href"), _text_of(body)))
    problems = []
    if len(chapters) != len(edition.stories):
        problems.append(f"{len(chapters)} chapters for {len(edition.stories)} stories")
    found = []  # the chapter of each story, by its place in the spine
    for story in edition.stories:
        holding = [number for number, (_, text) in enumerate(chapters)
                   if not _in_order(text, story.article)[1]]
        if len(holding) != 1:
            problems.append(f"“{story.name}” is whole in {len(holding)} chapters")
        found.append((holding[0] if holding else None, story))
    # The book follows the pages; on a page, the chapters may follow the make-up.
    placed = [(number, story.page) for number, story in found if number is not None]
    pages = [page for _, page in sorted(placed)]
    if pages != sorted(pages):
        problems.append("the chapters do not follow the pages: " + ", ".join(
            f"{chapters[number][0]} ({edition.label(page)})" for number, page in sorted(placed)))
    return Result(name, not problems, f"{len(chapters)} chapters for "
                  f"{len(edition.stories)} stories, each whole in one, in page order",
                  "; ".join(problems))
