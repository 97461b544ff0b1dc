"""The audit database: an engine from settings, and the schema brought up to date with Alembic
at start-up (no manual step).

SQLite in the data dir by default; PostgreSQL (or another SQLAlchemy URL) with
`REGELRETT_DATABASE_URL`. A plain `postgresql://` URL is read as psycopg 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def make_engine(url: str, connect_timeout_s: float = 3.0) -> Engine:
    """An engine that fails fast when the database is away (so an answer is never held up
    for long by the audit log)."""
    url = normalise_url(url)
    args: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        args["timeout"] = connect_timeout_s
        engine = create_engine(url, connect_args=args)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql"):
        args["connect_timeout"] = max(1, int(connect_timeout_s))
    return create_engine(url, connect_args=args, pool_pre_ping=True, pool_size=5)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent; safe with several processes on
    PostgreSQL, where Alembic runs in one transaction)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
