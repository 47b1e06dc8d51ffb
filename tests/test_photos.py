"""Photos as cameras write them (issue 11, item 3): ``pressroom.photos``.

Every kind a camera, a phone or a picture desk saves (baseline and progressive JPEG, MPO,
CMYK JPEG, EXIF orientations 1 to 8 with a GPS block, PNG of 8 and 16 bits, palette,
alpha, greyscale with alpha, an embedded ICC profile) is drawn here with Pillow in
``tmp_path``; the damaged ones are made by cutting or flipping bytes of good ones. The
converted bytes are decoded again and their real properties checked: turned as the camera
meant, 8 bits a channel, no EXIF, GPS or XMP, sRGB for the e-book, CMYK kept for print,
the same bytes every time; WeasyPrint draws the print bytes without a complaint; and a real
EPUB built from a copy of ``manuscript/boshan-report`` carries its photo converted.
"""
from __future__ import annotations

import io
import logging
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import weasyprint  # noqa: F401 - imported for its side effect: LOAD_TRUNCATED_IMAGES
from PIL import Image, ImageFile, ImageOps, PngImagePlugin

from pressroom import photos
from pressroom.build import build_epub, prepare
from pressroom.errors import ResourceError
from pressroom.outputs.epub import render_epub
from pressroom.photos import PhotoFault, ebook_photo, inspect_photo, print_photo

ROOT = Path(__file__).resolve().parent.parent
BOSHAN = ROOT / "manuscript" / "boshan-report"
BOSHAN_PHOTO = "opening-ceremony.jpg"
SIZE = (96, 64)  # wide, so that every orientation that turns it shows in its size
ORIENTATION, GPS_IFD = 0x0112, 0x8825


@pytest.fixture(autouse=True)
def fresh_cache():
    photos.clear_cache()
    yield
    photos.clear_cache()


# -- drawing the photos -------------------------------------------------------------------

