"""The question-answering pipeline, loaded once, then asked many times by any front end. It only
wires the steps, one module each: read the question (qa.reading: its language, Latin-typed Kyrgyz
in Cyrillic) → understand it (qa.understand: intent, answer type) → retrieve (qa.retrieve) → select the sentences (qa.select; for a question about the
document as a whole, qa.document) → decide to answer or abstain (qa.decide) → compose the reply
(qa.compose; small talk and off-topic messages, qa.replies)."""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path

import numpy as np

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
from qa.document import document_selection
from qa.errors import QAError
from qa.language import LANGUAGES, Language
from qa.models import Models, load_models
from qa.reading import LanguageModel, QuestionReader, ReadQuestion, document_wordlist, language_model_path
from qa.replies import documents_phrase, missing_part_reply, off_topic_reply, smalltalk_reply, with_examples
from qa.result import Answer
from qa.retrieve import FusionWeights, HybridRetriever, Ranking, Scored
from qa.select import Candidate, Selection, candidates, select
from qa.suggest import Suggestions, read_pool
from qa.understand import AnswerType, Intent, Question, answer_type, closeness_features, intent_of, make_question

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


@dataclass(frozen=True)
class Analysis:
    """Everything found for a question before anything learned decides: the question understood,
    the passages retrieved, the candidate answer sentences and how much of the question's words
    the top passages hold. The learned steps (``QAPipeline.answer``) read only this."""

    question: Question
    reading: ReadQuestion
    framing: Language
    ranking: Ranking
    candidates: list[Candidate]
    coverage: float
    qid: str | None = None
    search_query: str | None = None

    def intent_features(self) -> np.ndarray:
        """What the intent model reads: the question's type features and how near the document comes."""
        passage = self.ranking.passages[0].dense if self.ranking.passages else 0.0
        sentence = max((hit.similarity for hit in self.ranking.sentences), default=0.0)
        return np.concatenate([self.question.type_features(), closeness_features(passage, sentence, self.coverage)])


@dataclass(frozen=True)
class Outcome:
    """An answer and the steps behind it (for evaluation and ``--details``)."""

    answer: Answer
    kind: AnswerType
    selection: Selection
    decision: Decision
    intent: Intent | None = None
    reading: ReadQuestion | None = None  # how the question was read (language, why, transliteration)


