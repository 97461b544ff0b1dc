"""The HTTP service. `create_app(settings)` builds it; nothing is opened at import."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from assistant.settings import Settings
from assistant.store import StoreError, VectorStore, open_store


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = None
        app.state.store_error = None
        try:
            app.state.store = open_store(settings)
        except StoreError as exc:
            app.state.store_error = str(exc)
        yield

    app = FastAPI(title="Regelrett", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        store: VectorStore | None = request.app.state.store
        if store is None:
            reason = request.app.state.store_error or "store not open"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        return JSONResponse({"status": "ready", "chunks": store.count()})

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> str:
        store: VectorStore | None = request.app.state.store
        count = store.count() if store is not None else 0
        state = (
            "klar" if store is not None else "ikke klar: " + (request.app.state.store_error or "")
        )
        return (
            "<!doctype html><html lang='nb'><head><meta charset='utf-8'>"
            "<title>Regelrett</title></head><body><main><h1>Regelrett</h1>"
            f"<p>Tjenesten kjører ({html.escape(state)}). {count} tekstutdrag er indeksert.</p>"
            "<p><a href='/healthz'>/healthz</a></p></main></body></html>"
        )

    return app
