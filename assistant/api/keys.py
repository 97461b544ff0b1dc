"""API keys: random, shown once, stored only as SHA-256 hashes: in `data_dir/keys.sqlite3`, or
in the shared database when `REGELRETT_DATABASE_URL` is set (several server processes, one set
of keys).

A key has scopes (`ask`, `admin`) and a kind: `server` (kept secret by a back end) or `widget`
(public by nature, since it sits in a web page's source). A widget key may only `ask`, and only
from the web origins it is bound to. Every key maps to a tenant: its questions and source lists
see the national layer (tenant "") and that tenant's documents, never another tenant's.

The keys are 256-bit random strings, so a plain SHA-256 is enough to store them safely (no salt
or slow hash is needed for non-guessable secrets).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    delete,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from assistant.audit.db import state_engine
from assistant.audit.models import api_keys, api_keys_table
from assistant.settings import Settings

log = logging.getLogger("regelrett.api")

SCOPES = ("ask", "admin", "review")  # review: the /review page (legal advisers)
KINDS = ("server", "widget")
PREFIX = "rr_"
DEMO_NAME = "demo-widget"
_CACHE_SECONDS = 2.0  # a revoked key stops working within this time in a running server
# While the key database does not answer, a key it confirmed this recently still works, so a
# PostgreSQL restart or a short network cut does not stop the answers (issue 7: the database
# away, answers still served). A key never seen before the outage is refused (503).
_STALE_SECONDS = 600.0
_RETRY_SECONDS = 5.0  # after a failed lookup the database is not tried again for this long

_COLUMNS = ("id", "name", "hint", "scopes", "kind", "origins", "created", "revoked", "tenant")
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class KeyInputError(ValueError):
    """A key cannot be created or found as asked (the message says why)."""


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    hint: str  # the first characters of the key, to recognise it in a list
    scopes: tuple[str, ...]
    kind: str
    origins: tuple[str, ...]
    created: str
    revoked: str | None = None
    tenant: str = ""  # "": the national layer only

    @property
    def active(self) -> bool:
        return self.revoked is None

    def allows_origin(self, origin: str | None) -> bool:
        return origin is not None and normalise_origin(origin, strict=False) in self.origins


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def normalise_origin(origin: str, strict: bool = True) -> str:
    """'HTTPS://Intranett.Kommune.no:443/' -> 'https://intranett.kommune.no'.

    strict: raise KeyInputError for something that is not an http(s) origin (configuration);
    otherwise return the input lower-cased (a request header, compared as it is).
    """
    raw = origin.strip()
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    ok = (
        scheme in {"http", "https"}
        and bool(parts.hostname)
        and parts.path in {"", "/"}
        and not parts.query
        and not parts.fragment
        and port != -1
        and parts.username is None
    )
    if not ok:
        if strict:
            raise KeyInputError(
                f"not a web origin: {origin!r} (use scheme://host[:port], e.g. "
                "https://intranett.kommune.no)"
            )
        return raw.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class KeyStoreUnavailable(Exception):
    """The key database does not answer (the shared database is away)."""


class KeyStore:
    """The key table. Cheap to construct; the database opens on first use. Thread-safe.

    `where`: a path (a SQLite file of its own, `DATA_DIR/keys.sqlite3` by default: one
    machine) or a database URL (the shared database, `REGELRETT_DATABASE_URL`: every process
    on every machine sees the same keys). `KeyStore.for_settings` picks from the settings."""

    def __init__(self, where: Path | str, connect_timeout_s: float = 3.0) -> None:
        self.where = where
        self.connect_timeout_s = connect_timeout_s
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}
        self._origins: tuple[float, frozenset[str]] | None = None
        self._down_until = 0.0  # the database failed: until then, known keys without asking it

    @classmethod
    def for_settings(cls, settings: Settings) -> KeyStore:
        if settings.database.url:
            return cls(settings.database.url, settings.database.connect_timeout_s)
        return cls(settings.data_dir / "keys.sqlite3")

    @property
    def shared(self) -> bool:
        return not isinstance(self.where, Path)

    def _db(self) -> Engine:
        """The engine (call with the lock held)."""
        if self._engine is None:
            try:
                engine = state_engine(self.where, [_LOCAL], self.connect_timeout_s)
                if not self.shared:
                    _add_tenant_column(engine)
            except SQLAlchemyError as exc:
                raise KeyStoreUnavailable(_why(exc)) from exc
            self._engine = engine
        return self._engine

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A transaction (call with the lock held); KeyStoreUnavailable when the database does
        not answer."""
        try:
            with self._db().begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise KeyStoreUnavailable(_why(exc)) from exc

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # -- changes -----------------------------------------------------------------------------

    def create(
        self,
        name: str,
        scopes: list[str] | tuple[str, ...],
        kind: str = "server",
        origins: list[str] | tuple[str, ...] = (),
        replace: bool = False,
        tenant: str = "",
    ) -> tuple[str, ApiKey]:
        """A new key; returns (plaintext, record). The plaintext is not stored anywhere.

        tenant: the municipality whose documents the key sees besides the national layer.
        replace: delete any key of the same name first (the demo key on every start)."""
        name = name.strip()
        tenant = tenant.strip()
        if tenant and not _TENANT.match(tenant):
            raise KeyInputError(
                f"tenant {tenant!r} must be a short name: letters, digits, '.', '-' and '_'"
            )
        scopes = tuple(dict.fromkeys(s.strip().lower() for s in scopes))
        if not name or len(name) > 100:
            raise KeyInputError("a key needs a name of 1-100 characters")
        if not scopes or any(s not in SCOPES for s in scopes):
            raise KeyInputError(f"scopes must be among {', '.join(SCOPES)}; got {list(scopes)}")
        if kind not in KINDS:
            raise KeyInputError(f"kind must be one of {', '.join(KINDS)}")
        bound = tuple(dict.fromkeys(normalise_origin(o) for o in origins))
        if kind == "widget":
            if scopes != ("ask",):
                raise KeyInputError("a widget key may only have the scope 'ask'")
            if not bound:
                raise KeyInputError(
                    "a widget key needs at least one --origin (the web page it is used on)"
                )
        elif bound:
            raise KeyInputError("only widget keys are bound to origins (add --widget)")
        plaintext = PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(
            id=secrets.token_hex(6),
            name=name,
            hint=plaintext[:7],
            scopes=scopes,
            kind=kind,
            origins=bound,
            created=_now(),
            tenant=tenant,
        )
        t = _TABLE
        with self._lock, self._begin() as conn:
            if replace:
                conn.execute(delete(t).where(t.c.name == name))
            elif conn.execute(
                select(t.c.id).where(t.c.name == name, t.c.revoked.is_(None))
            ).first():
                raise KeyInputError(f"an active key named {name!r} exists; revoke it first")
            conn.execute(
                insert(t).values(
                    id=key.id,
                    name=key.name,
                    hash=hash_key(plaintext),
                    hint=key.hint,
                    scopes=" ".join(scopes),
                    kind=kind,
                    origins=" ".join(bound),
                    created=key.created,
                    tenant=tenant,
                )
            )
            self._forget()
        return plaintext, key

    def revoke(self, name_or_id: str) -> list[ApiKey]:
        """Revoke the active key with this id, or the active keys with this name."""
        t = _TABLE
        with self._lock, self._begin() as conn:
            rows = conn.execute(
                select(*_columns()).where(
                    or_(t.c.id == name_or_id, t.c.name == name_or_id), t.c.revoked.is_(None)
                )
            ).all()
            if not rows:
                raise KeyInputError(f"no active key with name or id {name_or_id!r}")
            stamp = _now()
            conn.execute(update(t).where(t.c.id.in_([r[0] for r in rows])).values(revoked=stamp))
            self._forget()
        return [_row((*r[:7], stamp, r[8])) for r in rows]

    def _forget(self) -> None:
        self._cache.clear()
        self._origins = None

    # -- reads -------------------------------------------------------------------------------

    def list(self, include_revoked: bool = True) -> list[ApiKey]:
        t = _TABLE
        with self._lock, self._begin() as conn:
            rows = conn.execute(select(*_columns()).order_by(t.c.created, t.c.name)).all()
        keys = [_row(tuple(r)) for r in rows]
        return keys if include_revoked else [k for k in keys if k.active]

    def lookup(self, plaintext: str) -> ApiKey | None:
        """The active key with this plaintext, or None. Cached for a couple of seconds.
        When the database does not answer: the last answer about this key if it is at most
        `_STALE_SECONDS` old, else KeyStoreUnavailable."""
        if not plaintext.startswith(PREFIX) or len(plaintext) > 200:
            return None
        digest = hash_key(plaintext)
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit is not None and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
        known = hit is not None and now - hit[0] < _STALE_SECONDS
        if hit is not None and known and now < self._down_until:
            return hit[1]
        t = _TABLE
        with self._lock:
            try:
                with self._begin() as conn:
                    row = conn.execute(
                        select(*_columns()).where(t.c.hash == digest, t.c.revoked.is_(None))
                    ).first()
            except KeyStoreUnavailable as exc:
                self._down_until = time.monotonic() + _RETRY_SECONDS
                if hit is not None and known:
                    log.warning("keys: the database does not answer; a known key used: %s", exc)
                    return hit[1]
                raise
            if len(self._cache) > 10_000:
                self._cache.clear()
            key = _row(tuple(row)) if row else None
            self._cache[digest] = (now, key)
        return key

    def widget_origins(self) -> frozenset[str]:
        """Origins bound to any active widget key (what CORS answers for). When the database
        does not answer, the last origins known (none before the first answer)."""
        now = time.monotonic()
        cached = self._origins
        if cached is not None and now - cached[0] < _CACHE_SECONDS:
            return cached[1]
        t = _TABLE
        with self._lock:
            try:
                with self._begin() as conn:
                    rows = conn.execute(
                        select(t.c.origins).where(t.c.kind == "widget", t.c.revoked.is_(None))
                    ).all()
            except KeyStoreUnavailable as exc:
                log.warning("keys: widget origins not readable: %s", exc)
                return cached[1] if cached is not None else frozenset()
            origins = frozenset(o for (text,) in rows for o in text.split() if o)
            self._origins = (now, origins)
        return origins


_TABLE = api_keys  # the same columns in keys.sqlite3 and in the shared database
_LOCAL = api_keys_table(MetaData())  # created in a keys.sqlite3 that lacks it


def _columns() -> list[Any]:
    t = _TABLE
    return [t.c[name] for name in _COLUMNS]


def _add_tenant_column(engine: Engine) -> None:
    """A keys.sqlite3 from before tenants gains the column (its keys: the national layer)."""
    with engine.begin() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("api_keys")}
        if "tenant" not in columns:
            conn.exec_driver_sql("ALTER TABLE api_keys ADD COLUMN tenant TEXT NOT NULL DEFAULT ''")


def _why(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"the key database does not answer ({type(exc).__name__}: {text[0] if text else ''})"[
        :300
    ]


def _row(row: tuple) -> ApiKey:
    key_id, name, hint, scopes, kind, origins, created, revoked, tenant = row
    return ApiKey(
        id=key_id,
        name=name,
        hint=hint,
        scopes=tuple(scopes.split()),
        kind=kind,
        origins=tuple(origins.split()),
        created=created,
        revoked=revoked,
        tenant=tenant or "",
    )
