"""Reading a page plan (版样): a good plan into its Plan, and every fault of a bad one
named with its code, the plan file and the line, all at once."""
from __future__ import annotations

import datetime
import shutil
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from pressroom.errors import ErrorGroup, ManuscriptError, PressroomError, ResourceError
from pressroom.reading.plan import (DEFAULT_FILE_NAMES, AdPlan, Masthead, Pin, Plan,
                                    page_file_name, read_plan, type_area_rows)
from pressroom.settings import DEFAULT, settings_from

ARTICLE = Path(__file__).resolve().parent / "articles" / "prc-holidays-measures-2024" \
    / "article.md"
STORIES = ("boshan-report", "holiday-notice", "weather")


@pytest.fixture
def newsroom(tmp_path) -> Path:
    """A manuscript/ folder: three stories, and editions/ with the artwork the plans name."""
    for name in STORIES:
        (tmp_path / name).mkdir()
        shutil.copyfile(ARTICLE, tmp_path / name / "article.md")
    editions = tmp_path / "editions"
    (editions / "ads").mkdir(parents=True)
    Image.new("RGB", (40, 20), "white").save(editions / "ads" / "ad-1.png")
    Image.new("RGB", (40, 20), "white").save(editions / "ads" / "ad-2.jpg")
    Image.new("RGB", (40, 20), "white").save(editions / "ads" / "ad-3.gif")
    (editions / "ads" / "ad-4.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    (editions / "ads" / "notes.txt").write_text("刊登广告请联系广告部。\n", encoding="utf-8")
    (editions / "masthead.svg").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- 报头 -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"/>\n', encoding="utf-8")
    return tmp_path


def write(newsroom: Path, text: str, name: str = "sample.yaml") -> Path:
    path = newsroom / "editions" / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """The line (1-based) of the plan on which ``needle`` stands the ``nth`` time."""
    found = [number for number, text in
             enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text]
    return found[nth - 1]


def errors_of(path: Path) -> list[PressroomError]:
    with pytest.raises(PressroomError) as caught:
        read_plan(path)
    error = caught.value
    return error.errors if isinstance(error, ErrorGroup) else [error]


def assert_fails(path: Path, code: str, needle: str, words: str = "", nth: int = 1) -> None:
    """Reading the plan fails with one error: ``code``, at the line of ``needle``."""
    errors = errors_of(path)
    assert [error.code for error in errors] == [code], "\n".join(map(str, errors))
    message = str(errors[0])
    assert f"{path.name}:{line_of(path, needle, nth)}:" in message, message
    assert f"error {code}: " in message
    assert words in message, message


GOOD = """\
    publication: 示例日报
    date: 2026-12-01
    edition: sample-edition
    lang: zh-Hans
    identifier: urn:uuid:0b5a7c52-6f1e-4c55-9d0f-2a6f1c1e0001
    layout: {format: 四开}
    file_names: "{date}-{number:02}-{code}.pdf"
    masthead:
      artwork: masthead.svg
      lunar_date: 农历丙午年十月十二
      serial: CN 37-0001
      postal_code: 23-1
      issue_number: 总第12345期
      rows: 10
    pages:
      - page: 第1版
        code: A01
        section: 要闻
        editor: 张三
        colour: 彩版
        masthead: true
        stories:
          - story: ../boshan-report
            lead: true
            jump: 第2版
            column: 0
            row: 0
            columns: 4
            rows: 30
          - ../holiday-notice
        ads:
          - artwork: ads/ad-1.png
            column: 4
            row: foot
      - page: 第2版
        code: A02
        section: 综合
        editor: 李四
        colour: 黑白版
        stories:
          - story: ../weather
            full_text: true
        ads:
          - artwork: ads/ad-4.pdf
            column: 0
            row: 40
    """


# -- a good plan --------------------------------------------------------------------

def test_a_full_plan_reads_into_its_plan(newsroom):
    path = write(newsroom, GOOD)
    plan = read_plan(path)
    assert isinstance(plan, Plan)
    assert (plan.name, plan.publication, plan.lang) == ("sample-edition", "示例日报", "zh-Hans")
    assert plan.date == datetime.date(2026, 12, 1)
    assert plan.identifier == "urn:uuid:0b5a7c52-6f1e-4c55-9d0f-2a6f1c1e0001"
    assert plan.source == path and plan.folder == path.parent
    assert plan.settings == DEFAULT
    assert plan.file_names == "{date}-{number:02}-{code}.pdf"
    assert plan.where["pages"].line == line_of(path, "pages:")

    assert plan.masthead == Masthead(
        artwork=newsroom / "editions" / "masthead.svg", lunar_date="农历丙午年十月十二",
        serial="CN 37-0001", postal_code="23-1", issue_number="总第12345期", rows=10,
        where=plan.masthead.where)
    assert plan.masthead.where.line == line_of(path, "masthead:")

    front, second = plan.pages
    assert (front.label, front.code, front.section, front.editor) == ("第1版", "A01", "要闻", "张三")
    assert front.colour is True and front.masthead is True
    assert front.where.line == line_of(path, "- page: 第1版")
    lead, notice = front.stories
    assert lead.folder == newsroom / "boshan-report" and lead.folder.is_absolute()
    assert lead.lead and lead.jump == "第2版" and not lead.full_text
    assert lead.pin == Pin(column=0, row=0, columns=4, rows=30)
    assert lead.where.line == line_of(path, "story: ../boshan-report")
    assert notice.folder == newsroom / "holiday-notice"
    assert not notice.lead and notice.pin is None and notice.jump is None
    assert front.ads == (AdPlan(newsroom / "editions" / "ads" / "ad-1.png",
                                Pin(column=4, row="foot"), front.ads[0].where),)

    assert (second.label, second.colour, second.masthead) == ("第2版", False, False)
    [weather] = second.stories
    assert weather.full_text and weather.jump is None
    [ad] = second.ads
    assert ad.artwork.name == "ad-4.pdf" and ad.pin == Pin(column=0, row=40)
    assert plan.page_of("第2版") == 1 and plan.page_of("第9版") is None
    assert [page_file_name(plan, index) for index in range(2)] == \
        ["20261201-01-A01.pdf", "20261201-02-A02.pdf"]


def test_the_short_form_and_the_defaults(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            stories:
              - ../boshan-report
              - ../holiday-notice
          - page: 第2版
        """, name="周末版.yaml")
    plan = read_plan(path)
    assert plan.name == "周末版"  # the file's stem
    assert plan.date is None and plan.lang == "zh-CN" and plan.identifier is None
    assert plan.settings == DEFAULT and plan.masthead is None
    assert plan.file_names == DEFAULT_FILE_NAMES
    front, second = plan.pages
    assert [story.folder.name for story in front.stories] == ["boshan-report", "holiday-notice"]
    assert all(not story.lead and story.pin is None for story in front.stories)
    assert front.colour is True and front.masthead is False and front.section is None
    assert second.stories == () and second.ads == ()
    assert [page_file_name(plan, index) for index in range(2)] == \
        ["undated-01.pdf", "undated-02.pdf"]


def test_a_masthead_page_without_a_masthead_mapping_sets_it_in_type(newsroom):
    plan = read_plan(write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            masthead: true
        """))
    assert plan.masthead == Masthead()


