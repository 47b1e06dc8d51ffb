"""The print back end of an edition: every page of a plan rendered by WeasyPrint at once,
written as one PDF for the whole edition and one PDF a page for the printing plant, with
the advertisements stamped onto their pages after (``pressroom.outputs.stamp``).

In a press variant every ink of a page is the plate's: the photos, and an advertisement
or masthead supplied as PNG or JPEG, are converted as ``photos.press_photo`` converts
(CMYK through the output intent on a colour page, grey on a 黑白版 page). Artwork supplied
as PDF or SVG keeps the colours it is drawn in, which Pressroom cannot separate: its inks
are read from the page it is placed from (``artwork_inks``), and a press build refuses
artwork in RGB or a spot colour, or in C, M or Y on a mono page, naming it (PR158).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import weasyprint
from pypdf import PageObject
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NameObject
from weasyprint.text.fonts import FontConfiguration

from ..errors import (Location, ManuscriptError, PressroomError, PressroomWarning,
                      ResourceError, StrictError, active_diagnostics, raise_all)
from ..labels import label
from ..photos import PhotoFault
from ..reading.plan import Plan
from ..typesetting.edition import EditionLayout, EditionPage
from .layouts import LAYOUTS_DIR, render_in, stylesheet_in
from ..variants import SCREEN, Variant
from .page import bleed_of, dated_stamp, intent_folders, intent_url, photo_sizes, \
    press_photos, stylesheet_names
from .pdf import finisher
from .roots import Asker, Roots, font_faces, font_roots
from .sandbox import check_page_count, sandboxed
from .stamp import Stamp, artwork_page, stamp
from .drawn import verify_edition
from .verify import verify_edition_inks

RASTER = (".png", ".jpg", ".jpeg")  # artwork Pressroom converts for the plate itself


def edition_title(plan: Plan) -> str:
    """The edition's title: the paper and its date (示例日报 2026年12月1日)."""
    date = f"{plan.date.year}年{plan.date.month}月{plan.date.day}日" if plan.date \
        else label(plan.lang, "undated")
    return f"{plan.publication} {date}"


def edition_roots(layout: EditionLayout, variant: Variant = SCREEN) -> Roots:
    """The plan's tree (its stories lie inside it), layouts/ and fonts/; a press PDF's
    photos made for the plate, in grey on a mono page, and so a raster masthead."""
    uses = {}
    for page in layout.pages:
        uses.update(press_photos(variant, photo_sizes(page.modules), mono=not page.colour))
        front = page.masthead
        if front and front.artwork and front.artwork_box and _raster(front.artwork):
            box = front.artwork_box
            uses.update(_artwork_photos(variant, {front.artwork: (box.width, box.height)},
                                        not page.colour, layout.plan.masthead.where))
    return Roots.of({"plan": layout.plan.folder.parent, "layouts": LAYOUTS_DIR, **font_roots(),
                     **intent_folders(variant)},
                    photos=[figure.image for article in layout.articles
                            for figure in article.figures], press=uses)


def ad_roots(roots: Roots, layout: EditionLayout, variant: Variant, mono: bool) -> Roots:
    """The roots the advertisements of the colour pages (``mono`` False) or of the mono
    pages are drawn through: a raster ad converted for that plate, at its own size."""
    sizes, where = {}, None
    for page, planned in zip(layout.pages, layout.plan.pages):
        if page.colour == mono:
            continue
        for ad in page.ads:
            if _raster(ad.artwork):
                sizes[ad.artwork] = (ad.art.width, ad.art.height)
                where = where or _ad_where(planned, ad.artwork)
    uses = _artwork_photos(variant, sizes, mono, where)
    if not uses:
        return roots
    return replace(roots, press=tuple(sorted({**dict(roots.press), **uses}.items())))


def _raster(path: Path) -> bool:
    return Path(path).suffix.lower() in RASTER


def _artwork_photos(variant: Variant, sizes: dict, mono: bool,
                    where: Location | None) -> dict:
    try:
        return press_photos(variant, sizes, mono=mono)
    except PhotoFault as fault:
        # The stamp read the file as an image already: what is left is inspect_photo's
        # stricter reading (a cut-off file, too many pixels).
        raise ManuscriptError(f"the artwork '{', '.join(Path(p).name for p in sizes)}' "
                              f"{fault.reason}", where, "supply the artwork as a whole PNG "
                              "or JPEG file", code="PR158") from None


