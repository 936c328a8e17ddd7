"""The history of sync runs: one row per run of a sync job, written when the run ends.

Sync-status says where each model stands now; this says what each run did, so an operator can see when syncs
ran, how long they took, how many records each model brought, and why a run failed. Each account keeps its newest
:data:`KEPT` runs: the history is for looking back a few days, not an audit log.
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import and_, delete, select

from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import linked_accounts, sync_runs

__all__ = ["KEPT", "SyncRun", "list_sync_runs", "record_sync_run"]

KEPT = 200
"""Runs kept per linked account; older ones are dropped as new ones are written."""


class SyncRun(msgspec.Struct, frozen=True, kw_only=True):
    """One run; times are epoch microseconds, ``fetched``/``deleted`` count records per common model."""

    id: uuid.UUID
    linked_account_id: uuid.UUID
    job_id: uuid.UUID | None
    started_at: int
    finished_at: int
    result: str
    fetched: dict[str, int]
    deleted: dict[str, int]
    requests: int
    reason: str | None


_COLUMNS = [sync_runs.c[name] for name in SyncRun.__struct_fields__]


async def record_sync_run(session: WriteSession, run: SyncRun) -> None:
    """Keep a run, and forget the account's runs older than its newest :data:`KEPT`."""
    await session.execute(sync_runs.insert().values(**msgspec.structs.asdict(run)))
    c = sync_runs.c
    oldest_kept = (
        select(c.started_at)
        .where(c.linked_account_id == run.linked_account_id)
        .order_by(c.started_at.desc())
        .offset(KEPT - 1)
        .limit(1)
        .scalar_subquery()
    )
    await session.execute(
        delete(sync_runs).where(c.linked_account_id == run.linked_account_id, c.started_at < oldest_kept)
    )


async def list_sync_runs(
    session: ReadSession, *, organization_id: uuid.UUID, linked_account_id: uuid.UUID, limit: int = 50
) -> list[SyncRun]:
    """The account's runs, newest first; nothing when the account is not the organization's."""
    c = sync_runs.c
    statement = (
        select(*_COLUMNS)
        .join(linked_accounts, linked_accounts.c.id == c.linked_account_id)
        .where(and_(c.linked_account_id == linked_account_id, linked_accounts.c.organization_id == organization_id))
        .order_by(c.started_at.desc(), c.id)
        .limit(limit)
    )
    return [
        SyncRun(**{**row, "fetched": dict(row["fetched"]), "deleted": dict(row["deleted"])})
        for row in (await session.execute(statement)).mappings()
    ]
