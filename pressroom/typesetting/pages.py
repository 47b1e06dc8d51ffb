"""The pages of a story: their grids, the chain of frames through them, and the parts
each page prints once the flow has placed them.

Takes the ``Texts`` of a story and, for the pour, a leading and a page count; gives each
page's ``Sheet`` (its head and body frame on the page's grid) and the chain of columns the
flow fills; once poured, ``make_layout`` turns the ``Flow`` into the ``Layout`` the outputs
print: boxes, jump lines, header strip, column rules and the area left empty.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterator

from ..labels import label
from ..reading.model import PageSpec
from ..settings import Settings
from ..fonts import HEI, KAI, SONG, baseline
from .flow import Column, Flow
from .folios import Furniture, furniture, page_labels
from .frames import PT_PER_MM, Box, Frame
from .breaking import set_lines
from .headings import plain_width
from .lines import Line
from .parts import (FreeArea, Layout, NoteColumn, NotePiece, Page, SetBlock, SetByline,
                    SetFigure, SetHeadline, SetJump, SetNote, SetParagraph, SetSubhead, Sizes)
from .texts import (Head, NoteSetting, Texts, display_line, first_head, jump_head,
                    note_height)

MASTHEAD_SIZE = 9.0  # pt, the header strip's text (print.css)
PUBLICATION_SIZE = 15.0  # pt, the paper's name in it (print.css)
STRIP_LINE = 18.0  # pt, the header strip's line height (print.css)
STRIP_SPACE = 6.0  # pt between the strip's rule and what stands under it


def strip_box(settings: Settings, left: float, width: float, pitch: float) -> Box:
    """The header strip's box of an edition's page at the top margin, moved down by less
    than a line so that its baseline stands on the page's grid (its date, section and
    page editor are set in the body's face and size, and a reader's eye takes them for a
    line of the grid). The grid's rows are counted up from the foot of the type area."""
    top = settings.margin_top * PT_PER_MM
    bottom = (settings.page_height - settings.margin_bottom) * PT_PER_MM
    # The strip's items stand on one baseline, that of its tallest: the paper's name.
    strip = max(baseline(HEI, PUBLICATION_SIZE, STRIP_LINE),
                baseline(SONG, MASTHEAD_SIZE, STRIP_LINE))
    shift = (bottom + baseline(SONG, settings.body_size, pitch) - (top + strip)) % pitch
    return Box(left, top + shift, width, settings.masthead_height - STRIP_SPACE)


def strip_bottom(settings: Settings, pitch: float) -> float:
    """Where the header strip, with the space under its rule, ends: the body starts below."""
    return strip_box(settings, 0, 0, pitch).bottom + STRIP_SPACE


# -- geometry -----------------------------------------------------------------------

def pitches(settings: Settings) -> list[float]:
    """Line pitches to try, nearest to 1.5 times the body size first."""
    low = settings.leading_min * settings.body_size
    high = settings.leading_max * settings.body_size
    steps = max(0, int((high - low) / settings.leading_step + 1e-9))
    pitches = [round(low + step * settings.leading_step, 4) for step in range(steps + 1)]
    ideal = 1.5 * settings.body_size
    return sorted(pitches, key=lambda pitch: (abs(pitch - ideal), pitch))


@dataclass(frozen=True)
class Sheet:
    """One page of the story before the pour: its head and its frame, whole rows deep."""

    head: Head
    frame: Frame
    note_height: float
    masthead_bottom: float
    bottom: float
    starts: tuple[int, ...] | None = None  # each column's first row, where not the frame's
    head_band: Box | None = None  # where the head stands, where not across the frame's top


