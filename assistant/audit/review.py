"""Review by legal advisers: the queue (negative feedback and escalations first), verdicts and
corrections, verified answers, and their withdrawal when a source they cite changes.

A verified answer is offered for the same question, or a near-identical one: the same words
after masking, lower-casing and dropping punctuation, or token sets that overlap by at least
`NEAR` (Jaccard). This happens at the surface seam (assistant.audit.recorder), so the core
`answer()` stays unaware of reviews.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from assistant.audit.models import answers, reviews, verified_answers
from assistant.audit.store import AuditStore, AuditUnavailable, _by_answer, _iso, _reason, now
from assistant.records import Citation, VerifiedAnswer

NEAR = 0.85
VERDICTS = ("correct", "incorrect")
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise(question: str) -> str:
    return " ".join(_WORD.findall(question.lower()))


def similar(a: str, b: str) -> bool:
    """Normalised questions that are equal, or whose word sets overlap by NEAR or more."""
    if a == b:
        return True
    ta, tb = set(a.split()), set(b.split())
    if len(ta) < 3 or len(tb) < 3:
        return False
    return len(ta & tb) / len(ta | tb) >= NEAR


@dataclass
class QueueItem:
    row: dict[str, Any]
    feedback: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)

    @property
    def negative(self) -> int:
        return sum(1 for f in self.feedback if f["rating"] == "down")

    @property
    def urgent(self) -> bool:
        return bool(self.negative or self.escalations)


class ReviewStore:
    def __init__(self, audit: AuditStore) -> None:
        self.audit = audit

    def _run(self, work: Any) -> Any:
        try:
            with self.audit._begin() as conn:
                return work(conn)
        except SQLAlchemyError as exc:
            raise AuditUnavailable(_reason(exc)) from exc

    # -- the queue ----------------------------------------------------------------------------

    def queue(
        self,
        *,
        tenant: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
    ) -> list[QueueItem]:
        """Answers with negative feedback or an escalation first, then the rest; newest first."""
        query = select(answers).order_by(answers.c.created.desc()).limit(limit)
        if tenant is not None:
            query = query.where(answers.c.tenant == tenant)
        if since is not None:
            query = query.where(answers.c.created >= since)
        if until is not None:
            query = query.where(answers.c.created < until)

        def work(conn: Any) -> list[QueueItem]:
            rows = [dict(r._mapping) for r in conn.execute(query)]
            ids = [r["id"] for r in rows]
            fb = _by_answer(conn, answers.metadata.tables["audit_feedback"], ids)
            esc = _by_answer(conn, answers.metadata.tables["audit_escalations"], ids)
            rev = _by_answer(conn, reviews, ids)
            return [
                QueueItem(r, fb.get(r["id"], []), esc.get(r["id"], []), rev.get(r["id"], []))
                for r in rows
            ]

        items: list[QueueItem] = self._run(work)
        for item in items:
            item.row["created"] = _iso(item.row["created"])
        items.sort(key=lambda i: not i.urgent)  # stable: newest first within each group
        return items

    def item(self, answer_id: str) -> QueueItem | None:
        """One answer with its feedback, escalations and reviews."""
        fb_table = answers.metadata.tables["audit_feedback"]
        esc_table = answers.metadata.tables["audit_escalations"]

        def work(conn: Any) -> QueueItem | None:
            found = conn.execute(select(answers).where(answers.c.id == answer_id)).first()
            if found is None:
                return None
            ids = [answer_id]
            item = QueueItem(
                dict(found._mapping),
                _by_answer(conn, fb_table, ids).get(answer_id, []),
                _by_answer(conn, esc_table, ids).get(answer_id, []),
                _by_answer(conn, reviews, ids).get(answer_id, []),
            )
            item.row["created"] = _iso(item.row["created"])
            return item

        result: QueueItem | None = self._run(work)
        return result

    # -- verdicts and verified answers --------------------------------------------------------

    def review(
        self, answer_id: str, reviewer: str, verdict: str, correction: str | None = None
    ) -> str:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
        row = {
            "id": uuid.uuid4().hex,
            "answer_id": answer_id,
            "created": now(),
            "reviewer": reviewer,
            "verdict": verdict,
            "correction": self.audit.mask(correction.strip()) if correction else None,
        }
        self._run(lambda conn: conn.execute(reviews.insert().values(**row)))
        return str(row["id"])

    def promote(self, answer_id: str, reviewer: str, text: str | None = None) -> str | None:
        """Make a reviewed answer (or its correction, `text`) the verified answer for its
        question. None when the answer is not in the audit log."""
        item = self.item(answer_id)
        if item is None:
            return None
        row = item.row
        citations = row["citations"] or []
        verified = {
            "id": uuid.uuid4().hex,
            "answer_id": answer_id,
            "created": now(),
            "tenant": row["tenant"],
            "question": row["question"],
            "normalised": normalise(row["question"]),
            "answer": self.audit.mask(text.strip()) if text and text.strip() else row["answer"],
            "citations": citations,
            "source_ids": sorted({c["source_id"] for c in citations if c.get("source_id")}),
            "reviewer": reviewer,
            "status": "active",
            "withdrawn_reason": None,
        }

        def work(conn: Any) -> None:
            # one active verified answer per question and tenant: the newest replaces the rest
            conn.execute(
                update(verified_answers)
                .where(verified_answers.c.status == "active")
                .where(verified_answers.c.tenant == row["tenant"])
                .where(verified_answers.c.normalised == verified["normalised"])
                .values(status="replaced")
            )
            conn.execute(verified_answers.insert().values(**verified))

        self._run(work)
        return str(verified["id"])

    def verified(
        self, status: str | None = None, tenant: str | None = None
    ) -> list[dict[str, Any]]:
        """Verified answers, newest first; `tenant` keeps one tenant's only (None: all)."""
        query = select(verified_answers).order_by(verified_answers.c.created.desc())
        if tenant is not None:
            query = query.where(verified_answers.c.tenant == tenant)
        if status is not None:
            query = query.where(verified_answers.c.status == status)
        rows: list[dict[str, Any]] = self._run(
            lambda conn: [dict(r._mapping) for r in conn.execute(query)]
        )
        for r in rows:
            r["created"] = _iso(r["created"])
        return rows

    def find(self, question: str, tenant: str = "") -> VerifiedAnswer | None:
        """The active verified answer for this (masked) question, from the tenant or the
        national layer; None when there is none or the database is away."""
        if self.audit.paused:  # it failed a moment ago: do not hold the answer up for it
            return None
        wanted = normalise(question)
        query = (
            select(verified_answers)
            .where(verified_answers.c.status == "active")
            .where(or_(verified_answers.c.tenant == tenant, verified_answers.c.tenant == ""))
            .order_by(verified_answers.c.created.desc())
        )
        try:
            rows = self._run(lambda conn: [dict(r._mapping) for r in conn.execute(query)])
        except AuditUnavailable:
            return None
        for r in rows:
            if similar(wanted, r["normalised"]):
                return VerifiedAnswer(
                    id=r["id"],
                    question=r["question"],
                    answer=r["answer"],
                    citations=[Citation.model_validate(c) for c in r["citations"]],
                    reviewer=r["reviewer"],
                    reviewed=_iso(r["created"])[:10],
                )
        return None

    def withdraw_sources(self, source_ids: set[str], reason: str) -> int:
        """Withdraw every active verified answer citing one of these sources (changed by a
        re-ingest): it is no longer shown and waits on the review page for a new review."""
        if not source_ids:
            return 0

        def work(conn: Any) -> int:
            active = conn.execute(
                select(verified_answers.c.id, verified_answers.c.source_ids).where(
                    verified_answers.c.status == "active"
                )
            )
            hit = [r.id for r in active if set(r.source_ids or []) & source_ids]
            if hit:
                conn.execute(
                    update(verified_answers)
                    .where(verified_answers.c.id.in_(hit))
                    .values(status="withdrawn", withdrawn_reason=reason[:500])
                )
            return len(hit)

        count: int = self._run(work)
        return count
