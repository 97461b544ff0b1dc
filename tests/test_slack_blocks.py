"""Block Kit rendering, Slack text, the manifest, the digest message, settings and the bot's
memory: no network, no index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.records import Answer, Citation, Passage
from assistant.settings import Settings
from assistant.slack import blocks as B
from assistant.slack.digest import digest_items, digest_message, digest_tenants
from assistant.slack.handlers import compose
from assistant.slack.links import base_url, view_url
from assistant.slack.manifest import load_manifest, manifest_for
from assistant.slack.mrkdwn import escape, link, to_plain
from assistant.slack.state import SlackState
from ingest.pipeline import IngestReport, Outcome

BASE = "https://regelrett.test"


def passage(n: int, text: str = "Kommunen fastset opningstidene.", **kw: object) -> Passage:
    values: dict[str, object] = {
        "chunk_id": f"{n:040x}",
        "source_id": f"kilde-{n}.md",
        "title": f"Kilde {n}",
        "section": f"§ {n}",
        "text": text,
        **kw,
    }
    return Passage.model_validate(values)


def answer_with(passages: list[Passage], body: str, **kw: object) -> Answer:
    citations = [Citation.of(i + 1, p, p.text, verified=True) for i, p in enumerate(passages)]
    return Answer(
        id="a" * 32, question="Spørsmål?", answer=body, citations=citations, sources=passages, **kw
    )  # type: ignore[arg-type]


def all_text(message: B.Message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def test_source_text_cannot_inject_links_or_mentions() -> None:
    evil = "Se <!channel> og <https://evil.example|her> & <@U0SJEF>."
    p = passage(1, evil, title="Tittel <!here>", url="javascript:alert(1)")
    message = B.render_answer(answer_with([p], f"«{evil}» [1]"), BASE)
    text = all_text(message)
    assert "<!channel>" not in text and "<!here>" not in text and "<@U0SJEF>" not in text
    assert "<https://evil.example" not in text and "javascript:" not in text
    assert "&lt;!channel&gt;" in text and "&amp;" in text
    assert "Tittel &lt;!here&gt;" in text  # the link label is escaped too


def test_links_to_the_passage_view() -> None:
    url = view_url(BASE, "lover/offl.md", "§ 14", "c" * 40, "nn")
    assert url == (
        f"{BASE}/sources/view?source=lover%2Foffl.md&section=%C2%A7+14&chunk={'c' * 40}&lang=nn"
    )
    assert link("https://x.test/a|b>c", "a|b") == "<https://x.test/a%7Cb%3Ec|a¦b>"
    settings = Settings(server={"host": "0.0.0.0", "port": 8080})
    assert base_url(settings) == "http://0.0.0.0:8080"
    settings = Settings(slack={"public_base_url": "https://regelrett.kommune.no/"})
    assert base_url(settings) == "https://regelrett.kommune.no"


def test_page_section_and_official_link_in_citations() -> None:
    p = passage(
        3,
        url="https://lovdata.no/lov/1",
        page_start=12,
        abbreviation="offl",
        short_title="Offentleglova",
        doc_type="law",
        authority="lov",
        authority_rank=1,
    )
    text = all_text(B.render_answer(answer_with([p], "Svar [1]"), BASE))
    assert f"*[1]* <{BASE}/sources/view?source=kilde-3.md&section=%C2%A7+3&chunk=" in text
    assert (
        "|Offentleglova (offl) § 3>, s. 12 (lov) · <https://lovdata.no/lov/1|offisiell kilde>"
        in text
    )


def test_slack_limits_are_kept() -> None:
    long = "Ord " * 2000
    many = [passage(i, f"Setning nummer {i}. " * 200) for i in range(1, 120)]
    body = "\n\n".join(f"«{p.text}» [{i}]" for i, p in enumerate(many, 1))
    message = B.render_answer(answer_with(many, body + "\n\n" + long), BASE)
    assert len(message.blocks) <= 50
    for block in message.blocks:
        texts = [block["text"]["text"]] if "text" in block else []
        texts += [
            e["text"]
            for e in block.get("elements", [])
            if "text" in e and isinstance(e["text"], str)
        ]
        assert all(len(t) <= 3000 for t in texts)
    assert message.blocks[-1]["type"] == "actions"  # the buttons always stay
    assert len(message.text) <= 3000


def test_answer_languages_and_buttons() -> None:
    answer = answer_with([passage(1)], "Svar [1]", language="nn")
    message = B.render_answer(answer, BASE)
    row = message.blocks[-1]
    assert row["block_id"] == "regelrett_answer:nn"
    assert [e["text"]["text"] for e in row["elements"]] == [
        "Nyttig",
        "Ikkje nyttig",
        "Spør ein jurist",
    ]
    assert {e["value"] for e in row["elements"]} == {"a" * 32}
    assert B.lang_from_block("regelrett_answer:nn") == "nn"
    assert B.lang_from_block("regelrett_answer:de") == "nb"
    marked = B.mark_escalated(message.blocks, "U0KARI", "nn")
    assert [e["action_id"] for e in marked[-2]["elements"]] == [B.FEEDBACK_UP, B.FEEDBACK_DOWN]
    assert marked[-1]["elements"][0]["text"] == "Sendt til juristane av <@U0KARI>."


def test_escalation_message_masks_personal_data() -> None:
    answer = answer_with([passage(1)], "Svar om 98765432 [1]")
    answer.question = "Gjeld ola@example.no og tlf 98765432"
    message = B.render_escalation(answer, BASE, "U0KARI", "D0KARI", None)
    text = all_text(message)
    assert "98765432" not in text and "ola@example.no" not in text
    assert "i en direktemelding" in text and "<#D0KARI>" not in text


def test_to_plain() -> None:
    raw = (
        "<@U0BOT> Kan <@U0OLA> se &lt;notatet&gt; i <#C0ARK|arkiv>? "
        "<https://x.no|Lenke> &amp; <!here>"
    )
    assert to_plain(raw, "U0BOT") == "Kan @person se <notatet> i #arkiv? Lenke &"
    assert to_plain("<@U0BOT>", "U0BOT") == ""
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_compose_keeps_within_the_limit() -> None:
    assert compose("", "Spørsmål", 100) == "Spørsmål"
    assert compose("Tråd", "", 100) == "Tråd"
    joined = compose("x" * 500, "Og så?", 100)
    assert len(joined) <= 100 and joined.endswith("\nOg så?")


def test_manifest_matches_the_bot() -> None:
    m = load_manifest()
    assert m["settings"]["socket_mode_enabled"] is True
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert [c["command"] for c in m["features"]["slash_commands"]] == ["/regelrett"]
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    assert {
        "app_mentions:read",
        "chat:write",
        "commands",
        "im:history",
        "channels:history",
    } <= scopes
    http = manifest_for("https://regelrett.kommune.no/")
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == (
        "https://regelrett.kommune.no/slack/events"
    )
    assert http["settings"]["interactivity"]["request_url"].endswith("/slack/interactions")
    assert http["features"]["slash_commands"][0]["url"].endswith("/slack/commands")


def test_digest_message() -> None:
    report = IngestReport(
        outcomes=[
            Outcome("ny.md", "added", title="Ny rutine"),
            Outcome("gammel.md", "unchanged"),
            Outcome("endret.md", "updated", title="Endret mal <x>", tenant="hamar"),
            Outcome("borte.md", "removed"),
        ]
    )
    national = all_text(digest_message(digest_items(report), BASE))  # type: ignore[arg-type]
    assert "Ny rutine" in national and "Endret mal" not in national and "hamar" not in national
    message = digest_message(digest_items(report, ("", "hamar")), BASE)
    assert message is not None
    text = all_text(message)
    assert "*Nye og endrede kilder:*" in text
    assert f"<{BASE}/sources/view?source=ny.md&lang=nb|Ny rutine> (ny)" in text
    assert "|Endret mal &lt;x&gt; (hamar)> (endret)" in text
    assert "gammel" not in text and "borte" not in text
    assert digest_message(digest_items(IngestReport()), BASE) is None
    many = IngestReport(outcomes=[Outcome(f"f{i}.md", "added") for i in range(100)])
    big = digest_message(digest_items(many), BASE)
    assert big is not None and "… og 60 til" in all_text(big)


def test_digest_channel_hears_only_of_its_own_tenant() -> None:
    shared = Settings(slack={"digest_channel": "C0DIGEST", "tenants": {"T1/C0HAMAR": "hamar"}})
    assert digest_tenants(shared) == ("",)
    own = Settings(slack={"digest_channel": "C0HAMAR", "tenants": {"T1/C0HAMAR": "hamar"}})
    assert digest_tenants(own) == ("", "hamar")


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGELRETT_SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("REGELRETT_SLACK_TENANTS", '{"T1": "hamar", "T1/C2": "stange"}')
    monkeypatch.setenv("REGELRETT_SLACK_SLASH_VISIBILITY", "in_channel")
    s = Settings().slack
    assert s.bot_token is not None and s.bot_token.get_secret_value() == "xoxb-1"
    assert s.tenants == {"T1": "hamar", "T1/C2": "stange"}
    assert s.slash_visibility == "in_channel"
    monkeypatch.setenv("REGELRETT_SLACK_SLASH_VISIBILITY", "everyone")
    with pytest.raises(ValueError):
        Settings()


def test_state_claims_once_and_remembers_answers(tmp_path: Path) -> None:
    state = SlackState(tmp_path / "slack.sqlite3")
    assert state.claim("event:Ev1") and not state.claim("event:Ev1")
    other = SlackState(tmp_path / "slack.sqlite3")  # another process sees the same
    assert not other.claim("event:Ev1")
    answer = answer_with([passage(1), passage(2)], "Svar [1]")
    answer.citations = answer.citations[:1]
    state.remember(answer)
    back = other.recall(answer.id)
    assert back is not None and back.answer == "Svar [1]"
    assert [p.chunk_id for p in back.sources] == [passage(1).chunk_id]
    assert back.sources[0].text == ""
    assert other.escalate(answer.id, "U1") and not state.escalate(answer.id, "U2")
    state.unescalate(answer.id)
    assert state.escalate(answer.id, "U2")
    assert state.recall("0" * 32) is None
