"""The ``qa`` command: index, ask, eval, bench and ui."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import qa  # noqa: F401  (offline switches first)
from qa.errors import QAError
from qa.jsonl import read_jsonl
from qa.result import Answer

EXIT_ERROR = 2
EXIT_PARTIAL = 1


def _common(parser: argparse.ArgumentParser) -> None:
    """Options every command shares: where the index is and which embedder built it."""
    parser.add_argument("--persist-dir", type=Path, default=Path(os.environ.get("QA_PERSIST_DIR", ".qa_index")),
                        help="embedded index folder (default .qa_index, or $QA_PERSIST_DIR)")
    parser.add_argument("--chroma-url", default=os.environ.get("QA_CHROMA_URL"),
                        help="use a Chroma server at http://HOST:PORT instead (or $QA_CHROMA_URL)")
    parser.add_argument("--collection", default=os.environ.get("QA_COLLECTION", "qa-index"),
                        help="name of the index in Chroma (default qa-index)")
    parser.add_argument("--embedder", default=os.environ.get("QA_EMBEDDER", "e5"),
                        help="e5 (default), minilm, or st:MODEL (sentence-transformers folder or name)")


def _llm_options(parser: argparse.ArgumentParser) -> None:
    """Options of the optional generated answers (an OpenAI-compatible server; none: extractive only)."""
    parser.add_argument("--llm-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1, for generated "
                        "answers checked against the passages (or $QA_LLM_URL; key in $QA_LLM_API_KEY)")
    parser.add_argument("--llm-model", help="model name on that server (or $QA_LLM_MODEL; default: the first listed)")
    parser.add_argument("--llm-timeout", type=float, help="seconds to wait for a generated answer (default 60, "
                        "or $QA_LLM_TIMEOUT)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="qa", description="Cited answers from the article on Kyrgyz-Chinese "
                                     "relations and the Belt and Road Initiative, in Kyrgyz, Russian or English.")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="build the index of the default article, or add documents to it")
    _common(index)
    index.add_argument("paths", nargs="*", type=Path, help=".txt, .md or .pdf files to add (or replace)")
    index.add_argument("--translation", action="append", default=[], metavar="LANG=FILE",
                       help="a translation of the one document given (ru=notes.ru.txt); NAME.ru.txt and NAME.en.txt "
                            "beside NAME.txt are picked up by themselves")
    index.add_argument("--remove", action="append", default=[], metavar="NAME", help="remove a document by name")
    index.add_argument("--list", action="store_true", help="list the indexed documents")
    index.add_argument("--force", action="store_true", help="embed everything again even if unchanged")
    index.add_argument("--quiet", action="store_true", help="no progress bars")

    ask = sub.add_parser("ask", help="answer a question with cited passages")
    _common(ask)
    ask.add_argument("question", nargs="?", help="the question (in Kyrgyz, Russian or English)")
    ask.add_argument("--batch", type=Path, help="JSONL file: one {\"question\", \"id\"} object per line")
    ask.add_argument("--k", type=int, default=5, help="number of cited passages (default 5)")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per line with --batch)")
    ask.add_argument("--frame", default="auto", choices=["auto", "ky", "ru", "en"],
                     help="language of the answer's framing (default: the question's)")
    _llm_options(ask)

    ev = sub.add_parser("eval", help="score the evaluation set (quality per language, baselines)")
    _common(ev)
    ev.add_argument("--set", type=Path, help="evaluation set (JSONL; default eval/data/questions.jsonl)")
    ev.add_argument("--k", type=int, default=5)
    ev.add_argument("--json", action="store_true", help="print the summary as JSON")
    ev.add_argument("--retriever", default="hybrid", choices=["hybrid", "dense", "bm25"])
    ev.add_argument("--compare", action="store_true",
                    help="also run the baselines (bm25, dense, minilm) and show them side by side")
    ev.add_argument("--details", type=Path, help="write one JSON line per question (expected vs got)")
    ev.add_argument("--training", type=Path, help="training corpus the cross-validated models are fitted on "
                    "(default eval/training/questions.jsonl)")
    ev.add_argument("--no-transfer", action="store_true", help="skip the second document (eval/transfer)")
    ev.add_argument("--quiet", action="store_true", help="no progress bars")
    _llm_options(ev)
    ev.add_argument("--llm-questions", type=int, metavar="N",
                    help="send only N questions of each language, spread evenly over the set, to the model (default: all)")

    train = sub.add_parser("train", help="fit the answer models on the training corpus and save them "
                           "(needs the train extra)")
    _common(train)
    train.add_argument("--set", type=Path, help="training corpus (JSONL; default eval/training/questions.jsonl)")
    train.add_argument("--out", type=Path, help="folder to save the models in (default: the package's own, or "
                       "$QA_MODELS_DIR, where answering reads them)")
    train.add_argument("--messages", type=Path, help="small-talk, off-topic and whole-document messages for the "
                       "intent model (JSONL; default eval/training/intents.jsonl)")
    train.add_argument("--quiet", action="store_true", help="no progress bars")

    bench = sub.add_parser("bench", help="speed, memory and scale benchmarks; writes eval/reports/")
    _common(bench)
    bench.add_argument("--sizes", default="1000,10000,100000", help="synthetic corpus sizes for the scale test")
    bench.add_argument("--out", type=Path, default=Path("eval/reports"), help="report folder")
    bench.add_argument("--only", choices=["all", "api"], default="all",
                       help="api: only the load on qa serve (one process, two replicas), put into the existing report")

    ui = sub.add_parser("ui", help="serve the chat UI")
    _common(ui)
    _serving_options(ui, 7860)
    _llm_options(ui)

    serve = sub.add_parser("serve", help="serve the OpenAI-compatible and REST API (key in $QA_API_KEY)")
    _common(serve)
    _serving_options(serve, 8800)
    serve.add_argument("--max-body", type=int, default=os.environ.get("QA_API_MAX_BODY", "65536"),
                       help="largest request body in bytes (default 65536, or $QA_API_MAX_BODY)")
    serve.add_argument("--rate-limit", type=int, default=os.environ.get("QA_API_RATE_LIMIT", "120"),
                       help="requests a minute per client, 0 for no limit (default 120, or $QA_API_RATE_LIMIT)")
    serve.add_argument("--ui", action="store_true", help="also serve the chat UI at /")
    _llm_options(serve)
    return parser


def _serving_options(parser: argparse.ArgumentParser, port: int) -> None:
    """Where a server listens, and how often it looks for a rebuilt index."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--refresh", type=float, default=os.environ.get("QA_REFRESH", "5"),
                        help="seconds between checks for a rebuilt index (default 5, or $QA_REFRESH)")


