"""The checks of a variant PDF: what a printing plant's preflight looks at in a press PDF
(PDF/X-4, PDF/X-1a:2003) and an archive's validator in a PDF/A-2a, read from the file.

Three readings, each independent of what the pipeline meant to write: the PDF's objects
and content streams (pypdf; a small interpreter of the graphics state below follows every
colour each text run, rule and photo is drawn in), Ghostscript's rendering of the page
(``inkcov``: how much of the page each ink covers; ``tiffsep``: the four plates as a RIP
would image them) and poppler's ``pdfimages -list`` (each image's colour and resolution).
A RIP is not a viewer: Ghostscript follows ISO 32000 where PDFium and poppler forgive,
so a page that looks right on screen can still be wrong on the plate.

``check_variant`` gives one ``Result`` a figure, as ``check.check_pdf`` does.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
from lxml import etree
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NameObject, \
    StreamObject

from .. import photos
from ..variants import Variant
from .check import Result, unreadable

GS_MISSING = "install Debian's ghostscript (scripts/install.sh)"
PDFIMAGES_MISSING = "install Debian's poppler-utils (scripts/install.sh)"
TOOL_TIMEOUT_S = 300  # a whole edition's pages, rendered once each

# A photo's resolution at its printed size: newsprint screens (85–100 lpi) want twice
# their ruling; under 200 ppi the editor looks, under 150 the dots show.
GOOD_PPI = 200
POOR_PPI = 150
INK_PERCENTILE = 99.9  # the darkest pixels of a JPEG overshoot by its rounding alone
SEPARATION_DPI = 72  # enough to see where ink lies: type at 7 pt still blackens pixels
# Ghostscript places an image's edge on whole pixels: its ink may spill a pixel or two
# over the box the page gives it.
EDGE_PX = 2
INK_FLOOR = 3  # of 255 on a plate: below 1 % is no ink a plate carries
NO_INK = 1e-4  # a CMYK component this small is no ink: c = m = y = 0 within rounding

NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "pdfxid": "http://www.npes.org/pdfx/ns/id/", "pdfx": "http://ns.adobe.com/pdfx/1.3/",
      "pdfaid": "http://www.aiim.org/pdfa/ns/id/", "xmp": "http://ns.adobe.com/xap/1.0/"}


# -- what a page draws ----------------------------------------------------------------

@dataclass(frozen=True)
class Space:
    """A colour space as a separator sees it: ``kind`` gray, rgb, cmyk, lab, separation,
    devicen, indexed or pattern; ``icc`` when characterised by a profile; ``colorant`` a
    Separation's ink; ``base`` an Indexed or Pattern space's underlying one."""

    kind: str
    components: int
    icc: bool = False
    device: bool = False
    colorant: str = ""
    base: "Space | None" = None

    def __str__(self) -> str:
        if self.kind == "separation":
            return f"Separation {self.colorant}"
        if self.icc:
            return f"ICCBased {self.kind.upper()} (N={self.components})"
        return {"gray": "DeviceGray", "rgb": "DeviceRGB", "cmyk": "DeviceCMYK"}.get(
            self.kind, self.kind.capitalize()) if self.device else self.kind.capitalize()

    @property
    def rgb(self) -> bool:
        return self.kind == "rgb" or (self.base is not None and self.base.rgb)


GRAY = Space("gray", 1, device=True)
RGB = Space("rgb", 3, device=True)
CMYK = Space("cmyk", 4, device=True)
PATTERN = Space("pattern", 0)
DEVICE = {"/DeviceGray": GRAY, "/G": GRAY, "/DeviceRGB": RGB, "/RGB": RGB,
          "/DeviceCMYK": CMYK, "/CMYK": CMYK, "/Pattern": PATTERN}
INITIAL = {"gray": (0.0,), "rgb": (0.0, 0.0, 0.0), "cmyk": (0.0, 0.0, 0.0, 1.0)}


@dataclass(frozen=True)
class Paint:
    """One thing drawn in a colour (not a photo): a text run (one showing operator), a
    path filled or stroked, a stencil mask, a shading; where it lies on the page."""

    page: int
    kind: str  # "text", "fill", "stroke", "stencil", "shading"
    space: Space
    colour: tuple
    box: tuple | None  # x0, y0, x1, y1 in the page's default space; None: the clip

    def k_only(self) -> bool:
        """Whether a separator puts this on the black plate alone."""
        space = self.space
        if space.kind == "gray":
            return True
        if space.kind == "cmyk":
            return all(abs(value) <= NO_INK for value in self.colour[:3])
        return space.kind == "separation" and space.colorant in ("Black", "None")

    def described(self) -> str:
        values = " ".join(f"{value:g}" for value in self.colour if isinstance(value, float))
        return f"{self.space} {values}".strip()


@dataclass(frozen=True)
class Placement:
    """An image drawn on a page: its XObject's number (None inline), its box."""

    page: int
    number: int | None
    space: Space
    box: tuple


@dataclass(frozen=True)
class Use:
    """A colour space some drawing uses, and by what."""

    page: int
    space: Space
    what: str


@dataclass
class _Drawing:  # filled while a page is read, then frozen into the tuples below
    paints: list = field(default_factory=list)
    placements: list = field(default_factory=list)
    uses: list = field(default_factory=list)
    rgb_operators: int = 0
    codes: dict = field(default_factory=dict)  # font object number -> set of 2-byte codes


@dataclass(frozen=True)
class Pages:
    """Everything the content streams of a PDF draw."""

    paints: tuple[Paint, ...]
    placements: tuple[Placement, ...]
    uses: tuple[Use, ...]
    rgb_operators: int
    codes: dict  # font object number -> frozenset of codes shown in it
    sizes: tuple  # each page's MediaBox (x0, y0, x1, y1)


