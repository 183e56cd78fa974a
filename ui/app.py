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
from ui.i18n import DEFAULT_LANGUAGE, EXAMPLES, LANGUAGE_NAMES, language_from_accept, text
from ui.render import article_html, conversation_markdown, original_quotes_html, sources_html

log = logging.getLogger(__name__)
ASSETS = Path(__file__).parent / "assets"
SHOWN_QUESTION_CHARS = 300
SUGGESTED = 3  # suggestion buttons under the chat
TURN_PANELS = 5  # what a turn updates besides the suggestions: chat, conversation, sources, article, export
CONVERSING = ("smalltalk", "off_topic")  # replies that are not answers from the article: no sources, no note


@dataclass
class Conversation:
    """One browser session's turns (None for a message that got no answer), the chat's messages,
    the questions sent and not answered yet (in order) and its export file."""

    turns: list[Answer | None] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    answering: bool = False  # a turn is taking the waiting questions one by one
    export: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / f"qa-chat-{uuid.uuid4().hex[:8]}.md")

    def turn_at(self, message_index: int | list[int] | tuple[int, ...]) -> Answer | None:
        """The answer of the turn a chat message belongs to (each turn is a question and a reply)."""
        index = message_index[0] if isinstance(message_index, (list, tuple)) else message_index
        number = int(index) // 2
        return self.turns[number] if 0 <= number < len(self.turns) else None

    def latest(self) -> Answer | None:
        """The answer of the last turn, if it got one."""
        return self.turns[-1] if self.turns else None

    def asked(self) -> set[str]:
        """The questions answered so far (not suggested again)."""
        return {turn.question for turn in self.turns if turn is not None}

    def previous_query(self) -> str | None:
        """What the last answered turn searched for (a follow-up builds on it)."""
        for turn in reversed(self.turns):
            if turn is not None:
                return turn.search_query or turn.question
        return None

    def shown(self, messages: list[dict] | None = None) -> list[dict]:
        """The chat as the page shows it: ``messages`` (default: the answered turns), then the
        questions still waiting for their reply."""
        return list(self.messages if messages is None else messages) + [
            {"role": "user", "content": _shown(question)} for question in self.waiting]


