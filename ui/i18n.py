"""Every text the chat UI shows, in Kyrgyz, Russian and English, in one table.

These texts (labels, notes, badges, apologies and the example questions) are the project's own
wording, not the article's: the article's words reach the page only through the answers and the
sources panel. ``text(key, language)`` reads the table; ``language_from_accept`` picks the page's
language from the browser's Accept-Language header.
"""

from __future__ import annotations

from qa.language import Language

LANGUAGES: tuple[Language, ...] = ("ky", "ru", "en")
DEFAULT_LANGUAGE: Language = "en"
LANGUAGE_NAMES: dict[str, str] = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}  # each in itself

TEXTS: dict[str, dict[str, str]] = {
    # the page
    "title": {
        "ky": "## Макалага суроо бериңиз: Кыргыз–Кытай мамилелери жана «Бир алкак, бир жол» демилгеси",
        "ru": "## Спросите статью: кыргызско-китайские отношения и инициатива «Один пояс, один путь»",
        "en": "## Ask the article: Kyrgyz–Chinese relations and the Belt and Road Initiative",
    },
    "intro": {
        "ky": "Суроону **кыргызча**, **орусча** же **англисче** бериңиз. Ар бир жооп макаладан цитата келтирип, "
              "ал алынган үзүндүлөрдү көрсөтөт; макалада жооп жок болсо, ошону ачык айтат.",
        "ru": "Спрашивайте **по-кыргызски**, **по-русски** или **по-английски**. Каждый ответ цитирует статью и "
              "указывает фрагменты, из которых он взят; если в статье ответа нет, об этом сказано прямо.",
        "en": "Ask in **Kyrgyz**, **Russian** or **English**. Every answer quotes the article and cites the "
              "passages it comes from; when the article does not say, you are told so.",
    },
    "page_language": {"ky": "Барактын тили", "ru": "Язык страницы", "en": "Page language"},
    "chat": {"ky": "Маек", "ru": "Чат", "en": "Chat"},
    "placeholder": {"ky": "Сурооңузду жазыңыз …", "ru": "Ваш вопрос …", "en": "Your question …"},
    "ask": {"ky": "Суроо берүү", "ru": "Спросить", "en": "Ask"},
    "k": {"ky": "Булактардын саны (k)", "ru": "Число источников (k)", "en": "Sources (k)"},
    "frame": {"ky": "Жооптун тили", "ru": "Язык ответа", "en": "Answer language"},
    "frame_auto": {"ky": "суроонун тилинде", "ru": "на языке вопроса", "en": "the question's language"},
    "clear": {"ky": "Маекти тазалоо", "ru": "Очистить чат", "en": "Clear chat"},
    "stop": {"ky": "Токтотуу", "ru": "Остановить", "en": "Stop"},
    "export": {"ky": "Markdown катары жүктөп алуу", "ru": "Скачать как Markdown", "en": "Export as Markdown"},
    "examples": {"ky": "Мисалдар", "ru": "Примеры", "en": "Examples"},
    "suggestions": {"ky": "Сунушталган суроолор", "ru": "Предлагаемые вопросы", "en": "Suggested questions"},
    "article": {
        "ky": "Макала (шилтеме берилген үзүндүлөр белгиленген)",
        "ru": "Статья (цитируемые фрагменты выделены)",
        "en": "The article (cited passages highlighted)",
    },
    "hint": {
        "ky": "Мурунку жооптун булактарын кайра көрүү үчүн ошол билдирүүнү басыңыз.",
        "ru": "Нажмите на одно из прежних сообщений, чтобы снова увидеть источники того ответа.",
        "en": "Click an earlier message to see the sources of that answer again.",
    },
    # status line
    "rating_saved": {"ky": "Рахмат: бааңыз сакталды.", "ru": "Спасибо: ваша оценка сохранена.",
                     "en": "Thank you: your rating was saved."},
    "nothing_to_rate": {"ky": "Бул жерде баалай турган эч нерсе жок.", "ru": "Здесь нечего оценивать.",
                        "en": "Nothing to rate here."},
    # replies that are not answers
    "polite": {"ky": "Кечиресиз, жооп бере албайм: {problem}.", "ru": "Извините, не могу ответить: {problem}.",
               "en": "Sorry, I can't answer that: {problem}."},
    "our_fault": {"ky": "биз тарапта бир ката кетти; кайра аракет кылып көрүңүз",
                  "ru": "у нас что-то пошло не так; попробуйте ещё раз",
                  "en": "something went wrong on our side; please try again"},
    # the note under an answer
    "question_in_ky": {"ky": "Суроо кыргызча", "ru": "Вопрос на кыргызском", "en": "Question in Kyrgyz"},
    "question_in_ru": {"ky": "Суроо орусча", "ru": "Вопрос на русском", "en": "Question in Russian"},
    "question_in_en": {"ky": "Суроо англисче", "ru": "Вопрос на английском", "en": "Question in English"},
    "read_as": {"ky": "«{text}» деп окулду", "ru": "прочитан как «{text}»", "en": "read as “{text}”"},
    "follow_up": {"ky": "улантуучу суроо катары окулду: «{text}»", "ru": "понят как уточнение: «{text}»",
                  "en": "read as a follow-up: “{text}”"},
    "found": {"ky": "табылды", "ru": "найдено", "en": "found"},  # qa.decide.confidence_word's three words
    "not sure": {"ky": "так эмес", "ru": "не уверен", "en": "not sure"},
    "not found": {"ky": "табылган жок", "ru": "не найдено", "en": "not found"},
    "confidence": {"ky": "ишеним {percent}", "ru": "уверенность {percent}", "en": "confidence {percent}"},
    "related_note": {"ky": "эң жакын үзүндүлөр тектеш катары көрсөтүлдү",
                     "ru": "ближайшие фрагменты показаны как связанные",
                     "en": "the closest passages are shown as related"},
    # badges
    "badge_quoted": {"ky": "Макаладан цитата", "ru": "Цитата из статьи", "en": "Quoted from the article"},
    "badge_generated": {"ky": "{model} жазды · текшерилди", "ru": "Написано моделью {model} · проверено",
                        "en": "Generated by {model} · verified"},
    "badge_fallback": {"ky": "түзүлгөн жооп колдонулган жок: {reason}",
                       "ru": "сгенерированный ответ не использован: {reason}",
                       "en": "the generated answer was not used: {reason}"},
    "badge_draft": {"ky": "Долбоор · бүткөндө булактар менен салыштырылат",
                    "ru": "Черновик · по завершении сверяется с источниками",
                    "en": "Drafting · checked against the sources when done"},
    # the sources panel
    "sources": {"ky": "Булактар", "ru": "Источники", "en": "Sources"},
    "related": {"ky": "Тектеш үзүндүлөр (макалада бул суроого жооп жок)",
                "ru": "Связанные фрагменты (статья на это не отвечает)",
                "en": "Related passages (the article does not answer this)"},
    "sources_empty": {"ky": "Жооптун булактары бул жерде көрүнөт.", "ru": "Здесь появятся источники ответа.",
                      "en": "Sources of the answer appear here."},
    "our_translation": {"ky": "Биздин котормо (автордун сөздөрү эмес):", "ru": "Наш перевод (не слова автора):",
                        "en": "Our translation (not the author's words):"},
    "original": {"ky": "Түп нуска ({language})", "ru": "Оригинал ({language})", "en": "Original ({language})"},
    "also_in": {"ky": "Башка тилдерде:", "ru": "Также на:", "en": "Also in:"},
    "show_in_article": {"ky": "Макалада көрсөтүү ↓", "ru": "Показать в статье ↓", "en": "Show in article ↓"},
    "score": {"ky": "шайкештик", "ru": "релевантность", "en": "score"},
    "kind_abstract": {"ky": "аннотация", "ru": "аннотация", "en": "abstract"},
    "kind_keywords": {"ky": "ачкыч сөздөр", "ru": "ключевые слова", "en": "key words"},
    "kind_body": {"ky": "негизги текст", "ru": "основной текст", "en": "body"},
    # the exported conversation
    "export_title": {"ky": "# Макала менен маек", "ru": "# Беседа со статьёй", "en": "# Conversation with the article"},
    "export_language": {"ky": "Тил", "ru": "Язык", "en": "Language"},
}

# Example questions of the page, written for it and known to be answered by the article.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "ky": ("Кытайдын Кыргызстанга 2013-жылдан бери салган инвестициясы канча?",
           "Кара-Балтадагы заводдо канча адам иштеген?"),
    "ru": ("Сколько китайских компаний работало в Кыргызстане в 2019 году?",
           "Почему страны Центральной Азии интересны Китаю?"),
    "en": ("Which power line helped Kyrgyzstan build a unified energy system?",
           "What could a large influx of Chinese citizens lead to?"),
}


def text(key: str, language: str, /, **values: str) -> str:
    """The text ``key`` in ``language`` (English for a language the table lacks), ``values`` filled in."""
    entry = TEXTS[key]
    wording = entry.get(language, entry[DEFAULT_LANGUAGE])
    return wording.format(**values) if values else wording


def language_from_accept(header: str | None) -> Language:
    """The page's language from an Accept-Language header: the first of ky, ru, en in the order of
    the q-values (``ky-KG`` is ``ky``), English when none of them is there."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, tag.split("-")[0].strip().lower()))
    for minus_quality, _, language in sorted(ranked):
        if minus_quality < 0 and language in LANGUAGES:
            return language  # type: ignore[return-value]
    return DEFAULT_LANGUAGE