def _multiply(first: tuple, second: tuple) -> tuple:
    a, b, c, d, e, f = first
    A, B, C, D, E, F = second
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _point(matrix: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _bounds(points) -> tuple | None:
    points = list(points)
    if not points:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _resolve(value):
    return value.get_object() if hasattr(value, "get_object") else value


def _number(reference) -> int | None:
    return getattr(reference, "idnum", None)


def colour_space(value, resources=None, depth: int = 0) -> Space:
    """The space a colour space operand, name or array, stands for."""
    value = _resolve(value)
    if depth > 8:
        return Space("unknown", 0)
    if isinstance(value, NameObject) or isinstance(value, str):
        name = str(value)
        if name in DEVICE:
            return DEVICE[name]
        named = _resolve((_resolve((resources or {}).get("/ColorSpace")) or {}).get(name))
        return colour_space(named, None, depth + 1) if named is not None \
            else Space("unknown", 0)
    if isinstance(value, ArrayObject) and value:
        family = str(value[0])
        if family == "/ICCBased":
            profile = _resolve(value[1])
            count = int(profile.get("/N", 0))
            kind = {1: "gray", 3: "rgb", 4: "cmyk"}.get(count, "unknown")
            return Space(kind, count, icc=True)
        if family in ("/CalGray", "/CalRGB", "/Lab"):
            return Space({"/CalGray": "gray", "/CalRGB": "rgb", "/Lab": "lab"}[family],
                         1 if family == "/CalGray" else 3)
        if family in ("/Indexed", "/I"):
            return Space("indexed", 1, base=colour_space(value[1], resources, depth + 1))
        if family == "/Separation":
            return Space("separation", 1, colorant=str(value[1]).lstrip("/"),
                         base=colour_space(value[2], resources, depth + 1))
        if family == "/DeviceN":
            return Space("devicen", len(_resolve(value[1])),
                         base=colour_space(value[2], resources, depth + 1))
        if family == "/Pattern":
            return Space("pattern", 0, base=colour_space(value[1], resources, depth + 1)
                         if len(value) > 1 else None)
        if family in DEVICE:
            return DEVICE[family]
    return Space("unknown", 0)


@dataclass
class _State:
    ctm: tuple = (1, 0, 0, 1, 0, 0)
    fill: Space = GRAY
    fill_colour: tuple = (0.0,)
    stroke: Space = GRAY
    stroke_colour: tuple = (0.0,)
    render: int = 0  # the text rendering mode (Tr)

    def copy(self) -> "_State":
        return _State(self.ctm, self.fill, self.fill_colour, self.stroke, self.stroke_colour,
                      self.render)


FILLS = {b"f", b"F", b"f*"}
STROKES = {b"S", b"s"}
BOTH = {b"B", b"B*", b"b", b"b*"}
SHOWS = {b"Tj", b"TJ", b"'", b'"'}


def read_pages(reader: PdfReader) -> Pages:
    """Follow every page's content (and the forms and tiling patterns it draws) through
    the graphics state: what each drawing is painted in and where."""
    drawing = _Drawing()
    sizes = []
    for number, page in enumerate(reader.pages):
        box = tuple(float(value) for value in page.mediabox)
        sizes.append(box)
        contents = page.get_contents()
        if contents is None:
            continue
        resources = _resolve(page.get("/Resources")) or DictionaryObject()
        group = _resolve(page.get("/Group"))
        if group is not None and "/CS" in group:
            drawing.uses.append(Use(number, colour_space(group["/CS"], resources),
                                    "the page's transparency group"))
        _interpret(reader, ContentStream(contents, reader), resources, _State(), number,
                   drawing, ())
    return Pages(tuple(drawing.paints), tuple(drawing.placements), tuple(drawing.uses),
                 drawing.rgb_operators,
                 {font: frozenset(codes) for font, codes in drawing.codes.items()},
                 tuple(sizes))


def _colour(operands) -> tuple:
    return tuple(float(value) for value in operands if not isinstance(value, NameObject))


def _interpret(reader, content: ContentStream, resources, state: _State, page: int,
               drawing: _Drawing, within: tuple) -> None:
    stack: list[_State] = []
    path: list[tuple[float, float]] = []
    text_matrix = line_matrix = (1, 0, 0, 1, 0, 0)
    leading = 0.0
    font = None

    def paint(kind: str, space: Space, colour: tuple, box) -> None:
        drawing.paints.append(Paint(page, kind, space, colour, box))

    def use(space: Space, what: str) -> None:
        drawing.uses.append(Use(page, space, what))

    def show(operands, operator) -> None:
        origin = _point(_multiply(text_matrix, state.ctm), 0, 0)
        box = (*origin, *origin)
        if state.render not in (3, 7):  # 3 and 7 draw nothing
            if state.render in (0, 2, 4, 6):
                paint("text", state.fill, state.fill_colour, box)
            if state.render in (1, 2, 5, 6):
                paint("text", state.stroke, state.stroke_colour, box)
        if font is not None:
            strings = operands[0] if operator == b"TJ" else operands[-1:]
            codes = drawing.codes.setdefault(font, set())
            for item in strings:
                data = getattr(item, "original_bytes", None)
                if data is None and isinstance(item, (bytes, str)):
                    data = item if isinstance(item, bytes) else item.encode("latin-1", "replace")
                if data:
                    codes.update(int.from_bytes(data[i:i + 2], "big")
                                 for i in range(0, len(data) - 1, 2))

    for operands, operator in content.operations:
        if operator == b"q":
            stack.append(state.copy())
        elif operator == b"Q":
            if stack:
                state = stack.pop()
        elif operator == b"cm":
            state.ctm = _multiply(tuple(float(v) for v in operands), state.ctm)
        elif operator in (b"cs", b"CS"):
            space = colour_space(operands[0], resources)
            use(space, "a colour")
            # A space's initial colour: black in the device spaces, full tint in a spot.
            initial = INITIAL.get(space.kind, (1.0,) if space.kind == "separation"
                                  else (0.0,) * space.components)
            if operator == b"cs":
                state.fill, state.fill_colour = space, initial
            else:
                state.stroke, state.stroke_colour = space, initial
        elif operator in (b"sc", b"scn"):
            state.fill_colour = _colour(operands)
            if operands and isinstance(operands[-1], NameObject):
                _pattern(reader, operands[-1], resources, state, page, drawing, within)
        elif operator in (b"SC", b"SCN"):
            state.stroke_colour = _colour(operands)
            if operands and isinstance(operands[-1], NameObject):
                _pattern(reader, operands[-1], resources, state, page, drawing, within)
        elif operator in (b"g", b"G", b"rg", b"RG", b"k", b"K"):
            space = {b"g": GRAY, b"rg": RGB, b"k": CMYK}[operator.lower()]
            use(space, "a colour")
            drawing.rgb_operators += operator in (b"rg", b"RG")
            if operator.islower():
                state.fill, state.fill_colour = space, _colour(operands)
            else:
                state.stroke, state.stroke_colour = space, _colour(operands)
        elif operator == b"BT":
            text_matrix = line_matrix = (1, 0, 0, 1, 0, 0)
        elif operator == b"Tm":
            text_matrix = line_matrix = tuple(float(v) for v in operands)
        elif operator in (b"Td", b"TD"):
            x, y = (float(v) for v in operands)
            if operator == b"TD":
                leading = -y
            text_matrix = line_matrix = _multiply((1, 0, 0, 1, x, y), line_matrix)
        elif operator == b"TL":
            leading = float(operands[0])
        elif operator == b"Tf":
            fonts = _resolve(resources.get("/Font")) or {}
            font = _number(fonts.get(operands[0])) if operands else None
        elif operator == b"Tr":
            state.render = int(operands[0])
        elif operator in (b"T*", b"'", b'"'):
            text_matrix = line_matrix = _multiply((1, 0, 0, 1, 0, -leading), line_matrix)
            if operator != b"T*":
                show(operands, operator)
        elif operator in SHOWS:
            show(operands, operator)
        elif operator == b"m" or operator == b"l":
            path.append(_point(state.ctm, float(operands[0]), float(operands[1])))
        elif operator in (b"c", b"v", b"y"):
            values = [float(v) for v in operands]
            path.extend(_point(state.ctm, values[i], values[i + 1])
                        for i in range(0, len(values), 2))
        elif operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            path.extend(_point(state.ctm, px, py) for px, py in
                        ((x, y), (x + w, y), (x, y + h), (x + w, y + h)))
        elif operator in FILLS | STROKES | BOTH | {b"n"}:
            box = _bounds(path)
            if operator in FILLS | BOTH:
                paint("fill", state.fill, state.fill_colour, box)
            if operator in STROKES | BOTH:
                paint("stroke", state.stroke, state.stroke_colour, box)
            path = []
        elif operator == b"sh":
            shading = _resolve((_resolve(resources.get("/Shading")) or {}).get(operands[0]))
            if shading is not None:
                space = colour_space(shading.get("/ColorSpace"), resources)
                use(space, "a shading")
                paint("shading", space, (), None)
        elif operator == b"Do":
            objects = _resolve(resources.get("/XObject")) or {}
            reference = objects.get(operands[0])
            xobject = _resolve(reference)
            if xobject is None:
                continue
            subtype = xobject.get("/Subtype")
            if subtype == "/Image":
                _image(xobject, _number(reference), resources, state, page, drawing)
            elif subtype == "/Form":
                number = _number(reference)
                if number in within or len(within) > 16:
                    continue  # a form that draws itself: drawn once
                inner = state.copy()
                matrix = xobject.get("/Matrix")
                if matrix is not None:
                    inner.ctm = _multiply(tuple(float(v) for v in matrix), inner.ctm)
                form_resources = _resolve(xobject.get("/Resources")) or resources
                group = _resolve(xobject.get("/Group"))
                if group is not None and "/CS" in group:
                    use(colour_space(group["/CS"], form_resources), "a form's group")
                _interpret(reader, ContentStream(xobject, reader), form_resources, inner,
                           page, drawing, within + (number,))
        elif operator == b"INLINE IMAGE":
            settings = operands.get("settings", {}) if isinstance(operands, dict) else {}
            _image(settings, None, resources, state, page, drawing, inline=True)


def _image(xobject, number, resources, state, page, drawing, inline: bool = False) -> None:
    key, mask = ("/CS", "/IM") if inline else ("/ColorSpace", "/ImageMask")
    box = _bounds(_point(state.ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1)))
    if xobject.get(mask) or xobject.get("/ImageMask"):
        # A stencil is painted in the fill colour: drawn ink, like a text's.
        drawing.paints.append(Paint(page, "stencil", state.fill, state.fill_colour, box))
        return
    space = colour_space(xobject.get(key) or xobject.get("/ColorSpace") or "/DeviceGray",
                         resources)
    drawing.uses.append(Use(page, space, "an image"))
    drawing.placements.append(Placement(page, number, space, box))


