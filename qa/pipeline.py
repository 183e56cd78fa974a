"""The question-answering pipeline, loaded once, then asked many times by any front end. It only
wires the steps, one module each: understand the question (qa.understand) → retrieve
(qa.retrieve) → select the sentences (qa.select) → decide to answer or abstain (qa.decide) →
compose the reply (qa.compose)."""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass

from index.corpus import default_document
from index.embedders import DEFAULT_EMBEDDER, IdentifiedEmbeddings, embedder_identity, get_embedder
from index.store import (
    DEFAULT_COLLECTION,
    SCHEMA_VERSION,
    IndexStore,
    StoreLocation,
    check_embedder,
    open_client,
)
from qa.catalog import PassageCatalog
from qa.compose import FRAMES, Excerpt, abstract_support, excerpt, frame_answer, make_citations
from qa.coverage import coverage
from qa.decide import Decision, decide, decision_features
from qa.errors import QAError
from qa.language import LANGUAGES, Language, detect_language, language_by_vocabulary
from qa.models import Models, load_models
from qa.result import Answer
from qa.retrieve import FusionWeights, HybridRetriever, Ranking, Scored
from qa.select import Candidate, Selection, candidates, select
from qa.understand import AnswerType, Question, answer_type, make_question

COVERAGE_PASSAGES = 3  # the question's words are looked for in this many top passages
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


@dataclass(frozen=True)
class Analysis:
    """Everything found for a question before anything learned decides: the question understood,
    the passages retrieved, the candidate answer sentences and how much of the question's words
    the top passages hold. The learned steps (``QAPipeline.answer``) read only this."""

    question: Question
    framing: Language
    ranking: Ranking
    candidates: list[Candidate]
    coverage: float
    qid: str | None = None
    search_query: str | None = None


@dataclass(frozen=True)
class Outcome:
    """An answer and the steps behind it (for evaluation and ``--details``)."""

    answer: Answer
    kind: AnswerType
    selection: Selection
    decision: Decision


