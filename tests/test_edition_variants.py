"""An edition written for the plate, read back from its files: every page PDF declares
PDF/X-4 with its output intent, the mono page (黑白版) carries no cyan, magenta or yellow
at all, photos and advertisements are CMYK on a colour page and grey on a mono one, the
masthead's name is the front page's only process colour outside the photos; the press
files stand beside the screen ones without touching them; a page plan says which variant
it is built in; stand-ins, and supplied artwork in inks the plate has not, are refused.

The example edition (``manuscript/editions/example.yaml``) is built once, in a copy of
its tree whose plan says ``variant: press``, through the runner as ``invoke build
--edition ... --proof-only`` runs it (the example carries stand-ins: a press build refuses
them but for a proof).
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader, PdfWriter

from conftest import ROOT
from pressroom import runner
from pressroom.build import build_edition_pdf, edition_variant
from pressroom.checks.edition import check_files, check_page_variant, check_whole, \
    check_whole_variant, masthead_boxes, read_edition
from pressroom.errors import BuildError, ErrorGroup, ManuscriptError, diagnostics
from pressroom.outputs.edition import artwork_inks
from pressroom.outputs.roots import Roots
from pressroom.outputs.stamp import artwork_page
from pressroom.reading.plan import read_plan
from pressroom.variants import CMYK_INTENT, SCREEN, VARIANTS

EDITIONS = ROOT / "manuscript" / "editions"
EXAMPLE = EDITIONS / "example.yaml"
PAGES = ("20261201-A01.pdf", "20261201-A02.pdf", "20261201-A03.pdf")
MONO = 1  # 第2版, 黑白版
PRESS = VARIANTS["press"]
PROOF = PRESS.as_proof()  # the example carries stand-ins: it is built as a proof
ARTICLES = ROOT / "tests" / "articles"


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """The example edition's tree copied, its plan saying ``variant: press``."""
    root = tmp_path_factory.mktemp("press") / "manuscript"
    shutil.copytree(EDITIONS / "example", root / "editions" / "example")
    shutil.copytree(ROOT / "manuscript" / "boshan-report", root / "boshan-report")
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "\npublication: 样报\n" in text
    (root / "editions" / "example.yaml").write_text(
        text.replace("\npublication: 样报\n", "\npublication: 样报\nvariant: press\n"),
        encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tree) -> tuple[Path, runner.Outcome, dict[Path, bytes]]:
    """The press edition built once into a folder already holding a screen build's files:
    the folder, the runner's outcome, and those screen files' bytes."""
    out = tree.parent / "out"
    screen = {out / "example" / name: f"the screen page {name}".encode() for name in PAGES}
    screen[out / "example.pdf"] = b"the screen edition"
    for path, data in screen.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    messages = []
    outcome = runner.run("build", tree / "editions" / "example.yaml", out, edition=True,
                         emit=messages.append, inform=lambda note: None, proof_only=True)
    assert outcome.ok, outcome.error
    assert any(getattr(message, "code", None) == "PR507" for message in messages)
    return out, outcome, screen


@pytest.fixture(scope="module")
def out(built) -> Path:
    return built[0]


def page_pdf(out: Path, index: int) -> Path:
    return out / "example-press-proof" / PAGES[index]


def every_pdf(out: Path) -> list[Path]:
    return [page_pdf(out, index) for index in range(len(PAGES))] + [out / "example-press-proof.pdf"]


def ink_coverage(path: Path) -> list[tuple[float, float, float, float]]:
    """Ghostscript's reading of each page: the share of it each ink covers (C, M, Y, K)."""
    printed = subprocess.run(["gs", "-q", "-o", "-", "-sDEVICE=inkcov", str(path)],
                             check=True, capture_output=True, text=True).stdout
    return [tuple(float(value) for value in line.split()[:4])
            for line in printed.splitlines() if line.rstrip().endswith("OK")]


def image_colours(path: Path) -> list[str]:
    """The colour of every image the PDF draws, as poppler lists it."""
    listing = subprocess.run(["pdfimages", "-list", str(path)], check=True,
                             capture_output=True, text=True).stdout.splitlines()[2:]
    return [line.split()[5] for line in listing if line.strip()]


