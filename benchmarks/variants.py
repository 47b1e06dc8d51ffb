"""How many paragraphs can be set a line shorter or longer within the colour limits.

Copyfitting fills a frame by choosing such variants before it changes the leading or a
photo's height, so how often a paragraph has one decides how often that is possible. Each
manuscript's paragraphs are broken at its own layout's measure, as ``invoke pdf`` breaks
them; a variant counts when it has no line spread past 0.08 em and no lone last character.

    python benchmarks/variants.py [MANUSCRIPT ...]   (default: every test manuscript)
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pressroom.reading.manuscript import read_manuscript  # noqa: E402
from pressroom.typesetting.texts import Texts  # noqa: E402


def manuscripts(arguments: list[str]) -> list[Path]:
    if arguments:
        return [Path(argument) for argument in arguments]
    folders = [ROOT / "manuscript", ROOT / "tests" / "manuscripts", ROOT / "tests" / "articles"]
    return sorted(path.parent for folder in folders for path in folder.glob("*/article.md"))


def main() -> None:
    print(f"{'manuscript':<52}{'paragraphs':>11}{'shorter':>9}{'longer':>8}")
    total = shorter = longer = 0
    for manuscript in manuscripts(sys.argv[1:]):
        article = read_manuscript(manuscript)
        variants = Texts.of(article, article.printing.settings).variants.values()
        broken = [variant for variant in variants if len(variant.lines) > 1]
        counts = (len(broken), sum(v.shorter is not None for v in broken),
                  sum(v.longer is not None for v in broken))
        total, shorter, longer = total + counts[0], shorter + counts[1], longer + counts[2]
        print(f"{manuscript.name:<52}{counts[0]:>11}{counts[1]:>9}{counts[2]:>8}")
    print(f"{'all':<52}{total:>11}{shorter:>9}{longer:>8}")
    if total:
        print(f"a line shorter: {shorter / total:.1%} of paragraphs of two lines or more; "
              f"a line longer: {longer / total:.1%}")


if __name__ == "__main__":
    main()
