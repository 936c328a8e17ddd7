"""What the operator's list commands show: store rows as JSON-ready dicts, and those dicts as rich tables.

Each ``*_rows`` function returns the objects ``--json`` prints (times as RFC 3339 strings, ids as strings), and the
table is drawn from the same dicts, so what a script reads and what a person sees cannot disagree. The table a
``ledgerport sync --wait`` ends with is here too (:func:`sync_rows`): it reads the run's report and the sync states
the run left.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from rich.table import Table

from ledgerport.kit import clock
from ledgerport.store import Database
from ledgerport.store.jobs import list_jobs
from ledgerport.store.overview import AccountSummary, list_account_summaries, list_organizations
from ledgerport.store.sync_states import SyncState
from ledgerport.sync.tasks import SYNC_RUN, account_next_sync

__all__ = [
    "JOB_STATUSES",
    "Row",
    "account_row",
    "account_rows",
    "age",
    "job_rows",
    "organization_rows",
    "sync_rows",
    "table",
    "when",
]

Row = dict[str, Any]

JOB_STATUSES: Mapping[str, tuple[str, ...]] = {
    "queued": ("queued",),
    "running": ("running",),
    "failed": ("failed",),
    "done": ("done",),
    "all": ("queued", "running", "failed", "done"),
}
"""What ``--status`` accepts, and the job statuses each shows."""


def when(micros: int | None) -> str | None:
    """An epoch-microsecond time as RFC 3339 (UTC, whole seconds kept as they are)."""
    if micros is None:
        return None
    return clock.from_micros(micros).isoformat().replace("+00:00", "Z")


def age(seconds: float) -> str:
    """A duration as a person reads it: ``42s``, ``3m05s``, ``2h14m``, ``3d04h``."""
    whole = max(int(seconds), 0)
    minutes, secs = divmod(whole, 60)
    hours, mins = divmod(minutes, 60)
    days, hrs = divmod(hours, 24)
    if days:
        return f"{days}d{hrs:02d}h"
    if hours:
        return f"{hours}h{mins:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Row]) -> Table:
    """A table of ``rows``: each column is (heading, key); a missing value shows as ``-``."""
    shown = Table(title=title, title_justify="left")
    for heading, _ in columns:
        shown.add_column(heading, overflow="fold")
    for row in rows:
        shown.add_row(*("-" if row.get(key) in (None, "") else str(row[key]) for _, key in columns))
    return shown


async def organization_rows(database: Database) -> list[Row]:
    """Every organization: id, name, created, linked accounts, live API keys."""
    async with database.read() as session:
        found = await list_organizations(session)
    return [
        {
            "id": str(org.id),
            "name": org.name,
            "created_at": when(org.created_at),
            "linked_accounts": org.linked_accounts,
            "api_keys": org.api_keys,
        }
        for org in found
    ]


def account_row(summary: AccountSummary, *, interval_seconds: int, now: int) -> Row:
    """One linked account with when it last finished a sync and when the schedule next starts one."""
    account = summary.account
    upcoming = account_next_sync(summary, interval_seconds=interval_seconds, now=now)
    return {
        "id": str(account.id),
        "organization_id": str(account.organization_id),
        "organization": summary.organization_name,
        "integration": account.integration,
        "integration_name": account.integration_name,
        "end_user_organization_name": account.end_user_organization_name,
        "end_user_email_address": account.end_user_email_address,
        "status": account.status,
        "created_at": when(account.created_at),
        "last_sync_finished": when(summary.last_sync_finished),
        "next_sync_start": when(upcoming),
    }


async def account_rows(database: Database, *, organization_id: uuid.UUID | None, interval_seconds: int) -> list[Row]:
    """Every linked account (one organization's when given), oldest first."""
    async with database.read() as session:
        found = await list_account_summaries(session, sync_kind=SYNC_RUN, organization_id=organization_id)
    now = clock.now_micros()
    return [account_row(summary, interval_seconds=interval_seconds, now=now) for summary in found]


async def job_rows(database: Database, *, statuses: Collection[str], kind: str | None, limit: int) -> list[Row]:
    """The newest ``limit`` jobs in ``statuses`` (of ``kind`` when given), newest first; ``age_seconds`` counts
    from when the job was queued."""
    async with database.read() as session:
        found = await list_jobs(
            session, statuses=statuses, kinds=None if kind is None else [kind], limit=limit, newest_first=True
        )
    now = clock.now_micros()
    return [
        {
            "id": str(job.id),
            "kind": job.kind,
            "status": job.status,
            "linked_account_id": None if job.linked_account_id is None else str(job.linked_account_id),
            "attempts": job.attempts,
            "created_at": when(job.created_at),
            "age_seconds": round((now - job.created_at) / 1_000_000, 3),
            "age": age((now - job.created_at) / 1_000_000),
            "run_after": when(job.run_after),
            "lease_owner": job.lease_owner,
            "lease_expires_at": when(job.lease_expires_at),
            "finished_at": when(job.finished_at),
            "error": job.error,
        }
        for job in found
    ]


def sync_rows(
    fetched: Mapping[str, int], deleted: Mapping[str, int], states: Sequence[SyncState], *, started: int
) -> list[Row]:
    """Per model of the run that began at ``started``: records read and stored, records found removed, and how long
    the model took.

    Models sync one after another, so a model's time runs from the previous model's end (the run's start, for the
    first) to its own ``last_sync_finished``.
    """
    ran = [
        state
        for state in states
        if (state.last_sync_start or 0) >= started and (state.last_sync_finished or 0) >= started
    ]
    ran.sort(key=lambda state: (state.last_sync_finished or 0, state.model))
    rows = []
    previous: int | None = None
    for state in ran:
        start = max(state.last_sync_start or 0, previous or 0)
        finished = state.last_sync_finished or start
        previous = finished
        rows.append(
            {
                "model": state.model,
                "records": fetched.get(state.model, 0),
                "removed": deleted.get(state.model, 0),
                "seconds": round(max(finished - start, 0) / 1_000_000, 3),
                "status": state.status,
            }
        )
    return rows
