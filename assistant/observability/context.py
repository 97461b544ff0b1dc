"""The request id of the work in progress (a context variable: it follows a request into the
worker threads anyio starts, and into every log line written there)."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("regelrett_request_id", default=None)

_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(given: str | None) -> str:
    """A caller's X-Request-ID when it is a plain token of at most 128 characters (so it can
    go into logs as is), else a fresh one."""
    if given and _VALID.fullmatch(given):
        return given
    return new_request_id()


def current_request_id() -> str | None:
    return request_id.get()
