"""Run an evaluation set through the pipeline and score it: overall and per language."""

from __future__ import annotations

import time
import zlib
from dataclasses import asdict, dataclass, replace

import numpy as np
from tqdm import tqdm

from eval import metrics
from eval.dataset import EvalQuestion, FollowUp
from qa.answer import Thresholds
from qa.followup import complete_followup
from qa.pipeline import QAPipeline

GROUPS = ("all", "ky", "ru", "en")
MAX_FALSE_ABSTENTION = 0.03
FOLDS = 5


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
    coverage: float = 1.0
    fact: str = ""
    rule_abstained: bool = False  # abstained whatever the thresholds (a number the text does not give)
    facts_found: bool = False  # the answer, were it given, holds the expected facts
    in_language: bool = False  # what the answer quotes is in the question's language

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
    ``texts`` (every passage of the index, read if not given) counts the relevant passages.
    Abstention by the thresholds is left to ``decide``: the answer is recorded as it would be
    given, with the evidence and coverage the thresholds look at."""
    texts = texts if texts is not None else list(pipeline.retriever.catalog.all_texts())
    calibrated, pipeline.thresholds = pipeline.thresholds, Thresholds({})
    results = []
    try:
        for q in tqdm(questions, desc="evaluating", unit="question", disable=not progress, leave=False):
            started = time.perf_counter()
            answer = pipeline.ask(q.question, k=max(k, 10))
            latency = (time.perf_counter() - started) * 1000
            cited = [c.text for c in answer.citations]
            rels = tuple(metrics.relevances(cited, q.anchors)) if q.answerable else ()
            quoted = [c for c in answer.citations if c.quote]
            in_language = bool(quoted) and all(c.language == q.language or c.quote_translation for c in quoted)
            results.append(decide(QuestionResult(
                q.id, q.language, q.question, q.answerable, q.anchors, q.answer_facts, rels,
                sum(metrics.is_relevant(t, q.anchors) for t in texts), answer.answer, answer.abstained, False,
                answer.evidence, latency, tuple(f"{c.section} ¶{c.paragraph}" for c in answer.citations[:k]),
                answer.coverage, q.fact, answer.abstained,
                not answer.abstained and metrics.answer_has_facts(answer.answer, q.answer_facts), in_language),
                calibrated))
    finally:
        pipeline.thresholds = calibrated
    return results


def decide(result: QuestionResult, thresholds: Thresholds) -> QuestionResult:
    """The result with abstention decided by ``thresholds`` (and the rules that always apply)."""
    abstained = result.rule_abstained or thresholds.abstains(result.language, result.evidence, result.coverage)
    return replace(result, abstained=abstained, correct=result.answerable and not abstained and result.facts_found)


def fold_of(fact: str, folds: int = FOLDS) -> int:
    """The cross-validation fold of a fact: every question of a fact (in any language) in one fold."""
    return zlib.crc32(fact.encode()) % folds


def cross_validate(results: list[QuestionResult], folds: int = FOLDS,
                   max_false: float = MAX_FALSE_ABSTENTION) -> list[QuestionResult]:
    """Each question decided by thresholds calibrated on the other folds' facts only."""
    decided = {}
    for fold in range(folds):
        training = [r for r in results if fold_of(r.fact or r.id, folds) != fold]
        thresholds = Thresholds(calibrate(training, max_false))
        decided.update({r.id: decide(r, thresholds) for r in results if fold_of(r.fact or r.id, folds) == fold})
    return [decided[r.id] for r in results]


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
            "in_language": metrics.mean([float(r.in_language) for r in chosen if not r.abstained and r.answerable]),
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


def calibrate(results: list[QuestionResult], max_false: float = MAX_FALSE_ABSTENTION) -> dict[str, dict[str, float]]:
    """Per language, the evidence and coverage thresholds that abstain on the most unanswerable
    questions while abstaining on at most ``max_false`` of the answerable ones (ties: the lower
    thresholds). Each threshold lies halfway between two observed values."""
    thresholds = {}
    for language in GROUPS[1:]:
        chosen = [r for r in results if r.language == language and not r.rule_abstained]
        answerable = [r for r in chosen if r.answerable]
        if not answerable:
            continue
        allowed = int(max_false * len(answerable))
        cut_e, cut_c = np.array(_cuts([r.evidence for r in chosen])), np.array(_cuts([r.coverage for r in chosen]))
        evidence = np.array([r.evidence for r in chosen])[:, None, None]
        coverage = np.array([r.coverage for r in chosen])[:, None, None]
        refused = (evidence < cut_e[None, :, None]) | (coverage < cut_c[None, None, :])
        is_answerable = np.array([r.answerable for r in chosen])
        false, caught = refused[is_answerable].sum(0), refused[~is_answerable].sum(0)
        score = np.where(false <= allowed, caught, -1)  # the lowest thresholds win ties (argmax takes the first)
        e, c = np.unravel_index(int(np.argmax(score)), score.shape)
        thresholds[language] = {"evidence": round(float(cut_e[e]), 4), "coverage": round(float(cut_c[c]), 4)}
    return thresholds


def _cuts(values: list[float]) -> list[float]:
    """Candidate thresholds: below everything, and halfway between neighbouring observed values."""
    ordered = sorted(set(values))
    return [ordered[0] - 0.01] + [(a + b) / 2 for a, b in zip(ordered, ordered[1:])] if ordered else [0.0]


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
