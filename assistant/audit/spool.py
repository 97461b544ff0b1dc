"""The audit spool: rows the audit database could not take, kept on local disk until it can.

An audit trail with a hole for every PostgreSQL restart or network cut is not one a
municipality can answer an innsyn request or a complaint from. So when a write fails, the row
(already masked, exactly as it would have been stored) is appended to
`DATA_DIR/audit-spool/spool.jsonl`, one JSON object a line, and written to the database later:
in the background as soon as a write succeeds again, at start-up, or by `regelrett audit
replay`. Rows keep their ids and times, so afterwards the trail reads as if the database had
never been away; a row the database already holds is skipped, so a replay cut short is safe to
repeat. A row is lost only when the spool cannot be written either (disk full, read-only data
dir): the caller logs that as an error with the row's id and counts it.

Several server processes share the folder: appends take `spool.lock` (flock), and one replay
runs at a time (`replay.lock`); it first renames the spool aside under `spool.lock`, so rows
appended meanwhile go to a fresh file.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select

from assistant.audit.models import answers, escalations, feedback

log = logging.getLogger("regelrett.audit")

TABLES: dict[str, Table] = {"answer": answers, "feedback": feedback, "escalation": escalations}
BATCH = 200


@dataclass
class Replayed:
    rows: int = 0  # now in the database (written now, or already there)
    unreadable: int = 0  # lines that could not be read back (a write cut off by a crash)


class Spool:
    """Cheap to construct: the folder is made on the first append."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "spool.jsonl"
        # (file name, inode) -> (bytes counted, lines in them)
        self._counted: dict[tuple[str, int], tuple[int, int]] = {}

    # -- writing ----------------------------------------------------------------------------

    def append(self, what: str, row: dict[str, Any]) -> None:
        """Keep one row (`what`: answer, feedback or escalation); raises OSError when it
        cannot. The line is on disk (fsync) when this returns."""
        line = json.dumps({"what": what, "row": row}, ensure_ascii=False, default=_plain)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _flock(self.folder / "spool.lock"):
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    # -- reading ----------------------------------------------------------------------------

    def files(self) -> list[Path]:
        """Files with rows waiting: those being replayed (oldest first), then the spool."""
        if not self.folder.is_dir():
            return []
        waiting = sorted(self.folder.glob("replaying-*.jsonl"))
        return [*waiting, self.path] if self.path.exists() else waiting

    def pending(self) -> int:
        """Rows waiting to be written, in every process's spool (counted incrementally: only
        what was appended since the last call is read)."""
        total = 0
        seen: set[tuple[str, int]] = set()
        for path in self.files():
            try:
                total += self._lines(path, seen)
            except OSError:
                continue  # renamed or removed by a replay meanwhile
        self._counted = {k: v for k, v in self._counted.items() if k in seen}
        return total

    def _lines(self, path: Path, seen: set[tuple[str, int]]) -> int:
        with path.open("rb") as f:
            key = (path.name, os.fstat(f.fileno()).st_ino)
            seen.add(key)
            offset, lines = self._counted.get(key, (0, 0))
            size = os.fstat(f.fileno()).st_size
            if size < offset:
                offset, lines = 0, 0
            f.seek(offset)
            data = f.read(size - offset)
        lines += data.count(b"\n")
        self._counted[key] = (offset + len(data), lines)
        return lines

    # -- replay -----------------------------------------------------------------------------

    def replay(self, begin: Callable[[], AbstractContextManager[Connection]]) -> Replayed | None:
        """Write every waiting row through `begin()` (a transaction), skipping rows the
        database already has. None when another process is replaying. A database error
        propagates; the rows not yet written stay for the next replay."""
        if not self.folder.is_dir():
            return Replayed()
        with _flock(self.folder / "replay.lock", wait=False) as got:
            if not got:
                return None
            with _flock(self.folder / "spool.lock"):
                if self.path.exists():
                    claimed = f"replaying-{time.time_ns():020d}-{os.getpid()}.jsonl"
                    os.replace(self.path, self.folder / claimed)
            done = Replayed()
            for path in sorted(self.folder.glob("replaying-*.jsonl")):
                _replay_file(path, begin, done)
                path.unlink()
            return done


def _replay_file(
    path: Path, begin: Callable[[], AbstractContextManager[Connection]], done: Replayed
) -> None:
    batch: dict[str, list[dict[str, Any]]] = {}
    with path.open(encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                what, row = item["what"], _typed(item["row"])
                if what not in TABLES:
                    raise KeyError(what)
            except (ValueError, KeyError, TypeError) as exc:
                done.unreadable += 1
                log.error("audit spool: %s line %d cannot be read (%s); skipped", path, number, exc)
                continue
            batch.setdefault(what, []).append(row)
            if sum(len(rows) for rows in batch.values()) >= BATCH:
                done.rows += _write(begin, batch)
                batch = {}
    if batch:
        done.rows += _write(begin, batch)


def _write(
    begin: Callable[[], AbstractContextManager[Connection]], batch: dict[str, list[dict[str, Any]]]
) -> int:
    with begin() as conn:
        for what, rows in batch.items():
            insert_missing(conn, TABLES[what], rows)
    return sum(len(rows) for rows in batch.values())


def insert_missing(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows whose id the table does not hold yet."""
    ids = [r["id"] for r in rows]
    have = set(conn.scalars(select(table.c.id).where(table.c.id.in_(ids))))
    fresh: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["id"] not in have:
            fresh.setdefault(r["id"], r)  # the same row twice in one spool: once
    if fresh:
        conn.execute(table.insert(), list(fresh.values()))


def _plain(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go in the audit spool")


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(row, dict) or "id" not in row:
        raise TypeError("not a row")
    row["created"] = datetime.fromisoformat(row["created"])
    return row


@contextmanager
def _flock(path: Path, wait: bool = True) -> Iterator[bool]:
    """An exclusive lock on `path` (created when missing), held for the block; with
    wait=False it yields False at once when another holder has it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
