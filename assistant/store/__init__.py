"""Vector store: the Protocol and the Chroma backend, opened from settings."""

from __future__ import annotations

from assistant.settings import Settings
from assistant.store.base import (
    IndexInfo,
    IndexMismatchError,
    StoredChunk,
    StoreError,
    VectorStore,
)


def open_store(settings: Settings) -> VectorStore:
    """Embedded Chroma in the data dir, or the Chroma server at REGELRETT_CHROMA_URL."""
    from assistant.store.chroma import open_embedded, open_server

    chroma = settings.chroma
    if chroma.url:
        token = chroma.auth_token.get_secret_value() if chroma.auth_token else None
        return open_server(chroma.url, chroma.collection, token)
    return open_embedded(settings.chroma_path, chroma.collection)


__all__ = [
    "IndexInfo",
    "IndexMismatchError",
    "StoreError",
    "StoredChunk",
    "VectorStore",
    "open_store",
]
