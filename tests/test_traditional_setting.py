"""Traditional Chinese setting (zh-TW, zh-HK): stops centred in the em box, full width,
never compressed, never set half or hung at a line's end; brackets and quotes still
compressed in pairs; headlines broken between the phrases of BudouX's Traditional model;
and the typography check measuring Traditional pages by those rules.

The faces are cut here, with HarfBuzz's subsetter, from the Noto Serif CJK collection of
the Debian package the builds cut their faces from: its TC and HK faces draw the stops
centred, its SC face in the corner of the em box. The same TC face given a Simplified
language tag is set by the Simplified rules: the controls that show each test can fail.
The check's pages are set by the line setter, printed through the layouts' own line macro
by WeasyPrint and read back from the PDF.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import jinja2
import pytest
import uharfbuzz
import weasyprint
from fontTools.ttLib import TTFont
from weasyprint.text.fonts import FontConfiguration

from pressroom.checks.typecheck import (STOP_CENTRE_EM, TRADITIONAL_FIGURES, check_pdf,
                                        document_lang)
from pressroom.outputs.layouts import LAYOUTS_DIR
from pressroom.reading.manuscript import read_manuscript
from pressroom.settings import Settings
from pressroom.typesetting.breaking import TIGHT, set_lines
from pressroom.typesetting.headings import heading_lines, parser
from pressroom.typesetting.lines import CLOSING, OPENING, STOPS, Metrics, units

NOTO_SERIF = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
ARTICLES = Path(__file__).resolve().parent / "articles-traditional"

# Marks beside marks as Taiwan's papers print them: a quotation closed after its stop,
# a colon before a quote, a question before a closing quote, brackets meeting.
QUOTED = ("總統表示：「我們做到了。」他說，這是人民的選擇，也是民主的力量；「團結的民主」、"
          "「有效率的民主」（務實的民主）（國家發展計畫）都要落實。你問：「為什麼？」答案很清楚！")
HEADLINE = "臺北市政府公布全民防衛動員準備方案"
EXTRA = QUOTED + HEADLINE + "說」，好。「對」：「好」？！我，，他。」』」「『）（《》〈〉『』"


def traditional_paragraphs() -> list[str]:
    return [block.text for folder in sorted(ARTICLES.iterdir())
            for block in read_manuscript(folder).blocks if block.kind == "paragraph"]


def face_index(name: str) -> int:
    """The index of the face called ``name`` in the collection."""
    for index in range(8):
        with TTFont(NOTO_SERIF, fontNumber=index, lazy=True) as font:
            if font["name"].getDebugName(1) == name:
                return index
    raise LookupError(name)


def cut(name: str, chars: str, target: Path, postscript: str | None = None,
        drop: tuple[str, ...] = ()) -> Path:
    """The face ``name`` of the collection cut to ``chars``, every layout feature kept
    (halt, locl) but those in ``drop``; with ``postscript``, renamed so that the PDF names
    it so."""
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(NOTO_SERIF)), face_index(name))
    plan = uharfbuzz.SubsetInput()
    plan.unicode_set.update(map(ord, set(chars)))
    for tags in (plan.layout_feature_tag_set, plan.layout_script_tag_set):
        tags.clear()
        tags.invert()  # all of them
    for feature in drop:
        plan.layout_feature_tag_set.discard(int.from_bytes(feature.encode("ascii"), "big"))
    data = uharfbuzz.subset(face, plan).blob.data
    if postscript:
        font = TTFont(io.BytesIO(data))
        for record in font["name"].names:
            if record.nameID in (1, 4, 16):
                record.string = postscript.replace("-", " ")
            elif record.nameID == 6:
                record.string = postscript
        buffer = io.BytesIO()
        font.save(buffer)
        data = buffer.getvalue()
    target.write_bytes(data)
    return target


@pytest.fixture(scope="module")
def paragraphs():
    return traditional_paragraphs()


@pytest.fixture(scope="module")
def repertoire(paragraphs) -> str:
    return "".join(sorted(set("".join(paragraphs) + EXTRA)))


@pytest.fixture(scope="module")
def cuts(tmp_path_factory, repertoire) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("faces")
    return {variant: cut(f"Noto Serif CJK {variant}", repertoire, folder / f"{variant}.otf")
            for variant in ("TC", "HK", "SC")}


@pytest.fixture(scope="module")
def tc(cuts):
    return Metrics(cuts["TC"], "Pressroom Song", lang="zh-TW")


@pytest.fixture(scope="module")
def hk(cuts):
    return Metrics(cuts["HK"], "Pressroom Song", lang="zh-HK")


@pytest.fixture(scope="module")
def simplified_rules(cuts):
    """The TC face with a Simplified tag: the same glyphs, set by the Simplified rules."""
    return Metrics(cuts["TC"], "Pressroom Song", lang="zh-CN")


# -- the faces ---------------------------------------------------------------------

def ink(face: Metrics, char: str) -> tuple[float, float, float]:
    """A character's advance and its ink's centre across and above the baseline, in em,
    as HarfBuzz shapes it in ``face`` with the face's language."""
    buffer = uharfbuzz.Buffer()
    buffer.add_str(char)
    buffer.guess_segment_properties()
    buffer.language = face.lang
    uharfbuzz.shape(face.font, buffer, {})
    extents = face.font.get_glyph_extents(buffer.glyph_infos[0].codepoint)
    upem = face.upem
    return (buffer.glyph_positions[0].x_advance / upem,
            (extents.x_bearing + extents.width / 2) / upem,
            (extents.y_bearing + extents.height / 2) / upem)


