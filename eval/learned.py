"""Fitting and checking the answer models on questions: every question is analysed once (understood,
retrieved, its candidate sentences described); then models are fitted on some questions and
answer others. ``qa train`` fits on the whole training corpus; ``qa eval`` reports every figure
cross-validated by fact: a question is answered by models fitted without its fact (the passage
holding its answer), for the training corpus and the evaluation sets alike."""

from __future__ import annotations

import argparse
import time
import zlib
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from eval.languages import fit_on as fit_language_on
from eval.languages import training_texts
from eval.dataset import MESSAGE_SET, TRAINING_SET, EvalQuestion, Message, load_messages, load_questions
from eval.run import QuestionResult, record, refused
from index.records import is_translation
from index.store import StoreLocation
from qa.decide import Decision
from qa.errors import QAError
from qa.followup import complete_followup
from qa.models import Models, models_path
from qa.pipeline import Analysis, QAPipeline
from qa.reading import language_model_path
from qa.select import passage_sentences
from qa.train import Example, IntentExample, fit
from qa.understand import AnswerType, Intent, intent_of

FOLDS = 5
ANALYSIS_K = 10  # passages retrieved per question (nDCG@10 needs ten)


@dataclass(frozen=True)
class Asked:
    """A question, what the pipeline found for it, and its gold sentence ids."""

    question: EvalQuestion
    analysis: Analysis | None  # None: the question was refused (``refusal`` says why)
    gold: frozenset[str]
    latency_ms: float
    refusal: str = ""

    @property
    def group(self) -> str:
        """Its fact for cross-validation: the passage holding its answer (so that a fact asked in
        three languages and five styles is never split), or its own fact name when unanswerable."""
        if self.gold:
            return min(self.gold).split(":")[0]
        return f"fact:{self.question.fact or self.question.id}"

    @property
    def fold(self) -> int:
        """Its outer cross-validation fold."""
        return zlib.crc32(self.group.encode()) % FOLDS


@dataclass(frozen=True)
class Heard:
    """A message that is no question about the content, as the pipeline reads it (None: refused,
    e.g. taken for another language)."""

    message: Message
    analysis: Analysis | None

    @property
    def fold(self) -> int:
        """Its outer cross-validation fold (by its group: paraphrases and translations together)."""
        return zlib.crc32(f"message:{self.message.group}".encode()) % FOLDS


def hear_all(pipeline: QAPipeline, messages: list[Message], progress: bool = True) -> list[Heard]:
    """Read every message as the pipeline reads a question."""
    heard = []
    for m in tqdm(messages, desc="reading messages", unit="message", disable=not progress, leave=False):
        try:
            heard.append(Heard(m, pipeline.analyse(m.text, k=ANALYSIS_K, qid=m.id)))
        except QAError:
            heard.append(Heard(m, None))
    return heard


def intent_example(item: Heard) -> IntentExample:
    """What the intent model is fitted on for one message."""
    return IntentExample(item.analysis.intent_features(), item.message.label, item.message.group)


def predicted_intents(items: list[Heard], models: Models) -> dict[str, Intent | None]:
    """Each message's predicted intent (None: refused before it was understood)."""
    return {h.message.id: intent_of(h.analysis.intent_features(), models.intent) if h.analysis else None
            for h in items}


def sentence_table(pipeline: QAPipeline) -> dict[str, str]:
    """Every original sentence of the index by id ("PASSAGE:N")."""
    catalog = pipeline.retriever.catalog
    ids = [pid for pid in catalog.ids if not is_translation(pid)]
    catalog.ensure(ids)
    return {f"{pid}:{n}": text for pid in ids for n, text in enumerate(passage_sentences(catalog, pid))}


def gold_sentences(question: EvalQuestion, sentences: dict[str, str]) -> frozenset[str]:
    """The sentences that answer: as labelled, or those holding one of the gold anchors."""
    if question.sentences:
        return frozenset(question.sentences)
    return frozenset(sid for sid, text in sentences.items() if any(a in text or text in a for a in question.anchors))


def ask_all(pipeline: QAPipeline, questions: list[EvalQuestion], progress: bool = True) -> list[Asked]:
    """Analyse every question once (a follow-up searched with the question before it)."""
    table = sentence_table(pipeline)
    asked = []
    for q in tqdm(questions, desc="analysing", unit="question", disable=not progress, leave=False):
        started = time.perf_counter()
        try:
            analysis, refusal = pipeline.analyse(q.question, k=ANALYSIS_K, qid=q.id,
                                                 search_query=complete_followup(q.previous or None, q.question)), ""
        except QAError as problem:  # the user would be told so; it counts as not answered
            analysis, refusal = None, str(problem)
        asked.append(Asked(q, analysis, gold_sentences(q, table), (time.perf_counter() - started) * 1000, refusal))
    return asked


