"""The page proof: the printed page as a picture, the way a layout editor checks it."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image, ImageChops

from ..reading.model import Article

APPROVED_PROOF = "approved-proof.png"  # beside article.md: the page as an editor approved it


def approved_proof_path(article: Article, page: int = 1) -> Path:
    """Beside article.md: approved-proof.png for page 1, approved-proof-2.png for page 2 ..."""
    if page == 1:
        return article.folder / APPROVED_PROOF
    return article.folder / APPROVED_PROOF.replace(".png", f"-{page}.png")


def page_count(pdf: bytes) -> int:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def proof_png(pdf: bytes, dpi: float = 100, page: int = 0) -> bytes:
    """Render page ``page`` (from 0) of a PDF to PNG bytes at ``dpi``."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[page].render(scale=dpi / 72)
        buffer = io.BytesIO()
        # optimize=False keeps the encoder's output the same from run to run.
        bitmap.to_pil().save(buffer, format="PNG")
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
    image.save(buffer, format="PNG")
    return buffer.getvalue()
