"""Step 1 of answering: understand the question — its language, and what kind of answer it asks
for (a number of something, a sum of money, a date, a list or reasons, a name, a place, a
description, yes or no), learned from the question's embedding and its character n-grams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.language import Language
from qa.models import ANSWER_TYPES, Softmax
from qa.textfeatures import ngram_vector, word_vector

EMBEDDING_WEIGHT = 3.0


@dataclass(frozen=True)
class Question:
    """A question as the later steps need it."""

    text: str  # as asked (whitespace folded)
    query: str  # what is searched: the text, or a follow-up completed from the previous question
    language: Language
    vector: np.ndarray  # the query's embedding
    ngrams: np.ndarray  # hashed character n-grams and words of the query (see qa.textfeatures)

    def type_features(self) -> np.ndarray:
        """What the answer-type model reads: the embedding (weighed up: measured, held-out type
        accuracy 0.709 as it is, 0.715 times three, 0.732 with the words) beside the n-grams and words."""
        return np.concatenate([EMBEDDING_WEIGHT * self.vector, self.ngrams])


@dataclass(frozen=True)
class AnswerType:
    """The probabilities of each answer type (in ANSWER_TYPES order)."""

    probabilities: np.ndarray

    @property
    def name(self) -> str:
        """The most likely type."""
        return ANSWER_TYPES[int(np.argmax(self.probabilities))]

    def of(self, name: str) -> float:
        """The probability of one type."""
        return float(self.probabilities[ANSWER_TYPES.index(name)])

    @property
    def numeric(self) -> str | None:
        """"quantity", "money" or "date" when the question most likely asks for a number of that kind."""
        return self.name if self.name in ("quantity", "money", "date") else None


def make_question(text: str, query: str, language: Language, vector: np.ndarray) -> Question:
    """The question with its features."""
    return Question(text, query, language, vector, np.concatenate([ngram_vector(query), word_vector(query)]))


def answer_type(question: Question, model: Softmax) -> AnswerType:
    """The answer type the question asks for."""
    return AnswerType(model.probabilities(question.type_features()))
