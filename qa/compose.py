"""Step 5 of answering: compose the reply. The chosen sentences are quoted verbatim with their
[n] markers, in the answer's language where the document has a translation (marked as ours); a
list one item a line; a number first when the question asks for one; or the plain statement that
the article does not say."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from index.chunk import title_merged_spans
from index.corpus import DEFAULT_ARTICLE
from index.keyword import keyword_tokens
from qa.catalog import PassageCatalog
from qa.language import Language
from qa.result import Citation
from qa.retrieve import Scored, SentenceHit
from qa.understand import AnswerType
from qa.textfeatures import number_kind, text_words

_ITEM_BREAK = re.compile(r"(?<=[;:.])\s+(?=•\s|\d+[.)]\s)")
_ITEM = re.compile(r"^\s*(?:•|\d+[.)])\s")
_MONTH = re.compile(r"^(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                    r"(?:январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр)[яе]|мая|мае|марта|марте|августа|августе)$",
                    re.IGNORECASE)
_HEDGE = re.compile(r"^(?:about|around|approximately|nearly|over|more than|около|примерно|более|свыше|почти)$",
                    re.IGNORECASE)
# What may follow a number in the lead: its scale, then one word (the unit, or what is counted).
_SCALE = re.compile(r"^(?:thousand|million|billion|trillion|тыс|тысяч\w*|млн|млрд|миллион\w*|миллиард\w*|миң|%|"
                    r"percent|процент\w*|пайыз\w*)\.?$", re.IGNORECASE)
_YEAR = re.compile(r"^(?:1[89]|20)\d\d(?!\d)")
_YEAR_WORD = re.compile(r"^(?:year|жылы?|г|году|года)\.?$", re.IGNORECASE)
_ABBREVIATION = re.compile(r"^[A-ZА-ЯЁӨҮҢ]{2,3}$")
_ADJECTIVE = re.compile(r"(?:ых|их|ый|ий|ой|ая|яя|ое|ее|ые|ие|[лдт][ыиуү]к|ese)$", re.IGNORECASE)
_NOT_A_UNIT = {"in", "at", "of", "the", "and", "to", "by", "from", "в", "и", "на", "из", "с", "по", "жана", "менен"}
# The kinds of number (qa.textfeatures.number_kinds) that answer each numeric answer type.
_NUMBER_ANSWERS = {"date": {"year"}, "money": {"money"}, "quantity": {"count", "percent", "duration"}}

QUOTE_MARKS = {"en": ("“", "”"), "ru": ("«", "»"), "ky": ("«", "»")}
FRAMES: dict[str, dict[str, str]] = {
    "en": {"source": "According to the article", "source_in": "According to {doc}",
           "translated": ", in our translation",
           "abstract": "The English abstract says: “{quote}” [{n}]",
           "abstain": "The article does not say. The closest passages are shown as related.",
           "summary": "What the document is about, in its abstract", "aim": "The document's aim, as it states it",
           "method": "How the research was done, as the document states it",
           "conclusion": "The points of the document's conclusion"},
    "ru": {"source": "Согласно статье", "source_in": "Согласно документу {doc}",
           "translated": ", в нашем переводе",
           "abstract": "В русской аннотации: «{quote}» [{n}]",
           "abstain": "В статье об этом не говорится. Ближайшие фрагменты показаны как связанные.",
           "summary": "О чём документ — в его аннотации", "aim": "Цель документа, как он её формулирует",
           "method": "Как проведено исследование, по словам документа",
           "conclusion": "Положения заключения документа"},
    "ky": {"source": "Макалага ылайык", "source_in": "{doc} документине ылайык",
           "translated": ", биздин котормодо",
           "abstract": "Аннотацияда: «{quote}» [{n}]",
           "abstain": "Макалада бул тууралуу айтылган эмес. Эң жакын үзүндүлөр тиешелүү катары көрсөтүлдү.",
           "summary": "Документ эмне жөнүндө — анын аннотациясында", "aim": "Документтин максаты, өзү айткандай",
           "method": "Изилдөө кантип жүргүзүлгөнү, документте айтылгандай",
           "conclusion": "Документтин корутундусундагы жоболор"},
}


def keyword_overlap(wanted: set[str], sentence: str) -> float:
    """Share of the question's keyword tokens (``wanted``) that the sentence contains."""
    return len(wanted & set(keyword_tokens(sentence))) / len(wanted) if wanted else 0.0


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


def lead_number(number_type: str | None, question: str, text: str) -> str | None:
    """For a question that asks for a number (``number_type``: quantity, money or date), the number
    the answer opens with (and its unit, or the month before a year), taken verbatim from
    ``text``: one of the kind asked for, nearest the question's words, and not one the question
    names itself."""
    if number_type not in _NUMBER_ANSWERS:
        return None
    words = text_words(text)
    wanted = set(keyword_tokens(question))
    best, best_score = None, -1.0
    for i, word in enumerate(words):
        kind = number_kind(words, i)
        if kind not in _NUMBER_ANSWERS[number_type] or \
                {t for t in keyword_tokens(_bare(word)) if t[:1].isdigit()} & wanted:
            continue  # a number the question names is no answer
        near = " ".join(words[max(0, i - 4):i + 5])
        score = keyword_overlap(wanted, near) - 0.01 * i - 0.5 * (kind == "duration")
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


def frame_answer(frame: Language, question: str, kind: AnswerType, excerpts: list[Excerpt],
                 by_id: dict[str, Citation], catalog: PassageCatalog, extra: Citation | None = None,
                 article: str = DEFAULT_ARTICLE.name, part: str | None = None) -> str:
    """The answer text in the frame's language: where it comes from (marked when it is our
    translation), then the quote with its [n], or a list, one item a line; a number first when
    the question asks for one (``kind``). A question about the document's ``part`` (summary, aim,
    method, conclusion) opens with what is quoted; a conclusion's points are listed one a line."""
    words = FRAMES[frame]
    opening, closing = QUOTE_MARKS[frame]
    first = by_id[excerpts[0].passage_id]
    source = words["source"] if first.doc in ("", article) else words["source_in"].format(doc=first.doc)
    marker = words["translated"] if any(e.translation for e in excerpts) else ""
    head = f"{source} ({_where(first, catalog, frame)}){marker}"
    items = [(by_id[e.passage_id].n, line) for e in excerpts for line in _ITEM_BREAK.split(e.shown)]
    listed = items if part == "conclusion" else [(n, line) for n, line in items if _ITEM.match(line)]
    if part:
        head = f"{words[part]}. {head}"
    if len(listed) >= 2:
        intro = [f"{opening}{line}{closing} [{n}]" for n, line in items if (n, line) not in listed]
        lines = [f"{i}. {_clean_item(line)} [{n}]" for i, (n, line) in enumerate(listed, start=1)]
        text = f"{head}: " + " ".join(intro) + "\n" + "\n".join(lines)
    else:
        quotes = " ".join(f"{opening}{e.shown}{closing} [{by_id[e.passage_id].n}]" for e in excerpts)
        text = f"{head}: {quotes}"
        lead = None if part else lead_number(kind.numeric, question, excerpts[0].shown)
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
