"""Slack text in and out: escaping for mrkdwn, and a message's text as a plain question.

Slack treats `<…>` as links, user and channel mentions and `<!channel>` broadcasts, and `&`
starts an entity (Slack's "formatting" docs: escape `&`, `<` and `>` as `&amp;`, `&lt;`,
`&gt;`). Source and answer text is escaped before it goes into a message, so a passage that
contains `<!channel>` or `<https://evil|here>` shows as text and links nowhere.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"[<>&]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ANGLE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_SPACES = re.compile(r"[ \t\u00a0]+")


def escape(text: str) -> str:
    """Text shown as itself in mrkdwn (no links, mentions or broadcasts)."""
    return _SPECIAL.sub(lambda m: _ENTITIES[m.group(0)], text)


def link(url: str, label: str) -> str:
    """`<url|label>`: the label escaped; `|` and `>` in the URL percent-encoded."""
    safe = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe}|{escape(label).replace('|', '¦')}>"


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space where possible, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def to_plain(text: str, bot_user_id: str | None = None) -> str:
    """A Slack message's text as a plain question: the bot's own mention removed, other
    mentions, channels and links as their labels, entities decoded, spaces collapsed."""

    def plain(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("@"):
            return "" if target[1:] == bot_user_id else "@" + (label or "person")
        if target.startswith("#"):
            return "#" + (label or "kanal")
        if target.startswith("!"):
            # <!here>, <!channel>: nothing to search for; <!date^…|fallback>: the fallback
            return label or ""
        return label or target

    out = _ANGLE.sub(plain, text)
    out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    lines = [_SPACES.sub(" ", line).strip() for line in out.splitlines()]
    return "\n".join(line for line in lines if line).strip()
