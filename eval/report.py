"""``qa eval``: score the evaluation set for one configuration or side by side with baselines."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from eval.dataset import DEFAULT_SET, MESSAGE_EVAL_SET, MESSAGE_SET, TRAINING_SET, TRANSFER_DOCUMENT, TRANSFER_SET, \
    TYPED_SET, load_followups, load_messages, load_questions, missing_anchors
from eval.generated import GENERATED_COLUMNS, reason_columns, reasons_table, run_generated, summarize_generated
from eval.intents import INTENT_COLUMNS, MESSAGE_COLUMNS, answer_messages, cross_validated_intents, \
    summarize_messages
from eval.languages import LANGUAGE_COLUMNS, language_table
from eval.learned import FOLDS, answered_with, ask_all, cross_validated, hear_all
from eval.run import GROUPS, QuestionResult, evaluate, evaluate_followups, format_table, summarize
from index.embedders import get_embedder
from index.sources import load_document
from index.store import IndexStore, StoreLocation
from qa.generate import Generator, LLMSettings
from qa.pipeline import QAPipeline

QUALITY_COLUMNS = ["questions", "hit@1", "hit@5", "mrr", "ndcg@10", "answer_accuracy", "in_language",
                   "abstain_precision", "abstain_recall", "false_abstention", "latency_p50_ms", "latency_p95_ms"]
STYLE_COLUMNS = ["questions", "hit@5", "as_question", "type_accuracy", "sentence_accuracy", "answer_accuracy", "abstain_recall",
                 "false_abstention"]
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
    """Evaluate one configuration (with the models shipped for its embedder)."""
    return run_pipeline(open_config(config, location), questions, k, progress)


def run_baselines(location: StoreLocation, embedder: str, questions, k: int, progress: bool) -> dict[str, dict]:
    """Summaries of the baseline configurations; another embedder's index goes in a scratch folder."""
    summaries = {}
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as scratch:
        for retriever, other in BASELINES:
            where = location if other == embedder else replace(location, persist_dir=Path(scratch), chroma_url=None)
            config = Config(retriever, other)
            summaries[config.name] = summarize(run_config(config, where, questions, k, progress), k)
    return summaries


def run_transfer(embedder: str, k: int, progress: bool) -> list[QuestionResult]:
    """The transfer document's own questions, answered from a scratch index of that document alone
    by the models shipped for ``embedder`` (fitted on the article's questions only)."""
    with tempfile.TemporaryDirectory(prefix="qa-transfer-") as scratch:
        location = StoreLocation(Path(scratch) / "index")
        IndexStore(location, get_embedder(embedder)).build([load_document(TRANSFER_DOCUMENT)], progress=False)
        pipeline = QAPipeline.open(location, embedder, build_if_missing=False)
        return answered_with(pipeline, ask_all(pipeline, load_questions(TRANSFER_SET), progress), k=k)


def compare_row(summary: dict) -> dict:
    """The "all" metrics plus hit@1 per language, for the side-by-side table."""
    return {**summary["all"], **{f"{g} hit@1": summary[g]["hit@1"] for g in GROUPS[1:]}}


def run_eval_command(args: argparse.Namespace, location: StoreLocation) -> int:
    """The ``qa eval`` command: every figure cross-validated by fact (models fitted on the training
    corpus without the fact asked about), per language and per style; the transfer document
    answered by the shipped models."""
    questions = load_questions(args.set or DEFAULT_SET)
    training = load_questions(args.training or TRAINING_SET)
    progress = not args.quiet
    primary = Config(args.retriever, args.embedder)
    pipeline = open_config(primary, location)
    texts = list(pipeline.retriever.catalog.all_texts())
    for qid, anchor in missing_anchors(questions, "\n".join(texts))[:5]:
        print(f"warning: {qid}: anchor {anchor!r} is in no passage of the index", file=sys.stderr)
    asked, asked_training = ask_all(pipeline, questions, progress), ask_all(pipeline, training, progress)
    everything = args.set is None  # the default sets: the typed questions and the messages too
    asked_typed = ask_all(pipeline, load_questions(TYPED_SET), progress) if everything else []
    heard = hear_all(pipeline, load_messages(MESSAGE_SET), progress)
    (results, training_results, typed_results), intents = cross_validated(
        pipeline, asked_training, [asked, asked_training, asked_typed], args.k, texts, progress, heard)
    messages = answer_messages(pipeline, hear_all(pipeline, load_messages(MESSAGE_EVAL_SET), progress)) \
        if everything else []
    trained_messages = cross_validated_intents(heard, intents)
    languages = language_table(pipeline.reader) if everything else {}
    shipped = answered_with(pipeline, asked, k=args.k, texts=texts)
    transfer = run_transfer(primary.embedder, args.k, progress) if args.set is None and not args.no_transfer else []
    followups = evaluate_followups(pipeline, load_followups()) if args.set is None else {}
    summaries = {primary.name: summarize(results, args.k)}
    styles = summarize(training_results, args.k, by="style")
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
            for name, chosen in (("evaluation", results), ("training", training_results), ("typed", typed_results),
                                 ("transfer", transfer), ("messages", messages), ("training-messages", trained_messages)):
                for result in chosen:
                    out.write(json.dumps({"set": name, **result.to_dict()}, ensure_ascii=False) + "\n")
            for record in generated_results:  # then what the model said, marked as such
                out.write(json.dumps({"step": "generated", **record.to_dict()}, ensure_ascii=False) + "\n")
    report = {**summaries, "styles": styles, "training-by-language": summarize(training_results, args.k),
              "shipped-models": summarize(shipped, args.k),
              "training-messages": summarize_messages(trained_messages),
              **({"languages": languages, "typed": summarize(typed_results, args.k, by="style"), "messages": summarize_messages(messages),
                  "messages-by-language": summarize_messages(messages, by="language")} if everything else {}),
              **({"transfer": summarize(transfer, args.k, by="style")} if transfer else {}),
              **({"follow-ups": followups} if followups else {}), **({"generated": generated} if generated else {})}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print_report(report, primary, len(questions), len(training), args.k, llm.url if generator else None,
                 generator.model if generator else None)
    return 0


