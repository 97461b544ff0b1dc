"""Log set-up for the service: plain text or one JSON object a line (`REGELRETT_LOG_FORMAT`),
each line with the request id when there is one.

Question text is never put in a log line unless `REGELRETT_LOG_QUESTIONS=true`, and then
masked (the Answer's question already is).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from assistant.observability.context import current_request_id
from assistant.records import Answer
from assistant.settings import LogSettings

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

log = logging.getLogger("regelrett.answers")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id and any `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and value is not None:
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(settings: LogSettings) -> None:
    """Handlers for the `regelrett` loggers (and uvicorn's, so the access log matches)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if settings.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    for name in ("regelrett", "uvicorn", "uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    logging.getLogger("regelrett").setLevel(settings.level.upper())


def log_answer(
    answer: Answer, surface: str, tenant: str, settings: LogSettings, logger: logging.Logger = log
) -> None:
    """One line per answer: ids, outcome and timing; the question only when enabled."""
    extra: dict[str, Any] = {
        "answer_id": answer.id,
        "surface": surface,
        "tenant": tenant,
        "mode": answer.mode,
        "refused": answer.refused,
        "citations": len(answer.citations),
        "confidence": answer.confidence,
        "total_ms": round(answer.timings.get("total", 0.0) * 1000, 1),
    }
    if answer.request_id:
        extra["request_id"] = answer.request_id
    if settings.questions:
        extra["question"] = answer.question
    logger.info(
        "answer %s (%s)", answer.id, "refused" if answer.refused else "answered", extra=extra
    )
