"""Follow-up questions without an LLM: complete a short or elliptical question from the one before.

"And in 2020?" after "How much has China invested since 2013?" is searched as "How much has
China invested since ? And in 2020?": the previous question gives the topic, the follow-up its
new specifics (numbers in the previous question give way to the follow-up's own).
"""

from __future__ import annotations

import re

MAX_FOLLOWUP_WORDS = 4
_CONNECTIVE = re.compile(r"^\s*(?:and|what about|how about|also|а|и|а как|а что|ал эми|анан|дагы|ошондой эле)\b",
                         re.IGNORECASE)
_ELLIPTICAL_SUFFIX = re.compile(r"\w+(?:чы|чи)\s*\??\s*$", re.IGNORECASE)  # Kyrgyz "…-чы?" ("and …?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:-\w+)?")


def is_elliptical(question: str) -> bool:
    """A question that leans on the one before: very short, or opening with "and …" / "а …"."""
    words = re.findall(r"\w+", question)
    return len(words) <= MAX_FOLLOWUP_WORDS or bool(_CONNECTIVE.match(question)) or \
        bool(_ELLIPTICAL_SUFFIX.search(question))


def complete_followup(previous: str | None, question: str) -> str | None:
    """What to search for ``question`` after ``previous``; None when it stands on its own."""
    if not previous or not is_elliptical(question):
        return None
    topic = _NUMBER.sub("", previous) if _NUMBER.search(question) else previous
    return f"{' '.join(topic.split())} {question.strip()}"