def scene(mode: str = "RGB", size: tuple[int, int] = SIZE) -> Image.Image:
    """A picture that shows which way up it is: a smooth gradient with a red block in its
    top left corner and a blue one in its bottom right."""
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.merge("RGB", (image.getchannel(0), Image.new("L", size, 140),
                                image.getchannel(0).rotate(90, expand=False).resize(size)))
    image.paste((220, 30, 30), (0, 0, width // 4, height // 4))
    image.paste((30, 30, 220), (width - width // 4, height - height // 4, width, height))
    return image.convert(mode) if mode != "RGB" else image


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Test camera maker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (25.0, 3.0, 30.0)  # latitude: where the photo was taken
    gps[3], gps[4] = "E", (121.0, 30.0, 0.0)
    return exif


XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/'
       b'1.0/" photoshop:City="Magong"/></rdf:RDF></x:xmpmeta>')


def s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def xyz(*values: float) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(s15(value) for value in values)


def linear_rgb_profile() -> bytes:
    """An ICC v2 matrix/TRC profile: sRGB's primaries with a straight tone curve (gamma
    1.0), so that its grey 128 is sRGB's 188. Made here because no such profile ships with
    the libraries, and lcms cannot write one through Pillow."""
    return icc_profile(b"RGB ", [(b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
                                 (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
                                 (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
                                 (b"rTRC", LINEAR), (b"gTRC", LINEAR), (b"bTRC", LINEAR)])


def linear_grey_profile() -> bytes:
    """A greyscale ICC profile with a straight tone curve: its 128 is sRGB's 188."""
    return icc_profile(b"GRAY", [(b"kTRC", LINEAR)])


LINEAR = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0100) + b"\0\0"  # gamma 1.0


def icc_profile(space: bytes, colour_tags: list[tuple[bytes, bytes]]) -> bytes:
    text = b"Linear (test)\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * 8 + b"\0" * 70
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)), *colour_tags]
    offset = 128 + 4 + 12 * len(tags)
    table = body = b""
    for name, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += name + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (struct.pack(">I", offset + len(body)) + b"\0" * 4 + struct.pack(">I", 0x02100000)
              + b"mntr" + space + b"XYZ " + b"\0" * 12 + b"acsp" + b"\0" * 28
              + xyz(0.9642, 1.0, 0.8249)[8:] + b"\0" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def png_chunk(name: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data))


def png_16bit(colour_type: int, channels: int, size=SIZE) -> bytes:
    """A 16-bit PNG of a colour type Pillow cannot write (RGB, RGBA, grey+alpha)."""
    width, height = size
    rows = b""
    for y in range(height):
        rows += b"\0" + b"".join(struct.pack(">H", (x * 65535 // (width - 1) + c * 9000) % 65536)
                                 for x in range(width) for c in range(channels))
    return (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2))


def interlaced_png(image: Image.Image, depth: int) -> bytes:
    """An Adam7-interlaced PNG (what some editors and the web's tools write) of an L or
    RGB picture at 8 or 16 bits, which Pillow reads but cannot write."""
    width, height = image.size
    colour_type = {"L": 0, "RGB": 2}[image.mode]
    pixels = image.load()

    def samples(x: int, y: int) -> bytes:
        value = pixels[x, y]
        values = value if isinstance(value, tuple) else (value,)
        return b"".join(struct.pack(">H", v * 257) if depth == 16 else bytes([v])
                        for v in values)

    rows = b""
    for column, row, across, down in ADAM7:
        if column >= width:
            continue  # a pass with no columns has no rows either
        for y in range(row, height, down):
            rows += b"\0" + b"".join(samples(x, y) for x in range(column, width, across))
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 1)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def kinds(folder: Path) -> dict[str, Path]:
    """Each kind of photo of the brief, as a file."""
    rgb = scene()
    files = {
        "baseline": save(rgb, folder / "baseline.jpg", quality=90),
        "progressive": save(rgb, folder / "progressive.jpg", progressive=True, quality=90),
        "camera": save(rgb, folder / "camera.jpg", quality=90, exif=camera_exif(1), xmp=XMP),
        "mpo": save(rgb, folder / "mpo.jpg", format="MPO", save_all=True, exif=camera_exif(1),
                    append_images=[rgb.rotate(180), rgb.transpose(Image.Transpose.ROTATE_180)]),
        "cmyk": save(scene("CMYK"), folder / "cmyk.jpg", quality=90),  # Adobe's inverted CMYK
        "grey-jpeg": save(scene("L"), folder / "grey.jpg", quality=90),
        "icc-jpeg": save(rgb, folder / "icc.jpg", quality=90, icc_profile=linear_rgb_profile()),
        "rgb-png": save(rgb, folder / "rgb.png"),
        "camera-png": save(rgb, folder / "camera.png", exif=camera_exif(1)),
        "grey-png": save(scene("L"), folder / "grey.png"),
        "palette": save(scene("P"), folder / "palette.png"),
        "palette-alpha": save(scene("P"), folder / "palette-alpha.png", transparency=0),
        "rgba": save(rgba(), folder / "rgba.png"),
        "grey-alpha": save(rgba().convert("LA"), folder / "grey-alpha.png"),
        "icc-png": save(rgb, folder / "icc.png", icc_profile=linear_rgb_profile()),
        "grey-16": save(grey_16(), folder / "grey-16.png"),
        "bilevel": save(scene("1"), folder / "bilevel.png"),  # 1 bit a pixel
        "palette-16": save(scene().quantize(16), folder / "palette-16.png"),  # 4 bits
    }
    for name, colour_type, channels in (("rgb-16", 2, 3), ("rgba-16", 6, 4),
                                        ("grey-alpha-16", 4, 2)):
        files[name] = folder / f"{name}.png"
        files[name].write_bytes(png_16bit(colour_type, channels))
    return files


def rgba() -> Image.Image:
    image = scene().convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize(SIZE))
    return image


def grey_16(size=SIZE) -> Image.Image:
    """A 16-bit greyscale picture (what scanners and raw converters write) running from
    black to white: 0, 257 × 128 = 32896 (mid-grey) and 65535 among its values."""
    width, height = size
    image = Image.new("I;16", size)
    image.putdata([(x * 65535) // (width - 1) for _ in range(height) for x in range(width)])
    return image


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return kinds(tmp_path_factory.mktemp("kinds"))


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_clean(data: bytes) -> None:
    """No EXIF, GPS or XMP anywhere in the bytes, whatever the container."""
    image = decoded(data)
    assert not image.getexif(), dict(image.getexif())
    assert not image.getexif().get_ifd(GPS_IFD)
    assert b"Exif\0\0" not in data and b"eXIf" not in data
    assert b"http://ns.adobe.com/xap" not in data and b"xmpmeta" not in data
    assert b"Magong" not in data and b"Test camera maker" not in data
    assert "exif" not in image.info and "xmp" not in image.info


def assert_eight_bits(data: bytes) -> None:
    image = decoded(data)
    assert image.mode in ("L", "LA", "RGB", "RGBA", "P", "CMYK"), image.mode
    if image.format == "PNG":
        assert data[24] == 8, f"bit depth {data[24]}"  # IHDR's bit depth
    else:
        assert image.format == "JPEG" and image.bits == 8


def band_means(image: Image.Image) -> tuple[float, ...]:
    pixels = image.width * image.height
    return tuple(sum(count * value for value, count in enumerate(band.histogram())) / pixels
                 for band in image.split())


def mean(image: Image.Image, box) -> tuple[float, ...]:
    """The average RGB of a part of the picture."""
    return band_means(image.crop(box).convert("RGB"))


# -- every kind, both outputs -------------------------------------------------------------

KINDS = ["baseline", "progressive", "camera", "mpo", "cmyk", "grey-jpeg", "icc-jpeg",
         "rgb-png", "camera-png", "grey-png", "palette", "palette-alpha", "rgba", "grey-alpha",
         "icc-png", "grey-16", "rgb-16", "rgba-16", "grey-alpha-16", "bilevel", "palette-16"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_inspected_and_converted_for_both_outputs(files, kind):
    path = files[kind]
    info = inspect_photo(path)
    assert (info.width, info.height) == SIZE
    assert info.format == ("MPO" if kind == "mpo" else "JPEG" if path.suffix == ".jpg" else "PNG")
    for make in (print_photo, ebook_photo):
        data, media_type = make(path)
        image = decoded(data)
        assert media_type == f"image/{image.format.lower()}"
        assert image.format == ("JPEG" if path.suffix == ".jpg" else "PNG"), make.__name__
        assert image.size == SIZE  # never scaled, up or down
        assert_eight_bits(data)
        assert_clean(data)
        assert make(path) == (data, media_type)
        photos.clear_cache()
        assert make(path) == (data, media_type), f"{make.__name__} is not deterministic"


def test_the_ebook_gets_srgb_only(files):
    for kind in KINDS:
        data, _ = ebook_photo(files[kind])
        image = decoded(data)
        assert image.mode in ("RGB", "RGBA", "L", "LA", "P"), (kind, image.mode)
        # Untagged pixels are sRGB to every reading system; no profile is left to say else.
        assert not image.info.get("icc_profile"), kind


def test_print_keeps_cmyk_as_the_picture_desk_separated_it(files):
    source = decoded(files["cmyk"].read_bytes())
    data, media_type = print_photo(files["cmyk"])
    image = decoded(data)
    assert (media_type, image.mode) == ("image/jpeg", "CMYK")
    for box in ((0, 0, 20, 12), (80, 52, 96, 64), (30, 20, 60, 40)):
        want, got = band_means(source.crop(box)), band_means(image.crop(box))
        assert all(abs(a - b) < 3 for a, b in zip(want, got)), (box, want, got)
    # The e-book's copy of the same photo is RGB, in the same colours as Pillow sees them.
    ebook = decoded(ebook_photo(files["cmyk"])[0])
    assert ebook.mode == "RGB"
    red = mean(ebook, (2, 2, 20, 12))
    assert red[0] > 150 and red[1] < 90 and red[2] < 90, red


def test_an_adobe_cmyk_jpeg_with_a_profile_keeps_its_profile_for_print_only(tmp_path):
    # A CMYK profile cannot be made here, so the RGB one stands in for the mismatch case:
    # a profile of the wrong colour space is ignored, never applied, and never fails.
    path = save(scene("CMYK"), tmp_path / "mismatch.jpg", icc_profile=linear_rgb_profile())
    assert decoded(print_photo(path)[0]).mode == "CMYK"
    assert decoded(ebook_photo(path)[0]).mode == "RGB"


def test_an_embedded_profile_is_converted_to_srgb(files):
    # Grey 128 in a linear-light RGB is grey 188 in sRGB: a conversion that ignored the
    # profile would leave it at 128.
    for kind in ("icc-jpeg", "icc-png"):
        for make in (print_photo, ebook_photo):
            image = decoded(make(files[kind])[0])
            assert image.mode == "RGB" and not image.info.get("icc_profile")
    path = files["icc-png"].with_name("flat-icc.png")
    Image.new("RGB", SIZE, (128, 128, 128)).save(path, icc_profile=linear_rgb_profile())
    for make in (print_photo, ebook_photo):
        value = decoded(make(path)[0]).getpixel((10, 10))
        assert all(abs(channel - 188) <= 1 for channel in value), (make.__name__, value)


def test_a_greyscale_profile_is_converted_for_the_ebook_and_kept_grey_for_print(tmp_path):
    for suffix in (".jpg", ".png"):
        path = save(Image.new("L", SIZE, 128), tmp_path / f"grey{suffix}",
                    icc_profile=linear_grey_profile())
        ebook = decoded(ebook_photo(path)[0])
        assert ebook.mode == "RGB" and all(abs(v - 188) <= 1 for v in ebook.getpixel((5, 5)))
        printed = decoded(print_photo(path)[0])
        assert printed.mode == "L" and abs(printed.getpixel((5, 5)) - 128) <= 1


def test_sixteen_bits_are_scaled_to_eight_not_clipped(files):
    # Pillow's own conversion clips I;16 at 255: everything above 1/256 of the range white.
    for make in (print_photo, ebook_photo):
        image = decoded(make(files["grey-16"])[0])
        assert image.mode == "L"
        row = [image.getpixel((x, 5)) for x in range(SIZE[0])]
        assert row[0] == 0 and row[-1] == 255
        assert abs(row[SIZE[0] // 2] - 128) <= 2, row
        assert row == sorted(row) and len(set(row)) > SIZE[0] // 2


def test_alpha_is_kept_in_a_png_for_both_outputs(files):
    source = rgba().getchannel("A")
    for kind in ("rgba", "grey-alpha", "palette-alpha", "rgba-16", "grey-alpha-16"):
        for make in (print_photo, ebook_photo):
            data, media_type = make(files[kind])
            image = decoded(data)
            # As an alpha channel, or as a palette's transparent entries (tRNS).
            assert media_type == "image/png", kind
            assert "A" in image.getbands() or "transparency" in image.info, (kind, image.mode)
    alpha = decoded(ebook_photo(files["rgba"])[0]).getchannel("A")
    assert alpha.tobytes() == source.tobytes()


@pytest.mark.parametrize("size", [(1, 1), (3, 5), (8, 8), (13, 2), (2, 13), (97, 61)])
@pytest.mark.parametrize("mode, depth", [("L", 8), ("RGB", 8), ("RGB", 16)])
def test_an_interlaced_png_is_whole(tmp_path, size, mode, depth):
    # Interlaced pixel data is longer than plain rows: counting it wrong would refuse
    # every interlaced PNG as cut off.
    picture = scene(mode, size) if min(size) > 4 else Image.new(mode, size, 200)
    path = tmp_path / "interlaced.png"
    path.write_bytes(interlaced_png(picture, depth))
    assert decoded(path.read_bytes()).convert(mode).tobytes() == picture.tobytes()
    assert inspect_photo(path) == photos.PhotoInfo(*size, "PNG")
    for make in (print_photo, ebook_photo):
        image = decoded(make(path)[0])
        assert image.convert(mode).tobytes() == picture.tobytes()
    cut = interlaced_png(picture, depth)
    idat = chunk_offset(cut, b"IDAT")
    rows = zlib.decompress(cut[idat + 8:-16])
    short = png_chunk(b"IDAT", zlib.compress(rows[:-1]))
    path.write_bytes(cut[:idat] + short + png_chunk(b"IEND", b""))
    with pytest.raises(PhotoFault, match="pixel data stops before the picture does"):
        inspect_photo(path)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_a_photo_is_turned_as_the_camera_meant(tmp_path, orientation):
    # The camera writes the pixels as its sensor saw them and says, in EXIF, how to turn
    # them. The reference is Pillow's own ImageOps.exif_transpose.
    stored = scene(size=(64, 96) if orientation >= 5 else SIZE)
    path = save(stored, tmp_path / f"turned-{orientation}.jpg", quality=95,
                exif=camera_exif(orientation))
    info = inspect_photo(path)
    assert (info.width, info.height) == SIZE
    want = ImageOps.exif_transpose(decoded(path.read_bytes()))
    assert want.size == SIZE
    for make in (print_photo, ebook_photo):
        data, _ = make(path)
        image = decoded(data)
        assert image.size == SIZE
        assert_clean(data)
        for box in ((2, 2, 20, 12), (76, 52, 94, 62), (2, 52, 20, 62), (76, 2, 94, 12)):
            assert all(abs(a - b) < 12 for a, b in zip(mean(image, box), mean(want, box))), \
                (make.__name__, box, mean(image, box), mean(want, box))


def test_an_mpo_gives_its_first_picture(files):
    first = decoded(files["baseline"].read_bytes())
    for make in (print_photo, ebook_photo):
        data, media_type = make(files["mpo"])
        assert media_type == "image/jpeg" and b"MPF\0" not in data
        image = decoded(data)
        assert image.format == "JPEG" and getattr(image, "n_frames", 1) == 1
        # Red at the top left: the first picture, not the second turned upside down.
        red = mean(image, (2, 2, 20, 12))
        assert red[0] > 170 and red[2] < 90, red
        assert all(abs(a - b) < 8 for a, b in zip(red, mean(first, (2, 2, 20, 12))))


def test_a_clean_file_goes_out_as_it_came(files):
    # Nothing to turn, convert or strip: the very bytes, so no generation is lost.
    for kind in ("baseline", "progressive", "rgb-png", "palette", "rgba", "grey-png"):
        for make in (print_photo, ebook_photo):
            assert make(files[kind])[0] == files[kind].read_bytes(), (kind, make.__name__)
    assert print_photo(files["cmyk"])[0] == files["cmyk"].read_bytes()
    assert ebook_photo(files["cmyk"])[0] != files["cmyk"].read_bytes()
    # The repository's own photo, which every other test's PDF and EPUB carry.
    photo = BOSHAN / BOSHAN_PHOTO
    assert ebook_photo(photo)[0] == photo.read_bytes() == print_photo(photo)[0]


def test_a_re_encoded_jpeg_keeps_its_quality(files):
    source = decoded(files["camera"].read_bytes())
    image = decoded(print_photo(files["camera"])[0])
    difference = sum(abs(a - b) for a, b in zip(source.tobytes(), image.tobytes()))
    assert difference / len(source.tobytes()) < 2.0  # quality 92, chroma as it was


def test_the_same_photo_under_two_names_gives_the_same_bytes(files, tmp_path):
    copy = tmp_path / "copy.jpg"
    shutil.copyfile(files["camera"], copy)
    assert print_photo(copy) == print_photo(files["camera"])
    assert ebook_photo(copy) == ebook_photo(files["camera"])


def test_a_rewritten_file_is_converted_anew(tmp_path):
    # The cache is by content: a photo replaced under the same name is not served stale.
    path = save(scene(), tmp_path / "photo.jpg", exif=camera_exif(1))
    first = ebook_photo(path)
    save(scene().rotate(180), path, exif=camera_exif(1))
    assert ebook_photo(path) != first


def test_weasyprint_draws_the_print_bytes_without_a_word(files, caplog):
    # What WeasyPrint said of the camera's own 16-bit PNG: "Unknown image mode: I;16".
    names = {f"{kind}.img": print_photo(files[kind]) for kind in KINDS}

    class Fetcher(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            data, media_type = names[url.rsplit("/", 1)[-1]]
            return weasyprint.urls.URLFetcherResponse(url, data, {"Content-Type": media_type})

    html = "".join(f'<img src="http://photos.invalid/{name}" style="width:30mm">' for name in names)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = weasyprint.HTML(string=f"<body>{html}</body>", url_fetcher=Fetcher(),
                              base_url="http://photos.invalid/").write_pdf()
    assert pdf.startswith(b"%PDF")
    assert not [record for record in caplog.records if record.name.startswith("weasyprint")], \
        caplog.text
    assert pdf.count(b"/Subtype /Image") >= len(names)
    assert pdf.count(b"/DeviceCMYK") >= 1


# -- damaged files: one plain sentence ----------------------------------------------------

def flipped(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0xFF]) + data[index + 1:]


def chunk_offset(data: bytes, name: bytes) -> int:
    return data.index(name) - 4


def huge_png(width: int, height: int) -> bytes:
    # A real 1 × 1 PNG whose header says otherwise, the checksum made to match: only the
    # header is read before the count is refused, so the test needs no 60 MB of pixels.
    data = bytearray(_png(Image.new("L", (1, 1))))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def huge_jpeg(width: int, height: int) -> bytes:
    data = bytearray(_jpeg(scene()))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def damaged_cases() -> dict[str, tuple[bytes, str, str]]:
    """name -> (bytes, code, the reason's words)."""
    png = _png(scene())
    text_png = _png_with_text()
    jpeg = _jpeg(scene())
    gif, webp = io.BytesIO(), io.BytesIO()
    scene().save(gif, "GIF")
    scene().save(webp, "WEBP")
    idat = chunk_offset(png, b"IDAT")
    idat_length = struct.unpack(">I", png[idat:idat + 4])[0]
    text = chunk_offset(text_png, b"tEXt")
    return {
        "empty": (b"", "PR306", "is an empty file"),
        "noise": (bytes(range(256)) * 4, "PR306", "is not an image"),
        "idat-checksum": (flipped(png, idat + 8 + idat_length), "PR306",
                          "is a damaged PNG file: a chunk's checksum is wrong"),
        "idat-data": (flipped(png, idat + 20), "PR306",
                      "is a damaged PNG file: a chunk's checksum is wrong"),
        # A chunk's name damaged: what gave "'ascii' codec can't decode byte 0xab".
        "chunk-name": (png[:idat + 4] + b"\xabDAT" + png[idat + 8:], "PR306",
                       "is a damaged PNG file: a chunk's checksum is wrong"),
        # An ancillary chunk: Pillow skips its checksum once WeasyPrint is imported.
        "text-checksum": (flipped(text_png, text + 10), "PR306",
                          "is a damaged PNG file: a chunk's checksum is wrong"),
        "png-cut": (png[:len(png) // 2], "PR306",
                    "is a damaged PNG file: it ends before the picture does"),
        "png-no-end": (png[:-12], "PR306",
                       "is a damaged PNG file: it ends before the picture does"),
        "jpeg-cut": (jpeg[:len(jpeg) * 2 // 3], "PR306",
                     "is a damaged JPEG file: it ends before the picture does"),
        "jpeg-header-only": (jpeg[:200], "PR306",
                             "is a damaged JPEG file: it ends before the picture does"),
        "gif": (gif.getvalue(), "PR307", "is in GIF format, not JPEG or PNG"),
        "webp": (webp.getvalue(), "PR307", "is in WebP format, not JPEG or PNG"),
        "heif": (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64, "PR307",
                 "is in HEIF or AVIF format, not JPEG or PNG"),
        "png-huge": (huge_png(10_000, 6_000), "PR308",
                     "is 10,000 × 6,000 pixels, more than the 50 megapixels Pressroom opens"),
        "jpeg-huge": (huge_jpeg(9_000, 6_000), "PR308",
                      "is 9,000 × 6,000 pixels, more than the 50 megapixels Pressroom opens"),
        "png-no-pixels": (huge_png(0, 10), "PR306", "is a damaged PNG file"),
    }


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at the source's home")
    out = io.BytesIO()
    scene().save(out, "PNG", pnginfo=info)
    return out.getvalue()


@pytest.mark.parametrize("name", list(damaged_cases()))
def test_a_damaged_file_gets_one_plain_sentence(tmp_path, name):
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # as in every build: WeasyPrint is imported
    data, code, words = damaged_cases()[name]
    path = tmp_path / "photo.jpg"  # the name a renamed file keeps
    path.write_bytes(data)
    for call in (inspect_photo, print_photo, ebook_photo):
        with pytest.raises(PhotoFault) as caught:
            call(path)
        fault = caught.value
        assert fault.code == code, (call.__name__, fault.reason)
        assert fault.reason.startswith(words), fault.reason
        assert "\n" not in fault.reason and fault.reason.isprintable()
        for raw in ("codec", "decode byte", "Errno", "cannot identify", "SyntaxError",
                    "broken", "truncated"):
            assert raw not in fault.reason


def test_the_pixel_count_is_refused_from_the_header_before_decoding(tmp_path):
    # The header of a 60-megapixel PNG whose data is one pixel: decoding it would fail, so
    # refusing it with PR308 shows the count was checked first.
    path = tmp_path / "huge.png"
    path.write_bytes(huge_png(10_000, 6_000))
    with pytest.raises(PhotoFault) as caught:
        inspect_photo(path)
    assert caught.value.code == "PR308"
    path.write_bytes(huge_png(7_000, 7_000))  # 49 megapixels: under the bound
    with pytest.raises(PhotoFault) as caught:
        print_photo(path)
    assert caught.value.code == "PR306"  # its data is one pixel, not 49 million
    assert caught.value.reason == ("is a damaged PNG file: its pixel data stops before the "
                                   "picture does")


def test_a_missing_file_is_the_callers_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        inspect_photo(tmp_path / "missing.jpg")


# -- a real EPUB --------------------------------------------------------------------------

def manuscript_with(tmp_path: Path, photo: bytes) -> Path:
    folder = tmp_path / "boshan-report"
    shutil.copytree(BOSHAN, folder)
    (folder / BOSHAN_PHOTO).write_bytes(photo)
    return folder


def epub_image(book: Path) -> tuple[bytes, str]:
    with zipfile.ZipFile(book) as archive:
        opf = archive.read("EPUB/content.opf").decode("utf-8")
        [name] = [name for name in archive.namelist()
                  if name.startswith("EPUB/images/") and "cover" not in name]
        return archive.read(name), opf


def test_the_epub_carries_a_camera_mpo_turned_in_srgb_without_exif(tmp_path):
    # A phone's photo: an MPO of two pictures, stored on its side (orientation 6, as a
    # phone held upright writes it), with a GPS block and XMP, in a linear-light profile.
    # Orientation 6 is shown turned a quarter clockwise (ROTATE_270): stored the other way.
    stored = scene(size=(1800, 1200)).transpose(Image.Transpose.ROTATE_90)
    out = io.BytesIO()
    stored.save(out, "MPO", save_all=True, append_images=[stored.rotate(180)], quality=90,
                exif=camera_exif(6), xmp=XMP, icc_profile=linear_rgb_profile())
    folder = manuscript_with(tmp_path, out.getvalue())
    assert inspect_photo(folder / BOSHAN_PHOTO) == photos.PhotoInfo(1800, 1200, "MPO")
    book = build_epub(folder, out_dir=tmp_path / "build")
    data, opf = epub_image(book)
    assert data == ebook_photo(folder / BOSHAN_PHOTO)[0]
    image = decoded(data)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1800, 1200))
    assert 'href="images/opening-ceremony.jpg"' in opf and 'media-type="image/jpeg"' in opf
    assert_clean(data)
    assert not image.info.get("icc_profile")
    red = mean(image, (20, 20, 400, 280))  # the red block, turned back to the top left
    assert red[0] > 170 and red[1] < 120, red


def test_the_epub_carries_a_sixteen_bit_png(tmp_path):
    # The page side of a 16-bit PNG waits for print_photo in the renderer's fetcher; the
    # e-book is made here without it, with its drawn cover.
    folder = manuscript_with(tmp_path, _png(grey_16(size=(1800, 1200))))
    (folder / BOSHAN_PHOTO).rename(folder / "opening-ceremony.png")
    article_md = folder / "article.md"
    article_md.write_text(article_md.read_text(encoding="utf-8").replace(
        BOSHAN_PHOTO, "opening-ceremony.png"), encoding="utf-8")
    book = tmp_path / "book.epub"
    book.write_bytes(render_epub(prepare(folder)))
    data, opf = epub_image(book)
    image = decoded(data)
    assert (image.format, image.mode, data[24]) == ("PNG", "L", 8)
    assert 'media-type="image/png"' in opf


def test_a_damaged_photo_in_the_epub_is_one_line_at_the_figure(tmp_path):
    jpeg = _jpeg(scene(size=(1800, 1200)))
    folder = manuscript_with(tmp_path, jpeg)
    article = prepare(folder)
    (folder / BOSHAN_PHOTO).write_bytes(jpeg[:len(jpeg) // 2])  # cut after it was read
    with pytest.raises(ResourceError) as caught:
        render_epub(article)
    message = str(caught.value)
    assert caught.value.code == "PR306" and "\n" not in message
    assert "image 'opening-ceremony.jpg' is a damaged JPEG file: it ends before" in message
    assert "article.md:" in message
