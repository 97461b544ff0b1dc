"""The audit database away and back: PostgreSQL cut off mid-traffic behind a TCP proxy (answers
still served, the failure visible in /metrics, /readyz and the log, the rows kept in the local
spool and written once it returns, with their own ids and times), and the spool itself against
SQLite (a replay cut short, an unreadable line, a spool that cannot be written, the CLI)."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

import assistant.audit.store as store_module
from assistant.audit import AuditStore
from assistant.audit.models import answers, feedback
from assistant.cli import app as cli
from assistant.settings import Settings
from tests.api_support import build, events, serve
from tests.audit_support import PG_PORT, postgres_schema
from tests.test_audit import make_answer

QUESTION = "Hvem fastsetter opningstidene for hundeparken? Ring meg på 912 34 567. hpl § 3-5"
PHONE = "912 34 567"


class TcpProxy:
    """127.0.0.1:<port> -> 127.0.0.1:<target>. `cut()` closes the listener and every open
    connection (as a database restart or a network cut does: the pool's connections die, new
    ones are refused); `restore()` listens on the same port again."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def cut(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._conns.clear()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    p = TcpProxy(PG_PORT)
    p.restore()
    yield p
    p.cut()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("audit-outage"))


def _with(settings: Settings, url: str | None, auth: str = "off") -> Settings:
    return settings.model_copy(
        update={
            "database": settings.database.model_copy(update={"url": url}),
            "server": settings.server.model_copy(update={"auth": auth}),
        }
    )