def em_centre(path: Path) -> float:
    """The height of the ideographic em box's centre above the baseline, in em."""
    with TTFont(path, lazy=True) as font:
        upem = font["head"].unitsPerEm
        return (font["OS/2"].sTypoAscender + font["OS/2"].sTypoDescender) / 2 / upem


def test_the_traditional_faces_draw_their_stops_full_width_in_the_middle(cuts, tc, hk,
                                                                        simplified_rules):
    assert em_centre(cuts["TC"]) == pytest.approx(0.38)  # the em box: 0.88 up, 0.12 down
    for face, path in ((tc, cuts["TC"]), (hk, cuts["HK"])):
        for stop in STOPS:
            advance, across, up = ink(face, stop)
            assert advance == 1.0, stop
            assert abs(across - 0.5) <= STOP_CENTRE_EM and \
                abs(up - em_centre(path)) <= STOP_CENTRE_EM, (face.lang, stop, across, up)
        advance, across, up = ink(face, "。")
        assert (across, up) == pytest.approx((0.5, 0.38), abs=0.005)  # 360-641, 239-520
    # The same face shapes the same centred forms under any tag: it is the face that
    # decides, and the rules follow the tag.
    assert ink(simplified_rules, "。") == ink(tc, "。")
    sc = Metrics(cuts["SC"], "Pressroom Song", lang="zh-CN")
    advance, across, up = ink(sc, "。")
    assert advance == 1.0 and across < 0.2 and up < 0.1  # the SC form, in the corner


# -- units: what each mark takes ---------------------------------------------------

def widths(text: str, face: Metrics, kaiming: bool = False) -> list[tuple[str, float, str]]:
    return [(unit.text, round(unit.width, 3), unit.squeeze) for unit in units(text, face, kaiming)
            if unit.kind in ("open", "close", "stop")]


def test_stops_keep_their_em_beside_other_marks(tc, simplified_rules):
    text = "說」，好。「對」：「好」？！我，，他。」"
    marks = units(text, tc)
    for unit in marks:
        if unit.kind == "stop":
            assert unit.width == 1.0 and not unit.squeeze and not unit.compressible, unit
    assert widths(text, tc) == [
        ("」", 0.5, "right"), ("，", 1.0, ""),  # 」， : the quote gives its half
        ("。", 1.0, ""), ("「", 0.5, "left"),  # 。「 : the quote's blank faces the stop
        ("」", 0.5, "right"), ("：", 1.0, ""), ("「", 0.5, "left"),  # 」：「
        ("」", 0.5, "right"), ("？", 1.0, ""), ("！", 1.0, ""),  # ？！ : 2 em
        ("，", 1.0, ""), ("，", 1.0, ""),
        ("。", 1.0, ""), ("」", 1.0, ""),  # 。」 : no blank half meets the other mark
    ]
    # By the Simplified rules the stops give their halves.
    squeezed = [mark for mark, _, squeeze in widths(text, simplified_rules)
                if squeeze and mark in STOPS]
    assert squeezed == ["。", "：", "？", "，", "。"]