def answer_one(pipeline: QAPipeline, item: Asked, models: Models | None, texts: list[str], k: int) -> QuestionResult:
    """The result of one analysed question with ``models`` (a refused question: not answered)."""
    started = time.perf_counter()
    if item.analysis is None:
        return refused(item.question, item.refusal, item.latency_ms)
    outcome = pipeline.answer(item.analysis, models)
    return record(item.question, outcome, item.latency_ms + (time.perf_counter() - started) * 1000, texts, k,
                  set(item.gold))


def example(item: Asked) -> Example:
    """What the models are fitted on for one question."""
    gold = np.array([f"{c.passage_id}:{c.sentence}" in item.gold for c in item.analysis.candidates])
    return Example(item.analysis.question.type_features(), item.analysis.intent_features(),
                   item.question.answer_type or "description",
                   item.analysis.candidates, gold, item.question.answerable, item.group, item.question.intent)


def fit_on(pipeline: QAPipeline, items: list[Asked], messages: list[Heard], info: dict) -> Models:
    """Models fitted on ``items`` (and, for the intent, ``messages``)."""
    def judge(i: int, models: Models, kind: AnswerType) -> Decision:
        return pipeline.answer(usable[i].analysis, models, kind, as_question=True).decision

    usable = [item for item in items if item.analysis is not None]
    return fit([example(item) for item in usable], [intent_example(h) for h in messages if h.analysis], judge, info)


def cross_validated(pipeline: QAPipeline, training: list[Asked], checked: list[list[Asked]], k: int = 5,
                    texts: list[str] | None = None, progress: bool = True, messages: list[Heard] = ()
                    ) -> tuple[list[list[QuestionResult]], dict[str, Intent | None]]:
    """Each question of each list in ``checked`` answered by models fitted on the training
    questions of the other folds' facts (and the training messages of the other folds' groups);
    and each training message's intent as predicted by those models."""
    texts = texts if texts is not None else list(pipeline.retriever.catalog.all_texts())
    results: list[dict[str, QuestionResult]] = [{} for _ in checked]
    intents: dict[str, Intent | None] = {}
    for fold in tqdm(range(FOLDS), desc="cross-validating", unit="fold", disable=not progress, leave=False):
        models = fit_on(pipeline, [item for item in training if item.fold != fold],
                        [h for h in messages if h.fold != fold], {"fold": fold})
        for out, items in zip(results, checked):
            out.update({item.question.id: answer_one(pipeline, item, models, texts, k)
                        for item in items if item.fold == fold})
        intents.update(predicted_intents([h for h in messages if h.fold == fold], models))
    return [[out[item.question.id] for item in items] for out, items in zip(results, checked)], intents


def answered_with(pipeline: QAPipeline, items: list[Asked], models: Models | None = None, k: int = 5,
                  texts: list[str] | None = None) -> list[QuestionResult]:
    """Each question answered by one set of models (default: the pipeline's own)."""
    texts = texts if texts is not None else list(pipeline.retriever.catalog.all_texts())
    return [answer_one(pipeline, item, models, texts, k) for item in items]


def run_train_command(args: argparse.Namespace, location: StoreLocation) -> int:
    """The ``qa train`` command: fit the answer models on the whole training corpus and save them
    for the embedder (its cross-validated figures are ``qa eval``'s)."""
    path = args.set or TRAINING_SET
    language_target = language_model_path(args.out)
    fit_language_on(training_texts()).save(language_target)  # read by the pipeline: fitted first
    pipeline = QAPipeline.open(location, args.embedder, answer_models=False, models_folder=args.out)
    questions = load_questions(path)
    items = ask_all(pipeline, questions, not args.quiet)
    messages = hear_all(pipeline, load_messages(args.messages or MESSAGE_SET), not args.quiet)
    identity = pipeline.embeddings.identity
    models = fit_on(pipeline, items, messages, {"embedder": identity, "training_set": path.name,
                                                "fitted": time.strftime("%Y-%m-%d")})
    target = models_path(identity, args.out)
    models.save(target)
    answerable = sum(q.answerable for q in questions)
    print(f"language model fitted on the training texts; saved to {language_target}")
    print(f"fitted on {len(questions)} questions ({answerable} answerable, {len(questions) - answerable} not) and "
          f"{sum(h.analysis is not None for h in messages)} other messages; "
          f"abstention threshold {models.threshold:.3f}; saved to {target}")
    return 0
