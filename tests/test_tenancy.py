"""Tenancy through every surface: a national layer shared by all, and one layer per
municipality that no other municipality sees — not its passages, titles, counts or existence.

Two tenants, hamar and stange, each have a snow-clearing routine (same file name, different
text) and stange has one more document. Each question is worded so that the *other* tenant's
routine is its best match; the stange key asking the same question gets the stange routine,
which shows the planted documents are what retrieval would find if nothing held it back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.answer import Assistant
from assistant.api.feedback import FeedbackStore
from assistant.api.keys import KeyStore
from assistant.cli import app as cli
from assistant.server import create_app
from assistant.settings import Settings
from assistant.slack.app import build_app, web_client
from assistant.slack.bot import SlackBot
from assistant.slack.ratelimit import SlackLimits
from assistant.slack.state import SlackState
from tests.api_support import api_settings, events, ingest, wait_ready, write_corpus
from tests.slackfake.live import slack_settings
from tests.slackfake.webapi import TEAM, FakeSlack
from tests.test_slack_bot import in_thread, mention

ROUTINE = "broyterutine.md"
SECRET_DOC = "beredskap-vannverk.md"
INTRANET = "https://intranett.hamar.test"

HAMAR = """---
title: Brøyterutine for Hamar rådhus
short_title: Hamar brøyterutine
doc_type: template
language: nb
---

# Brøyterutine for Hamar rådhus

## 1 Oppmøte

Brøytevakta i Hamar møter ved Mjøsporten klokka fire om natta når det er meldt mer enn åtte
centimeter nysnø. Kodeordet for nøkkelskapet er HAMAR-KVIST-41.

## 2 Strøing

Trappene ved hovedinngangen på Mjøsporten strøs med grus før klokka sju.
"""

STANGE = """---
title: Brøyterutine for Stange kommunehus
short_title: Stange brøyterutine
doc_type: template
language: nb
---

# Brøyterutine for Stange kommunehus

## 1 Oppmøte

Brøytevakta i Stange møter ved Tangenvika klokka halv seks om morgenen når det er meldt mer
enn fem centimeter nysnø. Kodeordet for nøkkelskapet er STANGE-LYNG-77.

## 2 Strøing

Parkeringsplassen ved Tangenvika strøs med sand før klokka åtte.
"""

STANGE_SECRET = """---
title: Beredskapsplan for Stange vannverk
short_title: Vannverksberedskapen
doc_type: template
language: nb
---

# Beredskapsplan for Stange vannverk

## 1 Varsling

