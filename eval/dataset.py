"""The evaluation set: one JSON object per line (see eval/README.md for the format)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError
from qa.jsonl import read_jsonl

DEFAULT_SET = Path(__file__).parent / "data" / "questions.jsonl"
TRAINING_SET = Path(__file__).parent / "training" / "questions.jsonl"  # fitted on (reported cross-validated)
TRANSFER_DOCUMENT = Path(__file__).parent / "transfer" / "lake_issyk_kul.md"  # a second document, never fitted on
TRANSFER_SET = Path(__file__).parent / "transfer" / "questions.jsonl"
FOLLOWUP_SET = Path(__file__).parent / "data" / "followups.jsonl"
TYPED_SET = Path(__file__).parent / "data" / "typed.jsonl"  # Kyrgyz in Latin letters, mixed Russian–Kyrgyz
MESSAGE_SET = Path(__file__).parent / "training" / "intents.jsonl"  # small talk, off-topic, whole-document (fitted on)
MESSAGE_EVAL_SET = Path(__file__).parent / "data" / "intents.jsonl"  # the same kinds, written apart, never fitted on
# The kinds of small talk the corpus names, as the intent model tells them apart (qa.models.INTENT_LABELS).
_SMALLTALK = {"greeting": "greeting", "wellbeing": "greeting", "thanks": "thanks", "farewell": "farewell",
              "identity": "help", "capabilities": "help"}
_LANGUAGES = ("ky", "ru", "en")


@dataclass(frozen=True)
class EvalQuestion:
    """A question with what a right answer must show."""

    id: str
    language: str
    question: str
    anchors: tuple[str, ...]
    answer_facts: tuple[tuple[str, ...], ...]
    answerable: bool
    fact: str = ""
    style: str = "formal"  # natural, paraphrase, informal, no_diacritics, formal, list, yesno, followup, unanswerable
    answer_type: str = ""  # the kind of answer asked for (qa.models.ANSWER_TYPES), where labelled
    sentences: tuple[str, ...] = ()  # ids ("PASSAGE:N") of the sentences that answer, where labelled
    previous: str = ""  # a follow-up: the question before it
    intent: str = "question"  # "off_topic" for a question that has nothing to do with the document


@dataclass(frozen=True)
class Message:
    """A message that is no question about the content: small talk, off-topic, or about the
    document as a whole; ``label`` is its intent label (qa.models.INTENT_LABELS)."""

    id: str
    language: str
    text: str
    label: str
    style: str
    group: str


@dataclass(frozen=True)
class FollowUp:
    """A question and an elliptical follow-up to it, with the follow-up's gold anchors."""

    id: str
    language: str
    first: str
    followup: str
    anchors: tuple[str, ...]


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    rows = []
    for number, row, problem in read_jsonl(path, "evaluation set"):
        if problem:
            raise QAError(f"{path}:{number}: {problem}")
        rows.append((number, row))
    return rows


def load_questions(path: Path = DEFAULT_SET) -> list[EvalQuestion]:
    """Read and check an evaluation set; a malformed line is an error naming it."""
    questions = []
    for number, row in _read_jsonl(path):
        try:
            question = EvalQuestion(
                id=str(row["id"]), language=str(row["language"]), question=str(row["question"]),
                anchors=tuple(row.get("anchors", [])),
                answer_facts=tuple(tuple(group) for group in row.get("answer_facts", [])),
                answerable=bool(row["answerable"]), fact=str(row.get("fact", "")),
                style=str(row.get("style", "formal")), answer_type=str(row.get("type", "")),
                sentences=tuple(row.get("sentences", [])), previous=str(row.get("previous", "")),
                intent=str(row.get("intent", "question")))
        except (KeyError, TypeError) as error:
            raise QAError(f"{path}:{number}: missing or malformed field {error}") from error
        if question.language not in _LANGUAGES:
            raise QAError(f"{path}:{number}: language must be one of {', '.join(_LANGUAGES)}")
        if question.answerable and not (question.anchors or question.sentences):
            raise QAError(f"{path}:{number}: an answerable question needs gold anchors or sentences")
        questions.append(question)
    if not questions:
        raise QAError(f"{path}: no questions")
    return questions


def message_label(intent: str, aspect: str) -> str:
    """The intent label of a message of the corpus (its intent and aspect)."""
    if intent == "smalltalk":
        return f"smalltalk:{_SMALLTALK[aspect]}"
    return f"document:{aspect}" if intent == "document" else intent


def load_messages(path: Path = MESSAGE_SET) -> list[Message]:
    """Read the small-talk, off-topic and whole-document messages."""
    try:
        return [Message(str(r["id"]), str(r["language"]), str(r["text"]), message_label(r["intent"], r.get("aspect", "")),
                        str(r.get("style", "formal")), str(r["group"])) for _, r in _read_jsonl(path)]
    except (KeyError, TypeError) as error:
        raise QAError(f"{path}: missing or malformed field {error}") from error


def load_followups(path: Path = FOLLOWUP_SET) -> list[FollowUp]:
    """Read the follow-up pairs."""
    try:
        return [FollowUp(str(r["id"]), str(r["language"]), str(r["first"]), str(r["followup"]), tuple(r["anchors"]))
                for _, r in _read_jsonl(path)]
    except (KeyError, TypeError) as error:
        raise QAError(f"{path}: missing or malformed field {error}") from error


def missing_anchors(questions: list[EvalQuestion], corpus_text: str) -> list[tuple[str, str]]:
    """(question id, anchor) for every anchor that is not in the cleaned corpus."""
    return [(q.id, a) for q in questions for a in q.anchors if a not in corpus_text]
