"""What a build writes into Chroma: passages and sentences, originals and translations, with vectors.

A passage's translation into a language is a record of its own (``<id>~<lang>``) whose metadata
names the original (``original``), carries the translated section title and one translation per
sentence of the original (``sentences``, JSON); sentence records of a translation (``<id>:<n>~<lang>``)
point to the original passage and sentence number. Every record has a ``variant``: ``original`` or
the translation's language, so that a question searches the original and its own language only.

Texts are embedded once per build: the alignment's sentence vectors are reused by the records, and a
translated passage's vector is the mean of its sentences' (no second pass over the translation).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from index.align import DocumentAlignment, align_document
from index.chunk import Passage, sentences_without_titles
from index.corpus import Document
from index.embedders import IdentifiedEmbeddings

ORIGINAL = "original"
TRANSLATION_MARK = "~"
BATCH_SIZE = 32


def translation_id(record_id: str, language: str) -> str:
    """The id of a record's translation into ``language``."""
    return f"{record_id}{TRANSLATION_MARK}{language}"


def original_id(record_id: str) -> str:
    """The original passage (or sentence) id behind a record id."""
    return record_id.split(TRANSLATION_MARK, 1)[0]


def is_translation(record_id: str) -> bool:
    """Whether a record id is a translation's."""
    return TRANSLATION_MARK in record_id


@dataclass(frozen=True)
class Record:
    """One Chroma record: id, text, flat metadata and its vector."""

    id: str
    text: str
    metadata: dict
    vector: np.ndarray


class VectorCache:
    """Embeds each distinct text once, in batches, with a progress bar."""

    def __init__(self, embeddings: IdentifiedEmbeddings, progress: bool = True) -> None:
        self.embeddings = embeddings
        self.progress = progress
        self._vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts`` (one row each), embedding only those not seen before."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        with tqdm(total=len(missing), desc="embedding", unit="text", file=sys.stderr,
                  disable=not self.progress or len(missing) <= BATCH_SIZE, leave=False) as bar:
            for start in range(0, len(missing), BATCH_SIZE):
                batch = missing[start:start + BATCH_SIZE]
                self._vectors.update(zip(batch, self.embeddings.embed_documents_array(batch)))
                bar.update(len(batch))
        dim = next(iter(self._vectors.values())).shape[0] if self._vectors else 0
        return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, dim), dtype=np.float32)


def _mean_vector(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


@dataclass
class BuildRecords:
    """Every record of a build, and the alignments behind the translated ones."""

    passages: list[Record] = field(default_factory=list)
    sentences: list[Record] = field(default_factory=list)
    alignments: dict[str, DocumentAlignment] = field(default_factory=dict)

    @classmethod
    def of(cls, documents: list[Document], cache: VectorCache) -> "BuildRecords":
        """Align each document with its translations, then make and embed all records."""
        records = cls()
        for document in documents:
            alignment = align_document(document, cache.embed)
            records.alignments[document.name] = alignment
            for passage in document.passages:
                records._add_passage(passage, alignment, cache)
        return records

    def _add_passage(self, passage: Passage, alignment: DocumentAlignment, cache: VectorCache) -> None:
        sentences = sentences_without_titles(passage.text, passage.section)
        vectors = cache.embed([passage.text, *sentences])
        self.passages.append(Record(passage.id, passage.text, {**passage.metadata(), "variant": ORIGINAL}, vectors[0]))
        self._add_sentences(passage, sentences, vectors[1:], ORIGINAL)
        for translation in alignment.passages.get(passage.id, []):
            language = translation.language
            translated = list(translation.sentences)
            sentence_vectors = cache.embed(translated)
            metadata = {**passage.metadata(), "language": language, "section": translation.section,
                        "variant": language, "original": passage.id,
                        "sentences": json.dumps(translated, ensure_ascii=False)}
            self.passages.append(Record(translation_id(passage.id, language), translation.text, metadata,
                                        _mean_vector(sentence_vectors)))
            self._add_sentences(passage, translated, sentence_vectors, language)

    def _add_sentences(self, passage: Passage, sentences: list[str], vectors: np.ndarray, variant: str) -> None:
        for number, (sentence, vector) in enumerate(zip(sentences, vectors)):
            sentence_id = f"{passage.id}:{number}"
            self.sentences.append(Record(sentence_id if variant == ORIGINAL else translation_id(sentence_id, variant),
                                         sentence, {"passage_id": passage.id, "sentence": number, "doc": passage.doc,
                                                    "variant": variant}, vector))
