"""The language of article sentences (qa.language) and how questions are read (qa.reading):
the learned language step on held-out questions, Latin-typed Kyrgyz through the whole pipeline."""

import json

import pytest
from conftest import run_qa

from eval.languages import accuracy_by, held_out_texts, read_languages, training_texts
from index.chunk import split_sentences
from qa.errors import QAError
from qa.language import detect_language
from qa.reading import typed_variants


def test_article_sentences_by_language(article):
    for paragraph in article.paragraphs:
        for sentence in split_sentences(paragraph.text):
            if len(sentence) > 40:
                assert detect_language(sentence) == paragraph.language, sentence


def test_the_held_out_texts_are_not_in_the_training_texts():
    trained = {w.text.lower() for w in training_texts()}
    held = held_out_texts()
    assert len(held) > 500
    assert sum(w.text.lower() in trained for w in held) <= len(held) // 100


def test_held_out_questions_are_read_in_the_language_of_their_grammar(pipeline):
    held = held_out_texts()
    by_style = accuracy_by(held, read_languages(pipeline.reader, held), "style")
    assert by_style["all"][0] >= 0.95, by_style
    for style in ("latin", "mixed", "no_diacritics", "formal"):
        assert by_style[style][0] >= 0.85, (style, by_style)


@pytest.mark.parametrize("question, language", [
    ("Кандайсыз?", "ky"),
    ("Кытай канча акча салды?", "ky"),
    ("Долбоор качан жарыяланган?", "ky"),
    ("Сколько китайских компаний работало в Кыргызстане?", "ru"),
    ("И в 2020?", "ru"),
    ("How much did China invest?", "en"),
    ("And in 2020?", "en"),
    ("kytai kyrgyzstanga kancha investitsiya salgan", "ky"),
    ("salam kandaisyn", "ky"),
])
def test_short_questions(pipeline, question, language):
    assert pipeline.reader.read(question).language == language


@pytest.mark.parametrize("text", ["Wie viel hat China investiert?", "中国投资了多少？", "😀😀😀", "2020?"])
def test_text_in_none_of_the_languages_is_refused(pipeline, text):
    with pytest.raises(QAError):
        pipeline.reader.read(text)


def test_latin_kyrgyz_is_read_in_cyrillic_with_its_letters_restored(pipeline):
    read = pipeline.reader.read("Kara-Baltadagy zavoddo kancha adam ishtegen?")
    assert read.language == "ky" and read.read_as == read.text
    assert "Кара-Балта" in read.text and "иштеген" in read.text
    assert "Kyrgyz" in read.reason and "read as" in read.reason
    english = pipeline.reader.read("How many people worked at the plant in Kara-Balta?")
    assert english.language == "en" and english.read_as is None


def test_typed_variants_of_a_kyrgyz_question():
    plain, latin = typed_variants("Өкмөт эмнени үйрөнгөн?", "ky")
    assert plain == "Окмот эмнени уйронгон?" and latin.isascii()
    assert typed_variants("What did it learn?", "en") == []


def test_a_latin_typed_kyrgyz_question_is_answered_in_kyrgyz(index_dir):
    result = run_qa("ask", "--persist-dir", str(index_dir), "--json",
                    "Kara-Baltadagy zavoddo kancha adam ishtegen?")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["language"] == "ky" and not answer["abstained"]
    assert "775" in answer["answer"]
    assert answer["read_as"].startswith("Кара-Балта")
