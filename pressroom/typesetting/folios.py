"""What a page says about itself: its label (第5版), and the header strip (报眉).

Takes the page settings a manuscript (or, later, a page plan) gives; gives each page of a
story its label, read and continued the way papers write them (第5版 → 第6版, 第五版 →
第六版, A5版 → A6版, 第A05版 → 第A06版), and the furniture of its header strip. What is
not set is shown as a placeholder, never invented.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from ..labels import label
from ..reading.model import PageSpec

WEEKDAYS = "一二三四五六日"
_DIGITS = "〇一二三四五六七八九"
_LABEL = re.compile(r"^(第?)([A-Za-z]{0,2})(\d+|[〇零一二两三四五六七八九十百]+)(版)$")


@dataclass(frozen=True)
class Furniture:
    """报眉: what the header strip of one printed page says."""

    publication: str
    section: str
    date: str
    date_is_placeholder: bool
    page: str
    page_is_placeholder: bool
    editor: str
    lines: dict = field(default_factory=dict)  # the texts above, set as lines by the composer


def chinese_date(date: datetime.date, lang: str) -> str:
    """2021年2月1日 星期一, in the script of ``lang``."""
    return (f"{date.year}年{date.month}月{date.day}日 "
            f"{label(lang, 'weekday')}{WEEKDAYS[date.weekday()]}")


def page_labels(first: str | None, count: int, lang: str = "zh-CN") -> tuple[str, ...]:
    """The labels of ``count`` pages that follow one another from ``first``. With no first
    label the pages are numbered from 第1版; a label in no style papers use gets 续 marks
    (續 in a Traditional text: ``lang`` is the text's, by default a manuscript's)."""
    if not first:
        return tuple(f"第{number}版" for number in range(1, count + 1))
    match = _LABEL.match(first.strip())
    if not match:
        continued = label(lang, "continued")
        return (first, *(f"{first}{continued}{_chinese(number)}" for number in range(1, count)))
    prefix, letter, number, suffix = match.groups()
    if number.isdigit():
        start = int(number)
        shown = lambda n: str(n).zfill(len(number))  # noqa: E731 - A05 stays two digits
    else:
        start = _from_chinese(number)
        shown = _chinese
    return tuple(f"{prefix}{letter}{shown(start + step)}{suffix}" for step in range(count))


def furniture(spec: PageSpec, labels: tuple[str, ...], number: int, lang: str) -> Furniture:
    """The header strip of the story's page ``number`` (from 0), its own words in the
    script of ``lang``."""
    return Furniture(
        publication=spec.publication or "",
        section=spec.section or "",
        date=chinese_date(spec.date, lang) if spec.date else label(lang, "undated"),
        date_is_placeholder=spec.date is None,
        page=labels[number],
        page_is_placeholder=spec.page_label is None,
        editor=label(lang, "page_editor").format(spec.page_editor) if spec.page_editor else "",
    )


def _chinese(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五: as page numbers are written."""
    if number < 10:
        return _DIGITS[number]
    if number < 100:
        tens, units = divmod(number, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[units] if units else "")
    hundreds, rest = divmod(number, 100)
    if not rest:
        return _DIGITS[hundreds] + "百"
    return _DIGITS[hundreds] + "百" + ("零" + _DIGITS[rest] if rest < 10 else
                                       _chinese(rest) if rest >= 20 else "一" + _chinese(rest))


def _from_chinese(text: str) -> int:
    values = {char: index for index, char in enumerate(_DIGITS)} | {"零": 0, "两": 2}
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + values[char] if len(text) > 1 and "十" not in text \
                and "百" not in text else values[char]
    return total + current
