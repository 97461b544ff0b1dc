"""Token buckets: per API key and per client IP (and, in assistant.slack, per Slack user and
channel).

A bucket holds `per_minute` tokens and refills at `per_minute / 60` tokens a second, so a client
may burst up to a minute's worth and then goes at the sustained rate.

- `RateLimiter`: in memory, in one process. With several server processes each keeps its own
  buckets (the limit is then per process).
- `RedisRateLimiter`: the same bucket kept in Redis (`REGELRETT_REDIS_URL`), taken atomically by
  a Lua script with Redis's own clock, so every process on every machine shares it. When Redis
  does not answer, it falls back to a per-process `RateLimiter` (assistant.redis_link says
  how, and for how long).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol

from assistant.redis_link import RedisLink, RedisUnavailable


class Limiter(Protocol):
    """Take one token for a bucket: 0 when allowed, else the seconds to wait."""

    per_minute: int
    remote: bool  # True when a hit may wait on the network (call it off the event loop)

    @property
    def enabled(self) -> bool: ...

    def hit(self, key: str) -> int: ...


class RateLimiter:
    remote = False

    def __init__(self, per_minute: int, max_entries: int = 50_000) -> None:
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.max_entries = max_entries
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last time)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def hit(self, key: str, now: float | None = None) -> int:
        """Take one token for `key`. Returns 0 when allowed, else the seconds to wait."""
        if not self.enabled:
            return 0
        now = time.monotonic() if now is None else now
        capacity = float(self.per_minute)
        with self._lock:
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self.max_entries:
                    self._prune(now)
                return 0
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _prune(self, now: float) -> None:
        """Drop buckets that have refilled completely (they hold no state worth keeping)."""
        full = [
            k
            for k, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * self.rate >= self.per_minute
        ]
        for k in full:
            del self._buckets[k]


# KEYS[1]: the bucket; ARGV[1]: its capacity (per minute); ARGV[2]: tokens per second.
# Returns 0 when a token was taken, else the whole seconds until one is there. Redis's clock,
# not the callers', so processes on machines whose clocks differ still agree.
_BUCKET = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return wait
"""


class RedisRateLimiter:
    """A token bucket per key in Redis, shared by every process that uses the same Redis and
    key prefix. `name` keeps the kinds of limit apart (`api-ip`, `api-key`, `slack-user`, ...)."""

    remote = True

    def __init__(
        self, link: RedisLink, name: str, per_minute: int, fallback: RateLimiter | None = None
    ) -> None:
        self.link = link
        self.name = name
        self.per_minute = per_minute
        self.fallback = fallback or RateLimiter(per_minute)

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def hit(self, key: str) -> int:
        if not self.enabled:
            return 0
        bucket = self.link.key("rate", self.name, key)
        args = [self.per_minute, self.per_minute / 60.0]
        try:
            script = self.link.script(_BUCKET)
            wait = self.link.run("rate limit", lambda r: script(keys=[bucket], args=args, client=r))
        except RedisUnavailable:
            self.link.fallback(self.name)
            return self.fallback.hit(key)
        return int(wait)


def make_limiter(per_minute: int, name: str, link: RedisLink | None) -> Limiter:
    """Shared through Redis when there is a link, else in this process."""
    if link is None:
        return RateLimiter(per_minute)
    return RedisRateLimiter(link, name, per_minute)
