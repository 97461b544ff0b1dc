"""The bot over Socket Mode: Bolt's built-in Socket Mode adapter (`regelrett slack` runs the
same) connects to a fake Socket Mode WebSocket server on 127.0.0.1, whose URL the fake Web
API hands out from `apps.connections.open`; envelopes go in, acks and Web API calls come out.
Also `regelrett slack` and `regelrett ingest`'s digest from the command line."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from typer.testing import CliRunner

from assistant.api.feedback import FeedbackStore
from assistant.cli import app as cli
from assistant.settings import Settings
from assistant.slack.socket import run_socket_mode
from tests.api_support import api_settings, ingest
from tests.slackfake import slack as S
from tests.slackfake.live import DIGEST, PUBLIC, slack_settings
from tests.slackfake.socketmode import FakeSocketMode
from tests.slackfake.webapi import FakeSlack

FIXTURES = Path(__file__).parent / "fixtures"
ANSWERED = "Hvem fastsetter opningstidene for hundeparken? hpl § 3-5"

runner = CliRunner()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def socket_server(fake: FakeSlack) -> Iterator[FakeSocketMode]:
    server = FakeSocketMode().start()
    fake.ws_url = server.url
    yield server
    server.stop()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, fake: FakeSlack) -> Settings:
    root = tmp_path_factory.mktemp("slack-socket")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "lovdata" / "lov-2024-03-15-7.md", corpus / "hundeparklova.md")
    base = api_settings(root, "slack-socket")
    ingest(base, corpus)
    return slack_settings(base, fake, signing_secret=None)


@pytest.fixture(scope="module")
def bot(settings: Settings, fake: FakeSlack, socket_server: FakeSocketMode) -> Iterator[None]:
    """`run_socket_mode` in a thread, connected to the fake, until the module is done."""
    from assistant.slack.app import web_client

    stop = threading.Event()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            run_socket_mode(settings, stop, web_client(settings))
        except BaseException as exc:  # shown by the fixture below
            failed.append(exc)

    thread = threading.Thread(target=run, name="socket-mode", daemon=True)
    thread.start()
    assert socket_server.connected.wait(120) or not failed, failed
    yield
    stop.set()
    thread.join(30)
    assert not failed, failed


def test_connects_with_the_app_token(bot: None, fake: FakeSlack) -> None:
    (opened,) = fake.wait("apps.connections.open")[:1]
    assert opened.headers["authorization"] == "Bearer xapp-test-token"


def test_mention_over_socket_mode_is_answered_in_its_thread(
    bot: None, fake: FakeSlack, socket_server: FakeSocketMode
) -> None:
    ts = S.next_ts()
    body = json.loads(S.event_callback(S.mention(ANSWERED, ts), "EvSocket1"))
    envelope = socket_server.send("events_api", body)
    assert socket_server.ack(envelope) == {"envelope_id": envelope}
    (reply,) = fake.wait("chat.postMessage", lambda c: c.args.get("thread_ts") == ts)
    text = json.dumps(reply.args["blocks"], ensure_ascii=False)
    assert reply.args["channel"] == S.CHANNEL and "§ 3-5" in text
    assert f"<{PUBLIC}/sources/view?source=hundeparklova.md" in text
    assert reply.headers["authorization"] == "Bearer xoxb-test-token"
    # Slack delivers it again (retry_attempt 1): acknowledged, not answered twice
    again = socket_server.send("events_api", body, retry_attempt=1)
    assert socket_server.ack(again) == {"envelope_id": again}
    direct = S.direct_message(ANSWERED, S.next_ts())
    dm = socket_server.send("events_api", json.loads(S.event_callback(direct, "EvSocket2")))
    socket_server.ack(dm)
    fake.wait("chat.postMessage", lambda c: c.args.get("channel") == S.DM)
    assert len(fake.wait("chat.postMessage", lambda c: c.args.get("thread_ts") == ts)) == 1


def test_slash_command_over_socket_mode(
    bot: None, fake: FakeSlack, socket_server: FakeSocketMode
) -> None:
    form = dict(parse_qsl(S.command(ANSWERED, fake.response_url("socket-slash"))))
    payload = {**form, "command": "/regelrett"}  # Socket Mode sends the form fields as JSON
    envelope = socket_server.send("slash_commands", payload)
    ack = socket_server.ack(envelope)
    assert ack["payload"] == {"text": "Søker i kildene …", "response_type": "ephemeral"}
    (answer,) = fake.responses("socket-slash")
    assert "§ 3-5" in json.dumps(answer.args["blocks"], ensure_ascii=False)


def test_feedback_over_socket_mode(
    bot: None, fake: FakeSlack, socket_server: FakeSocketMode, settings: Settings
) -> None:
    answer_id = "b" * 32
    body = S.block_action(
        "regelrett_feedback_down",
        answer_id,
        "regelrett_answer:en",
        fake.response_url("socket-fb"),
        None,
    )
    payload = json.loads(dict(parse_qsl(body))["payload"])
    envelope = socket_server.send("interactive", payload)
    socket_server.ack(envelope)
    (said,) = fake.responses("socket-fb")
    assert said.args["text"] == "Thank you! Your feedback has been saved."
    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    try:
        assert [(f.answer_id, f.rating) for f in store.all()] == [(answer_id, "down")]
    finally:
        store.close()


# -- the command line -------------------------------------------------------------------------


def test_slack_command_needs_its_tokens(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REGELRETT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REGELRETT_SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(cli, ["slack"])
    assert result.exit_code == 2
    assert "Socket Mode needs REGELRETT_SLACK_APP_TOKEN" in result.output


def test_slack_command_prints_the_manifest() -> None:
    result = runner.invoke(cli, ["slack", "--manifest", "--url", "https://regelrett.test"])
    assert result.exit_code == 0
    assert "request_url: https://regelrett.test/slack/events" in result.output
    assert "socket_mode_enabled: false" in result.output
    plain = runner.invoke(cli, ["slack", "--manifest"])
    assert "socket_mode_enabled: true" in plain.output and "request_url" not in plain.output


def test_ingest_command_posts_the_digest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: FakeSlack
) -> None:
    doc = tmp_path / "src" / "renovasjon.md"
    doc.parent.mkdir()
    doc.write_text(
        "---\ntitle: Rutine for henting av avfall\ndoc_type: template\nlanguage: nb\n---\n\n"
        "# Rutine for henting av avfall\n\n## 1 Formål\n\nAvfall hentes hver fjortende dag.\n",
        encoding="utf-8",
    )
    for name, value in {
        "DATA_DIR": str(tmp_path / "data"),
        "CHROMA_COLLECTION": "slack-cli",
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_DIGEST_CHANNEL": DIGEST,
        "SLACK_API_BASE_URL": fake.base_url,
        "SLACK_PUBLIC_BASE_URL": PUBLIC,
    }.items():
        monkeypatch.setenv(f"REGELRETT_{name}", value)
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(cli, ["ingest", str(doc.parent)])
    assert result.exit_code == 0, result.output
    assert f"Slack: digest of 1 new or changed sources posted to {DIGEST}" in result.output
    (digest,) = fake.wait(
        "chat.postMessage", lambda c: "renovasjon.md" in json.dumps(c.args.get("blocks"))
    )
    assert digest.args["channel"] == DIGEST
    assert digest.args["text"] == "Nye og endrede kilder: Rutine for henting av avfall"
    again = runner.invoke(cli, ["ingest", str(doc.parent)])
    assert again.exit_code == 0 and "Slack:" not in again.output
