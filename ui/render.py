"""HTML and Markdown for the chat UI: sources, the article with citations highlighted, the export."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from qa.result import Answer, Citation
from qa.retrieve import PassageCatalog

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
        ids = sorted((pid for pid, m in catalog.metadata.items()
                      if m.get("kind") == citation.kind and m.get("language") == language
                      and m.get("doc", "") == citation.doc), key=lambda pid: int(catalog.metadata[pid]["start"]))
        if ids:
            text = " ".join(catalog.texts[pid] for pid in ids)
            parts.append(f"<details class='qa-parallel'><summary>{LANGUAGE_NAMES[language]}</summary>"
                         f"<p>{escape(text)}</p></details>")
    return f"<div class='qa-parallels'><span>Also in:</span>{''.join(parts)}</div>" if parts else ""


def citation_label(c: Citation) -> str:
    """"[n] Section, ¶p" for lists and the export."""
    return f"[{c.n}] {c.section}, ¶{c.paragraph}"


def sources_html(answer: Answer | None, catalog: PassageCatalog) -> str:
    """The sources panel: each cited passage, best first, expandable, the quote highlighted."""
    if answer is None or not answer.citations:
        return "<div class='qa-sources qa-empty'>Sources of the answer appear here.</div>"
    heading = "Related passages (the article does not answer this)" if answer.abstained else "Sources"
    items = []
    for c in answer.citations:
        opened = " open" if c.n == 1 or c.quote else ""
        meta = (f"<span class='qa-meta'>{escape(LANGUAGE_NAMES.get(c.language, c.language))} · "
                f"{KIND_NAMES.get(c.kind, c.kind)} · score {c.score:.3f}</span>")
        items.append(
            f"<details class='qa-source' data-n='{c.n}'{opened}><summary><b>[{c.n}]</b> {escape(c.section)}, "
            f"¶{c.paragraph} {meta}</summary><p class='qa-passage'>{_highlight(c.text, c.quote)}</p>"
            f"<a class='qa-show' href='#qa-cite-{c.n}'>Show in article ↓</a>{_parallel_versions(c, catalog)}"
            "</details>")
    return f"<div class='qa-sources'><h3>{heading}</h3>{''.join(items)}</div>"


def article_html(catalog: PassageCatalog, citations: Iterable[Citation] = ()) -> str:
    """The whole cleaned article, rebuilt from the index in reading order, cited passages marked."""
    cited = {c.passage_id: c for c in citations}
    ordered = sorted(catalog.ids, key=lambda pid: (str(catalog.metadata[pid].get("doc", "")),
                                                   int(catalog.metadata[pid].get("start", 0))))
    html, section, paragraph = [], None, None
    for pid in ordered:
        meta = catalog.metadata[pid]
        if meta.get("section") != section:
            html.append(f"{'</p>' if paragraph is not None else ''}<h4>{escape(str(meta.get('section')))}</h4><p>")
            section, paragraph = meta.get("section"), meta.get("paragraph")
        elif meta.get("paragraph") != paragraph:
            html.append("</p><p>")
            paragraph = meta.get("paragraph")
        text = escape(catalog.texts[pid]).replace("\n\n", "<br>")
        if pid in cited:
            c = cited[pid]
            text = f"<mark id='qa-cite-{c.n}' class='qa-cited'><sup>[{c.n}]</sup> {text}</mark>"
        html.append(f"<span class='qa-passage-span' data-passage='{pid}'>{text}</span> ")
    return f"<div class='qa-article' id='qa-article'>{''.join(html)}</p></div>"


def conversation_markdown(turns: list[Answer]) -> str:
    """The conversation with its citations, as Markdown."""
    lines = ["# Conversation with the article", ""]
    for number, answer in enumerate(turns, start=1):
        lines += [f"## {number}. {answer.question}", "", f"*Language: {answer.language}*", "", answer.answer, ""]
        if answer.citations:
            lines.append("**Related passages:**" if answer.abstained else "**Sources:**")
            lines.append("")
            for c in answer.citations:
                lines.append(f"- {citation_label(c)} ({c.language}, {c.kind}, score {c.score:.3f}): "
                             f"{' '.join(c.text.split())}")
            lines.append("")
    return "\n".join(lines)
