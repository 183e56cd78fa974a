"""The Gradio chat UI: questions in three languages, answers with sources, the article beside them."""

from __future__ import annotations

import logging
import tempfile
import threading
import uuid
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

import gradio as gr

from index.embedders import DEFAULT_EMBEDDER
from index.store import StoreLocation
from qa.decide import confidence_word
from qa.errors import QAError
from qa.followup import complete_followup
from qa.generate import Generator
from qa.live import DEFAULT_REFRESH, LivePipeline
from qa.pipeline import DEFAULT_K, QAPipeline
from qa.result import Answer
from ui.feedback import DEFAULT_FEEDBACK_FILE, record_feedback
from ui.render import article_html, conversation_markdown, original_quotes_html, sources_html

log = logging.getLogger(__name__)
ASSETS = Path(__file__).parent / "assets"
SHOWN_QUESTION_CHARS = 300
EXAMPLES = [
    "Кытайдын Кыргызстанга 2013-жылдан бери салган инвестициясы канча?",
    "Кара-Балтадагы заводдо канча адам иштеген?",
    "Сколько китайских компаний работало в Кыргызстане в 2019 году?",
    "Почему страны Центральной Азии интересны Китаю?",
    "Which power line helped Kyrgyzstan build a unified energy system?",
    "What could a large influx of Chinese citizens lead to?",
]
POLITE = {
    "en": "Sorry, I can't answer that: {problem}.",
    "ru": "Извините, не могу ответить: {problem}.",
    "ky": "Кечиресиз, жооп бере албайм: {problem}.",
}


@dataclass
class Conversation:
    """One browser session's turns (None for a message that got no answer) and its export file."""

    turns: list[Answer | None] = field(default_factory=list)
    export: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / f"qa-chat-{uuid.uuid4().hex[:8]}.md")

    def turn_at(self, message_index: int | list[int] | tuple[int, ...]) -> Answer | None:
        """The answer of the turn a chat message belongs to (each turn is a question and a reply)."""
        index = message_index[0] if isinstance(message_index, (list, tuple)) else message_index
        number = int(index) // 2
        return self.turns[number] if 0 <= number < len(self.turns) else None

    def previous_query(self) -> str | None:
        """What the last answered turn searched for (a follow-up builds on it)."""
        for turn in reversed(self.turns):
            if turn is not None:
                return turn.search_query or turn.question
        return None


