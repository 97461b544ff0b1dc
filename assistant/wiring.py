"""Building the core from settings, at the edge (CLI commands, the server lifespan, evals)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from assistant.answer import Assistant
from assistant.embeddings import make_embedder
from assistant.settings import Settings
from assistant.store import open_store


@contextmanager
def open_assistant(settings: Settings) -> Iterator[Assistant]:
    store = open_store(settings)
    try:
        yield Assistant(settings, store, make_embedder(settings.embedder.backend))
    finally:
        store.close()
