"""The page made ready for the renderer: the article composed on its pages and written
as the HTML WeasyPrint renders (``pressroom.outputs.pdf``), with the folders it may read.

Nothing here imports WeasyPrint: a build composes the page and writes its HTML while the
process that renders it is still importing WeasyPrint (``pressroom.build``), and hands it
a ``ReadyPage``.
"""
from __future__ import annotations

import datetime
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .. import photos
from ..errors import BuildError, Location, PressroomWarning, ResourceError, StrictError, \
    active_diagnostics
from ..reading.model import Article
from ..typesetting.compose import compose
from ..typesetting.parts import Layout, SetFigure
from ..typesetting.texts import article_faces
from ..variants import SCREEN, Variant, intent_profile
from .layouts import LAYOUTS_DIR, render, stylesheet
from .roots import Asker, Roots, created_stamp, font_faces, font_roots

if TYPE_CHECKING:
    from .sandbox import SandboxRefusal

STYLESHEETS = ("shared.css", "print.css")
# The issue date's midnight where the papers that use Pressroom are printed (UTC+8).
PRINTING_ZONE = datetime.timezone(datetime.timedelta(hours=8))


def stylesheet_names(variant: Variant) -> tuple[str, ...]:
    """The page's stylesheets: the variant's inks, then the shared and the print sheet."""
    return (variant.colours, *STYLESHEETS)


def dated_stamp(variant: Variant, date: datetime.date | None, where: Location) -> str | None:
    """The PDF's creation date. A screen PDF carries one only when SOURCE_DATE_EPOCH gives
    it; a press or archive PDF always does: the issue date's midnight (UTC+8), else
    SOURCE_DATE_EPOCH, never the clock's, so that two builds are the same bytes. A proof
    of an undated page (--proof-only) is dated by WeasyPrint's clock: it is a proof."""
    if not variant.dated:
        return created_stamp()
    if date is not None:
        return datetime.datetime.combine(date, datetime.time(), PRINTING_ZONE).isoformat()
    stamp = created_stamp()
    if stamp or variant.proof:
        return stamp
    raise BuildError(
        f"a {variant.name} PDF carries its date, and the page has none", where,
        "set 'date:' (the issue date), or SOURCE_DATE_EPOCH", code="PR430")


def photo_sizes(pages) -> dict:
    """Each photo's printed size in pt (width, height) on ``pages``, its largest where it
    is printed twice: what its pixels are measured against."""
    sizes: dict = {}
    for page in pages:
        for block in page.blocks:
            if isinstance(block, SetFigure) and block.box is not None:
                height = block.image_height
                if height is None:
                    info = photos.inspect_photo(block.image)
                    height = block.box.width * info.height / info.width
                old = sizes.get(block.image, (0.0, 0.0))
                sizes[block.image] = (max(old[0], block.box.width), max(old[1], height))
    return sizes


def press_photos(variant: Variant, sizes: dict, mono: bool = False) -> dict:
    """What each photo becomes in a press PDF: its conversion and the most pixels it
    keeps (``photos.PRESS_PPI`` at printed size, as ``object-fit: cover`` scales it)."""
    if variant.photo_space == "srgb":
        # PDF/A: a CMYK photo under the archive's sRGB intent is not allowed: all in sRGB.
        return {Path(image).resolve(): ("srgb",) for image in sizes}
    if variant.photo_space != "cmyk":
        return {}
    intent = intent_profile(variant.intent)
    uses = {}
    for image, (width, height) in sizes.items():
        info = photos.inspect_photo(image)
        points_per_pixel = max(width / info.width, height / info.height)
        factor = photos.PRESS_PPI * points_per_pixel / 72
        largest = None if factor >= 1 else (math.ceil(info.width * factor),
                                             math.ceil(info.height * factor))
        uses[Path(image).resolve()] = ("gray" if mono else "cmyk", largest, intent)
    return uses


def _asked_by(article: Article, url: str) -> Location:
    """The manuscript's layout file and line that ask for ``url``, if one does in so many
    words; the manuscript itself otherwise."""
    parts = urlsplit(url)
    needles = [url, unquote(url), os.path.basename(unquote(parts.path))]
    layouts = article.folder / "layouts"
    files = sorted(path for path in layouts.rglob("*") if path.is_file()) \
        if layouts.is_dir() else []
    for needle in filter(None, needles):
        for path in files:
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            for number, line in enumerate(lines, 1):
                column = line.find(needle)
                if column >= 0:
                    return Location(path, number, column + 1)
    return Location(article.source)


def _refused(article: Article, refusal: SandboxRefusal) -> ResourceError:
    return ResourceError(
        f"the page asked for '{refusal.url}', which was refused: {refusal.reason}",
        _asked_by(article, refusal.url),
        "use only files inside the manuscript's folder; remove the URL or copy the file there",
        code="PR310")


