"""The bot's handlers through Bolt's own dispatch (signed requests, no HTTP server): rate
limits, errors reaching the user, tenant mapping, and the escalation's edge cases. The core is
a stand-in that returns a fixed Answer (tests/test_slack_http.py uses the real one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App, BoltRequest

from assistant.api.feedback import FeedbackStore
from assistant.records import Answer, Citation, Passage
from assistant.retrieval import Filters
from assistant.settings import Settings
from assistant.slack.app import build_app, web_client
from assistant.slack.bot import NotReady, SlackBot
from assistant.slack.ratelimit import SlackLimits
from assistant.slack.state import SlackState
from tests.slackfake import slack as S
from tests.slackfake.live import ADVISERS, slack_settings
from tests.slackfake.webapi import TEAM, Call, FakeSlack

QUESTION = "Hvem fastsetter opningstidene for hundeparken?"


class Core:
    """Stands in for the Assistant: records what it was asked, answers from one passage."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, Filters | None, str | None]] = []
        self.error: Exception | None = None

    def answer(
        self, question: str, *, filters: Filters | None = None, lang: str | None = None
    ) -> Answer:
        self.asked.append((question, filters, lang))
        if self.error is not None:
            raise self.error
        passage = Passage(
            chunk_id="c" * 40,
            source_id="hundeparklova.md",
            title="Hundeparklova",
            abbreviation="hpl",
            section="§ 3-5",
            page_start=2,
            text="Kommunen fastset opningstidene for kvar hundepark.",
        )
        quote = "Kommunen fastset opningstidene for kvar hundepark."
        return Answer(
            id=f"{len(self.asked):032x}",
            question=question,
            language=lang or "nb",
            answer=f"Hundeparklova (hpl) § 3-5 sier: «{quote}» [1]",
            citations=[Citation.of(1, passage, quote, verified=True)],
            sources=[passage],
        )


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


def make(tmp_path: Path, fake: FakeSlack, core: Core, **slack: Any) -> tuple[App, SlackBot]:
    settings = slack_settings(Settings(data_dir=tmp_path / "data"), fake, **slack)
    bot = SlackBot(
        settings=settings,
        assistant=lambda: core,  # type: ignore[arg-type,return-value]
        feedback=FeedbackStore(tmp_path / "data" / "feedback.sqlite3"),
        state=SlackState(tmp_path / "data" / "slack.sqlite3"),
        limits=SlackLimits(settings.slack),
    )
    return build_app(bot, client=web_client(settings)), bot


def dispatch(app: App, body: str, content_type: str = "application/json") -> Any:
    headers = {k.lower(): v for k, v in S.sign(body).items()}
    headers["content-type"] = content_type
    return app.dispatch(BoltRequest(body=body, headers=headers))


def mention(app: App, text: str, **kw: Any) -> str:
    ts = S.next_ts()
    event = S.mention(text, ts, **kw)
    assert dispatch(app, S.event_callback(event, f"Ev{ts}")).status == 200
    return ts


def in_thread(fake: FakeSlack, method: str, ts: str, n: int = 1) -> list[Call]:
    return fake.wait(method, lambda c: c.args.get("thread_ts") == ts, n)


def press(app: App, action_id: str, value: str, hook: str, message: dict[str, Any] | None) -> None:
    body = S.block_action(action_id, value, "regelrett_answer:nb", hook, message)
    assert dispatch(app, body, "application/x-www-form-urlencoded").status == 200


def test_per_user_rate_limit(tmp_path: Path, fake: FakeSlack) -> None:
    core = Core()
    app, _ = make(tmp_path, fake, core, rate_per_minute_user=1)
    first = mention(app, QUESTION)
    in_thread(fake, "chat.postMessage", first)
    second = mention(app, QUESTION)
    (limited,) = in_thread(fake, "chat.postEphemeral", second)
    assert limited.args["user"] == S.USER
    assert limited.args["text"].startswith("Det er stilt mange spørsmål på kort tid her")
    assert "sekunder" in limited.args["text"]
    # another user may still ask
    third = mention(app, QUESTION, user=S.OTHER_USER)
    in_thread(fake, "chat.postMessage", third)
    assert len(core.asked) == 2
    assert not [c for c in fake.of("chat.postMessage") if c.args.get("thread_ts") == second]


def test_per_channel_rate_limit_and_the_slash_command(tmp_path: Path, fake: FakeSlack) -> None:
    core = Core()
    app, _ = make(tmp_path, fake, core, rate_per_minute_channel=1)
    in_thread(fake, "chat.postMessage", mention(app, QUESTION))
    blocked = mention(app, QUESTION, user=S.OTHER_USER)
    in_thread(fake, "chat.postEphemeral", blocked)
    body = S.command(QUESTION, fake.response_url("limited"))
    resp = dispatch(app, body, "application/x-www-form-urlencoded")
    assert json.loads(resp.body)["text"].startswith("Det er stilt mange spørsmål")
    assert len(core.asked) == 1