def _generator(args: argparse.Namespace):
    """The generated-answer step if a server is configured (qa.generate), else None."""
    from qa.generate import Generator, LLMSettings

    settings = LLMSettings.from_env_and_args(args)
    if settings.timeout <= 0:
        raise QAError("--llm-timeout must be more than 0 seconds")
    return Generator(settings) if settings.enabled else None


def _report_fallback(answer: Answer, reported: set[str]) -> None:
    """One line on stderr per kind of fallback (a server that is down is said once, not per question)."""
    from qa.verify import reason_code

    code = reason_code(answer.fallback_reason)
    if code is not None and code not in reported:
        reported.add(code)
        print(f"qa: quoting the article instead of a generated answer ({answer.fallback_reason})", file=sys.stderr)


def _location(args: argparse.Namespace):
    from index.store import StoreLocation

    return StoreLocation(args.persist_dir, args.chroma_url, args.collection)


def command_index(args: argparse.Namespace) -> int:
    """Build or update the index: the default article, or the given files; list or remove documents."""
    from index.corpus import default_document
    from index.embedders import get_embedder
    from index.sources import load_document
    from index.store import IndexStore
    from index.translations import parse_translation_option, read_translation
    from index.update import plan_update

    started = time.perf_counter()
    translations = [read_translation(*parse_translation_option(value)) for value in args.translation]
    if translations and len(args.paths) != 1:
        raise QAError("--translation goes with exactly one document: qa index DOC --translation ru=DOC.ru.txt")
    store = IndexStore(_location(args), get_embedder(args.embedder))
    current = store.documents()
    if args.list:
        for record in current:
            languages = ",".join(sorted(record.translations)) or "-"
            print(f"{record.name}\t{record.kind}\t{record.passages} passages\ttranslations {languages}\t"
                  f"{record.hash[:12]}\t{record.path}")
        return 0
    wanted, failed = [], 0
    for path in args.paths:
        try:
            wanted.append(load_document(path).with_translations(translations))
        except QAError as problem:
            failed += 1
            print(f"qa: skipped {problem}", file=sys.stderr)
    if not args.paths and not args.remove:
        wanted = [default_document()]
    elif not current and wanted and all(doc.name != default_document().name for doc in wanted):
        wanted.insert(0, default_document())  # the default corpus stays the article
    if args.paths and not wanted:
        raise QAError("none of the files could be indexed")
    plan = plan_update(current, wanted, args.remove, args.force)
    if plan.changes or not store.manifest():
        manifest = store.build(plan.embed, keep=plan.keep, progress=not args.quiet)
        summary = f"indexed {manifest['passages']} passages in {time.perf_counter() - started:.1f} s"
    else:
        summary = "index is up to date"
    for line in plan.report:
        print(f"  {line}", file=sys.stderr)
    print(f"{summary} in {store.location.describe()}", file=sys.stderr)
    return EXIT_PARTIAL if failed else 0


