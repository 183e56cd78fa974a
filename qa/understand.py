"""Step 1 of answering: understand the question — its language; its intent (a question about the
content, about the document as a whole, small talk, or off-topic); and what kind of answer it asks
for (a number of something, a sum of money, a date, a list or reasons, a name, a place, a
description, yes or no). Intent and answer type are learned from the question's embedding and its
character n-grams, so that a typo or a missing letter does not change them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.language import Language
from qa.models import ANSWER_TYPES, INTENT_LABELS, Softmax
from qa.textfeatures import ngram_vector, word_vector

EMBEDDING_WEIGHT = 3.0
CLOSENESS_SCALE = 10.0


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


@dataclass(frozen=True)
class Intent:
    """The probabilities of each intent label (in INTENT_LABELS order: "question", "off_topic",
    "document:<part>", "smalltalk:<kind>")."""

    probabilities: np.ndarray

    @property
    def label(self) -> str:
        """The most likely label."""
        return INTENT_LABELS[int(np.argmax(self.probabilities))]

    @property
    def name(self) -> str:
        """question, document, smalltalk or off_topic."""
        return self.label.split(":")[0]

    @property
    def part(self) -> str:
        """What of the intent: the document's part asked about (summary, aim, method, conclusion)
        or the kind of small talk (greeting, thanks, farewell, help); "" otherwise."""
        return self.label.partition(":")[2]

    @property
    def certainty(self) -> float:
        """The probability of the most likely label."""
        return float(self.probabilities.max())


def make_question(text: str, query: str, language: Language, vector: np.ndarray) -> Question:
    """The question with its features."""
    return Question(text, query, language, vector, np.concatenate([ngram_vector(query), word_vector(query)]))


def closeness_features(passage_similarity: float, sentence_similarity: float, coverage: float) -> np.ndarray:
    """How near the document comes to the message: the similarity of its best passage and of its
    best sentence (spread out around e5's usual 0.8), and the share of the message's words that
    the top passages hold. Off-topic is relative to the document, so the intent reads these too."""
    return np.array([CLOSENESS_SCALE * (passage_similarity - 0.8), CLOSENESS_SCALE * (sentence_similarity - 0.8),
                     coverage], dtype=np.float32)


def intent_of(features: np.ndarray, model: Softmax) -> Intent:
    """What the message is, from its type features and its closeness to the document."""
    return Intent(model.probabilities(features))


def answer_type(question: Question, model: Softmax) -> AnswerType:
    """The answer type the question asks for."""
    return AnswerType(model.probabilities(question.type_features()))
