"""Photos as cameras write them, checked once and made ready for each output.

A figure's image arrives as a camera, a phone or a picture desk saved it: a baseline or
progressive JPEG, a multi-picture JPEG (MPO: the photo, then a preview or a second eye's
view), a CMYK JPEG separated for print (Adobe's inverted CMYK included), a JPEG whose
pixels lie on their side with an EXIF orientation saying how to turn them, a PNG of 8 or
16 bits, with a palette, with alpha. This module is the one place that reads them:

* ``inspect_photo`` refuses what cannot be used (``PhotoFault``: an empty file, another
  format under a JPEG or PNG name, a cut-off or damaged file, too many pixels) with one
  plain sentence, and says the photo's size as it is meant to be seen (turned).
* ``print_photo`` gives the page what it prints: the photo turned, 8 bits a channel, RGB
  converted through its embedded ICC profile to sRGB (WeasyPrint draws every RGB image as
  DeviceRGB, which viewers and RIPs take for sRGB), CMYK kept as CMYK (the plant prints
  CMYK: its values are the separation the picture desk made), alpha kept in a PNG.
* ``ebook_photo`` gives the EPUB sRGB, which is what reading systems show: JPEG for a
  JPEG, PNG for a PNG (alpha or a palette, or pixels that were saved losslessly).

Both strip EXIF, GPS and XMP: a photo's location, its camera's serial number and its
editing history can expose a source. Both are deterministic (the same file gives the same
bytes) and are cached by the file's content, since a build asks for a photo more than once.

Why the whole-file checks are made here and not left to Pillow: WeasyPrint sets Pillow's
``ImageFile.LOAD_TRUNCATED_IMAGES`` for the whole process as soon as it is imported, and
Pillow then decodes a cut-off JPEG to grey and skips the checksum of a PNG's ancillary
chunks, so neither ever fails.
"""
from __future__ import annotations

import hashlib
import io
import threading
import warnings
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageCms, ImageMath, JpegImagePlugin, PngImagePlugin

MAX_PIXELS = 50_000_000  # the most Pressroom decodes: 50 megapixels, 200 MB as RGBA
JPEG_QUALITY = 92  # re-encoding at 92 is not told from the original at print sizes

