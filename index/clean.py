"""Clean text extracted from a PDF while keeping what the author wrote.

What the PDF leaves behind and what we do with it:

* lines broken by end-of-line hyphenation ("Рес-" + "публика") are joined, while real hyphens
  ("кытай-кыргыз", "Кара-Балта") stay; the article itself decides wherever it can;
* blank lines inside paragraphs disappear: text is regrouped into paragraphs;
* Latin look-alike letters inside Cyrillic words ("cоода" with a Latin c) become Cyrillic;
* private-use bullet glyphs become a plain bullet that marks a list item.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import reduce

BULLET = "•"
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_LATIN_TO_CYRILLIC = str.maketrans("aceopxyABCEHKMOPTXy", "асеорхуАВСЕНКМОРТХу")
_CYRILLIC = "А-Яа-яЁёӨөҮүҢң"
_WORD = re.compile(rf"[{_CYRILLIC}A-Za-z]+")
_MIXED_WORD = re.compile(rf"\b(?=\w*[{_CYRILLIC}])(?=\w*[A-Za-z])[{_CYRILLIC}A-Za-z]+\b")
_HYPHEN_BREAK = re.compile(rf"([{_CYRILLIC}A-Za-z]+)-\s*\n\s*([а-яёөүңa-z][{_CYRILLIC}A-Za-z]*)")
_COMPOUND_BREAK = re.compile(rf"([\d{_CYRILLIC}A-Za-z])-\s*\n\s*(?=[\d{_CYRILLIC}A-Za-z])")
_INNER_HYPHEN = re.compile(rf"\b([{_CYRILLIC}]+)-([а-яёөүң]+)\b")
# Kyrgyz relational adjectives end in -лык/-дык/-тык (with the vowel harmony of ы и у ү): such a word
# of the article before a line-break hyphen opens a compound ("транспорттук-коммуникациялык").
_ADJECTIVE_ENDING = re.compile(r"[лдт][ыиуү]к$")
_PARAGRAPH_END = re.compile(r"[.:;\]!?]\s*$")
_PARAGRAPH_START = re.compile(rf"^\s*[А-ЯЁӨҮҢA-Z0-9«“\"{BULLET}]")


def fix_lookalikes(text: str) -> str:
    """Replace Latin look-alike letters inside words that are otherwise Cyrillic."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        latin = sum(1 for ch in word if ch.isascii())
        return word.translate(_LATIN_TO_CYRILLIC) if latin * 2 < len(word) else word

    return _MIXED_WORD.sub(fix, text)


def replace_bullets(text: str) -> str:
    """Turn private-use glyphs (PDF list bullets) into a plain bullet."""
    return _PRIVATE_USE.sub(BULLET, text)


def _vocabulary(text: str) -> Counter[str]:
    """Words and hyphenated compounds of the text, lower-cased, leaving out broken halves."""
    words: Counter[str] = Counter()
    for line in _HYPHEN_BREAK.sub(" ", text).splitlines():
        words.update(w.lower() for w in re.findall(rf"[{_CYRILLIC}A-Za-z]+(?:-[{_CYRILLIC}A-Za-z]+)*", line))
        words.update(w.lower() for w in _WORD.findall(line))
    return words


def is_real_hyphen(left: str, right: str, vocabulary: Counter[str]) -> bool:
    """Decide whether ``left-`` at a line end followed by ``right`` is a real hyphen.

    The article decides first: a joined form seen elsewhere means a line-break hyphen, a
    hyphenated form seen elsewhere means a real one. Otherwise these make a compound: two halves
    that are both words of the article (four letters or more), a reduplication ("жылдан-жылга"),
    an adjective in -ий ("илимий-техникалык"), or an adjective of the article in -лык/-дык/-тык
    before a word of six letters or more ("транспорттук-коммуникациялык"); anything else is a
    line-break hyphen.
    """
    left, right = left.lower(), right.lower()
    if vocabulary[left + right]:
        return False
    if vocabulary[f"{left}-{right}"]:
        return True
    both_words = min(len(left), len(right)) >= 4 and vocabulary[left] > 0 and vocabulary[right] > 0
    reduplication = len(left) >= 3 and left[:3] == right[:3]
    adjective = len(left) >= 5 and left.endswith("ий")
    relational = vocabulary[left] > 0 and bool(_ADJECTIVE_ENDING.search(left)) and len(right) >= 6
    return both_words or reduplication or adjective or relational


