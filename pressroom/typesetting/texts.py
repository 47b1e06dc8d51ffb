"""Setting the texts of a story once, before copyfitting moves them around.

Takes an ``Article`` and its settings; gives ``Texts``: every paragraph set into lines at
the column measure, the captions at the photo's width, the byline and subheads broken,
each photo's natural height, and (set once per width) the heads of its pages: the headline
group with the editor's note, or a continuation's jump headline.

A part too long for its place is set on more lines, never cut; past what its place can
hold (``MAX_LINES``: a headline or kicker across the page, a subhead or byline in its
column, a caption under its photo) it is refused with PR116 at its line of the
manuscript, before any page is poured. A photo's printed shape comes from the layout: its
width from its columns, its height from its own shape held between ``PHOTO_SHAPES``
(an extreme panorama or strip is cropped to that bound by the page's ``object-fit``),
never from its pixel count.
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from .. import fingerprint, manifest
from ..output import cache_folder, trim_cache, write_cached
from ..faces import Typefaces, typefaces
from ..errors import CopyfitError, Location, ManuscriptError, PressroomError, raise_all
from ..fonts import HEI, KAI, SONG
from ..photos import PhotoFault, inspect_photo
from ..reading.coverage import choose_faces
from ..reading.model import Article, Figure, Paragraph, Subhead
from ..settings import Settings, type_width as settings_type_width
from .frames import PT_PER_MM
from .headings import byline_lines, heading_lines, plain_width
from .breaking import Variants, set_lines, set_paragraph
from .lines import Fit, Line, Metrics, latin_runs, set_line, units
from .measure import latin_widths
from .parts import Sizes

MAX_PAGES = 16  # a story longer than this many pages is not a newspaper story: none is tried
CAPTION_CHARS = 40  # the longest caption line a reader follows under a wide photo
HEADLINE_CHARS = 9  # a headline narrower than this many characters of its size is set smaller
KICKER_TRACKING = 1.1  # the kicker's letter-spacing of 0.1 em (print.css), in its breaking
HEADLINE_TRACKING = 1.04  # the headline's 0.04 em
# The most lines each part may take in its place (across the page for the headline
# group, in a column for a subhead or the byline, under the photo for a caption): more
# is not that part any more, and is refused (PR116).
MAX_LINES = {"title": 6, "kicker": 3, "subtitle": 3, "subhead": 12, "byline": 12,
             "caption": 8}
PHOTO_SHAPES = (0.25, 2.0)  # the least and most height over width a photo is printed at
MAX_PARAGRAPH = 10_000  # characters: a longer paragraph is refused before it is set (PR133)


# -- setting the texts --------------------------------------------------------------

@dataclass(frozen=True)
class Texts:
    """Every text of the story set once, at the column measure: what copyfitting moves
    around but never sets again."""

    article: Article
    settings: Settings
    faces: dict[str, Metrics]
    lines_of: dict[int, tuple[Line, ...]]  # each paragraph at its best
    variants: dict[int, Variants]  # and a line shorter or longer, where it has them
    captions: dict[int, tuple[Line, ...]]
    byline: tuple[str, ...]
    subheads: dict[int, tuple[str, ...]]
    photo_heights: dict[int, float]  # at the photo's width
    column_width: float
    gap: float
    type_width: float
    type_left: float
    figure_width: float
    heads: dict = field(default_factory=dict)  # the heads of its pages, set once per width
    photo_rows: dict = field(default_factory=dict)  # the photos' heights to try, by leading

    @classmethod
    def of(cls, article: Article, settings: Settings) -> "Texts":
        _check_lengths(article, settings)
        texts = cls._set(article, settings)
        keep_paragraphs(texts.faces)  # the body and captions (the note comes with the head)
        _check_places(texts)
        return texts

    @classmethod
    def _set(cls, article: Article, settings: Settings) -> "Texts":
        faces = _faces(article)
        size = settings.body_size
        column_width = settings.column_chars * size
        gap = settings.gap_chars * size
        type_width = settings_type_width(settings)
        span = min(settings.figure_columns, settings.columns)
        figure_width = span * column_width + (span - 1) * gap
        variants = {id(block): set_paragraph(block.text, faces[SONG], size, column_width,
                                             2 * size, kaiming=settings.punctuation == "开明式",
                                             hang=settings.hanging)
                    for block in article.blocks if isinstance(block, Paragraph)}
        return cls(
            article=article, settings=settings, faces=faces,
            lines_of={key: variant.lines for key, variant in variants.items()},
            variants=variants,
            captions={id(figure): _caption_lines(figure, faces[KAI], settings, figure_width)
                      for figure in article.figures},
            byline=byline_lines(article.byline, faces[KAI], settings.byline_size, column_width),
            subheads={id(block): heading_lines(block.lines, faces[HEI], settings.subhead_size,
                                               column_width)
                      for block in article.blocks if isinstance(block, Subhead)},
            photo_heights=_photo_heights(article, figure_width),
            column_width=column_width, gap=gap, type_width=type_width,
            type_left=(settings.page_width * PT_PER_MM - type_width) / 2,
            figure_width=figure_width,
        )

    def with_variants(self, changes: dict[int, int]) -> "Texts":
        """The story with the paragraphs of ``changes`` set a line longer (1) or shorter (-1)."""
        lines_of = dict(self.lines_of)
        for key, change in changes.items():
            lines_of[key] = self.variants[key].by_change()[change][0]
        return dataclasses.replace(self, lines_of=lines_of)

    @property
    def changed(self) -> tuple[int, int]:
        """Paragraphs set a line shorter, and a line longer, than at their best."""
        shorter = sum(len(lines) < len(self.variants[key].lines)
                      for key, lines in self.lines_of.items())
        longer = sum(len(lines) > len(self.variants[key].lines)
                     for key, lines in self.lines_of.items())
        return shorter, longer

    @property
    def line_count(self) -> int:
        return sum(len(lines) for lines in self.lines_of.values())

    @property
    def characters(self) -> int:
        return sum(len(block.text) for block in self.article.blocks
                   if isinstance(block, Paragraph))


def _faces(article: Article) -> dict[str, Metrics]:
    """The three faces, with every Latin run of the article measured by WeasyPrint."""
    return faces_for(article_texts(article), article_faces(article))


def article_faces(article: Article) -> Typefaces:
    """The faces the coverage guard chose for the article (chosen the same way if it has
    not been through the guard)."""
    return article.typefaces or choose_faces(article)


def article_texts(article: Article) -> dict[str, list[str]]:
    """The article's texts by the face that sets them."""
    return {SONG: [block.text for block in article.blocks if isinstance(block, Paragraph)]
            + [article.kicker or ""],
            KAI: [f.caption + " " + (f.credit or "") for f in article.figures]
            + ([p.text for p in article.editor_note.paragraphs] if article.editor_note else [])
            + ([article.byline.text] if article.byline else []),
            HEI: [*article.headline, article.subtitle or "", *(line for block in article.blocks
                                       if isinstance(block, Subhead) for line in block.lines)]}