@pytest.mark.parametrize("pair", ["」「", "）（", "」（", "』」", "「『", "）、", "」。", "》，"])
def test_brackets_and_quotes_still_compress_in_pairs(tc, simplified_rules, pair):
    # A bracket's blank half goes as in Simplified text; a stop beside it stays whole.
    text = f"說{pair}好"
    set_here = widths(text, tc)
    assert sum(width for _, width, _ in set_here) == pytest.approx(1.5), set_here
    assert all(width == 1.0 for mark, width, _ in set_here if mark in STOPS), set_here
    if not set(pair) & STOPS:
        assert set_here == widths(text, simplified_rules)


def test_kaiming_halves_no_centred_stop(tc, simplified_rules):
    text = "第一，二、三；四：五。"
    assert all(width == 1.0 for _, width, _ in widths(text, tc, kaiming=True))
    halved = {mark for mark, width, _ in widths(text, simplified_rules, kaiming=True)
              if width == 0.5}
    assert halved == set("，、；：")


# -- paragraphs --------------------------------------------------------------------

def stop_segments(line):
    return [segment for segment in line.segments if set(segment.text) & STOPS]


def compressed_stops(line, size: float) -> int:
    """Stops printed narrower than an em: in a segment drawn with halt or whose spacing
    takes more than the line's tightening from each character (a halved or shrunk mark)."""
    return sum(sum(char in STOPS for char in segment.text) for segment in stop_segments(line)
               if segment.halt or segment.letter_spacing < -TIGHT * size - 1e-6
               or segment.margin_left < -1e-6)


def hung(line) -> bool:
    return line.width > line.measure + 1e-6


@pytest.mark.parametrize("chars", [10, 11, 12, 13])
@pytest.mark.parametrize("kaiming", [False, True])
def test_traditional_paragraphs_keep_every_stop_whole_and_inside(tc, paragraphs, chars, kaiming):
    size = 9.0
    for text in paragraphs + [QUOTED]:
        lines = set_lines(text, tc, size, size * chars, 2 * size, kaiming=kaiming, hang=True)
        joined = "".join(line.text[:-1] if line.text.endswith("-") else line.text
                         for line in lines)  # a Latin word hyphenated
        assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", text)
        for line in lines:
            assert line.text[0] not in CLOSING | STOPS and line.text[-1] not in OPENING, line.text
            assert not hung(line), line.text
            if line.justified:
                assert line.width == pytest.approx(line.measure), line.text
            assert compressed_stops(line, size) == 0, (line.text, line.segments)


def test_the_same_paragraphs_by_the_simplified_rules_halve_and_hang_stops(simplified_rules,
                                                                          paragraphs):
    # The control: the checks above see what the Simplified rules do with these stops.
    lines = [line for text in paragraphs
             for line in set_lines(text, simplified_rules, 9.0, 99.0, 18.0, kaiming=True,
                                   hang=True)]
    assert sum(map(hung, lines)) > 10
    assert sum(compressed_stops(line, 9.0) for line in lines) > 100


def test_a_line_end_stop_is_never_hung_in_traditional_text(tc, simplified_rules):
    text = "在生態環境改善方面，博山區將推進企業治污設施升級改造，落實河長制。"
    [first, *_] = set_lines(text, simplified_rules, 9.0, 99.0, 18.0, hang=True)
    assert first.text == "在生態環境改善方面，" and hung(first)
    lines = set_lines(text, tc, 9.0, 99.0, 18.0, hang=True)
    assert lines[0].text == "在生態環境改善方" and not any(map(hung, lines))
    assert lines == set_lines(text, tc, 9.0, 99.0, 18.0, hang=False)