def _pattern(reader, name, resources, state, page, drawing, within) -> None:
    """What a pattern colour draws: a shading pattern's space, a coloured tiling
    pattern's own drawing (placed where the pattern is used)."""
    pattern = _resolve((_resolve(resources.get("/Pattern")) or {}).get(name))
    if pattern is None:
        return
    if pattern.get("/PatternType") == 2:
        shading = _resolve(pattern.get("/Shading")) or {}
        drawing.uses.append(Use(page, colour_space(shading.get("/ColorSpace"), resources),
                                "a shading pattern"))
    elif isinstance(pattern, StreamObject) and pattern.get("/PaintType") == 1:
        inner = state.copy()
        _interpret(reader, ContentStream(pattern, reader),
                   _resolve(pattern.get("/Resources")) or resources, inner, page, drawing,
                   within + (id(pattern),))


def _inside(box, rectangles, page: int, margin: float = 1.0) -> bool:
    """Whether a drawing's box lies within one of the allowed rectangles of its page."""
    if box is None:
        return False
    for rectangle in rectangles:
        number, *corners = rectangle
        if number != page:
            continue
        x0, x1 = sorted((float(corners[0]), float(corners[2])))
        y0, y1 = sorted((float(corners[1]), float(corners[3])))
        if (box[0] >= x0 - margin and box[2] <= x1 + margin
                and box[1] >= y0 - margin and box[3] <= y1 + margin):
            return True
    return False


# -- the PDF's objects ----------------------------------------------------------------

