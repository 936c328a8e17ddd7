"""Credentials, sync states, jobs, issues and link sessions.

Revision ID: 0002_sync_jobs_issues_links
Revises: 0001_tenancy_and_records
Create Date: 2026-11-22 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA, JSONB

revision = "0002_sync_jobs_issues_links"
down_revision = "0001_tenancy_and_records"
branch_labels = None
depends_on = None

_Json = sa.JSON().with_variant(JSONB(), "postgresql")
_Bytes = sa.LargeBinary().with_variant(BYTEA(), "postgresql")


def _account_fk(table: str, primary: bool = False, nullable: bool = False) -> list[sa.SchemaItem]:
    return [
        sa.Column("linked_account_id", sa.Uuid(), primary_key=primary, nullable=nullable),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["linked_accounts.id"],
            name=f"fk_{table}_linked_account_id_linked_accounts",
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "credentials",
        *_account_fk("credentials", primary=True),
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("base_url", sa.String(500), nullable=True),
        sa.Column("secret", _Bytes, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("linked_account_id", name="pk_credentials"),
    )
    op.create_table(
        "sync_states",
        *_account_fk("sync_states"),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("is_initial_sync", sa.Boolean(), nullable=False),
        sa.Column("watermark", sa.Text(), nullable=True),
        sa.Column("last_sync_start", sa.BigInteger(), nullable=True),
        sa.Column("last_sync_finished", sa.BigInteger(), nullable=True),
        sa.Column("last_sync_result", sa.String(32), nullable=True),
        sa.Column("next_sync_start", sa.BigInteger(), nullable=True),
        sa.Column("data_fresh_as_of", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(2000), nullable=True),
        sa.PrimaryKeyConstraint("linked_account_id", "model", name="pk_sync_states"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        *_account_fk("jobs", nullable=True),
        sa.Column("payload", _Json, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.BigInteger(), nullable=False),
        sa.Column("run_after", sa.BigInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(4000), nullable=True),
        sa.Column("dedupe_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("dedupe_key", name="uq_jobs_dedupe_key"),
    )
    op.create_index("ix_jobs_status_run_after", "jobs", ["status", "run_after"])
    op.create_table(
        "issues",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        *_account_fk("issues", nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_description", sa.String(500), nullable=False),
        sa.Column("error_details", _Json, nullable=True),
        sa.Column("is_muted", sa.Boolean(), nullable=False),
        sa.Column("first_incident_time", sa.BigInteger(), nullable=False),
        sa.Column("last_incident_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_issues_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_issues"),
    )
    op.create_index(
        "ix_issues_organization_id_first_incident_time", "issues", ["organization_id", "first_incident_time", "id"]
    )
    op.create_table(
        "link_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("link_token_digest", sa.String(64), nullable=False),
        sa.Column("state", sa.String(64), nullable=True),
        sa.Column("public_token_digest", sa.String(64), nullable=True),
        *_account_fk("link_sessions", nullable=True),
        sa.Column("details", _Json, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_link_sessions_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_link_sessions"),
        sa.UniqueConstraint("link_token_digest", name="uq_link_sessions_link_token_digest"),
        sa.UniqueConstraint("state", name="uq_link_sessions_state"),
        sa.UniqueConstraint("public_token_digest", name="uq_link_sessions_public_token_digest"),
    )


def downgrade() -> None:
    for table in ("link_sessions", "issues", "jobs", "sync_states", "credentials"):
        op.drop_table(table)
