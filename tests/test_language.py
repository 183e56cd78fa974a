"""Language of article sentences and of short questions."""

import pytest

from index.chunk import split_sentences
from qa.language import detect_language


def test_article_sentences_by_language(article):
    for paragraph in article.paragraphs:
        for sentence in split_sentences(paragraph.text):
            if len(sentence) > 40:
                assert detect_language(sentence) == paragraph.language, sentence


@pytest.mark.parametrize("question, language", [
    ("Кытайдын Кыргызстанга инвестициясы канча?", "ky"),
    ("Кытай канча акча салды?", "ky"),
    ("Долбоор качан жарыяланган?", "ky"),
    ("Алтынкен кимге таандык?", "ky"),
    ("Сколько китайских компаний работало в Кыргызстане?", "ru"),
    ("Где был объявлен проект?", "ru"),
    ("И в 2020?", "ru"),
    ("How much did China invest?", "en"),
    ("And in 2020?", "en"),
    ("Wie viel hat China investiert?", None),
    ("中国投资了多少？", None),
    ("😀😀😀", None),
    ("2020?", None),
])
def test_short_questions(question, language):
    assert detect_language(question) == language
