"""Field mappings: a linked account's provider fields shown as named target fields of its common models.

Revision ID: 0013_field_mappings
Revises: 0010_passthrough_receipts
Create Date: 2026-12-05 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_field_mappings"
down_revision = "0010_passthrough_receipts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "field_mappings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("linked_account_id", sa.Uuid(), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("target_field_name", sa.String(200), nullable=False),
        sa.Column("target_field_description", sa.String(2000), nullable=False),
        sa.Column("remote_field_traversal_path", sa.Text(), nullable=False),
        sa.Column("remote_method", sa.String(16), nullable=False),
        sa.Column("remote_url_path", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("modified_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["linked_accounts.id"],
            name="fk_field_mappings_linked_account_id_linked_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_field_mappings"),
        sa.UniqueConstraint(
            "linked_account_id",
            "model",
            "target_field_name",
            name="uq_field_mappings_linked_account_id_model_target_field_name",
        ),
    )


def downgrade() -> None:
    op.drop_table("field_mappings")