def faces_for(texts: dict[str, list[str]],
              chosen: Typefaces | None = None) -> dict[str, Metrics]:
    """The three faces of ``chosen`` (by default those Simplified ``texts`` need), each
    with its declared fallbacks, and every Latin run of ``texts`` (by family) measured."""
    chosen = chosen or typefaces("zh-CN", texts)
    faces = _metrics(chosen)
    for (family, run), width in latin_widths(text_runs(texts), chosen).items():
        faces[family].latin[run] = width
    return faces


# The faces' metrics by the faces they measure: a warm process (invoke watch, --all in a
# worker, an edition) sets the paragraphs an edit did not touch from the faces' memo
# instead of breaking them again. A few sets of faces, the most recent kept.
_METRICS: dict[str, dict[str, Metrics]] = {}
MAX_METRICS = 4


def _metrics(chosen: Typefaces) -> dict[str, Metrics]:
    key = chosen.signature + chosen.files_key
    if key in _METRICS:
        _METRICS[key] = _METRICS.pop(key)  # the most recent last
        return _METRICS[key]
    lang = chosen.lang
    faces: dict[str, Metrics] = {}
    for family in (SONG, HEI, KAI):  # Song first: it draws the Kai face's quotes
        more = tuple(Metrics(face.path, family, lang=lang, covered=face.characters)
                     for face in chosen.of(family)[1:])
        # The Kai face has curly quotes only in narrow, proportional forms: Song draws them.
        faces[family] = Metrics(chosen.own(family).path, family,
                                faces[SONG] if family == KAI else None, lang=lang,
                                fallbacks=more)
    while len(_METRICS) >= MAX_METRICS:
        _METRICS.pop(next(iter(_METRICS)))
    _METRICS[key] = faces
    for family, face in faces.items():
        face.kept_as = _paragraphs_name(key, family)
        face.paragraphs.update(_kept_paragraphs(_paragraphs_folder() / face.kept_as))
        face.kept = len(face.paragraphs)  # what the cache file holds
    return faces