def test_text_is_read_as_written_and_a_quoted_date_is_a_date(newsroom):
    plan = read_plan(write(newsroom, """\
        publication: 示例日报
        date: "2026-12-01"
        pages:
          - page: 1
            code: 01
            colour: false
        """))
    assert plan.date == datetime.date(2026, 12, 1)
    [page] = plan.pages
    assert (page.label, page.code, page.colour) == ("1", "01", False)  # 01, not 1


def test_the_format_of_the_edition_sets_its_grid(newsroom):
    plan_text = """\
        publication: 示例日报
        layout: {format: 对开}
        pages:
          - page: 第1版
            stories:
              - story: ../boshan-report
                column: 6
                columns: 2
                row: 90
        """
    plan = read_plan(write(newsroom, plan_text))
    assert plan.settings == settings_from({"format": "对开"}) and plan.settings.columns == 8
    assert plan.pages[0].stories[0].pin == Pin(column=6, row=90, columns=2)
    assert type_area_rows(plan.settings) > 90 > type_area_rows(DEFAULT)

    path = write(newsroom, plan_text.replace("{format: 对开}", "{format: 四开}"))
    errors = errors_of(path)
    assert [error.code for error in errors] == ["PR156", "PR156"]
    assert "beyond the type area's 6 columns" in str(errors[0])
    assert f"below the type area's {type_area_rows(DEFAULT)} rows" in str(errors[1])