@dataclass
class QAPipeline:
    """Model, index, keyword index and answer models, loaded once; ``ask`` answers a question."""

    store: IndexStore
    retriever: HybridRetriever
    models: Models | None

    @classmethod
    def open(cls, location: StoreLocation = StoreLocation(), embedder: str = DEFAULT_EMBEDDER,
             build_if_missing: bool = True,
             weights: FusionWeights = FusionWeights(), mode: str = "hybrid",
             answer_models: bool = True) -> "QAPipeline":
        """Open the index at ``location``. The default embedded index is built first if missing or
        made by an older version (and ``build_if_missing``); a server or a named collection must
        have been indexed with ``qa index``. Without ``answer_models`` (for fitting them), every
        answer must be given its models."""
        client = open_client(location)
        manifest = IndexStore(location, None, client).manifest()
        default_place = location.chroma_url is None and location.collection == DEFAULT_COLLECTION
        rebuild = build_if_missing and default_place and (manifest is None or manifest.get("schema") != SCHEMA_VERSION)
        if not rebuild:
            check_embedder(manifest, embedder_identity(embedder), location)  # before loading any model
        models = load_models(embedder_identity(embedder)) if answer_models else None
        store = IndexStore(location, get_embedder(embedder), client)
        if rebuild:
            reason = "no index" if manifest is None else "an index made by an older version"
            print(f"{reason} in {location.describe()}: building it first …", file=sys.stderr)
            store.build([default_document()])
        active = store.open_active()
        catalog = PassageCatalog(active, store.keyword_index(active), str(active.manifest.get("main_language", "ky")))
        retriever = HybridRetriever(index=active, catalog=catalog, embeddings=store.embeddings, weights=weights,
                                    mode=mode)
        return cls(store, retriever, models)

    @property
    def embeddings(self) -> IdentifiedEmbeddings:
        """The embedder the index was built with."""
        return self.retriever.embeddings

    def ask(self, question: str, k: int = DEFAULT_K, frame: str | None = None, qid: str | None = None,
            search_query: str | None = None) -> Answer:
        """Answer ``question`` with up to ``k`` citations; ``frame`` forces the answer's language;
        ``search_query`` (a follow-up completed from the previous turn) is searched instead."""
        return self.answer(self.analyse(question, k, frame, qid, search_query)).answer

    def analyse(self, question: str, k: int = DEFAULT_K, frame: str | None = None, qid: str | None = None,
                search_query: str | None = None) -> Analysis:
        """Understand the question and retrieve: the passages and the candidate sentences."""
        text = validate_question(question)
        catalog = self.retriever.catalog
        language = question_language(text, catalog.keywords.vocabularies)
        query = validate_question(search_query) if search_query else text
        if frame not in (None, "auto", *LANGUAGES):
            raise QAError(f"unknown answer language {frame!r}: use auto, ky, ru or en")
        framing: Language = language if frame in (None, "auto") else frame  # type: ignore[assignment]
        understood = make_question(text, query, language, self.embeddings.embed_query_array(query))
        ranking = self.retriever.rank(query, understood.vector, language, max(1, k))
        covered = coverage(query, self._texts_in(language, ranking.passages[:COVERAGE_PASSAGES]))
        return Analysis(understood, framing, ranking, candidates(understood, ranking.passages, ranking.sentences,
                                                                catalog), covered, qid, search_query)

    def answer(self, analysis: Analysis, models: Models | None = None, kind: AnswerType | None = None) -> Outcome:
        """Select, decide and compose, with ``models`` (default: the shipped ones); ``kind`` gives
        the answer type instead of the type model (training does, with held-out predictions)."""
        models = models or self.models
        if models is None:
            raise QAError("no answer models: run 'qa train'")
        catalog, question, framing = self.retriever.catalog, analysis.question, analysis.framing
        ranked = analysis.ranking.passages
        kind = kind or answer_type(question, models.answer_type)
        selection = select(analysis.candidates, kind, models.ranker, catalog)
        excerpts = [excerpt(catalog, pid, numbers, framing) for pid, numbers in selection.chosen.items()]
        passage_similarity = ranked[0].dense if ranked else 0.0
        features = decision_features(question, kind, selection, passage_similarity, analysis.coverage,
                                     self._quoted_passages(question.language, excerpts))
        decision = decide(features, models.answerability, models.threshold, models.info.get("decision_means"))
        evidence = max(passage_similarity, selection.best.similarity if selection.best else 0.0)
        common = {"id": analysis.qid, "evidence": evidence, "search_query": analysis.search_query,
                  "coverage": analysis.coverage, "confidence": decision.probability, "answer_type": kind.name}
        if selection.best is None or decision.abstain:
            answer = Answer(question.text, question.language, FRAMES[framing]["abstain"], True,
                            make_citations(ranked, catalog, {}, framing), why=decision.why, **common)
            return Outcome(answer, kind, selection, decision)
        extra = None
        if not any(e.translation for e in excerpts):
            extra = abstract_support(framing, ranked, catalog, analysis.ranking.sentences,
                                     selection.best.passage_id, selection.best.similarity)
        if extra is not None:
            excerpts.append(excerpt(catalog, extra.passage_id, [extra.sentence], framing))
        cited = ranked + [Scored(e.passage_id, 0.0, 0.0, 0.0) for e in excerpts
                          if e.passage_id not in {s.passage_id for s in ranked}]
        citations = make_citations(cited, catalog, {e.passage_id: e for e in excerpts}, framing)
        by_id = {c.passage_id: c for c in citations}
        text = frame_answer(framing, question.query, kind, excerpts[:-1] if extra else excerpts, by_id, catalog,
                            by_id[extra.passage_id] if extra else None)
        return Outcome(Answer(question.text, question.language, text, False, citations, **common),
                       kind, selection, decision)

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
