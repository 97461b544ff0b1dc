"""Beyond one machine: two `regelrett serve` processes with nothing in common on disk share a
Chroma server (`chroma run`), a fresh PostgreSQL database (keys, audit log) on the machine's
127.0.0.1:5432 and the machine's Redis (rate limits, under a key prefix of their own).

A document uploaded through one process is answered, with a citation, by the other, updated
through the other (the ingest manifest is shared) and removed through the first; keys made
once are accepted by both; a key's rate limit is one bucket across both processes. Skips with
the reason when PostgreSQL, Redis or the chroma command is not there. docs/deployment.md
describes the topology this stands for.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from evals.bench_http import stop_server
from tests.chroma_server import chroma_binary, chroma_server, free_port

pytestmark = [pytest.mark.server, pytest.mark.slow]

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
LIMIT = 4  # requests per minute per key, in both processes

# a small law from our fixtures (made up, in Lovdata's Markdown), uploaded through one process
LAW = Path(__file__).parent / "fixtures" / "lovdata" / "lov-2024-03-15-7.md"
QUESTION = "Hvem fastsetter opningstidene for hundeparken? hpl § 3-5"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _needs() -> None:
    if not _reachable(PG_HOST, PG_PORT):
        pytest.skip(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}")
    if not _reachable(REDIS_HOST, REDIS_PORT):
        pytest.skip(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}")
    if chroma_binary() is None:
        pytest.skip("the chroma command is not installed")


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new PostgreSQL database for this test, dropped afterwards; yields its URL."""
    name = "regelrett_topo_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    import redis

    prefix = f"regelrett-topo-{uuid.uuid4().hex[:10]}:"
    try:
        yield prefix
    finally:
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


