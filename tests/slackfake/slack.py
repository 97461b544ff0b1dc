"""Requests as Slack sends them: Events API callbacks (JSON), slash commands and interaction
payloads (form-encoded), signed with the app's signing secret: `X-Slack-Signature: v0=` +
HMAC-SHA256(secret, `v0:{X-Slack-Request-Timestamp}:{body}`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.slackfake.webapi import BOT_USER, TEAM

APP_ID = "A0REGELRETT"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
USER = "U0KARI"
OTHER_USER = "U0OLA"
CHANNEL = "C0ALLMENN"
DM = "D0KARI"

_ts = [1_760_000_000]


def next_ts() -> str:
    """A fresh message timestamp, as Slack writes them."""
    _ts[0] += 1
    return f"{_ts[0]}.000100"


def sign(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def event_callback(event: dict[str, Any], event_id: str) -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {"enterprise_id": None, "team_id": TEAM, "user_id": BOT_USER, "is_bot": True}
            ],
            "is_ext_shared_channel": False,
        }
    )


def mention(
    text: str,
    ts: str,
    channel: str = CHANNEL,
    user: str = USER,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "team": TEAM,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(text: str, ts: str, channel: str = DM, user: str = USER) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "team": TEAM,
        "channel": channel,
        "event_ts": ts,
        "client_msg_id": f"msg-{ts}",
    }


def command(text: str, response_url: str, channel: str = CHANNEL, user: str = USER) -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "heggvik",
            "channel_id": channel,
            "channel_name": "allment",
            "user_id": user,
            "user_name": "kari",
            "command": "/regelrett",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "1337.42.abcd",
        }
    )


def block_action(
    action_id: str,
    value: str,
    block_id: str,
    response_url: str,
    message: dict[str, Any] | None = None,
    channel: str = CHANNEL,
    user: str = USER,
) -> str:
    """A button press on `message` (None: on an ephemeral message, which Slack does not
    include)."""
    container: dict[str, Any] = {"type": "message", "channel_id": channel}
    if message is None:
        container.update({"message_ts": next_ts(), "is_ephemeral": True})
    else:
        container.update({"message_ts": message["ts"], "is_ephemeral": False})
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "kari", "name": "kari", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": "1337.42.efgh",
        "team": {"id": TEAM, "domain": "heggvik"},
        "channel": {"id": channel, "name": "allment"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
    if message is not None:
        payload["message"] = message
    return urlencode({"payload": json.dumps(payload)})
