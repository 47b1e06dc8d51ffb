"""Cold-process time and peak memory of `invoke pdf` and `invoke epub`.

Each run is a fresh process, as a user or CI starts it, so imports, font loading and
layout are all counted. Prints the median wall time and the peak resident memory of
each task over several runs.

    python benchmarks/build_speed.py [--runs 5] [--manuscript PATH]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one cold run of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed: {process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--manuscript", default=None)
    args = parser.parse_args()
    invoke = [sys.executable, "-m", "invoke"]
    extra = ["--manuscript", args.manuscript] if args.manuscript else []
    print(f"{'task':<14}{'runs':>5}{'median s':>10}{'min s':>8}{'max s':>8}{'peak MB':>9}")
    for task in ("pdf", "epub"):
        results = [run_once([*invoke, task, *extra]) for _ in range(args.runs)]
        times = [t for t, _ in results]
        peak = max(m for _, m in results)
        print(f"invoke {task:<7}{args.runs:>5}{statistics.median(times):>10.2f}"
              f"{min(times):>8.2f}{max(times):>8.2f}{peak:>9.0f}")


if __name__ == "__main__":
    main()