def _resource_trees(reader: PdfReader) -> Iterator[tuple[int, str, DictionaryObject]]:
    """Every resource dictionary a page can reach (its own, its forms', its patterns'
    and Type 3 fonts'), once each, with the page and what holds it."""
    seen: set[int] = set()

    def walk(page: int, what: str, resources) -> Iterator:
        resources = _resolve(resources)
        if not isinstance(resources, DictionaryObject) or id(resources) in seen:
            return
        seen.add(id(resources))
        yield page, what, resources
        for kind in ("/XObject", "/Pattern", "/Font"):
            for name, reference in (_resolve(resources.get(kind)) or {}).items():
                inner = _resolve(reference)
                if isinstance(inner, DictionaryObject) and "/Resources" in inner:
                    yield from walk(page, f"{what} > {name}", inner["/Resources"])

    for number, page in enumerate(reader.pages):
        yield from walk(number, f"page {number + 1}", page.get("/Resources"))


def _xmp(reader: PdfReader):
    metadata = _resolve(reader.trailer["/Root"].get("/Metadata"))
    if metadata is None:
        return None
    try:
        return etree.fromstring(metadata.get_data())
    except etree.XMLSyntaxError:
        return None


def _xmp_value(xmp, prefix: str, name: str) -> str | None:
    """A property of the XMP packet, written as an element or as an attribute."""
    if xmp is None:
        return None
    uri = NS[prefix]
    for description in xmp.iter(f"{{{NS['rdf']}}}Description"):
        if f"{{{uri}}}{name}" in description.attrib:
            return description.attrib[f"{{{uri}}}{name}"].strip()
        element = description.find(f"{{{uri}}}{name}")
        if element is not None:
            return "".join(element.itertext()).strip()
    return None


def _info(reader: PdfReader) -> dict:
    info = _resolve(reader.trailer.get("/Info"))
    return dict(info) if info is not None else {}


def _header_version(path: Path) -> str:
    match = re.match(rb"%PDF-(\d\.\d)", path.read_bytes()[:16])
    return match.group(1).decode() if match else "?"


def _identification(name: str, reader: PdfReader, path: Path, variant: Variant) -> Result:
    """The standard the PDF declares, where its readers look for it."""
    xmp, info, problems = _xmp(reader), _info(reader), []
    if variant.press:
        declared = _xmp_value(xmp, "pdfxid", "GTS_PDFXVersion")
        if variant.flat:
            # PDF/X-1a:2003 predates the pdfxid schema: its key is in the pdfx one.
            declared = declared or _xmp_value(xmp, "pdfx", "GTS_PDFXVersion")
            if str(info.get("/GTS_PDFXVersion", "")) != variant.standard:
                problems.append(f"the Info dictionary's GTS_PDFXVersion is "
                                f"{info.get('/GTS_PDFXVersion') or 'missing'}")
            version = _header_version(path)
            if version > "1.4":
                problems.append(f"PDF {version}: PDF/X-1a:2003 is PDF 1.4 at most")
        if declared != variant.standard:
            problems.append(f"the XMP declares {declared or 'no PDF/X version'}")
        trapped = str(info.get("/Trapped", ""))
        if trapped not in ("/True", "/False"):
            problems.append(f"the Info dictionary's Trapped is {trapped or 'missing'} "
                            "(PDF/X wants True or False)")
        figure = f"{declared or '?'}, Trapped {trapped.lstrip('/') or '?'}"
    else:
        part = _xmp_value(xmp, "pdfaid", "part")
        conformance = _xmp_value(xmp, "pdfaid", "conformance")
        want_part, want_level = re.match(r"PDF/A-(\d)(\w)", variant.standard).groups()
        if part != want_part or (conformance or "").upper() != want_level.upper():
            problems.append(f"the XMP declares part {part or '?'} conformance "
                            f"{conformance or '?'}, not {variant.standard}")
        figure = f"PDF/A-{part or '?'}{(conformance or '?').lower()}"
    return Result(name, not problems, figure, "; ".join(problems))


def _intent(name: str, reader: PdfReader, variant: Variant) -> Result:
    """The output intent: the characterisation the page's colours are meant for."""
    intents = [_resolve(item) for item in
               _resolve(reader.trailer["/Root"].get("/OutputIntents")) or ()]
    wanted = "/GTS_PDFX" if variant.press else "/GTS_PDFA1"
    intent = next((item for item in intents if item.get("/S") == wanted), None)
    if intent is None:
        found = ", ".join(str(item.get("/S")) for item in intents) or "none"
        return Result(name, False, "no output intent",
                      f"no /OutputIntents entry with /S {wanted} (found: {found})")
    profile = _resolve(intent.get("/DestOutputProfile"))
    identifier = str(intent.get("/OutputConditionIdentifier", ""))
    if profile is None:
        return Result(name, False, f"{identifier or '?'}, no profile embedded",
                      "the output intent has no DestOutputProfile")
    data = profile.get_data()
    count = int(profile.get("/N", 0))
    header_space = data[16:20].decode("latin-1").strip() if len(data) >= 20 else "?"
    problems = []
    if variant.press:
        expected = variant.intent
        if count != 4 or header_space != "CMYK":
            problems.append(f"the profile is {header_space} with N={count}, not CMYK (N=4)")
        if expected is not None:
            digest = hashlib.sha256(data).hexdigest()
            if digest != expected.sha256:
                problems.append(f"the profile is not the pinned one (SHA-256 {digest[:12]}…, "
                                f"pinned {expected.sha256[:12]}…)")
            if identifier != expected.identifier:
                problems.append(f"OutputConditionIdentifier '{identifier}', not "
                                f"'{expected.identifier}'")
    return Result(name, not problems, f"{wanted.lstrip('/')}: {identifier or '?'} "
                  f"({header_space}, {len(data)} bytes embedded)", "; ".join(problems))


def _boxes(name: str, reader: PdfReader) -> Result:
    """The trim (the page as cut) and bleed boxes of every page, nested in the media."""
    problems = []

    def box(page, key):
        value = page.get(key)
        return tuple(float(v) for v in _resolve(value)) if value is not None else None

    def within(inner, outer) -> bool:
        return (inner[0] >= outer[0] - 0.01 and inner[1] >= outer[1] - 0.01
                and inner[2] <= outer[2] + 0.01 and inner[3] <= outer[3] + 0.01)

    for number, page in enumerate(reader.pages, 1):
        media = tuple(float(v) for v in page.mediabox)
        trim, bleed = box(page, "/TrimBox"), box(page, "/BleedBox")
        if trim is None or bleed is None:
            problems.append(f"page {number} has no " + " and no ".join(
                key for key, value in (("TrimBox", trim), ("BleedBox", bleed)) if value is None))
            continue
        if not within(trim, bleed):
            problems.append(f"page {number}: the TrimBox is outside the BleedBox")
        if not within(bleed, media):
            problems.append(f"page {number}: the BleedBox is outside the MediaBox")
    count = len(reader.pages)
    return Result(name, not problems, f"{count} page{'s' if count != 1 else ''} with "
                  "TrimBox ⊆ BleedBox ⊆ MediaBox" if not problems else f"{count} pages",
                  "; ".join(problems))


