"""Question limits per Slack user and per channel: the API's token buckets
(`assistant.api.ratelimit.RateLimiter`), one per kind, in each process."""

from __future__ import annotations

from assistant.api.ratelimit import RateLimiter
from assistant.settings import SlackSettings


class SlackLimits:
    def __init__(self, settings: SlackSettings) -> None:
        self.users = RateLimiter(settings.rate_per_minute_user)
        self.channels = RateLimiter(settings.rate_per_minute_channel)

    def check(self, team: str, user: str, channel: str) -> int:
        """0 when this question may be answered, else the seconds to wait. A question refused
        by the channel limit still takes one of the user's tokens (and the other way round)."""
        waits = [
            self.users.hit(f"{team}/{user}"),
            self.channels.hit(f"{team}/{channel}"),
        ]
        return max(waits)
