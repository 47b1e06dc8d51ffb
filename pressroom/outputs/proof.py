"""The page proof: the printed page as a picture, the way a layout editor checks it."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image, ImageChops

from .. import fingerprint
from ..reading.model import Article

APPROVED_PROOF = "approved-proof.png"  # beside article.md: the page as an editor approved it
# Beside it, what the approval was given for: the fingerprints of the manuscript's inputs
# and of the shared layouts. A copied or edited manuscript carries the old proofs, which
# show another text; the record tells the visual check not to compare them.
APPROVAL_RECORD = "approved-proof.json"


def approved_proof_path(article: Article, page: int = 1) -> Path:
    """Beside article.md: approved-proof.png for page 1, approved-proof-2.png for page 2 ..."""
    if page == 1:
        return article.folder / APPROVED_PROOF
    return article.folder / APPROVED_PROOF.replace(".png", f"-{page}.png")


def approval_record_path(article: Article) -> Path:
    return article.folder / APPROVAL_RECORD


def approval_record(article: Article, pages: int) -> bytes:
    """The record of an approval of ``pages`` pages, as of the manuscript's inputs now:
    the same inputs give the same bytes, wherever the folder lies (files are hashed by
    content, named relative to the folder), so a record can be kept under version control."""
    record = {"layouts_sha256": fingerprint.layouts_digest(),
              "manuscript_sha256": fingerprint.folder_digest(article.folder),
              "pages": pages}
    return (json.dumps(record, sort_keys=True, indent=2) + "\n").encode("utf-8")


CURRENT, STALE, NONE = "current", "stale", "none"


@dataclass(frozen=True)
class Approval:
    """Whether the approved proofs beside a manuscript show the text it now holds."""

    state: str  # CURRENT, STALE (the record names other inputs) or NONE (nothing approved)
    changed: tuple[str, ...] = ()  # for a stale one, what changed: "manuscript", "layouts"
    pages: int = 0  # how many pages were approved (0 when none)

    def __str__(self) -> str:
        if self.state == CURRENT:
            return f"approved for these inputs ({self.pages} page{'s' if self.pages != 1 else ''})"
        if self.state == STALE:
            what = " and the ".join(self.changed)
            return f"the {what} changed since the proof was approved"
        return "no approved proof"


def approval_state(article: Article) -> Approval:
    """Current when the record's fingerprints are those of the manuscript's inputs and the
    shared layouts now; stale when they are not (saying which changed); none when there is
    no record, it cannot be read, or a proof it names is missing."""
    path = approval_record_path(article)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        pages = record["pages"]
        recorded = {"manuscript": record["manuscript_sha256"],
                    "layouts": record["layouts_sha256"]}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        # No record, or one no approval wrote (hand-edited, cut short): nothing approved.
        return Approval(NONE)
    if not isinstance(pages, int) or pages < 1 or not all(
            approved_proof_path(article, number).is_file() for number in range(1, pages + 1)):
        return Approval(NONE)
    now = {"manuscript": fingerprint.folder_digest(article.folder),
           "layouts": fingerprint.layouts_digest()}
    changed = tuple(name for name in ("manuscript", "layouts") if recorded[name] != now[name])
    return Approval(STALE if changed else CURRENT, changed, pages)


# zlib's fastest level. Measured on the 四开 page at 100 dpi, it is both faster (0.06 s
# against 0.12 s) and smaller (655 kB against 900 kB) than Pillow's default of 6; the same
# level always gives the same bytes.
PNG_LEVEL = 1


def page_count(pdf: bytes) -> int:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


# The e-book's cover, a view of the page at COVER_DPI: JPEG at this quality, its colour
# kept at full resolution (4:4:4) for the red of the masthead, cannot be told from the
# PNG at three times its size, is 0.7 of its bytes and is encoded in an eighth of its time.
COVER_QUALITY = 90


def proof_png(pdf: bytes, dpi: float = 100, page: int = 0) -> bytes:
    """Render page ``page`` (from 0) of a PDF to PNG bytes at ``dpi``."""
    return _rendered(pdf, dpi, page, format="PNG", compress_level=PNG_LEVEL)


def cover_jpeg(pdf: bytes, dpi: float) -> bytes:
    """The PDF's first page as an e-book's cover, JPEG bytes at ``dpi``."""
    return _rendered(pdf, dpi, 0, format="JPEG", quality=COVER_QUALITY, subsampling=0)


def _rendered(pdf: bytes, dpi: float, page: int, **encoding) -> bytes:
    document = pypdfium2.PdfDocument(pdf)
    try:
        # In RGB order as PIL reads it: pdfium's own BGR would be turned round in Python.
        bitmap = document[page].render(scale=dpi / 72, rev_byteorder=True)
        buffer = io.BytesIO()
        bitmap.to_pil().save(buffer, **encoding)
        return buffer.getvalue()
    finally:
        document.close()


@dataclass(frozen=True)
class Difference:
    """How far a proof is from its reference: the share of pixels that changed visibly."""

    changed: float  # share of pixels whose grey level moved by more than THRESHOLD
    same_size: bool
    diff_png: bytes  # the reference in grey with the changed pixels in red


APPROVAL_DPI = 50  # the resolution approved proofs are kept at
THRESHOLD = 48  # grey levels: anti-aliasing noise stays under it, a moved glyph does not


def compare(proof: bytes, reference: bytes) -> Difference:
    """Compare two proofs pixel by pixel."""
    new = Image.open(io.BytesIO(proof)).convert("L")
    old = Image.open(io.BytesIO(reference)).convert("L")
    if new.size != old.size:
        return Difference(1.0, False, _png(new.convert("RGB")))
    delta = ImageChops.difference(new, old).point(lambda level: 255 if level > THRESHOLD else 0)
    changed = sum(delta.histogram()[255:]) / (new.width * new.height)
    marked = Image.merge("RGB", (old, old, old))
    marked.paste((220, 0, 0), mask=delta)
    return Difference(changed, True, _png(marked))


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PNG_LEVEL)
    return buffer.getvalue()
