"""Alignment report: how well each translation of the article lines up with the original.

``python -m eval.alignment`` prints and writes eval/reports/alignment.md: per language the number
of aligned pairs, their similarity (min, median), the five weakest pairs and ten random ones, so
that a reader can check the translation against the original.
"""

from __future__ import annotations

import random
import statistics
import sys
from pathlib import Path

from index.align import AlignedPair, align_document
from index.corpus import default_document
from index.embedders import get_embedder
from index.records import VectorCache

REPORT = Path(__file__).parent / "reports" / "alignment.md"
SAMPLE = 10
WEAKEST = 5


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rows(pairs: list[AlignedPair]) -> list[str]:
    return ["| similarity | original | translation |", "|---|---|---|"] + \
        [f"| {p.similarity:.3f} | {_cell(p.original)} | {_cell(p.translation)} |" for p in pairs]


def report_text(pairs: list[AlignedPair], seed: int = 8) -> str:
    """The report as Markdown."""
    rng = random.Random(seed)
    lines = ["# Alignment of the article with its translations", "",
             "| language | pairs | min similarity | median |", "|---|---|---|---|"]
    languages = sorted({p.language for p in pairs})
    for language in languages:
        scores = [p.similarity for p in pairs if p.language == language]
        lines.append(f"| {language} | {len(scores)} | {min(scores):.3f} | {statistics.median(scores):.3f} |")
    for language in languages:
        own = [p for p in pairs if p.language == language]
        lines += ["", f"## Weakest pairs ({language})", "", *_rows(sorted(own, key=lambda p: p.similarity)[:WEAKEST])]
        lines += ["", f"## Random pairs ({language})", "", *_rows(rng.sample(own, min(SAMPLE, len(own))))]
    return "\n".join(lines) + "\n"


def write_report(path: Path = REPORT) -> Path:
    """Align the article with its translations and write the report."""
    article = default_document()
    pairs = align_document(article, VectorCache(get_embedder("e5"), progress=False).embed).pairs
    text = report_text(pairs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(text)
    return path


if __name__ == "__main__":
    write_report(Path(sys.argv[1]) if len(sys.argv) > 1 else REPORT)
