"""The /review page in a real browser (Debian's Chromium through Playwright) against a live
`regelrett serve`: a legal adviser logs in with the keyboard only, opens the answer that got
negative feedback, records a verdict; axe-core finds no serious or critical violation on the
login, queue and answer pages at 1280 px and at 320 px, and nothing scrolls sideways.
Skips with a reason when Chromium, Playwright or axe-core is absent (`.ci/run` installs them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant.api.keys import KeyStore
from assistant.settings import Settings
from tests.browser.live import (
    ANSWERED,
    ARTIFACTS,
    BROWSER_TESTS,
    axe_missing,
    chromium,
    ingest_corpus,
    live_server,
    serious_violations,
)

pytestmark = BROWSER_TESTS

VIEWPORTS = [
    ("desktop", {"width": 1280, "height": 800}),
    ("narrow-320", {"width": 320, "height": 640}),
]
DISLIKED_COMMENT = "Svaret viser ikke til riktig ledd <b>her</b>"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return ingest_corpus(tmp_path_factory.mktemp("review-browser"))


@pytest.fixture(scope="module")
def adviser_key(settings: Settings) -> str:
    key, _ = KeyStore.for_settings(settings).create("jurist-kari", ["ask", "review"])
    return key


@pytest.fixture(scope="module")
def server(
    settings: Settings, adviser_key: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with live_server(settings, tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture(scope="module")
def disliked(server: str, adviser_key: str) -> str:
    """An answered question with negative feedback: first in the review queue."""
    headers = {"X-API-Key": adviser_key}
    with httpx.Client(base_url=server, timeout=60, headers=headers) as client:
        answer = client.post("/v1/ask", json={"question": ANSWERED})
        assert answer.status_code == 200, answer.text
        answer_id = str(answer.json()["id"])
        feedback = client.post(
            "/v1/feedback",
            json={"answer_id": answer_id, "rating": "down", "comment": DISLIKED_COMMENT},
        )
        assert feedback.status_code in (200, 201), feedback.text
    return answer_id


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _no_sideways_scroll(page: Any, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width} px > {width} px"


def _focused(page: Any) -> dict[str, str]:
    found: dict[str, str] = page.evaluate(
        "() => ({tag: document.activeElement.tagName.toLowerCase(),"
        " id: document.activeElement.id || '', text: document.activeElement.textContent || ''})"
    )
    return found


@pytest.mark.skipif(axe_missing() is not None, reason=axe_missing() or "")
@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_review_pages_are_accessible_and_keyboard_usable(
    browser: Any, server: str, adviser_key: str, disliked: str, name: str, viewport: dict[str, int]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # the page's CSP allows no script at all: let the test inject axe-core
    context = browser.new_context(viewport=viewport, bypass_csp=True, locale="nb-NO")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    try:
        assert page.goto(server + "/review").status == 401
        page.get_by_label("API-nøkkel med tilgangen «review»").wait_for()
        assert serious_violations(page) == []
        _no_sideways_scroll(page, viewport["width"])

        # keyboard only: skip link first, then the key field, Enter submits
        page.keyboard.press("Tab")
        assert _focused(page)["text"] == "Hopp til innholdet"
        for _ in range(6):
            if _focused(page)["id"] == "key":
                break
            page.keyboard.press("Tab")
        assert _focused(page)["id"] == "key"
        page.keyboard.type(adviser_key)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.rstrip("/").endswith("/review")
        link = page.locator(f'a[href="/review/answers/{disliked}"]')
        assert link.count() == 1
        assert "negativ tilbakemelding" in page.locator("tbody tr").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / f"review-queue-{name}.png"), full_page=True)
        assert serious_violations(page) == []
        _no_sideways_scroll(page, viewport["width"])

        # to the answer by keyboard: focus the link, Enter follows it
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "Vurder svaret"
        # the feedback comment is text, not markup
        assert DISLIKED_COMMENT in page.locator("main").inner_text()
        assert page.locator("main b").count() == 0
        assert serious_violations(page) == []
        _no_sideways_scroll(page, viewport["width"])

        # a verdict with the keyboard: the radio, the correction, the submit button
        page.get_by_label("Feil").focus()
        page.keyboard.press("Space")
        assert page.get_by_label("Feil").is_checked()
        page.get_by_label("Retting eller merknad").focus()
        page.keyboard.type(f"Retting fra {name}: se § 3-5 første ledd.")
        page.get_by_role("button", name="Lagre vurderingen").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        status = page.get_by_role("status")
        assert status.inner_text() == "Vurderingen er lagret."
        assert f"Retting fra {name}" in page.locator("main").inner_text()
        page.screenshot(path=str(ARTIFACTS / f"review-answer-{name}.png"), full_page=True)
        assert serious_violations(page) == []
        _no_sideways_scroll(page, viewport["width"])
    finally:
        context.close()
    assert not problems, problems
