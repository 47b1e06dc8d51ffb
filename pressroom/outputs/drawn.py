"""What the laid-out page draws, read from WeasyPrint's layout before anything is written
(the PDF itself is ``invoke check``'s to parse): every text box counts only if it lies on
the sheet, inside whatever clips it (a box with ``overflow`` other than visible), at 5 pt
or more, neither hidden nor transparent. ``verify_drawn`` holds that text against the
article's reading order (``pressroom.outputs.verify``), ``verify_edition`` each story's
against its own modules; a part that is missing is PR420, with why it was not seen.

A module of its own so that what does not set a page (the e-book of a page already built)
does without WeasyPrint.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

from weasyprint.formatting_structure import boxes

from ..errors import ErrorGroup
from ..reading.model import Article
from .verify import join_jumped, lost_part

MIN_TEXT_PT = 5.0
TOLERANCE_PT = 1.0  # a glyph's box may touch its clip by a rounding; a hung stop more
HUNG_PT = 12.0  # a hung stop (行末点号悬挂) may stand outside its column, not off the sheet
PX_PER_PT = 4 / 3


@dataclass(frozen=True)
class Drawn:
    """A page's text as drawn, and the text it draws where no reader can see it."""

    text: str
    unseen: tuple[tuple[str, str], ...]  # (text, why: "off the sheet" ...)
    figures: str = ""  # the text of its photos' captions and credits, read apart


def drawn_text(page_box, within: str | None = None) -> Drawn:
    """The visible text of a laid-out page, a line a line; ``within``: only what the
    element of that id holds (one module of an edition's page)."""
    sheet = (0.0, 0.0, page_box.margin_width(), page_box.margin_height())
    lines: list[str] = []
    figures: list[str] = []
    unseen: list[tuple[str, str]] = []
    for box, seen in _text_boxes(page_box, _Seen(sheet, sheet), within is None, within):
        read = figures if seen.figure else lines
        if box is _BREAK:
            read.append("\n")
            continue
        if not box.text:
            continue
        why = seen.why_unseen(box)
        if why:
            unseen.append((box.text, why))
        else:
            read.append(box.text)
    return Drawn("".join(lines), tuple(unseen), "".join(figures))


@dataclass(frozen=True)
class _Seen:
    """What the boxes around a text box do to it: the sheet, the rectangle that clips it,
    the line box it stands in, and whether an ancestor hides it."""

    sheet: tuple[float, float, float, float]
    clip: tuple[float, float, float, float]
    line: tuple[float, float] | None = None  # the line box's top and bottom
    hidden: str | None = None  # why an ancestor makes it invisible
    figure: bool = False  # inside a photo's figure: its caption and credit

    def inside(self, box) -> "_Seen":
        style = box.style
        seen = self
        if style["transform"] and not self.hidden:
            # WeasyPrint moves the box only when it draws it; where the text ends up is
            # not in the layout, so it cannot be vouched for.
            seen = replace(seen, hidden="moved by a CSS transform, which the build cannot "
                                        "follow")
        if style["opacity"] == 0 and not seen.hidden:
            seen = replace(seen, hidden="made transparent (opacity: 0)")
        if style["overflow"] != "visible" and not isinstance(box, boxes.PageBox):
            seen = replace(seen, clip=_intersect(seen.clip, (
                box.padding_box_x(), box.padding_box_y(),
                box.padding_box_x() + box.padding_width(),
                box.padding_box_y() + box.padding_height())))
        if isinstance(box, boxes.LineBox):
            seen = replace(seen, line=(box.position_y, box.position_y + box.height))
        if getattr(box, "element_tag", None) == "figure":
            seen = replace(seen, figure=True)
        return seen

    def why_unseen(self, box) -> str | None:
        style = box.style
        if self.hidden:
            return self.hidden
        if style["visibility"] != "visible":
            return f"hidden (visibility: {style['visibility']})"
        if getattr(style["color"], "alpha", 1) == 0:
            return "set in a transparent colour"
        size = style["font_size"] / PX_PER_PT
        if size < MIN_TEXT_PT - 1e-6:
            return f"set at {size:.2g} pt, under {MIN_TEXT_PT:g} pt"
        left, right = box.position_x, box.position_x + box.width
        # Height is the line's, not the glyph box's: a face's content area may stand
        # above and below a tight line without any ink being cut.
        top, bottom = self.line or (box.position_y, box.position_y + box.height)
        slack = TOLERANCE_PT * PX_PER_PT
        sheet, clip = self.sheet, self.clip
        if left < sheet[0] - slack or right > sheet[2] + slack or top < sheet[1] - slack \
                or bottom > sheet[3] + slack:
            return "drawn off the sheet"
        hung = HUNG_PT * PX_PER_PT
        if right > clip[2] + hung or left < clip[0] - slack or bottom > clip[3] + slack \
                or top < clip[1] - slack:
            return "cut off by the box that holds it"
        return None


_BREAK = object()  # the end of a line box, read as a new line


def _text_boxes(box, seen: _Seen, inside: bool, within: str | None) -> Iterator[tuple]:
    """Every text box under ``box`` with what its ancestors do to it (``_Seen``), a line
    break after each line box, and only those in the wanted element."""
    element = getattr(box, "element", None)
    if within is not None and element is not None and element.get("id") == within \
            and getattr(box, "element_tag", None) is not None:
        inside = True
    if isinstance(box, boxes.TextBox):
        if inside:
            yield box, seen
        return
    seen = seen.inside(box)
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child, seen, inside, within)
    if isinstance(box, boxes.LineBox) and inside:
        yield _BREAK, seen


def _intersect(a, b):
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def verify_drawn(article: Article, document) -> None:
    """Every part of ``article`` drawn, visibly, in order on the rendered ``document``."""
    drawn = [drawn_text(page._page_box) for page in document.pages]
    error = lost_part(article, join_jumped([d.text for d in drawn]),
                      [u for d in drawn for u in d.unseen], "the page",
                      "\n".join(d.figures for d in drawn))
    if error:
        raise error


def verify_edition(layout, document) -> None:
    """Every story of an edition drawn whole across its pages, each in its own modules."""
    texts: dict[str, list[str]] = {}
    figures: dict[str, list[str]] = {}
    unseen: dict[str, list[tuple[str, str]]] = {}
    for page, rendered in zip(layout.pages, document.pages):
        for index, slug in enumerate(page.stories, 1):
            drawn = drawn_text(rendered._page_box, f"module-{page.number}-{index}")
            texts.setdefault(slug, []).append(drawn.text)
            figures.setdefault(slug, []).append(drawn.figures)
            unseen.setdefault(slug, []).extend(drawn.unseen)
    errors = [error for article in layout.articles
              if (error := lost_part(article, join_jumped(texts.get(article.slug, [])),
                                     unseen.get(article.slug, []), "the edition",
                                     "\n".join(figures.get(article.slug, []))))]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorGroup(errors)
