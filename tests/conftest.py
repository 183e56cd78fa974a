"""Shared fixtures: one real index of the article, built once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

import qa  # noqa: F401  (offline switches)
from eval.dataset import TRAINING_SET
from eval.servers import free_port, start_chroma, start_ui, stop
from index.corpus import Document, default_document
from index.embedders import get_embedder
from index.store import IndexStore, StoreLocation
from qa.pipeline import QAPipeline

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots of the browser tests
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
os.environ["QA_CACHE_DIR"] = tempfile.mkdtemp(prefix="qa-test-cache-")  # server-mode keyword caches


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
def small_training(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every 12th question of the training corpus (all styles): quick, real fitting and cross-validation."""
    path = tmp_path_factory.mktemp("training") / "training.jsonl"
    path.write_text("\n".join(TRAINING_SET.read_text(encoding="utf-8").splitlines()[::12]), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def pipeline(index_dir: Path) -> QAPipeline:
    """The answering pipeline over that index."""
    return QAPipeline.open(StoreLocation(index_dir), build_if_missing=False)


def run_qa(*args: str, cwd: Path | None = None, timeout: float = 300, stdin: str | None = None,
           env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real ``qa`` command line in a fresh process."""
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], cwd=cwd or ROOT, capture_output=True, text=True,
                          timeout=timeout, input=stdin, env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def ui_server(index_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A real ``qa ui`` server on a free loopback port; yields (url, feedback file)."""
    feedback = tmp_path_factory.mktemp("feedback") / "feedback.jsonl"
    process, url = start_ui(["--persist-dir", str(index_dir)], {"QA_FEEDBACK_FILE": str(feedback)})
    try:
        yield url, feedback
    finally:
        stop(process)


@contextmanager
def indexed_chroma(folder: Path) -> Iterator[str]:
    """A real Chroma server keeping its data in ``folder``, the article indexed into it; yields its URL."""
    port = free_port()
    process = start_chroma(folder, port)
    url = f"http://127.0.0.1:{port}"
    try:
        result = run_qa("index", "--chroma-url", url, "--quiet")
        assert result.returncode == 0, result.stderr
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real Chroma server with the article indexed into it; yields its URL."""
    with indexed_chroma(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def ask(page: Page, question: str) -> str:
    """Type a question, press Enter, and return the new reply's text."""
    replies = page.locator("#qa-chat .message-row.bot-row, #qa-chat .bot-row")
    before = replies.count()
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")
    expect(replies).to_have_count(before + 1, timeout=30000)
    return replies.last.inner_text()


def message_text(message: dict) -> str:
    """The text of a chat message as gradio_client returns it (a string or a list of parts)."""
    content = message["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)
