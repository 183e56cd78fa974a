"""``qa bench``: speed, memory and scale, printed as tables and written to a Markdown report with plots.

Measured here, never asserted in tests: cold start of ``qa ask`` (process start to first answer),
warm latency per question and its ratio to embedding the question alone, index build time and
passages/s, peak memory, and retrieval at 1k/10k/100k synthetic passages in Chroma (vectors are
precomputed, so the scale test measures retrieval, not embedding).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import psutil
from tqdm import tqdm

from eval import metrics
from eval.dataset import load_questions
from eval.load import API_CLIENTS, API_SECONDS, USERS, run_api_load, run_load
from eval.report import Config, compare_row, run_baselines, run_config
from eval.run import GROUPS, format_table, summarize
from eval.scale import base_sentences, measure_size
from eval.servers import free_port, index_args, measured_ask, start_chroma, start_serve, start_ui, stop
from index.corpus import default_document
from index.embedders import get_embedder
from index.store import IndexStore, StoreLocation
from qa.pipeline import QAPipeline

COLD_RUNS = 3
REPLICAS = (1, 2)
API_HEADING = f"## Load: {API_CLIENTS} concurrent clients through `qa serve`'s OpenAI-compatible API"
COLD_QUESTION = "Кытай Кыргызстанга канча инвестиция салды?"
WARM_QUESTIONS = 60
SCALE_QUERIES = 50


def machine() -> dict[str, str]:
    """What the benchmark ran on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
            "python": platform.python_version(), "system": platform.platform(), "date": time.strftime("%Y-%m-%d %H:%M")}


def bench_build(location: StoreLocation, embedder: str) -> dict[str, float]:
    """Index the article from scratch (into a collection of its own, dropped afterwards)."""
    store = IndexStore(replace(location, collection="bench-build"), get_embedder(embedder))
    started = time.perf_counter()
    manifest = store.build([default_document()], progress=False)
    seconds = time.perf_counter() - started
    store.drop()
    return {"build_s": seconds, "passages": manifest["passages"], "passages_per_s": manifest["passages"] / seconds}


def bench_cold(location: StoreLocation, embedder: str) -> dict[str, float]:
    """``qa ask`` as a fresh process, the index already built: wall time and its own peak memory."""
    runs = [measured_ask([COLD_QUESTION, "--json", *index_args(location, embedder)])
            for _ in tqdm(range(COLD_RUNS), desc="cold starts", leave=False)]
    times = [seconds for seconds, _ in runs]
    return {"cold_p50_s": metrics.percentile(times, 50), "cold_max_s": max(times),
            "ask_peak_mb": max(peak for _, peak in runs)}


def bench_warm(pipeline: QAPipeline) -> dict[str, float]:
    """Per-question latency in a warm process, and the time to embed the question alone."""
    questions = [q.question for q in load_questions()][:WARM_QUESTIONS]
    answer_ms, embed_ms = [], []
    for question in tqdm(questions, desc="warm questions", leave=False):
        started = time.perf_counter()
        pipeline.embeddings.embed_query_array(question)
        embed_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        pipeline.ask(question)
        answer_ms.append((time.perf_counter() - started) * 1000)
    p50_answer, p50_embed = metrics.percentile(answer_ms, 50), metrics.percentile(embed_ms, 50)
    return {"answer_p50_ms": p50_answer, "answer_p95_ms": metrics.percentile(answer_ms, 95),
            "embed_p50_ms": p50_embed, "ratio_p50": p50_answer / p50_embed}