_MAGIC = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"GIF87a", "GIF"),
          (b"GIF89a", "GIF"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "BMP"),
          (b"%PDF", "PDF"), (b"8BPS", "PSD"), (b"\x00\x00\x01\x00", "ICO"),
          (b"\xff\x0a", "JPEG XL"), (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
          (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"))
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_SRGB = ImageCms.createProfile("sRGB")
# Relative colorimetric with black-point compensation: in-gamut colours stay as they were
# measured and the shadows keep their detail, what a picture desk's own export does.
_INTENT = ImageCms.Intent.RELATIVE_COLORIMETRIC
_FLAGS = ImageCms.Flags.BLACKPOINTCOMPENSATION
# The ICC colour space each decoded mode's pixels are in; a profile of another space
# (a greyscale profile on an RGB photo) describes some other picture and is ignored.
# How each EXIF orientation is undone (the EXIF 2.3 table, as ImageOps.exif_transpose has
# it); applied here from the orientation read at inspection, so that the size inspect_photo
# reports and the pixels the outputs get always agree.
_TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
          4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
          6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
          8: Image.Transpose.ROTATE_90}
_PROFILE_SPACES = {"RGB": "RGB", "RGBA": "RGB", "P": "RGB", "PA": "RGB", "CMYK": "CMYK",
                   "L": "GRAY", "LA": "GRAY", "1": "GRAY", "I": "GRAY", "I;16": "GRAY",
                   "I;16B": "GRAY", "I;16L": "GRAY", "I;16N": "GRAY"}


class PhotoFault(Exception):
    """A photo Pressroom cannot use. ``code``: PR306 (damaged, or not an image), PR307
    (another image format), PR308 (too many pixels); ``reason``: one plain sentence to
    follow "image 'x.jpg' ", never a codec's own message."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __reduce__(self):  # picklable across the worker processes of a build
        return type(self), (self.code, self.reason)


# What a drawn stand-in (``pressroom.outputs.standin``) says of itself in its file (a JPEG
# comment, a PNG text chunk): a real photo saved over it carries no such mark.
STANDIN_MARK = "Pressroom stand-in: not a photograph"


@dataclass(frozen=True)
class PhotoInfo:
    """A photo as inspected: its size in pixels as it is meant to be seen (after its EXIF
    orientation), its format: "JPEG", "PNG" or "MPO", and whether it is a drawn stand-in."""

    width: int
    height: int
    format: str
    standin: bool = False


def inspect_photo(path: Path) -> PhotoInfo:
    """Check the photo at ``path`` whole and of a safe size, from its header before any
    pixel is decoded; raise PhotoFault if it cannot be used. An OSError (no such file,
    permission denied) is the caller's to report."""
    return _cached(Path(path).read_bytes(), "inspect")


def print_photo(path: Path) -> tuple[bytes, str]:
    """The photo for the printed page: (bytes, media type), a JPEG or a PNG that
    WeasyPrint embeds as it is. Raises PhotoFault as ``inspect_photo`` does."""
    return _cached(Path(path).read_bytes(), "print")


def press_photo(path: Path, space: str, largest: tuple[int, int] | None = None,
                intent: Path | None = None) -> tuple[bytes, str]:
    """The photo for a press PDF, as a JPEG: ``space`` "cmyk" (converted to the output
    intent's profile at ``intent``, total ink at most ``TOTAL_INK``) or "gray" (a mono
    page: the black plate alone), flattened on white paper (a press PDF/X-1a holds no
    transparency), and downsampled to ``largest`` pixels where it has more (the printed
    size at ``PRESS_PPI``), never upsampled. Raises PhotoFault as ``inspect_photo`` does."""
    if space == "srgb":  # the archive's: sRGB under its sRGB intent, as the e-book has it
        return ebook_photo(path)
    return _cached(Path(path).read_bytes(), f"press {space} {largest} {intent}",
                   lambda data: _press(data, space, largest, intent))


def ebook_photo(path: Path) -> tuple[bytes, str]:
    """The photo for the EPUB: (bytes, media type), sRGB, a JPEG or a PNG. Raises
    PhotoFault as ``inspect_photo`` does."""
    return _cached(Path(path).read_bytes(), "ebook")


# -- the cache ----------------------------------------------------------------------------

_CACHE: OrderedDict[tuple[bytes, str], object] = OrderedDict()
_CACHE_SIZE = 32  # photos of a full edition, both outputs; the oldest are dropped first
_LOCK = threading.Lock()


def _cached(data: bytes, use: str, make=None):
    """``make`` (by default the maker of ``use``) of the photo's bytes, made once."""
    # By content, not by name and time: a file rewritten within the clock's resolution,
    # or the same photo under two names, is still what its bytes are.
    key = (hashlib.sha256(data).digest(), use)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = (make or _MAKERS[use])(data)
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def clear_cache() -> None:
    """Forget every photo made (for tests and long-running callers)."""
    with _LOCK:
        _CACHE.clear()


# -- inspection ---------------------------------------------------------------------------

def sniff(head: bytes) -> str | None:
    """The image format the file's first bytes say, whatever its name says."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp":
        return "HEIF or AVIF"
    return None


def _inspect(data: bytes) -> PhotoInfo:
    image, orientation = _open(data)
    width, height = image.size
    if orientation in (5, 6, 7, 8):  # the four that turn the picture on its side
        width, height = height, width
    mark = image.info.get("comment") or image.info.get("Comment") or b""
    mark = mark.decode("latin-1") if isinstance(mark, bytes) else str(mark)
    return PhotoInfo(width, height, image.format, standin=mark == STANDIN_MARK)


def _open(data: bytes) -> tuple[Image.Image, int]:
    """The photo opened from ``data`` (its header read, the pixel count checked, the whole
    file checked) and its EXIF orientation (1 to 8)."""
    if not data:
        raise PhotoFault("PR306", "is an empty file")
    kind = sniff(data[:32])
    if kind is None:
        raise PhotoFault("PR306", "is not an image")
    if kind not in ("JPEG", "PNG"):
        raise PhotoFault("PR307", f"is in {kind} format, not JPEG or PNG")
    damaged = f"is a damaged {kind} file: "
    exif = None
    if kind == "PNG":
        problem, exif = _png_chunks(data)
        if problem:
            raise PhotoFault("PR306", damaged + problem)
    elif not _jpeg_is_whole(data):
        raise PhotoFault("PR306", damaged + "it ends before the picture does")
    try:
        # The plugins themselves, not Image.open: only the header is read, and nothing is
        # decoded before the pixel count is checked. Pillow's warnings (a malformed MPO
        # index, read as a plain JPEG) would reach the terminal raw.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = JpegImagePlugin.jpeg_factory(io.BytesIO(data)) if kind == "JPEG" \
                else PngImagePlugin.PngImageFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - Pillow's messages on a damaged header vary
        raise PhotoFault("PR306", damaged + "its header cannot be read") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise PhotoFault("PR306", damaged + "it says it has no pixels")
    if width * height > MAX_PIXELS:
        raise PhotoFault("PR308", f"is {width:,} × {height:,} pixels, more than the "
                         f"{MAX_PIXELS // 1_000_000} megapixels Pressroom opens")
    orientation = _orientation(image, exif)
    if kind == "JPEG":
        try:
            # At an eighth of the size: cheap, and every block is still decoded.
            probe = JpegImagePlugin.jpeg_factory(io.BytesIO(data))
            probe.draft(probe.mode, (max(1, width // 8), max(1, height // 8)))
            probe.load()
        except Exception:  # noqa: BLE001
            raise PhotoFault("PR306", damaged + "its picture data cannot be decoded") from None
    return image, orientation


def _orientation(image: Image.Image, late_exif: bytes | None) -> int:
    """The EXIF orientation as Pillow reads it (EXIF, else XMP's tiff:Orientation), from
    the header alone; ``late_exif``: a PNG's eXIf chunk, which may follow the pixels."""
    if image.format == "PNG":
        # Without it Pillow would decode the whole image to look for the chunk.
        image.info.setdefault("exif", late_exif or b"")
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # noqa: BLE001 - a damaged EXIF block turns nothing
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _png_chunks(data: bytes) -> tuple[str | None, bytes | None]:
    """What is wrong with the PNG (None if nothing), and its eXIf chunk.

    Each chunk's checksum, to the end-of-image chunk, then the pixel data's length: Pillow
    skips the ancillary chunks' checksums once WeasyPrint is imported, and decodes a file
    whose pixel data stops short to black without a word.
    """
    index, exif, pixels = len(_PNG_SIGNATURE), None, []
    while True:
        if index + 8 > len(data):
            return "it ends before the picture does", exif
        length = int.from_bytes(data[index:index + 4], "big")
        name = data[index + 4:index + 8]
        end = index + 8 + length
        if length > 0x7FFF_FFFF:
            return "a chunk's length is impossible", exif
        if end + 4 > len(data):
            return "it ends before the picture does", exif
        if zlib.crc32(data[index + 4:end]) != int.from_bytes(data[end:end + 4], "big"):
            return "a chunk's checksum is wrong", exif
        if not name.isalpha():
            return "a chunk's name is not a name", exif
        if index == len(_PNG_SIGNATURE) and (name != b"IHDR" or length != 13):
            return "it does not begin with its header", exif
        if name == b"eXIf":
            exif = b"Exif\x00\x00" + data[index + 8:end]
        elif name == b"IDAT":
            pixels.append(memoryview(data)[index + 8:end])
        elif name == b"IEND":
            return _png_pixels_problem(data[16:29], pixels), exif
        index = end + 4


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))  # each interlace pass: first column, first row, steps across, down


