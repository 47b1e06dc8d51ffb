"""Layout settings: the page format and the bounds copyfitting may move within.

One schema with documented defaults. A manuscript may change any of them in its front
matter under ``layout:``, starting from a named format (``format: 对开``); unknown keys are
errors with a did-you-mean, like every other front-matter key.
"""
from __future__ import annotations

import dataclasses
import difflib
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


def settings_from(values: Any) -> Settings:
    """Settings from a front-matter ``layout:`` mapping; ValueError says what is wrong."""
    if values is None:
        return DEFAULT
    if not isinstance(values, dict):
        raise ValueError("must be a mapping of layout settings")
    values = dict(values)
    name = values.pop("format", "四开")
    if not isinstance(name, str) or name not in FORMATS:
        raise ValueError(f"has unknown format {name!r}; known: {', '.join(FORMATS)}")
    chosen: dict[str, Any] = dict(FORMATS[name])
    for key, value in values.items():
        if key not in _FIELDS:
            close = difflib.get_close_matches(str(key), [*_FIELDS, "format"], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"has unknown setting '{key}'{hint}")
        default = getattr(DEFAULT, key)
        if key in CHOICES:
            if value not in CHOICES[key]:
                raise ValueError(f"setting '{key}' must be one of {', '.join(CHOICES[key])}")
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"setting '{key}' must be true or false")
        elif isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
                raise ValueError(f"setting '{key}' must be a list of whole numbers")
            value = tuple(value)
        elif isinstance(default, int) and not isinstance(default, bool):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"setting '{key}' must be a whole number above 0")
        elif not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"setting '{key}' must be a number above 0")
        chosen[key] = value
    settings = dataclasses.replace(DEFAULT, **chosen)
    if settings.leading_min > settings.leading_max:
        raise ValueError("has leading_min above leading_max")
    if settings.figure_columns > settings.columns:
        raise ValueError("has a photo wider than the page (figure_columns > columns)")
    return settings
