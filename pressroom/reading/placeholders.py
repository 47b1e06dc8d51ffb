"""What a page carries only as a stand-in, and what a build does about it.

The source of an article rarely gives everything a page prints: the issue date, the page
label and the section name are the editor's settings, and a photo the source names but
does not carry is drawn as a marked stand-in (``pressroom.outputs.standin``). The page
shows each plainly as what it is (日期待定, a grey page label, 图片占位), so a proof can
go round the newsroom; but none of them may reach the plate. Each is warning PR507 on
every build (an error under ``--strict``), and a press PDF refuses them all at once,
naming what to set, unless it is asked for as a proof (``--proof-only``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, ManuscriptError, PressroomWarning, StrictError, \
    active_diagnostics
from ..photos import PhotoFault, inspect_photo
from .model import Article


@dataclass(frozen=True)
class Placeholder:
    """One stand-in: what the page prints in its place, what to set, and where."""

    what: str  # the warning: what the page shows in its place
    setting: str  # what the editor sets
    where: Location
    name: str  # what is missing, in a list of them


def _standin(path: Path) -> bool:
    try:
        return inspect_photo(path).standin
    except (OSError, PhotoFault):
        return False  # reported where the photo is read


def article_placeholders(article: Article) -> list[Placeholder]:
    """The stand-ins of a manuscript set as its own page."""
    spec, source = article.printing, Location(article.source)
    found = []
    if spec.date is None:
        found.append(Placeholder("no issue date: the header strip prints 日期待定",
                                 "set the issue date in the front matter: date: 2021-02-02",
                                 source, "the issue date"))
    if spec.page_label is None:
        found.append(Placeholder("no page label: the header strip numbers the page from "
                                 "第1版, in grey", "set the page label: page: 第5版", source,
                                 "the page label"))
    if not spec.section:
        found.append(Placeholder("no section name: the header strip has none",
                                 "set the section name: section: 要闻", source,
                                 "the section name"))
    found += figure_placeholders(article)
    return found


def figure_placeholders(article: Article) -> list[Placeholder]:
    return [Placeholder(f"the photo '{figure.image.name}' is a drawn stand-in (图片占位)",
                        f"save the real photo over {figure.image.name}", figure.where,
                        f"the photo {figure.image.name}")
            for figure in article.figures if _standin(figure.image)]


def plan_placeholders(plan, articles) -> list[Placeholder]:
    """The stand-ins of an edition: the plan's settings, the stories' photos and the
    advertisements drawn as stand-ins."""
    where = (plan.where or {}).get("date", Location(plan.source))
    found = []
    if plan.date is None:
        found.append(Placeholder("no issue date: the edition prints 日期待定",
                                 "set the issue date in the page plan: date: 2026-12-01",
                                 where, "the issue date"))
    for page in plan.pages:
        if not page.section and not page.masthead:
            found.append(Placeholder(f"{page.label} has no section name",
                                     "set the page's section: section: 要闻",
                                     page.where or Location(plan.source),
                                     f"the section name of {page.label}"))
        found += [Placeholder(f"the advertisement '{ad.artwork.name}' on {page.label} is a "
                              "drawn stand-in", "supply the advertiser's artwork",
                              ad.where or Location(plan.source),
                              f"the advertisement {ad.artwork.name}")
                  for ad in page.ads if _standin_artwork(ad.artwork)]
    for article in articles:
        found += figure_placeholders(article)
    return found


def _standin_artwork(path: Path) -> bool:
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        return False
    return _standin(path)


def refuse_placeholders(found: list[Placeholder], variant, proof_only: bool) -> None:
    """For a press PDF not asked for as a proof: one error naming every stand-in and what
    to set, before anything is set."""
    if not found or not variant.press or proof_only:
        return
    count = f"{len(found)} stand-in{'s' if len(found) > 1 else ''}"
    whose = "edition" if first_is_plan(found) else "page"
    raise ManuscriptError(
        f"a {variant.name} PDF goes to the plate, and the {whose} still carries {count} in "
        f"place of " + "; ".join(f"{item.name}{_line(item, found[0])} ({item.setting})"
                                 for item in found),
        found[0].where, "set each of them; for a proof that will not go to the plant, "
        "add --proof-only", code="PR170")


def warn_placeholders(found: list[Placeholder]) -> None:
    """PR507 for each stand-in of a page that was made (an error under --strict)."""
    diagnostics = active_diagnostics()
    for item in found:
        warning = PressroomWarning("PR507", item.what, item.where,
                                   f"{item.setting}; a press PDF refuses it until then")
        if diagnostics.strict:
            raise StrictError.from_warning(warning)
        diagnostics.warn(warning)

def _line(item: Placeholder, first: Placeholder) -> str:
    """Where the stand-in is, after its name: its line in the file the message names, or
    its file and line (a story's photo in an edition's message)."""
    if item.where.path != first.where.path:
        return f" ({item.where})"
    return f" at line {item.where.line}" if item.where.line else ""


def first_is_plan(found: list[Placeholder]) -> bool:
    return found[0].where.path.suffix in (".yaml", ".yml")