def _environ(env: dict[str, str]) -> dict[str, str]:
    """This process's environment without any REGELRETT_* of its own, plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("REGELRETT_")}
    return {**base, "OMP_NUM_THREADS": "1", **env}


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=_environ(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@contextmanager
def server(env: dict[str, str], data_dir: Path, logs: Path) -> Iterator[tuple[str, Path]]:
    """`regelrett serve` on a free port with its own data dir; yields (URL, log file) at once
    (both servers start together; see `wait_ready`)."""
    port = free_port()
    log_path = logs / f"serve-{port}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=_environ({**env, "REGELRETT_DATA_DIR": str(data_dir)}),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}", log_path
    finally:
        stop_server(proc, timeout=20)
        log.close()


def wait_ready(url: str, log: Path, timeout: float = 180) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = httpx.get(url + "/readyz", timeout=2)
            if r.status_code == 200:
                body: dict[str, object] = r.json()
                return body
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{url} not ready in {timeout} s:\n{log.read_text(errors='replace')}")


def test_two_processes_share_store_keys_audit_and_rate_limits(tmp_path: Path) -> None:
    _needs()
    logs = tmp_path / "logs"
    logs.mkdir()
    with ExitStack() as stack:
        database = stack.enter_context(fresh_database())
        prefix = stack.enter_context(redis_prefix())
        chroma = stack.enter_context(chroma_server(tmp_path / "chroma"))
        env = {
            "REGELRETT_CHROMA_URL": chroma,
            "REGELRETT_CHROMA_COLLECTION": "topology",
            "REGELRETT_DATABASE_URL": database,
            "REGELRETT_REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
            "REGELRETT_REDIS_PREFIX": prefix,
            "REGELRETT_SERVER_AUTH": "keys",
            "REGELRETT_SERVER_DEMO_KEY": "false",
            "REGELRETT_SERVER_RATE_PER_MINUTE_KEY": str(LIMIT),
            "REGELRETT_SERVER_RATE_PER_MINUTE_IP": "0",
        }
        # keys made once, from a third data dir: they live in the shared database only
        cli = {**env, "REGELRETT_DATA_DIR": str(tmp_path / "operator")}
        admin = _cli(cli, "keys", "create", "drift", "--scope", "ask", "--scope", "admin")
        asker = _cli(cli, "keys", "create", "saksbehandling", "--scope", "ask")
        eager = _cli(cli, "keys", "create", "ivrig", "--scope", "ask")
        admin, asker, eager = (k.strip().splitlines()[-1] for k in (admin, asker, eager))

        a, log_a = stack.enter_context(server(env, tmp_path / "a", logs))
        b, log_b = stack.enter_context(server(env, tmp_path / "b", logs))
        for url, log in ((a, log_a), (b, log_b)):
            ready = wait_ready(url, log)
            assert ready["redis"] == "ok" and ready["audit"] == "ok", ready

        # ingest through A: an upload, so the document exists on A's disk only
        upload = httpx.post(
            a + "/v1/admin/ingest",
            headers={"X-API-Key": admin},
            files={"file": ("hundeparklova.md", LAW.read_bytes(), "text/markdown")},
            timeout=120,
        )
        assert upload.status_code == 200, upload.text
        assert upload.json()["added"] == 1 and upload.json()["chunks_written"] >= 1
        assert not (tmp_path / "b" / "uploads").exists()

        # ask B: it sees the new generation in Chroma, rebuilds its own lexical index and cites
        # the document it never saw on its disk
        # (the source list needs no key, so waiting does not spend the asker's requests)
        deadline = time.monotonic() + 30
        while not any(
            src["source_id"] == "hundeparklova.md"
            for src in httpx.get(b + "/v1/sources", timeout=10).json()
        ):
            assert time.monotonic() < deadline, "B never saw the new document"
            time.sleep(0.5)
        asked = httpx.post(
            b + "/v1/ask", headers={"X-API-Key": asker}, json={"question": QUESTION}, timeout=60
        )
        assert asked.status_code == 200, asked.text
        answer = asked.json()
        cited = {c["source_id"] for c in answer["citations"]}
        assert not answer["refused"] and "hundeparklova.md" in cited, answer
        assert any(
            c["section"] == "§ 3-5" and "opningstidene" in c["quote"] for c in answer["citations"]
        ), answer

        # B's answer is in the shared audit log
        engine = create_engine(database)
        with engine.connect() as conn:
            surfaces = conn.execute(
                text("SELECT surface FROM audit_answers WHERE id = :id"), {"id": answer["id"]}
            ).all()
        engine.dispose()
        assert surfaces == [("api",)]

        # the manifest is shared too: B updates what A ingested (not "added" again), A sees
        # the new text, and A removes the source B updated
        amended = LAW.read_text(encoding="utf-8").replace(
            "Kommunen fastset opningstidene for kvar hundepark.",
            "Kommunestyret fastset opningstidene for kvar hundepark etter høyring.",
        )
        update = httpx.post(
            b + "/v1/admin/ingest",
            headers={"X-API-Key": admin},
            files={"file": ("hundeparklova.md", amended.encode(), "text/markdown")},
            timeout=120,
        )
        assert update.status_code == 200, update.text
        assert (update.json()["updated"], update.json()["added"]) == (1, 0), update.json()
        section = a + "/v1/sources/hundeparklova.md/sections/%C2%A7%203-5"
        deadline = time.monotonic() + 30
        while "Kommunestyret fastset" not in httpx.get(section, timeout=10).json().get("text", ""):
            assert time.monotonic() < deadline, "A never saw the update"
            time.sleep(0.5)
        removed = httpx.delete(
            a + "/v1/admin/sources/hundeparklova.md", headers={"X-API-Key": admin}, timeout=60
        )
        assert removed.status_code == 200, removed.text
        assert removed.json()["chunks_removed"] >= 1

        # one bucket for the key across both processes: LIMIT requests alternating between
        # them pass, the next is refused by either, with Retry-After
        headers = {"X-API-Key": eager, "Accept-Language": "en"}
        codes = [
            httpx.get((a, b)[i % 2] + "/v1/sources", headers=headers, timeout=10).status_code
            for i in range(LIMIT)
        ]
        assert codes == [200] * LIMIT
        for url in (a, b):
            refused = httpx.get(url + "/v1/sources", headers=headers, timeout=10)
            assert refused.status_code == 429, refused.text
            assert refused.json()["type"].endswith("rate_limited")
            assert 1 <= int(refused.headers["retry-after"]) <= 60 // LIMIT + 1
        # another key still has its own bucket
        assert httpx.get(b + "/v1/sources", headers={"X-API-Key": asker}).status_code == 200
