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
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import psutil
from tqdm import tqdm

from eval import metrics
from eval.dataset import load_questions
from eval.report import Config, compare_row, run_baselines, run_config
from eval.run import GROUPS, format_table, summarize
from index.corpus import default_document
from index.embedders import get_embedder
from index.store import IndexStore, StoreLocation, open_client
from qa.pipeline import QAPipeline

COLD_RUNS = 3
WARM_QUESTIONS = 60
SCALE_QUERIES = 50


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def machine() -> dict[str, str]:
    """What the benchmark ran on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
            "python": platform.python_version(), "system": platform.platform(), "date": time.strftime("%Y-%m-%d %H:%M")}


def bench_build(location: StoreLocation, embedder: str) -> dict[str, float]:
    """Index the article from scratch into a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as scratch:
        store = IndexStore(replace(location, persist_dir=Path(scratch), chroma_url=None), get_embedder(embedder))
        started = time.perf_counter()
        manifest = store.build([default_document()], progress=False)
        seconds = time.perf_counter() - started
    return {"build_s": seconds, "passages": manifest["passages"], "passages_per_s": manifest["passages"] / seconds}


def bench_cold(location: StoreLocation, embedder: str) -> dict[str, float]:
    """``qa ask`` as a fresh process, the index already built: wall time and peak memory."""
    args = [sys.executable, "-m", "qa.cli", "ask", "Кытай Кыргызстанга канча инвестиция салды?", "--json",
            "--persist-dir", str(location.persist_dir), "--collection", location.collection, "--embedder", embedder]
    if location.chroma_url:
        args += ["--chroma-url", location.chroma_url]
    subprocess.run(args, capture_output=True, check=True)  # builds the index if it is missing
    times = []
    for _ in tqdm(range(COLD_RUNS), desc="cold starts", leave=False):
        started = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"cold_p50_s": metrics.percentile(times, 50), "cold_max_s": max(times), "ask_peak_mb": peak_kb / 1024}


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
            "embed_p50_ms": p50_embed, "ratio_p50": p50_answer / p50_embed, "process_rss_mb": _rss_mb()}


def synthetic_corpus(size: int, base_texts: list[str], base_vectors: np.ndarray,
                     rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """``size`` passages recombined from the article's sentences: text and a matching unit vector
    (the normalised mean of the sentences' own vectors)."""
    picks = rng.integers(0, len(base_texts), size=(size, 3))
    texts = [" ".join(base_texts[i] for i in row) for row in picks]
    vectors = base_vectors[picks].mean(axis=1)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return texts, vectors.astype(np.float32)


def bench_scale(location: StoreLocation, sizes: list[int], pipeline: QAPipeline) -> list[dict[str, float]]:
    """Chroma and BM25 at each corpus size: insert time, query latency p50/p95, memory."""
    from index.keyword import KeywordIndex
    from index.store import sentence_records

    records = sentence_records(default_document().passages)
    texts = [text for _, text, _ in records]
    vectors = pipeline.embeddings.embed_documents_array(texts)
    queries = np.stack([pipeline.embeddings.embed_query_array(q.question)
                        for q in load_questions()[:SCALE_QUERIES]])
    rows, rng = [], np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="qa-scale-") as scratch:
        where = replace(location, persist_dir=Path(scratch)) if not location.chroma_url else location
        client = open_client(where)
        for size in sizes:
            corpus, matrix = synthetic_corpus(size, texts, vectors, rng)
            name = f"bench-scale-{size}"
            if name in {c.name for c in client.list_collections()}:
                client.delete_collection(name)
            collection = client.create_collection(name, embedding_function=None,
                                                  metadata={"hnsw:space": "cosine"})
            started = time.perf_counter()
            batch = 5000
            for start in tqdm(range(0, size, batch), desc=f"insert {size}", leave=False):
                stop = min(size, start + batch)
                collection.add(ids=[f"s{i}" for i in range(start, stop)], embeddings=matrix[start:stop],
                               documents=corpus[start:stop])
            insert_s = time.perf_counter() - started
            started = time.perf_counter()
            keywords = KeywordIndex.build([f"s{i}" for i in range(size)], corpus)
            bm25_build_s = time.perf_counter() - started
            dense_ms, bm25_ms = [], []
            for q, question in zip(queries, load_questions()[:SCALE_QUERIES]):
                started = time.perf_counter()
                collection.query(query_embeddings=[q], n_results=50)
                dense_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                keywords.scores(question.question)
                bm25_ms.append((time.perf_counter() - started) * 1000)
            rows.append({"passages": size, "insert_s": insert_s, "bm25_build_s": bm25_build_s,
                         "dense_p50_ms": metrics.percentile(dense_ms, 50),
                         "dense_p95_ms": metrics.percentile(dense_ms, 95),
                         "bm25_p50_ms": metrics.percentile(bm25_ms, 50),
                         "bm25_p95_ms": metrics.percentile(bm25_ms, 95), "process_rss_mb": _rss_mb()})
            client.delete_collection(name)
    return rows


