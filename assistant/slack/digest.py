"""After an ingest that added or changed sources: "Nye og endrede kilder: …" in
`slack.digest_channel`, each source linked to its page in the passage view, so the network
hears of new rules as soon as they are indexed. Without a bot token or a digest channel
nothing is posted (and the log says so).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.settings import Settings
from assistant.slack.blocks import BLOCKS_MAX, TEXT_MAX, Message, sections
from assistant.slack.links import base_url, view_url
from assistant.slack.mrkdwn import escape, link, truncate
from assistant.slack.texts import t
from ingest.pipeline import IngestReport, Outcome

log = logging.getLogger("regelrett.slack")

LISTED = 40  # sources named in one digest; the rest are counted
LANG = "nb"


def digest_items(report: IngestReport, tenants: Collection[str] = ("",)) -> list[Outcome]:
    """Added and updated sources of the `tenants` (by default the national layer only: the
    digest channel is shared by the network), each once (the last outcome wins)."""
    items: dict[tuple[str, str], Outcome] = {}
    for o in report.outcomes:
        if o.action in {"added", "updated"} and o.tenant in tenants:
            items[(o.tenant, o.source_id)] = o
    return list(items.values())


def digest_tenants(settings: Settings) -> tuple[str, ...]:
    """Whose new sources the digest channel may hear of: the national layer, and the tenant the
    channel itself is mapped to in `slack.tenants` ('TEAM/CHANNEL'), if any. Another tenant's
    titles never reach a shared channel."""
    channel = settings.slack.digest_channel
    own = [t for key, t in settings.slack.tenants.items() if key.split("/")[-1] == channel]
    return tuple(dict.fromkeys(["", *own[:1]]))


def _name(o: Outcome) -> str:
    name = o.title or o.source_id
    return f"{name} ({o.tenant})" if o.tenant else name


def digest_message(items: Sequence[Outcome], base: str, lang: str = LANG) -> Message | None:
    if not items:
        return None
    shown = items[:LISTED]
    lines = [
        f"• {link(view_url(base, o.source_id, lang=lang), _name(o))} ({t(lang, o.action)})"
        for o in shown
    ]
    if len(items) > LISTED:
        lines.append(escape(t(lang, "more", n=len(items) - LISTED)))
    title = t(lang, "digest_title")
    text = truncate(f"{title} " + ", ".join(_name(o) for o in shown), TEXT_MAX)
    return Message(text=text, blocks=sections(lines, f"*{escape(title)}*")[:BLOCKS_MAX])


def post_digest(
    settings: Settings, report: IngestReport, client: WebClient | None = None
) -> str | None:
    """Post the digest of `report`. Returns a line saying how it went (for the CLI), or None
    when there was nothing to post or no digest channel is set up (only logged)."""
    items = digest_items(report, digest_tenants(settings))
    s = settings.slack
    if not items:
        return None
    if not (s.bot_token and s.digest_channel):
        log.info("slack: no digest (REGELRETT_SLACK_BOT_TOKEN or _DIGEST_CHANNEL unset)")
        return None
    message = digest_message(items, base_url(settings))
    assert message is not None
    if client is None:
        from assistant.slack.app import web_client

        client = web_client(settings)
    try:
        client.chat_postMessage(
            channel=s.digest_channel, unfurl_links=False, unfurl_media=False, **message.kwargs()
        )
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.error("slack: digest to %s failed: %s", s.digest_channel, error)
        return f"Slack: digest not posted to {s.digest_channel}: {error}"
    except OSError as exc:
        log.error("slack: digest to %s failed: %s", s.digest_channel, exc)
        return f"Slack: digest not posted to {s.digest_channel}: {exc}"
    log.info("slack: digest of %d sources posted to %s", len(items), s.digest_channel)
    return f"Slack: digest of {len(items)} new or changed sources posted to {s.digest_channel}"


def digest_hook(settings: Settings) -> Callable[[IngestReport], None]:
    """For the server's admin ingest: post the digest in the background, so the ingest
    response does not wait for Slack."""

    def after_ingest(report: IngestReport) -> None:
        if not digest_items(report, digest_tenants(settings)):
            return
        threading.Thread(
            target=post_digest, args=(settings, report), name="slack-digest", daemon=True
        ).start()

    return after_ingest
