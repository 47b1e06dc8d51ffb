"""Reading never crashes and never lets through what later stages cannot set (issue 11).

Every case is a copy of the default manuscript (manuscript/boshan-report, the project's
own text) mutated in tmp_path: pasted spaces and controls, front-matter values of every
wrong kind, layout settings out of range, dates that do not exist, YAML merge keys,
unusable folder names, faults in a manuscript's own layouts/, camera photos. Each either
reads, with the text the rule says, or fails with its code at its file and line.
"""
from __future__ import annotations

import io
import math
import re
import shutil
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from conftest import DEFAULT, ROOT, output_names
from pressroom import build
from pressroom.errors import ErrorGroup, PressroomError, diagnostics
from pressroom.reading.manuscript import normalise_text, read_manuscript
from pressroom.reading.plan import read_plan
from pressroom.settings import BOUNDS, DEFAULT as DEFAULT_SETTINGS, Settings, settings_from

SOURCE = (DEFAULT / "article.md").read_text(encoding="utf-8")
KICKER = "kicker: 高点站位、砥砺前行\n"
LAST = "勇于担当"  # a word of the last section, to put text after
assert KICKER in SOURCE


def copy(tmp_path: Path, text: str | None = None, name: str = "story") -> Path:
    folder = tmp_path / name
    shutil.copytree(DEFAULT, folder)
    if text is not None:
        (folder / "article.md").write_text(text, encoding="utf-8")
    return folder


def with_front(extra: str, replace: str = KICKER) -> str:
    """The default manuscript with ``replace`` (a front-matter line) made ``extra``."""
    return SOURCE.replace(replace, extra, 1)


def without(text: str, key: str) -> str:
    """``text`` without the front-matter key ``key`` and the lines indented under it."""
    return re.sub(rf"(?m)^{key}:.*\n((?:  .*\n)*)", "", text, count=1)


def with_paragraph(paragraph: str) -> str:
    return SOURCE.rstrip("\n") + "\n\n" + paragraph + "\n"


def errors_of(folder: Path) -> list[PressroomError]:
    with pytest.raises(PressroomError) as caught:
        read_manuscript(folder)
    error = caught.value
    return list(error.errors) if isinstance(error, ErrorGroup) else [error]


def line_of(folder: Path, needle: str) -> int:
    lines = (folder / "article.md").read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, 1) if needle in line)


# -- pasted text ------------------------------------------------------------------------

def test_pasted_spaces_are_normalised_everywhere_and_no_text_is_lost(tmp_path):
    front = ('kicker: "高点\\t站位\\u00a0Adobe\\u2007公司"\n'
             'subtitle: "副题\\u202fGoogle\\u200b\\u00ad\\N新闻"\n'
             "byline:\n  - role: \"记者\\u2028站\"\n    names: [\"张\\u3000三\", \"Li\\u00a0Wei\"]\n")
    paragraph = ("公司名称如\u00a0Adobe和Google\u202f。\t末\u001c尾\u0085甲\u2028乙\u2003丙"
                 "&shy;丁&nbsp;x\u200b\ufeffy\u200cz\u200dw Wo\u2060rd 如\u2060和")
    folder = copy(tmp_path, without(with_paragraph(paragraph), "byline").replace(KICKER, front, 1)
                  .replace("## 勇于担当", "## 勇于担当\u00a0Adobe\u205f用心"))
    article = read_manuscript(folder)
    assert article.kicker == "高点 站位\u00a0Adobe\u00a0公司"
    assert article.subtitle == "副题\u00a0Google 新闻"
    assert [(c.role, c.names) for c in article.byline.credits] == [
        ("记者 站", ("张\u3000三", "Li\u00a0Wei"))]
    text = article.blocks[-1].text
    assert text == ("公司名称如\u00a0Adobe和Google\u00a0。 末 尾 甲 乙 丙丁\u00a0xyzw Wo\u00a0rd 如和")
    subhead = next(b for b in article.blocks if b.kind == "subhead" and LAST in b.text)
    # A no-break space keeps its words on one line of the subhead; U+205F is a space.
    assert subhead.lines[0] == "勇于担当\u00a0Adobe"
    every = [article.kicker, article.subtitle, article.byline.text, *article.headline,
             *(b.caption if b.kind == "figure" else b.text for b in article.blocks)]
    allowed = {" ", "\u3000", "\u00a0"}
    for part in every:
        assert all(ch.isprintable() or ch in allowed for ch in part), ascii(part)


@pytest.mark.parametrize("char", ["\u001b", "\u0007", "\u007f", "\u0090", "\u202e",
                                  "\u2066", "\uffff"])
