"""AuditStore: every answered question, with its feedback and escalations, for innsyn requests
and for review by legal advisers.

What happens when the database is away (PostgreSQL down, a network cut, disk full): the
answer is still served. The row goes to the local spool (assistant.audit.spool) instead and is
written to the database when it is back, with its own id and time; a warning is logged with the
answer id, `on_failure` is called (the API counts `regelrett_audit_failures_total`) and
`degraded` says why until a write succeeds again; /readyz shows it, with the rows waiting in the
spool. For a few seconds after a failure, writes are not even tried (each goes straight to the
spool and is counted as failed), so a database that hangs cannot slow every answer down. Only a
row that cannot be spooled either is lost: logged as an error and counted
(`regelrett_audit_lost_total`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.exc import SQLAlchemyError

from assistant.audit.db import make_engine, migrate
from assistant.audit.models import answers, escalations, feedback
from assistant.audit.spool import Replayed, Spool
from assistant.pii import mask
from assistant.records import Answer
from assistant.settings import Settings

log = logging.getLogger("regelrett.audit")

SURFACES = ("api", "widget", "slack", "cli")
RETRY_AFTER_S = 5.0


class AuditUnavailable(Exception):
    """The audit database cannot be reached (for commands that must not pass silently)."""


def now() -> datetime:
    return datetime.now(UTC)


class AuditStore:
    """Cheap to construct; the engine opens and the schema migrates on first use. Thread-safe."""

    def __init__(
        self,
        url: str,
        *,
        mask_patterns: Sequence[str] = (),
        connect_timeout_s: float = 3.0,
        on_failure: Callable[[str], None] | None = None,
        spool_dir: Path | None = None,
        on_spool: Callable[[str, str, int], None] | None = None,
    ) -> None:
        """`spool_dir`: where rows wait while the database is away (None: they are lost).
        `on_spool(event, what, n)`: event 'spooled', 'replayed' or 'lost' (for metrics)."""
        self.url = url
        self.patterns = [re.compile(p) for p in mask_patterns]
        self.connect_timeout_s = connect_timeout_s
        self.on_failure = on_failure
        self.on_spool = on_spool
        self.spool = Spool(spool_dir) if spool_dir is not None else None
        self.degraded: str | None = None
        self._engine: Engine | None = None
        self._migrated = False
        self._lock = threading.Lock()
        self._pause_until = 0.0
        self._replayer: threading.Thread | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        on_failure: Callable[[str], None] | None = None,
        on_spool: Callable[[str, str, int], None] | None = None,
    ) -> AuditStore:
        return cls(
            settings.database_url,
            mask_patterns=settings.audit.mask_patterns,
            connect_timeout_s=settings.database.connect_timeout_s,
            on_failure=on_failure,
            spool_dir=spool_dir(settings),
            on_spool=on_spool,
        )

    # -- connection ---------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self.url, self.connect_timeout_s)
            return self._engine

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        engine = self.engine
        if not self._migrated:
            with self._lock:
                if not self._migrated:
                    migrate(engine)
                    self._migrated = True
        with engine.begin() as conn:
            yield conn

    def open(self) -> None:
        """Create or upgrade the schema now (start-up), then write what an earlier run left
        in the spool (in the background); raises AuditUnavailable."""
        try:
            with self._begin():
                pass
        except SQLAlchemyError as exc:
            raise AuditUnavailable(_reason(exc)) from exc
        self._replay_soon()

    def close(self) -> None:
        replayer = self._replayer
        if replayer is not None:
            replayer.join(timeout=10)  # what it has not written stays in the spool
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    @property
    def paused(self) -> bool:
        """A write failed a moment ago: the database is not tried again yet."""
        return time.monotonic() < self._pause_until

    def _write(self, what: str, ident: str, table: Any, row: dict[str, Any]) -> bool:
        """Insert a row; on failure log, count, remember why and keep the row in the spool.
        True when it is in the database."""
        if self.paused:
            self._failed(what, ident, self.degraded or "database unavailable", quiet=True)
            self._keep(what, ident, row)
            return False
        try:
            with self._begin() as conn:
                conn.execute(table.insert().values(**row))
        except SQLAlchemyError as exc:
            self._pause_until = time.monotonic() + RETRY_AFTER_S
            self._failed(what, ident, _reason(exc))
            self._keep(what, ident, row)
            return False
        if self.degraded is not None:
            log.warning("audit: the database is back (%s)", what)
            self.degraded = None
        if self.spool is not None and self.spool.files():
            self._replay_soon()
        return True

    def _failed(self, what: str, ident: str, reason: str, quiet: bool = False) -> None:
        self.degraded = reason
        if not quiet:
            kept = "kept in the spool until it is back" if self.spool else "not kept"
            log.warning("audit: could not record %s %s (%s): %s", what, ident, kept, reason)
        if self.on_failure is not None:
            self.on_failure(what)

    def _keep(self, what: str, ident: str, row: dict[str, Any]) -> None:
        if self.spool is not None:
            try:
                self.spool.append(what, row)
            except OSError as exc:
                log.error("audit: %s %s is lost: the spool cannot be written: %s", what, ident, exc)
            else:
                self._event("spooled", what)
                return
        else:
            log.error("audit: %s %s is lost (no spool)", what, ident)
        self._event("lost", what)

    def _event(self, event: str, what: str, n: int = 1) -> None:
        if self.on_spool is not None:
            self.on_spool(event, what, n)

    # -- the spool ----------------------------------------------------------------------------

    def spool_pending(self) -> int:
        """Rows waiting in the spool (every process's)."""
        return self.spool.pending() if self.spool is not None else 0

    def replay(self) -> Replayed | None:
        """Write the spooled rows to the database now. None when another process is at it;
        raises AuditUnavailable when the database is still away (the rows stay)."""
        if self.spool is None:
            return Replayed()
        try:
            done = self.spool.replay(self._begin)
        except SQLAlchemyError as exc:
            raise AuditUnavailable(_reason(exc)) from exc
        if done is not None and done.rows:
            log.warning("audit: %d rows written from the spool", done.rows)
            self._event("replayed", "rows", done.rows)
        if done is not None and done.unreadable:
            self._event("lost", "unreadable", done.unreadable)
        return done

    def _replay_soon(self) -> None:
        """Replay in a background thread (one at a time), so no answer waits for it."""
        if self.spool is None or not self.spool.files():
            return
        with self._lock:
            if self._replayer is not None and self._replayer.is_alive():
                return
            self._replayer = threading.Thread(
                target=self._replay_quietly, name="audit-spool-replay", daemon=True
            )
            self._replayer.start()

    def _replay_quietly(self) -> None:
        try:
            self.replay()
        except AuditUnavailable as exc:
            log.warning("audit: spooled rows not written yet: %s", exc)
        except Exception:  # a bug must not kill the process; the rows stay in the spool
            log.exception("audit: replaying the spool failed")

    def mask(self, text: str | None) -> str | None:
        return None if text is None else mask(text, self.patterns).text

    # -- writes -------------------------------------------------------------------------------

    def record_answer(
        self,
        answer: Answer,
        *,
        surface: str,
        tenant: str = "",
        key_id: str | None = None,
    ) -> bool:
        """Store an answered question (masked again here, with the configured extra patterns)."""
        row = {
            "id": answer.id,
            "created": now(),
            "tenant": tenant,
            "surface": surface,
            "key_id": key_id,
            "request_id": answer.request_id,
            "question": self.mask(answer.question) or "",
            "answer": self.mask(answer.answer) or "",
            "citations": [_citation(c.model_dump(mode="json")) for c in answer.citations],
            "language": answer.language,
            "mode": answer.mode,
            "model": answer.model,
            "config_hash": answer.config_hash,
            "refused": answer.refused,
            "confidence": float(answer.confidence),
            "warnings": list(answer.warnings),
            "as_of": answer.as_of,
            "timings": dict(answer.timings),
        }
        return self._write("answer", answer.id, answers, row)

    def record_feedback(
        self,
        answer_id: str,
        rating: str,
        comment: str | None = None,
        *,
        tenant: str = "",
        key_id: str | None = None,
    ) -> bool:
        row = {
            "id": uuid.uuid4().hex,
            "answer_id": answer_id,
            "created": now(),
            "tenant": tenant,
            "rating": rating,
            "comment": self.mask(comment),
            "key_id": key_id,
        }
        return self._write("feedback", answer_id, feedback, row)

    def record_escalation(
        self,
        answer_id: str,
        *,
        surface: str,
        tenant: str = "",
        by: str | None = None,
        channel: str | None = None,
    ) -> bool:
        row = {
            "id": uuid.uuid4().hex,
            "answer_id": answer_id,
            "created": now(),
            "tenant": tenant,
            "surface": surface,
            "by": by,
            "channel": channel,
        }
        return self._write("escalation", answer_id, escalations, row)

    # -- retention and innsyn -----------------------------------------------------------------

    def purge(self, days: int, *, before: datetime | None = None) -> dict[str, int]:
        """Delete rows older than `days` (from `before`, default now). Returns counts."""
        cutoff = (before or now()) - timedelta(days=days)
        counts: dict[str, int] = {}
        try:
            with self._begin() as conn:
                for name, table in (
                    ("feedback", feedback),
                    ("escalations", escalations),
                    ("answers", answers),
                ):
                    result = conn.execute(delete(table).where(table.c.created < cutoff))
                    counts[name] = result.rowcount or 0
        except SQLAlchemyError as exc:
            raise AuditUnavailable(_reason(exc)) from exc
        return counts

    def export(
        self,
        *,
        tenant: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Answers of a tenant (None: all) in [since, until), oldest first, each with its
        feedback and escalations."""
        query = select(answers).order_by(answers.c.created, answers.c.id)
        if tenant is not None:
            query = query.where(answers.c.tenant == tenant)
        if since is not None:
            query = query.where(answers.c.created >= since)
        if until is not None:
            query = query.where(answers.c.created < until)
        try:
            with self._begin() as conn:
                rows = [dict(r._mapping) for r in conn.execute(query)]
                ids = [r["id"] for r in rows]
                rated = _by_answer(conn, feedback, ids)
                raised = _by_answer(conn, escalations, ids)
        except SQLAlchemyError as exc:
            raise AuditUnavailable(_reason(exc)) from exc
        for row in rows:
            row["created"] = _iso(row["created"])
            row["feedback"] = rated.get(row["id"], [])
            row["escalations"] = raised.get(row["id"], [])
        return rows


def spool_dir(settings: Settings) -> Path:
    """Where audit rows wait while the database is away."""
    return settings.data_dir / "audit-spool"


def _by_answer(conn: Connection, table: Any, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(table).where(table.c.answer_id.in_(chunk)).order_by(table.c.created)
        for r in conn.execute(query):
            item = dict(r._mapping)
            item["created"] = _iso(item["created"])
            out.setdefault(item.pop("answer_id"), []).append(item)
    return out


def _iso(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite keeps no zone; we only ever write UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _citation(c: dict[str, Any]) -> dict[str, Any]:
    keep = ("n", "chunk_id", "source_id", "title", "section", "page", "url", "quote", "verified")
    return {k: c.get(k) for k in keep}


def _reason(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]
