"""Step 5 for messages that are no question about the content: the replies the project writes
itself (no quote, no citation) to small talk, to an off-topic message, and to a question about a
part the document does not have. Each says what the chatbot answers questions about."""

from __future__ import annotations

from qa.language import Language

REPLIES: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hello! I answer questions about {documents}, in Kyrgyz, Russian or English, with the "
                    "document's own words and the passages cited.",
        "thanks": "You're welcome! Ask me anything else about {documents}.",
        "farewell": "Goodbye! Come back with more questions about {documents}.",
        "help": "I am a question-answering assistant for {documents}. Ask about its content in Kyrgyz, Russian "
                "or English: I quote the passages that answer and cite them, and when the document does not say, "
                "I tell you so. You can also ask what it is about, its aim, its methods or its conclusions.",
        "examples": "You could ask, for example:",
        "off_topic": "Sorry, that is outside what I can help with: I only answer questions about {documents}.",
        "missing": "The document has no {part} that I could quote.",
        "summary": "abstract", "aim": "statement of its aim", "method": "statement of its method",
        "conclusion": "conclusion section",
        "document": "the indexed document", "documents": "the {count} indexed documents",
        "keywords": "{what} (key words: {keywords})",
    },
    "ru": {
        "greeting": "Здравствуйте! Я отвечаю на вопросы о {documents} — на кыргызском, русском или "
                    "английском, словами самого документа и со ссылками на фрагменты.",
        "thanks": "Пожалуйста! Спрашивайте ещё о {documents}.",
        "farewell": "До свидания! Возвращайтесь с новыми вопросами о {documents}.",
        "help": "Я помощник, который отвечает на вопросы о {documents}. Спрашивайте о его содержании "
                "на кыргызском, русском или английском: я цитирую фрагменты, которые отвечают на вопрос, и даю "
                "ссылки на них, а если в документе об этом не говорится, так и скажу. Можно также спросить, о чём "
                "он, какова его цель, методы или выводы.",
        "examples": "Например, можно спросить:",
        "off_topic": "Извините, с этим я помочь не могу: я отвечаю только на вопросы о {documents}.",
        "missing": "В документе нет раздела, который я мог бы процитировать: {part}.",
        "summary": "аннотация", "aim": "формулировка цели", "method": "описание метода",
        "conclusion": "заключение",
        "document": "проиндексированном документе", "documents": "проиндексированных документах ({count})",  # after «о»
        "keywords": "{what} (ключевые слова: {keywords})",
    },
    "ky": {
        "greeting": "Саламатсызбы! Мен {documents} боюнча суроолорго кыргыз, орус же англис тилинде жооп берем: "
                    "документтин өз сөздөрү менен, үзүндүлөргө шилтеме берип.",
        "thanks": "Эч нерсе эмес! {documents} боюнча дагы сураңыз.",
        "farewell": "Саламатта калыңыз! {documents} боюнча жаңы суроолор менен кайра келиңиз.",
        "help": "Мен {documents} боюнча суроолорго жооп берген жардамчымын. Анын мазмуну тууралуу кыргыз, орус же "
                "англис тилинде сураңыз: жооп берген үзүндүлөрдү цитата кылып, шилтеме берем, ал эми документте "
                "бул тууралуу айтылбаса, ошону ачык айтам. Документ эмне жөнүндө экенин, анын максатын, "
                "ыкмаларын же корутундусун да сурасаңыз болот.",
        "examples": "Мисалы, мындай сурасаңыз болот:",
        "off_topic": "Кечиресиз, бул суроого жардам бере албайм: мен {documents} боюнча гана суроолорго жооп берем.",
        "missing": "Документте цитата кыла турган бөлүк жок: {part}.",
        "summary": "аннотация", "aim": "максаттын баяндалышы", "method": "ыкманын баяндалышы",
        "conclusion": "корутунду",
        "document": "индекстелген документ", "documents": "индекстелген документтер ({count})",
        "keywords": "{what} (негизги сөздөр: {keywords})",
    },
}


def documents_phrase(language: Language, count: int, keywords: str | None) -> str:
    """What the chatbot answers about, in ``language``: the indexed document (with its key words
    in that language, when it has them) or the number of documents."""
    words = REPLIES[language]
    what = words["document"] if count == 1 else words["documents"].format(count=count)
    return words["keywords"].format(what=what, keywords=keywords) if keywords and count == 1 else what


def smalltalk_reply(kind: str, language: Language, documents: str) -> str:
    """A short friendly reply to small talk (``kind``: greeting, thanks, farewell or help)."""
    words = REPLIES[language]
    return words.get(kind, words["help"]).format(documents=documents)


def with_examples(reply: str, language: Language, examples: tuple[str, ...]) -> str:
    """A small-talk reply followed by example questions the chatbot has checked it answers."""
    if not examples:
        return reply
    return reply + "\n\n" + REPLIES[language]["examples"] + "\n" + "\n".join(f"- {q}" for q in examples)


def off_topic_reply(language: Language, documents: str) -> str:
    """The polite reply to a message that has nothing to do with the document."""
    return REPLIES[language]["off_topic"].format(documents=documents)


def missing_part_reply(language: Language, part: str) -> str:
    """What is said when the document has no part that answers a question about it as a whole."""
    words = REPLIES[language]
    return words["missing"].format(part=words[part])
