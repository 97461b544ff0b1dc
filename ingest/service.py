"""Wiring for ingest: opening the store, embedder, manifest and cache from settings, and the
default sources list."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.embeddings import make_embedder
from assistant.resources import data_folder, project_root
from assistant.settings import Settings
from assistant.store import open_store
from ingest.cache import EmbeddingCache
from ingest.manifest import Manifest
from ingest.pipeline import IngestInputError, Ingestor


@contextmanager
def open_ingestor(settings: Settings) -> Iterator[Ingestor]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings)
    embedder = make_embedder(settings.embedder.backend)
    manifest = Manifest.for_settings(settings)  # the shared database's, when set
    cache = EmbeddingCache(settings.cache_path)
    try:
        with manifest.exclusive():  # one ingest per collection across machines
            yield Ingestor(settings, store, embedder, manifest, cache)
    finally:
        manifest.close()
        cache.close()
        store.close()


@dataclass
class DefaultSource:
    path: Path
    optional: bool = False
    doc_type: str | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    doc_types: list[tuple[str, str]] = field(default_factory=list)
    tenant: str | None = None


def default_sources(settings: Settings) -> list[DefaultSource]:
    """The sources in knowledge/default-sources.yaml (or REGELRETT_INGEST_DEFAULT_SOURCES)."""
    path = settings.ingest.default_sources or data_folder("knowledge") / "default-sources.yaml"
    base = project_root() if settings.ingest.default_sources is None else path.parent
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise IngestInputError(f"cannot read default sources {path}: {exc}") from exc
    out = []
    for item in raw.get("sources", []):
        if not isinstance(item, dict) or "path" not in item:
            raise IngestInputError(f"{path}: every source needs a 'path'")
        out.append(
            DefaultSource(
                path=(base / str(item["path"])).resolve(),
                optional=bool(item.get("optional", False)),
                doc_type=item.get("doc_type"),
                include=[str(p) for p in item.get("include", [])],
                exclude=[str(p) for p in item.get("exclude", [])],
                doc_types=[(str(k), str(v)) for k, v in (item.get("doc_types") or {}).items()],
                tenant=item.get("tenant"),
            )
        )
    return out
