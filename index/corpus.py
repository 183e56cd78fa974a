"""The corpus: the article the project ships as its default, cleaned, structured and chunked."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from index.chunk import Passage, chunk
from index.clean import clean_paragraphs
from index.structure import Paragraph, structure

DEFAULT_ARTICLE = Path(__file__).parent / "corpus" / "article.txt"
PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Document:
    """One source document: its name, its raw text and what cleaning makes of it."""

    name: str
    raw: str

    @classmethod
    def from_file(cls, path: Path) -> "Document":
        """Read a UTF-8 text file; its name is the file name."""
        return cls(path.name, path.read_text(encoding="utf-8"))

    @cached_property
    def paragraphs(self) -> list[Paragraph]:
        """Cleaned paragraphs with section, kind, language and offsets."""
        return structure(clean_paragraphs(self.raw), PARAGRAPH_SEPARATOR)

    @cached_property
    def cleaned(self) -> str:
        """The cleaned text that passage offsets point into."""
        return PARAGRAPH_SEPARATOR.join(p.text for p in self.paragraphs)

    @cached_property
    def passages(self) -> list[Passage]:
        """The passages to index."""
        return chunk(self.paragraphs, self.cleaned, self.name)

    @cached_property
    def content_hash(self) -> str:
        """Hash of the raw text: an unchanged document need not be indexed again."""
        return hashlib.sha256(self.raw.encode()).hexdigest()


def default_document() -> Document:
    """The article this project answers questions about."""
    return Document.from_file(DEFAULT_ARTICLE)
