"""Setting the texts of a story once, before copyfitting moves them around.

Takes an ``Article`` and its settings; gives ``Texts``: every paragraph set into lines at
the column measure, the captions at the photo's width, the byline and subheads broken,
each photo's natural height, and (set once per width) the heads of its pages: the headline
group with the editor's note, or a continuation's jump headline.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from PIL import Image

from .. import fonts
from ..fonts import HEI, KAI, SONG
from ..reading.model import Article, Figure, Paragraph, Subhead
from ..settings import Settings, type_width as settings_type_width
from .frames import PT_PER_MM
from .headings import byline_lines, heading_lines
from .breaking import Variants, set_lines, set_paragraph
from .lines import Line, Metrics, latin_runs
from .measure import latin_widths
from .parts import Sizes

CAPTION_CHARS = 40  # the longest caption line a reader follows under a wide photo
HEADLINE_CHARS = 9  # a headline narrower than this many characters of its size is set smaller


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
    return faces_for(article_texts(article))


def article_texts(article: Article) -> dict[str, list[str]]:
    """The article's texts by the face that sets them."""
    return {SONG: [block.text for block in article.blocks if isinstance(block, Paragraph)]
            + [article.kicker or ""],
            KAI: [f.caption + " " + (f.credit or "") for f in article.figures]
            + ([p.text for p in article.editor_note.paragraphs] if article.editor_note else [])
            + ([article.byline.text] if article.byline else []),
            HEI: [*article.headline, article.subtitle or "", *(line for block in article.blocks
                                       if isinstance(block, Subhead) for line in block.lines)]}


def faces_for(texts: dict[str, list[str]]) -> dict[str, Metrics]:
    """The three faces, with every Latin run of ``texts`` (by family) measured."""
    files = {face.role_family: fonts.FONTS_DIR / face.file for face in fonts.FACES}
    song = Metrics(files[SONG], SONG)
    # The Kai face has curly quotes only in narrow, proportional forms: Song draws them.
    faces = {SONG: song, HEI: Metrics(files[HEI], HEI), KAI: Metrics(files[KAI], KAI, song)}
    runs = [(family, run) for family, values in texts.items()
            for text in values for run in latin_runs(text)]
    for (family, run), width in latin_widths(runs).items():
        faces[family].latin[run] = width
    return faces


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
    """Each photo's height at the figure width, in its own shape (read once per story)."""
    heights = {}
    for figure in article.figures:
        with Image.open(figure.image) as image:
            heights[id(figure)] = width * image.height / image.width
    return heights


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
    lines = heading_lines(article.headline, texts.faces[HEI], sizes.headline * 1.04, width)
    height = len(lines) * sizes.headline_line
    if article.kicker:
        height += sizes.kicker_line
    if article.subtitle:
        height += sizes.subtitle_line
    return Head(lines, height, _note_lines(texts, width), sizes, width, jump=False)


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
