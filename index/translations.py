"""Translation files: a document in another language, paragraph for paragraph.

A translation file is UTF-8 text. Lines starting with "#" at its top are its note (who translated
it, which text is authoritative); then come the paragraphs, separated by blank lines, one for each
paragraph of the cleaned original and in the same order. A paragraph the original already has in
the translation's language (an author's own abstract, say) is repeated there and left unaligned.

``NAME.ru.txt`` and ``NAME.en.txt`` beside ``NAME.EXT`` are the translations of that document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from qa.errors import QAError
from qa.language import LANGUAGES, Language

TRANSLATION_LANGUAGES: tuple[Language, ...] = ("ru", "en", "ky")
_NOTE = re.compile(r"^#.*$")


@dataclass(frozen=True)
class TranslationSource:
    """One translation of a document: its language, file name, path and text."""

    language: Language
    name: str
    raw: str
    path: str = ""

    @cached_property
    def note(self) -> str:
        """The note lines at the top, without their "#"."""
        lines = []
        for line in self.raw.splitlines():
            if not _NOTE.match(line):
                break
            lines.append(line.lstrip("#").strip())
        return " ".join(line for line in lines if line)

    @cached_property
    def paragraphs(self) -> list[str]:
        """The translated paragraphs, whitespace folded, the note left out."""
        lines = self.raw.replace("\r\n", "\n").split("\n")
        while lines and (_NOTE.match(lines[0]) or not lines[0].strip()):
            lines.pop(0)
        blocks = re.split(r"\n\s*\n", "\n".join(lines))
        return [" ".join(block.split()) for block in blocks if block.strip()]


def parse_translation_option(value: str) -> tuple[Language, Path]:
    """``ru=notes.ru.txt`` (the ``--translation`` option) as (language, path)."""
    language, separator, path = value.partition("=")
    if not separator or not path:
        raise QAError(f"--translation {value!r}: expected LANG=FILE, e.g. ru=notes.ru.txt")
    if language not in LANGUAGES:
        raise QAError(f"--translation {value!r}: the language must be one of {', '.join(LANGUAGES)}")
    return language, Path(path)  # type: ignore[return-value]


def read_translation(language: Language, path: Path) -> TranslationSource:
    """A translation file, or a QAError naming it and saying what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise QAError(f"{path.name}: cannot read the translation ({error.strerror or error})") from error
    if b"\x00" in data:
        raise QAError(f"{path.name}: a binary file, not a translation")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QAError(f"{path.name}: not UTF-8 text (byte {error.start})") from error
    source = TranslationSource(language, path.name, text, str(path.resolve()))
    if not source.paragraphs:
        raise QAError(f"{path.name}: the translation is empty")
    return source


def translation_files(document_path: Path) -> dict[Language, Path]:
    """The translation files beside a document: ``NAME.ru.txt`` (or ``NAME.ru.EXT``) for ``NAME.EXT``."""
    found: dict[Language, Path] = {}
    stem = document_path.name[: -len(document_path.suffix)] if document_path.suffix else document_path.name
    if re.search(r"\.(ky|ru|en)$", stem):
        return found  # a translation itself
    for language in TRANSLATION_LANGUAGES:
        for suffix in dict.fromkeys((".txt", document_path.suffix)):
            candidate = document_path.with_name(f"{stem}.{language}{suffix}")
            if candidate.is_file() and candidate != document_path:
                found[language] = candidate
                break
    return found


def translations_beside(document_path: Path) -> list[TranslationSource]:
    """The translation files beside a document, read."""
    return [read_translation(language, file) for language, file in translation_files(document_path).items()]
