"""Read-only summaries for people looking after an organization (the dashboard): its accounts at a glance, and
what each account's writes did at the provider.

Every query here takes the organization and joins the linked account to it, so a summary can never show another
tenant's rows, whatever account id a caller passes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import and_, func, select

from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.engine import ReadSession
from ledgerport.store.tables import (
    issues,
    jobs,
    linked_accounts,
    sync_states,
    write_logs,
    write_operations,
    write_tasks,
)

__all__ = [
    "AccountSummary",
    "ProviderCall",
    "WriteOperationSummary",
    "WriteTaskSummary",
    "list_provider_calls",
    "list_write_operations",
    "list_write_tasks",
    "summarize_accounts",
]

_LIVE_JOB = ("queued", "running")


class AccountSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A linked account with where its syncs stand."""

    account: LinkedAccount
    last_sync_finished: int | None
    """The latest moment any model's sync finished."""
    open_issues: int
    sync_waiting: bool
    """A sync job is queued or running for the account."""


async def summarize_accounts(
    session: ReadSession, *, organization_id: uuid.UUID, sync_kinds: Sequence[str], limit: int = 500
) -> list[AccountSummary]:
    """The organization's linked accounts, newest first, each with its sync times and open issues."""
    la, st, iss, jb = linked_accounts.c, sync_states.c, issues.c, jobs.c
    last = select(func.max(st.last_sync_finished)).where(st.linked_account_id == la.id).scalar_subquery()
    open_issues = (
        select(func.count())
        .select_from(issues)
        .where(iss.linked_account_id == la.id, iss.status == "ONGOING", iss.is_muted.is_(False))
        .scalar_subquery()
    )
    waiting = (
        select(func.count())
        .select_from(jobs)
        .where(jb.linked_account_id == la.id, jb.kind.in_(list(sync_kinds)), jb.status.in_(_LIVE_JOB))
        .scalar_subquery()
    )
    fields = LinkedAccount.__struct_fields__
    statement = (
        select(
            *(la[name] for name in fields),
            last.label("last_sync_finished"),
            open_issues.label("open_issues"),
            waiting.label("sync_waiting"),
        )
        .where(la.organization_id == organization_id)
        .order_by(la.created_at.desc(), la.id)
        .limit(limit)
    )
    return [
        AccountSummary(
            account=LinkedAccount(**{name: row[name] for name in fields}),
            last_sync_finished=row["last_sync_finished"],
            open_issues=int(row["open_issues"] or 0),
            sync_waiting=bool(row["sync_waiting"]),
        )
        for row in (await session.execute(statement)).mappings()
    ]


def _owned(account_column: object, organization_id: uuid.UUID, account_id: uuid.UUID) -> object:
    return and_(
        account_column == account_id,
        linked_accounts.c.id == account_column,
        linked_accounts.c.organization_id == organization_id,
    )


class ProviderCall(msgspec.Struct, frozen=True, kw_only=True):
    """One provider call a write made in debug mode (bodies left out: they hold the tenant's data)."""

    id: uuid.UUID
    operation_id: uuid.UUID | None
    created_at: int
    method: str
    url: str
    status_code: int | None
    duration_ms: int


async def list_provider_calls(
    session: ReadSession, *, organization_id: uuid.UUID, linked_account_id: uuid.UUID, limit: int = 50
) -> list[ProviderCall]:
    """The account's logged provider calls, newest first."""
    c = write_logs.c
    statement = (
        select(*(c[name] for name in ProviderCall.__struct_fields__))
        .where(_owned(c.linked_account_id, organization_id, linked_account_id))  # type: ignore[arg-type]
        .order_by(c.created_at.desc(), c.id)
        .limit(limit)
    )
    return [ProviderCall(**row) for row in (await session.execute(statement)).mappings()]


class WriteOperationSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One create or update sent to the provider, and how it ended."""

    id: uuid.UUID
    model: str
    kind: str
    state: str
    attempts: int
    status_code: int | None
    remote_id: str | None
    created_at: int
    finished_at: int | None


async def list_write_operations(
    session: ReadSession, *, organization_id: uuid.UUID, linked_account_id: uuid.UUID, limit: int = 50
) -> list[WriteOperationSummary]:
    """The account's write operations, newest first."""
    c = write_operations.c
    statement = (
        select(*(c[name] for name in WriteOperationSummary.__struct_fields__))
        .where(_owned(c.linked_account_id, organization_id, linked_account_id))  # type: ignore[arg-type]
        .order_by(c.created_at.desc(), c.id)
        .limit(limit)
    )
    return [WriteOperationSummary(**row) for row in (await session.execute(statement)).mappings()]


class WriteTaskSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One asynchronous write, without its request body."""

    id: uuid.UUID
    model: str
    kind: str
    status: str
    status_code: int | None
    created_at: int
    started_at: int | None
    finished_at: int | None


async def list_write_tasks(
    session: ReadSession, *, organization_id: uuid.UUID, linked_account_id: uuid.UUID, limit: int = 50
) -> list[WriteTaskSummary]:
    """The account's asynchronous writes, newest first."""
    c = write_tasks.c
    statement = (
        select(*(c[name] for name in WriteTaskSummary.__struct_fields__))
        .where(_owned(c.linked_account_id, organization_id, linked_account_id))  # type: ignore[arg-type]
        .order_by(c.created_at.desc(), c.id)
        .limit(limit)
    )
    return [WriteTaskSummary(**row) for row in (await session.execute(statement)).mappings()]
