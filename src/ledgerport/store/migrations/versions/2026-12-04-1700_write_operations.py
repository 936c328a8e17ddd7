"""Write operations (idempotency and exactly-once writes) and their debug logs.

Revision ID: 0004_write_operations
Revises: 0003_job_takeovers
Create Date: 2026-12-04 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA

revision = "0004_write_operations"
down_revision = "0003_job_takeovers"
branch_labels = None
depends_on = None

_Bytes = sa.LargeBinary().with_variant(BYTEA(), "postgresql")


def _account_fk(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("linked_account_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["linked_accounts.id"],
            name=f"fk_{table}_linked_account_id_linked_accounts",
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "write_operations",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_account_fk("write_operations"),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("lease_expires_at", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.BigInteger(), nullable=False),
        sa.Column("status_code", sa.BigInteger(), nullable=True),
        sa.Column("response", _Bytes, nullable=True),
        sa.Column("remote_id", sa.String(255), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_write_operations"),
        sa.UniqueConstraint(
            "linked_account_id", "idempotency_key", name="uq_write_operations_linked_account_id_idempotency_key"
        ),
    )
    op.create_index("ix_write_operations_created_at", "write_operations", ["created_at"])
    op.create_table(
        "write_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_account_fk("write_logs"),
        sa.Column("operation_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("status_code", sa.BigInteger(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("request", _Bytes, nullable=True),
        sa.Column("response", _Bytes, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_write_logs"),
    )
    op.create_index("ix_write_logs_created_at", "write_logs", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_write_logs_created_at", table_name="write_logs")
    op.drop_table("write_logs")
    op.drop_index("ix_write_operations_created_at", table_name="write_operations")
    op.drop_table("write_operations")
