"""Regenerate the binary files of the bad-manuscript corpus: `python tests/bad/make_files.py`.

Each is as small as the fault it carries allows; none is a photograph of anything.
"""
from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent


def _jpeg(size: tuple[int, int]) -> bytes:
    noise = random.Random(1)  # noise, so that the data cannot be guessed from its start
    pixels = bytes(noise.randrange(256) for _ in range(size[0] * size[1]))
    image = Image.frombytes("L", size, pixels)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _save(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


FILES = {
    # A folder where the photo should be: git keeps a folder only with a file in it.
    "13-figure-image-is-a-folder/photo.jpg/.keep": b"",
    # A JPEG cut off at 60 % of its bytes, as an interrupted copy leaves it.
    "14-figure-truncated-jpeg/photo.jpg": _jpeg((320, 240))[:18_000],
    # Text saved under an image's name.
    "15-figure-text-not-image/photo.jpg": "这不是图片，是一段文字。\n".encode("utf-8"),
    # A real GIF: an image, but not in a format Pressroom takes.
    "16-figure-gif/photo.gif": _save(Image.new("RGB", (640, 480), (90, 120, 150)), "GIF"),
    # 12 kB of PNG that decodes to 10000 x 10000 pixels: a decompression bomb.
    "17-decompression-bomb/photo.png": _save(Image.new("1", (10000, 10000)), "PNG", optimize=True),
    # A whole JPEG of 300 x 200 pixels: about 100 dpi across a two-column photo.
    "36-low-resolution-strict/photo.jpg": _jpeg((300, 200)),
}


def main() -> None:
    for name, data in FILES.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(HERE)} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
