"""Sentence alignment of a document with its translations, and each passage's translation.

Paragraphs are paired by order (a translation mirrors its original paragraph for paragraph); inside
a paragraph, sentences are aligned 1:1, 1:2 or 2:1 (1:3 and 3:1 when nothing else fits) by dynamic
programming on e5 similarity, and every aligned pair must state the same numbers. A translation that
cannot be aligned is a QAError naming the paragraph, so nothing is indexed from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.chunk import Passage, sentence_spans, title_merged_spans
from index.corpus import Document
from index.structure import ABSTRACT_TITLES, KEYWORDS_LABELS, Paragraph, section_title
from index.translations import TranslationSource
from qa.errors import QAError
from qa.language import Language

Embed = Callable[[list[str]], np.ndarray]
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# (original sentences, translated sentences) per aligned group, and the extra cost of each shape
_MOVES = {(1, 1): 0.0, (1, 2): 0.05, (2, 1): 0.05, (1, 3): 0.12, (3, 1): 0.12}
_NUMBER_MISMATCH = 10.0


def numbers(text: str) -> list[str]:
    """The digit runs of ``text``, decimal commas read as points, sorted: what a pair must share."""
    return sorted(n.replace(",", ".") for n in _NUMBER.findall(text))


@dataclass(frozen=True)
class AlignedPair:
    """Original sentence(s) and their translation: offsets in the cleaned original, and similarity."""

    language: Language
    paragraph: int  # 0-based index among the original's paragraphs
    start: int
    end: int
    original: str
    translation: str
    similarity: float


@dataclass(frozen=True)
class PassageTranslation:
    """A passage in another language: its text, its section's title, and one translation for each
    of its sentences (as ``sentences_without_titles`` cuts the original)."""

    language: Language
    text: str
    section: str
    sentences: tuple[str, ...]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vectors)
    return vectors / norm if norm else vectors


def align_sentences(original: list[str], translated: list[str], original_vectors: np.ndarray,
                    translated_vectors: np.ndarray) -> list[tuple[slice, slice, float]] | None:
    """The cheapest monotone alignment of two sentence lists, as (original slice, translated slice,
    similarity) groups; None when the sentence counts cannot be matched by the allowed shapes."""
    rows, cols = len(original), len(translated)
    cost = np.full((rows + 1, cols + 1), np.inf)
    cost[0, 0] = 0.0
    back: dict[tuple[int, int], tuple[int, int, float]] = {}
    for i in range(rows + 1):
        for j in range(cols + 1):
            if not np.isfinite(cost[i, j]):
                continue
            for (di, dj), penalty in _MOVES.items():
                if i + di > rows or j + dj > cols:
                    continue
                similarity = float(_unit(original_vectors[i:i + di].sum(0)) @ _unit(translated_vectors[j:j + dj].sum(0)))
                same_numbers = numbers(" ".join(original[i:i + di])) == numbers(" ".join(translated[j:j + dj]))
                # dissimilarity counts once per sentence, so that merging is no way to pay less
                total = cost[i, j] + (1 - similarity) * (di + dj) / 2 + penalty + \
                    (0 if same_numbers else _NUMBER_MISMATCH)
                if total < cost[i + di, j + dj]:
                    cost[i + di, j + dj] = total
                    back[(i + di, j + dj)] = (di, dj, similarity)
    if not np.isfinite(cost[rows, cols]):
        return None
    groups, i, j = [], rows, cols
    while i or j:
        di, dj, similarity = back[(i, j)]
        groups.append((slice(i - di, i), slice(j - dj, j), similarity))
        i, j = i - di, j - dj
    return groups[::-1]


def _where(paragraph: Paragraph) -> str:
    return f"{paragraph.section} ¶{paragraph.number}" if paragraph.section else f"¶{paragraph.number}"


def _check_paragraph_count(paragraphs: list[Paragraph], source: TranslationSource) -> None:
    """A clear error when the translation has more or fewer paragraphs, naming where they part."""
    translated = source.paragraphs
    if len(translated) == len(paragraphs):
        return
    first_off = next((i for i, (p, t) in enumerate(zip(paragraphs, translated))
                      if p.language != source.language and numbers(p.text) != numbers(t)),
                     min(len(paragraphs), len(translated)) - 1)
    where = _where(paragraphs[min(first_off, len(paragraphs) - 1)])
    raise QAError(f"{source.name}: {len(translated)} paragraphs, the original has {len(paragraphs)}; "
                  f"they part at paragraph {first_off + 1} ({where}): a paragraph missing or added there?")


def align_translation(paragraphs: list[Paragraph], source: TranslationSource, embed: Embed) -> list[AlignedPair]:
    """Every sentence of the original aligned with ``source`` (paragraphs already in the
    translation's language are left out); a QAError naming the first paragraph that does not fit."""
    _check_paragraph_count(paragraphs, source)
    todo = [(i, p, source.paragraphs[i]) for i, p in enumerate(paragraphs) if p.language != source.language]
    spans = {i: sentence_spans(p.text) for i, p, _ in todo}
    translated = {i: [t[s:e] for s, e in sentence_spans(t)] for i, _, t in todo}
    originals = {i: [p.text[s:e] for s, e in spans[i]] for i, p, _ in todo}
    vectors = embed([s for i, _, _ in todo for s in originals[i] + translated[i]])
    pairs, cursor = [], 0
    for i, paragraph, text in todo:
        ov = vectors[cursor:cursor + len(originals[i])]
        cursor += len(originals[i])
        tv = vectors[cursor:cursor + len(translated[i])]
        cursor += len(translated[i])
        where = f"{source.name}: paragraph {i + 1} ({_where(paragraph)})"
        if numbers(paragraph.text) != numbers(text):
            raise QAError(f"{where} does not match the original: numbers {', '.join(numbers(paragraph.text)) or '-'}"
                          f" in the original, {', '.join(numbers(text)) or '-'} in the translation")
        groups = align_sentences(originals[i], translated[i], ov, tv)
        if groups is None:
            raise QAError(f"{where}: {len(translated[i])} sentences cannot be aligned with the original's "
                          f"{len(originals[i])}")
        for rows, cols, similarity in groups:
            original, translation = " ".join(originals[i][rows]), " ".join(translated[i][cols])
            if numbers(original) != numbers(translation):
                raise QAError(f"{where}: no sentence of the translation states the numbers of “{original[:60]}…”")
            start, end = spans[i][rows.start][0], spans[i][rows.stop - 1][1]
            pairs.append(AlignedPair(source.language, i, paragraph.start + start, paragraph.start + end, original,
                                     translation, round(similarity, 4)))
    return pairs


def translated_sections(paragraphs: list[Paragraph], source: TranslationSource) -> dict[str, str]:
    """The title of each section in the translation's language (the original's where none is found)."""
    labels = {language: label for label, language in KEYWORDS_LABELS.items()}
    titles: dict[str, str] = {}
    for paragraph, text in zip(paragraphs, source.paragraphs):
        if paragraph.section in titles:
            continue
        if paragraph.kind == "abstract":
            titles[paragraph.section] = ABSTRACT_TITLES[source.language]
        elif paragraph.kind == "keywords":
            titles[paragraph.section] = labels[source.language]
        elif paragraph.kind == "heading":
            titles[paragraph.section] = text
        elif section_title(paragraph.text) == paragraph.section:
            first = sentence_spans(text)[0]
            titles[paragraph.section] = section_title(text) or text[first[0]:first[1]].rstrip(". ")
    return titles


def _covering(pairs: list[AlignedPair], start: int, end: int) -> list[AlignedPair]:
    """The pairs that begin inside [start, end), or else the one that contains ``start``."""
    inside = [p for p in pairs if start <= p.start < end]
    return inside or [p for p in pairs if p.start <= start < p.end]


def translate_passages(passages: list[Passage], pairs: list[AlignedPair],
                       sections: dict[str, str]) -> dict[str, PassageTranslation]:
    """Each passage's translation (by passage id) in the language of ``pairs``; passages that have
    no aligned sentence (already in that language) get none."""
    translations = {}
    for passage in passages:
        own = [p for p in pairs if p.start < passage.end and p.end > passage.start]
        if not own:
            continue
        sentences = tuple(" ".join(p.translation for p in _covering(own, passage.start + s, passage.start + e))
                          for s, e in title_merged_spans(passage.text, passage.section))
        text = " ".join(p.translation for p in _covering(own, passage.start, passage.end))
        translations[passage.id] = PassageTranslation(own[0].language, text, sections.get(passage.section,
                                                                                          passage.section), sentences)
    return translations


@dataclass(frozen=True)
class DocumentAlignment:
    """All aligned pairs of a document's translations, and each passage's translations by id."""

    pairs: list[AlignedPair]
    passages: dict[str, list[PassageTranslation]]


def align_document(document: Document, embed: Embed) -> DocumentAlignment:
    """Align every translation of ``document``; a QAError if one of them does not fit."""
    pairs: list[AlignedPair] = []
    passages: dict[str, list[PassageTranslation]] = {}
    for source in document.translations:
        aligned = align_translation(document.paragraphs, source, embed)
        sections = translated_sections(document.paragraphs, source)
        for pid, translation in translate_passages(document.passages, aligned, sections).items():
            passages.setdefault(pid, []).append(translation)
        pairs += aligned
    return DocumentAlignment(pairs, passages)
