"""The typography check, on the default page and on small pages set badly on purpose.

The small pages are written here by hand and rendered with WeasyPrint and the vendored
faces, on a grid the settings below describe: two columns of ten 10 pt characters with a
two-character gap, a boxed editor's note, a caption across both columns and a byline.
The well-set page passes every check; each tampered page breaks one rule and must fail
on that rule alone. (Overlaps: tests/test_overlaps.py.)
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from conftest import DEFAULT
from pressroom import build
from pressroom.fonts import FACES, FONTS_DIR
from pressroom.outputs.layouts import LAYOUTS_DIR
from pressroom.reading.manuscript import read_manuscript
from pressroom.settings import Settings
from pressroom.checks.typecheck import Report, check_pdf
from pressroom.typesetting.compose import compose


def failing(report: Report) -> set[str]:
    """Every figure over its limit: the faults and the colour warnings."""
    return {failure.split(":")[0] for failure in report.failures() + report.colour_faults()}


# -- the default page -------------------------------------------------------------

@pytest.fixture(scope="module")
def default_report(tmp_path_factory) -> Report:
    pdf = build.build_pdf(DEFAULT, tmp_path_factory.mktemp("build"))
    return check_pdf(pdf, read_manuscript(DEFAULT).printing.settings)


def test_default_page_has_its_lines_found(default_report):
    report = default_report
    assert report.body_lines > 200, str(report)
    assert report.note_lines >= 2, str(report)
    assert report.caption_lines >= 1, str(report)
    assert report.lines_checked == report.body_lines + report.note_lines + report.caption_lines
    # Every body line but a paragraph's last is justified and measured for its spacing.
    assert 150 < report.justified_lines < report.body_lines, str(report)
    assert report.mark_pairs > 0 and report.han_latin_gaps > 0, str(report)
    assert report.characters > 2000, str(report)
    assert report.pitch_pt > 0, str(report)


@pytest.mark.parametrize("figure", [
    "lines_not_flush", "prohibited_starts", "prohibited_ends", "spaces_at_line_ends",
    "lone_characters", "uncompressed_pairs", "han_latin_gaps_out_of_range",
    "uneven_lines", "overlaps",
])
def test_default_page_has_no_fault(default_report, figure):
    assert getattr(default_report, figure) == 0, str(default_report)


def test_default_page_colour_is_near_its_limits(default_report):
    # The breaker leaves a loose line only where the text gives it no other setting: on
    # the default page the line before “1+N”, the line above （以下简称《报告》）。 (else a
    # lone 告》）。), and 转化为产业优势？2020 (its ？ is not compressed).
    report = default_report
    assert report.loose_lines <= 3 and report.max_spacing_em <= 0.26, str(report)
    assert report.lines_over_005_percent <= 2.0, str(report)


def test_default_page_lines_end_on_their_measure(default_report):
    assert default_report.worst_deviation_pt <= 0.5, str(default_report)


def test_default_page_keeps_to_the_baseline_grid(default_report):
    assert default_report.baseline_misalignment_pt <= 0.5, str(default_report)
    assert default_report.byline_misalignment_pt <= 0.5, str(default_report)


def test_default_page_columns_end_level(default_report):
    assert default_report.column_end_spread <= 1, str(default_report)


def test_default_page_fails_nothing(default_report):
    assert default_report.failures() == [], str(default_report)


def set_lines_of(folder: Path) -> dict[str, list[str]]:
    """The note's and the captions' lines as the composer set them, spaces left out."""
    article = read_manuscript(folder)
    found: dict[str, list[str]] = {"note": [], "caption": []}

    def text(line) -> str:
        return "".join("".join(segment.text for segment in line.segments).split())

    for page in compose(article, article.printing).pages:
        if page.note:
            found["note"] += [text(line) for column in page.note.columns
                              for piece in column.pieces for line in piece.lines]
        for block in page.blocks:
            if block.kind == "figure":
                found["caption"] += [text(line) for line in block.caption_lines]
    return found


def test_caption_run_into_one_line_of_more_than_40_characters_is_seen(tmp_path):
    # The composer sets a caption in lines of at most 40 characters; a stylesheet that
    # drops its line breaks prints the whole caption, 63 characters, on one line (at 6 pt,
    # the least a caption may be set, so that it stays on the sheet).
    folder = tmp_path / "boshan-report"
    shutil.copytree(DEFAULT, folder)
    path = folder / "article.md"
    caption = "博山区第十八届人民代表大会第五次会议隆重开幕。"
    longer = caption + "会议听取审议了博山区人民政府工作报告和国民经济和社会发展第十四个五年规划纲要。"
    text = path.read_text(encoding="utf-8")
    assert caption in text and "lang: zh-CN\n" in text
    path.write_text(text.replace(caption, longer).replace(
        "lang: zh-CN\n", "lang: zh-CN\nlayout:\n  caption_size: 6\n"), encoding="utf-8")
    (folder / "layouts" / "css").mkdir(parents=True)
    css = (LAYOUTS_DIR / "css" / "print.css").read_text(encoding="utf-8")
    (folder / "layouts" / "css" / "print.css").write_text(
        css + ".photo figcaption br { display: none; } .photo figcaption { white-space: nowrap; }",
        encoding="utf-8")
    report = check_pdf(build.build_pdf(folder, tmp_path / "out"), read_manuscript(folder).printing.settings)
    assert max(map(len, set_lines_of(folder)["caption"])) <= 40  # as the composer set it
    assert report.caption_lines == 1 and report.widest_caption_line == len(longer), str(report)
    assert "widest_caption_line" in failing(report), str(report)


def test_default_page_note_and_caption_lines_are_counted_as_set(default_report):
    # What the checker reads off the PDF is what the composer set: its longest lines.
    set_lines = set_lines_of(DEFAULT)
    assert set_lines["note"] and set_lines["caption"]
    assert default_report.widest_note_line == max(map(len, set_lines["note"])), str(default_report)
    assert default_report.widest_caption_line == max(map(len, set_lines["caption"])), \
        str(default_report)


# -- small pages, set by hand ------------------------------------------------------

PT_PER_MM = 72 / 25.4
SETTINGS = Settings(page_width=100, page_height=125, margin_top=10, margin_bottom=10,
                    masthead_height=20, columns=2, column_chars=10, gap_chars=2,
                    body_size=10, figure_columns=2, note_size=11, caption_size=10,
                    byline_size=9)
SIZE = SETTINGS.body_size
PITCH = 15.0
COLUMN = SETTINGS.column_chars * SIZE
GAP = SETTINGS.gap_chars * SIZE
TYPE_WIDTH = 2 * COLUMN + GAP
LEFT = (SETTINGS.page_width * PT_PER_MM - TYPE_WIDTH) / 2
BODY_TOP = 130.0
NOTE_PADDING = SETTINGS.note_size

TEXT = ("产业是一座城市的根基更是城市蓬勃发展的动力源泉博山区坚持以五个优化引领产业转型升级"
        "以人工智能赋能四强产业全力推进新旧动能转换重大工程机电泵汽车部件新型材料健康医药等主导"
        "产业加快发展双招双引四换三名和亩产效益综合评价改革等工作卓有成效产业转型升级实现新跨越"
        "做足做好氢能人工智能工业互联网等产业链培育逐步以新赛道新场景引领产业高质量发展")


def han(count: int, start: int = 0) -> str:
    return TEXT[start:start + count]


INDENT = f'<span style="display:inline-block;width:{2 * SIZE}pt"></span>'
HALT_PAIR = f'「{han(2, 30)}<span class="halt">」</span>，{han(2, 40)}「{han(1, 50)}<span class="halt">」</span>，'
LATIN = f'在<span style="margin:0 2pt">2021</span>年{han(3, 60)}。'  # 0.2 em each side
LAST_WITH_PAIR = f'「{han(2, 70)}<span class="halt">」</span>，{han(2, 80)}。'

GOOD_COLUMNS = (
    (INDENT + han(8), han(10, 8), HALT_PAIR, han(10, 18), LATIN, INDENT + han(8, 90)),
    (han(10, 100), han(10, 110), LAST_WITH_PAIR, INDENT + han(8, 20), han(10, 120), han(4, 130) + "。"),
)
GOOD_NOTE = (han(15, 10), han(5, 60) + "。")  # after the label, then the last line
GOOD_CAPTION = (han(22, 30), han(6, 90) + "。")
BYLINE = '<span class="kai" style="font-size:9pt">记者 王威</span>'


def render(tmp_path: Path, columns=GOOD_COLUMNS, note=GOOD_NOTE, caption=GOOD_CAPTION,
           column_shift=(0.0, 0.0), byline_in_strut: bool = True,
           byline_shift: float = 0.0, label_margin: float = 0.0,
           note_size: float = SETTINGS.note_size,
           caption_size: float = SETTINGS.caption_size, note_columns=None) -> Path:
    """Write and render one test page; lines are HTML, already broken and set.
    ``note_columns``: the note's lines in columns of their own (变栏), two em apart."""
    faces = "".join(
        f'@font-face{{font-family:"{face.role_family}";src:url("{(FONTS_DIR / face.file).as_uri()}");'
        f"font-weight:{face.weight}}}" for face in FACES)
    width, height = SETTINGS.page_width * PT_PER_MM, SETTINGS.page_height * PT_PER_MM
    note_width = TYPE_WIDTH - 2 * NOTE_PADDING
    label = (f'<span class="hei" style="display:inline-block;width:{3 * note_size}pt;'
             f'margin-right:{label_margin}pt">编者按</span>')
    note_columns = note_columns or (note,)
    note_gap = 2 * note_size
    note_measure = (note_width - (len(note_columns) - 1) * note_gap) / len(note_columns)
    parts = [
        # In the masthead strip: Song at the body size, inside column 2, never body text.
        f'<p class="song" style="left:{LEFT + COLUMN + GAP + 20}pt;top:30pt">日期待定</p>',
        *(f'<p class="kai" style="left:{LEFT + NOTE_PADDING + number * (note_measure + note_gap)}pt;'
          f'top:55pt;width:{note_measure}pt;font-size:{note_size}pt;line-height:{1.6 * note_size}pt">'
          + (label if number == 0 else "") + "<br/>".join(lines) + "</p>"
          for number, lines in enumerate(note_columns)),
        f'<p class="kai" style="left:{LEFT}pt;top:95pt;font-size:{caption_size}pt;'
        f'line-height:{1.5 * caption_size}pt">' + "<br/>".join(caption) + "</p>",
    ]
    for number, lines in enumerate(columns):
        left = LEFT + number * (COLUMN + GAP)
        parts.append(f'<p class="song" style="left:{left}pt;top:{BODY_TOP + column_shift[number]}pt;'
                     f'width:{COLUMN}pt">' + "<br/>".join(lines) + "</p>")
    # The byline under the last column, right-aligned, on the row after its last line.
    byline_top = BODY_TOP + len(columns[-1]) * PITCH + byline_shift
    byline_left = LEFT + (len(columns) - 1) * (COLUMN + GAP)
    if byline_in_strut:  # a Kai span in a Song line: its baseline is the Song line's
        parts.append(f'<p class="song byline" style="left:{byline_left}pt;top:{byline_top}pt;'
                     f'width:{COLUMN}pt">{BYLINE}</p>')
    else:  # a Kai block of its own: the baseline sits where Kai's ascent puts it
        parts.append(f'<p class="kai byline" style="left:{byline_left}pt;top:{byline_top}pt;'
                     f'width:{COLUMN}pt;font-size:9pt">记者 王威</p>')
    page = f"""<html lang="zh-CN"><head><style>{faces}
@page {{ size: {width}pt {height}pt; margin: 0 }}
body {{ margin: 0 }}
p {{ position: absolute; margin: 0; white-space: pre }}
.song {{ font-family: "Pressroom Song"; font-size: {SIZE}pt; line-height: {PITCH}pt }}
.kai {{ font-family: "Pressroom Kai" }}
.hei {{ font-family: "Pressroom Hei"; font-weight: 700 }}
.halt {{ font-feature-settings: "halt" }}
.byline {{ text-align: right }}
</style></head><body>{"".join(parts)}</body></html>"""
    target = tmp_path / "page.pdf"
    weasyprint.HTML(string=page).write_pdf(target, font_config=FontConfiguration())
    return target