def _png_pixels_problem(header: bytes, pixels: list[memoryview]) -> str | None:
    """Whether the compressed pixel data unpacks to exactly the bytes the header's size
    needs: unpacked in pieces and counted, never held whole."""
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour, interlaced = header[8], header[9], header[12]
    if colour not in _PNG_CHANNELS or width * height > MAX_PIXELS:
        return None  # the header's own fault, said when Pillow reads it
    bits = _PNG_CHANNELS[colour] * depth
    passes = _ADAM7 if interlaced else ((0, 0, 1, 1),)
    expected = 0
    for column, row, across, down in passes:
        columns = (width - column + across - 1) // across
        rows = (height - row + down - 1) // down
        if columns and rows:
            expected += rows * (1 + (columns * bits + 7) // 8)  # a filter byte a row
    inflater, total = zlib.decompressobj(), 0
    try:
        for chunk in pixels:
            while chunk and not inflater.eof:
                total += len(inflater.decompress(chunk, 1 << 20))
                chunk = inflater.unconsumed_tail
                if total > expected:
                    return "it holds more pixel data than its size says"
        total += len(inflater.flush())
    except zlib.error:
        return "its pixel data cannot be unpacked"
    if not inflater.eof or total < expected:
        return "its pixel data stops before the picture does"
    return None if total == expected else "it holds more pixel data than its size says"


def _jpeg_is_whole(data: bytes) -> bool:
    """True if the JPEG's segments run from its start to an end-of-image marker (of the
    first picture: an MPO's others follow it)."""
    return _jpeg_end(data) is not None


def _jpeg_end(data: bytes) -> int | None:
    """Where the first picture's end-of-image marker ends, or None if the file ends first."""
    index = 2  # after the start-of-image marker
    while index + 1 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
        elif marker == 0xD9:  # end of image
            return index + 2
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            index += 2
        elif index + 3 >= len(data):
            return None
        else:
            index += 2 + int.from_bytes(data[index + 2:index + 4], "big")
            if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
                while True:
                    index = data.find(b"\xff", index)
                    if index < 0 or index + 1 >= len(data):
                        return None
                    following = data[index + 1]
                    if following == 0x00 or 0xD0 <= following <= 0xD7:
                        index += 2  # a stuffed 0xFF, or a restart marker: still the scan
                    elif following == 0xFF:
                        index += 1
                    else:
                        break
    return None


# -- conversion ---------------------------------------------------------------------------

def _print(data: bytes) -> tuple[bytes, str]:
    return _convert(data, for_print=True)


def _ebook(data: bytes) -> tuple[bytes, str]:
    return _convert(data, for_print=False)


def _convert(data: bytes, for_print: bool) -> tuple[bytes, str]:
    image, orientation = _open(data)
    kind = "JPEG" if image.format in ("JPEG", "MPO") else "PNG"
    if orientation == 1 and _ready(data, image, for_print):
        # Nothing to turn, convert or strip: the file as it is, never re-encoded.
        return data, f"image/{kind.lower()}"
    sampling = JpegImagePlugin.get_sampling(image) if kind == "JPEG" else -1
    try:
        image.load()  # an MPO's first frame: the photo; the others are previews
    except Exception:  # noqa: BLE001
        raise PhotoFault("PR306", f"is a damaged {kind} file: its picture data cannot be "
                         "decoded") from None
    profile = _profile(image)
    # The separation's profile stays with CMYK for print: it says what the values are for.
    cmyk_profile = image.info.get("icc_profile") if image.mode == "CMYK" and for_print \
        and profile is not None else None
    turned = image.transpose(_TURNS[orientation]) if orientation in _TURNS else image
    if orientation >= 5 and sampling == 1:
        sampling = 0  # 4:2:2 turned on its side would halve the other way: keep it all
    pixels = _eight_bits(turned)
    if for_print and pixels.mode in ("CMYK", "L", "LA"):
        pass  # the plant's ink values, as separated; grey prints as grey
    elif profile is not None:
        pixels = _to_srgb(pixels, profile)
    elif pixels.mode == "CMYK":
        # No profile says what these inks look like: Pillow's plain formula, the best guess.
        pixels = pixels.convert("RGB")
    out = io.BytesIO()
    # A new image holds no metadata at all: EXIF, GPS, XMP, comments and text chunks are
    # left behind with the file they came in.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    if pixels.mode == "P":
        # A full palette, or Pillow packs a small one's indices into 1, 2 or 4 bits.
        palette = pixels.getpalette() or []
        clean.putpalette(palette + [0] * (768 - len(palette)))
    if kind == "JPEG":
        extra = {"icc_profile": cmyk_profile} if cmyk_profile else {}
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False,
                   subsampling=sampling if sampling in (0, 1, 2) else 0, **extra)
        return out.getvalue(), "image/jpeg"
    clean.save(out, "PNG", optimize=False)
    return out.getvalue(), "image/png"


