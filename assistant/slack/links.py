"""Links from Slack messages to the passage view of the web service (`/sources/view`)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from assistant.settings import Settings


def base_url(settings: Settings) -> str:
    """`slack.public_base_url`, else the address `regelrett serve` listens on."""
    configured = settings.slack.public_base_url
    if configured:
        return configured.rstrip("/")
    host, port = settings.server.host, settings.server.port
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def view_url(
    base: str,
    source_id: str,
    section: str = "",
    chunk: str = "",
    lang: str = "nb",
) -> str:
    """The passage view of a cited chunk (its section, the chunk marked), or of a whole
    source when only `source_id` is given."""
    query = {"source": source_id}
    if section:
        query["section"] = section
    if chunk:
        query["chunk"] = chunk
    query["lang"] = lang
    return f"{base}/sources/view?{urlencode(query)}"


def official_url(url: str | None) -> str | None:
    """A source's own http(s) address, or None (no other schemes reach a message)."""
    value = str(url or "")
    return value if urlsplit(value).scheme in {"http", "https"} else None
