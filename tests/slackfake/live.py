"""The FastAPI app with its Slack endpoints, served by a live uvicorn on 127.0.0.1, and
settings that point the bot at the fake Slack."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from assistant.server import create_app
from assistant.settings import Settings, SlackSettings
from tests.chroma_server import free_port
from tests.slackfake.slack import SECRET
from tests.slackfake.webapi import FakeSlack

ADVISERS = "C0JURIST"
DIGEST = "C0NYTT"
PUBLIC = "https://regelrett.test"


def slack_settings(base: Settings, fake: FakeSlack, **slack: Any) -> Settings:
    """`base` with the bot configured against `fake` (no rate limits unless asked)."""
    values: dict[str, Any] = {
        "bot_token": "xoxb-test-token",
        "app_token": "xapp-test-token",
        "signing_secret": SECRET,
        "advisers_channel": ADVISERS,
        "digest_channel": DIGEST,
        "public_base_url": PUBLIC,
        "api_base_url": fake.base_url,
        "rate_per_minute_user": 0,
        "rate_per_minute_channel": 0,
        **slack,
    }
    return base.model_copy(update={"slack": SlackSettings(**values)})


@contextmanager
def live_app(settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    """`create_app(settings)` under uvicorn on a free port, started and warmed up."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            try:
                if httpx.get(url + "/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        yield url, app
    finally:
        server.should_exit = True
        thread.join(30)
