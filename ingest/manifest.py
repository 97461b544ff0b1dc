"""The manifest: what was ingested, from where, with which content hash, and how it went.

One row per (tenant, source_id). A document's row goes to `pending` before its chunks are
written to the store and to `ok` after, so a run that was killed midway is detected and that
document is processed again on the next run. A document that fails to parse keeps its last good
chunks (`chunk_ids`, `content_hash`) with status `failed`.

Where: `Manifest`, a SQLite file in the data dir (`manifest-<collection>.sqlite3`) by default;
`SharedManifest`, the shared database (table `ingest_manifest`, one for every collection) with
`REGELRETT_DATABASE_URL`, so that any server process can skip what another one ingested, prune
a folder, or remove a source another one added. There, ingest runs hold a PostgreSQL advisory
lock per collection (`exclusive()`), so two machines never ingest into one collection at once.
`Manifest.for_settings` picks one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from assistant.audit.db import state_engine
from assistant.audit.models import ingest_manifest
from assistant.settings import Settings
from assistant.store import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    tenant TEXT NOT NULL,
    source_id TEXT NOT NULL,
    root TEXT NOT NULL,
    content_hash TEXT,
    params_hash TEXT,
    chunk_ids TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    error TEXT,
    title TEXT,
    doc_type TEXT,
    doc_status TEXT,
    language TEXT,
    labels TEXT NOT NULL DEFAULT '[]',
    meta TEXT NOT NULL DEFAULT '{}',
    first_ingested TEXT,
    last_ingested TEXT,
    last_attempt TEXT,
    PRIMARY KEY (tenant, source_id)
);
CREATE INDEX IF NOT EXISTS documents_root ON documents (root);
"""

STATUSES = ("ok", "pending", "failed")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class ManifestEntry:
    tenant: str
    source_id: str
    root: str
    content_hash: str | None
    params_hash: str | None
    chunk_ids: list[str]
    status: str
    error: str | None = None
    title: str | None = None
    doc_type: str | None = None
    doc_status: str | None = None
    language: str | None = None
    labels: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    first_ingested: str | None = None
    last_ingested: str | None = None
    last_attempt: str | None = None

    @property
    def n_chunks(self) -> int:
        return len(self.chunk_ids)


