"""Composing a story onto its pages (拼版): set every text, choose the frames, pour.

Takes an ``Article`` and the ``PageSpec`` of where it is printed; gives a ``Layout``: one
``Page`` or several, each with every box placed in points from the page's top-left corner,
which the layouts only print. Every body line takes one row of the page's grid; subheads,
a photo with its caption and the byline take whole rows, so the baselines of neighbouring
columns stay level.

Copyfitting is a search over what a layout editor would change, each within the bounds of
``pressroom.settings``: the line pitch (leading), a photo's height (cropping a little), the
band a subhead takes (three or four rows) and a spare row before the byline. In order:

1. **Fill the page.** The first layout in which every column is full and the last ends
   within a line of the others wins, as on a page made for one story.
2. **A short story is set at its own size**: the lead module, in two or three columns up to
   ``SHORT_STORY`` characters and across the page beyond, as deep as its text needs, its
   columns ending within one line of each other; the rest of the type area stays empty and
   is reported (PR502).
3. **A long story continues** on as many pages as it needs: the first page as in 1, each
   following page under a jump headline, with the jump lines of Chinese papers, （下转第6版）
   at the foot of the last column before the break and （上接第5版） at the head of the
   continuation; the last page filled if a leading fills it, else set as in 2.
"""
from __future__ import annotations

from ..errors import Location, ManuscriptError, raise_all
from ..fonts import SONG
from ..reading.model import Article, PageSpec, Subhead
from .copyfit import (MAX_PAGES, fewest_pages, fill, natural, no_fill, pitches, ragged,
                      subhead_bands, too_long)
from .flow import KEEP_AFTER_SUBHEAD
from .folios import furniture, page_labels
from .frames import PT_PER_MM
from .pages import make_sheet, strip_too_long
from .parts import Layout
from .texts import MAX_LINES, Texts, jump_head, keep_paragraphs


def compose(article: Article, spec: PageSpec) -> Layout:
    """Set every text of the article and place it on as many pages as it needs."""
    texts = Texts.of(article, spec.settings)
    try:
        return _made_up(texts, spec)
    finally:
        # The editor's note is set with the head, at the width the make-up gives it.
        keep_paragraphs(texts.faces)


def _made_up(texts: Texts, spec: PageSpec) -> Layout:
    _check_columns(texts, spec)
    tried: list[int] = []
    if spec.settings.fill:  # one page, full, or a message that says which way and how much
        return fill(texts, spec, 1, tried) or _raise(no_fill(texts, spec, tried))
    fewest = fewest_pages(texts, spec)
    if fewest > MAX_PAGES:
        raise too_long(texts, spec)
    for count in range(fewest, MAX_PAGES + 1):
        tried = []
        fitted = fill(texts, spec, count, tried)
        if fitted:
            return fitted
        if min(tried, default=0) < 0:  # at some leading the pages hold more than the story
            fitted = natural(texts, spec, count) or ragged(texts, spec, count)
            if fitted:
                return fitted
    raise too_long(texts, spec)


def _raise(error: Exception):
    raise error


def _check_columns(texts: Texts, spec: PageSpec) -> None:
    """Refuse (PR116) what no page of the layout can hold, before the search that would
    only say to cut text: a subhead or byline deeper than a column at the tightest leading
    (a subhead with the lines that must stand under it), a jump title of more lines than
    a headline, header-strip texts wider than the sheet."""
    article = texts.article
    errors = []

    def where(key: str) -> Location:
        return article.where.get(key) or Location(article.source)

    jump = jump_head(texts, spec.jump_title)
    if spec.jump_title and len(jump.headline) > MAX_LINES["title"]:
        raise ManuscriptError(
            f"the jump title takes {len(jump.headline)} lines across the page, more than "
            f"the {MAX_LINES['title']} it may", where("jump_title"), "shorten the jump title",
            code="PR116")
    pitch = min(pitches(texts.settings))
    # The rows of a continuation's column, its first kept for （上接…）.
    rows = make_sheet(texts, jump, pitch).frame.rows - 1
    for block in article.blocks:
        if isinstance(block, Subhead) and \
                min(subhead_bands(texts, block, pitch)) + KEEP_AFTER_SUBHEAD > rows:
            errors.append(ManuscriptError(
                f"the subhead takes {len(texts.subheads[id(block)])} lines "
                f"({min(subhead_bands(texts, block, pitch))} rows): with the two lines that "
                f"must follow it, more than a column of the page holds ({rows} rows)",
                block.where, "shorten the subhead", code="PR116"))
    # The header strip is one line across the type area, its texts side by side: past
    # the sheet's width they would be drawn off it.
    lang = texts.faces[SONG].lang
    strip = furniture(spec, page_labels(spec.page_label, 1, lang), 0, lang)
    sheet = texts.settings.page_width * PT_PER_MM
    too_long_strip = strip_too_long(texts, strip, sheet)
    if too_long_strip:
        name, total = too_long_strip
        key = "page_editor" if name == "editor" else name
        errors.append(ManuscriptError(
            f"the header strip's texts are {total:.0f} pt wide, the sheet {sheet:.0f} pt: "
            f"its {key.replace('_', ' ')} is too long for one line",
            where(key), f"shorten the {key.replace('_', ' ')}", code="PR116"))
    if len(texts.byline) > rows:
        errors.append(ManuscriptError(
            f"the byline takes {len(texts.byline)} lines: deeper than a column of the page "
            f"({rows} rows)", where("byline"),
            "shorten the byline", code="PR116"))
    raise_all(errors)
