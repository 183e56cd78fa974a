"""Extractive answers: pick the sentence that answers, widen it to everything the question asks for
(a list, reasons), quote it verbatim with its [n] marker, in the answer's language where the
document has a translation, and abstain when the evidence is weak or the question's own words are
not there."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from index.chunk import title_merged_spans
from index.corpus import DEFAULT_ARTICLE
from index.keyword import keyword_tokens
from qa.catalog import PassageCatalog
from qa.coverage import absent_specifics
from qa.language import Language
from qa.result import Citation
from qa.retrieve import Scored, SentenceHit

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
SENTENCE_PASSAGES = 3  # the answer sentence is looked for in this many top passages
KEYWORD_BONUS = 0.05
NUMBER_BONUS = 0.02
RANK_PENALTY = 0.5
MAX_PROSE_SENTENCES = 3  # a reason or a list in prose: the sentence and up to two that continue it
NUMBER_QUESTION = re.compile(r"\b(?:канча|качан|кайсы жыл\w*|сколько|когда|в каком году|на сколько|"
                             r"каков\w* (?:объ[её]м|мощност\w*|длин\w*|размер\w*|доля|численност\w*|товарооборот\w*)|"
                             r"how (?:much|many|long|large)|when|what year|which year|what percentage|"
                             r"what (?:is|was|are|were) the (?:\w+ )?(?:population|turnover|volume|size|share|amount|"
                             r"length|capacity|cost|value))\b",
                             re.IGNORECASE)
WHEN_QUESTION = re.compile(r"\b(?:качан|кайсы жыл\w*|когда|в каком году|when|what year|which year)\b", re.IGNORECASE)
QUANTITY = re.compile(r"(?<![\w-])\d")  # a number standing on its own, not the 19 of "COVID-19"
WHY_QUESTION = re.compile(r"\b(?:эмне үчүн|эмнеге|эмне себептен|себеби|почему|зачем|отчего|why)\b", re.IGNORECASE)
LIST_QUESTION = re.compile(
    r"\b(?:кайсы|кандай|эмнелер\w*|себеп\w*|фактор\w*|таасир\w*|кесепет\w*|шарт\w*|көйгөй\w*|тобокел\w*|"
    r"көз каранды|санап|какие|каких|каковы|перечисл\w*|причин\w*|фактор\w*|последстви\w*|услови\w*|"
    r"проблем\w*|риск\w*|зависит|зависят|what are|which|list|name the|reasons?|factors?|effects?|"
    r"consequences?|conditions?|problems?|risks?|depends?|what (?:could|might|can|will)|what did)\b",
    re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:•|\d+[.)])\s")
_ITEM_AFTER_COLON = re.compile(r":\s*(?:•|\d+[.)])\s")
_ITEM_BREAK = re.compile(r"(?<=[;:.])\s+(?=•\s|\d+[.)]\s)")
# Sentences that carry on the one before: a reason, an addition.
_CONTINUES = re.compile(r"^\s*(?:Анткени|Себеби|Ошондой эле|Мындан тышкары|Андан тышкары|Буга кошумча|Ал эми|"
                        r"Потому что|Поскольку|Так как|Кроме того|Также|Помимо этого|Because|Since|Also|"
                        r"Moreover|In addition|Furthermore|Besides)\b")
_MONTH = re.compile(r"^(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                    r"(?:январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр)[яе]|мая|мае|марта|марте|августа|августе)$",
                    re.IGNORECASE)
_NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?: \d{3})*(?:[-–]?\w+)?%?")
_HEDGE = re.compile(r"^(?:about|around|approximately|nearly|over|more than|около|примерно|более|свыше|почти)$",
                    re.IGNORECASE)
# What may follow a number in the lead: its scale, then one word (the unit, or what is counted).
_SCALE = re.compile(r"^(?:thousand|million|billion|trillion|тыс|тысяч\w*|млн|млрд|миллион\w*|миллиард\w*|миң|%|"
                    r"percent|процент\w*|пайыз\w*)\.?$", re.IGNORECASE)
_YEAR = re.compile(r"^(?:1[89]|20)\d\d(?!\d)")
_YEAR_WORD = re.compile(r"^(?:year|жылы?|г|году|года)\.?$", re.IGNORECASE)
_ABBREVIATION = re.compile(r"^[A-ZА-ЯЁӨҮҢ]{2,3}$")
_ADJECTIVE = re.compile(r"(?:ых|их|ый|ий|ой|ая|яя|ое|ее|ые|ие|[лдт][ыиуү]к|ese)$", re.IGNORECASE)
# What kind of quantity a number is, so that a "how many students" answer is not a sum of dollars
# and a "how many tourists" answer not a span of years.
_MONEY_UNIT = re.compile(r"(?:доллар|dollar|сом\b|som\b|юан|yuan|евро|euro|рубл|\$)", re.IGNORECASE)
_MONEY_QUESTION = re.compile(r"(?:инвест|invest|доллар|dollar|акча|money|деньг|стоим|cost|сумм|sum\b|amount|"
                             r"кредит|credit|loan|заем|займ|насыя|грант|grant|каржы|финанс|financ|fund|киреше|income|"
                             r"доход|revenue|соода|торгов|trade|товарооборот|turnover|бюджет|budget|баа|price|цен[аы])",
                             re.IGNORECASE)
# A question for a sum of money as such (income, cost, price): its answer must name a currency.
_SUM_QUESTION = re.compile(r"(?:киреше|доход|income|revenue|акча|денег|деньги|money|стоимост|cost|баасы|price|цен[аы])",
                           re.IGNORECASE)
_DURATION_UNIT = re.compile(r"^(?:жыл\w*|лет|год\w*|years?|ай\w*|месяц\w*|months?)$", re.IGNORECASE)
_DURATION_QUESTION = re.compile(r"(?:канча (?:жыл|ай|убакыт)|скольк\w* (?:лет|год|месяц|времени)|"
                                r"how many (?:years|months)|how long)", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^\d{1,2}[.)]$")  # "3." opening a list item numbers the list, it is no quantity
_NOT_A_UNIT = {"in", "at", "of", "the", "and", "to", "by", "from", "в", "и", "на", "из", "с", "по", "жана", "менен"}

QUOTE_MARKS = {"en": ("“", "”"), "ru": ("«", "»"), "ky": ("«", "»")}
FRAMES: dict[str, dict[str, str]] = {
    "en": {"source": "According to the article", "source_in": "According to {doc}",
           "translated": ", in our translation",
           "abstract": "The English abstract says: “{quote}” [{n}]",
           "abstain": "The article does not say. The closest passages are shown as related."},
    "ru": {"source": "Согласно статье", "source_in": "Согласно документу {doc}",
           "translated": ", в нашем переводе",
           "abstract": "В русской аннотации: «{quote}» [{n}]",
           "abstain": "В статье об этом не говорится. Ближайшие фрагменты показаны как связанные."},
    "ky": {"source": "Макалага ылайык", "source_in": "{doc} документине ылайык",
           "translated": ", биздин котормодо",
           "abstract": "Аннотацияда: «{quote}» [{n}]",
           "abstain": "Макалада бул тууралуу айтылган эмес. Эң жакын үзүндүлөр тиешелүү катары көрсөтүлдү."},
}


@dataclass(frozen=True)
class Thresholds:
    """Per question language, the least evidence (similarity) and the least coverage (share of the
    question's content words found in the passages) an answer needs."""

    by_language: dict[str, dict[str, float]]

    @classmethod
    def load(cls, embedder: str, path: Path = CALIBRATION_FILE) -> "Thresholds":
        """Thresholds calibrated for ``embedder`` (see ``qa eval --calibrate``); none known: never abstain."""
        table = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        entry = table.get(embedder, {})
        return cls({lang: value if isinstance(value, dict) else {"evidence": value} for lang, value in entry.items()})

    def abstains(self, language: str, evidence: float, coverage: float = 1.0) -> bool:
        """Whether the support is too weak to answer a question in ``language``."""
        limits = self.by_language.get(language, {})
        return evidence < limits.get("evidence", float("-inf")) or coverage < limits.get("coverage", float("-inf"))


def keyword_overlap(wanted: set[str], sentence: str) -> float:
    """Share of the question's keyword tokens (``wanted``) that the sentence contains."""
    return len(wanted & set(keyword_tokens(sentence))) / len(wanted) if wanted else 0.0


def best_sentence(question: str, ranked: list[Scored], hits: list[SentenceHit]) -> SentenceHit | None:
    """The sentence that best answers: similar to the question, sharing its words, with a number if
    the question asks for one, in a top passage (whose own adjustments, such as the keyword
    score and the translation offset, carry over to its sentences)."""
    passages = {s.passage_id: s for s in ranked[:SENTENCE_PASSAGES]}
    candidates = [h for h in hits if h.passage_id in passages]
    if not candidates:
        return None
    top = max(s.score for s in passages.values())
    wants_number = bool(NUMBER_QUESTION.search(question))
    wanted = set(keyword_tokens(question))

    def score(hit: SentenceHit) -> float:
        passage = passages[hit.passage_id]
        has_number = wants_number and bool(QUANTITY.search(hit.text))
        return hit.similarity + (passage.score - passage.dense) - RANK_PENALTY * (top - passage.score) + \
            KEYWORD_BONUS * keyword_overlap(wanted, hit.text) + NUMBER_BONUS * has_number

    return max(candidates, key=score)


@dataclass(frozen=True)
class Excerpt:
    """Consecutive sentences quoted from one passage: verbatim, and in the answer's language when
    that is another language and the document has a translation (the project's own)."""

    passage_id: str
    sentences: tuple[int, ...]
    original: str
    translation: str | None

    @property
    def shown(self) -> str:
        """What the answer quotes."""
        return self.translation or self.original


def passage_sentences(catalog: PassageCatalog, passage_id: str) -> list[str]:
    """A passage's sentences, numbered as the sentence index numbers them."""
    text = catalog.text(passage_id)
    return [text[s:e] for s, e in title_merged_spans(text, str(catalog.meta(passage_id).get("section", "")))]


def excerpt(catalog: PassageCatalog, passage_id: str, numbers: list[int], language: str) -> Excerpt:
    """Sentences ``numbers`` of a passage, verbatim and (if it is in another language) translated."""
    text = catalog.text(passage_id)
    spans = title_merged_spans(text, str(catalog.meta(passage_id).get("section", "")))
    numbers = sorted(set(n for n in numbers if 0 <= n < len(spans)))
    original = text[spans[numbers[0]][0]:spans[numbers[-1]][1]]
    translated = None
    if catalog.meta(passage_id).get("language") != language:
        found = catalog.translation(passage_id, language)
        if found is not None:
            sentences = json.loads(found[1].get("sentences", "[]"))
            translated = " ".join(dict.fromkeys(sentences[n] for n in numbers if n < len(sentences))) or None
    return Excerpt(passage_id, tuple(numbers), original, translated)


def _section_sentences(catalog: PassageCatalog, passage_id: str) -> list[tuple[str, int, str]]:
    """(passage id, sentence number, text) of every sentence of the passage's section, in order."""
    meta = catalog.meta(passage_id)
    ids = catalog.section(str(meta.get("doc", "")), str(meta.get("section", "")), str(meta.get("kind", "")))
    return [(pid, n, s) for pid in ids for n, s in enumerate(passage_sentences(catalog, pid))]


def _opens_list(text: str) -> bool:
    """A sentence that introduces a list: it ends with ":" or runs into the first item after one."""
    return text.rstrip().endswith(":") or bool(_ITEM_AFTER_COLON.search(text))


def _list_run(sentences: list[tuple[str, int, str]], at: int) -> list[tuple[str, int, str]] | None:
    """The list around sentence ``at``: its introduction and every item; None when ``at`` is
    neither an item nor the introduction of a list."""
    is_item = [bool(_ITEM.match(text)) for _, _, text in sentences]
    introduces = _opens_list(sentences[at][2]) and (at + 1 < len(sentences) and is_item[at + 1]
                                                    or bool(_ITEM_AFTER_COLON.search(sentences[at][2])))
    if not is_item[at] and not introduces:
        return None
    first = at
    while first > 0 and is_item[first]:
        first -= 1
    if is_item[first] is False and not _opens_list(sentences[first][2]):
        first += 1
    last = at
    while last + 1 < len(sentences) and is_item[last + 1]:
        last += 1
    return sentences[first:last + 1]


def answer_sentences(question: str, catalog: PassageCatalog, main: SentenceHit) -> dict[str, list[int]]:
    """Which sentences answer, by passage: the chosen one; for a why-question the one after it too;
    for a list, reasons or effects, every item of the list it belongs to, or the sentences of its
    passage that carry it on ("Анткени …", "Also …")."""
    chosen = {main.passage_id: [main.sentence]}
    wants_list, wants_reason = bool(LIST_QUESTION.search(question)), bool(WHY_QUESTION.search(question))
    if not (wants_list or wants_reason):
        return chosen
    sentences = _section_sentences(catalog, main.passage_id)
    at = next((i for i, (pid, n, _) in enumerate(sentences) if (pid, n) == (main.passage_id, main.sentence)), None)
    if at is None:
        return chosen
    run = _list_run(sentences, at) if wants_list else None
    if run is None:
        run = [sentences[at]]
        for following in sentences[at + 1:at + MAX_PROSE_SENTENCES]:
            if following[0] != main.passage_id or not (wants_reason and len(run) == 1 or
                                                       _CONTINUES.match(following[2])):
                break
            run.append(following)
    picked: dict[str, list[int]] = {}
    for pid, n, _ in run:
        picked.setdefault(pid, []).append(n)
    return picked


def lead_number(question: str, text: str) -> str | None:
    """For a how-many / when question, the number the answer opens with (and its unit, or the
    month before a year), taken verbatim from ``text``; the one nearest the question's words, and
    not one the question names itself."""
    if not NUMBER_QUESTION.search(question) or (_SUM_QUESTION.search(question) and not _MONEY_UNIT.search(text)):
        return None  # not a how-many / when question; or a sum of money asked and no currency in the text
    words = re.findall(r"\S+", re.sub(r"\[[^\]]*\]", " ", text))
    wanted = set(keyword_tokens(question))
    when = bool(WHEN_QUESTION.search(question))
    best, best_score = None, -1.0
    for i, word in enumerate(words):
        token = _bare(word)
        if not _NUMBER_TOKEN.fullmatch(token) or not QUANTITY.search(word) or \
                {t for t in keyword_tokens(token) if t[:1].isdigit()} & wanted or when != bool(_YEAR.match(token)):
            continue  # a number the question names is no answer; "when" asks for a year, "how many" does not
        if not when and not _same_kind(question, words, i):
            continue
        near = " ".join(words[max(0, i - 4):i + 5])
        score = keyword_overlap(wanted, near) - 0.01 * i
        if score > best_score:
            best, best_score = i, score
    if best is None:
        return None
    start, end = best, _number_phrase_end(words, best)
    if start > 0 and (_HEDGE.match(words[start - 1]) or _MONTH.match(words[start - 1])):
        start -= 1
        if start > 0 and _MONTH.match(words[start]) and words[start - 1].lower() in {"в", "in"}:
            start -= 1  # "в сентябре 2013 года", "in September 2013"
    if start > 1 and re.fullmatch(r"than|чем", words[start - 1], re.IGNORECASE):
        start -= 2
    lead = " ".join(words[start:end]).strip(",.;:()«»“”–— ")
    return lead[:1].upper() + lead[1:]


def _same_kind(question: str, words: list[str], at: int) -> bool:
    """Whether the number ``words[at]`` can answer a how-many question: not the marker of a list
    item, not a sum of money unless the question is about money, not a span of years or months
    unless the question asks how long."""
    if _LIST_MARKER.match(words[at]) and (at == 0 or re.search(r"[.:;!?]$", words[at - 1])):
        return False
    phrase = " ".join(words[at:_number_phrase_end(words, at)])
    if _MONEY_UNIT.search(phrase) and not _MONEY_QUESTION.search(question):
        return False
    following = _bare(words[at + 1]) if at + 1 < len(words) else ""
    if _DURATION_UNIT.match(following) or re.search(r"[-–](?:жыл\w*|лет\w*|year)", words[at], re.IGNORECASE):
        return bool(_DURATION_QUESTION.search(question))
    return True


def _number_phrase_end(words: list[str], at: int) -> int:
    """Where the phrase of the number ``words[at]`` ends: its scale words, then its unit or what
    it counts (one word; after a year only a word for "year")."""
    end = at + 1
    while _continues(words, end) and _SCALE.match(_bare(words[end])):
        end += 1
    if _continues(words, end):
        word, is_year = _bare(words[end]), bool(_YEAR.match(_bare(words[at])))
        if re.match(r"[^\W\d]", word) and word.lower() not in _NOT_A_UNIT and (not is_year or _YEAR_WORD.match(word)):
            end += 1
            if (_ABBREVIATION.match(word) or _ADJECTIVE.search(word)) and _continues(words, end):
                end += 1  # "US dollars", "АКШ доллары", "китайских компаний", "кытайлык компания"
    return end


def _continues(words: list[str], end: int) -> bool:
    """Whether ``words[end]`` exists and no punctuation closes the phrase before it (the full stop
    of an abbreviated scale such as "млн." does not)."""
    if end >= len(words):
        return False
    before = words[end - 1]
    return not re.search(r"[,;:()–—»”]$", before) and not (before.endswith(".") and not _SCALE.match(before))


def _bare(word: str) -> str:
    return word.strip(",.;:()«»“”")


def missing_specifics(question: str, quote: str, passages: list[str]) -> bool:
    """True when the answer cannot be the one asked for: the passages it quotes lack a name or a
    number the question asks about (a year, a place the article never ties to it), or the question
    asks how many / when and the quote has no number of that kind (a year for "when", another
    number for "how many")."""
    if absent_specifics(question, passages):
        return True
    return bool(NUMBER_QUESTION.search(question)) and lead_number(question, quote) is None


def evidence(ranked: list[Scored], sentence: SentenceHit | None) -> float:
    """How strongly the article supports an answer: the best of passage and sentence similarity."""
    passage = ranked[0].dense if ranked else 0.0
    return max(passage, sentence.similarity if sentence else 0.0)


def make_citations(ranked: list[Scored], catalog: PassageCatalog, excerpts: dict[str, Excerpt],
                   language: str) -> list[Citation]:
    """Citations in rank order, each with its text in ``language`` when translated, and the
    sentences quoted from it (if any)."""
    citations = []
    for n, s in enumerate(ranked, start=1):
        meta = catalog.meta(s.passage_id)
        translated = catalog.translation(s.passage_id, language) if meta.get("language") != language else None
        quoted = excerpts.get(s.passage_id)
        citations.append(Citation(n=n, passage_id=s.passage_id, text=catalog.text(s.passage_id),
                                  quote=quoted.original if quoted else None, section=str(meta.get("section", "")),
                                  language=str(meta.get("language", "")), score=round(s.score, 4),
                                  kind=str(meta.get("kind", "body")), paragraph=int(meta.get("paragraph", 0)),
                                  doc=str(meta.get("doc", "")), start=int(meta.get("start", 0)),
                                  end=int(meta.get("end", 0)), page=int(meta.get("page", 0)),
                                  translation=translated[0] if translated else None,
                                  quote_translation=quoted.translation if quoted else None))
    return citations


def _where(citation: Citation, catalog: PassageCatalog, language: str) -> str:
    """The passage's place, its section named in ``language`` when the translation names it."""
    translated = catalog.translation(citation.passage_id, language) if citation.language != language else None
    section = str(translated[1].get("section", citation.section)) if translated else citation.section
    return ", ".join(part for part in (section, f"¶{citation.paragraph}") if part) + \
        (f", p. {citation.page}" if citation.page else "")


def _clean_item(text: str) -> str:
    return _ITEM.sub("", text).strip().rstrip(";.").strip()


def frame_answer(frame: Language, question: str, excerpts: list[Excerpt], by_id: dict[str, Citation],
                 catalog: PassageCatalog, extra: Citation | None = None, article: str = DEFAULT_ARTICLE.name) -> str:
    """The answer text in the frame's language: where it comes from (marked when it is our
    translation), then the quote with its [n], or a list, one item a line; a number first when
    the question asks for one."""
    words = FRAMES[frame]
    opening, closing = QUOTE_MARKS[frame]
    first = by_id[excerpts[0].passage_id]
    source = words["source"] if first.doc in ("", article) else words["source_in"].format(doc=first.doc)
    marker = words["translated"] if any(e.translation for e in excerpts) else ""
    head = f"{source} ({_where(first, catalog, frame)}){marker}"
    items = [(by_id[e.passage_id].n, line) for e in excerpts for line in _ITEM_BREAK.split(e.shown)]
    listed = [(n, line) for n, line in items if _ITEM.match(line)]
    if len(listed) >= 2:
        intro = [f"{opening}{line}{closing} [{n}]" for n, line in items if not _ITEM.match(line)]
        lines = [f"{i}. {_clean_item(line)} [{n}]" for i, (n, line) in enumerate(listed, start=1)]
        text = f"{head}: " + " ".join(intro) + "\n" + "\n".join(lines)
    else:
        quotes = " ".join(f"{opening}{e.shown}{closing} [{by_id[e.passage_id].n}]" for e in excerpts)
        text = f"{head}: {quotes}"
        lead = lead_number(question, excerpts[0].shown)
        if lead:
            text = f"{lead} [{first.n}]. {text}"
    if extra is not None:
        text += "\n" + words["abstract"].format(quote=extra.quote, n=extra.n)
    return text


def abstract_support(language: str, ranked: list[Scored], catalog: PassageCatalog,
                     hits: list[SentenceHit], main_passage: str, floor: float) -> SentenceHit | None:
    """The best sentence of a Russian or English abstract passage among the results, for a question
    in that language, if it is as well supported as ``floor``."""
    abstract_ids = {s.passage_id for s in ranked if s.passage_id != main_passage
                    and catalog.meta(s.passage_id).get("kind") == "abstract"
                    and catalog.meta(s.passage_id).get("language") == language != catalog.main_language}
    candidates = [h for h in hits if h.passage_id in abstract_ids and h.similarity >= floor and h.variant == "original"]
    return max(candidates, key=lambda h: h.similarity) if candidates else None
