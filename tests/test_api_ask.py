"""POST /v1/ask and /v1/ask/stream on a small real index; errors as problem+json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.api_support import api_settings, build, events, serve

QUESTION = "Hvem fastsetter opningstidene for hundeparken? hpl § 3-5"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("api-ask"))


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with serve(settings) as client:
        yield client


def _comparable(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k not in {"id", "timings", "request_id"}}


def test_ask_returns_a_cited_answer(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": QUESTION})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    answer = r.json()
    assert not answer["refused"] and answer["mode"] == "extractive"
    first = answer["citations"][0]
    assert (first["source_id"], first["section"]) == ("hundeparklova.md", "§ 3-5")
    assert first["verified"] and first["quote"] in answer["answer"]
    assert answer["sources"][0]["source_id"] == "hundeparklova.md"
    assert answer["id"] and answer["config_hash"]


def test_stream_sends_sources_first_and_the_same_answer_last(client: TestClient) -> None:
    plain = client.post("/v1/ask", json={"question": QUESTION}).json()
    r = client.post("/v1/ask/stream", json={"question": QUESTION})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["cache-control"] == "no-cache"
    stream = events(r.text)
    kinds = [k for k, _ in stream]
    assert kinds[0] == "sources" and kinds[-1] == "done"
    assert kinds.count("done") == 1 and "delta" in kinds and "citation" in kinds
    assert kinds.index("citation") > kinds.index("delta")
    sources = json.loads(stream[0][1])
    done = json.loads(stream[-1][1])
    assert [p["chunk_id"] for p in sources] == [p["chunk_id"] for p in done["sources"]]
    text = "".join(json.loads(d)["text"] for k, d in stream if k == "delta")
    assert text == done["answer"]
    cited = [json.loads(d) for k, d in stream if k == "citation"]
    assert cited == done["citations"]
    assert _comparable(done) == _comparable(plain)


def test_filters_and_language(client: TestClient) -> None:
    r = client.post(
        "/v1/ask",
        json={
            "question": "Which obligations do suppliers of widgets have?",
            "filters": {"languages": ["en"], "doc_types": ["eu_regulation"]},
            "lang": "nn",
        },
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["language"] == "nn"
    assert answer["sources"] and all(p["language"] == "en" for p in answer["sources"])
    scoped = client.post(
        "/v1/ask",
        json={"question": "Når er hundeparken open?", "filters": {"sources": ["rettleiar.md"]}},
    ).json()
    assert scoped["sources"] and {p["source_id"] for p in scoped["sources"]} == {"rettleiar.md"}


def test_personal_data_in_the_question_is_masked(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": "Ola (tlf 91234567) spør: " + QUESTION})
    assert r.status_code == 200
    assert "91234567" not in r.text and "[telefon]" in r.json()["question"]


@pytest.mark.parametrize(
    ("lang", "detail"),
    [
        ("nb", "Spørsmålet er for langt: høyst 2000 tegn."),
        ("nn-NO,nn;q=0.9", "Spørsmålet er for langt: høgst 2000 teikn."),
        ("en-GB,en;q=0.8,nb;q=0.5", "The question is too long: at most 2000 characters."),
        ("de", "Spørsmålet er for langt: høyst 2000 tegn."),
    ],
)
def test_too_long_question_is_422_in_the_callers_language(
    client: TestClient, lang: str, detail: str
) -> None:
    r = client.post("/v1/ask", json={"question": "x" * 2001}, headers={"Accept-Language": lang})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["detail"] == detail
    assert problem["status"] == 422 and problem["instance"] == "/v1/ask"
    assert problem["type"].endswith("question_too_long")
    assert problem["errors"][0]["field"] == "question"
    assert client.post("/v1/ask", json={"question": "x" * 2000}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({}, "question", "missing"),
        ({"question": "  "}, "question", "string_pattern_mismatch"),
        ({"question": "Hva?", "modus": "llm"}, "modus", "extra_forbidden"),
        ({"question": "Hva?", "mode": "magic"}, "mode", "literal_error"),
        ({"question": "Hva?", "filters": {"languages": ["de"]}}, "filters.languages.0", None),
        ({"question": 42}, "question", "string_type"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(
    client: TestClient, body: dict, field: str, kind: str | None
) -> None:
    r = client.post("/v1/ask", json=body, headers={"Accept-Language": "en"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert errors[0]["field"] == field
    if kind:
        assert errors[0]["type"] == kind
    assert r.json()["title"] == "Invalid data"


def test_broken_json_is_422(client: TestClient) -> None:
    r = client.post(
        "/v1/ask", content=b'{"question": ', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "json_invalid"
    assert r.json()["title"] == "Ugyldige data"


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    big = json.dumps({"question": "Hva?", "filters": {"sources": ["a" * 70_000]}})
    r = client.post("/v1/ask", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "Forespørselen er for stor: høyst 65536 byte."

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted while reading
        yield big[:40_000].encode()
        yield big[40_000:].encode()

    r = client.post("/v1/ask", content=chunked(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["status"] == 413


def test_unknown_path_and_method_are_problems(client: TestClient) -> None:
    r = client.get("/v1/finst-ikkje", headers={"Accept-Language": "nn"})
    assert r.status_code == 404 and r.json()["detail"] == "Fann ikkje /v1/finst-ikkje."
    r = client.get("/v1/ask")
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"


def test_question_limit_follows_the_settings(tmp_path: Path, settings: Settings) -> None:
    small = api_settings(tmp_path, max_question_chars=20)
    small = small.model_copy(update={"data_dir": settings.data_dir})
    with serve(small) as other:
        r = other.post("/v1/ask", json={"question": "x" * 21}, headers={"Accept-Language": "en"})
        assert r.json()["detail"] == "The question is too long: at most 20 characters."
        schema = other.get("/openapi.json").json()["components"]["schemas"]["AskRequest"]
        assert schema["properties"]["question"]["maxLength"] == 20
