"""The widget in a real browser: Debian's Chromium driven by Playwright against a live
`regelrett serve` with a small ingested corpus. Skips with a reason when Chromium, Playwright or
axe-core is absent (`.ci/run` installs them). Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.settings import Settings
from tests.browser.live import (
    ANSWERED,
    ARTIFACTS,
    BROWSER_TESTS,
    MARKUP,
    PAYLOAD_IMG,
    PAYLOAD_SCRIPT,
    REFUSED,
    axe_missing,
    chromium,
    ingest_corpus,
    live_server,
    other_origin,
    serious_violations,
)

pytestmark = BROWSER_TESTS

HOST = "#regelrett-widget"
ANSWER_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return ingest_corpus(tmp_path_factory.mktemp("widget-browser"))


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(settings, tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nb-NO")
    yield context
    context.close()


@pytest.fixture
def page(context: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page that records JavaScript errors and dialogs; both must stay empty."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    yield page
    assert not problems, problems


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def open_widget(page: Any, url: str) -> None:
    page.goto(url)
    page.locator(f"{HOST} .launcher").click()
    page.get_by_label("Ditt spørsmål").wait_for()


def ask(page: Any, question: str) -> Any:
    """Type and send a question; the turn (article) once its answer is complete."""
    box = page.get_by_label("Ditt spørsmål")
    box.fill(question)
    box.press("Enter")
    turn = page.locator(f"{HOST} article.turn").last
    turn.locator(".answer[aria-busy='false']").wait_for(state="attached", timeout=ANSWER_TIMEOUT_MS)
    return turn


def focused(page: Any) -> dict[str, Any] | None:
    """What has focus: inside the widget's shadow root, or in the page."""
    return page.evaluate(
        """() => {
            const host = document.querySelector('#regelrett-widget');
            const el = (host && host.shadowRoot.activeElement) || document.activeElement;
            if (!el || el === document.body) return null;
            return {tag: el.tagName, cls: el.className, text: el.textContent.trim(),
                    href: el.getAttribute('href'), inWidget: el.getRootNode() !== document};
        }"""
    )


# -- asking, streaming, citations, the passage view ---------------------------------------------


def test_ask_streams_an_answer_with_citations_and_opens_the_passage(
    page: Any, context: Any, server: str
) -> None:
    open_widget(page, server + "/")
    disclosure = page.locator(f"{HOST} .disclosure")
    assert "ikke juridisk rådgivning" in disclosure.inner_text()
    with page.expect_response(re.compile(r"/v1/ask/stream$")) as streamed:
        turn = ask(page, ANSWERED)
    response = streamed.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/event-stream")

    answer = turn.locator(".answer")
    assert "Kommunen fastset opningstidene for kvar hundepark." in answer.inner_text()
    assert answer.get_attribute("aria-live") == "polite"
    refs = answer.locator("a.ref")
    assert refs.count() >= 2 and refs.first.inner_text() == "[1]"
    first = turn.locator(".sources li").first
    assert first.locator(".fn-head").inner_text().startswith("Hundeparklova (hpl) § 3-5")
    assert "«Kommunen fastset opningstidene for kvar hundepark.»" in first.inner_text()
    assert turn.locator(".err").count() == 0
    page.set_viewport_size({"width": 1280, "height": 1000})
    shot(page, "widget-answer")  # the README's picture (docs/img/widget.png)

    link = first.get_by_role("link", name=re.compile("Vis utdraget"))
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    with context.expect_page() as opened:
        link.click()
    passage = opened.value
    passage.wait_for_load_state()
    assert "§ 3-5" in passage.locator("h1").inner_text()
    cited = passage.locator(".cited")
    assert "Kommunen fastset opningstidene for kvar hundepark." in cited.inner_text()
    assert passage.evaluate("location.hash").startswith("#chunk-")
    shot(passage, "passage-view")
    passage.close()


