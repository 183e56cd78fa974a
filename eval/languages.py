"""The language step's corpus and figures. It is fitted on the training questions and messages,
each Kyrgyz question also as typed without ө/ү/ң and in Latin letters (qa.reading.typed_variants);
it is measured cross-validated by fact or group on that corpus, and on the held-out sets (the
evaluation questions, the typed questions and the held-out messages), which it never sees."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from eval.dataset import (DEFAULT_SET, MESSAGE_EVAL_SET, MESSAGE_SET, TRAINING_SET, TYPED_SET, load_messages,
                          load_questions)
from qa.errors import QAError
from qa.language import detect_language, language_by_vocabulary
from qa.reading import LanguageModel, QuestionReader, typed_variants
from qa.train import fit_language

FOLDS = 5


@dataclass(frozen=True)
class Written:
    """A text and the language of its grammar; ``group`` keeps a fact's texts in one fold."""

    text: str
    language: str
    style: str
    group: str


def training_texts() -> list[Written]:
    """What the language model is fitted on: the training questions (with their typed variants)
    and the training messages."""
    written = []
    for q in load_questions(TRAINING_SET):
        written.append(Written(q.question, q.language, q.style, q.fact or q.id))
        written += [Written(variant, q.language, style, q.fact or q.id)
                    for variant, style in zip(typed_variants(q.question, q.language), ("no_diacritics*", "latin*"))]
    written += [Written(m.text, m.language, m.style, m.group) for m in load_messages(MESSAGE_SET)]
    return written


def held_out_texts() -> list[Written]:
    """Texts the language model never sees: the evaluation questions, the typed questions (a
    mixed question's language is that of its grammar) and the held-out messages."""
    questions = load_questions(DEFAULT_SET) + load_questions(TYPED_SET)
    return ([Written(q.question, q.language, q.style, q.fact or q.id) for q in questions]
            + [Written(m.text, m.language, m.style, m.group) for m in load_messages(MESSAGE_EVAL_SET)])


def fit_on(written: list[Written]) -> LanguageModel:
    """The language model fitted on ``written``."""
    return fit_language([w.text for w in written], [w.language for w in written])


def read_languages(reader: QuestionReader, written: list[Written]) -> list[str | None]:
    """The language each text is read in (None: refused as no language of the three)."""
    languages: list[str | None] = []
    for w in written:
        try:
            languages.append(reader.read(w.text).language)
        except QAError:
            languages.append(None)
    return languages


def cross_validated(reader: QuestionReader, written: list[Written]) -> list[str | None]:
    """Each text read by a reader whose model was fitted on the other folds' facts and groups."""
    fold_of = {group: i % FOLDS for i, group in enumerate(sorted({w.group for w in written}))}
    predicted: list[str | None] = [None] * len(written)
    for fold in range(FOLDS):
        model = fit_on([w for w in written if fold_of[w.group] != fold])
        held = [i for i, w in enumerate(written) if fold_of[w.group] == fold]
        fold_reader = QuestionReader(model, reader.vocabularies, reader.wordlist)
        for i, language in zip(held, read_languages(fold_reader, [written[i] for i in held])):
            predicted[i] = language
    return predicted


def accuracy_by(written: list[Written], predicted: list[str | None], key: str) -> dict[str, tuple[float, int]]:
    """Share read in the right language, by ``key`` ("style" or "language"), with counts."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for w, p in zip(written, predicted):
        groups[getattr(w, key)].append(p == w.language)
        groups["all"].append(p == w.language)
    return {name: (sum(hits) / len(hits), len(hits)) for name, hits in sorted(groups.items())}


def rule_languages(reader: QuestionReader, written: list[Written]) -> list[str | None]:
    """What the rule the learned step replaced reads: the index's word lists for short questions,
    else fastText and marker words (qa.language.detect_language)."""
    return [language_by_vocabulary(w.text, reader.vocabularies) or detect_language(w.text) for w in written]


LANGUAGE_COLUMNS = ["trained_cv", "n_trained", "held_out", "held_out_rule", "n_held_out"]


def language_table(reader: QuestionReader) -> dict[str, dict[str, float | int | None]]:
    """By style: the share read in the right language cross-validated on the training texts, and
    on the held-out texts by the shipped reader and by the rule it replaced."""
    trained, held = training_texts(), held_out_texts()
    cv = accuracy_by(trained, cross_validated(reader, trained), "style")
    learned = accuracy_by(held, read_languages(reader, held), "style")
    rule = accuracy_by(held, rule_languages(reader, held), "style")
    styles = sorted(set(cv) | set(learned), key=lambda s: (s == "all", s))
    return {style: {"trained_cv": cv.get(style, (None, 0))[0], "n_trained": cv.get(style, (None, 0))[1],
                    "held_out": learned.get(style, (None, 0))[0], "held_out_rule": rule.get(style, (None, 0))[0],
                    "n_held_out": learned.get(style, (None, 0))[1]} for style in styles}
