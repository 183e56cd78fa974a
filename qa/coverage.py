"""Does the text say what the question asks about? The share of the question's own content words
(names, numbers, nouns: every word but question words and function words, as keyword prefixes)
that the passages contain in the question's language."""

from __future__ import annotations

import re

from index.keyword import keyword_tokens

_FUNCTION_WORDS = {
    "en": "what which who whom whose when where why how many much does did do is are was were be been being the a an "
          "of in on at to for from by with about and or as that this these those it its their there according article "
          "author say says said tell mention mentioned give can could would will has have had between into than any "
          "some kind main also per most more number name named",
    "ru": "что чем чего какой какая какое какие каких каким каков какова каковы кто кого кому когда где куда почему "
          "зачем как сколько ли был была было были есть это этот эта эти в во на с со по за из для от до о об и или а но "
          "же не его её ее их между при про статья статье статьи автор говорится сказано упоминается согласно чему "
          "которые который которая",
    "ky": "эмне эмнеге эмнени эмнелер эмнеден эмнелерди кайсы ким кимдер качан кайда кантип кандай канча барбы болгон "
          "болот бул ал алар жана менен деп да дагы үчүн боюнча макала макалада автор айтылат жөнүндө тууралуу бар "
          "кандайча канчалык",
}
STOP_TOKENS = {token for words in _FUNCTION_WORDS.values() for token in keyword_tokens(words)}


def content_tokens(question: str) -> set[str]:
    """The question's content words and numbers, as keyword tokens."""
    return {token for token in keyword_tokens(question) if token not in STOP_TOKENS}


def coverage(question: str, texts: list[str]) -> float:
    """Share of the question's content tokens found in ``texts`` (1.0 when it has none, or when
    there is no text to look in)."""
    wanted = content_tokens(question)
    if not wanted or not texts:
        return 1.0
    found = set(keyword_tokens(" ".join(texts)))
    return len(wanted & found) / len(wanted)


# A capitalised word inside the question, not its first: the start of a name ("Issyk-Kul", "Exim Bank").
_NAME_START = re.compile(r"(?<![\w-])(?<!^)([A-ZА-ЯЁӨҮҢ][\w-]*)((?:\s+[A-ZА-ЯЁӨҮҢ][\w-]*)*)")
_ACRONYM = re.compile(r"[A-ZА-ЯЁӨҮҢ]{2}")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_STEM = 4  # inflected names still match: Китаю / Китай, Chinese / China
_PART_STEM = 3  # and compounds written together: Кара-Балте / Карабалтинский


def _name_stem(name: str) -> str:
    """How a name's word forms begin: its first letters, or for a compound its first part and the
    first letters of the others, hyphens dropped."""
    first, *rest = name.lower().replace("ё", "е").split("-")
    return first[:_STEM] if not rest else first + "".join(part[:_PART_STEM] for part in rest)


def specifics(question: str) -> tuple[set[str], set[str]]:
    """What the question asks about by name or number: the stems of the first word of each run of
    capitalised words after the first (acronyms aside: they are often spelled out in the text), and
    every number."""
    text = question.strip().lstrip("«“\"'(")
    names = {m.group(1).strip("-") for m in _NAME_START.finditer(text) if not _ACRONYM.match(m.group(1))}
    stems = {_name_stem(name) for name in names if not set(keyword_tokens(name)) <= STOP_TOKENS}
    return stems, {t for t in keyword_tokens(question) if t[:1].isdigit()}


def absent_specifics(question: str, texts: list[str]) -> set[str]:
    """The question's names and numbers that ``texts`` do not contain (names by how their forms
    begin, numbers exactly)."""
    joined = " ".join(texts)
    compounds = _WORD.findall(joined.lower().replace("ё", "е"))
    words = {w.replace("-", "") for w in compounds} | {part for w in compounds for part in w.split("-")}
    stems, numbers = specifics(question)
    missing = {stem for stem in stems if not any(word.startswith(stem) for word in words)}
    return missing | (numbers - set(keyword_tokens(joined)))
