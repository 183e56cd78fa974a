"""The HTTP server of ``qa serve``: OpenAI-compatible chat (/v1), plain REST (/api), optionally the
chat UI at /, all on one pipeline loaded once and following rebuilds of the index."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import gradio as gr
import uvicorn
from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from api.guard import DEFAULT_MAX_BODY, DEFAULT_RATE_LIMIT, APIError, BodyLimit, RateLimiter, check_key, error_response
from api.openai_format import AskRequest, ChatRequest, completion, completion_chunks, models, split_conversation
from index.store import StoreLocation
from qa.errors import QAError
from qa.generate import Generator
from qa.live import DEFAULT_REFRESH, IndexUnavailable
from ui.app import ChatService, build_queued_app, launch_kwargs, open_service

log = logging.getLogger(__name__)
BUILD_HEADER = "X-QA-Build"  # the index build that answered
DESCRIPTION = ("Cited answers from the article on Kyrgyz-Chinese relations and the Belt and Road Initiative, in "
               "Kyrgyz, Russian or English. `/v1` speaks the OpenAI chat API; `/api/ask` returns the "
               "`qa ask --json` object.")


@dataclass(frozen=True)
class APISettings:
    """The API's guards: bearer key (None: open), largest request body, requests a minute per client."""

    api_key: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    rate_limit: int = DEFAULT_RATE_LIMIT

    @classmethod
    def checked(cls, max_body: int, rate_limit: int) -> "APISettings":
        """The limits, checked; the key from QA_API_KEY only (a command line is visible to ``ps``)."""
        if max_body < 1024:
            raise QAError("--max-body must be at least 1024 bytes")
        if rate_limit < 0:
            raise QAError("--rate-limit must be 0 (no limit) or more")
        return cls(os.environ.get("QA_API_KEY") or None, max_body, rate_limit)


def create_app(service: ChatService, settings: APISettings) -> FastAPI:
    """The API's routes and error handlers over ``service`` (whose pipeline is a LivePipeline)."""
    app = FastAPIOffline(title="Ask the article", description=DESCRIPTION, version="1")  # /docs without a CDN
    app.add_middleware(BodyLimit, max_bytes=settings.max_body)
    limiter, live = RateLimiter(settings.rate_limit), service.pipeline
    _error_handlers(app)

    def guard(request: Request, authorization: str | None = Header(None, include_in_schema=False)) -> None:
        check_key(settings.api_key, authorization)
        limiter.take(request.client.host if request.client else "-")

    @app.post("/v1/chat/completions", dependencies=[Depends(guard)], tags=["OpenAI-compatible"])
    def chat_completions(body: ChatRequest):
        """The last user message answered (earlier turns make follow-ups work); ``stream`` for SSE."""
        question, previous = split_conversation(body.messages)
        answer = service.final_answer(question, body.k, body.frame, previous)
        headers = {BUILD_HEADER: str(live.answered_build())}
        if body.stream:
            return StreamingResponse(completion_chunks(answer, body.frame), media_type="text/event-stream",
                                     headers=headers)
        return JSONResponse(completion(answer, body.frame), headers=headers)

    @app.get("/v1/models", dependencies=[Depends(guard)], tags=["OpenAI-compatible"])
    def list_models() -> dict:
        """The one model this server is."""
        return models()

    @app.post("/api/ask", dependencies=[Depends(guard)], tags=["REST"])
    def ask(body: AskRequest):
        """The ``qa ask --json`` object for the question (``previous``: the question before it)."""
        answer = service.final_answer(body.question, body.k, body.frame, body.previous or None)
        return JSONResponse(answer.to_dict(), headers={BUILD_HEADER: str(live.answered_build())})

    @app.get("/api/health", tags=["REST"])
    def health():
        """Whether an index is loaded (503 while none is), its embedder, documents and build."""
        status = live.status()
        loaded = status["index_loaded"]
        return JSONResponse({"status": "ok" if loaded else "unavailable", **status}, status_code=200 if loaded else 503)

    return app


def _error_handlers(app: FastAPI) -> None:
    """Every error as the OpenAI API shapes it, one line, never a traceback."""

    @app.exception_handler(APIError)
    async def refused(_: Request, error: APIError):
        return error.response()

    @app.exception_handler(QAError)
    async def bad_question(_: Request, error: QAError):
        if isinstance(error, IndexUnavailable):
            return error_response(503, str(error), "server_error", "index_unavailable", {"Retry-After": "5"})
        return error_response(400, str(error), "invalid_request_error", "invalid_question")

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, error: RequestValidationError):
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body" and not isinstance(part, int))
        message = f"{where}: {first.get('msg', 'invalid')}" if where else \
            "the body must be a JSON object (Content-Type: application/json)"
        return error_response(400, f"bad request: {message}", "invalid_request_error", "invalid_body")

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException):
        return error_response(error.status_code, str(error.detail), "invalid_request_error", None, error.headers)

    @app.exception_handler(Exception)
    async def fault(_: Request, error: Exception):
        log.error("answering failed: %s: %s", type(error).__name__, error)
        return error_response(500, "something went wrong on our side; please try again", "server_error")


def serve(location: StoreLocation, embedder: str, host: str, port: int, settings: APISettings,
          generator: Generator | None = None, refresh: float = DEFAULT_REFRESH, ui: bool = False) -> None:
    """Serve the API (and with ``ui`` the chat UI at /) until interrupted. Without ``ui`` the server
    starts even if the index cannot be opened yet, and answers 503 until it can."""
    service = open_service(location, embedder, generator, refresh, required=ui)
    app = create_app(service, settings)
    if ui:
        mount = {k: v for k, v in launch_kwargs().items() if k not in ("share", "quiet")}
        app = gr.mount_gradio_app(app, build_queued_app(service), path="/", **mount)
    print(f"API on http://{host}:{port}/v1 (OpenAI) and /api; docs at /docs"
          f"{'; chat UI at /' if ui else ''}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True)
