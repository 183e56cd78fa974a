"""The result of a question: the same object for every front end (CLI, UI, evaluation)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    """One cited passage, in rank order (``n`` is its [n] marker)."""

    n: int
    passage_id: str
    text: str
    quote: str | None
    section: str
    language: str
    score: float
    kind: str = "body"
    paragraph: int = 0
    doc: str = ""
    start: int = 0
    end: int = 0
    page: int = 0  # 1-based page of a PDF source, 0 when it has none
    translation: str | None = None  # the passage in the answer's language (the project's translation), if any
    quote_translation: str | None = None  # the quote in the answer's language, aligned with ``quote``

    def place(self, with_document: bool = False) -> str:
        """Where the passage is: "[doc · ]Section, ¶3[, p. 2]"."""
        parts = [self.section] if self.section else []
        parts.append(f"¶{self.paragraph}")
        if self.page:
            parts.append(f"p. {self.page}")
        return (f"{self.doc} · " if with_document and self.doc else "") + ", ".join(parts)


@dataclass(frozen=True)
class Answer:
    """An extractive, cited answer, or an abstention with the closest passages as related."""

    question: str
    language: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    id: str | None = None
    evidence: float = 0.0  # the similarity abstention is decided on
    search_query: str | None = None  # what was searched when a follow-up was completed from the last turn
    coverage: float = 1.0  # share of the question's content words found in the passages (abstention too)
    generated: bool = False  # the text was written by a language model and passed verification (qa.generate)
    fallback_reason: str | None = None  # why a generated answer was not used ("code: detail"), else None
    model: str | None = None  # the language model asked, if any
    confidence: float | None = None  # probability that the quoted sentences answer (qa.decide)
    answer_type: str | None = None  # what kind of answer the question asks for (qa.understand)
    why: tuple[str, ...] = ()  # an abstention: what weighed most against answering
    intent: str = "question"  # question | document | smalltalk | off_topic (qa.understand)
    suggestions: tuple[str, ...] = ()  # follow-up questions in the asker's language, checked to be answered
    read_as: str | None = None  # the question as read, when it was transliterated (Latin-typed Kyrgyz)

    def to_dict(self) -> dict:
        """The documented JSON object."""
        data = {"id": self.id, "question": self.question, "language": self.language, "answer": self.answer,
                "abstained": self.abstained, "evidence": round(self.evidence, 4), "coverage": round(self.coverage, 4),
                "citations": [asdict(c) for c in self.citations], "generated": self.generated,
                "fallback_reason": self.fallback_reason, "model": self.model,
                "confidence": None if self.confidence is None else round(self.confidence, 4),
                "answer_type": self.answer_type, "intent": self.intent, "suggestions": list(self.suggestions)}
        if self.abstained:
            data["why"] = list(self.why)
        if self.read_as is not None:
            data["read_as"] = self.read_as
        if self.search_query is not None:
            data["search_query"] = self.search_query
        return data

    def to_json(self) -> str:
        """One line of JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False)
