"""Checks a generated answer must pass before anyone sees it: its [n] exist, it cites something,
every number it states is in the passages it cites, it does not repeat its prompt, and it is in the
answer's language.

Pure functions of plain text, so they can be tested on recorded model replies."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from qa.language import detect_language

NO_ANSWER = "NO ANSWER IN THE PASSAGES"  # the fixed phrase the prompt asks for when the passages do not answer
_NO_ANSWER_VARIANTS = re.compile(
    r"no answer in the passages|passages do not contain the answer|"
    r"во фрагментах нет ответа|үзүндүлөрдө жооп жок", re.IGNORECASE)
_MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:[,;]|[-–])\s*\d+)*)\s*\]")
# The prompt's own scaffolding (qa.generate.build_messages) or a chat template's control tokens in
# a reply: the model repeated its input instead of answering.
_ECHO = re.compile(r"\((?:Kyrgyz|Russian|English|\w+) (?:original|translation)\)|^\s*(?:Passages|Question):|"
                   r"<<SYS>>|\[/?INST\]|<\|im_(?:start|end)\|>|<(?:start|end)_of_turn>", re.MULTILINE)
_LIST_NUMBER = re.compile(r"(?m)^\s*\d{1,2}[.)]\s")  # "1. " opening a list item is not a claim
# A number: digits grouped by spaces in threes ("1 500 000"), or digits with . and , inside ("2,5", "1,500.25").
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])|\d+(?:[.,]\d+)*)"
                     r"(?:\s*(%|[^\W\d_]+\.?))?")
_SCALES = {
    1e3: ("thousand", "thousands", "тыс", "тысяч", "тысячи", "тысяча", "миң"),
    1e6: ("million", "millions", "mln", "млн", "миллион", "миллиона", "миллионов", "миллиондогон"),
    1e9: ("billion", "billions", "bn", "млрд", "миллиард", "миллиарда", "миллиардов", "миллиарддаган"),
    1e12: ("trillion", "trillions", "трлн", "триллион", "триллиона", "триллионов"),
}
_SCALE_OF = {word: factor for factor, words in _SCALES.items() for word in words}


@dataclass(frozen=True)
class Verdict:
    """The outcome of verifying one reply: ``ok``, an abstention, or a reason it is rejected."""

    ok: bool
    abstained: bool = False
    reason: str | None = None  # "code: detail"; codes: empty_reply, echoed_prompt, invented_citation,
    #                            no_citation, number_not_in_sources, wrong_language


def citation_numbers(text: str) -> list[int]:
    """Every [n] the text cites, in order ("[1, 3]" and "[2-4]" expanded)."""
    cited = []
    for group in _MARKER.findall(text):
        for part in re.split(r"\s*[,;]\s*", group):
            ends = [int(x) for x in re.split(r"\s*[-–]\s*", part)]
            cited.extend(range(ends[0], ends[-1] + 1) if len(ends) == 2 and ends[0] <= ends[1] <= ends[0] + 20
                         else ends)
    return cited


def is_no_answer(text: str) -> bool:
    """The model said the passages do not contain the answer."""
    return bool(_NO_ANSWER_VARIANTS.search(text))


def number_values(token: str, scale_word: str = "") -> set[float]:
    """The values a written number may stand for: "2,5" and "2.5" are 2.5; "1,500" and "1 500"
    may be 1500 (or 1.5); a scale word (million, млн, миллиард …) multiplies, the bare number kept."""
    digits = re.sub(r"[ \u00a0\u202f]", "", token)
    readings = set()
    separators = re.findall(r"[.,]", digits)
    if not separators:
        readings.add(float(digits))
    elif len(set(separators)) == 2:  # "1,500.25" / "1.500,25": the last one is the decimal point
        last = max(digits.rfind("."), digits.rfind(","))
        readings.add(float(re.sub(r"[.,]", "", digits[:last]) + "." + digits[last + 1:]))
    else:
        groups = re.split(r"[.,]", digits)
        if len(groups) == 2:
            readings.add(float(f"{groups[0]}.{groups[1]}"))
        if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
            readings.add(float("".join(groups)))
    factor = _SCALE_OF.get(scale_word.lower().rstrip("."))
    if factor:
        readings |= {value * factor for value in readings}
    return {_rounded(value) for value in readings}


def _rounded(value: float) -> float:
    return float(f"{value:.6g}")


def numbers_in(text: str) -> dict[str, set[float]]:
    """Each number stated in ``text`` (as written) and the values it may stand for; [n] markers and
    list numbering are not numbers of the text."""
    text = _LIST_NUMBER.sub(" ", _MARKER.sub(" ", text))
    found: dict[str, set[float]] = {}
    for match in _NUMBER.finditer(text):
        token, unit = match.group(1), match.group(2) or ""
        found.setdefault(token, set()).update(number_values(token, unit))
    return found


def values_in(texts: Iterable[str]) -> set[float]:
    """Every value the numbers of ``texts`` may stand for."""
    return {value for text in texts for values in numbers_in(text).values() for value in values}


def verify_reply(reply: str, passages: Mapping[int, list[str]], language: str,
                 detect: Callable[[str], str | None] = detect_language) -> Verdict:
    """Check ``reply`` against ``passages`` ({n: [original, translation …]}, the passages the model
    was given) and the answer ``language``; the first failed check is the reason."""
    text = reply.strip()
    if not text:
        return Verdict(False, reason="empty_reply: the model returned no text")
    if is_no_answer(text) and not citation_numbers(text):
        return Verdict(True, abstained=True)
    cited = citation_numbers(text)
    invented = sorted({n for n in cited if n not in passages})
    if invented:
        return Verdict(False, reason="invented_citation: " + ", ".join(f"[{n}]" for n in invented))
    if not cited:
        return Verdict(False, reason="no_citation: the reply cites no passage")
    known = values_in(t for n in set(cited) for t in passages[n])
    unsupported = [token for token, values in numbers_in(text).items() if not values & known]
    if unsupported:
        return Verdict(False, reason="number_not_in_sources: " + ", ".join(unsupported[:3]))
    echo = _ECHO.search(text)
    if echo:
        return Verdict(False, reason=f"echoed_prompt: the reply repeats the prompt ({echo.group(0).strip()})")
    prose = re.sub(r"\s+", " ", _MARKER.sub(" ", text))
    said = detect(prose)
    if said != language:
        return Verdict(False, reason=f"wrong_language: {said or 'unknown'} instead of {language}")
    return Verdict(True)


def reason_code(reason: str | None) -> str | None:
    """The code of a fallback reason ("number_not_in_sources: 1500" -> "number_not_in_sources")."""
    return None if reason is None else reason.split(":", 1)[0]