def _font_objects(reader: PdfReader) -> Iterator[tuple[int | None, DictionaryObject]]:
    seen: set = set()
    for _page, _what, resources in _resource_trees(reader):
        for reference in (_resolve(resources.get("/Font")) or {}).values():
            key = _number(reference) or id(_resolve(reference))
            if key in seen:
                continue
            seen.add(key)
            yield _number(reference), _resolve(reference)


def _fonts(name: str, reader: PdfReader) -> Result:
    """Every font's program in the file: a RIP substitutes a font it lacks."""
    problems, count = [], 0
    for _number_, font in _font_objects(reader):
        count += 1
        base = str(font.get("/BaseFont", "?")).lstrip("/")
        if font.get("/Subtype") == "/Type3":
            continue  # its glyphs are drawings in the file itself
        holders = [_resolve(item) for item in _resolve(font.get("/DescendantFonts")) or ()] \
            or [font]
        for holder in holders:
            descriptor = _resolve(holder.get("/FontDescriptor")) or {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"{base} is not embedded")
    return Result(name, not problems, f"{count} fonts, all embedded" if not problems
                  else f"{count} fonts", "; ".join(sorted(set(problems))))


def _glyphs(name: str, reader: PdfReader, pages: Pages) -> Result:
    """A CID-keyed CFF font draws by its charset: ISO 32000-1 9.7.4.2 has a CID pick the
    glyph whose charset entry is that CID, as Ghostscript, Acrobat and the Adobe PDF Print
    Engine do; PDFium and poppler take an OpenType-wrapped program's CID as a glyph index.
    Where the charset is not the identity for the codes shown, the two families draw
    different glyphs, and the plate gets the other one."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont

    problems, checked = [], 0
    for number, font in _font_objects(reader):
        descendants = _resolve(font.get("/DescendantFonts")) or ()
        if not descendants or str(font.get("/Encoding")) not in ("/Identity-H", "/Identity-V"):
            continue
        cid_font = _resolve(descendants[0])
        descriptor = _resolve(cid_font.get("/FontDescriptor")) or {}
        program = _resolve(descriptor.get("/FontFile3"))
        if cid_font.get("/Subtype") != "/CIDFontType0" or program is None:
            continue
        codes = pages.codes.get(number, frozenset())
        base = str(font.get("/BaseFont", "?")).lstrip("/")
        data = program.get_data()
        wrapped = program.get("/Subtype") == "/OpenType"
        try:
            if wrapped:
                cff = TTFont(io.BytesIO(data))["CFF "].cff
            else:
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(data), None)
            top = cff.topDictIndex[0]
            order = top.charset
        except Exception as error:  # noqa: BLE001 - a damaged program is the finding
            problems.append(f"{base}: its CFF program cannot be read ({error})")
            continue
        checked += 1
        if not hasattr(top, "ROS"):
            continue  # name-keyed: a CID is the glyph index
        cids = [0 if glyph == ".notdef" else int(glyph[3:]) for glyph in order]
        by_cid = set(cids)
        if wrapped:
            astray = sorted(code for code in codes
                            if code >= len(cids) or cids[code] != code)
        else:
            astray = sorted(code for code in codes if code not in by_cid)
        if astray:
            lost = sum(1 for code in astray if code not in by_cid)
            problems.append(f"{base}: {len(astray)} of {len(codes)} glyph codes draw another "
                            f"glyph by the charset a RIP follows ({lost} of them none), "
                            f"first code {astray[0]}")
    return Result(name, not problems, f"{checked} CFF fonts read as a RIP reads them",
                  "; ".join(problems) + ("; the CID-keyed faces need an identity charset "
                                         "(CID = glyph index) before WeasyPrint embeds them"
                                         if problems else ""))


def process_colour(pages: Pages, variant: Variant) -> Result:
    """``_process_colour`` for a build reading its own press PDF back."""
    return _process_colour("press.colour", pages, variant)


def black_plate(pages: Pages, allowed: tuple = ()) -> Result:
    """``_black`` for a build reading its own press PDF back."""
    return _black("press.black", pages, allowed)


def cid_glyphs(reader: PdfReader, name: str = "pdf.cids") -> Result:
    """``_glyphs`` of any PDF, the screen's too: Acrobat reads a CFF font as a RIP does."""
    return _glyphs(name, reader, read_pages(reader))


def _process_colour(name: str, pages: Pages, variant: Variant) -> Result:
    """No RGB on a press page (a RIP would separate it by its own guess), and for PDF/X-1a
    nothing but device CMYK and grey (and spot inks)."""
    problems = []
    if pages.rgb_operators:
        problems.append(f"{pages.rgb_operators} RGB colour operators (rg/RG)")
    seen: dict = {}
    for use in pages.uses:
        space = use.space
        bad = space.rgb or (variant.flat and (space.icc or space.kind in ("lab", "unknown")
                                              or (space.base is not None and space.base.icc)))
        if space.kind == "unknown":
            bad = True
        if bad:
            seen.setdefault((str(space), use.what), use.page)
    problems += [f"{what} in {space} (page {page + 1})" for (space, what), page in seen.items()]
    kinds = sorted({str(use.space) for use in pages.uses})
    return Result(name, not problems, f"spaces used: {', '.join(kinds) or 'none'}",
                  "; ".join(problems))


def _icc_anywhere(reader: PdfReader) -> list[str]:
    """PDF/X-1a: an ICC colour space is not allowed among the resources either."""
    found = []
    for _page, what, resources in _resource_trees(reader):
        for key, value in (_resolve(resources.get("/ColorSpace")) or {}).items():
            value = _resolve(value)
            if isinstance(value, ArrayObject) and value and str(value[0]) == "/ICCBased":
                found.append(f"{what}: {key}")
    return found


