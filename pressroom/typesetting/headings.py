"""Breaking the display lines: headlines, subheads and the byline.

Takes a text and a width; gives the lines, broken where a reader expects: at the
manuscript's own breaks, then between BudouX phrases (never inside a word such as 打造),
into the fewest lines of the most even length. Nothing here knows about pages or frames.

Nothing is ever cut: a phrase wider than the line is broken between its own phrases,
else between characters (a closing mark held to the character before it, an opening
mark to the one after, unless a run of marks is itself wider than the line); a Latin
word broken between two letters takes a hyphen at the line's end. The work is bounded:
the fewest lines are found greedily, and evened out (a dynamic programme over the
phrases that can share a line) only up to ``MAX_EVENED`` lines; a longer text is set
greedily, and its place refuses it (``pressroom.typesetting.texts``, PR116).

The phrases are BudouX's, by the model of the face's text: Traditional text (zh-TW, zh-HK …)
by the Traditional model, any other by the Simplified one, which reads Traditional words
wrongly (發展計|畫並 where the Traditional model has 發展|計畫|並).
"""
from __future__ import annotations

import math

import budoux

from ..lang import convention
from ..reading.model import Byline
from .lines import CLOSING, OPENING, STOPS, Metrics


def byline_lines(byline: Byline | None, face: Metrics, size: float,
                 width: float) -> tuple[str, ...]:
    """The byline broken where a reader expects: between credits, then between names, and
    inside a long role only between phrases (a name or phrase wider than the column,
    between characters)."""
    if not byline:
        return ()
    lines: list[str] = []
    for credit in byline.credits:
        # (text, what joins it to the word before): role phrases run on, names stand apart.
        words = [(phrase, "") for phrase in _phrases(credit.role, face, size, width)]
        words += [(piece, " " if index == 0 else "")
                  for name in credit.names
                  for index, piece in enumerate(_phrases(name, face, size, width))]
        line = ""
        for word, joint in words:
            candidate = line + joint + word if line else word
            if line and plain_width(candidate, face) * size > width + 1e-6:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return tuple(lines)


def _phrases(text: str, face: Metrics, size: float, width: float) -> list[str]:
    """A role too long for the column, cut into phrases (BudouX) that each fit, a phrase
    wider than the column between characters."""
    if plain_width(text, face) * size <= width:
        return [text]
    phrases = [part for phrase in parser(face).parse(text)
               for part in ([phrase] if plain_width(phrase, face) * size <= width + 1e-6
                            else _fitting(phrase, face, size, width))]
    pieces, current = [], ""
    for phrase in phrases:
        if current and plain_width(current + phrase, face) * size > width:
            pieces.append(current)
            current = phrase
        else:
            current += phrase
    pieces.append(current)
    return _hyphenated(pieces)


_SIMPLIFIED = budoux.load_default_simplified_chinese_parser()
_TRADITIONAL = budoux.load_default_traditional_chinese_parser()


def parser(face: Metrics) -> budoux.Parser:
    """BudouX's model for the script of ``face``'s text."""
    return _TRADITIONAL if convention(face.lang).traditional else _SIMPLIFIED


def plain_width(text: str, face: Metrics) -> float:
    return sum(face.width(char, "latin" if ord(char) < 0x2000 else "han") for char in text)


def heading_lines(lines: tuple[str, ...], face: Metrics, size: float,
                   width: float) -> tuple[str, ...]:
    """A headline's or subhead's lines: the manuscript's own breaks, and where a line is
    still too wide, breaks between phrases (BudouX), never inside a word such as 打造,
    into the fewest lines of the most even length."""
    result: list[str] = []
    for line in lines:
        if plain_width(line, face) * size <= width + 1e-6:
            result.append(line)
            continue
        phrases = parser(face).parse(line)
        # BudouX sometimes cuts a one-character phrase off its word (等|新|经济): such
        # phrases are held to their neighbours, and a column tag or an aside in brackets
        # (（人民眼·文化遗产保护传承）) is held whole. Only a piece wider than the line is
        # broken: between its own phrases, else between characters, never left to overflow.
        # A joining word (及, 和 …) may also end a line: of the two ways, the fewer lines,
        # then the more even.
        found = [_broken(_bracketed(_glued(phrases, joining)), face, size, width)
                 for joining in (frozenset(), JOINING_WORDS)]
        result.extend(_hyphenated(min(found, key=lambda lines: (len(lines),
                                                                _spread(lines, face)))))
    return tuple(result)


def _hyphenated(lines: list[str]) -> list[str]:
    """A hyphen at the end of a line that breaks a Latin word between two letters."""
    return [line + "-" if index < len(lines) - 1 and line[-1:].isascii()
            and line[-1:].isalpha() and lines[index + 1][:1].isascii()
            and lines[index + 1][:1].isalpha() else line
            for index, line in enumerate(lines)]


