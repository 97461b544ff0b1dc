"""The web surface without a browser: the widget script as served, the demo page, the passage
view (escaped, with the cited chunk marked) and the fixture questions the browser tests ask."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from assistant.server import create_app
from assistant.settings import Settings
from assistant.web.passages import _merge
from tests.browser.live import (
    ANSWERED,
    MARKUP,
    PAYLOAD_IMG,
    PAYLOAD_SCRIPT,
    REFUSED,
    ingest_corpus,
)

WIDGET = Path(__file__).resolve().parent.parent / "assistant" / "web" / "static" / "widget.js"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return ingest_corpus(tmp_path_factory.mktemp("widget"))


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def _chunk(client: TestClient, source: str, label: str) -> str:
    index = client.app.state.services.assistant.retriever.index()  # type: ignore[attr-defined]
    return str(index.ids[index.by_label[(source, label)][0]])


# -- the widget script --------------------------------------------------------------------------


def test_widget_js_is_served_small_cached_and_compressed(client: TestClient) -> None:
    raw = client.get("/widget.js", headers={"Accept-Encoding": "identity"})
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "max-age=" in raw.headers["cache-control"]
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert raw.content == WIDGET.read_bytes()
    assert len(raw.content) < 45_000

    zipped = client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"  # httpx has already decoded it
    assert zipped.content == raw.content
    assert len(gzip.compress(raw.content, 9)) < 12_000

    again = client.get("/widget.js", headers={"If-None-Match": raw.headers["etag"]})
    assert again.status_code == 304 and not again.content


def test_widget_builds_its_dom_from_text_only() -> None:
    source = WIDGET.read_text(encoding="utf-8")
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in source, unsafe
    assert "new Function" not in source
    assert 'attachShadow({ mode: "open" })' in source
    assert "textContent" in source and "createTextNode" in source


def test_widget_speaks_bokmal_nynorsk_and_english() -> None:
    source = WIDGET.read_text(encoding="utf-8")
    for line in (
        "Svarene kommer fra en KI-assistent, er ikke juridisk rådgivning, og viser til kildene "
        "sine.",
        "Svara kjem frå ein KI-assistent, er ikkje juridisk rådgiving, og viser til kjeldene sine.",
        "Answers come from an AI assistant, are not legal advice, and cite their sources.",
    ):
        assert line in source
    blocks = re.findall(r"^    (nb|nn|en): \{(.*?)^    \},", source, re.S | re.M)
    keys = [set(re.findall(r"^      (\w+):", body, re.M)) for _, body in blocks]
    assert [lang for lang, _ in blocks] == ["nb", "nn", "en"]
    assert keys[0] == keys[1] == keys[2] and len(keys[0]) > 30


# -- the demo page and /docs --------------------------------------------------------------------


def test_demo_page_embeds_the_widget_with_the_demo_key(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    key = client.app.state.demo_key  # type: ignore[attr-defined]
    assert key
    assert f'<script src="/widget.js" data-key="{key}" data-lang="nb" defer></script>' in page.text
    assert '<html lang="nb">' in page.text and "Heggvik kommune" in page.text
    assert "Regelrett kjører og kjenner" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/web/site.css").headers["content-type"] == "text/css; charset=utf-8"


def test_demo_page_without_keys_and_a_closed_passage_view(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        chroma={"collection": "demo-off"},
        server={"auth": "off", "public_sources": False},
    )
    with TestClient(create_app(settings)) as client:
        page = client.get("/").text
        closed = client.get("/sources/view", params={"source": "x.md", "section": "§ 1"})
    assert '<script src="/widget.js" data-lang="nb" defer></script>' in page
    assert "ingen nøkkel" not in page
    assert closed.status_code == 403 and "Kildene er ikke åpne her" in closed.text


def test_docs_stay_the_api_documentation(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/ask/stream" in paths
    assert not {"/", "/widget.js", "/sources/view"} & set(paths)


# -- the passage view ---------------------------------------------------------------------------


def test_passage_view_shows_the_section_with_the_cited_chunk(client: TestClient) -> None:
    chunk = _chunk(client, "hundeparklova.md", "§ 3-5")
    page = client.get(
        "/sources/view",
        params={"source": "hundeparklova.md", "section": "§ 3-5", "chunk": chunk},
    )
    assert page.status_code == 200
    html = page.text
    assert "<h1>" in html and "Hundeparklova (hpl)" in html and "§ 3-5" in html
    cited = html[html.index(f'id="chunk-{chunk}"') :]
    assert "Kommunen fastset opningstidene for kvar hundepark." in cited.split("</div>")[0]
    assert "Kapittel 3" in html  # the heading path
    assert 'lang="nb"' in html and 'rel="next"' in html and 'rel="prev"' in html
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script" not in csp


def test_passage_view_shows_markup_in_sources_as_text(client: TestClient) -> None:
    page = client.get(
        "/sources/view",
        params={"source": "publiseringsrutine.md", "section": "2", "lang": "en"},
    )
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert PAYLOAD_SCRIPT not in page.text and PAYLOAD_IMG not in page.text
    assert '<html lang="en">' in page.text and "Source passage" in page.text


def test_passage_view_lists_a_document_and_refuses_unknown_ones(client: TestClient) -> None:
    doc = client.get("/sources/view", params={"source": "hundeparklova.md", "lang": "nn"})
    assert doc.status_code == 200 and "Avsnitt i dokumentet" in doc.text
    labels = re.findall(r"section=([^&\"]+)", doc.text)
    assert len(labels) >= 5
    missing = client.get("/sources/view", params={"source": "nope.md", "section": "§ 1"})
    assert missing.status_code == 404 and "Fant ikke kilden" in missing.text
    wrong = client.get("/sources/view", params={"source": "hundeparklova.md", "section": "§ 99"})
    assert wrong.status_code == 404
    # a chunk id from another source is not taken for this one
    other = _chunk(client, "publiseringsrutine.md", "2")
    mixed = client.get("/sources/view", params={"source": "hundeparklova.md", "chunk": other})
    assert mixed.status_code == 404


def test_overlapping_chunks_of_a_long_section_read_once() -> None:
    index = SimpleNamespace(
        ids=["a", "b", "c"],
        texts=["Første.\n\nAndre.\n\nTredje.", "Andre.\n\nTredje.\n\nFjerde.", "Femte."],
    )
    paragraphs = _merge(index, [0, 1, 2])  # type: ignore[arg-type]
    assert [p.text for p in paragraphs] == ["Første.", "Andre.", "Tredje.", "Fjerde.", "Femte."]
    assert [sorted(p.chunks) for p in paragraphs] == [
        ["a"],
        ["a", "b"],
        ["a", "b"],
        ["b"],
        ["c"],
    ]


# -- the questions the browser tests ask --------------------------------------------------------


def test_fixture_questions_answer_and_refuse_as_the_browser_tests_expect(
    client: TestClient,
) -> None:
    assistant = client.app.state.services.ready_assistant()  # type: ignore[attr-defined]
    answered = assistant.answer(ANSWERED)
    assert not answered.refused and answered.citations[0].section == "§ 3-5"
    markup = assistant.answer(MARKUP)
    assert not markup.refused
    assert any(PAYLOAD_SCRIPT in c.quote and PAYLOAD_IMG in c.quote for c in markup.citations)
    assert assistant.answer(REFUSED).refused
