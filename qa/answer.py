"""Extractive answers: pick the sentence that answers, quote it verbatim with its [n] marker, frame
it in the question's language, and abstain when the evidence is weak."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from index.chunk import sentence_spans
from index.corpus import DEFAULT_ARTICLE
from index.keyword import keyword_tokens
from qa.catalog import PassageCatalog
from qa.language import Language
from qa.result import Citation
from qa.retrieve import Scored, SentenceHit

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
SENTENCE_PASSAGES = 3  # the answer sentence is looked for in this many top passages
KEYWORD_BONUS = 0.05
NUMBER_BONUS = 0.02
RANK_PENALTY = 0.5
NUMBER_QUESTION = re.compile(r"\b(?:канча|качан|кайсы жыл\w*|сколько|когда|в каком году|на сколько|"
                             r"каков\w* (?:объ[её]м|мощност\w*|длин\w*|размер\w*|доля)|"
                             r"how (?:much|many|long|large)|when|what year|which year|what percentage)\b",
                             re.IGNORECASE)
QUANTITY = re.compile(r"(?<![\w-])\d")  # a number standing on its own, not the 19 of "COVID-19"
WHY_QUESTION = re.compile(r"\b(?:эмне үчүн|эмнеге|эмне себептен|почему|зачем|отчего|why)\b", re.IGNORECASE)

FRAMES: dict[str, dict[str, str]] = {
    "en": {"answer": "According to the article ({where}): “{quote}” [{n}]",
           "answer_in": "According to {doc} ({where}): “{quote}” [{n}]",
           "abstract": "The English abstract says: “{quote}” [{n}]",
           "abstain": "The article does not say. The closest passages are shown as related."},
    "ru": {"answer": "Согласно статье ({where}): «{quote}» [{n}]",
           "answer_in": "Согласно документу {doc} ({where}): «{quote}» [{n}]",
           "abstract": "В русской аннотации: «{quote}» [{n}]",
           "abstain": "В статье об этом не говорится. Ближайшие фрагменты показаны как связанные."},
    "ky": {"answer": "Макалага ылайык ({where}): «{quote}» [{n}]",
           "answer_in": "{doc} документине ылайык ({where}): «{quote}» [{n}]",
           "abstract": "Аннотацияда: «{quote}» [{n}]",
           "abstain": "Макалада бул тууралуу айтылган эмес. Эң жакын үзүндүлөр тиешелүү катары көрсөтүлдү."},
}


@dataclass(frozen=True)
class Thresholds:
    """Below these evidence scores (per question language) the answer is an abstention."""

    by_language: dict[str, float]

    @classmethod
    def load(cls, embedder: str, path: Path = CALIBRATION_FILE) -> "Thresholds":
        """Thresholds calibrated for ``embedder`` (see ``qa eval --calibrate``); none known: never abstain."""
        table = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        return cls(dict(table.get(embedder, {})))

    def abstains(self, language: str, evidence: float) -> bool:
        """Whether ``evidence`` is too weak to answer a question in ``language``."""
        return evidence < self.by_language.get(language, float("-inf"))


def keyword_overlap(wanted: set[str], sentence: str) -> float:
    """Share of the question's keyword tokens (``wanted``) that the sentence contains."""
    return len(wanted & set(keyword_tokens(sentence))) / len(wanted) if wanted else 0.0


def best_sentence(question: str, ranked: list[Scored], hits: list[SentenceHit]) -> SentenceHit | None:
    """The sentence that best answers: similar to the question, sharing its words, with a number if
    the question asks for one, in a top passage (whose own adjustments, such as the keyword
    score and the translation offset, carry over to its sentences)."""
    passages = {s.passage_id: s for s in ranked[:SENTENCE_PASSAGES]}
    candidates = [h for h in hits if h.passage_id in passages]
    if not candidates:
        return None
    top = max(s.score for s in passages.values())
    wants_number = bool(NUMBER_QUESTION.search(question))
    wanted = set(keyword_tokens(question))

    def score(hit: SentenceHit) -> float:
        passage = passages[hit.passage_id]
        has_number = wants_number and bool(QUANTITY.search(hit.text))
        return hit.similarity + (passage.score - passage.dense) - RANK_PENALTY * (top - passage.score) + \
            KEYWORD_BONUS * keyword_overlap(wanted, hit.text) + NUMBER_BONUS * has_number

    return max(candidates, key=score)


def quote_span(question: str, passage_text: str, sentence: str) -> str:
    """The verbatim quote: the chosen sentence, and for a why-question the sentence after it too
    (the reason often follows what it explains)."""
    start = passage_text.find(sentence)
    if start < 0 or not WHY_QUESTION.search(question):
        return sentence
    end = start + len(sentence)
    following = [(s, e) for s, e in sentence_spans(passage_text) if s >= end]
    return passage_text[start:following[0][1]] if following else sentence


def missing_specifics(question: str, quote: str, known_numbers: set[str]) -> bool:
    """True when the question asks for something the quote cannot give: it names a number (a
    year, say) that the corpus never mentions, or it asks how many / when and the quote has no
    number at all."""
    asked = {t for t in keyword_tokens(question) if t[:1].isdigit()}
    if asked - known_numbers:
        return True
    return bool(NUMBER_QUESTION.search(question)) and not QUANTITY.search(quote)


def evidence(ranked: list[Scored], sentence: SentenceHit | None) -> float:
    """How strongly the article supports an answer: the best of passage and sentence similarity."""
    passage = ranked[0].dense if ranked else 0.0
    return max(passage, sentence.similarity if sentence else 0.0)


def make_citations(ranked: list[Scored], catalog: PassageCatalog, quotes: dict[str, str]) -> list[Citation]:
    """Citations in rank order, each with the sentence quoted from it (if any)."""
    citations = []
    for n, s in enumerate(ranked, start=1):
        meta = catalog.meta(s.passage_id)
        citations.append(Citation(n=n, passage_id=s.passage_id, text=catalog.text(s.passage_id),
                                  quote=quotes.get(s.passage_id), section=str(meta.get("section", "")),
                                  language=str(meta.get("language", "")), score=round(s.score, 4),
                                  kind=str(meta.get("kind", "body")), paragraph=int(meta.get("paragraph", 0)),
                                  doc=str(meta.get("doc", "")), start=int(meta.get("start", 0)),
                                  end=int(meta.get("end", 0)), page=int(meta.get("page", 0))))
    return citations


def frame_answer(frame: Language, main: Citation, extra: Citation | None, article: str = DEFAULT_ARTICLE.name) -> str:
    """The answer text: the quoted sentence with its place and [n], in the frame's language; a
    document other than the article is named."""
    words = FRAMES[frame]
    template = words["answer"] if main.doc in ("", article) else words["answer_in"]
    text = template.format(doc=main.doc, where=main.place(), quote=main.quote, n=main.n)
    if extra is not None:
        text += "\n" + words["abstract"].format(quote=extra.quote, n=extra.n)
    return text


def abstract_support(language: str, ranked: list[Scored], catalog: PassageCatalog,
                     hits: list[SentenceHit], main_passage: str, floor: float) -> SentenceHit | None:
    """The best sentence of a Russian or English abstract passage among the results, for a question
    in that language, if it is as well supported as ``floor``."""
    abstract_ids = {s.passage_id for s in ranked if s.passage_id != main_passage
                    and catalog.meta(s.passage_id).get("kind") == "abstract"
                    and catalog.meta(s.passage_id).get("language") == language != catalog.main_language}
    candidates = [h for h in hits if h.passage_id in abstract_ids and h.similarity >= floor]
    return max(candidates, key=lambda h: h.similarity) if candidates else None