def colours_set(path: Path) -> list[tuple[bytes, tuple[str, ...]]]:
    """Every colour operator of the page and of what it draws (the advertisements' forms)."""
    reader = PdfReader(path)
    found = []

    def walk(operations, resources):
        for operands, operator in operations:
            if operator in (b"rg", b"RG", b"k", b"K", b"g", b"G", b"sc", b"scn", b"SC",
                            b"SCN", b"cs", b"CS"):
                found.append((operator, tuple(str(value) for value in operands)))
            elif operator == b"Do":
                xobject = resources["/XObject"][operands[0]].get_object()
                if xobject["/Subtype"] == "/Form":
                    from pypdf.generic import ContentStream
                    walk(ContentStream(xobject, reader).operations,
                         xobject["/Resources"].get_object())

    page = reader.pages[0]
    walk(page.get_contents().operations, page["/Resources"].get_object())
    return found


# -- the press files ----------------------------------------------------------------------

def test_the_plans_variant_gives_the_press_files_beside_the_screen_ones(built):
    out, outcome, screen = built
    assert sorted(path.relative_to(out).as_posix() for path in outcome.outputs) == sorted(
        [f"example-press-proof/{name}" for name in PAGES]
        + ["example-press-proof.pdf", "example.epub"])
    for path, data in screen.items():
        assert path.read_bytes() == data, f"the press build touched {path.name}"
    assert outcome.pages == 3
    # The manifest records what the build wrote: a second run is up to date, listing them.
    again = runner.run("build", outcome.target, out, edition=True, proof_only=True)
    assert again.fresh and again.outputs == outcome.outputs


def test_every_page_pdf_declares_pdf_x4_with_the_output_intent(out):
    for path in every_pdf(out):
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        (intent,) = [item.get_object() for item in root["/OutputIntents"]]
        assert intent["/S"] == "/GTS_PDFX", path.name
        assert intent["/OutputConditionIdentifier"] == CMYK_INTENT.identifier
        profile = intent["/DestOutputProfile"].get_object()
        assert hashlib.sha256(profile.get_data()).hexdigest() == CMYK_INTENT.sha256
        metadata = root["/Metadata"].get_object().get_data().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in metadata
        assert "<xmp:CreateDate>2026-12-01T00:00:00+08:00</xmp:CreateDate>" in metadata
    assert len(PdfReader(out / "example-press-proof.pdf").pages) == 3


def test_the_mono_page_carries_no_cyan_magenta_or_yellow(out):
    pages = [ink_coverage(page_pdf(out, index))[0] for index in range(len(PAGES))]
    cyan, magenta, yellow, black = pages[MONO]
    assert (cyan, magenta, yellow) == (0, 0, 0) and black > 0.05, pages[MONO]
    for index, (cyan, magenta, yellow, black) in enumerate(pages):
        if index != MONO:
            assert min(cyan, magenta, yellow) > 0, (index, pages[index])  # its photos
    # The edition's PDF prints each page as the page's own file does.
    whole = ink_coverage(out / "example-press-proof.pdf")
    assert whole[MONO][:3] == (0, 0, 0)


def test_photos_and_ads_are_cmyk_on_colour_pages_and_grey_on_the_mono_page(out):
    colours = [image_colours(page_pdf(out, index)) for index in range(len(PAGES))]
    assert colours == [["cmyk"], ["gray"], ["cmyk"] * 4]  # 第2版's one image: its ad
    assert image_colours(out / "example-press-proof.pdf") == ["cmyk", "gray", *["cmyk"] * 4]


def test_text_and_rules_are_black_and_the_masthead_name_process_red(out):
    black = (b"scn", ("0", "0", "0", "1"))
    for index in range(len(PAGES)):
        found = colours_set(page_pdf(out, index))
        assert not [item for item in found if item[0] in (b"rg", b"RG")]
        chosen = [item for item in found if item[0] not in (b"cs", b"CS")]
        red = [item for item in chosen if item[1] == ("0", "1", "1", "0")]
        assert len(red) == (1 if index == 0 else 0), index  # the name, on the front only
        assert set(chosen) - {black, *red} == set(), index


