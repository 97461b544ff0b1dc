"""POST /v1/ask (the Answer as JSON) and POST /v1/ask/stream (Server-Sent Events).

The request body model is built per app: it carries the configured question length limit, so
that the limit is both enforced and documented in the OpenAPI schema.
"""

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import anyio
import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from assistant.answer import Event
from assistant.api.auth import AskCaller, Caller
from assistant.api.models import AskBase, ask_request_model
from assistant.api.problems import problem_body, problem_responses, request_language
from assistant.api.services import services
from assistant.records import Answer
from assistant.retrieval import Filters
from assistant.settings import Settings
from assistant.store import StoreError

log = logging.getLogger("regelrett.api")

_END = object()
# a store that went away after start: Chroma's HTTP client raises httpx's transport errors
STORE_DOWN = (httpx.TransportError, StoreError)

STREAM_DESCRIPTION = """\
The answer as Server-Sent Events, each `event: <kind>` and `data: <one line of JSON>`:

- `sources`: the retrieved passages (a list of Passage), sent first, as soon as retrieval is done
- `delta`: `{"text": "..."}`, the next piece of verified answer text (append it)
- `citation`: a Citation (numbered [n], with source, section, page and the verbatim quote)
- `reset`: `{}`, discard the text shown so far (the LLM answer fell back to the extractive one)
- `done`: the final Answer, the same object POST /v1/ask returns
- `error`: a problem object (RFC 9457); the stream ends after it
"""


def _event_schema(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": kind},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": data,
            },
        },
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


# One event of the stream (OpenAPI 3.1: the media type's schema describes each event).
EVENT_SCHEMA: dict[str, Any] = {
    "oneOf": [
        _event_schema("sources", {"type": "array", "items": _ref("Passage")}),
        _event_schema(
            "delta",
            {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
        ),
        _event_schema("citation", _ref("Citation")),
        _event_schema("reset", {"type": "object", "maxProperties": 0}),
        _event_schema("done", _ref("Answer")),
        _event_schema("error", _ref("Problem")),
    ]
}


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


def encode_event(kind: str, data: Any) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def event_payload(event: Event) -> Any:
    if event.kind == "sources":
        return [p.model_dump(mode="json") for p in event.data]
    if event.kind == "delta":
        return {"text": event.data}
    if event.kind in {"citation", "done"}:
        return event.data.model_dump(mode="json")
    if event.kind == "reset":
        return {}
    return event.data


async def sse(
    events: Iterator[Event],
    lang: str,
    path: str,
    on_done: Callable[[Answer], None] | None = None,
    store_down: Callable[[BaseException], str] | None = None,
) -> AsyncIterator[bytes]:
    """Each step of the (synchronous, CPU-bound) answer generator runs in a worker thread, so
    the event loop stays free and each event goes out as soon as it exists. `on_done` sees the
    final Answer before it is sent (the audit log; it sets the request id)."""
    try:
        while True:
            event = await anyio.to_thread.run_sync(next, events, _END)
            if not isinstance(event, Event):  # _END: the answer is complete
                return
            if event.kind == "done" and on_done is not None:
                await anyio.to_thread.run_sync(on_done, event.data)
            yield encode_event(event.kind, event_payload(event))
    except STORE_DOWN as exc:  # the Chroma server went away: 503, with the reason
        reason = store_down(exc) if store_down else str(exc)
        log.warning("answer stream: %s", reason)
        yield encode_event("error", problem_body(503, "not_ready", lang, path, reason=reason))
    except Exception:
        log.exception("answer stream failed")
        yield encode_event("error", problem_body(500, "internal", lang, path))
    finally:
        close = getattr(events, "close", None)  # a generator: release what it holds
        if close is not None:
            close()


F = TypeVar("F", bound=Callable[..., Any])


def request_filters(body: AskBase, caller: Caller) -> Filters:
    """The body's filters, scoped to what the caller's key may see (the national layer and
    its own tenant), with the body's date."""
    asked = body.filters.to_filters() if body.filters else Filters()
    return replace(asked, tenants=caller.tenants[1:], as_of=body.as_of)


def record(request: Request, caller: Caller) -> Callable[[Answer], None]:
    """The audit seam for the HTTP surfaces: a widget key's answers are the widget's."""
    recorder = services(request).recorder
    surface = "widget" if caller.key is not None and caller.key.kind == "widget" else "api"
    rid = getattr(request.state, "request_id", None)

    def done(answer: Answer) -> None:
        answer.request_id = rid
        recorder.answered(answer, surface=surface, tenant=caller.tenant, key_id=caller.key_id)

    return done


def _body_model(model: type[AskBase]) -> Callable[[F], F]:
    """Let FastAPI validate `body` with `model` (AskBase with the configured limits), while the
    code is typed against AskBase."""

    def apply(func: F) -> F:
        func.__annotations__["body"] = model
        return func

    return apply


def build_router(settings: Settings) -> APIRouter:
    with_limits = _body_model(ask_request_model(settings.server.max_question_chars))
    errors = problem_responses(400, 401, 403, 413, 422, 429, 500, 503)
    router = APIRouter(prefix="/v1", tags=["ask"])

    @router.post(
        "/ask",
        response_model=Answer,
        responses=errors,
        summary="Answer a question with verified citations",
        description="The whole answer at once. Every quote in it stands verbatim in the passage "
        "its citation points to; when the sources do not answer the question, `refused` is "
        "true and the answer names the closest sources.",
    )
    @with_limits
    def ask(
        body: AskBase,
        request: Request,
        caller: AskCaller,
    ) -> JSONResponse:
        assistant = services(request).ready_assistant()
        answer = assistant.answer(
            body.question,
            mode=body.mode,
            filters=request_filters(body, caller),
            lang=body.lang,
        )
        record(request, caller)(answer)
        return JSONResponse(answer.model_dump(mode="json"))

    @router.post(
        "/ask/stream",
        response_class=StreamingResponse,  # no media type: the 200 below documents it
        responses={
            200: {
                "description": "A stream of events (see above).",
                "content": {"text/event-stream": {"schema": EVENT_SCHEMA}},
            },
            **errors,
        },
        summary="Answer a question as a stream of Server-Sent Events",
        description=STREAM_DESCRIPTION,
    )
    @with_limits
    async def ask_stream(
        body: AskBase,
        request: Request,
        caller: AskCaller,
    ) -> EventStreamResponse:
        assistant = await anyio.to_thread.run_sync(services(request).ready_assistant)
        events = assistant.stream(
            body.question,
            mode=body.mode,
            filters=request_filters(body, caller),
            lang=body.lang,
        )
        return EventStreamResponse(
            sse(
                events,
                request_language(request),
                request.url.path,
                record(request, caller),
                services(request).store_down,
            ),
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return router
