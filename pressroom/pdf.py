"""The print back end: the page wrapper rendered by WeasyPrint into one PDF page.

WeasyPrint reads only files inside the manuscript's folder, ``layouts/`` and ``fonts/``;
anything else it is handed (a URL, a path outside the project) is refused, so a build
never touches the network or a file it was not meant to read.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from . import fonts
from .errors import BuildError, Location
from .compose import Page, compose
from .layouts import LAYOUTS_DIR, render, stylesheet
from .model import Article

# Tagged PDF: the structure tree carries headings, paragraphs and the photo's alt text.
PDF_OPTIONS = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"}


class SandboxFetcher(URLFetcher):
    """Serves ``file:`` URLs under the allowed folders and nothing else."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=("file",))
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not any(path.is_relative_to(root) for root in self.roots):
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url}: outside the project")
        return super().fetch(path.as_uri(), headers)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs: a warning there is a fault in the page, not noise."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def page_html(article: Article, page: Page) -> str:
    faces = [{"family": face.role_family, "url": (fonts.FONTS_DIR / face.file).as_uri(),
              "weight": face.weight} for face in fonts.FACES]
    return render(
        article, "page.html.j2",
        faces=faces,
        stylesheets=[stylesheet(article, name).as_uri() for name in ("shared.css", "print.css")],
        page=page,
        headline=page.headline, note=page.note, blocks=page.blocks, byline=page.byline,
        image_urls={figure.image: figure.image.as_uri() for figure in article.figures},
    )


def render_pdf(article: Article) -> bytes:
    """Lay the article out on one page and return the PDF's bytes."""
    page = compose(article)
    fetcher = SandboxFetcher([article.folder, LAYOUTS_DIR, fonts.FONTS_DIR])
    with _weasyprint_warnings() as warnings:
        document = weasyprint.HTML(
            string=page_html(article, page), base_url=article.folder.as_uri() + "/",
            url_fetcher=fetcher,
        ).render(font_config=FontConfiguration(), **PDF_OPTIONS)
        pages = len(document.pages)
        if pages != 1:
            raise BuildError(
                f"the article needs {pages} pages, the layout has one",
                Location(article.source),
                "cut the text or shrink the photo until it fits the page",
            )
        data = document.write_pdf(**PDF_OPTIONS)
    if fetcher.refused:
        raise BuildError(f"the page asked for {fetcher.refused[0]}, outside the project",
                         Location(article.source))
    if warnings:
        raise BuildError("WeasyPrint: " + "; ".join(dict.fromkeys(warnings)), Location(article.source))
    return data