class Manifest:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    @classmethod
    def for_settings(cls, settings: Settings) -> Manifest:
        """The shared database's manifest when `database.url` is set, else the data dir's."""
        if settings.database.url:
            return SharedManifest(
                settings.database.url,
                settings.chroma.collection,
                settings.database.connect_timeout_s,
            )
        return cls(settings.manifest_path)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One ingest at a time: a data dir's manifest belongs to one machine, whose API
        processes take their own lock (see SharedManifest for several machines)."""
        yield

    @staticmethod
    def _entry(row: sqlite3.Row) -> ManifestEntry:
        return ManifestEntry(
            tenant=row["tenant"],
            source_id=row["source_id"],
            root=row["root"],
            content_hash=row["content_hash"],
            params_hash=row["params_hash"],
            chunk_ids=json.loads(row["chunk_ids"]),
            status=row["status"],
            error=row["error"],
            title=row["title"],
            doc_type=row["doc_type"],
            doc_status=row["doc_status"],
            language=row["language"],
            labels=json.loads(row["labels"]),
            meta=json.loads(row["meta"]),
            first_ingested=row["first_ingested"],
            last_ingested=row["last_ingested"],
            last_attempt=row["last_attempt"],
        )

    def get(self, tenant: str, source_id: str) -> ManifestEntry | None:
        row = self._db.execute(
            "SELECT * FROM documents WHERE tenant = ? AND source_id = ?", (tenant, source_id)
        ).fetchone()
        return self._entry(row) if row else None

    def entries(
        self, tenant: str | None = None, root: str | None = None
    ) -> Iterator[ManifestEntry]:
        sql, args = "SELECT * FROM documents WHERE 1=1", []
        if tenant is not None:
            sql += " AND tenant = ?"
            args.append(tenant)
        if root is not None:
            sql += " AND root = ?"
            args.append(root)
        for row in self._db.execute(sql + " ORDER BY tenant, source_id", args).fetchall():
            yield self._entry(row)

    def begin(self, tenant: str, source_id: str, root: str) -> None:
        """Mark a document as being written; its last good chunks stay recorded."""
        now = _now()
        self._db.execute(
            """INSERT INTO documents (tenant, source_id, root, status, last_attempt)
               VALUES (?, ?, ?, 'pending', ?)
               ON CONFLICT (tenant, source_id)
               DO UPDATE SET status = 'pending', root = excluded.root,
                             last_attempt = excluded.last_attempt""",
            (tenant, source_id, root, now),
        )

    def commit(self, entry: ManifestEntry) -> None:
        """Record a document whose chunks are all in the store."""
        now = _now()
        self._db.execute(
            """INSERT INTO documents (tenant, source_id, root, content_hash, params_hash,
                   chunk_ids, status, error, title, doc_type, doc_status, language, labels,
                   meta, first_ingested, last_ingested, last_attempt)
               VALUES (?, ?, ?, ?, ?, ?, 'ok', NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (tenant, source_id) DO UPDATE SET
                   root = excluded.root, content_hash = excluded.content_hash,
                   params_hash = excluded.params_hash, chunk_ids = excluded.chunk_ids,
                   status = 'ok', error = NULL, title = excluded.title,
                   doc_type = excluded.doc_type, doc_status = excluded.doc_status,
                   language = excluded.language, labels = excluded.labels,
                   meta = excluded.meta, last_ingested = excluded.last_ingested,
                   last_attempt = excluded.last_attempt""",
            (
                entry.tenant,
                entry.source_id,
                entry.root,
                entry.content_hash,
                entry.params_hash,
                json.dumps(entry.chunk_ids),
                entry.title,
                entry.doc_type,
                entry.doc_status,
                entry.language,
                json.dumps(entry.labels, ensure_ascii=False),
                json.dumps(entry.meta, ensure_ascii=False),
                now,
                now,
                now,
            ),
        )

    def fail(self, tenant: str, source_id: str, root: str, error: str) -> None:
        """Record a failed attempt; the last good content hash and chunks are kept."""
        now = _now()
        self._db.execute(
            """INSERT INTO documents (tenant, source_id, root, status, error, last_attempt)
               VALUES (?, ?, ?, 'failed', ?, ?)
               ON CONFLICT (tenant, source_id) DO UPDATE SET
                   status = 'failed', error = excluded.error,
                   last_attempt = excluded.last_attempt""",
            (tenant, source_id, root, error, now),
        )

    def remove(self, tenant: str, source_id: str) -> None:
        self._db.execute(
            "DELETE FROM documents WHERE tenant = ? AND source_id = ?", (tenant, source_id)
        )


_FIELDS = (
    "content_hash",
    "params_hash",
    "chunk_ids",
    "status",
    "error",
    "title",
    "doc_type",
    "doc_status",
    "language",
    "labels",
    "meta",
    "first_ingested",
    "last_ingested",
    "last_attempt",
)


class SharedManifest(Manifest):
    """The manifest in the shared database (SQLAlchemy; PostgreSQL in production): the rows of
    one collection in `ingest_manifest`. The same methods as `Manifest`."""

    def __init__(self, url: str, collection: str, connect_timeout_s: float = 3.0) -> None:
        self.url = url
        self.collection = collection
        self.table = ingest_manifest
        try:
            self._engine: Engine = state_engine(url, [], connect_timeout_s)  # Alembic's schema
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise StoreError(
                "the shared database (REGELRETT_DATABASE_URL) does not answer, and ingest needs "
                f"its manifest: {type(exc).__name__}: {reason[0] if reason else ''}"
            ) from exc

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One ingest at a time per collection, on every machine: a PostgreSQL advisory lock
        held on a connection of its own until the block ends."""
        if self._engine.dialect.name != "postgresql":
            yield
            return
        key = int.from_bytes(
            hashlib.sha256(f"regelrett-ingest:{self.collection}".encode()).digest()[:8],
            "big",
            signed=True,
        )
        with self._engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()

    # -- helpers -------------------------------------------------------------------------------

    def _mine(self, query: Any) -> Any:
        """Limit a query to this collection's rows."""
        return query.where(self.table.c.collection == self.collection)

    def _key(self, tenant: str, source_id: str) -> dict[str, str]:
        return {"collection": self.collection, "tenant": tenant, "source_id": source_id}

    def _upsert(self, conn: Connection, row: dict[str, Any], update: list[str]) -> None:
        """Insert `row`, or update the `update` columns of the row with the same key."""
        from sqlalchemy.dialects import postgresql, sqlite

        dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(self.table).values(**row)
        stmt = stmt.on_conflict_do_update(
            index_elements=["collection", "tenant", "source_id"],
            set_={c: stmt.excluded[c] for c in update},
        )
        conn.execute(stmt)

    @staticmethod
    def _row(row: Any) -> ManifestEntry:
        return ManifestEntry(
            tenant=row.tenant,
            source_id=row.source_id,
            root=row.root,
            content_hash=row.content_hash,
            params_hash=row.params_hash,
            chunk_ids=json.loads(row.chunk_ids),
            status=row.status,
            error=row.error,
            title=row.title,
            doc_type=row.doc_type,
            doc_status=row.doc_status,
            language=row.language,
            labels=json.loads(row.labels),
            meta=json.loads(row.meta),
            first_ingested=row.first_ingested,
            last_ingested=row.last_ingested,
            last_attempt=row.last_attempt,
        )

    # -- reads ---------------------------------------------------------------------------------

    def get(self, tenant: str, source_id: str) -> ManifestEntry | None:
        t = self.table
        query = self._mine(select(t).where(t.c.tenant == tenant, t.c.source_id == source_id))
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        return self._row(row) if row else None

    def entries(
        self, tenant: str | None = None, root: str | None = None
    ) -> Iterator[ManifestEntry]:
        t = self.table
        query = self._mine(select(t))
        if tenant is not None:
            query = query.where(t.c.tenant == tenant)
        if root is not None:
            query = query.where(t.c.root == root)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(t.c.tenant, t.c.source_id)).all()
        for row in rows:
            yield self._row(row)

    # -- changes (each its own transaction: a killed run leaves what it recorded) -------------

    def begin(self, tenant: str, source_id: str, root: str) -> None:
        """Mark a document as being written; its last good chunks stay recorded."""
        row = {**self._key(tenant, source_id), "root": root, "status": "pending"}
        row["last_attempt"] = _now()
        with self._engine.begin() as conn:
            self._upsert(conn, row, ["status", "root", "last_attempt"])

    def commit(self, entry: ManifestEntry) -> None:
        """Record a document whose chunks are all in the store."""
        now = _now()
        row = {
            **self._key(entry.tenant, entry.source_id),
            "root": entry.root,
            "content_hash": entry.content_hash,
            "params_hash": entry.params_hash,
            "chunk_ids": json.dumps(entry.chunk_ids),
            "status": "ok",
            "error": None,
            "title": entry.title,
            "doc_type": entry.doc_type,
            "doc_status": entry.doc_status,
            "language": entry.language,
            "labels": json.dumps(entry.labels, ensure_ascii=False),
            "meta": json.dumps(entry.meta, ensure_ascii=False),
            "first_ingested": now,
            "last_ingested": now,
            "last_attempt": now,
        }
        update = ["root", *(f for f in _FIELDS if f != "first_ingested")]
        with self._engine.begin() as conn:
            self._upsert(conn, row, update)

    def fail(self, tenant: str, source_id: str, root: str, error: str) -> None:
        """Record a failed attempt; the last good content hash and chunks are kept."""
        row = {**self._key(tenant, source_id), "root": root, "status": "failed", "error": error}
        row["last_attempt"] = _now()
        with self._engine.begin() as conn:
            self._upsert(conn, row, ["status", "error", "last_attempt"])

    def remove(self, tenant: str, source_id: str) -> None:
        t = self.table
        with self._engine.begin() as conn:
            conn.execute(
                self._mine(delete(t).where(t.c.tenant == tenant, t.c.source_id == source_id))
            )
