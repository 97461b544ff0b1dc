"""Prometheus metrics, one registry per app (so tests and several apps in one process stay
apart). `GET /metrics` serves them in the text format.

With several server processes (`regelrett serve --workers N`) the workers share one port, so a
scrape reaches whichever worker takes it: `serve` then sets `PROMETHEUS_MULTIPROC_DIR` to a
fresh folder, every worker writes its values there, and each scrape adds up all workers'
(prometheus_client's multiprocess mode)."""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from assistant.records import Answer
from ingest.pipeline import IngestReport

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.request_seconds = Histogram(
            "regelrett_http_request_duration_seconds",
            "HTTP request latency (until the response starts; streams until their end).",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.answers = Counter(
            "regelrett_answers", "Answers given.", ["surface", "mode", "refused"], registry=r
        )
        self.refusals = Counter(
            "regelrett_refusals",
            "Answers that said the sources do not answer.",
            ["surface"],
            registry=r,
        )
        self.feedback = Counter(
            "regelrett_feedback", "Feedback on answers.", ["surface", "rating"], registry=r
        )
        self.escalations = Counter(
            "regelrett_escalations",
            "Answers sent to the legal advisers.",
            ["surface"],
            registry=r,
        )
        self.ingest_documents = Counter(
            "regelrett_ingest_documents",
            "Documents by ingest outcome (added, updated, unchanged, removed, failed, skipped).",
            ["action"],
            registry=r,
        )
        self.ingest_failures = Counter(
            "regelrett_ingest_failures", "Documents that failed to ingest.", registry=r
        )
        self.audit_failures = Counter(
            "regelrett_audit_failures",
            "Audit log writes that did not reach the database.",
            ["what"],
            registry=r,
        )
        self.audit_spooled = Counter(
            "regelrett_audit_spooled",
            "Audit rows kept in the local spool while the database was away.",
            ["what"],
            registry=r,
        )
        self.audit_replayed = Counter(
            "regelrett_audit_replayed",
            "Spooled audit rows written to the database once it was back.",
            registry=r,
        )
        self.audit_lost = Counter(
            "regelrett_audit_lost",
            "Audit rows lost: neither the database nor the spool could take them.",
            ["what"],
            registry=r,
        )
        self.audit_spool_rows = Gauge(
            "regelrett_audit_spool_rows",
            "Audit rows waiting in the spool (all processes sharing the data dir).",
            registry=r,
            multiprocess_mode="livemax",  # every worker sees the same spool
        )

        self.redis_fallbacks = Counter(
            "regelrett_redis_fallbacks",
            "Calls that used this process's own state because Redis did not answer (rate "
            "limits by kind: api-ip, api-key, slack-user, slack-channel; slack-dedupe).",
            ["what"],
            registry=r,
        )

    def answered(self, answer: Answer, surface: str) -> None:
        refused = "true" if answer.refused else "false"
        self.answers.labels(surface, answer.mode, refused).inc()
        if answer.refused:
            self.refusals.labels(surface).inc()

    def ingested(self, report: IngestReport) -> None:
        for outcome in report.outcomes:
            self.ingest_documents.labels(outcome.action).inc()
        if report.failed:
            self.ingest_failures.inc(len(report.failed))

    def audit_failed(self, what: str) -> None:
        self.audit_failures.labels(what).inc()

    def audit_spool(self, event: str, what: str, n: int = 1) -> None:
        """AuditStore's `on_spool`: 'spooled', 'replayed' or 'lost'."""
        if event == "spooled":
            self.audit_spooled.labels(what).inc(n)
        elif event == "replayed":
            self.audit_replayed.inc(n)
        else:
            self.audit_lost.labels(what).inc(n)

    def redis_fallback(self, what: str) -> None:
        self.redis_fallbacks.labels(what).inc()

    def exposition(self) -> bytes:
        folder = multiproc_dir()
        if folder is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=folder)
        return generate_latest(merged)

    def process_exit(self) -> None:
        """This worker is stopping: its live gauges no longer count (multiprocess mode)."""
        if multiproc_dir() is not None:
            multiprocess.mark_process_dead(os.getpid())


def multiproc_dir() -> str | None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return folder if folder and os.path.isdir(folder) else None