def test_a_refused_character_is_named_at_its_line_and_column(tmp_path, char):
    folder = copy(tmp_path, with_paragraph(f"正文前{char}后。"))
    [error] = errors_of(folder)
    assert error.code == "PR132"
    assert (error.where.line, error.where.column) == (line_of(folder, "正文前"), 4)
    assert f"U+{ord(char):04X}" in str(error) and char not in str(error)


def test_refused_characters_written_as_escapes_or_references_are_found(tmp_path):
    folder = copy(tmp_path, with_paragraph("正文&#x202E;和&#27;尾。")
                  .replace(KICKER, 'kicker: "引\\e题"\n', 1))
    errors = errors_of(folder)
    assert {e.code for e in errors} == {"PR132"}
    places = sorted((e.where.line, e.where.column, re.search(r"U\+\w+", e.message).group())
                    for e in errors)
    body = line_of(folder, "正文&#x202E;")
    assert places == [(line_of(folder, "kicker:"), 9, "U+001B"), (body, 3, "U+202E"),
                      (body, 12, "U+001B")]


def test_many_refused_characters_are_counted_not_listed(tmp_path):
    folder = copy(tmp_path, with_paragraph("字\u0001" * 500))
    errors = errors_of(folder)
    assert len(errors) == 10 and "490 more" in errors[-1].message


def test_the_rule_keeps_emoji_sequences_and_is_idempotent():
    text = "👩\u200d💻 a\u200db a\u2060b 中\u2060b \u2060x"
    assert normalise_text(text) == "👩\u200d💻 ab a\u00a0b 中b x"
    assert normalise_text(normalise_text(text)) == normalise_text(text)


def test_a_page_plan_is_held_to_the_same_rule(tmp_path):
    editions = tmp_path / "manuscript" / "editions"
    editions.mkdir(parents=True)
    shutil.copytree(DEFAULT, tmp_path / "manuscript" / "boshan-report")
    plan = editions / "sample.yaml"
    plan.write_text("publication: \"示例\\u00a0Daily\\t日报\"\npages:\n  - page: 第1版\n"
                    "    section: 要\u2028闻\n    stories: [../boshan-report]\n", encoding="utf-8")
    read = read_plan(plan)
    assert read.publication == "示例\u00a0Daily 日报" and read.pages[0].section == "要 闻"
    plan.write_text("publication: 示例日报\ndate: 2021-02-30\npages:\n  - page: 第1版\n",
                    encoding="utf-8")
    with pytest.raises(PressroomError) as caught:
        read_plan(plan)
    assert (caught.value.code, caught.value.where.line) == ("PR152", 2)
    assert "date that exists" in str(caught.value)
    plan.write_text("publication: 示例日报\npages:\n  - page: 第1\u001b版\n"
                    "    editor: \"张\\x07三\"\n", encoding="utf-8")
    with pytest.raises(PressroomError) as caught:
        read_plan(plan)
    errors = caught.value.errors if isinstance(caught.value, ErrorGroup) else [caught.value]
    assert sorted((e.code, e.where.line, e.where.column) for e in errors) == [
        ("PR132", 3, 13), ("PR132", 4, 13)]


# -- front matter -----------------------------------------------------------------------

WRONG_VALUES = ["[a, b]", "{a: 1}", "[[1, [2]]]", "9" * 5000, "1.0e+400", ".nan", "true",
                "!!binary aGVsbG8=", "2021-02-30", "[2021-02-30]", "{role: [x]}", "- x\n  - y",
                "'  '", "~", "!!set {a, b}", "\"\\u0000\"", "'" + "长" * 3000 + "'"]
KEYS = ["title", "kicker", "subtitle", "byline", "publication", "section", "date", "page",
        "page_editor", "jump_title", "lang", "identifier", "layout"]


@pytest.mark.parametrize("key", KEYS)
def test_a_front_matter_value_of_any_kind_reads_or_fails_at_its_line(tmp_path, key):
    for number, value in enumerate(WRONG_VALUES):
        folder = tmp_path / f"{key}-{number}"
        shutil.copytree(DEFAULT, folder)
        text = without(SOURCE, key).replace("---\n", f"---\n{key}: {value}\n", 1)
        (folder / "article.md").write_text(text, encoding="utf-8")
        try:
            read_manuscript(folder)
        except PressroomError as error:
            errors = error.errors if isinstance(error, ErrorGroup) else [error]
            for each in errors:
                assert re.fullmatch(r"PR10[1-7]|PR132", each.code), str(each)
                assert each.where.line is not None, str(each)
            assert any(each.where.line == 2 for each in errors), str(error)
            assert all(ch.isprintable() for ch in str(error).replace("\n", "")), ascii(str(error))


