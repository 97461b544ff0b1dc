"""The Slack bot over HTTP: the FastAPI app under a live uvicorn on 127.0.0.1 with a small real
index, signed Events API, slash command and interaction requests sent to /slack/*, and the
bot's Web API calls recorded by a fake Slack Web API (tests/slackfake)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from assistant.settings import Settings
from tests.api_support import build
from tests.slackfake import slack as S
from tests.slackfake.live import ADVISERS, DIGEST, PUBLIC, live_app, slack_settings
from tests.slackfake.webapi import BOT_USER, Call, FakeSlack

ANSWERED = "Hvem fastsetter opningstidene for hundeparken? hpl § 3-5"
REFUSED = "Hvor mye koster et fiskekort i Heggvik?"
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, fake: FakeSlack) -> Settings:
    return slack_settings(build(tmp_path_factory.mktemp("slack-http"), "slack-http"), fake)


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    with live_app(settings) as served:
        yield served


@pytest.fixture
def url(live: tuple[str, FastAPI]) -> str:
    return live[0]


# -- helpers ----------------------------------------------------------------------------------


def send_event(
    url: str, event: dict[str, Any], event_id: str | None = None, **headers: str
) -> httpx.Response:
    body = S.event_callback(event, event_id or f"Ev{event['ts'].replace('.', '')}")
    return httpx.post(
        url + "/slack/events", content=body, headers={**S.sign(body), **JSON, **headers}
    )


def send_form(url: str, path: str, body: str) -> httpx.Response:
    return httpx.post(url + path, content=body, headers={**S.sign(body), **FORM})


def replies(fake: FakeSlack, channel: str, thread_ts: str | None, n: int = 1) -> list[Call]:
    """The bot's messages in a thread (or, for None, at the top of a channel)."""
    return fake.wait(
        "chat.postMessage",
        lambda c: c.args.get("channel") == channel and c.args.get("thread_ts") == thread_ts,
        n,
    )


def mrkdwn(call: Call) -> str:
    """All the text of a message's blocks."""
    out = []
    for block in call.args.get("blocks") or []:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return "\n".join(out)


def buttons(call: Call) -> dict[str, dict[str, Any]]:
    blocks = call.args["blocks"]
    (row,) = [b for b in blocks if b["type"] == "actions"]
    return {e["action_id"]: {**e, "block_id": row["block_id"]} for e in row["elements"]}


def posted_message(call: Call, ts: str) -> dict[str, Any]:
    """The bot's message as Slack includes it in an interaction payload."""
    return {
        "type": "message",
        "user": BOT_USER,
        "ts": ts,
        "thread_ts": call.args.get("thread_ts"),
        "text": call.args["text"],
        "blocks": call.args["blocks"],
    }


def ask_in_thread(url: str, fake: FakeSlack, question: str = ANSWERED) -> tuple[str, Call]:
    ts = S.next_ts()
    assert send_event(url, S.mention(question, ts)).status_code == 200
    (reply,) = replies(fake, S.CHANNEL, ts)
    return ts, reply


# -- questions --------------------------------------------------------------------------------


def test_mention_is_answered_in_its_thread_with_citations(url: str, fake: FakeSlack) -> None:
    ts = S.next_ts()
    r = send_event(url, S.mention(ANSWERED, ts))
    assert r.status_code == 200  # acknowledged; the answer follows
    (reply,) = replies(fake, S.CHANNEL, ts)
    text = mrkdwn(reply)
    assert "§ 3-5" in text and "[1]" in text and "«Kommunen fastset opningstidene" in text
    view = re.search(r"<(https://regelrett\.test/sources/view\?[^|>]+)\|([^>]+)>", text)
    assert view, text
    link, label = view.groups()
    assert "source=hundeparklova.md" in link and "section=%C2%A7+3-5" in link
    assert re.search(r"chunk=[0-9a-f]{40}", link) and label == "Hundeparklova (hpl) § 3-5"
    assert "*[1]*" in text and "<https://lovdata.no/" in text  # the official source too
    assert "ikke juridisk rådgivning" in text
    pressed = buttons(reply)
    assert [b["text"]["text"] for b in pressed.values()] == [
        "Nyttig",
        "Ikke nyttig",
        "Spør en jurist",
    ]
    ids = {b["value"] for b in pressed.values()}
    assert len(ids) == 1 and re.fullmatch(r"[0-9a-f]{32}", ids.pop())
    assert reply.args["unfurl_links"] is False
    assert reply.headers["authorization"] == "Bearer xoxb-test-token"