def replaced(columns, column: int, line: int, text: str | None):
    """The columns with one line replaced (None: cut from there to the column's end)."""
    changed = [list(lines) for lines in columns]
    if text is None:
        del changed[column][line:]
    else:
        changed[column][line] = text
    return tuple(tuple(lines) for lines in changed)


def test_well_set_page_passes(tmp_path):
    report = check_pdf(render(tmp_path), SETTINGS)
    assert report.failures() == [], str(report)
    assert (report.body_lines, report.note_lines, report.caption_lines) == (12, 2, 2), str(report)
    assert report.mark_pairs == 3 and report.han_latin_gaps == 2, str(report)
    assert report.pitch_pt == PITCH and report.worst_deviation_pt < 0.05, str(report)
    assert report.column_end_spread == 1, str(report)  # the byline takes a row below column 2
    # Three of the twelve body lines end a paragraph; the other nine are justified, set solid.
    assert report.justified_lines == 9, str(report)
    assert (report.loose_lines, report.lines_over_005, report.uneven_lines) == (0, 0, 0)
    assert report.max_spacing_em == 0 and report.max_gap_spread_em == 0, str(report)
    assert (report.widest_note_line, report.widest_caption_line) == (15, 22), str(report)
    assert report.lone_characters == 0 and report.overlaps == 0, str(report)
    text = str(report)
    assert "lines_not_flush: 0" in text and "column_end_spread: 1.00" in text
    assert report.lines() == text.splitlines()


