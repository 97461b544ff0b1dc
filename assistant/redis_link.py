"""The link to Redis, for what several server processes must share at once: the rate limits
(API keys and client IPs, Slack users and channels) and the Slack bot's event dedupe.

When Redis is away. A call that fails (refused, timed out, a broken connection) makes the link
*degraded*: the reason is kept for /readyz, a warning is logged, and for `PAUSE_S` seconds no
call is even tried, so a Redis that hangs costs at most one timeout (`redis.timeout_s`, default
0.25 s) per pause, not one per request. The callers then fall back to their own per-process
state (each process limits on its own; dedupe in the local or shared database) and count it in
`regelrett_redis_fallbacks_total`. The first call after the pause tries Redis again; when it
answers, the link is healthy again and says so in the log. We never refuse a question because
Redis is away: the limits protect capacity, and per-process limits still bound it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from assistant.settings import Settings

log = logging.getLogger("regelrett.redis")

PAUSE_S = 5.0
T = TypeVar("T")


class RedisUnavailable(Exception):
    """Redis did not answer (or is paused after it did not); the caller falls back."""


def display_url(url: str) -> str:
    """The URL without its password, for logs and /readyz."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class RedisLink:
    """One Redis client (a connection pool) per process. Cheap to construct: nothing connects
    until the first call. Thread-safe."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "regelrett:",
        timeout_s: float = 0.25,
        on_fallback: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.timeout_s = timeout_s
        self.on_fallback = on_fallback
        self.degraded: str | None = None
        self._client: redis.Redis | None = None
        self._scripts: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._pause_until = 0.0

    @classmethod
    def from_settings(
        cls, settings: Settings, on_fallback: Callable[[str], None] | None = None
    ) -> RedisLink | None:
        """The link when `redis.url` is set, else None (everything stays per process)."""
        url = settings.redis.url
        if url is None or not url.get_secret_value():
            return None
        return cls(
            url.get_secret_value(),
            prefix=settings.redis.prefix,
            timeout_s=settings.redis.timeout_s,
            on_fallback=on_fallback,
        )

    @property
    def where(self) -> str:
        return display_url(self.url)

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def _redis(self) -> redis.Redis:
        with self._lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self.url,
                    socket_timeout=self.timeout_s,
                    socket_connect_timeout=self.timeout_s,
                    # fail at once and fall back: a retry would only hold the request up
                    retry=Retry(NoBackoff(), 0),
                    decode_responses=True,
                )
            return self._client

    def script(self, source: str) -> Any:
        """A Lua script registered on this link's client (EVALSHA, loaded again if Redis
        restarted and forgot it)."""
        with self._lock:
            found = self._scripts.get(source)
        if found is None:
            found = self._redis().register_script(source)
            with self._lock:
                self._scripts[source] = found
        return found

    def run(self, what: str, work: Callable[[redis.Redis], T]) -> T:
        """Run `work` with the client; RedisUnavailable when Redis is paused or does not
        answer (the failure is logged and remembered)."""
        if time.monotonic() < self._pause_until:
            raise RedisUnavailable(self.degraded or "paused")
        try:
            result = work(self._redis())
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            self._failed(what, exc)
            raise RedisUnavailable(self.degraded or str(exc)) from exc
        except redis.ResponseError as exc:  # e.g. a read-only replica, OOM, a script error
            self._failed(what, exc)
            raise RedisUnavailable(self.degraded or str(exc)) from exc
        if self.degraded is not None:
            log.warning("redis: %s answers again; shared limits are back", self.where)
            self.degraded = None
        return result

    def _failed(self, what: str, exc: BaseException) -> None:
        first = self.degraded is None
        self.degraded = f"{type(exc).__name__}: {str(exc)[:200]}"
        self._pause_until = time.monotonic() + PAUSE_S
        log.warning(
            "redis: %s (%s) at %s: %s; %s",
            "unavailable" if first else "still unavailable",
            what,
            self.where,
            self.degraded,
            f"each process uses its own limits; trying again in {PAUSE_S:.0f} s",
        )

    def fallback(self, what: str) -> None:
        """Count one use of per-process state instead of Redis."""
        if self.on_fallback is not None:
            self.on_fallback(what)

    def check(self) -> str | None:
        """PING Redis now (unless paused): None when it answers, else why not."""
        try:
            self.run("ping", lambda r: r.ping())
        except RedisUnavailable as exc:
            return str(exc)
        return None

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
            self._scripts = {}
        if client is not None:
            client.close()
