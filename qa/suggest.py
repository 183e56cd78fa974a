"""Questions the chatbot suggests: examples to a greeting, and after an answer up to three follow-ups
about the passages next to it, in the asker's language. They come from the document's own pool of
questions (``NAME.questions.jsonl`` beside the document: one {"question", "language", "passages"}
object a line, "passages" the ids of the passages that answer it) and each is suggested only once
the pipeline has answered it from one of them with confidence (checked when first needed, then
remembered)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.decide import CONFIDENT
from qa.jsonl import read_jsonl
from qa.result import Answer

SUGGESTIONS = 3


@dataclass(frozen=True)
class PoolQuestion:
    """A question of a document's pool, and where its passage stands in the index's reading order."""

    question: str
    language: str
    passage_ids: frozenset[str]
    position: int  # of its first passage


def questions_beside(document_path: str) -> Path:
    """Where a document's pool of questions is: NAME.questions.jsonl beside NAME.txt (or .md, .pdf)."""
    path = Path(document_path)
    return path.with_name(f"{path.stem}.questions.jsonl")


def read_pool(paths: list[str], order: list[str]) -> list[PoolQuestion]:
    """The pool questions of the documents at ``paths`` that have a passage in the index (``order``:
    every passage id in reading order); files that do not exist, and malformed lines, are skipped."""
    position = {pid: n for n, pid in enumerate(order)}
    pool = []
    for document_path in paths:
        path = questions_beside(document_path) if document_path else None
        if path is None or not path.is_file():
            continue
        for _, row, problem in read_jsonl(path, "question pool"):
            passages = frozenset(p for p in (row.get("passages") or [] if isinstance(row, dict) else [])
                                 if p in position)
            if problem or not passages:
                continue
            pool.append(PoolQuestion(str(row["question"]), str(row["language"]), passages,
                                     min(position[p] for p in passages)))
    return pool


class Suggestions:
    """A document pool's questions, checked through ``ask`` when first needed."""

    def __init__(self, pool: list[PoolQuestion], order: list[str], ask: Callable[[str], Answer]) -> None:
        self.pool = pool
        self._position = {pid: n for n, pid in enumerate(order)}
        self._ask = ask
        self._verdicts: dict[str, bool] = {}
        self._lock = threading.RLock()
        self._checking = False

    def answered(self, item: PoolQuestion) -> bool:
        """Whether the pipeline answers the question from its passage, with confidence."""
        with self._lock:
            if item.question not in self._verdicts:
                self._checking = True
                try:
                    answer = self._ask(item.question)
                finally:
                    self._checking = False
                quoted = [c.passage_id for c in answer.citations if c.quote]
                self._verdicts[item.question] = (not answer.abstained and answer.intent == "question"
                                                 and (answer.confidence or 0.0) >= CONFIDENT
                                                 and bool(item.passage_ids & set(quoted)))
            return self._verdicts[item.question]

    def examples(self, language: str, count: int = SUGGESTIONS) -> tuple[str, ...]:
        """Questions spread over the document, in ``language`` (none while a question is being checked:
        a check never suggests)."""
        if self._checking:
            return ()
        own = sorted((q for q in self.pool if q.language == language), key=lambda q: q.position)
        step = max(1, len(own) // (count + 1))
        spread = own[step::step] + own[:step]
        return self._first_answered(spread, count, set())

    def after(self, answer: Answer, asked: set[str] = frozenset(), count: int = SUGGESTIONS) -> tuple[str, ...]:
        """Follow-ups to ``answer``: questions in its language about the passages nearest the one
        it quotes first (not that passage itself, nor anything in ``asked``)."""
        quoted = [c.passage_id for c in answer.citations if c.quote]
        at = self._position.get(quoted[0]) if quoted else None
        if at is None or self._checking:
            return ()
        near = sorted((q for q in self.pool if q.language == answer.language and not q.passage_ids & set(quoted)),
                      key=lambda q: (abs(q.position - at), q.position))
        return self._first_answered(near, count, asked | {answer.question})

    def _first_answered(self, items: list[PoolQuestion], count: int, skip: set[str]) -> tuple[str, ...]:
        """The first ``count`` questions that are answered, one per passage."""
        chosen: list[PoolQuestion] = []
        for item in items:
            if len(chosen) == count:
                break
            if item.question in skip or any(c.passage_ids & item.passage_ids for c in chosen):
                continue
            if self.answered(item):
                chosen.append(item)
        return tuple(q.question for q in chosen)
