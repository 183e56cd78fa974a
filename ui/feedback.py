"""Thumbs up/down on answers, appended to a local JSONL file: the seed of future evaluation questions."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from qa.result import Answer

DEFAULT_FEEDBACK_FILE = Path(os.environ.get("QA_FEEDBACK_FILE", "feedback.jsonl"))
_LOCK = threading.Lock()


def record_feedback(answer: Answer, liked: bool, path: Path = DEFAULT_FEEDBACK_FILE) -> dict:
    """Append one line (question, answer, verdict, cited passage ids) and return it.

    One write of one whole line under a lock, in append mode: earlier lines are never rewritten.
    """
    row = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "liked": liked, "question": answer.question,
           "language": answer.language, "answer": answer.answer, "abstained": answer.abstained,
           "passage_ids": [c.passage_id for c in answer.citations]}
    line = json.dumps(row, ensure_ascii=False) + "\n"
    with _LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(line)
    return row
