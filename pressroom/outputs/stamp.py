"""Advertisements (广告) stamped onto rendered pages.

Takes the PDF the print back end made and a list of ``Stamp``s (a page, an artwork file,
and where the artwork's top-left corner stands, in pt from the page's top-left corner);
gives the PDF's bytes with each artwork drawn over its page.

An advertisement is supplied at its printed size and is never resized: ``artwork_size``
reads that size from the file, and the artwork is placed at exactly that size. "Supplied
at its size" means: a PDF's TrimBox (its MediaBox when it has none), an SVG's ``width``
and ``height``, a PNG's or JPEG's pixels at the resolution the file gives, and at 300 ppi
when it gives none.

The artwork is drawn as an artifact (``/Artifact BMC ... EMC``): it is not part of the
story, so it stays out of the tagged PDF's reading order and the structure tree stays
valid and as it was. Each artwork becomes a one-page PDF of exactly its size (a PDF
artwork is that already; an SVG, PNG or JPEG is drawn by WeasyPrint into one), and that
page a Form XObject the target page draws. The page's own content streams are kept byte
for byte; streams are only added around them. The same input gives the same bytes: no
clock time and no random identifier goes in (the document keeps its own /ID and
metadata).
"""
from __future__ import annotations

import functools

import html
import math
import re
import warnings
import xml.etree.ElementTree as ElementTree
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Iterator, Sequence

import weasyprint
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject,
                           IndirectObject, NameObject, NumberObject)

from ..errors import CODES, Location, PressroomError
from .roots import Roots
from .sandbox import SandboxFetcher, SandboxRefusal, weasyprint_log

# A raster artwork's resolution when the file gives none.
DEFAULT_PPI = 300.0

# Points per unit of the absolute lengths an SVG's width and height may use (CSS: 96 px
# to the inch; a bare number is px).
SVG_UNITS = {"": 0.75, "px": 0.75, "pt": 1.0, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54,
             "mm": 72 / 25.4}
_LENGTH = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z%]*)\s*")

# EXIF orientations that turn the picture a quarter turn: WeasyPrint draws the picture
# the way the file says it stands (image-orientation: from-image), so its size swaps too.
_QUARTER_TURNS = {5, 6, 7, 8}

_HINT = "supply the advertisement as a PNG, JPEG, SVG or PDF file at its printed size"


@dataclass(frozen=True)
class Stamp:
    """One advertisement on one page: ``page`` a 0-based page index, ``left`` and ``top``
    where the artwork's top-left corner stands, in pt from the page's top-left corner.
    ``alt`` names it for the outputs that show it as content (an artifact in the PDF has
    no alternate text); ``where`` is the plan's line that asks for it, for errors."""

    page: int
    artwork: Path
    left: float
    top: float
    alt: str = "广告"
    where: Location | None = None


# -- the artwork ------------------------------------------------------------------------

def _error(path: Path, what: str, where: Location | None, code: str = "PR158",
           hint: str = _HINT) -> PressroomError:
    # The kind of error is the code's (CODES): PR158 is one of the page plan's.
    return CODES[code].kind(f"the artwork '{path.name}' {what}",
                            where or Location(path), hint, code=code)


def _read(path: Path, where: Location | None) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise _error(path, "is not there", where) from None
    except OSError as error:  # a folder, permission denied ...
        raise _error(path, f"cannot be read ({error.strerror or error})", where) from None


def _kind(data: bytes) -> str | None:
    """The artwork's format, from its bytes (an extension says nothing for sure)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b"%PDF-" in data[:1024]:  # PDF allows a little junk before its header
        return "pdf"
    if _svg_root(data) is not None:
        return "svg"
    return None


def _svg_root(data: bytes) -> ElementTree.Element | None:
    """The root ``<svg>`` element, or None for anything that is not an SVG document."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return None
    try:
        # ElementTree resolves no external entity, and expat refuses entity bombs.
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError):
        return None
    return root if root.tag in ("svg", "{http://www.w3.org/2000/svg}svg") else None


def _svg_length(root: ElementTree.Element, name: str, path: Path,
                where: Location | None) -> float:
    value = root.get(name)
    match = _LENGTH.fullmatch(value) if value is not None else None
    unit = match.group(2).lower() if match else None
    if match is None or unit not in SVG_UNITS or not 0 < float(match.group(1)) < math.inf:
        given = "has no " + name if value is None else f"has {name}=\"{value}\""
        raise _error(path, f"{given}, not an absolute length (mm, cm, in, pt, pc or px)",
                     where, hint="give the SVG a width and height in mm, its printed size")
    return float(match.group(1)) * SVG_UNITS[unit]


def _svg_size(data: bytes, path: Path, where: Location | None) -> tuple[float, float]:
    root = _svg_root(data)
    assert root is not None  # _kind found it
    return _svg_length(root, "width", path, where), _svg_length(root, "height", path, where)


