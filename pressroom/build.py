"""The pipeline, top to bottom: read the manuscript, check its characters against the
faces, render the shared layouts, write the PDF page, the EPUB and the proof.

Each function here is one thing a user asks for (``invoke pdf``, ``invoke epub`` ...);
each writes its outputs atomically, so a failed build leaves ``build/`` as it was.
"""
from __future__ import annotations

import functools
import gc
import inspect
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Iterator, TypeVar

from .beside import Beside, beside
from .reading.coverage import check_coverage
from .outputs.epub import render_epub
from .outputs.verify import verify_ebook
from .errors import CopyfitError
from .reading.manuscript import article_path, read_manuscript
from .reading.model import Article
from .output import scratch, staged_outputs, write_atomically
from .outputs.proof import (APPROVAL_DPI, approval_record, approval_record_path,
                            approved_proof_path, cover_jpeg, page_count, proof_png)
from .errors import ErrorGroup, Location, ManuscriptError, PressroomError, raise_all
from .lang import convention
from .outputs.epub import EditionBook, EditionPage, render_edition_epub
from .outputs.page import ReadyPage, ready_page, report_copyfit, set_page
from .reading.placeholders import article_placeholders, figure_placeholders, \
    plan_placeholders, refuse_placeholders, warn_placeholders
from .variants import SCREEN, Variant, variant_named

if TYPE_CHECKING:
    from .reading.plan import Plan
    from .typesetting.parts import Layout
    from .typesetting.edition import EditionLayout

ROOT = Path(__file__).resolve().parent.parent
MANUSCRIPTS_DIR = ROOT / "manuscript"
DEFAULT_MANUSCRIPT = MANUSCRIPTS_DIR / "boshan-report"
BUILD_DIR = ROOT / "build"
COVER_DPI = 60  # 638 x 921 px for a 四开 page: a sharp thumbnail, a small book


