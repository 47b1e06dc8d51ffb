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
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Iterable, Iterator

from lxml import etree
from weasyprint.formatting_structure import boxes

from .. import labels
from ..errors import BuildError, ErrorGroup, Location
from ..reading.model import Article

MIN_TEXT_PT = 5.0
TOLERANCE_PT = 1.0  # a glyph's box may touch its clip by a rounding; a hung stop more
HUNG_PT = 12.0  # a hung stop (行末点号悬挂) may stand outside its column, not off the sheet
PX_PER_PT = 4 / 3


def _jump_line(key: str) -> re.Pattern:
    """A jump line as either script prints it (（下转第2版）, （下轉第2版）), its group the
    label it points at."""
    forms = {tuple(text.split("{}")) for text in labels.forms(key)}
    (closing,) = {after for _, after in forms}  # every script closes it with one bracket
    openings = "|".join(sorted(re.escape(before) for before, _ in forms))
    return re.compile(f"(?:{openings})([^{re.escape(closing)}]{{1,12}}){re.escape(closing)}")


# The jump lines of a story that runs on: （下转第2版） at a page's end, （上接第1版） at the
# top of its continuation; a page in Traditional characters prints （下轉第2版）.
JUMP_TO = _jump_line("jump_to")
JUMP_FROM = _jump_line("jump_from")
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
            if block.credit:
                parts.append(Part("a photo credit", block.credit, block.where))
        else:
            parts.append(Part("a subhead" if block.kind == "subhead" else "a paragraph",
                              block.text, block.where))
    if article.byline:
        parts.append(Part("the byline", article.byline.text, article.byline.where))
    return parts


# Parts that stand where the page has room, not necessarily in reading order.
LOOSE = ("a caption", "a photo credit")


def in_order(text: str, parts: list[Part], loose: tuple[str, ...] = (), aside: str = ""
             ) -> tuple[int, Part | None, str]:
    """How many parts ``text`` holds in order, the first it does not, and how it fails
    ("missing" or "out of order"). Parts named in ``loose`` need only be there, in
    ``text`` or in ``aside`` (a page's photos and their captions, read apart: a photo
    stands where the page has room, maybe in the middle of a paragraph that runs past it).
    Where the captions could not be read apart (a PDF's extracted text), a paragraph a
    photo splits is found once the photo's caption is taken out of the text.
    A hyphen at a line's end between letters (``marked``) may be the composer's, added
    where it broke a word, or the manuscript's own (state-of-the-art): either matches."""
    haystack = squeeze(text)
    result = _in_order(haystack, parts, loose, squeeze(aside))
    if result[1] is None or aside or not any(part.name in loose for part in parts):
        return result
    for part in parts:
        if part.name in loose:
            span = _last_span(haystack, squeeze(part.text))
            if span is not None:
                haystack = haystack[:span[0]] + haystack[span[1]:]
    again = _in_order(haystack, parts, loose, squeeze(text))
    return again if again[0] > result[0] else result


def _in_order(haystack: str, parts: list[Part], loose: tuple[str, ...], besides: str
              ) -> tuple[int, Part | None, str]:
    position = 0
    for found, part in enumerate(parts):
        needle = squeeze(part.text)
        if part.name in loose:
            if _span(besides, needle, 0) is None and _span(haystack, needle, 0) is None:
                return found, part, "missing"
            continue
        span = _span(haystack, needle, position)
        if span is None:
            return found, part, "missing" if _span(haystack, needle, 0) is None \
                else "out of order"
        position = span[1]
    return len(parts), None, ""


def _last_span(haystack: str, needle: str) -> tuple[int, int] | None:
    """The last place ``needle`` stands in ``haystack``: a caption the body quotes comes
    before the photo that carries it, more often than after."""
    last, start = None, 0
    while (span := _span(haystack, needle, start)) is not None:
        last, start = span, span[0] + 1
    return last


HYPHEN_MARK = "\x01"  # a line-end hyphen between letters, the composer's or the manuscript's