def _raster_size(data: bytes, path: Path, where: Location | None) -> tuple[float, float]:
    try:
        with warnings.catch_warnings():
            # Too many pixels to decode safely is an error here, not a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image, _whole_files_only():
                image.load()  # a truncated file (half an upload) is not an advertisement
                pixels = image.size
                dpi = _given_dpi(image)
                turn = ("exif" in image.info and
                        image.getexif().get(ExifTags.Base.Orientation) in _QUARTER_TURNS)
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, SyntaxError, ValueError) as error:
        raise _error(path, f"cannot be read as an image ({error})", where) from None
    ppi = _ppi(dpi)
    width, height = (pixels[0] / ppi[0] * 72, pixels[1] / ppi[1] * 72)
    return (height, width) if turn else (width, height)


@contextmanager
def _whole_files_only() -> Iterator[None]:
    """Pillow refusing a truncated image for a moment: WeasyPrint has it accept them for
    good (ImageFile.LOAD_TRUNCATED_IMAGES), and would print the missing rows grey."""
    accepted = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepted


def _given_dpi(image: Image.Image):
    """The resolution the file itself gives. Pillow says 72 ppi of a JPEG whose EXIF block
    gives none (and whose JFIF header gives only an aspect ratio): that is no resolution
    of the file's."""
    if (image.format == "JPEG" and image.info.get("jfif_unit") not in (1, 2)
            and ExifTags.Base.XResolution not in image.getexif()):
        return None
    return image.info.get("dpi")


def _ppi(dpi) -> tuple[float, float]:
    """The resolution the file gives (x, y), DEFAULT_PPI where it gives none (or 0)."""
    try:
        x, y = (float(value) for value in dpi)
    except (TypeError, ValueError):
        return DEFAULT_PPI, DEFAULT_PPI
    return (x if x > 0 else DEFAULT_PPI), (y if y > 0 else DEFAULT_PPI)


def _pdf_page(data: bytes, path: Path, where: Location | None) -> PageObject:
    """The artwork's first page."""
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            raise _error(path, "is an encrypted PDF", where)
        return reader.pages[0]
    except PressroomError:
        raise
    except Exception as error:  # noqa: BLE001 - whatever a broken file makes pypdf raise
        raise _error(path, f"cannot be read as a PDF ({error or type(error).__name__})",
                     where) from None


def _pdf_box(page: PageObject) -> tuple[float, float, float, float]:
    """The artwork's extent on its page (left, bottom, right, top): its TrimBox, the
    MediaBox when it has none."""
    box = page.trimbox if "/TrimBox" in page else page.mediabox
    xs, ys = sorted((float(box[0]), float(box[2]))), sorted((float(box[1]), float(box[3])))
    return xs[0], ys[0], xs[1], ys[1]


def _pdf_placement(page: PageObject, path: Path, where: Location | None
                   ) -> tuple[tuple[float, ...], float, float]:
    """The matrix taking the page's box to (0, 0)-(width, height) as the page is shown
    (turned by its /Rotate, scaled by its /UserUnit), and that width and height in pt."""
    left, bottom, right, top = _pdf_box(page)
    width, height = right - left, top - bottom
    rotation = page.rotation % 360
    if width <= 0 or height <= 0 or rotation not in (0, 90, 180, 270):
        raise _error(path, "has a first page of no size or of a skewed rotation", where)
    matrix = {  # x' = a x + c y + e, y' = b x + d y + f, as PDF writes a b c d e f
        0: (1, 0, 0, 1, -left, -bottom),
        90: (0, -1, 1, 0, -bottom, width + left),  # clockwise: the left edge on top
        180: (-1, 0, 0, -1, width + left, height + bottom),
        270: (0, 1, -1, 0, height + bottom, -left),
    }[rotation]
    unit = float(page.user_unit)
    shown = (height, width) if rotation in (90, 270) else (width, height)
    return tuple(value * unit for value in matrix), shown[0] * unit, shown[1] * unit


def _artwork(path: Path, where: Location | None
             ) -> tuple[tuple[float, float], PageObject | None]:
    """The artwork's printed size in pt, and its first page if it is a PDF."""
    data = _read(path, where)
    kind = _kind(data)
    if kind == "pdf":
        page = _pdf_page(data, path, where)
        _, width, height = _pdf_placement(page, path, where)
        return (width, height), page
    if kind == "svg":
        return _svg_size(data, path, where), None
    if kind in ("png", "jpeg"):
        return _raster_size(data, path, where), None
    raise _error(path, "is not a PNG, JPEG, SVG or PDF file", where)


