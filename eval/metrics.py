"""Retrieval, answer and abstention metrics, as plain functions of plain data."""

from __future__ import annotations

import math
from collections.abc import Sequence


def is_relevant(passage_text: str, anchors: Sequence[str]) -> bool:
    """A passage is relevant if it contains any of the gold anchors."""
    return any(anchor in passage_text for anchor in anchors)


def relevances(passages: Sequence[str], anchors: Sequence[str]) -> list[int]:
    """1 for each retrieved passage that is relevant, else 0, in rank order."""
    return [int(is_relevant(p, anchors)) for p in passages]


def first_hit_rank(rels: Sequence[int]) -> int | None:
    """1-based rank of the first relevant passage, or None."""
    return next((i + 1 for i, r in enumerate(rels) if r), None)


def hit_at(rels: Sequence[int], k: int) -> float:
    """1.0 if a relevant passage is among the first ``k``."""
    return float(any(rels[:k]))


def reciprocal_rank(rels: Sequence[int]) -> float:
    """1/rank of the first relevant passage (0 if none)."""
    rank = first_hit_rank(rels)
    return 1.0 / rank if rank else 0.0


def ndcg_at(rels: Sequence[int], k: int, total_relevant: int) -> float:
    """Binary nDCG@k; the ideal ranking puts all ``total_relevant`` passages (at most k) first."""
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(total_relevant, k)))
    if ideal == 0:
        return 0.0
    return sum(r / math.log2(i + 2) for i, r in enumerate(rels[:k])) / ideal


def answer_has_facts(answer: str, fact_groups: Sequence[Sequence[str]]) -> bool:
    """Every group of alternatives has one alternative in the answer (case-insensitive)."""
    text = answer.lower()
    return all(any(alt.lower() in text for alt in group) for group in fact_groups)


def abstention_scores(abstained: Sequence[bool], answerable: Sequence[bool]) -> dict[str, float | None]:
    """Precision and recall of abstaining (on unanswerable questions) and the false-abstention rate."""
    pairs = list(zip(abstained, answerable))
    true_abstain = sum(1 for a, ok in pairs if a and not ok)
    abstentions = sum(1 for a, _ in pairs if a)
    unanswerable = sum(1 for _, ok in pairs if not ok)
    answerable_n = sum(1 for _, ok in pairs if ok)
    false_abstain = sum(1 for a, ok in pairs if a and ok)
    return {
        "abstain_precision": true_abstain / abstentions if abstentions else None,
        "abstain_recall": true_abstain / unanswerable if unanswerable else None,
        "false_abstention": false_abstain / answerable_n if answerable_n else None,
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation, None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean, None for no values."""
    return sum(values) / len(values) if values else None
