"""API keys: random, shown once, stored only as SHA-256 hashes in `data_dir/keys.sqlite3`.

A key has scopes (`ask`, `admin`) and a kind: `server` (kept secret by a back end) or `widget`
(public by nature, since it sits in a web page's source). A widget key may only `ask`, and only
from the web origins it is bound to. Every key maps to a tenant: its questions and source lists
see the national layer (tenant "") and that tenant's documents, never another tenant's.

The keys are 256-bit random strings, so a plain SHA-256 is enough to store them safely (no salt
or slow hash is needed for non-guessable secrets).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

SCOPES = ("ask", "admin", "review")  # review: the /review page (legal advisers)
KINDS = ("server", "widget")
PREFIX = "rr_"
DEMO_NAME = "demo-widget"
_CACHE_SECONDS = 2.0  # a revoked key stops working within this time in a running server

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    scopes TEXT NOT NULL,
    kind TEXT NOT NULL,
    origins TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    revoked TEXT,
    tenant TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS api_keys_name ON api_keys(name);
"""
_COLUMNS = "id, name, hint, scopes, kind, origins, created, revoked, tenant"
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


class KeyStore:
    """The key table. Cheap to construct; the database opens on first use. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}
        self._origins: tuple[float, frozenset[str]] | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(api_keys)")}
            if "tenant" not in columns:  # a key table from before tenants: national keys
                with db:
                    db.execute("ALTER TABLE api_keys ADD COLUMN tenant TEXT NOT NULL DEFAULT ''")
            self._db = db
        return self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

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
        with self._lock:
            db = self._conn()
            with db:
                if replace:
                    db.execute("DELETE FROM api_keys WHERE name = ?", (name,))
                elif db.execute(
                    "SELECT 1 FROM api_keys WHERE name = ? AND revoked IS NULL", (name,)
                ).fetchone():
                    raise KeyInputError(f"an active key named {name!r} exists; revoke it first")
                db.execute(
                    "INSERT INTO api_keys (id, name, hash, hint, scopes, kind, origins, created,"
                    " tenant) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key.id,
                        key.name,
                        hash_key(plaintext),
                        key.hint,
                        " ".join(scopes),
                        kind,
                        " ".join(bound),
                        key.created,
                        tenant,
                    ),
                )
            self._forget()
        return plaintext, key

    def revoke(self, name_or_id: str) -> list[ApiKey]:
        """Revoke the active key with this id, or the active keys with this name."""
        with self._lock:
            db = self._conn()
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM api_keys WHERE (id = ? OR name = ?) AND revoked IS NULL",
                (name_or_id, name_or_id),
            ).fetchall()
            if not rows:
                raise KeyInputError(f"no active key with name or id {name_or_id!r}")
            stamp = _now()
            with db:
                db.executemany(
                    "UPDATE api_keys SET revoked = ? WHERE id = ?", [(stamp, r[0]) for r in rows]
                )
            self._forget()
        return [_row((*r[:7], stamp, r[8])) for r in rows]

    def _forget(self) -> None:
        self._cache.clear()
        self._origins = None

    # -- reads -------------------------------------------------------------------------------

    def list(self, include_revoked: bool = True) -> list[ApiKey]:
        with self._lock:
            rows = (
                self._conn()
                .execute(f"SELECT {_COLUMNS} FROM api_keys ORDER BY created, name")
                .fetchall()
            )
        keys = [_row(r) for r in rows]
        return keys if include_revoked else [k for k in keys if k.active]

    def lookup(self, plaintext: str) -> ApiKey | None:
        """The active key with this plaintext, or None. Cached for a couple of seconds."""
        if not plaintext.startswith(PREFIX) or len(plaintext) > 200:
            return None
        digest = hash_key(plaintext)
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit is not None and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
        with self._lock:
            row = (
                self._conn()
                .execute(
                    f"SELECT {_COLUMNS} FROM api_keys WHERE hash = ? AND revoked IS NULL",
                    (digest,),
                )
                .fetchone()
            )
            if len(self._cache) > 10_000:
                self._cache.clear()
            key = _row(row) if row else None
            self._cache[digest] = (now, key)
        return key

    def widget_origins(self) -> frozenset[str]:
        """Origins bound to any active widget key (what CORS answers for)."""
        now = time.monotonic()
        cached = self._origins
        if cached is not None and now - cached[0] < _CACHE_SECONDS:
            return cached[1]
        with self._lock:
            rows = (
                self._conn()
                .execute("SELECT origins FROM api_keys WHERE kind = 'widget' AND revoked IS NULL")
                .fetchall()
            )
            origins = frozenset(o for (text,) in rows for o in text.split() if o)
            self._origins = (now, origins)
        return origins


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