def intent_folders(variant: Variant) -> dict[str, Path]:
    """The output intent's folder, a root the renderer may read, for a press PDF."""
    return {"intent": intent_profile(variant.intent).parent} if variant.intent else {}


def intent_url(roots: Roots, variant: Variant) -> str | None:
    return roots.url(intent_profile(variant.intent)) if variant.intent else None


def page_roots(article: Article, variant: Variant = SCREEN, layout: Layout | None = None) -> Roots:
    uses = press_photos(variant, photo_sizes(layout.pages)) if layout else {}
    return Roots.of({"manuscript": article.folder, "layouts": LAYOUTS_DIR, **font_roots(),
                     **intent_folders(variant)},
                    photos=[figure.image for figure in article.figures], press=uses)


def page_asker(article: Article, roots: Roots, variant: Variant = SCREEN) -> Asker:
    return Asker(Location(article.source), "the manuscript's",
                 tuple(stylesheet(article, name) for name in stylesheet_names(variant)),
                 lambda refusal: _refused(article, refusal),
                 tuple((roots.url(figure.image), figure.where) for figure in article.figures))


def page_html(article: Article, layout: Layout, roots: Roots | None = None,
              variant: Variant = SCREEN) -> str:
    roots = roots or page_roots(article, variant, layout)
    return render(
        article, "page.html.j2",
        faces=font_faces(roots, article_faces(article)),
        stylesheets=[roots.url(stylesheet(article, name)) for name in stylesheet_names(variant)],
        layout=layout,
        image_urls={figure.image: roots.url(figure.image) for figure in article.figures},
        created=dated_stamp(variant, article.printing.date, Location(article.source)),
        intent=intent_url(roots, variant),
        bleed=bleed_of(variant, article.printing.settings),
    )


def bleed_of(variant: Variant, settings) -> float:
    """The bleed a PDF has, in mm: the layout's, for the plate only. WeasyPrint writes the
    BleedBox at most 10 pt (3.5 mm) beyond the TrimBox, which the setting's bound keeps."""
    return settings.bleed if variant.press else 0.0

@dataclass(frozen=True)
class ReadyPage:
    """A composed page as the renderer takes it: its HTML, the folders it may read, how
    many sheets the composer made. What crosses, pickled, to the process that renders it
    (the layout itself stays behind)."""

    article: Article
    html: str
    roots: Roots
    sheets: int
    variant: Variant = SCREEN


def set_page(article: Article) -> Layout:
    """The article composed on its pages; the part of a page it leaves empty warned of."""
    layout = compose(article, article.printing)
    report_free_area(article, layout)
    return layout


def ready_page(article: Article, layout: Layout, variant: Variant = SCREEN) -> ReadyPage:
    roots = page_roots(article, variant, layout)
    return ReadyPage(article, page_html(article, layout, roots, variant), roots,
                     len(layout.pages), variant)


def report_copyfit(article: Article, layout: Layout) -> None:
    """The leading copyfitting chose, against the layout's own, and how many paragraphs it
    set a line shorter or longer to fill the frames."""
    pitch, preferred = layout.pitch, layout.preferred_pitch
    leading = f"leading of {pitch:g} pt" + (" (the layout's own)" if abs(pitch - preferred) < 1e-6
                                         else f" (the layout's own is {preferred:g} pt)")
    pages = f"{len(layout.pages)} page{'s' if len(layout.pages) > 1 else ''}"
    active_diagnostics().note(
        f"{Location(article.source)}: {pages} at a {leading}; {layout.shorter} paragraphs "
        f"set a line shorter, {layout.longer} a line longer")


def report_free_area(article: Article, layout: Layout) -> None:
    """PR502: a story set at its natural length leaves part of its page empty; the layout
    editor fills it (or, under --strict, the build stops)."""
    for page in layout.pages:
        if page.free is None:
            continue
        free = page.free
        parts = []
        if free.rows:
            parts.append(f"{free.rows} of {free.total_rows} rows across "
                         f"{free.total_columns - free.columns} columns under the story")
        if free.columns:
            parts.append(f"{free.columns} of {free.total_columns} columns beside it")
        if free.holes:
            parts.append(f"{free.holes} lines of its columns (where no layout kept every rule)")
        warning = PressroomWarning(
            "PR502", f"{page.furniture.page} (page {page.number} of {len(layout.pages)}) leaves "
            f"{' and '.join(parts)} empty ({free.share:.0%} of the type area)",
            Location(article.source), "the story is set at its natural length; add text, "
            "a photo, or other stories to fill the page")
        diagnostics = active_diagnostics()
        if diagnostics.strict:
            raise StrictError.from_warning(warning)
        diagnostics.warn(warning)