class ChatService:
    """The pipeline behind the UI and the API: loaded once per process, one question at a time."""

    def __init__(self, pipeline: QAPipeline | LivePipeline, feedback_file: Path = DEFAULT_FEEDBACK_FILE,
                 generator: Generator | None = None) -> None:
        self.pipeline = pipeline
        self.feedback_file = feedback_file
        self.generator = generator  # generated answers (qa.generate), or None: quotes only
        self._lock = threading.Lock()
        self._stops: dict[str, threading.Event] = {}

    def ask(self, question: str, k: int = DEFAULT_K, frame: str = "auto", previous: str | None = None) -> Answer:
        """Answer, completing an elliptical follow-up from ``previous``; QAError for bad input."""
        search = complete_followup(previous, question) if previous else None
        with self._lock:
            return self.pipeline.ask(question, k=int(k), frame=frame, search_query=search)

    def final_answer(self, question: str, k: int = DEFAULT_K, frame: str = "auto", previous: str | None = None
                     ) -> Answer:
        """The answer as served: generated and verified when a model server is configured, else quoted."""
        answer = self.ask(question, k, frame, previous)
        return self.generator.answer(answer, frame) if self.generator else answer

    def api_ask(self, question: str, k: int = DEFAULT_K, frame: str = "auto", previous: str = "") -> dict:
        """The JSON answer for API clients; a bad question gives {"error": "…"}."""
        try:
            return self.final_answer(question, k, frame, previous or None).to_dict()
        except QAError as problem:
            return {"error": str(problem)}

    def chat(self, question: str, history: list, conversation: Conversation, k: int, frame: str):
        """One chat turn: the reply, the sources of it and the article with its citations marked."""
        answer, apology = self._quoted(question, k, frame, conversation)
        reply = apology if answer is None else _reply_text(answer)
        return self._turn(_shown(question), list(history or []), conversation, answer, reply)

    def chat_stream(self, question: str, history: list, conversation: Conversation, k: int, frame: str,
                    request: gr.Request | None = None):
        """One chat turn with a generated answer: the quoted answer is found first, the model's draft
        streams (labelled as being checked), then the verified answer or the quote replaces it."""
        history, shown = list(history or []), _shown(question)
        answer, apology = self._quoted(question, k, frame, conversation)
        if answer is None:
            yield self._turn(shown, history, conversation, None, apology)
            return
        stop = self._stops.setdefault(_session(request), threading.Event())
        stop.clear()
        catalog, final, drafted = self.pipeline.retriever.catalog, answer, False
        try:
            for item in self.generator.stream(answer, frame, stop):  # type: ignore[union-attr]
                if isinstance(item, Answer):
                    final = item
                    continue
                draft = [{"role": "user", "content": shown}, {"role": "assistant", "content": _draft_text(item)}]
                # the sources and the article are sent once, with the first words
                panels = (gr.skip(), gr.skip()) if drafted else (sources_html(answer, catalog),
                                                                 article_html(catalog, answer.citations))
                drafted = True
                yield ("", history + draft, gr.skip(), *panels, gr.skip())
        except Exception:  # noqa: BLE001  (a fault of the generated step leaves the quoted answer)
            log.exception("generating failed")
            final = replace(answer, fallback_reason="error: generating failed")
        yield self._turn(shown, history, conversation, final, _reply_text(final, badge=True))

    def _quoted(self, question: str, k: int, frame: str, conversation: Conversation) -> tuple[Answer | None, str]:
        """The quoted answer; or None and a polite one-line reply for bad input or a fault of ours."""
        try:
            return self.ask(question, k, frame, conversation.previous_query()), ""
        except QAError as problem:
            return None, POLITE["en"].format(problem=problem)
        except Exception:  # noqa: BLE001  (the page must never show a traceback)
            log.exception("answering failed")
            return None, POLITE["en"].format(problem="something went wrong on our side; please try again")

    def stop(self, request: gr.Request | None = None) -> None:
        """Stop the answer this browser session has in flight (the quoted answer is shown instead)."""
        if (event := self._stops.get(_session(request))) is not None:
            event.set()

    def _turn(self, shown: str, history: list, conversation: Conversation, answer: Answer | None, reply: str):
        """Record a finished turn; the chat, sources, article and export for it."""
        catalog = self.pipeline.retriever.catalog
        conversation.turns.append(answer)
        history += [{"role": "user", "content": shown}, {"role": "assistant", "content": reply}]
        answered = [t for t in conversation.turns if t is not None]
        conversation.export.write_text(conversation_markdown(answered), encoding="utf-8")
        citations = answer.citations if answer else []
        return ("", history, conversation, sources_html(answer, catalog), article_html(catalog, citations),
                gr.DownloadButton(value=str(conversation.export), interactive=bool(answered)))

    def like(self, conversation: Conversation, data: gr.LikeData) -> str:
        """Record a thumbs up/down on an answer."""
        turn = conversation.turn_at(data.index)
        if turn is None:
            return "Nothing to rate here."
        record_feedback(turn, bool(data.liked), self.feedback_file)
        return "Thank you: your rating was saved."

    def show_turn(self, conversation: Conversation, data: gr.SelectData):
        """Clicking a message shows the sources of that turn's answer, and the article with them."""
        turn = conversation.turn_at(data.index)
        catalog = self.pipeline.retriever.catalog
        if turn is None:
            return gr.skip(), gr.skip()
        return sources_html(turn, catalog), article_html(catalog, turn.citations)

    def clear(self):
        """A fresh conversation."""
        catalog = self.pipeline.retriever.catalog
        return ([], Conversation(), sources_html(None, catalog), article_html(catalog),
                gr.DownloadButton(value=None, interactive=False), "")


def _shown(question: str) -> str:
    """The question as the chat shows it (a very long one shortened)."""
    return question if len(question) <= SHOWN_QUESTION_CHARS else question[:SHOWN_QUESTION_CHARS] + " …"


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "-"


def _draft_text(text: str) -> str:
    """The model's reply while it streams: marked as a draft that is checked before it is kept."""
    return f"{text} ▍\n\n<span class='qa-badge qa-badge-draft'>Drafting · checked against the sources when done</span>"


def _badge(answer: Answer) -> str:
    """Generated (and by which model) or quoted; why the model's answer was not used, if it was not."""
    if answer.generated:
        text, kind = f"Generated by {answer.model} · verified", "generated"
    else:
        text, kind = "Quoted from the article", "quoted"
        if answer.fallback_reason:
            text += f" · the generated answer was not used: {answer.fallback_reason}"
    return f"<span class='qa-badge qa-badge-{kind}'>{escape(text)}</span>"


def _reply_text(answer: Answer, badge: bool = False) -> str:
    names = {"ky": "Kyrgyz", "ru": "Russian", "en": "English"}
    note = f"*Question in {names[answer.language]}"
    if answer.search_query:
        note += f" · read as a follow-up: “{answer.search_query}”"
    if answer.confidence is not None:
        note += f" · {confidence_word(answer.confidence, answer.abstained)} (confidence {answer.confidence:.0%})"
    if answer.abstained:
        note += " · the closest passages are shown as related"
    original = "" if answer.generated else original_quotes_html(answer)
    reply = f"{answer.answer}\n\n{original + chr(10) + chr(10) if original else ''}{note}*"
    return f"{reply}\n\n{_badge(answer)}" if badge else reply


