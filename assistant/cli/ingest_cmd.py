"""`regelrett ingest`: files and folders into the index, with progress and a summary."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from assistant.cli.common import console, fail, load_settings
from assistant.embeddings import EmbedderError
from assistant.settings import Settings
from assistant.store import StoreError
from ingest.pipeline import IngestInputError, Ingestor, IngestReport
from ingest.service import default_sources, open_ingestor

log = logging.getLogger(__name__)


class ConsoleProgress:
    """Progress bar on a terminal (files, chunks, chunks/s, ETA); a line per file otherwise."""

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._files = 0
        self._total_files = 0
        self._chunks = 0
        self._embedded = 0
        self._current = 0  # chunks embedded so far for the file in progress
        self._t0 = time.perf_counter()

    def start(self, files: int, total_bytes: int) -> None:
        self._total_files = files
        self._t0 = time.perf_counter()
        if console.is_terminal:
            self._bar = Progress(
                TextColumn("[bold]ingest[/]"),
                BarColumn(),
                TextColumn("{task.fields[files]} files"),
                TextColumn("{task.fields[chunks]} chunks"),
                TextColumn("{task.fields[rate]} chunks/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
            )
            f = self._fields()
            self._task = self._bar.add_task(
                "ingest",
                total=max(total_bytes, 1),
                files=f["files"],
                chunks=f["chunks"],
                rate=f["rate"],
            )
            self._bar.start()
        else:
            console.print(f"ingest: {files} files")

    def _fields(self) -> dict[str, str]:
        elapsed = max(time.perf_counter() - self._t0, 1e-6)
        return {
            "files": f"{self._files}/{self._total_files}",
            "chunks": str(self._chunks + self._current),
            "rate": f"{self._embedded / elapsed:.1f}",
        }

    def _refresh(self, advance: int = 0) -> None:
        if self._bar is not None and self._task is not None:
            f = self._fields()
            self._bar.update(
                self._task, advance=advance, files=f["files"], chunks=f["chunks"], rate=f["rate"]
            )

    def file_done(self, source_id: str, nbytes: int, chunks: int) -> None:
        self._files += 1
        self._chunks += chunks
        self._current = 0
        if self._bar is not None:
            self._refresh(nbytes)
        elif chunks:
            f = self._fields()
            console.print(
                f"[{f['files']}] {source_id}: {chunks} chunks ({f['rate']} chunks/s)",
                highlight=False,
            )

    def embedded(self, n: int) -> None:
        self._embedded += n
        self._current += n
        self._refresh()

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def print_report(report: IngestReport) -> None:
    table = Table(title="Ingest summary")
    for column in ("added", "updated", "unchanged", "removed", "failed", "skipped"):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            str(report.count(a))
            for a in ("added", "updated", "unchanged", "removed", "failed", "skipped")
        )
    )
    console.print(table)
    console.print(
        f"{report.chunks_written} chunks written ({report.chunks_embedded} embedded, "
        f"{report.chunks_cached} from cache) in {report.seconds:.1f} s",
        highlight=False,
    )
    if report.failed:
        failures = Table("failed file", "reason", title="Failures")
        for outcome in report.failed:
            failures.add_row(outcome.source_id, outcome.reason or "")
        console.print(failures)


def _run_defaults(ingestor: Ingestor, prune: bool | None, tenant: str | None) -> IngestReport:
    total = IngestReport()
    for src in default_sources(ingestor.settings):
        if not src.path.exists():
            if src.optional:
                console.print(f"skipping optional source (not present): {src.path}")
                continue
            raise IngestInputError(f"default source not found: {src.path}")
        console.print(f"source: {src.path}", highlight=False)
        progress = ConsoleProgress()
        try:
            report = ingestor.run(
                [src.path],
                prune=prune,
                doc_type=src.doc_type,
                tenant=tenant if tenant is not None else src.tenant,
                include=src.include,
                exclude=src.exclude,
                doc_type_rules=src.doc_types,
                progress=progress,
            )
        finally:
            progress.stop()
        total.merge(report)
    return total


def _withdraw_verified(settings: Settings, report: IngestReport) -> None:
    """Verified answers citing an updated or removed source go back to review."""
    if not any(o.action in {"updated", "removed"} for o in report.outcomes):
        return
    from assistant.audit.recorder import Recorder

    recorder = Recorder.for_settings(settings)
    try:
        count = recorder.withdraw_changed(report)
    finally:
        recorder.close()
    if count:
        console.print(f"{count} verified answers withdrawn for a new review", highlight=False)


def _prepare_notes(settings: Settings) -> None:
    """Embed the provision notes that match the index now (each note once per embedder, kept in
    the embedding cache), so the server's first start need not. Only a head start: if it
    fails, the server does it at warm-up."""
    if settings.retrieval.weight_notes_dense <= 0:
        return
    from assistant.wiring import open_assistant

    try:
        with open_assistant(settings) as assistant:
            retriever = assistant.retriever
            index = retriever.index()
            notes = retriever.notes_index(index)
            if not len(notes):
                return
            console.print(
                f"provision notes: {len(notes)} match the index; preparing them for search "
                "(embedded once, about a minute on 2 cores the first time) …"
            )
            t0 = time.perf_counter()
            retriever.note_vectors(index)
            console.print(f"provision notes ready ({time.perf_counter() - t0:.1f} s)")
    except Exception as exc:  # a head start only: never fail an ingest that succeeded
        log.warning("could not prepare the provision notes", exc_info=True)
        console.print(
            f"[yellow]the provision notes could not be prepared now ({exc}); the server "
            "prepares them at start[/yellow]"
        )


def ingest(
    paths: list[str] = typer.Argument(
        None, help="Files, folders, .tar.bz2 archives or http(s) URLs."
    ),
    defaults: bool = typer.Option(
        False, "--defaults", help="Ingest the default sources (knowledge/default-sources.yaml)."
    ),
    prune: bool | None = typer.Option(
        None, "--prune/--no-prune", help="Remove indexed files gone from a folder (default on)."
    ),
    doc_type: str | None = typer.Option(None, "--doc-type", help="Force the document type."),
    tenant: str | None = typer.Option(
        None, "--tenant", help="Municipality layer; default: the national layer."
    ),
    include: list[str] = typer.Option([], "--include", help="Only files matching this glob."),
    exclude: list[str] = typer.Option([], "--exclude", help="Skip files matching this glob."),
) -> None:
    """Parse, chunk, embed and index documents. Unchanged files are skipped."""
    if not paths and not defaults:
        fail("give at least one PATH to ingest, or --defaults")
    settings = load_settings()
    try:
        with open_ingestor(settings) as ingestor:
            if defaults:
                report = _run_defaults(ingestor, prune, tenant)
            else:
                urls = [p for p in paths if p.startswith(("http://", "https://"))]
                local = [Path(p) for p in paths if p not in urls]
                progress = ConsoleProgress()
                try:
                    report = ingestor.run(
                        local,
                        urls=urls,
                        prune=prune,
                        doc_type=doc_type,
                        tenant=tenant,
                        include=include,
                        exclude=exclude,
                        progress=progress,
                    )
                finally:
                    progress.stop()
    except (IngestInputError, StoreError, EmbedderError) as exc:
        fail(str(exc))
    print_report(report)
    _prepare_notes(settings)
    _withdraw_verified(settings, report)
    if settings.slack.bot_token and settings.slack.digest_channel:
        from assistant.slack.digest import post_digest

        line = post_digest(settings, report)  # new and changed sources, to Slack
        if line:
            console.print(line, highlight=False)
    if report.failed:
        raise typer.Exit(1)
