"""Asynchronous writes: one row per task, the request it runs and its answer.

Revision ID: 0005_write_tasks
Revises: 0004_write_operations
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA

revision = "0005_write_tasks"
down_revision = "0004_write_operations"
branch_labels = None
depends_on = None

_Bytes = sa.LargeBinary().with_variant(BYTEA(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "write_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("linked_account_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("request", _Bytes, nullable=False),
        sa.Column("debug", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_code", sa.BigInteger(), nullable=True),
        sa.Column("response", _Bytes, nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["linked_accounts.id"],
            name="fk_write_tasks_linked_account_id_linked_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_write_tasks"),
        sa.UniqueConstraint(
            "linked_account_id", "idempotency_key", name="uq_write_tasks_linked_account_id_idempotency_key"
        ),
    )
    op.create_index("ix_write_tasks_created_at", "write_tasks", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_write_tasks_created_at", table_name="write_tasks")
    op.drop_table("write_tasks")