def artwork_size(path: Path, where: Location | None = None) -> tuple[float, float]:
    """The artwork's printed size in pt (width, height), read from the file itself: a
    PDF's first page's TrimBox (else its MediaBox), an SVG's width and height (absolute
    units, a bare number is px at 96 to the inch), a PNG's or JPEG's pixels at the file's
    own resolution, 300 ppi when it gives none. An error PR158 names the file when it
    is missing, unreadable, of another kind, or an SVG without an absolute size."""
    return _artwork(Path(path), where)[0]


# -- the artwork as a page --------------------------------------------------------------

def _length(value: float) -> str:
    """A number as a PDF or CSS length: fixed digits, so that the bytes never vary."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _as_roots(roots: Roots | Sequence[Path]) -> Roots:
    """Roots as given, or a list of folders each under a name of its own."""
    if isinstance(roots, Roots):
        return roots
    return Roots.of({f"root-{number}": folder for number, folder in enumerate(roots)})


def _drawn(path: Path, size: tuple[float, float], roots: Roots,
           where: Location | None) -> PageObject:
    """An SVG, PNG or JPEG drawn by WeasyPrint on a page of exactly its size, read through
    the sandbox (an SVG may ask for other files); drawn once per build of an edition,
    which stamps it onto the page's PDF and onto the edition's."""
    data = _drawn_pdf(path, path.stat().st_mtime_ns, size, roots, where)
    return PdfReader(BytesIO(data)).pages[0]


@functools.lru_cache(maxsize=16)
def _drawn_pdf(path: Path, modified: int, size: tuple[float, float], roots: Roots,
               where: Location | None) -> bytes:
    width, height = _length(size[0]) + "pt", _length(size[1]) + "pt"
    # Placed absolutely, the picture can never spill onto a second page by a rounding.
    page = (f"<!DOCTYPE html><html><head><style>"
            f"@page {{ size: {width} {height}; margin: 0 }} html, body {{ margin: 0 }} "
            f"img {{ position: absolute; left: 0; top: 0; width: {width}; height: {height}; "
            f"image-orientation: from-image }}</style></head>"
            f"<body><img src=\"{html.escape(roots.url(path))}\" alt=\"\"></body></html>")
    fetcher = SandboxFetcher(roots)
    try:
        with weasyprint_log() as logged:
            data = weasyprint.HTML(string=page, base_url=roots.folder_url(path.parent),
                                   url_fetcher=fetcher).write_pdf()
    except SandboxRefusal as refusal:
        raise _refused(path, refusal.url, refusal.reason, where) from None
    if fetcher.refused:  # a refusal something in WeasyPrint caught after all
        raise _refused(path, fetcher.refused[0], "outside the allowed folders", where)
    if logged:
        raise _error(path, "cannot be drawn: " + "; ".join(dict.fromkeys(logged)), where)
    return data


def _refused(path: Path, url: str, reason: str, where: Location | None) -> PressroomError:
    """An SVG's reference to a file outside the allowed folders, refused (PR310, as of
    any page that asks the renderer for one)."""
    return _error(path, f"asks for '{url}', which was refused: {reason}", where,
                  code="PR310", hint="an SVG artwork may use only files inside the "
                  "edition's folder")


def artwork_page(path: Path, roots: Roots | Sequence[Path],
                 where: Location | None = None) -> PageObject:
    """The page an artwork is placed from, as ``stamp`` places it: a PDF's first page, or
    the page WeasyPrint draws an SVG, PNG or JPEG on (through ``roots``, so with the
    conversions of a press PDF): what a press build reads the artwork's inks from."""
    path = Path(path).absolute()
    size, page = _artwork(path, where)
    return page if page is not None else _drawn(path, size, _as_roots(roots), where)


def _unmarked(page: PageObject) -> bytes:
    """The page's content with its marked-content sequences taken out, but for optional
    content (/OC: a layer that may be hidden). Inside an artifact, a tagged artwork's own
    marks (its MCIDs point into its own structure tree) would be tagged content within an
    artifact, which PDF/UA forbids."""
    contents = page.get_contents()
    if contents is None:
        return b""
    kept, stack = [], []
    for operands, operator in contents.operations:
        if operator in (b"BMC", b"BDC"):
            stack.append(operator == b"BDC" and operands and operands[0] == "/OC")
            if not stack[-1]:
                continue
        elif operator == b"EMC":
            if stack and not stack.pop():
                continue
        elif operator in (b"MP", b"DP"):
            continue
        kept.append((operands, operator))
    contents.operations = kept
    return contents.get_data()