# A hyphen between letters, with or without a line break after it: a text extractor does
# not always end a column's last line with one. Marked, it still matches the manuscript's
# own hyphen, so marking one the composer did not add costs nothing.
_LETTER_HYPHEN = re.compile(r"(?<=[A-Za-z\u00c0-\u024f])-[ \t]*\n?\s*(?=[A-Za-z\u00c0-\u024f])")


def marked(text: str) -> str:
    """``text`` with each hyphen between letters (at a line's end or not) made
    HYPHEN_MARK."""
    return _LETTER_HYPHEN.sub(HYPHEN_MARK, text)


def _span(haystack: str, needle: str, start: int) -> tuple[int, int] | None:
    """Where ``needle`` stands in ``haystack`` after ``start``, or None."""
    if HYPHEN_MARK not in haystack:
        index = haystack.find(needle, start)
        return None if index < 0 else (index, index + len(needle))
    pattern = "".join(("(?:-|\x01)" if char == "-" else re.escape(char) + "\x01?")
                      for char in needle)
    found = re.compile(pattern).search(haystack, start)
    return found.span() if found else None


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
        # The story's own jump line is its page's last: a paragraph may quote one.
        found = None
        for found in JUMP_TO.finditer(text):
            pass
        pieces.append(text[:found.start()] if found and number < len(texts) - 1 else text)
    return "".join(pieces)


# -- what the laid-out page draws -----------------------------------------------------------

@dataclass(frozen=True)
class Drawn:
    """A page's text as drawn, and the text it draws where no reader can see it."""

    text: str
    unseen: tuple[tuple[str, str], ...]  # (text, why: "off the sheet" ...)
    figures: str = ""  # the text of its photos' captions and credits, read apart


def drawn_text(page_box, within: str | None = None) -> Drawn:
    """The visible text of a laid-out page, a line a line; ``within``: only what the
    element of that id holds (one module of an edition's page)."""
    sheet = (0.0, 0.0, page_box.margin_width(), page_box.margin_height())
    lines: list[str] = []
    figures: list[str] = []
    unseen: list[tuple[str, str]] = []
    for box, seen in _text_boxes(page_box, _Seen(sheet, sheet), within is None, within):
        read = figures if seen.figure else lines
        if box is _BREAK:
            read.append("\n")
            continue
        if not box.text:
            continue
        why = seen.why_unseen(box)
        if why:
            unseen.append((box.text, why))
        else:
            read.append(box.text)
    return Drawn("".join(lines), tuple(unseen), "".join(figures))


@dataclass(frozen=True)
class _Seen:
    """What the boxes around a text box do to it: the sheet, the rectangle that clips it,
    the line box it stands in, and whether an ancestor hides it."""

    sheet: tuple[float, float, float, float]
    clip: tuple[float, float, float, float]
    line: tuple[float, float] | None = None  # the line box's top and bottom
    hidden: str | None = None  # why an ancestor makes it invisible
    figure: bool = False  # inside a photo's figure: its caption and credit

    def inside(self, box) -> "_Seen":
        style = box.style
        seen = self
        if style["transform"] and not self.hidden:
            # WeasyPrint moves the box only when it draws it; where the text ends up is
            # not in the layout, so it cannot be vouched for.
            seen = replace(seen, hidden="moved by a CSS transform, which the build cannot "
                                        "follow")
        if style["opacity"] == 0 and not seen.hidden:
            seen = replace(seen, hidden="made transparent (opacity: 0)")
        if style["overflow"] != "visible" and not isinstance(box, boxes.PageBox):
            seen = replace(seen, clip=_intersect(seen.clip, (
                box.padding_box_x(), box.padding_box_y(),
                box.padding_box_x() + box.padding_width(),
                box.padding_box_y() + box.padding_height())))
        if isinstance(box, boxes.LineBox):
            seen = replace(seen, line=(box.position_y, box.position_y + box.height))
        if getattr(box, "element_tag", None) == "figure":
            seen = replace(seen, figure=True)
        return seen

    def why_unseen(self, box) -> str | None:
        style = box.style
        if self.hidden:
            return self.hidden
        if style["visibility"] != "visible":
            return f"hidden (visibility: {style['visibility']})"
        if getattr(style["color"], "alpha", 1) == 0:
            return "set in a transparent colour"
        size = style["font_size"] / PX_PER_PT
        if size < MIN_TEXT_PT - 1e-6:
            return f"set at {size:.2g} pt, under {MIN_TEXT_PT:g} pt"
        left, right = box.position_x, box.position_x + box.width
        # Height is the line's, not the glyph box's: a face's content area may stand
        # above and below a tight line without any ink being cut.
        top, bottom = self.line or (box.position_y, box.position_y + box.height)
        slack = TOLERANCE_PT * PX_PER_PT
        sheet, clip = self.sheet, self.clip
        if left < sheet[0] - slack or right > sheet[2] + slack or top < sheet[1] - slack \
                or bottom > sheet[3] + slack:
            return "drawn off the sheet"
        hung = HUNG_PT * PX_PER_PT
        if right > clip[2] + hung or left < clip[0] - slack or bottom > clip[3] + slack \
                or top < clip[1] - slack:
            return "cut off by the box that holds it"
        return None


