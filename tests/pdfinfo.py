"""Reading a built PDF in tests: thin views over what ``pressroom.checks.check`` reads.

poppler's pdffonts, a second reader next to pypdf, reports whether each font is embedded
and subset.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from pypdf import PdfReader

from pressroom.checks.check import base_font_name, char_fonts, story_text, structure as tagged_structure  # noqa: F401
from pressroom.outputs.verify import LINE_END_HYPHEN, _span, join_jumped


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


def _document(pdf: Path) -> pypdfium2.PdfDocument:
    return pypdfium2.PdfDocument(str(pdf))


def page_count(pdf: Path) -> int:
    return len(_document(pdf))


def page_size_mm(pdf: Path) -> tuple[float, float]:
    width, height = _document(pdf)[0].get_size()
    return width / 72 * 25.4, height / 72 * 25.4


def text(pdf: Path) -> str:
    """The story's text across its pages, the jump lines and the continuations' heads
    left out, a word the composer hyphenated at a line's end joined again."""
    return join_jumped([LINE_END_HYPHEN.sub("", page.extract_text())
                        for page in PdfReader(pdf).pages])


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def missing_from(pdf: Path, parts: list[str]) -> list[str]:
    """The ``parts`` (squeezed) that the PDF does not print, its text read as ``invoke
    check`` reads it: a hyphen between two Latin letters marked, not dropped, so that it
    matches the composer's break of a word and the manuscript's own hyphen ending a
    paragraph above a block that opens with a letter alike (``text`` drops both)."""
    page = squeeze(story_text(PdfReader(pdf)))
    return [part for part in parts if _span(page, part, 0) is None]


def chars_with_fonts(pdf: Path) -> list[tuple[str, str]]:
    """Every character on the page with the base name of the font that draws it."""
    return list(char_fonts(_document(pdf)))


def structure(pdf: Path) -> list[tuple[str, str]]:
    """The tagged structure of page 1 as (type, alt text) pairs, depth first."""
    return tagged_structure(_document(pdf))


def is_tagged(pdf: Path) -> bool:
    import pypdfium2.raw as pdfium_c

    document = _document(pdf)
    return bool(pdfium_c.FPDFCatalog_IsTagged(document.raw))


def metadata(pdf: Path) -> dict[str, str]:
    return _document(pdf).get_metadata_dict()
