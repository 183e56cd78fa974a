"""``qa eval``: score the evaluation set for one configuration or side by side with baselines."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from eval.dataset import DEFAULT_SET, load_followups, load_questions, missing_anchors
from eval.generated import GENERATED_COLUMNS, reason_columns, reasons_table, run_generated, summarize_generated
from eval.run import (
    FOLDS,
    GROUPS,
    QuestionResult,
    calibrate,
    cross_validate,
    decide,
    evaluate,
    evaluate_followups,
    format_table,
    summarize,
)
from index.embedders import get_embedder
from index.store import StoreLocation
from qa.answer import CALIBRATION_FILE, Thresholds
from qa.generate import Generator, LLMSettings
from qa.pipeline import QAPipeline

QUALITY_COLUMNS = ["questions", "hit@1", "hit@5", "mrr", "ndcg@10", "answer_accuracy", "in_language",
                   "abstain_precision", "abstain_recall", "false_abstention", "latency_p50_ms", "latency_p95_ms"]
ABSTENTION_COLUMNS = ["answer_accuracy", "abstain_precision", "abstain_recall", "false_abstention"]
COMPARE_COLUMNS = ["hit@1", "hit@5", "mrr", "ndcg@10", "answer_accuracy", "abstain_recall", "false_abstention",
                   "latency_p50_ms", "ky hit@1", "ru hit@1", "en hit@1"]
FOLLOWUP_COLUMNS = ["pairs", "alone hit@1", "completed hit@1", "alone hit@5", "completed hit@5"]
BASELINES = [("bm25", "e5"), ("dense", "e5"), ("hybrid", "minilm"), ("dense", "minilm")]


@dataclass(frozen=True)
class Config:
    """One way of answering: a retriever mode and an embedder."""

    retriever: str
    embedder: str

    @property
    def name(self) -> str:
        """Short label for tables."""
        return f"{self.retriever} · {self.embedder}"


def open_config(config: Config, location: StoreLocation) -> QAPipeline:
    """The pipeline of one configuration (the default index is built first if missing)."""
    return QAPipeline.open(location, config.embedder, mode=config.retriever)


def run_pipeline(pipeline: QAPipeline, questions, k: int, progress: bool) -> list[QuestionResult]:
    """Evaluate ``questions``, warning about gold anchors that no passage of the index contains."""
    texts = list(pipeline.retriever.catalog.all_texts())
    for qid, anchor in missing_anchors(questions, "\n".join(texts))[:5]:
        print(f"warning: {qid}: anchor {anchor!r} is in no passage of the index", file=sys.stderr)
    return evaluate(pipeline, questions, k=k, progress=progress, texts=texts)


def run_config(config: Config, location: StoreLocation, questions, k: int, progress: bool) -> list[QuestionResult]:
    """Evaluate one configuration."""
    return run_pipeline(open_config(config, location), questions, k, progress)


def run_baselines(location: StoreLocation, embedder: str, questions, k: int, progress: bool) -> dict[str, dict]:
    """Summaries of the baseline configurations; another embedder's index goes in a scratch folder."""
    summaries = {}
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as scratch:
        for retriever, other in BASELINES:
            where = location if other == embedder else replace(location, persist_dir=Path(scratch), chroma_url=None)
            config = Config(retriever, other)
            summaries[config.name] = summarize(cross_validate(run_config(config, where, questions, k, progress)), k)
    return summaries


def save_thresholds(embedder: str, thresholds: dict[str, dict[str, float]], path: Path = CALIBRATION_FILE) -> None:
    """Store calibrated abstention thresholds for ``embedder`` (other embedders' entries are kept)."""
    table = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    table[get_embedder(embedder).identity] = thresholds
    path.write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def compare_row(summary: dict) -> dict:
    """The "all" metrics plus hit@1 per language, for the side-by-side table."""
    return {**summary["all"], **{f"{g} hit@1": summary[g]["hit@1"] for g in GROUPS[1:]}}


def run_eval_command(args: argparse.Namespace, location: StoreLocation) -> int:
    """The ``qa eval`` command."""
    questions = load_questions(args.set or DEFAULT_SET)
    progress = not args.quiet
    primary = Config(args.retriever, args.embedder)
    pipeline = open_config(primary, location)
    collected = run_pipeline(pipeline, questions, args.k, progress)
    in_sample = calibrate(collected)
    if args.calibrate:
        save_thresholds(primary.embedder, in_sample)
        print(f"abstention thresholds for {primary.embedder}: {in_sample} (saved to {CALIBRATION_FILE})",
              file=sys.stderr)
    results = cross_validate(collected)
    in_sample_results = [decide(r, Thresholds(in_sample)) for r in collected]
    followups = evaluate_followups(pipeline, load_followups()) if args.set is None else {}
    summaries = {primary.name: summarize(results, args.k)}
    llm = LLMSettings.from_env_and_args(args)
    generator = Generator(llm) if llm.enabled else None
    generated_results = run_generated(pipeline, generator, questions, args.k,
                                      getattr(args, "llm_questions", None), progress) if generator else []
    generated = summarize_generated(generated_results, args.k) if generator else None
    if args.compare:
        summaries.update(run_baselines(location, primary.embedder, questions, args.k, progress))
        if generated:
            summaries[f"generated · {generator.model}"] = generated
    if args.details:
        with args.details.open("w", encoding="utf-8") as out:  # cross-validated decisions
            for result in results:
                out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            for record in generated_results:  # then what the model said, marked as such
                out.write(json.dumps({"step": "generated", **record.to_dict()}, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps({**summaries, "in-sample": summarize(in_sample_results, args.k),
                          **({"follow-ups": followups} if followups else {}),
                          **({"generated": generated} if generated else {})}, ensure_ascii=False, indent=2))
        return 0
    print(f"## {primary.name}: {len(questions)} questions, k={args.k}; abstention cross-validated "
          f"({FOLDS}-fold by fact)\n")
    print(format_table(summaries[primary.name], [c.replace("hit@5", f"hit@{args.k}") for c in QUALITY_COLUMNS]))
    print("\n## In-sample, for comparison only (thresholds calibrated on all these questions)\n")
    print(format_table(summarize(in_sample_results, args.k), ABSTENTION_COLUMNS))
    if followups:
        print("\n## Follow-ups: asked alone vs completed from the previous question\n")
        print(format_table(followups, FOLLOWUP_COLUMNS))
    if generated:
        print(f"\n## Generated answers: {generator.model} at {llm.url} (in-sample abstention; "
              "pass_rate = verified among the answers sent to the model)\n")
        print(format_table(generated, GENERATED_COLUMNS))
        if reason_columns(generated):
            print("\nFallback reasons (the quoted answer was shown instead):\n")
            print(format_table(reasons_table(generated), reason_columns(generated)))
    if args.compare:
        print("\n## Side by side (all languages; hit@1 per language)\n")
        print(format_table({name: compare_row(s) for name, s in summaries.items()},
                           [c.replace("hit@5", f"hit@{args.k}") for c in COMPARE_COLUMNS]))
    return 0
