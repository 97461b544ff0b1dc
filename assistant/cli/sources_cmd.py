"""`regelrett sources`: what is indexed; remove one; pull the official catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from assistant.cli.common import console, fail, load_settings
from assistant.resources import data_folder
from assistant.settings import Settings
from assistant.store import StoreError
from ingest.manifest import Manifest, ManifestEntry
from ingest.pipeline import IngestInputError
from ingest.service import open_ingestor

app = typer.Typer(help="List, remove and pull sources.", invoke_without_command=True)


def _as_json(e: ManifestEntry) -> dict[str, object]:
    return {
        "source_id": e.source_id,
        "tenant": e.tenant,
        "title": e.title,
        "doc_type": e.doc_type,
        "status": e.doc_status,
        "language": e.language,
        "ingest_status": e.status,
        "error": e.error,
        "sections": e.labels,
        "chunks": e.n_chunks,
        "last_ingested": e.last_ingested,
        **{k: v for k, v in e.meta.items()},
    }


def _labels(labels: list[str]) -> str:
    shown = ", ".join(labels[:4])
    return f"{shown}, … ({len(labels)})" if len(labels) > 4 else shown


@app.callback()
def sources(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's sources."),
) -> None:
    """List the indexed sources: title, type, status, sections, chunks, last ingested."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    if settings.database.url is None and not settings.manifest_path.exists():
        entries: list[ManifestEntry] = []
    else:
        manifest = Manifest.for_settings(settings)
        entries = [e for e in manifest.entries(tenant=tenant) if e.doc_type != "archive"]
        manifest.close()
    if as_json:
        typer.echo(json.dumps([_as_json(e) for e in entries], indent=2, ensure_ascii=False))
        return
    if not entries:
        console.print("No sources indexed yet. Run `regelrett ingest PATH` or `make run`.")
        return
    table = Table("source", "title", "type", "status", "sections", "chunks", "last ingested")
    for e in entries:
        status = e.doc_status or ""
        if e.status != "ok":
            status += f" [red]({e.status}: {e.error or ''})[/]"
        table.add_row(
            (f"{e.tenant}:" if e.tenant else "") + e.source_id,
            e.title or "",
            e.doc_type or "",
            status,
            _labels(e.labels),
            str(e.n_chunks),
            e.last_ingested or "",
        )
    console.print(table)


@app.command("remove")
def remove(
    source_id: str = typer.Argument(..., help="The source id shown by `regelrett sources`."),
    tenant: str | None = typer.Option(None, "--tenant"),
) -> None:
    """Remove one source and its chunks from the index."""
    settings = load_settings()
    try:
        with open_ingestor(settings) as ingestor:
            removed = ingestor.remove_source(source_id, tenant)
    except (IngestInputError, StoreError) as exc:
        fail(str(exc))
    console.print(f"removed {source_id} ({removed} chunks)", highlight=False)


@app.command("pull")
def pull(
    ids: list[str] = typer.Argument(
        None,
        help="Catalogue ids to pull (default: all sources), or 'lovdata' for Lovdata's archives "
        "of all current laws and central regulations (NLOD 2.0).",
    ),
    dest: Path | None = typer.Option(None, "--dest", help="Folder to save into."),
    catalogue: Path | None = typer.Option(
        None, "--catalogue", help="Another catalogue file; default: knowledge/sources.yaml."
    ),
    ingest: bool = typer.Option(
        False, "--ingest", help="Ingest what was downloaded (incrementally: only changes)."
    ),
) -> None:
    """Download official sources: the catalogue in knowledge/sources.yaml, or Lovdata's bulk
    archives (`regelrett sources pull lovdata`). Needs network access."""
    from ingest.pull import pull_sources

    settings = load_settings()
    target = dest or settings.data_dir / "downloads"
    try:
        report = pull_sources(
            catalogue or data_folder("knowledge") / "sources.yaml", target, only=ids or None
        )
    except ValueError as exc:
        fail(str(exc))
    for entry in report.ok:
        console.print(
            f"[green]saved[/] {entry.id}: {entry.path} ({entry.size} bytes)", highlight=False
        )
    for entry in report.failed:
        console.print(f"[red]failed[/] {entry.id}: {entry.reason}", highlight=False)
    console.print(report.summary(), highlight=False)
    if not report.reachable:
        urls = " ".join(e.url for e in report.failed)
        fail(
            "could not reach the official sources (no network connection?). Nothing was "
            "downloaded and nothing in the index was changed. On a machine that is online, "
            f"download {urls} and ingest the files here with `regelrett ingest FILE...` (that "
            "works offline).",
            code=1,
        )
    saved = [e.path for e in report.ok if e.path is not None]
    if ingest and saved:
        _ingest(settings, saved)
    elif saved:
        names = " ".join(str(p) for p in saved) if len(saved) <= 3 else str(target)
        console.print(f"saved to {target}; ingest with `regelrett ingest {names}`", highlight=False)
    if report.failed:
        raise typer.Exit(1)


def _ingest(settings: Settings, paths: list[Path]) -> None:
    from assistant.cli.ingest_cmd import ConsoleProgress, print_report

    progress = ConsoleProgress()
    try:
        with open_ingestor(settings) as ingestor:
            report = ingestor.run(paths, prune=False, progress=progress)
    except (IngestInputError, StoreError) as exc:
        fail(str(exc))
    finally:
        progress.stop()
    print_report(report)
    if report.failed:
        raise typer.Exit(1)