def test_a_date_that_does_not_exist_is_an_error_at_its_line(tmp_path):
    for written in ("2021-02-30", "'2021-02-30'", "2021-13-01"):
        folder = copy(tmp_path, with_front(f"date: {written}\n" + KICKER), name=written)
        [error] = errors_of(folder)
        assert error.code == "PR105" and error.where.line == line_of(folder, "date:")
        assert "date that exists" in str(error)
    article = read_manuscript(copy(tmp_path, with_front("date: 2024-02-29\n" + KICKER)))
    assert article.date.isoformat() == "2024-02-29"


def test_a_yaml_merge_key_is_refused_at_its_line(tmp_path):
    for extra in ("<<: {section: 要闻}\n", "layout:\n  <<: {columns: 4}\n"):
        folder = copy(tmp_path, with_front(KICKER + extra), name=str(len(extra)))
        [error] = errors_of(folder)
        assert error.code == "PR102" and error.where.line == line_of(folder, "<<")
        assert "merge key" in str(error)


def test_text_keys_read_as_written(tmp_path):
    folder = copy(tmp_path, with_front("kicker: 2021-02-30\npage: 01\nsection: no\n"))
    article = read_manuscript(folder)
    assert (article.kicker, article.printing.page_label, article.printing.section) == \
        ("2021-02-30", "01", "no")


def test_thousands_of_keys_and_a_long_title_read_fast(tmp_path):
    keys = "".join(f"key{number}: 值\n" for number in range(3000))
    folder = copy(tmp_path, with_front(KICKER + keys))
    start = time.perf_counter()
    errors = errors_of(folder)
    assert time.perf_counter() - start < 3
    assert len(errors) == 3000 and {e.code for e in errors} == {"PR101"}
    folder = copy(tmp_path, re.sub(r"(?m)^title: .*$", "title: " + "奋" * 5000, SOURCE),
                  name="long")
    start = time.perf_counter()
    assert len(read_manuscript(folder).title) == 5000
    assert time.perf_counter() - start < 3


# -- layout settings --------------------------------------------------------------------

NUMERIC = [field for field, default in vars(DEFAULT_SETTINGS).items()
           if isinstance(default, (int, float, tuple)) and not isinstance(default, bool)]
BAD_NUMBERS = [".nan", ".inf", "-.inf", "0", "-1", "1.0e+20", "1.0e-9", "true", "'9'", "[]",
               "{a: 1}", "9" * 400, "100000"]


def test_every_numeric_setting_has_a_bound():
    assert [bound.key for bound in BOUNDS] == NUMERIC
    for bound in BOUNDS:
        default = getattr(DEFAULT_SETTINGS, bound.key)
        values = default if isinstance(default, tuple) else (default,)
        high = getattr(DEFAULT_SETTINGS, bound.high) if isinstance(bound.high, str) else bound.high
        assert all(bound.low <= value <= high for value in values), bound


@pytest.mark.parametrize("key", NUMERIC)
def test_a_setting_out_of_its_type_or_range_is_pr107_at_its_line(tmp_path, key):
    for number, value in enumerate(BAD_NUMBERS):
        if key in ("figure_crop", "bleed") and value in ("0", "1.0e-9"):
            continue  # no crop (no bleed) at all, or next to none, is a setting
        layout = f"layout:\n  format: 八开\n  {key}: {value}\n"
        folder = copy(tmp_path, with_front(KICKER + layout), name=f"{key}-{number}")
        errors = errors_of(folder)
        assert {e.code for e in errors} == {"PR107"}, "\n".join(map(str, errors))
        assert errors[0].where.line == line_of(folder, f"  {key}:"), str(errors[0])
        assert key in str(errors[0])


def test_all_bad_settings_are_reported_at_once(tmp_path):
    folder = copy(tmp_path, with_front(KICKER + "layout:\n  body_size: 20\n  columns: 0\n"
                                       "  leading_step: .nan\n  subhead_rows: []\n"
                                       "  colums: 4\n  punctuation: 半身式\n"))
    errors = errors_of(folder)
    assert [(e.code, e.where.line) for e in errors] == [
        ("PR107", line_of(folder, name)) for name in
        ("body_size", "columns:", "leading_step", "subhead_rows")] + [
        ("PR105", line_of(folder, "colums")), ("PR107", line_of(folder, "punctuation"))]
    assert "did you mean 'columns'" in str(errors[4])


