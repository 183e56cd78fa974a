"""Optional generated answers from any OpenAI-compatible server (Ollama, vLLM, llama.cpp), checked
against the passages before anyone sees them.

The extractive answer always comes first: an abstention is returned as it is, without asking the
model. Otherwise the model gets the question and the cited passages, its reply is verified
(``qa.verify``), and a reply that fails, or a server that does not answer, gives back the
extractive answer with ``fallback_reason`` set."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from qa.compose import FRAMES
from qa.language import LANGUAGES
from qa.result import Answer
from qa.verify import NO_ANSWER, verify_reply

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_TOKENS = 400
MAX_PASSAGES = 5
LANGUAGE_NAMES = {"ky": "Kyrgyz", "ru": "Russian", "en": "English"}
SYSTEM_PROMPT = (
    "You answer questions about documents using ONLY the numbered passages given to you.\n"
    "Rules:\n"
    "1. Answer in {language}, in one to four short sentences.\n"
    "2. Use only facts stated in the passages. Copy every number exactly as the passage writes it.\n"
    "3. After each claim put the number of the passage it comes from in square brackets, like [1].\n"
    "4. If the passages do not contain the answer, reply with exactly: " + NO_ANSWER + "\n"
)


class GenerationFault(Exception):
    """The server could not give a reply; the message is the fallback reason ("code: detail")."""


@dataclass(frozen=True)
class LLMSettings:
    """Where the OpenAI-compatible server is and how long to wait for it; no ``url``: no generation."""

    url: str | None = None
    model: str | None = None  # None: the first model the server lists
    api_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_tokens: int = DEFAULT_MAX_TOKENS
    temperature: float = 0.0

    @property
    def enabled(self) -> bool:
        """A server is configured."""
        return bool(self.url)

    @classmethod
    def from_env_and_args(cls, args: object | None = None, env: Mapping[str, str] = os.environ) -> "LLMSettings":
        """Options (``llm_url``, ``llm_model``, ``llm_timeout`` on ``args``) win over QA_LLM_URL,
        QA_LLM_MODEL, QA_LLM_TIMEOUT; the key comes from QA_LLM_API_KEY only."""
        def pick(option: str, variable: str) -> str | None:
            value = getattr(args, option, None) if args is not None else None
            return value if value not in (None, "") else (env.get(variable) or None)

        timeout = pick("llm_timeout", "QA_LLM_TIMEOUT")
        url = pick("llm_url", "QA_LLM_URL")
        return cls(url=url.rstrip("/") if url else None, model=pick("llm_model", "QA_LLM_MODEL"),
                   api_key=env.get("QA_LLM_API_KEY") or None,
                   timeout=float(timeout) if timeout is not None else DEFAULT_TIMEOUT)


def answer_language(extractive: Answer, frame: str | None) -> str:
    """The language the answer is given in: ``frame`` when it names one, else the question's."""
    return frame if frame in LANGUAGES else extractive.language


def prompt_passages(extractive: Answer, language: str, limit: int = MAX_PASSAGES) -> dict[int, list[str]]:
    """{n: [original text, translation in ``language`` if the document has one]} of the top passages."""
    passages = {}
    for citation in extractive.citations[:limit]:
        texts = [citation.text]
        if citation.translation and citation.language != language:
            texts.append(citation.translation)
        passages[citation.n] = texts
    return passages


def build_messages(extractive: Answer, language: str, passages: Mapping[int, list[str]]) -> list[tuple[str, str]]:
    """The grounded prompt: rules (system), then the passages and the question (user)."""
    name = LANGUAGE_NAMES[language]
    blocks = []
    for citation in extractive.citations:
        if citation.n not in passages:
            continue
        original, *translated = passages[citation.n]
        block = f"[{citation.n}] ({LANGUAGE_NAMES.get(citation.language, citation.language)} original) {original}"
        if translated:
            block += f"\n[{citation.n}] ({name} translation) {translated[0]}"
        blocks.append(block)
    question = extractive.search_query or extractive.question
    user = ("Passages:\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}\n"
            f"Answer in {name}, citing passages like [1]:")
    return [("system", SYSTEM_PROMPT.format(language=name)), ("human", user)]


