"""State that several server processes share: API keys and the Slack bot's memory (events
seen, answers posted), so any process on any machine can check a key or handle a button.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hint", sa.String(16), nullable=False),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("origins", sa.Text, nullable=False, server_default=""),
        sa.Column("created", sa.String(40), nullable=False),
        sa.Column("revoked", sa.String(40)),
        sa.Column("tenant", sa.String(100), nullable=False, server_default=""),
    )
    op.create_index("ix_api_keys_name", "api_keys", ["name"])
    op.create_table(
        "slack_seen",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_slack_seen_at", "slack_seen", ["at"])
    op.create_table(
        "slack_answers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("escalated_by", sa.String(100)),
    )
    op.create_index("ix_slack_answers_at", "slack_answers", ["at"])


def downgrade() -> None:
    op.drop_table("slack_answers")
    op.drop_table("slack_seen")
    op.drop_table("api_keys")
