"""A new manuscript (``invoke new SLUG``): a folder with an ``article.md`` that names every
front-matter key an editor fills in, commented, and placeholders that build as they are.

The template is ``pressroom/templates/article.md``, copied as it is (nothing in it depends
on the slug: the e-book's identifier is derived from the folder's name when the front
matter gives none). Its figure shows a drawn stand-in marked 图片占位, written beside it,
so that the new page builds before a real photo is saved over it.

The folder is never written over: one that exists is refused, and a folder half made
(the disk full, Ctrl-C) is removed again.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import Location, ManuscriptError
from .output import write_atomically
from .outputs.standin import draw_standin
from .reading.manuscript import ARTICLE_FILE, MAX_SLUG_BYTES, shown_name, slug_fault

TEMPLATE = Path(__file__).resolve().parent / "templates" / "article.md"
PHOTO = "photo.jpg"  # the file the template's figure names
STANDIN_LABEL = ("图片占位", "请换上本稿的照片")


def new_manuscript(slug: str, folder: Path) -> Path:
    """Make ``folder/slug/article.md`` from the template, with the stand-in photo its
    figure names; return the path of ``article.md``."""
    fault = slug_fault(slug)
    if fault:
        raise ManuscriptError(
            f"'{shown_name(slug)}' cannot be a manuscript's name: it {fault}",
            Location(Path(folder)),
            "a slug names one folder and its outputs (build/<slug>.pdf): letters, digits, "
            f"'-', '_' and Chinese characters, not starting with '.', at most {MAX_SLUG_BYTES} "
            "bytes", code="PR108")
    target = Path(folder) / slug
    Path(folder).mkdir(parents=True, exist_ok=True)
    try:
        # mkdir is the claim: of two editors making the same slug at once, one gets it.
        target.mkdir()
    except FileExistsError:
        raise _exists(target) from None
    try:
        write_atomically(target / PHOTO, draw_standin(STANDIN_LABEL))
        return write_atomically(target / ARTICLE_FILE, TEMPLATE.read_bytes())
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


def _exists(target: Path) -> ManuscriptError:
    what = "folder" if target.is_dir() and not os.path.islink(target) else "file"
    return ManuscriptError(
        f"a {what} of that name exists already; nothing was written",
        Location(target),
        "choose another slug, or open the manuscript that is there", code="PR109")
