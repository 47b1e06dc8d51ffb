"""Frames and pages: any article of any length becomes a page or pages.

Real articles (``tests/articles``, official documents free to reuse) of 300 to 6,500
characters are composed and checked for what a layout editor checks on the proofs: every
paragraph once and in order across the pages, the jump lines on both sides of every break
pointing at the right page labels, a short story's columns ending within one line, no box
outside its page's type area. A Hypothesis property builds generated articles of 150 to
9,000 characters with up to four photos: each comes out as a page or pages, never an error.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pypdfium2
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings, strategies as st

import pdfinfo
from pressroom import build, fonts
from pressroom.checks.check import type_area
from pressroom.outputs.verify import LINE_END_HYPHEN
from pressroom.errors import diagnostics
from pressroom.reading.manuscript import read_manuscript
from pressroom.typesetting.compose import compose
from pressroom.typesetting.parts import SetParagraph

# A failing example's report imports libcst, which warns on import; under this suite's
# filterwarnings=error that warning would replace the report.
pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")

ARTICLES = Path(__file__).resolve().parent / "articles"
REAL = sorted(path.parent for path in ARTICLES.glob("*/article.md"))
PHOTOS = sorted((Path(__file__).resolve().parent / "manuscripts" / "photos").glob("photo-*.jpg"))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def body_text(article) -> str:
    return squeeze("".join(block.text for block in article.blocks if block.kind == "paragraph"))


def check_layout(article, layout) -> None:
    pages = layout.pages
    set_text = "\n".join(line.text for page in pages for block in page.blocks
                         if isinstance(block, SetParagraph) for line in block.lines)
    # A Latin piece too wide for its column is cut, with a hyphen between two letters.
    assert squeeze(LINE_END_HYPHEN.sub("", set_text)) == body_text(article)
    settings = article.printing.settings
    left, top, right, bottom = type_area(settings)
    for number, page in enumerate(pages):
        boxes = [block.box for block in page.blocks]
        boxes += [page.byline.box] if page.byline else []
        boxes += [jump.box for jump in (page.jump_from, page.jump_to) if jump]
        for box in boxes:
            assert left - 1e-6 <= box.left and box.right <= right + 1e-6, box
            assert top - 1e-6 <= box.top and box.bottom <= bottom + 1e-6, box
        if number + 1 < len(pages):
            assert page.jump_to.text == f"（下转{pages[number + 1].furniture.page}）"
        else:
            assert page.jump_to is None
        if number:
            assert page.jump_from.text == f"（上接{pages[number - 1].furniture.page}）"
        else:
            assert page.jump_from is None and page.headline is not None
    last = pages[-1]
    if last.free is not None and not last.free.holes:
        # Set at its natural length: the columns end within a line of each other.
        ends = last.column_ends
        assert max(ends) - min(ends) <= 1, ends
    if last.free is not None and last.free.holes:
        # No layout kept every rule: the holes are counted, for PR502 to report.
        ends = last.column_ends
        assert max(ends) - min(ends) <= 1 + last.free.holes, (ends, last.free)


def levelled(layout) -> bool:
    last = layout.pages[-1]
    return not any(page.free and page.free.holes for page in layout.pages) and \
        max(last.column_ends) - min(last.column_ends) <= 1


def test_there_are_a_dozen_real_articles_of_every_length():
    lengths = [len(body_text(read_manuscript(folder))) for folder in REAL]
    assert len(REAL) >= 12
    assert min(lengths) < 700 and max(lengths) > 5000
    for folder in REAL:
        source = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert "licen" in source.lower() or "许可" in source, folder


@pytest.mark.parametrize("folder", REAL, ids=[folder.name for folder in REAL])
def test_a_real_article_is_composed_on_a_page_or_pages(folder):
    article = read_manuscript(folder)
    layout = compose(article, article.printing)
    check_layout(article, layout)
    assert levelled(layout)  # every real article keeps every rule
    characters = len(body_text(article))
    if characters < 1000:
        assert len(layout.pages) == 1
    if characters > 5000:
        assert len(layout.pages) >= 2


def test_a_long_article_builds_to_pages_that_read_whole(tmp_path):
    # The longest real article twice over: a full text (全文) of about 13,000 characters.
    longest = max(REAL, key=lambda folder: len(body_text(read_manuscript(folder))))
    folder = tmp_path / "long"
    shutil.copytree(longest, folder, ignore=shutil.ignore_patterns("*.png"))
    text = (folder / "article.md").read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    (folder / "article.md").write_text(head + "\npage: 第A05版\n---\n" + body + "\n" + body,
                                       encoding="utf-8")
    article = read_manuscript(folder)
    with diagnostics() as collected:
        pdf = build.build_pdf(folder, tmp_path / "out")
    count = pdfinfo.page_count(pdf)
    assert count >= 3
    labels = [f"第A{number:02d}版" for number in range(5, 5 + count)]
    text = squeeze(pdfinfo.text(pdf))
    for paragraph in (block for block in article.blocks if block.kind == "paragraph"):
        assert squeeze(paragraph.text) in text
    document = pypdfium2.PdfDocument(str(pdf))
    for number in range(count):
        page = squeeze(document[number].get_textpage().get_text_range())
        assert labels[number] in page[:80]
        if number + 1 < count:
            assert f"（下转{labels[number + 1]}）" in page
        if number:
            assert f"（上接{labels[number - 1]}）" in page
    # The last page's free rows; the spaces the regulations' headers put after a date.
    assert {warning.code for warning in collected.warnings} <= {"PR502", "PR503", "PR507"}
    # The e-book reads whole: every paragraph, no jump line, no jump headline.
    with zipfile.ZipFile(build.build_epub(folder, tmp_path / "out")) as book:
        chapter = book.read(next(name for name in book.namelist()
                                 if name.endswith("chapter.xhtml"))).decode("utf-8")
    chapter_text = squeeze(re.sub(r"<[^>]+>", "", chapter))
    assert all(squeeze(p.text) in chapter_text for p in article.blocks if p.kind == "paragraph")
    assert "下转" not in chapter_text and "上接" not in chapter_text
    assert chapter.count(article.title) <= 2  # the title and the headline, not a jump headline


# -- the property ---------------------------------------------------------------------

_COVERED = frozenset.intersection(*(fonts.cmap(face) for face in fonts.FACES))
HAN = sorted(chr(code) for code in _COVERED if 0x4E00 <= code <= 0x9FFF)
_piece = st.one_of(*[st.sampled_from(HAN)] * 12, st.sampled_from(list("，。、；：“”《》（）")),
                   st.sampled_from(["2021年", "5G", "GDP", "3.5%", "——"]))
paragraph = st.lists(_piece, min_size=20, max_size=400).map("".join)
heading = st.lists(st.sampled_from(HAN), min_size=4, max_size=14).map("".join)

# The same examples on every run, so that CI is reproducible; a longer random search is
# PRESSROOM_PAGES_EXAMPLES=500 with derandomize switched off.
EXAMPLES = int(os.environ.get("PRESSROOM_PAGES_EXAMPLES", "25"))


@st.composite
def articles(draw):
    """(article.md, the photos it names, its body paragraphs) of 150 to 9,000 characters."""
    target = draw(st.integers(150, 9000))
    front = {"title": draw(heading)}
    if draw(st.booleans()):
        front["kicker"] = draw(heading)
    if draw(st.booleans()):
        front["byline"] = "本报记者 " + draw(heading)[:3]
    if draw(st.booleans()):
        front["layout"] = {"format": draw(st.sampled_from(["四开", "对开", "八开"]))}
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, width=10_000) + "---\n\n"
    if draw(st.integers(0, 4)) == 0:
        text += "::: editor-note\n" + draw(paragraph)[:200] + "\n:::\n\n"
    photos = draw(st.integers(0, 4))
    paragraphs, length, placed = [], 0, 0
    while length < target:
        words = draw(paragraph)[:max(20, target - length)]
        paragraphs.append(words)
        length += len(words)
        text += words + "\n\n"
        if draw(st.integers(0, 5)) == 0:
            text += f"## {draw(heading)}\n\n"
        if placed < photos and draw(st.booleans()):
            text += (f"::: figure\n![测试用占位图](photo-{placed + 1}.jpg)\n\n"
                     f"{draw(paragraph)[:60]}\n:::\n\n")
            placed += 1
    return text, placed, paragraphs


@settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
@given(articles())
def test_any_article_of_any_length_comes_out_as_a_page_or_pages(generated):
    text, photos, paragraphs = generated
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "story"
        folder.mkdir()
        (folder / "article.md").write_text(text, encoding="utf-8")
        for number in range(photos):
            shutil.copyfile(PHOTOS[number % len(PHOTOS)], folder / f"photo-{number + 1}.jpg")
        with diagnostics():
            pdf = build.build_pdf(folder, Path(scratch) / "out")  # no error of any kind
        pages = pdfinfo.page_count(pdf)
        event(f"{pages} page{'s' if pages > 1 else ''}")
        printed = pdfinfo.squeeze(pdfinfo.text(pdf))
        article = read_manuscript(folder)
        # A photo at the head of a continuation page puts its caption, in the PDF's text,
        # between the two halves of a paragraph that runs over the break: a paragraph is
        # read with any one place a caption is printed taken out (the generated caption may
        # repeat a paragraph's own words, so not only the first such place).
        readings = [printed]
        for figure in article.figures:
            caption = squeeze(figure.caption)
            start = printed.find(caption)
            while caption and start >= 0:
                readings.append(printed[:start] + printed[start + len(caption):])
                start = printed.find(caption, start + 1)
        assert not [words for words in paragraphs
                    if not any(squeeze(words) in reading for reading in readings)]
        layout = compose(article, article.printing)
        check_layout(article, layout)
        event("level" if levelled(layout) else "holes reported")