def build_app(service: ChatService) -> gr.Blocks:
    """The page: chat on the left; sources and the article on the right."""
    catalog = service.pipeline.retriever.catalog
    with gr.Blocks(title="Kyrgyz–Chinese relations: ask the article") as app:
        gr.Markdown("## Ask the article: Kyrgyz–Chinese relations and the Belt and Road Initiative\n"
                    "Ask in **Кыргызча**, **Русский** or **English**. Every answer quotes the article and cites "
                    "the passages it comes from; when the article does not say, you are told so.")
        conversation = gr.State(Conversation())
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                chatbot = gr.Chatbot(label="Chat", height=520, elem_id="qa-chat", feedback_options=("Like", "Dislike"),
                                     buttons=["copy"])
                with gr.Row():
                    question = gr.Textbox(placeholder="Суроо / Вопрос / Question …", show_label=False, scale=6,
                                          elem_id="qa-question", max_lines=4, autofocus=True)
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-send")
                with gr.Row():
                    k = gr.Slider(1, 10, value=DEFAULT_K, step=1, label="Sources (k)", elem_id="qa-k")
                    frame = gr.Radio(["auto", "ky", "ru", "en"], value="auto", label="Answer language",
                                     elem_id="qa-frame")
                with gr.Row():
                    clear = gr.Button("Clear chat", elem_id="qa-clear")
                    stop = gr.Button("Stop", elem_id="qa-stop", visible=service.generator is not None)
                    export = gr.DownloadButton("Export as Markdown", interactive=False, elem_id="qa-export")
                status = gr.Markdown("", elem_id="qa-status")
                gr.Examples(EXAMPLES, inputs=question, label="Examples")
            with gr.Column(scale=4):
                sources = gr.HTML(sources_html(None, catalog), elem_id="qa-sources")
                with gr.Accordion("The article (cited passages highlighted)", open=True, elem_id="qa-article-box"):
                    article = gr.HTML(article_html(catalog), elem_id="qa-article-html")
                gr.Markdown("Click an earlier message to see the sources of that answer again.",
                            elem_id="qa-hint")
        outputs = [question, chatbot, conversation, sources, article, export]
        inputs = [question, chatbot, conversation, k, frame]
        chat = service.chat_stream if service.generator is not None else service.chat
        question.submit(chat, inputs, outputs, api_name="chat")
        send.click(chat, inputs, outputs, api_visibility="private")
        stop.click(service.stop, None, None, api_visibility="private", queue=False)
        clear.click(service.clear, None, [chatbot, conversation, sources, article, export, status],
                    api_visibility="private")
        chatbot.like(service.like, [conversation], [status], api_visibility="private")
        chatbot.select(service.show_turn, [conversation], [sources, article], api_visibility="private")
        gr.api(service.api_ask, api_name="ask")
    return app


def launch_kwargs() -> dict:
    """Launch settings: local fonts and assets only, no analytics, monitoring or share links."""
    return {
        "theme": gr.themes.Soft(font=["system-ui", "Segoe UI", "Noto Sans", "sans-serif"],
                                font_mono=["ui-monospace", "monospace"]),
        "css": (ASSETS / "style.css").read_text(encoding="utf-8"),
        "head": f"<script>{(ASSETS / 'show_in_article.js').read_text(encoding='utf-8')}</script>",
        "share": False, "ssr_mode": False, "pwa": False, "mcp_server": False, "enable_monitoring": False,
        "show_error": False, "quiet": True,
    }


def open_service(location: StoreLocation, embedder: str = DEFAULT_EMBEDDER, generator: Generator | None = None,
                 refresh: float = DEFAULT_REFRESH, required: bool = True) -> ChatService:
    """Load the pipeline (building the default index first if it is missing); it follows rebuilds of
    the index, checking its pointer every ``refresh`` seconds. Not ``required``: start without one."""
    return ChatService(LivePipeline(location, embedder, refresh).start(required), generator=generator)


def build_queued_app(service: ChatService) -> gr.Blocks:
    """The page with its queue: 8 answers in flight, 256 waiting."""
    return build_app(service).queue(default_concurrency_limit=8, max_size=256)


def serve(location: StoreLocation, embedder: str, host: str, port: int, generator: Generator | None = None,
          refresh: float = DEFAULT_REFRESH) -> None:
    """Serve the UI until interrupted; with ``generator``, answers are generated and verified."""
    app = build_queued_app(open_service(location, embedder, generator, refresh))
    print(f"chat UI on http://{host}:{port}", flush=True)
    app.launch(server_name=host, server_port=port, prevent_thread_lock=False, **launch_kwargs())
