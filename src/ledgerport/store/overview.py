"""What an operator looks at across tenants: organizations with their counts, linked accounts with their sync times.

These queries cross organizations on purpose (the operator's CLI runs them); the API never calls them unscoped:
:func:`list_account_summaries` takes the organization the API key resolved to when there is one.
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import func, select

from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.engine import ReadSession
from ledgerport.store.jobs import QUEUED
from ledgerport.store.tables import api_keys, credentials, jobs, linked_accounts, organizations, records, sync_states

__all__ = [
    "AccountSummary",
    "OrganizationSummary",
    "count_account_records",
    "list_account_summaries",
    "list_organizations",
]


class OrganizationSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An organization and how much hangs off it; ``api_keys`` counts live (unrevoked) keys."""

    id: uuid.UUID
    name: str
    created_at: int
    linked_accounts: int
    api_keys: int


class AccountSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A linked account with what its sync states say about its schedule; times are epoch microseconds.

    ``oldest_finished`` is the earliest ``last_sync_finished`` over its models, ``0`` for a model never finished
    (the ticker's own measure, :func:`ledgerport.store.sync_states.due_accounts`), ``None`` when no sync began.
    ``has_credentials`` says whether there is anything to sync with: an account made without linking has none.
    """

    account: LinkedAccount
    organization_name: str
    has_credentials: bool
    last_sync_finished: int | None
    oldest_finished: int | None
    retry_at: int | None
    queued_at: int | None
    """The ``run_after`` of the account's earliest queued sync job, if one waits."""


async def list_organizations(session: ReadSession) -> list[OrganizationSummary]:
    """Every organization, oldest first, with its linked-account and live-key counts."""
    accounts = (
        select(linked_accounts.c.organization_id, func.count().label("n"))
        .group_by(linked_accounts.c.organization_id)
        .subquery()
    )
    keys = (
        select(api_keys.c.organization_id, func.count().label("n"))
        .where(api_keys.c.revoked_at.is_(None))
        .group_by(api_keys.c.organization_id)
        .subquery()
    )
    statement = (
        select(
            organizations.c.id,
            organizations.c.name,
            organizations.c.created_at,
            func.coalesce(accounts.c.n, 0).label("linked_accounts"),
            func.coalesce(keys.c.n, 0).label("api_keys"),
        )
        .outerjoin(accounts, accounts.c.organization_id == organizations.c.id)
        .outerjoin(keys, keys.c.organization_id == organizations.c.id)
        .order_by(organizations.c.created_at, organizations.c.id)
    )
    return [OrganizationSummary(**row._mapping) for row in await session.execute(statement)]


async def list_account_summaries(
    session: ReadSession, *, sync_kind: str, organization_id: uuid.UUID | None = None
) -> list[AccountSummary]:
    """Every linked account (of one organization when given), oldest first, with its sync times; ``sync_kind`` is
    the job kind that syncs an account."""
    queued = (
        select(jobs.c.linked_account_id, func.min(jobs.c.run_after).label("queued_at"))
        .where(jobs.c.kind == sync_kind, jobs.c.status == QUEUED)
        .group_by(jobs.c.linked_account_id)
        .subquery()
    )
    states = (
        select(
            sync_states.c.linked_account_id,
            func.max(sync_states.c.last_sync_finished).label("last_finished"),
            func.min(func.coalesce(sync_states.c.last_sync_finished, 0)).label("oldest_finished"),
            func.max(sync_states.c.next_sync_start).label("retry_at"),
        )
        .group_by(sync_states.c.linked_account_id)
        .subquery()
    )
    fields = [linked_accounts.c[name] for name in LinkedAccount.__struct_fields__]
    statement = (
        select(
            *fields,
            organizations.c.name.label("organization_name"),
            credentials.c.linked_account_id.label("credentials_of"),
            states.c.last_finished,
            states.c.oldest_finished,
            states.c.retry_at,
            queued.c.queued_at,
        )
        .join(organizations, organizations.c.id == linked_accounts.c.organization_id)
        .outerjoin(credentials, credentials.c.linked_account_id == linked_accounts.c.id)
        .outerjoin(states, states.c.linked_account_id == linked_accounts.c.id)
        .outerjoin(queued, queued.c.linked_account_id == linked_accounts.c.id)
        .order_by(linked_accounts.c.created_at, linked_accounts.c.id)
    )
    if organization_id is not None:
        statement = statement.where(linked_accounts.c.organization_id == organization_id)
    return [
        AccountSummary(
            account=LinkedAccount(**{name: row[name] for name in LinkedAccount.__struct_fields__}),
            organization_name=row["organization_name"],
            has_credentials=row["credentials_of"] is not None,
            last_sync_finished=row["last_finished"],
            oldest_finished=row["oldest_finished"],
            retry_at=row["retry_at"],
            queued_at=row["queued_at"],
        )
        for row in (await session.execute(statement)).mappings()
    ]


async def count_account_records(session: ReadSession, *, linked_account_id: uuid.UUID) -> int:
    """How many records are stored for the account, every model and deleted ones included."""
    statement = select(func.count()).select_from(records).where(records.c.linked_account_id == linked_account_id)
    return int((await session.execute(statement)).scalar() or 0)
