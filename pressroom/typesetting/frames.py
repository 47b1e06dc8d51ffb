"""Frames: the rectangles of a page that a story's text runs through.

A frame is a rectangle of whole grid rows with its own column count and column width, so
that a note or a brief can be set in columns of its own (变栏). The row pitch belongs to
the page: every frame of a page is placed on one baseline grid, and a frame knows neither
its page nor its story. A story's text runs through an ordered chain of frames, on one page
or several (``pressroom.typesetting.flow``).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..settings import PT_PER_MM  # noqa: F401 - the page geometry works in points


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in points from the top-left corner."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True)
class Frame:
    """``columns`` columns of ``column_width`` pt with ``gap`` pt between them, ``rows`` rows
    of ``pitch`` pt from ``top``."""

    left: float
    top: float
    columns: int
    rows: int
    column_width: float
    gap: float
    pitch: float

    @property
    def width(self) -> float:
        return self.columns * self.column_width + (self.columns - 1) * self.gap

    @property
    def height(self) -> float:
        return self.rows * self.pitch

    @property
    def box(self) -> Box:
        return Box(self.left, self.top, self.width, self.height)

    def x(self, column: int) -> float:
        return self.left + column * (self.column_width + self.gap)

    def y(self, row: int) -> float:
        return self.top + row * self.pitch

    def span_width(self, columns: int) -> float:
        return columns * self.column_width + (columns - 1) * self.gap
