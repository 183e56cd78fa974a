"""HTML and Markdown for the chat UI: sources, the article with citations highlighted, the export."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from qa.catalog import PassageCatalog
from qa.result import Answer, Citation

LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}
KIND_NAMES = {"abstract": "abstract", "keywords": "key words", "body": "body"}


def _highlight(text: str, quote: str | None) -> str:
    """The passage as HTML, with the quoted sentence marked."""
    if not quote or quote not in text:
        return escape(text)
    before, _, after = text.partition(quote)
    return f"{escape(before)}<mark class='qa-quote'>{escape(quote)}</mark>{escape(after)}"


def _parallel_versions(citation: Citation, catalog: PassageCatalog) -> str:
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
            text = " ".join(catalog.text(pid) for pid in ids)
            parts.append(f"<details class='qa-parallel'><summary>{LANGUAGE_NAMES[language]}</summary>"
                         f"<p>{escape(text)}</p></details>")
    return f"<div class='qa-parallels'><span>Also in:</span>{''.join(parts)}</div>" if parts else ""


def _passage_html(citation: Citation) -> str:
    """The passage as quoted: our translation first when there is one (labelled as ours), the
    original verbatim one click away; otherwise the original."""
    original = f"<p class='qa-passage'>{_highlight(citation.text, citation.quote)}</p>"
    if not citation.translation:
        return original
    language = LANGUAGE_NAMES.get(citation.language, citation.language)
    return (f"<p class='qa-translation-label'>Our translation (not the author's words):</p>"
            f"<p class='qa-passage qa-translated'>{_highlight(citation.translation, citation.quote_translation)}</p>"
            f"<details class='qa-original'><summary>Original ({escape(language)})</summary>{original}</details>")


def sources_html(answer: Answer | None, catalog: PassageCatalog) -> str:
    """The sources panel: each cited passage, best first, expandable, the quote highlighted."""
    if answer is None or not answer.citations:
        return "<div class='qa-sources qa-empty'>Sources of the answer appear here.</div>"
    heading = "Related passages (the article does not answer this)" if answer.abstained else "Sources"
    several = len(catalog.index.documents) > 1
    items = []
    for c in answer.citations:
        opened = " open" if c.n == 1 or c.quote else ""
        meta = (f"<span class='qa-meta'>{escape(LANGUAGE_NAMES.get(c.language, c.language))} · "
                f"{KIND_NAMES.get(c.kind, c.kind)} · score {c.score:.3f}</span>")
        items.append(
            f"<details class='qa-source' data-n='{c.n}'{opened}><summary><b>[{c.n}]</b> "
            f"{escape(c.place(several))} {meta}</summary>{_passage_html(c)}"
            f"<a class='qa-show' href='#qa-cite-{c.n}'>Show in article ↓</a>{_parallel_versions(c, catalog)}"
            "</details>")
    return f"<div class='qa-sources'><h3>{heading}</h3>{''.join(items)}</div>"


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


def original_quotes_html(answer: Answer) -> str:
    """For an answer given in our translation, the article's own words, verbatim, behind one click."""
    quoted = [c for c in answer.citations if c.quote and c.quote_translation]
    if answer.abstained or not quoted:
        return ""
    lines = "".join(f"<p>«{escape(c.quote)}» [{c.n}]</p>" for c in quoted)
    return (f"<details class='qa-reply-original'><summary>Original ({escape(LANGUAGE_NAMES.get(quoted[0].language, ''))})"
            f"</summary>{lines}</details>")


def conversation_markdown(turns: list[Answer]) -> str:
    """The conversation with its citations, as Markdown."""
    lines = ["# Conversation with the article", ""]
    for number, answer in enumerate(turns, start=1):
        lines += [f"## {number}. {answer.question}", "", f"*Language: {answer.language}*", "", answer.answer, ""]
        if answer.citations:
            lines.append("**Related passages:**" if answer.abstained else "**Sources:**")
            lines.append("")
            for c in answer.citations:
                lines.append(f"- [{c.n}] {c.place(True)} ({c.language}, {c.kind}, score {c.score:.3f}): "
                             f"{' '.join(c.text.split())}")
            lines.append("")
    return "\n".join(lines)
