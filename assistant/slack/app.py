"""The Bolt app: built from settings, a `SlackBot` (the way to `answer()`, the feedback store,
the bot's memory) and a Web API client. Used by both transports: `assistant.slack.http` (the
Events API, slash command and interactivity over HTTP, in the FastAPI app) and
`assistant.slack.socket` (Socket Mode). Building it makes no network call.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from assistant.settings import Settings
from assistant.slack.actions import on_escalate, on_feedback
from assistant.slack.blocks import ESCALATE, FEEDBACK_DOWN, FEEDBACK_UP
from assistant.slack.bot import SlackBot
from assistant.slack.dedupe import dedupe_middleware
from assistant.slack.handlers import on_command, on_mention, on_message

COMMAND = "/regelrett"
WORKERS = 4  # answers computed at once per process (the rest wait; each is acked already)
API_TIMEOUT_S = 10

log = logging.getLogger("regelrett.slack")


def web_client(settings: Settings) -> WebClient:
    """The bot's Web API client (`slack.bot_token`, `slack.api_base_url`)."""
    s = settings.slack
    token = s.bot_token.get_secret_value() if s.bot_token else None
    if s.api_base_url:
        base = s.api_base_url.rstrip("/") + "/"
        return WebClient(token=token, base_url=base, timeout=API_TIMEOUT_S)
    return WebClient(token=token, timeout=API_TIMEOUT_S)


def build_app(bot: SlackBot, client: WebClient | None = None, socket_mode: bool = False) -> App:
    """The Bolt app with the bot's listeners. Over HTTP every request must carry a valid
    Slack signature (Bolt's RequestVerification: 401 otherwise); Socket Mode needs none."""
    s = bot.settings.slack
    secret = s.signing_secret.get_secret_value() if s.signing_secret else ""
    if not socket_mode and not secret:
        raise ValueError("slack.signing_secret is needed to receive Slack requests over HTTP")
    bolt_log = logging.getLogger("regelrett.slack.bolt")
    if bolt_log.level == logging.NOTSET:
        # Bolt logs request bodies (the question, unmasked) at INFO and DEBUG
        bolt_log.setLevel(logging.WARNING)
    app = App(
        name="regelrett",
        client=client or web_client(bot.settings),
        signing_secret=secret,
        request_verification_enabled=not socket_mode,
        # auth.test runs on the first request instead of here, so building stays offline
        token_verification_enabled=False,
        # ack first, answer after: listeners run in the executor below
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="slack"),
        logger=bolt_log,
    )
    app.use(dedupe_middleware(bot.state))
    app.event("app_mention")(on_mention(bot))
    app.event("message")(on_message(bot))
    app.command(COMMAND)(on_command(bot))
    app.action(FEEDBACK_UP)(on_feedback(bot))
    app.action(FEEDBACK_DOWN)(on_feedback(bot))
    app.action(ESCALATE)(on_escalate(bot))
    return app
