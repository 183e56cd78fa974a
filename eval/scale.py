"""Scale: synthetic qa indexes of 1k–100k passages (vectors precomputed), measured end to end.

Passages are recombined from the article's sentences; a passage's vector is the normalised mean of
its sentences' real e5 vectors, so the scale test measures retrieval, not embedding. Each size is a
real qa build (passages, sentences, keyword index, pointer), opened and asked like the article.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace

import numpy as np
from tqdm import tqdm

from eval import metrics
from eval.servers import index_args, measured_ask
from index.corpus import default_document
from index.embedders import get_embedder
from index.chunk import sentences_without_titles
from index.store import DocumentRecord, IndexStore, StoreLocation
from qa.pipeline import QAPipeline

INSERT_BATCH = 5000
SENTENCES_PER_PASSAGE = 3


def base_sentences(store: IndexStore) -> tuple[list[str], np.ndarray]:
    """The article's sentences and their vectors."""
    texts = [s for p in default_document().passages for s in sentences_without_titles(p.text, p.section)]
    return texts, store.embeddings.embed_documents_array(texts)


def synthetic_build(store: IndexStore, size: int, texts: list[str], vectors: np.ndarray,
                    rng: np.random.Generator) -> dict:
    """A complete qa build of ``size`` synthetic passages (one sentence record each), made active."""
    client, build = store.client, store.new_build()
    passages = client.create_collection(f"{build}-passages", embedding_function=None,
                                        metadata={"hnsw:space": "cosine"})
    sentences = client.create_collection(f"{build}-sentences", embedding_function=None,
                                         metadata={"hnsw:space": "cosine"})
    kept: dict[str, tuple[str, dict]] = {}
    for start in tqdm(range(0, size, INSERT_BATCH), desc=f"inserting {size} passages", leave=False):
        picks = rng.integers(0, len(texts), size=(min(size, start + INSERT_BATCH) - start, SENTENCES_PER_PASSAGE))
        mean = vectors[picks].mean(axis=1)
        mean /= np.linalg.norm(mean, axis=1, keepdims=True)
        ids = [f"s{start + i}" for i in range(len(picks))]
        docs = [" ".join(texts[j] for j in row) for row in picks]
        metas = [{"doc": "synthetic.txt", "section": f"Section {(start + i) // 100}", "kind": "body",
                  "language": "ky", "paragraph": (start + i) % 100 + 1, "paragraph_end": (start + i) % 100 + 1,
                  "start": (start + i) * 1000, "end": (start + i) * 1000 + len(doc), "page": 0, "id": pid}
                 for i, (pid, doc) in enumerate(zip(ids, docs))]
        passages.add(ids=ids, embeddings=mean, documents=docs, metadatas=metas)
        sentences.add(ids=[f"{pid}:0" for pid in ids], embeddings=vectors[picks[:, 0]],
                      documents=[texts[row[0]] for row in picks],
                      metadatas=[{"passage_id": pid, "sentence": 0, "doc": "synthetic.txt"} for pid in ids])
        kept.update({pid: (doc, meta) for pid, doc, meta in zip(ids, docs, metas)})
    record = DocumentRecord("synthetic.txt", "", f"synthetic-{size}", "text", size)
    return store.publish(build, [record], kept, store.manifest())


def measure_size(location: StoreLocation, embedder: str, size: int, questions: list[str], texts: list[str],
                 vectors: np.ndarray) -> dict[str, float]:
    """Build one synthetic index of ``size`` passages and measure opening it and asking it."""
    where = replace(location, collection=f"bench-{size}")
    embeddings = get_embedder(embedder)
    store = IndexStore(where, embeddings)
    started = time.perf_counter()
    manifest = synthetic_build(store, size, texts, vectors, np.random.default_rng(size))
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    pipeline = QAPipeline.open(where, embedder, build_if_missing=False)
    open_s = time.perf_counter() - started
    shutil.rmtree(store.keyword_dir(manifest["active"]))
    started = time.perf_counter()
    QAPipeline.open(where, embedder, build_if_missing=False)  # keyword index rebuilt from Chroma, as on a new machine
    open_fresh_s = time.perf_counter() - started
    cold_ask_s, ask_peak_mb = measured_ask([questions[0], "--json", *index_args(where, embedder)])
    ask_ms, dense_ms = [], []
    for question in questions:
        vector = embeddings.embed_query_array(question).tolist()
        started = time.perf_counter()
        store.client.get_collection(f"{manifest['active']}-passages", embedding_function=None).query(
            query_embeddings=[vector], n_results=50)
        dense_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        pipeline.ask(question)
        ask_ms.append((time.perf_counter() - started) * 1000)
    store.drop()
    return {"passages": size, "build_s": build_s, "open_s": open_s, "open_fresh_s": open_fresh_s,
            "ask_p50_ms": metrics.percentile(ask_ms, 50), "ask_p95_ms": metrics.percentile(ask_ms, 95),
            "dense_p50_ms": metrics.percentile(dense_ms, 50), "dense_p95_ms": metrics.percentile(dense_ms, 95),
            "cold_ask_s": cold_ask_s, "ask_peak_mb": ask_peak_mb}