def test_the_masthead_names_box_holds_the_front_pages_red(out, tree):
    """The box the press checks allow process colour in: the name's, and not the date's."""
    edition = read_edition(tree / "editions" / "example.yaml", out, PROOF)
    assert edition.variant.name == "press"  # the plan's
    front = edition.sheets[0]
    ((left, bottom, right, top),) = masthead_boxes(front)
    name = [glyph for block in front.furniture for glyph in block.glyphs
            if glyph.char in "样报" and glyph.size > 30]
    assert len(name) == 2
    for glyph in name:
        assert left < glyph.ink[0] and glyph.ink[2] < right
        assert bottom < front.height - glyph.ink[3] and front.height - glyph.ink[1] < top
    dates = [glyph for block in front.furniture for glyph in block.glyphs if glyph.char == "星"]
    assert dates and all(front.height - glyph.ink[1] < bottom for glyph in dates)


def test_the_edition_checks_read_the_variants_files(out, tree):
    edition = read_edition(tree / "editions" / "example.yaml", out, PROOF)
    files = check_files(edition)
    assert files.passed and "example-press-proof.pdf, example.epub" in files.figure, files
    assert check_whole(edition).passed
    screen = read_edition(tree / "editions" / "example.yaml", out, SCREEN)
    assert screen.page_path(0) == out / "example" / PAGES[0]
    assert not check_whole(screen).passed  # the stand-in bytes of the fixture


# What the edition's variant decides: its declarations, its date, and every ink of its pages
# (the mono page's none but black, the front page's red only in the masthead name's box).
EDITION_CHECKS = ("identification", "intent", "boxes", "fonts", "glyphs", "colour", "black",
                  "inkcov", "separations", "images", "dated")


def test_the_press_checks_pass_on_every_page(out, tree):
    edition = read_edition(tree / "editions" / "example.yaml", out, PROOF)
    results = {result.check: result for sheet in edition.sheets
               for result in check_page_variant(edition, sheet)}
    wanted = [f"edition.p{number}.press.{name}" for number in (1, 2, 3)
              for name in EDITION_CHECKS]
    assert set(wanted) <= set(results), sorted(results)
    failed = [str(results[name]) for name in wanted if not results[name].passed]
    assert not failed, "\n".join(failed)


def test_the_press_checks_pass_on_the_edition_pdf_too(out, tree):
    edition = read_edition(tree / "editions" / "example.yaml", out, PROOF)
    results = {result.check: result for result in check_whole_variant(edition)}
    wanted = [f"edition.whole.press.{name}" for name in EDITION_CHECKS]
    assert set(wanted) <= set(results), sorted(results)
    failed = [str(results[name]) for name in wanted if not results[name].passed]
    assert not failed, "\n".join(failed)
    assert "p2 (mono) C 0.0% M 0.0% Y 0.0%" in results["edition.whole.press.inkcov"].figure


def test_the_edition_pdfs_mono_page_is_held_to_black(out, tree, tmp_path):
    """The edition's PDF with the colour front page where the mono page belongs: its
    checks find cyan, magenta and yellow on a page the plan prints in black alone."""
    edition = read_edition(tree / "editions" / "example.yaml", out, PROOF)
    pages = PdfReader(edition.whole_path).pages
    writer = PdfWriter()
    for page in (pages[0], pages[0], pages[2]):
        writer.add_page(page)
    tampered = dataclasses.replace(edition, out_dir=tmp_path)
    with tampered.whole_path.open("wb") as file:
        writer.write(file)
    results = {result.check: result for result in check_whole_variant(tampered)}
    inkcov = results["edition.whole.press.inkcov"]
    assert not inkcov.passed and "page 2 is mono" in inkcov.problem, inkcov
    assert not results["edition.whole.press.separations"].passed


