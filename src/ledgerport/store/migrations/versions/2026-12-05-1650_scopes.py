"""Scopes and selective sync: one row per linked account whose scopes or sync conditions differ from the defaults.

Revision ID: 0015_scopes
Revises: 0014_nested_objects
Create Date: 2026-12-05 16:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0015_scopes"
down_revision = "0014_nested_objects"
branch_labels = None
depends_on = None

_Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "linked_account_scopes",
        sa.Column("linked_account_id", sa.Uuid(), nullable=False),
        sa.Column("models", _Json, nullable=False),
        sa.Column("conditions", _Json, nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["linked_accounts.id"],
            name="fk_linked_account_scopes_linked_account_id_linked_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("linked_account_id", name="pk_linked_account_scopes"),
    )


def downgrade() -> None:
    op.drop_table("linked_account_scopes")
