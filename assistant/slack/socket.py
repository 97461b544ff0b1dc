"""Slack over Socket Mode (`regelrett slack`): the bot opens a WebSocket to Slack, so no
inbound traffic is needed. The same Bolt app and listeners as over HTTP; each envelope is
acknowledged at once and answered after.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from assistant.api.feedback import FeedbackStore
from assistant.audit.recorder import Recorder
from assistant.redis_link import RedisLink
from assistant.settings import Settings
from assistant.slack.app import build_app, web_client
from assistant.slack.bot import SlackBot
from assistant.slack.ratelimit import SlackLimits
from assistant.slack.state import SlackState
from assistant.wiring import open_assistant

log = logging.getLogger("regelrett.slack")


def socket_handler(bot: SlackBot, client: WebClient | None = None) -> SocketModeHandler:
    """Bolt's built-in Socket Mode adapter around the bot (`slack.app_token`)."""
    token = bot.settings.slack.app_token
    if not token:
        raise ValueError("slack.app_token (xapp-...) is needed for Socket Mode")
    app = build_app(bot, client=client, socket_mode=True)
    return SocketModeHandler(app, app_token=token.get_secret_value())


@contextmanager
def open_bot(settings: Settings) -> Iterator[SlackBot]:
    """The core (store, embedder, Assistant, warmed up) and the bot's stores, for a process of
    its own."""
    feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    recorder = Recorder.for_settings(settings)
    redis = RedisLink.from_settings(settings)
    state = SlackState.for_settings(settings, redis)
    with open_assistant(settings) as assistant:
        assistant.warm_up()
        try:
            yield SlackBot(
                settings=settings,
                assistant=lambda: assistant,
                feedback=feedback,
                state=state,
                limits=SlackLimits(settings.slack, redis),
                recorder=recorder,
            )
        finally:
            feedback.close()
            recorder.close()
            state.close()
            if redis is not None:
                redis.close()


def run_socket_mode(
    settings: Settings, stop: threading.Event, client: WebClient | None = None
) -> None:
    """Connect and answer until `stop` is set."""
    client = client or web_client(settings)
    with open_bot(settings) as bot:
        handler = socket_handler(bot, client)
        handler.connect()
        log.info("slack: connected in Socket Mode")
        try:
            stop.wait()
        finally:
            handler.close()