def _black(name: str, pages: Pages, allowed: tuple) -> Result:
    """Text and rules on the black plate alone: four-colour black text misregisters into
    coloured fringes on newsprint. The allowed rectangles (a red masthead) are excepted."""
    texts = [paint for paint in pages.paints if paint.kind == "text"]
    lines = [paint for paint in pages.paints if paint.kind != "text"]
    bad_texts = [paint for paint in texts
                 if not paint.k_only() and not _inside(paint.box, allowed, paint.page)]
    bad_lines = [paint for paint in lines
                 if not paint.k_only() and not _inside(paint.box, allowed, paint.page)]
    problems = []
    if bad_texts:
        first = bad_texts[0]
        problems.append(f"{len(bad_texts)} text runs not on K only, first {first.described()} "
                        f"on page {first.page + 1} at {first.box[0]:.0f}, {first.box[1]:.0f} pt")
    if bad_lines:
        first = bad_lines[0]
        where = f" at {first.box[0]:.0f}, {first.box[1]:.0f} pt" if first.box else ""
        problems.append(f"{len(bad_lines)} paths or fills not on K only, first a {first.kind} "
                        f"in {first.described()} on page {first.page + 1}{where}")
    excepted = sum(1 for paint in pages.paints
                   if not paint.k_only() and _inside(paint.box, allowed, paint.page))
    figure = (f"{len(texts) - len(bad_texts)} of {len(texts)} text runs, "
              f"{len(lines) - len(bad_lines)} of {len(lines)} paths on K only") + (
        f" ({excepted} in process colour where allowed)" if excepted else "")
    return Result(name, not problems, figure, "; ".join(problems))


def _ghostscript() -> str | None:
    return shutil.which("gs")


INKCOV = re.compile(r"^\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+CMYK\s+OK", re.M)


def ink_coverage(path: Path) -> list[tuple[float, float, float, float]]:
    """Ghostscript's share of each page every ink covers (0–1), C, M, Y, K, page by page."""
    run = subprocess.run([_ghostscript() or "gs", "-q", "-dSAFER", "-o", "-",
                          "-sDEVICE=inkcov", str(path)], capture_output=True, text=True,
                         timeout=TOOL_TIMEOUT_S)
    return [tuple(float(value) for value in match.groups())
            for match in INKCOV.finditer(run.stdout)]


def _inkcov(name: str, path: Path, mono_pages: frozenset[int], count: int) -> Result:
    """The coverage of each ink as Ghostscript images the page: a mono page (黑白版) is
    printed from the black plate alone, so it carries no C, M or Y at all."""
    if _ghostscript() is None:
        return Result(name, False, "not measured", GS_MISSING)
    pages = ink_coverage(path)
    if len(pages) != count:
        return Result(name, False, f"{len(pages)} pages measured of {count}",
                      "Ghostscript could not image every page")
    figure = "; ".join(f"p{number + 1}{' (mono)' if number in mono_pages else ''} C "
                       f"{c:.1%} M {m:.1%} Y {y:.1%} K {k:.1%}"
                       for number, (c, m, y, k) in enumerate(pages))
    problems = [f"page {number + 1} is mono and carries "
                + ", ".join(f"{ink} {value:.3%}" for ink, value in zip("CMY", page[:3]) if value)
                for number, page in enumerate(pages) if number in mono_pages and any(page[:3])]
    problems += [f"page {number + 1} is not in the PDF" for number in sorted(mono_pages)
                 if number >= count]
    return Result(name, not problems, figure, "; ".join(problems))


def _separations(name: str, path: Path, pages: Pages, mono_pages: frozenset[int],
                 allowed: tuple) -> Result:
    """The cyan, magenta and yellow plates as Ghostscript separates the page: ink only
    where a photo is placed (or in an allowed rectangle); anything else is type or a rule
    that would print in colour. A mono page's plates are empty."""
    if _ghostscript() is None:
        return Result(name, False, "not separated", GS_MISSING)
    problems, inked, photo_ink = [], 0, 0
    scale = SEPARATION_DPI / 72
    with tempfile.TemporaryDirectory(prefix="pressroom-sep-") as folder:
        run = subprocess.run([_ghostscript(), "-q", "-dSAFER", "-sDEVICE=tiffsep",
                              f"-r{SEPARATION_DPI}", "-o", str(Path(folder) / "p%d.tif"),
                              str(path)], capture_output=True, text=True,
                             timeout=TOOL_TIMEOUT_S)
        if run.returncode != 0:
            return Result(name, False, "not separated",
                          f"Ghostscript failed: {run.stderr.strip()[-200:]}")
        for number, media in enumerate(pages.sizes):
            x0, y0, x1, y1 = media
            regions = [] if number in mono_pages else (
                [(placement.box, EDGE_PX) for placement in pages.placements
                 if placement.page == number]
                + [((r[1], r[2], r[3], r[4]), 1) for r in allowed if r[0] == number])
            for ink in ("Cyan", "Magenta", "Yellow"):
                plate_path = Path(folder) / f"p{number + 1}({ink}).tif"
                if not plate_path.exists():
                    problems.append(f"page {number + 1}: no {ink} plate")
                    continue
                # tiffsep writes a plate as film: 255 is no ink, 0 full ink.
                plate = 255 - np.asarray(Image.open(plate_path).convert("L"), dtype=np.int16)
                ink_mask = plate >= INK_FLOOR
                free = ink_mask.copy()
                for (bx0, by0, bx1, by1), grow in regions:
                    bx0, bx1 = sorted((float(bx0), float(bx1)))
                    by0, by1 = sorted((float(by0), float(by1)))
                    # The PDF's y grows upwards from the MediaBox's foot, the plate's rows
                    # downwards from its head.
                    left = max(0, math.floor((bx0 - x0) * scale) - grow)
                    right = min(plate.shape[1], math.ceil((bx1 - x0) * scale) + grow)
                    top = max(0, math.floor((y1 - by1) * scale) - grow)
                    bottom = min(plate.shape[0], math.ceil((y1 - by0) * scale) + grow)
                    free[top:bottom, left:right] = False
                inked += int(ink_mask.sum())
                photo_ink += int(ink_mask.sum() - free.sum())
                if free.any():
                    rows, columns = np.nonzero(free)
                    x = x0 + (columns[0] + 0.5) / scale
                    y = y1 - (rows[0] + 0.5) / scale
                    problems.append(f"page {number + 1}: {int(free.sum())} px of {ink} outside "
                                    f"the photos, first at {x:.0f}, {y:.0f} pt")
    figure = f"{len(pages.sizes)} pages at {SEPARATION_DPI} dpi: {inked} px on C/M/Y, " \
             f"{photo_ink} of them in {len(pages.placements)} photos" + (
                 " or allowed areas" if allowed else "")
    return Result(name, not problems, figure, "; ".join(problems) + (
        " (text or rules not on K only)" if problems else ""))


