"""Stateless replicas: `qa serve` processes sharing one real `chroma run` answer the same, keep
answering (from complete builds only) while `qa index --force` rebuilds the index, and pick up the
new build; a server started before the index exists answers 503 until it does; the rate limit."""

import json
import threading
import time

import httpx
import pytest
from conftest import indexed_chroma, run_qa

from eval.servers import start_serve, stop
from index.store import IndexStore, StoreLocation

pytestmark = pytest.mark.slow

QUESTIONS = ["Кара-Балтадагы заводдо канча адам иштеген?", "Сколько китайских компаний работало в 2019 году?",
             "Which power line helped build a unified energy system?", "Как приготовить плов?"]
CLIENTS = 2
PAUSE = 0.1  # seconds between a client's questions: the rebuild gets some of the 2 cores
REBUILDS = 2


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    """A Chroma server of this module's own (its index is rebuilt here), the article indexed; yields its URL."""
    with indexed_chroma(tmp_path_factory.mktemp("replicas-chroma")) as url:
        yield url


def active_build(chroma: str, collection: str = "qa-index") -> str:
    return IndexStore(StoreLocation(chroma_url=chroma, collection=collection), None).manifest()["active"]


def essence(answer: dict) -> tuple:
    """What must not change between builds of the same documents: the answer and what it cites."""
    return (answer["language"], answer["answer"], answer["abstained"],
            [(c["passage_id"], c["quote"]) for c in answer["citations"]])


def wait_for(condition, what: str, seconds: float = 90) -> None:
    """Poll ``condition`` until it holds (the test fails if it never does)."""
    for _ in range(int(seconds * 4)):
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"{what} did not happen in {seconds} s")


def test_two_replicas_keep_answering_through_rebuilds(chroma):
    """The second replica never looks for a new build by itself (refresh of an hour): it keeps the
    first build until the second rebuild drops it under a question, which is then asked again on
    the newest build, with no failure."""
    builds = [active_build(chroma)]
    replicas = [start_serve(["--chroma-url", chroma, "--refresh", refresh, "--rate-limit", "0"])
                for refresh in ("1", "3600")]
    urls = [url for _, url in replicas]
    results: list[tuple[str, str, int, str, str | None]] = []  # url, question, status, body, build
    done, threads = threading.Event(), []

    def client(number: int) -> None:
        with httpx.Client(timeout=60) as http:
            turn = number
            while not done.is_set():
                url, question = urls[turn % 2], QUESTIONS[turn % len(QUESTIONS)]
                try:
                    reply = http.post(url + "api/ask", json={"question": question})
                    results.append((url, question, reply.status_code, reply.text, reply.headers.get("x-qa-build")))
                except httpx.HTTPError as error:
                    results.append((url, question, 0, repr(error), None))
                turn += 1
                done.wait(PAUSE)

    def answered_from(build: str) -> bool:
        return all(any(r[0] == url and r[4] == build for r in list(results)) for url in urls)

    try:
        reference = {q: essence(httpx.post(urls[0] + "api/ask", json={"question": q}, timeout=60).json())
                     for q in QUESTIONS}
        threads += [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for _ in range(REBUILDS):
            result = run_qa("index", "--force", "--chroma-url", chroma, "--quiet")
            assert result.returncode == 0, result.stderr
            builds.append(active_build(chroma))
        wait_for(lambda: answered_from(builds[-1]), "both replicas answering from the newest build")
    finally:
        done.set()
        for thread in threads:
            thread.join()
        for process, _ in replicas:
            stop(process)
    failed = [r for r in results if r[2] != 200]
    seen = {url: sorted({r[4] for r in results if r[0] == url}, key=builds.index) for url in urls}
    print(f"\nreplicas during {REBUILDS} rebuilds: {len(results)} requests, {len(failed)} failed, builds "
          f"published {builds}, seen per replica {list(seen.values())}")
    assert len(set(builds)) == REBUILDS + 1
    assert not failed, failed[:3]
    assert all(r[4] in builds for r in results)  # every answer from a published (complete) build
    assert all(essence(json.loads(r[3])) == reference[r[1]] for r in results)
    assert seen[urls[1]] == [builds[0], builds[-1]]  # moved on only when its build was dropped


def test_unavailable_until_indexed_then_rate_limited(chroma):
    process, url = start_serve(["--chroma-url", chroma, "--collection", "later", "--refresh", "1",
                                "--rate-limit", "4"], ready="docs")
    try:
        health = httpx.get(url + "api/health")
        assert health.status_code == 503 and not health.json()["index_loaded"]
        assert "no index named 'later'" in health.json()["problem"]
        reply = httpx.post(url + "v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTIONS[0]}]})
        assert reply.status_code == 503 and reply.json()["error"]["code"] == "index_unavailable"
        result = run_qa("index", "--chroma-url", chroma, "--collection", "later", "--quiet")
        assert result.returncode == 0, result.stderr
        wait_for(lambda: httpx.get(url + "api/health").status_code == 200, "the new index being picked up")
        assert httpx.get(url + "api/health").json()["build"] == active_build(chroma, "later")
        statuses = []
        for _ in range(8):
            reply = httpx.post(url + "api/ask", json={"question": QUESTIONS[0]}, timeout=60)
            statuses.append(reply.status_code)
            if reply.status_code == 429:
                break
        assert statuses[0] == 200 and statuses[-1] == 429, statuses
        assert int(reply.headers["retry-after"]) >= 1 and reply.json()["error"]["code"] == "rate_limit_exceeded"
    finally:
        stop(process)
