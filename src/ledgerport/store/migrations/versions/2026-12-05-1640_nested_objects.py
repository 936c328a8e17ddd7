"""Nested objects served by id: where each address and phone number of a contact or company is.

Merge serves addresses and phone numbers on their own (``GET /addresses/{id}``, ``GET /phone-numbers/{id}``)
while they live inside contact and company documents; this index finds the record and the position of one.

Revision ID: 0014_nested_objects
Revises: 0013_field_mappings
Create Date: 2026-12-05 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_nested_objects"
down_revision = "0013_field_mappings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nested_objects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("linked_account_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["linked_accounts.id"],
            name="fk_nested_objects_linked_account_id_linked_accounts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name="fk_nested_objects_record_id_records", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_nested_objects"),
    )
    op.create_index("ix_nested_objects_record_id", "nested_objects", ["record_id"])


def downgrade() -> None:
    op.drop_index("ix_nested_objects_record_id", table_name="nested_objects")
    op.drop_table("nested_objects")
