"""Fitting the answer models (``qa train``) with scikit-learn's logistic regression: the answer
type, the sentence ranker and the calibrated answerability with its threshold. Only fitting lives
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
from qa.models import ANSWER_TYPES, Linear, Models, Softmax
from qa.select import Candidate, ranker_features
from qa.understand import AnswerType

MAX_FALSE_ABSTENTION = 0.03
INNER_FOLDS = 3


@dataclass(frozen=True)
class Example:
    """One training question as the models see it: its answer-type features and label, its
    candidate sentences with which of them are gold, whether it is answerable, and its group (the
    fact: questions of one fact are never split between fitting and checking)."""

    type_features: np.ndarray
    answer_type: str
    candidates: list[Candidate]
    gold: np.ndarray  # one flag per candidate
    answerable: bool
    group: str


# (example index, models, held-out answer type) -> the decision, with the features it read
Judge = Callable[[int, Models, AnswerType], Decision]


def _logistic(C: float = 1.0, max_iter: int = 300):
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as error:
        raise QAError("fitting needs the train extra: pip install -e '.[train]'") from error
    return LogisticRegression(C=C, max_iter=max_iter)


def held_out(groups: Sequence[str], folds: int = INNER_FOLDS) -> np.ndarray:
    """The fold of each item by its group (every item of a group in one fold)."""
    return np.array([zlib.crc32(g.encode()) % folds for g in groups])


def fit_answer_type(examples: Sequence[Example], C: float = 4.0) -> Softmax:
    """The answer-type model: multinomial logistic regression over embedding + n-grams."""
    X = np.stack([e.type_features for e in examples])
    y = np.array([ANSWER_TYPES.index(e.answer_type) for e in examples])
    model = _logistic(C).fit(X, y)
    weights = np.zeros((len(ANSWER_TYPES), X.shape[1]), dtype=np.float32)
    bias = np.full(len(ANSWER_TYPES), -30.0, dtype=np.float32)  # a type never seen in training is never predicted
    if len(model.classes_) == 2:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
        intercept = np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    else:
        coef, intercept = model.coef_, model.intercept_
    weights[model.classes_] = coef
    bias[model.classes_] = intercept
    return Softmax(weights, bias)


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


def fit(examples: Sequence[Example], judge: Judge, info: dict, folds: int = INNER_FOLDS) -> Models:
    """All three models and the threshold from ``examples``; ``judge`` runs selection and the
    decision features for one example with given models (the pipeline's own steps). The
    answerability model learns whether the top passages hold a sentence that answers."""
    types = held_out_types(examples, folds)
    ranker = fit_ranker(examples, types)
    never = Linear(np.zeros(len(DECISION_FEATURES)), 0.0)  # with threshold -inf: always answers
    provisional = Models(fit_answer_type(examples), ranker, never, float("-inf"), info)
    X = np.stack([judge(i, provisional, kind).features for i, kind in enumerate(types)])
    # what the probability is of: the top passages hold a sentence that answers the question
    y = np.array([e.answerable and bool(e.gold.any()) for e in examples], dtype=int)
    model = _logistic(1.0).fit(X, y)
    answerability = Linear(model.coef_[0].astype(np.float64), float(model.intercept_[0]))
    fold = held_out([e.group for e in examples], folds)
    probabilities = np.zeros(len(examples))
    for f in range(folds):
        inside = fold != f
        if inside.all() or len(set(y[inside])) < 2:
            probabilities[~inside] = answerability.probability(X[~inside])
            continue
        inner = _logistic(1.0).fit(X[inside], y[inside])
        probabilities[~inside] = inner.predict_proba(X[~inside])[:, 1]
    threshold = choose_threshold(probabilities, np.array([e.answerable for e in examples]))
    return Models(provisional.answer_type, ranker, answerability, threshold,
                  {**info, "decision_means": X.mean(axis=0).round(6).tolist(), "examples": len(examples)})
