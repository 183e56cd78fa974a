"""HTML and Markdown for the chat UI: sources, the article with citations highlighted, the export."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from qa.catalog import PassageCatalog
from qa.result import Answer, Citation
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, TEXTS, text


def _highlight(text: str, quote: str | None) -> str:
    """The passage as HTML, with the quoted sentence marked."""
    if not quote or quote not in text:
        return escape(text)
    before, _, after = text.partition(quote)
    return f"{escape(before)}<mark class='qa-quote'>{escape(quote)}</mark>{escape(after)}"


def _kind(kind: str, language: str) -> str:
    """A passage's kind (abstract, key words, body) in the UI's language."""
    key = f"kind_{kind}"
    return text(key, language) if key in TEXTS else kind


def _original(language: str, ui: str) -> str:
    """The "Original (Кыргызча)" label of the article's own words."""
    return escape(text("original", ui, language=LANGUAGE_NAMES.get(language, language)))


def _parallel_versions(citation: Citation, catalog: PassageCatalog, ui: str) -> str:
    """The same front-matter part (abstract or key words) in the other languages, one click away."""
    if citation.kind == "body":
        return ""
    parts = []
    for language in LANGUAGE_NAMES:
        if language == citation.language:
            continue
        ids = [pid for pid in catalog.document(citation.doc)
               if catalog.meta(pid).get("kind") == citation.kind and catalog.meta(pid).get("language") == language]
        if ids:
            version = " ".join(catalog.text(pid) for pid in ids)
            parts.append(f"<details class='qa-parallel'><summary>{LANGUAGE_NAMES[language]}</summary>"
                         f"<p>{escape(version)}</p></details>")
    return f"<div class='qa-parallels'><span>{text('also_in', ui)}</span>{''.join(parts)}</div>" if parts else ""


def _passage_html(citation: Citation, ui: str) -> str:
    """The passage as quoted: our translation first when there is one (labelled as ours), the
    original verbatim one click away; otherwise the original."""
    original = f"<p class='qa-passage'>{_highlight(citation.text, citation.quote)}</p>"
    if not citation.translation:
        return original
    return (f"<p class='qa-translation-label'>{escape(text('our_translation', ui))}</p>"
            f"<p class='qa-passage qa-translated'>{_highlight(citation.translation, citation.quote_translation)}</p>"
            f"<details class='qa-original'><summary>{_original(citation.language, ui)}</summary>{original}</details>")


def sources_html(answer: Answer | None, catalog: PassageCatalog, ui: str = DEFAULT_LANGUAGE) -> str:
    """The sources panel, its words in the UI's language ``ui``: each cited passage, best first,
    expandable, the quote highlighted."""
    if answer is None or not answer.citations:
        return f"<div class='qa-sources qa-empty'>{escape(text('sources_empty', ui))}</div>"
    heading = text("related" if answer.abstained else "sources", ui)
    several = len(catalog.index.documents) > 1
    items = []
    for c in answer.citations:
        opened = " open" if c.n == 1 or c.quote else ""
        meta = (f"<span class='qa-meta'>{escape(LANGUAGE_NAMES.get(c.language, c.language))} · "
                f"{_kind(c.kind, ui)} · {text('score', ui)} {c.score:.3f}</span>")
        items.append(
            f"<details class='qa-source' data-n='{c.n}'{opened}><summary><b>[{c.n}]</b> "
            f"{escape(c.place(several))} {meta}</summary>{_passage_html(c, ui)}"
            f"<a class='qa-show' href='#qa-cite-{c.n}'>{text('show_in_article', ui)}</a>"
            f"{_parallel_versions(c, catalog, ui)}"
            "</details>")
    return f"<div class='qa-sources'><h3>{escape(heading)}</h3>{''.join(items)}</div>"


def article_html(catalog: PassageCatalog, citations: Iterable[Citation] = ()) -> str:
    """The cleaned text of the cited documents (the first document when nothing is cited), rebuilt
    from the index in reading order, the cited passages marked."""
    cited = {c.passage_id: c for c in citations}
    documents = list(dict.fromkeys(c.doc for c in cited.values())) or \
        [d.name for d in catalog.index.documents[:1]]
    html = []
    for doc in documents:
        if len(documents) > 1 or len(catalog.index.documents) > 1:
            html.append(f"<h3 class='qa-doc'>{escape(doc)}</h3>")
        html.append(_document_html(catalog, doc, cited))
    return f"<div class='qa-article' id='qa-article'>{''.join(html)}</div>"


def _document_html(catalog: PassageCatalog, doc: str, cited: dict[str, Citation]) -> str:
    html, section, paragraph = [], None, None
    for pid in catalog.document(doc):
        meta = catalog.meta(pid)
        if meta.get("section") != section:
            html.append(f"{'</p>' if paragraph is not None else ''}<h4>{escape(str(meta.get('section')))}</h4><p>")
            section, paragraph = meta.get("section"), meta.get("paragraph")
        elif meta.get("paragraph") != paragraph:
            html.append("</p><p>")
            paragraph = meta.get("paragraph")
        text = escape(catalog.text(pid)).replace("\n\n", "<br>")
        if pid in cited:
            c = cited[pid]
            text = f"<mark id='qa-cite-{c.n}' class='qa-cited'><sup>[{c.n}]</sup> {text}</mark>"
        html.append(f"<span class='qa-passage-span' data-passage='{pid}'>{text}</span> ")
    return "".join(html) + ("</p>" if paragraph is not None else "")


def original_quotes_html(answer: Answer, ui: str = DEFAULT_LANGUAGE) -> str:
    """For an answer given in our translation, the article's own words, verbatim, behind one click."""
    quoted = [c for c in answer.citations if c.quote and c.quote_translation]
    if answer.abstained or not quoted:
        return ""
    lines = "".join(f"<p>«{escape(c.quote)}» [{c.n}]</p>" for c in quoted)
    return f"<details class='qa-reply-original'><summary>{_original(quoted[0].language, ui)}</summary>{lines}</details>"


def conversation_markdown(turns: list[Answer], ui: str = DEFAULT_LANGUAGE) -> str:
    """The conversation with its citations, as Markdown, its headings in the UI's language ``ui``."""
    lines = [text("export_title", ui), ""]
    for number, answer in enumerate(turns, start=1):
        lines += [f"## {number}. {answer.question}", "", f"*{text('export_language', ui)}: {answer.language}*", "",
                  answer.answer, ""]
        if answer.citations:
            lines.append(f"**{text('related' if answer.abstained else 'sources', ui)}:**")
            lines.append("")
            for c in answer.citations:
                lines.append(f"- [{c.n}] {c.place(True)} ({c.language}, {c.kind}, score {c.score:.3f}): "
                             f"{' '.join(c.text.split())}")
            lines.append("")
    return "\n".join(lines)