@dataclass
class QAPipeline:
    """Model, index, keyword index and answer models, loaded once; ``ask`` answers a question."""

    store: IndexStore
    retriever: HybridRetriever
    models: Models | None
    reader: QuestionReader

    @classmethod
    def open(cls, location: StoreLocation = StoreLocation(), embedder: str = DEFAULT_EMBEDDER,
             build_if_missing: bool = True,
             weights: FusionWeights = FusionWeights(), mode: str = "hybrid",
             answer_models: bool = True, models_folder: Path | None = None) -> "QAPipeline":
        """Open the index at ``location``. The default embedded index is built first if missing or
        made by an older version (and ``build_if_missing``); a server or a named collection must
        have been indexed with ``qa index``. Without ``answer_models`` (for fitting them), every
        answer must be given its models. Models are read from ``models_folder`` (default
        ``qa.models.models_dir()``)."""
        client = open_client(location)
        manifest = IndexStore(location, None, client).manifest()
        default_place = location.chroma_url is None and location.collection == DEFAULT_COLLECTION
        rebuild = build_if_missing and default_place and (manifest is None or manifest.get("schema") != SCHEMA_VERSION)
        if not rebuild:
            check_embedder(manifest, embedder_identity(embedder), location)  # before loading any model
        models = load_models(embedder_identity(embedder), models_folder) if answer_models else None
        store = IndexStore(location, get_embedder(embedder), client)
        if rebuild:
            reason = "no index" if manifest is None else "an index made by an older version"
            print(f"{reason} in {location.describe()}: building it first …", file=sys.stderr)
            store.build([default_document()])
        active = store.open_active()
        catalog = PassageCatalog(active, store.keyword_index(active), str(active.manifest.get("main_language", "ky")))
        retriever = HybridRetriever(index=active, catalog=catalog, embeddings=store.embeddings, weights=weights,
                                    mode=mode)
        kyrgyz_words = cache(lambda: document_wordlist(catalog.texts_in("ky")))
        reader = QuestionReader(LanguageModel.load(language_model_path(models_folder)), catalog.keywords.vocabularies, kyrgyz_words)
        return cls(store, retriever, models, reader)

    @property
    def embeddings(self) -> IdentifiedEmbeddings:
        """The embedder the index was built with."""
        return self.retriever.embeddings

    def ask(self, question: str, k: int = DEFAULT_K, frame: str | None = None, qid: str | None = None,
            search_query: str | None = None) -> Answer:
        """Answer ``question`` with up to ``k`` citations; ``frame`` forces the answer's language;
        ``search_query`` (a follow-up completed from the previous turn) is searched instead."""
        answer = self.answer(self.analyse(question, k, frame, qid, search_query)).answer
        if answer.intent != "smalltalk":
            return answer
        language: Language = answer.language if frame in (None, "auto") else frame  # type: ignore[assignment]
        examples = self.suggestions.examples(language)
        return replace(answer, answer=with_examples(answer.answer, language, examples), suggestions=examples)

    def analyse(self, question: str, k: int = DEFAULT_K, frame: str | None = None, qid: str | None = None,
                search_query: str | None = None) -> Analysis:
        """Understand the question and retrieve: the passages and the candidate sentences."""
        text = validate_question(question)
        catalog = self.retriever.catalog
        reading = self.reader.read(text)
        language = reading.language
        query = validate_question(search_query) if search_query else reading.text
        if frame not in (None, "auto", *LANGUAGES):
            raise QAError(f"unknown answer language {frame!r}: use auto, ky, ru or en")
        framing: Language = language if frame in (None, "auto") else frame  # type: ignore[assignment]
        understood = make_question(text, query, language, self.embeddings.embed_query_array(query))
        ranking = self.retriever.rank(query, understood.vector, language, max(1, k))
        covered = coverage(query, self._texts_in(language, ranking.passages[:COVERAGE_PASSAGES]))
        return Analysis(understood, reading, framing, ranking, candidates(understood, ranking.passages, ranking.sentences,
                                                                catalog), covered, qid, search_query)

    def answer(self, analysis: Analysis, models: Models | None = None, kind: AnswerType | None = None,
               as_question: bool = False) -> Outcome:
        """Select, decide and compose, with ``models`` (default: the shipped ones); ``kind`` gives
        the answer type instead of the type model (training does, with held-out predictions);
        ``as_question`` answers it as a question about the content whatever its intent."""
        return replace(self._outcome(analysis, models, kind, as_question), reading=analysis.reading)

    def _outcome(self, analysis: Analysis, models: Models | None, kind: AnswerType | None,
                 as_question: bool) -> Outcome:
        models = models or self.models
        if models is None:
            raise QAError("no answer models: run 'qa train'")
        catalog, question, framing = self.retriever.catalog, analysis.question, analysis.framing
        ranked = analysis.ranking.passages
        kind = kind or answer_type(question, models.answer_type)
        intent = intent_of(analysis.intent_features(), models.intent)
        if intent.name != "question" and not as_question:
            return self._converse(analysis, intent, kind)
        selection = select(analysis.candidates, kind, models.ranker, catalog)
        excerpts = [excerpt(catalog, pid, numbers, framing) for pid, numbers in selection.chosen.items()]
        passage_similarity = ranked[0].dense if ranked else 0.0
        features = decision_features(question, kind, selection, passage_similarity, analysis.coverage,
                                     self._quoted_passages(question.language, excerpts))
        decision = decide(features, models.answerability, models.threshold, models.info.get("decision_means"))
        evidence = max(passage_similarity, selection.best.similarity if selection.best else 0.0)
        common = {"id": analysis.qid, "evidence": evidence, "search_query": analysis.search_query, "intent": "question",
                  "read_as": analysis.reading.read_as,
                  "coverage": analysis.coverage, "confidence": decision.probability, "answer_type": kind.name}
        if selection.best is None or decision.abstain:
            answer = Answer(question.text, question.language, FRAMES[framing]["abstain"], True,
                            make_citations(ranked, catalog, {}, framing), why=decision.why, **common)
            return Outcome(answer, kind, selection, decision, intent)
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
                       kind, selection, decision, intent)

    def _converse(self, analysis: Analysis, intent: Intent, kind: AnswerType) -> Outcome:
        """The reply to a message that is no question about the content: small talk and off-topic
        messages get the project's own reply (no citation); a question about the document as a
        whole, the part of the document that answers it, quoted and cited."""
        catalog, question, framing = self.retriever.catalog, analysis.question, analysis.framing
        common = {"id": analysis.qid, "search_query": analysis.search_query, "confidence": intent.certainty,
                  "intent": intent.name, "read_as": analysis.reading.read_as}
        nothing = Selection([], np.zeros(0), {})
        documents = self.documents_phrase(framing)
        if intent.name == "smalltalk":
            text = smalltalk_reply(intent.part, framing, documents)
            return Outcome(Answer(question.text, question.language, text, False, **common), kind, nothing,
                           Decision(intent.certainty, False), intent)
        if intent.name == "off_topic":
            return Outcome(Answer(question.text, question.language, off_topic_reply(framing, documents), True,
                                  why=("off_topic",), **common), kind, nothing,
                           Decision(intent.certainty, True, ("off_topic",)), intent)
        ranked = analysis.ranking.passages
        doc = str(catalog.meta(ranked[0].passage_id).get("doc", "")) if ranked else catalog.index.documents[0].name
        chosen = document_selection(intent.part, doc, self.retriever, question.vector, question.language)
        if not chosen:
            why = (f"no_{intent.part}",)
            return Outcome(Answer(question.text, question.language, missing_part_reply(framing, intent.part), True,
                                  why=why, **common), kind, nothing, Decision(intent.certainty, True, why), intent)
        excerpts = [excerpt(catalog, pid, numbers, framing) for pid, numbers in chosen.items()]
        citations = make_citations([Scored(e.passage_id, 0.0, 0.0, 0.0) for e in excerpts], catalog,
                                   {e.passage_id: e for e in excerpts}, framing)
        by_id = {c.passage_id: c for c in citations}
        text = frame_answer(framing, question.query, kind, excerpts, by_id, catalog, part=intent.part)
        return Outcome(Answer(question.text, question.language, text, False, citations, **common), kind,
                       Selection([], np.zeros(0), chosen), Decision(intent.certainty, False), intent)

    @cached_property
    def suggestions(self) -> Suggestions:
        """The questions this index's documents suggest (qa.suggest), checked through this pipeline."""
        catalog = self.retriever.catalog
        order = [pid for record in catalog.index.documents for pid in catalog.document(record.name)]
        return Suggestions(read_pool([record.path for record in catalog.index.documents], order), order,
                           lambda question: self.ask(question))

    def suggest(self, answer: Answer, asked: set[str] = frozenset()) -> tuple[str, ...]:
        """Up to three follow-up questions to ``answer`` that this pipeline answers (examples after
        small talk; none after an off-topic message or an abstention)."""
        if answer.intent == "smalltalk":
            return answer.suggestions
        return () if answer.abstained else self.suggestions.after(answer, asked)

    def documents_phrase(self, language: Language) -> str:
        """What the chatbot answers questions about, in ``language`` (qa.replies)."""
        catalog = self.retriever.catalog
        records = catalog.index.documents
        keywords = None
        if len(records) == 1:
            found = [catalog.text(o.passage_id) for o in catalog.outline(records[0].name)
                     if o.kind == "keywords" and o.language == language]
            keywords = found[0].partition(":")[2].strip().rstrip(". ") if found else None
        return documents_phrase(language, len(records), keywords)

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
