"""The one exception base of Pressroom and the diagnostics it carries.

Every failure a user can fix is a ``PressroomError`` with a stable code, the manuscript
file and line it concerns, and a hint; the task layer prints it as one line and exits
with the error's exit code, never with a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in a manuscript: the file and, where known, the line and column (1-based)."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = _display_path(self.path)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


def _display_path(path: Path) -> str:
    # Paths read best relative to where the user stands; fall back to absolute.
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class PressroomError(Exception):
    """Base of every error Pressroom reports to a user."""

    code = "PR000"
    exit_code = 1

    def __init__(self, message: str, where: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: " if self.where else ""
        text += f"error {self.code}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class ManuscriptError(PressroomError):
    """The manuscript cannot be read: its front matter or body breaks the format."""

    code = "PR100"
    exit_code = 2


class CoverageError(PressroomError):
    """A character of the manuscript is missing from the face that must draw it."""

    code = "PR200"
    exit_code = 3


class ResourceError(PressroomError):
    """A file the manuscript points at is missing, unreadable or outside the project."""

    code = "PR300"
    exit_code = 4


class BuildError(PressroomError):
    """Rendering or packaging produced something that must not reach the plant or store."""

    code = "PR400"
    exit_code = 5


class CopyfitError(BuildError):
    """The article cannot fill its page within the layout's bounds."""

    code = "PR410"


class ErrorGroup(PressroomError):
    """Several errors found in one pass, reported together; code and exit code of the first."""

    def __init__(self, errors: list[PressroomError]):
        self.errors = errors
        first = errors[0]
        super().__init__(first.message, first.where, first.hint)
        self.code = first.code
        self.exit_code = first.exit_code

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
