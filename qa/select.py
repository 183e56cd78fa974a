"""Step 3 of answering: select the sentences that answer. Every sentence of the top passages is a
candidate, described by features of the (question, sentence) pair — similarity to the original and
to the translation in the question's language, shared words on folded forms, whether it states the
kind of answer asked for, its neighbours, section and position — and scored by a learned ranker.
A list or reasons question then takes every item of the run the best sentence belongs to."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from index.chunk import title_merged_spans
from index.keyword import keyword_tokens
from qa.catalog import PassageCatalog
from qa.coverage import absent_specifics, content_tokens
from qa.models import ANSWER_TYPES, Linear
from qa.retrieve import Scored, SentenceHit
from qa.textfeatures import has_name, is_list_item, length_feature, number_kinds, opens_list, runs_into_list
from qa.understand import AnswerType, Question

SENTENCE_PASSAGES = 4  # the answer sentence is looked for in this many top passages
MAX_PROSE_SENTENCES = 3  # a reason in prose: the sentence and up to two that carry it on
KINDS = ("count", "money", "year", "percent", "list", "name")
BASE_FEATURES = ("similarity", "similarity_original", "similarity_own_language", "similarity_gap", "passage_gap",
                 "passage_rank", "shared_words", "missing_specifics", "neighbour_similarity", "first_in_passage",
                 "abstract", "length")
RANKER_FEATURES = BASE_FEATURES + KINDS + tuple(f"{t}×{k}" for t in ANSWER_TYPES for k in KINDS)
# Sentences that carry on the one before: a reason, an addition.
_CONTINUES = re.compile(r"^\s*(?:Анткени|Себеби|Ошондой эле|Мындан тышкары|Андан тышкары|Буга кошумча|Ал эми|"
                        r"Потому что|Поскольку|Так как|Кроме того|Также|Помимо этого|Because|Since|Also|"
                        r"Moreover|In addition|Furthermore|Besides)\b")


@dataclass(frozen=True)
class Candidate:
    """A sentence of a top passage: where it is, its texts and its features (BASE_FEATURES + KINDS)."""

    passage_id: str
    sentence: int
    original: str
    own_language: str | None  # the sentence in the question's language, from a translation (if any)
    similarity: float
    features: np.ndarray

    @property
    def texts(self) -> list[str]:
        """The sentence in the original and in the question's language."""
        return [self.original] + ([self.own_language] if self.own_language else [])


def passage_sentences(catalog: PassageCatalog, passage_id: str) -> list[str]:
    """A passage's sentences, numbered as the sentence index numbers them."""
    text = catalog.text(passage_id)
    return [text[s:e] for s, e in title_merged_spans(text, str(catalog.meta(passage_id).get("section", "")))]


def translated_sentences(catalog: PassageCatalog, passage_id: str, language: str) -> list[str]:
    """A passage's sentences in ``language`` from its translation; none when it has none (or is in it)."""
    if catalog.meta(passage_id).get("language") == language:
        return []
    found = catalog.translation(passage_id, language)
    return json.loads(found[1].get("sentences", "[]")) if found else []


def kind_flags(texts: list[str]) -> np.ndarray:
    """Which kinds of answer the texts hold (KINDS order)."""
    joined = " ".join(texts)
    numbers = number_kinds(joined)
    listed = any(is_list_item(t) or opens_list(t) for t in texts)
    return np.array([*(kind in numbers for kind in KINDS[:4]), listed, has_name(joined)], dtype=np.float64)


def candidates(question: Question, ranked: list[Scored], hits: list[SentenceHit],
               catalog: PassageCatalog) -> list[Candidate]:
    """Every sentence of the top passages, with its features."""
    top = ranked[:SENTENCE_PASSAGES]
    if not top:
        return []
    similarity: dict[tuple[str, int], dict[str, float]] = {}
    for hit in hits:
        similarity.setdefault((hit.passage_id, hit.sentence), {})[hit.variant] = hit.similarity
    floor = min((h.similarity for h in hits), default=0.0)
    best_overall = max((h.similarity for h in hits), default=0.0)
    wanted = content_tokens(question.query)
    rows: list[tuple[str, int, str, str | None, dict[str, float], float, int]] = []
    for rank, scored in enumerate(top):
        originals = passage_sentences(catalog, scored.passage_id)
        own = translated_sentences(catalog, scored.passage_id, question.language)
        for n, text in enumerate(originals):
            sims = similarity.get((scored.passage_id, n), {})
            rows.append((scored.passage_id, n, text, own[n] if n < len(own) else None, sims,
                         scored.score - top[0].score, rank))
    best = {(pid, n): max(sims.values(), default=floor) for pid, n, _, _, sims, _, _ in rows}
    found = []
    for pid, n, text, own_text, sims, gap, rank in rows:
        texts = [text] + ([own_text] if own_text else [])
        shared = len(wanted & set(keyword_tokens(" ".join(texts)))) / len(wanted) if wanted else 0.0
        neighbours = [best[key] for key in ((pid, n - 1), (pid, n + 1)) if key in best]
        meta = catalog.meta(pid)
        original_similarity = sims.get("original", floor)
        own_similarity = sims.get(question.language, original_similarity)
        base = [best[(pid, n)], original_similarity, own_similarity, best[(pid, n)] - best_overall, gap,
                1.0 / (1 + rank), shared, _missing_share(question.query, texts), max(neighbours, default=floor),
                float(n == 0), float(meta.get("kind") in ("abstract", "keywords")), length_feature(text)]
        found.append(Candidate(pid, n, text, own_text, best[(pid, n)],
                               np.concatenate([np.array(base), kind_flags(texts)])))
    return found


