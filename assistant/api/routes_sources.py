"""GET /v1/sources, /v1/sources/{source_id} and /v1/sources/{source_id}/sections/{label}:
what is indexed, and a section's full text so a legal adviser can check a citation.

Source ids contain slashes ("lovdata-markdown/lover/lov-2006-05-19-16.md"); they go into the
path as they are, or percent-encoded (both work).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request

from assistant.api.auth import Caller, SourcesCaller
from assistant.api.models import ChunkText, SectionView, SourceDetail, SourceSummary
from assistant.api.problems import ApiProblem, problem_responses
from assistant.api.services import Services, services
from assistant.catalogue import Catalogue, SourceEntry

router = APIRouter(prefix="/v1/sources", tags=["sources"])
_ERRORS = problem_responses(401, 403, 429, 500, 503)
_TENANT = Query(
    default=None,
    max_length=100,
    description="Tenant: '' (the national layer) or the key's own; default: the national "
    "source first. Another tenant's source is not found (404).",
)


def _entry(catalogue: Catalogue, source_id: str, tenant: str | None, caller: Caller) -> SourceEntry:
    """The source, if the caller may see it; another tenant's source is 404 like an unknown
    one, so that its existence does not show."""
    entry = catalogue.source(source_id, tenant, caller.tenants)
    if entry is None:
        raise ApiProblem(404, "source_not_found", source_id=source_id[:300])
    return entry


def _summary(svc: Services, entry: SourceEntry, caller: Caller) -> dict[str, Any]:
    """The entry's figures, with its status today (not at ingest) and its version label."""
    out = entry.summary()
    currency = svc.ready_assistant().retriever.currency()
    tenants = frozenset(caller.tenants)
    key = (entry.tenant, entry.source_id)
    validity = currency.doc_validity(key, date.today(), tenants)
    out["status"] = validity.state
    out["status_date"] = validity.since.isoformat() if validity.since else None
    out["applicable_source_id"] = validity.applicable[1] if validity.applicable else None
    out["version"] = currency.version_label(key, tenants)
    return out


@router.get(
    "",
    response_model=list[SourceSummary],
    responses=_ERRORS,
    summary="List the indexed sources",
)
def list_sources(request: Request, caller: SourcesCaller) -> list[SourceSummary]:
    svc = services(request)
    catalogue = svc.catalogue()
    return [SourceSummary(**_summary(svc, s, caller)) for s in catalogue.list(caller.tenants)]


@router.get(
    "/{source_id:path}/sections/{label}",
    response_model=SectionView,
    responses=problem_responses(401, 403, 404, 422, 429, 500, 503),
    summary="One section's full text, with its heading path and pages",
)
def get_section(
    source_id: str,
    label: str,
    request: Request,
    caller: SourcesCaller,
    chunk: str | None = Query(
        default=None,
        max_length=100,
        description="A chunk id (a citation's chunk_id): its text is returned too.",
    ),
    tenant: str | None = _TENANT,
) -> SectionView:
    svc = services(request)
    catalogue = svc.catalogue()
    entry = _entry(catalogue, source_id, tenant, caller)
    section = catalogue.section(entry, label)
    if section is None:
        raise ApiProblem(404, "section_not_found", source_id=source_id[:300], label=label[:100])
    chunk_text = None
    if chunk is not None:
        if chunk not in section.chunk_ids:
            raise ApiProblem(404, "chunk_not_found", chunk=chunk, label=label[:100])
        chunk_text = ChunkText(chunk_id=chunk, text=catalogue.chunk_text(chunk) or "")
    return SectionView(
        source=SourceSummary(**_summary(svc, entry, caller)),
        section=section.label,
        heading_path=section.heading_path,
        page_start=section.page_start,
        page_end=section.page_end,
        text=section.text,
        chunk_ids=section.chunk_ids,
        shared_with=section.shared_with,
        chunk=chunk_text,
    )


@router.get(
    "/{source_id:path}",
    response_model=SourceDetail,
    responses=problem_responses(401, 403, 404, 422, 429, 500, 503),
    summary="One source: its metadata and section labels in document order",
)
def get_source(
    source_id: str,
    request: Request,
    caller: SourcesCaller,
    tenant: str | None = _TENANT,
) -> SourceDetail:
    svc = services(request)
    entry = _entry(svc.catalogue(), source_id, tenant, caller)
    return SourceDetail(**_summary(svc, entry, caller), section_labels=entry.labels)
