"""Feedback on answers (thumbs up or down, an optional comment) in `data_dir/feedback.sqlite3`.

The comment is stored with personal data masked (assistant.pii), like questions are.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.pii import mask

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    answer_id TEXT NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT,
    key_id TEXT,
    created TEXT NOT NULL,
    tenant TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer_id);
"""


@dataclass(frozen=True)
class Feedback:
    id: str
    answer_id: str
    rating: str
    comment: str | None
    key_id: str | None
    created: str
    tenant: str = ""  # whose answer it was: feedback stays with the tenant that gave it


class FeedbackStore:
    """Cheap to construct; the database opens on first use. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
            if "tenant" not in columns:  # a table from before tenants
                with db:
                    db.execute("ALTER TABLE feedback ADD COLUMN tenant TEXT NOT NULL DEFAULT ''")
            self._db = db
        return self._db

    def add(
        self,
        answer_id: str,
        rating: str,
        comment: str | None,
        key_id: str | None = None,
        tenant: str = "",
    ) -> Feedback:
        item = Feedback(
            id=uuid.uuid4().hex,
            answer_id=answer_id,
            rating=rating,
            comment=mask(comment).text if comment else None,
            key_id=key_id,
            created=datetime.now(UTC).replace(microsecond=0).isoformat(),
            tenant=tenant,
        )
        with self._lock:
            db = self._conn()
            with db:
                db.execute(
                    "INSERT INTO feedback (id, answer_id, rating, comment, key_id, created, "
                    "tenant) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        item.id,
                        item.answer_id,
                        item.rating,
                        item.comment,
                        key_id,
                        item.created,
                        tenant,
                    ),
                )
        return item

    def all(self, tenant: str | None = None) -> list[Feedback]:
        """All feedback, or one tenant's only."""
        with self._lock:
            rows = (
                self._conn()
                .execute(
                    "SELECT id, answer_id, rating, comment, key_id, created, tenant FROM feedback "
                    "WHERE ? IS NULL OR tenant = ? ORDER BY created",
                    (tenant, tenant),
                )
                .fetchall()
            )
        return [Feedback(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
