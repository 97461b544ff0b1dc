"""Review by legal advisers: the queue, verdicts, verified answers offered for the same or a
near-identical question, withdrawal when a cited source changes; the /review page with its key,
cookie and same-origin checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.audit import AuditStore
from assistant.audit.review import ReviewStore, normalise, similar
from assistant.settings import Settings
from tests.api_support import build, serve
from tests.audit_support import audit_url
from tests.test_audit import make_answer

QUESTION = "Hvem fastsetter opningstidene for hundeparken? hpl § 3-5"
SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture(params=["sqlite", "postgres"])
def review(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    with audit_url(request.param, tmp_path) as url:
        audit = AuditStore(url)
        audit.open()
        yield ReviewStore(audit)
        audit.close()


def test_near_identical_questions() -> None:
    a = normalise("Kan vi nekte innsyn i et internt notat?")
    assert similar(a, normalise("kan vi nekte innsyn i et internt notat"))
    assert similar(a, normalise("Kan vi nekte innsyn i et internt notat, da?"))
    assert not similar(a, normalise("Kan vi nekte innsyn i en e-post?"))
    assert not similar(normalise("innsyn?"), normalise("innsyn nå"))


def test_queue_review_promote_find_and_withdraw(review: ReviewStore) -> None:
    audit = review.audit
    plain, disliked, escalated = "1" * 32, "2" * 32, "3" * 32
    audit.record_answer(
        make_answer(id=escalated, question="Spørsmål tre om innsyn"), surface="slack"
    )
    audit.record_answer(make_answer(id=disliked, question="Spørsmål to om innsyn"), surface="api")
    audit.record_answer(make_answer(id=plain, question="Spørsmål en om innsyn"), surface="api")
    audit.record_feedback(disliked, "down", "feil")
    audit.record_escalation(escalated, surface="slack")
    order = [i.row["id"] for i in review.queue()]
    assert set(order[:2]) == {disliked, escalated} and order[2] == plain

    review.review(disliked, "kari", "incorrect", "Svaret skal vise til offl. § 14.")
    item = review.item(disliked)
    assert item is not None and item.reviews[0]["verdict"] == "incorrect"
    with pytest.raises(ValueError):
        review.review(disliked, "kari", "maybe")

    assert review.promote(disliked, "kari", "Ja, etter offl. § 14 [1].")
    found = review.find("spørsmål to om innsyn!")
    assert found is not None and found.label == "Kvalitetssikret svar"
    assert found.reviewer == "kari" and found.answer == "Ja, etter offl. § 14 [1]."
    assert found.citations[0].section == "§ 3" and found.reviewed
    assert review.find("Spørsmål en om innsyn") is None
    assert review.find("spørsmål to om innsyn", tenant="hamar") is not None  # national layer

    assert review.withdraw_sources({"annen-kilde"}, "endret") == 0
    assert review.withdraw_sources({"offl"}, "endret") == 1
    assert review.find("spørsmål to om innsyn") is None
    [withdrawn] = review.verified("withdrawn")
    assert withdrawn["answer_id"] == disliked and withdrawn["withdrawn_reason"] == "endret"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    built = build(tmp_path_factory.mktemp("review"))
    return built.model_copy(update={"server": built.server.model_copy(update={"auth": "keys"})})


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with serve(settings) as client:
        yield client


def _key(client: TestClient, name: str, scopes: list[str]) -> str:
    key, _ = client.app.state.services.keys.create(name, scopes)  # type: ignore[attr-defined]
    return key


def test_review_page_needs_a_review_key(client: TestClient) -> None:
    asker = _key(client, "backend", ["ask"])
    assert client.get("/review").status_code == 401
    assert 'type="password"' in client.get("/review").text
    assert client.get("/review", headers={"X-API-Key": asker}).status_code == 401
    bad = client.post("/review/login", data={"key": asker}, headers=SAME_ORIGIN)
    assert bad.status_code == 401
    cross = client.post(
        "/review/login", data={"key": asker}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403


def test_review_promote_and_the_verified_answer_comes_first(
    client: TestClient, settings: Settings
) -> None:
    asker = _key(client, "backend2", ["ask"])
    adviser = _key(client, "jurist-kari", ["review", "admin"])
    first = client.post("/v1/ask", json={"question": QUESTION}, headers={"X-API-Key": asker})
    answer = first.json()
    assert answer["verified"] is None
    client.post(
        "/v1/feedback",
        json={"answer_id": answer["id"], "rating": "down"},
        headers={"X-API-Key": asker},
    )

    login = client.post(
        "/review/login", data={"key": adviser}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert login.status_code == 303
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/review" in cookie
    page = client.get("/review")
    assert page.status_code == 200 and f"/review/answers/{answer['id']}" in page.text
    assert "negativ tilbakemelding (1)" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert '<html lang="nb">' in page.text and '<label for="tenant">' in page.text

    detail = client.get(f"/review/answers/{answer['id']}")
    assert detail.status_code == 200 and "<legend>Er svaret riktig?</legend>" in detail.text
    url = f"/review/answers/{answer['id']}"
    assert client.post(url + "/verdict", data={"verdict": "correct"}).status_code == 403
    saved = client.post(
        url + "/verdict",
        data={"verdict": "correct", "correction": "Godt svar."},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "Vurderingen er lagret." in client.get(saved.headers["location"]).text
    assert client.post(url + "/verdict", data={}, headers=SAME_ORIGIN).status_code == 422
    promoted = client.post(url + "/promote", data={"text": ""}, headers=SAME_ORIGIN)
    assert promoted.status_code == 200 and "Svaret er kvalitetssikret." in promoted.text
    assert client.get("/review/answers/" + "f" * 32).status_code == 404

    again = client.post(
        "/v1/ask",
        json={"question": QUESTION.lower() + "?"},
        headers={"X-API-Key": asker},
    ).json()
    verified = again["verified"]
    assert verified["label"] == "Kvalitetssikret svar" and verified["reviewer"] == "jurist-kari"
    assert verified["answer"] == answer["answer"] and verified["reviewed"]
    assert verified["citations"][0]["source_id"] == "hundeparklova.md"

    # a re-ingest that changes the cited source withdraws it, and it waits for a new review
    corpus = settings.data_dir.parent / "corpus"
    law = corpus / "hundeparklova.md"
    law.write_text(law.read_text(encoding="utf-8") + "\nEin ny paragraf.\n", encoding="utf-8")
    ingested = client.post(
        "/v1/admin/ingest", json={"path": str(corpus)}, headers={"X-API-Key": adviser}
    )
    assert ingested.status_code == 200 and ingested.json()["updated"] == 1
    later = client.post("/v1/ask", json={"question": QUESTION}, headers={"X-API-Key": asker})
    assert later.json()["verified"] is None
    page = client.get("/review").text
    withdrawn = page.split("Trukket tilbake")[1].split("Kvalitetssikrede svar")[0]
    assert "kilden er endret ved ny innlesing" in withdrawn


def test_slack_and_cli_show_the_verified_answer_first(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli.ask_cmd import print_answer
    from assistant.records import VerifiedAnswer
    from assistant.slack.blocks import render_answer

    answer = make_answer()
    answer.verified = VerifiedAnswer(
        id="v1",
        question=answer.question,
        answer="Ja, innsyn skal gis [1].",
        citations=answer.citations,
        reviewer="jurist-kari",
        reviewed="2026-11-23",
    )
    first = render_answer(answer, "http://127.0.0.1:8000").blocks[0]
    assert first["text"]["text"].startswith(":white_check_mark: *Kvalitetssikret svar*")
    assert "jurist-kari, 2026-11-23" in first["text"]["text"]
    print_answer(answer)
    out = capsys.readouterr().out
    assert out.index("Kvalitetssikret svar") < out.index("Svar (confidence")


def test_a_municipal_reviewer_sees_its_own_tenant_only(client: TestClient) -> None:
    audit = client.app.state.services.recorder.audit  # type: ignore[attr-defined]
    services = client.app.state.services  # type: ignore[attr-defined]
    hamar_q, elverum_q = "Hamar spør om arkivplan", "Elverum spør om arkivplan"
    hamar_id, elverum_id = "a" * 31 + "1", "a" * 31 + "2"
    audit.record_answer(make_answer(id=hamar_id, question=hamar_q), surface="api", tenant="hamar")
    audit.record_answer(
        make_answer(id=elverum_id, question=elverum_q), surface="api", tenant="elverum"
    )
    services.recorder.review.promote(elverum_id, "jurist-elverum")
    hamar, _ = services.keys.create("jurist-hamar", ["review"], tenant="hamar")
    regional, _ = services.keys.create("jurist-regionen", ["review"])
    as_hamar = {"X-API-Key": hamar}

    # the queue: Hamar's answers only, whatever tenant the filter asks for
    for query in ("", "?tenant=elverum"):
        page = client.get("/review" + query, headers=as_hamar)
        assert page.status_code == 200
        assert hamar_q in page.text and elverum_q not in page.text
        assert "Kommune: <strong>hamar</strong>" in page.text
        assert '<label for="tenant">' not in page.text
    # another tenant's answer, verdict and promotion: not found, and nothing stored
    assert client.get(f"/review/answers/{elverum_id}", headers=as_hamar).status_code == 404
    for action, data in (("verdict", {"verdict": "incorrect"}), ("promote", {"text": "x"})):
        denied = client.post(
            f"/review/answers/{elverum_id}/{action}", data=data, headers=as_hamar | SAME_ORIGIN
        )
        assert denied.status_code == 404
    item = services.recorder.review.item(elverum_id)
    assert item is not None and item.reviews == []
    active = services.recorder.review.verified("active")
    [kept] = [v for v in active if v["answer_id"] == elverum_id]
    assert kept["reviewer"] == "jurist-elverum"
    assert client.get(f"/review/answers/{hamar_id}", headers=as_hamar).status_code == 200

    # the regional network's key (national layer) sees every tenant and may filter
    everyone = client.get("/review", headers={"X-API-Key": regional}).text
    assert hamar_q in everyone and elverum_q in everyone and '<label for="tenant">' in everyone
    only = client.get("/review?tenant=elverum", headers={"X-API-Key": regional}).text
    assert elverum_q in only and hamar_q not in only
