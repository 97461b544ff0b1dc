"""The audit database: an engine from settings, and the schema brought up to date with Alembic
at start-up (no manual step).

SQLite in the data dir by default; PostgreSQL (or another SQLAlchemy URL) with
`REGELRETT_DATABASE_URL`. A plain `postgresql://` URL is read as psycopg 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, create_engine, event, text

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


# pg_advisory_xact_lock key: one migration at a time when several processes start together
MIGRATION_LOCK = 0x5265_6765_6C72  # "Regelr"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent). On PostgreSQL it runs in one
    transaction under an advisory lock, so processes that start at the same moment on a new
    database wait for each other instead of racing to create the same tables."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def state_engine(
    where: Path | str, tables: Sequence[Table], connect_timeout_s: float = 3.0
) -> Engine:
    """An engine for state beside the audit log (API keys, the Slack bot's memory): a SQLite
    file of its own in the data dir (a Path; `tables` are created there when missing), or the
    shared database (a URL; its schema comes from the Alembic migrations)."""
    if isinstance(where, Path):
        engine = make_engine(f"sqlite:///{where}", connect_timeout_s)
        with engine.begin() as conn:
            for table in tables:
                table.create(conn, checkfirst=True)
        return engine
    engine = make_engine(where, connect_timeout_s)
    try:
        migrate(engine)
    except Exception:
        engine.dispose()
        raise
    return engine
