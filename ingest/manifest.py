"""The manifest: what was ingested, from where, with which content hash, and how it went.

A SQLite file in the data dir. One row per (tenant, source_id). A document's row goes to
`pending` before its chunks are written to the store and to `ok` after, so a run that was killed
midway is detected and that document is processed again on the next run. A document that fails
to parse keeps its last good chunks (`chunk_ids`, `content_hash`) with status `failed`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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

    def close(self) -> None:
        self._db.close()

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
