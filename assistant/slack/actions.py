"""The buttons under an answer: "Nyttig" / "Ikke nyttig" (feedback on the answer, stored with
the API's feedback) and "Spør en jurist" (the question, the answer and its citations posted to
the legal advisers' channel). Each button carries the answer id as its value; the actions
block's id carries the answer's language.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.slack.blocks import (
    FEEDBACK_UP,
    lang_from_block,
    mark_escalated,
    render_escalation,
)
from assistant.slack.bot import SlackBot, answer_id, slack_id
from assistant.slack.texts import t

log = logging.getLogger("regelrett.slack")


class Click:
    """One button press: who, where, on which message, and how to answer only that user."""

    def __init__(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        self.body, self.client, self.respond = body, client, respond
        user = body.get("user") or {}
        container = body.get("container") or {}
        self.user = slack_id(user.get("id"))
        self.team = slack_id((body.get("team") or {}).get("id") or user.get("team_id"))
        self.channel = slack_id(
            (body.get("channel") or {}).get("id") or container.get("channel_id")
        )
        self.message: dict[str, Any] = body.get("message") or {}
        self.ephemeral = bool(container.get("is_ephemeral")) or not self.message
        self.answer_id = answer_id(action.get("value"))
        self.lang = lang_from_block(action.get("block_id"))

    def tell(self, key: str, **values: object) -> None:
        """A message only the user who pressed sees, in the answer's thread when it has one."""
        text = t(self.lang, key, **values)
        if self.ephemeral or not self.channel:
            self.respond(text=text, response_type="ephemeral", replace_original=False)
            return
        self.client.chat_postEphemeral(
            channel=self.channel,
            user=self.user,
            text=text,
            thread_ts=self.message.get("thread_ts"),
        )


def on_feedback(bot: SlackBot) -> Any:
    def feedback(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        click = Click(body, action, client, respond)
        rating = "up" if action.get("action_id") == FEEDBACK_UP else "down"
        if not click.answer_id:
            click.tell("feedback_failed")
            return
        try:
            key = bot.feedback_key(click.team, click.user)
            tenant = bot.tenant_for(click.team, click.channel) or bot.settings.tenant
            bot.feedback.add(click.answer_id, rating, None, key, tenant)
            if bot.recorder is not None:
                bot.recorder.feedback(
                    click.answer_id, rating, None, surface="slack", tenant=tenant, key_id=key
                )
        except Exception:
            log.exception("slack: could not store feedback on %s", click.answer_id)
            click.tell("feedback_failed")
            return
        log.info("slack: feedback %s on %s", rating, click.answer_id)
        click.tell("thanks")

    return feedback


def on_escalate(bot: SlackBot) -> Any:
    def escalate(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        click = Click(body, action, client, respond)
        advisers = slack_id(bot.settings.slack.advisers_channel)
        if not advisers:
            click.tell("no_advisers")
            return
        answer = bot.state.recall(click.answer_id) if click.answer_id else None
        if answer is None:
            click.tell("answer_gone")
            return
        if not bot.state.escalate(answer.id, click.user or "?"):
            click.tell("already_escalated")
            return
        permalink = None if click.ephemeral else _permalink(client, click)
        message = render_escalation(answer, bot.base, click.user, click.channel, permalink)
        try:
            client.chat_postMessage(
                channel=advisers, unfurl_links=False, unfurl_media=False, **message.kwargs()
            )
        except SlackApiError as exc:
            log.error("slack: escalation to %s failed: %s", advisers, exc.response.get("error"))
            bot.state.unescalate(answer.id)
            click.tell("escalation_failed")
            return
        log.info("slack: answer %s sent to the legal advisers", answer.id)
        if bot.recorder is not None:
            bot.recorder.escalated(
                answer.id,
                surface="slack",
                tenant=bot.tenant_for(click.team, click.channel) or bot.settings.tenant,
                by=bot.feedback_key(click.team, click.user),
                channel=click.channel,
            )
        click.tell("escalated", channel=advisers)
        if not click.ephemeral and click.message.get("blocks"):
            try:
                client.chat_update(
                    channel=click.channel,
                    ts=click.message["ts"],
                    text=click.message.get("text", ""),
                    blocks=mark_escalated(click.message["blocks"], click.user, click.lang),
                )
            except SlackApiError as exc:
                log.warning("slack: could not mark the answer: %s", exc.response.get("error"))

    return escalate


def _permalink(client: WebClient, click: Click) -> str | None:
    ts = click.message.get("ts")
    if not ts or not click.channel:
        return None
    try:
        link = client.chat_getPermalink(channel=click.channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.warning("slack: no permalink: %s", exc.response.get("error"))
        return None
    return str(link) if link else None