def test_follow_up_in_a_thread_uses_the_thread_question(url: str, fake: FakeSlack) -> None:
    root = S.next_ts()
    follow = S.next_ts()
    fake.threads[(S.CHANNEL, root)] = [
        {"type": "message", "user": S.OTHER_USER, "text": ANSWERED, "ts": root, "thread_ts": root},
        {
            "type": "message",
            "user": BOT_USER,
            "bot_id": "B0REGELRETT",
            "text": "Svar",
            "ts": S.next_ts(),
            "thread_ts": root,
        },
    ]
    send_event(url, S.mention("Og hvem fastsetter dem?", follow, thread_ts=root))
    (reply,) = replies(fake, S.CHANNEL, root)
    fetched = [c for c in fake.of("conversations.replies") if c.args.get("ts") == root]
    assert fetched and fetched[0].args["channel"] == S.CHANNEL
    assert "§ 3-5" in mrkdwn(reply) and "Ikke besvart" not in mrkdwn(reply)
    # the same words without the thread are not enough
    alone = S.next_ts()
    send_event(url, S.mention("Og hvem fastsetter dem?", alone))
    (refused,) = replies(fake, S.CHANNEL, alone)
    assert "Ikke besvart" in mrkdwn(refused)


def test_an_empty_mention_in_a_thread_answers_the_thread(url: str, fake: FakeSlack) -> None:
    root, follow = S.next_ts(), S.next_ts()
    fake.threads[(S.CHANNEL, root)] = [
        {"type": "message", "user": S.OTHER_USER, "text": ANSWERED, "ts": root}
    ]
    send_event(url, S.mention("", follow, thread_ts=root))
    (reply,) = replies(fake, S.CHANNEL, root)
    assert "§ 3-5" in mrkdwn(reply)
    # without a thread, an empty mention gets the help text
    lonely = S.next_ts()
    send_event(url, S.mention("  ", lonely))
    (helped,) = replies(fake, S.CHANNEL, lonely)
    assert "Skriv spørsmålet ditt etter @Regelrett" in helped.args["text"]


def test_direct_message_is_answered(url: str, fake: FakeSlack) -> None:
    ts = S.next_ts()
    assert send_event(url, S.direct_message(ANSWERED, ts)).status_code == 200
    (reply,) = replies(fake, S.DM, None)
    assert "§ 3-5" in mrkdwn(reply) and buttons(reply)
    # the bot's own messages in the DM are not answered
    own = S.direct_message("Svar", S.next_ts(), user=BOT_USER)
    own["bot_id"] = "B0REGELRETT"
    send_event(url, own)
    time.sleep(0.5)
    assert len(replies(fake, S.DM, None)) == 1


def test_english_question_gets_english_texts(url: str, fake: FakeSlack) -> None:
    ts = S.next_ts()
    send_event(url, S.mention("Which obligations do suppliers of widgets have?", ts))
    (reply,) = replies(fake, S.CHANNEL, ts)
    assert [b["text"]["text"] for b in buttons(reply).values()] == [
        "Useful",
        "Not useful",
        "Ask a lawyer",
    ]
    assert "not legal advice" in mrkdwn(reply)


def test_refusal_is_labelled_with_closest_sources(url: str, fake: FakeSlack) -> None:
    _ts, reply = ask_in_thread(url, fake, REFUSED)
    text = mrkdwn(reply)
    assert ":information_source: *Ikke besvart: kildene svarer ikke på dette*" in text
    assert "*Nærmeste kilder*" in text and f"<{PUBLIC}/sources/view?" in text
    assert "*Kilder*" not in text
    assert reply.args["text"].startswith("Ikke besvart")
    assert buttons(reply)["regelrett_escalate"]["style"] == "primary"


def test_slash_command_is_acknowledged_then_answered(url: str, fake: FakeSlack) -> None:
    hook = fake.response_url("slash-1")
    started = time.monotonic()
    r = send_form(url, "/slack/commands", S.command(ANSWERED, hook))
    assert time.monotonic() - started < 3  # Slack's limit for the acknowledgement
    assert r.status_code == 200
    ack = r.json()
    assert ack == {"text": "Søker i kildene …", "response_type": "ephemeral"}
    (answer,) = fake.responses("slash-1")
    assert answer.args["response_type"] == "ephemeral" and answer.args["replace_original"]
    text = mrkdwn(answer)
    assert f"*Spørsmål:* {ANSWERED}" in text and "§ 3-5" in text
    assert "regelrett_escalate" in json.dumps(answer.args["blocks"])


def test_slash_command_without_a_question_shows_help(url: str) -> None:
    r = send_form(url, "/slack/commands", S.command("", "http://127.0.0.1:9/unused"))
    assert r.status_code == 200
    assert r.json()["text"].startswith("Skriv spørsmålet etter kommandoen")


def test_personal_data_is_masked_in_the_echoed_question(url: str, fake: FakeSlack) -> None:
    hook = fake.response_url("slash-pii")
    send_form(url, "/slack/commands", S.command(ANSWERED + " Gjeld tlf 98765432.", hook))
    (answer,) = fake.responses("slash-pii")
    assert "98765432" not in json.dumps(answer.args) and "[telefon" in mrkdwn(answer)