Ved brudd på hovedledningen ved Tangenvika varsles vakthavende på nummer STANGE-VANN-12.
"""

# best answered by stange's routine; asked with hamar's key it must not find it
FOR_STANGE = (
    "Når møter brøytevakta ved Tangenvika om morgenen, og hvor mye nysnø må være meldt? "
    "Hva er kodeordet for nøkkelskapet?"
)
# words of stange's documents that are not in the question: none may reach hamar
STANGE_MARKS = (
    "STANGE-LYNG-77",
    "STANGE-VANN-12",
    "halv seks",
    "Stange brøyterutine",
    "Brøyterutine for Stange",
    "Vannverksberedskapen",
    "Beredskapsplan for Stange",
    SECRET_DOC,
    '"stange"',
)


def assert_no_stange(text: str) -> None:
    leaked = [m for m in STANGE_MARKS if m in text]
    assert not leaked, f"stange's documents leaked: {leaked}"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("tenancy")
    settings = api_settings(root, "tenancy", auth="keys", demo_key=False)
    national = write_corpus(root / "national")
    ingest(settings, national)
    for tenant, files in (
        ("hamar", {ROUTINE: HAMAR}),
        ("stange", {ROUTINE: STANGE, SECRET_DOC: STANGE_SECRET}),
    ):
        folder = root / tenant
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        with _ingestor(settings) as ingestor:
            report = ingestor.run([folder], tenant=tenant)
        assert not report.failed
    return settings


def _ingestor(settings: Settings) -> Any:
    from ingest.service import open_ingestor

    return open_ingestor(settings)


@pytest.fixture(scope="module")
def keys(settings: Settings) -> Iterator[dict[str, str]]:
    store = KeyStore(settings.data_dir / "keys.sqlite3")
    made = {
        "hamar": store.create("hamar", ["ask", "admin"], tenant="hamar")[0],
        "stange": store.create("stange", ["ask"], tenant="stange")[0],
        "national": store.create("nasjonal", ["ask"])[0],
        "widget": store.create(
            "hamar-intranett", ["ask"], kind="widget", origins=[INTRANET], tenant="hamar"
        )[0],
    }
    yield made
    store.close()


@pytest.fixture(scope="module")
def client(settings: Settings, keys: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        wait_ready(client)
        yield client


def h(key: str, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


def ask(client: TestClient, key: str, question: str = FOR_STANGE, **body: Any) -> Any:
    resp = client.post("/v1/ask", json={"question": question, **body}, headers=h(key))
    assert resp.status_code == 200, resp.text
    return resp


# -- the planted documents are the best match --------------------------------------------------


def test_the_other_tenant_finds_its_own_routine(client: TestClient, keys: dict[str, str]) -> None:
    answer = ask(client, keys["stange"]).json()
    assert answer["sources"][0]["tenant"] == "stange"
    assert answer["sources"][0]["source_id"] == ROUTINE
    assert "STANGE-LYNG-77" in answer["answer"]


# -- API ---------------------------------------------------------------------------------------


def test_ask_sees_only_the_national_layer_and_its_own_tenant(
    client: TestClient, keys: dict[str, str]
) -> None:
    resp = ask(client, keys["hamar"])
    assert_no_stange(resp.text)
    answer = resp.json()
    assert {p["tenant"] for p in answer["sources"]} <= {"", "hamar"}
    assert "HAMAR-KVIST-41" not in answer["answer"] or answer["sources"][0]["tenant"] == "hamar"
    national = ask(client, keys["national"])
    assert_no_stange(national.text)
    assert {p["tenant"] for p in national.json()["sources"]} == {""}
    assert "HAMAR" not in national.text


def test_stream_sees_only_its_own_tenant(client: TestClient, keys: dict[str, str]) -> None:
    resp = client.post("/v1/ask/stream", json={"question": FOR_STANGE}, headers=h(keys["hamar"]))
    assert resp.status_code == 200
    assert_no_stange(resp.text)
    kinds = [kind for kind, _ in events(resp.text)]
    assert kinds[0] == "sources" and kinds[-1] == "done"


def test_filters_naming_another_tenants_source_reveal_nothing(
    client: TestClient, keys: dict[str, str]
) -> None:
    theirs = ask(client, keys["hamar"], filters={"sources": [SECRET_DOC]}).json()
    nobody = ask(client, keys["hamar"], filters={"sources": ["finnes-ikke.md"]}).json()
    assert theirs["refused"] and nobody["refused"]
    assert theirs["sources"] == nobody["sources"] == []
    assert theirs["answer"] == nobody["answer"]


def test_source_list_and_counts(client: TestClient, keys: dict[str, str]) -> None:
    listed = client.get("/v1/sources", headers=h(keys["hamar"]))
    assert_no_stange(listed.text)
    rows = listed.json()
    assert {(r["tenant"], r["source_id"]) for r in rows if r["tenant"]} == {("hamar", ROUTINE)}
    anonymous = client.get("/v1/sources").json()  # public sources: the national layer
    assert {r["tenant"] for r in anonymous} == {""}
    national = {r["source_id"] for r in anonymous}
    assert {r["source_id"] for r in rows} == national | {ROUTINE}


def test_another_tenants_source_is_not_found_like_an_unknown_one(
    client: TestClient, keys: dict[str, str]
) -> None:
    def problem(path: str) -> dict[str, Any]:
        resp = client.get(path, headers=h(keys["hamar"]))
        assert resp.status_code == 404
        assert_no_stange(resp.text.replace(SECRET_DOC, ""))
        body = resp.json()
        body.pop("detail"), body.pop("instance")  # they echo the id asked for
        return body

    unknown = problem("/v1/sources/finnes-ikke.md")
    assert problem(f"/v1/sources/{SECRET_DOC}") == unknown
    assert problem(f"/v1/sources/{SECRET_DOC}?tenant=stange") == unknown
    assert problem(f"/v1/sources/{ROUTINE}?tenant=stange") == unknown
    assert problem(f"/v1/sources/{ROUTINE}/sections/1?tenant=stange") == unknown
    assert problem(f"/v1/sources/{SECRET_DOC}/sections/1") == unknown
    own = client.get(f"/v1/sources/{ROUTINE}", headers=h(keys["hamar"])).json()
    assert own["tenant"] == "hamar" and own["title"] == "Brøyterutine for Hamar rådhus"
    theirs = client.get(f"/v1/sources/{ROUTINE}", headers=h(keys["stange"])).json()
    assert theirs["tenant"] == "stange"
    anonymous = client.get(f"/v1/sources/{ROUTINE}")
    assert anonymous.status_code == 404


def test_section_text_of_own_tenant(client: TestClient, keys: dict[str, str]) -> None:
    own = client.get(f"/v1/sources/{ROUTINE}/sections/1", headers=h(keys["hamar"]))
    assert own.status_code == 200 and "HAMAR-KVIST-41" in own.json()["text"]
    assert_no_stange(own.text)


def test_feedback_stays_with_its_tenant(
    client: TestClient, keys: dict[str, str], settings: Settings
) -> None:
    answer = ask(client, keys["hamar"]).json()
    resp = client.post(
        "/v1/feedback",
        json={"answer_id": answer["id"], "rating": "down", "comment": "Feil rutine"},
        headers=h(keys["hamar"]),
    )
    assert resp.status_code == 201
    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    try:
        mine = [f for f in store.all("hamar") if f.answer_id == answer["id"]]
        assert mine and mine[0].tenant == "hamar"
        assert not [f for f in store.all("stange") if f.answer_id == answer["id"]]
    finally:
        store.close()


def test_a_tenant_admin_key_works_on_its_own_tenant_only(
    client: TestClient, keys: dict[str, str]
) -> None:
    gone = client.delete(f"/v1/admin/sources/{SECRET_DOC}?tenant=stange", headers=h(keys["hamar"]))
    nothing = client.delete("/v1/admin/sources/finnes-ikke.md", headers=h(keys["hamar"]))
    assert gone.status_code == nothing.status_code == 404
    assert gone.json()["type"] == nothing.json()["type"]
    other = client.post(
        "/v1/admin/ingest", json={"path": "/nowhere", "tenant": "stange"}, headers=h(keys["hamar"])
    )
    assert other.status_code == 403 and other.json()["type"].endswith(":tenant")
    still = ask(client, keys["stange"]).json()
    assert still["sources"][0]["tenant"] == "stange"


# -- the web widget and the passage view --------------------------------------------------------


def test_widget_key_sees_only_its_tenant(client: TestClient, keys: dict[str, str]) -> None:
    headers = h(keys["widget"], Origin=INTRANET)
    resp = client.post("/v1/ask/stream", json={"question": FOR_STANGE}, headers=headers)
    assert resp.status_code == 200
    assert_no_stange(resp.text)
    done = json.loads(events(resp.text)[-1][1])
    assert {p["tenant"] for p in done["sources"]} <= {"", "hamar"}


def test_passage_view_opens_a_tenants_source_only_from_its_own_answer(
    client: TestClient, keys: dict[str, str]
) -> None:
    view = "/sources/view"
    for query in (
        {"source": SECRET_DOC},
        {"source": SECRET_DOC, "section": "1"},
        {"source": ROUTINE, "section": "1"},
    ):
        resp = client.get(view, params=query)
        assert resp.status_code == 404
        assert_no_stange(resp.text.replace(SECRET_DOC, ""))
    hamar = ask(client, keys["hamar"], "Når møter brøytevakta ved Mjøsporten?").json()
    hamar_chunk = next(p["chunk_id"] for p in hamar["sources"] if p["tenant"] == "hamar")
    # a chunk of one source does not open another
    mixed = client.get(view, params={"source": SECRET_DOC, "chunk": hamar_chunk})
    assert mixed.status_code == 404
    page = client.get(view, params={"source": ROUTINE, "chunk": hamar_chunk})
    assert page.status_code == 200 and "HAMAR-KVIST-41" in page.text
    assert_no_stange(page.text)
    # the page's own links carry the grant, so the reader can move within the source
    assert f"grant={hamar_chunk}" in page.text
    whole = client.get(view, params={"source": ROUTINE, "grant": hamar_chunk})
    assert whole.status_code == 200 and f"section=2&amp;grant={hamar_chunk}" in whole.text


# -- Slack -------------------------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


def test_slack_channel_sees_only_its_tenant(
    settings: Settings, fake: FakeSlack, tmp_path: Path
) -> None:
    from assistant.embeddings import make_embedder
    from assistant.store import open_store

    tenants = {f"{TEAM}/C0HAMAR": "hamar", f"{TEAM}/C0STANGE": "stange"}
    slack = slack_settings(settings, fake, tenants=tenants)
    store = open_store(slack)
    core = Assistant(slack, store, make_embedder(slack.embedder.backend))
    bot = SlackBot(
        settings=slack,
        assistant=lambda: core,
        feedback=FeedbackStore(tmp_path / "feedback.sqlite3"),
        state=SlackState(tmp_path / "slack.sqlite3"),
        limits=SlackLimits(slack.slack),
    )
    app = build_app(bot, client=web_client(slack))
    try:
        (hamar,) = in_thread(fake, "chat.postMessage", mention(app, FOR_STANGE, channel="C0HAMAR"))
        assert_no_stange(json.dumps(hamar.args, ensure_ascii=False))
        (open_channel,) = in_thread(
            fake, "chat.postMessage", mention(app, FOR_STANGE, channel="C0ANNEN")
        )
        text = json.dumps(open_channel.args, ensure_ascii=False)
        assert_no_stange(text)
        assert "HAMAR-KVIST-41" not in text and "Hamar brøyterutine" not in text
        (stange,) = in_thread(
            fake, "chat.postMessage", mention(app, FOR_STANGE, channel="C0STANGE")
        )
        assert "STANGE-LYNG-77" in json.dumps(stange.args, ensure_ascii=False)
    finally:
        store.close()


# -- command line ------------------------------------------------------------------------------


def test_cli_ask_with_a_tenant(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGELRETT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("REGELRETT_CHROMA_COLLECTION", settings.chroma.collection)
    runner = CliRunner()
    hamar = runner.invoke(cli, ["ask", FOR_STANGE, "--tenant", "hamar", "--json"])
    assert hamar.exit_code == 0, hamar.output
    assert_no_stange(hamar.output)
    answer = json.loads(hamar.output)
    assert {p["tenant"] for p in answer["sources"]} <= {"", "hamar"}
    national = runner.invoke(cli, ["ask", FOR_STANGE, "--json"])
    assert national.exit_code == 0
    assert_no_stange(national.output)
    assert {p["tenant"] for p in json.loads(national.output)["sources"]} == {""}
    stange = runner.invoke(cli, ["ask", FOR_STANGE, "--tenant", "stange", "--json"])
    assert "STANGE-LYNG-77" in stange.output


def test_cli_keys_carry_a_tenant(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGELRETT_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    made = runner.invoke(cli, ["keys", "create", "ringsaker", "--tenant", "ringsaker"])
    assert made.exit_code == 0 and "tenant ringsaker" in made.output
    listed = json.loads(runner.invoke(cli, ["keys", "list", "--json"]).output)
    assert {k["name"]: k["tenant"] for k in listed}["ringsaker"] == "ringsaker"
    bad = runner.invoke(cli, ["keys", "create", "x", "--tenant", "ikke lov"])
    assert bad.exit_code == 2 and "tenant" in bad.output


def test_api_body_takes_an_as_of_date(client: TestClient, keys: dict[str, str]) -> None:
    ok = ask(client, keys["hamar"], "Når møter brøytevakta ved Mjøsporten?", as_of="2025-01-31")
    assert ok.json()["as_of"] == "2025-01-31"
    bad = client.post(
        "/v1/ask", json={"question": "Hei?", "as_of": "31.01.2025"}, headers=h(keys["hamar"])
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["as_of"]
