"""What an edition costs: the make-up of a page of eight stories, and the build of the
example edition of three pages against the build of one page.

The eight-story page is a 对开 page of eight of the test articles (PRC regulations and
notices of 600 to 1,700 characters): its composition is timed as `invoke pdf --edition`
does it, and the setting of the stories' texts apart; the make-up (each story's modules
at every width, the search over the page's leadings, the pour into the modules chosen) is
the difference. The edition build is `invoke build
--edition manuscript/editions/example.yaml` (make-up, one rendering of the three pages,
the plant's PDFs, the edition PDF and the EPUB); the page build is `invoke build` of the
default manuscript (its PDF and EPUB). Both in this process after a warm-up, medians of
several runs, then as a user runs them, each `invoke` a fresh process.

    python benchmarks/edition.py [--runs 5]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pressroom import build  # noqa: E402
from pressroom.errors import diagnostics  # noqa: E402
from pressroom.typesetting import edition  # noqa: E402
from pressroom.typesetting.texts import Texts  # noqa: E402
from typesetting_cost import timed  # noqa: E402 - the same warm-up and runs

EIGHT = ["prc-mohrss-notice-monthly-working-days", "prc-working-hours-provisions-1995",
         "prc-gov-office-holiday-notice-2025", "prc-merger-notification-thresholds-2024",
         "prc-holidays-measures-2024", "prc-arbitration-commission-registration-measures-1995",
         "prc-state-council-notice-foreign-enterprise-taxes-1994",
         "prc-vagrant-relief-measures-2003"]


def eight_story_plan(folder: Path) -> Path:
    for name in EIGHT:
        shutil.copytree(ROOT / "tests" / "articles" / name, folder / "stories" / name,
                        ignore=shutil.ignore_patterns("approved-proof*"))
    (folder / "plans").mkdir()
    plan = folder / "plans" / "eight.yaml"
    stories = "\n".join(f"      - ../stories/{name}" for name in EIGHT)
    plan.write_text(f"publication: 测试日报\ndate: 2026-11-30\nlayout:\n  format: 对开\n"
                    f"pages:\n  - page: 第1版\n    section: 综合\n    stories:\n{stories}\n",
                    encoding="utf-8")
    return plan


def cold(*arguments: str, runs: int) -> float:
    """The median wall time of ``invoke ARGUMENTS`` in a fresh process, as a user runs it
    (interpreter start and imports included)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "invoke", *arguments], cwd=ROOT, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with diagnostics(emit=lambda warning: None), tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        plan_path = eight_story_plan(scratch)
        plan, articles = build.prepare_edition(plan_path)
        setting = timed(lambda: {folder: Texts.of(article, plan.settings)
                                 for folder, article in articles.items()}, runs)
        composing = timed(lambda: edition.compose_edition(plan, articles, {}), runs)
        page = timed(lambda: build.build_all(build.DEFAULT_MANUSCRIPT, scratch / "page"), runs)
        example = ROOT / "manuscript" / "editions" / "example.yaml"
        whole = timed(lambda: build.build_edition(example, scratch / "edition"), runs)
    median = statistics.median
    print(f"eight-story page (对开, {sum(len(a.title) for a in articles.values())} headline "
          f"characters, {len(articles)} stories):")
    print(f"  setting the texts        {median(setting):6.2f} s")
    print(f"  make-up and pour         {median(composing) - median(setting):6.2f} s "
          f"(of {median(composing):.2f} s composing the page)")
    # As a user runs them: each a fresh process, writing into build/.
    page_cold = cold("build", runs=runs)
    edition_cold = cold("build", "--edition", "manuscript/editions/example.yaml", runs=runs)
    print("the 3-page edition against one page, as a user runs them (fresh processes):")
    print(f"  invoke build             {page_cold:6.2f} s (the default manuscript)")
    print(f"  invoke build --edition   {edition_cold:6.2f} s ({edition_cold / page_cold:.2f} x)")
    print("the same in this process, warm (the work alone, no start-up):")
    print(f"  one page                 {median(page):6.2f} s")
    print(f"  3-page edition           {median(whole):6.2f} s "
          f"({median(whole) / median(page):.2f} x)")


if __name__ == "__main__":
    main()
