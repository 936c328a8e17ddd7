"""Bulk write batches and their items.

Revision ID: 0006_bulk_batches
Revises: 0005_write_tasks
Create Date: 2026-12-04 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA

revision = "0006_bulk_batches"
down_revision = "0005_write_tasks"
branch_labels = None
depends_on = None

_Bytes = sa.LargeBinary().with_variant(BYTEA(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "bulk_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("linked_account_id", sa.Uuid(), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total_count", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["linked_accounts.id"],
            name="fk_bulk_batches_linked_account_id_linked_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_bulk_batches"),
        sa.UniqueConstraint(
            "linked_account_id", "idempotency_key", name="uq_bulk_batches_linked_account_id_idempotency_key"
        ),
    )
    op.create_index("ix_bulk_batches_created_at", "bulk_batches", ["created_at"])
    op.create_table(
        "bulk_items",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.String(255), nullable=False),
        sa.Column("chunk", sa.BigInteger(), nullable=True),
        sa.Column("target", sa.BigInteger(), nullable=True),
        sa.Column("payload", _Bytes, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["bulk_batches.id"], name="fk_bulk_items_batch_id_bulk_batches", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("batch_id", "position", name="pk_bulk_items"),
    )


def downgrade() -> None:
    op.drop_table("bulk_items")
    op.drop_index("ix_bulk_batches_created_at", table_name="bulk_batches")
    op.drop_table("bulk_batches")
