"""Every command against a real `chroma run` server: same results as embedded, clear errors,
data that survives a restart, and a rebuild killed half-way that loses nothing."""

import json
import os
import signal
import subprocess
import sys
import time

from conftest import ROOT, run_qa
from gradio_client import Client

from eval.servers import free_port, start_chroma, start_ui, stop
from index.embedders import get_embedder
from index.store import IndexStore, StoreLocation
from qa.pipeline import QAPipeline

QUESTIONS = ["Кара-Балтадагы заводдо канча адам иштеген?", "Сколько китайских компаний работало в 2019 году?",
             "Which power line helped build a unified energy system?", "Как приготовить плов?"]


def test_same_answers_as_embedded(chroma_server, index_dir):
    for question in QUESTIONS:
        server = json.loads(run_qa("ask", question, "--json", "--chroma-url", chroma_server).stdout)
        embedded = json.loads(run_qa("ask", question, "--json", "--persist-dir", str(index_dir)).stdout)
        assert server["answer"] == embedded["answer"]
        assert [c["passage_id"] for c in server["citations"]] == [c["passage_id"] for c in embedded["citations"]]


def test_eval_and_batch_run_against_the_server(chroma_server, small_training, tmp_path):
    batch = tmp_path / "b.jsonl"
    batch.write_text(json.dumps({"id": 1, "question": QUESTIONS[0]}, ensure_ascii=False), encoding="utf-8")
    result = run_qa("ask", "--batch", str(batch), "--json", "--chroma-url", chroma_server)
    assert result.returncode == 0 and "775" in json.loads(result.stdout)["answer"]
    small = tmp_path / "set.jsonl"
    small.write_text(json.dumps({"id": "q", "language": "ky", "question": QUESTIONS[0], "anchors": ["775ке"],
                                 "answer_facts": [["775"]], "answerable": True}, ensure_ascii=False))
    result = run_qa("eval", "--set", str(small), "--training", str(small_training), "--no-transfer", "--json", "--quiet",
                    "--chroma-url", chroma_server)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hybrid · e5"]["all"]["hit@1"] == 1.0


def test_ui_answers_through_the_server(chroma_server):
    process, url = start_ui(["--chroma-url", chroma_server])
    try:
        answer = Client(url, verbose=False).predict(QUESTIONS[0], 5, "auto", "", api_name="/ask")
        assert "775" in answer["answer"]
    finally:
        stop(process)


def test_errors_are_one_clear_line(chroma_server, tmp_path):
    down = f"http://127.0.0.1:{free_port()}"
    cases = {
        ("ask", QUESTIONS[0], "--chroma-url", down): "cannot reach Chroma server",
        ("index", "--chroma-url", "ftp://example"): "bad Chroma URL",
        ("ask", QUESTIONS[0], "--chroma-url", chroma_server, "--collection", "no-such-index"): "no index named",
        ("ask", QUESTIONS[0], "--chroma-url", chroma_server, "--embedder", "minilm"): "was built with",
    }
    for args, message in cases.items():
        result = run_qa(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_keyword_index_is_kept_locally_not_reread(chroma_server, tmp_path):
    store = IndexStore(StoreLocation(chroma_url=chroma_server), get_embedder("e5"))
    active = store.open_active()
    folder = store.keyword_dir(active.manifest["active"])
    assert (folder / "ids.json").is_file()  # written when the index was built
    os.environ["QA_CACHE_DIR"], saved = str(tmp_path / "fresh-cache"), os.environ["QA_CACHE_DIR"]
    try:
        fresh = store.keyword_dir(active.manifest["active"])
        assert not fresh.exists()
        index = store.keyword_index(active)  # read from the server once, then saved
        originals = [i for i in index.ids if "~" not in i]  # and the translations, ID~ru, ID~en
        assert fresh.is_dir() and len(originals) == active.manifest["passages"] < len(index.ids)
    finally:
        os.environ["QA_CACHE_DIR"] = saved


def test_data_survives_a_server_restart_and_a_killed_rebuild(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_chroma(tmp_path / "data", port)
    try:
        assert run_qa("index", "--chroma-url", url, "--quiet").returncode == 0
        stop(server)
        server = start_chroma(tmp_path / "data", port)
        answer = json.loads(run_qa("ask", QUESTIONS[0], "--json", "--chroma-url", url).stdout)
        assert "775" in answer["answer"]
        before = IndexStore(StoreLocation(chroma_url=url), get_embedder("e5")).manifest()["active"]
        process = subprocess.Popen([sys.executable, "-m", "qa.cli", "index", "--force", "--chroma-url", url],
                                   cwd=ROOT, stderr=subprocess.PIPE, text=True)
        seen, deadline = "", time.time() + 120
        while "embedding" not in seen and time.time() < deadline:
            seen += process.stderr.read(1)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert "embedding" in seen
        assert IndexStore(StoreLocation(chroma_url=url), get_embedder("e5")).manifest()["active"] == before
        answer = QAPipeline.open(StoreLocation(chroma_url=url)).ask(QUESTIONS[0])
        assert "775" in answer.answer
    finally:
        stop(server)