class ChatService:
    """The pipeline behind the UI and the API: loaded once per process, one question at a time."""

    def __init__(self, pipeline: QAPipeline | LivePipeline, feedback_file: Path = DEFAULT_FEEDBACK_FILE,
                 generator: Generator | None = None) -> None:
        self.pipeline = pipeline
        self.feedback_file = feedback_file
        self.generator = generator  # generated answers (qa.generate), or None: quotes only
        self._lock = threading.Lock()
        self._waiting_lock = threading.Lock()  # guards every conversation's waiting questions
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

    def with_suggestions(self, answer: Answer, asked: set[str]) -> Answer:
        """``answer`` carrying up to three follow-up questions the pipeline answers (none of ``asked``);
        suggesting never fails the answer: a fault of it suggests nothing."""
        try:
            with self._lock:
                suggestions = tuple(self.pipeline.suggest(answer, asked))
        except Exception:  # noqa: BLE001  (suggestions are a help, never a reason to lose the answer)
            log.exception("suggesting follow-up questions failed")
            suggestions = ()
        return replace(answer, suggestions=suggestions)

    def api_ask(self, question: str, k: int = DEFAULT_K, frame: str = "auto", previous: str = "") -> dict:
        """The JSON answer for API clients, the one `qa ask --json` gives; a bad question gives {"error": "…"}."""
        try:
            return self.final_answer(question, k, frame, previous or None).to_dict()
        except QAError as problem:
            return {"error": str(problem)}

    def chat(self, question: str, history: list, conversation: Conversation, k: int, frame: str,
             ui: str = DEFAULT_LANGUAGE):
        """One chat turn: the reply, the sources of it and the article with its citations marked,
        the page's own words in the language ``ui``."""
        answer, apology = self._quoted(question, k, frame, conversation, ui)
        reply = apology if answer is None else _reply_text(answer, ui)
        return self._turn(_shown(question), list(history or []), conversation, answer, reply, ui)

    def chat_stream(self, question: str, history: list, conversation: Conversation, k: int, frame: str,
                    ui: str = DEFAULT_LANGUAGE, request: gr.Request | None = None):
        """One chat turn with a generated answer: the quoted answer is found first, the model's draft
        streams (labelled as being checked), then the verified answer or the quote replaces it."""
        history, shown = list(history or []), _shown(question)
        answer, apology = self._quoted(question, k, frame, conversation, ui)
        if answer is None:
            yield self._turn(shown, history, conversation, None, apology, ui)
            return
        stop = self._stops.setdefault(_session(request), threading.Event())
        stop.clear()
        catalog, final, drafted = self.pipeline.retriever.catalog, answer, False
        try:
            for item in self.generator.stream(answer, frame, stop):  # type: ignore[union-attr]
                if isinstance(item, Answer):
                    final = item
                    continue
                draft = [{"role": "user", "content": shown}, {"role": "assistant", "content": _draft_text(item, ui)}]
                # the sources and the article are sent once, with the first words
                panels = (gr.skip(), gr.skip()) if drafted else (sources_html(answer, catalog, ui),
                                                                 article_html(catalog, answer.citations))
                drafted = True
                yield ("", history + draft, gr.skip(), *panels, gr.skip())
        except Exception:  # noqa: BLE001  (a fault of the generated step leaves the quoted answer)
            log.exception("generating failed")
            final = replace(answer, fallback_reason="error: generating failed")
        yield self._turn(shown, history, conversation, final, _reply_text(final, ui, badge=True), ui)

    def send(self, question: str, conversation: Conversation) -> tuple:
        """A question sent from the page: kept in the session's own queue and shown in the chat at
        once, the box emptied. An empty box sends nothing."""
        if not question.strip():
            return gr.skip(), gr.skip()
        with self._waiting_lock:
            conversation.waiting.append(question)
        return "", conversation.shown()

    def turn(self, conversation: Conversation, k: int, frame: str, ui: str, request: gr.Request | None = None):
        """The session's waiting questions answered in the order they were sent, each reply
        (streamed when it is generated) in its turn, the suggestions of the turn before hidden. One
        turn at a time takes them: a turn that finds another at work leaves its question to it."""
        with self._waiting_lock:
            if conversation.answering or not conversation.waiting:
                yield _unchanged(TURN_PANELS + len(suggestion_updates(())))
                return
            conversation.answering = True
        try:
            while (question := self._next_waiting(conversation)) is not None:
                history = conversation.messages
                replies = (self.chat_stream(question, history, conversation, k, frame, ui, request)
                           if self.generator is not None else iter([self.chat(question, history, conversation, k, frame, ui)]))
                for update in replies:
                    yield (conversation.shown(update[1]), *update[2:], *suggestion_updates(()))
        finally:  # also when the page goes away mid-answer
            with self._waiting_lock:
                conversation.answering = False

    def _next_waiting(self, conversation: Conversation) -> str | None:
        """The next waiting question; or None, the session then free for the next turn (at once:
        a question sent meanwhile is taken by the turn it triggers)."""
        with self._waiting_lock:
            if conversation.waiting:
                return conversation.waiting.pop(0)
            conversation.answering = False
            return None

    def suggest(self, conversation: Conversation) -> tuple:
        """The suggested follow-ups to the latest turn, its own step after the reply so that the next
        question is never held up by it; a turn that is no longer the latest when they are found
        (another question came meanwhile) shows none."""
        latest = conversation.latest()
        if latest is None:
            return suggestion_updates(())
        suggested = self.with_suggestions(latest, conversation.asked())
        if conversation.latest() is not latest:
            return _unchanged(len(suggestion_updates(())))
        conversation.turns[-1] = suggested
        return suggestion_updates(suggested.suggestions)

    def _quoted(self, question: str, k: int, frame: str, conversation: Conversation, ui: str
                ) -> tuple[Answer | None, str]:
        """The quoted answer; or None and a polite one-line reply for bad input or a fault of ours."""
        try:
            return self.ask(question, k, frame, conversation.previous_query()), ""
        except QAError as problem:
            return None, text("polite", ui, problem=str(problem))
        except Exception:  # noqa: BLE001  (the page must never show a traceback)
            log.exception("answering failed")
            return None, text("polite", ui, problem=text("our_fault", ui))

    def stop(self, request: gr.Request | None = None) -> None:
        """Stop the answer this browser session has in flight (the quoted answer is shown instead)."""
        if (event := self._stops.get(_session(request))) is not None:
            event.set()

    def _turn(self, shown: str, history: list, conversation: Conversation, answer: Answer | None, reply: str,
              ui: str):
        """Record a finished turn; the chat, sources, article and export for it."""
        catalog = self.pipeline.retriever.catalog
        conversation.turns.append(answer)
        history += [{"role": "user", "content": shown}, {"role": "assistant", "content": reply}]
        conversation.messages = history
        answered = [t for t in conversation.turns if t is not None]
        conversation.export.write_text(conversation_markdown(answered, ui), encoding="utf-8")
        citations = answer.citations if answer else []
        return ("", history, conversation, sources_html(answer, catalog, ui), article_html(catalog, citations),
                gr.DownloadButton(value=str(conversation.export), interactive=bool(answered)))

    def like(self, conversation: Conversation, ui: str, data: gr.LikeData) -> str:
        """Record a thumbs up/down on an answer."""
        turn = conversation.turn_at(data.index)
        if turn is None:
            return text("nothing_to_rate", ui)
        record_feedback(turn, bool(data.liked), self.feedback_file)
        return text("rating_saved", ui)

    def show_turn(self, conversation: Conversation, ui: str, data: gr.SelectData):
        """Clicking a message shows the sources of that turn's answer, and the article with them."""
        turn = conversation.turn_at(data.index)
        catalog = self.pipeline.retriever.catalog
        if turn is None:
            return gr.skip(), gr.skip()
        return sources_html(turn, catalog, ui), article_html(catalog, turn.citations)

    def clear(self, ui: str):
        """A fresh conversation, no suggestions."""
        catalog = self.pipeline.retriever.catalog
        return ([], Conversation(), sources_html(None, catalog, ui), article_html(catalog),
                gr.DownloadButton(value=None, interactive=False), "", *suggestion_updates(()))