def test_a_plan_file_read_through_a_relative_path(newsroom, monkeypatch):
    write(newsroom, GOOD)
    monkeypatch.chdir(newsroom)
    plan = read_plan(Path("editions/sample.yaml"))
    assert plan.source.is_absolute()
    assert plan.pages[0].stories[0].folder == newsroom / "boshan-report"


# -- the YAML -----------------------------------------------------------------------

def test_invalid_yaml(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
           stories: []
        """)
    assert_fails(path, "PR150", "stories: []", "not valid YAML")


@pytest.mark.parametrize("text", ["- 示例日报\n- 第1版\n", "示例日报\n", "", "# 空\n"])
def test_a_plan_that_is_not_a_mapping(newsroom, text):
    [error] = errors_of(write(newsroom, text))
    assert error.code == "PR150" and "must be a mapping" in str(error)
    assert "sample.yaml:1" in str(error)


def test_anchors_aliases_and_merge_keys_are_refused(newsroom):
    page = "          - page: 第2版\n            <<: *front\n"
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - &front
            page: 第1版
        """ + page)
    assert_fails(path, "PR150", "&front", "anchor or alias")

    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            <<: {section: 要闻}
        """)
    assert_fails(path, "PR150", "<<:", "merge key")


def test_several_documents_are_refused(newsroom):
    path = write(newsroom, "publication: 示例日报\n---\npages: []\n")
    assert_fails(path, "PR150", "---", "not valid YAML")


# -- keys -------------------------------------------------------------------------

@pytest.mark.parametrize("wrong, right", [
    ("    publicaton: 示例日报", "publication"),
    ("        sectoin: 要闻", "section"),
    ("            laed: true", "lead"),
    ("            colum: 4", "column"),
    ("      serail: CN 37-0001", "serial"),
    ("      colums: 8", "columns"),
])
def test_an_unknown_key_at_every_level_has_a_did_you_mean(newsroom, wrong, right):
    known = {"publication": "    publication: 示例日报", "section": "        section: 要闻",
             "lead": "            lead: true", "column": "            column: 4",
             "serial": "      serial: CN 37-0001", "columns": "      columns: 8"}
    text = """\
        publication: 示例日报
        layout:
          columns: 8
          format: 对开
        masthead:
          serial: CN 37-0001
        pages:
          - page: 第1版
            section: 要闻
            stories:
              - story: ../boshan-report
                lead: true
            ads:
              - artwork: ads/ad-1.png
                column: 4
                row: foot
        """
    path = write(newsroom, textwrap.dedent(text).replace(known[right].strip(),
                                                         wrong.strip()))
    errors = errors_of(path)
    unknown = [error for error in errors if error.code == "PR151"]
    assert len(unknown) == 1, "\n".join(map(str, errors))
    message = str(unknown[0])
    assert f"sample.yaml:{line_of(path, wrong.strip())}:" in message
    assert f"'{wrong.strip().split(':')[0]}'" in message and f"did you mean '{right}'?" in message


def test_a_key_set_twice_at_every_level(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        publication: 另一日报
        pages:
          - page: 第1版
            stories:
              - story: ../boshan-report
                lead: true
                lead: false
        """)
    errors = errors_of(path)
    assert [error.code for error in errors] == ["PR153", "PR153"]
    assert "sample.yaml:2:" in str(errors[0]) and "first set on line 1" in str(errors[0])
    assert f"sample.yaml:{line_of(path, 'lead: false')}:" in str(errors[1])


