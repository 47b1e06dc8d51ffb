"""Layout settings: the page format and the bounds copyfitting may move within.

One schema with documented defaults. A manuscript may change any of them in its front
matter under ``layout:``, starting from a named format (``format: 对开``); unknown keys are
errors with a did-you-mean, like every other front-matter key. Every setting has a type (its
default's) and every number a range (``BOUNDS``, the README's settings table): NaN,
infinity, true/false for a number and anything outside its range are refused, every fault
of a mapping at once (``SettingsError``), so that the typesetter never meets a value it
cannot set.
"""
from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Settings:
    """Lengths of the page in mm, type sizes in pt."""

    page_width: float = 270.0  # 四开 (tabloid) by default
    page_height: float = 390.0
    margin_top: float = 14.0
    margin_bottom: float = 16.0
    columns: int = 6
    column_chars: int = 11  # column width in body characters (11-14 is usual)
    gap_chars: float = 1.5  # gap between columns, in body characters
    body_size: float = 9.0  # 小五
    leading_min: float = 1.40  # line pitch bounds, as multiples of the body size
    leading_max: float = 1.80
    leading_step: float = 0.25  # pt
    figure_columns: int = 2  # columns a photo spans
    figure_crop: float = 0.2  # share of a photo's height or width that may be cropped
    subhead_rows: tuple[int, ...] = (3, 4)  # bands a subhead may take, in body lines
    subhead_size: float = 10.5  # 五号
    headline_size: float = 36.0
    kicker_size: float = 16.0  # 三号
    subtitle_size: float = 14.0  # 四号
    note_size: float = 10.5
    caption_size: float = 8.0
    byline_size: float = 9.0
    jump_headline_size: float = 22.0  # 二号: the short headline over a continuation
    masthead_height: float = 26.0  # pt, the header strip with its rule
    fill: bool = False  # the story must fill its one page exactly: no module, no run-on
    punctuation: str = "全身式"  # or 开明式: 、，；： half width inside a line, as many papers set
    hanging: bool = True  # a line-end 。，、 may hang outside the column (行末点号悬挂) where the
    # line would otherwise be spread loose; false keeps every mark inside the column
    bleed: float = 0.0  # mm of paper beyond the trim on each side of a press PDF


# Newspaper formats (PAGE.md): each a starting point that the other keys refine.
FORMATS: dict[str, dict[str, Any]] = {
    "四开": {},
    "对开": {"page_width": 390.0, "page_height": 540.0, "columns": 8, "column_chars": 12,
           "margin_top": 18.0, "margin_bottom": 20.0, "headline_size": 48.0,
           "jump_headline_size": 26.0},
    "八开": {"page_width": 195.0, "page_height": 270.0, "columns": 4, "column_chars": 10,
           "margin_top": 12.0, "margin_bottom": 13.0, "headline_size": 26.0,
           "kicker_size": 12.0, "subtitle_size": 12.0, "jump_headline_size": 16.0},
}

CHOICES: dict[str, tuple[str, ...]] = {"punctuation": ("全身式", "开明式")}

DEFAULT = Settings()
PT_PER_MM = 72 / 25.4
MIN_SIDE_MARGIN = 5.0  # mm of paper the press needs beside the type area
MIN_BODY_ROWS = 8  # body lines a page must hold under its header strip


def type_width(settings: Settings) -> float:
    """The width of the columns and their gaps, in pt."""
    size = settings.body_size
    return settings.columns * settings.column_chars * size \
        + (settings.columns - 1) * settings.gap_chars * size


def type_area_fault(settings: Settings) -> str | None:
    """What keeps the type area of ``settings`` from fitting its sheet, or None."""
    size = settings.body_size
    width = type_width(settings)
    room = (settings.page_width - 2 * MIN_SIDE_MARGIN) * PT_PER_MM
    if width > room + 1e-6:
        return (f"{settings.columns} columns of {settings.column_chars} characters at "
                f"{size:g} pt are {width / PT_PER_MM:.0f} mm wide, the sheet has "
                f"{room / PT_PER_MM:.0f} mm inside its {MIN_SIDE_MARGIN:g} mm edges")
    height = (settings.page_height - settings.margin_top - settings.margin_bottom) * PT_PER_MM \
        - settings.masthead_height
    if height < MIN_BODY_ROWS * settings.leading_max * size:
        return (f"the margins and the header strip leave {max(height, 0) / PT_PER_MM:.0f} mm "
                f"of the {settings.page_height:g} mm sheet, less than {MIN_BODY_ROWS} lines")
    return None
