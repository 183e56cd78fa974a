"""Shared fixtures: one real index of the article, built once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import qa  # noqa: F401  (offline switches)
from index.corpus import Document, default_document
from index.embedders import get_embedder
from index.store import IndexStore, StoreLocation
from qa.pipeline import QAPipeline

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def article() -> Document:
    """The default corpus."""
    return default_document()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory, article: Document) -> Path:
    """A folder holding a real index of the article (embedded Chroma, real e5 model)."""
    folder = tmp_path_factory.mktemp("index") / "qa_index"
    IndexStore(StoreLocation(folder), get_embedder("e5")).build([article], progress=False)
    return folder


@pytest.fixture(scope="session")
def pipeline(index_dir: Path) -> QAPipeline:
    """The answering pipeline over that index."""
    return QAPipeline.open(StoreLocation(index_dir), build_if_missing=False)


def run_qa(*args: str, cwd: Path | None = None, timeout: float = 300, stdin: str | None = None,
           env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real ``qa`` command line in a fresh process."""
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], cwd=cwd or ROOT, capture_output=True, text=True,
                          timeout=timeout, input=stdin, env={**os.environ, **(env or {})})