def test_settings_at_their_bounds_read_and_a_sheet_too_small_is_pr140(tmp_path):
    lowest = {bound.key: bound.low for bound in BOUNDS}
    lowest["subhead_rows"] = [2]
    highest = {bound.key: bound.high for bound in BOUNDS if not isinstance(bound.high, str)}
    highest["subhead_rows"], highest["figure_columns"] = [8, 8, 8, 8], 20
    assert settings_from(lowest).page_width == 100 and settings_from(highest).columns == 20
    assert isinstance(settings_from({"figure_crop": 0}), Settings)
    folder = copy(tmp_path, with_front(KICKER + "layout:\n  page_width: 100\n  columns: 20\n"))
    [error] = errors_of(folder)
    assert error.code == "PR140" and error.where.line == line_of(folder, "layout:")


def _readme_settings_table() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Layout settings\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Layout settings' section"
    rows = [line for line in match.group(1).splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def test_the_readme_settings_table_is_the_bounds_table():
    documented = _readme_settings_table()
    assert [row[0].strip("`") for row in documented] == [bound.key for bound in BOUNDS]
    for row, bound in zip(documented, BOUNDS):
        key, low, high, unit, what = row
        assert math.isclose(float(low), bound.low), row
        if isinstance(bound.high, str):
            assert high.strip("`") == bound.high, row
        else:
            assert math.isclose(float(high), bound.high), row
        assert (unit, what) == (bound.unit, bound.what), row


# -- the folder's name ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["..x", ".hidden", "中" * 80, "new\nline", "esc\u001bape",
                                  "bidi\u202eevil"])
def test_a_folder_name_that_cannot_name_outputs_is_pr108_before_anything_is_written(tmp_path,
                                                                                     name):
    folder = copy(tmp_path, name=name)
    [error] = errors_of(folder)
    assert error.code == "PR108"
    assert all(ch.isprintable() for ch in str(error)), ascii(str(error))
    out = tmp_path / "out"
    with pytest.raises(PressroomError):
        build.build_pdf(folder, out_dir=out)
    assert not out.exists() or not any(out.iterdir())


def test_a_folder_name_of_150_bytes_builds(tmp_path):
    name = "博" * 50  # 150 bytes in UTF-8, the most a name may take
    out = tmp_path / "out"
    pdf = build.build_pdf(copy(tmp_path, name=name), out_dir=out)
    assert Path(pdf).name == name + ".pdf" and Path(pdf).read_bytes().startswith(b"%PDF")
    assert output_names(out) == [name + ".pdf"]


def test_a_plan_names_nothing_a_manuscript_folder_could_not_be(tmp_path):
    editions = tmp_path / "manuscript" / "editions"
    editions.mkdir(parents=True)
    plan = editions / "sample.yaml"
    for bad in ("edition: " + "报" * 60, "file_names: '{label}" + "版" * 60 + ".pdf'"):
        plan.write_text(f"publication: 示例日报\n{bad}\npages:\n  - page: 第1版\n",
                        encoding="utf-8")
        with pytest.raises(PressroomError) as caught:
            read_plan(plan)
        assert caught.value.code == "PR152" and "not a safe" in str(caught.value)


# -- a manuscript's own layouts/ --------------------------------------------------------

