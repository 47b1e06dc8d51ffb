"""The daily workflow's figures, side by side with the plain tools, in one run.

Every figure is the median of several cold processes (as a user or CI starts them), the
commands interleaved so that a busy moment of the machine falls on all of them alike;
peak memory is the largest resident size of any one process of the command.

- ``invoke pdf``, ``invoke epub``, ``invoke build`` on one article, each with ``--force``
  (a rebuild after an edit: the caches beside the outputs are warm, the outputs are made
  again);
- the no-op ``invoke build`` (nothing changed);
- a watch rebuild: the warm process of ``invoke watch`` setting the page and its proof
  after an edit (in-process, median of several edits);
- ``invoke build --all`` on the test manuscripts with ``--jobs 1`` and ``--jobs 2``;
- the peers on the same article.md: pandoc with WeasyPrint (``--pdf-engine=weasyprint``,
  six CSS columns, Debian's Noto CJK) plus ``pandoc -o article.epub``, and Typst (the
  ``typst`` package) setting the same text in six columns;
- WeasyPrint alone on Pressroom's own page (the HTML a build gives it, every URL a plain
  file, the screen PDF's options): a cold process importing WeasyPrint and writing the
  PDF, and the same layout and writing in a warm process. Any build whose page WeasyPrint
  sets costs at least that much, so these floors say how far the goals can be reached.

    python benchmarks/daily.py [--runs 5] [--manuscript PATH]

The peers are not Pressroom's dependencies: pandoc is Debian's package, typst the PyPI
package (``pip install typst``); a missing peer is reported, not measured.
"""
from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Six columns of the body in the article's own Song face, as a plain reader would ask.
PEER_CSS = """@page { size: 297mm 420mm; margin: 15mm }
body { columns: 6; column-gap: 4mm; font-family: "Noto Serif CJK SC"; font-size: 9pt;
       line-height: 1.5 }
h1 { column-span: all; font-family: "Noto Sans CJK SC"; font-size: 28pt }
img { max-width: 100% }
"""
TYPST_PAGE = """#set page(width: 297mm, height: 420mm, margin: 15mm, columns: 6)
#set text(font: "Noto Serif CJK SC", size: 9pt, lang: "zh", region: "cn")
#set par(leading: 0.5em, first-line-indent: 2em)
"""