def plot(scale: dict[str, list[dict]], quality: dict, out: Path) -> list[str]:
    """Two PNGs: answer latency against corpus size (per storage mode), and quality per language."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    if any(scale.values()):
        fig, ax = plt.subplots(figsize=(6, 4))
        for mode, rows in scale.items():
            sizes = [r["passages"] for r in rows]
            ax.plot(sizes, [r["ask_p50_ms"] for r in rows], marker="o", label=f"{mode}: answer p50")
            ax.plot(sizes, [r["ask_p95_ms"] for r in rows], marker="^", linestyle="--", label=f"{mode}: answer p95")
        ax.set(xscale="log", xlabel="passages", ylabel="ms", title="Answer latency against corpus size")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "latency-vs-size.png", dpi=120)
        plt.close(fig)
        names.append("latency-vs-size.png")
    fig, ax = plt.subplots(figsize=(6, 4))
    keys = ["hit@1", "hit@5", "answer_accuracy", "abstain_recall"]
    width = 0.2
    for i, group in enumerate(GROUPS[1:]):
        ax.bar(np.arange(len(keys)) + i * width, [quality[group][k] or 0 for k in keys], width, label=group)
    ax.set_xticks(np.arange(len(keys)) + width, keys)
    ax.set(ylim=(0, 1.05), title="Quality per language (hybrid · e5)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "quality-per-language.png", dpi=120)
    plt.close(fig)
    names.append("quality-per-language.png")
    return names


@contextmanager
def chroma_server(folder: Path):
    """A temporary ``chroma run`` on loopback for the server-mode rows; yields its URL."""
    port = free_port()
    process = start_chroma(folder, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def bench_load(location: StoreLocation, embedder: str) -> dict:
    """20 users at once through the UI's API, the UI serving ``location``."""
    process, url = start_ui(index_args(location, embedder))
    try:
        return run_load(url, [q.question for q in load_questions() if q.answerable])
    finally:
        stop(process)


def bench_api(scratch: Path, embedder: str) -> dict[str, dict]:
    """``API_CLIENTS`` clients for ``API_SECONDS`` against one ``qa serve`` and against two replicas
    sharing one Chroma server (the clients alternate between them, as a round-robin proxy would)."""
    questions = [q.question for q in load_questions() if q.answerable]
    rows = {}
    with chroma_server(scratch / "api-chroma") as url:
        location = StoreLocation(chroma_url=url)
        IndexStore(location, get_embedder(embedder)).build([default_document()], progress=False)
        for count in REPLICAS:
            replicas = []
            try:
                for _ in range(count):
                    replicas.append(start_serve([*index_args(location, embedder), "--rate-limit", "0"]))
                rows[f"{count} process" if count == 1 else f"{count} replicas"] = run_api_load(
                    [u for _, u in replicas], questions)
            finally:
                for process, _ in replicas:
                    stop(process)
    return rows


def api_section(rows: dict[str, dict]) -> str:
    """The report's section on the API under load."""
    return "\n".join([
        API_HEADING, "",
        f"Each client posts `/v1/chat/completions` question after question for {API_SECONDS:.0f} s (answerable "
        "questions of the evaluation set, extractive answers); the replicas share one `chroma run` and all run on "
        "this machine; an error is anything but a 200 with content and citations.", "",
        format_table(rows, ["replicas", "users", "requests", "errors", "p50_ms", "p95_ms", "requests_per_s"]), ""])


def replace_section(report: str, section: str) -> str:
    """``report`` with its API load section replaced by ``section`` (added before the plots if absent)."""
    heading = re.escape(API_HEADING)
    if re.search(f"^{heading}$", report, re.MULTILINE):
        return re.sub(rf"^{heading}\n.*?(?=^## |^!\[|\Z)", lambda _: section + "\n", report,
                      flags=re.MULTILINE | re.DOTALL)
    plots = report.find("\n![")
    return report + "\n" + section if plots < 0 else report[:plots + 1] + section + "\n" + report[plots + 1:]


def bench_mode(location: StoreLocation, embedder: str, sizes: list[int]) -> dict:
    """Everything measured for one way of storing the index (embedded folder or Chroma server)."""
    build = bench_build(location, embedder)
    store = IndexStore(location, get_embedder(embedder))
    if not store.is_current([default_document()]):
        store.build([default_document()], progress=False)
    cold = bench_cold(location, embedder)
    pipeline = QAPipeline.open(location, embedder)
    warm = bench_warm(pipeline)
    texts, vectors = base_sentences(pipeline.store)
    questions = [q.question for q in load_questions()][:SCALE_QUERIES]
    scale = [measure_size(location, embedder, size, questions, texts, vectors)
             for size in tqdm(sizes, desc="scale", leave=False)]
    return {"speed": {**build, **cold, **warm}, "scale": scale, "load": bench_load(location, embedder)}


