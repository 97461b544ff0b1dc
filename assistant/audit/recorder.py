"""The one seam every surface calls after `answer()`, feedback and escalation: the audit log,
the metrics and the answer log line, in one place. Nothing here fails the caller: a broken
audit database is counted and logged by AuditStore, and its rows wait in the spool, never
raised."""

from __future__ import annotations

import logging

from assistant.audit.review import ReviewStore
from assistant.audit.store import AuditStore
from assistant.observability.context import current_request_id
from assistant.observability.logs import log_answer
from assistant.observability.metrics import Metrics
from assistant.records import Answer
from assistant.settings import Settings
from ingest.pipeline import IngestReport

log = logging.getLogger("regelrett.audit")


class Recorder:
    def __init__(
        self, settings: Settings, audit: AuditStore | None, metrics: Metrics | None = None
    ) -> None:
        self.settings = settings
        self.audit = audit
        self.metrics = metrics
        self.review = ReviewStore(audit) if audit is not None else None

    @classmethod
    def for_settings(cls, settings: Settings, metrics: Metrics | None = None) -> Recorder:
        """With an AuditStore from settings (none when `audit.enabled` is off)."""
        if not settings.audit.enabled:
            return cls(settings, None, metrics)
        if metrics is None:
            return cls(settings, AuditStore.from_settings(settings), None)
        audit = AuditStore.from_settings(settings, metrics.audit_failed, metrics.audit_spool)
        metrics.audit_spool_rows.set_function(audit.spool_pending)
        return cls(settings, audit, metrics)

    def answered(
        self, answer: Answer, *, surface: str, tenant: str = "", key_id: str | None = None
    ) -> None:
        if answer.request_id is None:
            answer.request_id = current_request_id()
        if self.review is not None and answer.verified is None:
            # a reviewed answer to the same or a near-identical question is shown first
            answer.verified = self.review.find(answer.question, tenant)
        if self.metrics is not None:
            self.metrics.answered(answer, surface)
        log_answer(answer, surface, tenant, self.settings.log)
        if self.audit is not None:
            self.audit.record_answer(answer, surface=surface, tenant=tenant, key_id=key_id)

    def feedback(
        self,
        answer_id: str,
        rating: str,
        comment: str | None,
        *,
        surface: str,
        tenant: str = "",
        key_id: str | None = None,
    ) -> None:
        if self.metrics is not None:
            self.metrics.feedback.labels(surface, rating).inc()
        if self.audit is not None:
            self.audit.record_feedback(answer_id, rating, comment, tenant=tenant, key_id=key_id)

    def escalated(
        self,
        answer_id: str,
        *,
        surface: str,
        tenant: str = "",
        by: str | None = None,
        channel: str | None = None,
    ) -> None:
        if self.metrics is not None:
            self.metrics.escalations.labels(surface).inc()
        if self.audit is not None:
            self.audit.record_escalation(
                answer_id, surface=surface, tenant=tenant, by=by, channel=channel
            )

    def sources_changed(self, report: IngestReport) -> None:
        """The after-ingest hook of the API (see `withdraw_changed`)."""
        self.withdraw_changed(report)

    def withdraw_changed(self, report: IngestReport) -> int:
        """After a (re-)ingest: withdraw the verified answers citing a changed source; they wait
        on the review page for a new review. Returns how many."""
        changed = {o.source_id for o in report.outcomes if o.action in {"updated", "removed"}}
        if self.review is None or not changed:
            return 0
        try:
            count = self.review.withdraw_sources(changed, "kilden er endret ved ny innlesing")
        except Exception as exc:  # the ingest itself succeeded; say so loudly, do not fail it
            log.warning("review: could not withdraw verified answers: %s", exc)
            return 0
        if count:
            log.info("review: %d verified answers withdrawn for re-review", count)
        return count

    @property
    def degraded(self) -> str | None:
        """Why the audit trail is not complete in the database right now, or None: the
        database is away, and/or rows wait in the spool to be written."""
        if self.audit is None:
            return None
        reason, waiting = self.audit.degraded, self.audit.spool_pending()
        if waiting:
            kept = f"{waiting} rows kept in the local spool"
            return f"{reason}; {kept} until it is back" if reason else f"{kept}, being written"
        return reason

    def close(self) -> None:
        if self.audit is not None:
            self.audit.close()
