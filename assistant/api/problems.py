"""Errors as `application/problem+json` (RFC 9457), worded in the request's language.

Every 4xx and 5xx the API sends has the shape {type, title, status, detail, instance}; a
validation error also lists each field (`errors`). The language comes from `Accept-Language`
(nb, nn or en; Norwegian bokmål when the header names none of them).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("regelrett.api")

MEDIA_TYPE = "application/problem+json"
LANGS = ("nb", "nn", "en")
TYPE_PREFIX = "urn:regelrett:problem:"

TITLES: dict[int, tuple[str, str, str]] = {
    400: ("Ugyldig forespørsel", "Ugyldig førespurnad", "Bad request"),
    401: ("Ikke autentisert", "Ikkje autentisert", "Unauthorized"),
    403: ("Ingen tilgang", "Inga tilgang", "Forbidden"),
    404: ("Ikke funnet", "Ikkje funne", "Not found"),
    405: ("Metoden er ikke tillatt", "Metoden er ikkje tillaten", "Method not allowed"),
    413: ("For stor forespørsel", "For stor førespurnad", "Request too large"),
    415: ("Ukjent innholdstype", "Ukjend innhaldstype", "Unsupported media type"),
    422: ("Ugyldige data", "Ugyldige data", "Invalid data"),
    429: ("For mange forespørsler", "For mange førespurnader", "Too many requests"),
    500: ("Intern feil", "Intern feil", "Internal error"),
    503: ("Ikke klar", "Ikkje klar", "Not ready"),
}

# detail texts: key -> (nb, nn, en), formatted with the problem's parameters
MESSAGES: dict[str, tuple[str, str, str]] = {
    "question_too_long": (
        "Spørsmålet er for langt: høyst {limit} tegn.",
        "Spørsmålet er for langt: høgst {limit} teikn.",
        "The question is too long: at most {limit} characters.",
    ),
    "question_empty": (
        "Spørsmålet er tomt.",
        "Spørsmålet er tomt.",
        "The question is empty.",
    ),
    "body_too_large": (
        "Forespørselen er for stor: høyst {limit} byte.",
        "Førespurnaden er for stor: høgst {limit} byte.",
        "The request body is too large: at most {limit} bytes.",
    ),
    "validation": (
        "Forespørselen har ugyldige data: {summary}",
        "Førespurnaden har ugyldige data: {summary}",
        "The request has invalid data: {summary}",
    ),
    "auth_missing": (
        "API-nøkkel mangler: send den i overskriften X-API-Key.",
        "API-nøkkel manglar: send han i overskrifta X-API-Key.",
        "API key missing: send it in the X-API-Key header.",
    ),
    "auth_unknown": (
        "Ukjent eller tilbakekalt API-nøkkel.",
        "Ukjend eller tilbakekalla API-nøkkel.",
        "Unknown or revoked API key.",
    ),
    "scope": (
        "Nøkkelen har ikke tilgang til dette (krever «{scope}»).",
        "Nøkkelen har ikkje tilgang til dette (krev «{scope}»).",
        "This key has no access to this (requires '{scope}').",
    ),
    "tenant": (
        "Nøkkelen hører til en annen kommune og kan bare lese inn kildene til sin egen.",
        "Nøkkelen høyrer til ein annan kommune og kan berre lese inn kjeldene til sin eigen.",
        "This key belongs to a tenant and may only ingest that tenant's sources.",
    ),
    "widget_admin": (
        "En widget-nøkkel kan ikke brukes til administrasjon.",
        "Ein widget-nøkkel kan ikkje brukast til administrasjon.",
        "A widget key cannot be used for administration.",
    ),
    "origin": (
        "Opprinnelsen {origin} er ikke tillatt for denne nøkkelen.",
        "Opphavet {origin} er ikkje tillate for denne nøkkelen.",
        "Origin {origin} is not allowed for this key.",
    ),
    "origin_missing": (
        "En widget-nøkkel må brukes fra en nettside (Origin mangler).",
        "Ein widget-nøkkel må brukast frå ei nettside (Origin manglar).",
        "A widget key must be used from a web page (no Origin header).",
    ),
    "cors": (
        "Opprinnelsen {origin} er ikke tillatt.",
        "Opphavet {origin} er ikkje tillate.",
        "Origin {origin} is not allowed.",
    ),
    "rate_limited": (
        "For mange forespørsler: prøv igjen om {seconds} sekunder.",
        "For mange førespurnader: prøv igjen om {seconds} sekund.",
        "Too many requests: try again in {seconds} seconds.",
    ),
    "not_found": (
        "Fant ikke {path}.",
        "Fann ikkje {path}.",
        "Not found: {path}.",
    ),
    "source_not_found": (
        "Fant ingen kilde med id «{source_id}».",
        "Fann inga kjelde med id «{source_id}».",
        "No source with id '{source_id}'.",
    ),
    "section_not_found": (
        "Kilden «{source_id}» har ingen del «{label}».",
        "Kjelda «{source_id}» har ingen del «{label}».",
        "Source '{source_id}' has no section '{label}'.",
    ),
    "chunk_not_found": (
        "Tekstutdraget {chunk} hører ikke til «{label}».",
        "Tekstutdraget {chunk} høyrer ikkje til «{label}».",
        "Passage {chunk} is not part of '{label}'.",
    ),
    "method": (
        "Metoden {method} er ikke tillatt her.",
        "Metoden {method} er ikkje tillaten her.",
        "Method {method} is not allowed here.",
    ),
    "not_ready": (
        "Tjenesten er ikke klar: {reason}",
        "Tenesta er ikkje klar: {reason}",
        "The service is not ready: {reason}",
    ),
    "internal": (
        "Noe gikk galt hos oss. Prøv igjen; meld fra hvis det gjentar seg.",
        "Noko gjekk gale hos oss. Prøv igjen; meld frå om det skjer igjen.",
        "Something went wrong on our side. Try again; report it if it happens again.",
    ),
    "ingest_input": (
        "Kan ikke lese inn: {reason}",
        "Kan ikkje lese inn: {reason}",
        "Cannot ingest: {reason}",
    ),
    "ingest_body": (
        'Send JSON {{"path": "..."}} eller en fil som multipart/form-data i feltet «file».',
        'Send JSON {{"path": "..."}} eller ei fil som multipart/form-data i feltet «file».',
        'Send JSON {{"path": "..."}} or a file as multipart/form-data in the field "file".',
    ),
    "media_type": (
        "Innholdstypen {media_type} støttes ikke her; bruk application/json.",
        "Innhaldstypen {media_type} er ikkje støtta her; bruk application/json.",
        "Content type {media_type} is not supported here; use application/json.",
    ),
    "bad_body": (
        "Innholdet i forespørselen kunne ikke leses (ugyldig JSON eller tegnkoding).",
        "Innhaldet i førespurnaden kunne ikkje lesast (ugyldig JSON eller teiknkoding).",
        "The request body could not be read (invalid JSON or character encoding).",
    ),
    "http": (
        "{reason}",
        "{reason}",
        "{reason}",
    ),
}

# one field's validation error: pydantic error type -> (nb, nn, en)
FIELD_MESSAGES: dict[str, tuple[str, str, str]] = {
    "missing": ("mangler", "manglar", "required"),
    "extra_forbidden": ("ukjent felt", "ukjent felt", "unknown field"),
    "string_too_long": (
        "høyst {max_length} tegn",
        "høgst {max_length} teikn",
        "at most {max_length} characters",
    ),
    "string_too_short": (
        "minst {min_length} tegn",
        "minst {min_length} teikn",
        "at least {min_length} characters",
    ),
    "too_long": (
        "høyst {max_length} verdier",
        "høgst {max_length} verdiar",
        "at most {max_length} values",
    ),
    "string_pattern_mismatch": (
        "har ikke riktig form",
        "har ikkje rett form",
        "does not have the right form",
    ),
    "literal_error": (
        "må være en av {expected}",
        "må vere ein av {expected}",
        "must be one of {expected}",
    ),
    "enum": ("må være en av {expected}", "må vere ein av {expected}", "must be one of {expected}"),
    "json_invalid": ("ugyldig JSON", "ugyldig JSON", "invalid JSON"),
    "model_attributes_type": ("må være et objekt", "må vere eit objekt", "must be an object"),
    "dict_type": ("må være et objekt", "må vere eit objekt", "must be an object"),
    "model_type": ("må være et objekt", "må vere eit objekt", "must be an object"),
    "list_type": ("må være en liste", "må vere ei liste", "must be a list"),
    "string_type": ("må være tekst", "må vere tekst", "must be a string"),
}
_WRONG_TYPE = ("har feil type", "har feil type", "has the wrong type")


class FieldProblem(BaseModel):
    field: str = Field(description="Where: 'question', 'filters.doc_types.0'.")
    message: str
    type: str = Field(description="The validator's error code, e.g. 'string_too_long'.")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(
        description="A URI naming the kind of problem.",
        examples=["urn:regelrett:problem:question_too_long"],
    )
    title: str = Field(examples=["Ugyldige data"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["Spørsmålet er for langt: høyst 2000 tegn."])
    instance: str | None = Field(default=None, examples=["/v1/ask"])
    errors: list[FieldProblem] | None = Field(
        default=None, description="Validation errors, one per field."
    )


def request_language(request: Request) -> str:
    """nb, nn or en from Accept-Language (first listed that we speak, by q-value); nb else."""
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        lang = {"no": "nb", "nb": "nb", "nn": "nn", "en": "en"}.get(primary)
        if lang and q > 0:
            ranked.append((-q, i, lang))
    return sorted(ranked)[0][2] if ranked else "nb"


def message(key: str, lang: str, **params: Any) -> str:
    texts = MESSAGES[key]
    return texts[LANGS.index(lang) if lang in LANGS else 0].format(**params)


class ApiProblem(Exception):
    """Raise to answer with a problem: `ApiProblem(404, "source_not_found", source_id=...)`."""

    def __init__(
        self,
        status: int,
        key: str,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[FieldProblem] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(f"{status} {key}")
        self.status = status
        self.key = key
        self.headers = dict(headers or {})
        self.errors = list(errors) if errors is not None else None
        self.params = params


def problem_body(
    status: int,
    key: str,
    lang: str,
    instance: str | None = None,
    errors: Sequence[FieldProblem] | None = None,
    **params: Any,
) -> dict[str, Any]:
    titles = TITLES.get(status, TITLES[500 if status >= 500 else 400])
    body = Problem(
        type=TYPE_PREFIX + key,
        title=titles[LANGS.index(lang)],
        status=status,
        detail=message(key, lang, **params),
        instance=instance,
        errors=list(errors) if errors is not None else None,
    )
    return body.model_dump(mode="json", exclude_none=True)


def problem_response(
    request: Request,
    status: int,
    key: str,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[FieldProblem] | None = None,
    **params: Any,
) -> JSONResponse:
    lang = request_language(request)
    body = problem_body(status, key, lang, request.url.path, errors, **params)
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=MEDIA_TYPE
    )


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _field_message(error: Mapping[str, Any], lang: str) -> str:
    ctx = dict(error.get("ctx") or {})
    texts = FIELD_MESSAGES.get(str(error.get("type")), _WRONG_TYPE)
    try:
        return texts[LANGS.index(lang)].format(**ctx)
    except (KeyError, IndexError):
        return texts[LANGS.index(lang)]


def validation_problem(
    request: Request, raw_errors: Sequence[Any], question_limit: int
) -> JSONResponse:
    """422 naming every invalid field; a too long or empty question gets its own sentence."""
    lang = request_language(request)
    errors = [
        FieldProblem(
            field=_field_name(e.get("loc", ())),
            message=_field_message(e, lang),
            type=str(e.get("type", "")),
        )
        for e in raw_errors
    ]
    for e in errors:
        if e.field == "question" and e.type == "string_too_long":
            return problem_response(
                request, 422, "question_too_long", errors=errors, limit=question_limit
            )
        if e.field == "question" and e.type in {"string_too_short", "string_pattern_mismatch"}:
            return problem_response(request, 422, "question_empty", errors=errors)
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return problem_response(request, 422, "validation", errors=errors, summary=summary)


def install_handlers(app: FastAPI, question_limit: int) -> None:
    """Problem responses for our own errors, validation errors, HTTP errors and crashes."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiProblem)
        return problem_response(request, exc.status, exc.key, exc.headers, exc.errors, **exc.params)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_problem(request, exc.errors(), question_limit)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            return problem_response(request, 404, "not_found", headers, path=request.url.path)
        if exc.status_code == 400:
            return problem_response(request, 400, "bad_body", headers)
        if exc.status_code == 405:
            return problem_response(request, 405, "method", headers, method=request.method)
        return problem_response(request, exc.status_code, "http", headers, reason=exc.detail)

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, 500, "internal")

    app.add_exception_handler(ApiProblem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error responses, all with the Problem schema."""
    descriptions = {
        400: "The body could not be read (not JSON, or not UTF-8).",
        401: "No API key, or an unknown or revoked one.",
        403: "The key lacks the scope, or a widget key is used from an origin it is not bound to.",
        404: "Not found.",
        413: "The request body is larger than the limit.",
        415: "Unsupported content type.",
        422: "Invalid request data; `errors` lists each field.",
        429: "Rate limit reached; `Retry-After` says how many seconds to wait.",
        500: "Internal error.",
        503: "The service is not ready (store, embedder or index).",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {
            "description": descriptions.get(code, "Error."),
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if code == 429:
            entry["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer"},
                }
            }
        out[code] = entry
    return out