_BREAK = object()  # the end of a line box, read as a new line


def _text_boxes(box, seen: _Seen, inside: bool, within: str | None) -> Iterator[tuple]:
    """Every text box under ``box`` with what its ancestors do to it (``_Seen``), a line
    break after each line box, and only those in the wanted element."""
    element = getattr(box, "element", None)
    if within is not None and element is not None and element.get("id") == within \
            and getattr(box, "element_tag", None) is not None:
        inside = True
    if isinstance(box, boxes.TextBox):
        if inside:
            yield box, seen
        return
    seen = seen.inside(box)
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child, seen, inside, within)
    if isinstance(box, boxes.LineBox) and inside:
        yield _BREAK, seen


def _intersect(a, b):
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


@dataclass(frozen=True)
class _Reading:
    """How far a text holds an article's parts in order."""

    found: int
    total: int
    part: Part | None  # the first part not found, None if all were
    how: str


def _reading(article: Article, text: str, figures: str = "") -> _Reading:
    parts = reading_order(article)
    found, part, how = in_order(marked(text), parts, loose=LOOSE, aside=marked(figures))
    return _Reading(found, len(parts), part, how)


def _problem(article: Article, text: str, unseen: Iterable[tuple[str, str]],
             what: str, figures: str = "") -> BuildError | None:
    return _lost(article, _reading(article, text, figures), unseen, what)


def _lost(article: Article, reading: _Reading, unseen: Iterable[tuple[str, str]],
          what: str) -> BuildError | None:
    part = reading.part
    if part is None:
        return None
    needle = squeeze(part.text)
    why = next((reason for piece, reason in unseen
                if squeeze(piece) and squeeze(piece) in needle), None)
    shown = part.text if len(part.text) <= 24 else part.text[:24] + "…"
    detail = f"partly {why}" if why else reading.how
    return BuildError(f"{what} lost text: {part.name} '{shown}' is {detail} ({reading.found} "
                      f"of {reading.total} parts found in order)",
                      part.where or Location(article.source),
                      "the build wrote nothing; this is a fault of the layouts or of "
                      "Pressroom, not of the manuscript, unless its own layouts/ hide text",
                      code="PR420")


def verify_drawn(article: Article, document) -> None:
    """Every part of ``article`` drawn, visibly, in order on the rendered ``document``."""
    drawn = [drawn_text(page._page_box) for page in document.pages]
    error = _problem(article, join_jumped([d.text for d in drawn]),
                     [u for d in drawn for u in d.unseen], "the page",
                     "\n".join(d.figures for d in drawn))
    if error:
        raise error