# The set paragraphs are kept beside the outputs too (``<out>/.paragraphs/``), by the faces,
# their files, Pressroom's code and the libraries' versions: a new process rebuilding an
# edited story breaks only the paragraphs the edit changed. Pickled, since they are this
# program's own frozen values; a file that does not load is set again.
PARAGRAPHS_CACHE = fingerprint.ROOT / "build" / ".paragraphs"


def _paragraphs_name(key: str, family: str) -> str:
    name = hashlib.sha256(f"{key}\n{family}\n{fingerprint.code_digest()}\n"
                          f"{manifest.libraries()}".encode()).hexdigest()[:32]
    return f"{name}.pickle"


def _paragraphs_folder() -> Path:
    """Beside the current build's outputs (a warm process may build into several)."""
    return cache_folder(PARAGRAPHS_CACHE.name, PARAGRAPHS_CACHE)


def _kept_paragraphs(path: Path) -> dict:
    try:
        kept = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            TypeError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def keep_paragraphs(faces: dict[str, Metrics]) -> None:
    """Write the faces' set paragraphs beside the outputs, where they grew."""
    for face in faces.values():
        if face.paragraphs and len(face.paragraphs) != face.kept:
            path = _paragraphs_folder() / face.kept_as
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                write_cached(path, pickle.dumps(face.paragraphs, protocol=pickle.HIGHEST_PROTOCOL))
                trim_cache(path.parent)
            except OSError:
                continue  # a cache not written costs the next build the breaking
            face.kept = len(face.paragraphs)


