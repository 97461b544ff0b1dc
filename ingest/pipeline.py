"""Incremental, per-document-atomic ingest: files -> documents -> chunks -> vectors -> store.

For each document: parse and chunk it (a failure leaves its last good chunks in place), mark it
`pending` in the manifest, embed what the cache does not have, upsert its chunks, delete its
chunks that are no longer current, and mark it `ok`. A run killed at any point leaves each
document either as it was, complete, or `pending` — and a `pending` document is processed again
on the next run, which converges on exactly its current chunks.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from assistant.embeddings import Embedder
from assistant.settings import Settings
from assistant.store import IndexInfo, VectorStore
from ingest.cache import EmbeddingCache, embed_with_cache
from ingest.chunking import ChunkParams, chunk_document
from ingest.loaders import SUPPORTED_SUFFIXES, is_archive, load_document
from ingest.loaders.common import LoadError
from ingest.manifest import Manifest, ManifestEntry
from ingest.model import DOC_TYPES, Chunk, Document

# Bump when a loader changes what it produces, so that documents are parsed again.
PARSER_VERSION = 3  # 2: a § letter spaced as the heading spaces it ("§ 4c", "§ 11 a");
# 3: unnumbered PDF headings from the PDF's bookmarks


class IngestInputError(Exception):
    """The paths given cannot be ingested at all (missing, empty folder). Nothing was changed."""


@dataclass(frozen=True)
class SourceFile:
    """One file to ingest (or one member of an archive)."""

    source_id: str
    root: str
    path: Path
    member: str | None = None
    archive_id: str | None = None


@dataclass
class Outcome:
    source_id: str
    action: str  # added | updated | unchanged | removed | failed | skipped
    chunks: int = 0
    reason: str | None = None
    title: str | None = None  # of an added or updated document (for notices such as the digest)
    tenant: str = ""


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_cached: int = 0
    chunks_written: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def merge(self, other: IngestReport) -> None:
        """Add another run's outcomes and figures to this report."""
        self.outcomes += other.outcomes
        self.chunks_embedded += other.chunks_embedded
        self.chunks_cached += other.chunks_cached
        self.chunks_written += other.chunks_written
        self.seconds += other.seconds
        self.embed_seconds += other.embed_seconds

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == "failed"]

    @property
    def changed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action in {"added", "updated", "removed"}]


class Progress(Protocol):
    """What a long ingest reports while it runs (the CLI draws a progress bar from it)."""

    def start(self, files: int, total_bytes: int) -> None: ...

    def file_done(self, source_id: str, nbytes: int, chunks: int) -> None: ...

    def embedded(self, n: int) -> None: ...