# What a file may hold to go out as it came: its pixels and the markers that only say how
# to decode them. Anything else (EXIF, XMP, a comment, a text chunk, a colour profile or a
# gamma that is not sRGB) needs the photo made anew.
_CLEAN_PNG_CHUNKS = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"sRGB", b"pHYs"}
_JFIF_WITHOUT_THUMBNAIL = 14  # "JFIF\0", version, units, densities, a 0 × 0 thumbnail


def _ready(data: bytes, image: Image.Image, for_print: bool) -> bool:
    """Whether the file is already what the output needs, byte for byte."""
    if image.format == "PNG":
        names = set()
        index = len(_PNG_SIGNATURE)
        while index < len(data):  # the chunks were checked whole in _open
            length = int.from_bytes(data[index:index + 4], "big")
            names.add(data[index + 4:index + 8])
            if data[index + 4:index + 8] == b"IEND":
                break
            index += 12 + length
        return (names <= _CLEAN_PNG_CHUNKS and index + 12 == len(data)
                and data[24] == 8 and image.mode in ("L", "LA", "RGB", "RGBA", "P"))
    if image.format != "JPEG" or image.mode not in ("L", "RGB", "CMYK"):
        return False  # an MPO: its first picture alone
    if image.mode == "CMYK" and not for_print:
        return False
    for marker, content in image.applist:
        if marker == "APP0" and content.startswith(b"JFIF\0") \
                and len(content) == _JFIF_WITHOUT_THUMBNAIL:
            continue
        if marker == "APP14" and content.startswith(b"Adobe"):
            continue  # says how the colours are stored (Adobe's inverted CMYK)
        if marker == "COM" and content == STANDIN_MARK.encode("ascii"):
            continue  # a stand-in's own mark: it says no more than the picture shows
        if marker == "APP2" and content.startswith(b"ICC_PROFILE\0") \
                and image.mode == "CMYK" and for_print:
            continue  # the separation's profile, kept for print
        return False
    return _jpeg_end(data) == len(data)