_FIELDS = {field.name: field for field in dataclasses.fields(Settings)}


@dataclass(frozen=True)
class Bound:
    """The range of one numeric setting: what a newspaper page can use, and no more. The
    typesetter is made to work anywhere inside these; the README's settings table is this
    table (a test compares the two). ``high`` is a number, or the name of the setting it
    may not exceed."""

    key: str
    low: float
    high: float | str
    unit: str
    what: str


BOUNDS: tuple[Bound, ...] = (
    Bound("page_width", 100, 600, "mm", "the sheet's width"),
    Bound("page_height", 100, 600, "mm", "the sheet's height"),
    Bound("margin_top", 5, 100, "mm", "paper above the header strip"),
    Bound("margin_bottom", 5, 100, "mm", "paper below the type area"),
    Bound("columns", 1, 20, "columns", "text columns of the type area (a whole number)"),
    Bound("column_chars", 6, 30, "characters", "a column's width in body characters "
          "(a whole number)"),
    Bound("gap_chars", 0.5, 4, "characters", "the gap between columns, in body characters"),
    Bound("body_size", 6, 14, "pt", "the body type's size"),
    Bound("leading_min", 1.2, 2.2, "× body size", "the closest line pitch copyfitting may use"),
    Bound("leading_max", 1.2, 2.2, "× body size", "the loosest line pitch copyfitting may use "
          "(at least leading_min)"),
    Bound("leading_step", 0.05, 2, "pt", "the step between the line pitches tried"),
    Bound("figure_columns", 1, "columns", "columns", "the columns a photo spans (a whole "
          "number)"),
    Bound("figure_crop", 0, 0.5, "share", "how much of a photo's height or width may be "
          "cropped"),
    Bound("subhead_rows", 2, 8, "body lines", "the bands a subhead may take: a list of 1 to "
          "4 whole numbers"),
    Bound("subhead_size", 6, 72, "pt", "the subheads' type size"),
    Bound("headline_size", 12, 144, "pt", "the headline's type size"),
    Bound("kicker_size", 6, 72, "pt", "the kicker's (引题) type size"),
    Bound("subtitle_size", 6, 72, "pt", "the subtitle's (副题) type size"),
    Bound("note_size", 6, 72, "pt", "the editor's note's type size"),
    Bound("caption_size", 6, 72, "pt", "the captions' type size"),
    Bound("byline_size", 6, 72, "pt", "the byline's type size"),
    Bound("jump_headline_size", 10, 96, "pt", "the short headline over a continuation"),
    Bound("masthead_height", 12, 144, "pt", "the header strip with its rule"),
    Bound("bleed", 0, 3.5, "mm", "paper beyond the trim on each side of a press PDF (its "
          "BleedBox; 0: trim-size pages, as most newspaper plants want)"),
)
BOUND = {bound.key: bound for bound in BOUNDS}
SUBHEAD_ROWS_ENTRIES = (1, 4)  # how many bands subhead_rows may list


@dataclass(frozen=True)
class Fault:
    """One thing wrong with a ``layout:`` mapping: the setting it concerns (None: the
    mapping as a whole), a sentence to follow "layout ", a hint, and its code (PR105 for
    the mapping's shape and its keys, PR107 for a setting's value)."""

    key: str | None
    message: str
    hint: str | None = None
    code: str = "PR107"


class SettingsError(ValueError):
    """Every fault of a ``layout:`` mapping, found in one pass."""

    def __init__(self, faults: list[Fault]):
        self.faults = tuple(faults)
        super().__init__("; ".join(fault.message for fault in self.faults))


