"""The audit log, request id and metrics through the HTTP surfaces (API, stream, widget,
feedback), against SQLite and PostgreSQL, and with the audit database away."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.services import Services
from assistant.settings import Settings
from tests.api_support import build, events, serve
from tests.audit_support import postgres_schema

QUESTION = "Hvem fastsetter opningstidene for hundeparken? Ring meg på 912 34 567. hpl § 3-5"
ORIGIN = "https://intranett.hamar.kommune.no"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("audit-api"))


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with serve(settings) as client:
        yield client


def svc(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def rows(client: TestClient) -> dict[str, dict]:
    audit = svc(client).recorder.audit
    assert audit is not None
    return {r["id"]: r for r in audit.export()}


def test_ask_is_recorded_with_its_request_id(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": QUESTION}, headers={"X-Request-ID": "abc-123"})
    assert r.status_code == 200 and r.headers["X-Request-ID"] == "abc-123"
    answer = r.json()
    assert answer["request_id"] == "abc-123"
    row = rows(client)[answer["id"]]
    assert row["surface"] == "api" and row["request_id"] == "abc-123"
    assert "912 34 567" not in row["question"] and row["question"] == answer["question"]
    assert row["answer"] == answer["answer"]
    assert [c["chunk_id"] for c in row["citations"]] == [c["chunk_id"] for c in answer["citations"]]
    assert row["config_hash"] == answer["config_hash"] and row["timings"]["total"] > 0


def test_a_request_id_is_made_when_none_or_a_bad_one_is_sent(client: TestClient) -> None:
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    bad = client.get("/healthz", headers={"X-Request-ID": "x" * 500}).headers["X-Request-ID"]
    assert bad != "x" * 500 and len(bad) == 32


def test_stream_and_feedback_are_recorded(client: TestClient) -> None:
    r = client.post("/v1/ask/stream", json={"question": QUESTION})
    done = json.loads(next(d for k, d in events(r.text) if k == "done"))
    assert done["request_id"] == r.headers["X-Request-ID"]
    fb = client.post(
        "/v1/feedback",
        json={"answer_id": done["id"], "rating": "down", "comment": "feil, kari@example.no"},
    )
    assert fb.status_code == 201
    row = rows(client)[done["id"]]
    assert row["surface"] == "api"
    assert [f["rating"] for f in row["feedback"]] == ["down"]
    assert "kari@example.no" not in row["feedback"][0]["comment"]


def test_metrics(client: TestClient) -> None:
    client.post("/v1/ask", json={"question": QUESTION})
    client.post("/v1/ask", json={"question": "Hvor mange måner har Jupiter?"})
    text = client.get("/metrics").text
    assert 'regelrett_http_request_duration_seconds_bucket{le="0.5",method="POST",' in text
    assert 'route="/v1/ask",status="200"' in text
    assert 'regelrett_answers_total{mode="extractive",refused="false",surface="api"}' in text
    assert 'regelrett_refusals_total{surface="api"}' in text
    assert 'regelrett_feedback_total{rating="down",surface="api"}' in text
    assert "regelrett_audit_failures_total{" not in text  # the audit log wrote every row
    assert QUESTION not in text


def test_readyz_says_audit_ok(client: TestClient) -> None:
    assert client.get("/readyz").json()["audit"] == "ok"


def test_widget_answers_are_the_widgets(settings: Settings, tmp_path: Path) -> None:
    keyed = settings.model_copy(
        update={"server": settings.server.model_copy(update={"auth": "keys"})}
    )
    with serve(keyed) as client:
        key, _ = svc(client).keys.create("intranett", ["ask"], kind="widget", origins=[ORIGIN])
        r = client.post(
            "/v1/ask/stream",
            json={"question": QUESTION},
            headers={"X-API-Key": key, "Origin": ORIGIN},
        )
        assert r.status_code == 200
        done = json.loads(next(d for k, d in events(r.text) if k == "done"))
        row = rows(client)[done["id"]]
        assert row["surface"] == "widget" and row["key_id"]


def test_audit_database_away_answers_still_served(settings: Settings) -> None:
    away = settings.model_copy(
        update={
            "database": settings.database.model_copy(
                update={"url": "postgresql+psycopg://postgres@127.0.0.1:9/test"}
            )
        }
    )
    with serve(away) as client:
        r = client.post("/v1/ask", json={"question": QUESTION})
        assert r.status_code == 200 and not r.json()["refused"]
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["audit"].startswith("degraded: OperationalError")
        text = client.get("/metrics").text
        assert 'regelrett_audit_failures_total{what="answer"} 1.0' in text
        assert 'regelrett_audit_failures_total{what="migrate"} 1.0' in text


def test_answers_recorded_in_postgresql(settings: Settings) -> None:
    with postgres_schema() as url:
        pg = settings.model_copy(
            update={"database": settings.database.model_copy(update={"url": url})}
        )
        with serve(pg) as client:
            answer = client.post("/v1/ask", json={"question": QUESTION}).json()
            row = rows(client)[answer["id"]]
            assert row["surface"] == "api" and row["request_id"] == answer["request_id"]