def image_list(path: Path) -> list[dict]:
    """poppler's ``pdfimages -list``: page, type, size, colour, components, bits, object,
    ppi, one dict an image."""
    run = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                         timeout=TOOL_TIMEOUT_S)
    rows = []
    for line in run.stdout.splitlines()[2:]:
        fields = line.split()
        if len(fields) < 14 or not fields[0].isdigit():
            continue
        rows.append({"page": int(fields[0]), "type": fields[2], "width": int(fields[3]),
                     "height": int(fields[4]), "color": fields[5], "comp": int(fields[6]),
                     "bpc": int(fields[7]), "enc": fields[8], "object": int(fields[10]),
                     "x_ppi": _ppi(fields[12]), "y_ppi": _ppi(fields[13])})
    return rows


def _ppi(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.inf


def image_ink(stream) -> float | None:
    """The total ink (C + M + Y + K, per cent) of a CMYK image's darkest pixels (the
    ``INK_PERCENTILE``), as a RIP decodes them; None where its encoding is not read."""
    filters = stream.get("/Filter")
    filters = [str(item) for item in (filters if isinstance(filters, ArrayObject)
                                      else [filters] if filters else [])]
    decode = [float(value) for value in stream.get("/Decode") or ()]
    inverted = len(decode) == 8 and decode[0] == 1 and decode[1] == 0
    data = stream.get_data()
    if filters and filters[-1] in ("/DCTDecode", "/DCT"):
        image = Image.open(io.BytesIO(data))
        if image.mode != "CMYK":
            return None
        pixels = np.asarray(image, dtype=np.float32)
        # Pillow undoes Adobe's inverted CMYK; a PDF reader undoes it by /Decode instead.
        raw = 255 - pixels if "adobe" in image.info else pixels
        pixels = 255 - raw if inverted else raw
    elif not filters or filters[-1] in ("/FlateDecode", "/Fl"):
        if int(stream.get("/BitsPerComponent", 8)) != 8:
            return None
        width, height = int(stream["/Width"]), int(stream["/Height"])
        pixels = np.frombuffer(data, dtype=np.uint8)[:width * height * 4] \
            .reshape(height, width, 4).astype(np.float32)
        if inverted:
            pixels = 255 - pixels
    else:
        return None
    total = pixels.sum(axis=2) * 100 / 255
    return float(np.percentile(total, INK_PERCENTILE))


def _images(name: str, path: Path, reader: PdfReader) -> Result:
    """Each image's colour (CMYK or grey on the plate), its resolution at printed size and
    a CMYK photo's total ink against what newsprint takes (``photos.TOTAL_INK``)."""
    if shutil.which("pdfimages") is None:
        return Result(name, False, "not listed", PDFIMAGES_MISSING)
    rows = image_list(path)
    problems, notes, inks = [], [], []
    for row in rows:
        label = f"page {row['page']} image {row['object']}"
        if row["type"] in ("smask", "mask", "stencil"):
            continue  # a mask carries no ink of its own
        colour = row["color"]
        if colour == "rgb" or (colour == "icc" and row["comp"] == 3) or colour == "lab":
            problems.append(f"{label} is {colour.upper()} ({row['comp']} components)")
        elif colour not in ("cmyk", "gray", "sep", "devn") and not (
                colour == "icc" and row["comp"] in (1, 4)):
            problems.append(f"{label} is {colour} ({row['comp']} components)")
        ppi = min(row["x_ppi"], row["y_ppi"])
        if ppi < POOR_PPI:
            problems.append(f"{label} is {ppi:.0f} ppi at its printed size (under {POOR_PPI})")
        elif ppi < GOOD_PPI:
            notes.append(f"{label} is {ppi:.0f} ppi at its printed size (under {GOOD_PPI})")
        if colour == "cmyk" or (colour == "icc" and row["comp"] == 4):
            total = image_ink(reader.get_object(row["object"]))
            if total is None:
                notes.append(f"{label}: its ink not read ({row['enc']})")
            else:
                inks.append(total)
                if total > photos.TOTAL_INK:
                    problems.append(f"{label} carries {total:.0f} % ink ({INK_PERCENTILE} "
                                    f"percentile; newsprint takes {photos.TOTAL_INK} %)")
    pictures = [row for row in rows if row["type"] not in ("smask", "mask", "stencil")]
    lowest = min((min(row["x_ppi"], row["y_ppi"]) for row in pictures), default=None)
    colours = ", ".join(sorted({row["color"] for row in pictures})) or "none"
    figure = f"{len(pictures)} images ({colours})"
    if lowest is not None:
        figure += f", lowest {lowest:.0f} ppi"
    if inks:
        figure += f", total ink at most {max(inks):.0f} %"
    return Result(name, not problems, figure, "; ".join(problems + notes),
                  warning=bool(notes) and not problems)


def _transparency(name: str, reader: PdfReader) -> Result:
    """PDF/X-1a is flat: no soft mask, no transparency group, no constant alpha below 1,
    no blend mode but Normal."""
    problems = []
    for number, page in enumerate(reader.pages):
        group = _resolve(page.get("/Group"))
        if group is not None and group.get("/S") == "/Transparency":
            problems.append(f"page {number + 1} is a transparency group")
    for _page, what, resources in _resource_trees(reader):
        for key, state in (_resolve(resources.get("/ExtGState")) or {}).items():
            state = _resolve(state)
            for alpha in ("/CA", "/ca"):
                if alpha in state and float(state[alpha]) < 1:
                    problems.append(f"{what}: {key} sets {alpha.lstrip('/')} "
                                    f"{float(state[alpha]):g}")
            mask = state.get("/SMask")
            if mask is not None and str(mask) != "/None":
                problems.append(f"{what}: {key} has a soft mask")
            blend = state.get("/BM")
            blends = blend if isinstance(blend, ArrayObject) else [blend] if blend else []
            if any(str(mode) not in ("/Normal", "/Compatible") for mode in blends):
                problems.append(f"{what}: {key} blends {', '.join(str(m) for m in blends)}")
        for key, xobject in (_resolve(resources.get("/XObject")) or {}).items():
            xobject = _resolve(xobject)
            if xobject.get("/SMask") is not None:
                problems.append(f"{what}: image {key} has a soft mask")
            group = _resolve(xobject.get("/Group"))
            if group is not None and group.get("/S") == "/Transparency":
                problems.append(f"{what}: form {key} is a transparency group")
    return Result(name, not problems, "flat: no transparency" if not problems
                  else f"{len(problems)} transparent objects", "; ".join(problems[:6]))


PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
                      r"([Zz+-])?(\d{2})?'?(\d{2})?")


