"""The page proof: the printed page as a picture, the way a layout editor checks it."""
from __future__ import annotations

import io

import pypdfium2


def proof_png(pdf: bytes, dpi: float = 100) -> bytes:
    """Render the first page of a PDF to PNG bytes at ``dpi``."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=dpi / 72)
        buffer = io.BytesIO()
        # optimize=False keeps the encoder's output the same from run to run.
        bitmap.to_pil().save(buffer, format="PNG")
        return buffer.getvalue()
    finally:
        document.close()
