"""Merge's Issues: problems with a linked account that someone may need to act on.

An issue is keyed by its account and description: the same failure happening again updates
``last_incident_time`` of the ongoing issue instead of opening a new one, and a later success resolves it.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy import and_, select, tuple_, update

from ledgerport.kit import clock
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.keyset import beyond
from ledgerport.store.tables import issues, linked_accounts

__all__ = ["IssueRow", "find_issue", "list_issues", "raise_issue", "resolve_issues"]


class IssueRow(msgspec.Struct, frozen=True, kw_only=True):
    """An issue with the end user it concerns."""

    id: uuid.UUID
    organization_id: uuid.UUID
    linked_account_id: uuid.UUID | None
    status: str
    error_description: str
    error_details: Any
    is_muted: bool
    first_incident_time: int
    last_incident_time: int
    end_user_organization_name: str | None = None
    end_user_email_address: str | None = None
    end_user_origin_id: str | None = None
    integration_name: str | None = None


_COLUMNS = [
    *(
        issues.c[name]
        for name in (
            "id",
            "organization_id",
            "linked_account_id",
            "status",
            "error_description",
            "error_details",
            "is_muted",
            "first_incident_time",
            "last_incident_time",
        )
    ),
    linked_accounts.c.end_user_organization_name,
    linked_accounts.c.end_user_email_address,
    linked_accounts.c.end_user_origin_id,
    linked_accounts.c.integration_name,
]


async def raise_issue(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    linked_account_id: uuid.UUID,
    description: str,
    details: Any = None,
) -> uuid.UUID:
    """Open an issue, or bump the ongoing one with the same description."""
    now = clock.now_micros()
    c = issues.c
    existing = (
        await session.execute(
            select(c.id).where(
                c.linked_account_id == linked_account_id,
                c.error_description == description[:500],
                c.status == "ONGOING",
            )
        )
    ).scalar()
    if existing is not None:
        await session.execute(
            update(issues).where(c.id == existing).values(last_incident_time=now, error_details=details)
        )
        return existing  # type: ignore[no-any-return]
    issue_id = uuid.uuid4()
    await session.execute(
        issues.insert().values(
            id=issue_id,
            organization_id=organization_id,
            linked_account_id=linked_account_id,
            status="ONGOING",
            error_description=description[:500],
            error_details=details,
            is_muted=False,
            first_incident_time=now,
            last_incident_time=now,
        )
    )
    return issue_id


async def resolve_issues(session: WriteSession, *, linked_account_id: uuid.UUID) -> None:
    """A success closes every ongoing issue of the account."""
    await session.execute(
        update(issues)
        .where(issues.c.linked_account_id == linked_account_id, issues.c.status == "ONGOING")
        .values(status="RESOLVED")
    )


def _joined() -> Any:
    return issues.outerjoin(linked_accounts, linked_accounts.c.id == issues.c.linked_account_id)


async def find_issue(session: ReadSession, *, organization_id: uuid.UUID, issue_id: uuid.UUID) -> IssueRow | None:
    """One of the organization's issues."""
    row = (
        await session.execute(
            select(*_COLUMNS)
            .select_from(_joined())
            .where(issues.c.id == issue_id, issues.c.organization_id == organization_id)
        )
    ).first()
    return None if row is None else IssueRow(**row._mapping)


async def list_issues(
    session: ReadSession,
    *,
    organization_id: uuid.UUID,
    filters: dict[str, Any],
    after: tuple[int, uuid.UUID] | None,
    reverse: bool,
    inclusive: bool,
    limit: int,
) -> list[IssueRow]:
    """One keyset page of the organization's issues, oldest first; ``filters`` use Merge's parameter names."""
    c, la = issues.c, linked_accounts.c
    conditions = [c.organization_id == organization_id]
    simple = {
        "status": c.status,
        "linked_account_id": c.linked_account_id,
        "integration_name": la.integration_name,
        "end_user_organization_name": la.end_user_organization_name,
    }
    conditions += [simple[name] == value for name, value in filters.items() if name in simple and value is not None]
    bounds = {
        "first_incident_time_after": (c.first_incident_time, True),
        "first_incident_time_before": (c.first_incident_time, False),
        "last_incident_time_after": (c.last_incident_time, True),
        "last_incident_time_before": (c.last_incident_time, False),
        "start_date": (c.first_incident_time, True),
        "end_date": (c.first_incident_time, False),
    }
    for name, (column, after_bound) in bounds.items():
        if filters.get(name) is not None:
            conditions.append(column > filters[name] if after_bound else column < filters[name])
    if not filters.get("include_muted"):
        conditions.append(c.is_muted.is_(False))
    position = (c.first_incident_time, c.id)

    if after is not None:
        conditions.append(beyond(tuple_(*position), tuple_(*after), reverse=reverse, inclusive=inclusive))
    order = (c.first_incident_time.desc(), c.id.desc()) if reverse else (c.first_incident_time, c.id)
    rows = await session.execute(
        select(*_COLUMNS).select_from(_joined()).where(and_(*conditions)).order_by(*order).limit(limit)
    )
    return [IssueRow(**row._mapping) for row in rows]
