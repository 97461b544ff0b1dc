"""Questions from Slack: an @mention in a channel (answered in its thread), a direct message,
and the slash command `/regelrett`. Each is acknowledged at once (Bolt acks events before the
listener runs; the command acks first thing) and answered after, in a worker thread.

Whatever goes wrong, the user gets a short message: never silence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.slack.blocks import Message, notice_message, render_answer
from assistant.slack.bot import NotReady, SlackBot, language, slack_id
from assistant.slack.dedupe import message_key
from assistant.slack.mrkdwn import to_plain
from assistant.slack.texts import t

log = logging.getLogger("regelrett.slack")

THREAD_HISTORY = 50  # messages of a thread read for a follow-up's context


def thread_question(
    client: WebClient, channel: str, thread_ts: str, current_ts: str, bot_user: str | None
) -> str:
    """The question a thread is about, for a follow-up in it: the thread's first message and
    the latest earlier message that asked the bot, as plain text (bots' messages skipped)."""
    try:
        resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=THREAD_HISTORY)
    except SlackApiError as exc:
        log.warning("slack: no thread context (%s)", exc.response.get("error"))
        return ""
    messages = [
        m
        for m in resp.get("messages") or []
        if not m.get("bot_id") and not m.get("subtype") and _before(m.get("ts"), current_ts)
    ]
    root = next((m for m in messages if m.get("ts") == thread_ts), None)
    asked = [
        m
        for m in messages
        if m is not root and bot_user and f"<@{bot_user}>" in str(m.get("text", ""))
    ]
    parts = [root, asked[-1] if asked else None]
    texts = [to_plain(str(m.get("text", "")), bot_user) for m in parts if m is not None]
    return "\n".join(x for x in texts if x)


def _before(ts: object, current: str) -> bool:
    try:
        return float(str(ts)) < float(current)
    except ValueError:
        return False


def compose(context: str, text: str, limit: int) -> str:
    """The follow-up with the thread's question before it, within `limit` characters."""
    if not context:
        return text
    if not text:
        return context[-limit:]
    room = limit - len(text) - 1
    return f"{context[-room:]}\n{text}" if room > 0 else text


def answer_message(
    bot: SlackBot,
    event: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    direct: bool,
) -> None:
    """Answer a mention (in its thread) or a direct message (where it was written)."""
    channel, ts = slack_id(event.get("channel")), str(event.get("ts", ""))
    user, team = slack_id(event.get("user")), slack_id(context.team_id or event.get("team"))
    if not channel or not ts or not bot.state.claim(message_key(channel, ts)):
        return
    thread_ts = event.get("thread_ts") or (None if direct else ts)
    bot_user = context.bot_user_id
    text = to_plain(str(event.get("text", "")), bot_user)
    lang = language(text)

    def post(message: Message) -> None:
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            **message.kwargs(),
        )

    def notice(key: str, **values: object) -> None:
        post(notice_message(t(lang, key, **values)))

    wait = bot.limits.check(team, user, channel)
    if wait:
        if direct:
            notice("rate_limited", seconds=wait)
        else:
            client.chat_postEphemeral(
                channel=channel,
                user=user,
                thread_ts=thread_ts,
                text=t(lang, "rate_limited", seconds=wait),
            )
        return
    if len(text) > bot.max_chars:
        notice("too_long", max=bot.max_chars)
        return
    follows = event.get("thread_ts") and event.get("thread_ts") != ts
    earlier = thread_question(client, channel, str(thread_ts), ts, bot_user) if follows else ""
    question = compose(earlier, text, bot.max_chars)
    if not question:
        notice("help")
        return
    guarded(
        lambda: post(
            render_answer(bot.ask(question, team, channel, lang if text else None), bot.base)
        ),
        lambda key: notice(key),
    )


def guarded(work: Callable[[], object], tell: Callable[[str], object]) -> None:
    """Run `work`; on failure tell the user (not ready, or an error) and log it."""
    try:
        work()
        return
    except NotReady as exc:
        log.warning("slack: not ready: %s", exc)
        key = "not_ready"
    except Exception:
        log.exception("slack: answering failed")
        key = "error"
    try:
        tell(key)
    except Exception:
        log.exception("slack: could not tell the user that answering failed")


def on_mention(bot: SlackBot) -> Callable[..., None]:
    def app_mention(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if event.get("bot_id") or event.get("subtype"):
            return
        direct = str(event.get("channel", "")).startswith("D")
        answer_message(bot, event, context, client, direct=direct)

    return app_mention


def on_message(bot: SlackBot) -> Callable[..., None]:
    def message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        # only direct messages to the bot: new ones written by people (no edits, no bots)
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        answer_message(bot, event, context, client, direct=True)

    return message


def on_command(bot: SlackBot) -> Callable[..., None]:
    def command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = to_plain(str(command.get("text", "")))
        lang = language(text)
        team = slack_id(command.get("team_id"))
        user, channel = slack_id(command.get("user_id")), slack_id(command.get("channel_id"))
        if not text:
            ack(text=t(lang, "help_command"), response_type="ephemeral")
            return
        if len(text) > bot.max_chars:
            ack(text=t(lang, "too_long", max=bot.max_chars), response_type="ephemeral")
            return
        wait = bot.limits.check(team, user, channel)
        if wait:
            ack(text=t(lang, "rate_limited", seconds=wait), response_type="ephemeral")
            return
        ack(text=t(lang, "working"), response_type="ephemeral")  # within Slack's 3 seconds
        visibility = bot.settings.slack.slash_visibility

        def work() -> None:
            answer = bot.ask(text, team, channel, lang)
            message = render_answer(answer, bot.base, question=answer.question)
            respond(
                **message.kwargs(),
                response_type=visibility,
                replace_original=visibility == "ephemeral",
            )

        guarded(
            work,
            lambda key: respond(
                text=t(lang, key), response_type="ephemeral", replace_original=True
            ),
        )

    return command