# -- buttons ----------------------------------------------------------------------------------


def test_feedback_click_is_stored(url: str, fake: FakeSlack, live: tuple[str, FastAPI]) -> None:
    ts, reply = ask_in_thread(url, fake)
    up = buttons(reply)["regelrett_feedback_up"]
    message = posted_message(reply, S.next_ts())
    body = S.block_action(
        up["action_id"], up["value"], up["block_id"], fake.response_url("fb"), message
    )
    assert send_form(url, "/slack/interactions", body).status_code == 200
    thanks = fake.wait("chat.postEphemeral", lambda c: c.args.get("thread_ts") == ts)
    assert any(
        c.args["text"] == "Takk! Tilbakemeldingen er lagret."
        and c.args["user"] == S.USER
        and c.args["thread_ts"] == ts
        for c in thanks
    )
    stored = [f for f in live[1].state.services.feedback.all() if f.answer_id == up["value"]]
    assert [(f.rating, f.comment) for f in stored] == [("up", None)]
    assert stored[0].key_id.startswith("slack:") and S.USER not in stored[0].key_id
    down = buttons(reply)["regelrett_feedback_down"]
    body = S.block_action(
        down["action_id"], down["value"], down["block_id"], fake.response_url("fb-eph"), None
    )  # on an ephemeral answer
    send_form(url, "/slack/interactions", body)
    said = fake.responses("fb-eph")
    assert said[0].args["text"] == "Takk! Tilbakemeldingen er lagret."
    ratings = [
        f.rating for f in live[1].state.services.feedback.all() if f.answer_id == up["value"]
    ]
    assert ratings == ["up", "down"]


def test_a_large_interaction_payload_is_accepted(url: str, fake: FakeSlack) -> None:
    ts, reply = ask_in_thread(url, fake)
    up = buttons(reply)["regelrett_feedback_up"]
    message = posted_message(reply, S.next_ts())
    filler = {"type": "section", "text": {"type": "mrkdwn", "text": "«Sitat» [1] " * 250}}
    message["blocks"] = [filler] * 30 + message["blocks"]  # Slack sends the message back
    body = S.block_action(
        up["action_id"], up["value"], up["block_id"], fake.response_url("big"), message
    )
    assert len(body) > 128 * 1024
    assert send_form(url, "/slack/interactions", body).status_code == 200
    fake.wait("chat.postEphemeral", lambda c: c.args.get("thread_ts") == ts)


def test_escalation_posts_to_the_advisers_channel(url: str, fake: FakeSlack) -> None:
    _ts, reply = ask_in_thread(url, fake)
    escalate = buttons(reply)["regelrett_escalate"]
    answer_ts = S.next_ts()
    message = posted_message(reply, answer_ts)
    body = S.block_action(
        escalate["action_id"],
        escalate["value"],
        escalate["block_id"],
        fake.response_url("esc"),
        message,
    )
    assert send_form(url, "/slack/interactions", body).status_code == 200
    (post,) = replies(fake, ADVISERS, None)
    text = mrkdwn(post)
    assert "*Spørsmål til juristene*" in text
    assert f"Fra <@{S.USER}> i <#{S.CHANNEL}>" in text
    assert f"<https://heggvik.slack.com/archives/{S.CHANNEL}/p{answer_ts.replace('.', '')}|" in text
    assert ANSWERED in text and "«Kommunen fastset opningstidene" in text
    assert "*[1]*" in text and "section=%C2%A7+3-5" in text
    told = fake.wait("chat.postEphemeral", lambda c: "sendt til juristene" in c.args["text"])
    assert told and told[-1].args["user"] == S.USER and f"<#{ADVISERS}>" in told[-1].args["text"]
    (update,) = fake.wait("chat.update", lambda c: c.args["ts"] == answer_ts)
    after = json.dumps(update.args["blocks"], ensure_ascii=False)
    assert "regelrett_escalate" not in after and f"Sendt til juristene av <@{S.USER}>" in after
    # a second press does not post again
    send_form(url, "/slack/interactions", body)
    fake.wait("chat.postEphemeral", lambda c: "allerede sendt" in c.args["text"])
    assert len(replies(fake, ADVISERS, None)) == 1


def test_escalation_masks_personal_data(url: str, fake: FakeSlack) -> None:
    before = len(fake.of("chat.postMessage"))
    _ts, reply = ask_in_thread(url, fake, ANSWERED + " Gjeld Kari, tlf 98765432.")
    escalate = buttons(reply)["regelrett_escalate"]
    body = S.block_action(
        escalate["action_id"],
        escalate["value"],
        escalate["block_id"],
        fake.response_url("esc2"),
        posted_message(reply, S.next_ts()),
    )
    send_form(url, "/slack/interactions", body)
    posts = replies(fake, ADVISERS, None, n=2)
    assert len(fake.of("chat.postMessage")) > before
    assert "98765432" not in json.dumps(posts[-1].args) and "[telefon" in mrkdwn(posts[-1])


