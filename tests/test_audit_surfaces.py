"""The audit log from the CLI (`regelrett ask`, `regelrett audit export|purge`) and from Slack
(answer, feedback and escalation through Bolt's dispatch)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from assistant.audit import AuditStore
from assistant.audit.models import answers
from assistant.audit.recorder import Recorder
from assistant.cli import app as cli
from assistant.settings import Settings
from tests.api_support import build
from tests.slackfake.live import ADVISERS
from tests.slackfake.webapi import FakeSlack
from tests.test_slack_bot import QUESTION, Core, in_thread, make, mention, press

runner = CliRunner()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


def test_cli_ask_export_and_purge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = build(tmp_path)
    monkeypatch.setenv("REGELRETT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("REGELRETT_CHROMA_COLLECTION", settings.chroma.collection)
    asked = runner.invoke(
        cli, ["ask", "Hvem fastsetter opningstidene? Kari 15076500565 spør. hpl § 3-5", "--json"]
    )
    assert asked.exit_code == 0, asked.output
    answer = json.loads(asked.stdout)
    assert answer["request_id"].startswith("cli-")

    exported = runner.invoke(cli, ["audit", "export", "--format", "json", "--tenant", ""])
    assert exported.exit_code == 0, exported.output
    [row] = json.loads(exported.stdout)
    assert row["id"] == answer["id"] and row["surface"] == "cli"
    assert "15076500565" not in exported.stdout

    out = tmp_path / "innsyn.csv"
    today = datetime.now(UTC).date()
    as_csv = runner.invoke(
        cli,
        ["audit", "export", "--format", "csv", "-o", str(out), "--since", str(today)],
    )
    assert as_csv.exit_code == 0, as_csv.output
    [line] = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert line["id"] == answer["id"] and json.loads(line["citations"])
    empty = runner.invoke(cli, ["audit", "export", "--until", str(today - timedelta(days=1))])
    assert json.loads(empty.stdout) == []
    assert runner.invoke(cli, ["audit", "export", "--since", "igår"]).exit_code == 2

    store = AuditStore.from_settings(Settings())
    with store.engine.begin() as conn:
        old = datetime.now(UTC) - timedelta(days=91)
        conn.execute(update(answers).values(created=old))
    store.close()
    kept = runner.invoke(cli, ["audit", "purge", "--days", "100"])
    assert "0 answers" in kept.output
    purged = runner.invoke(cli, ["audit", "purge"])  # the default: 90 days
    assert purged.exit_code == 0 and "1 answers" in purged.output
    assert json.loads(runner.invoke(cli, ["audit", "export"]).stdout) == []


def test_slack_answer_feedback_and_escalation(tmp_path: Path, fake: FakeSlack) -> None:
    app, bot = make(tmp_path, fake, Core())
    bot.recorder = Recorder.for_settings(bot.settings)
    ts = mention(app, QUESTION)
    (reply,) = in_thread(fake, "chat.postMessage", ts)
    answer_id = reply.args["blocks"][-1]["elements"][2]["value"]
    press(app, "regelrett_feedback_down", answer_id, fake.response_url("fb"), None)
    fake.responses("fb")
    press(app, "regelrett_escalate", answer_id, fake.response_url("esc"), None)
    fake.responses("esc")
    fake.wait("chat.postMessage", lambda c: c.args["channel"] == ADVISERS)
    audit = bot.recorder.audit
    assert audit is not None
    [row] = audit.export()
    assert row["id"] == answer_id and row["surface"] == "slack"
    assert row["request_id"].startswith("slack-")
    assert [f["rating"] for f in row["feedback"]] == ["down"]
    assert row["feedback"][0]["key_id"].startswith("slack:")
    [escalation] = row["escalations"]
    assert escalation["by"].startswith("slack:") and escalation["surface"] == "slack"
    bot.recorder.close()
    bot.feedback.close()