@pytest.mark.parametrize("text, needle, words", [
    ("pages:\n  - page: 第1版\n", "pages:", "has no 'publication'"),
    ("publication: 示例日报\n", "publication", "has no 'pages'"),
    ("publication: 示例日报\npages:\n  - section: 要闻\n", "section", "has no 'page'"),
    ("publication: 示例日报\npages:\n  - page: 第1版\n    stories:\n      - lead: true\n",
     "lead: true", "has no 'story'"),
])
def test_a_required_key_missing(newsroom, text, needle, words):
    assert_fails(write(newsroom, text), "PR152", needle, words)


def test_an_advertisement_needs_its_artwork_column_and_row(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            ads:
              - artwork: ads/ad-1.png
              - column: 0
                row: 0
        """)
    errors = errors_of(path)
    assert [error.code for error in errors] == ["PR152", "PR152", "PR152"]
    assert all(f"sample.yaml:{line_of(path, 'artwork')}:" in str(error) for error in errors[:2])
    assert "has no 'column'" in str(errors[0]) and "has no 'row'" in str(errors[1])
    assert "has no 'artwork'" in str(errors[2])
    assert f"sample.yaml:{line_of(path, 'column: 0')}:" in str(errors[2])


# -- values -----------------------------------------------------------------------

@pytest.mark.parametrize("line, words", [
    ("    section:", "is empty"),
    ("    section: ''", "is empty"),
    ("    section: [要闻]", "must be text"),
    ("    colour: 套红", "must be 彩版 or 黑白版"),
    ("    masthead: 是", "must be true or false"),
    ("    stories: ../boshan-report", "must be a list"),
    ("    stories:", "is empty"),
    ("    ads:\n      - ads/ad-1.png", "must be a mapping"),
])
def test_a_page_value_empty_or_of_the_wrong_kind(newsroom, line, words):
    path = write(newsroom, "publication: 示例日报\npages:\n  - page: 第1版\n" + line + "\n")
    assert_fails(path, "PR152", line.strip().splitlines()[-1], words)


@pytest.mark.parametrize("line, words", [
    ("lead: 'true'", "must be true or false"),
    ("column: 1.5", "must be a whole number"),
    ("column: true", "must be a whole number"),  # a bool is no number
    ("column: '2'", "must be a whole number"),
    ("columns: 0", "of 1 or more"),
    ("rows: .inf", "must be a whole number"),
    ("rows: .nan", "must be a whole number"),
    ("row: top", "must be a whole number or foot"),
    ("row: 2026-02-30", "cannot be read"),  # YAML reads it as a date that does not exist
])
def test_a_pin_or_flag_of_the_wrong_kind(newsroom, line, words):
    path = write(newsroom, "publication: 示例日报\npages:\n  - page: 第1版\n    stories:\n"
                 "      - story: ../boshan-report\n        " + line + "\n")
    assert_fails(path, "PR152", line, words)


@pytest.mark.parametrize("value, words", [
    ("2021-02-30", "day is out of range for month"),
    ("'2021-02-30'", "day is out of range for month"),
    ("二月一日", "must be a date written YYYY-MM-DD"),
    ("20261201", "must be a date written YYYY-MM-DD"),
])
def test_a_date_that_is_not_one(newsroom, value, words):
    path = write(newsroom, f"publication: 示例日报\ndate: {value}\npages:\n  - page: 第1版\n")
    assert_fails(path, "PR152", "date:", words)


def test_the_language_must_be_a_tag(newsroom):
    path = write(newsroom, "publication: 示例日报\nlang: 中文\npages:\n  - page: 第1版\n")
    assert_fails(path, "PR152", "lang:", "BCP 47")


@pytest.mark.parametrize("value", ["../sample", "a/b", "a..b", ".hidden", "晚 报"])
def test_the_edition_must_be_a_safe_file_name(newsroom, value):
    path = write(newsroom, f"publication: 示例日报\nedition: '{value}'\npages:\n  - page: 第1版\n")
    assert_fails(path, "PR152", "edition:", "not a safe file name")


def test_an_unsafe_file_stem_asks_for_an_edition(newsroom):
    path = write(newsroom, "publication: 示例日报\npages:\n  - page: 第1版\n",
                 name="my plan.yaml")
    assert_fails(path, "PR152", "publication", "not a safe edition name")
    path.write_text(path.read_text(encoding="utf-8") + "edition: my-plan\n", encoding="utf-8")
    assert read_plan(path).name == "my-plan"


@pytest.mark.parametrize("pattern, words", [
    ("{dat}-{code}.pdf", "unknown field {dat} (did you mean {date}?)"),
    ("{date}-{page}.pdf", "unknown field {page} (known: {date}, {code}, {number}, {label})"),
    ("{}.pdf", "unknown field {}"),
    ("{date}-{code}.png", "must end in .pdf"),
    ("{date-{code}.pdf", "is not a pattern"),
    ("{number:x2}.pdf", "is not a pattern"),
])
def test_a_file_name_pattern_that_cannot_name_the_pages(newsroom, pattern, words):
    path = write(newsroom, f"publication: 示例日报\nfile_names: '{pattern}'\npages:\n"
                 "  - page: 第1版\n")
    assert_fails(path, "PR152", "file_names", words)


def test_each_page_needs_its_own_safe_file_name(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        file_names: "{date}-{label}.pdf"
        pages:
          - page: 第1版
          - page: 第2/3版
        """)
    assert_fails(path, "PR152", "第2/3版", "is not a safe file name")

    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            code: A01
          - page: 第2版
            code: A01
        """)
    assert_fails(path, "PR152", "- page: 第2版", "the same file name 'undated-A01.pdf'")


def test_the_layout_is_checked_as_a_manuscripts_is(newsroom):
    text = "publication: 示例日报\nlayout:\n  {}\npages:\n  - page: 第1版\n"
    # A setting's value out of its type or range is PR107, as in a manuscript, at its line.
    assert_fails(write(newsroom, text.format("format: 九开")), "PR107", "format",
                 "unknown format")
    assert_fails(write(newsroom, text.format("body_size: .nan")), "PR107", "body_size",
                 "not a number (NaN)")
    assert_fails(write(newsroom, text.format("columns: 2.5")), "PR107", "columns",
                 "must be a whole number of 1 to 20")
    assert_fails(write(newsroom, text.format("columns: 12")), "PR140", "layout:",
                 "type area does not fit its sheet")


# -- the stories ------------------------------------------------------------------

def test_a_story_named_twice_anywhere_in_the_plan(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            stories:
              - ../boshan-report
          - page: 第2版
            stories:
              - story: ../editions/../boshan-report/
        """)
    assert_fails(path, "PR154", "story: ../editions", "named twice")
    assert "first named on line 5" in str(errors_of(path)[0])


