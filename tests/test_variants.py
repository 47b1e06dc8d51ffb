"""What a build makes for each variant, read back from the files: the press PDF declares
PDF/X-4 with its output intent and is dated and the same bytes twice; a page with
stand-ins is refused for the plate with one message naming every setting to make, and
warned of (PR507) on every other build; the screen PDF is as it was; the photo conversion
keeps to the ink limit and never adds pixels.

The plate test manuscript (``tests/manuscripts/plate``) sets a date, a page label and a
section and carries a real colour photo; the default manuscript has none of them.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import DEFAULT, ROOT
from pressroom import photos
from pressroom.build import build_pdf
from pressroom.errors import BuildError, ManuscriptError, StrictError, diagnostics
from pressroom.reading.manuscript import read_manuscript
from pressroom.variants import CMYK_INTENT, VARIANTS

PLATE = ROOT / "tests" / "manuscripts" / "plate"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The plate manuscript built in every variant, once."""
    out = tmp_path_factory.mktemp("variants")
    with diagnostics():
        return {name: build_pdf(PLATE, out_dir=out, variant=variant)
                for name, variant in VARIANTS.items()}


def xmp(path: Path) -> str:
    return PdfReader(path).trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def test_each_variant_has_its_own_file(built):
    assert {name: path.name for name, path in built.items()} == {
        "screen": "plate.pdf", "press": "plate-press.pdf",
        "press-x1a": "plate-press-x1a.pdf", "archive": "plate-archive.pdf"}


