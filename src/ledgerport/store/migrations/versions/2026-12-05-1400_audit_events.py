"""Audit events: Merge's audit trail (API keys, linked accounts and webhook endpoints made, changed or removed).

Revision ID: 0009_audit_events
Revises: 0008_sync_runs
Create Date: 2026-12-05 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_audit_events"
down_revision = "0008_sync_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=True),
        sa.Column("user_email", sa.String(320), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("ip_address", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("event_description", sa.String(2000), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_audit_events_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index(
        "ix_audit_events_organization_id_created_at_id", "audit_events", ["organization_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_organization_id_created_at_id", table_name="audit_events")
    op.drop_table("audit_events")