def format_answer(answer: Answer, several_documents: bool = False) -> str:
    """Human-readable answer with numbered sources (named by document when there are several)."""
    lines = [answer.answer, ""]
    if answer.generated:
        lines[1:1] = [f"(generated by {answer.model}, checked against the sources below)", ""]
    lines.append("Related passages:" if answer.abstained else "Sources:")
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.place(several_documents)} ({c.language}, {c.kind}, score {c.score:.3f})")
        lines.extend("    " + line for line in c.text.splitlines() if line.strip())
        if c.translation:
            lines.append(f"    our translation: {c.translation}")
    return "\n".join(lines)


def _batch_questions(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, parsed object or None, error or None) for each non-blank line."""
    for number, row, problem in read_jsonl(path, "batch file"):
        if row is not None and not isinstance(row.get("question"), str):
            row, problem = None, "expected an object with a \"question\" string"
        yield number, row, problem


def command_ask(args: argparse.Namespace) -> int:
    """Answer one question, or a batch file of them."""
    from qa.pipeline import QAPipeline, validate_question

    if (args.question is None) == (args.batch is None):
        raise QAError("give a question or --batch FILE (one of them)")
    if args.k < 1:
        raise QAError("--k must be at least 1")
    if args.question is not None:
        validate_question(args.question)
    else:
        rows = list(_batch_questions(args.batch))
    pipeline = QAPipeline.open(_location(args), args.embedder)
    generator, reported = _generator(args), set()
    several = len(pipeline.retriever.index.documents) > 1
    if args.question is not None:
        answer = pipeline.ask(args.question, k=args.k, frame=args.frame)
        if generator is not None:
            answer = generator.answer(answer, frame=args.frame)
            _report_fallback(answer, reported)
        print(answer.to_json() if args.json else format_answer(answer, several))
        return 0
    failed = 0
    for number, row, error in rows:
        if row is not None:
            try:
                qid = None if row.get("id") is None else str(row["id"])
                answer = pipeline.ask(row["question"], k=args.k, frame=args.frame, qid=qid)
                if generator is not None:
                    answer = generator.answer(answer, frame=args.frame)
                    _report_fallback(answer, reported)
                print(answer.to_json() if args.json else format_answer(answer, several) + "\n", flush=True)
                continue
            except QAError as problem:
                error = str(problem)
        failed += 1
        print(f"{args.batch}:{number}: {error}", file=sys.stderr)
    return EXIT_PARTIAL if failed else 0


def command_eval(args: argparse.Namespace) -> int:
    """Score the evaluation set."""
    from eval.report import run_eval_command

    return run_eval_command(args, _location(args))


def command_train(args: argparse.Namespace) -> int:
    """Fit the answer models on the training corpus and save them for the embedder."""
    from eval.learned import run_train_command

    return run_train_command(args, _location(args))


def command_bench(args: argparse.Namespace) -> int:
    """Run the benchmarks and write the report."""
    from eval.benchmark import run_benchmarks

    return run_benchmarks(args, _location(args))


def command_ui(args: argparse.Namespace) -> int:
    """Serve the chat UI until interrupted."""
    from ui.app import serve

    serve(_location(args), args.embedder, args.host, args.port, generator=_generator(args), refresh=args.refresh)
    return 0


def command_serve(args: argparse.Namespace) -> int:
    """Serve the API until interrupted."""
    from api.app import APISettings, serve

    serve(_location(args), args.embedder, args.host, args.port, APISettings.checked(args.max_body, args.rate_limit),
          generator=_generator(args), refresh=args.refresh, ui=args.ui)
    return 0


COMMANDS = {"index": command_index, "ask": command_ask, "eval": command_eval, "train": command_train,
            "bench": command_bench, "ui": command_ui, "serve": command_serve}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``qa`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except QAError as error:
        print(f"qa: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("qa: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