def _ids_in(url: str, table: object) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(select(table.c.id)))  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def _wait(what: str, check: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _metric(text: str, name: str) -> float:
    """A sample's value from the exposition text (`name` with its labels); 0 when absent."""
    for line in text.splitlines():
        key, _, value = line.rpartition(" ")
        if key == name:
            return float(value)
    return 0.0


def test_postgresql_cut_mid_traffic_then_back(
    corpus: Settings,
    proxy: TcpProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(store_module, "RETRY_AFTER_S", 0.5)
    audit_log = logging.getLogger("regelrett.audit")
    audit_log.addHandler(caplog.handler)  # the app's logging may not propagate to the root
    caplog.set_level(logging.WARNING, "regelrett.audit")
    with postgres_schema() as direct:
        through_proxy = direct.replace(f":{PG_PORT}/", f":{proxy.port}/")
        # keys on: with a database URL they live in PostgreSQL too (docs/deployment.md)
        settings = _with(corpus, through_proxy, auth="keys")
        spool = settings.data_dir / "audit-spool"
        try:
            with serve(settings) as client:
                key, _ = client.app.state.services.keys.create("saksbehandler", ["ask"])  # type: ignore[attr-defined]
                client.headers["X-API-Key"] = key
                before = client.post("/v1/ask", json={"question": QUESTION}).json()
                assert before["id"] in _ids_in(direct, answers)
                assert client.get("/readyz").json()["audit"] == "ok"

                proxy.cut()  # the pool's connection dies under it; reconnects are refused
                time.sleep(2.1)  # past the keys' 2-second cache: the key database is asked
                during = []
                for i in range(3):
                    r = client.post("/v1/ask", json={"question": f"{QUESTION} ({i})"})
                    assert r.status_code == 200 and not r.json()["refused"]
                    during.append(r.json()["id"])
                streamed = client.post("/v1/ask/stream", json={"question": QUESTION})
                assert streamed.status_code == 200
                done = json.loads(next(d for k, d in events(streamed.text) if k == "done"))
                during.append(done["id"])
                rated = client.post("/v1/feedback", json={"answer_id": done["id"], "rating": "up"})
                assert rated.status_code == 201

                ready = client.get("/readyz")
                assert ready.status_code == 200  # answers are served: ready, audit degraded
                state = ready.json()["audit"]
                assert state.startswith("degraded: OperationalError"), state
                assert "5 rows kept in the local spool" in state
                metrics = client.get("/metrics").text
                assert _metric(metrics, 'regelrett_audit_failures_total{what="answer"}') == 4
                assert _metric(metrics, 'regelrett_audit_spooled_total{what="answer"}') == 4
                assert _metric(metrics, 'regelrett_audit_spooled_total{what="feedback"}') == 1
                assert _metric(metrics, "regelrett_audit_spool_rows") == 5
                assert "regelrett_audit_lost_total{" not in metrics
                assert any("could not record answer" in m for m in caplog.messages)
                spooled = (spool / "spool.jsonl").read_text(encoding="utf-8")
                assert len(spooled.splitlines()) == 5 and PHONE not in spooled  # masked
                assert not set(during) & _ids_in(direct, answers)
                # a key the database confirmed before it went away still works; one never
                # seen cannot be checked
                unknown = client.post(
                    "/v1/ask", json={"question": QUESTION}, headers={"X-API-Key": "rr_" + "x" * 43}
                )
                assert unknown.status_code == 503

                proxy.restore()
                time.sleep(0.6)  # past the pause after the last failure
                after = client.post("/v1/ask", json={"question": QUESTION}).json()
                wanted = {before["id"], *during, after["id"]}
                _wait("the spooled rows", lambda: wanted <= _ids_in(direct, answers))
                assert len(_ids_in(direct, feedback)) == 1
                _wait("the spool to empty", lambda: not list(spool.glob("*.jsonl")))
                assert client.get("/readyz").json()["audit"] == "ok"
                metrics = client.get("/metrics").text
                assert _metric(metrics, "regelrett_audit_replayed_total") == 5
                assert _metric(metrics, "regelrett_audit_spool_rows") == 0
                assert any("the database is back" in m for m in caplog.messages)
                assert any("5 rows written from the spool" in m for m in caplog.messages)
        finally:
            audit_log.removeHandler(caplog.handler)


def test_spooled_rows_keep_their_ids_and_times(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    url = f"sqlite:///{missing}/audit.sqlite3"
    kept: list[tuple[str, str, int]] = []
    audit = AuditStore(url, spool_dir=tmp_path / "spool", on_spool=lambda *e: kept.append(e))
    audit.engine  # noqa: B018 - make_engine creates the folder; take it away again
    missing.rmdir()
    assert audit.record_answer(make_answer(id="1" * 32), surface="api") is False
    assert audit.record_feedback("1" * 32, "down", "ring 912 34 567") is False  # paused
    assert audit.spool_pending() == 2
    assert kept == [("spooled", "answer", 1), ("spooled", "feedback", 1)]
    first = json.loads((tmp_path / "spool" / "spool.jsonl").read_text().splitlines()[0])
    missing.mkdir()
    audit._pause_until = 0.0
    done = audit.replay()
    assert done is not None and done.rows == 2 and audit.spool_pending() == 0
    [row] = audit.export()
    assert row["id"] == "1" * 32
    assert datetime.fromisoformat(row["created"]) == datetime.fromisoformat(first["row"]["created"])
    assert row["feedback"][0]["rating"] == "down" and PHONE not in row["feedback"][0]["comment"]
    assert ("replayed", "rows", 2) in kept
    audit.close()


def test_a_replay_cut_short_is_safe_to_repeat(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    audit = AuditStore(url, spool_dir=tmp_path / "spool")
    audit.open()
    assert audit.spool is not None
    row = {"id": "2" * 32, "answer_id": "1" * 32, "created": datetime.now().astimezone()}
    row |= {"tenant": "", "rating": "up", "comment": None, "key_id": None}
    audit.spool.append("feedback", row)
    audit.spool.append("feedback", row)  # the same row twice: written once
    audit.replay()
    audit.spool.append("feedback", row)  # as if a replay died after writing, before deleting
    with (tmp_path / "spool" / "spool.jsonl").open("a") as f:
        f.write('{"what": "answer", "row": {"id"\n')  # a line cut off by a crash
    done = audit.replay()
    assert done is not None and done.unreadable == 1
    assert _ids_in(url, feedback) == {"2" * 32}
    assert audit.spool_pending() == 0
    audit.close()


def test_a_row_is_lost_only_when_the_spool_cannot_be_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "spool").write_text("not a folder")
    events_seen: list[tuple[str, str, int]] = []
    audit = AuditStore(
        "postgresql+psycopg://postgres@127.0.0.1:9/test",
        connect_timeout_s=1,
        spool_dir=tmp_path / "spool",
        on_spool=lambda *e: events_seen.append(e),
    )
    logging.getLogger("regelrett.audit").addHandler(caplog.handler)
    try:
        assert audit.record_answer(make_answer(), surface="api") is False
    finally:
        logging.getLogger("regelrett.audit").removeHandler(caplog.handler)
    assert events_seen == [("lost", "answer", 1)]
    assert any("is lost" in m for m in caplog.messages)


def test_cli_replay_and_export_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGELRETT_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    settings = Settings(data_dir=tmp_path / "data")
    spooling = AuditStore(
        "postgresql+psycopg://postgres@127.0.0.1:9/test",
        connect_timeout_s=1,
        spool_dir=store_module.spool_dir(settings),
    )
    spooling.record_answer(make_answer(id="3" * 32), surface="cli")

    exported = runner.invoke(cli, ["audit", "export"])
    assert exported.exit_code == 0
    assert json.loads(exported.stdout) == []
    assert "1 rows are still in the local spool" in exported.stderr

    replayed = runner.invoke(cli, ["audit", "replay"])
    assert replayed.exit_code == 0, replayed.output
    assert "1 rows written from the spool" in replayed.stdout
    [row] = json.loads(runner.invoke(cli, ["audit", "export"]).stdout)
    assert row["id"] == "3" * 32

    monkeypatch.setenv("REGELRETT_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:9/x")
    spooling.record_answer(make_answer(id="4" * 32), surface="cli")
    spooling._pause_until = 0.0
    away = runner.invoke(cli, ["audit", "replay"])
    assert away.exit_code == 1 and "the rows stay in the spool" in away.stderr
