"""Draw the test manuscripts' stand-in photos: ``python tests/manuscripts/make_photos.py``.

Every picture of the test pages is a drawn placeholder (``pressroom.outputs.standin``), labelled as
one, in the shapes news photos come in: 3:2, 4:3, 2:3 upright and 16:9. Re-running this
script rewrites the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

PHOTOS = {
    "short/photo.jpg": ((1800, 1200), ("图片占位", "测试样稿示意图 3:2")),
    "long/photo-1.jpg": ((1600, 1200), ("图片占位", "测试样稿示意图 4:3")),
    "long/photo-2.jpg": ((1920, 1080), ("图片占位", "测试样稿示意图 16:9")),
    "photos/photo-1.jpg": ((1800, 1200), ("示意图一", "测试样稿图片占位 3:2")),
    "photos/photo-2.jpg": ((1600, 1200), ("示意图二", "测试样稿图片占位 4:3")),
    "photos/photo-3.jpg": ((1200, 1800), ("示意图三", "竖幅占位 2:3")),
    "photos/photo-4.jpg": ((1920, 1080), ("示意图四", "测试样稿图片占位 16:9")),
}


def main() -> None:
    sys.path.insert(0, str(HERE.parent.parent))  # this checkout's pressroom, not an installed one
    from pressroom.outputs.standin import draw_standin

    for name, (size, lines) in PHOTOS.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(draw_standin(lines, size=size))
        print(f"wrote {path.relative_to(HERE)} {size[0]}x{size[1]}")


if __name__ == "__main__":
    main()
