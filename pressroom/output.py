"""Writing outputs so that a failed or interrupted build never leaves half a file.

Every file goes to a temporary name in its final folder and is renamed into place only
when complete: ``os.replace`` is atomic on one filesystem, so a reader (or the plant's
pick-up job) sees either the previous file or the new one, never a torn one.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        # BaseException too: Ctrl-C in the middle of a write must not leave the .part file.
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
