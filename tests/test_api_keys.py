"""API keys (CLI, hashed storage, scopes), widget keys bound to origins, CORS, rate limits."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.api.keys import KeyInputError, KeyStore, hash_key, normalise_origin
from assistant.api.ratelimit import RateLimiter
from assistant.cli import app as cli
from assistant.server import create_app
from assistant.settings import Settings
from tests.api_support import build, wait_ready

runner = CliRunner()
INTRANET = "https://intranett.hamar.kommune.no"
QUESTION = {"question": "Hvem fastsetter opningstidene for hundeparken? hpl § 3-5"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("api-keys"), "api-keys")


def _keyed(settings: Settings, **server: object) -> Settings:
    update = {"auth": "keys", "demo_key": True, **server}
    return settings.model_copy(update={"server": settings.server.model_copy(update=update)})


@pytest.fixture(scope="module")
def keyed(corpus: Settings) -> Settings:
    return _keyed(corpus)


@pytest.fixture(scope="module")
def client(keyed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(keyed)) as client:
        wait_ready(client)
        yield client


@pytest.fixture(scope="module")
def keys(keyed: Settings) -> Iterator[dict[str, str]]:
    store = KeyStore(keyed.data_dir / "keys.sqlite3")
    made = {
        "ask": store.create("backend", ["ask"])[0],
        "admin": store.create("drift", ["ask", "admin"])[0],
        "widget": store.create("intranett", ["ask"], kind="widget", origins=[INTRANET])[0],
    }
    yield made
    store.close()


def _cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("REGELRETT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "data" / "keys.sqlite3"


def test_keys_cli_create_list_revoke(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = _cli_env(monkeypatch, tmp_path)
    made = runner.invoke(cli, ["keys", "create", "saksbehandling", "--scope", "ask"])
    assert made.exit_code == 0, made.output
    plaintext = made.output.strip().splitlines()[-1]
    assert plaintext.startswith("rr_") and len(plaintext) > 40
    widget = runner.invoke(
        cli, ["keys", "create", "intranett", "--widget", "--origin", INTRANET + "/"]
    )
    assert widget.exit_code == 0, widget.output
    listed = json.loads(runner.invoke(cli, ["keys", "list", "--json"]).output)
    by_name = {k["name"]: k for k in listed}
    assert by_name["saksbehandling"]["scopes"] == ["ask"]
    assert by_name["saksbehandling"]["kind"] == "server"
    assert by_name["intranett"]["origins"] == [INTRANET]
    table = runner.invoke(cli, ["keys", "list"]).output
    assert "saksbehandling" in table and plaintext not in table

    store = KeyStore(db)
    assert store.lookup(plaintext) is not None
    revoked = runner.invoke(cli, ["keys", "revoke", "saksbehandling"])
    assert revoked.exit_code == 0 and "revoked saksbehandling" in revoked.output
    assert KeyStore(db).lookup(plaintext) is None
    assert runner.invoke(cli, ["keys", "list"]).output.count("saksbehandling") == 0
    assert "saksbehandling" in runner.invoke(cli, ["keys", "list", "--all"]).output
    again = runner.invoke(cli, ["keys", "revoke", "saksbehandling"])
    assert again.exit_code == 2 and "no active key" in again.output
    store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["w", "--widget", "--scope", "admin", "--origin", INTRANET], "only have the scope"),
        (["w", "--widget"], "at least one --origin"),
        (["s", "--origin", INTRANET], "only widget keys"),
        (["s", "--scope", "root"], "scopes must be among"),
        (["w", "--widget", "--origin", "intranett.no/sti"], "not a web origin"),
    ],
)
def test_keys_cli_refuses_bad_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], message: str
) -> None:
    _cli_env(monkeypatch, tmp_path)
    result = runner.invoke(cli, ["keys", "create", *args])
    assert result.exit_code == 2 and message in result.output


def test_keys_are_stored_hashed(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.sqlite3")
    plaintext, key = store.create("backend", ["ask", "admin"])
    with pytest.raises(KeyInputError, match="exists"):
        store.create("backend", ["ask"])
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("keys.sqlite3*"))
    assert plaintext.encode() not in raw and plaintext[7:].encode() not in raw
    assert hash_key(plaintext).encode() in raw
    assert KeyStore(tmp_path / "keys.sqlite3").lookup(plaintext) == key


def test_origin_normalisation() -> None:
    assert normalise_origin("HTTPS://Intranett.Kommune.no:443/") == "https://intranett.kommune.no"
    assert normalise_origin("http://localhost:8000") == "http://localhost:8000"
    with pytest.raises(KeyInputError):
        normalise_origin("https://kommune.no/side")


def test_requests_need_a_known_key(client: TestClient, keys: dict[str, str]) -> None:
    missing = client.post("/v1/ask", json=QUESTION, headers={"Accept-Language": "en"})
    assert missing.status_code == 401 and missing.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert missing.json()["detail"] == "API key missing: send it in the X-API-Key header."
    unknown = client.post("/v1/ask", json=QUESTION, headers={"X-API-Key": "rr_gjetta"})
    assert unknown.status_code == 401 and unknown.json()["type"].endswith("auth_unknown")
    ok = client.post("/v1/ask", json=QUESTION, headers={"X-API-Key": keys["ask"]})
    assert ok.status_code == 200 and ok.json()["citations"]
    bearer = client.post(
        "/v1/ask/stream", json=QUESTION, headers={"Authorization": f"Bearer {keys['ask']}"}
    )
    assert bearer.status_code == 200 and bearer.text.startswith("event: sources")
    fb = client.post(
        "/v1/feedback",
        json={"answer_id": ok.json()["id"], "rating": "up"},
        headers={"X-API-Key": keys["ask"]},
    )
    assert fb.status_code == 201


def test_admin_needs_an_admin_server_key(client: TestClient, keys: dict[str, str]) -> None:
    path = "/v1/admin/sources/finst-ikkje.md"
    ask_only = client.delete(path, headers={"X-API-Key": keys["ask"]})
    assert ask_only.status_code == 403 and ask_only.json()["type"].endswith("scope")
    widget = client.delete(path, headers={"X-API-Key": keys["widget"], "Origin": INTRANET})
    assert widget.status_code == 403
    assert widget.json()["detail"] == "En widget-nøkkel kan ikke brukes til administrasjon."
    ingest = client.post(
        "/v1/admin/ingest", json={"path": "/"}, headers={"X-API-Key": keys["widget"]}
    )
    assert ingest.status_code == 403
    admin = client.delete(path, headers={"X-API-Key": keys["admin"]})
    assert admin.status_code == 404  # past the key check; the source does not exist
    assert client.delete(path).status_code == 401


def test_widget_key_only_from_its_origins(client: TestClient, keys: dict[str, str]) -> None:
    allowed = client.post(
        "/v1/ask", json=QUESTION, headers={"X-API-Key": keys["widget"], "Origin": INTRANET}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == INTRANET
    assert "Origin" in allowed.headers["vary"]
    other = client.post(
        "/v1/ask",
        json=QUESTION,
        headers={"X-API-Key": keys["widget"], "Origin": "https://evil.example"},
    )
    assert other.status_code == 403 and "https://evil.example" in other.json()["detail"]
    assert "access-control-allow-origin" not in other.headers
    no_origin = client.post("/v1/ask", json=QUESTION, headers={"X-API-Key": keys["widget"]})
    assert no_origin.status_code == 403 and no_origin.json()["type"].endswith("origin_missing")


def test_cors_preflight_only_for_widget_origins(client: TestClient, keys: dict[str, str]) -> None:
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-api-key",
    }
    ok = client.options("/v1/ask", headers={"Origin": INTRANET, **asked})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == INTRANET
    allow = {h.strip().lower() for h in ok.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "x-api-key", "authorization"} <= allow
    assert "POST" in ok.headers["access-control-allow-methods"]
    refused = client.options("/v1/ask", headers={"Origin": "https://evil.example", **asked})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    plain = client.get("/v1/sources", headers={"Origin": "https://evil.example"})
    assert plain.status_code == 200 and "access-control-allow-origin" not in plain.headers


def test_demo_key_is_made_for_this_host_and_replaced_on_restart(keyed: Settings) -> None:
    app = create_app(keyed)
    with TestClient(app) as client:
        first = app.state.demo_key
        assert first and first.startswith("rr_")
        for origin in ("http://127.0.0.1:8000", "http://localhost:8000"):
            r = client.post(
                "/v1/ask", json=QUESTION, headers={"X-API-Key": first, "Origin": origin}
            )
            assert r.status_code == 200
            assert r.headers["access-control-allow-origin"] == origin
    again = create_app(keyed)
    with TestClient(again) as client:
        assert again.state.demo_key != first
        old = client.post(
            "/v1/ask",
            json=QUESTION,
            headers={"X-API-Key": first, "Origin": "http://localhost:8000"},
        )
        assert old.status_code == 401
    store = KeyStore(keyed.data_dir / "keys.sqlite3")
    assert [k.name for k in store.list()].count("demo-widget") == 1
    store.close()


def test_revoked_key_stops_working(client: TestClient, keyed: Settings) -> None:
    store = KeyStore(keyed.data_dir / "keys.sqlite3")
    plaintext, _ = store.create("kortvarig", ["ask"])
    headers = {"X-API-Key": plaintext}
    assert client.post("/v1/ask", json=QUESTION, headers=headers).status_code == 200
    store.revoke("kortvarig")  # another process's revoke: the server sees it within seconds
    store.close()
    deadline = time.monotonic() + 10
    while client.post("/v1/ask", json=QUESTION, headers=headers).status_code != 401:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_rate_limit_per_key_and_per_ip(corpus: Settings) -> None:
    limited = _keyed(corpus, rate_per_minute_key=3, rate_per_minute_ip=0, demo_key=False)
    store = KeyStore(limited.data_dir / "keys.sqlite3")
    plaintext, _ = store.create("ivrig", ["ask"])
    other, _ = store.create("rolig", ["ask"])
    store.close()
    with TestClient(create_app(limited)) as client:
        wait_ready(client)
        codes = [
            client.post("/v1/ask", json=QUESTION, headers={"X-API-Key": plaintext}).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        r = client.post(
            "/v1/ask", json=QUESTION, headers={"X-API-Key": plaintext, "Accept-Language": "en"}
        )
        assert r.status_code == 429 and r.headers["content-type"] == "application/problem+json"
        wait = int(r.headers["retry-after"])
        assert 1 <= wait <= 20
        assert r.json()["detail"] == f"Too many requests: try again in {wait} seconds."
        assert (
            client.post("/v1/ask", json=QUESTION, headers={"X-API-Key": other}).status_code == 200
        )

    by_ip = _keyed(corpus, rate_per_minute_key=0, rate_per_minute_ip=2, demo_key=False)
    with TestClient(create_app(by_ip)) as client:
        wait_ready(client)
        codes = [client.get("/v1/sources").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert int(client.get("/v1/sources").headers["retry-after"]) >= 1
        assert client.get("/healthz").status_code == 200  # health is never limited


def test_token_bucket_refills() -> None:
    limiter = RateLimiter(per_minute=60)
    assert all(limiter.hit("k", now=100.0) == 0 for _ in range(60))
    assert limiter.hit("k", now=100.0) == 1
    assert limiter.hit("k", now=101.5) == 0  # one token back after a second
    assert limiter.hit("other", now=100.0) == 0
    assert RateLimiter(per_minute=0).hit("k") == 0