def test_ragged_line(tmp_path):
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 1, han(9, 8))), SETTINGS)
    assert failing(report) == {"lines_not_flush"}, str(report)
    assert report.lines_not_flush == 1 and abs(report.worst_deviation_pt - SIZE) < 0.05, str(report)
    assert "column 1, line 2" in str(report)


def test_ragged_note_line(tmp_path):
    report = check_pdf(render(tmp_path, note=(han(14, 10), GOOD_NOTE[1])), SETTINGS)
    assert failing(report) == {"lines_not_flush"}, str(report)
    assert report.lines_not_flush == 1 and "note" in str(report), str(report)


def test_note_line_pushed_past_its_edge_by_the_label(tmp_path):
    # The label takes half an em more than the line was set for: the line overshoots.
    report = check_pdf(render(tmp_path, label_margin=SETTINGS.note_size / 2), SETTINGS)
    assert failing(report) == {"lines_not_flush"}, str(report)
    assert abs(report.worst_deviation_pt - SETTINGS.note_size / 2) < 0.05, str(report)
    assert "note at" in str(report), str(report)


# A note in two columns of 8 em (88 pt), 2 em apart across its 198 pt: the label and five
# characters, then eight; eight, then the paragraph's end.
NOTE_COLUMNS = ((han(5, 10), han(8, 15)), (han(8, 23), han(3, 31) + "。"))


