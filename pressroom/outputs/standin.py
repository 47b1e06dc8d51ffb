"""The stand-in photo: a drawn placeholder where the source gives no picture.

The seed article names a photo of the congress's opening ceremony but does not carry it.
Rather than ship a picture that pretends to be the real one, Pressroom draws a plainly
schematic image of a meeting hall with a large 图片占位 (photo placeholder) mark. A real
JPEG or PNG saved at the same path replaces it with no other change.
"""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from .. import fonts
from ..photos import STANDIN_MARK
from ..faces import typefaces
from ..fonts import HEI
from ..lang import convention
from ..output import write_atomically

SIZE = (1800, 1200)  # 3:2, the shape of a news photo


def _hei(size: int, lang: str = "zh-CN") -> ImageFont.FreeTypeFont:
    if convention(lang).traditional:  # the Traditional Hei, cut for the label's characters
        chosen = typefaces(lang, {HEI: ["圖片佔位原圖未收錄廣告位示例原廣告"]})
        return ImageFont.truetype(str(chosen.own(HEI).path), size)
    face = next(face for face in fonts.FACES if face.role_family == "Pressroom Hei")
    return ImageFont.truetype(str(fonts.FONTS_DIR / face.file), size)


def draw_standin(lines: tuple[str, ...] = ("图片占位", "原报照片未随稿件提供"), *,
                 size: tuple[int, int] = SIZE, lang: str = "zh-CN") -> bytes:
    """The stand-in as JPEG bytes: ``lines`` are its label (a large first line, smaller
    ones under it), ``size`` its width and height in pixels, ``lang`` the script of the
    label (a Traditional one is drawn in the Traditional Hei). With the defaults the
    bytes are those of the default manuscript's stand-in."""
    width, height = size
    # Strokes and type scale with the picture, so a smaller or portrait stand-in still
    # reads; at the default size every length is the one drawn before ``size`` existed.
    scale = min(width / SIZE[0], height / SIZE[1])

    def px(length: float) -> int:
        return max(1, round(length * scale))

    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    # Back wall: a vertical gradient from slate to a lighter grey.
    for y in range(height):
        shade = int(58 + 50 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade, shade + 6, shade + 16))
    # The red banner (会标) over the stage, with the gold border such halls have.
    banner = (int(width * 0.08), int(height * 0.12), int(width * 0.92), int(height * 0.26))
    draw.rectangle(banner, fill=(168, 40, 38), outline=(214, 176, 90), width=px(8))
    # The stage front and the rows of the hall, drawn as simple shapes in perspective.
    draw.rectangle((0, int(height * 0.46), width, int(height * 0.52)), fill=(120, 96, 80))
    for row in range(7):
        y = int(height * (0.58 + row * 0.062))
        radius = px(14 + row * 4)
        for x in range(radius, width, radius * 3):
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(34, 36, 44))
    # The placeholder mark: a cross through the frame and a label that cannot be missed.
    draw.line([(0, 0), (width, height)], fill=(235, 235, 235), width=px(4))
    draw.line([(0, height), (width, 0)], fill=(235, 235, 235), width=px(4))
    box = (int(width * 0.2), int(height * 0.33), int(width * 0.8), int(height * 0.67))
    draw.rectangle(box, fill=(250, 250, 246), outline=(168, 40, 38), width=px(10))
    sizes = (px(170), *[px(64)] * (len(lines) - 1))
    centre_x = width // 2
    top = box[1] + px(60)
    for text, font_size in zip(lines, sizes):
        font = _hei(font_size, lang)
        draw.text((centre_x, top), text, font=font, fill=(30, 30, 30), anchor="mt")
        top += font_size + px(50)
    buffer = io.BytesIO()
    # The mark tells the builds it is a stand-in (PR507); the picture data is as before.
    image.save(buffer, format="JPEG", quality=85, optimize=False, progressive=False,
               comment=STANDIN_MARK.encode("ascii"))
    return buffer.getvalue()


def write_standin(path: Path) -> Path:
    return write_atomically(path, draw_standin())


def draw_ad_standin(width_mm: float, height_mm: float, dpi: int = 300) -> bytes:
    """A stand-in advertisement as PNG bytes, ``width_mm`` by ``height_mm`` at ``dpi``:
    a ruled box that says it is an advertising space and that no advertisement was
    supplied, so that it can never be taken for one."""
    width, height = round(width_mm / 25.4 * dpi), round(height_mm / 25.4 * dpi)
    image = Image.new("RGB", (width, height), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    line = max(2, dpi // 60)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(168, 40, 38), width=line * 2)
    draw.line([(0, 0), (width, height)], fill=(220, 214, 200), width=line)
    draw.line([(0, height), (width, 0)], fill=(220, 214, 200), width=line)
    big, small = height // 5, height // 12
    draw.text((width // 2, height // 2 - big // 2), "广告位", font=_hei(big),
              fill=(168, 40, 38), anchor="mm")
    draw.text((width // 2, height // 2 + big // 2 + small), "示例：原广告未收录",
              font=_hei(small), fill=(60, 60, 60), anchor="mm")
    buffer = io.BytesIO()
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", STANDIN_MARK)
    image.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=False, pnginfo=text)
    return buffer.getvalue()
