"""The question-answering pipeline: loaded once, then asked many times by any front end."""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from index.corpus import default_document
from index.embedders import DEFAULT_EMBEDDER, IdentifiedEmbeddings, embedder_identity, get_embedder
from index.store import DEFAULT_COLLECTION, IndexStore, StoreLocation, check_embedder, open_client
from qa.answer import (
    FRAMES,
    Thresholds,
    abstract_support,
    best_sentence,
    evidence,
    frame_answer,
    make_citations,
    missing_specifics,
    quote_span,
)
from qa.catalog import PassageCatalog
from qa.errors import QAError
from qa.language import LANGUAGES, Language, detect_language
from qa.result import Answer
from qa.retrieve import FusionWeights, HybridRetriever

MAX_QUESTION_CHARS = 1000
DEFAULT_K = 5


def validate_question(question: str) -> str:
    """The question with whitespace folded, or a QAError saying what is wrong with it."""
    if not isinstance(question, str) or not question.strip():
        raise QAError("the question is empty")
    text = " ".join(question.split())
    if len(text) > MAX_QUESTION_CHARS:
        raise QAError(f"the question is too long ({len(text)} characters; at most {MAX_QUESTION_CHARS})")
    unreadable = sum(1 for ch in text if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn"))
    if unreadable > max(2, len(text) // 20):
        raise QAError("the question is not readable text")
    if not any(ch.isalpha() for ch in text):
        raise QAError("the question has no words to search for")
    return text


def question_language(text: str) -> Language:
    """The question's language, or a QAError if it is none of the three."""
    language = detect_language(text)
    if language is None:
        raise QAError("please ask in Kyrgyz, Russian or English (Кыргызча, по-русски or in English)")
    return language


@dataclass
class QAPipeline:
    """Model, index and keyword index, loaded once; ``ask`` answers a question."""

    store: IndexStore
    retriever: HybridRetriever
    thresholds: Thresholds

    @classmethod
    def open(cls, location: StoreLocation = StoreLocation(), embedder: str = DEFAULT_EMBEDDER,
             build_if_missing: bool = True,
             weights: FusionWeights = FusionWeights(), mode: str = "hybrid") -> "QAPipeline":
        """Open the index at ``location``. The default embedded index is built first if missing (and
        ``build_if_missing``); a server or a named collection must have been indexed with ``qa index``."""
        client = open_client(location)
        manifest = IndexStore(location, None, client).manifest()
        default_place = location.chroma_url is None and location.collection == DEFAULT_COLLECTION
        if manifest or not (build_if_missing and default_place):
            check_embedder(manifest, embedder_identity(embedder), location)  # before loading any model
        store = IndexStore(location, get_embedder(embedder), client)
        if manifest is None:
            print(f"no index in {location.describe()}: building it first …", file=sys.stderr)
            store.build([default_document()])
        active = store.open_active()
        catalog = PassageCatalog(active, store.keyword_index(active), str(active.manifest.get("main_language", "ky")))
        retriever = HybridRetriever(index=active, catalog=catalog, embeddings=store.embeddings, weights=weights,
                                    mode=mode)
        return cls(store, retriever, Thresholds.load(store.embeddings.identity))

    @cached_property
    def _numbers(self) -> set[str]:
        return self.retriever.catalog.keywords.numbers()

    @property
    def embeddings(self) -> IdentifiedEmbeddings:
        """The embedder the index was built with."""
        return self.retriever.embeddings

    def ask(self, question: str, k: int = DEFAULT_K, frame: str | None = None, qid: str | None = None,
            search_query: str | None = None) -> Answer:
        """Answer ``question`` with up to ``k`` citations; ``frame`` forces the answer's language;
        ``search_query`` (a follow-up completed from the previous turn) is searched instead."""
        text = validate_question(question)
        language = question_language(text)
        query = validate_question(search_query) if search_query else text
        if frame not in (None, "auto", *LANGUAGES):
            raise QAError(f"unknown answer language {frame!r}: use auto, ky, ru or en")
        framing: Language = language if frame in (None, "auto") else frame  # type: ignore[assignment]
        vector = self.embeddings.embed_query_array(query)
        ranking = self.retriever.rank(query, vector, language, max(1, k))
        ranked, hits = ranking.passages, ranking.sentences
        main = best_sentence(query, ranked, hits)
        catalog = self.retriever.catalog
        support = evidence(ranked, main)
        quote = quote_span(query, catalog.text(main.passage_id), main.text) if main else ""
        if main is None or self.thresholds.abstains(language, support) or \
                missing_specifics(query, quote, self._numbers):
            return Answer(text, language, FRAMES[framing]["abstain"], True, make_citations(ranked, catalog, {}),
                          qid, support, search_query)
        extra = abstract_support(language, ranked, catalog, hits, main.passage_id,
                                 self.thresholds.by_language.get(language, 0.0))
        quotes = {main.passage_id: quote, **({extra.passage_id: extra.text} if extra else {})}
        citations = make_citations(ranked, catalog, quotes)
        by_id = {c.passage_id: c for c in citations}
        answer = frame_answer(framing, by_id[main.passage_id], by_id[extra.passage_id] if extra else None)
        return Answer(text, language, answer, False, citations, qid, support, search_query)
