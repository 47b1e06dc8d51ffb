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

The format (keys not marked required are optional)::

    publication: 示例日报             # required
    date: 2026-12-01                 # the issue date; absent: {date} is 'undated'
    edition: sample                  # build/<edition>/; default the file's stem; a safe name
    lang: zh-CN                      # default zh-CN
    identifier: urn:uuid:...
    layout: {format: 对开}            # as a manuscript's layout:, for the whole edition
    file_names: "{date}-{code}.pdf"  # fields {date} (YYYYMMDD) {code} {number} {label}
    variant: press                   # what the PDFs are for: screen (default), press,
                                     # press-x1a or archive (pressroom/variants.py); the
                                     # build's --variant wins over it
    masthead:                        # for the page that says masthead: true
      artwork: masthead.svg          # PNG, JPEG or SVG; else the name is set in type
      lunar_date: 农历丙午年十月十二
      serial: CN 37-0001
      postal_code: 23-1
      issue_number: 总第12345期
      rows: 10                       # rows of the type area it takes
    pages:                           # required, in order
      - page: 第1版                    # required, unique
        code: A01                    # default the page number in two digits, 01
        section: 要闻
        editor: 张三
        colour: 彩版                   # or 黑白版 (true, false); default 彩版
        masthead: true               # the first page only
        stories:                     # in order of importance
          - ../boshan-report         # a manuscript folder, holding article.md
          - story: holiday-notice
            lead: true               # one a page
            jump: 第2版               # continues on this later page; or full_text: true
            column: 0                # pins: column, row (or foot), columns, rows
            rows: 30
        ads:
          - artwork: ads/ad-1.png    # PNG, JPEG, SVG or PDF, at its printed size
            column: 4                # required
            row: foot                # required

