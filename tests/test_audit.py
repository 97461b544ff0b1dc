"""The audit log against SQLite and the machine's PostgreSQL: answers, feedback and
escalations recorded with personal data masked, purge by age, export per tenant and period,
and what happens when the database is away."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, update

from assistant.audit import AuditStore, AuditUnavailable
from assistant.audit.models import answers
from assistant.records import Answer, Citation
from tests.audit_support import audit_url

# 01017012345 is not a valid fødselsnummer; this one is (checksums 2 and 8 hold).
FNR = "15076500565"


def make_answer(question: str = "Kan Kari (15076500565) få innsyn?", **kw: object) -> Answer:
    base: dict[str, object] = {
        "id": kw.pop("id", "a" * 32),
        "question": question,
        "answer": "Ja, etter offl. § 3 [1]. Ring 912 34 567 eller kari@hamar.kommune.no.",
        "citations": [
            Citation(
                n=1,
                chunk_id="c1",
                source_id="offl",
                title="Offentleglova",
                section="§ 3",
                quote="Saksdokument ... er opne for innsyn",
                verified=True,
            )
        ],
        "config_hash": "abc123",
        "request_id": "req-1",
        "timings": {"total": 0.12},
    }
    base.update(kw)
    return Answer.model_validate(base)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditStore]:
    with audit_url(request.param, tmp_path) as url:
        audit = AuditStore(url, mask_patterns=[r"\bSAK-\d{4}\b"])
        audit.open()
        yield audit
        audit.close()


def test_migrations_create_the_tables(store: AuditStore) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {"audit_answers", "audit_feedback", "audit_escalations"} <= names
    assert "audit_alembic_version" in names
    store.open()  # idempotent: a second start changes nothing


def test_answer_feedback_and_escalation_are_recorded_masked(store: AuditStore) -> None:
    answer = make_answer("Kan Kari (15076500565) få innsyn i SAK-2024?")
    assert store.record_answer(answer, surface="api", tenant="hamar", key_id="k1")
    assert store.record_feedback(
        answer.id, "down", "Feil, spør kari@hamar.kommune.no", tenant="hamar", key_id="k1"
    )
    assert store.record_escalation(answer.id, surface="slack", tenant="hamar", by="slack:ab")
    [row] = store.export(tenant="hamar")
    assert FNR not in json.dumps(row)
    assert "SAK-2024" not in row["question"]  # the configured extra pattern
    assert "912 34 567" not in row["answer"] and "kari@" not in row["answer"]
    assert row["surface"] == "api" and row["key_id"] == "k1" and row["request_id"] == "req-1"
    assert row["config_hash"] == "abc123" and row["mode"] == "extractive"
    assert row["citations"][0]["section"] == "§ 3" and row["citations"][0]["verified"]
    assert row["timings"] == {"total": 0.12}
    assert [f["rating"] for f in row["feedback"]] == ["down"]
    assert "kari@" not in row["feedback"][0]["comment"]
    assert row["escalations"][0]["surface"] == "slack"


def test_export_by_tenant_and_period(store: AuditStore) -> None:
    store.record_answer(make_answer(id="1" * 32), surface="api", tenant="hamar")
    store.record_answer(make_answer(id="2" * 32), surface="widget", tenant="stange")
    store.record_answer(make_answer(id="3" * 32), surface="cli", tenant="hamar")
    old = datetime.now(UTC) - timedelta(days=100)
    with store.engine.begin() as conn:
        conn.execute(update(answers).where(answers.c.id == "3" * 32).values(created=old))
    assert [r["id"] for r in store.export(tenant="stange")] == ["2" * 32]
    assert {r["id"] for r in store.export(tenant="hamar")} == {"1" * 32, "3" * 32}
    recent = store.export(tenant="hamar", since=datetime.now(UTC) - timedelta(days=1))
    assert [r["id"] for r in recent] == ["1" * 32]
    until = store.export(until=datetime.now(UTC) - timedelta(days=50))
    assert [r["id"] for r in until] == ["3" * 32]


def test_purge_removes_only_old_rows(store: AuditStore) -> None:
    store.record_answer(make_answer(id="1" * 32), surface="api")
    store.record_answer(make_answer(id="2" * 32), surface="api")
    store.record_feedback("2" * 32, "up")
    old = datetime.now(UTC) - timedelta(days=91)
    with store.engine.begin() as conn:
        conn.execute(update(answers).where(answers.c.id == "2" * 32).values(created=old))
    counts = store.purge(90)
    assert counts["answers"] == 1
    with store.engine.begin() as conn:
        left = [r.id for r in conn.execute(select(answers.c.id))]
    assert left == ["1" * 32]
    assert store.purge(90, before=datetime.now(UTC) + timedelta(days=91))["answers"] == 1
    assert store.purge(90)["feedback"] == 0  # the recent feedback row went with the later purge


def test_database_away_answers_go_on_and_failure_is_visible(tmp_path: Path) -> None:
    failures: list[str] = []
    # a port nothing listens on: connection refused at once
    audit = AuditStore(
        "postgresql+psycopg://postgres@127.0.0.1:9/test",
        connect_timeout_s=1,
        on_failure=failures.append,
    )
    assert audit.record_answer(make_answer(), surface="api") is False
    assert audit.degraded and "OperationalError" in audit.degraded
    assert audit.record_feedback("a" * 32, "up") is False  # not tried again at once
    assert failures == ["answer", "feedback"]
    with pytest.raises(AuditUnavailable):
        audit.open()


def test_recovers_when_the_database_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.audit.store as store_module

    monkeypatch.setattr(store_module, "RETRY_AFTER_S", 0.0)
    path = tmp_path / "missing" / "dir"
    audit = AuditStore(f"sqlite:///{path}/audit.sqlite3")
    # the directory is created by make_engine; remove it again so the first write fails
    audit.engine  # noqa: B018
    path.rmdir()
    assert audit.record_answer(make_answer(), surface="cli") is False
    assert audit.degraded
    path.mkdir(parents=True)
    assert audit.record_answer(make_answer(), surface="cli") is True
    assert audit.degraded is None
    audit.close()
