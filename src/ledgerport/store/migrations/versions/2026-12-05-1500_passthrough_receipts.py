"""Asynchronous passthrough: one row per receipt, the request it sends and the provider's answer.

Revision ID: 0010_passthrough_receipts
Revises: 0009_audit_events
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA

revision = "0010_passthrough_receipts"
down_revision = "0009_audit_events"
branch_labels = None
depends_on = None

_Bytes = sa.LargeBinary().with_variant(BYTEA(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "passthrough_receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("linked_account_id", sa.Uuid(), nullable=False),
        sa.Column("request", _Bytes, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_code", sa.BigInteger(), nullable=True),
        sa.Column("response", _Bytes, nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["linked_accounts.id"],
            name="fk_passthrough_receipts_linked_account_id_linked_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_passthrough_receipts"),
    )
    op.create_index("ix_passthrough_receipts_created_at", "passthrough_receipts", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_passthrough_receipts_created_at", table_name="passthrough_receipts")
    op.drop_table("passthrough_receipts")
