"""The print back end: a page made ready (``pressroom.outputs.page``) rendered by
WeasyPrint into one PDF.

Takes a ``ReadyPage`` (or an ``Article``, composed here); gives the PDF's bytes, one sheet
a page. WeasyPrint reads only the manuscript's folder, ``layouts/`` and ``fonts/``, under
names free of the checkout's path (``pressroom.outputs.sandbox``).
"""
from __future__ import annotations

import hashlib
import re
import uuid
from contextlib import contextmanager
from typing import Iterator

import pydyf
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..variants import SCREEN, Variant, pinned_profile
from .page import ReadyPage, page_asker, ready_page, report_copyfit, set_page
from .sandbox import check_page_count, sandboxed
from .drawn import verify_drawn
from .verify import verify_inks
from ..reading.model import Article
from ..typesetting.texts import article_faces

PDF_OPTIONS = SCREEN.pdf_options()  # tagged PDF/UA-1: the structure tree carries the text


def render_pdf(article: Article, variant: Variant = SCREEN) -> bytes:
    """Lay the article out on its pages and return the PDF's bytes."""
    layout = set_page(article)
    data = render_page(ready_page(article, layout, variant))
    report_copyfit(article, layout)  # only of a page that was made
    return data


def render_page(page: ReadyPage) -> bytes:
    """The PDF of a page made ready, once what it draws is known to hold every part."""
    article, roots, variant = page.article, page.roots, page.variant
    asker = page_asker(article, roots, variant)
    with sandboxed(roots, asker) as fetcher:
        document = weasyprint.HTML(
            string=page.html, base_url=roots.folder_url(article.folder), url_fetcher=fetcher,
        ).render(font_config=_font_config(article), **variant.pdf_options())
        check_page_count(document, page.sheets, "a layout", asker)
        verify_drawn(article, document)
        data = document.write_pdf(finisher=finisher(variant, page.html), **variant.pdf_options())
    if variant.press:
        verify_inks(article, data, variant)
    return data


# A warm process's font configuration (``warm_fonts``): the key of the faces it was made
# for, and the configuration; None outside the block, where each page has its own.
_warm: list | None = None


@contextmanager
def warm_fonts() -> Iterator[None]:
    """Within the block, pages drawn from the very same font files share one WeasyPrint
    font configuration: Fontconfig and Pango load the faces once, not at every page (some
    50 ms a rebuild of the watcher). Any change to the faces (another file, cut or
    unicode-range, a file rewritten) makes a new one, so that a warm page is the same bytes
    as a cold one. WeasyPrint keeps its copies of the faces in the temporary folder: the
    block lies inside one scratch folder (``pressroom.output.scratch``)."""
    global _warm
    previous, _warm = _warm, []
    try:
        yield
    finally:
        _warm = previous


def _font_config(article: Article) -> FontConfiguration:
    if _warm is None:
        return FontConfiguration()
    key = tuple((face.family, face.weight, face.characters, face.path, _stamp(face.path))
                for face in article_faces(article).faces)
    if not _warm or _warm[0] != key:
        _warm[:] = [key, FontConfiguration()]
    return _warm[1]


def _stamp(path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def finisher(variant: Variant, html: str):
    """What is set in the PDF after WeasyPrint has made it: the creators' list, and for a
    press PDF the output intent named as what it is, a document ID from the page's own
    source (WeasyPrint draws a random one for PDF/X-4) and, for PDF/X-1a, no ICC colour
    space left among the resources."""
    seed = hashlib.sha256(f"{variant.name}\n{html}".encode("utf-8", "surrogateescape"))

    def finish(document, pdf) -> None:
        list_creators(document, pdf)
        if variant.intent:
            name_intent(pdf, variant)
            fix_document_id(pdf, uuid.UUID(bytes=seed.digest()[:16], version=4))
        if variant.flat:
            drop_icc_spaces(pdf)
    return finish


def name_intent(pdf, variant: Variant) -> None:
    """The output intent named as what it is, and its profile the pinned file's bytes:
    WeasyPrint serialises the profile anew for each PDF, and once its description has
    been read Little CMS writes it 52 bytes longer, so that a second PDF of the process
    (an edition's pages after the whole edition, a rebuild in the watcher) would embed a
    profile that is not the pinned one."""
    pinned = pinned_profile(variant.intent)
    for intent in pdf.catalog.get("OutputIntents") or ():
        intent["OutputConditionIdentifier"] = pydyf.String(variant.intent.identifier)
        intent["OutputCondition"] = pydyf.String(variant.intent.condition)
        intent["Info"] = pydyf.String(variant.intent.condition)
        reference = intent.get("DestOutputProfile")
        if reference:  # b"12 0 R"; the ICC colour space of the page shares the stream
            pdf.objects[int(reference.split()[0])].stream = [pinned]


_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def fix_document_id(pdf, document_id: uuid.UUID) -> None:
    reference = pdf.catalog.get("Metadata")
    if not reference:
        return
    number = reference.split()[0]  # pydyf's references are b"827 0 R"
    stream = pdf.objects[int(number)]
    stream.stream = [_DOCUMENT_ID.sub(f"xmp.did:{document_id}".encode(), part)
                     for part in stream.stream]


def drop_icc_spaces(pdf) -> None:
    """PDF/X-1a allows only device colour spaces: WeasyPrint lists the intent's profile as
    a named ICC space beside /DeviceCMYK, though the page draws in /DeviceCMYK."""
    for item in pdf.objects:
        if isinstance(item, pydyf.Dictionary) and "device-cmyk" in item:
            value = item["device-cmyk"]
            if isinstance(value, pydyf.Array) and value and value[0] == "/ICCBased":
                del item["device-cmyk"]


def list_creators(document, pdf) -> None:
    """The Info dictionary's /Author as the byline prints the names, with 、; WeasyPrint
    joins the ``<meta name=author>`` elements (one a creator, each its own ``dc:creator``
    item in the XMP) with ", "."""
    if document.metadata.authors:
        pdf.info["Author"] = pydyf.String("、".join(document.metadata.authors))
