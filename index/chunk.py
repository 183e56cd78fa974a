"""Cut labelled paragraphs into passages of a few sentences, each with stable metadata."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

from index.structure import Paragraph

TARGET_CHARS = 400
MAX_CHARS = 520
# A sentence ends at . ! ? (or ; closing a list item) before a space and a capital, digit, quote or
# bullet; not after an abbreviation such as "б." in "[1, 33-б.]" or "ж.б.у.с.".
_SENTENCE_END = re.compile(r"(?<![\s.]б\.)(?<!\b[а-яa-z]\.)(?<=[.!?;])\s+(?=[«“\"(•A-ZА-ЯЁӨҮҢ0-9])")


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of a document and everything needed to cite it."""

    id: str
    text: str
    doc: str
    section: str
    kind: str
    language: str
    paragraph: int
    paragraph_end: int
    start: int
    end: int
    page: int = 0

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for the vector store (everything but the text)."""
        return {k: v for k, v in asdict(self).items() if k != "text"}


MIN_SENTENCE_CHARS = 25


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of each sentence of ``text``.

    A fragment too short to stand alone (a list number "1.", an inline title "Корутунду.") stays
    with the sentence after it.
    """
    bounds, cursor = [], 0
    for separator in _SENTENCE_END.finditer(text):
        bounds.append((cursor, separator.start()))
        cursor = separator.end()
    bounds.append((cursor, len(text.rstrip())))
    spans: list[tuple[int, int]] = []
    pending: int | None = None
    for start, end in bounds:
        if end <= start:
            continue
        start = start if pending is None else pending
        if end - start < MIN_SENTENCE_CHARS:
            pending = start
            continue
        spans.append((start, end))
        pending = None
    if pending is not None:
        spans = spans[:-1] + [(spans[-1][0] if spans else pending, len(text.rstrip()))]
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, verbatim."""
    return [text[start:end] for start, end in sentence_spans(text)]


def title_merged_spans(text: str, title: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage, an inline section title kept with the sentence after it."""
    spans = sentence_spans(text)
    if len(spans) > 1 and text[spans[0][0]:spans[0][1]].rstrip(".") == title:
        spans = [(spans[0][0], spans[1][1])] + spans[2:]
    return spans


def sentences_without_titles(text: str, title: str) -> list[str]:
    """The passage's sentences (what the sentence index holds), a section title kept with the next."""
    return [text[start:end] for start, end in title_merged_spans(text, title)]


def _pack(spans: list[tuple[int, int]], target: int, limit: int) -> list[tuple[int, int]]:
    """Group consecutive sentence spans into pieces of about ``target`` characters, at most
    ``limit`` where sentences allow; a short tail joins the piece before it."""
    pieces: list[list[int]] = []
    for start, end in spans:
        if pieces and (end - pieces[-1][0] <= target or (end - pieces[-1][0] <= limit and
                                                           pieces[-1][1] - pieces[-1][0] < target // 2)):
            pieces[-1][1] = end
        else:
            pieces.append([start, end])
    if len(pieces) > 1 and pieces[-1][1] - pieces[-1][0] < target // 3 and pieces[-1][1] - pieces[-2][0] <= limit:
        tail = pieces.pop()
        pieces[-1][1] = tail[1]
    return [(s, e) for s, e in pieces]


def _groups(paragraphs: list[Paragraph], target: int) -> list[list[Paragraph]]:
    """Consecutive short paragraphs of one section (list items, say) travel together."""
    groups: list[list[Paragraph]] = []
    for para in paragraphs:
        last = groups[-1] if groups else None
        fits = last and last[-1].section == para.section and last[-1].kind == para.kind and \
            last[-1].language == para.language and last[-1].page == para.page and \
            para.end - last[0].start <= target and \
            min(len(para.text), last[-1].end - last[0].start) < target // 2
        if fits:
            last.append(para)
        else:
            groups.append([para])
    return groups


def passage_id(doc: str, text: str) -> str:
    """An id that stays the same across rebuilds as long as the passage's text does."""
    return hashlib.sha1(f"{doc}\n{text}".encode()).hexdigest()[:16]


def chunk(paragraphs: list[Paragraph], cleaned: str, doc: str,
          target: int = TARGET_CHARS, limit: int = MAX_CHARS) -> list[Passage]:
    """Passages of about ``target`` characters, cut at sentence ends, never across sections."""
    passages: list[Passage] = []
    for group in _groups([p for p in paragraphs if p.kind != "heading"], target):
        first, last = group[0], group[-1]
        if len(group) > 1:
            pieces = [(first.start, last.end)]
        else:
            pieces = [(first.start + s, first.start + e) for s, e in _pack(sentence_spans(first.text), target, limit)]
        for start, end in pieces:
            text = cleaned[start:end]
            passages.append(Passage(passage_id(doc, text), text, doc, first.section, first.kind,
                                    first.language, first.number, last.number, start, end, first.page))
    return passages
