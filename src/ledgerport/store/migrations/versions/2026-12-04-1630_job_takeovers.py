"""Jobs count takeovers (claims of an expired lease) apart from attempts.

A worker that was killed no longer spends an attempt meant for the job's own errors; a separate cap on takeovers
stops a job that keeps killing its workers. Running jobs keep their attempts; they start with no takeovers.

Revision ID: 0003_job_takeovers
Revises: 0002_sync_jobs_issues_links
Create Date: 2026-12-04 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_job_takeovers"
down_revision = "0002_sync_jobs_issues_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("takeovers", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("takeovers")
