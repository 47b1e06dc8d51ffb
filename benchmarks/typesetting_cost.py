"""What Pressroom's own typesetting costs against one plain WeasyPrint pass.

The plain pass lays the same article out with the same fonts and partials in CSS columns,
leaving line breaking, justification and column filling to WeasyPrint (ragged Chinese
lines, no punctuation compression, no copyfit). The composed pass is what `invoke pdf`
does: measure Latin runs, set every line, fit the page, then one WeasyPrint render.
Both are timed in this process after a warm-up, several times; the ratio is printed.

    python benchmarks/typesetting_cost.py [--runs 5] [--manuscript PATH]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import jinja2
import weasyprint
from weasyprint.text.fonts import FontConfiguration

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pressroom import fonts  # noqa: E402
from pressroom.typesetting.compose import compose  # noqa: E402
from pressroom.outputs.layouts import LAYOUTS_DIR, reader_parts, stylesheet  # noqa: E402
from pressroom.reading.manuscript import read_manuscript  # noqa: E402
from pressroom.outputs.pdf import render_pdf  # noqa: E402


def plain_pdf(article) -> bytes:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([Path(__file__).parent, LAYOUTS_DIR]),
        autoescape=True, undefined=jinja2.StrictUndefined)
    html = env.get_template("plain_page.html.j2").render(
        article=article, **reader_parts(article),
        faces=[{"family": f.role_family, "url": (fonts.FONTS_DIR / f.file).as_uri(),
                "weight": f.weight} for f in fonts.FACES],
        shared_css=stylesheet(article, "shared.css").as_uri(),
        image_urls={figure.image: figure.image.as_uri() for figure in article.figures})
    return weasyprint.HTML(string=html, base_url=article.folder.as_uri() + "/").write_pdf(
        font_config=FontConfiguration())


def timed(function, runs: int) -> list[float]:
    function()  # warm-up: imports, font loading
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--manuscript", default=str(ROOT / "manuscript" / "boshan-report"))
    args = parser.parse_args()
    article = read_manuscript(Path(args.manuscript))
    plain = timed(lambda: plain_pdf(article), args.runs)
    compose_only = timed(lambda: compose(article, article.printing), args.runs)
    composed = timed(lambda: render_pdf(article), args.runs)
    print(f"{'pass':<34}{'median s':>10}{'min s':>8}")
    for name, times in (("plain WeasyPrint pass (peer)", plain),
                        ("compose only (line setting, fit)", compose_only),
                        ("compose + render (invoke pdf)", composed)):
        print(f"{name:<34}{statistics.median(times):>10.3f}{min(times):>8.3f}")
    print(f"ratio composed / plain: {statistics.median(composed) / statistics.median(plain):.2f}")


if __name__ == "__main__":
    main()
