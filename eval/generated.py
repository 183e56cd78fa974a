"""``qa eval --llm-url``: generated answers scored beside the extractive ones: how many passed
verification, why the others fell back, and how long the model took, per language."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass

from tqdm import tqdm

from eval import metrics
from eval.dataset import EvalQuestion
from eval.run import GROUPS
from qa.generate import Generator
from qa.language import LANGUAGES
from qa.pipeline import QAPipeline
from qa.verify import reason_code

GENERATED_COLUMNS = ["questions", "sent", "pass_rate", "model_abstained", "answer_accuracy", "generated_accuracy",
                     "abstain_recall", "false_abstention", "generation_p50_ms", "generation_p95_ms"]


@dataclass(frozen=True)
class GeneratedResult:
    """One question through the extractive step and then the model."""

    id: str
    language: str
    question: str
    answerable: bool
    relevances: tuple[int, ...]
    sent: bool  # the extractive step did not abstain, so the model was asked
    generated: bool  # the model's reply passed verification and is what is shown
    abstained: bool  # what is shown is an abstention (the extractive gate's or the model's)
    model_abstained: bool
    fallback_reason: str | None
    answer: str
    facts_found: bool
    generation_ms: float  # time spent on the model (0 when it was not asked)
    total_ms: float  # extractive step and model

    def to_dict(self) -> dict:
        """JSON-ready record."""
        return asdict(self)


def run_generated(pipeline: QAPipeline, generator: Generator, questions: list[EvalQuestion], k: int = 5,
                  per_language: int | None = None, progress: bool = True) -> list[GeneratedResult]:
    """Ask each question (``per_language`` of each language spread evenly over the set, or all),
    then the model."""
    chosen = [q for language in LANGUAGES for q in spread([q for q in questions if q.language == language],
                                                           per_language)]
    results = []
    for q in tqdm(chosen, desc=f"generating ({generator.model})", unit="question", disable=not progress, leave=False):
        started = time.perf_counter()
        extractive = pipeline.ask(q.question, k=k)
        asked = time.perf_counter()
        final = generator.answer(extractive)
        done = time.perf_counter()
        rels = tuple(metrics.relevances([c.text for c in final.citations], q.anchors)) if q.answerable else ()
        sent = not extractive.abstained
        results.append(GeneratedResult(
            q.id, q.language, q.question, q.answerable, rels, sent, final.generated, final.abstained,
            final.generated and final.abstained, final.fallback_reason, final.answer,
            not final.abstained and metrics.answer_has_facts(final.answer, q.answer_facts),
            (done - asked) * 1000 if sent else 0.0, (done - started) * 1000))
    return results


def spread(items: list, count: int | None) -> list:
    """``count`` items evenly spaced over ``items`` (first and last included), or all of them."""
    if count is None or count >= len(items):
        return list(items)
    if count <= 1:
        return items[:count]
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def summarize_generated(results: list[GeneratedResult], k: int = 5) -> dict[str, dict]:
    """Per group ("all", "ky", "ru", "en"): the usual answer metrics of what is shown, the share of
    answers sent to the model that passed verification, generation latency, fallback reasons."""
    summary = {}
    for group in GROUPS:
        chosen = [r for r in results if group in ("all", r.language)]
        answerable = [r for r in chosen if r.answerable]
        sent = [r for r in chosen if r.sent]
        generated = [r for r in answerable if r.generated and not r.abstained]
        timings = [r.generation_ms for r in sent]
        summary[group] = {
            "questions": len(chosen),
            "sent": len(sent),
            "pass_rate": metrics.mean([float(r.generated) for r in sent]),
            "model_abstained": sum(r.model_abstained for r in chosen),
            "hit@1": metrics.mean([metrics.hit_at(r.relevances, 1) for r in answerable]),
            f"hit@{k}": metrics.mean([metrics.hit_at(r.relevances, k) for r in answerable]),
            "mrr": metrics.mean([metrics.reciprocal_rank(r.relevances) for r in answerable]),
            "answer_accuracy": metrics.mean([float(r.facts_found) for r in answerable]),
            "generated_accuracy": metrics.mean([float(r.facts_found) for r in generated]),
            **metrics.abstention_scores([r.abstained for r in chosen], [r.answerable for r in chosen]),
            "generation_p50_ms": metrics.percentile(timings, 50),
            "generation_p95_ms": metrics.percentile(timings, 95),
            "latency_p50_ms": metrics.percentile([r.total_ms for r in chosen], 50),
            "latency_p95_ms": metrics.percentile([r.total_ms for r in chosen], 95),
            "fallback_reasons": dict(Counter(reason_code(r.fallback_reason) for r in chosen
                                             if r.fallback_reason).most_common()),
        }
    return summary


def reasons_table(summary: dict[str, dict]) -> dict[str, dict[str, int]]:
    """Fallback reasons counted per language, as rows for ``format_table``."""
    return {group: dict(summary[group]["fallback_reasons"]) for group in GROUPS if group in summary}


def reason_columns(summary: dict[str, dict]) -> list[str]:
    """Every fallback reason that occurred, most frequent first."""
    return list(summary["all"]["fallback_reasons"]) if "all" in summary else []
