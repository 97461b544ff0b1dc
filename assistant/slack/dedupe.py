"""Slack delivers an event again when it did not get a 200 within 3 seconds, or got an error
(`X-Slack-Retry-Num` and `X-Slack-Retry-Reason` over HTTP, `retry_attempt` in Socket Mode). A
retried event carries the same `event_id`; a message can also arrive as two events (a mention
in a direct message is both `app_mention` and `message.im`). Both are claimed once in
`SlackState`, so neither produces a second answer. A retry of an event never seen (the first
delivery did not reach us) is answered normally.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from assistant.slack.state import SlackState

log = logging.getLogger("regelrett.slack")


def event_key(body: dict[str, Any]) -> str | None:
    event_id = body.get("event_id")
    if body.get("type") == "event_callback" and isinstance(event_id, str) and event_id:
        return f"event:{event_id}"
    return None


def message_key(channel: str, ts: str) -> str:
    return f"message:{channel}:{ts}"


def retry_of(request: BoltRequest) -> int:
    """The delivery attempt Slack says this is (0 for the first)."""
    values = request.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except ValueError:
        return 0


def dedupe_middleware(state: SlackState) -> Callable[..., BoltResponse | None]:
    """A Bolt global middleware: an event seen before is acknowledged and dropped. It runs
    after signature verification, so an unsigned request cannot mark an event as seen."""

    def dedupe(body: dict[str, Any], request: BoltRequest, next: Callable[[], None]) -> Any:
        key = event_key(body)
        if key is None:
            return next()
        try:
            first = state.claim(key)
        except Exception:  # answering twice is better than not at all
            log.exception("slack: could not record event %s", key)
            first = True
        if first:
            return next()
        log.info(
            "slack: %s again (retry %d): acknowledged, not answered again", key, retry_of(request)
        )
        return BoltResponse(status=200, body="")

    return dedupe
