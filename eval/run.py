"""Run an evaluation set through the pipeline and score it: overall, per language and per style."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from tqdm import tqdm

from eval import metrics
from eval.dataset import EvalQuestion, FollowUp
from qa.followup import complete_followup
from qa.pipeline import Outcome, QAPipeline

GROUPS = ("all", "ky", "ru", "en")


@dataclass(frozen=True)
class QuestionResult:
    """What happened to one question: expected and got, and the steps behind it, for the details file."""

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
    in_language: bool = False  # what the answer quotes is in the question's language
    style: str = "formal"
    expected_type: str = ""
    predicted_type: str = ""
    chosen_sentence: str = ""  # "PASSAGE:N" of the best sentence
    sentence_right: bool | None = None  # the best sentence is a gold one (None: no gold sentences known)
    confidence: float = 0.0
    why: tuple[str, ...] = ()  # an abstention: what weighed most against answering
    intent: str = "question"  # what the intent step took the question for
    language_reason: str = ""  # which language the question was read in, and why (qa.reading)
    read_as: str = ""  # the Cyrillic reading of a Latin-typed Kyrgyz question

    @property
    def rank(self) -> int | None:
        """1-based rank of the first relevant passage."""
        return metrics.first_hit_rank(self.relevances)

    def to_dict(self) -> dict:
        """JSON-ready record, with the rank."""
        return {**asdict(self), "rank": self.rank}


def record(question: EvalQuestion, outcome: Outcome, latency_ms: float, texts: list[str], k: int,
           gold: set[str] | None = None) -> QuestionResult:
    """The result of one question from what the pipeline did (``gold``: its gold sentence ids)."""
    answer = outcome.answer
    cited = [c.text for c in answer.citations]
    if question.anchors or not gold:
        rels = tuple(metrics.relevances(cited, question.anchors)) if question.answerable else ()
    else:  # labelled by sentence ids: a passage is relevant when it holds one of them
        passages = {sentence.split(":")[0] for sentence in gold}
        rels = tuple(int(c.passage_id in passages) for c in answer.citations) if question.answerable else ()
    quoted = [c for c in answer.citations if c.quote]
    in_language = bool(quoted) and all(c.language == question.language or c.quote_translation for c in quoted)
    best = outcome.selection.best
    chosen = f"{best.passage_id}:{best.sentence}" if best else ""
    correct = question.answerable and not answer.abstained and metrics.answer_has_facts(answer.answer,
                                                                                        question.answer_facts)
    return QuestionResult(
        question.id, question.language, question.question, question.answerable, question.anchors,
        question.answer_facts, rels, sum(metrics.is_relevant(t, question.anchors) for t in texts), answer.answer,
        answer.abstained, correct, answer.evidence, latency_ms,
        tuple(f"{c.section} ¶{c.paragraph}" for c in answer.citations[:k]), answer.coverage, question.fact,
        in_language, question.style, question.answer_type, outcome.kind.name, chosen,
        (chosen in gold) if gold and question.answerable else None, outcome.decision.probability,
        outcome.decision.why, outcome.intent.name if outcome.intent else "question",
        f"{answer.language}: {outcome.reading.reason}" if outcome.reading else "", answer.read_as or "")


def refused(question: EvalQuestion, reason: str, latency_ms: float) -> QuestionResult:
    """The result of a question the pipeline refused (a one-line error): not answered."""
    return QuestionResult(question.id, question.language, question.question, question.answerable, question.anchors,
                          question.answer_facts, (), 0, f"error: {reason}", True, False, 0.0, latency_ms, (),
                          fact=question.fact, style=question.style, expected_type=question.answer_type,
                          why=("refused",))


def evaluate(pipeline: QAPipeline, questions: list[EvalQuestion], k: int = 5, progress: bool = True,
             texts: list[str] | None = None) -> list[QuestionResult]:
    """Ask every question with the pipeline's own models (retrieving at least 10 passages for
    nDCG@10) and record the outcome; ``texts`` (every passage of the index, read if not given)
    counts the relevant passages."""
    texts = texts if texts is not None else list(pipeline.retriever.catalog.all_texts())
    results = []
    for q in tqdm(questions, desc="evaluating", unit="question", disable=not progress, leave=False):
        started = time.perf_counter()
        outcome = pipeline.answer(pipeline.analyse(q.question, k=max(k, 10), qid=q.id,
                                                   search_query=complete_followup(q.previous or None, q.question)))
        results.append(record(q, outcome, (time.perf_counter() - started) * 1000, texts, k))
    return results


def summarize(results: list[QuestionResult], k: int = 5, by: str = "language") -> dict[str, dict[str, float | int | None]]:
    """Metrics for all questions and per group: per language ("ky", "ru", "en"), or per ``by``
    (another field of the results, such as "style")."""
    summary = {}
    groups = GROUPS if by == "language" else ("all", *sorted({getattr(r, by) for r in results}))
    for group in groups:
        chosen = [r for r in results if group in ("all", getattr(r, by))]
        answerable = [r for r in chosen if r.answerable]
        latencies = [r.latency_ms for r in chosen]
        summary[group] = {
            "questions": len(chosen),
            "hit@1": metrics.mean([metrics.hit_at(r.relevances, 1) for r in answerable]),
            f"hit@{k}": metrics.mean([metrics.hit_at(r.relevances, k) for r in answerable]),
            "mrr": metrics.mean([metrics.reciprocal_rank(r.relevances) for r in answerable]),
            "ndcg@10": metrics.mean([metrics.ndcg_at(r.relevances, 10, r.total_relevant) for r in answerable]),
            "answer_accuracy": metrics.mean([float(r.correct) for r in answerable]),
            "type_accuracy": metrics.mean([float(r.predicted_type == r.expected_type) for r in chosen
                                           if r.expected_type]),
            "sentence_accuracy": metrics.mean([float(r.sentence_right) for r in answerable
                                               if r.sentence_right is not None]),
            "in_language": metrics.mean([float(r.in_language) for r in chosen if not r.abstained and r.answerable]),
            "as_question": metrics.mean([float(r.intent == "question") for r in chosen]),
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