def verify_edition(layout, document) -> None:
    """Every story of an edition drawn whole across its pages, each in its own modules."""
    texts: dict[str, list[str]] = {}
    figures: dict[str, list[str]] = {}
    unseen: dict[str, list[tuple[str, str]]] = {}
    for page, rendered in zip(layout.pages, document.pages):
        for index, slug in enumerate(page.stories, 1):
            drawn = drawn_text(rendered._page_box, f"module-{page.number}-{index}")
            texts.setdefault(slug, []).append(drawn.text)
            figures.setdefault(slug, []).append(drawn.figures)
            unseen.setdefault(slug, []).extend(drawn.unseen)
    errors = [error for article in layout.articles
              if (error := _problem(article, join_jumped(texts.get(article.slug, [])),
                                    unseen.get(article.slug, []), "the edition",
                                    "\n".join(figures.get(article.slug, []))))]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)


def reader_texts(epub: bytes) -> list[str]:
    """The text of each of an e-book's reading documents (not its navigation or cover),
    in the order the package lists them, markup taken off."""
    with zipfile.ZipFile(io.BytesIO(epub)) as package:
        names = [name for name in package.namelist() if name.endswith(".xhtml")
                 and PurePosixPath(name).name not in ("nav.xhtml", "cover.xhtml")]
        texts = []
        for name in names:
            root = etree.fromstring(package.read(name), etree.XMLParser(resolve_entities=False,
                                                                          no_network=True))
            body = root.find("{http://www.w3.org/1999/xhtml}body")
            texts.append("".join(body.itertext()) if body is not None else "")
    return texts


def verify_ebook(articles, epub: bytes) -> None:
    """Every part of each article, in order, in one of the e-book's chapters: its own,
    so that one story's byline is never vouched for by another's."""
    texts = reader_texts(epub) or [""]
    errors = []
    for article in articles:
        best = max((_reading(article, text) for text in texts), key=lambda r: r.found)
        error = _lost(article, best, (), "the e-book")
        if error:
            errors.append(error)
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)


def verify_inks(article: Article, pdf: bytes, variant) -> None:
    """A press PDF read back before it is written, as ``invoke check --variant`` reads it:
    no RGB, and text and rules on the black plate alone. The shared layouts set every ink
    through the variant's colour sheet; a manuscript's own stylesheet that sets a colour
    in RGB (``color: #000``) would otherwise reach the plate unseen (PR431)."""
    _refuse_inks(_ink_faults(pdf, variant), variant, article.folder, Location(article.source))


def verify_edition_inks(layout, pdf: bytes, variant) -> None:
    """``verify_inks`` for an edition's PDF as WeasyPrint wrote it, before the artwork is
    stamped on (supplied artwork has its inks checked apart): the masthead's red may stand
    in process colour in the masthead's box of a colour page, nothing else may. The boxes
    are in the PDF's user space, whose origin is the trim's bottom left (WeasyPrint puts a
    bleed at negative coordinates)."""
    allowed = tuple(
        (number, box.left, page.height - box.top - box.height, box.right,
         page.height - box.top)
        for number, page in enumerate(layout.pages) if page.colour and page.masthead
        for box in (page.masthead.box,))
    _refuse_inks(_ink_faults(pdf, variant, allowed), variant, layout.plan.folder,
                 Location(layout.plan.source))


def _ink_faults(pdf: bytes, variant, allowed: tuple = ()) -> list[str]:
    from pypdf import PdfReader

    from ..checks.press import black_plate, process_colour, read_pages  # the same reading

    pages = read_pages(PdfReader(io.BytesIO(pdf)))
    return [result.problem for result in (process_colour(pages, variant),
                                          black_plate(pages, allowed)) if not result.passed]


def _refuse_inks(faults: list[str], variant, folder, where: Location) -> None:
    """PR431 at the folder's own stylesheet, if it has one (what the shared layouts do
    not set), else at the manuscript or plan."""
    if not faults:
        return
    css = folder / "layouts" / "css"
    own = sorted(css.glob("*.css")) if css.is_dir() else []
    raise BuildError(
        f"the {variant.name} PDF would carry inks the plate must not: " + "; ".join(faults),
        Location(own[0]) if own else where,
        "set colours with the variant's inks (var(--ink), var(--placeholder-ink), "
        "var(--masthead-ink), from layouts/css/colours-press.css), never in RGB",
        code="PR431")
