"""Admin: POST /v1/admin/ingest (a path on the server, or an uploaded file) and
DELETE /v1/admin/sources/{source_id}. Both need a server key with scope `admin`.

An admin key can make the server read any path it can read, like `regelrett ingest` on the
server itself: give it only to the people who would have that.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from assistant.api.auth import AdminCaller, Caller
from assistant.api.models import IngestFailure, IngestPath, IngestResult, RemoveResult
from assistant.api.problems import ApiProblem, FieldProblem, problem_responses
from assistant.api.services import Services, services
from assistant.store import StoreError
from ingest.cache import EmbeddingCache
from ingest.manifest import Manifest
from ingest.pipeline import IngestInputError, Ingestor, IngestReport

router = APIRouter(prefix="/v1/admin", tags=["admin"])

_UPLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "doc_type": {"type": "string", "maxLength": 40},
        "tenant": {"type": "string", "maxLength": 100},
    },
}


def _ingestor(svc: Services) -> Ingestor:
    """An Ingestor on the server's own store and embedder (one Chroma client per process)."""
    if svc.store is None or svc.embedder is None:
        raise ApiProblem(503, "not_ready", reason=svc.readiness())
    svc.settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        manifest = Manifest.for_settings(svc.settings)  # the shared database's, when set
    except StoreError as exc:
        raise ApiProblem(503, "not_ready", reason=str(exc)) from exc
    return Ingestor(
        svc.settings, svc.store, svc.embedder, manifest, EmbeddingCache(svc.settings.cache_path)
    )


def _close(ingestor: Ingestor) -> None:
    ingestor.manifest.close()
    if ingestor.cache is not None:
        ingestor.cache.close()


def _result(report: IngestReport) -> IngestResult:
    return IngestResult(
        **{a: report.count(a) for a in ("added", "updated", "unchanged", "removed", "failed")},
        skipped=report.count("skipped"),
        chunks_written=report.chunks_written,
        chunks_embedded=report.chunks_embedded,
        chunks_cached=report.chunks_cached,
        seconds=round(report.seconds, 3),
        failures=[IngestFailure(source_id=o.source_id, reason=o.reason) for o in report.failed],
    )


def _tenant(caller: Caller, asked: str | None, svc: Services) -> str:
    """The tenant an admin request works on. A key bound to a tenant works on that tenant
    only (another tenant's source is 404, as if it did not exist); a national admin key (the
    network's operator) may name any tenant."""
    if caller.key is not None and caller.tenant:
        if asked not in (None, caller.tenant):
            raise ApiProblem(403, "tenant")
        return caller.tenant
    return svc.settings.tenant if asked is None else asked


def _run(
    svc: Services, path: Path, doc_type: str | None, tenant: str | None, prune: bool | None
) -> IngestResult:
    with svc.ingest_lock:
        ingestor = _ingestor(svc)
        try:
            with ingestor.manifest.exclusive():  # and across machines (shared database)
                report = ingestor.run([path], doc_type=doc_type, tenant=tenant, prune=prune)
        except (IngestInputError, StoreError) as exc:
            raise ApiProblem(422, "ingest_input", reason=str(exc)) from exc
        finally:
            _close(ingestor)
        if report.changed:
            svc.content_changed()
    svc.ingest_done(report)
    return _result(report)


def _safe_name(filename: str | None) -> str:
    name = Path((filename or "").replace("\\", "/")).name
    name = re.sub(r"[^\w.\-+ ]", "_", name).strip(" .")
    return name[:200] or "upload"


async def _save_upload(svc: Services, upload: UploadFile) -> Path:
    folder = svc.uploads_dir
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _safe_name(upload.filename)
    with target.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            out.write(chunk)
    return target


def _form_text(value: Any, limit: int) -> str | None:
    if value is None or isinstance(value, UploadFile):
        return None
    text = str(value).strip()
    return text[:limit] or None


@router.post(
    "/ingest",
    response_model=IngestResult,
    responses=problem_responses(400, 401, 403, 413, 415, 422, 429, 500, 503),
    summary="Ingest a path on the server, or an uploaded file",
    description='JSON `{"path": ...}` ingests a file, folder or archive the server can read; '
    "multipart/form-data with a `file` uploads one document (or a .tar.bz2 archive), stored in "
    "the data dir's uploads/ and ingested under its file name. Returns the ingest summary; the "
    "next question already sees the change.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/IngestPath"}},
                "multipart/form-data": {"schema": _UPLOAD_SCHEMA},
            },
        }
    },
)
async def ingest(request: Request, caller: AdminCaller) -> IngestResult:
    import anyio

    svc = services(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = IngestPath.model_validate_json(await request.body())
        except ValidationError as exc:
            from fastapi.exceptions import RequestValidationError

            raise RequestValidationError(exc.errors()) from exc
        path = Path(body.path).expanduser()
        tenant = _tenant(caller, body.tenant, svc)
        return await anyio.to_thread.run_sync(_run, svc, path, body.doc_type, tenant, body.prune)
    if content_type == "multipart/form-data":
        async with request.form() as form:  # closes the spooled upload afterwards
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise ApiProblem(
                    422,
                    "ingest_body",
                    errors=[FieldProblem(field="file", message="required", type="missing")],
                )
            saved = await _save_upload(svc, upload)
            doc_type = _form_text(form.get("doc_type"), 40)
            tenant = _tenant(caller, _form_text(form.get("tenant"), 100), svc)
        return await anyio.to_thread.run_sync(_run, svc, saved, doc_type, tenant, False)
    raise ApiProblem(415, "media_type", media_type=content_type or "(none)")


@router.delete(
    "/sources/{source_id:path}",
    response_model=RemoveResult,
    responses=problem_responses(401, 403, 404, 422, 429, 500, 503),
    summary="Remove a source and its passages",
)
def remove_source(
    source_id: str,
    request: Request,
    caller: AdminCaller,
    tenant: str | None = Query(default=None, max_length=100, description="Default: the server's."),
) -> RemoveResult:
    svc = services(request)
    if caller.key is not None and caller.tenant and tenant not in (None, caller.tenant):
        raise ApiProblem(404, "source_not_found", source_id=source_id[:300])
    tenant = _tenant(caller, tenant, svc)
    with svc.ingest_lock:
        ingestor = _ingestor(svc)
        try:
            with ingestor.manifest.exclusive():
                removed = ingestor.remove_source(source_id, tenant)
        except IngestInputError as exc:
            raise ApiProblem(404, "source_not_found", source_id=source_id[:300]) from exc
        finally:
            _close(ingestor)
        svc.content_changed()
    return RemoveResult(source_id=source_id, tenant=tenant, chunks_removed=removed)