def with_layouts(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = copy(tmp_path)
    for name, content in files.items():
        path = folder / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder


def test_a_template_that_does_not_parse_is_empty_or_not_utf8_is_pr160(tmp_path):
    folder = with_layouts(tmp_path, {"page.html.j2": "<p>\n{{ x }}\n{{ x + }}\n<p>\n",
                                     "chapter.html.j2": " \n",
                                     "partials/byline.html.j2": "<p>\n乙".encode("gb18030")})
    errors = errors_of(folder)
    found = sorted((Path(e.where.path).name, e.where.line, e.code) for e in errors)
    assert found == [("byline.html.j2", 2, "PR160"), ("chapter.html.j2", 1, "PR160"),
                     ("page.html.j2", 3, "PR160")], "\n".join(map(str, errors))


REMOTE = ['@import url(http://127.0.0.1:9/a.css);', '@import "https://x.test/a.css";',
          'a { background: url(//host/x.png) }',
          'a { background: url("data:image/png;base64,AA") }',
          'a { background: url(file:///etc/passwd) }', 'a { background: url(/etc/x.png) }',
          'a { background: url(../../../x.png) }',
          '@font-face { font-family: X; src: local("SimSun"), url(x.woff) }',
          '@media print { a { background: URL(http://x.test/y.png) } }',
          'a { background-image: image-set("http://x.test/a.png" 1x) }']


@pytest.mark.parametrize("sheet", ["css/print.css", "css/epub.css"])
def test_a_stylesheet_may_fetch_nothing_from_outside_the_manuscript(tmp_path, sheet):
    css = "\n".join(["/* url(http://in.a/comment) */", *REMOTE,
                     "b { background: url(photo.png) } c { filter: url(#f) }"])
    folder = with_layouts(tmp_path, {sheet: css})
    errors = errors_of(folder)
    assert {e.code for e in errors} == {"PR161"}
    assert sorted(e.where.line for e in errors) == list(range(2, 2 + len(REMOTE)))
    assert all(e.where.column and Path(e.where.path).name == Path(sheet).name for e in errors)


def test_a_stylesheet_inside_the_folder_and_not_utf8(tmp_path):
    (tmp_path / "fine").mkdir()
    folder = with_layouts(tmp_path, {"css/print.css": "a { background: url(../../opening-"
                                     "ceremony.jpg) }\n@import 'shared.css';\n"})
    read_manuscript(folder)
    shutil.rmtree(folder)
    folder = with_layouts(tmp_path, {"css/print.css": "a {}\n/* 注释 */".encode("gb18030")})
    [error] = errors_of(folder)
    assert (error.code, error.where.line) == ("PR161", 2) and "UTF-8" in str(error)


# -- photos -----------------------------------------------------------------------------

def with_photo(tmp_path: Path, data: bytes, name: str) -> Path:
    folder = copy(tmp_path, name=name.replace(".", "-"))
    (folder / name).write_bytes(data)
    text = (folder / "article.md").read_text(encoding="utf-8")
    (folder / "article.md").write_text(re.sub(r"\]\([^)]+\.jpg\)", f"]({name})", text, count=1),
                                       encoding="utf-8")
    return folder


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_16_bit_png_and_an_mpo_read(tmp_path):
    sixteen = Image.new("I;16", (2400, 1600))
    sixteen.putdata([(x * 27) % 65536 for x in range(2400 * 1600)])
    article = read_manuscript(with_photo(tmp_path, _png(sixteen), "grey16.png"))
    assert article.figures[0].image.name == "grey16.png"
    frames = [Image.new("RGB", (2400, 1600), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "MPO", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    article = read_manuscript(with_photo(tmp_path, out.getvalue(), "camera.jpg"))
    assert article.figures[0].image.name == "camera.jpg"


def test_a_damaged_png_gets_a_plain_sentence(tmp_path):
    data = bytearray(_png(Image.new("RGB", (2400, 1600), "green")))
    # Break the checksum of the header chunk (IHDR's CRC sits at bytes 29-32).
    data[29:33] = struct.pack(">I", zlib.crc32(b"wrong") & 0xFFFFFFFF)
    [error] = errors_of(with_photo(tmp_path, bytes(data), "broken.png"))
    assert error.code == "PR306" and "'broken.png'" in str(error)
    assert "codec" not in str(error) and "\\x" not in str(error)


def test_the_printed_resolution_is_of_the_photo_as_it_is_meant_to_be_seen(tmp_path):
    # 3000 pixels across as stored, turned a quarter by its EXIF orientation: 400 across.
    image = Image.new("RGB", (3000, 400), "grey")
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    folder = with_photo(tmp_path, out.getvalue(), "turned.jpg")
    with diagnostics(strict=True):
        [error] = errors_of(folder)
    assert error.code == "PR501" and "400 pixels wide" in str(error)


def test_pasted_no_break_spaces_build_with_every_word_in_both_outputs(tmp_path):
    # Pasted text is full of U+00A0 and U+202F: it builds, and no Latin word goes missing.
    sentence = "文化旅游已成为博山一张亮丽的名片。"
    assert sentence in SOURCE
    folder = copy(tmp_path, SOURCE.replace(
        sentence, "文化旅游已成为博山一张亮丽的名片，如\u00a0Adobe和Google\u202f等。", 1))
    out = tmp_path / "out"
    pdf = pypdfium2.PdfDocument(str(build.build_pdf(folder, out_dir=out)))
    printed = "".join(page.get_textpage().get_text_range() for page in pdf)
    with zipfile.ZipFile(build.build_epub(folder, out_dir=out)) as book:
        read = "".join(book.read(name).decode("utf-8") for name in book.namelist()
                       if name.endswith(".xhtml"))
    for word in ("Adobe", "Google"):
        assert word in printed and word in read, word