def _ad_where(page, artwork: Path) -> Location | None:
    """The plan's line that asks for the advertisement ``artwork`` on the page ``page``."""
    return next((ad.where for ad in page.ads if ad.artwork == artwork), page.where)


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
        intent=intent_url(roots, variant), bleed=bleed_of(variant, plan.settings))


def render_edition(layout: EditionLayout, variant: Variant = SCREEN) -> tuple[bytes, list[bytes]]:
    """The whole edition as one PDF, and each page as a PDF of its own for the plant,
    from one rendering; the advertisements stamped on after."""
    plan = layout.plan
    where = Location(plan.source)
    roots = edition_roots(layout, variant)
    artworks = {mono: ad_roots(roots, layout, variant, mono) for mono in (False, True)}
    if variant.press:
        # Before the pages are rendered: a refused artwork costs no rendering.
        check_press_artwork(layout, variant, roots, artworks)
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
        if variant.press:
            verify_edition_inks(layout, whole, variant)
        pages = [document.copy([page]).write_pdf(
                     finisher=finisher(variant, f"{html}\n{number}"), **options)
                 for number, page in enumerate(document.pages)]
    stamps = [Stamp(number, ad.artwork, ad.art.left, ad.art.top,
                    where=_ad_where(planned, ad.artwork))
              for number, (page, planned) in enumerate(zip(layout.pages, plan.pages))
              for ad in page.ads]
    # An artwork stamped on a colour page and on a mono page is drawn once for each plate:
    # the edition's PDF takes the colour pages' stamps, then the mono pages'.
    for mono in (False, True):
        ours = [one for one in stamps if layout.pages[one.page].colour != mono]
        if not ours:
            continue
        drawn = artworks[mono]
        whole = stamp(whole, ours, drawn)
        pages = [stamp(data, [replace(one, page=0) for one in ours if one.page == number],
                       drawn)
                 if any(one.page == number for one in ours) else data
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


# -- the inks of supplied artwork ----------------------------------------------------------

# What artwork may draw in, by plate: ``other`` an RGB, Lab or unknown colour space (no
# plate carries it), ``spot`` an ink beyond the four (a Pantone, a Separation other than
# Black), ``process`` cyan, magenta or yellow, ``transparency`` a transparency group, soft
# mask or constant alpha below 1 (what PDF/X-1a forbids).
INK_FAULTS = {
    "other": "is drawn in RGB (or another colour space than CMYK and grey), which no plate "
             "of the press carries",
    "spot": "uses a spot colour (a Separation or DeviceN ink beyond cyan, magenta, yellow "
            "and black)",
    "process": "is in colour (cyan, magenta or yellow ink) on a black-and-white page (黑白版)",
    "transparency": "holds transparency, which a PDF/X-1a file cannot carry",
}
_PROCESS = ("/Cyan", "/Magenta", "/Yellow")
_NO_INK = ("/None",)
_MAX_DEPTH = 12  # forms within forms within patterns: a real artwork nests a few


@dataclass(frozen=True)
class _Space:
    """A colour space as far as the plates go: its kind ("gray", "cmyk", "other", "spot",
    "devicen", "pattern"), the colourants of a DeviceN or Separation, the base of a
    pattern's colours."""

    kind: str
    names: tuple[str, ...] = ()
    base: "_Space | None" = None


_GRAY = _Space("gray")
_CMYK = _Space("cmyk")
_OTHER = _Space("other")
_DEVICE_SPACES = {"/DeviceGray": _GRAY, "/G": _GRAY, "/CalGray": _GRAY,
                  "/DeviceCMYK": _CMYK, "/CMYK": _CMYK,
                  "/DeviceRGB": _OTHER, "/RGB": _OTHER, "/CalRGB": _OTHER, "/Lab": _OTHER}


class _Inks:
    """Walks an artwork's page (content, forms, patterns, shadings, images) and collects
    what it draws in (INK_FAULTS' keys)."""

    def __init__(self):
        self.found: set[str] = set()
        self.seen: set[int] = set()

    def space(self, value, resources) -> _Space:
        value = value.get_object() if hasattr(value, "get_object") else value
        if isinstance(value, str):  # a NameObject
            if value in _DEVICE_SPACES:
                return _DEVICE_SPACES[value]
            if value == "/Pattern":
                return _Space("pattern")
            named = (resources.get("/ColorSpace") or DictionaryObject()).get_object().get(value)
            return self.space(named, resources) if named is not None else _OTHER
        if not isinstance(value, ArrayObject) or not value:
            return _OTHER
        family = value[0]
        if family in _DEVICE_SPACES:
            return _DEVICE_SPACES[family]
        if family == "/ICCBased":
            components = value[1].get_object().get("/N")
            return {1: _GRAY, 4: _CMYK}.get(components, _OTHER)
        if family in ("/Indexed", "/I"):
            return self.space(value[1], resources)
        if family == "/Separation":
            return self.colourants((value[1],))
        if family == "/DeviceN":
            return self.colourants(tuple(value[1].get_object()))
        if family == "/Pattern":
            return _Space("pattern", base=self.space(value[1], resources) if len(value) > 1
                          else None)
        return _OTHER

    def colourants(self, names: tuple) -> _Space:
        names = tuple(str(name) for name in names)
        if any(name not in (*_PROCESS, "/Black", "/All", *_NO_INK) for name in names):
            self.found.add("spot")
        return _Space("devicen", names)

    def uses(self, space: _Space) -> None:
        """What choosing the space says already, whatever values come after."""
        if space.kind == "other":
            self.found.add("other")

    def colour(self, space: _Space, values: list, resources, depth: int) -> None:
        """A colour set in ``space``: C, M or Y above 0 is process ink."""
        numbers = [float(value) for value in values if isinstance(value, (int, float))]
        if space.kind == "cmyk" and any(value > 0 for value in numbers[:3]):
            self.found.add("process")
        elif space.kind == "devicen":
            for name, value in zip(space.names, numbers):
                if value > 0 and name in (*_PROCESS, "/All"):
                    self.found.add("process")
        elif space.kind == "pattern" and values and isinstance(values[-1], str):
            pattern = (resources.get("/Pattern") or DictionaryObject()).get_object() \
                .get(values[-1])
            if pattern is not None:
                self.pattern(pattern.get_object(), space, numbers, depth)

    def pattern(self, pattern, space: _Space, numbers: list, depth: int) -> None:
        if pattern.get("/PatternType") == 2:  # a shading pattern
            self.shading(pattern.get("/Shading"), pattern.get("/Resources") or DictionaryObject())
        elif pattern.get("/PaintType") == 2 and space.base is not None:  # uncoloured
            self.colour(space.base, numbers, DictionaryObject(), depth)
        else:
            self.content(pattern, pattern.get("/Resources"), depth + 1)

    def shading(self, shading, resources) -> None:
        if shading is None:
            return
        space = self.space(shading.get_object().get("/ColorSpace"), resources)
        self.uses(space)
        # A blend's values come from functions: any process space may lay C, M or Y.
        if space.kind == "cmyk" or (space.kind == "devicen" and
                                    any(name in _PROCESS for name in space.names)):
            self.found.add("process")

    def image(self, image, resources) -> None:
        if image.get("/ImageMask"):
            return  # drawn in the colour set before it, already counted
        if "/SMask" in image:
            self.found.add("transparency")
        space = image.get("/ColorSpace")
        if space is None:  # a JPEG 2000 image carries its own: nothing says it is CMYK
            self.found.add("other")
            return
        kind = self.space(space, resources)
        self.uses(kind)
        if kind.kind == "cmyk" or (kind.kind == "devicen" and
                                   any(name in _PROCESS for name in kind.names)):
            self.found.add("process")  # its pixels may all be 0 there: the plate says so

    def group(self, stream) -> None:
        group = stream.get("/Group")
        if group is not None and group.get_object().get("/S") == "/Transparency":
            self.found.add("transparency")
            blend = group.get_object().get("/CS")
            if blend is not None:
                self.uses(self.space(blend, DictionaryObject()))

    def states(self, resources) -> None:
        for state in (resources.get("/ExtGState") or DictionaryObject()).get_object().values():
            state = state.get_object()
            if float(state.get("/CA", 1)) < 1 or float(state.get("/ca", 1)) < 1 \
                    or state.get("/SMask", "/None") != "/None" \
                    or state.get("/BM", "/Normal") not in ("/Normal", "/Compatible"):
                self.found.add("transparency")

    def content(self, stream, resources, depth: int, reader=None) -> None:
        """The operators of a page, form or tiling pattern, with its resources."""
        reference = getattr(stream, "indirect_reference", None)
        key = id(stream) if reference is None else (reference.idnum, id(reference.pdf))
        if depth > _MAX_DEPTH or key in self.seen:
            return
        self.seen.add(key)
        resources = (resources or DictionaryObject()).get_object()
        self.group(stream)
        self.states(resources)
        operations = (stream if isinstance(stream, ContentStream)
                      else ContentStream(stream, reader)).operations
        fill = stroke = _GRAY
        for operands, operator in operations:
            if operator in (b"rg", b"RG"):
                self.found.add("other")
            elif operator in (b"k", b"K"):
                self.colour(_CMYK, operands, resources, depth)
            elif operator in (b"cs", b"CS"):
                space = self.space(operands[0], resources)
                self.uses(space)
                if operator == b"cs":
                    fill = space
                else:
                    stroke = space
            elif operator in (b"sc", b"scn", b"SC", b"SCN"):
                self.colour(fill if operator in (b"sc", b"scn") else stroke, operands,
                            resources, depth)
            elif operator == b"sh":
                self.shading((resources.get("/Shading") or DictionaryObject()).get_object()
                             .get(operands[0]), resources)
            elif operator == b"Do":
                self.xobject((resources.get("/XObject") or DictionaryObject()).get_object()
                             .get(operands[0]), resources, depth)
            elif operator == b"INLINE IMAGE":
                self.inline(operands["settings"], resources)

    def xobject(self, xobject, resources, depth: int) -> None:
        if xobject is None:
            return
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Image":
            self.image(xobject, resources)
        elif xobject.get("/Subtype") == "/Form":
            self.content(xobject, xobject.get("/Resources", resources), depth + 1)

    def inline(self, settings, resources) -> None:
        if settings.get("/IM", settings.get("/ImageMask")):
            return
        space = settings.get("/CS", settings.get("/ColorSpace", "/DeviceGray"))
        self.image(DictionaryObject({NameObject("/ColorSpace"): space}), resources)


def artwork_inks(page: PageObject) -> frozenset[str]:
    """What an artwork's page draws in, as far as the plates go: a subset of INK_FAULTS'
    keys. Read from its operators and resources, not its pixels: a CMYK image or shading
    counts as process colour even where its values are 0."""
    inks = _Inks()
    contents = page.get_contents()  # a ContentStream is a dictionary: empty, it is false
    if contents is not None:
        inks.content(contents, page.get("/Resources"), 0)
    return frozenset(inks.found)


def check_press_artwork(layout: EditionLayout, variant: Variant, roots: Roots,
                        artworks: dict[bool, Roots]) -> None:
    """Every advertisement and the masthead's artwork, read as each is placed, in inks the
    plate of its page carries; else an error naming each artwork and what it draws in."""
    errors: list[PressroomError] = []
    checked: set[tuple[Path, bool]] = set()
    for page, planned in zip(layout.pages, layout.plan.pages):
        mono = not page.colour
        for ad in page.ads:
            if (ad.artwork, mono) not in checked:
                checked.add((ad.artwork, mono))
                errors += _artwork_faults("the advertisement", ad.artwork, page, variant,
                                          artworks[mono], _ad_where(planned, ad.artwork))
        front = page.masthead
        if front and front.artwork and not _raster(front.artwork):
            errors += _artwork_faults("the masthead's artwork", front.artwork, page, variant,
                                      roots, layout.plan.masthead.where)
    raise_all(errors)


def _artwork_faults(what: str, artwork: Path, page: EditionPage, variant: Variant,
                    roots: Roots, where: Location | None) -> list[PressroomError]:
    inks = artwork_inks(artwork_page(artwork, roots, where))
    faults = [fault for fault in ("other", "spot") if fault in inks]
    if not page.colour and "process" in inks:
        faults.append("process")
    if variant.flat and "transparency" in inks:
        faults.append("transparency")
    if not faults:
        return []
    vector = artwork.suffix.lower() == ".svg"
    hint = ("give the SVG its colours as device-cmyk(c m y k)" + (" with c, m and y at 0"
                                                                  if not page.colour else "")
            if vector else "ask for the artwork separated for the press (PDF/X-1a or PDF/X-4, "
            + ("black and grey only" if not page.colour else "CMYK and grey only") + ")")
    hint += ", or supply it as PNG or JPEG, which Pressroom converts for the plate"
    return [ManuscriptError(
        f"{what} '{artwork.name}' on {page.label} " + " and ".join(
            INK_FAULTS[fault] for fault in faults) + f": a {variant.name} PDF carries only "
        "the plate's inks", where, hint, code="PR158")]
