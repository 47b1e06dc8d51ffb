"""What a PDF is made for: the screen, the printing plant (PDF/X-4 or PDF/X-1a) or the
archive (PDF/A-2a). The layout is the same in every variant; only the colours the
stylesheets use, the photos' colour space and size, and what the PDF declares differ.

``press`` and ``press-x1a`` carry an output intent: the CMYK characterisation the page's
colours are meant for, embedded as the PDF's DestOutputProfile. No newsprint profile
(IFRA26, ISOnewspaper26v4) is redistributable from a Debian package, so the intent is
Ghostscript's CMYK output profile, which is a web-offset (SWOP-like) characterisation and
is named as such, never as a newsprint condition. It is read from Debian's
``libgs-common`` (AGPL-3.0-or-later, like the rest of GPL Ghostscript), where the install
script puts it, and pinned by its SHA-256 so that every machine embeds the same profile.
A plant that states its own condition (IFRA26) converts to it in its RIP, as plants do
with every supplied CMYK file.

WeasyPrint writes no spot colour, so a red masthead is set in process CMYK (M100 Y100),
and it cannot set overprint, so black text knocks out: overprinting black is left to the
plant's RIP, which newspaper plants set for 100 % K text anyway.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import ResourceError


@dataclass(frozen=True)
class Intent:
    """The output intent of a press PDF: the profile file, its pin and what it is."""

    path: Path
    sha256: str
    package: str
    licence: str
    identifier: str  # the OutputConditionIdentifier written in the PDF
    condition: str  # OutputCondition and Info: what printing the profile describes


CMYK_INTENT = Intent(
    path=Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),
    sha256="8472fa1493a024b800b67dee9424835ec0c41ab79490200ae8ec4a689fd1b9a9",
    package="libgs-common",
    licence="AGPL-3.0-or-later (GPL Ghostscript, Artifex Software)",
    identifier="Artifex CMYK SWOP Profile",
    condition="CMYK web offset (a SWOP-like characterisation from Ghostscript's "
              "default_cmyk.icc); not a newsprint condition",
)


@dataclass(frozen=True)
class Variant:
    """One kind of PDF. ``colours``: the stylesheet giving the page's inks;
    ``photo_space``: what every photo is converted to (``"rgb"``: sRGB, CMYK kept as the
    picture desk separated it; ``"srgb"``: all in sRGB; ``"cmyk"``: the intent's CMYK, a
    mono page's photos grey); ``flat``: no transparency at all
    (PDF/X-1a); ``press``: for the plate, so stand-ins are refused; ``dated``: the PDF
    carries its creation date (the issue date or SOURCE_DATE_EPOCH)."""

    name: str
    pdf_variant: str  # WeasyPrint's name of the standard
    standard: str  # as the PDF's metadata declares it
    colours: str
    photo_space: str
    intent: Intent | None = None
    flat: bool = False
    press: bool = False
    dated: bool = False
    proof: bool = False  # a proof of a press PDF (--proof-only): it may carry stand-ins

    @property
    def suffix(self) -> str:
        """What the variant adds to an output's name: the screen PDF keeps the plain one; a
        proof is named as one (build/<slug>-press-proof.pdf), so that it is never taken
        for the plant's file."""
        if self.name == "screen":
            return ""
        return f"-{self.name}-proof" if self.proof else f"-{self.name}"

    def as_proof(self, proof_only: bool = True) -> "Variant":
        """This variant for a proof that will not go to the plate (a press variant only)."""
        return dataclasses.replace(self, proof=True) if proof_only and self.press else self

    def pdf_options(self) -> dict:
        return {"pdf_tags": True, "pdf_variant": self.pdf_variant}


SCREEN = Variant("screen", "pdf/ua-1", "PDF/UA-1", "colours-screen.css", "rgb")
VARIANTS = {variant.name: variant for variant in (
    SCREEN,
    Variant("press", "pdf/x-4", "PDF/X-4", "colours-press.css", "cmyk", CMYK_INTENT,
            press=True, dated=True),
    Variant("press-x1a", "pdf/x-1a", "PDF/X-1a:2003", "colours-press.css", "cmyk",
            CMYK_INTENT, flat=True, press=True, dated=True),
    Variant("archive", "pdf/a-2a", "PDF/A-2A", "colours-screen.css", "srgb", dated=True),
)}


def variant_named(name: str) -> Variant:
    """The variant of that name; the caller reports an unknown one where it was given."""
    return VARIANTS[name]


def intent_profile(intent: Intent) -> Path:
    """The intent's profile file, once it is known to be the pinned one."""
    pinned_profile(intent)
    return intent.path


@functools.cache
def pinned_profile(intent: Intent) -> bytes:
    """The intent's profile's bytes, read and checked against the pin once a process (a
    build asks for it for the sandbox, the page, its photos and the PDF's intent)."""
    try:
        data = intent.path.read_bytes()
    except OSError:
        raise ResourceError(
            f"the press output intent's profile {intent.path} is not installed",
            hint=f"install Debian's {intent.package} (scripts/install.sh does), or build "
                 "--variant screen", code="PR312") from None
    if hashlib.sha256(data).hexdigest() != intent.sha256:
        raise ResourceError(
            f"{intent.path} is not the profile Pressroom pins (SHA-256 {intent.sha256[:12]}…): "
            f"another {intent.package} version", hint="install the pinned package version, "
            "or update the pin in pressroom/variants.py after checking the new profile",
            code="PR312")
    return data
