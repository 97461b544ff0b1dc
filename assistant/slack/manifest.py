"""The Slack app manifest (`manifest.yaml` beside this file), for Socket Mode or, given the
service's public address, for HTTP mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).with_name("manifest.yaml")


def load_manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return data


def manifest_for(url: str | None = None) -> dict[str, Any]:
    """The manifest as is (Socket Mode), or with Request URLs under `url` (HTTP mode)."""
    data = load_manifest()
    if not url:
        return data
    base = url.rstrip("/")
    settings = data["settings"]
    settings["socket_mode_enabled"] = False
    settings["event_subscriptions"]["request_url"] = f"{base}/slack/events"
    settings["interactivity"]["request_url"] = f"{base}/slack/interactions"
    for command in data["features"]["slash_commands"]:
        command["url"] = f"{base}/slack/commands"
    return data


def manifest_text(url: str | None = None) -> str:
    return yaml.safe_dump(manifest_for(url), allow_unicode=True, sort_keys=False)
