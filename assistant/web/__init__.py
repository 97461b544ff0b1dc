"""The web surface: the embeddable widget, the demo page and the passage viewer.

`mount_web(app, settings)` adds these routes to the app built by `assistant.server.create_app`.
"""

from __future__ import annotations

from fastapi import FastAPI

from assistant.settings import Settings


def mount_web(app: FastAPI, settings: Settings) -> None:
    """Add the widget, demo page and passage viewer routes (being built under issue 4)."""
    del app, settings


__all__ = ["mount_web"]
