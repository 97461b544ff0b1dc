"""Question limits per Slack user and per channel: the API's token buckets
(`assistant.api.ratelimit`), one per kind. In each process, or shared by every process through
Redis when `REGELRETT_REDIS_URL` is set (a user's next question may reach another machine)."""

from __future__ import annotations

from assistant.api.ratelimit import make_limiter
from assistant.redis_link import RedisLink
from assistant.settings import SlackSettings


class SlackLimits:
    def __init__(self, settings: SlackSettings, redis: RedisLink | None = None) -> None:
        self.users = make_limiter(settings.rate_per_minute_user, "slack-user", redis)
        self.channels = make_limiter(settings.rate_per_minute_channel, "slack-channel", redis)

    def check(self, team: str, user: str, channel: str) -> int:
        """0 when this question may be answered, else the seconds to wait. A question refused
        by the channel limit still takes one of the user's tokens (and the other way round)."""
        waits = [
            self.users.hit(f"{team}/{user}"),
            self.channels.hit(f"{team}/{channel}"),
        ]
        return max(waits)
