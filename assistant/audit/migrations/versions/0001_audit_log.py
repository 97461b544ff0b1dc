"""The audit log: answers, feedback, escalations.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_answers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("surface", sa.String(20), nullable=False),
        sa.Column("key_id", sa.String(100)),
        sa.Column("request_id", sa.String(128)),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("model", sa.String(200)),
        sa.Column("config_hash", sa.String(64), nullable=False),
        sa.Column("refused", sa.Boolean, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("as_of", sa.String(10)),
        sa.Column("timings", sa.JSON, nullable=False),
    )
    op.create_index("audit_answers_tenant_created", "audit_answers", ["tenant", "created"])
    op.create_index("audit_answers_created", "audit_answers", ["created"])
    op.create_table(
        "audit_feedback",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("rating", sa.String(10), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("key_id", sa.String(100)),
    )
    op.create_index("ix_audit_feedback_answer_id", "audit_feedback", ["answer_id"])
    op.create_index("ix_audit_feedback_created", "audit_feedback", ["created"])
    op.create_table(
        "audit_escalations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("surface", sa.String(20), nullable=False),
        sa.Column("by", sa.String(100)),
        sa.Column("channel", sa.String(100)),
    )
    op.create_index("ix_audit_escalations_answer_id", "audit_escalations", ["answer_id"])
    op.create_index("ix_audit_escalations_created", "audit_escalations", ["created"])


def downgrade() -> None:
    op.drop_table("audit_escalations")
    op.drop_table("audit_feedback")
    op.drop_table("audit_answers")