def test_a_page_label_given_twice(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
          - page: 第1版
        """)
    assert_fails(path, "PR154", "page: 第1版", "given twice", nth=2)


@pytest.mark.parametrize("story, words", [
    ("../no-such-story", "is missing"),
    ("ads", "has no article.md"),
    ("../../elsewhere", "lies outside"),
    ("https://example.com/story", "a URL or an absolute path"),
    ("/etc", "a URL or an absolute path"),
])
def test_a_story_folder_that_is_not_a_manuscript_of_the_tree(newsroom, story, words):
    outside = newsroom.parent / "elsewhere"
    outside.mkdir(exist_ok=True)
    shutil.copyfile(ARTICLE, outside / "article.md")
    path = write(newsroom, f"publication: 示例日报\npages:\n  - page: 第1版\n    stories:\n"
                 f"      - {story}\n")
    assert_fails(path, "PR155", story, words)


def test_a_symlink_out_of_the_tree_is_refused(newsroom):
    outside = newsroom.parent / "outside-story"
    outside.mkdir(exist_ok=True)
    shutil.copyfile(ARTICLE, outside / "article.md")
    (newsroom / "linked").symlink_to(outside, target_is_directory=True)
    path = write(newsroom, "publication: 示例日报\npages:\n  - page: 第1版\n    stories:\n"
                 "      - ../linked\n")
    assert_fails(path, "PR155", "../linked", "lies outside")


@pytest.mark.parametrize("pin, needle, words", [
    ("column: -1", "column:", "left of the type area"),
    ("row: -2", "row:", "above the type area"),
    ("column: 4\n        columns: 3", "column:", "beyond the type area's 6 columns"),
    ("column: 6", "column:", "column 6 is beyond"),
    ("columns: 7", "columns:", "7 columns are more than the type area's 6"),
    ("row: 73", "row:", "row 73 is below the type area's 73 rows"),
    ("row: 50\n        rows: 24", "row:", "24 rows from row 50"),
    ("row: foot\n        rows: 74", "rows:", "74 rows are more than"),
])
def test_a_pin_outside_the_type_area(newsroom, pin, needle, words):
    assert type_area_rows(DEFAULT) == 73  # 四开 at its preferred leading
    path = write(newsroom, "publication: 示例日报\npages:\n  - page: 第1版\n    stories:\n"
                 "      - story: ../boshan-report\n        " + pin + "\n")
    assert_fails(path, "PR156", needle, words)


def test_an_advertisement_pinned_outside_the_type_area(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            ads:
              - artwork: ads/ad-1.png
                column: 9
                row: foot
        """)
    assert_fails(path, "PR156", "column: 9", "advertisement's column 9")


