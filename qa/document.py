"""Step 3 for a question about the document as a whole: select what answers it from the document's
structure (index.structure). What it is about → its abstract, in the asker's language where the
authors wrote one; its aim or its methods → the sentence of its abstract or introduction that
states them best (and the sentences that carry it on); its findings and conclusions → the points
of its conclusion section, one a line. A document without such a part gets None: the reply says so."""

from __future__ import annotations

import numpy as np

from index.structure import section_role
from qa.catalog import PassageCatalog
from qa.language import Language
from qa.retrieve import HybridRetriever
from qa.select import passage_sentences, widen
from qa.textfeatures import is_list_item

DOCUMENT_PARTS = ("summary", "aim", "method", "conclusion")


def document_selection(part: str, doc: str, retriever: HybridRetriever, query_vector: np.ndarray,
                       language: Language) -> dict[str, list[int]] | None:
    """The sentences (by passage, in reading order) that answer a question about ``part`` of
    ``doc``; None when the document has no such part."""
    catalog = retriever.catalog
    if part == "summary":
        return _whole(_abstract(catalog, doc, language), catalog)
    if part == "conclusion":
        return _points(_section_of_role(catalog, doc, "conclusion"), catalog)
    candidates = _abstract(catalog, doc, language) + _section_of_role(catalog, doc, "introduction")
    hits = retriever.sentences_within(set(candidates), query_vector, language)
    if not hits:
        return None
    best = max(hits, key=lambda hit: hit.similarity)
    return widen(best.passage_id, best.sentence, "reason", catalog)


def _abstract(catalog: PassageCatalog, doc: str, language: Language) -> list[str]:
    """The abstract's passages (front matter, or a section titled as one): the one in ``language``
    if the document has it, else the one in the document's own language, else any."""
    abstracts = [o for o in catalog.outline(doc) if o.kind == "abstract" or section_role(o.section) == "abstract"]
    for wanted in (language, catalog.main_language):
        own = [o.passage_id for o in abstracts if o.language == wanted]
        if own:
            return own
    return [o.passage_id for o in abstracts]


def _section_of_role(catalog: PassageCatalog, doc: str, role: str) -> list[str]:
    """The body passages of the document's first section of ``role`` (introduction or conclusion);
    for an introduction, the first body section when none is titled as one."""
    body = [o for o in catalog.outline(doc) if o.kind == "body"]
    sections = list(dict.fromkeys(o.section for o in body))
    titled = [s for s in sections if section_role(s) == role]
    chosen = titled[:1] or (sections[:1] if role == "introduction" else [])
    return [o.passage_id for o in body if chosen and o.section == chosen[0]]


def _whole(passages: list[str], catalog: PassageCatalog) -> dict[str, list[int]] | None:
    """Every sentence of the passages."""
    return {pid: list(range(len(passage_sentences(catalog, pid)))) for pid in passages} or None


def _points(passages: list[str], catalog: PassageCatalog) -> dict[str, list[int]] | None:
    """A section's points: the first sentence of each passage, and every list item."""
    return {pid: [n for n, text in enumerate(passage_sentences(catalog, pid)) if n == 0 or is_list_item(text)]
            for pid in passages} or None
