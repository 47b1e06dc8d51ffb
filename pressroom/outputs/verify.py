"""The build's own check of its text: before anything is written, what the laid-out page
draws is read back and held against the manuscript.

WeasyPrint's layout is walked, not the PDF parsed (that is ``invoke check``'s job, from the
file itself): every text box counts only if it lies on the sheet, inside whatever clips it
(a box with ``overflow`` other than visible), at 5 pt or more. The page's text read that
way must hold every part of the article (kicker, headline, subtitle, the editor's note,
each paragraph, subhead and caption, the byline) in reading order, across the jumps; the
e-book's text the same. A part that is missing is a BuildError (PR420) naming it and its
manuscript line, and saying whether it was drawn off the sheet, clipped or too small.
So no build that exits 0 has lost a character.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterable, Iterator

from lxml import etree
from weasyprint.formatting_structure import boxes

from ..errors import BuildError, ErrorGroup, Location
from ..reading.model import Article

MIN_TEXT_PT = 5.0
TOLERANCE_PT = 1.0  # a glyph's box may touch its clip by a rounding; a hung stop more
HUNG_PT = 12.0  # a hung stop (行末点号悬挂) may stand outside its column, not off the sheet
PX_PER_PT = 4 / 3

# The jump lines of a story that runs on: （下转第2版） at a page's end, （上接第1版） at the
# top of its continuation.
JUMP_TO = re.compile(r"（下转([^）]{1,12})）")
JUMP_FROM = re.compile(r"（上接([^）]{1,12})）")
# A Latin word broken over two lines by the composer: the hyphen is not the manuscript's.
LINE_END_HYPHEN = re.compile(r"(?<=[A-Za-z\u00c0-\u024f])-[ \t]*\n\s*(?=[A-Za-z\u00c0-\u024f])")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Part:
    """One part of the article as a reader meets it: its text and where it is written."""

    name: str
    text: str
    where: Location | None


def reading_order(article: Article) -> list[Part]:
    """What a reader meets, in order, with where each is written."""
    where = article.where
    parts: list[Part] = []
    if article.kicker:
        parts.append(Part("the kicker", article.kicker, where.get("kicker")))
    parts.append(Part("the headline", "".join(article.headline), where.get("title")))
    if article.subtitle:
        parts.append(Part("the subtitle", article.subtitle, where.get("subtitle")))
    if article.editor_note:
        parts += [Part("the editor's note", p.text, p.where)
                  for p in article.editor_note.paragraphs]
    for block in article.blocks:
        if block.kind == "figure":
            parts.append(Part("a caption", block.caption, block.where))
        else:
            parts.append(Part("a subhead" if block.kind == "subhead" else "a paragraph",
                              block.text, block.where))
    if article.byline:
        parts.append(Part("the byline", article.byline.text, article.byline.where))
    return parts


def in_order(text: str, parts: list[Part], loose: tuple[str, ...] = ()
             ) -> tuple[int, Part | None, str]:
    """How many parts ``text`` holds in order, the first it does not, and how it fails
    ("missing" or "out of order"). Parts named in ``loose`` need only be there: a photo
    (and its caption) stands where the page has room for it, maybe before its paragraph."""
    haystack, position = squeeze(text), 0
    for found, part in enumerate(parts):
        needle = squeeze(part.text)
        if part.name in loose:
            if needle not in haystack:
                return found, part, "missing"
            continue
        index = haystack.find(needle, position)
        if index < 0:
            return found, part, "missing" if needle not in haystack else "out of order"
        position = index + len(needle)
    return len(parts), None, ""


def join_jumped(texts: list[str]) -> str:
    """A story's parts, one a page in order, read as one text: each part but the last up
    to its （下转…） line, each but the first from its （上接…） line, so that the header
    strip and a continuation's jump headline do not stand inside a paragraph that runs on
    over the break."""
    pieces = []
    for number, text in enumerate(texts):
        if number:
            found = JUMP_FROM.search(text)
            text = text[found.end():] if found else text
        found = JUMP_TO.search(text)
        pieces.append(text[:found.start()] if found and number < len(texts) - 1 else text)
    return "".join(pieces)


# -- what the laid-out page draws -----------------------------------------------------------

@dataclass(frozen=True)
class Drawn:
    """A page's text as drawn, and the text it draws where no reader can see it."""

    text: str
    unseen: tuple[tuple[str, str], ...]  # (text, why: "off the sheet" ...)


def drawn_text(page_box, within: str | None = None) -> Drawn:
    """The visible text of a laid-out page, a line a line; ``within``: only what the
    element of that id holds (one module of an edition's page)."""
    width, height = page_box.margin_width(), page_box.margin_height()
    lines: list[str] = []
    unseen: list[tuple[str, str]] = []
    sheet = (0.0, 0.0, width, height)
    for box, clip, inside in _text_boxes(page_box, sheet, within is None, within):
        if not inside or not box.text:
            continue
        why = _unseen(box, clip, sheet)
        if why:
            unseen.append((box.text, why))
        else:
            lines.append(box.text)
    return Drawn("".join(lines), tuple(unseen))


