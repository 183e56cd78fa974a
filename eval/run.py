"""Run an evaluation set through the pipeline and score it: overall and per language."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from tqdm import tqdm

from eval import metrics
from eval.dataset import EvalQuestion, FollowUp
from qa.followup import complete_followup
from qa.pipeline import QAPipeline

GROUPS = ("all", "ky", "ru", "en")
MAX_FALSE_ABSTENTION = 0.05


@dataclass(frozen=True)
class QuestionResult:
    """What happened to one question: expected and got, for the details file."""

    id: str
    language: str
    question: str
    answerable: bool
    expected_anchors: tuple[str, ...]
    expected_facts: tuple[tuple[str, ...], ...]
    relevances: tuple[int, ...]
    total_relevant: int
    answer: str
    abstained: bool
    correct: bool
    evidence: float
    latency_ms: float
    cited_sections: tuple[str, ...]

    @property
    def rank(self) -> int | None:
        """1-based rank of the first relevant passage."""
        return metrics.first_hit_rank(self.relevances)

    def to_dict(self) -> dict:
        """JSON-ready record, with the rank."""
        return {**asdict(self), "rank": self.rank}


def evaluate(pipeline: QAPipeline, questions: list[EvalQuestion], k: int = 5, progress: bool = True,
             texts: list[str] | None = None) -> list[QuestionResult]:
    """Ask every question (retrieving at least 10 passages for nDCG@10) and record the outcome;
    ``texts`` (every passage of the index, read if not given) counts the relevant passages."""
    texts = texts if texts is not None else list(pipeline.retriever.catalog.all_texts())
    results = []
    for q in tqdm(questions, desc="evaluating", unit="question", disable=not progress, leave=False):
        started = time.perf_counter()
        answer = pipeline.ask(q.question, k=max(k, 10))
        latency = (time.perf_counter() - started) * 1000
        cited = [c.text for c in answer.citations]
        rels = tuple(metrics.relevances(cited, q.anchors)) if q.answerable else ()
        correct = q.answerable and not answer.abstained and metrics.answer_has_facts(answer.answer, q.answer_facts)
        results.append(QuestionResult(
            q.id, q.language, q.question, q.answerable, q.anchors, q.answer_facts, rels,
            sum(metrics.is_relevant(t, q.anchors) for t in texts), answer.answer, answer.abstained, correct,
            answer.evidence, latency, tuple(f"{c.section} ¶{c.paragraph}" for c in answer.citations[:k])))
    return results


def summarize(results: list[QuestionResult], k: int = 5) -> dict[str, dict[str, float | int | None]]:
    """Metrics per group ("all", "ky", "ru", "en")."""
    summary = {}
    for group in GROUPS:
        chosen = [r for r in results if group in ("all", r.language)]
        answerable = [r for r in chosen if r.answerable]
        latencies = [r.latency_ms for r in chosen]
        summary[group] = {
            "questions": len(chosen),
            "hit@1": metrics.mean([metrics.hit_at(r.relevances, 1) for r in answerable]),
            f"hit@{k}": metrics.mean([metrics.hit_at(r.relevances, k) for r in answerable]),
            "mrr": metrics.mean([metrics.reciprocal_rank(r.relevances) for r in answerable]),
            "ndcg@10": metrics.mean([metrics.ndcg_at(r.relevances, 10, r.total_relevant) for r in answerable]),
            "answer_accuracy": metrics.mean([float(r.correct) for r in answerable]),
            **metrics.abstention_scores([r.abstained for r in chosen], [r.answerable for r in chosen]),
            "latency_p50_ms": metrics.percentile(latencies, 50),
            "latency_p95_ms": metrics.percentile(latencies, 95),
        }
    return summary


def evaluate_followups(pipeline: QAPipeline, followups: list[FollowUp]) -> dict[str, dict[str, float | None]]:
    """hit@1 and hit@5 of elliptical follow-ups asked alone and completed from the question before."""
    outcome: dict[str, dict[str, list[float]]] = {}
    for pair in followups:
        alone = pipeline.ask(pair.followup)
        completed = pipeline.ask(pair.followup, search_query=complete_followup(pair.first, pair.followup))
        for group in ("all", pair.language):
            row = outcome.setdefault(group, {})
            for name, answer in (("alone", alone), ("completed", completed)):
                rels = metrics.relevances([c.text for c in answer.citations], pair.anchors)
                row.setdefault(f"{name} hit@1", []).append(metrics.hit_at(rels, 1))
                row.setdefault(f"{name} hit@5", []).append(metrics.hit_at(rels, 5))
            row.setdefault("pairs", []).append(1.0)
    return {group: {k: (len(v) if k == "pairs" else metrics.mean(v)) for k, v in row.items()}
            for group, row in outcome.items()}


def calibrate(results: list[QuestionResult], max_false: float = MAX_FALSE_ABSTENTION) -> dict[str, float]:
    """Per language, the highest evidence threshold that abstains on at most ``max_false`` of the
    answerable questions: halfway between the answerable evidence it keeps and the one below."""
    thresholds = {}
    for language in GROUPS[1:]:
        kept = sorted(r.evidence for r in results if r.language == language and r.answerable)
        if not kept:
            continue
        allowed = int(max_false * len(kept))  # this many answerable questions may fall below
        below = kept[allowed - 1] if allowed else kept[0] - 0.01
        thresholds[language] = round((below + kept[allowed]) / 2, 4)
    return thresholds


def format_table(rows: dict[str, dict[str, float | int | None]], columns: list[str]) -> str:
    """A Markdown table: one row per key of ``rows``, the given metric columns."""
    def cell(value: float | int | None) -> str:
        if value is None:
            return "–"
        return f"{value:.3f}" if isinstance(value, float) and value < 10 else f"{value:.0f}" \
            if isinstance(value, float) else str(value)

    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(cell(row.get(c)) for c in columns) + " |" for name, row in rows.items()]
    return "\n".join(lines)
