"""The typography check, on the default page and on small pages set badly on purpose.

The small pages are written here by hand and rendered with WeasyPrint and the vendored
faces, on a grid the settings below describe: two columns of ten 10 pt characters with a
two-character gap, a boxed editor's note, a caption across both columns and a byline.
The well-set page passes every check; each tampered page breaks one rule and must fail
on that rule alone.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from conftest import DEFAULT
from pressroom import build
from pressroom.fonts import FACES, FONTS_DIR
from pressroom.reading.manuscript import read_manuscript
from pressroom.settings import Settings
from pressroom.checks.typecheck import Report, check_pdf


def failing(report: Report) -> set[str]:
    return {failure.split(":")[0] for failure in report.failures()}


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
    assert report.mark_pairs > 0 and report.han_latin_gaps > 0, str(report)
    assert report.characters > 2000, str(report)
    assert report.pitch_pt > 0, str(report)


@pytest.mark.parametrize("figure", [
    "lines_not_flush", "prohibited_starts", "prohibited_ends", "spaces_at_line_ends",
    "lone_characters", "uncompressed_pairs", "han_latin_gaps_out_of_range",
])
def test_default_page_has_no_fault(default_report, figure):
    assert getattr(default_report, figure) == 0, str(default_report)


def test_default_page_lines_end_on_their_measure(default_report):
    assert default_report.worst_deviation_pt <= 0.5, str(default_report)


def test_default_page_keeps_to_the_baseline_grid(default_report):
    assert default_report.baseline_misalignment_pt <= 0.5, str(default_report)
    assert default_report.byline_misalignment_pt <= 0.5, str(default_report)


def test_default_page_columns_end_level(default_report):
    assert default_report.column_end_spread <= 1, str(default_report)


def test_default_page_fails_nothing(default_report):
    assert default_report.failures() == [], str(default_report)


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
           byline_shift: float = 0.0, label_margin: float = 0.0) -> Path:
    """Write and render one test page; lines are HTML, already broken and set."""
    faces = "".join(
        f'@font-face{{font-family:"{face.role_family}";src:url("{(FONTS_DIR / face.file).as_uri()}");'
        f"font-weight:{face.weight}}}" for face in FACES)
    width, height = SETTINGS.page_width * PT_PER_MM, SETTINGS.page_height * PT_PER_MM
    note_width = TYPE_WIDTH - 2 * NOTE_PADDING
    parts = [
        # In the masthead strip: Song at the body size, inside column 2, never body text.
        f'<p class="song" style="left:{LEFT + COLUMN + GAP + 20}pt;top:30pt">日期待定</p>',
        f'<p class="kai" style="left:{LEFT + NOTE_PADDING}pt;top:55pt;width:{note_width}pt;'
        f'font-size:{SETTINGS.note_size}pt;line-height:17.6pt">'
        f'<span class="hei" style="display:inline-block;width:{3 * SETTINGS.note_size}pt;'
        f'margin-right:{label_margin}pt">编者按</span>'
        + "<br/>".join(note) + "</p>",
        f'<p class="kai" style="left:{LEFT}pt;top:95pt;font-size:{SETTINGS.caption_size}pt;'
        f'line-height:15pt">' + "<br/>".join(caption) + "</p>",
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