def test_the_press_pdf_declares_pdf_x4_with_the_pinned_intent(built):
    reader = PdfReader(built["press"])
    root = reader.trailer["/Root"]
    (intent,) = [item.get_object() for item in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == CMYK_INTENT.identifier
    assert "not a newsprint condition" in intent["/Info"]
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4
    assert hashlib.sha256(profile.get_data()).hexdigest() == CMYK_INTENT.sha256
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp(built["press"])
    page = reader.pages[0]
    assert page.trimbox == page.bleedbox == page.mediabox  # trim-size pages, no bleed
    assert "/StructTreeRoot" in root  # still tagged


def test_press_pdfs_are_dated_by_the_issue_date_and_the_same_bytes_twice(built, tmp_path):
    for name in ("press", "press-x1a", "archive"):
        assert "<xmp:CreateDate>2026-12-01T00:00:00+08:00</xmp:CreateDate>" in xmp(built[name])
    with diagnostics():
        again = build_pdf(PLATE, out_dir=tmp_path, variant=VARIANTS["press"])
    assert again.read_bytes() == built["press"].read_bytes()
    assert re.search(r"xmp\.did:[0-9a-f-]{36}", xmp(again))  # derived from the page, not drawn


def test_press_text_is_on_the_black_plate_and_the_photo_in_cmyk(built):
    data = PdfReader(built["press"]).pages[0].get_contents().get_data()
    assert not re.search(rb"(^|\s)(rg|RG)\s", data), "an RGB colour in the press page"
    listing = subprocess.run(["pdfimages", "-list", str(built["press"])], check=True,
                             capture_output=True, text=True).stdout.splitlines()[2:]
    colours = {line.split()[5] for line in listing}
    ppi = {int(line.split()[12]) for line in listing}
    assert colours == {"cmyk"} and ppi == {300}  # 1600 px at 123 mm would be 331 ppi


def test_press_x1a_is_pdf_14_with_device_colour_only(built):
    raw = built["press-x1a"].read_bytes()
    assert raw.startswith(b"%PDF-1.4")
    assert b"/ICCBased" not in raw and b"/SMask" not in raw and b"/Transparency" not in raw
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-1a:2003" in xmp(built["press-x1a"])
    assert PdfReader(built["press-x1a"]).metadata["/GTS_PDFXVersion"] == "PDF/X-1a:2003"


def test_archive_is_pdf_a_2a_tagged(built):
    metadata = xmp(built["archive"])
    assert 'pdfaid:part="2"' in metadata and 'pdfaid:conformance="A"' in metadata
    root = PdfReader(built["archive"]).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    (intent,) = [item.get_object() for item in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"


def test_the_screen_pdf_has_no_intent_and_no_date(built):
    reader = PdfReader(built["screen"])
    assert "/OutputIntents" not in reader.trailer["/Root"]
    assert "/CreationDate" not in (reader.metadata or {})
    assert "pdfuaid:part" in xmp(built["screen"])


# -- stand-ins --------------------------------------------------------------------------

def test_press_refuses_a_page_with_stand_ins_naming_every_setting(tmp_path):
    with diagnostics(), pytest.raises(ManuscriptError) as caught:
        build_pdf(DEFAULT, out_dir=tmp_path, variant=VARIANTS["press"])
    error = caught.value
    assert error.code == "PR170"
    for setting in ("date: ", "page: ", "section: ", "opening-ceremony.jpg at line"):
        assert setting in error.message
    assert "--proof-only" in str(error)
    assert not list(tmp_path.glob("*.pdf"))


def test_the_cli_refuses_in_one_message_and_writes_nothing(tmp_path):
    run = subprocess.run([sys.executable, "-m", "invoke", "pdf", "--variant", "press",
                          "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "PR170" in errors[0] and "article.md" in errors[0]
    assert "Traceback" not in run.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_a_proof_only_press_build_warns_of_each_stand_in(tmp_path, monkeypatch):
    warned = []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1612137600")
    with diagnostics(emit=warned.append):
        path = build_pdf(DEFAULT, out_dir=tmp_path, variant=VARIANTS["press"], proof_only=True)
    # A proof is never under the plant's file name.
    assert path.name == "boshan-report-press-proof.pdf"
    assert [warning.code for warning in warned].count("PR507") == 4
    assert "<xmp:CreateDate>2021-02-01T00:00:00Z</xmp:CreateDate>" in xmp(path)


def test_an_undated_page_is_a_proof_or_nothing(tmp_path, monkeypatch):
    """An undated archive PDF is not made (PR430); a proof of an undated press page is,
    dated by the clock, since a proof is not kept."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with diagnostics(), pytest.raises(BuildError) as caught:
        build_pdf(DEFAULT, out_dir=tmp_path, variant=VARIANTS["archive"])
    assert caught.value.code == "PR430" and "date:" in str(caught.value)
    with diagnostics():
        proof = build_pdf(DEFAULT, out_dir=tmp_path, variant=VARIANTS["press"], proof_only=True)
    assert "<xmp:CreateDate>" in xmp(proof) and not list(tmp_path.glob("*-press.pdf"))


def test_stand_ins_are_warned_of_on_a_screen_build_and_fail_strict(tmp_path):
    warned = []
    with diagnostics(emit=warned.append):
        build_pdf(DEFAULT, out_dir=tmp_path)
    assert sorted(str(warning.where.line) for warning in warned
                  if warning.code == "PR507") == ["38", "None", "None", "None"]
    with diagnostics(strict=True), pytest.raises(StrictError):
        build_pdf(DEFAULT, out_dir=tmp_path / "strict")


def test_a_real_photo_saved_over_the_stand_in_is_no_stand_in(tmp_path):
    assert photos.inspect_photo(DEFAULT / "opening-ceremony.jpg").standin
    assert not photos.inspect_photo(PLATE / "photo.jpg").standin


# -- the photo for the plate ------------------------------------------------------------

def test_the_ink_limit_takes_back_colour_and_keeps_black():
    rich = Image.new("CMYK", (4, 4), (230, 220, 210, 250))  # about 357 % of ink
    limited = photos.limit_ink(rich, 240)
    c, m, y, k = limited.getpixel((0, 0))
    assert k == 250 and (c + m + y + k) <= 240 * 255 / 100 + 2
    light = Image.new("CMYK", (4, 4), (40, 30, 20, 10))
    assert photos.limit_ink(light, 240).getpixel((0, 0)) == (40, 30, 20, 10)


def test_a_press_photo_keeps_to_the_limit_and_is_never_upsampled(tmp_path):
    source = tmp_path / "photo.png"
    Image.new("RGB", (300, 200), (20, 10, 5)).save(source)  # a near-black: rich in ink
    data, kind = photos.press_photo(source, "cmyk", (900, 600), CMYK_INTENT.path)
    image = Image.open(io.BytesIO(data))
    assert kind == "image/jpeg" and image.mode == "CMYK" and image.size == (300, 200)
    image.load()
    assert max(sum(pixel) for pixel in image.get_flattened_data()) <= 240 * 255 / 100
    data, _ = photos.press_photo(source, "gray", (150, 100))
    assert Image.open(io.BytesIO(data)).size == (150, 100)
    assert Image.open(io.BytesIO(data)).mode == "L"


def test_an_unknown_variant_is_refused_by_the_task():
    run = subprocess.run([sys.executable, "-m", "invoke", "pdf", "--variant", "plate"],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ})
    assert run.returncode == 2 and "screen, press, press-x1a, archive" in run.stderr


def test_a_manuscript_cannot_choose_its_variant(write_manuscript):
    folder = write_manuscript("""
        ---
        title: 测试
        variant: press
        ---

        正文。
        """)
    with pytest.raises(ManuscriptError) as caught:
        read_manuscript(folder)
    assert caught.value.code == "PR101" and "--variant press" in caught.value.hint


def test_bleed_widens_the_press_page_beyond_its_trim_and_not_the_screen_one(tmp_path):
    folder = tmp_path / "plate"
    shutil.copytree(PLATE, folder)
    source = folder / "article.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "  subhead_size: 12\n", "  subhead_size: 12\n  bleed: 3\n", 1), encoding="utf-8")
    with diagnostics():
        press = build_pdf(folder, out_dir=tmp_path / "out", variant=VARIANTS["press"])
        screen = build_pdf(folder, out_dir=tmp_path / "out")
    page = PdfReader(press).pages[0]
    bleed = 3 * 72 / 25.4
    assert [round(value, 2) for value in page.trimbox] == [0, 0, 552.76, 765.35]
    assert [round(value, 2) for value in page.mediabox] == \
        [round(-bleed, 2), round(-bleed, 2), round(552.756 + bleed, 2), round(765.354 + bleed, 2)]
    assert page.bleedbox == page.mediabox
    screen_page = PdfReader(screen).pages[0]
    assert screen_page.mediabox == screen_page.trimbox
    # The checks measure the sheet from its TrimBox: the bleed is no part of the page.
    from pressroom.checks.check import check_pdf, check_typography

    article = read_manuscript(folder)
    failed = [str(result) for check in (check_pdf, check_typography)
              for result in check(article, press) if not result.passed]
    assert not failed, failed


def test_a_stylesheet_setting_rgb_is_refused_for_the_plate(tmp_path):
    """A manuscript's own print.css written before the inks were variables: RGB black
    would reach the plate; the build reads its press PDF back and refuses it (PR431)."""
    folder = tmp_path / "plate"
    shutil.copytree(PLATE, folder)
    (folder / "layouts" / "css").mkdir(parents=True)
    shared = (ROOT / "layouts" / "css" / "print.css").read_text(encoding="utf-8")
    (folder / "layouts" / "css" / "print.css").write_text(
        shared.replace("  color: var(--ink);", "  color: #000;", 1), encoding="utf-8")
    with diagnostics(), pytest.raises(BuildError) as caught:
        build_pdf(folder, out_dir=tmp_path / "out", variant=VARIANTS["press"])
    assert caught.value.code == "PR431" and "RGB" in caught.value.message
    assert caught.value.where.path == folder / "layouts" / "css" / "print.css"
    assert not (tmp_path / "out" / "plate-press.pdf").exists()


def test_the_archive_holds_a_cmyk_photo_in_srgb(tmp_path):
    """PDF/A-2 allows device CMYK only under a CMYK intent: the archive's photos are sRGB,
    a picture desk's separated JPEG too."""
    folder = tmp_path / "cmyk"
    shutil.copytree(ROOT / "tests" / "reproducers" / "photo-jpeg-cmyk", folder)
    source = folder / "article.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "---\n", "---\ndate: 2026-12-01\n", 1), encoding="utf-8")
    with diagnostics():
        archive = build_pdf(folder, out_dir=tmp_path / "out", variant=VARIANTS["archive"])
    listing = subprocess.run(["pdfimages", "-list", str(archive)], check=True,
                             capture_output=True, text=True).stdout.splitlines()[2:]
    assert listing and {line.split()[5] for line in listing} == {"rgb"}


def test_a_grey_photo_with_its_own_profile_is_made_cmyk(tmp_path):
    source = tmp_path / "grey.jpg"
    profile = Path("/usr/share/color/icc/ghostscript/default_gray.icc").read_bytes()
    Image.new("L", (60, 40), 90).save(source, icc_profile=profile)
    data, _ = photos.press_photo(source, "cmyk", None, CMYK_INTENT.path)
    image = Image.open(io.BytesIO(data))
    assert image.mode == "CMYK"
    data, _ = photos.press_photo(source, "gray", None, CMYK_INTENT.path)
    assert Image.open(io.BytesIO(data)).mode == "L"
