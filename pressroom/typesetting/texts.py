"""Setting the texts of a story once, before copyfitting moves them around.

Takes an ``Article`` and its settings; gives ``Texts``: every paragraph set into lines at
the column measure, the captions at the photo's width, the byline and subheads broken,
each photo's natural height, and (set once per width) the heads of its pages: the headline
group with the editor's note, or a continuation's jump headline.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PIL import Image

from .. import fonts
from ..fonts import HEI, KAI, SONG
from ..reading.model import Article, Figure, Paragraph, Subhead
from ..settings import Settings, type_width as settings_type_width
from .frames import PT_PER_MM
from .headings import byline_lines, heading_lines
from .lines import Line, Metrics, latin_runs, set_lines
from .measure import latin_widths
from .parts import Sizes

HEADLINE_CHARS = 9  # a headline narrower than this many characters of its size is set smaller


# -- setting the texts --------------------------------------------------------------

@dataclass(frozen=True)
class Texts:
    """Every text of the story set once, at the column measure: what copyfitting moves
    around but never sets again."""

    article: Article
    settings: Settings
    faces: dict[str, Metrics]
    lines_of: dict[int, tuple[Line, ...]]
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

    @classmethod
    def of(cls, article: Article, settings: Settings) -> "Texts":
        faces = _faces(article)
        size = settings.body_size
        column_width = settings.column_chars * size
        gap = settings.gap_chars * size
        type_width = settings_type_width(settings)
        span = min(settings.figure_columns, settings.columns)
        figure_width = span * column_width + (span - 1) * gap
        return cls(
            article=article, settings=settings, faces=faces,
            lines_of={id(block): set_lines(block.text, faces[SONG], size, column_width, 2 * size)
                      for block in article.blocks if isinstance(block, Paragraph)},
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

    @property
    def line_count(self) -> int:
        return sum(len(lines) for lines in self.lines_of.values())

    @property
    def characters(self) -> int:
        return sum(len(block.text) for block in self.article.blocks
                   if isinstance(block, Paragraph))


def _faces(article: Article) -> dict[str, Metrics]:
    """The three faces, with every Latin run of the article measured by WeasyPrint."""
    faces = {face.role_family: Metrics(fonts.FONTS_DIR / face.file, face.role_family)
             for face in fonts.FACES}
    texts = {SONG: [block.text for block in article.blocks if isinstance(block, Paragraph)],
             KAI: [f.caption + " " + (f.credit or "") for f in article.figures]
             + ([p.text for p in article.editor_note.paragraphs] if article.editor_note else [])
             + ([article.byline.text] if article.byline else []),
             HEI: [*article.headline, *(line for block in article.blocks
                                        if isinstance(block, Subhead) for line in block.lines)]}
    runs = [(family, run) for family, values in texts.items()
            for text in values for run in latin_runs(text)]
    for (family, run), width in latin_widths(runs).items():
        faces[family].latin[run] = width
    return faces


def _caption_lines(figure: Figure, face: Metrics, settings: Settings,
                   width: float) -> tuple[Line, ...]:
    text = figure.caption + (f"\u3000{figure.credit}" if figure.credit else "")
    return set_lines(text, face, settings.caption_size, width)


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
    note: tuple[float, float, tuple[tuple[Line, ...], ...]] | None  # label width, padding, lines
    sizes: Sizes
    width: float
    jump: bool


def first_head(texts: Texts, width: float) -> Head:
    """The story's headline group and note at ``width``; set once per width."""
    key = ("first", width)
    if key not in texts.heads:
        texts.heads[key] = _set_first_head(texts, width)
    return texts.heads[key]


def _set_first_head(texts: Texts, width: float) -> Head:
    settings, article = texts.settings, texts.article
    display = min(1.0, width / (HEADLINE_CHARS * settings.headline_size))
    sizes = Sizes.of(settings, display)
    lines = heading_lines(article.headline, texts.faces[HEI], sizes.headline * 1.04, width)
    height = len(lines) * sizes.headline_line
    if article.kicker:
        height += sizes.kicker_line
    if article.subtitle:
        height += sizes.subtitle_line
    return Head(lines, height, _note_lines(texts, width), sizes, width, jump=False)


def jump_head(texts: Texts, title: str | None) -> Head:
    key = ("jump", title)
    if key not in texts.heads:
        texts.heads[key] = _set_jump_head(texts, title)
    return texts.heads[key]


def _set_jump_head(texts: Texts, title: str | None) -> Head:
    settings = texts.settings
    sizes = Sizes.of(settings)
    lines = heading_lines((title,) if title else texts.article.headline, texts.faces[HEI],
                          sizes.jump_headline * 1.04, texts.type_width)
    return Head(lines, len(lines) * sizes.jump_headline_line, None, sizes, texts.type_width,
                 jump=True)


def _note_lines(texts: Texts, width: float):
    note = texts.article.editor_note
    if not note:
        return None
    size = texts.settings.note_size
    padding = size
    label_width = 3.5 * size  # 编者按 in Hei and half a character of space
    measure = width - 2 * padding - 1.5
    paragraphs = tuple(
        set_lines(paragraph.text, texts.faces[KAI], size, measure,
                  label_width if number == 0 else 2 * size)
        for number, paragraph in enumerate(note.paragraphs))
    return label_width, padding, paragraphs


def note_height(head: Head, pitch: float) -> float:
    if not head.note:
        return 0.0
    _, padding, paragraphs = head.note
    lines = sum(len(paragraph) for paragraph in paragraphs)
    return math.ceil((lines * head.sizes.note_line + 2 * padding) / pitch) * pitch