def make_sheet(texts: Texts, head: Head, pitch: float, columns: int | None = None) -> Sheet:
    """The page's grid: the body ends on the bottom margin, and whatever the rows leave
    over goes into the space around the head, so there is never an empty band at the
    foot. ``columns``: a module narrower than the page, from its left edge."""
    settings = texts.settings
    masthead_bottom = settings.margin_top * PT_PER_MM + settings.masthead_height
    bottom = (settings.page_height - settings.margin_bottom) * PT_PER_MM
    note_rows_height = note_height(head, pitch)
    minimum_space = 2 * pitch  # above and below the head, at least
    available = bottom - masthead_bottom - head.height - note_rows_height - minimum_space \
        - (pitch if head.note else 0)
    rows = max(0, int(available // pitch))
    frame = Frame(texts.type_left, bottom - rows * pitch, columns or settings.columns, rows,
                  texts.column_width, texts.gap, pitch)
    return Sheet(head, frame, note_rows_height, masthead_bottom, bottom)


def module_sheet(texts: Texts, head: Head, pitch: float, left: float, top: float,
                 columns: int, rows: int, band: int = 0) -> Sheet:
    """A module of an edition's page (``columns`` by ``rows`` of the page's grid from
    ``left``, ``top`` pt): its head in whole rows at the top (``band`` rows, or as many as
    it needs), half a row or more of space above and below it, and the body frame under
    it."""
    head_rows = max(band, head_band(head, pitch))
    frame = Frame(left, top + head_rows * pitch, columns, max(0, rows - head_rows), 
                  texts.column_width, texts.gap, pitch)
    return Sheet(head, frame, note_height(head, pitch), top, top + rows * pitch)


def side_sheet(texts: Texts, head: Head, pitch: float, left: float, top: float,
               columns: int, rows: int, band: int, side: str) -> Sheet:
    """A module whose head stands over all its columns but one (``side`` "right": 右上题,
    the first column's text running from the module's top; "left": 左上题, the last
    column's), so that its headline never stands level beside a neighbour's."""
    frame = Frame(left, top, columns, rows, texts.column_width, texts.gap, pitch)
    free = 0 if side == "right" else columns - 1  # the column the text starts at the top of
    # A row under the rule that parts it from the module above.
    starts = tuple(1 if index == free else band for index in range(columns))
    head_left = frame.x(1) if side == "right" else frame.x(0)
    return Sheet(head, frame, 0.0, top, top + rows * pitch, starts,
                 Box(head_left, top, frame.span_width(columns - 1), band * pitch))


def head_band(head: Head, pitch: float) -> int:
    """Rows a module's head takes: the headline group with half a row at least above and
    below it, then the editor's note and a row under it."""
    rows = math.ceil((head.height + pitch) / pitch - 1e-6)
    if head.note:
        rows += round(note_height(head, pitch) / pitch) + 1
    return rows


def chain_of(sheets: list[Sheet],
           ends: list[int] | None = None) -> list[Column]:
    """The columns of the chain through the sheets' frames. Each page after the first
    keeps its first row for （上接…）, each page before the last its last column's last
    row for （下转…）. ``ends``: how deep each column of the last frame is filled."""
    columns: list[Column] = []
    for number, sheet in enumerate(sheets):
        last = number == len(sheets) - 1
        frame = sheet.frame
        for index in range(frame.columns):
            start = 1 if number and index == 0 else 0
            if sheet.starts:
                start = max(start, sheet.starts[index])
            end, floor = frame.rows, None
            if last and ends is not None:
                # At its natural depth every column ends on the deepest row or one above.
                end, floor = ends[index], min(ends) if max(ends) > min(ends) else ends[index] - 1
            jump = not last and index == frame.columns - 1
            columns.append(Column(number, index, start, end - (1 if jump else 0), jump, floor))
    return columns




def make_sheets(texts: Texts, spec: PageSpec, count: int, pitch: float,
                columns_wide: int) -> list[Sheet]:
    """The sheets of a story on ``count`` pages at ``pitch``, its last page's frame
    ``columns_wide`` columns wide; alone on one page, under a headline of that width."""
    if count == 1:
        width = texts.column_width * columns_wide + texts.gap * (columns_wide - 1)
        return [make_sheet(texts, first_head(texts, width), pitch, columns_wide)]
    sheets = [make_sheet(texts, first_head(texts, texts.type_width), pitch)]
    sheets += [make_sheet(texts, jump_head(texts, spec.jump_title), pitch)] * (count - 2)
    return sheets + [make_sheet(texts, jump_head(texts, spec.jump_title), pitch, columns_wide)]


# -- the finished pages -------------------------------------------------------------

def make_layout(texts: Texts, spec: PageSpec, sheets: list[Sheet], flow: Flow,
            figure_rows, depth: int | None = None,
            labels: tuple[str, ...] | None = None) -> Layout:
    """``labels``: the labels of the sheets' pages, where they do not follow one another
    (a story of an edition jumping from 第1版 to 第4版)."""
    labels = labels or page_labels(spec.page_label, len(sheets), texts.faces[SONG].lang)
    pages = tuple(_page(texts, spec, sheets, number, flow, labels, depth)
                  for number in range(len(sheets)))
    shorter, longer = texts.changed
    return Layout(pages, sheets[0].frame.pitch, labels, pitches(texts.settings)[0],
                  shorter, longer)


def _page(texts: Texts, spec: PageSpec, sheets: list[Sheet], number: int, flow: Flow,
          labels: tuple[str, ...], depth: int | None) -> Page:
    settings = texts.settings
    sheet = sheets[number]
    frame = sheet.frame
    pitch = frame.pitch
    last = number == len(sheets) - 1
    # The page's own words in the script the story is set in: its manuscript's, or in an
    # edition the plan's.
    lang = texts.faces[SONG].lang
    mine = [index for index, column in enumerate(flow.columns) if column.frame == number]
    blocks, set_byline = _blocks(texts, flow, frame, set(mine))
    jump_from = jump_to = None
    if number:
        jump_from = _jump(texts, label(lang, "jump_from").format(labels[number - 1]),
                          Box(frame.x(0), frame.y(0), frame.column_width, pitch),
                          "from", labels[number - 1])
    if not last:
        jump_to = _jump(texts, label(lang, "jump_to").format(labels[number + 1]),
                        Box(frame.x(frame.columns - 1), frame.y(frame.rows - 1),
                            frame.column_width, pitch), "to", labels[number + 1])
    ends = tuple(flow.ends[index] for index in mine)
    used_rows = max(ends, default=-1) + 1
    full_columns = settings.columns
    free = None
    holes = _holes(flow, mine, used_rows, min(settings.figure_columns, frame.columns))
    if (last and (used_rows < frame.rows or frame.columns < full_columns)) or holes:
        free = FreeArea(rows=frame.rows - used_rows if last else 0,
                        columns=full_columns - frame.columns,
                        total_rows=frame.rows, total_columns=full_columns, holes=holes)
        if free.rows <= 0 and free.columns <= 0 and not holes:
            free = None
    head = sheet.head
    masthead = Box(texts.type_left, settings.margin_top * PT_PER_MM, texts.type_width,
                   settings.masthead_height - STRIP_SPACE)
    # The rows leave some space over above the body: split it around the head.
    space = frame.top - sheet.masthead_bottom - head.height - sheet.note_height \
        - (pitch if head.note else 0)
    head_top = sheet.masthead_bottom + space / 2
    head_box = Box(frame.left, head_top, head.width, head.height)
    if sheet.head_band:  # beside a column of text (右上题, 左上题): in the middle of its band
        band = sheet.head_band
        head_box = Box(band.left, band.top + (band.height - head.height) / 2, head.width,
                       head.height)
    headline = jump_headline = None
    if head.jump:
        jump_headline = SetHeadline(None, head.headline, None, head_box)
    else:
        article = texts.article
        headline = SetHeadline(head.kicker[0] if head.kicker else None, head.headline,
                               head.subtitle[0] if head.subtitle else None, head_box,
                               kicker_lines=head.kicker, subtitle_lines=head.subtitle)
    set_note = None
    if head.note:
        setting = head.note
        # The box takes whole rows; its text sits in the middle of them.
        text_height = setting.rows_per_column * head.sizes.note_line
        set_note = SetNote(label(lang, "editor_note"),
                           _note_columns(setting, head.sizes.note_line), setting.label_width,
                           Box(frame.left, frame.top - pitch - sheet.note_height,
                               head.width, sheet.note_height),
                           setting.padding,
                           max(0.0, (sheet.note_height - text_height) / 2 - 0.75))
    return Page(
        number=number + 1,
        width=settings.page_width * PT_PER_MM, height=settings.page_height * PT_PER_MM,
        type_left=texts.type_left, type_width=texts.type_width,
        type_top=frame.top, type_bottom=sheet.bottom, pitch=pitch,
        settings=settings, sizes=head.sizes,
        furniture=_strip(texts, furniture(spec, labels, number, lang)),
        masthead=masthead, headline=headline, jump_headline=jump_headline, note=set_note,
        frames=(replace(frame, rows=used_rows) if free else frame,),
        blocks=tuple(blocks), byline=set_byline, jump_from=jump_from, jump_to=jump_to,
        rules=tuple(_rules(flow, mine, frame, settings, used_rows)),
        column_ends=ends, free=free,
    )


def _holes(flow: Flow, mine: list[int], depth: int, span: int) -> int:
    """Rows left empty inside the story's columns above ``depth``, besides what the rules
    allow: the last column's short row, a column at its natural depth a row shallower, the
    rows a column before a jump keeps for the break."""
    filled: set[tuple[int, int]] = set()
    for placed in flow.placed:
        if placed.column not in mine:
            continue
        width = span if placed.piece.kind == "figure" else 1
        for c in range(placed.column, placed.column + width):
            for r in range(placed.row, placed.row + placed.piece.rows):
                filled.add((c, r))
    empty = 0
    for index in mine[:-1]:
        column = flow.columns[index]
        if column.jump:
            continue
        bottom = min(column.lowest, depth)
        empty += sum(1 for r in range(column.start, bottom) if (index, r) not in filled)
    if mine:  # the last column may stop one row short of the others, not more
        last = flow.columns[mine[-1]]
        required = last.floor if last.floor is not None else last.end - 1
        empty += max(0, min(required, depth - 1) - (flow.ends[mine[-1]] + 1))
    return empty


def _note_columns(setting: NoteSetting, line_height: float) -> tuple[NoteColumn, ...]:
    """The note's lines poured into its columns, as deep as each other: the label stands
    in the first line's indent, later paragraphs indent two characters, and a paragraph
    that goes on into the next column goes on without one."""
    depth = setting.rows_per_column
    columns: list[list[NotePiece]] = [[] for _ in range(setting.columns)]
    column = row = 0
    for number, lines in enumerate(setting.paragraphs):
        start = 0
        while start < len(lines):
            if row == depth:
                column, row = column + 1, 0
            taken = lines[start:start + depth - row]
            columns[column].append(NotePiece(
                taken, indent=lines[0].indent if start == 0 and number else 0.0,
                label=start == 0 and number == 0))
            start += len(taken)
            row += len(taken)
    return tuple(NoteColumn(tuple(pieces), Box(index * (setting.measure + setting.gap), 0.0,
                                               setting.measure, depth * line_height))
                 for index, pieces in enumerate(columns) if pieces)


def _jump(texts: Texts, text: str, box: Box, direction: str, page: str) -> SetJump:
    line = set_lines(text, texts.faces[KAI], texts.settings.body_size, box.width)[0]
    return SetJump(text, line, box, direction, page)


def _display_line(texts: Texts, text: str | None, family: str, size: float) -> Line | None:
    """A short text as one line, with the gaps clreq gives Latin runs and digits beside
    Han characters (第5版, 2021年2月1日)."""
    return display_line(texts.faces[family], text, size) if text else None


def _strip(texts: Texts, furniture: Furniture) -> Furniture:
    """The header strip's texts set as lines, with the gap a date or 第5版 needs between
    Han characters and digits."""
    lines = {name: _display_line(texts, getattr(furniture, name), SONG, MASTHEAD_SIZE)
             for name in ("section", "editor", "date", "page")}
    lines["publication"] = _display_line(texts, furniture.publication, HEI, PUBLICATION_SIZE)
    return replace(furniture, lines=lines)


def strip_too_long(texts: Texts, strip: Furniture, width: float) -> tuple[str, float] | None:
    """The longest text of a header strip (section, editor, publication or page) and the
    width of them all, if together they are wider than ``width`` pt: the strip is one
    line, and past the sheet they would be drawn off it; None if they fit."""
    widths = {name: plain_width(getattr(strip, name), texts.faces[SONG]) * MASTHEAD_SIZE
              for name in ("section", "editor", "page", "date")}
    widths["publication"] = plain_width(strip.publication, texts.faces[HEI]) \
        * PUBLICATION_SIZE * 1.15  # its letter-spacing of 0.15 em (print.css)
    total = sum(widths.values())
    if total <= width:
        return None
    return max(("section", "editor", "publication", "page"), key=widths.get), total


def _blocks(texts: Texts, flow: Flow, frame: Frame, mine: set[int]):
    """The pieces standing in this page's columns, as the layouts print them. Lines of one
    paragraph standing one under the other in a column make one box."""
    settings = texts.settings
    sizes = Sizes.of(settings)
    anchors = texts.article.anchors
    blocks: list[SetBlock] = []
    set_byline = None
    last_line: tuple[int, int, int] | None = None  # (paragraph, column, row) just placed
    for placed in flow.placed:
        if placed.column not in mine:
            continue
        piece = placed.piece
        column = flow.columns[placed.column].index
        x, y = frame.x(column), frame.y(placed.row)
        if piece.kind == "line":
            continues = last_line == (piece.paragraph, placed.column, placed.row - 1)
            last_line = (piece.paragraph, placed.column, placed.row)
            if continues:
                previous = blocks[-1]
                box = previous.box
                blocks[-1] = SetParagraph(previous.lines + (piece.line,),
                                          Box(box.left, box.top, box.width, box.height + frame.pitch),
                                          previous.opening)
            else:
                blocks.append(SetParagraph((piece.line,), Box(x, y, frame.column_width, frame.pitch),
                                           piece.opening))
            continue
        last_line = None
        if piece.kind == "subhead":
            height = piece.rows * frame.pitch
            lines = texts.subheads[id(piece.source)]
            text_height = len(lines) * sizes.subhead_line
            padding = max(0.0, (height - text_height) / 2)  # its band holds its lines
            blocks.append(SetSubhead(lines, anchors[piece.source],
                                     Box(x, y + padding, frame.column_width, height - padding)))
        elif piece.kind == "figure":
            figure = piece.source
            caption_lines = texts.captions[id(figure)]
            caption_height = len(caption_lines) * sizes.caption_line
            height = piece.rows * frame.pitch
            image_height = height - caption_height - 0.6 * frame.pitch
            span = min(settings.figure_columns, frame.columns)
            blocks.append(SetFigure(figure.image, figure.alt, caption_lines,
                                    Box(x, y, frame.span_width(span), height), image_height))
        elif piece.kind == "byline":
            lines = tuple(_display_line(texts, line, KAI, texts.settings.byline_size)
                          for line in texts.byline)
            set_byline = SetByline(lines, Box(x, frame.y(placed.row + piece.rows - len(lines)),
                                              frame.column_width, len(lines) * frame.pitch))
    return blocks, set_byline


def _rules(flow: Flow, mine: list[int], frame: Frame, settings: Settings,
           rows: int) -> Iterator[Box]:
    """栏线: a hairline in each gap of the frame, broken where a photo crosses it."""
    first = mine[0] if mine else 0
    figures = [placed for placed in flow.placed
               if placed.piece.kind == "figure" and placed.column in mine]
    span = min(settings.figure_columns, frame.columns)
    for column in range(1, frame.columns):
        crossing = sorted((f.row, f.row + f.piece.rows) for f in figures
                          if f.column - first < column < f.column - first + span)
        # Never through a headline: a rule starts where both its columns' text starts.
        start = max(flow.columns[first + column - 1].start, flow.columns[first + column].start) \
            if first + column < len(flow.columns) else 0
        for top, bottom in [*crossing, (rows, rows)]:
            if top > start:
                yield Box(frame.x(column) - frame.gap / 2, frame.y(start), 0,
                          (top - start) * frame.pitch)
            start = max(start, bottom)
