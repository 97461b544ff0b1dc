"""POST /v1/feedback: a thumbs up or down on an answer, with an optional comment."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from assistant.api.auth import AskCaller
from assistant.api.models import FeedbackCreated, FeedbackIn
from assistant.api.problems import problem_responses
from assistant.api.services import services

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post(
    "/feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackCreated,
    responses=problem_responses(400, 401, 403, 413, 422, 429, 500),
    summary="Rate an answer",
    description="Stored with personal data in the comment masked.",
)
def post_feedback(body: FeedbackIn, request: Request, caller: AskCaller) -> FeedbackCreated:
    svc = services(request)
    item = svc.feedback.add(body.answer_id, body.rating, body.comment, caller.key_id, caller.tenant)
    surface = "widget" if caller.key is not None and caller.key.kind == "widget" else "api"
    svc.recorder.feedback(
        body.answer_id,
        body.rating,
        body.comment,
        surface=surface,
        tenant=caller.tenant,
        key_id=caller.key_id,
    )
    return FeedbackCreated(id=item.id)