def test_feedback_copy_and_new_conversation(page: Any, context: Any, server: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    open_widget(page, server + "/")
    turn = ask(page, ANSWERED)
    up = turn.get_by_role("button", name="Ja, nyttig")
    with page.expect_response(re.compile(r"/v1/feedback$")) as sent:
        up.click()
    assert sent.value.status in (200, 201, 202, 204)
    assert up.get_attribute("aria-pressed") == "true"
    assert turn.get_by_role("button", name="Nei, ikke nyttig").get_attribute("aria-pressed") == (
        "false"
    )
    page.locator(f"{HOST} [role=status]").filter(has_text="Takk").wait_for(state="attached")

    turn.get_by_role("button", name="Kopier svaret").click()
    page.locator(f"{HOST} [role=status]").filter(has_text="kopiert").wait_for(state="attached")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Kommunen fastset opningstidene" in copied and "[1] Hundeparklova (hpl)" in copied

    ask(page, REFUSED)
    assert page.locator(f"{HOST} article.turn").count() == 2
    page.get_by_role("button", name="Ny samtale").click()
    assert page.locator(f"{HOST} article.turn").count() == 0
    assert focused(page)["tag"] == "TEXTAREA"


def test_a_refusal_is_a_notice_not_an_error(page: Any, server: str) -> None:
    open_widget(page, server + "/")
    turn = ask(page, REFUSED)
    notice = turn.locator(".notice.refused")
    assert notice.get_by_role("heading").first.inner_text() == "Kildene svarer ikke på dette"
    assert "så jeg gir ikke et svar" in notice.inner_text()
    assert notice.locator(".closest a").count() >= 1
    assert turn.locator(".err, [role=alert]").count() == 0
    assert turn.locator(".sources li").count() == 0
    shot(page, "widget-refusal")


# -- keyboard only --------------------------------------------------------------------------------


def test_keyboard_only(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(server + "/")
    for _ in range(60):  # Tab through the page to the launcher
        page.keyboard.press("Tab")
        now = focused(page)
        if now and now["inWidget"] and "launcher" in now["cls"]:
            break
    else:
        pytest.fail("Tab never reached the launcher")
    outline = page.evaluate(
        "getComputedStyle(document.querySelector('#regelrett-widget').shadowRoot"
        ".querySelector('.launcher')).outlineStyle"
    )
    assert outline == "solid"  # the focus is visible

    page.keyboard.press("Enter")
    assert focused(page)["tag"] == "TEXTAREA"
    panel = page.locator(f"{HOST} [role=dialog]")
    assert panel.is_visible()
    assert panel.evaluate("el => getComputedStyle(el).animationName") == "none"  # reduced motion
    page.keyboard.type(ANSWERED)
    page.keyboard.press("Enter")
    page.locator(f"{HOST} .answer[aria-busy='false']").wait_for(
        state="attached", timeout=ANSWER_TIMEOUT_MS
    )
    assert focused(page)["tag"] == "TEXTAREA"

    seen: list[dict[str, Any]] = []
    for _ in range(40):  # Tab (wrapping inside the dialog) to the first citation marker
        page.keyboard.press("Tab")
        now = focused(page)
        assert now and now["inWidget"], "focus left the open dialog"
        seen.append(now)
        if now["cls"] == "ref":
            break
    else:
        pytest.fail(f"the citation markers are not in the tab order: {seen}")
    assert now["text"] == "[1]"
    page.keyboard.press("Enter")  # to footnote 1
    assert focused(page)["tag"] == "LI"
    page.keyboard.press("Tab")
    assert focused(page)["text"].startswith("Vis utdraget")

    with context.expect_page() as opened:
        page.keyboard.press("Enter")
    passage = opened.value
    passage.wait_for_load_state()
    assert "§ 3-5" in passage.locator("h1").inner_text()
    passage.close()

    page.bring_to_front()
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    now = focused(page)
    assert now and now["inWidget"] and "launcher" in now["cls"]
    assert page.locator(f"{HOST} .launcher").get_attribute("aria-expanded") == "false"
    context.close()


# -- safety ----------------------------------------------------------------------------------------


def test_markup_in_a_source_shows_as_text(page: Any, context: Any, server: str) -> None:
    open_widget(page, server + "/")
    turn = ask(page, MARKUP)
    text = turn.inner_text()
    assert PAYLOAD_SCRIPT in text and PAYLOAD_IMG in text
    elements = page.evaluate(
        """() => {
            const root = document.querySelector('#regelrett-widget').shadowRoot;
            return {img: root.querySelectorAll('img').length,
                    script: root.querySelectorAll('script').length + document.scripts.length};
        }"""
    )
    assert elements["img"] == 0
    assert elements["script"] == 1  # only the widget's own <script> tag on the page
    shot(page, "widget-markup-as-text")

    with context.expect_page() as opened:
        turn.get_by_role("link", name=re.compile("Vis utdraget")).first.click()
    passage = opened.value
    dialogs: list[str] = []
    passage.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    passage.wait_for_load_state()
    assert PAYLOAD_SCRIPT in passage.locator(".source-text").inner_text()
    assert passage.locator("main img, main script").count() == 0
    assert not dialogs
    passage.close()


def test_a_widget_key_from_a_disallowed_origin_is_refused(
    page: Any, server: str, tmp_path: Path
) -> None:
    key = re.search(r'<script src="/widget.js" data-key="([^"]+)"', httpx.get(server + "/").text)
    assert key, "the demo page carries no widget key"
    html = (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Annen side</title>'
        "</head><body><main><h1>En side widgeten ikke er knyttet til</h1></main>"
        f'<script src="{server}/widget.js" data-key="{key[1]}" data-lang="nb" defer></script>'
        "</body></html>"
    )
    with other_origin(tmp_path / "site", html) as url:
        origin = url.rsplit("/", 1)[0]
        open_widget(page, url)
        turn = page.locator(f"{HOST} article.turn")
        box = page.get_by_label("Ditt spørsmål")
        box.fill(ANSWERED)
        box.press("Enter")
        error = turn.locator(".err[role=alert]")
        error.wait_for(timeout=ANSWER_TIMEOUT_MS)
        assert "Fikk ikke kontakt med tjenesten" in error.inner_text()
        assert turn.locator(".answer p").count() == 0
        shot(page, "widget-disallowed-origin")

        # what the browser was told: no CORS for that origin, and the key refused from there
        preflight = httpx.options(
            server + "/v1/ask/stream",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-api-key",
            },
        )
        assert preflight.status_code == 403
        assert "access-control-allow-origin" not in preflight.headers
        direct = httpx.post(
            server + "/v1/ask",
            json={"question": ANSWERED},
            headers={"Origin": origin, "X-API-Key": key[1]},
        )
        assert direct.status_code == 403


@pytest.mark.parametrize(
    ("lang", "launcher", "line"),
    [
        ("nn", "Spør om regelverk", "Svara kjem frå ein KI-assistent"),
        ("en", "Ask about regulations", "Answers come from an AI assistant"),
    ],
)
def test_ui_language_follows_data_lang(
    page: Any, server: str, tmp_path: Path, lang: str, launcher: str, line: str
) -> None:
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>x</title></head>'
        f'<body><script src="{server}/widget.js" data-lang="{lang}" defer></script></body></html>'
    )
    with other_origin(tmp_path / "site", html) as url:
        page.goto(url)
        page.get_by_role("button", name=launcher).click()
        dialog = page.get_by_role("dialog")
        assert line in dialog.inner_text()
        assert dialog.get_attribute("lang") == lang


