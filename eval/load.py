"""Load: simultaneous users asking through the UI's API, each with its own gradio_client."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from gradio_client import Client

from eval import metrics

USERS = 20
QUESTIONS_PER_USER = 5


def run_load(url: str, questions: list[str], users: int = USERS, per_user: int = QUESTIONS_PER_USER) -> dict:
    """``users`` clients at once, each asking ``per_user`` questions in turn: latency and errors."""

    def user(number: int) -> list[tuple[float, bool]]:
        client = Client(url, verbose=False)
        outcomes = []
        for turn in range(per_user):
            question = questions[(number * per_user + turn) % len(questions)]
            started = time.perf_counter()
            try:
                reply = client.predict(question, 5, "auto", "", api_name="/ask")
                ok = isinstance(reply, dict) and "error" not in reply and bool(reply.get("citations"))
            except Exception:  # noqa: BLE001  (any failure counts as an error)
                ok = False
            outcomes.append(((time.perf_counter() - started) * 1000, ok))
        return outcomes

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        results = [outcome for outcomes in pool.map(user, range(users)) for outcome in outcomes]
    seconds = time.perf_counter() - started
    latencies = [ms for ms, _ in results]
    return {"users": users, "requests": len(results), "errors": sum(1 for _, ok in results if not ok),
            "p50_ms": metrics.percentile(latencies, 50), "p95_ms": metrics.percentile(latencies, 95),
            "requests_per_s": len(results) / seconds}