def test_errors_reach_the_user(tmp_path: Path, fake: FakeSlack) -> None:
    core = Core()
    app, _ = make(tmp_path, fake, core)
    core.error = RuntimeError("the index broke")
    ts = mention(app, QUESTION)
    (said,) = in_thread(fake, "chat.postMessage", ts)
    assert (
        said.args["text"] == "Beklager, noe gikk galt, og jeg fikk ikke svart. Prøv igjen om litt."
    )
    core.error = NotReady("warming up")
    ts = mention(app, QUESTION)
    (said,) = in_thread(fake, "chat.postMessage", ts)
    assert said.args["text"].startswith("Regelrett starter opp")
    core.error = RuntimeError("again")
    resp = dispatch(
        app,
        S.command("What does the law say about dog parks?", fake.response_url("err")),
        "application/x-www-form-urlencoded",
    )
    assert json.loads(resp.body)["text"] == "Searching the sources …"
    (said,) = fake.responses("err")
    assert said.args["text"].startswith("Sorry, something went wrong")
    assert said.args["response_type"] == "ephemeral"


def test_too_long_question(tmp_path: Path, fake: FakeSlack) -> None:
    core = Core()
    app, _bot = make(tmp_path, fake, core)
    ts = mention(app, "Hvorfor " * 400)
    (said,) = in_thread(fake, "chat.postMessage", ts)
    assert said.args["text"].startswith("Spørsmålet er for langt: høyst 2000 tegn")
    assert core.asked == []


def test_tenant_mapping(tmp_path: Path, fake: FakeSlack) -> None:
    core = Core()
    tenants = {TEAM: "heggvik", f"{TEAM}/C0HAMAR": "hamar"}
    app, bot = make(tmp_path, fake, core, tenants=tenants)
    assert bot.tenant_for(TEAM, "C0HAMAR") == "hamar"
    assert bot.tenant_for(TEAM, "C0ANNA") == "heggvik"
    assert bot.tenant_for("T0ANDRE", "C0HAMAR") is None
    in_thread(fake, "chat.postMessage", mention(app, QUESTION, channel="C0HAMAR"))
    in_thread(fake, "chat.postMessage", mention(app, QUESTION, channel="C0ANNA"))
    assert [f.tenants if f else None for _, f, _ in core.asked] == [
        ("hamar", ""),
        ("heggvik", ""),
    ]


def test_escalation_without_an_advisers_channel(tmp_path: Path, fake: FakeSlack) -> None:
    core = Core()
    app, _ = make(tmp_path, fake, core, advisers_channel="")
    ts = mention(app, QUESTION)
    (reply,) = in_thread(fake, "chat.postMessage", ts)
    press(
        app,
        "regelrett_escalate",
        f"{1:032x}",
        fake.response_url("none"),
        {"ts": S.next_ts(), "thread_ts": ts, "text": "x", "blocks": reply.args["blocks"]},
    )
    (told,) = fake.wait("chat.postEphemeral")
    assert told.args["text"].startswith("Det er ikke satt opp en kanal for juristene")
    assert not [c for c in fake.of("chat.postMessage") if c.args["channel"] == ADVISERS]


def test_escalation_of_an_unknown_answer_and_a_failed_post(tmp_path: Path, fake: FakeSlack) -> None:
    core = Core()
    app, _bot = make(tmp_path, fake, core)
    press(app, "regelrett_escalate", "f" * 32, fake.response_url("gone"), None)
    (gone,) = fake.responses("gone")
    assert gone.args["text"].startswith("Fant ikke svaret lenger")
    ts = mention(app, QUESTION)
    (reply,) = in_thread(fake, "chat.postMessage", ts)
    answer_id = reply.args["blocks"][-1]["elements"][2]["value"]
    fake.errors["chat.postMessage"] = "not_in_channel"
    press(app, "regelrett_escalate", answer_id, fake.response_url("fail"), None)
    (failed,) = fake.responses("fail")
    assert failed.args["text"].startswith("Fikk ikke sendt spørsmålet til juristene")
    del fake.errors["chat.postMessage"]
    press(app, "regelrett_escalate", answer_id, fake.response_url("retry"), None)
    (done,) = fake.responses("retry")
    assert f"<#{ADVISERS}>" in done.args["text"]  # a failed post can be tried again
    _failed, post = fake.wait("chat.postMessage", lambda c: c.args["channel"] == ADVISERS, 2)
    assert "Fra <@U0KARI> i <#C0ALLMENN>" in json.dumps(post.args["blocks"], ensure_ascii=False)
    assert not fake.of("chat.update")  # an ephemeral answer is not edited


def test_feedback_with_a_broken_value(tmp_path: Path, fake: FakeSlack) -> None:
    core = Core()
    app, bot = make(tmp_path, fake, core)
    press(app, "regelrett_feedback_up", "<@U0EVIL>", fake.response_url("bad"), None)
    (said,) = fake.responses("bad")
    assert said.args["text"] == "Fikk ikke lagret tilbakemeldingen. Prøv igjen om litt."
    assert bot.feedback.all() == []
    bot.feedback.close()
