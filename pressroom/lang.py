"""What a manuscript's language tag says about how it is set.

A manuscript's ``lang:`` is a BCP 47 tag, and a tag names a script only sometimes: zh-TW
and zh-HK are written in Traditional characters, zh-CN and zh-SG in Simplified, and
zh-Hant or zh-Hans say it outright. CLDR's likely subtags (through ``langcodes``) fill in
what a tag leaves out, so zh-TW is read as zh-Hant-TW and a bare zh as zh-Hans-CN. The
script picks the faces (``pressroom.faces``) and the punctuation rules (``Convention``);
the region picks between the Taiwan and the Hong Kong forms of a Traditional face.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import langcodes


@dataclass(frozen=True)
class Convention:
    """How a language tag's text is set: its script, the variant of the faces that draws
    it, and its punctuation."""

    tag: str  # the tag as the manuscript gives it
    script: str  # "Hans" or "Hant"
    variant: str  # which forms of the faces: "SC", "TC" (Taiwan) or "HK" (Hong Kong, Macau)

    @property
    def traditional(self) -> bool:
        return self.script == "Hant"

    @property
    def centred_stops(self) -> bool:
        """。，、；：？！ stand in the middle of their em box (Taiwan's 重訂標點符號手冊,
        Hong Kong's papers): full width, never compressed, never hung."""
        return self.traditional


# Regions whose Traditional text takes the Hong Kong forms of the faces; every other
# Traditional text (Taiwan, and zh-Hant without a region) takes the Taiwan forms.
HONG_KONG_FORMS = frozenset({"HK", "MO"})


@functools.cache
def convention(tag: str) -> Convention:
    """The convention of a BCP 47 tag; a tag that is not Chinese is set as Simplified
    Chinese text would be (its Han characters in the SC faces)."""
    try:
        full = langcodes.Language.get(tag).maximize()
    except (ValueError, LookupError):
        return Convention(tag, "Hans", "SC")
    if full.script == "Hant":
        return Convention(tag, "Hant", "HK" if full.territory in HONG_KONG_FORMS else "TC")
    return Convention(tag, "Hans", "SC")


# BCP 47's shape: a language subtag, then subtags joined by hyphens (langcodes also takes
# zh_CN, which a manuscript must not write: readers and EPUBCheck want the hyphen).
_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def is_valid_tag(tag: str) -> bool:
    """True for a well-formed BCP 47 tag whose subtags are registered."""
    if not _TAG.fullmatch(tag):
        return False
    try:
        return langcodes.Language.get(tag).is_valid()
    except (ValueError, LookupError):
        return False
