"""The corpus: the article the project ships as its default, cleaned, structured and chunked."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from index.chunk import Passage, chunk
from index.clean import blank_line_paragraphs, clean_paragraphs, looks_extracted_from_pdf, markdown_paragraphs
from index.structure import Paragraph, standalone_headings, structure
from index.translations import TranslationSource, translations_beside

DEFAULT_ARTICLE = Path(__file__).parent / "corpus" / "article.txt"
PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Document:
    """One source document: its name, raw text, where it came from and what cleaning makes of it.

    ``kind`` is "text", "markdown" or "pdf" (whose pages are separated by form feeds in ``raw``);
    ``translations`` are the document in other languages, paragraph for paragraph.
    """

    name: str
    raw: str
    path: str = ""
    kind: str = "text"
    translations: tuple[TranslationSource, ...] = ()

    @classmethod
    def from_file(cls, path: Path) -> "Document":
        """Read a UTF-8 text file (its name is the file name) and the translations beside it."""
        return cls(path.name, path.read_text(encoding="utf-8"), str(path)).with_translations(translations_beside(path))

    def with_translations(self, sources: list[TranslationSource]) -> "Document":
        """The same document with these translations (one per language; a later one wins)."""
        by_language = {source.language: source for source in (*self.translations, *sources)}
        return replace(self, translations=tuple(by_language[lang] for lang in sorted(by_language)))

    def _source_paragraphs(self) -> tuple[list[tuple[str, int, bool]], bool]:
        """(text, page, is_heading) for each paragraph, by the format of the source; and whether
        section titles are to be found inline (text extracted from a PDF has no heading marks)."""
        if self.kind == "pdf":
            return [(text, page, False) for page, raw in enumerate(self.raw.split("\f"), start=1)
                    for text in clean_paragraphs(raw)], True
        if self.kind == "markdown":
            return [(text, 0, heading) for text, heading in markdown_paragraphs(self.raw)], False
        if looks_extracted_from_pdf(self.raw):
            return [(text, 0, False) for text in clean_paragraphs(self.raw)], True
        texts = blank_line_paragraphs(self.raw)
        headings = standalone_headings(texts)
        return [(text, 0, i in headings) for i, text in enumerate(texts)], False

    @cached_property
    def paragraphs(self) -> list[Paragraph]:
        """Cleaned paragraphs with section, kind, language, page and offsets."""
        source, inline_titles = self._source_paragraphs()
        return structure([text for text, _, _ in source], PARAGRAPH_SEPARATOR, [page for _, page, _ in source],
                         frozenset(i for i, (_, _, heading) in enumerate(source) if heading), inline_titles)

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
        """Hash of the raw text and its translations: an unchanged document need not be indexed again."""
        digest = hashlib.sha256(self.raw.encode())
        for source in self.translations:
            digest.update(f"\n{source.language}\n{source.raw}".encode())
        return digest.hexdigest()


def default_document() -> Document:
    """The article this project answers questions about."""
    return Document.from_file(DEFAULT_ARTICLE)
