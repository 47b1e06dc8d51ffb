"""The print back end of an edition: every page of a plan rendered by WeasyPrint at once,
written as one PDF for the whole edition and one PDF a page for the printing plant, with
the advertisements stamped onto their pages after (``pressroom.outputs.stamp``).
"""
from __future__ import annotations

from dataclasses import replace

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..errors import (Location, PressroomWarning, ResourceError, StrictError,
                      active_diagnostics)
from ..labels import label
from ..reading.plan import Plan
from ..typesetting.edition import EditionLayout
from .layouts import LAYOUTS_DIR, render_in, stylesheet_in
from ..variants import SCREEN, Variant
from .pdf import dated_stamp, finisher, intent_folders, intent_url, photo_sizes, \
    press_photos, stylesheet_names
from .sandbox import Asker, Roots, check_page_count, font_faces, font_roots, sandboxed
from .stamp import Stamp, stamp
from .verify import verify_edition


def edition_title(plan: Plan) -> str:
    """The edition's title: the paper and its date (示例日报 2026年12月1日)."""
    date = f"{plan.date.year}年{plan.date.month}月{plan.date.day}日" if plan.date \
        else label(plan.lang, "undated")
    return f"{plan.publication} {date}"


def edition_roots(layout: EditionLayout, variant: Variant = SCREEN) -> Roots:
    """The plan's tree (its stories lie inside it), layouts/ and fonts/; a press PDF's
    photos made for the plate, in grey on a mono page."""
    uses = {}
    for page in layout.pages:
        uses.update(press_photos(variant, photo_sizes(page.modules), mono=not page.colour))
    return Roots.of({"plan": layout.plan.folder.parent, "layouts": LAYOUTS_DIR, **font_roots(),
                     **intent_folders(variant)},
                    photos=[figure.image for article in layout.articles
                            for figure in article.figures], press=uses)


def edition_html(layout: EditionLayout, roots: Roots | None = None,
                 variant: Variant = SCREEN) -> str:
    plan = layout.plan
    roots = roots or edition_roots(layout, variant)
    images = {figure.image: roots.url(figure.image)
              for article in layout.articles for figure in article.figures}
    if plan.masthead and plan.masthead.artwork:
        images[plan.masthead.artwork] = roots.url(plan.masthead.artwork)
    return render_in(
        plan.folder, "edition.html.j2", edition=plan, title=edition_title(plan), layout=layout,
        faces=font_faces(roots, layout.typefaces),
        stylesheets=[roots.url(stylesheet_in(plan.folder, name))
                     for name in stylesheet_names(variant)],
        image_urls=images, created=dated_stamp(variant, plan.date, Location(plan.source)),
        intent=intent_url(roots, variant))


def render_edition(layout: EditionLayout, variant: Variant = SCREEN) -> tuple[bytes, list[bytes]]:
    """The whole edition as one PDF, and each page as a PDF of its own for the plant,
    from one rendering; the advertisements stamped on after."""
    plan = layout.plan
    where = Location(plan.source)
    roots = edition_roots(layout, variant)
    refused = lambda refusal: ResourceError(  # noqa: E731 - the edition's own wording
        f"the edition asked for '{refusal.url}', which was refused: {refusal.reason}", where,
        "use only files inside the manuscript folders and the plan's folder", code="PR310")
    asker = Asker(where, "the plan folder's",
                  tuple(stylesheet_in(plan.folder, name) for name in stylesheet_names(variant)),
                  refused,
                  tuple((roots.url(figure.image), figure.where)
                        for article in layout.articles for figure in article.figures))
    html = edition_html(layout, roots, variant)
    options = variant.pdf_options()
    with sandboxed(roots, asker) as fetcher:
        document = weasyprint.HTML(
            string=html, base_url=roots.folder_url(plan.folder),
            url_fetcher=fetcher).render(font_config=FontConfiguration(), **options)
        check_page_count(document, len(layout.pages), "an edition", asker)
        verify_edition(layout, document)
        whole = document.write_pdf(finisher=finisher(variant, html), **options)
        pages = [document.copy([page]).write_pdf(
                     finisher=finisher(variant, f"{html}\n{number}"), **options)
                 for number, page in enumerate(document.pages)]
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
