"""The coverage guard: every character is checked against the face that will draw it.

WeasyPrint silently falls back to any system font for a character its font lacks, and
draws a tofu box when no font has it. Neither may reach the plant, so the check runs
before rendering and names the character, its code point and its manuscript line.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Iterator

from .. import fonts
from ..errors import CoverageError, ErrorGroup, Location
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
        yield Run("编者按", HEI, article.editor_note.where)  # the label the layouts print
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


def _exact_line(where: Location, char: str) -> Location:
    """The first source line at or after ``where`` that holds ``char``."""
    try:
        lines = where.path.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return where
    start = (where.line or 1) - 1
    for number in range(start, len(lines)):
        if char in lines[number]:
            return Location(where.path, number + 1)
    return where


def check_coverage(article: Article) -> None:
    """Raise a ``CoverageError`` for every character a face cannot draw."""
    by_family = {face.role_family: face for face in fonts.FACES}
    errors: list[CoverageError] = []
    seen: set[tuple[str, str]] = set()
    for run in runs(article):
        face = by_family[run.family]
        covered = fonts.cmap(face)
        for char in run.text:
            if char.isspace() or ord(char) in covered or (char, run.family) in seen:
                continue
            seen.add((char, run.family))
            name = unicodedata.name(char, "unnamed")
            errors.append(CoverageError(
                f"character '{char}' (U+{ord(char):04X} {name}) is not in {face.file}, "
                f"the {run.family} face",
                _exact_line(run.where, char),
                "run 'invoke fonts' to add it from the source font, or replace the character",
            ))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)