def test_note_in_columns_of_its_own(tmp_path):
    report = check_pdf(render(tmp_path, note_columns=NOTE_COLUMNS), SETTINGS)
    assert report.failures() == [], str(report)
    assert report.note_lines == 4 and report.widest_note_line == 8, str(report)


@pytest.mark.parametrize("column, line", [(0, 1), (1, 0)])
def test_ragged_line_in_a_column_of_the_note(tmp_path, column, line):
    # The paragraph runs on from the first column into the second: the first column's last
    # line is no paragraph's end, and each column has its own measure.
    lines = [list(lines) for lines in NOTE_COLUMNS]
    lines[column][line] = lines[column][line][:-1]
    report = check_pdf(render(tmp_path, note_columns=lines), SETTINGS)
    assert failing(report) == {"lines_not_flush"}, str(report)
    assert report.lines_not_flush == 1 and "-11.00 pt" in str(report), str(report)


def test_lone_character_at_the_end_of_a_note_in_columns(tmp_path):
    lines = (NOTE_COLUMNS[0], (NOTE_COLUMNS[1][0], "图。"))
    report = check_pdf(render(tmp_path, note_columns=lines), SETTINGS)
    assert failing(report) == {"lone_characters"}, str(report)


def test_one_line_note_is_measured_from_its_label(tmp_path):
    report = check_pdf(render(tmp_path, note=(GOOD_NOTE[0],)), SETTINGS)
    assert report.failures() == [] and report.note_lines == 1, str(report)


