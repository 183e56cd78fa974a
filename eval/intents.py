"""Scoring messages that are no question about the content: whether the intent step recognises small
talk, off-topic messages and questions about the document as a whole, whether the reply is in the
asker's language without citations (small talk, off-topic), and whether a whole-document answer
quotes the part asked about."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from eval import metrics
from eval.dataset import Message
from eval.learned import Heard
from index.structure import section_role
from qa.errors import QAError
from qa.pipeline import QAPipeline
from qa.result import Answer
from qa.understand import Intent, intent_of

# What a quote of each part of the default article holds (its own words; gold for the evaluation only).
PART_ANCHORS = {"aim": ("макаланын максаты",), "method": ("ыкмасы колдонулду", "контент анализ")}
MESSAGE_COLUMNS = ["messages", "intent_accuracy", "label_accuracy", "recognised", "part_quoted"]
INTENT_COLUMNS = MESSAGE_COLUMNS[:3]


@dataclass(frozen=True)
class MessageResult:
    """What happened to one message."""

    id: str
    language: str
    style: str
    text: str
    label: str  # expected intent label
    predicted: str  # predicted label ("" when the message was refused)
    recognised: bool  # right intent, reply in the asker's language, cited only for a whole-document question
    part_quoted: bool | None  # a whole-document question: the reply quotes the part asked about
    answer: str = ""

    @property
    def intent(self) -> str:
        """The expected intent (without its part)."""
        return self.label.split(":")[0]

    def to_dict(self) -> dict:
        """JSON-ready record."""
        return asdict(self)


def quotes_part(answer: Answer, part: str) -> bool:
    """Whether ``answer`` quotes the ``part`` of the document asked about: its abstract, the
    conclusion section, or the sentence stating its aim or method."""
    quoted = [c for c in answer.citations if c.quote]
    if not quoted or answer.abstained:
        return False
    if part == "summary":
        return all(c.kind == "abstract" or section_role(c.section) == "abstract" for c in quoted)
    if part == "conclusion":
        return all(section_role(c.section) == "conclusion" for c in quoted)
    return any(anchor in (c.quote or "") for c in quoted for anchor in PART_ANCHORS[part])


def message_result(message: Message, predicted: Intent | None, answer: Answer | None) -> MessageResult:
    """Score one message from its predicted intent and the reply it got (None: refused)."""
    label = predicted.label if predicted else ""
    right = label.split(":")[0] == message.label.split(":")[0]
    part = message.label.partition(":")[2] if message.label.startswith("document") else None
    recognised = right and answer is not None and answer.language == message.language and \
        (bool(answer.citations) == (part is not None))
    quoted = quotes_part(answer, part) if part and answer is not None else (False if part else None)
    return MessageResult(message.id, message.language, message.style, message.text, message.label, label,
                         recognised, quoted, answer.answer if answer else "")


def answer_messages(pipeline: QAPipeline, heard: list[Heard]) -> list[MessageResult]:
    """Each message asked of the pipeline with its shipped models (for messages never fitted on)."""
    results = []
    for item in heard:
        try:
            answer = pipeline.ask(item.message.text)
        except QAError:
            answer = None
        predicted = intent_of(item.analysis.intent_features(), pipeline.models.intent) if item.analysis else None
        results.append(message_result(item.message, predicted, answer))
    return results


def cross_validated_intents(heard: list[Heard], intents: dict[str, Intent | None]) -> list[MessageResult]:
    """The training messages scored on their cross-validated intents only (no reply: the shipped
    models were fitted on them)."""
    return [MessageResult(h.message.id, h.message.language, h.message.style, h.message.text, h.message.label,
                          intents[h.message.id].label if intents.get(h.message.id) else "", False, None)
            for h in heard]


def summarize_messages(results: list[MessageResult], by: str = "intent") -> dict[str, dict[str, float | int | None]]:
    """Per intent (or another field, e.g. language or style) and all together."""
    groups = ("all", *sorted({getattr(r, by) for r in results}))
    summary = {}
    for group in groups:
        chosen = [r for r in results if group in ("all", getattr(r, by))]
        summary[group] = {
            "messages": len(chosen),
            "intent_accuracy": metrics.mean([float(r.predicted.split(":")[0] == r.intent) for r in chosen]),
            "label_accuracy": metrics.mean([float(r.predicted == r.label) for r in chosen]),
            "recognised": metrics.mean([float(r.recognised) for r in chosen]),
            "part_quoted": metrics.mean([float(r.part_quoted) for r in chosen if r.part_quoted is not None]),
        }
    return summary
