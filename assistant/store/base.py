"""The store seam: what the rest of Regelrett needs from a vector store, and nothing of Chroma."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

MetaValue = str | int | float | bool
Where = Mapping[str, Any]


class StoreError(Exception):
    """The store cannot be reached or answered with an error."""


class IndexMismatchError(StoreError):
    """The index was built with another embedder than the one configured."""


@dataclass(frozen=True)
class IndexInfo:
    """How an index was built: vectors from different embedders must never be mixed."""

    embedder_id: str
    dim: int
    chunking: Mapping[str, int] = field(default_factory=dict)
    generation: str = ""  # changes whenever an ingest changes the content

    def to_metadata(self) -> dict[str, MetaValue]:
        return {
            "regelrett_embedder": self.embedder_id,
            "regelrett_dim": self.dim,
            "regelrett_chunking": json.dumps(dict(self.chunking), sort_keys=True),
            "regelrett_generation": self.generation,
        }

    def same_build(self, other: IndexInfo) -> bool:
        return (self.embedder_id, self.dim, dict(self.chunking)) == (
            other.embedder_id,
            other.dim,
            dict(other.chunking),
        )

    @classmethod
    def from_metadata(cls, meta: Mapping[str, Any] | None) -> IndexInfo | None:
        if not meta or "regelrett_embedder" not in meta:
            return None
        chunking = json.loads(str(meta.get("regelrett_chunking") or "{}"))
        return cls(
            str(meta["regelrett_embedder"]),
            int(meta["regelrett_dim"]),
            chunking,
            str(meta.get("regelrett_generation", "")),
        )

    def check_compatible(self, other: IndexInfo, where: str) -> None:
        """Raise IndexMismatchError when `other` (the configured embedder) differs."""
        if self.embedder_id != other.embedder_id or self.dim != other.dim:
            raise IndexMismatchError(
                f"the index at {where} was built with embedder {self.embedder_id!r} "
                f"(dim {self.dim}), but the settings ask for {other.embedder_id!r} "
                f"(dim {other.dim}). Set REGELRETT_EMBEDDER_BACKEND back, or use a new "
                "REGELRETT_CHROMA_COLLECTION / data dir and ingest again."
            )


@dataclass
class StoredChunk:
    id: str
    text: str
    metadata: dict[str, MetaValue]
    score: float | None = None  # cosine similarity for query results
    vector: npt.NDArray[np.float32] | None = None  # only from iter_all(with_vectors=True)


@runtime_checkable
class VectorStore(Protocol):
    """A collection of chunk vectors with text and flat metadata."""

    @property
    def location(self) -> str: ...

    def index_info(self) -> IndexInfo | None: ...

    def set_index_info(self, info: IndexInfo) -> None: ...

    def upsert(
        self,
        ids: Sequence[str],
        vectors: npt.NDArray[np.float32],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, MetaValue]],
    ) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def ids_where(self, where: Where) -> list[str]: ...

    def get(self, ids: Sequence[str]) -> list[StoredChunk]: ...

    def query(
        self, vector: npt.NDArray[np.float32], k: int, where: Where | None = None
    ) -> list[StoredChunk]: ...

    def count(self) -> int: ...

    def iter_all(
        self, batch_size: int = 500, with_vectors: bool = False
    ) -> Iterator[StoredChunk]: ...

    def close(self) -> None: ...