def test_the_date_of_the_rules_goes_with_the_question(
    page: Any, server: str, tmp_path: Path
) -> None:
    open_widget(page, server + "/")
    page.get_by_text("Dato for regelverket").click()
    page.get_by_label("Regler som gjelder per").fill("2024-01-31")
    with page.expect_request(re.compile(r"/v1/ask/stream$")) as sent:
        turn = ask(page, ANSWERED)
    assert sent.value.post_data_json["as_of"] == "2024-01-31"
    # hundeparklova is in force from 1 July 2024: on 31 January 2024 it is not
    notes = turn.locator(".notes")
    assert "er ikke i kraft per 31. januar 2024" in notes.inner_text()
    assert "· lov" in turn.locator(".sources li .fn-head").first.inner_text()
    shot(page, "widget-as-of")
    # a page can set the date with data-as-of; the field shows it
    html = (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>x</title></head>'
        f'<body><script src="{server}/widget.js" data-as-of="2026-08-02" defer></script>'
        "</body></html>"
    )
    with other_origin(tmp_path / "site", html) as url:
        page.goto(url)
        page.get_by_role("button", name="Spør om regelverk").click()
        assert page.get_by_label("Regler som gjelder per").input_value() == "2026-08-02"


# -- accessibility ---------------------------------------------------------------------------------


@pytest.mark.skipif(axe_missing() is not None, reason=axe_missing() or "")
@pytest.mark.parametrize(
    ("name", "viewport"),
    [
        ("desktop", {"width": 1280, "height": 800}),
        ("zoom-200", {"width": 640, "height": 400}),  # 1280x800 at 200 %
        ("narrow-320", {"width": 320, "height": 640}),
    ],
)
def test_no_serious_accessibility_violations(
    browser: Any, server: str, name: str, viewport: dict[str, int]
) -> None:
    # the demo page's CSP allows only its own scripts: let the test inject axe-core
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    open_widget(page, server + "/")
    ask(page, ANSWERED)
    panel = page.locator(f"{HOST} [role=dialog]")
    box = panel.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], "the page scrolls sideways"
    for control in ("Ditt spørsmål",):
        assert page.get_by_label(control).is_visible()
    assert page.get_by_role("button", name="Send").is_visible()

    serious = serious_violations(page)
    shot(page, f"widget-{name}")
    context.close()
    assert not serious, serious


def test_a_refused_key_shows_the_problem_detail_as_an_error(page: Any, server: str) -> None:
    def wrong_key(route: Any) -> None:
        response = route.fetch()
        body = re.sub(r'data-key="[^"]+"', 'data-key="feil-nokkel"', response.text())
        route.fulfill(response=response, body=body)

    page.route(server + "/", wrong_key)
    open_widget(page, server + "/")
    box = page.get_by_label("Ditt spørsmål")
    box.fill(ANSWERED)
    with page.expect_response(re.compile(r"/v1/ask/stream$")) as refused:
        box.press("Enter")
    assert refused.value.status == 401
    problem = refused.value.json()
    error = page.locator(f"{HOST} .err[role=alert]")
    error.wait_for()
    assert problem["detail"] in error.inner_text()
    assert page.locator(f"{HOST} .answer p").count() == 0
