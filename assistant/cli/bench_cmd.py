"""`regelrett bench`: benchmarks that print figures (never pass/fail)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.table import Table

from assistant.cli.common import console, fail, load_settings
from ingest.pipeline import IngestInputError
from ingest.service import DefaultSource, default_sources

if TYPE_CHECKING:
    from evals.bench_soak import SoakReport

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
    compare: bool = typer.Option(
        True,
        "--compare/--no-compare",
        help="Also time dense search as Chroma queries (retrieval.dense_in_memory_max 0), "
        "the way it ran before the vectors were held in memory.",
    ),
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
    runs = {"dense in memory": settings}
    if compare:
        retrieval = settings.retrieval.model_copy(update={"dense_in_memory_max": 0})
        runs["dense in Chroma"] = settings.model_copy(update={"retrieval": retrieval})
    results: dict[str, dict[str, float | int]] = {}
    for name, run_settings in runs.items():
        console.print(f"timing {len(questions)} questions x {rounds}: {name} …")
        with open_assistant(run_settings) as assistant:
            results[name] = bench_query(assistant, questions, rounds=rounds).as_dict()
    table = Table("figure", *results, title="Query benchmark (extractive, in-process)")
    for key in next(iter(results.values())):
        table.add_row(
            key,
            *(
                f"{r[key]:.2f}" if isinstance(r[key], float) else str(r[key])
                for r in results.values()
            ),
        )
    console.print(table)
    console.print("peak RSS is the process's, over both runs when compared.")
    if json_out:
        json_out.write_text(json.dumps(results, indent=2), encoding="utf-8")


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


@app.command("soak")
def bench_soak_cmd(
    datasets: list[Path] = typer.Argument(
        None, help="JSONL datasets whose questions to ask; default: evals/datasets/*.jsonl."
    ),
    users: int = typer.Option(25, "--users", min=1, help="Concurrent simulated users."),
    duration: float = typer.Option(300.0, "--duration", min=1, help="Seconds of load."),
    warmup: float | None = typer.Option(
        None, "--warmup", min=0, help="Seconds before figures count; default 20%, at most 60."
    ),
    think: float = typer.Option(3.0, "--think", min=0, help="Mean think time per user (s)."),
    sample_every: float = typer.Option(
        5.0, "--sample-every", min=0.1, help="Seconds between RSS samples."
    ),
    feedback_rate: float = typer.Option(
        0.3, "--feedback-rate", min=0, max=1, help="Share of answers rated afterwards."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Server processes; default: REGELRETT_SERVER_WORKERS (1)."
    ),
    url: str | None = typer.Option(
        None, "--url", help="A running service to load instead of starting one."
    ),
    api_key: str | None = typer.Option(
        None, "--api-key", help="With --url: an X-API-Key with the scope ask."
    ),
    pid: int | None = typer.Option(
        None, "--pid", help="With --url: the server's process id, to sample its memory."
    ),
    seed: int = typer.Option(7, "--seed", help="Random seed of the users' choices."),
    json_out: Path | None = typer.Option(None, "--json-out", help="Also write the report here."),
    strict: bool = typer.Option(
        False, "--strict", help="Exit 1 on any error or RSS growth of --max-rss-growth or more."
    ),
    max_rss_growth: float = typer.Option(
        10.0, "--max-rss-growth", help="With --strict: the RSS growth (%) that fails."
    ),
) -> None:
    """Many simulated users over HTTP for minutes (ask, stream, sources, feedback, with think
    time): errors by kind, p50/p95/p99 per endpoint, requests/s, and the server's memory
    after the warm-up against the end."""
    from evals.bench_soak import SoakConfig, run_soak, serve_for_soak

    settings = load_settings()
    questions = _questions(datasets)
    config = SoakConfig(
        users=users,
        duration_s=duration,
        warmup_s=warmup,
        think_s=think,
        sample_every_s=sample_every,
        feedback_rate=feedback_rate,
        seed=seed,
    )
    headers = {"X-API-Key": api_key} if api_key else None
    if url is not None:
        console.print(f"soak of {url}: {users} users for {duration:.0f} s …", highlight=False)
        report = run_soak(url.rstrip("/"), questions, config, pid=pid, headers=headers)
    else:
        n = workers or settings.server.workers
        console.print(
            f"starting regelrett serve ({n} worker(s), collection {settings.chroma.collection!r})"
            f"; soak: {users} users for {duration:.0f} s …",
            highlight=False,
        )
        with serve_for_soak(settings, n) as server:
            report = run_soak(server.url, questions, config, pid=server.pid, workers=n)
            if report.errors:  # the log goes with the temporary folder: keep what explains them
                _keep_server_log(server.log_path, json_out)
    _show_soak(report)
    if json_out:
        report.write_json(json_out)
    growth = report.rss_growth_pct()
    if strict and (report.errors or (growth is not None and growth >= max_rss_growth)):
        raise typer.Exit(1)


def _keep_server_log(log_path: Path, json_out: Path | None) -> None:
    """Show the server's errors (and the log's end); beside --json-out, keep the whole log."""
    lines = log_path.read_text("utf-8", errors="replace").splitlines()
    wanted = [i for i, line in enumerate(lines) if "ERROR" in line or "Traceback" in line]
    shown = sorted({j for i in wanted[:20] for j in range(i, min(i + 25, len(lines)))})
    console.print("server log, errors:", style="yellow")
    console.print("\n".join(lines[j] for j in shown) or "(none logged)", markup=False)
    console.print("server log, end:", style="yellow")
    console.print("\n".join(lines[-20:]), markup=False, highlight=False)
    if json_out is not None:
        kept = json_out.with_suffix(".server.log")
        kept.write_text("\n".join(lines) + "\n", encoding="utf-8")
        console.print(f"server log kept in {kept}", highlight=False)


def _questions(datasets: list[Path] | None) -> list[str]:
    import evals
    from evals.harness import load_dataset

    paths = datasets or sorted((Path(evals.__file__).parent / "datasets").glob("*.jsonl"))
    questions = [item.question for p in paths for item in load_dataset(p)]
    if not questions:
        fail("no questions found")
    return questions


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


SHORT = {
    "POST /v1/ask": "ask",
    "POST /v1/ask/stream": "stream",
    "POST /v1/feedback": "feedback",
    "GET /v1/sources": "sources",
    "GET /v1/sources/{id}": "source",
    "GET /v1/sources/{id}/sections/{label}": "section",
}


def _show_soak(report: SoakReport) -> None:
    table = Table(
        "endpoint",
        "requests",
        "errors",
        "p50",
        "p95",
        "p99",
        "req/s",
        "1st event p95",
        title="Soak: per endpoint (ms, requests started after the warm-up)",
        caption="; ".join(f"{short} = {name}" for name, short in SHORT.items()),
        box=box.SIMPLE,
    )
    for row in report.endpoint_rows():
        table.add_row(
            SHORT.get(row["endpoint"], row["endpoint"]),
            str(row["requests"]),
            str(row["errors"]),
            _ms(row["p50_ms"]),
            _ms(row["p95_ms"]),
            _ms(row["p99_ms"]),
            f"{row['requests_per_s']:.2f}",
            _ms(row.get("first_event_p95_ms")),
        )
    console.print(table)
    summary = Table("figure", "value", title="Soak: summary")
    for key, value in report.summary().items():
        shown = "–" if value is None else f"{value:.2f}" if isinstance(value, float) else value
        summary.add_row(key, str(shown))
    console.print(summary)
    for kind, n in sorted(report.errors.items()):
        console.print(f"[red]error[/] {kind}: {n}")
