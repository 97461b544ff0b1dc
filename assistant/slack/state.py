"""What the Slack bot remembers, shared by every process that serves the bot (HTTP workers,
Socket Mode):

- `seen`: event ids and messages already handled, so that a retried delivery (Slack's
  `X-Slack-Retry-Num`, Socket Mode's `retry_attempt`) or a second event about the same message
  never produces a second answer. Kept for a day (Slack retries within minutes).
- `answers`: the answers the bot posted, for "Spør en jurist" (which posts the question, the
  answer and its citations) and the feedback buttons. The question is stored as the core
  returns it, with personal data masked; passages are stored without their text. Kept for
  `ANSWER_DAYS` days.

Where. By default `data_dir/slack.sqlite3` (tables `seen` and `answers`): the processes of one
machine. With `REGELRETT_DATABASE_URL` the shared database (tables `slack_seen` and
`slack_answers`, migration 0003): a retry or a button press that reaches another machine
finds what the first one stored. With `REGELRETT_REDIS_URL` an event is claimed in Redis
(`SET NX` with a day's expiry), the quickest shared place; while Redis does not answer, the
claim falls back to the database (counted as `slack-dedupe` in
regelrett_redis_fallbacks_total).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.audit.db import state_engine
from assistant.audit.models import slack_answers, slack_seen, slack_tables
from assistant.records import Answer
from assistant.redis_link import RedisLink, RedisUnavailable
from assistant.settings import Settings

SEEN_SECONDS = 24 * 3600
ANSWER_DAYS = 30
PURGE_EVERY_S = 600.0

_LOCAL_SEEN, _LOCAL_ANSWERS = slack_tables(MetaData(), "seen", "answers")


class SlackState:
    """`where`: a path (a SQLite file, one machine) or the shared database's URL."""

    def __init__(
        self,
        where: Path | str,
        redis: RedisLink | None = None,
        connect_timeout_s: float = 3.0,
    ) -> None:
        self.where = where
        self.redis = redis
        self.connect_timeout_s = connect_timeout_s
        if isinstance(where, Path):
            self.seen, self.answers = _LOCAL_SEEN, _LOCAL_ANSWERS
        else:
            self.seen, self.answers = slack_seen, slack_answers
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._purged = 0.0

    @classmethod
    def for_settings(cls, settings: Settings, redis: RedisLink | None = None) -> SlackState:
        if settings.database.url:
            return cls(settings.database.url, redis, settings.database.connect_timeout_s)
        return cls(settings.data_dir / "slack.sqlite3", redis)

    @contextmanager
    def _db(self) -> Iterator[Connection]:
        with self._lock:
            if self._engine is None:
                self._engine = state_engine(
                    self.where, [self.seen, self.answers], self.connect_timeout_s
                )
            engine = self._engine
        with engine.begin() as conn:
            yield conn

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def claim(self, key: str) -> bool:
        """True the first time `key` is claimed (within a day), False for a repeat."""
        if self.redis is not None:
            link = self.redis
            name = link.key("slack", "seen", key)
            try:
                return bool(
                    link.run("slack dedupe", lambda r: r.set(name, "1", nx=True, ex=SEEN_SECONDS))
                )
            except RedisUnavailable:
                link.fallback("slack-dedupe")
        now = time.time()
        try:
            with self._db() as db:
                self._purge(db, now)
                db.execute(insert(self.seen).values(key=key, at=now))
        except IntegrityError:
            return False
        return True

    def remember(self, answer: Answer) -> None:
        """Keep an answer for its buttons: the cited passages (and, for a refusal, the
        closest ones) without their text."""
        cited = {c.chunk_id for c in answer.citations}
        keep = [
            p.model_copy(update={"text": ""})
            for i, p in enumerate(answer.sources)
            if p.chunk_id in cited or (answer.refused and i < 5)
        ]
        stored = answer.model_copy(update={"sources": keep, "timings": {}})
        t = self.answers
        with self._db() as db:
            # the same answer id again (never in practice): the newer one wins
            db.execute(delete(t).where(t.c.id == answer.id))
            db.execute(
                insert(t).values(id=answer.id, at=time.time(), data=stored.model_dump_json())
            )

    def recall(self, answer_id: str) -> Answer | None:
        t = self.answers
        with self._db() as db:
            row = db.execute(select(t.c.data).where(t.c.id == answer_id)).first()
        return Answer.model_validate_json(row[0]) if row else None

    def escalate(self, answer_id: str, by: str) -> bool:
        """Mark an answer as sent to the legal advisers; False when it already was."""
        t = self.answers
        with self._db() as db:
            result = db.execute(
                update(t)
                .where(t.c.id == answer_id, t.c.escalated_by.is_(None))
                .values(escalated_by=by)
            )
            return result.rowcount == 1

    def unescalate(self, answer_id: str) -> None:
        """Undo `escalate` when the post to the advisers failed, so the user can try again."""
        t = self.answers
        with self._db() as db:
            db.execute(update(t).where(t.c.id == answer_id).values(escalated_by=None))

    def _purge(self, db: Connection, now: float) -> None:
        if now - self._purged < PURGE_EVERY_S:
            return
        self._purged = now
        db.execute(delete(self.seen).where(self.seen.c.at < now - SEEN_SECONDS))
        db.execute(delete(self.answers).where(self.answers.c.at < now - ANSWER_DAYS * 86400))
