"""The question-answering pipeline: loaded once, then asked many times by any front end."""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass

from index.corpus import default_document
from index.embedders import DEFAULT_EMBEDDER, IdentifiedEmbeddings, embedder_identity, get_embedder
from index.store import DEFAULT_COLLECTION, IndexStore, StoreLocation, check_embedder, open_client
from qa.answer import (
    FRAMES,
    SENTENCE_PASSAGES,
    Excerpt,
    Thresholds,
    abstract_support,
    answer_sentences,
    best_sentence,
    evidence,
    excerpt,
    frame_answer,
    make_citations,
    missing_specifics,
)
from qa.catalog import PassageCatalog
from qa.coverage import coverage
from qa.errors import QAError
from qa.language import LANGUAGES, Language, detect_language, language_by_vocabulary
from qa.result import Answer
from qa.retrieve import FusionWeights, HybridRetriever, Scored

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


def question_language(text: str, vocabularies: dict[str, set[str]] | None = None) -> Language:
    """The question's language, or a QAError if it is none of the three. A short question is
    taken in the language whose texts in the index use its words (``vocabularies``)."""
    language = language_by_vocabulary(text, vocabularies or {}) or detect_language(text)
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

    @property
    def embeddings(self) -> IdentifiedEmbeddings:
        """The embedder the index was built with."""
        return self.retriever.embeddings

    def ask(self, question: str, k: int = DEFAULT_K, frame: str | None = None, qid: str | None = None,
            search_query: str | None = None) -> Answer:
        """Answer ``question`` with up to ``k`` citations; ``frame`` forces the answer's language;
        ``search_query`` (a follow-up completed from the previous turn) is searched instead."""
        text = validate_question(question)
        catalog = self.retriever.catalog
        language = question_language(text, catalog.keywords.vocabularies)
        query = validate_question(search_query) if search_query else text
        if frame not in (None, "auto", *LANGUAGES):
            raise QAError(f"unknown answer language {frame!r}: use auto, ky, ru or en")
        framing: Language = language if frame in (None, "auto") else frame  # type: ignore[assignment]
        vector = self.embeddings.embed_query_array(query)
        ranking = self.retriever.rank(query, vector, language, max(1, k))
        ranked, hits = ranking.passages, ranking.sentences
        main = best_sentence(query, ranked, hits)
        support = evidence(ranked, main)
        covered = coverage(query, self._texts_in(language, ranked[:SENTENCE_PASSAGES]))
        excerpts = [excerpt(catalog, pid, numbers, framing)
                    for pid, numbers in (answer_sentences(query, catalog, main) if main else {}).items()]
        if main is None or self.thresholds.abstains(language, support, covered) or \
                missing_specifics(query, " ".join(e.shown for e in excerpts), self._quoted_passages(language, excerpts)):
            return Answer(text, language, FRAMES[framing]["abstain"], True,
                          make_citations(ranked, catalog, {}, framing), qid, support, search_query, covered)
        translated = any(e.translation for e in excerpts)
        extra = None if translated else abstract_support(framing, ranked, catalog, hits, main.passage_id,
                                                         self.thresholds.by_language.get(language, {}).get(
                                                             "evidence", 0.0))
        if extra is not None:
            excerpts.append(excerpt(catalog, extra.passage_id, [extra.sentence], framing))
        cited = ranked + [Scored(e.passage_id, 0.0, 0.0, 0.0) for e in excerpts
                          if e.passage_id not in {s.passage_id for s in ranked}]
        citations = make_citations(cited, catalog, {e.passage_id: e for e in excerpts}, framing)
        by_id = {c.passage_id: c for c in citations}
        answer = frame_answer(framing, query, excerpts[:-1] if extra else excerpts, by_id, catalog,
                              by_id[extra.passage_id] if extra else None)
        return Answer(text, language, answer, False, citations, qid, support, search_query, covered)

    def _quoted_passages(self, language: str, excerpts: list[Excerpt]) -> list[str]:
        """The whole passages an answer quotes from: originals and their ``language`` translations."""
        passages = [Scored(pid, 0.0, 0.0, 0.0) for pid in dict.fromkeys(e.passage_id for e in excerpts)]
        return self._texts_in(language, passages) + [self.retriever.catalog.text(s.passage_id) for s in passages]

    def _texts_in(self, language: str, ranked: list[Scored]) -> list[str]:
        """The passages' texts in ``language``: the original, or its translation; passages with
        neither are left out."""
        catalog, texts = self.retriever.catalog, []
        for scored in ranked:
            if catalog.meta(scored.passage_id).get("language") == language:
                texts.append(catalog.text(scored.passage_id))
            elif (translated := catalog.translation(scored.passage_id, language)) is not None:
                texts.append(translated[0])
        return texts