def test_hong_kong_faces_are_set_by_the_same_rules(hk, paragraphs):
    for text in paragraphs[:10]:
        for line in set_lines(text, hk, 9.0, 99.0, 18.0, kaiming=True, hang=True):
            assert not hung(line) and compressed_stops(line, 9.0) == 0, line.text


# -- headlines ---------------------------------------------------------------------

@pytest.mark.parametrize("width", [6, 7, 8])
def test_traditional_headlines_break_between_traditional_phrases(tc, simplified_rules, width):
    phrases = parser(tc).parse(HEADLINE)
    assert phrases == ["臺北市", "政府", "公布", "全民防衛動員", "準備", "方案"]
    joints = {len("".join(phrases[:count])) for count in range(1, len(phrases))}

    def breaks(lines) -> set[int]:
        return {len("".join(lines[:count])) for count in range(1, len(lines))}

    lines = heading_lines((HEADLINE,), tc, 10.0, 10.0 * width)
    assert "".join(lines) == HEADLINE and len(lines) > 1
    assert breaks(lines) <= joints, lines
    # The Simplified model cuts 全民防衛 and 防衛動員 apart.
    simplified = heading_lines((HEADLINE,), simplified_rules, 10.0, 10.0 * width)
    assert not breaks(simplified) <= joints, simplified


# -- the typography check on Traditional pages ---------------------------------------

PT_PER_MM = 72 / 25.4
SETTINGS = Settings(page_width=100, page_height=200, margin_top=10, margin_bottom=10,
                    masthead_height=20, columns=2, column_chars=10, gap_chars=2,
                    body_size=10, figure_columns=2, note_size=11, caption_size=10,
                    byline_size=9)
SIZE = SETTINGS.body_size
PITCH = 15.0
COLUMN = SETTINGS.column_chars * SIZE
GAP = SETTINGS.gap_chars * SIZE
LEFT = (SETTINGS.page_width * PT_PER_MM - 2 * COLUMN - GAP) / 2
BODY_TOP = 130.0
ROWS = 24


@pytest.fixture(scope="module")
def printed(tmp_path_factory, repertoire) -> dict[str, Path]:
    """The faces as a page embeds them: named Pressroom-Song, as the check reads the body.
    The SC face without its ``locl`` forms (Pango shapes a zh-TW page's marks with the
    face's Traditional forms, which the SC face has too): its stops in the corner of the
    em box whatever the language, as a face without Traditional forms prints them."""
    folder = tmp_path_factory.mktemp("printed")
    return {"TC": cut("Noto Serif CJK TC", repertoire, folder / "song-TC.otf", "Pressroom-Song"),
            "SC": cut("Noto Serif CJK SC", repertoire, folder / "song-SC.otf", "Pressroom-Song",
                      drop=("locl",))}


def column_lines(face: Metrics, texts: list[str]) -> list:
    """Paragraphs set into the page's 10-character columns, as many lines as fill two of
    them evenly (a paragraph cut off where they are full)."""
    lines = []
    for text in texts:
        lines += set_lines(text, face, SIZE, COLUMN, 2 * SIZE, kaiming=True, hang=True)
    lines = lines[:2 * ROWS]
    return lines[:len(lines) - len(lines) % 2]


def render(target: Path, lines, font: Path, lang: str) -> Path:
    """The lines printed in two columns, each line through the layouts' ``set_line``
    macro, every line at its row and indent."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(LAYOUTS_DIR)),
                                     autoescape=True)
    macro = environment.from_string(
        '{% from "partials/macros.html.j2" import set_line %}{{ set_line(line) }}')
    half = len(lines) // 2
    parts = []
    for number, line in enumerate(lines):
        column, row = divmod(number, half)
        left = LEFT + column * (COLUMN + GAP) + line.indent
        parts.append(f'<p style="left:{left:.3f}pt;top:{BODY_TOP + row * PITCH:.3f}pt">'
                     f"{macro.render(line=line)}</p>")
    width, height = SETTINGS.page_width * PT_PER_MM, SETTINGS.page_height * PT_PER_MM
    page = f"""<html lang="{lang}"><head><style>
