"""The print back end of an edition: every page of a plan rendered by WeasyPrint at once,
written as one PDF for the whole edition and one PDF a page for the printing plant, with
the advertisements stamped onto their pages after (``pressroom.outputs.stamp``).
"""
from __future__ import annotations

from dataclasses import replace

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from .. import fonts
from ..dates import source_date
from ..errors import (Location, PressroomWarning, ResourceError, StrictError,
                      active_diagnostics)
from ..reading.plan import Plan
from ..typesetting.edition import EditionLayout
from .layouts import LAYOUTS_DIR, environment_in, stylesheet_in
from .pdf import PDF_OPTIONS, check_page_count, sandboxed
from .stamp import Stamp, stamp


def edition_title(plan: Plan) -> str:
    """The edition's title: the paper and its date (示例日报 2026年12月1日)."""
    date = f"{plan.date.year}年{plan.date.month}月{plan.date.day}日" if plan.date else "日期待定"
    return f"{plan.publication} {date}"


def edition_html(layout: EditionLayout) -> str:
    plan = layout.plan
    faces = [{"family": face.role_family, "url": (fonts.FONTS_DIR / face.file).as_uri(),
              "weight": face.weight} for face in fonts.FACES]
    images = {figure.image: figure.image.as_uri()
              for article in layout.articles for figure in article.figures}
    if plan.masthead and plan.masthead.artwork:
        images[plan.masthead.artwork] = plan.masthead.artwork.as_uri()
    return environment_in(plan.folder).get_template("edition.html.j2").render(
        edition=plan, title=edition_title(plan), layout=layout, faces=faces,
        stylesheets=[stylesheet_in(plan.folder, name).as_uri()
                     for name in ("shared.css", "print.css")],
        image_urls=images,
        created=created.strftime("%Y-%m-%dT%H:%M:%SZ") if (created := source_date()) else None)


def render_edition(layout: EditionLayout) -> tuple[bytes, list[bytes]]:
    """The whole edition as one PDF, and each page as a PDF of its own for the plant,
    from one rendering; the advertisements stamped on after."""
    plan = layout.plan
    where = Location(plan.source)
    roots = [plan.folder.parent, *(article.folder for article in layout.articles),
             LAYOUTS_DIR, fonts.FONTS_DIR]
    refused = lambda refusal: ResourceError(  # noqa: E731 - the edition's own wording
        f"the edition asked for '{refusal.url}', which was refused: {refusal.reason}", where,
        "use only files inside the manuscript folders and the plan's folder", code="PR310")
    with sandboxed(roots, where, refused, "the plan folder's") as fetcher:
        document = weasyprint.HTML(
            string=edition_html(layout), base_url=plan.folder.as_uri() + "/",
            url_fetcher=fetcher).render(font_config=FontConfiguration(), **PDF_OPTIONS)
        check_page_count(document, len(layout.pages), "an edition", where, "the plan folder's")
        whole = document.write_pdf(**PDF_OPTIONS)
        pages = [document.copy([page]).write_pdf(**PDF_OPTIONS) for page in document.pages]
    stamps = [(number, Stamp(number, ad.artwork, ad.art.left, ad.art.top))
              for number, page in enumerate(layout.pages) for ad in page.ads]
    if stamps:
        whole = stamp(whole, [s for _, s in stamps], roots)
        pages = [stamp(data, [replace(s, page=0) for n, s in stamps if n == number], roots)
                 if any(n == number for n, _ in stamps) else data
                 for number, data in enumerate(pages)]
    return whole, pages


def report_edition_gaps(layout: EditionLayout) -> None:
    """PR502 for each page its stories do not fill: the layout editor fills the gap (a
    photo, a brief, an advertisement), or under --strict the build stops."""
    diagnostics = active_diagnostics()
    for page in layout.pages:
        if not page.gap_cells:
            continue
        warning = PressroomWarning(
            "PR502", f"{page.label} leaves {page.gap_cells} of its {page.cells} column rows "
            f"empty ({page.gap_cells / page.cells:.1%} of the type area)",
            page.where or Location(layout.plan.source),
            "the stories are set at their natural length; add a story, a photo or an "
            "advertisement, or move a story here from another page")
        if diagnostics.strict:
            raise StrictError.from_warning(warning)
        diagnostics.warn(warning)
