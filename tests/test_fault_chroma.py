"""The Chroma server killed mid-traffic: questions get 503 problem+json with a clear reason,
/readyz says so, and the service recovers by itself when the server is back."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from assistant.retrieval import STORE_CHECK_S
from tests.api_support import api_settings, ingest, serve, write_corpus
from tests.chroma_server import chroma_binary, free_port

QUESTION = "Hvem fastsetter opningstidene for hundeparken? hpl § 3-5"


@contextmanager
def chroma_process(path: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    binary = chroma_binary()
    if binary is None:
        pytest.skip("the chroma command is not installed")
    log = (path.parent / f"chroma-{port}.log").open("ab")
    proc = subprocess.Popen(
        [binary, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"chroma run exited with {proc.returncode}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "chroma run did not start"
            time.sleep(0.2)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        log.close()


@pytest.mark.server
@pytest.mark.slow
def test_chroma_killed_mid_traffic_then_back(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "chroma-db"
    settings = api_settings(tmp_path, collection="fault-test")
    settings = settings.model_copy(
        update={"chroma": settings.chroma.model_copy(update={"url": f"http://127.0.0.1:{port}"})}
    )
    with chroma_process(db, port) as proc:
        ingest(settings, write_corpus(tmp_path / "corpus"))
        with serve(settings) as client:
            assert client.post("/v1/ask", json={"question": QUESTION}).status_code == 200
            proc.kill()  # SIGKILL: no goodbye
            proc.wait(timeout=10)
            # until the next store check the index held in memory (vectors included) answers;
            # from then on every question needs the store
            time.sleep(STORE_CHECK_S + 0.2)
            down = client.post("/v1/ask", json={"question": QUESTION})
            assert down.status_code == 503, down.text
            assert down.headers["content-type"] == "application/problem+json"
            assert "Chroma" in down.json()["detail"]
            stream = client.post("/v1/ask/stream", json={"question": QUESTION})
            assert stream.status_code in (200, 503)
            if stream.status_code == 200:  # the stream had begun: its error event says why
                assert "event: error" in stream.text
            ready = client.get("/readyz")
            assert ready.status_code == 503 and "Chroma" in ready.json()["reason"]
            with chroma_process(db, port):
                deadline = time.monotonic() + 30
                back = client.post("/v1/ask", json={"question": QUESTION})
                while back.status_code != 200 and time.monotonic() < deadline:
                    time.sleep(0.5)
                    back = client.post("/v1/ask", json={"question": QUESTION})
                assert back.status_code == 200 and not back.json()["refused"]
                assert client.get("/readyz").status_code == 200
