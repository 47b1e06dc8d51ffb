"""The shared Jinja layouts: one set of partials, two wrappers (print page, EPUB chapter).

Code here prepares a finished context; the templates in ``layouts/`` only loop and print.
A manuscript folder may hold a ``layouts/`` of its own, whose files override the
project's (a loader chain, as in Pelican themes).
"""
from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from ..reading.model import Article, Figure, Paragraph, Subhead
from ..typesetting.parts import (NoteColumn, NotePiece, SetByline, SetFigure, SetHeadline,
                                 SetNote, SetParagraph, SetSubhead)
from ..typesetting.lines import Line

LAYOUTS_DIR = Path(__file__).resolve().parents[2] / "layouts"


def environment(article: Article) -> jinja2.Environment:
    return _environment(article.folder)


def environment_in(folder: Path) -> jinja2.Environment:
    """The layouts as seen from ``folder`` (a page plan's), its own ``layouts/`` first."""
    return _environment(folder)


@functools.lru_cache(maxsize=None)
def _environment(folder: Path) -> jinja2.Environment:
    # One per manuscript folder, so templates are compiled once however often they render
    # (Jinja's loaders still notice a template changed on disk).
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(folder / "layouts"),
            jinja2.FileSystemLoader(LAYOUTS_DIR),
        ]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def reader_parts(article: Article) -> dict:
    """The parts of the article as the e-book prints them, in the values the shared
    partials take on the page too: each text one whole line, no box, for the reader to
    reflow."""
    note = None
    if article.editor_note:
        pieces = tuple(NotePiece((Line.whole(p.text),), label=number == 0)
                       for number, p in enumerate(article.editor_note.paragraphs))
        note = SetNote("编者按", (NoteColumn(pieces),))
    blocks = []
    for block in article.blocks:
        if isinstance(block, Paragraph):
            blocks.append(SetParagraph((Line.whole(block.text),), opening=True))
        elif isinstance(block, Subhead):
            blocks.append(SetSubhead(block.lines, article.anchors[block]))
        elif isinstance(block, Figure):
            caption = block.caption + (f"\u3000{block.credit}" if block.credit else "")
            blocks.append(SetFigure(block.image, block.alt, (Line.whole(caption),)))
    byline = SetByline((Line.whole(article.byline.text),)) if article.byline else None
    kicker = Line.whole(article.kicker) if article.kicker else None
    subtitle = Line.whole(article.subtitle) if article.subtitle else None
    return {"headline": SetHeadline(kicker, article.headline, subtitle),
            "note": note, "blocks": tuple(blocks), "byline": byline}


def render(article: Article, template: str, **context) -> str:
    """Render one wrapper with a finished context."""
    return environment(article).get_template(template).render(article=article, **context)


def stylesheet(article: Article, name: str) -> Path:
    """The path of a stylesheet under ``css/``, the manuscript's own first."""
    return stylesheet_in(article.folder, name)


def stylesheet_in(own: Path, name: str) -> Path:
    """The path of a stylesheet under ``css/``, the one in ``own``'s layouts first."""
    for folder in (own / "layouts", LAYOUTS_DIR):
        path = folder / "css" / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"stylesheet css/{name} is in no layouts folder")
