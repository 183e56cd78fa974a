"""Step 4 of answering: decide whether to answer. A learned, calibrated probability that the chosen
sentences answer the question, from features of the ranking (scores, margins, similarity) and of
the question (whether what it specifically asks about — its names, numbers, the kind of answer —
is in what would be quoted); below the threshold chosen in cross-validation, the answer says
the article does not contain it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from qa.coverage import absent_specifics
from qa.models import ANSWER_TYPES, Network
from qa.select import KINDS, Selection, kind_flags
from qa.understand import AnswerType, Question

DECISION_FEATURES = ("ranker_score", "margin", "evidence", "passage_similarity", "coverage", "shared_words",
                     "names_missing", "numbers_missing", "kind_match", "type_certainty", "ky", "ru", "en",
                     "question_length")
# Which kinds of sentence content answer each answer type (any of them); other types: any sentence.
_ANSWERED_BY = {"quantity": ("count", "percent"), "money": ("money",), "date": ("year",), "list": ("list",),
                "entity": ("name",), "place": ("name",)}
CONFIDENT = 0.75  # at or above: "found"; between the threshold and this: "not sure"


@dataclass(frozen=True)
class Decision:
    """Whether to answer, how likely the answer is right, and what weighed most against it."""

    probability: float
    abstain: bool
    why: tuple[str, ...] = ()
    features: np.ndarray | None = None  # what the model read (DECISION_FEATURES)



def confidence_word(probability: float | None, abstained: bool) -> str:
    """An answer's probability in words: "found", "not sure", or "not found" (an abstention)."""
    if abstained:
        return "not found"
    return "found" if probability is None or probability >= CONFIDENT else "not sure"


def kind_match(kind: AnswerType, texts: list[str], sentences: int) -> float:
    """How well the quoted texts hold the kind of answer asked for (expected over the types)."""
    flags = dict(zip(KINDS, kind_flags(texts)))
    flags["list"] = max(flags["list"], float(sentences > 1))
    return float(sum(kind.of(name) * (max(flags[k] for k in _ANSWERED_BY[name]) if name in _ANSWERED_BY else 1.0)
                     for name in ANSWER_TYPES))


def decision_features(question: Question, kind: AnswerType, selection: Selection, passage_similarity: float,
                      coverage: float, quoted_passages: list[str]) -> np.ndarray:
    """The answerability model's input (DECISION_FEATURES)."""
    best = selection.best
    if best is None:
        return np.zeros(len(DECISION_FEATURES))
    missing = absent_specifics(question.query, quoted_passages)
    numbers = {m for m in missing if m[:1].isdigit()}
    quoted = [t for c in selection.ranked if c.sentence in selection.chosen.get(c.passage_id, ()) for t in c.texts]
    shared_words = best.features[6]
    words = len(re.findall(r"\w+", question.query))
    return np.array([selection.scores[0], selection.margin, max(best.similarity, passage_similarity),
                     passage_similarity, coverage, shared_words, float(bool(missing - numbers)),
                     float(bool(numbers)), kind_match(kind, quoted or best.texts, sum(map(len, selection.chosen.values()))),
                     float(kind.probabilities.max()), *(float(question.language == lang) for lang in ("ky", "ru", "en")),
                     math.log1p(words) / 4.0])


def decide(features: np.ndarray, model: Network, threshold: float, means: list[float] | None = None) -> Decision:
    """Answer or abstain; ``means`` (the features' averages in training) name what weighed most
    against answering: the features whose replacement by their average would raise the
    probability most."""
    probability = float(model.probability(features))
    abstain = probability < threshold
    why: tuple[str, ...] = ()
    if abstain and means is not None:
        replaced = np.tile(features, (len(features), 1))
        np.fill_diagonal(replaced, means)
        gains = model.probability(replaced) - probability
        why = tuple(DECISION_FEATURES[i] for i in np.argsort(-gains)[:2] if gains[i] > 0)
    return Decision(probability, abstain, why, features)
