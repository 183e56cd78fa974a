"""Fitting the answer models (``qa train``) with scikit-learn's logistic regression: the question's language, the intent,
the answer type, the sentence ranker and the calibrated answerability with its threshold. Only fitting lives
here (the ``train`` extra); answering applies the weights with numpy (``qa.models``).

Each model reads what the one before predicts held out (the ranker is fitted on answer types
predicted by a type model that had not seen the question's fact; the answerability threshold is
chosen on held-out probabilities), so that what a model learns matches what it meets on new
questions."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qa.decide import DECISION_FEATURES, Decision
from qa.errors import QAError
from qa.language import LANGUAGES
from qa.models import ANSWER_TYPES, INTENT_LABELS, Linear, Models, Network, Softmax
from qa.reading import LanguageModel, language_features
from qa.select import Candidate, ranker_features
from qa.understand import AnswerType

MAX_FALSE_ABSTENTION = 0.03
INNER_FOLDS = 3
HIDDEN_UNITS = 32  # the answerability network; held out by fact, at 3% false abstentions, the
# close-topic unanswerable questions refused rose from 0.20 (logistic regression) to 0.30


@dataclass(frozen=True)
class Example:
    """One training question as the models see it: its answer-type features and label, its
    candidate sentences with which of them are gold, whether it is answerable, and its group (the
    fact: questions of one fact are never split between fitting and checking)."""

    type_features: np.ndarray
    intent_features: np.ndarray
    answer_type: str
    candidates: list[Candidate]
    gold: np.ndarray  # one flag per candidate
    answerable: bool
    group: str
    intent: str = "question"  # the label in INTENT_LABELS: a question of the corpus, or "off_topic"


@dataclass(frozen=True)
class IntentExample:
    """A message that is no question about the content (small talk, off-topic, about the document as
    a whole), for the intent model: its features, its label in INTENT_LABELS and its group."""

    features: np.ndarray
    intent: str
    group: str


# (example index, models, held-out answer type) -> the decision, with the features it read
Judge = Callable[[int, Models, AnswerType], Decision]


def _logistic(C: float = 1.0, max_iter: int = 300, class_weight: str | None = None):
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as error:
        raise QAError("fitting needs the train extra: pip install -e '.[train]'") from error
    return LogisticRegression(C=C, max_iter=max_iter, class_weight=class_weight)


def held_out(groups: Sequence[str], folds: int = INNER_FOLDS) -> np.ndarray:
    """The fold of each item by its group (every item of a group in one fold)."""
    return np.array([zlib.crc32(g.encode()) % folds for g in groups])


def fit_softmax(X: np.ndarray, labels: Sequence[str], classes: Sequence[str], C: float,
                class_weight: str | None = None) -> Softmax:
    """Multinomial logistic regression of ``labels`` (each one of ``classes``) over the rows of ``X``;
    a class never seen in fitting is never predicted."""
    y = np.array([classes.index(label) for label in labels])
    model = _logistic(C, class_weight=class_weight).fit(X, y)
    weights = np.zeros((len(classes), X.shape[1]), dtype=np.float32)
    bias = np.full(len(classes), -30.0, dtype=np.float32)
    if len(model.classes_) == 2:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
        intercept = np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    else:
        coef, intercept = model.coef_, model.intercept_
    weights[model.classes_] = coef
    bias[model.classes_] = intercept
    return Softmax(weights, bias)


def fit_answer_type(examples: Sequence[Example], C: float = 4.0) -> Softmax:
    """The answer-type model: multinomial logistic regression over embedding + n-grams."""
    return fit_softmax(np.stack([e.type_features for e in examples]), [e.answer_type for e in examples],
                       ANSWER_TYPES, C)


def fit_intent(examples: Sequence[Example], messages: Sequence[IntentExample], C: float = 4.0) -> Softmax:
    """The intent model: the corpus questions (each a "question", or "off_topic") beside the other
    messages, classes weighed alike (there are far more questions)."""
    rows = [(e.intent_features, e.intent) for e in examples] + [(m.features, m.intent) for m in messages]
    return fit_softmax(np.stack([r[0] for r in rows]), [r[1] for r in rows], INTENT_LABELS, C, "balanced")


def held_out_types(examples: Sequence[Example], folds: int = INNER_FOLDS) -> list[AnswerType]:
    """Each example's answer type as predicted by a model fitted without its fact."""
    fold = held_out([e.group for e in examples], folds)
    predicted: list[AnswerType | None] = [None] * len(examples)
    for f in range(folds):
        train = [e for e, g in zip(examples, fold) if g != f]
        test = [i for i, g in enumerate(fold) if g == f]
        if not test:
            continue
        model = fit_answer_type(train)
        for i in test:
            predicted[i] = AnswerType(model.probabilities(examples[i].type_features))
    return predicted  # type: ignore[return-value]


