"""What stands before the answering: the bearer key, the request size limit and the rate limit.
Each refusal is an ``APIError``, shaped like the OpenAI API's errors."""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY = 64 * 1024
DEFAULT_RATE_LIMIT = 120  # requests per minute per client
MAX_CLIENTS = 10_000  # rate-limit buckets kept before the full ones are forgotten


class APIError(Exception):
    """A refusal with its HTTP status, OpenAI error type and code."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.kind, self.code, self.headers = status, kind, code, headers or {}

    def response(self) -> JSONResponse:
        """``{"error": {"message", "type", "param", "code"}}`` with the status."""
        return error_response(self.status, str(self), self.kind, self.code, self.headers)


def error_response(status: int, message: str, kind: str, code: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """An error as the OpenAI API shapes it."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def check_key(expected: str | None, authorization: str | None) -> None:
    """Nothing if no key is configured or the bearer key is right; APIError 401 otherwise."""
    if not expected:
        return
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise APIError(401, "missing or wrong API key: send 'Authorization: Bearer <QA_API_KEY>'",
                       code="invalid_api_key")


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests a minute, as a burst or spread out; 0: no limit."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """Count one request of ``client``; APIError 429 (with Retry-After) if it has none left."""
        if self.per_minute <= 0:
            return
        rate, now = self.per_minute / 60.0, time.monotonic()
        with self._lock:
            if len(self._buckets) >= MAX_CLIENTS:
                self._forget_full(now, rate)
            bucket = self._buckets.setdefault(client, _Bucket(float(self.per_minute), now))
            bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            if bucket.tokens < 1:
                wait = max(1, round((1 - bucket.tokens) / rate))
                raise APIError(429, f"rate limit: at most {self.per_minute} requests a minute per client; "
                               f"retry in {wait} s", kind="requests", code="rate_limit_exceeded",
                               headers={"Retry-After": str(wait)})
            bucket.tokens -= 1

    def _forget_full(self, now: float, rate: float) -> None:
        full = [c for c, b in self._buckets.items() if b.tokens + (now - b.stamp) * rate >= self.per_minute]
        for client in full:
            del self._buckets[client]


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 before any route reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        body, more = b"", True
        while more and len(body) <= self.max_bytes:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if len(body) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, f"the request is too large (at most {self.max_bytes} bytes)",
                                  "invalid_request_error", "request_too_large")
        await response(scope, receive, send)
