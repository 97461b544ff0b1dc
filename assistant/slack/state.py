"""What the Slack bot remembers, in `data_dir/slack.sqlite3`, shared by every process that
serves the bot (HTTP workers, Socket Mode):

- `seen`: event ids and messages already handled, so that a retried delivery (Slack's
  `X-Slack-Retry-Num`, Socket Mode's `retry_attempt`) or a second event about the same message
  never produces a second answer. Kept for a day (Slack retries within minutes).
- `answers`: the answers the bot posted, for "Spør en jurist" (which posts the question, the
  answer and its citations) and the feedback buttons. The question is stored as the core
  returns it, with personal data masked; passages are stored without their text. Kept for
  `ANSWER_DAYS` days.

A connection per call: cheap for SQLite, safe across threads and processes, nothing to close.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.records import Answer

SEEN_SECONDS = 24 * 3600
ANSWER_DAYS = 30
PURGE_EVERY_S = 600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL,
    data TEXT NOT NULL,
    escalated_by TEXT
);
CREATE INDEX IF NOT EXISTS seen_at ON seen(at);
CREATE INDEX IF NOT EXISTS answers_at ON answers(at);
"""


class SlackState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False
        self._lock = threading.Lock()
        self._purged = 0.0

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=10)
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.executescript(_SCHEMA)
                finally:
                    db.close()
                self._ready = True
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def claim(self, key: str) -> bool:
        """True the first time `key` is claimed (within a day), False for a repeat."""
        now = time.time()
        with self._db() as db:
            self._purge(db, now)
            cur = db.execute("INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)", (key, now))
            return cur.rowcount == 1

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
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers (id, at, data) VALUES (?, ?, ?)",
                (answer.id, time.time(), stored.model_dump_json()),
            )

    def recall(self, answer_id: str) -> Answer | None:
        with self._db() as db:
            row = db.execute("SELECT data FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return Answer.model_validate_json(row[0]) if row else None

    def escalate(self, answer_id: str, by: str) -> bool:
        """Mark an answer as sent to the legal advisers; False when it already was."""
        with self._db() as db:
            cur = db.execute(
                "UPDATE answers SET escalated_by = ? WHERE id = ? AND escalated_by IS NULL",
                (by, answer_id),
            )
            return cur.rowcount == 1

    def unescalate(self, answer_id: str) -> None:
        """Undo `escalate` when the post to the advisers failed, so the user can try again."""
        with self._db() as db:
            db.execute("UPDATE answers SET escalated_by = NULL WHERE id = ?", (answer_id,))

    def _purge(self, db: sqlite3.Connection, now: float) -> None:
        if now - self._purged < PURGE_EVERY_S:
            return
        self._purged = now
        db.execute("DELETE FROM seen WHERE at < ?", (now - SEEN_SECONDS,))
        db.execute("DELETE FROM answers WHERE at < ?", (now - ANSWER_DAYS * 86400,))
