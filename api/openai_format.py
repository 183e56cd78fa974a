"""The OpenAI chat API's shapes: a conversation in, a chat completion (or its stream of chunks) out.

The last user message is the question; the user messages before it are replayed through the
UI's follow-up completion, so "And in 2020?" after a question about investment is understood as in
the chat UI. The reply's content is the answer with its [n] and a short list of the passages it
cites; ``citations`` carries the same objects as ``qa ask --json``, and ``qa`` the rest of that object.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from qa.errors import QAError
from qa.followup import complete_followup
from qa.generate import answer_language
from qa.pipeline import DEFAULT_K
from qa.result import Answer, Citation

MODEL_ID = "kg-cn-bri-qa"
MAX_K = 20
QUOTE_CHARS = 300
RELATED_SHOWN = 3
STREAM_WORDS = 4  # words per streamed chunk
HEADINGS = {"sources": {"ky": "Булактар", "ru": "Источники", "en": "Sources"},
            "related": {"ky": "Тиешелүү үзүндүлөр", "ru": "Связанные фрагменты", "en": "Related passages"}}
Frame = Literal["auto", "ky", "ru", "en"]


class ChatMessage(BaseModel):
    """One message of the conversation; content as a string or as OpenAI's list of parts."""

    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict] | None = None

    def text(self) -> str:
        """The message's text (the text parts of a list joined)."""
        if isinstance(self.content, list):
            return " ".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """``POST /v1/chat/completions``. Sampling options (temperature, max_tokens …) are accepted and
    ignored; ``k`` and ``frame`` are this server's own."""

    model_config = ConfigDict(extra="allow")
    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K, description="number of cited passages")
    frame: Frame = Field("auto", description="language of the answer (auto: the question's)")


class AskRequest(BaseModel):
    """``POST /api/ask``: what ``qa ask --json`` takes, plus the previous question for a follow-up."""

    question: str
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K)
    frame: Frame = "auto"
    previous: str | None = Field(None, description="the previous question (a short follow-up builds on it)")


def split_conversation(messages: list[ChatMessage]) -> tuple[str, str | None]:
    """The question (the last user message) and what the turns before it searched for."""
    asked = [m.text() for m in messages if m.role == "user"]
    if not asked:
        raise QAError("the conversation has no user message to answer")
    previous = None
    for turn in asked[:-1]:
        if turn.strip():
            previous = complete_followup(previous, turn) or turn
    return asked[-1], previous


def reply_content(answer: Answer, frame: str) -> str:
    """The answer with its [n], then the passages it cites (section, ¶, the quoted sentence), or for
    an abstention the closest passages as related."""
    language = answer_language(answer, frame)
    if answer.abstained:
        heading, shown = HEADINGS["related"][language], answer.citations[:RELATED_SHOWN]
    else:
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
        heading, shown = HEADINGS["sources"][language], [c for c in answer.citations if c.n in cited]
    several = len({c.doc for c in answer.citations}) > 1
    lines = [f"[{c.n}] {c.place(several)}: “{_quoted(c)}”" for c in shown]
    return f"{answer.answer}\n\n{heading}:\n" + "\n".join(lines) if lines else answer.answer


def _quoted(citation: Citation) -> str:
    """The sentence quoted from a passage, in the answer's language where we have it."""
    text = " ".join((citation.quote_translation or citation.quote or citation.translation or citation.text).split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


def _extras(answer: Answer) -> dict:
    """``citations`` (as in ``qa ask --json``) and ``qa``: the rest of that object."""
    data = answer.to_dict()
    return {"citations": data.pop("citations"), "qa": data}


def _envelope(kind: str) -> dict:
    return {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": kind, "created": int(time.time()), "model": MODEL_ID}


def completion(answer: Answer, frame: str) -> dict:
    """The chat completion object for a whole answer."""
    message = {"role": "assistant", "content": reply_content(answer, frame)}
    return {**_envelope("chat.completion"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
            **_extras(answer)}


def completion_chunks(answer: Answer, frame: str) -> Iterator[str]:
    """The answer as server-sent events, like the OpenAI API's stream: the role, the content a few
    words at a time, a last chunk with ``finish_reason`` and the citations, then ``[DONE]``. The
    answer is complete (and verified, if generated) before its first word is sent."""
    envelope = _envelope("chat.completion.chunk")

    def event(delta: dict, finish: str | None = None, **extra) -> str:
        chunk = {**envelope, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
                 **extra}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    words = re.findall(r"\s*\S+", reply_content(answer, frame))
    for start in range(0, len(words), STREAM_WORDS):
        yield event({"content": "".join(words[start:start + STREAM_WORDS])})
    yield event({}, "stop", **_extras(answer))
    yield "data: [DONE]\n\n"


def models() -> dict:
    """``GET /v1/models``: the one model this server is."""
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "qa"}]}
