"""`regelrett audit`: retention (purge), export for innsyn requests, and writing the rows kept
in the local spool while the database was away (replay)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import typer

from assistant.cli.common import console, err_console, fail, load_settings

app = typer.Typer(
    no_args_is_help=True, help="The audit log: purge by age, export, replay the spool."
)

CSV_COLUMNS = [
    "id",
    "created",
    "tenant",
    "surface",
    "key_id",
    "request_id",
    "question",
    "answer",
    "citations",
    "language",
    "mode",
    "model",
    "config_hash",
    "refused",
    "confidence",
    "warnings",
    "as_of",
    "timings",
    "feedback",
    "escalations",
]


def _day(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    except ValueError:
        fail(f"{flag} {value!r} is not a date (YYYY-MM-DD)")


def _open() -> Any:
    from assistant.audit import AuditStore

    return AuditStore.from_settings(load_settings())


@app.command("purge")
def purge(
    days: int | None = typer.Option(
        None, "--days", min=1, help="Keep this many days; default REGELRETT_AUDIT_RETENTION_DAYS."
    ),
) -> None:
    """Delete answers, feedback and escalations older than the retention period."""
    from assistant.audit import AuditStore, AuditUnavailable

    settings = load_settings()
    keep = days or settings.audit.retention_days
    store = AuditStore.from_settings(settings)
    try:
        counts = store.purge(keep)
    except AuditUnavailable as exc:
        fail(f"audit database unavailable: {exc}")
    finally:
        store.close()
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    console.print(f"Purged rows older than {keep} days: {summary}", highlight=False)


@app.command("export")
def export(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant ('' national)."),
    since: str | None = typer.Option(None, "--since", help="From this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Before this date (YYYY-MM-DD)."),
    fmt: str = typer.Option("json", "--format", help="json or csv."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File; default stdout."),
) -> None:
    """Answers with their feedback and escalations, for an innsyn request or a review."""
    from assistant.audit import AuditUnavailable

    if fmt not in {"json", "csv"}:
        fail("--format: use json or csv")
    start, end = _day(since, "--since"), _day(until, "--until")
    store = _open()
    try:
        rows = store.export(tenant=tenant, since=start, until=end)
    except AuditUnavailable as exc:
        fail(f"audit database unavailable: {exc}")
    finally:
        store.close()
    _warn_spooled(store)
    text = to_csv(rows) if fmt == "csv" else json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"{len(rows)} answers written to {output}", highlight=False)


@app.command("replay")
def replay() -> None:
    """Write the rows kept in the local spool while the audit database was away.

    The spool is DATA_DIR/audit-spool; a running server writes it by itself once the database
    is back."""
    from assistant.audit import AuditUnavailable

    store = _open()
    try:
        done = store.replay()
    except AuditUnavailable as exc:
        fail(f"audit database unavailable: {exc}; the rows stay in the spool", code=1)
    finally:
        store.close()
    if done is None:
        fail("another process is writing the spool now; try again in a moment", code=1)
    console.print(f"{done.rows} rows written from the spool", highlight=False)
    if done.unreadable:
        console.print(f"[red]{done.unreadable} unreadable lines skipped (see the log)[/]")


def _warn_spooled(store: Any) -> None:
    waiting = store.spool_pending()
    if waiting:
        err_console.print(
            f"[yellow]{waiting} rows are still in the local spool and not in this export: "
            "run `regelrett audit replay` once the database is back.[/]",
            highlight=False,
        )


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                for k, v in row.items()
            }
        )
    return out.getvalue()
