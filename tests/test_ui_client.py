"""The chat UI's server driven by a real gradio_client: answers, sources, bad input, concurrency."""

from concurrent.futures import ThreadPoolExecutor

import gradio as gr
import pytest
from conftest import message_text
from gradio_client import Client

from ui.app import ChatService, Conversation


@pytest.fixture()
def client(ui_server):
    return Client(ui_server[0], verbose=False)


@pytest.mark.parametrize("question, fact, opening", [
    ("Кара-Балтадагы заводдо канча адам иштеген?", "775", "Макалага ылайык"),
    ("Сколько китайских компаний работало в Кыргызстане в 2019 году?", "400", "Согласно статье"),
    ("What stake does Zijin Mining hold in Altynken?", "60%", "According to the article"),
])
def test_chat_endpoint_answers_with_sources_in_each_language(client, question, fact, opening):
    cleared, history, sources, article, export = client.predict(question, [], 5, "auto", api_name="/chat")
    assert cleared == ""
    reply = message_text(history[-1])
    assert history[-1]["role"] == "assistant" and opening in reply and fact in reply
    assert "[1]" in sources and "qa-quote" in sources and "Show in article" in sources
    assert "qa-cite-1" in article
    exported = export["value"] if isinstance(export, dict) else export  # a component update carries the file
    assert open(exported, encoding="utf-8").read().count("## 1.") == 1


def test_ask_endpoint_returns_the_answer_object(client):
    answer = client.predict("How many people worked at the refinery before production stopped?", 3, "auto", "",
                            api_name="/ask")
    assert answer["language"] == "en" and "775" in answer["answer"] and len(answer["citations"]) == 3
    assert answer["citations"][0]["quote"] in answer["citations"][0]["text"]


def test_follow_up_uses_the_previous_question(client):
    _, history, *_ = client.predict("How much has China invested in Kyrgyzstan since 2013?", [], 5, "auto",
                                    api_name="/chat")
    _, history, *_ = client.predict("And in 2020?", history, 5, "auto", api_name="/chat")
    reply = message_text(history[-1])
    assert "136" in reply and "follow-up" in reply


@pytest.mark.parametrize("bad", ["", "a" * 20000, "\x00\x01\x02\x03\x04\x05\x06\x07\x08", "😀🎉👍🙈",
                                 "Wie viel hat China investiert?"])
def test_bad_input_gets_a_polite_reply_never_a_traceback(client, bad):
    _, history, *_ = client.predict(bad, [], 5, "auto", api_name="/chat")
    reply = message_text(history[-1])
    assert reply.startswith("Sorry, I can't answer that:")
    assert "Traceback" not in reply and "Error" not in reply
    assert len(message_text(history[-2])) <= 310


def test_twenty_simultaneous_questions_all_get_answers(ui_server):
    questions = ["Кытай канча инвестиция салды?", "Сколько золота добыли в 2019 году?",
                 "Which railway does China propose?", "Ош шаардык ооруканасы кандай?"] * 5

    def ask(question: str) -> dict:
        return Client(ui_server[0], verbose=False).predict(question, 5, "auto", "", api_name="/ask")

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(ask, questions))
    assert all("error" not in a and a["citations"] for a in answers)
    assert [a["question"] for a in answers] == questions


def test_api_reports_bad_questions_as_errors(client):
    assert client.predict("   ", 5, "auto", "", api_name="/ask") == {"error": "the question is empty"}


def test_questions_sent_while_a_reply_is_made_wait_and_are_answered_in_order(pipeline, tmp_path):
    service, conversation = ChatService(pipeline, tmp_path / "feedback.jsonl"), Conversation()
    first, second = ("How many people worked at the Kara-Balta refinery before it stopped?",
                     "Which power transmission line helped Kyrgyzstan build a unified energy system?")
    assert service.send("   ", conversation) == (gr.skip(), gr.skip())  # an empty box sends nothing
    cleared, shown = service.send(first, conversation)
    assert cleared == "" and shown == [{"role": "user", "content": first}]  # shown at once, before its reply
    answering = service.turn(conversation, 5, "auto", "en")
    chat = next(answering)[0]  # the first reply; the turn holds the session until nothing waits
    assert chat[-1]["role"] == "assistant" and "775" in message_text(chat[-1])
    assert service.send(second, conversation)[1][-1] == {"role": "user", "content": second}
    assert all(update == gr.skip() for update in next(service.turn(conversation, 5, "auto", "en")))  # leaves it
    chat = next(answering)[0]
    assert [m["content"] for m in chat if m["role"] == "user"] == [first, second]
    assert "Datka" in message_text(chat[-1]) and next(answering, None) is None
    assert conversation.waiting == [] and not conversation.answering and len(conversation.turns) == 2