def run_once(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one cold run of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    errors = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{errors}")
    return elapsed, usage.ru_maxrss / 1024  # KiB on Linux


def typst_source(article: Path) -> str:
    """The article's text as Typst markup: headline, subheads, paragraphs (no photo)."""
    text = article.read_text(encoding="utf-8")
    matter, body = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S).groups()
    front = yaml.safe_load(matter)

    def escaped(line: str) -> str:
        return re.sub(r"([#$*_<>@`\\\[\]=/~-])", r"\\\1", line)
    parts = [TYPST_PAGE, f"#place(top, float: true, scope: \"parent\", "
             f"text(size: 28pt, font: \"Noto Sans CJK SC\")[{escaped(str(front.get('headline', '')))}])"]
    for line in body.splitlines():
        line = line.strip()
        if not line or line.startswith(("!", "<", ">")):
            continue
        if line.startswith("#"):
            parts.append(f"*{escaped(line.lstrip('# '))}*")
        else:
            parts.append(escaped(line))
    return "\n\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--manuscript", default=str(ROOT / "manuscript" / "boshan-report"))
    parser.add_argument("--floor-page", nargs=2, metavar=("MANUSCRIPT", "HTML"),
                        help=argparse.SUPPRESS)  # the floor's page, in a process of its own
    args = parser.parse_args()
    if args.floor_page:
        write_floor_page(Path(args.floor_page[0]), Path(args.floor_page[1]))
        return
    manuscript = Path(args.manuscript).resolve()
    python = sys.executable
    # The commands as installed, not through a version manager's shims (pyenv's add
    # 0.1 s to every process, Pressroom's and the peers' alike).
    env = dict(os.environ, PATH=f"{Path(python).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("SOURCE_DATE_EPOCH", None)
    scratch = Path(tempfile.mkdtemp(prefix="pressroom-bench-"))
    out = scratch / "out"
    invoke = [python, "-m", "invoke"]
    on = ["--manuscript", str(manuscript), "--out", str(out)]
    commands: dict[str, list[str]] = {
        "invoke pdf --force": [*invoke, "pdf", *on, "--force"],
        "invoke epub --force": [*invoke, "epub", *on, "--force"],
        "invoke build --force": [*invoke, "build", *on, "--force"],
        "invoke build (no-op)": [*invoke, "build", *on],
    }
    peer = scratch / "peer"
    shutil.copytree(manuscript, peer)
    (peer / "columns.css").write_text(PEER_CSS, encoding="utf-8")
    if shutil.which("pandoc", path=env["PATH"]) and shutil.which("weasyprint", path=env["PATH"]):
        commands["pandoc + WeasyPrint (pdf)"] = [
            "pandoc", "article.md", "--pdf-engine=weasyprint", "--css", "columns.css",
            "-o", "article.pdf"]
        commands["pandoc (epub)"] = ["pandoc", "article.md", "-o", "article.epub"]
    else:
        print("pandoc or weasyprint not found: the pandoc peer is not measured")
    try:
        import typst  # noqa: F401
        (peer / "article.typ").write_text(typst_source(manuscript / "article.md"), "utf-8")
        commands["typst compile"] = [
            python, "-c", "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], "
            "font_paths=sys.argv[3:])", "article.typ", "article-typst.pdf",
            "/usr/share/fonts/opentype/noto"]
    except ImportError:
        print("the typst package is not installed: the Typst peer is not measured")
    floor_html = _floor_page(manuscript, scratch)
    commands["WeasyPrint alone (Pressroom's page)"] = [
        python, "-c", FLOOR_SCRIPT, str(floor_html), str(scratch / "floor.pdf")]
    tests = [ROOT / "tests" / "manuscripts"]
    for jobs in (1, 2):
        commands[f"invoke build --all --jobs {jobs}"] = [
            *invoke, "build", "--all", "--folder", str(tests[0]), "--out",
            str(scratch / f"all-{jobs}"), "--jobs", str(jobs), "--force"]

    # Pressroom's bytecode written, as Python writes it on an editor's machine (and
    # scripts/install.sh where PYTHONDONTWRITEBYTECODE stops it): the peers' is, by pip.
    compileall.compile_dir(ROOT / "pressroom", quiet=1)
    compileall.compile_file(ROOT / "tasks.py", quiet=1)
    # One build first: the caches beside the outputs are made, as on an editor's machine.
    run_once([*invoke, "build", *on], ROOT, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = {name: 0.0 for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            seconds, peak = run_once(command, peer if "pandoc" in name or "typst" in name
                                     else ROOT, env)
            times[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
    median = {name: statistics.median(values) for name, values in times.items()}

    print(f"{args.runs} cold runs each, interleaved; {manuscript.name}")
    print(f"{'command':<34}{'median s':>9}{'min s':>8}{'max s':>8}{'peak MB':>9}")
    for name in commands:
        print(f"{name:<34}{median[name]:>9.2f}{min(times[name]):>8.2f}"
              f"{max(times[name]):>8.2f}{peaks[name]:>9.0f}")
    watch_seconds = _watch_rebuild(manuscript, scratch, env)
    if watch_seconds is not None:
        print(f"{'watch rebuild (page + proof)':<34}{watch_seconds:>9.2f}")
    warm_floor = _warm_floor(floor_html, scratch, env, args.runs)
    print(f"{'WeasyPrint alone, warm':<34}{warm_floor:>9.2f}")
    print()
    if "pandoc + WeasyPrint (pdf)" in median:
        pair = median["pandoc + WeasyPrint (pdf)"] + median["pandoc (epub)"]
        print(f"pandoc pair (pdf + epub): {pair:.2f} s")
        print(f"ratio invoke build / pandoc pair: {median['invoke build --force'] / pair:.2f}"
              "  (goal: 0.8 or less)")
        print(f"ratio invoke pdf / pandoc + WeasyPrint: "
              f"{median['invoke pdf --force'] / median['pandoc + WeasyPrint (pdf)']:.2f}")
        floor = median["WeasyPrint alone (Pressroom's page)"]
        print(f"floor: WeasyPrint alone on Pressroom's page / pandoc pair: {floor / pair:.2f}"
              "  (no build of this page through WeasyPrint can go under it)")
    if "typst compile" in median:
        print(f"ratio invoke pdf / typst: {median['invoke pdf --force'] / median['typst compile']:.2f}")
    print(f"no-op build: {median['invoke build (no-op)']:.2f} s  (goal: 0.3 s or less)")
    if watch_seconds is not None:
        print(f"watch rebuild: {watch_seconds:.2f} s  (goal: 0.5 s or less; WeasyPrint's "
              f"warm layout and writing of the page alone: {warm_floor:.2f} s)")
    build_peak = max(peaks[name] for name in commands
                     if name.startswith("invoke") and "--all" not in name)
    all_peak = max(peaks[name] for name in commands if "--all" in name)
    print(f"peak memory of a build process: {build_peak:.0f} MB  (goal: 150 MB or less); "
          f"of a worker of --all on the test manuscripts: {all_peak:.0f} MB")
    one, two = median["invoke build --all --jobs 1"], median["invoke build --all --jobs 2"]
    print(f"--all on {len(list(tests[0].glob('*/article.md')))} test manuscripts: "
          f"{one:.2f} s with 1 job, {two:.2f} s with 2 ({one / two:.2f}x)")
    shutil.rmtree(scratch, ignore_errors=True)


# The screen PDF's options (pressroom.variants.SCREEN), the same as a build asks for.
# Importing pressroom first spares WeasyPrint the library search a build never makes
# (pressroom/libraries.py), so that the floor is WeasyPrint's own work.
FLOOR_OPTIONS = "pdf_variant='pdf/ua-1', pdf_tags=True"
FLOOR_SCRIPT = ("import sys, pressroom, weasyprint; weasyprint.HTML(sys.argv[1]).write_pdf("
                f"sys.argv[2], {FLOOR_OPTIONS})")


def _floor_page(manuscript: Path, scratch: Path) -> Path:
    """Pressroom's page of ``manuscript`` as WeasyPrint is given it, written to a file in
    ``scratch`` by a process of its own: importing Pressroom here would make this process
    large, and every process it starts would then count that size as its own peak."""
    path = scratch / "floor.html"
    subprocess.run([sys.executable, __file__, "--floor-page", str(manuscript), str(path)],
                   cwd=ROOT, check=True)
    return path


def write_floor_page(manuscript: Path, path: Path) -> None:
    """The page's HTML, with the sandbox's names of the files (file:///pressroom/...)
    turned into their paths, set with its caches beside it, not in the project's build/.
    The photos are given as their files (what the print PDF embeds of a JPEG or PNG that
    needs no turning or conversion)."""
    from pressroom.errors import diagnostics
    from pressroom.output import scratch as build_scratch
    from pressroom.build import prepare
    from pressroom.outputs.page import page_html, page_roots
    from pressroom.typesetting.compose import compose

    with diagnostics(strict=False, emit=lambda warning: None, inform=lambda text: None), \
            build_scratch(path.parent / "floor-out"):
        article = prepare(manuscript)
        layout = compose(article, article.printing)
        roots = page_roots(article, layout=layout)
        html = page_html(article, layout, roots)
    def real(match: re.Match) -> str:
        path, reason = roots.resolve(match.group(0))
        if path is None:
            sys.exit(f"the floor's page names {match.group(0)}, which the sandbox refuses: {reason}")
        return path.as_uri()
    html = re.sub(r"file:///pressroom/[^\"')]+", real, html)
    path.write_text(html, encoding="utf-8")


def _warm_floor(page: Path, scratch: Path, env: dict[str, str], runs: int) -> float:
    """The median seconds WeasyPrint takes, warm, to lay out and write ``page``."""
    script = ("import statistics, sys, time, weasyprint\n"
              "times = []\n"
              "for run in range(int(sys.argv[3]) + 1):\n"
              "    start = time.perf_counter()\n"
              f"    weasyprint.HTML(sys.argv[1]).write_pdf(sys.argv[2], {FLOOR_OPTIONS})\n"
              "    times.append(time.perf_counter() - start)\n"
              "print(statistics.median(times[1:]))\n")
    result = subprocess.run([sys.executable, "-c", script, str(page), str(scratch / "warm.pdf"),
                             str(runs)], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True)
    return float(result.stdout.strip().splitlines()[-1])


def _watch_rebuild(manuscript: Path, scratch: Path, env: dict[str, str]) -> float | None:
    """The median warm rebuild of ``invoke watch``, measured in a process of its own."""
    copy = scratch / "watched" / manuscript.name
    shutil.copytree(manuscript, copy)
    script = ("import sys; from pathlib import Path; from pressroom.watch import rebuild_seconds; "
              "print(rebuild_seconds(Path(sys.argv[1]), Path(sys.argv[2])))")
    result = subprocess.run([sys.executable, "-c", script, str(copy), str(scratch / "watch-out")],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"watch rebuild not measured: {result.stderr.strip().splitlines()[-1:]}")
        return None
    return float(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
