"""Reading a page plan (版样): ``manuscript/editions/<name>.yaml`` into a ``Plan``.

A plan names the publication, the issue date, the format of the whole edition (a paper
runs on one press) and its pages in order: each page its label (第1版), section (要闻),
page editor, colour or mono, and its stories in order of importance (manuscript folders,
relative to the plan's own folder). A story may be pinned (``lead``, or its columns,
rows and position) and may jump once to a page the plan allows (``jump: 第2版``), or, as
a full text (``full_text: true``), continue over the pages after it. A page may reserve
modules that are not stories: advertisements (an image, SVG or PDF supplied at its size),
and on the front page the masthead (报头) with its ear (报眼, the index of inside pages).

The YAML rules of manuscripts hold (no duplicate keys, no anchors, aliases or merge
keys); every problem of a plan is reported at once, each naming the plan file and line.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location
from ..settings import Settings


@dataclass(frozen=True)
class Pin:
    """Where a story or an advertisement must stand, in the page's grid: ``column`` from
    0 at the left, ``row`` from 0 at the top of the type area ("foot": its last row at
    the foot), ``columns`` wide and ``rows`` deep. A story pins any of these; the rest
    stay free."""

    column: int | None = None
    row: int | str | None = None  # a row number, or "foot"
    columns: int | None = None
    rows: int | None = None


@dataclass(frozen=True)
class StoryPlan:
    folder: Path  # the manuscript folder, absolute
    lead: bool = False  # the page's lead story (头条): at the top, the largest headline
    pin: Pin | None = None
    jump: str | None = None  # the label of the page it may continue on (下转)
    full_text: bool = False  # 全文: may continue over every page after its own
    where: Location | None = None


@dataclass(frozen=True)
class AdPlan:
    """An advertisement module (广告): artwork supplied at its printed size, placed as
    given and never resized; the plan says where (``pin.column`` and ``pin.row``)."""

    artwork: Path  # PNG, JPEG, SVG or PDF, absolute
    pin: Pin
    where: Location | None = None


@dataclass(frozen=True)
class Masthead:
    """报头: what the front page's masthead carries, as the plan gives it. Nothing here is
    worked out but the weekday (from the date) and 今日N版 (from the plan's pages)."""

    artwork: Path | None = None  # the paper's name as artwork; None: set in type
    lunar_date: str | None = None  # 农历丙午年十月十二, as the plan writes it
    serial: str | None = None  # 国内统一连续出版物号 CN xx-xxxx
    postal_code: str | None = None  # 邮发代号
    issue_number: str | None = None  # 总第N期
    rows: int | None = None  # rows of the type area it takes; None: as its contents need
    where: Location | None = None


@dataclass(frozen=True)
class PagePlan:
    label: str  # 第1版
    section: str | None  # 版名: 要闻
    editor: str | None  # 责任编辑
    colour: bool  # 彩版 (True) or 黑白版
    stories: tuple[StoryPlan, ...]
    ads: tuple[AdPlan, ...]
    masthead: bool  # the front page's masthead stands here (no header strip then)
    code: str | None = None  # the plant's page code (A01), for file names
    where: Location | None = None


@dataclass(frozen=True)
class Plan:
    name: str  # build/<name>/, build/<name>.pdf, build/<name>.epub
    source: Path  # the plan file
    publication: str
    date: datetime.date | None
    settings: Settings  # one format for the edition
    pages: tuple[PagePlan, ...]
    masthead: Masthead | None
    file_names: str  # the plant's naming: a pattern of {date} {code} {number} {label}
    lang: str = "zh-CN"
    identifier: str | None = None
    where: dict[str, Location] | None = None  # top-level key -> where it is set

    @property
    def folder(self) -> Path:
        return self.source.parent

    def page_of(self, label: str) -> int | None:
        """The index of the page labelled ``label``, or None."""
        return next((index for index, page in enumerate(self.pages) if page.label == label),
                    None)


DEFAULT_FILE_NAMES = "{date}-{code}.pdf"  # 20261201-A01.pdf
