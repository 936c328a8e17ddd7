"""Sync runs: what each run of a sync job did (when, how long, records per model, how it ended).

Revision ID: 0008_sync_runs
Revises: 0007_webhooks
Create Date: 2026-12-10 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008_sync_runs"
down_revision = "0007_webhooks"
branch_labels = None
depends_on = None

_Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("linked_account_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("fetched", _Json, nullable=False),
        sa.Column("deleted", _Json, nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["linked_accounts.id"],
            name="fk_sync_runs_linked_account_id_linked_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sync_runs"),
    )
    op.create_index("ix_sync_runs_linked_account_id_started_at", "sync_runs", ["linked_account_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_sync_runs_linked_account_id_started_at", table_name="sync_runs")
    op.drop_table("sync_runs")
