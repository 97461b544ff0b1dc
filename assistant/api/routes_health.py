"""GET /healthz (the process is alive), GET /readyz (store, embedder and index ready; the
audit log's and Redis's state) and GET /metrics (Prometheus, not in the OpenAPI document)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from assistant.api.services import services
from assistant.observability.metrics import CONTENT_TYPE_LATEST

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Ready(BaseModel):
    status: str = Field(examples=["ready"])
    chunks: int | None = Field(default=None, description="Passages in the index.")
    embedder: str | None = None
    reason: str | None = Field(default=None, description="Why the service is not ready.")
    audit: str | None = Field(
        default=None,
        description="'ok', or 'degraded: <why>' when the audit database cannot be written "
        "(answers are still served; see docs/deployment.md).",
    )
    redis: str | None = Field(
        default=None,
        description="With REGELRETT_REDIS_URL: 'ok', or 'degraded: <why>' when Redis does not "
        "answer (rate limits then hold per process; answers are still served; see "
        "docs/deployment.md).",
    )


@router.get("/healthz", response_model=Health, summary="Alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=Ready,
    response_model_exclude_none=True,
    responses={503: {"model": Ready, "description": "Not ready; `reason` says why."}},
    summary="Ready to answer: store open, embedder loaded, index loaded",
)
def readyz(request: Request) -> JSONResponse:
    svc = services(request)
    reason = svc.readiness()
    if reason is not None or svc.store is None or svc.embedder is None:
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
    try:
        chunks = svc.store.count()
    except Exception as exc:  # a Chroma server that went away after start
        reason = svc.store_down(exc)
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
    body = {"status": "ready", "chunks": chunks, "embedder": svc.embedder.id}
    if svc.recorder.audit is not None:
        degraded = svc.recorder.degraded
        body["audit"] = f"degraded: {degraded}" if degraded else "ok"
    if svc.redis is not None:
        trouble = svc.redis.check()
        body["redis"] = f"degraded: {trouble}" if trouble else "ok"
    return JSONResponse(body)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text format: counts and latencies only, never question text."""
    return Response(services(request).metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