def test_a_damaged_edition_pdf_is_one_failure_of_its_press_checks(out, tree, tmp_path):
    edition = dataclasses.replace(read_edition(tree / "editions" / "example.yaml", out, PROOF),
                                  out_dir=tmp_path)
    edition.whole_path.write_bytes(b"")
    (result,) = check_whole_variant(edition)
    assert result.check == "edition.whole.press.read" and not result.passed, result
    assert result.figure == "not read"


# -- what a press build refuses -------------------------------------------------------------

def test_a_press_build_refuses_the_examples_stand_ins_naming_each(tmp_path):
    with diagnostics(), pytest.raises(ManuscriptError) as raised:
        build_edition_pdf(EXAMPLE, tmp_path, variant=PRESS)
    message = str(raised.value)
    assert raised.value.code == "PR170"
    for name in ("ad-standin.png", "opening-ceremony.jpg", "photo-1.jpg", "photo-4.jpg"):
        assert name in message
    assert "6 stand-ins" in message and "--proof-only" in message
    assert not (tmp_path / "example-press").exists()
    assert not (tmp_path / "example-press.pdf").exists()


def write_artwork(path: Path, ink: str, svg: bool = False) -> Path:
    """An advertisement of 80 x 40 mm filled with ``ink`` (a CSS colour), as a PDF drawn by
    WeasyPrint or as an SVG."""
    if svg:
        path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="80mm" height="40mm">'
                        f'<rect width="100%" height="100%" fill="{ink}"/></svg>',
                        encoding="utf-8")
    else:
        path.write_bytes(weasyprint.HTML(string=(
            f"<style>@page {{ size: 80mm 40mm; margin: 0 }} body {{ margin: 0 }} div "
            f"{{ width: 80mm; height: 40mm; background: {ink} }}</style><div></div>"
        )).write_pdf())
    return path


def test_a_press_edition_reads_its_inks_back_before_it_is_written(tmp_path):
    """A front page in colour with its masthead, a bleed, a mono page: made for the plate,
    the masthead's red allowed in its box; then the plan's own print.css setting text in
    RGB, as a stylesheet written before the inks were variables: refused (PR431) at that
    stylesheet, nothing written."""
    for name in ("prc-mohrss-notice-monthly-working-days", "prc-working-hours-provisions-1995"):
        shutil.copytree(ARTICLES / name, tmp_path / "stories" / name,
                        ignore=shutil.ignore_patterns("approved-proof*"))
    plan = tmp_path / "plans" / "inks.yaml"
    plan.parent.mkdir()
    plan.write_text(textwrap.dedent("""\
        publication: 测试日报
        date: 2026-11-30
        masthead: {}
        layout: {bleed: 3}
        pages:
          - page: 第1版
            section: 要闻
            colour: 彩版
            masthead: true
            stories:
              - ../stories/prc-mohrss-notice-monthly-working-days
          - page: 第2版
            section: 综合
            colour: 黑白版
            stories:
              - ../stories/prc-working-hours-provisions-1995
        """), encoding="utf-8")
    with diagnostics():
        written = build_edition_pdf(plan, tmp_path / "out", variant=PRESS)
    assert len(written) == 3 and all(path.is_file() for path in written)
    own = plan.parent / "layouts" / "css" / "print.css"
    own.parent.mkdir(parents=True)
    shared = (ROOT / "layouts" / "css" / "print.css").read_text(encoding="utf-8")
    own.write_text(shared.replace("  color: var(--ink);", "  color: #000;", 1), encoding="utf-8")
    with diagnostics(), pytest.raises(BuildError) as caught:
        build_edition_pdf(plan, tmp_path / "refused", variant=PRESS)
    assert caught.value.code == "PR431" and "RGB" in caught.value.message
    assert caught.value.where.path == own
    assert not (tmp_path / "refused").exists() or not any((tmp_path / "refused").rglob("*.pdf"))
    # The masthead's red is the name's alone: its date lines in it are refused too.
    own.write_text(shared + "\n.front-info { color: var(--masthead-ink); }\n", encoding="utf-8")
    with diagnostics(), pytest.raises(BuildError) as caught:
        build_edition_pdf(plan, tmp_path / "red-dates", variant=PRESS)
    assert caught.value.code == "PR431" and "not on K only" in caught.value.message


