"""GET /v1/sources*: what is indexed, and a section's text in context for checking a citation."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from assistant.catalogue import join_overlapping
from assistant.settings import Settings
from tests.api_support import SAKSGANG, build, serve


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("api-sources"))


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with serve(settings) as client:
        yield client


def test_list_sources(client: TestClient) -> None:
    r = client.get("/v1/sources")
    assert r.status_code == 200
    rows = {s["source_id"]: s for s in r.json()}
    assert set(rows) == {"hundeparklova.md", "rettleiar.md", "widgets.xhtml"}
    law = rows["hundeparklova.md"]
    assert (law["short_title"], law["abbreviation"], law["doc_type"]) == (
        "Hundeparklova",
        "hpl",
        "law",
    )
    assert law["language"] == "nn" and law["status"] == "in_force"
    assert law["sections"] == 7 and law["chunks"] >= 1
    assert rows["widgets.xhtml"]["language"] == "en"


def test_source_detail_lists_sections_in_document_order(client: TestClient) -> None:
    r = client.get("/v1/sources/hundeparklova.md")
    assert r.status_code == 200
    labels = r.json()["section_labels"]
    assert [lab for lab in labels if lab.startswith("§")] == [
        "§ 1-1",
        "§ 1-2",
        "§ 3-5",
        "§ 3-5 a",
        "§ 3-6",
        "§ 4-1",
    ]
    widgets = client.get("/v1/sources/widgets.xhtml").json()["section_labels"]
    assert widgets.index("Recital 3") < widgets.index("Article 1") < widgets.index("Annex II")


def test_section_text_joins_the_chunks_of_a_long_section(client: TestClient) -> None:
    r = client.get("/v1/sources/rettleiar.md/sections/2")
    assert r.status_code == 200
    view = r.json()
    assert len(view["chunk_ids"]) >= 2  # long enough to be split, with overlap
    assert view["text"] == "\n\n".join(SAKSGANG)  # whole, in order, overlap not repeated
    assert view["source"]["title"] == "Rettleiar for innsyn i hundeparksaker"
    assert view["heading_path"].endswith("2")


def test_section_of_a_cited_passage(client: TestClient) -> None:
    answer = client.post("/v1/ask", json={"question": "hpl § 3-5 opningstider"}).json()
    cited = answer["citations"][0]
    path = f"/v1/sources/{cited['source_id']}/sections/{quote(cited['section'])}"
    r = client.get(path, params={"chunk": cited["chunk_id"]})
    assert r.status_code == 200
    view = r.json()
    assert view["section"] == "§ 3-5" and cited["chunk_id"] in view["chunk_ids"]
    assert cited["quote"] in view["text"] and cited["quote"] in view["chunk"]["text"]
    other = client.get(path, params={"chunk": "0" * 40})
    assert other.status_code == 404 and other.json()["type"].endswith("chunk_not_found")


def test_source_ids_with_slashes_plain_or_encoded(tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.api_support import api_settings, ingest, write_corpus

    root = tmp_path_factory.mktemp("api-sources-nested")
    corpus = write_corpus(root / "corpus" / "kommune" / "rutiner")
    settings = api_settings(root, "api-nested")
    ingest(settings, root / "corpus")
    with serve(settings) as client:
        ids = {s["source_id"] for s in client.get("/v1/sources").json()}
        sid = "kommune/rutiner/hundeparklova.md"
        assert sid in ids and corpus.is_dir()
        plain = client.get(f"/v1/sources/{sid}")
        encoded = client.get("/v1/sources/" + quote(sid, safe=""))
        assert plain.status_code == encoded.status_code == 200
        assert plain.json()["source_id"] == encoded.json()["source_id"] == sid
        section = client.get(f"/v1/sources/{sid}/sections/{quote('§ 3-5 a')}")
        assert section.status_code == 200 and "stenge" in section.json()["text"]


def test_unknown_source_and_section_are_404_problems(client: TestClient) -> None:
    r = client.get("/v1/sources/finst-ikkje.md", headers={"Accept-Language": "en"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "No source with id 'finst-ikkje.md'."
    r = client.get("/v1/sources/hundeparklova.md/sections/§ 99")
    assert r.status_code == 404
    assert r.json()["detail"] == "Kilden «hundeparklova.md» har ingen del «§ 99»."


def test_sources_need_a_key_when_not_public(settings: Settings) -> None:
    private = settings.model_copy(
        update={
            "server": settings.server.model_copy(update={"auth": "keys", "public_sources": False})
        }
    )
    with serve(private) as client:
        assert client.get("/v1/sources").status_code == 401
    public = settings.model_copy(
        update={"server": settings.server.model_copy(update={"auth": "keys"})}
    )
    with serve(public) as client:
        assert client.get("/v1/sources").status_code == 200
        bad = client.get("/v1/sources", headers={"X-API-Key": "rr_not-a-real-key"})
        assert bad.status_code == 401


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (["A.\n\nB.\n\nC.", "C.\n\nD."], "A.\n\nB.\n\nC.\n\nD."),
        (["A.\n\nB.", "A.\n\nB."], "A.\n\nB."),
        (["A.", "B."], "A.\n\nB."),
        (["Ein § 3", "3 kroner.\n\nTo."], "Ein § 3\n\n3 kroner.\n\nTo."),
    ],
)
def test_join_overlapping(parts: list[str], joined: str) -> None:
    assert join_overlapping(parts) == joined
