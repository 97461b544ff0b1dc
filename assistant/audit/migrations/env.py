"""Alembic environment: run programmatically by assistant.audit.db.migrate, which passes an
open connection in `config.attributes["connection"]`."""

from alembic import context

from assistant.audit.models import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=metadata, version_table="audit_alembic_version"
)
with context.begin_transaction():
    context.run_migrations()
