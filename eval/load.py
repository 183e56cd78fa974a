"""Load: simultaneous clients asking through the UI's API (each with its own gradio_client), or
through ``qa serve``'s OpenAI-compatible API for a fixed time, over one or several replicas."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from gradio_client import Client

from eval import metrics

USERS = 20
QUESTIONS_PER_USER = 5
API_CLIENTS = 50
API_SECONDS = 60.0

Outcome = tuple[float, bool]  # latency in ms, answered without error


def run_load(url: str, questions: list[str], users: int = USERS, per_user: int = QUESTIONS_PER_USER) -> dict:
    """``users`` clients at once, each asking ``per_user`` questions in turn: latency and errors."""

    def user(number: int) -> list[Outcome]:
        client = Client(url, verbose=False)

        def ask(question: str) -> bool:
            reply = client.predict(question, 5, "auto", "", api_name="/ask")
            return isinstance(reply, dict) and "error" not in reply and bool(reply.get("citations"))

        return [timed(ask, questions[(number * per_user + turn) % len(questions)]) for turn in range(per_user)]

    return _measure(user, users)


def run_api_load(urls: list[str], questions: list[str], clients: int = API_CLIENTS,
                 seconds: float = API_SECONDS, key: str | None = None) -> dict:
    """``clients`` at once, each asking ``POST /v1/chat/completions`` question after question for
    ``seconds``; client n sends its i-th question to replica (n + i) mod len(urls), as a round-robin
    proxy would. An error is anything but a 200 with content and citations."""
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {key}"} if key else {}

    def user(number: int) -> list[Outcome]:
        outcomes: list[Outcome] = []
        with httpx.Client(timeout=60, headers=headers) as http:
            def ask(question: str) -> bool:
                reply = http.post(urls[(number + len(outcomes)) % len(urls)] + "v1/chat/completions",
                                  json={"messages": [{"role": "user", "content": question}]})
                body = reply.json() if reply.status_code == 200 else {}
                return bool(body.get("choices") and body["choices"][0]["message"]["content"] and body.get("citations"))

            while time.monotonic() < deadline:
                outcomes.append(timed(ask, questions[(number + len(outcomes) * clients) % len(questions)]))
        return outcomes

    return {"replicas": len(urls), **_measure(user, clients)}


def timed(ask: Callable[[str], bool], question: str) -> Outcome:
    """How long ``ask`` took, and whether it succeeded (an exception is an error)."""
    started = time.perf_counter()
    try:
        ok = ask(question)
    except Exception:  # noqa: BLE001  (any failure counts as an error)
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def _measure(user: Callable[[int], list[Outcome]], users: int) -> dict:
    """Run ``users`` at once: requests, errors, latency p50/p95 and requests per second."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users, thread_name_prefix="load") as pool:
        results = [outcome for outcomes in pool.map(user, range(users)) for outcome in outcomes]
    seconds = time.perf_counter() - started
    latencies = [ms for ms, _ in results]
    return {"users": users, "requests": len(results), "errors": sum(1 for _, ok in results if not ok),
            "p50_ms": metrics.percentile(latencies, 50), "p95_ms": metrics.percentile(latencies, 95),
            "requests_per_s": len(results) / seconds}
