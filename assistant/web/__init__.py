"""The web surface: the embeddable widget, the demo page and the passage viewer.

`mount_web(app, settings)` adds these routes to the app built by `assistant.server.create_app`:

- `GET /widget.js`      the widget (plain JavaScript, Shadow DOM, no build step)
- `GET /`               a demo intranet page with the widget on it (`app.state.demo_key`)
- `GET /sources/view`   a cited passage in its section, for people (escaped HTML, no script)
- `GET /web/site.css`   the stylesheet of those two pages

`/docs` stays FastAPI's own API documentation.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse

from assistant.settings import Settings
from assistant.store import StoreError
from assistant.web.assets import Asset
from assistant.web.demo import DEMO_CSP, demo_template, render_demo
from assistant.web.pages import PAGE_CSP, document_page, not_found_page, section_page
from assistant.web.passages import catalogue, current_status, find_section
from assistant.web.texts import ui_lang

PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def mount_web(app: FastAPI, settings: Settings) -> None:
    """Add the widget, demo page and passage viewer routes."""
    # /v1/sources is open unless `server.public_sources` is off; the passage view follows it
    # (a page opened from a link carries no key to check)
    public = settings.server.public_sources
    # a page opened from a link carries no key: the national layer (and the server's own
    # tenant) open for anyone, a tenant's source only with one of its chunk ids
    open_tenants = tuple(dict.fromkeys(("", settings.tenant)))
    widget = Asset.load("widget.js", "text/javascript; charset=utf-8")
    stylesheet = Asset.load("site.css", "text/css; charset=utf-8")
    template = demo_template()
    router = APIRouter(include_in_schema=False)

    @router.get("/widget.js")
    def widget_js(request: Request) -> Response:
        return widget.response(request)

    @router.get("/web/site.css")
    def site_css(request: Request) -> Response:
        return stylesheet.response(request)

    @router.get("/", response_class=HTMLResponse)
    def demo(request: Request) -> HTMLResponse:
        headers = {**PAGE_HEADERS, "Content-Security-Policy": DEMO_CSP}
        return HTMLResponse(render_demo(template, request), headers=headers)

    @router.get("/sources/view", response_class=HTMLResponse)
    def passage_view(
        request: Request,
        source: str = "",
        section: str = "",
        chunk: str = "",
        grant: str = "",
        lang: str = "nb",
    ) -> HTMLResponse:
        lang = ui_lang(lang)
        headers = {**PAGE_HEADERS, "Content-Security-Policy": PAGE_CSP}
        if not public:
            return HTMLResponse(not_found_page(lang, "not_public"), 403, headers=headers)
        try:
            cat = catalogue(request.app)
        except StoreError:
            cat = None
        if cat is None:
            return HTMLResponse(not_found_page(lang, "not_ready"), 503, headers=headers)
        page: str | None = None
        if source and (section or chunk):
            found = find_section(
                cat, source, section or None, chunk or None, open_tenants, grant or None
            )
            if found is not None:
                found.source = current_status(request.app, found.source)
            page = section_page(found, lang) if found else None
        elif source:
            page = document_page(cat, source, lang, open_tenants, grant or None)
        if page is None:
            return HTMLResponse(not_found_page(lang), 404, headers=headers)
        return HTMLResponse(page, headers=headers)

    app.include_router(router)


__all__ = ["mount_web"]