def _text_boxes(box, clip, inside: bool, within: str | None) -> Iterator[tuple]:
    """Every text box under ``box`` with the rectangle that clips it, a line break after
    each line box (as "\\n" text boxes), and whether it lies in the wanted element."""
    element = getattr(box, "element", None)
    if within is not None and element is not None and element.get("id") == within \
            and getattr(box, "element_tag", None) is not None:
        inside = True
    if isinstance(box, boxes.TextBox):
        yield box, clip, inside
        return
    if box.style["overflow"] != "visible" and not isinstance(box, boxes.PageBox):
        clip = _intersect(clip, (box.padding_box_x(), box.padding_box_y(),
                                 box.padding_box_x() + box.padding_width(),
                                 box.padding_box_y() + box.padding_height()))
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child, clip, inside, within)
    if isinstance(box, boxes.LineBox):
        yield _Break, clip, inside


class _Break:
    """The end of a line box, read as a new line."""

    text = "\n"


def _intersect(a, b):
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _unseen(box, clip, sheet) -> str | None:
    if box is _Break:
        return None
    size = box.style["font_size"] / PX_PER_PT
    if size < MIN_TEXT_PT - 1e-6:
        return f"set at {size:.2g} pt, under {MIN_TEXT_PT:g} pt"
    left, top = box.position_x, box.position_y
    right, bottom = left + box.width, top + box.height
    slack = TOLERANCE_PT * PX_PER_PT
    if right < sheet[0] or left > sheet[2] or bottom < sheet[1] or top > sheet[3] \
            or right > sheet[2] + slack or left < sheet[0] - slack:
        return "drawn off the sheet"
    hung = HUNG_PT * PX_PER_PT
    if right > clip[2] + hung or left < clip[0] - slack or bottom > clip[3] + slack \
            or top < clip[1] - slack:
        return "cut off by the box that holds it"
    return None


def _problem(article: Article, text: str, unseen: Iterable[tuple[str, str]],
             what: str) -> BuildError | None:
    parts = reading_order(article)
    text = LINE_END_HYPHEN.sub("", text)
    found, part, how = in_order(text, parts, loose=("a caption",))
    if part is None:
        return None
    needle = squeeze(part.text)
    why = next((reason for piece, reason in unseen
                if squeeze(piece) and squeeze(piece) in needle), None)
    shown = part.text if len(part.text) <= 24 else part.text[:24] + "…"
    detail = f"partly {why}" if why else how
    return BuildError(f"{what} lost text: {part.name} '{shown}' is {detail} ({found} of "
                      f"{len(parts)} parts found in order)", part.where or Location(article.source),
                      "the build wrote nothing; this is a fault of the layouts or of "
                      "Pressroom, not of the manuscript, unless its own layouts/ hide text",
                      code="PR420")


def verify_drawn(article: Article, document) -> None:
    """Every part of ``article`` drawn, visibly, in order on the rendered ``document``."""
    drawn = [drawn_text(page._page_box) for page in document.pages]
    error = _problem(article, join_jumped([d.text for d in drawn]),
                     [u for d in drawn for u in d.unseen], "the page")
    if error:
        raise error


def verify_edition(layout, document) -> None:
    """Every story of an edition drawn whole across its pages, each in its own modules."""
    texts: dict[str, list[str]] = {}
    unseen: dict[str, list[tuple[str, str]]] = {}
    for page, rendered in zip(layout.pages, document.pages):
        for index, slug in enumerate(page.stories, 1):
            drawn = drawn_text(rendered._page_box, f"module-{page.number}-{index}")
            texts.setdefault(slug, []).append(drawn.text)
            unseen.setdefault(slug, []).extend(drawn.unseen)
    errors = [error for article in layout.articles
              if (error := _problem(article, join_jumped(texts.get(article.slug, [])),
                                    unseen.get(article.slug, []), "the edition"))]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)


def reader_text(epub: bytes) -> str:
    """The text of an e-book's reading documents (not its navigation or cover), in the
    order the package lists them, markup taken off."""
    with zipfile.ZipFile(io.BytesIO(epub)) as package:
        names = [name for name in package.namelist() if name.endswith(".xhtml")
                 and PurePosixPath(name).name not in ("nav.xhtml", "cover.xhtml")]
        texts = []
        for name in names:
            root = etree.fromstring(package.read(name), etree.XMLParser(resolve_entities=False,
                                                                          no_network=True))
            body = root.find("{http://www.w3.org/1999/xhtml}body")
            texts.append("".join(body.itertext()) if body is not None else "")
    return "\n".join(texts)


def verify_ebook(articles, epub: bytes) -> None:
    """Every part of each article in the e-book, in order within that article."""
    text = reader_text(epub)
    errors = [error for article in articles
              if (error := _problem(article, text, (), "the e-book"))]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)
