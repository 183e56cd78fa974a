"""Both embedding backends, with real models and no network."""

import os

import numpy as np
import pytest

from index.embedders import get_embedder
from index.store import IndexStore, StoreLocation
from qa.errors import QAError
from qa.pipeline import QAPipeline


def _unit(vectors: np.ndarray) -> bool:
    return bool(np.allclose(np.linalg.norm(vectors, axis=-1), 1.0, atol=1e-3))


def test_e5_ranks_the_passage_that_answers_first():
    e5 = get_embedder("e5")
    passages = ["2013-жылдан бери Кытайдын Кыргызстанга инвестициясы 4,34 миллиард АКШ долларын түзөт.",
                "Ош шаардык ооруканасы Борбордук Азиядагы эң ири заманбап хирургиялык оорукана болуп калды."]
    vectors = e5.embed_documents_array(passages)
    assert vectors.shape == (2, 384) and _unit(vectors)
    for question in ("Кытай канча инвестиция салды?", "Сколько инвестировал Китай?", "How much did China invest?"):
        scores = vectors @ e5.embed_query_array(question)
        assert scores[0] > scores[1], question
    assert len(e5.embed_documents([])) == 0


def test_sentence_transformers_backend_loads_offline_and_embeds():
    minilm = get_embedder("minilm")
    assert minilm.identity.startswith("sentence-transformers/")
    docs = ["The refinery in Kara-Balta can process 800 thousand tonnes a year.", "Pilaf is cooked with rice."]
    vectors = minilm.embed_documents_array(docs)
    assert vectors.shape == (2, 384) and _unit(vectors)
    scores = vectors @ minilm.embed_query_array("What is the capacity of the refinery?")
    assert scores[0] > scores[1]


def test_unknown_embedder_is_a_clear_error():
    with pytest.raises(QAError, match="unknown embedder"):
        get_embedder("word2vec")
    with pytest.raises(QAError, match="cannot load"):
        get_embedder("st:/nonexistent/model/folder")


def test_index_records_its_embedder_and_refuses_another(tmp_path, article):
    location = StoreLocation(tmp_path / "minilm_index")
    manifest = IndexStore(location, get_embedder("minilm")).build([article], progress=False)
    assert manifest["embedder"] == get_embedder("minilm").identity
    answer = QAPipeline.open(location, "minilm", build_if_missing=False).ask("What is the capacity of Kara-Balta?")
    assert answer.citations
    with pytest.raises(QAError, match="built with sentence-transformers"):
        QAPipeline.open(location, "e5", build_if_missing=False)


def test_e5_threads_wait_passively_unless_told_otherwise():
    """Spinning OpenMP waiters on a shared 2-core machine made an embedding 100× slower (qa/threads.py)."""
    get_embedder("e5")
    assert os.environ.get("OMP_WAIT_POLICY", "").upper() == "PASSIVE"