def test_line_too_long(tmp_path):
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 1, han(11, 8))), SETTINGS)
    assert failing(report) == {"lines_not_flush"}, str(report)
    assert "ends +10.00 pt" in str(report), str(report)


def test_ragged_caption_line(tmp_path):
    report = check_pdf(render(tmp_path, caption=(han(21, 30), GOOD_CAPTION[1])), SETTINGS)
    assert failing(report) == {"lines_not_flush"}, str(report)
    assert report.lines_not_flush == 1 and "caption" in str(report), str(report)


def test_opening_mark_pulled_left_at_a_line_start_stays_on_its_line(tmp_path):
    # “ pulled half an em into the gap before column 2 (its ink inside the column): it
    # starts column 2's second line, not column 1's line on the same baseline.
    line = (f'<span style="margin-left:{-SIZE / 2}pt">“</span>{han(4, 110)}'
            f'<span class="halt">，</span>{han(5, 114)}')
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 1, 1, line)), SETTINGS)
    assert report.failures() == [], str(report)
    assert report.body_lines == 12 and report.justified_lines == 9, str(report)


def test_line_starting_with_a_stop(tmp_path):
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 1, 1, "，" + han(9, 110))), SETTINGS)
    assert failing(report) == {"prohibited_starts"}, str(report)
    assert report.prohibited_starts == 1, str(report)


def test_line_ending_with_an_opening_mark(tmp_path):
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 3, han(9, 18) + "「")), SETTINGS)
    assert failing(report) == {"prohibited_ends"}, str(report)
    assert report.prohibited_ends == 1, str(report)


def test_line_starting_with_a_space(tmp_path):
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 1, 5, " " + han(4, 130) + "。")),
                       SETTINGS)
    assert failing(report) == {"spaces_at_line_ends"}, str(report)


def test_uncompressed_pair(tmp_path):
    uncompressed = f"「{han(2, 70)}」，{han(2, 80)}。"
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 1, 2, uncompressed)), SETTINGS)
    assert failing(report) == {"uncompressed_pairs"}, str(report)
    assert report.uncompressed_pairs == 1 and "」， takes 2.00 em" in str(report), str(report)


@pytest.mark.parametrize("margin", [0.0, 4.0])  # no gap at all; 0.4 em, too wide
def test_han_latin_gap_out_of_range(tmp_path, margin):
    line = f'在<span style="margin:0 {margin}pt">2021</span>年{han(3, 60)}。'
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 4, line)), SETTINGS)
    assert failing(report) == {"han_latin_gaps_out_of_range"}, str(report)
    assert report.han_latin_gaps_out_of_range == 2, str(report)


