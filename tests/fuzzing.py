"""The robustness campaign of issue 11, kept: mutated manuscripts through the Python API.

Each case copies one of the repository's manuscripts (or the example edition's tree) into
a fresh folder, mutates it by one family's rule, and builds the PDF and the EPUB in a
worker process of its own (``spawn``), with ``TMPDIR`` pointed at a fresh folder, under a
time limit. The outcome is classified:

- ``ok``: it built, and every part of the manuscript is in both outputs;
- ``user``: a ``PressroomError``; its code is kept, and its message must be one line per
  error with no raw control character;
- findings, which fail the campaign: ``internal`` (any other exception, with where in
  Pressroom it was raised), ``hang`` (over the time limit; the worker is killed), ``crash``
  (the worker died), ``loss`` (it built with manuscript text missing from the PDF or the
  EPUB: ``invoke check``'s own reading-order comparison, and the texts the mutation put
  in), ``leftover`` (a file in the out folder or the temporary folder that is not an
  output, or an output with a hidden name), ``message`` (an error or warning message with
  a raw control character, or more lines than errors).

A case is named ``family/mutation#seed`` and is made again from that name alone, so any
finding can be rebuilt (``--case``) and kept (``--keep``) to be minimised into a
reproducer under ``tests/reproducers/``.

    python3 -m tests.fuzzing -n 5000 --jobs 2 --seed 1 --out build/fuzz
    python3 -m tests.fuzzing --case 'pasted/nbsp_latin#123' --keep /tmp/case

``run_campaign(n, jobs, seed)`` returns a ``Report``; ``main(argv)`` is the command line
(``invoke fuzz -n N`` calls ``main(["-n", str(N)])``).
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import gc
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as ``python3 tests/fuzzing.py``
    sys.path.insert(0, str(ROOT))

TIMEOUT = 20.0  # seconds; a case over it is a hang (issue 11's acceptance)
MEMORY_LIMIT = 6 * 1024 ** 3  # bytes of address space a worker may take: a runaway is a MemoryError
FINDINGS = ("internal", "hang", "crash", "loss", "leftover", "message")

BASES = ["manuscript/boshan-report", "tests/manuscripts/short", "tests/manuscripts/latin-digits",
         "tests/manuscripts/long", "tests/manuscripts/photos",
         *sorted(f"tests/articles/{path.name}" for path in (ROOT / "tests" / "articles").iterdir()
                 if (path / "article.md").is_file())]
PHOTO_BASES = ["manuscript/boshan-report", "tests/manuscripts/short", "tests/manuscripts/photos"]
PLAN = "manuscript/editions/example.yaml"
IGNORED = shutil.ignore_patterns("approved-proof*.png")


# -- cases and outcomes ---------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One mutated manuscript, made again from its family, mutation, base and seed."""

    family: str
    mutation: str
    seed: int
    base: str = ""  # the manuscript copied, relative to the repository; "" for a fixed folder
    folder: str = ""  # a fixed manuscript folder (a reproducer), built as it is

    @property
    def label(self) -> str:
        if self.folder:
            return f"{self.family}/{self.mutation}"
        return f"{self.family}/{self.mutation}#{self.seed}"

    @classmethod
    def parse(cls, label: str) -> Case:
        match = re.fullmatch(r"(\w+)/(\w+)#(\d+)", label)
        if not match or match[1] not in FAMILIES or match[2] not in FAMILIES[match[1]]:
            raise ValueError(f"not a case: {label!r} (family/mutation#seed)")
        family, mutation, seed = match[1], match[2], int(match[3])
        return cls(family, mutation, seed, _base_for(family, mutation, random.Random(seed)))


@dataclass(frozen=True)
class Finding:
    kind: str  # one of FINDINGS
    cause: str  # what groups findings: exception type and Pressroom file:function, a part
    detail: str = ""


@dataclass(frozen=True)
class Outcome:
    case: Case
    result: str  # ok | user | internal | hang | crash
    seconds: float
    code: str = ""  # a user error's code(s)
    message: str = ""  # the first line of the error, escaped, shortened
    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()  # warning codes

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["case"] = self.case.label
        return data


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1
    interrupted: bool = False

    @property
    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.findings]

    def groups(self) -> dict[tuple[str, str, str], list[Outcome]]:
        """Failing cases by (family, finding kind, cause)."""
        found: dict[tuple[str, str, str], list[Outcome]] = collections.defaultdict(list)
        for outcome in self.outcomes:
            for finding in dict.fromkeys((f.kind, f.cause) for f in outcome.findings):
                found[(outcome.case.family, *finding)].append(outcome)
        return dict(sorted(found.items()))

    def summary(self) -> str:
        count = len(self.outcomes)
        lines = ["interrupted: the cases that finished" if self.interrupted else ""]
        lines += [f"{count} cases in {self.seconds:.0f} s with {self.jobs} workers "
                 f"({self.seconds * self.jobs / max(count, 1):.1f} s a case of a worker's time; "
                 f"median build {_median([o.seconds for o in self.outcomes]):.1f} s)"]
        results = collections.Counter(o.result for o in self.outcomes)
        lines.append("results: " + ", ".join(f"{name} {number}" for name, number in
                                             sorted(results.items())))
        kinds = collections.Counter(f.kind for o in self.outcomes for f in o.findings)
        lines.append("findings: " + (", ".join(f"{name} {kinds[name]}" for name in FINDINGS
                                               if kinds[name]) or "none"))
        families = collections.defaultdict(collections.Counter)
        for outcome in self.outcomes:
            families[outcome.case.family]["failing" if outcome.findings else outcome.result] += 1
        lines.append("by family:")
        for family in FAMILIES:
            if family in families:
                lines.append(f"  {family:<12} " + ", ".join(
                    f"{name} {number}" for name, number in sorted(families[family].items())))
        codes = collections.Counter(code for o in self.outcomes if o.result == "user"
                                    for code in o.code.split(","))
        if codes:
            lines.append("user errors: " + ", ".join(f"{code} {number}"
                                                     for code, number in sorted(codes.items())))
        for (family, kind, cause), outcomes in self.groups().items():
            lines.append(f"[{family}] {kind}: {cause} — {len(outcomes)} case"
                         f"{'s' if len(outcomes) > 1 else ''}")
            mutations = collections.Counter(o.case.mutation for o in outcomes)
            lines.append("    mutations: " + ", ".join(f"{m} {n}" for m, n in mutations.most_common()))
            first = outcomes[0]
            detail = next(f.detail for f in first.findings if (f.kind, f.cause) == (kind, cause))
            lines.append(f"    e.g. {first.case.label} ({first.case.base or first.case.folder}, "
                         f"{first.seconds:.1f} s): {detail[:300]}")
        return "\n".join(line for line in lines if line)

    def listing(self) -> str:
        """Every failing case, one a line, with what was found: the gate's failure message."""
        return "\n".join(f"{o.case.label} ({o.case.base or o.case.folder}, {o.seconds:.1f} s): "
                         + "; ".join(f"{f.kind}: {f.cause}: {f.detail[:200]}" for f in o.findings)
                         for o in self.failures)

    def to_json(self) -> dict:
        return {"seconds": self.seconds, "jobs": self.jobs, "interrupted": self.interrupted,
                "outcomes": [outcome.to_json() for outcome in self.outcomes]}


def _median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2] if values else 0.0


# -- the work folder a mutation edits ----------------------------------------------------

@dataclass
class Work:
    """A copied manuscript (or edition tree) that a mutation edits, and what it expects."""

    folder: Path  # the manuscript folder, or the plan's folder for an edition
    rng: random.Random
    plan: Path | None = None
    # (part, text, outputs): a text the mutation put in, and the outputs that must show it
    expected: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def article(self) -> Path:
        return self.folder / "article.md"

    def read(self) -> tuple[str, str]:
        text = self.article.read_text(encoding="utf-8")
        end = text.index("\n---\n", 4)
        return text[4:end + 1], text[end + 5:]

    def write(self, front: str, body: str) -> None:
        self.article.write_bytes(("---\n" + front + "---\n" + body).encode("utf-8", "surrogatepass"))

    def set_key(self, key: str, raw: str) -> None:
        """Set a top-level front-matter key to a raw YAML value (which may span lines)."""
        front, body = self.read()
        self.write(_without_key(front, key) + f"{key}: {raw}\n", body)

    def add_front(self, raw: str) -> None:
        front, body = self.read()
        self.write(front + raw.rstrip("\n") + "\n", body)

    def paragraphs(self) -> list[int]:
        front, body = self.read()
        lines = body.split("\n")
        inside = False
        found = []
        for number, line in enumerate(lines):
            if line.startswith(":::"):
                inside = line.strip() != ":::" and not inside
                continue
            if line.strip() and not inside and not line.startswith(("#", "!", "<", " ", "-")):
                found.append(number)
        return found

    def insert_in_paragraph(self, snippet: str, part: str = "body") -> None:
        """Put ``snippet`` inside a random paragraph of the body, after a Han character."""
        front, body = self.read()
        lines = body.split("\n")
        number = self.rng.choice(self.paragraphs())
        line = lines[number]
        places = [i + 1 for i, char in enumerate(line) if _is_han(char)] or [len(line)]
        at = self.rng.choice(places)
        lines[number] = line[:at] + snippet + line[at:]
        self.write(front, "\n".join(lines))
        # The snippet with the Han characters around it: text dropped next to it shows.
        self.expect(part, line[max(0, at - 2):at] + snippet + line[at:at + 2])

    def add_block(self, markdown: str) -> None:
        """A block (a subhead, a paragraph) before a random paragraph of the body."""
        front, body = self.read()
        lines = body.split("\n")
        number = self.rng.choice(self.paragraphs())
        lines[number:number] = [markdown, ""]
        self.write(front, "\n".join(lines))

    def expect(self, part: str, text: str, outputs: tuple[str, ...] = ("pdf", "epub")) -> None:
        text = normal(text)
        if text:
            self.expected.append((part, text, outputs))


