"""Hybrid retrieval: dense (Chroma) plus keyword (BM25), fused in a way that suits the question's
language, as a LangChain retriever.

Why not reciprocal-rank fusion: across languages BM25 only matches numbers and names, so giving
its ranking the same vote as the dense one hurt Russian and English questions. Here each side's
score is kept: the dense cosine similarity, plus the keyword score (scaled to the best one) times
a weight that depends on whether the question shares the passage's language. Passages in the
question's own language but outside the body (the Russian or English abstract) have an easy
same-language advantage in the dense score; a calibrated offset takes it back so that they do not
crowd out the Kyrgyz body passage that holds the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_chroma import Chroma
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.embedders import IdentifiedEmbeddings
from index.records import ORIGINAL, TRANSLATION_MARK, is_translation, original_id
from index.store import ActiveIndex
from qa.catalog import PassageCatalog
from qa.language import Language, detect_language

CANDIDATES = 50


@dataclass(frozen=True)
class FusionWeights:
    """How much the keyword side counts, the same-language advantage taken back, and how much the
    best single sentence of a passage counts next to the passage as a whole."""

    keyword_main_language: float = 0.10
    keyword_other_language: float = 0.03
    translation_offset: float = 0.09
    sentence_share: float = 0.6


@dataclass(frozen=True)
class SentenceHit:
    """A sentence of a passage (number ``sentence``, in the original or a translation: ``variant``)
    and its similarity to the question."""

    passage_id: str
    similarity: float
    sentence: int = 0
    variant: str = ORIGINAL


@dataclass(frozen=True)
class Ranking:
    """The best passages for a question, and the sentences seen on the way."""

    passages: list["Scored"]
    sentences: list[SentenceHit]


@dataclass(frozen=True)
class Scored:
    """A passage's scores for one question."""

    passage_id: str
    score: float
    dense: float
    keyword: float