def _broken(pieces: list[str], face: Metrics, size: float, width: float) -> list[str]:
    pieces = [part for piece in pieces
              for part in ([piece] if plain_width(piece, face) * size <= width + 1e-6
                           else _fitting(piece, face, size, width))]
    return _balanced(pieces, [plain_width(piece, face) * size for piece in pieces], width)


def _spread(lines: list[str], face: Metrics) -> float:
    """How uneven the lines are: one less the shortest's width over the longest's."""
    widths = [plain_width(line, face) for line in lines]
    return 1 - min(widths) / max(widths) if max(widths) else 0.0


def _fitting(text: str, face: Metrics, size: float, width: float) -> list[str]:
    """A phrase wider than the line, in its own phrases where they fit, else characters."""
    parsed = parser(face).parse(text)
    for phrases in (_glued(parsed), parsed):
        if len(phrases) > 1 and all(plain_width(phrase, face) * size <= width + 1e-6
                                    for phrase in phrases):
            return phrases
    # A Latin word broken between letters takes a hyphen: leave room for it.
    room = width - plain_width("-", face) * size
    return [part for piece in _characters(text)
            for part in ([piece] if plain_width(piece, face) * size <= room + 1e-6
                         else list(piece))]  # a run of marks wider than the line


def _characters(text: str) -> list[str]:
    """Each character a piece, with a closing mark held to the one before it and an opening
    mark to the one after, so that no line starts or ends on the wrong side of a mark."""
    pieces: list[str] = []
    hold = False
    for char in text:
        if pieces and (hold or char in CLOSING or char in STOPS):
            pieces[-1] += char
        else:
            pieces.append(char)
        hold = char in OPENING
    return pieces


def _bracketed(phrases: list[str]) -> list[str]:
    """Phrases with everything between an opening bracket and its closing one joined."""
    joined: list[str] = []
    depth = 0
    for phrase in phrases:
        if depth > 0:
            joined[-1] += phrase
        else:
            joined.append(phrase)
        depth = max(0, depth + sum(char in OPENING for char in phrase)
                    - sum(char in CLOSING for char in phrase))
    return joined


# Words that join two phrases and may end a headline's line (全国年节及 / 纪念日放假办法),
# in both scripts (与 and 并 are 與 and 並 in Traditional text).
JOINING_WORDS = frozenset("及和与并暨或與並")


def _glued(phrases: list[str], joining: frozenset = frozenset()) -> list[str]:
    """Phrases with every one-character phrase joined to its neighbours (one of
    ``joining`` to the one before it only)."""
    glued: list[str] = []
    join_next = False
    for phrase in phrases:
        if glued and (join_next or len(phrase) == 1):
            glued[-1] += phrase
        else:
            glued.append(phrase)
        join_next = len(phrase) == 1 and phrase not in joining
    return glued


MAX_EVENED = 12  # lines: a longer text is broken greedily (its place refuses it anyway)


def _balanced(phrases: list[str], widths: list[float], width: float) -> list[str]:
    """Split phrases into the fewest lines no wider than ``width``, evening their widths.
    Every phrase is no wider than ``width`` (``_fitting`` saw to it)."""
    count = len(phrases)
    # The fewest lines: filling each line greedily gives them.
    greedy: list[list[str]] = [[]]
    used_width = 0.0
    for phrase, phrase_width in zip(phrases, widths):
        if greedy[-1] and used_width + phrase_width > width + 1e-6:
            greedy.append([])
            used_width = 0.0
        greedy[-1].append(phrase)
        used_width += phrase_width
    lines = len(greedy)
    if lines == 1 or lines > MAX_EVENED:
        return ["".join(line) for line in greedy]
    # best[k][i]: the smallest widest line setting phrases[:i] in k lines, with the cut.
    best = [[(math.inf, -1)] * (count + 1) for _ in range(lines + 1)]
    best[0][0] = (0.0, -1)
    for end in range(1, count + 1):
        first = end - 1  # the first phrase a line ending here may start with
        while first > 0 and sum(widths[first - 1:end]) <= width + 1e-6:
            first -= 1
        for used in range(1, min(lines, end) + 1):
            for start in range(first, end):
                before = best[used - 1][start][0]
                if before == math.inf:
                    continue
                widest = max(before, sum(widths[start:end]))
                if widest < best[used][end][0]:
                    best[used][end] = (widest, start)
    cuts, end, used = [], count, lines
    while used:
        start = best[used][end][1]
        cuts.append("".join(phrases[start:end]))
        end, used = start, used - 1
    return cuts[::-1]