def _without_key(front: str, key: str) -> str:
    kept, skipping = [], False
    for line in front.splitlines(keepends=True):
        if re.match(rf"{re.escape(key)}\s*:", line):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t", "-")) or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    return "".join(kept)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


REMOVED = set("\u200b\ufeff\u00ad\u200c\u200d\u2060")


def normal(text: str) -> str:
    """A text as the outputs must hold it, compared squeezed: the agreed rule at reading
    (spaces and no-break spaces are spaces; zero-width characters go; refused controls are
    not expected anywhere), without white space."""
    return "".join(char for char in text if not char.isspace() and char not in REMOVED
                   and unicodedata.category(char) not in ("Cc", "Cf", "Cs"))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def yaml_text(text: str, rng: random.Random) -> str:
    """A text as a YAML scalar: double-quoted with escapes, or (when it can be) plain."""
    if rng.random() < 0.5 or not re.fullmatch(r"[^\s:#\-\[\]{}&*!|>'\"%@`,?][^:#\n]*", text or "-"):
        return json.dumps(text, ensure_ascii=False)
    return text


# -- the families -----------------------------------------------------------------------

Mutation = Callable[[Work], None]
FAMILIES: dict[str, dict[str, Mutation]] = collections.defaultdict(dict)


def mutation(family: str):
    def register(function: Mutation) -> Mutation:
        FAMILIES[family][function.__name__] = function
        return function
    return register


# pasted text: the spaces and controls that arrive in pasted or extracted text ----------

SPACES = ["\u00a0", "\u2007", "\u202f", "\u001c", "\u001d", "\u001e", "\u001f", "\u0085",
          "\t", "\u000b", "\u000c", "\u2028", "\u2029", "\u2003", "\u205f", "\u3000"]
INVISIBLE = ["\u200b", "\ufeff", "\u00ad", "\u200c", "\u200d", "\u2060"]
REFUSED = ["\u001b", "\u0000", "\u0007", "\u007f", "\u0090", "\u202a", "\u202b", "\u202e",
           "\u2066", "\u2069", "\ufffe", "\ud800"]
LATIN = ["Adobe", "Google", "iPhone", "COVID-19", "5G", "GDP", "H2O", "Wi-Fi", "e-mail"]