def join_hyphenation(text: str) -> str:
    """Join words broken across lines by hyphenation, keeping real hyphens."""
    vocabulary = _vocabulary(text)

    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        return f"{left}-{right}" if is_real_hyphen(left, right, vocabulary) else left + right

    text = _COMPOUND_BREAK.sub(r"\1-", _HYPHEN_BREAK.sub(join, text))
    return _INNER_HYPHEN.sub(lambda m: _join_stray_hyphen(m, vocabulary), text)


def _join_stray_hyphen(match: re.Match[str], vocabulary: Counter[str]) -> str:
    """A hyphen left inside a word by the PDF ("Кы-тайдын"): join it when the article has the
    joined word and neither half is a word of its own."""
    left, right = match.group(1), match.group(2)
    is_word = lambda part: len(part) >= 3 and vocabulary[part.lower()] > 0  # noqa: E731
    stray = is_word(left + right) and not (is_word(left) or is_word(right))
    return left + right if stray else match.group(0)


def split_paragraphs(text: str) -> list[str]:
    """Regroup PDF lines into paragraphs, one string each, whitespace folded.

    A paragraph ends where a line ends a sentence (or a list item) and the next line starts
    like a new one: a capital, a digit, an opening quote or a bullet.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    paragraphs: list[list[str]] = []
    for previous, line in zip([""] + lines, lines):
        starts_new = not paragraphs or (_PARAGRAPH_END.search(previous) and _PARAGRAPH_START.match(line))
        if starts_new:
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    return [re.sub(r"\s+", " ", " ".join(p)).strip() for p in paragraphs]


_CHARACTER_FIXES = (replace_bullets, fix_lookalikes, join_hyphenation)
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_MARKDOWN_MARKUP = re.compile(r"(\*\*|__|`)")


def _fix_characters(raw: str) -> str:
    return reduce(lambda acc, step: step(acc), _CHARACTER_FIXES, raw.replace("\r\n", "\n"))


def clean_paragraphs(raw: str) -> list[str]:
    """The whole cleaning pipeline: raw PDF text in, clean paragraphs out."""
    return [p for p in split_paragraphs(_fix_characters(raw)) if p]


def looks_extracted_from_pdf(raw: str) -> bool:
    """Text pulled out of a PDF has a line break (often a blank line) after every printed line and
    few paragraph marks; ordinary text has blank lines only between paragraphs."""
    lines = [line for line in raw.splitlines() if line.strip()]
    if len(lines) < 8:
        return False
    short = sum(1 for line in lines if len(line) < 90)
    ends_mid_sentence = sum(1 for line in lines if not re.search(r"[.!?:;»”\"]\s*$", line))
    return short / len(lines) > 0.8 and ends_mid_sentence / len(lines) > 0.5


def blank_line_paragraphs(raw: str) -> list[str]:
    """Paragraphs separated by blank lines (ordinary text), whitespace folded."""
    blocks = re.split(r"\n\s*\n", _fix_characters(raw))
    return [" ".join(block.split()) for block in blocks if block.strip()]


def markdown_paragraphs(raw: str) -> list[tuple[str, bool]]:
    """Markdown paragraphs as (text, is_heading); emphasis and code marks dropped."""
    paragraphs: list[tuple[str, bool]] = []
    for block in blank_line_paragraphs("\n\n".join(_split_headings(raw))):
        heading = _MARKDOWN_HEADING.match(block)
        text = _MARKDOWN_MARKUP.sub("", heading.group(1) if heading else block)
        text = re.sub(r"^[-*+]\s+", f"{BULLET} ", text)
        if text.strip():
            paragraphs.append((text.strip(), bool(heading)))
    return paragraphs


def _split_headings(raw: str) -> list[str]:
    """Put every Markdown heading line in a block of its own."""
    blocks, current = [], []
    for line in raw.replace("\r\n", "\n").split("\n"):
        if _MARKDOWN_HEADING.match(line):
            blocks += ["\n".join(current), line]
            current = []
        else:
            current.append(line)
    return blocks + ["\n".join(current)]