def text_runs(texts: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The Latin runs of ``texts`` (by family), to measure many articles' at once."""
    return [(family, run) for family, values in texts.items()
            for text in values for run in latin_runs(text)]


def _caption_lines(figure: Figure, face: Metrics, settings: Settings,
                   width: float) -> tuple[Line, ...]:
    text = figure.caption + (f"\u3000{figure.credit}" if figure.credit else "")
    # Under a photo wider than a reader's eye takes in, the caption keeps to 40 characters.
    width = min(width, CAPTION_CHARS * settings.caption_size)
    return set_lines(text, face, settings.caption_size, width,
                     kaiming=settings.punctuation == "开明式")


def _photo_heights(article: Article, width: float) -> dict[int, float]:
    """Each photo's height at the figure width, in its own shape held between
    ``PHOTO_SHAPES`` (read once per story)."""
    heights = {}
    for figure in article.figures:
        try:
            info = inspect_photo(figure.image)
            pixels = (info.width, info.height)
        except PhotoFault:  # reading reports it; the shape alone is wanted here
            with Image.open(figure.image) as image:
                pixels = image.size
        shape = pixels[1] / pixels[0] if pixels[0] else 1.0
        heights[id(figure)] = width * min(max(shape, PHOTO_SHAPES[0]), PHOTO_SHAPES[1])
    return heights


def _check_lengths(article: Article, settings: Settings) -> None:
    """Fail fast, with the figure, on a text far too long to set: a paragraph over
    ``MAX_PARAGRAPH`` characters (PR133), or a story of more than twice the characters
    the most pages copyfitting tries hold, at a character an em (PR410). The search
    proper says how much to cut; this keeps it from setting a book first."""
    errors: list[PressroomError] = []
    for block in article.blocks:
        if isinstance(block, Paragraph) and len(block.text) > MAX_PARAGRAPH:
            errors.append(ManuscriptError(
                f"the paragraph has {len(block.text):,} characters, more than the "
                f"{MAX_PARAGRAPH:,} one paragraph may", block.where,
                "break it into paragraphs", code="PR133"))
    raise_all(errors)
    body = (settings.page_height - settings.margin_top - settings.margin_bottom) * PT_PER_MM \
        - settings.masthead_height
    rows = max(1, int(body // (settings.leading_min * settings.body_size)))
    room = MAX_PAGES * settings.columns * rows * settings.column_chars  # a character an em
    characters = sum(len(block.text) for block in article.blocks if isinstance(block, Paragraph))
    if characters > 2 * room:
        raise CopyfitError(
            f"the article has {characters:,} characters: {MAX_PAGES} pages of this layout "
            f"hold about {room:,}, so cut about {characters - room:,}",
            Location(article.source),
            "a story this long is a book, not a newspaper article; or choose a larger "
            "format or smaller type under 'layout:' in the front matter")


def _check_places(texts: "Texts") -> None:
    """Refuse a part its place cannot hold even on more lines (PR116), naming its line."""
    article = texts.article
    errors: list[ManuscriptError] = []

    def refuse(part: str, what: str, lines: int, place: str, where: Location) -> None:
        errors.append(ManuscriptError(
            f"the {what} takes {lines} lines {place}, more than the {MAX_LINES[part]} "
            f"it may", where, f"shorten the {what}", code="PR116"))

    def front(key: str) -> Location:
        return article.where.get(key) or Location(article.source)

    head = first_head(texts, texts.type_width)
    for part, lines in (("title", head.headline), ("kicker", head.kicker),
                        ("subtitle", head.subtitle)):
        if len(lines) > MAX_LINES[part]:
            refuse(part, {"title": "headline"}.get(part, part), len(lines),
                   "across the page", front(part))
    if len(texts.byline) > MAX_LINES["byline"]:
        refuse("byline", "byline", len(texts.byline), "in its column", front("byline"))
    for block in article.blocks:
        if isinstance(block, Subhead) and len(texts.subheads[id(block)]) > MAX_LINES["subhead"]:
            refuse("subhead", "subhead", len(texts.subheads[id(block)]), "in its column",
                   block.where)
        elif isinstance(block, Figure) and len(texts.captions[id(block)]) > MAX_LINES["caption"]:
            refuse("caption", "caption", len(texts.captions[id(block)]), "under its photo",
                   block.where)
    raise_all(errors)


# -- the head of a page -------------------------------------------------------------

@dataclass(frozen=True)
class Head:
    """What stands above a page's body: the headline group (or a jump headline) and the
    editor's note, set to one width."""

    headline: tuple[str, ...]
    height: float  # of the headline group
    note: "NoteSetting | None"
    sizes: Sizes
    width: float
    jump: bool
    kicker: tuple[Line, ...] = ()  # the kicker and subtitle, broken to the width
    subtitle: tuple[Line, ...] = ()


def first_head(texts: Texts, width: float, largest: float | None = None) -> Head:
    """The story's headline group and note at ``width``, the headline at most ``largest``
    pt (a story below the lead of its page); set once per width and size."""
    key = ("first", width, largest)
    if key not in texts.heads:
        texts.heads[key] = _set_first_head(texts, width, largest)
    return texts.heads[key]


def _set_first_head(texts: Texts, width: float, largest: float | None) -> Head:
    settings, article = texts.settings, texts.article
    display = min(1.0, width / (HEADLINE_CHARS * settings.headline_size))
    if largest is not None:
        display = min(display, largest / settings.headline_size)
    sizes = Sizes.of(settings, display)
    lines = heading_lines(article.headline, texts.faces[HEI], sizes.headline * HEADLINE_TRACKING,
                          width)
    kicker = _display_lines(texts, article.kicker, SONG, sizes.kicker, KICKER_TRACKING, width)
    subtitle = _display_lines(texts, article.subtitle, HEI, sizes.subtitle, 1.0, width)
    height = len(lines) * sizes.headline_line + len(kicker) * sizes.kicker_line \
        + len(subtitle) * sizes.subtitle_line
    return Head(lines, height, _note_lines(texts, width), sizes, width, jump=False,
                kicker=kicker, subtitle=subtitle)


def _display_lines(texts: Texts, text: str | None, family: str, size: float,
                   tracking: float, width: float) -> tuple[Line, ...]:
    """A kicker or subtitle, on as many lines of ``width`` as it needs (broken as a
    headline is), each set with the gaps clreq gives Latin runs and digits beside Han
    characters (——从12.5%到Windows 11的排法)."""
    if not text:
        return ()
    face = texts.faces[family]
    return tuple(display_line(face, line, size)
                 for line in heading_lines((text,), face, size * tracking, width))


def display_line(face: Metrics, text: str, size: float) -> Line:
    """A short text as one line, unjustified, as the breaker would set it alone on a
    line wide enough (a display line, a byline's, the strip's): never broken, never cut,
    in time linear in its length."""
    items = units(text, face)
    while len(items) > 1 and items[-1].kind == "space":
        items.pop()
    while len(items) > 1 and items[0].kind == "space":
        items.pop(0)
    measure = max(100 * size, 2 * plain_width(text, face) * size)
    if not items:
        return Line((), text, 0.0, measure, 0.0, False)
    return set_line(items, Fit(), face, size, measure, 0.0, False)


def jump_head(texts: Texts, title: str | None, width: float | None = None,
              largest: float | None = None) -> Head:
    """The short headline over a continuation, across ``width`` (the page's, unless the
    continuation is a module of an edition's page), at most ``largest`` pt."""
    width = width or texts.type_width
    key = ("jump", title, width, largest)
    if key not in texts.heads:
        texts.heads[key] = _set_jump_head(texts, title, width, largest)
    return texts.heads[key]


def _set_jump_head(texts: Texts, title: str | None, width: float,
                   largest: float | None) -> Head:
    settings = texts.settings
    sizes = Sizes.of(settings)
    if largest is not None and largest < sizes.jump_headline:
        sizes = dataclasses.replace(sizes, jump_headline=largest,
                                    jump_headline_line=largest * 1.25)
    lines = heading_lines((title,) if title else texts.article.headline, texts.faces[HEI],
                          sizes.jump_headline * 1.04, width)
    return Head(lines, len(lines) * sizes.jump_headline_line, None, sizes, width, jump=True)


NOTE_CHARS = 40  # the longest line of the note a reader follows without losing the line


@dataclass(frozen=True)
class NoteSetting:
    """The editor's note set for one width: in ``columns`` columns of ``measure`` pt (变栏),
    ``gap`` pt apart, inside ``padding`` pt of the box's rule."""

    paragraphs: tuple[tuple[Line, ...], ...]
    label_width: float
    padding: float
    columns: int
    measure: float
    gap: float

    @property
    def rows_per_column(self) -> int:
        return math.ceil(sum(len(lines) for lines in self.paragraphs) / self.columns)


def _note_lines(texts: Texts, width: float) -> NoteSetting | None:
    note = texts.article.editor_note
    if not note:
        return None
    size = texts.settings.note_size
    padding = size
    label_width = 3.5 * size  # 编者按 in Hei and half a character of space
    inner = width - 2 * padding - 1.5
    gap = 1.5 * size
    columns = max(1, math.ceil((inner + gap) / (NOTE_CHARS * size + gap)))
    measure = (inner - (columns - 1) * gap) / columns
    paragraphs = tuple(
        set_lines(paragraph.text, texts.faces[KAI], size, measure,
                  label_width if number == 0 else 2 * size,
                  kaiming=texts.settings.punctuation == "开明式")
        for number, paragraph in enumerate(note.paragraphs))
    if columns > 1:
        # As few columns as hold it as deep: a short note is not spread thin.
        columns = min(columns, sum(len(lines) for lines in paragraphs))
    return NoteSetting(paragraphs, label_width, padding, columns, measure, gap)


def note_height(head: Head, pitch: float) -> float:
    if not head.note:
        return 0.0
    setting = head.note
    return math.ceil((setting.rows_per_column * head.sizes.note_line + 2 * setting.padding)
                     / pitch) * pitch