def test_lone_character(tmp_path):
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 1, 5, han(1, 130))), SETTINGS)
    assert failing(report) == {"lone_characters"}, str(report)
    assert report.lone_characters == 1, str(report)


@pytest.mark.parametrize("last", ["图。", '图<span class="halt">”</span>。',
                                  '「图<span class="halt">」</span>。', '“图<span class="halt">”</span>。'])
def test_lone_character_with_its_punctuation(tmp_path, last):
    # One character and its marks is still a lone character (marks do not count).
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 1, 5, last)), SETTINGS)
    assert failing(report) == {"lone_characters"}, str(report)
    assert report.lone_characters == 1 and "column 2, line 6" in str(report), str(report)


def test_two_characters_on_a_last_line_are_not_lone(tmp_path):
    line = '大图<span class="halt">”</span>。'
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 1, 5, line)), SETTINGS)
    assert report.failures() == [] and report.lone_characters == 0, str(report)


@pytest.mark.parametrize("part", ["note", "caption"])
def test_lone_character_on_the_last_line_of_a_note_or_caption(tmp_path, part):
    lines = {"note": (GOOD_NOTE[0], "图。"),
             "caption": (GOOD_CAPTION[0], '图<span class="halt">”</span>。')}
    report = check_pdf(render(tmp_path, **{part: lines[part]}), SETTINGS)
    assert failing(report) == {"lone_characters"}, str(report)
    assert report.lone_characters == 1 and f"{part} at" in str(report), str(report)


def test_caption_quotes_drawn_by_song_belong_to_their_line(tmp_path):
    # Kai has its curly quotes only narrow; the pipeline draws them by Song, full width.
    # (Not at the body's 10 pt: Song at the body size is body text.) 21 characters across
    # the photo's 220 pt.
    size = 2 * COLUMN / 21 + GAP / 21
    song = '<span style="font-family:\'Pressroom Song\'">{}</span>'
    caption = (song.format("“") + han(19, 30) + song.format("”"), han(6, 90) + "。")
    settings = Settings(**{**SETTINGS.__dict__, "caption_size": size})
    report = check_pdf(render(tmp_path, caption=caption, caption_size=size), settings)
    assert report.failures() == [], str(report)
    assert report.caption_lines == 2 and report.widest_caption_line == 21, str(report)


# -- the colour of the body: spacing between Han characters --------------------------

def spaced(spacings: tuple[float, ...], start: int = 8) -> str:
    """A line of Han characters with ``spacings[i]`` pt after character i (then one more
    character, set solid): flush when the spacings and the characters fill the column."""
    pieces = [f'<span style="letter-spacing:{space}pt">{char}</span>'
              for char, space in zip(han(len(spacings), start), spacings)]
    return "".join(pieces) + han(1, start + len(spacings))


def test_letter_spaced_line_is_loose(tmp_path):
    # Nine characters spread over ten: 1.25 pt, 0.125 em, between each two.
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 1, spaced((1.25,) * 8))),
                       SETTINGS)
    assert failing(report) == {"loose_lines", "lines_over_005_percent"}, str(report)
    assert report.loose_lines == 1 and report.lines_over_005 == 1, str(report)
    assert abs(report.max_spacing_em - 0.125) <= 0.002, str(report)
    assert report.uneven_lines == 0 and report.max_gap_spread_em <= 0.002, str(report)
    assert "loose_lines: column 1, line 2: 0.125 em" in str(report), str(report)