def _profile(image: Image.Image) -> ImageCms.ImageCmsProfile | None:
    """The embedded ICC profile, if it is one and describes pixels of the image's kind; a
    damaged or mismatched profile is ignored, as browsers ignore it."""
    data = image.info.get("icc_profile")
    if not data:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
        space = profile.profile.xcolor_space.strip()
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None
    return profile if _PROFILE_SPACES.get(image.mode) == space else None


def _eight_bits(image: Image.Image) -> Image.Image:
    """The pixels in a mode both outputs take, 8 bits a channel: L, LA, RGB, RGBA, CMYK,
    or P (a palette of 8-bit colours, with no transparency)."""
    mode = image.mode
    transparency = image.info.get("transparency")
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # Pillow clips 16 bits to 8 (everything above 255 white): scale instead.
        wide = image.convert("I")
        grey = wide.point(lambda value: value / 257 + 0.5).convert("L")
        if isinstance(transparency, int):
            alpha = ImageMath.lambda_eval(lambda a: (a["v"] != transparency) * 255,
                                          v=wide).convert("L")
            grey.putalpha(alpha)
        return grey
    if mode == "1":
        return image.convert("LA" if transparency is not None else "L")
    if mode in ("L", "RGB") and transparency is not None:
        return image.convert("LA" if mode == "L" else "RGBA")
    if mode in ("P", "PA"):
        return image.convert("RGBA") if transparency is not None or mode == "PA" else image
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return image
    if mode == "F":
        return image.convert("L")
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def _to_srgb(image: Image.Image, profile: ImageCms.ImageCmsProfile) -> Image.Image:
    """The pixels in sRGB: RGB, or RGBA where there was alpha (kept as it was)."""
    if image.mode == "P":
        image = image.convert("RGB")
    elif image.mode == "LA":
        image = image.convert("RGBA") if profile.profile.xcolor_space.strip() == "RGB" \
            else image
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    source = image.convert(image.mode[:-1]) if alpha is not None else image
    try:
        converted = ImageCms.profileToProfile(source, profile, _SRGB, renderingIntent=_INTENT,
                                              outputMode="RGB", flags=_FLAGS)
    except ImageCms.PyCMSError:
        # lcms cannot build a transform from this profile (a device link, an abstract
        # profile): the pixels are taken as the sRGB they most likely are.
        converted = source.convert("RGB")
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


# -- for the plate ------------------------------------------------------------------------

PRESS_PPI = 300  # the most a press PDF keeps at printed size: newsprint screens need no more
TOTAL_INK = 240  # per cent, C + M + Y + K: what newsprint takes before the ink sets off
# JPEG's rounding moves a pixel's inks by a few per cent: the pixels are limited this much
# under TOTAL_INK before they are encoded, so that the decoded photo keeps to it.
_JPEG_INK_MARGIN = 8
PRESS_JPEG_QUALITY = 95


