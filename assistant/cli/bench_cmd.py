"""`regelrett bench`: benchmarks that print figures (never pass/fail)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from assistant.cli.common import console, fail, load_settings
from ingest.pipeline import IngestInputError
from ingest.service import DefaultSource, default_sources

app = typer.Typer(help="Benchmarks (figures, compared with a baseline in the same run).")


def _show(title: str, figures: dict[str, float | int], json_out: Path | None) -> None:
    table = Table("figure", "value", title=title)
    for key, value in figures.items():
        table.add_row(key, f"{value:.2f}" if isinstance(value, float) else str(value))
    console.print(table)
    if json_out:
        json_out.write_text(json.dumps(figures, indent=2), encoding="utf-8")


@app.command("ingest")
def bench_ingest_cmd(
    paths: list[Path] = typer.Argument(
        None, help="Sources to ingest; default: the eval corpus from default-sources.yaml."
    ),
    sample: int = typer.Option(
        1000, help="Chunks embedded alone (same texts) for the raw-throughput baseline."
    ),
    json_out: Path | None = typer.Option(None, "--json-out", help="Also write the figures here."),
) -> None:
    """Full ingest into a fresh temporary index, raw embedder throughput, re-ingest time."""
    from evals.bench_ingest import bench_ingest

    settings = load_settings()
    if paths:
        sources = [DefaultSource(path=p) for p in paths]
    else:
        try:
            sources = [s for s in default_sources(settings) if s.optional and s.path.exists()]
        except IngestInputError as exc:
            fail(str(exc))
        if not sources:
            fail("no eval corpus found (../shared/corpus); give PATHs to benchmark")
    for s in sources:
        if not s.path.exists():
            fail(f"path not found: {s.path}")
    console.print(f"benchmarking ingest of {', '.join(str(s.path) for s in sources)} …")
    result = bench_ingest(settings, sources, sample=sample)
    _show("Ingest benchmark", result.as_dict(), json_out)


@app.command("query")
def bench_query_cmd(
    datasets: list[Path] = typer.Argument(
        None, help="JSONL datasets whose questions to time; default: evals/datasets/*.jsonl."
    ),
    rounds: int = typer.Option(2, help="Times each question is asked."),
    json_out: Path | None = typer.Option(None, "--json-out", help="Also write the figures here."),
) -> None:
    """Retrieval and extractive answer latency p50/p95 over the eval questions, peak RSS."""
    from assistant.wiring import open_assistant
    from evals.bench_query import bench_query
    from evals.harness import load_dataset

    settings = load_settings()
    import evals

    paths = datasets or sorted((Path(evals.__file__).parent / "datasets").glob("*.jsonl"))
    questions = [item.question for p in paths for item in load_dataset(p)]
    if not questions:
        fail("no questions found")
    with open_assistant(settings) as assistant:
        result = bench_query(assistant, questions, rounds=rounds)
    _show("Query benchmark (extractive, in-process)", result.as_dict(), json_out)


@app.command("http")
def bench_http_cmd(
    datasets: list[Path] = typer.Argument(
        None, help="JSONL datasets whose questions to ask; default: evals/datasets/*.jsonl."
    ),
    clients: list[int] = typer.Option([1, 16], "--clients", help="Concurrent clients (repeat)."),
    rounds: int = typer.Option(2, help="Times each question is asked at concurrency > 1."),
    workers: int | None = typer.Option(
        None, "--workers", help="Server processes; default: REGELRETT_SERVER_WORKERS (1)."
    ),
    json_out: Path | None = typer.Option(None, "--json-out", help="Also write the figures here."),
) -> None:
    """The HTTP service under load: latency p50/p95, requests/s, time to the first SSE event,
    beside the in-process answer latency."""
    from evals.bench_http import bench_http
    from evals.harness import load_dataset

    settings = load_settings()
    import evals

    paths = datasets or sorted((Path(evals.__file__).parent / "datasets").glob("*.jsonl"))
    questions = [item.question for p in paths for item in load_dataset(p)]
    if not questions:
        fail("no questions found")
    console.print(
        f"benchmarking HTTP on collection {settings.chroma.collection!r}: {len(questions)} "
        f"questions, clients {', '.join(map(str, clients))} …",
        highlight=False,
    )
    result = bench_http(
        settings,
        questions,
        concurrency=clients,
        rounds=rounds,
        workers=workers or settings.server.workers,
    )
    _show("HTTP benchmark (extractive)", result.as_dict(), json_out)


@app.command("lovdata")
def bench_lovdata_cmd(
    laws: int = typer.Option(100, "--laws", min=1, help="Synthetic laws in the archive."),
    changed: float = typer.Option(
        0.01, "--changed", min=0.0, max=1.0, help="Share of the laws changed for the refresh."
    ),
    json_out: Path | None = typer.Option(None, "--json-out", help="Also write the figures here."),
) -> None:
    """Lovdata bulk ingest: an archive of N synthetic laws in Lovdata's XML format into a
    fresh temporary index (time per 100 laws), then a daily refresh with a share changed."""
    from evals.bench_lovdata import run_bulk_bench

    settings = load_settings()
    console.print(f"benchmarking a Lovdata archive of {laws} laws, {changed:.0%} changed …")
    f = run_bulk_bench(settings, laws, changed, say=lambda line: console.print(line))
    figures: dict[str, float | int] = {
        "laws": f.laws,
        "chunks": f.chunks,
        "first ingest s": f.first_seconds,
        "per 100 laws s": f.per_100_laws,
        "chunks embedded (first)": f.first_embedded,
        "laws changed": f.refresh_changed,
        "refresh s": f.refresh_seconds,
        "chunks embedded (refresh)": f.refresh_embedded,
        "refresh, nothing changed s": f.unchanged_seconds,
    }
    _show("Lovdata bulk benchmark", figures, json_out)