Stories and artwork are named relative to the plan's folder, and must lie inside the
folder that holds it (``manuscript/`` for ``manuscript/editions/x.yaml``): no URLs, no
absolute paths, no ``..`` or symlink beyond it. Pins count columns from 0 at the left and
rows from 0 at the top of the type area, in the rows of the layout's preferred leading
(``type_area_rows``).
"""
from __future__ import annotations

import dataclasses
import datetime
import difflib
import math
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from ..errors import CODES, Location, PressroomError, ResourceError, raise_all
from ..lang import is_valid_tag
from ..settings import (DEFAULT as DEFAULT_SETTINGS, PT_PER_MM, Settings, SettingsError,
                        settings_from, type_area_fault)
from ..typesetting.pages import pitches
from ..variants import SCREEN, VARIANTS
from .manuscript import (ARTICLE_FILE, clean_texts, MAX_REFUSALS, MAX_SLUG_BYTES, REFUSED,
                         normalise_text, refusal, refused_characters, slug_fault)


# A page's name (版名) and its editor stand in one line of the header strip and in the
# front page's index (导读): a few characters each, never a paragraph.
MAX_STRIP_TEXT = 24


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
    variant: str = SCREEN.name  # what its PDFs are for, a name of pressroom.variants.VARIANTS

    @property
    def folder(self) -> Path:
        return self.source.parent

    def page_of(self, label: str) -> int | None:
        """The index of the page labelled ``label``, or None."""
        return next((index for index, page in enumerate(self.pages) if page.label == label),
                    None)


DEFAULT_FILE_NAMES = "{date}-{code}.pdf"  # 20261201-A01.pdf
MAX_PLAN_BYTES = 1_000_000  # a plan of a hundred pages is some ten kilobytes
FILE_NAME_FIELDS = ("date", "code", "number", "label")
UNDATED = "undated"  # {date} of a plan without a date

# What each level of a plan may hold, with the hint given when a key is wrong or empty.
PLAN_KEYS = {
    "publication": "the paper's name",
    "date": "the issue date, YYYY-MM-DD",
    "edition": "the edition's name for build/<edition>/: letters, digits, - _ . and Chinese",
    "lang": "the language tag of the text, e.g. zh-CN",
    "identifier": "the e-book's stable identifier",
    "layout": "the format of the whole edition, as a manuscript's layout: ({format: 对开})",
    "file_names": f"the pages' file names, from {', '.join('{%s}' % f for f in FILE_NAME_FIELDS)}",
    "masthead": "what the front page's masthead carries (artwork, lunar_date, serial ...)",
    "pages": "the edition's pages in order, each '- page: 第1版' and its stories",
    "variant": "what the PDFs are for: " + ", ".join(VARIANTS),
}
PAGE_KEYS = {
    "page": "the page's label, e.g. 第1版",
    "code": "the plant's page code, e.g. A01",
    "section": "版名, e.g. 要闻",
    "editor": "责任编辑, the page editor",
    "colour": "彩版 or 黑白版 (true or false)",
    "masthead": "true on the front page to set the masthead there",
    "stories": "the page's stories in order of importance: manuscript folders",
    "ads": "the page's advertisements: artwork, column and row",
}
PIN_KEYS = {
    "column": "the module's first column, 0 at the left",
    "row": "the module's first row, 0 at the top of the type area, or foot",
    "columns": "the module's width in columns",
    "rows": "the module's depth in rows",
}
STORY_KEYS = {
    "story": "the manuscript folder, relative to the plan's folder",
    "lead": "true for the page's lead story (头条)",
    "jump": "the label of the later page the story may continue on",
    "full_text": "true to let the story continue over the pages after its own",
    **PIN_KEYS,
}
AD_KEYS = {
    "artwork": "the advertisement at its printed size: PNG, JPEG, SVG or PDF",
    "column": PIN_KEYS["column"],
    "row": PIN_KEYS["row"],
}
MASTHEAD_KEYS = {
    "artwork": "the paper's name as artwork: PNG, JPEG or SVG",
    "lunar_date": "the lunar date as printed, e.g. 农历丙午年十月十二",
    "serial": "国内统一连续出版物号, e.g. CN 37-0001",
    "postal_code": "邮发代号, e.g. 23-1",
    "issue_number": "总第N期",
    "rows": "rows of the type area the masthead takes",
}
LAYOUT_KEYS = ("format", *(field.name for field in dataclasses.fields(Settings)))

COLOURS = {"彩版": True, "黑白版": False}
AD_FORMATS = ("PNG", "JPEG", "SVG", "PDF")
MASTHEAD_FORMATS = ("PNG", "JPEG", "SVG")

# Names that are safe as a file or folder name on every system the plant uses.
_SAFE_NAME = re.compile(r"[A-Za-z0-9_\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
                        r"[A-Za-z0-9_.\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]*")
_SAFE_HINT = "letters, digits, '-', '_', '.' and Chinese characters, no '..', not starting " \
    f"with '.', at most {MAX_SLUG_BYTES} bytes"
_YAML = "tag:yaml.org,2002:"
_TEXT_TAGS = {_YAML + name for name in ("str", "int", "float", "bool", "timestamp")}
# The prolog an SVG file may open with before its root: declarations, comments, DOCTYPE.
_SVG_ROOT = re.compile(r"\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)\s*)*"
                       r"<(?:[\w.-]+:)?svg[\s/>]", re.DOTALL)
_SNIFF_BYTES = 65536  # enough for an SVG's XML declaration, comments and DOCTYPE


def type_area_rows(settings: Settings) -> int:
    """The body rows of the type area, under the header strip, at the layout's preferred
    leading: the grid a pin's ``row`` and ``rows`` count in."""
    height = (settings.page_height - settings.margin_top - settings.margin_bottom) * PT_PER_MM \
        - settings.masthead_height
    return math.floor(height / pitches(settings)[0] + 1e-9)


def page_file_name(plan: Plan, index: int) -> str:
    """The file name the plant knows the page ``index`` (0-based) by."""
    page = plan.pages[index]
    return _file_name(plan.file_names, plan.date, page.code or _default_code(index), index,
                      page.label)


def read_plan(path: Path) -> Plan:
    """Read and check a page plan; raise every problem found at once."""
    path = Path(path).absolute()
    reader = _PlanReader(path)
    text = _plan_source(path)
    refused = refused_characters(text)
    for number, (line, column, char) in enumerate(refused[:MAX_REFUSALS]):
        more = len(refused) - MAX_REFUSALS if number == MAX_REFUSALS - 1 else 0
        reader.errors.append(refusal(char, Location(path, line, column), more))
    # The rule of manuscripts for pasted spaces and invisible characters.
    root = reader.document(normalise_text(REFUSED.sub("\ufffd", text)))
    plan = reader.plan(root) if root is not None else None
    raise_all(reader.errors)
    assert plan is not None  # plan() gives None only with its errors reported
    return plan


