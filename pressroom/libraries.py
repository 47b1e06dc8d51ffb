"""Loading WeasyPrint's libraries without a search they do not need.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject by trying, for each, the names
it has on Windows and macOS before the Linux soname (``libpango-1.0.so.0``). cffi hands
every name without ``.so`` to ``ctypes.util.find_library``, which on Linux runs
``ldconfig -p`` and then gcc and ld to look for it: two dozen subprocesses, 0.3 s of a
build, each ending in "not found", after which WeasyPrint opens the soname directly. On
Linux those portable names are therefore answered "not found" at once; any other name
(and every name on other systems) is searched for as before.
"""
from __future__ import annotations

import ctypes.util
import functools
import sys

# The names WeasyPrint 70 tries before each library's Linux soname, and the
# names of the optional libharfbuzz-vector, which Debian 12 does not have (weasyprint/text/ffi.py).
PORTABLE_NAMES = frozenset({
    "libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0",
    "libpango-1.0-0", "pango-1.0-0", "pango-1.0",
    "libharfbuzz-0", "harfbuzz", "harfbuzz-0.0",
    "libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0",
    "libharfbuzz-vector-0", "harfbuzz-vector", "harfbuzz-vector-0.0",
    "libharfbuzz-vector.so.0", "libharfbuzz-vector.0.dylib", "libharfbuzz-vector-0.dll",
    "libfontconfig-1", "fontconfig-1", "fontconfig",
    "libpangoft2-1.0-0", "pangoft2-1.0-0", "pangoft2-1.0",
})


def skip_portable_names() -> None:
    """Answer WeasyPrint's non-Linux library names without a search (see the module)."""
    if not sys.platform.startswith("linux") or getattr(ctypes.util.find_library,
                                                        "pressroom", False):
        return
    search = ctypes.util.find_library

    @functools.wraps(search)
    def find_library(name):
        return None if name in PORTABLE_NAMES else search(name)

    find_library.pressroom = True
    ctypes.util.find_library = find_library
