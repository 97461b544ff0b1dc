"""The audit tables (SQLAlchemy Core). Changes go through a migration in `migrations/versions`.

Every text that may hold personal data (question, answer, correction, comment) is masked
before it is written (assistant.audit.store); these tables never see it unmasked.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

answers = Table(
    "audit_answers",
    metadata,
    Column("id", String(64), primary_key=True),  # Answer.id
    Column("created", DateTime(timezone=True), nullable=False),
    Column("tenant", String(100), nullable=False, default=""),
    Column("surface", String(20), nullable=False),  # api, widget, slack, cli
    Column("key_id", String(100)),
    Column("request_id", String(128)),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", JSON, nullable=False),
    Column("language", String(8), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("model", String(200)),
    Column("config_hash", String(64), nullable=False),
    Column("refused", Boolean, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("as_of", String(10)),
    Column("timings", JSON, nullable=False),
    Index("audit_answers_tenant_created", "tenant", "created"),
    Index("audit_answers_created", "created"),
)

feedback = Table(
    "audit_feedback",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("answer_id", String(64), nullable=False, index=True),
    Column("created", DateTime(timezone=True), nullable=False, index=True),
    Column("tenant", String(100), nullable=False, default=""),
    Column("rating", String(10), nullable=False),
    Column("comment", Text),
    Column("key_id", String(100)),
)

escalations = Table(
    "audit_escalations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("answer_id", String(64), nullable=False, index=True),
    Column("created", DateTime(timezone=True), nullable=False, index=True),
    Column("tenant", String(100), nullable=False, default=""),
    Column("surface", String(20), nullable=False),
    Column("by", String(100)),  # a pseudonym (e.g. 'slack:' + hash), never a raw user id
    Column("channel", String(100)),
)

reviews = Table(
    "audit_reviews",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("answer_id", String(64), nullable=False, index=True),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("verdict", String(10), nullable=False),  # correct, incorrect
    Column("correction", Text),
)

verified_answers = Table(
    "verified_answers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("answer_id", String(64), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("tenant", String(100), nullable=False),
    Column("question", Text, nullable=False),
    Column("normalised", Text, nullable=False),  # for near-identical questions
    Column("answer", Text, nullable=False),
    Column("citations", JSON, nullable=False),
    Column("source_ids", JSON, nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("status", String(20), nullable=False),  # active, withdrawn
    Column("withdrawn_reason", Text),
    Index("ix_verified_answers_status", "status", "tenant"),
)


# -- state that several server processes share (docs/deployment.md) ------------------------------
# In the shared database (REGELRETT_DATABASE_URL) these come from migration 0003. Without one,
# each lives in its own SQLite file in the data dir, as before: `api_keys` in keys.sqlite3, the
# Slack tables (named `seen` and `answers` there) in slack.sqlite3.


def api_keys_table(meta: MetaData) -> Table:
    return Table(
        "api_keys",
        meta,
        Column("id", String(32), primary_key=True),
        Column("name", String(100), nullable=False, index=True),
        Column("hash", String(64), nullable=False, unique=True),  # SHA-256 of the key
        Column("hint", String(16), nullable=False),
        Column("scopes", String(200), nullable=False),  # space-separated
        Column("kind", String(10), nullable=False),
        Column("origins", Text, nullable=False, default=""),  # space-separated
        Column("created", String(40), nullable=False),  # ISO 8601, UTC
        Column("revoked", String(40)),
        Column("tenant", String(100), nullable=False, default=""),
    )


def slack_tables(meta: MetaData, seen: str, answers: str) -> tuple[Table, Table]:
    seen_table = Table(
        seen,
        meta,
        Column("key", String(300), primary_key=True),  # event:<id>, message:<channel>:<ts>
        Column("at", Float, nullable=False, index=True),  # Unix time
    )
    answers_table = Table(
        answers,
        meta,
        Column("id", String(64), primary_key=True),  # Answer.id
        Column("at", Float, nullable=False, index=True),
        Column("data", Text, nullable=False),  # the Answer as JSON, passages without text
        Column("escalated_by", String(100)),
    )
    return seen_table, answers_table


api_keys = api_keys_table(metadata)
slack_seen, slack_answers = slack_tables(metadata, "slack_seen", "slack_answers")


def manifest_table(meta: MetaData, name: str = "documents", shared: bool = False) -> Table:
    """What was ingested (ingest.manifest). In a data dir, `documents` in
    manifest-<collection>.sqlite3; in the shared database `ingest_manifest`, one table for every
    collection (migration 0004)."""
    key = [Column("collection", String(200), primary_key=True)] if shared else []
    return Table(
        name,
        meta,
        *key,
        Column("tenant", String(100), primary_key=True),
        Column("source_id", String(1000), primary_key=True),
        Column("root", Text, nullable=False),
        Column("content_hash", String(64)),
        Column("params_hash", String(64)),
        Column("chunk_ids", Text, nullable=False, default="[]"),  # JSON list
        Column("status", String(10), nullable=False),  # ok, pending, failed
        Column("error", Text),
        Column("title", Text),
        Column("doc_type", String(40)),
        Column("doc_status", String(40)),
        Column("language", String(8)),
        Column("labels", Text, nullable=False, default="[]"),  # JSON list
        Column("meta", Text, nullable=False, default="{}"),  # JSON object
        Column("first_ingested", String(40)),
        Column("last_ingested", String(40)),
        Column("last_attempt", String(40)),
    )


ingest_manifest = manifest_table(metadata, "ingest_manifest", shared=True)
Index("ix_ingest_manifest_root", ingest_manifest.c.collection, ingest_manifest.c.root)
