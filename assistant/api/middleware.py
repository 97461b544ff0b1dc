"""ASGI middleware: CORS for the origins widget keys are bound to, and the request body limit.

Both are plain ASGI (not BaseHTTPMiddleware) so that streamed answers pass through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.keys import normalise_origin
from assistant.api.problems import MEDIA_TYPE, problem_body, request_language

ALLOW_HEADERS = "Content-Type, X-API-Key, Authorization, Accept-Language"
ALLOW_METHODS = "GET, POST, OPTIONS"
EXPOSE_HEADERS = "Retry-After"


async def _send_problem(
    scope: Scope, send: Send, status: int, key: str, headers: dict[str, str], **params: Any
) -> None:
    request = Request(scope)
    body = json.dumps(
        problem_body(status, key, request_language(request), request.url.path, **params)
    ).encode()
    raw = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class CorsMiddleware:
    """Answers CORS only for allowed origins (never `*`): those bound to an active widget key
    (`allowed_origins()`), plus any configured ones. A preflight does not carry the key, so it
    is answered for any such origin; the request itself is then checked against its key."""

    def __init__(self, app: ASGIApp, allowed_origins: Callable[[], frozenset[str]]) -> None:
        self.app = app
        self.allowed_origins = allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = normalise_origin(origin, strict=False) in self.allowed_origins()
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            if not allowed:
                await _send_problem(scope, send, 403, "cors", {"Vary": "Origin"}, origin=origin)
                return
            preflight = {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
                "Content-Length": "0",
            }
            raw = [(k.lower().encode(), v.encode()) for k, v in preflight.items()]
            await send({"type": "http.response.start", "status": 204, "headers": raw})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if allowed:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)


class BodyLimitMiddleware:
    """413 for a request body over the limit: by Content-Length up front, or while reading a
    body sent without one. `limit_for(path)` gives the limit (uploads may be larger)."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_problem(scope, send, 413, "body_too_large", {}, limit=limit)
            return
        seen = 0
        exceeded = False
        replaced = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal replaced
            if exceeded:
                # whatever the app answered to the broken-off body, the answer is 413
                if message["type"] == "http.response.start" and not replaced:
                    replaced = True
                    await _send_problem(scope, send, 413, "body_too_large", {}, limit=limit)
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if not replaced:
                await _send_problem(scope, send, 413, "body_too_large", {}, limit=limit)


class _TooLarge(Exception):
    pass
