"""The soak machinery, briefly: a real `regelrett serve` on the tiny API corpus, a few simulated
users for seconds through `regelrett bench soak --url`, every kind of request made, no errors,
and the memory samples and report present. Timings are not asserted (figures, not tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from evals.bench_soak import ASK, FEEDBACK, STREAM, SoakConfig, run_soak, serve_for_soak
from tests.api_support import build

QUESTIONS = [
    {"id": "s-1", "question": "Hvem fastsetter opningstidene for hundeparken?"},
    {"id": "s-2", "question": "Hva sier hundeparklova § 3-5?"},
    {"id": "s-3", "question": "Hvordan behandler vi et innsynskrav i en hundeparksak?"},
    {"id": "s-4", "question": "Hvor mange måner har Jupiter?"},
]

pytestmark = pytest.mark.slow


def test_soak_runs_users_against_a_served_corpus(tmp_path: Path) -> None:
    settings = build(tmp_path)
    dataset = tmp_path / "questions.jsonl"
    dataset.write_text(
        "".join(
            json.dumps({**q, "lang": "nb", "answerable": True, "gold": [], "kind": "lookup"}) + "\n"
            for q in QUESTIONS
        ),
        encoding="utf-8",
    )
    report_path = tmp_path / "soak.json"
    with serve_for_soak(settings) as server:
        # the CLI against the running server: table, JSON, --strict passes without errors
        result = CliRunner().invoke(
            app,
            [
                "bench", "soak", str(dataset), "--url", server.url, "--pid", str(server.pid),
                "--users", "4", "--duration", "7", "--warmup", "2", "--think", "0.15",
                "--sample-every", "1", "--feedback-rate", "0.5", "--json-out",
                str(report_path), "--strict", "--max-rss-growth", "1000",
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Soak: per endpoint" in result.output and "RSS growth" in result.output

        # the machinery itself, so the report can be inspected
        config = SoakConfig(
            users=3, duration_s=4, warmup_s=1, think_s=0.1, sample_every_s=0.5, seed=3
        )
        report = run_soak(
            server.url, [q["question"] for q in QUESTIONS], config, pid=server.pid, workers=1
        )

    assert not report.errors, report.errors
    served = {row["endpoint"]: row for row in report.endpoint_rows()}
    assert {ASK, STREAM} <= set(served)
    assert all(row["errors"] == 0 for row in served.values())
    assert served[STREAM]["first_event_p95_ms"] is not None
    assert len(report.samples) >= 3
    assert all(s.rss_bytes > 0 and s.processes >= 1 for s in report.samples)
    assert report.rss_after_warmup() and report.rss_end()
    assert report.rss_growth_pct() is not None

    saved = json.loads(report_path.read_text(encoding="utf-8"))
    assert saved["summary"]["errors"] == 0 and saved["errors"] == {}
    assert saved["summary"]["RSS after warm-up MB"] > 0
    assert saved["summary"]["RSS growth after warm-up %"] is not None
    assert len(saved["rss_samples"]) >= 3
    endpoints = {row["endpoint"] for row in saved["endpoints"]}
    assert {ASK, STREAM, FEEDBACK} <= endpoints
    assert any(e.startswith("GET /v1/sources") for e in endpoints)