def settings_from(values: Any) -> Settings:
    """Settings from a front-matter ``layout:`` mapping; a SettingsError (a ValueError)
    holds every fault, each naming its setting."""
    if values is None:
        return DEFAULT
    if not isinstance(values, dict):
        raise SettingsError([Fault(None, "must be a mapping of layout settings",
                                   "write one 'setting: value' a line under 'layout:'",
                                   code="PR105")])
    values = dict(values)
    faults: list[Fault] = []
    name = values.pop("format", "四开")
    if not isinstance(name, str) or name not in FORMATS:
        faults.append(Fault("format", f"has unknown format {_shown(name)}",
                            f"known: {', '.join(FORMATS)}"))
        name = "四开"
    chosen: dict[str, Any] = dict(FORMATS[name])
    for key, value in values.items():
        if key not in _FIELDS:
            close = difflib.get_close_matches(str(key), [*_FIELDS, "format"], n=1)
            faults.append(Fault(str(key), f"has unknown setting '{key}'",
                                f"did you mean '{close[0]}'?" if close else
                                "known settings: " + ", ".join(["format", *_FIELDS]),
                                code="PR105"))
            continue
        checked, fault = _checked(key, value)
        if fault is not None:
            faults.append(Fault(key, f"setting '{key}' {fault}", _hint(key)))
        else:
            chosen[key] = checked
    if not faults:
        settings = dataclasses.replace(DEFAULT, **chosen)
        if settings.leading_min > settings.leading_max:
            key = "leading_min" if "leading_min" in values else "leading_max"
            faults.append(Fault(key, f"setting '{key}' leaves leading_min "
                                f"({settings.leading_min:g}) above leading_max "
                                f"({settings.leading_max:g})",
                                "leading_min is the closest pitch, leading_max the loosest"))
        if settings.figure_columns > settings.columns:
            key = "figure_columns" if "figure_columns" in values else "columns"
            faults.append(Fault(key, f"setting '{key}' makes a photo wider than the page "
                                f"(figure_columns {settings.figure_columns} > columns "
                                f"{settings.columns})",
                                "a photo spans at most the page's columns"))
    if faults:
        raise SettingsError(faults)
    return settings


def _checked(key: str, value: Any) -> tuple[Any, str | None]:
    """The value a setting takes from ``value``, or what is wrong with it."""
    default = getattr(DEFAULT, key)
    if key in CHOICES:
        if value not in CHOICES[key]:
            return None, f"must be one of {', '.join(CHOICES[key])}, not {_shown(value)}"
        return value, None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            return None, f"must be true or false, not {_shown(value)}"
        return value, None
    bound = BOUND[key]
    if isinstance(default, tuple):
        low, high = SUBHEAD_ROWS_ENTRIES
        if not isinstance(value, list) or not low <= len(value) <= high:
            return None, f"must be a list of {low} to {high} whole numbers, not {_shown(value)}"
        for entry in value:
            fault = _number_fault(entry, bound, whole=True)
            if fault:
                return None, f"has an entry that {fault}"
        return tuple(value), None
    fault = _number_fault(value, bound, whole=isinstance(default, int))
    if fault:
        return None, fault
    return (value if isinstance(default, int) else float(value)), None


def _number_fault(value: Any, bound: Bound, whole: bool) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = "a whole number" if whole else "a number"
        return f"must be {kind} of {_range(bound)}, not {_shown(value)}"
    if isinstance(value, float) and math.isnan(value):
        return f"is not a number (NaN); it must be {_range(bound)}"
    if isinstance(value, float) and math.isinf(value):
        return f"is infinite; it must be {_range(bound)}"
    if whole and not isinstance(value, int):
        return f"must be a whole number of {_range(bound)}, not {value:g}"
    # Compared before any conversion: a 400-digit integer is no float.
    if value < bound.low or (isinstance(bound.high, (int, float)) and value > bound.high):
        shown = _shown(value)
        unit = "" if isinstance(bound.high, str) or bound.unit.startswith("×") \
            or "digits" in shown else f" {bound.unit}"
        return f"is {shown}{unit}, outside {_range(bound)}"
    return None


def _range(bound: Bound) -> str:
    if isinstance(bound.high, str):
        return f"{bound.low:g} to {bound.high}"
    return f"{bound.low:g} to {bound.high:g} {bound.unit}"


def _hint(key: str) -> str | None:
    bound = BOUND.get(key)
    return f"{key}: {bound.what}, {_range(bound)}" if bound else None


def _shown(value: Any) -> str:
    """A value as a message may quote it: short, and never a raw control character."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return "'" + "".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in text) + "'"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, int) and abs(value) >= 10 ** 15:
        # About its digits, from its bits: str() of a huge int is refused by Python.
        return f"a number of about {int(abs(value).bit_length() * math.log10(2)) + 1:,} digits"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return "nothing" if value is None else type(value).__name__


def settings_table() -> str:
    """The README's table of the bounded settings, in Markdown, made from ``BOUNDS``."""
    rows = ["| setting | min | max | unit | what it is |", "| --- | --- | --- | --- | --- |"]
    for bound in BOUNDS:
        high = f"`{bound.high}`" if isinstance(bound.high, str) else f"{bound.high:g}"
        rows.append(f"| `{bound.key}` | {bound.low:g} | {high} | {bound.unit} | {bound.what} |")
    return "\n".join(rows)