def test_a_masthead_deeper_than_the_type_area(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        masthead:
          rows: 80
        pages:
          - page: 第1版
            masthead: true
        """)
    assert_fails(path, "PR156", "rows: 80", "more than the type area's 73")


@pytest.mark.parametrize("jump, words", [
    ("第9版", "a page the plan does not have"),
    ("第2板", "did you mean '第2版'?"),
    ("第1版", "does not come after its own page"),
])
def test_a_jump_to_a_page_that_is_not_a_later_one(newsroom, jump, words):
    path = write(newsroom, f"""\
        publication: 示例日报
        pages:
          - page: 第1版
          - page: 第2版
            stories:
              - story: ../boshan-report
                jump: {jump}
          - page: 第3版
        """)
    assert_fails(path, "PR157", "jump:", words)


def test_a_jump_as_a_full_text(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            stories:
              - story: ../boshan-report
                full_text: true
                jump: 第2版
          - page: 第2版
        """)
    assert_fails(path, "PR157", "jump:", "both jump and run as a full text")


def test_two_lead_stories_on_one_page(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            stories:
              - story: ../boshan-report
                lead: true
              - story: ../holiday-notice
                lead: true
          - page: 第2版
            stories:
              - story: ../weather
                lead: true
        """)
    assert_fails(path, "PR152", "story: ../holiday-notice", "a second lead story")


def test_the_masthead_stands_on_the_first_page_only(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
          - page: 第2版
            masthead: true
        """)
    assert_fails(path, "PR152", "masthead: true", "only stand on the first page")


# -- artwork ----------------------------------------------------------------------

@pytest.mark.parametrize("artwork, words", [
    ("ads/missing.png", "is missing"),
    ("ads/ad-3.gif", "is of no format"),  # GIF: no renderer promise for print
    ("ads/notes.txt", "is of no format"),
    ("ads", "is missing"),  # a folder
    ("../../outside.png", "lies outside"),
    ("file:///etc/passwd", "a URL or an absolute path"),
])
def test_an_advertisement_whose_artwork_cannot_be_placed(newsroom, artwork, words):
    Image.new("RGB", (4, 4)).save(newsroom.parent / "outside.png")
    path = write(newsroom, f"""\
        publication: 示例日报
        pages:
          - page: 第1版
            ads:
              - artwork: {artwork}
                column: 0
                row: foot
        """)
    assert_fails(path, "PR158", "artwork:", words)