class HybridRetriever(BaseRetriever):
    """Dense + keyword retrieval over the active index; documents carry their scores in metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: ActiveIndex
    catalog: PassageCatalog
    embeddings: IdentifiedEmbeddings
    weights: FusionWeights = FusionWeights()
    k: int = 5
    mode: str = "hybrid"  # "hybrid" | "dense" | "bm25" (a baseline: passages in keyword order alone; the
    # dense similarities are still read, since understanding the question and choosing its sentence use them)

    def variants(self, language: Language | None) -> list[str] | None:
        """What a question in ``language`` is matched against: the originals and its own language's
        translation; None when the index has no translation in that language (everything)."""
        return [ORIGINAL, language] if language in self.catalog.translations else None

    def rank(self, question: str, query_vector: np.ndarray, language: Language | None, k: int) -> Ranking:
        """The ``k`` best passages for ``question`` (already embedded as ``query_vector``)."""
        variants = self.variants(language)
        dense, sentences = self._dense(query_vector, variants)
        keyword_by_id = self._keyword(question, language) if self.mode != "dense" else {}
        floor = min(dense.values()) if dense else 0.0
        main = self.catalog.main_language
        own_words = language == main or variants is not None
        weight = self.weights.keyword_main_language if own_words else self.weights.keyword_other_language
        candidates = set(keyword_by_id) if self.mode == "bm25" else set(dense) | set(keyword_by_id)
        self.catalog.ensure(candidates)
        scored = []
        for pid in candidates:
            passage_language = self.catalog.meta(pid).get("language")
            kw = keyword_by_id.get(pid, 0.0)
            if self.mode == "bm25":
                score = kw
            else:
                translation = passage_language == language != main
                score = dense.get(pid, floor) + (weight * kw if self.mode == "hybrid" else 0.0) - \
                    (self.weights.translation_offset if translation else 0.0)
            scored.append(Scored(pid, score, dense.get(pid, floor), kw))
        scored.sort(key=lambda s: (-s.score, s.passage_id))
        top = scored[:k]
        return Ranking(top, self._sentences_of(top, query_vector, sentences, variants))

    def _keyword(self, question: str, language: Language | None) -> dict[str, float]:
        """The best keyword matches among the originals and the question's own language's
        translations, by original passage, scores scaled so that the best one is 1."""
        scores = self.catalog.keywords.scores(question)
        if not scores.size or scores.max() <= 0:
            return {}
        best: dict[str, float] = {}
        for i in np.argsort(-scores)[:3 * CANDIDATES]:
            record = self.catalog.ids[i]
            if scores[i] <= 0 or (is_translation(record) and not record.endswith(f"~{language}")):
                continue
            pid = original_id(record)
            best[pid] = max(best.get(pid, 0.0), float(scores[i]))
            if len(best) == CANDIDATES:
                break
        top = max(best.values(), default=0.0)
        return {pid: score / top for pid, score in best.items()} if top > 0 else {}

    def _dense(self, query_vector: np.ndarray, variants: list[str] | None) -> tuple[dict[str, float], list[SentenceHit]]:
        """Cosine similarity of the best passages (original or translation, whichever is closer),
        mixing the passage as a whole with its best sentence; and the sentences found. Only ids and
        distances come back from Chroma: texts and metadata are the catalog's (read once)."""
        n = min(CANDIDATES, len(self.catalog.ids))
        vector = query_vector.tolist()
        where = {"variant": {"$in": variants}} if variants else None
        whole: dict[str, float] = {}
        for record, similarity in _nearest(self.index.passages, vector, n * len(variants or [ORIGINAL]), where):
            pid = original_id(record)
            whole[pid] = max(whole.get(pid, -1.0), similarity)
        sentences = self._sentence_hits(vector, 2 * n * len(variants or [ORIGINAL]), where)
        best_sentence: dict[str, float] = {}
        for hit in sentences:
            best_sentence[hit.passage_id] = max(best_sentence.get(hit.passage_id, -1.0), hit.similarity)
        share = self.weights.sentence_share
        floor_whole = min(whole.values(), default=0.0)
        floor_sentence = min(best_sentence.values(), default=0.0)
        mixed = {pid: (1 - share) * whole.get(pid, floor_whole) + share * best_sentence.get(pid, floor_sentence)
                 for pid in set(whole) | set(best_sentence)}
        return mixed, sentences

    def _sentence_hits(self, vector: list[float], n: int, where: dict | None = None) -> list[SentenceHit]:
        """The nearest sentences: their passage, number and variant are in their ids ("PASSAGE:N[~LANG]")."""
        hits = []
        for record, similarity in _nearest(self.index.sentences, vector, n, where):
            sentence, _, variant = record.partition(TRANSLATION_MARK)
            pid, _, number = sentence.rpartition(":")
            hits.append(SentenceHit(pid, similarity, int(number), variant or ORIGINAL))
        return hits

    def _sentences_of(self, top: list["Scored"], query_vector: np.ndarray, seen: list[SentenceHit],
                      variants: list[str] | None) -> list[SentenceHit]:
        """Every sentence of the top passages with its similarity: from what dense search saw, or
        (when some passage had none among them) from a query restricted to those passages."""
        ids = {s.passage_id for s in top}
        covered = {h.passage_id for h in seen}
        if ids <= covered:
            return [h for h in seen if h.passage_id in ids]
        return self._sentences_within(ids, query_vector, variants)

    def sentences_within(self, passage_ids: set[str], query_vector: np.ndarray,
                         language: Language | None) -> list[SentenceHit]:
        """Every sentence of the given passages (originals and ``language``'s translations), most
        similar to the query first."""
        return self._sentences_within(passage_ids, query_vector, self.variants(language)) if passage_ids else []

    def _sentences_within(self, ids: set[str], query_vector: np.ndarray,
                          variants: list[str] | None) -> list[SentenceHit]:
        where: dict = {"passage_id": {"$in": sorted(ids)}}
        if variants:
            where = {"$and": [where, {"variant": {"$in": variants}}]}
        return self._sentence_hits(query_vector.tolist(), 200 * len(variants or [ORIGINAL]), where)

    def to_documents(self, ranked: list[Scored]) -> list[Document]:
        """LangChain documents for ranked passages, scores in metadata."""
        return [Document(page_content=self.catalog.text(s.passage_id), id=s.passage_id,
                         metadata={**self.catalog.meta(s.passage_id), "score": s.score, "dense": s.dense,
                                   "keyword": s.keyword})
                for s in ranked]

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        vector = self.embeddings.embed_query_array(query)
        return self.to_documents(self.rank(query, vector, detect_language(query), self.k).passages)


def _nearest(store: Chroma, vector: list[float], k: int, where: dict | None) -> list[tuple[str, float]]:
    """Ids and cosine similarities of the ``k`` records nearest ``vector`` (no texts, no metadata)."""
    found = store._collection.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
    return [(record, 1.0 - float(distance)) for record, distance in zip(found["ids"][0], found["distances"][0])]
