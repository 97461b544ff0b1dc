"""Content-hash embedding cache: a chunk whose embedded text did not change is never embedded
again, whichever document or run it comes from."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from assistant.embeddings import Embedder


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            """CREATE TABLE IF NOT EXISTS vectors (
                   embedder TEXT NOT NULL, text_hash TEXT NOT NULL, dim INTEGER NOT NULL,
                   vector BLOB NOT NULL, PRIMARY KEY (embedder, text_hash))"""
        )

    def close(self) -> None:
        self._db.close()

    def lookup(self, embedder_id: str, hashes: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        found: dict[str, npt.NDArray[np.float32]] = {}
        for start in range(0, len(hashes), 500):
            part = list(hashes[start : start + 500])
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                "SELECT text_hash, dim, vector FROM vectors"
                f" WHERE embedder = ? AND text_hash IN ({marks})",
                [embedder_id, *part],
            ).fetchall()
            for text_hash, dim, blob in rows:
                found[text_hash] = np.frombuffer(blob, dtype=np.float32, count=dim).copy()
        return found

    def store(
        self, embedder_id: str, hashes: Sequence[str], vectors: npt.NDArray[np.float32]
    ) -> None:
        rows = [
            (embedder_id, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
            for h, v in zip(hashes, vectors, strict=True)
        ]
        self._db.execute("BEGIN")
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors (embedder, text_hash, dim, vector) VALUES (?, ?, ?, ?)",
            rows,
        )
        self._db.execute("COMMIT")

    def count(self, embedder_id: str | None = None) -> int:
        if embedder_id is None:
            return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
        return int(
            self._db.execute(
                "SELECT COUNT(*) FROM vectors WHERE embedder = ?", (embedder_id,)
            ).fetchone()[0]
        )


def embed_with_cache(
    embedder: Embedder,
    cache: EmbeddingCache | None,
    texts: Sequence[str],
    hashes: Sequence[str],
    batch_size: int,
    on_batch: object = None,
) -> tuple[npt.NDArray[np.float32], int]:
    """Vectors for `texts` (in order) and how many were newly embedded.

    `on_batch(n)` is called after each newly embedded batch of n texts (for progress).
    """
    cached = cache.lookup(embedder.id, hashes) if cache is not None else {}
    missing = [i for i, h in enumerate(hashes) if h not in cached]
    new: dict[str, npt.NDArray[np.float32]] = {}
    for start in range(0, len(missing), batch_size):
        idx = missing[start : start + batch_size]
        vectors = embedder.embed_passages([texts[i] for i in idx])
        batch_hashes = [hashes[i] for i in idx]
        if cache is not None:
            cache.store(embedder.id, batch_hashes, vectors)
        new.update(zip(batch_hashes, vectors, strict=True))
        if callable(on_batch):
            on_batch(len(idx))
    dim = embedder.dim
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = cached[h] if h in cached else new[h]
    return out, len(missing)
