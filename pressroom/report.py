"""What the terminal shows of many builds: progress as they end, then one table.

Uses ``rich``; on a terminal that is not one (CI's log), rich prints plain lines and the
table without colour, so the log reads the same.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable, Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .runner import Outcome

# A log (CI's) is not a terminal: rich would wrap the table at 80 columns there.
OUT = Console(highlight=False, soft_wrap=True,
              width=None if sys.stdout.isatty() else 200)
ERR = Console(stderr=True, highlight=False, soft_wrap=True)


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def progress(total: int, what: str) -> tuple[Progress, Callable[[Outcome], None]]:
    """A progress bar over ``total`` builds and the callback that advances it, printing
    each build's messages and result above the bar as it ends."""
    # Refreshed by hand, not by rich's thread: the builds' worker processes are forked,
    # and a fork must not copy a thread that may hold the terminal's lock.
    bar = Progress(TextColumn(f"[bold]{what}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=ERR, transient=True, auto_refresh=False)
    task = bar.add_task(what, total=total)

    def done(outcome: Outcome) -> None:
        for message in outcome.messages:
            bar.console.print(message, markup=False)
        bar.console.print(f"{_result(outcome)}  {shown(outcome.target)}", markup=False)
        bar.advance(task)
        bar.refresh()
    return bar, done


def _result(outcome: Outcome) -> str:
    if not outcome.ok:
        return "failed"
    return "up to date" if outcome.fresh else "built"


def _failure(outcome: Outcome) -> str:
    """A failed build in the table: its error's code (PR170: stand-ins refused for the
    plate), whose message follows the table."""
    found = re.search(r"\b(?:error|warning) (PR\d{3})\b", outcome.error or "")
    code = f"{found.group(1)}, " if found else ""
    return f"failed ({code}exit {outcome.code})"


def summary(outcomes: Sequence[Outcome]) -> None:
    """The table: manuscript, outputs, pages, time, result; then every failure's message."""
    table = Table(title=None, show_edge=False, pad_edge=False)
    for column, justify in (("manuscript", "left"), ("outputs", "left"), ("pages", "right"),
                            ("time", "right"), ("result", "left")):
        table.add_column(column, justify=justify)
    for outcome in outcomes:
        outputs = ", ".join(Path(path).name for path in outcome.outputs) or "-"
        pages = str(outcome.pages) if outcome.pages else "-"
        table.add_row(shown(outcome.target), outputs, pages, f"{outcome.seconds:.2f} s",
                      _result(outcome) if outcome.ok else _failure(outcome))
    OUT.print(table)
    failed = [outcome for outcome in outcomes if not outcome.ok]
    for outcome in failed:
        print(outcome.error, file=sys.stderr)
    built = sum(outcome.ok for outcome in outcomes)
    OUT.print(f"{built} of {len(outcomes)} built or up to date"
              + (f", {len(failed)} failed" if failed else ""), markup=False)