def _latin_run(rng: random.Random, length: int | None = None) -> str:
    length = length or rng.choice([1, 3, 8, 20, 60, 200, 1000])
    kind = rng.choice(["word", "digits", "url", "mixed", "words"])
    if kind == "word":
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length))
    if kind == "digits":
        return "".join(rng.choice("0123456789") for _ in range(length))
    if kind == "url":
        path = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789/-_.=?") for _ in range(length))
        return "https://www.example.com/" + path
    if kind == "words":
        return " ".join(rng.choice(LATIN) for _ in range(max(1, length // 6)))
    return "".join(rng.choice("ABCdef123-.,") for _ in range(length))


@mutation("pasted")
def nbsp_latin(work: Work) -> None:
    """公司名称如<space>Adobe和Google: a pasted space before a Latin word (the issue's case)."""
    space = work.rng.choice(SPACES)
    work.insert_in_paragraph(f"如{space}{work.rng.choice(LATIN)}和{space}{work.rng.choice(LATIN)}")


@mutation("pasted")
def space_in_latin_run(work: Work) -> None:
    space = work.rng.choice(SPACES + INVISIBLE)
    words = [_latin_run(work.rng, work.rng.choice([2, 5, 12, 40])) for _ in range(work.rng.randint(2, 6))]
    work.insert_in_paragraph(space.join(words))


@mutation("pasted")
def invisible(work: Work) -> None:
    chars = work.rng.choices(INVISIBLE, k=work.rng.randint(1, 5))
    work.insert_in_paragraph("数据" + "".join(chars) + work.rng.choice(LATIN) + "".join(chars))


@mutation("pasted")
def refused_control(work: Work) -> None:
    """A control character that is not text: refused (PR132) with its code point."""
    work.insert_in_paragraph("控制" + work.rng.choice(REFUSED) + "字符")


@mutation("pasted")
def control_in_front(work: Work) -> None:
    key = work.rng.choice(["title", "kicker", "subtitle", "byline", "publication", "section"])
    char = work.rng.choice(SPACES + INVISIBLE + REFUSED)
    text = "测试" + char + work.rng.choice(LATIN) + "标题"
    if char == "\ud800":
        raw = '"\\ud800"' if work.rng.random() < 0.5 else json.dumps(text)
    else:
        raw = json.dumps(text, ensure_ascii=False) if work.rng.random() < 0.5 else text
    work.set_key(key, raw)
    # The paper's and the page's names are the page's header strip; the e-book has neither.
    work.expect(key, text, ("pdf", "epub") if key not in ("publication", "section") else ("pdf",))


@mutation("pasted")
def control_in_subhead(work: Work) -> None:
    char = work.rng.choice(SPACES + INVISIBLE + REFUSED)
    text = "小标题" + char + work.rng.choice(LATIN) + "内容"
    work.add_block("## " + text)
    work.expect("subhead", text)


def _image_lines(lines: list[str]) -> list[int]:
    """The numbers of a body's lines that hold a figure's image (its caption follows)."""
    return [number for number, line in enumerate(lines) if line.startswith("![")]


@mutation("pasted")
def control_in_caption(work: Work) -> None:
    front, body = work.read()
    lines = body.split("\n")
    image = _image_lines(lines)
    char = work.rng.choice(SPACES + INVISIBLE + REFUSED)
    if not image:
        return work.insert_in_paragraph(char)
    number = image[0] + 2
    lines[number] = lines[number] + "图" + char + "Photo"
    work.write(front, "\n".join(lines))
    work.expect("caption", lines[number])


@mutation("pasted")
def mixed_run(work: Work) -> None:
    """Latin, digits and URLs of any length, between Chinese."""
    work.insert_in_paragraph(_latin_run(work.rng))


@mutation("pasted")
def line_endings(work: Work) -> None:
    front, body = work.read()
    ending = work.rng.choice(["\r\n", "\r", "\u2028", "\n\u00a0\n"])
    text = ("---\n" + front + "---\n" + body).replace("\n", ending) \
        if ending != "\n\u00a0\n" else "---\n" + front + "---\n" + body.replace("\n\n", ending)
    work.article.write_text(text, encoding="utf-8", newline="")


@mutation("pasted")
def many_specials(work: Work) -> None:
    pool = SPACES + INVISIBLE + LATIN + ["，", "。", "1", "a"]
    work.insert_in_paragraph("".join(work.rng.choice(pool) for _ in range(work.rng.randint(5, 60))))


# long runs --------------------------------------------------------------------------

def _length(rng: random.Random, *lengths: int) -> int:
    return rng.choice(lengths)


@mutation("long")
def closing_marks(work: Work) -> None:
    mark = work.rng.choice(["」", "）", "。", "”", "》", "，", "！"])
    work.insert_in_paragraph(mark * _length(work.rng, 50, 300, 1000))


@mutation("long")
def opening_marks(work: Work) -> None:
    mark = work.rng.choice(["「", "（", "“", "《", "【"])
    work.insert_in_paragraph(mark * _length(work.rng, 50, 300, 1000))


@mutation("long")
def digits(work: Work) -> None:
    work.insert_in_paragraph("".join(work.rng.choice("0123456789")
                                     for _ in range(_length(work.rng, 30, 500, 5000))))


@mutation("long")
def latin_word(work: Work) -> None:
    work.insert_in_paragraph("".join(work.rng.choice("abcdefghijklmnopqrstuvwxyz")
                                     for _ in range(_length(work.rng, 30, 84, 500, 3000))))


@mutation("long")
def dashes_ellipses(work: Work) -> None:
    work.insert_in_paragraph(work.rng.choice(["——", "……", "·", "—"]) * _length(work.rng, 50, 500))


@mutation("long")
def long_subhead(work: Work) -> None:
    length = _length(work.rng, 30, 60, 200, 1000)
    text = "".join(work.rng.choice("发展改革创新推动产业高质量") for _ in range(length))
    work.add_block("## " + text)
    work.expect("subhead", text)


@mutation("long")
def latin_subhead(work: Work) -> None:
    """A subhead holding one long Latin word (84 letters in the issue)."""
    word = "".join(work.rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_length(work.rng, 20, 84, 200)))
    text = "小标题" + word
    work.add_block("## " + text)
    work.expect("subhead", text)


@mutation("long")
def long_front(work: Work) -> None:
    key = work.rng.choice(["title", "kicker", "subtitle", "jump_title", "publication", "section",
                           "page_editor"])
    length = _length(work.rng, 100, 1000, 5000)
    text = "".join(work.rng.choice("奋力谱写新时代博山高质量发展篇章") for _ in range(length))
    work.set_key(key, text)
    if key in ("title", "kicker", "subtitle"):
        work.expect(key, text)


@mutation("long")
def byline_role(work: Work) -> None:
    role = "".join(work.rng.choice("大众日报淄博融媒体中心记者") for _ in range(_length(work.rng, 40, 300, 2000)))
    names = ", ".join(work.rng.choice(["姜涛", "孙良栋", "王威"]) for _ in range(work.rng.randint(1, 30)))
    work.set_key("byline", f"\n  - role: {role}\n    names: [{names}]")
    work.expect("byline", role)


@mutation("long")
def long_caption(work: Work) -> None:
    front, body = work.read()
    lines = body.split("\n")
    image = _image_lines(lines)
    text = "".join(work.rng.choice("博山区第十八届人民代表大会") for _ in range(_length(work.rng, 100, 1000)))
    if not image:
        return work.insert_in_paragraph(text)
    lines[image[0] + 2] = text
    work.write(front, "\n".join(lines))
    work.expect("caption", text)


@mutation("long")
def huge_paragraph(work: Work) -> None:
    text = "".join(work.rng.choice("产业是一座城市的根基，更是城市蓬勃发展的动力源泉。")
                   for _ in range(_length(work.rng, 5000, 20000, 100000)))
    work.add_block(text)


@mutation("long")
def many_paragraphs(work: Work) -> None:
    count = _length(work.rng, 200, 1000)
    work.add_block("\n\n".join("短段" + str(number) + "。" for number in range(count)))


@mutation("long")
def many_subheads(work: Work) -> None:
    count = _length(work.rng, 20, 100)
    work.add_block("\n\n".join(f"## 小标题{number}\n\n正文{number}。" for number in range(count)))


# photos -----------------------------------------------------------------------------

def _picture(work: Work, size: tuple[int, int] | None = None):
    from PIL import Image
    images = sorted(work.folder.glob("*.jpg"))
    width = work.rng.choice([64, 300, 800, 1600])
    size = size or (width, max(2, int(width * work.rng.choice([0.5, 0.66, 1.0, 1.5]))))
    with Image.open(images[0]) as image:
        return image.convert("RGB").resize(size)


def _replace_photo(work: Work, data: bytes, suffix: str | None = None) -> None:
    """Put ``data`` in place of one figure's image, under a new name if ``suffix``."""
    front, body = work.read()
    names = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", body)
    name = work.rng.choice(names)
    new = name if suffix is None else Path(name).stem + "-new" + suffix
    (work.folder / new).write_bytes(data)
    work.write(front, body.replace(f"]({name})", f"]({new})", 1))


def _encoded(image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


@mutation("photos")
def png_16bit(work: Work) -> None:
    image = _picture(work).convert("L").convert("I")
    image = image.point(lambda value: value * 257).convert("I;16")
    _replace_photo(work, _encoded(image, "PNG"), ".png")


@mutation("photos")
def png_palette(work: Work) -> None:
    image = _picture(work).convert("P", palette=1, colors=work.rng.choice([2, 16, 256]))
    options = {"transparency": 0} if work.rng.random() < 0.5 else {}
    _replace_photo(work, _encoded(image, "PNG", **options), ".png")


@mutation("photos")
def png_alpha(work: Work) -> None:
    image = _picture(work).convert(work.rng.choice(["RGBA", "LA"]))
    image.putalpha(work.rng.choice([0, 128, 255]))
    _replace_photo(work, _encoded(image, "PNG"), ".png")


@mutation("photos")
def png_grey_or_bilevel(work: Work) -> None:
    image = _picture(work).convert(work.rng.choice(["L", "1"]))
    _replace_photo(work, _encoded(image, "PNG"), ".png")


@mutation("photos")
def jpeg_cmyk(work: Work) -> None:
    _replace_photo(work, _encoded(_picture(work).convert("CMYK"), "JPEG", quality=80))


@mutation("photos")
def jpeg_grey(work: Work) -> None:
    _replace_photo(work, _encoded(_picture(work).convert("L"), "JPEG", quality=80))


@mutation("photos")
def jpeg_progressive(work: Work) -> None:
    _replace_photo(work, _encoded(_picture(work), "JPEG", progressive=True, quality=80))


@mutation("photos")
def jpeg_mpo(work: Work) -> None:
    """A multi-picture JPEG, as many cameras and phones write."""
    first = _picture(work)
    second = first.transpose(0)
    _replace_photo(work, _encoded(first, "MPO", save_all=True, append_images=[second]))


@mutation("photos")
def jpeg_exif_rotated(work: Work) -> None:
    from PIL import Image
    image = _picture(work)
    exif = Image.Exif()
    exif[0x0112] = work.rng.choice([2, 3, 5, 6, 7, 8, 9, 0])  # orientation; 9 and 0 are invalid
    exif[0x010F] = "Camera"
    if work.rng.random() < 0.5:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (36.0, 30.0, 0.0)
    _replace_photo(work, _encoded(image, "JPEG", exif=exif.tobytes(), quality=80))


@mutation("photos")
def icc_profile(work: Work) -> None:
    from PIL import ImageCms
    image = _picture(work)
    if work.rng.random() < 0.5:
        profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    else:
        profile = bytes(work.rng.randrange(256) for _ in range(work.rng.choice([0, 10, 400])))
    format = work.rng.choice(["JPEG", "PNG"])
    _replace_photo(work, _encoded(image, format, icc_profile=profile),
                   ".jpg" if format == "JPEG" else ".png")


@mutation("photos")
def png_bad_crc(work: Work) -> None:
    data = bytearray(_encoded(_picture(work), "PNG"))
    chunk = work.rng.choice([b"IHDR", b"IDAT", b"IEND"])
    at = data.find(chunk)
    length = int.from_bytes(data[at - 4:at], "big")
    where = at + 4 + length + work.rng.randrange(4)  # a byte of the chunk's checksum
    if work.rng.random() < 0.5 and length:
        where = at + 4 + work.rng.randrange(length)  # a byte of its data
    data[where] ^= 0xAB
    _replace_photo(work, bytes(data), ".png")


@mutation("photos")
def truncated(work: Work) -> None:
    format = work.rng.choice(["JPEG", "PNG"])
    data = _encoded(_picture(work), format)
    cut = int(len(data) * work.rng.choice([0.05, 0.5, 0.95, 0.999]))
    _replace_photo(work, data[:cut], ".jpg" if format == "JPEG" else ".png")


@mutation("photos")
def extreme_shape(work: Work) -> None:
    """2 x 8,000 pixels, 8,000 x 2, 1 x 1."""
    size = work.rng.choice([(2, 8000), (8000, 2), (1, 1), (3, 3000), (10000, 10000)])
    format = work.rng.choice(["JPEG", "PNG"])
    _replace_photo(work, _encoded(_picture(work, size), format),
                   ".jpg" if format == "JPEG" else ".png")


@mutation("photos")
def bomb_header(work: Work) -> None:
    """A PNG whose header claims far more pixels than it holds."""
    import zlib
    data = bytearray(_encoded(_picture(work, (4, 4)), "PNG"))
    side = work.rng.choice([30000, 70000, 2 ** 31 - 1])
    data[16:24] = side.to_bytes(4, "big") + side.to_bytes(4, "big")
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    _replace_photo(work, bytes(data), ".png")


@mutation("photos")
def renamed_format(work: Work) -> None:
    """A file whose name says another format than it holds."""
    image = _picture(work)
    kind = work.rng.choice(["PNG as jpg", "JPEG as png", "GIF", "WEBP", "TIFF", "BMP", "text",
                            "empty", "svg", "APNG"])
    if kind == "PNG as jpg":
        data, suffix = _encoded(image, "PNG"), ".jpg"
    elif kind == "JPEG as png":
        data, suffix = _encoded(image, "JPEG"), ".png"
    elif kind == "text":
        data, suffix = "不是图片".encode(), ".jpg"
    elif kind == "empty":
        data, suffix = b"", work.rng.choice([".jpg", ".png"])
    elif kind == "svg":
        data, suffix = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', ".jpg"
    elif kind == "APNG":
        data, suffix = _encoded(image, "PNG", save_all=True,
                                append_images=[image.transpose(0)]), ".png"
    else:
        data, suffix = _encoded(image, kind), work.rng.choice([".jpg", ".png", "." + kind.lower()])
    _replace_photo(work, data, suffix)


# layout values ----------------------------------------------------------------------

LAYOUT_VALUES = [".nan", ".inf", "-.inf", "0", "0.0", "-1", "-20.5", "1.0e-9", "1.0e+20",
                 "50000", "100000", "1000", "50", "true", "false", '"12"', "[1, 2]", "{a: 1}",
                 "null", "''", "1", "2", "6", "30", "100", "600", "0.5", "4", "7", "1.3", "2.1",
                 str(10 ** 30), "0x10", "1_000", "12:30"]
LAYOUT_RANGES = {"page_width": (100, 600), "page_height": (100, 600), "margin_top": (5, 100),
                 "margin_bottom": (5, 100), "columns": (1, 20), "column_chars": (6, 30),
                 "gap_chars": (0.5, 4), "body_size": (6, 14), "leading_min": (1.2, 2.2),
                 "leading_max": (1.2, 2.2), "leading_step": (0.05, 2), "figure_columns": (1, 6),
                 "figure_crop": (0, 0.5), "subhead_size": (6, 72), "headline_size": (12, 144),
                 "kicker_size": (6, 72), "subtitle_size": (6, 72), "note_size": (6, 72),
                 "caption_size": (6, 72), "byline_size": (6, 72), "jump_headline_size": (10, 96),
                 "masthead_height": (12, 144)}


def _layout_value(rng: random.Random, key: str) -> str:
    if key == "subhead_rows":
        return rng.choice(["[]", "[0]", "[1]", "[2]", "[100]", "[2, 3, 4, 5, 6]", "[3, 4]", "[8]",
                           "[.nan]", "3", '"3"', "[true]", "[-1, 4]"])
    if key in ("fill", "hanging"):
        return rng.choice(["true", "false", "1", "0", '"yes"', "null", "[]"])
    if key == "punctuation":
        return rng.choice(["全身式", "开明式", "x", "1", "[全身式]"])
    if key == "format":
        return rng.choice(["四开", "对开", "八开", "A4", "1", "[四开]", "null"])
    if key in LAYOUT_RANGES and rng.random() < 0.35:
        low, high = LAYOUT_RANGES[key]
        value = rng.choice([low, high, rng.uniform(low, high), low - 1e-6, high * 1.01])
        return repr(round(value) if isinstance(low, int) and isinstance(high, int)
                    and rng.random() < 0.7 else float(value))
    return rng.choice(LAYOUT_VALUES)


def _layout_keys() -> list[str]:
    from pressroom.settings import Settings
    return [f.name for f in dataclasses.fields(Settings)] + ["format"]


@mutation("layout")
def one_setting(work: Work) -> None:
    key = work.rng.choice(_layout_keys())
    work.set_key("layout", f"{{{key}: {_layout_value(work.rng, key)}}}")


@mutation("layout")
def several_settings(work: Work) -> None:
    keys = work.rng.sample(_layout_keys(), work.rng.randint(2, 5))
    work.set_key("layout", "{" + ", ".join(f"{k}: {_layout_value(work.rng, k)}" for k in keys) + "}")


@mutation("layout")
def page_size(work: Work) -> None:
    width = work.rng.choice(["50", "100", "100000", "10", "1.0e+20", "600", "190", "195"])
    height = work.rng.choice(["50", "100", "100000", "390", "600", "200"])
    work.set_key("layout", f"{{page_width: {width}, page_height: {height}}}")


@mutation("layout")
def type_sizes(work: Work) -> None:
    key = work.rng.choice(["body_size", "headline_size", "kicker_size", "subtitle_size",
                           "subhead_size", "caption_size", "byline_size", "note_size",
                           "jump_headline_size"])
    value = work.rng.choice(["1.0e-9", "0.5", "1", "3", "50000", "1.0e+20", "200", "144", "6", "72"])
    work.set_key("layout", f"{{{key}: {value}}}")


@mutation("layout")
def leading(work: Work) -> None:
    low = work.rng.choice(["1.0", "1.2", "1.4", "2.2", "1.0e-9", "1.0e+20"])
    high = work.rng.choice(["1.2", "1.8", "2.2", "3", "1.0e+20", "1.0e-9"])
    step = work.rng.choice(["0.25", "1.0e-9", "0.0001", "2", "5", "1.0e+20"])
    work.set_key("layout", f"{{leading_min: {low}, leading_max: {high}, leading_step: {step}}}")


@mutation("layout")
def column_grid(work: Work) -> None:
    columns = work.rng.choice(["1", "2", "6", "20", "21", "100"])
    chars = work.rng.choice(["1", "5", "6", "30", "31", "1000", "100000"])
    gap = work.rng.choice(["0", "0.5", "4", "10"])
    figure = work.rng.choice(["1", "2", "6", "20"])
    work.set_key("layout", f"{{columns: {columns}, column_chars: {chars}, gap_chars: {gap}, "
                           f"figure_columns: {figure}}}")


@mutation("layout")
def layout_not_mapping(work: Work) -> None:
    work.set_key("layout", work.rng.choice(["[1, 2]", "对开", "1", "true", "null", '""', "{}",
                                            "{format: {a: b}}", "[{columns: 3}]"]))


# front-matter types -----------------------------------------------------------------

FRONT_KEYS = ["title", "kicker", "subtitle", "byline", "publication", "section", "date", "page",
              "page_editor", "jump_title", "lang", "identifier"]
FRONT_VALUES = ["[a, b]", "[]", "{a: b}", "{}", "42", "3.5", "true", "null", "~", '""', "''",
                "2021-02-30", "2021-02-28", '"2021-02-30"', "2021-13-45", "2021-02-28 10:00:00",
                "0000-01-01", "9999-12-31", "20210101", "!!binary aGVsbG8=", "!!set {a, b}",
                "!!python/object/apply:os.system [true]", "[[1, [2, [3]]]]", ".nan",
                "-1", "zh-CN", "en", "x" * 300, "标题", "|\n  多行\n  文字", ">\n  折叠\n  文字"]


@mutation("front")
def wrong_type(work: Work) -> None:
    work.set_key(work.rng.choice(FRONT_KEYS), work.rng.choice(FRONT_VALUES))


@mutation("front")
def dates(work: Work) -> None:
    work.set_key("date", work.rng.choice(["2021-02-30", "2021-02-29", "2020-02-29", "2021-04-31",
                                          "2021-13-01", "2021-00-10", "1-1-1", "2021-2-3",
                                          "2021-02-28T25:00:00", "0001-01-01", "9999-12-31",
                                          "'2021年2月1日'", "10000-01-01"]))


@mutation("front")
def merge_keys(work: Work) -> None:
    """YAML merge keys (<<:) that set front-matter keys."""
    raw = work.rng.choice([
        "<<: {kicker: 引题}",
        "<<: {title: 合并的标题}",
        "<<: [{kicker: 引题}, {subtitle: 副题}]",
        "<<: {layout: {columns: 5}}",
        "extra: &base {kicker: 引题, section: 要闻}\n<<: *base",
        "<<: {byline: 记者 张三}",
        "<<: 1",
    ])
    work.add_front(raw)
    if raw.startswith("<<: {kicker"):
        work.expect("kicker", "引题")


@mutation("front")
def anchors(work: Work) -> None:
    work.set_key("title", "&t 锚点标题")
    key = work.rng.choice(["kicker", "subtitle", "jump_title", "section", "byline", "page"])
    work.set_key(key, "*t")
    if work.rng.random() < 0.3:
        work.add_front("page_editor: *nope")


@mutation("front")
def laughs(work: Work) -> None:
    """Nested aliases: a few lines that stand for a billion items."""
    lines = ["a0: &a0 [哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈]"]
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    front, body = work.read()
    key = work.rng.choice(["byline", "title", "identifier"])
    work.write("\n".join(lines) + "\n" + _without_key(front, key) + f"{key}: *a8\n", body)


@mutation("front")
def bylines(work: Work) -> None:
    work.set_key("byline", work.rng.choice([
        "\n  - role: 记者\n    names: 5",
        "\n  - role: [记者]\n    names: [张三]",
        "\n  - names: [张三]",
        "\n  - role: 记者",
        "\n  - role: 记者\n    names: [[张三]]",
        "\n  - role: 记者\n    names: [{a: b}]",
        "\n  - role: 记者\n    names: []\n  - {}",
        "\n  - 记者 张三",
        "\n  - role: 记者\n    names: [" + ", ".join(["张三"] * 200) + "]",
        "[1, {a: b}]",
    ]))


@mutation("front")
def yaml_structure(work: Work) -> None:
    front, body = work.read()
    kind = work.rng.choice(["duplicate", "complex key", "tab", "bom", "unclosed", "empty",
                            "document end", "two documents", "not a mapping", "deep"])
    text = "---\n" + front + "---\n" + body
    if kind == "duplicate":
        text = "---\n" + front + "title: 第二个标题\n---\n" + body
    elif kind == "complex key":
        text = "---\n" + front + "? [a]\n: b\n---\n" + body
    elif kind == "tab":
        text = "---\n" + front + "byline:\n\t- role: 记者\n---\n" + body
    elif kind == "bom":
        text = "\ufeff" + text
    elif kind == "unclosed":
        text = "---\n" + front + body
    elif kind == "empty":
        text = "---\n---\n" + body
    elif kind == "document end":
        text = "---\n" + front + "...\n---\n" + body
    elif kind == "two documents":
        text = "---\n" + front + "---\ntitle: 又一个\n---\n" + body
    elif kind == "not a mapping":
        text = "---\n- 标题\n---\n" + body
    else:
        text = "---\n" + _without_key(front, "layout") + "layout: " + "[" * 2000 + "]" * 2000 \
            + "\n---\n" + body
    work.article.write_text(text, encoding="utf-8")


# folder names -----------------------------------------------------------------------

FOLDER_NAMES = ["博" * 80, "博" * 50, "博" * 40, "..x", ".hidden", "a\x1bb", "a\nb", "a\tb",
                "a b", "-dash", "x" * 150, "x" * 151, "CON", "a:b", "x.", "新闻 稿", "ｆｕｌｌ",
                "😀", "a\u202eb", "a\u00a0b", "a\\b", "%2e%2e", "a'b\"c", "a$(id)b"]


@mutation("folder")
def folder_name(work: Work) -> None:
    name = work.rng.choice(FOLDER_NAMES)
    target = work.folder.parent / name
    work.folder.rename(target)
    work.folder = target


# a manuscript's own layouts/ --------------------------------------------------------

TEMPLATES = ["page.html.j2", "chapter.html.j2", "cover.html.j2", "partials/body.html.j2",
             "partials/paragraph.html.j2", "partials/subhead.html.j2", "partials/byline.html.j2",
             "partials/headline.html.j2", "partials/figure.html.j2", "partials/front.html.j2",
             "partials/editor_note.html.j2", "partials/macros.html.j2", "partials/strip.html.j2",
             "partials/module.html.j2"]
STYLESHEETS = ["css/print.css", "css/epub.css", "css/shared.css"]


def _own(work: Work, name: str, text: str | bytes) -> None:
    path = work.folder / "layouts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)


def _project(name: str) -> str:
    return (ROOT / "layouts" / name).read_text(encoding="utf-8")


def _insert_line(rng: random.Random, text: str, snippet: str) -> str:
    lines = text.split("\n")
    at = rng.randrange(len(lines) + 1)
    return "\n".join(lines[:at] + [snippet] + lines[at:])


@mutation("overrides")
def template_fault(work: Work) -> None:
    name = work.rng.choice(TEMPLATES)
    snippet = work.rng.choice([
        "{% if %}", "{{ article.", "{% for x in %}{% endfor %}", "{% endif %}", "{{ no_such_name }}",
        "{{ article.no_such_part }}", "{{ no_such_filter | nope }}", "{{ x | nope }}",
        "{% include 'partials/nope.html.j2' %}", "{% include '/etc/passwd' %}",
        "{% include '../../../../../../etc/passwd' %}", "{% include '../article.md' %}",
        "{% import 'nope.j2' as x %}", "{{ 1 / 0 }}", "{{ range(10**9) | list | length }}",
        "{{ article.__class__.__mro__ }}", "{% raw %}", "{{ '%s' % () }}",
    ])
    _own(work, name, _insert_line(work.rng, _project(name), snippet))


@mutation("overrides")
def self_extension(work: Work) -> None:
    name = work.rng.choice(TEMPLATES)
    other = work.rng.choice([name, "page.html.j2", "chapter.html.j2"])
    _own(work, name, f"{{% extends '{other}' %}}\n" if work.rng.random() < 0.7
         else f"{{% include '{other}' %}}\n")


@mutation("overrides")
def not_utf8(work: Work) -> None:
    name = work.rng.choice(TEMPLATES + STYLESHEETS)
    text = "/* 中文注释 */\n" + _project(name) if name.endswith(".css") else \
        "{# 中文注释 #}\n" + _project(name)
    _own(work, name, text.encode(work.rng.choice(["gb18030", "utf-16", "big5"]), "replace")
         if work.rng.random() < 0.7 else b"\xff\xfe\xfd" + text.encode())


@mutation("overrides")
def empty_template(work: Work) -> None:
    _own(work, work.rng.choice(TEMPLATES + STYLESHEETS), work.rng.choice(["", "\n", "   "]))


@mutation("overrides")
def stylesheet_fault(work: Work) -> None:
    name = work.rng.choice(STYLESHEETS)
    rule = work.rng.choice([
        "@import url(http://example.com/x.css);", "@import 'https://example.com/x.css';",
        "p { background: url(http://example.com/a.png) }",
        "p { background: url(//example.com/a.png) }",
        "@font-face { font-family: X; src: local(Arial) }",
        "@font-face { font-family: X; src: url(file:///etc/passwd) }",
        "p { background: url(../../../../../../etc/passwd) }",
        "p { background: url(data:image/png;base64,iVBORw0KGgo=) }",
        "p { padding-top: -6.425pt }", "p { colr: red }", "p { display: none }",
        "body { visibility: hidden }", "p { font-size: 0.1pt }", "@page { size: 10mm 10mm }",
        "p { position: absolute; left: -10000pt }", "*{ color: white }", "p { {{ }",
        "@media print { p { display: none } }", "p { font-family: 'No Such Font' }",
    ])
    text = _project(name)
    _own(work, name, text + "\n" + rule + "\n" if work.rng.random() < 0.8 else rule + "\n" + text)


@mutation("overrides")
def dropping_template(work: Work) -> None:
    """A partial that prints nothing of its part: the build must see the text is gone."""
    name = work.rng.choice(["partials/paragraph.html.j2", "partials/subhead.html.j2",
                            "partials/byline.html.j2", "partials/headline.html.j2",
                            "partials/figure.html.j2", "partials/editor_note.html.j2"])
    text = _project(name)
    _own(work, name, re.sub(r"\{\{.*?\}\}", "", text, count=work.rng.choice([1, 100]), flags=re.S))


# page plans -------------------------------------------------------------------------

def _plan_data(work: Work) -> dict:
    import yaml
    return yaml.safe_load(work.plan.read_text(encoding="utf-8"))


def _write_plan(work: Work, data) -> None:
    import yaml
    work.plan.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


PLAN_VALUES = [".nan", "-1", "0", "1", "3", "1000", "1.0e+20", "foot", "head", "true", "[1]",
               "{a: b}", "null", '""', "x" * 200, "第9版", "第1版", "../x", "/etc/passwd"]


def _plan_value(rng: random.Random):
    import yaml
    return yaml.safe_load(rng.choice(PLAN_VALUES))


@mutation("plans")
def plan_pages(work: Work) -> None:
    data = _plan_data(work)
    pages = data["pages"]
    kind = work.rng.choice(["drop", "swap", "empty", "duplicate label", "no stories", "one page",
                            "many pages"])
    if kind == "drop":
        pages.pop(work.rng.randrange(len(pages)))
    elif kind == "swap":
        pages.reverse()
    elif kind == "empty":
        data["pages"] = []
    elif kind == "duplicate label":
        pages[-1]["page"] = pages[0]["page"]
    elif kind == "no stories":
        work.rng.choice(pages)["stories"] = []
    elif kind == "one page":
        data["pages"] = pages[:1]
    else:
        for number in range(4, 4 + work.rng.choice([3, 30])):
            pages.append({"page": f"第{number}版", "code": f"A{number:02d}", "section": "综合",
                          "stories": []})
    _write_plan(work, data)


@mutation("plans")
def plan_stories(work: Work) -> None:
    data = _plan_data(work)
    page = work.rng.choice(data["pages"])
    stories = page.setdefault("stories", [])
    kind = work.rng.choice(["duplicate", "two leads", "jump", "full text", "path", "pin",
                            "move", "unknown key"])
    entry = {"story": stories[0]} if stories and isinstance(stories[0], str) else \
        (stories[0] if stories else {"story": "example/photos"})
    if kind == "duplicate":
        stories.append(dict(entry) if isinstance(entry, dict) else entry)
    elif kind == "two leads":
        for index, story in enumerate(stories):
            stories[index] = dict(story, lead=True) if isinstance(story, dict) else \
                {"story": story, "lead": True}
    elif kind == "jump":
        stories[0] = dict(entry, jump=work.rng.choice(["第9版", "第1版", "第2版", "第3版", "", 5]))
    elif kind == "full text":
        stories[0] = dict(entry, full_text=work.rng.choice([True, False, "yes"]))
    elif kind == "path":
        stories.append({"story": work.rng.choice(["/etc", "http://example.com/x", "../../..",
                                                  "example/nope", "example", "", "example/ad-standin.png",
                                                  "../boshan-report/article.md"])})
    elif kind == "pin":
        pin = {key: _plan_value(work.rng) for key in
               work.rng.sample(["column", "row", "columns", "rows"], work.rng.randint(1, 4))}
        stories[0] = dict(entry, **pin)
    elif kind == "move":
        other = work.rng.choice(data["pages"])
        if stories:
            other.setdefault("stories", []).append(stories.pop())
    else:
        stories[0] = dict(entry, colour="red")
    _write_plan(work, data)


@mutation("plans")
def plan_values(work: Work) -> None:
    data = _plan_data(work)
    kind = work.rng.choice(["publication", "date", "file_names", "edition", "layout", "colour",
                            "masthead", "ads", "code", "section", "lang"])
    page = work.rng.choice(data["pages"])
    if kind == "publication":
        data["publication"] = work.rng.choice(["报" * 1000, ["样报"], 5, "", "样\u001b报"])
    elif kind == "date":
        data["date"] = work.rng.choice(["2026-02-30", "2026-13-01", 20261201, "明天", None])
    elif kind == "file_names":
        data["file_names"] = work.rng.choice(["{nope}.pdf", "../{code}.pdf", "{date}.pdf", "",
                                              "a/b.pdf", "{code}", ".{code}.pdf", "{code}\n.pdf",
                                              "{" * 3, "{page}.pdf"])
    elif kind == "edition":
        data["edition"] = work.rng.choice(["..", ".x", "a/b", "博" * 80, "a\x1bb", "ok-name"])
    elif kind == "layout":
        key = work.rng.choice(_layout_keys())
        import yaml
        data["layout"] = {key: yaml.safe_load(_layout_value(work.rng, key))}
    elif kind == "colour":
        page["colour"] = work.rng.choice(["red", True, False, 1, None])
    elif kind == "masthead":
        target = work.rng.choice(data["pages"])
        target["masthead"] = work.rng.choice([True, False, "yes"])
        data["masthead"] = work.rng.choice([{}, {"rows": _plan_value(work.rng)},
                                            {"artwork": "example/nope.png"},
                                            {"serial": "CN" * 300}, None, [], "x"])
    elif kind == "ads":
        page["ads"] = [{"artwork": work.rng.choice(["example/ad-standin.png", "example/nope.png",
                                                   "../../../etc/passwd", "example",
                                                   "example/photos/article.md"]),
                        "column": _plan_value(work.rng), "row": _plan_value(work.rng)}
                       for _ in range(work.rng.randint(1, 3))]
    elif kind == "code":
        for other in data["pages"]:
            other["code"] = work.rng.choice(["A01", "", "../x", 1, "A" * 200])
    elif kind == "section":
        page["section"] = work.rng.choice(["版" * 500, ["要闻"], 3, "要\u0085闻"])
    else:
        data["lang"] = work.rng.choice(["en", "zh-Hant", "x" * 100, 1, "zh_CN"])
    _write_plan(work, data)


@mutation("plans")
def plan_yaml(work: Work) -> None:
    text = work.plan.read_text(encoding="utf-8")
    kind = work.rng.choice(["anchor", "merge", "duplicate", "not mapping", "bytes", "huge"])
    if kind == "anchor":
        text = text.replace("publication: 样报", "publication: &p 样报\nidentifier: *p")
    elif kind == "merge":
        text += "<<: {lang: en}\n"
    elif kind == "duplicate":
        text += "publication: 又一个\n"
    elif kind == "not mapping":
        text = "- " + text.replace("\n", "\n  ")
    elif kind == "bytes":
        work.plan.write_bytes(text.encode("gb18030"))
        return
    else:
        text += "#" + "x" * 2_000_000 + "\n"
    work.plan.write_text(text, encoding="utf-8")


@mutation("plans")
def plan_story_mutated(work: Work) -> None:
    """A story of the edition mutated by another family's rule."""
    data = _plan_data(work)
    names = [entry if isinstance(entry, str) else entry["story"]
             for page in data["pages"] for entry in page.get("stories", [])]
    folder = (work.plan.parent / work.rng.choice(names)).resolve()
    family = work.rng.choice(["pasted", "long", "layout", "front"])
    name = work.rng.choice(sorted(FAMILIES[family]))
    inner = Work(folder, work.rng)
    FAMILIES[family][name](inner)
    # An edition's header strip names the plan's paper and pages, not the story's own.
    work.expected += [entry for entry in inner.expected if entry[0] not in ("publication", "section")]


# -- making a case ---------------------------------------------------------------------

def _base_for(family: str, mutation: str, rng: random.Random) -> str:
    if family == "plans":
        return PLAN
    if family == "photos":
        return rng.choice(PHOTO_BASES)
    # The default manuscript (a full page) half the time: what fills a page is what a
    # mutation can push off it.
    return rng.choice(BASES) if rng.random() < 0.5 else BASES[0]


def cases(n: int, seed: int = 0, families: Iterable[str] | None = None) -> list[Case]:
    """``n`` cases, every family in turn and each family's mutations in turn, so that even
    a few hundred cases cover all of them."""
    rng = random.Random(seed)
    chosen = [family for family in FAMILIES if families is None or family in families]
    turns = {family: [] for family in chosen}
    found = []
    for number in range(n):
        family = chosen[number % len(chosen)]
        if not turns[family]:
            turns[family] = rng.sample(sorted(FAMILIES[family]), len(FAMILIES[family]))
        mutation_name = turns[family].pop()
        case_seed = rng.randrange(2 ** 31)
        found.append(Case(family, mutation_name, case_seed,
                          _base_for(family, mutation_name, random.Random(case_seed))))
    return found


def materialise(case: Case, where: Path) -> Work:
    """The case's manuscript (or edition tree) made under ``where``."""
    where.mkdir(parents=True, exist_ok=True)
    rng = random.Random(case.seed)
    if case.folder:
        source = Path(case.folder)
        name = source.name
        spec = source / "reproducer.json"
        settings = json.loads(spec.read_text(encoding="utf-8")) if spec.exists() else {}
        name = settings.get("folder", name)
        target = where / name
        if settings.get("copy"):
            # A case that needs a large tree of the repository (the example edition): the
            # tree is copied first and the reproducer's few files are laid over it.
            shutil.copytree(ROOT / settings["copy"], target / settings["copy"], ignore=IGNORED)
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("reproducer.json", "*.py"),
                        dirs_exist_ok=True)
        if settings.get("plan"):
            return Work(target, rng, plan=target / settings["plan"])
        return Work(target, rng)
    if case.family == "plans":
        tree = where / "manuscript"
        shutil.copytree(ROOT / "manuscript", tree, ignore=IGNORED)
        work = Work(tree / "editions", rng, plan=tree / "editions" / "example.yaml")
    else:
        source = ROOT / case.base
        work = Work(where / source.name, rng)
        shutil.copytree(source, work.folder, ignore=IGNORED)
    FAMILIES[case.family][case.mutation](work)
    return work


# -- running one case (in a worker) ------------------------------------------------------

def run_case(case: Case, scratch: Path, keep: bool = False) -> Outcome:
    """Make the case, build it with TMPDIR pointed at a fresh folder, and classify."""
    from pressroom import build
    from pressroom.errors import ErrorGroup, PressroomError, diagnostics

    scratch.mkdir(parents=True)
    work = materialise(case, scratch / "src")
    out, temp = scratch / "out", scratch / "tmp"
    out.mkdir()
    temp.mkdir()
    old_env, old_temp = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = str(temp), str(temp)
    findings: list[Finding] = []
    code = message = ""
    built: list[Path] = []
    warned = []
    start = time.monotonic()
    try:
        with diagnostics(emit=warned.append):
            if work.plan is not None:
                built = build.build_edition(work.plan, out_dir=out)
            else:
                built = build.build_all(work.folder, out_dir=out)
        result = "ok"
    except PressroomError as error:
        result = "user"
        errors = error.errors if isinstance(error, ErrorGroup) else [error]
        code = ",".join(dict.fromkeys(one.code for one in errors))
        text = str(error)
        message = _shown(text.split("\n")[0])
        problem = _message_fault(text, len(errors))
        if problem:
            findings.append(Finding("message", f"{code}: {problem}", _shown(text)))
        del errors  # their tracebacks hold the build's objects, which own temporary files
    except BaseException as error:  # noqa: BLE001 - every other exception is the finding
        if isinstance(error, KeyboardInterrupt):
            raise
        result = "internal"
        message = _shown(f"{type(error).__name__}: {error}")
        findings.append(Finding("internal", _cause(error), message + " | " + " < ".join(_frames(error))))
    seconds = time.monotonic() - start
    # What a finished build leaves is what is still there once its objects are gone
    # (WeasyPrint removes its font folder when its configuration is collected).
    gc.collect()
    os.environ.pop("TMPDIR") if old_env is None else os.environ.__setitem__("TMPDIR", old_env)
    tempfile.tempdir = old_temp
    for warning in warned:
        problem = _message_fault(str(warning), 1)
        if problem:
            findings.append(Finding("message", f"warning {warning.code}: {problem}", _shown(str(warning))))
    if result == "ok":
        findings += _losses(work, out, built)
    findings += _leftovers(out, temp, built, result == "ok")
    if not keep:
        shutil.rmtree(scratch, ignore_errors=True)
    return Outcome(case, result, seconds, code, message, tuple(findings),
                   tuple(warning.code for warning in warned))


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _message_fault(text: str, errors: int) -> str:
    lines = text.split("\n")
    if len(lines) != errors:
        return f"{len(lines)} lines for {errors} error{'s' if errors > 1 else ''}"
    found = CONTROL.search(text.replace("\n", ""))
    if found:
        return f"raw control character U+{ord(found.group()):04X}"
    if not text.strip():
        return "empty message"
    return ""


def _shown(text: str, limit: int = 400) -> str:
    """A text safe to print: control characters as U+XXXX, shortened."""
    text = CONTROL.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def _frames(error: BaseException) -> list[str]:
    frames = traceback.extract_tb(error.__traceback__)
    return [f"{_where(frame.filename)}:{frame.lineno}:{frame.name}" for frame in frames[-4:]][::-1]


def _where(filename: str) -> str:
    path = Path(filename)
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        parts = path.parts
        return "/".join(parts[parts.index("site-packages") + 1:]) if "site-packages" in parts \
            else path.name


def _cause(error: BaseException) -> str:
    """The exception's type and the innermost Pressroom function it went through."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames
            if _where(frame.filename).startswith("pressroom/")]
    where = f"{_where(ours[-1].filename)}:{ours[-1].name}" if ours else "outside pressroom"
    return f"{type(error).__name__} in {where}"


def _losses(work: Work, out: Path, built: list[Path]) -> list[Finding]:
    """What of the manuscript is not in the outputs: ``invoke check``'s reading-order
    comparison of each part, and the texts the mutation put in."""
    try:
        if work.plan is not None:
            pdf_text, epub_text, checked = _edition_texts(work, out)
        else:
            pdf_text, epub_text, checked = _manuscript_texts(work, built)
    except Exception as error:  # noqa: BLE001 - a check that cannot read an output is a finding
        return [Finding("loss", f"outputs unreadable: {type(error).__name__}", _shown(str(error)))]
    findings = [Finding("loss", f"{result.check}: {result.problem.split(':')[0]}", _shown(result.problem))
                for result in checked if not result.passed]
    for output, text in (("pdf", pdf_text), ("epub", epub_text)):
        joined = _joined(text)
        for part, expected, outputs in work.expected:
            if output in outputs and _joined(expected) not in joined:
                findings.append(Finding("loss", f"{output}: the mutated {part} is missing",
                                        _shown(f"{expected[:80]} not in {output}")))
    return findings


HYPHEN_MARK = "\x01"  # pressroom.outputs.verify.HYPHEN_MARK
LATIN_HYPHEN = re.compile(r"(?<=[A-Za-z\u00c0-\u024f])-(?=[A-Za-z\u00c0-\u024f])")


def _joined(text: str) -> str:
    # HYPHEN_MARK: where the package's own reading marks a hyphen at a line's end, the
    # composer's or the manuscript's: taken out, as every hyphen between letters is here.
    return LATIN_HYPHEN.sub("", squeeze(text)).replace(HYPHEN_MARK, "")


def _manuscript_texts(work: Work, built: list[Path]):
    from pypdf import PdfReader
    from pressroom.checks import check
    from pressroom.reading.manuscript import read_manuscript

    article = read_manuscript(work.folder)
    pdf = next(path for path in built if path.suffix == ".pdf")
    epub = next(path for path in built if path.suffix == ".epub")
    pdf_text = check.story_text(PdfReader(pdf))
    documents = _epub_documents(epub)
    epub_text = "".join(check._text_of(document.find("xhtml:body", check.NS))
                        for document in documents.values())
    return pdf_text, epub_text, [_in_order("pdf.text", pdf_text, article),
                                 _in_order("epub.text", epub_text, article)]


def _in_order(name: str, text: str, article):
    """``invoke check``'s comparison (each part of the manuscript found after the one
    before, a photo's caption and credit anywhere), the text's hyphens between letters
    marked as the package marks them: pypdf does not always end a column's last line with
    a line break, so a word hyphenated there keeps its hyphen in the extracted text."""
    from pressroom.checks.check import Result
    from pressroom.outputs import verify
    parts = verify.reading_order(article)
    found, part, how = verify.in_order(verify.marked(text), parts, verify.LOOSE)
    if part is None:
        return Result(name, True, f"{len(parts)} parts")
    return Result(name, False, f"{found} of {len(parts)} parts",
                  f"{how}: {part.where}: {part.text[:24]}…")


def _epub_documents(epub: Path) -> dict:
    from lxml import etree
    from pressroom.checks import check
    with zipfile.ZipFile(epub) as book:
        files = {name: book.read(name) for name in book.namelist()}
    opf_name = etree.fromstring(files["META-INF/container.xml"]).find(
        ".//container:rootfile", check.NS).get("full-path")
    opf = etree.fromstring(files[opf_name])
    base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
    manifest = {item.get("id"): item for item in opf.find("opf:manifest", check.NS)}
    spine = [base + manifest[ref.get("idref")].get("href") for ref in opf.find("opf:spine", check.NS)]
    return {name: etree.fromstring(files[name]) for name in spine if name in files}


def _edition_texts(work: Work, out: Path):
    import pypdfium2
    from pressroom.checks.edition import check_spine, check_text, read_edition
    from pressroom.checks import check

    edition = read_edition(work.plan, out)
    epub = next(out.glob("*.epub"))
    whole = next(out.glob("*.pdf"))
    document = pypdfium2.PdfDocument(str(whole))
    try:
        pdf_text = ""
        for page in document:
            textpage = page.get_textpage()
            # PDFium reads a hyphen at a line's end as U+0002 or U+FFFE (see
            # checks.check.page_texts).
            pdf_text += textpage.get_text_range().replace("\x02", "-").replace("\ufffe", "-")
            textpage.close()
    finally:
        document.close()
    documents = _epub_documents(epub)
    epub_text = "".join(check._text_of(document.find("xhtml:body", check.NS))
                        for document in documents.values())
    return pdf_text, epub_text, [check_text(edition), check_spine(edition, epub)]


def _leftovers(out: Path, temp: Path, built: list[Path], ok: bool) -> list[Finding]:
    from pressroom.output import CACHE_FOLDERS

    findings = []
    outputs = {path.resolve() for path in built}
    # The caches a build keeps beside its outputs are neither outputs nor left behind.
    extra = [path for path in out.rglob("*") if path.is_file() and path.resolve() not in outputs
             and path.relative_to(out).parts[0] not in CACHE_FOLDERS]
    if extra:
        findings.append(Finding("leftover", "files in the out folder that are not outputs",
                                _shown(", ".join(str(p.relative_to(out)) for p in extra[:5]))))
    hidden = [path for path in built if path.name.startswith(".")]
    if hidden:
        findings.append(Finding("leftover", "an output with a hidden name",
                                _shown(", ".join(path.name for path in hidden))))
    outside = [path for path in built if out.resolve() not in path.resolve().parents]
    if outside:
        findings.append(Finding("leftover", "an output outside the out folder",
                                _shown(", ".join(str(path) for path in outside))))
    left = sorted(temp.iterdir())
    if left:
        findings.append(Finding("leftover", "files left in the temporary folder",
                                _shown(", ".join(path.name for path in left[:5]))))
    return findings


# -- the worker pool ---------------------------------------------------------------------

def _worker(connection, scratch: str, log: str) -> None:
    """A worker: runs the cases it is sent, one at a time, and sends back each outcome."""
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    # WeasyPrint's and Pressroom's log records go to the worker's log, not the terminal;
    # logging itself is left alone, since the build classifies the renderer's records.
    with open(log, "ab") as stream:
        os.dup2(stream.fileno(), 2)
        os.dup2(stream.fileno(), 1)
    number = 0
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        case, keep = job
        number += 1
        where = Path(scratch) / f"{os.getpid()}-{number}"
        try:
            outcome = run_case(case, where, keep)
        except BaseException as error:  # noqa: BLE001 - the harness itself failed on this case
            outcome = Outcome(case, "internal", 0.0, message=_shown(repr(error)),
                              findings=(Finding("internal", "campaign: " + _cause(error),
                                                _shown(traceback.format_exc())),))
        connection.send(outcome)


class _Slot:
    def __init__(self, context, scratch: Path, index: int):
        self.context, self.scratch, self.index = context, scratch, index
        self.case: Case | None = None
        self.deadline = 0.0
        self.started = 0.0
        self.start_process()

    def start_process(self) -> None:
        parent, child = self.context.Pipe()
        self.connection = parent
        self.process = self.context.Process(
            target=_worker, args=(child, str(self.scratch), str(self.scratch / f"worker-{self.index}.log")),
            daemon=True)
        self.process.start()
        child.close()

    def send(self, case: Case, keep: bool, timeout: float) -> None:
        self.case = case
        self.started = time.monotonic()
        self.deadline = self.started + timeout + 5  # the worker's start and its checks
        self.timeout = timeout
        self.connection.send((case, keep))

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


def run_cases(jobs_list: list[Case], jobs: int = 2, timeout: float = TIMEOUT,
              keep: Path | None = None,
              progress: Callable[[Outcome], None] | None = None) -> Report:
    """Run the cases in ``jobs`` worker processes; a case over ``timeout`` is a hang."""
    report = Report(jobs=jobs)
    start = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="pressroom-fuzz-"))
    context = multiprocessing.get_context("spawn")
    pending = list(reversed(jobs_list))
    slots = [_Slot(context, scratch, index) for index in range(max(1, min(jobs, len(jobs_list))))]

    def done(outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        if progress:
            progress(outcome)

    try:
        for slot in slots:
            if pending:
                slot.send(pending.pop(), keep is not None, timeout)
        while any(slot.case for slot in slots):
            busy = [slot for slot in slots if slot.case]
            now = time.monotonic()
            wait = max(0.05, min(slot.deadline for slot in busy) - now)
            ready = multiprocessing.connection.wait([slot.connection for slot in busy] +
                                                    [slot.process.sentinel for slot in busy], wait)
            for slot in busy:
                outcome = None
                if slot.connection in ready or slot.connection.poll():
                    try:
                        outcome = slot.connection.recv()
                    except (EOFError, OSError):
                        outcome = None
                if outcome is not None:
                    if outcome.seconds > slot.timeout:  # finished, but over the limit
                        outcome = dataclasses.replace(outcome, findings=outcome.findings + (
                            Finding("hang", f"over {slot.timeout:g} s (finished)",
                                    f"{outcome.seconds:.1f} s, then {outcome.result}"),))
                    done(outcome)
                elif not slot.process.is_alive() or time.monotonic() > slot.deadline:
                    alive = slot.process.is_alive()
                    seconds = time.monotonic() - slot.started
                    slot.kill()
                    if alive:
                        finding = Finding("hang", f"over {slot.timeout:g} s", f"killed after {seconds:.0f} s")
                        done(Outcome(slot.case, "hang", seconds, findings=(finding,)))
                    else:
                        finding = Finding("crash", f"worker died (exit {slot.process.exitcode})",
                                          f"after {seconds:.1f} s")
                        done(Outcome(slot.case, "crash", seconds, findings=(finding,)))
                    slot.start_process()
                else:
                    continue
                slot.case = None
                if pending:
                    slot.send(pending.pop(), keep is not None, timeout)
    except (KeyboardInterrupt, SystemExit):
        # Interrupted (Ctrl-C, a TERM): the cases under way are not waited for, and the
        # report holds the cases that finished.
        report.interrupted = True
        for slot in slots:
            slot.kill()
    finally:
        for slot in slots:
            try:
                slot.connection.send(None)
            except (OSError, ValueError):
                pass
        for slot in slots:
            slot.process.join(10)
            if slot.process.is_alive():
                slot.kill()
        report.seconds = time.monotonic() - start
        if keep is not None:
            _keep_failures(report, scratch, keep)
        shutil.rmtree(scratch, ignore_errors=True)
    return report


def _keep_failures(report: Report, scratch: Path, keep: Path) -> None:
    """Each failing case's manuscript, made again, under ``keep``/<family>-<mutation>-<seed>/."""
    for outcome in report.failures:
        case = outcome.case
        if case.folder:
            continue
        target = keep / f"{case.family}-{case.mutation}-{case.seed}"
        if not target.exists():
            try:
                materialise(case, target)
            except Exception:  # noqa: BLE001 - keeping is a convenience
                pass


def run_campaign(n: int = 200, jobs: int = 2, seed: int = 0, families: Iterable[str] | None = None,
                 timeout: float = TIMEOUT, keep: Path | None = None,
                 progress: Callable[[Outcome], None] | None = None) -> Report:
    """``n`` generated cases of the families (all by default), built in ``jobs`` workers."""
    return run_cases(cases(n, seed, families), jobs, timeout, keep, progress)


def run_folders(folders: list[Path], jobs: int = 2, timeout: float = TIMEOUT) -> Report:
    """Fixed manuscript folders (the reproducers), each built and classified as a case."""
    return run_cases([Case("reproducer", folder.name, 0, folder=str(folder)) for folder in folders],
                     jobs, timeout)


# -- the command line --------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tests.fuzzing", description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="number of cases (200)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--family", action="append", choices=sorted(FAMILIES),
                        help="only this family (repeatable)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds a case may take (20)")
    parser.add_argument("--out", type=Path, help="write report.json, report.txt and the failing "
                                                 "cases' manuscripts (cases/) here")
    parser.add_argument("--case", action="append", help="run only this case (family/mutation#seed)")
    parser.add_argument("--folder", action="append", type=Path,
                        help="build this fixed manuscript folder as a case (a reproducer)")
    parser.add_argument("--keep", type=Path, help="with --case: make its manuscript here, not build it")
    parser.add_argument("--quiet", action="store_true")
    options = parser.parse_args(argv)

    if options.case and options.keep:
        for label in options.case:
            work = materialise(Case.parse(label), options.keep / label.replace("/", "-").replace("#", "-"))
            print(work.plan or work.folder)
        return 0
    if options.folder:
        selected = [Case("reproducer", folder.name, 0, folder=str(folder.resolve()))
                    for folder in options.folder]
    elif options.case:
        selected = [Case.parse(label) for label in options.case]
    else:
        selected = cases(options.n, options.seed, options.family)

    def progress(outcome: Outcome) -> None:
        if options.quiet:
            return
        mark = "FAIL" if outcome.findings else outcome.result
        print(f"{mark:<8} {outcome.seconds:5.1f}s {outcome.case.label:<44} "
              f"{outcome.code or ''} {'; '.join(f'{f.kind}: {f.cause}' for f in outcome.findings)}"
              + (f" | {outcome.findings[0].detail[:160]}" if outcome.findings else ""),
              flush=True)

    # A TERM (a CI runner's cancel) stops the workers and removes the scratch folder too.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    keep = options.out / "cases" if options.out else None
    report = run_cases(selected, options.jobs, options.timeout, keep, progress)
    summary = report.summary()
    print(summary)
    if options.out:
        options.out.mkdir(parents=True, exist_ok=True)
        (options.out / "report.txt").write_text(summary + "\n", encoding="utf-8")
        (options.out / "report.json").write_text(json.dumps(report.to_json(), ensure_ascii=False,
                                                            indent=1), encoding="utf-8")
    return 130 if report.interrupted else 1 if report.failures else 0


if __name__ == "__main__":
    if __package__ in (None, ""):
        # Run as a script: work through the importable module, so that the spawned workers
        # find the same functions by name.
        import importlib
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        sys.exit(importlib.import_module("fuzzing").main())
    sys.exit(main())
