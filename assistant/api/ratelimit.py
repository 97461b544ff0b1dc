"""In-memory token buckets: per API key and per client IP, in one server process.

A bucket holds `per_minute` tokens and refills at `per_minute / 60` tokens a second, so a client
may burst up to a minute's worth and then goes at the sustained rate. With several server
processes each keeps its own buckets (the limit is then per process).
"""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
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