def pdf_date(text: str) -> datetime.datetime | None:
    """An Info dictionary's date (D:YYYYMMDDHHmmSS+HH'mm') as a datetime."""
    match = PDF_DATE.match(str(text))
    if not match:
        return None
    year, month, day, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    zone = None
    if sign in ("Z", "z"):
        zone = datetime.timezone.utc
    elif sign:
        offset = datetime.timedelta(hours=int(zone_hours or 0), minutes=int(zone_minutes or 0))
        zone = datetime.timezone(offset if sign == "+" else -offset)
    return datetime.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                             int(minute or 0), int(second or 0), tzinfo=zone)


def _iso(text: str | None) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _dated(name: str, reader: PdfReader, date: str | None) -> Result:
    """The dates a plant and an archive file the PDF by: the Info dictionary's and the
    XMP's, the issue's when it is known."""
    info, xmp = _info(reader), _xmp(reader)
    created, modified = info.get("/CreationDate"), info.get("/ModDate")
    xmp_created = _xmp_value(xmp, "xmp", "CreateDate")
    problems = [f"no {what}" for what, value in (("Info CreationDate", created),
                                                 ("Info ModDate", modified),
                                                 ("xmp:CreateDate", xmp_created)) if not value]
    if date is not None:
        wanted = _iso(date)
        for what, value in (("Info CreationDate", pdf_date(created) if created else None),
                            ("xmp:CreateDate", _iso(xmp_created))):
            if value is not None and value != wanted:
                problems.append(f"{what} is {value.isoformat()}, the issue's is {date}")
    return Result(name, not problems, f"created {xmp_created or pdf_date(created) or '?'}",
                  "; ".join(problems))


def _tagged(name: str, reader: PdfReader) -> Result:
    """PDF/A-2a's 'a': a structure tree, marked content and the language."""
    root = reader.trailer["/Root"]
    mark = _resolve(root.get("/MarkInfo")) or {}
    problems = [what for what, ok in (
        ("no /StructTreeRoot", "/StructTreeRoot" in root),
        ("/MarkInfo /Marked is not true", bool(mark.get("/Marked"))),
        ("no /Lang", bool(root.get("/Lang")))) if not ok]
    return Result(name, not problems, f"tagged, language {root.get('/Lang', '?')}",
                  "; ".join(problems))


# -- all of it ------------------------------------------------------------------------

def check_variant(path: Path, variant: Variant, mono_pages: frozenset[int] = frozenset(),
                  date: str | None = None, allowed_colour: tuple = ()) -> Iterator[Result]:
    """The checks of a press or archive PDF, one figure each.

    ``mono_pages``: 0-based pages printed in black alone (no C, M or Y at all);
    ``date``: the issue's xmp:CreateDate (ISO, as ``outputs.page.dated_stamp`` gives it),
    None to require only that there is one; ``allowed_colour``: rectangles ``(page index,
    x0, y0, x1, y1)`` in PDF points of the page's default space (origin at the foot of
    the MediaBox, y upwards, as PDFium's ``get_pos`` gives them) where text and rules may
    be in process colour, e.g. a red masthead. The screen PDF has no checks here."""
    if not variant.press and not variant.dated:
        return
    path = Path(path)
    problem = unreadable(path)
    if problem:  # a file cut short or overwritten: one failure, the other checks still run
        yield Result(f"{'press' if variant.press else 'archive'}.read", False, "not read",
                     f"{path.name} is no PDF that can be read ({problem}); build it again")
        return
    reader = PdfReader(path)
    pages = read_pages(reader)
    if variant.press:
        yield _identification("press.identification", reader, path, variant)
        yield _intent("press.intent", reader, variant)
        yield _boxes("press.boxes", reader)
        yield _fonts("press.fonts", reader)
        yield _glyphs("press.glyphs", reader, pages)
        colour = _process_colour("press.colour", pages, variant)
        if variant.flat:
            icc = _icc_anywhere(reader)
            if icc:
                colour = Result(colour.check, False, colour.figure, "; ".join(
                    filter(None, [colour.problem, f"ICC colour spaces among the resources "
                                  f"({', '.join(icc[:4])}): PDF/X-1a allows device colour only"])))
        yield colour
        yield _black("press.black", pages, allowed_colour)
        yield _inkcov("press.inkcov", path, frozenset(mono_pages), len(reader.pages))
        yield _separations("press.separations", path, pages, frozenset(mono_pages),
                           allowed_colour)
        yield _images("press.images", path, reader)
        if variant.flat:
            yield _transparency("press.transparency", reader)
        if variant.dated:
            yield _dated("press.dated", reader, date)
    else:
        yield _identification("archive.identification", reader, path, variant)
        yield _tagged("archive.tagged", reader)
        yield _intent("archive.intent", reader, variant)
        yield _fonts("archive.fonts", reader)
        yield _glyphs("archive.glyphs", reader, pages)
        yield _dated("archive.dated", reader, date)
