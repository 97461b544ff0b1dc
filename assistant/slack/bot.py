"""What every Slack handler shares: the way to the core `answer()`, the feedback store, the
bot's memory, the rate limits, tenant mapping and links. No Slack calls here."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from uuid import uuid4

from assistant.answer import Assistant
from assistant.api.feedback import FeedbackStore
from assistant.audit.recorder import Recorder
from assistant.records import Answer
from assistant.retrieval import Filters
from assistant.retrieval.text import question_language
from assistant.settings import Settings
from assistant.slack.links import base_url
from assistant.slack.ratelimit import SlackLimits
from assistant.slack.state import SlackState

log = logging.getLogger("regelrett.slack")

_ID = re.compile(r"^[A-Z0-9]{2,32}$")
_ANSWER_ID = re.compile(r"^[0-9a-f]{32}$")


class NotReady(Exception):
    """The core cannot answer yet (store closed, warming up)."""


def slack_id(value: object) -> str:
    """A Slack user, channel or team id as given, or '' when it does not look like one (ids go
    into `<@…>` and `<#…>` links, so nothing else may pass)."""
    text = str(value or "")
    return text if _ID.match(text) else ""


def answer_id(value: object) -> str:
    text = str(value or "")
    return text if _ANSWER_ID.match(text) else ""


def language(text: str) -> str:
    """The language of the bot's own words for a question (the core's detection)."""
    return question_language(text) if text else "nb"


@dataclass
class SlackBot:
    settings: Settings
    assistant: Callable[[], Assistant]  # raises NotReady while the core cannot answer
    feedback: FeedbackStore
    state: SlackState
    limits: SlackLimits
    recorder: Recorder | None = None  # the audit log and metrics (the API's, when mounted)

    @property
    def base(self) -> str:
        return base_url(self.settings)

    @property
    def max_chars(self) -> int:
        return self.settings.server.max_question_chars

    def tenant_for(self, team: str, channel: str) -> str | None:
        """`slack.tenants`: 'TEAM/CHANNEL' first, then 'TEAM'; None when unmapped."""
        tenants = self.settings.slack.tenants
        return tenants.get(f"{team}/{channel}") or tenants.get(team) or None

    def ask(self, question: str, team: str, channel: str, lang: str | None = None) -> Answer:
        """The core's answer. A mapped workspace or channel searches its tenant's sources and
        the national layer (tenant ''); an unmapped one the national layer and the server's
        own tenant (REGELRETT_TENANT, usually none) only."""
        tenant = self.tenant_for(team, channel) or self.settings.tenant
        filters = Filters(tenants=(tenant, "")) if tenant else Filters()
        answer = self.assistant().answer(question, filters=filters, lang=lang)
        answer.request_id = answer.request_id or "slack-" + uuid4().hex
        if self.recorder is not None:
            self.recorder.answered(answer, surface="slack", tenant=tenant)
        try:
            self.state.remember(answer)
        except Exception:  # the answer still goes out; only its buttons lose their memory
            log.exception("slack: could not store answer %s", answer.id)
        log.info(
            "slack: answer %s in %s (%s, %s, %.0f ms)",
            answer.id,
            channel,
            "refused" if answer.refused else f"{len(answer.citations)} citations",
            tenant or "no tenant",
            answer.timings.get("total", 0.0) * 1000,
        )
        return answer

    def feedback_key(self, team: str, user: str) -> str:
        """Who rated, without the Slack user id: 'slack:' and a hash of team and user."""
        digest = hashlib.sha256(f"{team}/{user}".encode()).hexdigest()[:16]
        return f"slack:{digest}"