# -- reading ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    """A value of the plan: what to call it in a message, where it is written (its key, or
    its list item) and its YAML node."""

    label: str
    where: Location
    node: yaml.Node


_BAD = object()  # a value already reported as wrong


class _PlanReader:
    """Walks the plan's YAML nodes, which know their lines, and collects its problems."""

    def __init__(self, path: Path):
        self.path = path
        self.folder = path.parent
        # Stories and artwork may be anywhere under the folder that holds the plan's folder:
        # manuscript/ for a plan in manuscript/editions/.
        self.root = path.parent.parent.resolve()
        self.errors: list[PressroomError] = []
        self.constructor = SafeConstructor()
        self.stories: dict[Path, Location] = {}  # each story's folder, where first named
        self.jumps: list[tuple[int, str, Location]] = []  # page index, target, where

    def at(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1)

    def fail(self, code: str, message: str, where: Location, hint: str | None = None) -> None:
        self.errors.append(CODES[code].kind(message, where, hint, code=code))

    # -- YAML -------------------------------------------------------------------------

    def document(self, text: str) -> yaml.MappingNode | None:
        """The plan's root mapping, or None once what is wrong with it is reported."""
        start = Location(self.path, 1)
        try:
            # Anchors and aliases are refused before the tree is built: an alias bomb
            # (billion laughs) is small to write and huge to walk.
            for event in yaml.parse(text, Loader=yaml.SafeLoader):
                if getattr(event, "anchor", None) is not None:
                    self.fail("PR150", "the plan uses a YAML anchor or alias ('&' or '*')",
                              self.at(event), "write each value out; quote text starting "
                              "with '&' or '*'")
                    return None
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            where = Location(self.path, mark.line + 1, mark.column + 1) if mark else start
            problem = error.problem or error.context or str(error).splitlines()[0]
            self.fail("PR150", f"the plan is not valid YAML: {problem}", where,
                      "check the indentation, and quote values holding ': ' or ' #'")
            return None
        except yaml.YAMLError as error:  # the reader's: a character YAML does not take
            line = text.count("\n", 0, getattr(error, "position", 0)) + 1
            self.fail("PR150", f"the plan is not valid YAML: {error}", Location(self.path, line),
                      "save the plan as plain text")
            return None
        except RecursionError:
            self.fail("PR150", "the plan is not valid YAML: nested too deeply", start,
                      "a plan nests four levels at most")
            return None
        if root is not None:
            self.errors += clean_texts(root, self.at)
        if not isinstance(root, yaml.MappingNode):
            self.fail("PR150", "the plan must be a mapping of keys to values",
                      self.at(root) if root is not None else start,
                      "start with 'publication:' and 'pages:'")
            return None
        return root


    def mapping(self, node: yaml.Node, keys: dict[str, str] | tuple[str, ...], level: str,
                required: tuple[str, ...] = ()) -> dict[str, _Entry]:
        """The known keys of a mapping; unknown, repeated and merge keys are reported, and
        required keys that are missing."""
        entries: dict[str, _Entry] = {}
        for key_node, value_node in node.value:
            where = self.at(key_node)
            if key_node.tag == _YAML + "merge":
                self.fail("PR150", "the plan uses a YAML merge key ('<<')", where,
                          "write each key out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail("PR151", f"a {level} key must be a name, not a list or mapping",
                          where, "known keys: " + ", ".join(keys))
                continue
            name = key_node.value
            if name in entries:
                self.fail("PR153", f"{level} key '{name}' is set twice", where,
                          f"it is first set on line {entries[name].where.line}; keep one")
            elif name not in keys:
                close = difflib.get_close_matches(name, list(keys), n=1)
                self.fail("PR151", f"unknown {level} key '{name}'", where,
                          f"did you mean '{close[0]}'?" if close
                          else "known keys: " + ", ".join(keys))
            else:
                entries[name] = _Entry(f"{level} key '{name}'", where, value_node)
        for name in required:
            if name not in entries:
                hint = keys[name] if isinstance(keys, dict) else None
                self.fail("PR152", f"the {level} has no '{name}'", self.at(node), hint)
        return entries

    def submapping(self, entry: _Entry, keys: dict[str, str], level: str,
                   required: tuple[str, ...] = ()) -> dict[str, _Entry] | None:
        if self.empty(entry):
            return None
        if not isinstance(entry.node, yaml.MappingNode):
            self.fail("PR152", f"{entry.label} must be a mapping of keys to values",
                      entry.where, "write its keys on the lines under it, indented")
            return None
        return self.mapping(entry.node, keys, level, required)

    def sequence(self, entry: _Entry, what: str) -> list[yaml.Node] | None:
        if self.empty(entry):
            return None
        if not isinstance(entry.node, yaml.SequenceNode):
            self.fail("PR152", f"{entry.label} must be a list", entry.where,
                      f"write each of its {what} on a line of its own starting with '- '")
            return None
        return entry.node.value

    def empty(self, entry: _Entry) -> bool:
        """True (and reported) if the value is left empty."""
        node = entry.node
        if isinstance(node, yaml.ScalarNode) and (node.tag == _YAML + "null"
                                                  or not node.value.strip()):
            self.fail("PR152", f"{entry.label} is empty", entry.where,
                      "give it a value or delete the line")
            return True
        return False

    def value(self, entry: _Entry) -> Any:
        """The value YAML reads, or _BAD once reported (empty, or a date that does not
        exist such as 2021-02-30, or a tag YAML has no type for)."""
        if self.empty(entry):
            return _BAD
        try:
            return self.constructor.construct_object(entry.node, deep=True)
        except (ValueError, yaml.YAMLError) as error:
            problem = getattr(error, "problem", None) or str(error)
            hint = "write a date that exists, YYYY-MM-DD" \
                if entry.node.tag == _YAML + "timestamp" else "put it in quotes"
            self.fail("PR152", f"{entry.label} cannot be read: {problem}", entry.where, hint)
            return _BAD

    # -- values -----------------------------------------------------------------------

    def text(self, entry: _Entry | None, longest: int | None = None) -> str | None:
        """Text as the editor wrote it, not as YAML reads it: code 01 stays 01 (not 1),
        lang no stays no (not false); at most ``longest`` characters where given."""
        if entry is None or self.empty(entry):
            return None
        if not isinstance(entry.node, yaml.ScalarNode) or entry.node.tag not in _TEXT_TAGS:
            self.fail("PR152", f"{entry.label} must be text", entry.where,
                      "write it on the same line as its key")
            return None
        text = entry.node.value.strip()
        if longest is not None and len(text) > longest:
            self.fail("PR116", f"{entry.label} has {len(text)} characters: more than the "
                      f"{longest} a header strip and the front page's index give it",
                      entry.where, f"shorten it to {longest} characters or fewer")
            return None
        return text

    def flag(self, entry: _Entry | None) -> bool | None:
        if entry is None:
            return None
        value = self.value(entry)
        if value is _BAD:
            return None
        if not isinstance(value, bool):
            self.fail("PR152", f"{entry.label} must be true or false", entry.where)
            return None
        return value

    def whole(self, entry: _Entry | None, minimum: int | None = None) -> int | None:
        if entry is None:
            return None
        value = self.value(entry)
        if value is _BAD:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail("PR152", f"{entry.label} must be a whole number", entry.where,
                      "write digits only, without quotes or a decimal point")
            return None
        if minimum is not None and value < minimum:
            self.fail("PR152", f"{entry.label} must be a whole number of {minimum} or more",
                      entry.where)
            return None
        return value

    def date(self, entry: _Entry | None) -> datetime.date | None:
        if entry is None:
            return None
        value = self.value(entry)
        if value is _BAD:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError as error:
                self.fail("PR152", f"{entry.label} is not a date: {error}", entry.where,
                          "write a date that exists, YYYY-MM-DD")
                return None
        self.fail("PR152", f"{entry.label} must be a date written YYYY-MM-DD", entry.where)
        return None

    def safe_name(self, entry: _Entry | None) -> str | None:
        name = self.text(entry)
        if name is not None and not _is_safe_name(name):
            self.fail("PR152", f"{entry.label} '{name}' is not a safe file name",
                      entry.where, _SAFE_HINT)
            return None
        return name

    def lang(self, entry: _Entry | None) -> str | None:
        tag = self.text(entry)
        if tag is not None and not is_valid_tag(tag):
            self.fail("PR152", f"{entry.label} must be a BCP 47 language tag, not {tag!r}",
                      entry.where, "e.g. zh-CN, zh-Hans or zh-TW")
            return None
        return tag

    def colour(self, entry: _Entry | None) -> bool | None:
        if entry is None:
            return None
        value = self.value(entry)
        if value is _BAD:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip() in COLOURS:
            return COLOURS[value.strip()]
        self.fail("PR152", f"{entry.label} must be 彩版 or 黑白版 (or true or false)",
                  entry.where)
        return None

    def layout(self, entry: _Entry | None) -> Settings | None:
        """The edition's settings, from DEFAULT; None if they are wrong (reported)."""
        if entry is None:
            return DEFAULT_SETTINGS
        keys = self.submapping(entry, dict.fromkeys(LAYOUT_KEYS, "see pressroom/settings.py"),
                               "layout")
        if keys is None:
            return None
        values = {}
        unreadable = False
        for name, setting in keys.items():
            value = self.value(setting)
            if value is _BAD:
                unreadable = True
            else:
                values[name] = value
        if len(keys) < len(entry.node.value):  # an unknown or repeated key, reported
            unreadable = True
        try:
            settings = settings_from(values)
        except SettingsError as error:
            for fault in error.faults:
                # The shape of the mapping is the plan's own code; a value, the settings'.
                code = "PR152" if fault.code == "PR105" else fault.code
                where = keys[fault.key].where if fault.key in keys else entry.where
                self.fail(code, f"the plan's layout {fault.message}", where, fault.hint)
            return None
        if unreadable:
            return None
        fault = type_area_fault(settings)
        if fault:
            self.fail("PR140", f"the layout's type area does not fit its sheet: {fault}",
                      entry.where, "use fewer or narrower columns, smaller type or a larger "
                      "format")
            return None
        return settings

    def variant(self, entry: _Entry | None) -> str | None:
        if entry is None:
            return SCREEN.name
        name = self.text(entry)
        if name is not None and name not in VARIANTS:
            close = difflib.get_close_matches(name, list(VARIANTS), n=1)
            self.fail("PR152", f"{entry.label} '{name}' is not a variant Pressroom makes",
                      entry.where, f"did you mean '{close[0]}'?" if close
                      else "known variants: " + ", ".join(VARIANTS))
            return None
        return name

    def file_names(self, entry: _Entry | None) -> str | None:
        if entry is None:
            return DEFAULT_FILE_NAMES
        pattern = self.text(entry)
        if pattern is None:
            return None
        fault = _file_names_fault(pattern)
        if fault:
            self.fail("PR152", f"{entry.label} {fault}", entry.where,
                      f"e.g. '{DEFAULT_FILE_NAMES}' (gives 20261201-A01.pdf)")
            return None
        return pattern

    # -- paths ------------------------------------------------------------------------

    def place(self, name: str, entry: _Entry, code: str, what: str) -> Path | None:
        """The absolute path of a file or folder the plan names, relative to its folder;
        refused (under ``code``) if it is a URL, absolute, or leads out of the plan's tree."""
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", name) or name.startswith(("/", "\\", "~")) \
                or "\x00" in name:
            self.fail(code, f"{what} '{name}' is a URL or an absolute path", entry.where,
                      "name it relative to the plan's folder")
            return None
        try:
            found = (self.folder / name).resolve()
        except (OSError, RuntimeError) as error:  # a symlink loop
            self.fail(code, f"{what} '{name}' cannot be found: {error}", entry.where)
            return None
        if not found.is_relative_to(self.root):
            self.fail(code, f"{what} '{name}' lies outside {self.root}", entry.where,
                      "a plan names folders and files under the folder that holds its own")
            return None
        return found

    def story_folder(self, entry: _Entry) -> Path | None:
        name = self.text(entry)
        if name is None:
            return None
        folder = self.place(name, entry, "PR155", "the story folder")
        if folder is None:
            return None
        if not folder.is_dir():
            self.fail("PR155", f"the story folder '{name}' is missing", entry.where,
                      f"no folder {folder}; story folders are relative to the plan's folder")
            return None
        if not (folder / ARTICLE_FILE).is_file():
            self.fail("PR155", f"the story folder '{name}' has no {ARTICLE_FILE}", entry.where,
                      "a story is a manuscript folder holding its article.md")
            return None
        if folder in self.stories:
            self.fail("PR154", f"the story '{name}' is named twice in the plan", entry.where,
                      f"it is first named on line {self.stories[folder].line}; a story runs "
                      "once, and continues on another page with 'jump:'")
        else:
            self.stories[folder] = entry.where
        return folder

    def artwork(self, entry: _Entry | None, formats: tuple[str, ...], what: str) -> Path | None:
        name = self.text(entry)
        if name is None:
            return None
        path = self.place(name, entry, "PR158", what)
        if path is None:
            return None
        if not path.is_file():
            self.fail("PR158", f"{what} '{name}' is missing", entry.where,
                      f"no file {path}; artwork is named relative to the plan's folder")
            return None
        try:
            with path.open("rb") as file:
                kind = _sniff_artwork(file.read(_SNIFF_BYTES))
        except OSError as error:
            self.fail("PR158", f"{what} '{name}' cannot be read: {error.strerror or error}",
                      entry.where, "check the file's permissions")
            return None
        if kind not in formats:
            found = f"is {kind}" if kind else "is of no format Pressroom knows"
            self.fail("PR158", f"{what} '{name}' {found}", entry.where,
                      f"supply it as {', '.join(formats[:-1])} or {formats[-1]}")
            return None
        return path

    # -- the plan ---------------------------------------------------------------------

    def plan(self, root: yaml.MappingNode) -> Plan | None:
        keys = self.mapping(root, PLAN_KEYS, "plan", required=("publication", "pages"))
        publication = self.text(keys.get("publication"))
        date = self.date(keys.get("date"))
        name = self.edition(keys.get("edition"))
        lang = self.lang(keys.get("lang")) if "lang" in keys else "zh-CN"
        identifier = self.text(keys.get("identifier"))
        settings = self.layout(keys.get("layout"))
        file_names = self.file_names(keys.get("file_names"))
        variant = self.variant(keys.get("variant"))
        masthead = self.masthead(keys["masthead"], settings) if "masthead" in keys else None
        pages = self.pages(keys["pages"], settings) if "pages" in keys else []
        self.check_jumps(pages)
        self.check_file_names(file_names, date, pages)
        if masthead is None and pages and pages[0] is not None and pages[0].masthead:
            masthead = Masthead()  # set in type, with nothing but the name and date
        if self.errors:
            return None
        return Plan(name=name, source=self.path, publication=publication, date=date,
                    settings=settings, pages=tuple(pages), masthead=masthead,
                    file_names=file_names, lang=lang, identifier=identifier,
                    where={key: entry.where for key, entry in keys.items()}, variant=variant)

    def edition(self, entry: _Entry | None) -> str | None:
        if entry is not None:
            return self.safe_name(entry)
        name = self.path.stem
        if not _is_safe_name(name):
            self.fail("PR152", f"the plan's file name '{name}' is not a safe edition name",
                      Location(self.path, 1), f"rename the file or set 'edition:': {_SAFE_HINT}")
            return None
        return name

    def masthead(self, entry: _Entry, settings: Settings | None) -> Masthead | None:
        keys = self.submapping(entry, MASTHEAD_KEYS, "masthead")
        if keys is None:
            return None
        rows = self.whole(keys.get("rows"), minimum=1)
        if rows is not None and settings is not None and rows > type_area_rows(settings):
            self.fail("PR156", f"the masthead's {rows} rows are more than the type area's "
                      f"{type_area_rows(settings)}", keys["rows"].where)
        return Masthead(
            artwork=self.artwork(keys.get("artwork"), MASTHEAD_FORMATS, "the masthead's artwork"),
            lunar_date=self.text(keys.get("lunar_date")),
            serial=self.text(keys.get("serial")),
            postal_code=self.text(keys.get("postal_code")),
            issue_number=self.text(keys.get("issue_number")),
            rows=rows,
            where=entry.where)

    def pages(self, entry: _Entry, settings: Settings | None) -> list[PagePlan | None]:
        """The pages in order; None for a page whose label is wrong (reported), so that
        the others keep their numbers."""
        items = self.sequence(entry, "pages")
        if items is None:
            return []
        if not items:
            self.fail("PR152", "the plan's 'pages' is empty", entry.where, PLAN_KEYS["pages"])
        pages: list[PagePlan | None] = []
        labels: dict[str, Location] = {}
        for index, node in enumerate(items):
            page = self.page(node, index, settings)
            if page is not None and page.label in labels:
                self.fail("PR154", f"the page label '{page.label}' is given twice",
                          page.where, f"it is first given on line {labels[page.label].line}; "
                          "each page has its own label")
            elif page is not None:
                labels[page.label] = page.where
            pages.append(page)
        return pages

    def page(self, node: yaml.Node, index: int, settings: Settings | None) -> PagePlan | None:
        where = self.at(node)
        if not isinstance(node, yaml.MappingNode):
            self.fail("PR152", "a page must be a mapping of keys to values", where,
                      "start it with '- page: 第1版'")
            return None
        keys = self.mapping(node, PAGE_KEYS, "page", required=("page",))
        label = self.text(keys.get("page"))
        masthead = self.flag(keys.get("masthead")) or False
        if masthead and index > 0:
            self.fail("PR152", "the masthead can only stand on the first page",
                      keys["masthead"].where, "delete 'masthead: true' here")
        stories = self.stories_of(keys.get("stories"), index, settings)
        ads = self.ads_of(keys.get("ads"), settings)
        colour = self.colour(keys.get("colour"))
        if label is None:
            return None
        return PagePlan(label=label, section=self.text(keys.get("section"), MAX_STRIP_TEXT),
                        editor=self.text(keys.get("editor"), MAX_STRIP_TEXT),
                        colour=True if colour is None else colour,
                        stories=tuple(stories), ads=tuple(ads), masthead=masthead,
                        code=self.text(keys.get("code")), where=where)

    def stories_of(self, entry: _Entry | None, index: int,
                   settings: Settings | None) -> list[StoryPlan]:
        items = self.sequence(entry, "stories") if entry is not None else None
        stories = []
        lead: Location | None = None
        for node in items or []:
            story = self.story(node, index, settings)
            if story is None:
                continue
            if story.lead and lead is not None:
                self.fail("PR152", "a second lead story on the page", story.where,
                          f"the lead story is the one on line {lead.line}; a page has one")
            elif story.lead:
                lead = story.where
            stories.append(story)
        return stories

    def story(self, node: yaml.Node, index: int, settings: Settings | None) -> StoryPlan | None:
        where = self.at(node)
        if isinstance(node, yaml.ScalarNode):  # the short form: its folder alone
            folder = self.story_folder(_Entry("the story", where, node))
            return StoryPlan(folder, where=where) if folder is not None else None
        if not isinstance(node, yaml.MappingNode):
            self.fail("PR152", "a story must be its folder, or a mapping with 'story:'",
                      where, "write '- ../boshan-report' or '- story: ../boshan-report'")
            return None
        keys = self.mapping(node, STORY_KEYS, "story", required=("story",))
        folder = self.story_folder(keys["story"]) if "story" in keys else None
        lead = self.flag(keys.get("lead")) or False
        full_text = self.flag(keys.get("full_text")) or False
        jump = self.text(keys.get("jump"))
        if jump is not None and full_text:
            self.fail("PR157", "a story cannot both jump and run as a full text",
                      keys["jump"].where, "a full text continues over every page after its "
                      "own; delete 'jump:' or 'full_text:'")
        elif jump is not None:
            self.jumps.append((index, jump, keys["jump"].where))
        pin = self.pin(keys, settings, "story")
        if folder is None:
            return None
        return StoryPlan(folder, lead=lead, pin=pin, jump=jump, full_text=full_text,
                         where=where)

    def ads_of(self, entry: _Entry | None, settings: Settings | None) -> list[AdPlan]:
        items = self.sequence(entry, "advertisements") if entry is not None else None
        ads = []
        for node in items or []:
            where = self.at(node)
            if not isinstance(node, yaml.MappingNode):
                self.fail("PR152", "an advertisement must be a mapping of keys to values",
                          where, "write '- artwork: ads/ad.png' and its column and row")
                continue
            keys = self.mapping(node, AD_KEYS, "advertisement",
                                required=("artwork", "column", "row"))
            artwork = self.artwork(keys.get("artwork"), AD_FORMATS, "the advertisement's artwork")
            pin = self.pin(keys, settings, "advertisement")
            if artwork is not None and pin is not None and None not in (pin.column, pin.row):
                ads.append(AdPlan(artwork, pin, where))
        return ads

    def pin(self, keys: dict[str, _Entry], settings: Settings | None,
            what: str) -> Pin | None:
        """The pin of a story or an advertisement, checked against the type area; None if
        nothing is pinned."""
        if not any(name in keys for name in PIN_KEYS):
            return None
        column = self.whole(keys.get("column"))
        row = self.row(keys.get("row"))
        columns = self.whole(keys.get("columns"), minimum=1)
        rows = self.whole(keys.get("rows"), minimum=1)
        if column is not None and column < 0:
            self.fail("PR156", f"the {what}'s column {column} is left of the type area",
                      keys["column"].where, "columns count from 0 at the left")
        if isinstance(row, int) and row < 0:
            self.fail("PR156", f"the {what}'s row {row} is above the type area",
                      keys["row"].where, "rows count from 0 at the top, or write foot")
        if settings is not None:
            self.check_in_type_area(keys, settings, what, column, row, columns, rows)
        return Pin(column=column, row=row, columns=columns, rows=rows)

    def row(self, entry: _Entry | None) -> int | str | None:
        if entry is None:
            return None
        value = self.value(entry)
        if value is _BAD:
            return None
        if value == "foot":
            return "foot"
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail("PR152", f"{entry.label} must be a whole number or foot", entry.where,
                      "rows count from 0 at the top of the type area")
            return None
        return value

    def check_in_type_area(self, keys: dict[str, _Entry], settings: Settings, what: str,
                           column: int | None, row: int | str | None, columns: int | None,
                           rows: int | None) -> None:
        grid_rows = type_area_rows(settings)
        if column is not None and column >= 0 and column + (columns or 1) > settings.columns:
            wide = f"{columns} columns from column {column}" if columns else f"column {column}"
            self.fail("PR156", f"the {what}'s {wide} is beyond the type area's "
                      f"{settings.columns} columns", keys["column"].where,
                      f"columns count from 0 to {settings.columns - 1}")
        elif columns is not None and column is None and columns > settings.columns:
            self.fail("PR156", f"the {what}'s {columns} columns are more than the type area's "
                      f"{settings.columns}", keys["columns"].where)
        if isinstance(row, int) and row >= 0 and row + (rows or 1) > grid_rows:
            deep = f"{rows} rows from row {row}" if rows else f"row {row}"
            self.fail("PR156", f"the {what}'s {deep} is below the type area's {grid_rows} "
                      "rows", keys["row"].where,
                      f"rows count from 0 to {grid_rows - 1}, or write foot")
        elif rows is not None and not isinstance(row, int) and rows > grid_rows:
            self.fail("PR156", f"the {what}'s {rows} rows are more than the type area's "
                      f"{grid_rows}", keys["rows"].where)

    def check_jumps(self, pages: list[PagePlan | None]) -> None:
        labels = [page.label if page is not None else None for page in pages]
        for index, target, where in self.jumps:
            if target not in labels:
                close = difflib.get_close_matches(target, [l for l in labels if l], n=1)
                self.fail("PR157", f"the story jumps to '{target}', a page the plan does not "
                          "have", where, f"did you mean '{close[0]}'?" if close
                          else "name the label of a later page")
            elif labels.index(target) <= index:
                self.fail("PR157", f"the story jumps to '{target}', which does not come after "
                          "its own page", where, "a story jumps forward, to a later page")

    def check_file_names(self, pattern: str | None, date: datetime.date | None,
                         pages: list[PagePlan | None]) -> None:
        """Each page's file name must be safe, and its own: the plant would overwrite one
        page with the next."""
        if pattern is None:
            return
        named: dict[str, PagePlan] = {}
        for index, page in enumerate(pages):
            if page is None:
                continue
            name = _file_name(pattern, date, page.code or _default_code(index), index,
                              page.label)
            if not _is_safe_name(name):
                self.fail("PR152", f"the file name of page '{page.label}', '{name}', is not a "
                          "safe file name", page.where,
                          f"change the page's code or label, or file_names: {_SAFE_HINT}")
            elif name in named:
                self.fail("PR152", f"pages '{named[name].label}' and '{page.label}' get the "
                          f"same file name '{name}'", page.where,
                          "give each page its own code, or put {number} in file_names")
            else:
                named[name] = page