def print_report(report: dict, primary: Config, questions: int, training: int, k: int, llm_url: str | None,
                 llm_model: str | None) -> None:
    """The ``qa eval`` tables, in Markdown."""
    quality = [c.replace("hit@5", f"hit@{k}") for c in QUALITY_COLUMNS]
    print(f"## {primary.name}: {questions} questions of the evaluation set, k={k}; answer models cross-validated "
          f"({FOLDS}-fold by fact, fitted on {training} training questions without the fact asked about)\n")
    print(format_table(report[primary.name], quality))
    print(f"\n## Training corpus by style ({training} questions; each answered by models fitted without its fact)\n")
    print(format_table(report["styles"], [c.replace("hit@5", f"hit@{k}") for c in STYLE_COLUMNS]))
    print("\n## Training corpus by language (cross-validated)\n")
    print(format_table(report["training-by-language"], [c.replace("hit@5", f"hit@{k}") for c in STYLE_COLUMNS]))
    if "languages" in report:
        print("\n## Language of the question by style: cross-validated by fact on the training texts (with their "
              "typed variants, marked *), on the held-out questions and messages by the learned step and by the rule "
              "it replaced\n")
        print(format_table(report["languages"], LANGUAGE_COLUMNS))
    if "typed" in report:
        print("\n## Typed as people type: Kyrgyz in Latin letters, mixed Russian–Kyrgyz (eval/data/typed.jsonl; "
              "cross-validated by fact)\n")
        print(format_table(report["typed"], [c.replace("hit@5", f"hit@{k}") for c in STYLE_COLUMNS + ["in_language"]]))
    print("\n## Intent of the training messages (small talk, off-topic, whole document; cross-validated by group)\n")
    print(format_table(report["training-messages"], INTENT_COLUMNS))
    if "messages" in report:
        print("\n## Held-out messages (eval/data/intents.jsonl, never fitted on; shipped models): recognised = right "
              "intent, reply in the asker's language, cited only when about the document\n")
        print(format_table(report["messages"], MESSAGE_COLUMNS))
        print()
        print(format_table(report["messages-by-language"], MESSAGE_COLUMNS))
    print("\n## Evaluation set with the shipped models (fitted on the whole training corpus, which asks about the "
          "same article: in-sample by fact, for comparison only)\n")
    print(format_table(report["shipped-models"], ABSTENTION_COLUMNS))
    if "transfer" in report:
        print(f"\n## Transfer: {TRANSFER_DOCUMENT.name} and its own questions, shipped models (fitted on the article "
              "only)\n")
        print(format_table(report["transfer"], [c.replace("hit@5", f"hit@{k}") for c in STYLE_COLUMNS]))
    if "follow-ups" in report:
        print("\n## Follow-ups: asked alone vs completed from the previous question\n")
        print(format_table(report["follow-ups"], FOLLOWUP_COLUMNS))
    generated = report.get("generated")
    if generated:
        print(f"\n## Generated answers: {llm_model} at {llm_url} (pass_rate = verified among the answers sent to "
              "the model)\n")
        print(format_table(generated, GENERATED_COLUMNS))
        if reason_columns(generated):
            print("\nFallback reasons (the quoted answer was shown instead):\n")
            print(format_table(reasons_table(generated), reason_columns(generated)))
    if len([name for name in report if " · " in name]) > 1:
        print("\n## Side by side (all languages; hit@1 per language; shipped models)\n")
        print(format_table({name: compare_row(s) for name, s in report.items() if " · " in name},
                           [c.replace("hit@5", f"hit@{k}") for c in COMPARE_COLUMNS]))