def test_line_spaced_a_little_counts_against_the_share_only(tmp_path):
    # 0.0556 em between characters: under the loose limit, over the 0.05 em that only
    # 1 % of the lines may reach. A halved mark takes the rest of the measure.
    space = 5 / 9
    line = (f'<span style="letter-spacing:{space:.4f}pt">{han(4, 8)}<span class="halt">、'
            f'</span>{han(4, 12)}</span>{han(1, 16)}')
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 1, line)), SETTINGS)
    assert failing(report) == {"lines_over_005_percent"}, str(report)
    assert report.loose_lines == 0 and report.lines_over_005 == 1, str(report)
    assert abs(report.lines_over_005_percent - 100 / 9) < 0.01, str(report)
    assert abs(report.max_spacing_em - 0.0556) <= 0.002, str(report)


def test_a_paragraphs_last_line_is_not_measured_for_spacing(tmp_path):
    # Column 2's last line ends its paragraph: it may stand short, and is never spaced out
    # to the measure, so its spacing says nothing.
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 1, 5, spaced((3.0,) * 3, 130))),
                       SETTINGS)
    assert report.failures() == [] and report.justified_lines == 9, str(report)


@pytest.mark.parametrize("word, excepted", [("Pressroom", True), ("PDF", False)])
def test_line_with_a_long_latin_word_is_excepted(tmp_path, word, excepted):
    # The same spacing between Han characters; a word wider than a third of the column
    # (Pressroom, about 50 pt of 100) may open its line up, a short one (PDF) may not.
    line = spaced((1.5, 1.5)) + f'<span style="margin:0 2pt">{word}</span>{han(1, 20)}'
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 1, line)), SETTINGS)
    assert report.justified_lines == 9, str(report)
    assert report.loose_lines == (0 if excepted else 1), str(report)
    assert abs(report.max_spacing_em - (0 if excepted else 0.15)) <= 0.002, str(report)


def test_slack_piled_into_one_gap_is_an_uneven_line(tmp_path):
    # Nine characters flush over ten: most of the slack in one gap, 0.04 em in the others.
    # The median gap (0.04 em) is not loose, but the gaps differ by 0.68 em.
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 1, spaced((0.4,) * 7 + (7.2,)))),
                       SETTINGS)
    assert failing(report) == {"uneven_lines"}, str(report)
    assert report.uneven_lines == 1 and report.loose_lines == 0, str(report)
    assert abs(report.max_gap_spread_em - 0.68) <= 0.002, str(report)
    assert abs(report.max_spacing_em - 0.04) <= 0.002, str(report)
    assert "uneven_lines: column 1, line 2" in str(report), str(report)


@pytest.mark.parametrize("tracking", [0.0, 1.25])
def test_ideographic_space_is_a_character_not_a_hole(tmp_path, tracking):
    # 第一条　为了…: the ideographic space is an em of the text, with the line's spacing
    # after it as after any character. The pipeline sets it in a span of its own, and
    # WeasyPrint draws no glyph for that: the page shows a gap of an em and the spacing.
    def spaced_run(text: str) -> str:
        return f'<span style="letter-spacing:{tracking}pt">{text}</span>'

    line = spaced_run("第一条") + spaced_run("\u3000") + spaced_run("为了加强" if tracking else "为了加强对") \
        + ("对" if tracking else "民")
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 1, line)), SETTINGS)
    assert "\u3000" not in str(report)  # not drawn: measured as a gap
    assert report.uneven_lines == 0 and report.lines_not_flush == 0, str(report)
    assert abs(report.max_spacing_em - tracking / SIZE) <= 0.002, str(report)
    assert report.loose_lines == (1 if tracking else 0), str(report)


@pytest.mark.parametrize("low, high, uneven", [(1.1, 1.4, True), (1.2, 1.3, False)])
def test_gaps_differing_by_more_than_002_em_are_uneven(tmp_path, low, high, uneven):
    # Four gaps of one width, four of another, flush either way: 0.03 em apart is
    # uneven, 0.01 em is not (both lines are loose, 0.125 em on the median).
    line = spaced((low,) * 4 + (high,) * 4)
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 0, 1, line)), SETTINGS)
    assert report.lines_not_flush == 0 and report.loose_lines == 1, str(report)
    assert report.uneven_lines == (1 if uneven else 0), str(report)
    assert abs(report.max_gap_spread_em - (high - low) / SIZE) <= 0.002, str(report)


