"""/review: the review page for legal advisers (server-rendered, no script).

Access: an API key with the scope `review` (or `admin`), a server key. It is sent as
`X-API-Key`, or entered once on the login form, which keeps it in an HttpOnly, SameSite=Strict
cookie scoped to /review. Every POST must come from this origin (Origin, else Referer,
checked against the Host), so another site cannot submit the forms (CSRF).

What a reviewer sees follows the key's tenant: a municipality's key sees that municipality's
answers and verified answers only (another tenant's answer is "not found", as in the API); a key
of the national layer (tenant "") belongs to the regional network's advisers and sees every
tenant, with the tenant filter on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.api.keys import KeyStoreUnavailable
from assistant.api.services import Services
from assistant.audit import AuditUnavailable
from assistant.audit.review import VERDICTS, QueueItem, ReviewStore
from assistant.web.review_pages import REVIEW_CSP, answer_page, login_page, queue_page, shell

COOKIE = "rr_review"
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": REVIEW_CSP,
}
SAVED = {"verdict": "Vurderingen er lagret.", "promoted": "Svaret er kvalitetssikret."}


@dataclass(frozen=True)
class Reviewer:
    name: str
    tenant: str | None  # None: every tenant (a national key, or auth off)

    def sees(self, tenant: str | None) -> bool:
        return self.tenant is None or (tenant or "") == self.tenant


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def _reviewer(request: Request, svc: Services) -> Reviewer | None:
    """The reviewer (the key's name and tenant), or None without a valid review key."""
    if svc.settings.server.auth == "off":
        return Reviewer("lokal", None)
    presented = request.headers.get("x-api-key") or request.cookies.get(COOKIE)
    if not presented:
        return None
    key = svc.keys.lookup(presented.strip())
    if key is None or key.kind != "server":
        return None
    if "review" not in key.scopes and "admin" not in key.scopes:
        return None
    return Reviewer(key.name, key.tenant or None)


def same_origin(request: Request) -> bool:
    """Origin (or, without one, Referer) names this very host."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return False
    parts = urlsplit(claimed)
    return bool(parts.netloc) and parts.netloc == request.headers.get("host")


def _day(value: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    except ValueError:
        return None


def _store(request: Request) -> tuple[Services, ReviewStore | None]:
    svc: Services = request.app.state.services
    return svc, svc.recorder.review


def _unavailable(reason: str) -> HTMLResponse:
    return _html(
        shell("Ikke tilgjengelig", f"<p>Revisjonsloggen svarer ikke: {escape(reason)}</p>"), 503
    )


def _visible(review: ReviewStore, answer_id: str, reviewer: Reviewer) -> QueueItem | None:
    """The answer, if this reviewer may see it (another tenant's is not found)."""
    item = review.item(answer_id)
    return item if item is not None and reviewer.sees(item.row["tenant"]) else None


def _not_found() -> HTMLResponse:
    return _html(shell("Fant ikke svaret", "<p>Svaret finnes ikke i loggen.</p>"), 404)


def queue(
    request: Request, tenant: str | None = None, since: str = "", until: str = ""
) -> Response:
    svc, review = _store(request)
    reviewer = _reviewer(request, svc)
    if reviewer is None:
        return _html(login_page(), 401)
    if review is None:
        return _unavailable("revisjonsloggen er slått av (REGELRETT_AUDIT_ENABLED)")
    if reviewer.tenant is not None:
        tenant = reviewer.tenant  # a municipality's key: its own answers, whatever is asked
    try:
        items = review.queue(tenant=tenant or None, since=_day(since), until=_day(until))
        verified = review.verified(tenant=reviewer.tenant)
    except AuditUnavailable as exc:
        return _unavailable(str(exc))
    return _html(
        queue_page(
            items, verified, tenant, since[:10], until[:10], fixed=reviewer.tenant is not None
        )
    )


async def login(request: Request) -> Response:
    if not same_origin(request):
        return _html(login_page("Skjemaet må sendes fra denne siden."), 403)
    form = await request.form()
    key = str(form.get("key") or "").strip()
    svc, _ = _store(request)
    if _reviewer(_with_cookie(request, key), svc) is None:
        return _html(login_page("Ukjent nøkkel, eller nøkkelen mangler tilgangen «review»."), 401)
    response = RedirectResponse("/review", status_code=303)
    response.set_cookie(
        COOKIE,
        key,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/review",
    )
    return response


def detail(request: Request, answer_id: str, saved: str = "") -> Response:
    svc, review = _store(request)
    reviewer = _reviewer(request, svc)
    if reviewer is None:
        return _html(login_page(), 401)
    if review is None:
        return _unavailable("revisjonsloggen er slått av")
    try:
        item = _visible(review, answer_id, reviewer)
    except AuditUnavailable as exc:
        return _unavailable(str(exc))
    if item is None:
        return _not_found()
    return _html(answer_page(item, SAVED.get(saved, "")))


async def act(request: Request, answer_id: str, action: str) -> Response:
    """POST a verdict (correct/incorrect, a correction) or promote to a verified answer."""
    svc, review = _store(request)
    reviewer = _reviewer(request, svc)
    if reviewer is None:
        return _html(login_page(), 401)
    if not same_origin(request):
        return _html(shell("Avvist", "<p>Skjemaet må sendes fra denne siden.</p>"), 403)
    if review is None or action not in {"verdict", "promote"}:
        return _html(shell("Fant ikke siden", "<p>Ukjent handling.</p>"), 404)
    form = await request.form()
    verdict = str(form.get("verdict") or "")
    if action == "verdict" and verdict not in VERDICTS:
        return _html(shell("Mangler vurdering", "<p>Velg riktig eller feil.</p>"), 422)
    try:
        if _visible(review, answer_id, reviewer) is None:
            return _not_found()
        if action == "verdict":
            review.review(answer_id, reviewer.name, verdict, str(form.get("correction") or ""))
        else:
            review.promote(answer_id, reviewer.name, str(form.get("text") or ""))
    except AuditUnavailable as exc:
        return _unavailable(str(exc))
    saved = "verdict" if action == "verdict" else "promoted"
    return RedirectResponse(f"/review/answers/{answer_id}?saved={saved}", status_code=303)


def mount_review(app: FastAPI) -> None:
    router = APIRouter(include_in_schema=False)
    router.add_api_route("/review", queue, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/review/login", login, methods=["POST"], response_class=HTMLResponse)
    router.add_api_route(
        "/review/answers/{answer_id}", detail, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route(
        "/review/answers/{answer_id}/{action}", act, methods=["POST"], response_class=HTMLResponse
    )
    app.include_router(router)

    async def keys_down(request: Request, exc: Exception) -> Response:
        # the shared key database is away: the page cannot tell who is asking (the API's
        # dependencies turn this into a 503 problem themselves; only /review gets here)
        return _unavailable(str(exc))

    app.add_exception_handler(KeyStoreUnavailable, keys_down)


def _with_cookie(request: Request, key: str) -> Request:
    scope = dict(request.scope)
    headers = [(k, v) for k, v in scope["headers"] if k != b"cookie" and k != b"x-api-key"]
    headers.append((b"cookie", f"{COOKIE}={key}".encode()))
    scope["headers"] = headers
    return Request(scope)