class Generator:
    """Generated answers from one server; safe to share between threads."""

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self._model = settings.model
        self._chat = None
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        """The model's name (as configured, or as the server listed it once asked)."""
        return self._model or "?"

    def answer(self, extractive: Answer, frame: str | None = None, stop: threading.Event | None = None) -> Answer:
        """The verified generated answer, or ``extractive`` with the reason it is used instead."""
        final = extractive
        for item in self.stream(extractive, frame, stop):
            if isinstance(item, Answer):
                final = item
        return final

    def stream(self, extractive: Answer, frame: str | None = None,
               stop: threading.Event | None = None) -> Iterator[str | Answer]:
        """The reply so far (str, growing) while it streams, then the final Answer: generated and
        verified, an abstention the model chose, or the extractive answer with ``fallback_reason``.
        Setting ``stop`` ends it early (reason "stopped")."""
        if extractive.abstained or not extractive.citations:
            yield extractive
            return
        language = answer_language(extractive, frame)
        passages = prompt_passages(extractive, language)
        text = ""
        try:
            for text in self._reply(build_messages(extractive, language, passages), stop):
                yield text
        except GenerationFault as fault:
            yield self._fallback(extractive, str(fault))
            return
        verdict = verify_reply(text, passages, language)
        if verdict.abstained:
            yield replace(extractive, answer=FRAMES[language]["abstain"], abstained=True, generated=True,
                          model=self.model, fallback_reason=None)
        elif verdict.ok:
            yield replace(extractive, answer=text.strip(), generated=True, model=self.model, fallback_reason=None)
        else:
            yield self._fallback(extractive, verdict.reason or "rejected")

    def _fallback(self, extractive: Answer, reason: str) -> Answer:
        return replace(extractive, generated=False, model=self._model, fallback_reason=reason)

    def _reply(self, messages: list[tuple[str, str]], stop: threading.Event | None) -> Iterator[str]:
        """The reply text so far, chunk by chunk; GenerationFault for anything that goes wrong."""
        deadline = time.monotonic() + self.settings.timeout
        text, stream = "", None
        try:
            stream = self._chat_model().stream(messages)
            for chunk in stream:
                if stop is not None and stop.is_set():
                    raise GenerationFault("stopped: the answer was stopped")
                if time.monotonic() > deadline:
                    raise GenerationFault(f"timeout: no complete reply in {self.settings.timeout:g} s")
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if piece:
                    text += piece
                    yield text
        except GenerationFault:
            raise
        except Exception as problem:  # noqa: BLE001  (any server fault falls back; nothing may crash)
            raise GenerationFault(describe_fault(problem, self.settings, self._model)) from problem
        finally:
            if stream is not None:
                stream.close()
        if not text.strip():
            raise GenerationFault("empty_reply: the model returned no text")

    def _chat_model(self):
        """LangChain's chat model for the server (built once; the model named by the server if not set)."""
        with self._lock:
            if self._chat is None:
                try:
                    from langchain_openai import ChatOpenAI
                except ImportError as missing:
                    raise GenerationFault("llm_extra_missing: pip install -e '.[llm]'") from missing
                settings = self.settings
                common = {"base_url": settings.url, "api_key": settings.api_key or "no-key",
                          "timeout": settings.timeout, "max_retries": 0}
                if self._model is None:
                    self._model = first_model(settings, common)
                self._chat = ChatOpenAI(model=self._model, temperature=settings.temperature,
                                        max_tokens=settings.max_tokens, streaming=True, stream_usage=False, **common)
            return self._chat


def first_model(settings: LLMSettings, client_options: dict) -> str:
    """The first model the server lists at /models."""
    from openai import OpenAI

    try:
        listed = OpenAI(**client_options).models.list()
        names = [m.id for m in listed.data]
    except Exception as problem:  # noqa: BLE001
        raise GenerationFault(describe_fault(problem, settings)) from problem
    if not names:
        raise GenerationFault("no_model: the server lists no model; give --llm-model")
    return names[0]


def describe_fault(problem: Exception, settings: LLMSettings, model: str | None = None) -> str:
    """A one-line fallback reason ("code: detail") for a server fault."""
    import openai

    transport = _transport_errors()
    if isinstance(problem, (openai.APITimeoutError, *transport["timeout"])):
        return f"timeout: no reply in {settings.timeout:g} s"
    if isinstance(problem, openai.NotFoundError):
        return f"not_found: no model {model or settings.model!r} or no OpenAI API at {settings.url}"
    if isinstance(problem, openai.AuthenticationError | openai.PermissionDeniedError):
        return "unauthorized: the server refused the key (QA_LLM_API_KEY)"
    if isinstance(problem, openai.APIStatusError):
        return f"server_error: HTTP {problem.status_code} from {settings.url}"
    if isinstance(problem, openai.APIResponseValidationError | ValueError | KeyError | TypeError):
        return f"malformed_reply: {type(problem).__name__} reading the server's reply"
    if isinstance(problem, openai.APIConnectionError):
        return f"unreachable: no server at {settings.url}"
    if isinstance(problem, transport["http"]):
        return f"connection_lost: {type(problem).__name__} while the answer streamed"
    return f"error: {type(problem).__name__}: {' '.join(str(problem).split())[:120]}"


def _transport_errors() -> dict[str, tuple[type[BaseException], ...]]:
    """The HTTP library's timeout and transport errors (openai uses httpx or, lately, httpx2)."""
    timeouts: list[type[BaseException]] = [TimeoutError]
    failures: list[type[BaseException]] = [ConnectionError]
    for name in ("httpx", "httpx2"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        failures.append(module.HTTPError)
    return {"timeout": tuple(timeouts), "http": tuple(failures)}