def _in_scratch(function):
    """Run a build with its temporary files in ``scratch(out_dir)``: none is left in the
    system's temporary folder, and a killed build's are swept by the next."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def in_scratch(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        with scratch(bound.arguments.get("out_dir", BUILD_DIR)):
            return function(*args, **kwargs)
    return in_scratch


def manuscripts(folder: Path = MANUSCRIPTS_DIR) -> list[Path]:
    """Every manuscript folder under ``folder``, in a stable order."""
    return sorted(path.parent for path in folder.glob("*/article.md"))


def prepare(manuscript: Path) -> Article:
    return check_coverage(read_manuscript(manuscript))


def prepare_for(manuscript: Path, variant: Variant, proof_only: bool) -> Article:
    """The article read and checked; refused for the plate while it carries stand-ins,
    unless the page is only a proof."""
    article = prepare(manuscript)
    refuse_placeholders(article_placeholders(article), variant, proof_only)
    return article


@functools.cache
def freeze_imported() -> None:
    """Once the page's modules are imported: what they hold lives as long as the process.
    Frozen, the cyclic collector never scans it again, so that collecting a page's layout
    (``_released``) takes 20 ms, not 70. The little garbage made by then (some dozens of
    objects) is frozen with it: a collection first would cost a cold build those 70 ms.
    Once only, since a later freeze would keep whatever a warm process had made since."""
    gc.freeze()


def ready_to_fork(with_page: bool = True) -> None:
    """The pipeline imported (with WeasyPrint, ``with_page``) and frozen before this
    process forks: its children have it without importing it, and no collection in any
    of them writes to the memory they share (each page written to is copied: some 50 ms
    for one collection's worth)."""
    if with_page:
        from .outputs import pdf  # noqa: F401
    freeze_imported()


def render_pdf(article: Article, variant: Variant = SCREEN) -> bytes:
    """The article's PDF (``outputs.pdf.render_pdf``), set and rendered in this process:
    a warm one (``invoke watch``), or one that renders no more than this page."""
    from .outputs import pdf

    freeze_imported()
    return pdf.render_pdf(article, variant)


@contextmanager
def warm(out_dir: Path = BUILD_DIR) -> Iterator[None]:
    """A warm process's builds into ``out_dir`` (``invoke watch``): one scratch folder for
    them all, in which the renderer keeps the faces it has loaded between builds
    (``outputs.pdf.warm_fonts``)."""
    from .outputs import pdf

    with scratch(out_dir), pdf.warm_fonts():
        yield


def page_of(article: Article, variant: Variant = SCREEN) -> bytes:
    """The article's PDF; its stand-ins warned of (PR507) once the page is made."""
    pdf = render_pdf(article, variant)
    warn_placeholders(article_placeholders(article))
    return pdf


def _renderer(wanted: bool = True) -> ContextManager[Beside | None]:
    """The process that renders a page beside the build (``pressroom.beside``), forked
    before the manuscript is read: it imports WeasyPrint, half a second, while the build
    reads the manuscript, sets the page and writes its HTML, then renders the page it is
    handed (``_handed``)."""
    return beside("the page", _render) if wanted else nullcontext()


def _render(given: Callable[[], ReadyPage]) -> bytes:
    from .outputs import pdf

    return pdf.render_page(given())


def _handed(article: Article, layout: Layout, variant: Variant,
            renderer: Beside) -> Callable[[], bytes]:
    """The page, set here, handed to the renderer; what waits for its PDF (the leading
    copyfitting chose noted once it is made)."""
    renderer.hand(ready_page(article, layout, variant))

    @functools.cache
    def pdf() -> bytes:
        data = renderer.result()
        report_copyfit(article, layout)
        return data
    return pdf


def _page_beside(manuscript: Path, variant: Variant,
                 proof_only: bool) -> tuple[Article, Variant, bytes]:
    """The article, the variant its PDF is made in, and the PDF, rendered beside the
    build; its stand-ins warned of (PR507) once the page is made."""
    with _renderer() as renderer:
        article = prepare_for(manuscript, variant, proof_only)
        variant = variant.as_proof(proof_only)
        pdf = _handed(article, set_page(article), variant, renderer)()
    warn_placeholders(article_placeholders(article))
    return article, variant, pdf


T = TypeVar("T")


def _released(made: T) -> T:
    """The PDF (or an edition's PDFs), once the pages' layout is freed. WeasyPrint's boxes
    refer to one another, so a laid-out page outlives its PDF until the cyclic collector
    runs: collected before the proofs or the cover are drawn, the page's 11 MB are not
    added to theirs, and a build's peak memory is the page's alone."""
    gc.collect()
    return made


def pdf_path(out_dir: Path, slug: str, variant: Variant) -> Path:
    """build/<slug>.pdf for the screen; build/<slug>-press.pdf and so on for the others."""
    return out_dir / f"{slug}{variant.suffix}.pdf"


@_in_scratch
def build_pdf(manuscript: Path = DEFAULT_MANUSCRIPT, out_dir: Path = BUILD_DIR,
              variant: Variant = SCREEN, proof_only: bool = False) -> Path:
    article, variant, pdf = _page_beside(manuscript, variant, proof_only)
    return write_atomically(pdf_path(out_dir, article.slug, variant), pdf)


@_in_scratch
def build_proof(manuscript: Path = DEFAULT_MANUSCRIPT, out_dir: Path = BUILD_DIR,
                dpi: float = 100, variant: Variant = SCREEN,
                proof_only: bool = False) -> list[Path]:
    """The pages as PNGs: build/<slug>.png, then <slug>-2.png ... for a story that runs on
    (build/<slug>-press.png ... for a press PDF's pages)."""
    article, variant, pdf = _page_beside(manuscript, variant, proof_only)
    return _write_proofs(article, pdf, out_dir, dpi, variant)


@_in_scratch
def build_page(manuscript: Path = DEFAULT_MANUSCRIPT, out_dir: Path = BUILD_DIR,
               dpi: float = 100) -> list[Path]:
    """The PDF page and its proofs from one rendering: what a preview shows after a save."""
    article = prepare(manuscript)
    pdf = page_of(article)
    with staged_outputs():
        return [write_atomically(out_dir / f"{article.slug}.pdf", pdf),
                *_write_proofs(article, pdf, out_dir, dpi)]


def _write_proofs(article: Article, pdf: bytes, out_dir: Path, dpi: float,
                  variant: Variant = SCREEN) -> list[Path]:
    stem = f"{article.slug}{variant.suffix}"
    names = [f"{stem}.png"] + [f"{stem}-{number}.png"
                               for number in range(2, page_count(pdf) + 1)]
    with staged_outputs():
        return [write_atomically(out_dir / name, proof_png(pdf, dpi, number))
                for number, name in enumerate(names)]


@_in_scratch
def approve(manuscript: Path = DEFAULT_MANUSCRIPT) -> list[Path]:
    """Keep the pages as they now are as the manuscript's approved proofs (the visual
    check's reference); approvals of pages the story no longer has are removed."""
    article = prepare(manuscript)
    pdf = render_pdf(article)
    count = page_count(pdf)
    with staged_outputs():
        paths = [write_atomically(approved_proof_path(article, number),
                                  proof_png(pdf, APPROVAL_DPI, number - 1))
                 for number in range(1, count + 1)]
        # What the pages were approved for: the visual check compares only while the
        # manuscript and the layouts are as they were then.
        paths.append(write_atomically(approval_record_path(article),
                                      approval_record(article, count)))
    number = count + 1
    while approved_proof_path(article, number).exists():
        approved_proof_path(article, number).unlink()
        number += 1
    return paths


@_in_scratch
def build_epub(manuscript: Path = DEFAULT_MANUSCRIPT, out_dir: Path = BUILD_DIR,
               page: Path | None = None) -> Path:
    """The e-book; ``page``: the article's PDF, already built from these very inputs,
    to draw the cover from instead of setting the page again."""
    with _renderer(page is None) as renderer:
        article = prepare(manuscript)
        cover = cover_jpeg(page.read_bytes(), COVER_DPI) if page else \
            _cover_beside(article, renderer)
        data = _ebook(article, cover)
    warn_placeholders(figure_placeholders(article))  # the e-book shows the stand-in photo
    return write_atomically(out_dir / f"{article.slug}.epub", data)


def _ebook(article: Article, cover: bytes | Callable[[], bytes] | None) -> bytes:
    """The e-book, once its text is known to hold every part of the article; ``cover``:
    the page proof, or what draws it once the rest of the book is made."""
    data = render_epub(article, cover)
    verify_ebook([article], data)
    return data


def _cover_beside(article: Article, renderer: Beside) -> Callable[[], bytes] | None:
    """What draws the page proof as the e-book's cover, so readers see the page as the
    paper printed it, from the page rendered beside the build; an article that does not
    fit its printed page still gets its e-book, with a drawn cover (None)."""
    try:
        layout = set_page(article)
    except CopyfitError:
        return None
    return _cover_of(_handed(article, layout, SCREEN, renderer))


def _cover_of(page: Callable[[], bytes]) -> Callable[[], bytes]:
    """What draws the cover from the page's PDF, once the rest of the book is packed."""
    return lambda: cover_jpeg(page(), COVER_DPI)


@_in_scratch
def build_all(manuscript: Path = DEFAULT_MANUSCRIPT, out_dir: Path = BUILD_DIR,
              variant: Variant = SCREEN, proof_only: bool = False) -> list[Path]:
    """PDF and EPUB of one manuscript from a single setting of the page: the page
    rendered beside the build (``_renderer``), on a second core, while the build makes
    the e-book, whose cover, drawn from the page, is the last file it packs."""
    # One e-book whatever the PDF is for: its cover is the screen page's, rendered by a
    # renderer of its own beside a PDF made for another use.
    with _renderer() as renderer, _renderer(variant != SCREEN) as screen_renderer:
        article = prepare_for(manuscript, variant, proof_only)
        variant = variant.as_proof(proof_only)
        layout = set_page(article)
        pdf = _handed(article, layout, variant, renderer)
        screen = _handed(article, layout, SCREEN, screen_renderer) if screen_renderer else pdf
        epub = _ebook(article, _cover_of(screen))
        pdf = pdf()
    warn_placeholders(article_placeholders(article))
    # Both are made before either is written: a failure leaves the old pair as it was.
    with staged_outputs():
        return [write_atomically(pdf_path(out_dir, article.slug, variant), pdf),
                write_atomically(out_dir / f"{article.slug}.epub", epub)]


# -- an edition ------------------------------------------------------------------

def edition_plans(folder: Path = MANUSCRIPTS_DIR / "editions") -> list[Path]:
    """Every page plan under ``folder``, in a stable order."""
    return sorted(folder.glob("*.yaml"))


def prepare_edition(plan_path: Path) -> tuple[Plan, dict[Path, Article]]:
    """The plan and every story it names, read and checked; the problems of all of them
    reported together."""
    from .reading.plan import read_plan  # an edition's: a build of one article does without

    plan = read_plan(plan_path)
    articles: dict[Path, Article] = {}
    errors: list[PressroomError] = []
    for page in plan.pages:
        for story in page.stories:
            try:
                articles[story.folder] = prepare(story.folder)
            except ErrorGroup as group:
                errors.extend(group.errors)
            except PressroomError as error:
                errors.append(error)
    errors += [_other_script(plan, article) for article in articles.values()
               if convention(article.lang).variant != convention(plan.lang).variant]
    raise_all(errors)
    return plan, articles


def _other_script(plan: Plan, article: Article) -> ManuscriptError:
    return ManuscriptError(
        f"the story is in lang {article.lang}, set in the {convention(article.lang).variant} "
        f"faces, but the edition is in lang {plan.lang} ({convention(plan.lang).variant})",
        article.where.get("lang", Location(article.source)),
        f"set 'lang: {plan.lang}' in the story, or the plan's lang to the stories'",
        code="PR159")


def edition_sources(plan_path: Path) -> list[Path]:
    """What an edition's build reads: the plan, its folder, the artwork of its ads and
    masthead (wherever under manuscript/ they lie) and every story's folder."""
    from .reading.plan import read_plan

    plan = read_plan(plan_path)
    artwork = [ad.artwork for page in plan.pages for ad in page.ads]
    if plan.masthead and plan.masthead.artwork:
        artwork.append(plan.masthead.artwork)
    return [Path(plan_path), Path(plan_path).parent, *artwork,
            *(story.folder for page in plan.pages for story in page.stories)]


def compose_plan(plan_path: Path) -> EditionLayout:
    return _composed(*prepare_edition(plan_path))


def _composed(plan: Plan, articles: dict[Path, Article]) -> EditionLayout:
    # The make-up of editions and the stamping of ads load pypdf and more: a build of
    # one article does without them.
    from .outputs.edition import report_edition_gaps
    from .outputs.stamp import artwork_size
    from .typesetting.edition import compose_edition

    sizes = {ad.artwork: artwork_size(ad.artwork, ad.where)
             for page in plan.pages for ad in page.ads}
    if plan.masthead and plan.masthead.artwork:
        sizes[plan.masthead.artwork] = artwork_size(plan.masthead.artwork, plan.masthead.where)
    layout = compose_edition(plan, articles, sizes)
    report_edition_gaps(layout)
    return layout


def edition_variant(plan: Plan, variant: Variant | None = None) -> Variant:
    """What the edition's PDFs are made for: the build's --variant, else the plan's."""
    return variant or variant_named(plan.variant)


def compose_for(plan_path: Path, variant: Variant | None,
                proof_only: bool) -> tuple[EditionLayout, Variant]:
    """The edition made up for its variant; refused for the plate while it carries
    stand-ins, unless it is only a proof: before the make-up, so that a refusal costs no
    composing."""
    plan, articles = prepare_edition(plan_path)
    variant = edition_variant(plan, variant)
    refuse_placeholders(plan_placeholders(plan, articles.values()), variant, proof_only)
    return _composed(plan, articles), variant.as_proof(proof_only)


def edition_folder(plan: Plan, out_dir: Path = BUILD_DIR,
                   variant: Variant | None = None) -> Path:
    """build/<edition>/ for the screen, build/<edition>-press/ and so on for the others:
    a press build never overwrites the screen pages, nor the other way round."""
    return out_dir / f"{plan.name}{edition_variant(plan, variant).suffix}"


def edition_paths(plan: Plan, out_dir: Path = BUILD_DIR,
                  variant: Variant | None = None) -> list[Path]:
    """Where the plant's files of each page go: build/<edition>/<file name> (in
    build/<edition>-press/ for a press build)."""
    from .reading.plan import page_file_name

    folder = edition_folder(plan, out_dir, variant)
    return [folder / page_file_name(plan, number) for number in range(len(plan.pages))]


def edition_pdf_path(plan: Plan, out_dir: Path = BUILD_DIR,
                     variant: Variant | None = None) -> Path:
    """The whole edition as one PDF: build/<edition>.pdf, build/<edition>-press.pdf ..."""
    return edition_folder(plan, out_dir, variant).with_suffix(".pdf")


def edition_epub_path(plan: Plan, out_dir: Path = BUILD_DIR) -> Path:
    """One e-book, whatever the PDFs are made for: build/<edition>.epub."""
    return out_dir / f"{plan.name}.epub"


@_in_scratch
def build_edition_pdf(plan_path: Path, out_dir: Path = BUILD_DIR, variant: Variant | None = None,
                      proof_only: bool = False) -> list[Path]:
    """One PDF a page, named as the plan says, and the whole edition as one PDF."""
    layout, variant = compose_for(plan_path, variant, proof_only)
    whole, pages = _rendered(layout, variant)
    return _write_edition_pdfs(layout, whole, pages, out_dir, variant)


def _rendered(layout: EditionLayout, variant: Variant = SCREEN) -> tuple[bytes, list[bytes]]:
    """The edition's PDF and its pages' PDFs; its stand-ins warned of (PR507) once the
    pages are made."""
    from .outputs.edition import render_edition

    freeze_imported()
    pdfs = _released(render_edition(layout, variant))
    warn_placeholders(plan_placeholders(layout.plan, layout.articles))
    return pdfs


def _screen_edition(layout: EditionLayout) -> bytes:
    from .outputs.edition import render_edition

    return render_edition(layout)[0]


def _write_edition_pdfs(layout: EditionLayout, whole: bytes, pages: list[bytes],
                        out_dir: Path, variant: Variant) -> list[Path]:
    plan = layout.plan
    with staged_outputs():
        paths = [write_atomically(path, data)
                 for path, data in zip(edition_paths(plan, out_dir, variant), pages)]
        paths.append(write_atomically(edition_pdf_path(plan, out_dir, variant), whole))
    return paths


@_in_scratch
def build_edition_epub(plan_path: Path, out_dir: Path = BUILD_DIR) -> Path:
    """The edition as one e-book, the front page's proof its cover."""
    layout, _ = compose_for(plan_path, SCREEN, False)
    whole, _ = _rendered(layout)
    return write_atomically(edition_epub_path(layout.plan, out_dir),
                            _edition_epub(layout, cover_jpeg(whole, COVER_DPI)))


def _edition_epub(layout: EditionLayout, cover: bytes | None) -> bytes:
    from .outputs.edition import edition_title

    plan = layout.plan
    # A story that jumps is in the book once, whole, on the page where it starts.
    pages = [EditionPage(page.label, page.section, starting)
             for page, starting in zip(plan.pages, layout.starting)]
    data = render_edition_epub(EditionBook(plan.name, edition_title(plan), plan.publication,
                                           plan.date, plan.lang, plan.identifier,
                                           tuple(pages)), cover)
    verify_ebook(layout.articles, data)
    return data


@_in_scratch
def build_edition(plan_path: Path, out_dir: Path = BUILD_DIR, variant: Variant | None = None,
                  proof_only: bool = False) -> list[Path]:
    """The plant's PDFs, the edition PDF and the EPUB from one make-up of the pages."""
    layout, variant = compose_for(plan_path, variant, proof_only)
    whole, pages = _rendered(layout, variant)
    # One e-book whatever the PDFs are for: its cover is the screen front page's.
    screen = whole if variant == SCREEN else _screen_edition(layout)
    epub = _edition_epub(layout, cover_jpeg(screen, COVER_DPI))
    with staged_outputs():
        paths = _write_edition_pdfs(layout, whole, pages, out_dir, variant)
        paths.append(write_atomically(edition_epub_path(layout.plan, out_dir), epub))
    return paths


@_in_scratch
def build_edition_proof(plan_path: Path, out_dir: Path = BUILD_DIR, dpi: float = 100,
                        variant: Variant | None = None, proof_only: bool = False) -> list[Path]:
    """Every page of the edition as a PNG beside its PDF: build/<edition>/<name>.png
    (build/<edition>-press/<name>.png for a press build's pages)."""
    layout, variant = compose_for(plan_path, variant, proof_only)
    whole, _ = _rendered(layout, variant)
    with staged_outputs():
        return [write_atomically(path.with_suffix(".png"), proof_png(whole, dpi, number))
                for number, path in enumerate(edition_paths(layout.plan, out_dir, variant))]


__all__ = ["article_path", "build_all", "build_edition", "build_edition_epub",
           "build_edition_pdf", "build_edition_proof", "build_epub", "build_pdf", "build_proof",
           "edition_plans", "manuscripts"]
