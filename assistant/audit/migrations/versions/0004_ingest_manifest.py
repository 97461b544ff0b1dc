"""The ingest manifest in the shared database, so that any process can ingest, skip what is
unchanged, prune and remove sources that another process ingested.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_manifest",
        sa.Column("collection", sa.String(200), primary_key=True),
        sa.Column("tenant", sa.String(100), primary_key=True),
        sa.Column("source_id", sa.String(1000), primary_key=True),
        sa.Column("root", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("params_hash", sa.String(64)),
        sa.Column("chunk_ids", sa.Text, nullable=False, server_default="[]"),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("doc_type", sa.String(40)),
        sa.Column("doc_status", sa.String(40)),
        sa.Column("language", sa.String(8)),
        sa.Column("labels", sa.Text, nullable=False, server_default="[]"),
        sa.Column("meta", sa.Text, nullable=False, server_default="{}"),
        sa.Column("first_ingested", sa.String(40)),
        sa.Column("last_ingested", sa.String(40)),
        sa.Column("last_attempt", sa.String(40)),
    )
    op.create_index("ix_ingest_manifest_root", "ingest_manifest", ["collection", "root"])


def downgrade() -> None:
    op.drop_table("ingest_manifest")
