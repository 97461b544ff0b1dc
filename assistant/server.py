"""The HTTP service. `create_app(settings)` builds it; nothing is opened at import.

The store, embedder and lexical index open once, in the lifespan (the embedder and index warm
up in the background; /readyz says when they are ready). The routes live in `assistant.api`,
one module per resource; the widget, demo page and passage viewer in `assistant.web`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from assistant.api import routes_admin, routes_ask, routes_feedback, routes_health, routes_sources
from assistant.api.keys import KeyInputError, normalise_origin
from assistant.api.middleware import BodyLimitMiddleware, CorsMiddleware
from assistant.api.models import IngestPath
from assistant.api.problems import Problem, install_handlers, problem_response
from assistant.api.routes_ask import STORE_DOWN
from assistant.api.services import Services
from assistant.observability.middleware import RequestIdMiddleware
from assistant.settings import Settings

log = logging.getLogger("regelrett.api")

VERSION = "0.1.0"
DEMO_KEY_ENV = "_REGELRETT_DEMO_KEY"  # set by `regelrett serve --workers N` for its workers

DESCRIPTION = """\
Cited answers to legal questions for Norwegian municipalities.

**Keys.** Send an API key in `X-API-Key` (or `Authorization: Bearer`). Keys have scopes `ask`
and `admin`; widget keys may only ask, and only from the web origins they are bound to.
`GET /v1/sources*` is open when public sources are enabled.

**Errors** are `application/problem+json` (RFC 9457), in the language of `Accept-Language`
(nb, nn or en). **Limits**: request body size, question length, and a rate limit per key and
per client IP (429 with `Retry-After`). See docs/api.md.
"""

TAGS = [
    {"name": "ask", "description": "Questions and answers (JSON or Server-Sent Events)."},
    {"name": "sources", "description": "What is indexed, and a section's text in context."},
    {"name": "feedback", "description": "Ratings of answers."},
    {"name": "admin", "description": "Ingest and remove sources (server keys with `admin`)."},
    {"name": "health", "description": "Liveness and readiness."},
]


def create_app(settings: Settings, demo_key: str | None = None) -> FastAPI:
    """The app. `demo_key`: the demo widget key a parent process made for all its workers
    (default: made in the lifespan, when `server.demo_key` is on)."""
    svc = Services(settings)
    server = settings.server

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(svc.open)
        app.state.store = svc.store
        app.state.store_error = svc.store_error
        if server.auth == "keys" and server.demo_key:
            svc.create_demo_key(demo_key)
        app.state.demo_key = svc.demo_key
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(svc.close)
            svc.metrics.process_exit()

    app = FastAPI(
        title="Regelrett",
        version=VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=TAGS,
    )
    app.state.settings = settings
    app.state.services = svc
    app.state.demo_key = None

    install_handlers(app, server.max_question_chars)

    async def on_store_down(request: Request, exc: Exception) -> JSONResponse:
        reason = svc.store_down(exc)
        log.warning("%s %s: %s", request.method, request.url.path, reason)
        return problem_response(request, 503, "not_ready", reason=reason)

    for kind in STORE_DOWN:
        app.add_exception_handler(kind, on_store_down)
    app.include_router(routes_ask.build_router(settings))
    app.include_router(routes_sources.router)
    app.include_router(routes_feedback.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_health.router)

    static = frozenset(_origins(server.cors_origins))
    upload_limit = int(settings.ingest.max_file_mb * 1024 * 1024) + 64 * 1024

    def limit_for(path: str) -> int:
        if path.startswith("/v1/admin/ingest"):
            return upload_limit
        if path.startswith("/slack/"):
            # a button press carries the whole answer message back (Block Kit, URL-encoded)
            return max(server.max_body_bytes, 1024 * 1024)
        return server.max_body_bytes

    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    app.add_middleware(CorsMiddleware, allowed_origins=lambda: svc.keys.widget_origins() | static)
    # outermost: every response (a 413 or a CORS refusal too) carries X-Request-ID and is timed
    app.add_middleware(RequestIdMiddleware, metrics=svc.metrics)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=TAGS,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (Problem, IngestPath):
                _add_schema(components, model)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    from assistant.slack.http import mount_slack
    from assistant.web import mount_web
    from assistant.web.review import mount_review

    mount_web(app, settings)
    mount_review(app)  # /review: legal advisers (a key with the scope `review`)
    mount_slack(app, settings)  # only when Slack is configured (docs/slack.md)
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory` (several workers): settings from the environment."""
    from assistant.observability.logs import configure_logging

    settings = Settings()
    configure_logging(settings.log)
    return create_app(settings, demo_key=os.environ.get(DEMO_KEY_ENV) or None)


def _origins(values: list[str]) -> list[str]:
    try:
        return [normalise_origin(v) for v in values]
    except KeyInputError as exc:
        raise ValueError(f"server.cors_origins: {exc}") from exc


def _add_schema(components: dict[str, Any], model: type[BaseModel]) -> None:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components.setdefault(name, sub)
    components[model.__name__] = schema
