"""Reading a built PDF the way the checks need it: text, fonts per character, tags.

pypdfium2 (PDFium) gives every character with its font; poppler's pdffonts reports
whether each font is embedded and subset.
"""
from __future__ import annotations

import ctypes
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c


@dataclass(frozen=True)
class EmbeddedFont:
    name: str
    type: str
    embedded: bool
    subset: bool


def embedded_fonts(pdf: Path) -> list[EmbeddedFont]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        fields = line.split()
        # name, type words..., encoding, emb, sub, uni, object, generation
        emb, sub = fields[-5], fields[-4]
        fonts.append(EmbeddedFont(fields[0], " ".join(fields[1:-6]), emb == "yes", sub == "yes"))
    return fonts


def base_font_name(name: str) -> str:
    return re.sub(r"^[A-Z]{6}\+", "", name)


def page_count(pdf: Path) -> int:
    return len(pypdfium2.PdfDocument(str(pdf)))


def page_size_mm(pdf: Path) -> tuple[float, float]:
    width, height = pypdfium2.PdfDocument(str(pdf))[0].get_size()
    return width / 72 * 25.4, height / 72 * 25.4


def text(pdf: Path) -> str:
    document = pypdfium2.PdfDocument(str(pdf))
    return document[0].get_textpage().get_text_range()


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def chars_with_fonts(pdf: Path) -> list[tuple[str, str]]:
    """Every character on the page with the base name of the font that draws it."""
    document = pypdfium2.PdfDocument(str(pdf))
    textpage = document[0].get_textpage()
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    result = []
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if not char.strip():
            continue
        length = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, ctypes.byref(flags))
        result.append((char, base_font_name(buffer.raw[:max(length - 1, 0)].decode())))
    return result


def structure(pdf: Path) -> list[tuple[str, str]]:
    """The tagged structure of page 1 as (type, alt text) pairs, depth first."""
    document = pypdfium2.PdfDocument(str(pdf))
    page = document[0]
    tree = pdfium_c.FPDF_StructTree_GetForPage(page.raw)
    buffer = ctypes.create_string_buffer(4096)

    def read(getter, element) -> str:
        length = getter(element, buffer, len(buffer))
        return buffer.raw[:length].decode("utf-16-le").rstrip("\x00") if length else ""

    found = []

    def walk(element):
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


def is_tagged(pdf: Path) -> bool:
    document = pypdfium2.PdfDocument(str(pdf))  # kept alive while PDFium reads it
    return bool(pdfium_c.FPDFCatalog_IsTagged(document.raw))


def metadata(pdf: Path) -> dict[str, str]:
    return pypdfium2.PdfDocument(str(pdf)).get_metadata_dict()