def test_spaced_share_limit_is_one_percent_of_justified_lines():
    # The share is compared with its limit: one line of a hundred may be spaced, two not.
    assert Report(body_lines=120, justified_lines=100, lines_over_005=1,
                  lines_over_005_percent=1.0).colour_faults() == []
    assert [f.split(":")[0] for f in Report(body_lines=120, justified_lines=100,
                                            lines_over_005=2, lines_over_005_percent=2.0
                                            ).colour_faults()] == ["lines_over_005_percent"]


# -- the length of the note's and the captions' lines -------------------------------

def test_note_line_of_more_than_40_characters(tmp_path):
    # A note set so small that a line holds its label and 41 characters, flush.
    size = (TYPE_WIDTH - 2 * NOTE_PADDING) / 44
    settings = Settings(**{**SETTINGS.__dict__, "note_size": size})
    report = check_pdf(render(tmp_path, note=(han(41, 10), han(5, 60) + "。"), note_size=size),
                       settings)
    assert failing(report) == {"widest_note_line"}, str(report)
    assert report.widest_note_line == 41 and report.note_lines == 2, str(report)
    assert "widest_note_line: note at" in str(report), str(report)


def test_caption_line_of_more_than_40_characters(tmp_path):
    # A caption at 5 pt: 44 characters across the photo's 220 pt, flush.
    settings = Settings(**{**SETTINGS.__dict__, "caption_size": 5})
    report = check_pdf(render(tmp_path, caption=(han(44, 30), han(6, 90) + "。"), caption_size=5),
                       settings)
    assert failing(report) == {"widest_caption_line"}, str(report)
    assert report.widest_caption_line == 44 and report.caption_lines == 2, str(report)
    assert "widest_caption_line: caption at" in str(report), str(report)


def test_caption_line_of_40_characters_passes(tmp_path):
    settings = Settings(**{**SETTINGS.__dict__, "caption_size": 5.5})
    report = check_pdf(render(tmp_path, caption=(han(40, 30), han(6, 90) + "。"),
                              caption_size=5.5), settings)
    assert report.widest_caption_line == 40 and "widest_caption_line" not in failing(report), \
        str(report)


def test_baseline_off_the_grid(tmp_path):
    report = check_pdf(render(tmp_path, column_shift=(0.0, 2.0)), SETTINGS)
    assert failing(report) == {"baseline_misalignment_pt"}, str(report)
    assert abs(report.baseline_misalignment_pt - 2) < 0.05, str(report)


def test_byline_off_the_grid(tmp_path):
    report = check_pdf(render(tmp_path, byline_shift=2.0), SETTINGS)
    assert failing(report) == {"byline_misalignment_pt"}, str(report)
    assert abs(report.byline_misalignment_pt - 2) < 0.05, str(report)


def test_byline_as_a_kai_block_of_its_own_leaves_the_grid(tmp_path):
    # Its baseline follows Kai's ascent, not the Song lines' beside it.
    report = check_pdf(render(tmp_path, byline_in_strut=False), SETTINGS)
    assert failing(report) == {"byline_misalignment_pt"}, str(report)


def test_short_column(tmp_path):
    report = check_pdf(render(tmp_path, replaced(GOOD_COLUMNS, 1, 3, None)), SETTINGS)
    assert failing(report) == {"column_end_spread"}, str(report)
    assert report.column_end_spread == 2, str(report)  # column 2 and its byline end two rows up


def test_no_body_text_is_a_failure(tmp_path):
    report = check_pdf(render(tmp_path), Settings(**{**SETTINGS.__dict__, "body_size": 12}))
    assert report.body_lines == 0
    assert any(failure.startswith("body_lines") for failure in report.failures()), str(report)
