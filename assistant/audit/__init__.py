"""The audit log (SQLAlchemy; SQLite by default, PostgreSQL with REGELRETT_DATABASE_URL)."""

from assistant.audit.store import SURFACES, AuditStore, AuditUnavailable

__all__ = ["SURFACES", "AuditStore", "AuditUnavailable"]