@font-face {{ font-family: "Pressroom Song"; src: url("{font.as_uri()}") }}
@page {{ size: {width}pt {height}pt; margin: 0 }}
body {{ margin: 0 }}
p {{ position: absolute; margin: 0; white-space: nowrap; font-family: "Pressroom Song";
     font-size: {SIZE}pt; line-height: {PITCH}pt }}
.halt {{ font-feature-settings: "halt" }}
</style></head><body>{"".join(parts)}</body></html>"""
    weasyprint.HTML(string=page).write_pdf(target, font_config=FontConfiguration())
    return target


def page_texts(paragraphs) -> list[str]:
    # Paragraphs without Latin runs (their widths come from Pango in a build), the
    # quotation first: 。」 ：「 ？」 」、「 and their like.
    return [QUOTED] + [text for text in paragraphs if not any(char.isascii() for char in text)]


@pytest.fixture(scope="module")
def traditional_page(tmp_path_factory, tc, printed, paragraphs):
    lines = column_lines(tc, page_texts(paragraphs))
    return lines, render(tmp_path_factory.mktemp("pages") / "tc.pdf", lines, printed["TC"],
                         "zh-TW")


def test_a_traditional_page_set_by_its_rules_passes(traditional_page):
    lines, pdf = traditional_page
    assert document_lang(pdf) == "zh-TW"
    report = check_pdf(pdf, SETTINGS)
    assert report.centred_stops and report.body_lines == len(lines), str(report)
    stops = sum(char in STOPS for line in lines for char in line.text)
    assert report.stops_measured == stops > 40, str(report)
    assert report.max_stop_offset_em <= STOP_CENTRE_EM, str(report)
    assert report.failures() == [], str(report)
    for name in TRADITIONAL_FIGURES - {"centred_stops"}:
        assert name in str(report) and name in report.summary()
    # 。」 keeps its 2 em: by the Simplified rules that pair is a fault.
    assert "。」" in "".join(line.text for line in lines)
    simplified = check_pdf(pdf, SETTINGS, lang="zh-CN")
    assert simplified.uncompressed_pairs >= 1 and not simplified.centred_stops, str(simplified)


def test_stops_set_half_compressed_or_hung_fail_on_a_traditional_page(tmp_path, printed,
                                                                      simplified_rules,
                                                                      paragraphs):
    # The Simplified rules' setting of the same text, printed in the TC face on a zh-TW
    # page: each stop they compressed, halved at a line's end or hung is seen. (Not the
    # quotation: its ？」 would have the ？ squeezed with halt, which the TC face's ？ lacks.)
    lines = column_lines(simplified_rules, page_texts(paragraphs)[1:])
    hung_lines = sum(map(hung, lines))
    compressed = sum(compressed_stops(line, SIZE) for line in lines)
    assert hung_lines and compressed
    pdf = render(tmp_path / "page.pdf", lines, printed["TC"], "zh-TW")
    report = check_pdf(pdf, SETTINGS)
    assert report.hung_stops == hung_lines, str(report)
    assert report.compressed_stops == compressed, str(report)
    assert {"hung_stops", "compressed_stops"} <= {f.split(":")[0] for f in report.failures()}
    assert report.off_centre_stops == 0 and report.lines_not_flush == 0, str(report)
    # The same page read as Simplified text passes as it always has.
    simplified = check_pdf(pdf, SETTINGS, lang="zh-CN")
    assert simplified.failures() == [], str(simplified)
    assert not any(name in str(simplified) or name in simplified.summary()
                   for name in TRADITIONAL_FIGURES)


def test_stops_in_the_corner_of_the_em_fail_on_a_traditional_page(tmp_path, tc, printed,
                                                                  paragraphs):
    # Set by the Traditional rules, printed in the SC face: every stop sits in its em
    # box's lower left corner (。，、) or left half (；：？！).
    lines = column_lines(tc, page_texts(paragraphs))
    report = check_pdf(render(tmp_path / "page.pdf", lines, printed["SC"], "zh-TW"), SETTINGS)
    assert report.off_centre_stops == report.stops_measured > 40, str(report)
    assert report.max_stop_offset_em > 0.25, str(report)
    assert report.compressed_stops == report.hung_stops == 0, str(report)
    assert [f.split(":")[0] for f in report.failures()] == ["off_centre_stops"], str(report)
