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

from ..reading.model import Article, PageSpec
from .copyfit import MAX_PAGES, fewest_pages, fill, natural, no_fill, ragged, too_long
from .parts import Layout
from .texts import Texts


def compose(article: Article, spec: PageSpec) -> Layout:
    """Set every text of the article and place it on as many pages as it needs."""
    texts = Texts.of(article, spec.settings)
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