def _press(data: bytes, space: str, largest: tuple[int, int] | None,
           intent: Path | None) -> tuple[bytes, str]:
    image, orientation = _open(data)
    try:
        image.load()
    except Exception:  # noqa: BLE001
        raise PhotoFault("PR306", "is a damaged file: its picture data cannot be "
                         "decoded") from None
    profile = _profile(image)
    turned = image.transpose(_TURNS[orientation]) if orientation in _TURNS else image
    pixels = _eight_bits(turned)
    if pixels.mode == "P":
        pixels = pixels.convert("RGB")
    if pixels.mode in ("RGBA", "LA"):
        # On white paper: what the page shows under a transparent photo.
        paper = Image.new(pixels.mode[:-1], pixels.size, 255 if pixels.mode == "LA"
                          else (255, 255, 255))
        paper.paste(pixels.convert(pixels.mode[:-1]), mask=pixels.getchannel("A"))
        pixels = paper
    if largest and (pixels.width > largest[0] or pixels.height > largest[1]):
        scale = min(largest[0] / pixels.width, largest[1] / pixels.height)
        size = (max(1, round(pixels.width * scale)), max(1, round(pixels.height * scale)))
        pixels = pixels.resize(size, Image.Resampling.LANCZOS)
    if space == "gray":
        if pixels.mode == "CMYK":
            source = profile or _cmyk_guess(intent)
            pixels = ImageCms.profileToProfile(pixels, source, _SRGB, renderingIntent=_INTENT,
                                               outputMode="RGB", flags=_FLAGS)
        elif pixels.mode == "RGB" and profile is not None:
            pixels = _to_srgb(pixels, profile)
        pixels = pixels.convert("L")
    else:
        target = ImageCms.getOpenProfile(str(intent))
        if pixels.mode == "L":
            # A grey photo through its own grey profile (a picture desk's Gray Gamma 2.2)
            # into sRGB, then like any other: a grey profile cannot start an RGB transform.
            pixels = _grey_to_srgb(pixels, profile)
            profile = None
        source = profile or (_SRGB if pixels.mode == "RGB" else None)
        if source is not None:
            pixels = ImageCms.profileToProfile(pixels, source, target, renderingIntent=_INTENT,
                                               outputMode="CMYK", flags=_FLAGS)
        pixels = limit_ink(pixels, TOTAL_INK - _JPEG_INK_MARGIN)
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=PRESS_JPEG_QUALITY, optimize=True, progressive=False,
               subsampling=0)
    return out.getvalue(), "image/jpeg"


def _grey_to_srgb(pixels: Image.Image, profile) -> Image.Image:
    if profile is not None:
        try:
            return ImageCms.profileToProfile(pixels, profile, _SRGB, renderingIntent=_INTENT,
                                             outputMode="RGB", flags=_FLAGS)
        except ImageCms.PyCMSError:
            pass  # a profile lcms cannot start from: the grey taken as it is
    return pixels.convert("RGB")


def _cmyk_guess(intent: Path | None) -> ImageCms.ImageCmsProfile:
    """What CMYK values with no profile of their own are taken for: the intent's."""
    return ImageCms.getOpenProfile(str(intent)) if intent else ImageCms.createProfile("sRGB")


def limit_ink(pixels: Image.Image, total: int) -> Image.Image:
    """CMYK pixels with at most ``total`` per cent of ink: where the four add up to more,
    cyan, magenta and yellow are taken back in proportion and black is kept (under-colour
    removal), so the shadows keep their depth and their detail on the black plate."""
    c, m, y, k = (band.convert("F") for band in pixels.split())
    budget = total * 255 / 100
    scale = ImageMath.lambda_eval(
        lambda a: a["min"](a["max"](budget - a["k"], 0) / a["max"](a["c"] + a["m"] + a["y"], 1),
                           1.0), c=c, m=m, y=y, k=k)
    bands = [ImageMath.lambda_eval(lambda a: a["v"] * a["s"], v=band, s=scale).convert("L")
             for band in (c, m, y)]
    return Image.merge("CMYK", (*bands, k.convert("L")))


_MAKERS = {"inspect": _inspect, "print": _print, "ebook": _ebook}