# -- signatures and retries -------------------------------------------------------------------


def test_bad_missing_or_stale_signatures_are_refused(url: str, fake: FakeSlack) -> None:
    ts = S.next_ts()
    body = S.event_callback(S.mention(ANSWERED, ts), "EvSigned1")
    good = S.sign(body)
    for headers in (
        {},  # none at all
        {"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"]},
        {**good, "X-Slack-Signature": "v0=" + "0" * 64},
        S.sign(body, secret="not-the-secret"),
        S.sign(body, timestamp=int(time.time()) - 6 * 60),  # stale
    ):
        r = httpx.post(url + "/slack/events", content=body, headers={**headers, **JSON})
        assert r.status_code == 401, headers
    tampered = body.replace("hundeparken", "hundeparkane")
    r = httpx.post(url + "/slack/events", content=tampered, headers={**good, **JSON})
    assert r.status_code == 401
    for path, form in (
        ("/slack/commands", S.command(ANSWERED, fake.response_url("unsigned"))),
        ("/slack/interactions", S.block_action("regelrett_escalate", "0" * 32, "x", "y", None)),
    ):
        r = httpx.post(url + path, content=form, headers={**FORM, **S.sign(form, "wrong")})
        assert r.status_code == 401
    time.sleep(0.5)
    assert not [c for c in fake.of("chat.postMessage") if c.args.get("thread_ts") == ts]
    # the refused requests did not mark the event as seen: signed, it is answered
    signed = httpx.post(url + "/slack/events", content=body, headers={**S.sign(body), **JSON})
    assert signed.status_code == 200
    assert replies(fake, S.CHANNEL, ts)


def test_url_verification_is_answered_when_signed(url: str) -> None:
    body = json.dumps({"token": "t", "challenge": "utfordring-42", "type": "url_verification"})
    r = httpx.post(url + "/slack/events", content=body, headers={**S.sign(body), **JSON})
    assert r.status_code == 200 and r.json() == {"challenge": "utfordring-42"}


def test_a_retried_event_is_answered_once(url: str, fake: FakeSlack) -> None:
    ts = S.next_ts()
    event = S.mention(ANSWERED, ts)
    assert send_event(url, event, "EvRetry1").status_code == 200
    for n, reason in ((1, "http_timeout"), (2, "http_error")):
        r = send_event(
            url, event, "EvRetry1", **{"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": reason}
        )
        assert r.status_code == 200
    # the same message as a second event (a new event id) is not answered again either
    send_event(url, event, "EvRetry1-other")
    replies(fake, S.CHANNEL, ts)
    time.sleep(1.0)
    assert len(replies(fake, S.CHANNEL, ts)) == 1


def test_a_retry_of_an_event_never_seen_is_answered(url: str, fake: FakeSlack) -> None:
    ts = S.next_ts()
    send_event(url, S.mention(ANSWERED, ts), "EvLost1", **{"X-Slack-Retry-Num": "1"})
    assert len(replies(fake, S.CHANNEL, ts)) == 1


# -- the digest -------------------------------------------------------------------------------


def test_admin_ingest_posts_a_digest(url: str, fake: FakeSlack, tmp_path: Path) -> None:
    doc = tmp_path / "brannvern.md"
    doc.write_text(
        "---\ntitle: Rutine for brannøvelser i kommunale bygg\ndoc_type: template\n"
        "language: nb\n---\n\n# Rutine for brannøvelser\n\n## 1 Formål\n\n"
        "Alle kommunale bygg skal ha brannøvelse minst én gang i året.\n",
        encoding="utf-8",
    )
    r = httpx.post(url + "/v1/admin/ingest", json={"path": str(doc)}, timeout=120)
    assert r.status_code == 200 and r.json()["added"] == 1
    (digest,) = replies(fake, DIGEST, None)
    text = mrkdwn(digest)
    assert text.startswith("*Nye og endrede kilder:*")
    assert (
        f"<{PUBLIC}/sources/view?source=brannvern.md&lang=nb|"
        "Rutine for brannøvelser i kommunale bygg> (ny)"
    ) in text
    assert digest.args["text"].startswith("Nye og endrede kilder: Rutine for brannøvelser")
    # an ingest that changes nothing posts nothing
    again = httpx.post(url + "/v1/admin/ingest", json={"path": str(doc)}, timeout=120)
    assert again.json()["unchanged"] == 1
    time.sleep(0.5)
    assert len(replies(fake, DIGEST, None)) == 1