def _form(writer: PdfWriter, page: PageObject, placement: tuple[float, ...]
          ) -> IndirectObject:
    """The artwork's page as a Form XObject of the writer, clipped to its box."""
    form = DecodedStreamObject()
    form.set_data(_unmarked(page))
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/FormType"): NumberObject(1),
        NameObject("/BBox"): ArrayObject(FloatObject(value) for value in _pdf_box(page)),
        NameObject("/Matrix"): ArrayObject(FloatObject(value) for value in placement),
        NameObject("/Resources"): (page["/Resources"].clone(writer) if "/Resources" in page
                                   else DictionaryObject()),
    })
    if "/Group" in page:  # a transparency group stays one, composited as the artwork was
        form[NameObject("/Group")] = page["/Group"].clone(writer)
    # pypdf has no public call that makes a new indirect object of a writer.
    return writer._add_object(form.flate_encode())


def _artwork_form(writer: PdfWriter, stamp: Stamp, roots: Roots
                  ) -> tuple[IndirectObject, float, float]:
    """The stamp's artwork as a Form XObject of the writer, and its width and height."""
    path = Path(stamp.artwork).absolute()
    try:
        allowed, _ = roots.resolve(roots.url(path))
    except ValueError:  # in no root at all
        allowed = None
    if allowed is None:
        raise _error(path, "lies outside the folders artwork may come from", stamp.where,
                     hint="keep the artwork inside the edition's folder")
    size, page = _artwork(path, stamp.where)
    if page is None:
        page = _drawn(path, size, roots, stamp.where)
    placement, width, height = _pdf_placement(page, path, stamp.where)
    return _form(writer, page, placement), width, height


# -- the stamp --------------------------------------------------------------------------

def _stream(writer: PdfWriter, text: str) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(text.encode("ascii"))
    return writer._add_object(stream)


def _fresh_name(xobjects: DictionaryObject) -> NameObject:
    number = 0
    while f"/Ad{number}" in xobjects:
        number += 1
    return NameObject(f"/Ad{number}")


def _own_resources(page: PageObject) -> DictionaryObject:
    """The page's /XObject resources as its own dictionary: /Resources (or its /XObject)
    may be shared with other pages, which must not gain the advertisement."""
    resources = page.get("/Resources")
    resources = DictionaryObject(resources.items()) if resources is not None \
        else DictionaryObject()
    xobjects = resources.get("/XObject")
    resources[NameObject("/XObject")] = DictionaryObject(xobjects.items()) \
        if xobjects is not None else DictionaryObject()
    page[NameObject("/Resources")] = resources
    return resources["/XObject"]


def _content_refs(writer: PdfWriter, page: PageObject) -> list:
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    if contents is None:
        return []
    resolved = contents.get_object()
    if isinstance(resolved, ArrayObject):
        return list(resolved)
    return [contents if isinstance(contents, IndirectObject) else writer._add_object(resolved)]


def _stamp_page(writer: PdfWriter, page: PageObject, stamps: Sequence[Stamp],
                roots: list[Path], forms: dict) -> None:
    xobjects = _own_resources(page)
    left, bottom, right, top = (float(value) for value in page.mediabox)
    page_left, page_top = min(left, right), max(bottom, top)
    drawing = []
    for one in stamps:
        # One artwork on several pages (a house ad) is one Form XObject, stored once.
        key = Path(one.artwork).absolute()
        if key not in forms:
            forms[key] = _artwork_form(writer, one, roots)
        form, width, height = forms[key]
        name = _fresh_name(xobjects)
        xobjects[name] = form
        x, y = page_left + one.left, page_top - one.top - height  # PDF's y runs up
        drawing.append(f"/Artifact BMC\nq\n1 0 0 1 {_length(x)} {_length(y)} cm\n"
                       f"{name} Do\nQ\nEMC\n")
    # The page's own content may leave its coordinates changed (WeasyPrint's ends with
    # y turned downwards): q before it and Q after bring back the page's own space.
    page[NameObject("/Contents")] = ArrayObject(
        [_stream(writer, "q\n"), *_content_refs(writer, page),
         _stream(writer, "Q\n" + "".join(drawing))])


def stamp(pdf: bytes, stamps: Sequence[Stamp], roots: Roots | Sequence[Path]) -> bytes:
    """The PDF with each stamp's artwork drawn over its page, at its own size, as an
    artifact; artworks are read only under ``roots`` (as the renderer reads files)."""
    roots = _as_roots(roots)
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)), keep_initial_header=True)
    by_page: dict[int, list[Stamp]] = {}
    for one in stamps:
        if not 0 <= one.page < len(writer.pages):
            raise ValueError(f"a stamp on page index {one.page} of a PDF of "
                             f"{len(writer.pages)} pages")
        by_page.setdefault(one.page, []).append(one)
    forms: dict[Path, tuple[IndirectObject, float, float]] = {}
    for number in sorted(by_page):
        page = writer.pages[number]
        if page.rotation % 360:
            raise ValueError(f"page index {number} is turned by /Rotate; the stamps' "
                             "positions are of an upright page")
        _stamp_page(writer, page, by_page[number], roots, forms)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
