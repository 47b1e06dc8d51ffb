"""Widths of Latin runs as WeasyPrint itself will set them.

Han characters and Chinese marks have the widths the font says (HarfBuzz gives them), but
a Latin run like 1+N or 5G is shaped by Pango with its own itemization and kerning, which
HarfBuzz alone does not reproduce to the hundredth of an em. So every Latin run of a page
is measured once, in one small WeasyPrint layout of the same faces, and the line setter
uses those widths: what is computed is then what is printed.

The widths are kept between builds beside the outputs (``<out>/.widths/``), keyed by the
faces' files and the versions of WeasyPrint, Pango and HarfBuzz: a rebuild after an edit
measures only the runs it has not met, and most rebuilds need no measuring layout at all.
"""
from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from typing import Iterable

from .. import fingerprint, manifest
from ..faces import WEIGHTS, Typefaces
from ..output import cache_folder, trim_cache, write_cached

_SIZE_PT = 100.0  # measured large so that Pango's 1/1024 px units vanish in the result
_PX_PER_PT = 4 / 3


# Widths measured in this process, by (faces, family, run): a build's faces do not change
# while it runs, and an edition measures the runs of all its stories in one layout.
_MEASURED: dict[tuple[str, str, str], float] = {}
MAX_MEASURED = 100_000
CACHE_DIR = fingerprint.ROOT / "build" / ".widths"
_LOADED: set[str] = set()  # the cache files read in this process


def latin_widths(runs: Iterable[tuple[str, str]],
                 chosen: Typefaces) -> dict[tuple[str, str], float]:
    """Map (family, run) to the run's advance width in em, set in the faces ``chosen``."""
    key = chosen.signature
    runs = set(runs)
    cache = _cache_file(chosen)
    if any((key, *run) not in _MEASURED for run in runs) and str(cache) not in _LOADED:
        _load(cache, key)
    missing = sorted(run for run in runs if (key, *run) not in _MEASURED)
    if missing and len(_MEASURED) + len(missing) > MAX_MEASURED:
        _MEASURED.clear()  # a long-lived process measures many stories: stay bounded
        _LOADED.clear()
        missing = sorted(runs)
    if missing:
        for run, width in _measure(missing, chosen).items():
            _MEASURED[(key, *run)] = width
        _save(cache, key)
    return {run: _MEASURED[(key, *run)] for run in runs}


def _cache_file(chosen: Typefaces) -> Path:
    name = hashlib.sha256(f"{chosen.signature}\n{chosen.files_key}\n{manifest.libraries()}\n"
                          f"{fingerprint.code_digest()}".encode())
    return cache_folder(CACHE_DIR.name, CACHE_DIR) / f"{name.hexdigest()[:32]}.json"


def _load(cache: Path, key: str) -> None:
    _LOADED.add(str(cache))
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        widths = {(key, family, run): float(width) for family, run, width in stored}
    except (OSError, ValueError, TypeError):
        return  # no cache yet, or a damaged one: measure again
    _MEASURED.update(widths)


def _save(cache: Path, key: str) -> None:
    stored = sorted([family, run, width] for (signature, family, run), width
                    in _MEASURED.items() if signature == key)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_cached(cache, json.dumps(stored, ensure_ascii=False).encode("utf-8"))
        trim_cache(cache.parent)
    except OSError:
        pass  # a cache that cannot be written only costs the next build a measurement


def _measure(wanted: list[tuple[str, str]], chosen: Typefaces) -> dict[tuple[str, str], float]:
    import weasyprint  # only a run not met before needs a layout
    from weasyprint.text.fonts import FontConfiguration

    faces = "".join(
        f'@font-face{{font-family:"{face.family}";src:url("{face.path.as_uri()}");'
        f"font-weight:{face.weight}"
        + (f";unicode-range:{face.unicode_range}" if face.fallback else "") + "}"
        for face in chosen.faces)
    spans = "".join(
        f'<div style="font-family:&quot;{html.escape(family)}&quot;;font-weight:{WEIGHTS[family]}">'
        f"<span>{html.escape(run)}</span></div>"
        for family, run in wanted)
    page = (f'<html lang="{html.escape(chosen.lang)}"><style>{faces}@page{{size:2000mm 20000mm;margin:0}}'
            f"body{{margin:0;font-size:{_SIZE_PT}pt;line-height:1;white-space:pre}}</style>{spans}")
    document = weasyprint.HTML(string=page).render(font_config=FontConfiguration())
    # A run a line: a thousand of them fill more than one tall page.
    widths = [box.width for page in document.pages for box in _text_boxes(page._page_box)]
    if len(widths) != len(wanted):
        raise RuntimeError("measuring Latin runs: WeasyPrint split a run")
    return {key: width / (_SIZE_PT * _PX_PER_PT) for key, width in zip(wanted, widths)}


def _text_boxes(box):
    if type(box).__name__ == "TextBox":
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)