def run_benchmarks(args: argparse.Namespace, location: StoreLocation) -> int:
    """The ``qa bench`` command: both storage modes, quality and baselines; tables and a report."""
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only == "api":
        return run_api_benchmark(args)
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as scratch:
        api = bench_api(Path(scratch), args.embedder)
        embedded = StoreLocation(Path(scratch) / "embedded")
        results = {"embedded": bench_mode(embedded, args.embedder, sizes)}
        with chroma_server(Path(scratch) / "chroma") as url:
            results["server"] = bench_mode(StoreLocation(chroma_url=url), args.embedder, sizes)
        primary_config = Config("hybrid", args.embedder)
        questions = load_questions()
        quality = {primary_config.name: summarize(run_config(primary_config, embedded, questions, 5, True)),
                   **run_baselines(embedded, args.embedder, questions, 5, True)}
    primary = quality[primary_config.name]
    pictures = plot({mode: r["scale"] for mode, r in results.items()}, primary, args.out)
    report = "\n".join([
        "# Benchmark report", "", "## Machine", "", *[f"- {k}: {v}" for k, v in machine().items()], "",
        f"## Quality per language (hybrid · {args.embedder}; the shipped answer models, fitted on the training "
        "corpus: in-sample by fact, see `qa eval` for cross-validated figures)", "",
        format_table(primary, ["questions", "hit@1", "hit@5", "mrr", "ndcg@10", "answer_accuracy",
                               "abstain_precision", "abstain_recall", "false_abstention"]), "",
        "## Baselines side by side", "",
        format_table({name: compare_row(s) for name, s in quality.items()},
                     ["hit@1", "hit@5", "mrr", "ndcg@10", "answer_accuracy", "ky hit@1", "ru hit@1", "en hit@1"]), "",
        "## Speed and memory (the article)", "",
        "Cold: `qa ask` as a new process with the index built. Ratio: warm answer p50 / embedding the question p50.",
        "",
        format_table({mode: r["speed"] for mode, r in results.items()},
                     ["build_s", "passages_per_s", "cold_p50_s", "cold_max_s", "ask_peak_mb", "answer_p50_ms",
                      "answer_p95_ms", "embed_p50_ms", "ratio_p50"]), "",
        "## Scale (synthetic passages, precomputed vectors)", "",
        "open: opening the pipeline with the keyword index on disk; open_fresh: with it rebuilt from Chroma "
        "(first start on a new machine); cold_ask and ask_peak: `qa ask` as a new process (wall time, its own peak "
        "memory); ask: the whole answer in a warm process; dense: one Chroma query for 50 passages.", "",
        format_table({f"{mode} {row['passages']}": row for mode, r in results.items() for row in r["scale"]},
                     ["build_s", "open_s", "open_fresh_s", "cold_ask_s", "ask_peak_mb", "ask_p50_ms", "ask_p95_ms",
                      "dense_p50_ms", "dense_p95_ms"]), "",
        f"## Load: {USERS} simultaneous users through the UI's API", "",
        format_table({mode: r["load"] for mode, r in results.items()},
                     ["users", "requests", "errors", "p50_ms", "p95_ms", "requests_per_s"]), "",
        api_section(api),
        *[f"![{name}]({name})" for name in pictures], "",
    ])
    (args.out / "benchmark.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"report written to {args.out / 'benchmark.md'}", file=sys.stderr)
    return 0


def run_api_benchmark(args: argparse.Namespace) -> int:
    """``qa bench --only api``: the API load rows, printed and put into the existing report in place."""
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as scratch:
        section = api_section(bench_api(Path(scratch), args.embedder))
    path = args.out / "benchmark.md"
    report = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmark report\n"
    path.write_text(replace_section(report, section), encoding="utf-8")
    print(section)
    print(f"API load section written to {path}", file=sys.stderr)
    return 0
