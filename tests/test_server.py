from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from assistant.server import create_app
from assistant.settings import Settings


def test_health_ready_and_home(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, chroma={"collection": "server-test"}))
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["chunks"] == 0
        home = client.get("/")
        assert home.status_code == 200 and "Regelrett" in home.text


def test_not_ready_when_the_store_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, chroma={"url": "http://127.0.0.1:9"})
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "cannot reach the Chroma server" in ready.json()["reason"]
