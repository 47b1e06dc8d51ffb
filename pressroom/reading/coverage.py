"""The coverage guard: every character is checked against the face that will draw it.

WeasyPrint silently falls back to any system font for a character its font lacks, and
draws a tofu box when no font has it. Neither may reach the plant, so the guard runs
before rendering. It chooses the build's faces (``pressroom.faces.typefaces``) from every
text the page prints, by the role that sets it; a character set in a declared fallback
face is a warning (PR504), a character no face has an error (PR200), each naming the
character, its code point and its manuscript line and column.
"""
from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from .. import faces, labels
from ..errors import CoverageError, ErrorGroup, Location, PressroomWarning, StrictError, \
    active_diagnostics
# Which face sets which part (below) mirrors the font-family rules of
# layouts/css/shared.css; tests read the built PDF to make sure the two agree.
from ..fonts import HEI, KAI, SONG
from .model import Article


@dataclass(frozen=True)
class Run:
    """A piece of text, the face that sets it, and where it is written."""

    text: str
    family: str
    where: Location


def runs(article: Article) -> Iterator[Run]:
    where = article.where
    for line in article.headline:
        yield Run(line, HEI, where["title"])
    if article.kicker:
        yield Run(article.kicker, SONG, where["kicker"])
    if article.subtitle:
        yield Run(article.subtitle, HEI, where["subtitle"])
    if article.publication:
        yield Run(article.publication, HEI, where["publication"])
    printing = article.printing
    for key, value in (("section", printing.section), ("page", printing.page_label),
                       ("page_editor", printing.page_editor)):
        if value:
            yield Run(value, SONG, where[key])
    if printing.page_label:  # the jump lines name it too
        yield Run(printing.page_label, KAI, where["page"])
    if printing.jump_title:
        yield Run(printing.jump_title, HEI, where["jump_title"])
    if article.editor_note:
        yield Run(labels.label(article.lang, "editor_note"), HEI,  # the label the layouts print
                  article.editor_note.where)
        for paragraph in article.editor_note.paragraphs:
            yield Run(paragraph.text, KAI, paragraph.where)
    for block in article.blocks:
        if block.kind == "paragraph":
            yield Run(block.text, SONG, block.where)
        elif block.kind == "subhead":
            yield Run(block.text, HEI, block.where)
        elif block.kind == "figure":
            yield Run(block.caption + (block.credit or ""), KAI, block.where)
    if article.byline:
        yield Run(article.byline.text, KAI, article.byline.where)


def _exact_place(where: Location, char: str) -> Location:
    """The first source line at or after ``where`` that holds ``char``, and its column."""
    try:
        lines = where.path.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return where
    start = (where.line or 1) - 1
    for number in range(start, len(lines)):
        column = lines[number].find(char)
        if column >= 0:
            return Location(where.path, number + 1, column + 1)
    return where


def texts_by_role(article: Article) -> dict[str, list[str]]:
    """Every text the page prints, by the role family that sets it."""
    texts: dict[str, list[str]] = {}
    for run in runs(article):
        texts.setdefault(run.family, []).append(run.text)
    return texts


def check_coverage(article: Article) -> Article:
    """The article with the faces that set it (``Article.typefaces``), once every
    character has a face: a ``CoverageError`` for each one no face has, a PR504 warning
    for each one set in a fallback face."""
    chosen = choose_faces(article)
    report_faces(chosen, list(runs(article)))
    return dataclasses.replace(article, typefaces=chosen)


def choose_faces(article: Article) -> faces.Typefaces:
    """The faces that set every text the article's page prints, said nothing about."""
    return faces.typefaces(article.lang, texts_by_role(article), own_fonts=article.fonts)


def report_faces(chosen: faces.Typefaces, texts: list[Run]) -> None:
    """Raise the missing characters of ``chosen`` as errors and warn of its fallbacks,
    each at the first of ``texts`` (in the role that asked) that holds it."""
    def place(family: str, char: str) -> Location | None:
        run = next((run for run in texts if run.family == family and char in run.text), None)
        return _exact_place(run.where, char) if run else None

    errors: list[CoverageError] = []
    for family, char in chosen.missing:
        own = chosen.own(family).design
        uninstalled = [design for role_family, missing, design in chosen.uninstalled
                       if role_family == family and missing == char]
        hint = (f"install the Debian package {uninstalled[0].package} (scripts/install.sh "
                "does), which has the whole face" if uninstalled else
                "no Pressroom face has it: check the character is the one meant; a rare "
                "character can come from a font of your own (see README, Fonts)")
        errors.append(CoverageError(
            f"character '{char}' (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}) "
            f"is in no face: not in {own.name}, the {family} face"
            + (f", nor in its fallbacks ({', '.join(design.name for design in _fallbacks(chosen, family))})"
               if _fallbacks(chosen, family) else ""),
            place(family, char), hint))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)
    diagnostics = active_diagnostics()
    for fallback in chosen.fallbacks:
        if not fallback.drawn_by.package:  # the manuscript's own font: what it was given for
            where = place(fallback.family, fallback.char)
            diagnostics.note(f"{where}: '{fallback.char}' (U+{ord(fallback.char):04X}) is set "
                             f"in {fallback.drawn_by.name}, the manuscript's own font")
            continue
        warning = PressroomWarning(
            "PR504", f"character '{fallback.char}' (U+{ord(fallback.char):04X}) is not in "
                     f"{fallback.role_face.name}, the {fallback.family} face: it is set in "
                     f"{fallback.drawn_by.name}",
            place(fallback.family, fallback.char),
            "a declared fallback; a font of your own with the character sets it in its role's style")
        if diagnostics.strict:
            errors.append(StrictError.from_warning(warning))
        else:
            diagnostics.warn(warning)
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)


def _fallbacks(chosen: faces.Typefaces, family: str) -> tuple[faces.Design, ...]:
    return faces.DESIGNS[chosen.convention.variant][family].fallbacks
