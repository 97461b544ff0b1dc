"""State shared by several server processes: rate limits and Slack dedupe in Redis (the
machine's, 127.0.0.1:6379, under a key prefix of each test's own), what happens when Redis is
away (a closed port), and API keys and the Slack bot's answers in the shared database (the
machine's PostgreSQL, in a schema of each test's own)."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant import redis_link
from assistant.api.keys import KeyStore
from assistant.api.ratelimit import RateLimiter, RedisRateLimiter, make_limiter
from assistant.observability.metrics import Metrics
from assistant.records import Answer
from assistant.redis_link import RedisLink, display_url
from assistant.server import create_app
from assistant.settings import RedisSettings, Settings
from assistant.slack.ratelimit import SlackLimits
from assistant.slack.state import SlackState
from tests.audit_support import postgres_schema
from tests.chroma_server import free_port

REDIS = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def prefix() -> Iterator[str]:
    if not _redis_up():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    import redis

    name = f"regelrett-test-{uuid.uuid4().hex[:10]}:"
    yield name
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=name + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def closed_port_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


def test_one_bucket_across_processes(prefix: str) -> None:
    # two links are two processes (each its own connection pool)
    first = RedisRateLimiter(RedisLink(REDIS, prefix=prefix), "api-key", per_minute=3)
    second = RedisRateLimiter(RedisLink(REDIS, prefix=prefix), "api-key", per_minute=3)
    waits = [(first, second)[i % 2].hit("key:abc") for i in range(3)]
    assert waits == [0, 0, 0]
    # both refuse the fourth, with the seconds until the next token (a token per 20 s)
    assert 1 <= first.hit("key:abc") <= 20
    assert 1 <= second.hit("key:abc") <= 20
    assert first.hit("key:other") == 0  # another bucket
    # another kind of limit under the same bucket name is apart
    assert RedisRateLimiter(first.link, "api-ip", per_minute=3).hit("key:abc") == 0


def test_bucket_refills_and_expires(prefix: str) -> None:
    link = RedisLink(REDIS, prefix=prefix)
    limiter = RedisRateLimiter(link, "api-ip", per_minute=60)  # a token a second
    assert all(limiter.hit("ip:10.0.0.1") == 0 for _ in range(60))
    assert limiter.hit("ip:10.0.0.1") == 1
    time.sleep(1.1)
    assert limiter.hit("ip:10.0.0.1") == 0
    ttl = link.run("test", lambda r: r.ttl(link.key("rate", "api-ip", "ip:10.0.0.1")))
    assert 0 < ttl <= 61  # a full bucket holds nothing worth keeping
    assert make_limiter(0, "api-ip", link).hit("x") == 0  # 0: no limit
    assert isinstance(make_limiter(5, "api-ip", None), RateLimiter)


def test_redis_down_falls_back_to_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    metrics = Metrics()
    link = RedisLink(closed_port_url(), on_fallback=metrics.redis_fallback)
    limiter = RedisRateLimiter(link, "api-key", per_minute=2)
    started = time.monotonic()
    assert [limiter.hit("key:abc") for _ in range(2)] == [0, 0]
    assert limiter.hit("key:abc") >= 1  # the per-process bucket still limits
    assert time.monotonic() - started < 2
    assert link.degraded is not None and "Connection" in link.degraded
    assert 'regelrett_redis_fallbacks_total{what="api-key"} 3.0' in metrics.exposition().decode()

    # paused: no connection is even tried until the pause is over
    tried: list[str] = []
    real = link._redis

    def counting() -> object:
        tried.append("x")
        return real()

    monkeypatch.setattr(link, "_redis", counting)
    limiter.hit("key:other")
    assert tried == []
    monkeypatch.setattr(redis_link, "PAUSE_S", 0.0)
    link._pause_until = 0.0
    limiter.hit("key:other")
    assert tried == ["x"]


def test_redis_back_after_an_outage(prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_link, "PAUSE_S", 0.0)
    link = RedisLink(closed_port_url(), prefix=prefix)
    limiter = RedisRateLimiter(link, "slack-user", per_minute=5)
    assert limiter.hit("T1/U1") == 0 and link.degraded is not None
    link.close()
    link.url = REDIS  # Redis is there again
    assert limiter.hit("T1/U1") == 0
    assert link.degraded is None and link.check() is None


def test_display_url_hides_the_password() -> None:
    assert display_url("redis://:hemmelig@redis.kommune.no:6380/1") == (
        "redis://:***@redis.kommune.no:6380/1"
    )
    assert display_url(REDIS) == REDIS


def test_readyz_shows_redis_degraded_and_answers_still_flow(tmp_path: Path) -> None:
    from tests.api_support import api_settings, wait_ready

    settings = api_settings(tmp_path, "redis-down", rate_per_minute_ip=2)
    settings = settings.model_copy(update={"redis": RedisSettings(url=closed_port_url())})
    app = create_app(settings)
    with TestClient(app) as client:
        wait_ready(client)
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["redis"].startswith("degraded: ConnectionError")
        codes = [client.get("/v1/sources").status_code for _ in range(3)]
        assert codes == [200, 200, 429]  # the process's own bucket, same 429
        assert "Retry-After" in client.get("/v1/sources").headers
        metrics = client.get("/metrics").text
        assert 'regelrett_redis_fallbacks_total{what="api-ip"}' in metrics


def test_slack_limits_and_dedupe_shared(prefix: str, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, slack={"rate_per_minute_user": 2, "rate_per_minute_channel": 0}
    )
    one = RedisLink(REDIS, prefix=prefix)
    other = RedisLink(REDIS, prefix=prefix)
    limits = [SlackLimits(settings.slack, one), SlackLimits(settings.slack, other)]
    assert [limits[i % 2].check("T1", "U1", "C1") for i in range(2)] == [0, 0]
    assert limits[0].check("T1", "U1", "C1") > 0 and limits[1].check("T1", "U1", "C1") > 0
    # each process with a SQLite file of its own: Redis is what they share
    a = SlackState(tmp_path / "a" / "slack.sqlite3", one)
    b = SlackState(tmp_path / "b" / "slack.sqlite3", other)
    assert a.claim("event:Ev1") is True
    assert b.claim("event:Ev1") is False  # Slack's retry reached the other process
    assert b.claim("event:Ev2") is True


def test_slack_dedupe_without_redis_uses_the_database(tmp_path: Path) -> None:
    metrics = Metrics()
    down = RedisLink(closed_port_url(), on_fallback=metrics.redis_fallback)
    state = SlackState(tmp_path / "slack.sqlite3", down)
    assert state.claim("event:Ev1") is True
    assert state.claim("event:Ev1") is False
    assert 'regelrett_redis_fallbacks_total{what="slack-dedupe"} 2.0' in (
        metrics.exposition().decode()
    )


def _answer() -> Answer:
    return Answer(
        id=uuid.uuid4().hex,
        question="Hva sier hpl § 3-5?",
        language="nb",
        answer="Kommunen fastset opningstidene [1].",
        mode="extractive",
        config_hash="test",
    )


def test_keys_and_slack_answers_in_the_shared_database() -> None:
    with postgres_schema() as url:
        here, there = KeyStore(url), KeyStore(url)
        assert here.shared
        plaintext, key = here.create("drift", ["ask", "admin"], tenant="hamar")
        assert there.lookup(plaintext) == key  # made on one machine, known on the other
        here.create("w", ["ask"], kind="widget", origins=["https://a.kommune.no"])
        assert "https://a.kommune.no" in there.widget_origins()
        there.revoke("drift")
        time.sleep(2.1)  # past the lookup cache
        assert here.lookup(plaintext) is None
        assert [k.name for k in here.list(include_revoked=False)] == ["w"]
        here.close()
        there.close()

        first, second = SlackState(url), SlackState(url)
        answer = _answer()
        first.remember(answer)
        recalled = second.recall(answer.id)
        assert recalled is not None and recalled.answer == answer.answer
        assert second.escalate(answer.id, "slack:abc") is True
        assert first.escalate(answer.id, "slack:def") is False  # once, on any process
        first.unescalate(answer.id)
        assert second.escalate(answer.id, "slack:def") is True
        assert first.claim("event:Ev9") is True and second.claim("event:Ev9") is False
        first.close()
        second.close()


def test_key_store_settings_pick_the_place(tmp_path: Path) -> None:
    local = KeyStore.for_settings(Settings(data_dir=tmp_path))
    assert not local.shared and local.where == tmp_path / "keys.sqlite3"
    shared = KeyStore.for_settings(
        Settings(data_dir=tmp_path, database={"url": "postgresql://postgres@127.0.0.1/test"})
    )
    assert shared.shared


def test_manifest_in_the_shared_database() -> None:
    from sqlalchemy import create_engine, text

    from ingest.manifest import ManifestEntry, SharedManifest

    with postgres_schema() as url:
        here, there = SharedManifest(url, "samling"), SharedManifest(url, "samling")
        other = SharedManifest(url, "en-annen-samling")
        here.begin("hamar", "rutiner/a.md", "/srv/a")
        pending = there.get("hamar", "rutiner/a.md")
        assert pending is not None and pending.status == "pending"
        entry = ManifestEntry(
            tenant="hamar",
            source_id="rutiner/a.md",
            root="/srv/a",
            content_hash="abc",
            params_hash="p1",
            chunk_ids=["c1", "c2"],
            status="ok",
            title="Rutine A",
            labels=["§ 1"],
            meta={"url": "https://hamar.kommune.no"},
        )
        here.commit(entry)
        seen = there.get("hamar", "rutiner/a.md")
        assert seen is not None and seen.status == "ok" and seen.chunk_ids == ["c1", "c2"]
        assert seen.labels == ["§ 1"] and seen.meta == {"url": "https://hamar.kommune.no"}
        there.fail("hamar", "rutiner/a.md", "/srv/a", "kunne ikke lese")
        failed = here.get("hamar", "rutiner/a.md")
        assert failed is not None and failed.status == "failed" and failed.content_hash == "abc"
        assert [e.source_id for e in there.entries(tenant="hamar", root="/srv/a")] == [
            "rutiner/a.md"
        ]
        assert other.get("hamar", "rutiner/a.md") is None  # collections stay apart
        assert list(other.entries()) == []

        # one ingest per collection across machines
        probe = create_engine(url)
        with here.exclusive(), probe.connect() as conn:
            held = conn.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
            ).scalar()
            assert held and held >= 1
        there.remove("hamar", "rutiner/a.md")
        assert here.get("hamar", "rutiner/a.md") is None
        probe.dispose()
        for m in (here, there, other):
            m.close()


def test_shared_database_away_keys_are_503_not_500(tmp_path: Path) -> None:
    from tests.api_support import api_settings, wait_ready

    settings = api_settings(tmp_path, "db-down", auth="keys")
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/regelrett"
    settings = settings.model_copy(
        update={"database": settings.database.model_copy(update={"url": closed})}
    )
    with TestClient(create_app(settings)) as client:
        wait_ready(client)
        ready = client.get("/readyz").json()
        assert ready["audit"].startswith("degraded")
        asked = client.post("/v1/ask", json={"question": "Hva er en DPIA?"}, headers=_key())
        assert asked.status_code == 503, asked.text
        assert "the key database does not answer" in asked.json()["detail"]
        assert client.get("/v1/sources").status_code == 200  # no key needed: still served
        review = client.get("/review", headers=_key())
        assert review.status_code == 503 and review.headers["content-type"].startswith("text/html")


def _key() -> dict[str, str]:
    return {"X-API-Key": "rr_" + "x" * 43}
