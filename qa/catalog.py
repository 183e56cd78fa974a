"""Passage texts and metadata of the active build, fetched from Chroma when first needed.

Nothing reads the whole corpus at start: the keyword index is loaded from disk, and a passage's
text and metadata come with the dense hits or, for keyword-only candidates, in one ``get``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from index.keyword import KeywordIndex
from index.records import is_translation, translation_id
from index.store import ActiveIndex, pages

CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class Outlined:
    """Where a passage stands in its document: what the structure step made of it."""

    passage_id: str
    kind: str  # body, abstract, keywords …
    section: str
    language: str


class PassageCatalog:
    """Look up passages of the active build by id or by document; a bounded cache in front."""

    def __init__(self, index: ActiveIndex, keywords: KeywordIndex, main_language: str = "ky") -> None:
        self.index = index
        self.keywords = keywords
        self.main_language = main_language
        self.translations = frozenset(filter(None, str(index.manifest.get("translations", "")).split(",")))
        self._absent: set[str] = set()
        self._texts: dict[str, str] = {}
        self._metadata: dict[str, dict] = {}
        self._documents: dict[tuple[str, ...], list[Outlined]] = {}
        self._lock = threading.Lock()

    @property
    def ids(self) -> list[str]:
        """Every passage id, in the keyword index's order."""
        return self.keywords.ids

    def remember(self, passage_id: str, text: str, metadata: dict) -> None:
        """Keep what a query returned anyway."""
        with self._lock:
            if len(self._texts) >= CACHE_LIMIT:
                self._texts.clear()
                self._metadata.clear()
            self._texts[passage_id] = text
            self._metadata[passage_id] = dict(metadata)

    def ensure(self, ids: Iterable[str]) -> None:
        """Fetch, in one request, the passages among ``ids`` not seen yet."""
        missing = sorted({i for i in ids if i not in self._texts and i not in self._absent})
        if missing:
            got = self.index.passages.get(ids=missing, include=["documents", "metadatas"])
            for pid, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                self.remember(pid, text, meta or {})
            with self._lock:
                self._absent.update(set(missing) - set(got["ids"]))

    def translation(self, passage_id: str, language: str) -> tuple[str, dict] | None:
        """A passage's translation into ``language`` (text and metadata), or None if it has none."""
        if language not in self.translations:
            return None
        record = translation_id(passage_id, language)
        self.ensure([passage_id, record])
        return (self._texts[record], self._metadata[record]) if record in self._texts else None

    def text(self, passage_id: str) -> str:
        """A passage's text."""
        self.ensure([passage_id])
        return self._texts[passage_id]

    def meta(self, passage_id: str) -> dict:
        """A passage's metadata (section, language, kind, paragraph, offsets, doc, page …)."""
        self.ensure([passage_id])
        return self._metadata[passage_id]

    def document(self, doc: str) -> list[str]:
        """The ids of a document's passages in reading order (fetched once per document)."""
        return [o.passage_id for o in self.outline(doc)]

    def outline(self, doc: str) -> list[Outlined]:
        """A document's passages in reading order with their kind, section and language, kept apart
        from the bounded cache: a question about the whole document reads them, however long it is."""
        return self._in_order((doc,), {"doc": doc})

    def section(self, doc: str, section: str, kind: str) -> list[str]:
        """The ids of the passages of one kind in one section of a document, in reading order (fetched
        once; a list or a chain of reasons is read from its section, never the whole document)."""
        where = {"$and": [{"doc": doc}, {"section": section}, {"kind": kind}]}
        return [o.passage_id for o in self._in_order((doc, section, kind), where)]

    def texts_in(self, language: str) -> Iterator[str]:
        """Every passage text in ``language``, originals and translations (one filtered read)."""
        for rows in self._pages(where={"language": language}):
            yield from (text for _, text, _ in rows)

    def _in_order(self, key: tuple[str, ...], where: dict) -> list[Outlined]:
        if key not in self._documents:
            found = []
            for rows in self._pages(where=where):
                for pid, text, meta in rows:
                    self.remember(pid, text, meta)
                    if not is_translation(pid):
                        found.append((int(meta.get("start", 0)), Outlined(
                            pid, str(meta.get("kind", "")), str(meta.get("section", "")), str(meta.get("language", "")))))
            self._documents[key] = [outlined for _, outlined in sorted(found, key=lambda item: (item[0], item[1].passage_id))]
        return self._documents[key]

    def all_texts(self) -> Iterator[str]:
        """Every original passage text (reads the whole collection: for evaluation, not for answering)."""
        for rows in self._pages():
            yield from (text for pid, text, _ in rows if not is_translation(pid))

    def _pages(self, where: dict | None = None) -> Iterator[list[tuple[str, str, dict]]]:
        for got in pages(self.index.passages, ["documents", "metadatas"], where):
            yield [(pid, text, meta or {}) for pid, text, meta in zip(got["ids"], got["documents"], got["metadatas"])]