def _shown(question: str) -> str:
    """The question as the chat shows it (a very long one shortened)."""
    return question if len(question) <= SHOWN_QUESTION_CHARS else question[:SHOWN_QUESTION_CHARS] + " …"


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "-"


def _unchanged(count: int) -> tuple:
    """``count`` outputs left as they are."""
    return tuple(gr.skip() for _ in range(count))


def suggestion_updates(suggestions: tuple[str, ...]) -> tuple:
    """The suggestions box (hidden when empty) and its buttons, one a suggested question."""
    shown = list(suggestions[:SUGGESTED])
    buttons = [gr.update(value=q, visible=True) for q in shown]
    return (gr.update(visible=bool(shown)), *buttons, *[gr.update(visible=False)] * (SUGGESTED - len(shown)))


def _draft_text(draft: str, ui: str) -> str:
    """The model's reply while it streams: marked as a draft that is checked before it is kept."""
    return f"{draft} ▍\n\n<span class='qa-badge qa-badge-draft'>{escape(text('badge_draft', ui))}</span>"


def _badge(answer: Answer, ui: str) -> str:
    """Generated (and by which model) or quoted; why the model's answer was not used, if it was not."""
    if answer.generated:
        said, kind = text("badge_generated", ui, model=str(answer.model)), "generated"
    else:
        said, kind = text("badge_quoted", ui), "quoted"
        if answer.fallback_reason:
            said += " · " + text("badge_fallback", ui, reason=answer.fallback_reason)
    return f"<span class='qa-badge qa-badge-{kind}'>{escape(said)}</span>"