# -- helpers ----------------------------------------------------------------------------

def _is_safe_name(name: str) -> bool:
    """A name of build/: the characters of _SAFE_NAME, and the manuscript folders' rule
    (no leading dot, at most MAX_SLUG_BYTES in UTF-8)."""
    return bool(_SAFE_NAME.fullmatch(name)) and ".." not in name and slug_fault(name) is None


def _default_code(index: int) -> str:
    return f"{index + 1:02d}"


def _file_name(pattern: str, date: datetime.date | None, code: str, index: int,
               label: str) -> str:
    return pattern.format(date=date.strftime("%Y%m%d") if date else UNDATED, code=code,
                          number=index + 1, label=label)


def _file_names_fault(pattern: str) -> str | None:
    """What is wrong with a file-name pattern, or None."""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(pattern)
                  if field is not None]
    except ValueError as error:  # a lone '{' or '}'
        return f"is not a pattern: {error}"
    for field in fields:
        if field not in FILE_NAME_FIELDS:
            close = difflib.get_close_matches(field, FILE_NAME_FIELDS, n=1)
            known = f"did you mean {{{close[0]}}}?" if close else \
                "known: " + ", ".join("{%s}" % name for name in FILE_NAME_FIELDS)
            return f"has an unknown field {{{field}}} ({known})"
    try:
        _file_name(pattern, datetime.date(2026, 12, 1), "A01", 0, "第1版")
    except (ValueError, TypeError, KeyError, IndexError) as error:  # a bad {number:x}
        return f"is not a pattern: {error}"
    if not pattern.endswith(".pdf"):
        return "must end in .pdf"
    return None


