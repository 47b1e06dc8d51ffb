"""The pipeline, top to bottom: read the manuscript, check its characters against the
faces, render the shared layouts, write the PDF page, the EPUB and the proof.

Each function here is one thing a user asks for (``invoke pdf``, ``invoke epub`` ...);
each writes its outputs atomically, so a failed build leaves ``build/`` as it was.
"""
from __future__ import annotations

from pathlib import Path

from .reading.coverage import check_coverage
from .outputs.epub import render_epub
from .errors import CopyfitError
from .reading.manuscript import article_path, read_manuscript
from .reading.model import Article
from .output import staged_outputs, write_atomically
from .outputs.pdf import render_pdf
from .outputs.proof import APPROVAL_DPI, approved_proof_path, page_count, proof_png

ROOT = Path(__file__).resolve().parent.parent
MANUSCRIPTS_DIR = ROOT / "manuscript"
DEFAULT_MANUSCRIPT = MANUSCRIPTS_DIR / "boshan-report"
BUILD_DIR = ROOT / "build"
COVER_DPI = 60  # 638 x 921 px for a 四开 page: a sharp thumbnail, a small book


def manuscripts(folder: Path = MANUSCRIPTS_DIR) -> list[Path]:
    """Every manuscript folder under ``folder``, in a stable order."""
    return sorted(path.parent for path in folder.glob("*/article.md"))


def prepare(manuscript: Path) -> Article:
    article = read_manuscript(manuscript)
    check_coverage(article)
    return article


def build_pdf(manuscript: Path = DEFAULT_MANUSCRIPT, out_dir: Path = BUILD_DIR) -> Path:
    article = prepare(manuscript)
    return write_atomically(out_dir / f"{article.slug}.pdf", render_pdf(article))


def build_proof(manuscript: Path = DEFAULT_MANUSCRIPT, out_dir: Path = BUILD_DIR,
                dpi: float = 100) -> list[Path]:
    """The pages as PNGs: build/<slug>.png, then <slug>-2.png ... for a story that runs on."""
    article = prepare(manuscript)
    pdf = render_pdf(article)
    names = [f"{article.slug}.png"] + [f"{article.slug}-{number}.png"
                                       for number in range(2, page_count(pdf) + 1)]
    with staged_outputs():
        return [write_atomically(out_dir / name, proof_png(pdf, dpi, number))
                for number, name in enumerate(names)]


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
    number = count + 1
    while approved_proof_path(article, number).exists():
        approved_proof_path(article, number).unlink()
        number += 1
    return paths


def build_epub(manuscript: Path = DEFAULT_MANUSCRIPT, out_dir: Path = BUILD_DIR) -> Path:
    article = prepare(manuscript)
    return write_atomically(out_dir / f"{article.slug}.epub", render_epub(article, _cover(article)))


def _cover(article: Article) -> bytes | None:
    """The page proof as the e-book's cover, so readers see the page as the paper printed
    it; an article that does not fit its printed page still gets its e-book, with a drawn
    cover."""
    try:
        return proof_png(render_pdf(article), dpi=COVER_DPI)
    except CopyfitError:
        return None


def build_all(manuscript: Path = DEFAULT_MANUSCRIPT, out_dir: Path = BUILD_DIR) -> list[Path]:
    """PDF, EPUB and proof of one manuscript from a single layout of the page."""
    article = prepare(manuscript)
    pdf = render_pdf(article)
    epub = render_epub(article, proof_png(pdf, dpi=COVER_DPI))
    # Both are made before either is written: a failure leaves the old pair as it was.
    with staged_outputs():
        return [write_atomically(out_dir / f"{article.slug}.pdf", pdf),
                write_atomically(out_dir / f"{article.slug}.epub", epub)]


__all__ = ["article_path", "build_all", "build_epub", "build_pdf", "build_proof", "manuscripts"]