def _note(answer: Answer, ui: str) -> str:
    """The line under an answer: the question's language, how it was read, how sure the answer is."""
    parts = [text(f"question_in_{answer.language}", ui)]
    if answer.read_as:
        parts.append(text("read_as", ui, text=answer.read_as))
    if answer.search_query:
        parts.append(text("follow_up", ui, text=answer.search_query))
    if answer.confidence is not None:
        word = text(confidence_word(answer.confidence, answer.abstained), ui)
        parts.append(f"{word} ({text('confidence', ui, percent=f'{answer.confidence:.0%}')})")
    if answer.abstained:
        parts.append(text("related_note", ui))
    return " · ".join(parts)


def _reply_text(answer: Answer, ui: str, badge: bool = False) -> str:
    """The reply as the chat shows it: the answer, the article's own words, the note (small talk and
    off-topic replies alone), the badge when answers are generated."""
    if answer.intent in CONVERSING:
        return answer.answer
    original = "" if answer.generated else original_quotes_html(answer, ui)
    reply = f"{answer.answer}\n\n{original + chr(10) + chr(10) if original else ''}*{_note(answer, ui)}*"
    return f"{reply}\n\n{_badge(answer, ui)}" if badge else reply


def frame_choices(ui: str) -> list[tuple[str, str]]:
    """The answer-language choices, labelled in the language ``ui``: the question's own, or one of three."""
    return [(text("frame_auto", ui), "auto"), *((name, code) for code, name in LANGUAGE_NAMES.items())]


def page_texts(ui: str) -> dict[str, dict]:
    """What each labelled part of the page says in the language ``ui``: the arguments it is built with
    (in English) and updated with when the page's language is known or switched."""
    return {
        "heading": {"value": f"{text('title', ui)}\n{text('intro', ui)}"},
        "switch": {"label": text("page_language", ui), "value": ui},
        "chatbot": {"label": text("chat", ui)},
        "question": {"placeholder": text("placeholder", ui)},
        "send": {"value": text("ask", ui)},
        "k": {"label": text("k", ui)},
        "frame": {"label": text("frame", ui), "choices": frame_choices(ui)},
        "clear": {"value": text("clear", ui)},
        "stop": {"value": text("stop", ui)},
        "export": {"label": text("export", ui)},
        "suggested": {"value": text("suggestions", ui)},
        "examples": {"label": text("examples", ui), "samples": [[q] for q in EXAMPLES[ui]]},
        "article_box": {"label": text("article", ui)},
        "hint": {"value": text("hint", ui)},
    }