def test_a_press_build_refuses_artwork_in_inks_its_page_has_not(tmp_path):
    for name in ("prc-mohrss-notice-monthly-working-days", "prc-working-hours-provisions-1995"):
        shutil.copytree(ARTICLES / name, tmp_path / "stories" / name,
                        ignore=shutil.ignore_patterns("approved-proof*"))
    (tmp_path / "ads").mkdir()
    write_artwork(tmp_path / "ads" / "rgb.pdf", "#c00000")
    write_artwork(tmp_path / "ads" / "cmyk.pdf", "device-cmyk(0 0.5 1 0)")
    plan = tmp_path / "plans" / "ads.yaml"
    plan.parent.mkdir()
    plan.write_text(textwrap.dedent("""\
        publication: 测试日报
        date: 2026-11-30
        pages:
          - page: 第1版
            section: 要闻
            stories:
              - ../stories/prc-mohrss-notice-monthly-working-days
            ads:
              - artwork: ../ads/rgb.pdf
                column: 0
                row: foot
          - page: 第2版
            section: 综合
            colour: 黑白版
            stories:
              - ../stories/prc-working-hours-provisions-1995
            ads:
              - artwork: ../ads/cmyk.pdf
                column: 0
                row: foot
        """), encoding="utf-8")
    with diagnostics(), pytest.raises(ErrorGroup) as raised:
        build_edition_pdf(plan, tmp_path / "out", variant=PRESS)
    rgb, cmyk = raised.value.errors
    assert rgb.code == cmyk.code == "PR158"
    assert "'rgb.pdf' on 第1版 is drawn in RGB" in str(rgb) and "ads.yaml:9:" in str(rgb)
    assert "'cmyk.pdf' on 第2版 is in colour" in str(cmyk) and "黑白版" in str(cmyk)
    assert not (tmp_path / "out" / "ads-press").exists()


def test_the_inks_of_artwork_are_read_from_the_page_it_is_placed_from(tmp_path):
    roots = Roots.of({"ads": tmp_path})
    inks = {name: artwork_inks(artwork_page(write_artwork(tmp_path / name, ink, svg), roots))
            for name, ink, svg in (
                ("rgb.svg", "#c00000", True), ("red.svg", "device-cmyk(0 1 1 0)", True),
                ("black.svg", "device-cmyk(0 0 0 1)", True),
                ("rgb.pdf", "#c00000", False), ("grey.pdf", "device-cmyk(0 0 0 0.4)", False))}
    assert inks == {"rgb.svg": {"other"}, "red.svg": {"process"}, "black.svg": set(),
                    "rgb.pdf": {"other"}, "grey.pdf": set()}


# -- the plan's variant -------------------------------------------------------------------

def minimal_plan(folder: Path, extra: str) -> Path:
    path = folder / "editions" / "plan.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(f"publication: 测试日报\n{extra}pages:\n  - page: 第1版\n    section: 要闻\n",
                    encoding="utf-8")
    return path


def test_a_plan_says_its_variant_and_the_builds_variant_wins(tmp_path):
    plan = read_plan(minimal_plan(tmp_path, "variant: press-x1a\n"))
    assert plan.variant == "press-x1a"
    assert edition_variant(plan) == VARIANTS["press-x1a"]
    assert edition_variant(plan, SCREEN) == SCREEN  # --variant screen
    assert read_plan(minimal_plan(tmp_path / "plain", "")).variant == "screen"


def test_an_unknown_variant_in_the_plan_is_pr152_with_a_suggestion(tmp_path):
    with pytest.raises(ManuscriptError) as raised:
        read_plan(minimal_plan(tmp_path, "date: 2026-12-01\nvariant: pres\n"))
    assert raised.value.code == "PR152"
    message = str(raised.value)
    assert re.search(r"plan\.yaml:3:\d+: error PR152: plan key 'variant' 'pres' is not a "
                     r"variant", message), message
    assert "did you mean 'press'?" in message
