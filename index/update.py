"""What ``qa index`` has to do: which documents to embed, which to keep as they are, which to drop.

A document is known by its name (the file name). Indexing an unchanged file again changes nothing
(its content hash is the same); a changed file replaces its old passages; the default corpus, the
article, is indexed whenever the index would otherwise be empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.corpus import DEFAULT_ARTICLE, Document, default_document
from index.sources import load_document
from index.store import DocumentRecord
from index.translations import read_translation
from qa.errors import QAError


@dataclass
class IndexPlan:
    """The outcome of comparing the index with what was asked for."""

    embed: list[Document] = field(default_factory=list)
    keep: list[DocumentRecord] = field(default_factory=list)
    report: list[str] = field(default_factory=list)  # one line per document: added, replaced, unchanged …

    @property
    def changes(self) -> bool:
        """Whether a new build is needed."""
        return bool(self.embed) or any(line.startswith("removed") for line in self.report)


def reload(record: DocumentRecord) -> Document:
    """A document of the index read again from its source, with its translations (for --force)."""
    if record.path == str(DEFAULT_ARTICLE) or (record.name == DEFAULT_ARTICLE.name and not record.path):
        return default_document()
    return load_document(Path(record.path)).with_translations(
        [read_translation(language, Path(path)) for language, path in record.translations.items()])


def plan_update(current: list[DocumentRecord], wanted: list[Document], remove: list[str] = (),
                force: bool = False) -> IndexPlan:
    """Compare the index's documents with ``wanted`` (already read) and the names to ``remove``."""
    by_name = {record.name: record for record in current}
    for name in remove:
        if name not in by_name:
            raise QAError(f"no document named {name!r} in the index (see qa index --list)")
    plan = IndexPlan()
    wanted_names = {doc.name for doc in wanted}
    for record in current:
        if record.name in remove:
            plan.report.append(f"removed {record.name}")
        elif record.name not in wanted_names:
            if force:
                plan.embed.append(reload(record))
                plan.report.append(f"re-embedded {record.name}")
            else:
                plan.keep.append(record)
    for doc in wanted:
        old = by_name.get(doc.name)
        if old and old.hash == doc.content_hash and not force:
            plan.keep.append(old)
            plan.report.append(f"unchanged {doc.name}")
        else:
            plan.embed.append(doc)
            plan.report.append(f"{'replaced' if old else 'added'} {doc.name} ({len(doc.passages)} passages)")
    if not plan.embed and not plan.keep:
        if remove:
            raise QAError("that would leave the index empty: add another document first")
        article = default_document()
        plan.embed.append(article)
        plan.report.append(f"added {article.name} ({len(article.passages)} passages)")
    return plan
