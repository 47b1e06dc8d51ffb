"""The build's own check of its outputs: before anything is written, what each holds is
read back and held against the manuscript.

Every part of the article (kicker, headline, subtitle, the editor's note, each paragraph,
subhead and caption, the byline) must be there in reading order, across the jumps: in the
laid-out page (``pressroom.outputs.drawn`` reads what it draws) and in the e-book's
chapters (``verify_ebook``). A part that is missing is a BuildError (PR420) naming it and
its manuscript line, and saying whether it was drawn off the sheet, clipped or too small.
So no build that exits 0 has lost a character. A press PDF's inks are read back here too,
with the press checks' own reader (PR431).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterable

from lxml import etree

from .. import labels
from ..errors import BuildError, ErrorGroup, Location
from ..reading.model import Article


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


def lost_part(article: Article, text: str, unseen: Iterable[tuple[str, str]],
              what: str, figures: str = "") -> BuildError | None:
    """PR420 for the first part of ``article`` that ``text`` (``what``: "the page") does not
    hold in order, saying why if it was drawn where no reader sees it; None if it holds all."""
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


# Around the masthead name's line box, where its process red may lie: a glyph standing
# proud of its line, never as far as the date lines a grid row under it.
NAME_MARGIN_PT = 3.0


def verify_edition_inks(layout, pdf: bytes, variant) -> None:
    """``verify_inks`` for an edition's PDF as WeasyPrint wrote it, before the artwork is
    stamped on (supplied artwork, a masthead's too, has its inks checked apart): the
    masthead's name set in type may stand in process red on a colour page, nothing else
    may. The boxes are in the PDF's user space, whose origin is the trim's bottom left
    (WeasyPrint puts a bleed at negative coordinates)."""
    allowed = tuple(_name_box(number, page, line.box)
                    for number, page in enumerate(layout.pages) if page.colour and page.masthead
                    for line in page.masthead.lines if line.kind == "name")
    _refuse_inks(_ink_faults(pdf, variant, allowed), variant, layout.plan.folder,
                 Location(layout.plan.source))


def _name_box(number: int, page, line) -> tuple:
    """``(page, x0, y0, x1, y1)`` of a masthead name's line (a Box from the masthead's top
    left) with its margin, in the PDF's user space (y upwards from the trim's foot)."""
    left = page.masthead.box.left + line.left
    top = page.masthead.box.top + line.top
    margin = NAME_MARGIN_PT
    return (number, left - margin, page.height - top - line.height - margin,
            left + line.width + margin, page.height - top + margin)


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
