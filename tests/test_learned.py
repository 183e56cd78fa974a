"""The learned answer steps: the training corpus, fitting with ``qa train``, the shipped models on
questions they were not fitted on, and the threshold rule."""

import json

import numpy as np
import pytest
from conftest import run_qa

from eval.dataset import DEFAULT_SET, TRAINING_SET, load_questions
from eval.learned import gold_sentences, sentence_table
from qa.errors import QAError
from qa.models import ANSWER_TYPES, Models, load_models, models_path
from qa.reading import language_model_path
from qa.select import translated_sentences
from qa.train import choose_threshold
from qa.understand import answer_type, make_question

STYLES = {"natural", "paraphrase", "informal", "no_diacritics", "formal", "list", "yesno", "followup", "unanswerable"}


def test_the_training_corpus_is_well_formed_and_apart_from_the_evaluation_set(pipeline):
    training = load_questions(TRAINING_SET)
    assert len(training) >= 2000
    assert {q.style for q in training} == STYLES and {q.language for q in training} == {"ky", "ru", "en"}
    assert {q.answer_type for q in training} == set(ANSWER_TYPES)
    assert sum(not q.answerable for q in training) >= 300
    assert not {q.question for q in training} & {q.question for q in load_questions(DEFAULT_SET)}
    table, catalog = sentence_table(pipeline), pipeline.retriever.catalog
    for q in (q for q in training if q.answerable):
        assert set(q.sentences) <= set(table), q.id
        texts = [table[s] if catalog.meta(s.split(":")[0]).get("language") == q.language else
                 (translated_sentences(catalog, s.split(":")[0], q.language) or [""] * 99)[int(s.split(":")[1])]
                 for s in q.sentences]
        gold = " ".join(texts).lower()
        assert all(any(alt.lower() in gold for alt in group) for group in q.answer_facts), q.id
    assert all(not (q.style == "no_diacritics") or not set("өүңӨҮҢ") & set(q.question) for q in training)


def test_gold_sentences_come_from_labels_or_anchors(pipeline):
    table = sentence_table(pipeline)
    question = next(q for q in load_questions(DEFAULT_SET) if q.fact == "workers" and q.language == "en")
    gold = gold_sentences(question, table)
    assert gold and all("775" in table[s] for s in gold)


@pytest.mark.parametrize("question, language, expected", [
    # written for this test, in none of the sets; typos and missing letters on purpose
    ("канча киши иштеген ал заводдо", "ky", "quantity"),
    ("Кытай акыркы жылдары канча акча салды", "ky", "money"),
    ("когда подписали договор о дружбе", "ru", "date"),
    ("Перечислите, пожалуйста, все риски, о которых пишет автор", "ru", "list"),
    ("why did the refinery stop working", "en", "reason"),
    ("which company builds the gas pipeline", "en", "entity"),
    ("is the hospital in osh the biggest one in the region?", "en", "yesno"),
])
def test_the_shipped_type_model_reads_new_questions(pipeline, question, language, expected):
    understood = make_question(question, question, language, pipeline.embeddings.embed_query_array(question))
    assert answer_type(understood, pipeline.models.answer_type).name == expected


def test_answers_carry_a_calibrated_confidence(pipeline):
    found = pipeline.ask("Канча кытай компаниясы 2019-жылы Кыргызстанда иштеген?")
    missing = pipeline.ask("Сколько туристов из Китая посетило Иссык-Куль в 2021 году?")
    assert not found.abstained and missing.abstained
    assert 0.0 <= missing.confidence < pipeline.models.threshold <= found.confidence <= 1.0
    assert found.answer_type == "quantity" and missing.why


def test_threshold_refuses_at_most_three_percent_of_answerable():
    answerable = np.array([True] * 100 + [False] * 20)
    probabilities = np.concatenate([np.linspace(0.5, 1.0, 100), np.linspace(0.0, 0.6, 20)])
    threshold = choose_threshold(probabilities, answerable)
    assert (probabilities[answerable] < threshold).sum() == 3  # 3% of 100
    assert (probabilities[~answerable] < threshold).sum() > 10


def test_qa_train_fits_models_that_answering_reads(tmp_path, index_dir, small_training):
    out = tmp_path / "models"
    result = run_qa("train", "--set", str(small_training), "--out", str(out), "--quiet", "--persist-dir", str(index_dir))
    assert result.returncode == 0, result.stderr
    [saved] = [path for path in out.glob("*.npz") if path != language_model_path(out)]
    assert language_model_path(out).exists()  # the language step is fitted first
    models = Models.load(saved)
    assert models.info["examples"] > 100 and 0.0 < models.threshold < 1.0
    asked = run_qa("ask", "Кара-Балтадагы заводдо канча адам иштеген?", "--json", "--persist-dir", str(index_dir),
                   env={"QA_MODELS_DIR": str(out)})
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert 0.0 <= data["confidence"] <= 1.0 and data["answer_type"] in ANSWER_TYPES


def test_missing_or_foreign_models_are_a_clear_error(tmp_path):
    with pytest.raises(QAError, match="qa train"):
        load_models("some/other-embedder", tmp_path)
    path = models_path("x", tmp_path)
    path.write_bytes(b"not a model")
    with pytest.raises(QAError, match="qa train"):
        Models.load(path)