def build_app(service: ChatService) -> gr.Blocks:
    """The page: chat on the left; sources and the article on the right. It opens in the browser's
    language (Accept-Language), and the language switch puts every label in another."""
    catalog = service.pipeline.retriever.catalog
    say = page_texts(DEFAULT_LANGUAGE)
    with gr.Blocks(title=text("title", DEFAULT_LANGUAGE).lstrip("# ")) as app:
        language = gr.State(DEFAULT_LANGUAGE)
        parts: dict[str, gr.components.Component | gr.blocks.BlockContext] = {}
        with gr.Row(equal_height=False):
            parts["heading"] = gr.Markdown(**say["heading"], elem_id="qa-title")
            parts["switch"] = gr.Radio(list(zip(LANGUAGE_NAMES.values(), LANGUAGE_NAMES)), **say["switch"],
                                       elem_id="qa-ui-language", scale=0, min_width=260)
        conversation = gr.State(Conversation())
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                chatbot = parts["chatbot"] = gr.Chatbot(**say["chatbot"], height=520, elem_id="qa-chat",
                                                        feedback_options=("Like", "Dislike"), buttons=["copy"])
                with gr.Column(visible=False, elem_id="qa-suggestions") as suggestions:
                    parts["suggested"] = gr.Markdown(**say["suggested"], elem_id="qa-suggestions-label")
                    with gr.Row():
                        suggested = [gr.Button(visible=False, size="sm", elem_classes=["qa-suggestion"])
                                     for _ in range(SUGGESTED)]
                with gr.Row():
                    question = parts["question"] = gr.Textbox(**say["question"], show_label=False, scale=6,
                                                              elem_id="qa-question", max_lines=4, autofocus=True)
                    send = parts["send"] = gr.Button(**say["send"], variant="primary", scale=1, elem_id="qa-send")
                with gr.Row():
                    k = parts["k"] = gr.Slider(1, 10, value=DEFAULT_K, step=1, **say["k"], elem_id="qa-k")
                    frame = parts["frame"] = gr.Radio(value="auto", **say["frame"], elem_id="qa-frame")
                with gr.Row():
                    clear = parts["clear"] = gr.Button(**say["clear"], elem_id="qa-clear")
                    stop = parts["stop"] = gr.Button(**say["stop"], elem_id="qa-stop",
                                                     visible=service.generator is not None)
                    export = parts["export"] = gr.DownloadButton(**say["export"], interactive=False,
                                                                 elem_id="qa-export")
                status = gr.Markdown("", elem_id="qa-status")
                examples = parts["examples"] = gr.Dataset(components=[question], **say["examples"], type="values",
                                                          elem_id="qa-examples")
            with gr.Column(scale=4):
                sources = gr.HTML(sources_html(None, catalog), elem_id="qa-sources")
                with gr.Accordion(**say["article_box"], open=True, elem_id="qa-article-box") as parts["article_box"]:
                    article = gr.HTML(article_html(catalog), elem_id="qa-article-html")
                parts["hint"] = gr.Markdown(**say["hint"], elem_id="qa-hint")

        def localize(ui: str, latest: Answer | None) -> dict:
            """Every label in the language ``ui``; the sources panel of the latest answer too."""
            updates = {parts[name]: gr.update(**arguments) for name, arguments in page_texts(ui).items()}
            return {**updates, language: ui, sources: sources_html(latest, catalog, ui)}

        def open_page(request: gr.Request) -> dict:
            """The page in the browser's language."""
            return localize(language_from_accept(request.headers.get("accept-language")), None)

        localized = [*parts.values(), language, sources]
        app.load(open_page, None, localized, api_visibility="private")
        parts["switch"].input(lambda ui, talk: localize(ui, talk.latest()), [parts["switch"], conversation],
                              localized, api_visibility="private")
        outputs = [question, chatbot, conversation, sources, article, export]
        page_outputs = [*outputs[1:], suggestions, *suggested]
        # A question sent while a reply is still being made waits in the session's queue for its turn:
        # each trigger sends its own question (captured when pressed), the box is emptied by that quick
        # step, never by the long one (what is typed meanwhile is not wiped), and one turn at a time
        # answers the waiting questions in order.
        for asked, trigger in [(question, question.submit), (question, send.click),
                               *((button, button.click) for button in suggested)]:
            trigger(service.send, [asked, conversation], [question, chatbot], api_visibility="private", queue=False,
                    trigger_mode="multiple").then(
                service.turn, [conversation, k, frame, language], page_outputs, api_visibility="private",
                trigger_mode="multiple").then(
                service.suggest, [conversation], [suggestions, *suggested], api_visibility="private")
        examples.click(lambda sample: sample[0], [examples], [question], api_visibility="private")
        # API clients (gradio_client) keep the chat endpoint as it was: no page language, no suggestions
        api_chat = gr.Button(visible=False)
        api_chat.click(service.chat_stream if service.generator is not None else service.chat,
                       [question, chatbot, conversation, k, frame], outputs, api_name="chat")
        stop.click(service.stop, None, None, api_visibility="private", queue=False)
        clear.click(service.clear, [language], [chatbot, conversation, sources, article, export, status,
                                                suggestions, *suggested], api_visibility="private")
        chatbot.like(service.like, [conversation, language], [status], api_visibility="private")
        chatbot.select(service.show_turn, [conversation, language], [sources, article], api_visibility="private")
        gr.api(service.api_ask, api_name="ask")
    return app


def launch_kwargs() -> dict:
    """Launch settings: local fonts and assets only, no analytics, monitoring or share links."""
    return {
        "theme": gr.themes.Soft(font=["system-ui", "Segoe UI", "Noto Sans", "sans-serif"],
                                font_mono=["ui-monospace", "monospace"]),
        "css": (ASSETS / "style.css").read_text(encoding="utf-8"),
        "head": "".join(f"<script>{(ASSETS / name).read_text(encoding='utf-8')}</script>"
                        for name in ("show_in_article.js", "page_title.js")),
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
