"""Chroma behind the store seam: embedded `PersistentClient` by default, a server by URL.

Chroma's own embedding function never runs: vectors always come from our embedder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import numpy.typing as npt

from assistant.store.base import IndexInfo, MetaValue, StoredChunk, StoreError, Where

_UPSERT_BATCH = 1000


def _where(where: Where | None) -> dict[str, Any] | None:
    """Our flat {key: value} filters in Chroma's syntax (several keys -> $and)."""
    if not where:
        return None
    clauses = [{k: v} for k, v in where.items()]
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStore:
    """A Chroma collection holding Regelrett chunks, cosine space, vectors supplied by us."""

    def __init__(self, client: Any, collection: str, location: str) -> None:
        self._client = client
        self._name = collection
        self._location = location
        try:
            self._col = client.get_or_create_collection(
                collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as exc:
            raise StoreError(
                f"cannot open Chroma collection {collection!r} at {location}: {exc}"
            ) from exc

    @property
    def location(self) -> str:
        return f"{self._location} (collection {self._name})"

    def index_info(self) -> IndexInfo | None:
        # Read the metadata afresh: another process (an ingest, another API worker) may have
        # changed it since this collection object was opened.
        fresh = self._client.get_collection(self._name, embedding_function=None)
        return IndexInfo.from_metadata(fresh.metadata)

    def set_index_info(self, info: IndexInfo) -> None:
        self._col = self._client.get_collection(self._name, embedding_function=None)
        meta = dict(self._col.metadata or {})
        meta.update(info.to_metadata())
        self._col.modify(metadata=meta)

    def upsert(
        self,
        ids: Sequence[str],
        vectors: npt.NDArray[np.float32],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, MetaValue]],
    ) -> None:
        for start in range(0, len(ids), _UPSERT_BATCH):
            end = start + _UPSERT_BATCH
            self._col.upsert(
                ids=list(ids[start:end]),
                embeddings=np.asarray(vectors[start:end], dtype=np.float32),
                documents=list(texts[start:end]),
                metadatas=[dict(m) for m in metadatas[start:end]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _UPSERT_BATCH):
            self._col.delete(ids=list(ids[start : start + _UPSERT_BATCH]))

    def ids_where(self, where: Where) -> list[str]:
        result = self._col.get(where=_where(where), include=[])
        return list(result["ids"])

    def get(self, ids: Sequence[str]) -> list[StoredChunk]:
        if not ids:
            return []
        result = self._col.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {
            i: StoredChunk(i, doc or "", dict(meta or {}))
            for i, doc, meta in zip(
                result["ids"], result["documents"], result["metadatas"], strict=True
            )
        }
        return [by_id[i] for i in ids if i in by_id]

    def query(
        self, vector: npt.NDArray[np.float32], k: int, where: Where | None = None
    ) -> list[StoredChunk]:
        if k <= 0:
            return []
        result = self._col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=_where(where),
            include=["documents", "metadatas", "distances"],
        )
        out = []
        for i, doc, meta, dist in zip(
            result["ids"][0],
            result["documents"][0],
            result["metadatas"][0],
            result["distances"][0],
            strict=True,
        ):
            out.append(StoredChunk(i, doc or "", dict(meta or {}), score=1.0 - float(dist)))
        return out

    def count(self) -> int:
        return int(self._col.count())

    def close(self) -> None:
        """Release connections and files; the store is not usable afterwards."""
        close = getattr(self._client, "close", None)
        if callable(close):
            close()
        # The HTTP clients (ours and its internal admin client) keep connection pools that
        # close() leaves open.
        for client in (self._client, getattr(self._client, "_admin_client", None)):
            session = getattr(getattr(client, "_server", None), "_session", None)
            if session is not None:
                session.close()

    def iter_all(self, batch_size: int = 500, with_vectors: bool = False) -> Iterator[StoredChunk]:
        include = ["documents", "metadatas", *(["embeddings"] if with_vectors else [])]
        offset = 0
        while True:
            result = self._col.get(include=include, limit=batch_size, offset=offset)
            ids = result["ids"]
            if not ids:
                return
            vectors = result.get("embeddings") if with_vectors else None
            for n, (i, doc, meta) in enumerate(
                zip(ids, result["documents"], result["metadatas"], strict=True)
            ):
                vector = None if vectors is None else np.asarray(vectors[n], dtype=np.float32)
                yield StoredChunk(i, doc or "", dict(meta or {}), vector=vector)
            offset += len(ids)


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaClientSettings

    return ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)


def open_embedded(path: Path, collection: str) -> ChromaStore:
    import chromadb

    path.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    return ChromaStore(client, collection, str(path))


def open_server(url: str, collection: str, token: str | None = None) -> ChromaStore:
    import chromadb

    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise StoreError(f"REGELRETT_CHROMA_URL must look like http://host:port, got {url!r}")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        client = chromadb.HttpClient(
            host=parsed.hostname,
            port=port,
            ssl=parsed.scheme == "https",
            headers=headers,
            settings=_chroma_settings(),
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreError(f"cannot reach the Chroma server at {url}: {exc}") from exc
    return ChromaStore(client, collection, url)