class _NoProgress:
    def start(self, files: int, total_bytes: int) -> None:
        pass

    def file_done(self, source_id: str, nbytes: int, chunks: int) -> None:
        pass

    def embedded(self, n: int) -> None:
        pass


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _matches(rel: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if include and not any(fnmatch.fnmatch(rel, pat) for pat in include):
        return False
    return not any(fnmatch.fnmatch(rel, pat) for pat in exclude)


def _wanted(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES or is_archive(path.name)


def scope_key(root: Path, include: Sequence[str], exclude: Sequence[str]) -> str:
    """What prune works on: a folder as filtered by include/exclude patterns."""
    key = str(root)
    if include:
        key += " +" + ",".join(sorted(include))
    if exclude:
        key += " -" + ",".join(sorted(exclude))
    return key


def discover(
    paths: Sequence[Path], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> tuple[list[SourceFile], list[Outcome], list[str]]:
    """The files to ingest under `paths`, those skipped (unsupported type in a folder), and the
    prune scopes of the folders among `paths`.

    A folder's files get source ids relative to it; a file given directly gets its name.
    """
    for p in paths:
        if not p.exists():
            raise IngestInputError(f"path not found: {p}")
    files: list[SourceFile] = []
    skipped: list[Outcome] = []
    scopes: list[str] = []
    for p in paths:
        root = p.resolve()
        if root.is_file():
            files.append(SourceFile(root.name, str(root), root))
            continue
        scope = scope_key(root, include, exclude)
        scopes.append(scope)
        found = 0
        for f in sorted(root.rglob("*")):
            rel = f.relative_to(root).as_posix()
            if not f.is_file() or any(part.startswith(".") for part in Path(rel).parts):
                continue
            if not _matches(rel, include, exclude):
                continue
            if not _wanted(f):
                skipped.append(
                    Outcome(rel, "skipped", reason=f"unsupported type {f.suffix or '(none)'}")
                )
                continue
            files.append(SourceFile(rel, scope, f))
            found += 1
        if not found:
            raise IngestInputError(f"no supported files in folder: {p}")
    return files, skipped, scopes


def doc_type_for(
    source_id: str, doc_type: str | None, rules: Sequence[tuple[str, str]]
) -> str | None:
    """The doc type forced on a file: the explicit one, else the first matching glob rule."""
    if doc_type is not None:
        return doc_type
    for pattern, forced in rules:
        if fnmatch.fnmatch(source_id, pattern):
            return forced
    return None


class Ingestor:
    """Runs ingest against one store, embedder, manifest and cache."""

    def __init__(
        self,
        settings: Settings,
        store: VectorStore,
        embedder: Embedder,
        manifest: Manifest,
        cache: EmbeddingCache | None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.manifest = manifest
        self.cache = cache
        c = settings.chunking
        self.params = ChunkParams(c.max_chars, c.overlap_chars, c.min_chars)

    # -- index info --------------------------------------------------------------------------

    def _index_info(self) -> IndexInfo:
        return IndexInfo(self.embedder.id, self.embedder.dim, self.params.as_dict())

    def check_index(self) -> None:
        """Refuse to mix embedders in one index; record how the index is built."""
        wanted = self._index_info()
        current = self.store.index_info()
        if current is not None:
            current.check_compatible(wanted, self.store.location)
        if current is None or not current.same_build(wanted):
            generation = current.generation if current is not None else ""
            self.store.set_index_info(replace(wanted, generation=generation))

    def refresh_lexical(self, force: bool = False) -> bool:
        """After a change: stamp the store with a new generation and rebuild the lexical index
        from the store, so that both always describe the same chunks. Returns True if rebuilt."""
        from assistant.retrieval.lexical import LexicalIndex

        info = self.store.index_info() or self._index_info()
        path = self.settings.lexical_path
        if not force and info.generation and path.exists():
            saved = LexicalIndex.load(path)
            if saved is not None and saved.generation == info.generation:
                return False
        generation = uuid.uuid4().hex
        # saved before the store is stamped: a running service that sees the new generation
        # finds its index ready instead of building it from the store in every worker
        LexicalIndex.from_store(
            self.store, generation, self.settings.retrieval.dense_in_memory_max
        ).save(path)
        self.store.set_index_info(replace(info, generation=generation))
        return True

    def _params_hash(self, doc_type: str | None) -> str:
        blob = json.dumps(
            {
                "chunking": self.params.as_dict(),
                "embedder": self.embedder.id,
                "doc_type": doc_type,
                "parser": PARSER_VERSION,
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    # -- the run -----------------------------------------------------------------------------

    def run(
        self,
        paths: Sequence[Path],
        *,
        prune: bool | None = None,
        doc_type: str | None = None,
        tenant: str | None = None,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        doc_type_rules: Sequence[tuple[str, str]] = (),
        urls: Sequence[str] = (),
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest files, folders and archives under `paths`, and documents at `urls`."""
        for forced in [doc_type, *(t for _, t in doc_type_rules)]:
            if forced is not None and forced not in DOC_TYPES:
                raise IngestInputError(
                    f"unknown doc type {forced!r}: use one of {', '.join(DOC_TYPES)}"
                )
        tenant = self.settings.tenant if tenant is None else tenant
        prune = self.settings.ingest.prune if prune is None else prune
        progress = progress or _NoProgress()
        started = time.perf_counter()
        if not paths and not urls:
            raise IngestInputError("nothing to ingest: give a path or a URL")
        files, skipped, scopes = discover(paths, include, exclude) if paths else ([], [], [])
        self.check_index()
        report = IngestReport(outcomes=list(skipped))
        files += self._fetch(urls, tenant, report)
        progress.start(len(files), sum(_size(f.path) for f in files))
        seen: dict[str, set[str]] = {scope: set() for scope in scopes}
        for f in files:
            forced = doc_type_for(f.source_id, doc_type, doc_type_rules)
            params_hash = self._params_hash(forced)
            seen.setdefault(f.root, set()).add(f.source_id)
            for outcome in self._ingest_file(f, tenant, forced, params_hash, report, progress):
                seen[f.root].add(outcome.source_id)
                report.outcomes.append(outcome)
        if prune:
            for scope in scopes:
                report.outcomes.extend(self._prune(scope, tenant, seen[scope]))
        self.refresh_lexical(force=bool(report.changed))
        report.seconds = time.perf_counter() - started
        return report

    def _fetch(self, urls: Sequence[str], tenant: str, report: IngestReport) -> list[SourceFile]:
        """Download remote sources; a URL's source id is the URL itself."""
        from ingest.pull import DownloadError, fetch_url

        fetched = []
        for url in urls:
            try:
                local = fetch_url(url, self.settings.data_dir / "remote")
            except DownloadError as exc:
                report.outcomes.append(self._failed(SourceFile(url, url, Path()), tenant, str(exc)))
                continue
            fetched.append(SourceFile(url, url, local))
        return fetched

    def _ingest_file(
        self,
        f: SourceFile,
        tenant: str,
        doc_type: str | None,
        params_hash: str,
        report: IngestReport,
        progress: Progress,
    ) -> Iterator[Outcome]:
        size = _size(f.path)
        limit = int(self.settings.ingest.max_file_mb * 1024 * 1024)
        # an archive (Lovdata's bulk files run to tens of MB) is limited member by member
        if size > limit and not is_archive(f.path.name):
            reason = (
                f"file too large: {size / 1048576:.1f} MB "
                f"(limit {self.settings.ingest.max_file_mb:g} MB, REGELRETT_INGEST_MAX_FILE_MB)"
            )
            yield self._failed(f, tenant, reason)
            progress.file_done(f.source_id, size, 0)
            return
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            yield self._failed(f, tenant, f"cannot read file: {exc.strerror or exc}")
            progress.file_done(f.source_id, size, 0)
            return
        if is_archive(f.path.name):
            yield from self._ingest_archive(f, data, tenant, doc_type, params_hash, report)
        else:
            yield self._ingest_bytes(f, data, tenant, doc_type, params_hash, report, progress)
            return
        progress.file_done(f.source_id, size, 0)

    def _ingest_archive(
        self,
        f: SourceFile,
        data: bytes,
        tenant: str,
        doc_type: str | None,
        params_hash: str,
        report: IngestReport,
    ) -> Iterator[Outcome]:
        from ingest.loaders.archive import iter_archive

        digest = _sha256(data)
        prefix = f.source_id + "/"
        previous = self.manifest.get(tenant, f.source_id)
        members_before = {
            e.source_id
            for e in self.manifest.entries(tenant=tenant, root=f.root)
            if e.source_id.startswith(prefix)
        }
        if _unchanged(previous, digest, params_hash):
            for sid in sorted(members_before):
                yield Outcome(sid, "unchanged")
            return
        limit = int(self.settings.ingest.max_file_mb * 1024 * 1024)
        seen: set[str] = set()
        try:
            for member, member_data in iter_archive(data, f.path.name, limit):
                if not _wanted(Path(member)):
                    continue
                sub = SourceFile(
                    prefix + member, f.root, f.path, member=member, archive_id=f.source_id
                )
                seen.add(sub.source_id)
                yield self._ingest_bytes(
                    sub, member_data, tenant, doc_type, params_hash, report, _NoProgress()
                )
        except LoadError as exc:
            yield self._failed(f, tenant, f"archive: {exc}")
            return
        yield from self._remove(tenant, sorted(members_before - seen))
        self.manifest.commit(
            ManifestEntry(
                tenant,
                f.source_id,
                f.root,
                digest,
                params_hash,
                [],
                "ok",
                title=f.path.name,
                doc_type="archive",
                meta={"members": str(len(seen))},
            )
        )

    def _failed(self, f: SourceFile, tenant: str, reason: str) -> Outcome:
        self.manifest.fail(tenant, f.source_id, f.root, reason)
        return Outcome(f.source_id, "failed", reason=reason)

    def _ingest_bytes(
        self,
        f: SourceFile,
        data: bytes,
        tenant: str,
        doc_type: str | None,
        params_hash: str,
        report: IngestReport,
        progress: Progress,
    ) -> Outcome:
        digest = _sha256(data)
        previous = self.manifest.get(tenant, f.source_id)
        if previous is not None and _unchanged(previous, digest, params_hash):
            progress.file_done(f.source_id, len(data), 0)
            return Outcome(f.source_id, "unchanged", chunks=previous.n_chunks)
        try:
            doc = load_document(data, f.source_id, Path(f.member or f.path.name).name)
        except LoadError as exc:
            progress.file_done(f.source_id, len(data), 0)
            return self._failed(f, tenant, str(exc))
        if doc_type is not None:
            doc.doc_type = doc_type  # type: ignore[assignment]
        chunks = chunk_document(doc, self.params, tenant)
        self._write(f, tenant, doc, chunks, digest, params_hash, report, progress)
        progress.file_done(f.source_id, len(data), len(chunks))
        had_chunks = previous is not None and previous.content_hash is not None
        return Outcome(
            f.source_id,
            "updated" if had_chunks else "added",
            chunks=len(chunks),
            title=doc.short_title or doc.title,
            tenant=tenant,
        )

    def _write(
        self,
        f: SourceFile,
        tenant: str,
        doc: Document,
        chunks: list[Chunk],
        digest: str,
        params_hash: str,
        report: IngestReport,
        progress: Progress,
    ) -> None:
        self.manifest.begin(tenant, f.source_id, f.root)
        t0 = time.perf_counter()
        vectors, n_new = embed_with_cache(
            self.embedder,
            self.cache,
            [c.embed_text for c in chunks],
            [c.content_hash for c in chunks],
            self.settings.embedder.batch_size,
            progress.embedded,
        )
        report.embed_seconds += time.perf_counter() - t0
        report.chunks_embedded += n_new
        report.chunks_cached += len(chunks) - n_new
        ids = [c.chunk_id for c in chunks]
        if chunks:
            self.store.upsert(
                ids, vectors, [c.text for c in chunks], [c.metadata() for c in chunks]
            )
        report.chunks_written += len(chunks)
        stale = set(self.store.ids_where({"source_id": f.source_id, "tenant": tenant})) - set(ids)
        if stale:
            self.store.delete(sorted(stale))
        self.manifest.commit(
            ManifestEntry(
                tenant=tenant,
                source_id=f.source_id,
                root=f.root,
                content_hash=digest,
                params_hash=params_hash,
                chunk_ids=ids,
                status="ok",
                title=doc.title,
                doc_type=doc.doc_type,
                doc_status=doc.status,
                language=doc.language,
                labels=doc.labels,
                meta=_doc_meta(doc),
            )
        )

    def _remove(self, tenant: str, source_ids: Iterable[str]) -> Iterator[Outcome]:
        for sid in source_ids:
            entry = self.manifest.get(tenant, sid)
            ids = set(self.store.ids_where({"source_id": sid, "tenant": tenant}))
            if entry is not None:
                ids |= set(entry.chunk_ids)
            if ids:
                self.store.delete(sorted(ids))
            self.manifest.remove(tenant, sid)
            yield Outcome(sid, "removed", chunks=len(ids))

    def _prune(self, root: str, tenant: str, seen: set[str]) -> list[Outcome]:
        gone = [
            e.source_id
            for e in self.manifest.entries(tenant=tenant, root=root)
            if e.source_id not in seen
        ]
        return list(self._remove(tenant, gone))

    def remove_source(self, source_id: str, tenant: str | None = None) -> int:
        """Delete one source (and, for an archive, its members). Returns chunks removed."""
        tenant = self.settings.tenant if tenant is None else tenant
        ids = [source_id] + [
            e.source_id
            for e in self.manifest.entries(tenant=tenant)
            if e.source_id.startswith(source_id + "/")
        ]
        known = [sid for sid in ids if self.manifest.get(tenant, sid) is not None]
        if not known:
            raise IngestInputError(f"no source with id {source_id!r}")
        removed = sum(o.chunks for o in self._remove(tenant, known))
        self.refresh_lexical(force=True)
        return removed


def _unchanged(previous: ManifestEntry | None, digest: str, params_hash: str) -> bool:
    """Indexed completely, from the same bytes, with the same parameters."""
    return (
        previous is not None
        and previous.status == "ok"
        and previous.content_hash == digest
        and previous.params_hash == params_hash
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _doc_meta(doc: Document) -> dict[str, str]:
    meta = {
        "short_title": doc.short_title or "",
        "abbreviation": doc.abbreviation or "",
        "url": doc.url or "",
        "ref_id": doc.ref_id or "",
        "format": doc.format,
        "jurisdiction": doc.jurisdiction or "",
        "in_force_from": doc.in_force_from.isoformat() if doc.in_force_from else "",
        "last_amended": doc.last_amended.isoformat() if doc.last_amended else "",
    }
    return {k: v for k, v in meta.items() if v}
