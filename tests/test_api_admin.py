"""Admin ingest (a path, an upload) and removal, seen by the next question; feedback stored
with personal data masked."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.feedback import FeedbackStore
from assistant.settings import Settings
from tests.api_support import FIXTURES, build, serve

BIKES = "Hvor mange sykkelplasser skal nye kommunale bygg ha per ansatt?"
ROUTINE = """---
title: "Rutine for nøkkelutlån i kommunehuset"
doc_type: template
language: nb
---

# Rutine for nøkkelutlån i kommunehuset

## Utlån

Nøkler til møterommene lånes ut i resepsjonen mot signatur i nøkkelprotokollen.
Nøkkelen skal leveres tilbake innen klokken 16 samme dag.
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    built = build(tmp_path_factory.mktemp("api-admin"), "api-admin")
    # what an ingest makes visible is tested here, through citations: the answerability
    # scorer, learnt on the eval corpus, may refuse a figure question on these tiny fixtures
    # (tests/test_answerability.py tests it)
    answer = built.answer.model_copy(update={"answerability": "off"})
    return built.model_copy(update={"answer": answer})


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with serve(settings) as client:
        yield client


def _cited_sources(client: TestClient, question: str) -> set[str]:
    answer = client.post("/v1/ask", json={"question": question}).json()
    return {c["source_id"] for c in answer["citations"]}


def test_ingest_a_path_is_seen_by_the_next_question(client: TestClient, tmp_path: Path) -> None:
    assert "sykkel.md" not in _cited_sources(client, BIKES)
    folder = tmp_path / "nye"
    folder.mkdir()
    shutil.copy(FIXTURES / "lovdata" / "forskrift-2025-11-03-1234.md", folder / "sykkel.md")
    r = client.post("/v1/admin/ingest", json={"path": str(folder / "sykkel.md")})
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["added"] == 1 and result["failed"] == 0 and result["chunks_written"] > 0
    assert "sykkel.md" in _cited_sources(client, BIKES)
    assert "sykkel.md" in {s["source_id"] for s in client.get("/v1/sources").json()}
    again = client.post("/v1/admin/ingest", json={"path": str(folder / "sykkel.md")}).json()
    assert again["unchanged"] == 1 and again["added"] == 0


def test_upload_a_file(client: TestClient, settings: Settings) -> None:
    r = client.post(
        "/v1/admin/ingest",
        files={"file": ("../../nøkkelrutine.md", ROUTINE.encode(), "text/markdown")},
        data={"doc_type": "template"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1
    stored = settings.data_dir / "uploads" / "nøkkelrutine.md"
    assert stored.read_text(encoding="utf-8") == ROUTINE  # the name lost its path parts
    detail = client.get("/v1/sources/nøkkelrutine.md").json()
    assert detail["doc_type"] == "template"
    answer = client.post(
        "/v1/ask", json={"question": "Når må nøkkelen til møterommet leveres tilbake?"}
    ).json()
    assert answer["citations"] and answer["citations"][0]["source_id"] == "nøkkelrutine.md"


def test_remove_a_source_is_seen_by_the_next_question(client: TestClient) -> None:
    question = "Hvem fastsetter opningstidene for hundeparken? hpl § 3-5"
    assert "hundeparklova.md" in _cited_sources(client, question)
    r = client.delete("/v1/admin/sources/hundeparklova.md")
    assert r.status_code == 200 and r.json()["chunks_removed"] > 0
    assert "hundeparklova.md" not in _cited_sources(client, question)
    assert "hundeparklova.md" not in {s["source_id"] for s in client.get("/v1/sources").json()}
    assert client.get("/v1/sources/hundeparklova.md").status_code == 404
    again = client.delete("/v1/admin/sources/hundeparklova.md")
    assert again.status_code == 404 and again.json()["type"].endswith("source_not_found")


def test_bad_ingest_requests(client: TestClient, tmp_path: Path) -> None:
    missing = client.post(
        "/v1/admin/ingest",
        json={"path": str(tmp_path / "finst-ikkje")},
        headers={"Accept-Language": "en"},
    )
    assert missing.status_code == 422 and missing.json()["detail"].startswith("Cannot ingest:")
    unknown_type = client.post(
        "/v1/admin/ingest", json={"path": str(tmp_path), "doc_type": "roman"}
    )
    assert unknown_type.status_code == 422 and "roman" in unknown_type.json()["detail"]
    extra = client.post("/v1/admin/ingest", json={"path": "x", "sti": "y"})
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "sti"
    no_file = client.post("/v1/admin/ingest", files={"vedlegg": ("a.md", b"# A", "text/markdown")})
    assert no_file.status_code == 422 and no_file.json()["errors"][0]["field"] == "file"
    text = client.post("/v1/admin/ingest", content=b"path", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and text.headers["content-type"] == "application/problem+json"


def test_feedback_is_stored_with_personal_data_masked(
    client: TestClient, settings: Settings
) -> None:
    answer = client.post("/v1/ask", json={"question": BIKES}).json()
    comment = "Feil paragraf. Ring meg på 912 34 567 eller kari.nordmann@kommune.no."
    r = client.post(
        "/v1/feedback", json={"answer_id": answer["id"], "rating": "down", "comment": comment}
    )
    assert r.status_code == 201 and r.json()["id"]
    up = client.post("/v1/feedback", json={"answer_id": answer["id"], "rating": "up"})
    assert up.status_code == 201
    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    rows = {f.id: f for f in store.all()}
    store.close()
    down = rows[r.json()["id"]]
    assert (down.answer_id, down.rating) == (answer["id"], "down")
    assert down.comment == "Feil paragraf. Ring meg på [telefon] eller [e-post]."
    assert rows[up.json()["id"]].comment is None
    raw = b"".join(p.read_bytes() for p in settings.data_dir.glob("feedback.sqlite3*"))
    assert b"912 34 567" not in raw and b"kari.nordmann" not in raw


@pytest.mark.parametrize(
    "body",
    [
        {"answer_id": "abc", "rating": "meh"},
        {"answer_id": "", "rating": "up"},
        {"answer_id": "a b", "rating": "up"},
        {"answer_id": "abc", "rating": "up", "comment": "x" * 2001},
    ],
)
def test_invalid_feedback_is_422(client: TestClient, body: dict) -> None:
    r = client.post("/v1/feedback", json=body)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