def _missing_share(query: str, texts: list[str]) -> float:
    """Share of the question's names and numbers that the texts lack."""
    missing = absent_specifics(query, texts)
    named = len(re.findall(r"\d+|[A-ZА-ЯЁӨҮҢ]\w+", query))
    return min(1.0, len(missing) / named) if named else 0.0


def ranker_features(found: list[Candidate], kind: AnswerType) -> np.ndarray:
    """The ranker's input (RANKER_FEATURES), one row per candidate: the candidate's own features and
    each answer type's probability times each kind the sentence holds."""
    if not found:
        return np.zeros((0, len(RANKER_FEATURES)))
    own = np.stack([c.features for c in found])
    flags = own[:, len(BASE_FEATURES):]
    crossed = (kind.probabilities[None, :, None] * flags[:, None, :]).reshape(len(found), -1)
    return np.concatenate([own, crossed], axis=1)


@dataclass(frozen=True)
class Selection:
    """The candidates in ranker order (scores alike) and the sentences chosen, by passage."""

    ranked: list[Candidate]
    scores: np.ndarray
    chosen: dict[str, list[int]]

    @property
    def best(self) -> Candidate | None:
        """The best candidate."""
        return self.ranked[0] if self.ranked else None

    @property
    def margin(self) -> float:
        """How far the best candidate's score is above the next one's."""
        return float(self.scores[0] - self.scores[1]) if len(self.scores) > 1 else float(self.scores[0]) \
            if len(self.scores) else 0.0


def select(found: list[Candidate], kind: AnswerType, ranker: Linear, catalog: PassageCatalog) -> Selection:
    """The best sentence by the ranker, widened to the whole list or reason it belongs to."""
    if not found:
        return Selection([], np.zeros(0), {})
    scores = ranker.scores(ranker_features(found, kind))
    order = np.argsort(-scores, kind="stable")
    ranked = [found[i] for i in order]
    best = ranked[0]
    return Selection(ranked, scores[order], widen(best.passage_id, best.sentence, kind.name, catalog))


def widen(passage_id: str, sentence: int, answer_type: str, catalog: PassageCatalog) -> dict[str, list[int]]:
    """Which sentences answer, by passage: the chosen one (``sentence`` of ``passage_id``); for a
    list, every item of the list it belongs to; for a reason, the sentences of its passage that
    carry it on ("Анткени …", "Also …")."""
    chosen = {passage_id: [sentence]}
    if answer_type not in ("list", "reason"):
        return chosen
    sentences = _section_sentences(catalog, passage_id)
    at = next((i for i, (pid, n, _) in enumerate(sentences) if (pid, n) == (passage_id, sentence)), None)
    if at is None:
        return chosen
    run = _list_run(sentences, at) if answer_type == "list" else None
    if run is None:
        run = [sentences[at]]
        for following in sentences[at + 1:at + MAX_PROSE_SENTENCES]:
            if following[0] != passage_id or not (answer_type == "reason" and len(run) == 1 or
                                                       _CONTINUES.match(following[2])):
                break
            run.append(following)
    picked: dict[str, list[int]] = {}
    for pid, n, _ in run:
        picked.setdefault(pid, []).append(n)
    return picked


def _section_sentences(catalog: PassageCatalog, passage_id: str) -> list[tuple[str, int, str]]:
    """(passage id, sentence number, text) of every sentence of the passage's section, in order."""
    meta = catalog.meta(passage_id)
    ids = catalog.section(str(meta.get("doc", "")), str(meta.get("section", "")), str(meta.get("kind", "")))
    return [(pid, n, s) for pid in ids for n, s in enumerate(passage_sentences(catalog, pid))]


def _list_run(sentences: list[tuple[str, int, str]], at: int) -> list[tuple[str, int, str]] | None:
    """The list around sentence ``at``: its introduction and every item; None when ``at`` is
    neither an item nor the introduction of a list."""
    is_item = [is_list_item(text) for _, _, text in sentences]
    following_item = at + 1 < len(sentences) and is_item[at + 1]
    introduces = opens_list(sentences[at][2]) and (following_item or runs_into_list(sentences[at][2]))
    if not is_item[at] and not introduces:
        return None
    first = at
    while first > 0 and is_item[first]:
        first -= 1
    if not is_item[first] and not opens_list(sentences[first][2]):
        first += 1
    last = at
    while last + 1 < len(sentences) and is_item[last + 1]:
        last += 1
    return sentences[first:last + 1]
