"""Surface features of text that any document has: folded word forms, character n-grams, the kinds
of numbers a sentence states, names. They feed the learned models (``qa.models``); nothing here
is about one article."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable

import numpy as np

from index.keyword import fold

NGRAM_BUCKETS = 2048
WORD_BUCKETS = 1024
NGRAM_SIZES = (2, 3, 4)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def hashed(items: list[str], buckets: int) -> np.ndarray:
    """Counts of ``items`` hashed into ``buckets``, unit length."""
    vector = np.zeros(buckets, dtype=np.float32)
    for item in items:
        vector[zlib.crc32(item.encode()) % buckets] += 1.0
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def ngram_vector(text: str, buckets: int = NGRAM_BUCKETS, normal: Callable[[str], str] = fold) -> np.ndarray:
    """Hashed counts of the character 2–4-grams of each word of ``normal(text)`` (folded unless
    told otherwise; with word boundaries), unit length: a typo or a missing ө changes a few of
    them, not the whole."""
    grams = []
    for word in _WORD.findall(normal(text)):
        padded = f"<{word}>"
        grams += [padded[i:i + size] for size in NGRAM_SIZES for i in range(max(1, len(padded) - size + 1))]
    return hashed(grams, buckets)


def word_vector(text: str, buckets: int = WORD_BUCKETS) -> np.ndarray:
    """Hashed counts of the folded words and word pairs ("how many", "канча жыл"), unit length."""
    words = _WORD.findall(fold(text))
    return hashed(words + [f"{a} {b}" for a, b in zip(words, words[1:])], buckets)


# What kind of quantity a number is: a year, a sum of money, a span of time, a share, a list item's
# marker, or a count of something.
NUMBER_KINDS = ("count", "money", "year", "percent", "duration")
_NUMBER = re.compile(r"(?<![\w-])\d+(?:[.,]\d+)*(?: \d{3})*(?:[-–]?[^\W\d_]+)?%?")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d(?!\d)")
_MONEY = re.compile(r"(?:доллар|dollar|сом\b|som\b|юан|yuan|евро|euro|рубл|\$)", re.IGNORECASE)
_SCALE = re.compile(r"^(?:thousand|million|billion|trillion|тыс|тысяч\w*|млн|млрд|миллион\w*|миллиард\w*|миң|%|"
                    r"percent|процент\w*|пайыз\w*)\.?$", re.IGNORECASE)
_PERCENT = re.compile(r"%|percent|процент|пайыз", re.IGNORECASE)
_DURATION = re.compile(r"^(?:жыл\w*|лет|год\w*|years?|ай\w*|месяц\w*|months?)$", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^\d{1,2}[.)]$")


def number_kind(words: list[str], at: int) -> str | None:
    """The kind of the number ``words[at]`` (see NUMBER_KINDS), or None when it is no number (or
    the marker of a list item, "3." opening a sentence)."""
    token = words[at].strip(",.;:()«»“”")
    if not _NUMBER.fullmatch(token) or (_LIST_MARKER.match(words[at]) and (at == 0 or words[at - 1][-1:] in ".:;")):
        return None
    following = words[at + 1].strip(",.;:()«»“”") if at + 1 < len(words) else ""
    after = " ".join(w.strip(",.;:()«»“”") for w in words[at + 1:at + 4])
    if _YEAR.match(token) and not _SCALE.match(following) and not _MONEY.search(following):
        return "year"
    if _MONEY.search(f"{token} {after}"):
        return "money"
    if _PERCENT.search(f"{token} {following}"):
        return "percent"
    if _DURATION.match(following) or re.search(r"[-–](?:жыл\w*|лет\w*|year)", token, re.IGNORECASE):
        return "duration"
    return "count"


def text_words(text: str) -> list[str]:
    """The words of ``text`` as number phrases read them: bibliographic markers ("[5, 1-б.]") left out."""
    return re.sub(r"\[[^\]]*\]", " ", text).split()


def number_kinds(text: str) -> set[str]:
    """The kinds of the numbers ``text`` states."""
    words = text_words(text)
    return {kind for at in range(len(words)) if (kind := number_kind(words, at))}


_NAME = re.compile(r"(?<=[\w,;:)»”] )[A-ZА-ЯЁӨҮҢ][\w-]+|[«“][^»”]{2,}[»”]|\b[A-Z][a-z]+(?: [A-Z][a-z]+)+")


def has_name(text: str) -> bool:
    """Whether the text names someone or something: a capitalised word inside a sentence, or a
    quoted title."""
    return bool(_NAME.search(text))


_ITEM = re.compile(r"^\s*(?:•|\d+[.)])\s")
_ITEM_AFTER_COLON = re.compile(r":\s*(?:•|\d+[.)])\s")


def is_list_item(text: str) -> bool:
    """A bullet or numbered item."""
    return bool(_ITEM.match(text))


def runs_into_list(text: str) -> bool:
    """A sentence that runs into the first item of a list after a colon."""
    return bool(_ITEM_AFTER_COLON.search(text))


def opens_list(text: str) -> bool:
    """A sentence that introduces a list: it ends with ":" or runs into the first item after one."""
    return text.rstrip().endswith(":") or runs_into_list(text)


def length_feature(text: str) -> float:
    """The text's length on a log scale (about 0 for a word, 1 for a long sentence)."""
    return math.log1p(len(text)) / 6.0
