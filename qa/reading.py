"""How a question is read before anything else: which of the three languages it is in, by which
evidence, and, for Kyrgyz typed in Latin letters, the Cyrillic it stands for.

The language of a question comes from a small learned model (``LanguageModel``: multinomial
logistic regression over character n-grams of the unfolded text, fitted by ``qa train`` on the
training corpora, see ``qa.train.fit_language``), so that Kyrgyz without ө/ү/ң, Kyrgyz in Latin
letters and Russian–Kyrgyz mixtures are told apart by their grammar rather than by word lists.
Text in none of the three languages is refused (fastText's bundled 'lite' model, qa.language).
Latin-typed Kyrgyz is turned into Cyrillic by ``kyrgyz-transliteration``, whose word list, with
the document's own Kyrgyz words added, restores ө, ү and ң.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from kyrgyz_transliteration import Wordlist, builtin_wordlist, detect_script, restore_words, to_cyrillic, to_latin

from qa.errors import QAError
from qa.language import LANGUAGES, Language, detect_language, language_by_vocabulary
from qa.models import Softmax, models_dir
from qa.textfeatures import hashed, ngram_vector

LANGUAGE_BUCKETS = 4096
ENDING_BUCKETS = 1024
LANGUAGE_MODEL_FILE = "language.npz"
LANGUAGE_MODEL_VERSION = 2  # bump when language_features changes
# Latin text the model takes for Kyrgyz less surely than this needs half of its words to be Kyrgyz
# words once in Cyrillic (else it is English, or no language of ours).
SURE = 0.8
KYRGYZ_WORD_SHARE = 0.5
FEW_WORDS = 2  # fastText cannot tell the language of a word or two ("Hi!"): the model can, when
SURE_OF_FEW = 0.7  # it gives one language this much
_WORDS = re.compile(r"[^\W\d_]+")
_CYRILLIC_WORDS = re.compile(r"[а-яёөүң]{2,}")
_KYRGYZ_LETTERS = str.maketrans("өүңӨҮҢ", "оунОУН")


def language_features(text: str) -> np.ndarray:
    """Hashed character 2–4-grams of the lower-cased text (ө, ү, ң kept: they are evidence), and,
    apart, of its last two words and the endings of its words: a mixed question is in the language
    of its grammar, which sits in the endings and the closing verb (cross-validated by fact on the
    mixed training messages: 0.80 with the n-grams alone, 0.88 with these)."""
    low = text.lower()
    words = _WORDS.findall(low)
    endings = [f"${word[-3:]}" for word in words] + [f"$${word[-2:]}" for word in words]
    return np.concatenate([ngram_vector(low, LANGUAGE_BUCKETS, str.lower),
                           ngram_vector(" ".join(words[-2:]), ENDING_BUCKETS, str.lower),
                           hashed(endings, ENDING_BUCKETS)])


def without_kyrgyz_letters(text: str) -> str:
    """``text`` typed without ө, ү, ң (as on a Russian keyboard)."""
    return text.translate(_KYRGYZ_LETTERS)


def typed_variants(text: str, language: Language) -> list[str]:
    """How else a question in ``language`` is typed: Kyrgyz also without ө/ү/ң and in Latin letters."""
    if language != "ky" or detect_script(text) != "cyrillic":
        return []
    return [without_kyrgyz_letters(text), to_latin(text)]


@dataclass(frozen=True)
class LanguageModel:
    """The learned language step: the probability of ky, ru and en for a text."""

    softmax: Softmax

    def probabilities(self, text: str) -> dict[Language, float]:
        """Each language's probability for ``text``."""
        return dict(zip(LANGUAGES, map(float, self.softmax.probabilities(language_features(text)))))

    def save(self, path: Path) -> None:
        """Write the weights (with the feature version they were fitted on)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, weights=self.softmax.weights, bias=self.softmax.bias,
                            version=np.array([LANGUAGE_MODEL_VERSION]))

    @classmethod
    def load(cls, path: Path) -> "LanguageModel":
        """Read weights written by ``save``; a QAError when missing or of other features."""
        try:
            with np.load(path) as data:
                if int(data["version"][0]) != LANGUAGE_MODEL_VERSION:
                    raise ValueError("fitted on other features")
                return cls(Softmax(data["weights"].astype(np.float32), data["bias"].astype(np.float32)))
        except (OSError, KeyError, ValueError) as error:
            raise QAError(f"cannot read the language model {path}: run 'qa train'") from error


def language_model_path(folder: Path | None = None) -> Path:
    """Where the language model is kept (in ``folder``, default ``qa.models.models_dir()``)."""
    return (folder or models_dir()) / LANGUAGE_MODEL_FILE


@dataclass(frozen=True)
class ReadQuestion:
    """A question as read: the text searched, its language and why, and what it was read as."""

    text: str  # as searched: the question, in Cyrillic when it was Latin-typed Kyrgyz
    language: Language
    reason: str  # which evidence chose the language (``--details``)
    read_as: str | None = None  # the Cyrillic reading of a Latin-typed Kyrgyz question


def document_wordlist(kyrgyz_texts: Iterable[str]) -> Wordlist:
    """The library's Kyrgyz word list with the words of a document's Kyrgyz texts added."""
    words = {word for text in kyrgyz_texts for word in _CYRILLIC_WORDS.findall(text.lower())}
    return builtin_wordlist().copy().add(sorted(words))


class QuestionReader:
    """Reads questions for one index: its vocabularies settle very short questions; ``wordlist``
    (called on first need: building it takes a moment) restores ө, ү and ң in Latin-typed Kyrgyz."""

    def __init__(self, model: LanguageModel, vocabularies: dict[str, set[str]],
                 wordlist: Callable[[], Wordlist]) -> None:
        self.model = model
        self.vocabularies = vocabularies
        self.wordlist = wordlist

    def read(self, text: str) -> ReadQuestion:
        """Read ``text``; a QAError when it has no letters or is in none of the three languages."""
        script = detect_script(text)
        if script == "unknown":
            raise QAError("the question is in none of Kyrgyz, Russian or English")
        short = language_by_vocabulary(text, self.vocabularies)
        probabilities = self.model.probabilities(text)
        language = max(probabilities, key=probabilities.get)  # type: ignore[arg-type]
        evidence = f"{script} letters; learned language model: {_shown(probabilities)}"
        if short is not None:
            language, evidence = short, f"{script} letters; a short question whose words the {short} texts use"
        if language == "ky" and script == "latin":
            return self._latin_kyrgyz(text, evidence, probabilities["ky"])
        few_words = len(_WORDS.findall(text)) <= FEW_WORDS and probabilities[language] >= SURE_OF_FEW
        if language != "ky" and short is None and not few_words and detect_language(text) is None:
            raise QAError("the question is in none of Kyrgyz, Russian or English")
        return ReadQuestion(text, language, evidence)  # type: ignore[arg-type]

    def _latin_kyrgyz(self, text: str, evidence: str, sure: float) -> ReadQuestion:
        """Latin letters the model reads as Kyrgyz (with probability ``sure``): Kyrgyz, searched in
        Cyrillic, when the model is sure or enough of its words are Kyrgyz words once in Cyrillic;
        else English if it reads as English."""
        wordlist = self.wordlist()
        cyrillic = to_cyrillic(text, wordlist=wordlist)
        words = _WORDS.findall(text)
        known = sum(restore_words(word, wordlist) != word for word in words)  # whole, or stem + endings
        if sure >= SURE or (words and known / len(words) >= KYRGYZ_WORD_SHARE):
            return ReadQuestion(cyrillic, "ky", f"{evidence}; {known} of {len(words)} words are Kyrgyz "
                                                f"words in Cyrillic; read as “{cyrillic}”", cyrillic)
        if detect_language(text) == "en":
            return ReadQuestion(text, "en", f"{evidence}; only {known} of {len(words)} words are Kyrgyz words "
                                            "in Cyrillic, and it reads as English")
        raise QAError("the question is in none of Kyrgyz, Russian or English")


def _shown(probabilities: dict[Language, float]) -> str:
    return ", ".join(f"{language} {p:.2f}" for language, p in sorted(probabilities.items(), key=lambda x: -x[1]))