def test_artwork_is_known_by_its_bytes_not_its_name(newsroom):
    ads = newsroom / "editions" / "ads"
    shutil.copyfile(ads / "ad-2.jpg", ads / "looks-like.png")  # a JPEG named .png
    (ads / "banner.svg").write_text("\ufeff<!DOCTYPE svg [<!ENTITY x 'y'>]>\n"
                                    "<svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>",
                                    encoding="utf-8")
    plan = read_plan(write(newsroom, """\
        publication: 示例日报
        pages:
          - page: 第1版
            ads:
              - {artwork: ads/looks-like.png, column: 0, row: 0}
              - {artwork: ads/banner.svg, column: 1, row: 0}
              - {artwork: ads/ad-2.jpg, column: 2, row: 0}
        """))
    assert [ad.artwork.name for ad in plan.pages[0].ads] == \
        ["looks-like.png", "banner.svg", "ad-2.jpg"]


def test_the_masthead_artwork_is_no_pdf(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        masthead:
          artwork: ads/ad-4.pdf
        pages:
          - page: 第1版
            masthead: true
        """)
    assert_fails(path, "PR158", "artwork:", "is PDF")


# -- the file ---------------------------------------------------------------------

def test_a_plan_that_is_not_there(newsroom):
    with pytest.raises(ResourceError) as caught:
        read_plan(newsroom / "editions" / "nowhere.yaml")
    assert caught.value.code == "PR311" and caught.value.exit_code == 4
    assert "nowhere.yaml: error PR311: " in str(caught.value)


def test_a_plan_that_is_a_folder(newsroom):
    with pytest.raises(ResourceError) as caught:
        read_plan(newsroom / "editions")
    assert caught.value.code == "PR311" and "it is a folder" in str(caught.value)


def test_a_plan_that_is_not_utf8(newsroom):
    path = newsroom / "editions" / "gbk.yaml"
    path.write_bytes("publication: 示例日报\npages:\n  - page: 第1版\n".encode("gb18030"))
    with pytest.raises(ResourceError) as caught:
        read_plan(path)
    assert caught.value.code == "PR311" and "gbk.yaml:1:" in str(caught.value)
    assert "not UTF-8" in str(caught.value)


def test_a_huge_plan_is_refused_unread(newsroom):
    path = newsroom / "editions" / "huge.yaml"
    path.write_text("publication: 示例日报\n" + "# 注释\n" * 200_000, encoding="utf-8")
    with pytest.raises(ResourceError) as caught:
        read_plan(path)
    assert caught.value.code == "PR311" and "over 1 MB" in str(caught.value)


# -- all at once ------------------------------------------------------------------

def test_every_fault_of_a_plan_is_reported_at_once(newsroom):
    path = write(newsroom, """\
        publication: 示例日报
        date: 2021-02-30
        pags: []
        pages:
          - page: 第1版
            colour: 套红
            stories:
              - ../no-such-story
              - story: ../boshan-report
                column: 8
                jump: 第5版
            ads:
              - artwork: ads/ad-3.gif
                column: 0
                row: 0
          - page: 第2版
            masthead: true
            stories:
              - ../boshan-report
        """)
    with pytest.raises(ErrorGroup) as caught:
        read_plan(path)
    found = [(error.code, error.where.line) for error in caught.value.errors]
    assert found == [("PR151", 3), ("PR152", 2), ("PR155", 8), ("PR156", 10), ("PR158", 13),
                     ("PR152", 6), ("PR152", 17), ("PR154", 19), ("PR157", 11)]
    assert isinstance(caught.value.errors[0], ManuscriptError)
    assert caught.value.exit_code == 2
    lines = str(caught.value).splitlines()
    assert len(lines) == len(found) and all("sample.yaml:" in line for line in lines)
