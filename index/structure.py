"""Recognise an article's structure: abstracts and key words in each language, then titled sections.

The article opens with its abstract and key words in Kyrgyz, Russian and English (each abstract
ends where its key-words paragraph starts), then the body: sections whose title opens a paragraph
as a short sentence of its own ("Киришүү. Кытай – ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.language import Language, detect_language

KEYWORDS_LABELS: dict[str, Language] = {"Негизги сөздөр": "ky", "Ключевые слова": "ru", "Key words": "en",
                                        "Keywords": "en"}
ABSTRACT_TITLES: dict[Language, str] = {"ky": "Аннотация", "ru": "Аннотация", "en": "Abstract"}
_KEYWORDS = re.compile(rf"^({'|'.join(KEYWORDS_LABELS)})\s*:")
# What the sections that open and close an article are titled, in the three languages.
SECTION_ROLES = {"abstract": ("Аннотация", "Abstract", "Резюме"),
                 "introduction": ("Киришүү", "Кириш", "Введение", "Introduction"),
                 "conclusion": ("Корутунду", "Жыйынтык", "Заключение", "Выводы", "Conclusion", "Conclusions",
                                "Concluding remarks", "Summary")}
KNOWN_TITLES = {title for role in ("introduction", "conclusion") for title in SECTION_ROLES[role]}
_TITLE = re.compile(r"^(?P<title>[^.!?]{3,130}?)\.\s+(?=\S)")
# Kyrgyz and Russian finite verbs end like this; a title is a noun phrase and does not.
_VERB_ENDING = re.compile(r"(?:ган|ген|кан|кен|гон|кон|гөн|көн|т|ды|ди|ду|дү|ты|ти|ту|тү|ат|ет|от|өт|уу|чы|"
                          r"ть|ся|ет|ит|ют|ят|ал|ла|ло|ли)$")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the cleaned text, with where it sits in the article."""

    text: str
    start: int
    section: str
    kind: str  # "abstract" | "keywords" | "body" | "heading"
    language: Language
    number: int  # 1-based, within its section
    page: int = 0  # 1-based page of a PDF, 0 when the source has no pages

    @property
    def end(self) -> int:
        """Offset just past the paragraph in the cleaned text."""
        return self.start + len(self.text)


def standalone_headings(paragraphs: list[str]) -> frozenset[int]:
    """Short paragraphs without closing punctuation followed by more text: headings of plain text."""
    return frozenset(i for i, text in enumerate(paragraphs[:-1])
                     if len(text) <= 80 and not re.search(r"[.!?:;,]$", text) and not text.startswith("•"))


def section_role(title: str) -> str | None:
    """"abstract", "introduction" or "conclusion" for a section titled as one ("Корутунду",
    "5. Conclusions"), else None."""
    words = title.strip(" .:#").casefold()
    for role, titles in SECTION_ROLES.items():
        if any(words == t.casefold() or words.endswith(" " + t.casefold()) for t in titles):
            return role
    return None


def section_title(paragraph: str) -> str | None:
    """The inline title that opens a body paragraph, if any ("Киришүү. Кытай – ..." → "Киришүү")."""
    match = _TITLE.match(paragraph)
    if not match:
        return None
    title = match.group("title").strip()
    if title in KNOWN_TITLES:
        return title
    last_word = re.sub(r"[^\w-]", "", title.split()[-1]).lower()
    is_phrase = len(title.split()) >= 3 and not re.search(r"\d", title)
    return title if is_phrase and not _VERB_ENDING.search(last_word) else None


def structure(paragraphs: list[str], separator: str = "\n\n", pages: list[int] | None = None,
              headings: frozenset[int] = frozenset(), inline_titles: bool = True) -> list[Paragraph]:
    """Label each cleaned paragraph with its section, kind, language, number, page and offset.

    Paragraphs before the last key-words paragraph are the front matter (abstract or key words,
    language by detection); the rest is the body, in sections that start at each inline title or
    at a standalone heading (the indices in ``headings``, e.g. Markdown's). Inline titles are looked
    for only where a format has no headings of its own (``inline_titles``).
    """
    last_keywords = max((i for i, p in enumerate(paragraphs) if _KEYWORDS.match(p)), default=-1)
    labelled: list[Paragraph] = []
    offset, section, number = 0, "", 0
    body_language: Language | None = None
    for index, text in enumerate(paragraphs):
        keywords = _KEYWORDS.match(text)
        if index <= last_keywords:
            language = KEYWORDS_LABELS[keywords.group(1)] if keywords else detect_language(text) or "en"
            kind = "keywords" if keywords else "abstract"
            name = keywords.group(1) if keywords else ABSTRACT_TITLES[language]
        else:
            kind = "heading" if index in headings else "body"
            name = text if kind == "heading" else (section_title(text) if inline_titles else None) or section
            if body_language is None and kind == "body":
                body_language = detect_language(text) or "ky"
            language = body_language or detect_language(text) or "en"
        same = labelled and (labelled[-1].kind, labelled[-1].language) == (kind, language)
        number = number + 1 if same and name == section else 1
        section = name
        labelled.append(Paragraph(text, offset, name, kind, language, number, pages[index] if pages else 0))
        offset += len(text) + len(separator)
    return labelled
