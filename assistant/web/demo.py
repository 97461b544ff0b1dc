"""The demo page at `/`: a made-up municipal intranet page with the widget on it."""

from __future__ import annotations

from html import escape

from fastapi import Request

from assistant.store import StoreError
from assistant.web.assets import STATIC

# The widget keeps to these too: its styles are a constructed stylesheet, its requests go to
# the page's own origin, and it never evaluates markup.
DEMO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def demo_template() -> str:
    return (STATIC / "demo.html").read_text(encoding="utf-8")


def render_demo(template: str, request: Request) -> str:
    state = request.app.state
    services = getattr(state, "services", None)
    key: str | None = getattr(state, "demo_key", None) or getattr(services, "demo_key", None)
    settings = state.settings
    auth = getattr(settings.server, "auth", "keys")
    notice = ""
    if not key and auth != "off":
        notice = (
            '<p class="notice">Widgeten på denne siden har ingen nøkkel: start tjenesten med '
            "<code>REGELRETT_SERVER_DEMO_KEY=true</code>, eller lag en nøkkel med "
            "<code>regelrett keys create</code>.</p>"
        )
    attrs = f' data-key="{escape(key)}"' if key else ""
    widget = f'<script src="/widget.js"{attrs} data-lang="nb" defer></script>'
    origin = str(request.base_url).rstrip("/")
    return (
        template.replace("{{status}}", escape(_status(request)))
        .replace("{{notice}}", notice)
        .replace("{{origin}}", escape(origin))
        .replace("{{widget}}", widget)
    )


def _status(request: Request) -> str:
    state = request.app.state
    services = getattr(state, "services", None)
    store = getattr(services, "store", None) or getattr(state, "store", None)
    if store is None:
        reason = getattr(services, "store_error", None) or getattr(state, "store_error", None)
        reason = reason or "indeksen er ikke åpnet"
        return f"Regelrett er ikke klar: {reason}."
    try:
        count = store.count()
    except StoreError as exc:
        return f"Regelrett er ikke klar: {exc}."
    return f"Regelrett kjører og kjenner {count} tekstutdrag fra lover, veiledere og maler."