def fit_ranker(examples: Sequence[Example], types: Sequence[AnswerType]) -> Linear:
    """The sentence ranker: logistic regression of "this candidate is a gold sentence" over the
    candidates of the answerable examples."""
    rows, labels = [], []
    for example, kind in zip(examples, types):
        if example.answerable and example.candidates and example.gold.any():
            rows.append(ranker_features(example.candidates, kind))
            labels.append(example.gold)
    if not rows:
        raise QAError("no answerable training question has a gold sentence among its candidates")
    model = _logistic(1.0).fit(np.concatenate(rows), np.concatenate(labels).astype(int))
    return Linear(model.coef_[0].astype(np.float64), float(model.intercept_[0]))


def fit_network(X: np.ndarray, y: np.ndarray) -> Network:
    """The answerability network: scikit-learn's MLPClassifier (one hidden layer of HIDDEN_UNITS,
    ReLU, L2 0.01) on standardised features, its weights kept for numpy."""
    try:
        from sklearn.neural_network import MLPClassifier
    except ImportError as error:
        raise QAError("fitting needs the train extra: pip install -e '.[train]'") from error
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    net = MLPClassifier((HIDDEN_UNITS,), alpha=0.01, max_iter=2000, random_state=0).fit((X - mean) / scale, y)
    return Network(mean, scale, net.coefs_[0], net.intercepts_[0], net.coefs_[1][:, 0], float(net.intercepts_[1][0]))


def choose_threshold(probabilities: np.ndarray, answerable: np.ndarray,
                     max_false: float = MAX_FALSE_ABSTENTION) -> float:
    """The highest threshold that refuses at most ``max_false`` of the answerable questions
    (halfway between two observed probabilities)."""
    kept = np.sort(probabilities[answerable])
    if not kept.size:
        return 0.5
    allowed = int(np.floor(max_false * kept.size))
    below, at = (kept[allowed - 1] if allowed > 0 else kept[0] - 1e-3), kept[allowed]
    return float((below + at) / 2) if allowed > 0 else float(at - 1e-6)


def fit(examples: Sequence[Example], messages: Sequence[IntentExample], judge: Judge, info: dict,
        folds: int = INNER_FOLDS) -> Models:
    """All four models and the threshold from ``examples`` (and, for the intent, ``messages``);
    ``judge`` runs selection and the decision features for one example with given models (the
    pipeline's own steps, as a question). The answerability model learns whether the top passages
    hold a sentence that answers."""
    types = held_out_types(examples, folds)
    ranker = fit_ranker(examples, types)
    width = len(DECISION_FEATURES)  # with threshold -inf: always answers
    never = Network(np.zeros(width), np.ones(width), np.zeros((width, 1)), np.zeros(1), np.zeros(1), 0.0)
    provisional = Models(fit_intent(examples, messages), fit_answer_type(examples), ranker, never,
                         float("-inf"), info)
    X = np.stack([judge(i, provisional, kind).features for i, kind in enumerate(types)])
    # what the probability is of: the top passages hold a sentence that answers the question
    y = np.array([e.answerable and bool(e.gold.any()) for e in examples], dtype=int)
    answerability = fit_network(X, y)
    fold = held_out([e.group for e in examples], folds)
    probabilities = np.zeros(len(examples))
    for f in range(folds):
        inside = fold != f
        if inside.all() or len(set(y[inside])) < 2:
            probabilities[~inside] = answerability.probability(X[~inside])
            continue
        probabilities[~inside] = fit_network(X[inside], y[inside]).probability(X[~inside])
    threshold = choose_threshold(probabilities, np.array([e.answerable for e in examples]))
    return Models(provisional.intent, provisional.answer_type, ranker, answerability, threshold,
                  {**info, "decision_means": X.mean(axis=0).round(6).tolist(), "examples": len(examples)})


def fit_language(texts: Sequence[str], languages: Sequence[str], C: float = 16.0) -> LanguageModel:
    """The language model: multinomial logistic regression over the texts' character n-grams."""
    return LanguageModel(fit_softmax(np.stack([language_features(t) for t in texts]), languages, LANGUAGES, C,
                                     class_weight="balanced"))
