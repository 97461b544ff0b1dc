"""Review by legal advisers: verdicts and corrections, and verified answers.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_reviews",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("correction", sa.Text),
    )
    op.create_index("ix_audit_reviews_answer_id", "audit_reviews", ["answer_id"])
    op.create_table(
        "verified_answers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("normalised", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("source_ids", sa.JSON, nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("withdrawn_reason", sa.Text),
    )
    op.create_index("ix_verified_answers_status", "verified_answers", ["status", "tenant"])


def downgrade() -> None:
    op.drop_table("verified_answers")
    op.drop_table("audit_reviews")
