"""The shared Jinja layouts: one set of partials, two wrappers (print page, EPUB chapter).

Code here prepares a finished context; the templates in ``layouts/`` only loop and print.
A manuscript folder may hold a ``layouts/`` of its own, whose files override the
project's (a loader chain, as in Pelican themes).
"""
from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..reading.model import Article, Subhead

LAYOUTS_DIR = Path(__file__).resolve().parents[2] / "layouts"
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Furniture:
    """报眉: what the header strip of the printed page says."""

    publication: str
    section: str
    date: str
    date_is_placeholder: bool
    page: str
    page_is_placeholder: bool


def furniture(article: Article) -> Furniture:
    # What the manuscript does not set is shown as 待定 (to be set), never invented.
    return Furniture(
        publication=article.publication or "",
        section=article.section or "",
        date=chinese_date(article.date) if article.date else "日期待定",
        date_is_placeholder=article.date is None,
        page=article.page or "版次待定",
        page_is_placeholder=article.page is None,
    )


def chinese_date(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日 星期{WEEKDAYS[date.weekday()]}"


def anchors(article: Article) -> dict[Subhead, str]:
    """Stable ids for the subheads, used by PDF bookmarks and the EPUB's table of contents."""
    subheads = [block for block in article.blocks if isinstance(block, Subhead)]
    return {subhead: f"section-{number}" for number, subhead in enumerate(subheads, 1)}


def environment(article: Article) -> jinja2.Environment:
    return _environment(article.folder)


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


@dataclass(frozen=True)
class Headline:
    """标题组 as the partials print it: kicker, the headline's lines, subtitle."""

    kicker: str | None
    lines: tuple[str, ...]
    subtitle: str | None


def render(article: Article, template: str, **context) -> str:
    """Render one wrapper. The partials print ``headline``, ``note``, ``blocks`` and
    ``byline``: the article's own, unless the caller passes set (composed) ones."""
    env = environment(article)
    parts = {
        "headline": Headline(article.kicker, article.headline, article.subtitle),
        "note": article.editor_note,
        "blocks": article.blocks,
        "byline": article.byline,
    }
    return env.get_template(template).render(
        article=article, anchors=anchors(article), **{**parts, **context})


def stylesheet(article: Article, name: str) -> Path:
    """The path of a stylesheet under ``css/``, the manuscript's own first."""
    for folder in (article.folder / "layouts", LAYOUTS_DIR):
        path = folder / "css" / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"stylesheet css/{name} is in no layouts folder")