def _sniff_artwork(head: bytes) -> str | None:
    """The artwork's format by its first bytes, whatever its name says."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if _SVG_ROOT.match(head.decode("utf-8-sig", errors="replace")):
        return "SVG"
    return None


def _plan_source(path: Path) -> str:
    """The text of the plan: UTF-8 (a BOM is dropped), not huge."""
    where = Location(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_PLAN_BYTES + 1)  # no more than that, whatever stat says
    except FileNotFoundError:
        raise ResourceError("the page plan is not there", where,
                            "a plan is a YAML file, e.g. manuscript/editions/<name>.yaml",
                            code="PR311") from None
    except OSError as error:
        reason = "it is a folder" if isinstance(error, IsADirectoryError) else \
            (error.strerror or str(error)).lower()
        raise ResourceError(f"the page plan cannot be read: {reason}", where,
                            "check the file's name and permissions", code="PR311") from None
    if len(data) > MAX_PLAN_BYTES:
        raise ResourceError("the page plan is over 1 MB: no plan is that long", where,
                            "check that this is the plan's YAML file", code="PR311")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        raise ResourceError("the page plan is not UTF-8 text",
                            Location(path, data.count(b"\n", 0, error.start) + 1,
                                     error.start - start + 1),
                            "save it as UTF-8", code="PR311") from None
    if "\x00" in text:
        raise ResourceError("the page plan holds NUL bytes: it is not text",
                            Location(path, text.count("\n", 0, text.index("\x00")) + 1),
                            "save it as plain UTF-8 text", code="PR311")
    return text