def plot(scale: list[dict], quality: dict, out: Path) -> list[str]:
    """Two PNGs: latency against corpus size, and quality per language."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    if scale:
        fig, ax = plt.subplots(figsize=(6, 4))
        sizes = [r["passages"] for r in scale]
        for key, label in (("dense_p50_ms", "Chroma query p50"), ("dense_p95_ms", "Chroma query p95"),
                           ("bm25_p50_ms", "BM25 p50")):
            ax.plot(sizes, [r[key] for r in scale], marker="o", label=label)
        ax.set(xscale="log", xlabel="passages", ylabel="ms", title="Query latency against corpus size")
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


def run_benchmarks(args: argparse.Namespace, location: StoreLocation) -> int:
    """The ``qa bench`` command: run everything, print the tables, write the report."""
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    build = bench_build(location, args.embedder)
    cold = bench_cold(location, args.embedder)
    pipeline = QAPipeline.open(location, args.embedder)
    warm = bench_warm(pipeline)
    questions = load_questions()
    primary_config = Config("hybrid", args.embedder)
    quality = {primary_config.name: summarize(run_config(primary_config, location, questions, 5, True)),
               **run_baselines(location, args.embedder, questions, 5, True)}
    scale = bench_scale(location, sizes, pipeline)
    primary = quality[primary_config.name]
    pictures = plot(scale, primary, args.out)
    speed = {"article": {**build, **cold, **warm}}
    sections = [
        f"# Benchmark report ({'Chroma server ' + location.chroma_url if location.chroma_url else 'embedded Chroma'})",
        "", "## Machine", "", *[f"- {k}: {v}" for k, v in machine().items()], "",
        "## Quality per language (hybrid · " + args.embedder + ")", "",
        format_table(primary, ["questions", "hit@1", "hit@5", "mrr", "ndcg@10", "answer_accuracy",
                               "abstain_precision", "abstain_recall", "false_abstention"]), "",
        "## Baselines side by side", "",
        format_table({name: compare_row(s) for name, s in quality.items()},
                     ["hit@1", "hit@5", "mrr", "ndcg@10", "answer_accuracy", "ky hit@1", "ru hit@1", "en hit@1"]), "",
        "## Speed and memory (the article)", "",
        format_table(speed, ["build_s", "passages", "passages_per_s", "cold_p50_s", "cold_max_s", "ask_peak_mb",
                             "answer_p50_ms", "answer_p95_ms", "embed_p50_ms", "ratio_p50", "process_rss_mb"]), "",
        "## Scale (synthetic passages, precomputed vectors)", "",
        format_table({str(r["passages"]): r for r in scale},
                     ["insert_s", "bm25_build_s", "dense_p50_ms", "dense_p95_ms", "bm25_p50_ms", "bm25_p95_ms",
                      "process_rss_mb"]), "",
        *[f"![{name}]({name})" for name in pictures], "",
    ]
    report = "\n".join(sections)
    (args.out / "benchmark.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"report written to {args.out / 'benchmark.md'}", file=sys.stderr)
    return 0
