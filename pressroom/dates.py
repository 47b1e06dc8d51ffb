"""The build's date: SOURCE_DATE_EPOCH when set, so that dated outputs stay reproducible."""
from __future__ import annotations

import datetime
import os

from .errors import BuildError


def source_date() -> datetime.datetime | None:
    """SOURCE_DATE_EPOCH as an aware UTC time, or None when it is not set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise BuildError(f"SOURCE_DATE_EPOCH={epoch!r} is not a time",
                         hint="set it to whole seconds since 1970, e.g. "
                              "$(git log -1 --format=%ct)") from None
