"""Slack over HTTP, in the FastAPI app: `POST /slack/events` (Events API),
`/slack/commands` (the slash command) and `/slack/interactions` (buttons). Bolt tells them
apart by their body, so any of the three takes any request.

Every request must be signed with the app's signing secret (`X-Slack-Signature`, HMAC-SHA256
of `v0:{timestamp}:{body}`) and not be older than five minutes (`X-Slack-Request-Timestamp`);
Bolt's RequestVerification answers 401 otherwise. The dispatch runs in a worker thread and
returns as soon as the request is acknowledged; answers are computed after.
"""

from __future__ import annotations

import logging

import anyio
from fastapi import APIRouter, FastAPI, Request, Response

from assistant.answer import Assistant
from assistant.settings import Settings

PATHS = ("/slack/events", "/slack/commands", "/slack/interactions")

log = logging.getLogger("regelrett.slack")


def mount_slack(app: FastAPI, settings: Settings) -> None:
    """Add the Slack endpoints when `slack.bot_token` and `slack.signing_secret` are set, and
    the digest after admin ingests when `slack.bot_token` and `slack.digest_channel` are."""
    s = settings.slack
    services = app.state.services
    if s.bot_token and s.digest_channel:
        from assistant.slack.digest import digest_hook

        services.after_ingest.append(digest_hook(settings))
    if not (s.bot_token and s.signing_secret):
        return

    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

    from assistant.api.problems import ApiProblem
    from assistant.slack.app import build_app
    from assistant.slack.bot import NotReady, SlackBot
    from assistant.slack.ratelimit import SlackLimits
    from assistant.slack.state import SlackState

    def assistant() -> Assistant:
        try:
            return services.ready_assistant()
        except ApiProblem as exc:
            raise NotReady(str(exc.params.get("reason") or exc.key)) from exc

    bot = SlackBot(
        settings=settings,
        assistant=assistant,
        feedback=services.feedback,
        # shared with the other processes through Redis and the shared database, when set
        state=SlackState.for_settings(settings, services.redis),
        limits=SlackLimits(s, services.redis),
        recorder=services.recorder,
    )
    bolt = build_app(bot)
    app.state.slack = bolt

    async def slack(request: Request) -> Response:
        body = await request.body()
        bolt_response = await anyio.to_thread.run_sync(
            bolt.dispatch, to_bolt_request(request, body)
        )
        return to_starlette_response(bolt_response)

    router = APIRouter(include_in_schema=False)
    for path in PATHS:
        router.add_api_route(path, slack, methods=["POST"])
    app.include_router(router)
    log.info("slack: HTTP endpoints at %s", ", ".join(PATHS))
