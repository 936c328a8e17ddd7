"""Merge's audit trail: who made, changed or removed an organization's API keys, linked accounts and webhook
endpoints.

An event is written by the store function that makes the change, in the same transaction, so no path (API, CLI,
dashboard, link flow) can change something without its event, and a rolled-back change leaves none. Callers say
who acted with an :class:`Actor`; store functions default to :data:`SYSTEM` (the demo, the seed, tests).
``role`` and ``event_type`` use Merge's names; the one change Merge's list has no name for, a linked account made
by the link flow, is :data:`CREATED_LINKED_ACCOUNT`.
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import and_, select, tuple_

from ledgerport.kit import clock
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.keyset import beyond
from ledgerport.store.tables import audit_events

__all__ = [
    "ACTOR_ROLES",
    "Actor",
    "AuditEvent",
    "AuditFilters",
    "CREATED_API_KEY",
    "CREATED_LINKED_ACCOUNT",
    "DELETED_API_KEY",
    "DELETED_LINKED_ACCOUNT",
    "DISABLED_WEBHOOK",
    "ENABLED_WEBHOOK",
    "EVENT_TYPES",
    "MERGE_EVENT_TYPES",
    "REGENERATED_WEBHOOK_SIGNATURE",
    "SYSTEM",
    "WEBHOOK_TARGET_CHANGED",
    "list_audit_events",
    "record_audit_event",
]

ACTOR_ROLES = ("ADMIN", "DEVELOPER", "MEMBER", "API", "SYSTEM", "MERGE_TEAM", "SUPPORT")
"""Merge's ``RoleEnum``."""

MERGE_EVENT_TYPES = (
    "CREATED_REMOTE_PRODUCTION_API_KEY",
    "DELETED_REMOTE_PRODUCTION_API_KEY",
    "CREATED_TEST_API_KEY",
    "DELETED_TEST_API_KEY",
    "REGENERATED_PRODUCTION_API_KEY",
    "REGENERATED_WEBHOOK_SIGNATURE",
    "INVITED_USER",
    "TWO_FACTOR_AUTH_ENABLED",
    "TWO_FACTOR_AUTH_DISABLED",
    "DELETED_LINKED_ACCOUNT",
    "DELETED_ALL_COMMON_MODELS_FOR_LINKED_ACCOUNT",
    "CREATED_DESTINATION",
    "DELETED_DESTINATION",
    "CHANGED_DESTINATION",
    "CHANGED_SCOPES",
    "CHANGED_PERSONAL_INFORMATION",
    "CHANGED_ORGANIZATION_SETTINGS",
    "ENABLED_INTEGRATION",
    "DISABLED_INTEGRATION",
    "ENABLED_CATEGORY",
    "DISABLED_CATEGORY",
    "CHANGED_PASSWORD",
    "RESET_PASSWORD",
    "ENABLED_REDACT_UNMAPPED_DATA_FOR_ORGANIZATION",
    "ENABLED_REDACT_UNMAPPED_DATA_FOR_LINKED_ACCOUNT",
    "DISABLED_REDACT_UNMAPPED_DATA_FOR_ORGANIZATION",
    "DISABLED_REDACT_UNMAPPED_DATA_FOR_LINKED_ACCOUNT",
    "CREATED_INTEGRATION_WIDE_FIELD_MAPPING",
    "CREATED_LINKED_ACCOUNT_FIELD_MAPPING",
    "CHANGED_INTEGRATION_WIDE_FIELD_MAPPING",
    "CHANGED_LINKED_ACCOUNT_FIELD_MAPPING",
    "DELETED_INTEGRATION_WIDE_FIELD_MAPPING",
    "DELETED_LINKED_ACCOUNT_FIELD_MAPPING",
    "CREATED_LINKED_ACCOUNT_COMMON_MODEL_OVERRIDE",
    "CHANGED_LINKED_ACCOUNT_COMMON_MODEL_OVERRIDE",
    "DELETED_LINKED_ACCOUNT_COMMON_MODEL_OVERRIDE",
    "FORCED_LINKED_ACCOUNT_RESYNC",
    "MUTED_ISSUE",
    "GENERATED_MAGIC_LINK",
    "ENABLED_MERGE_WEBHOOK",
    "DISABLED_MERGE_WEBHOOK",
    "MERGE_WEBHOOK_TARGET_CHANGED",
    "END_USER_CREDENTIALS_ACCESSED",
)
"""Merge's ``EventTypeEnum``, in its order."""

CREATED_API_KEY = "CREATED_REMOTE_PRODUCTION_API_KEY"
DELETED_API_KEY = "DELETED_REMOTE_PRODUCTION_API_KEY"
DELETED_LINKED_ACCOUNT = "DELETED_LINKED_ACCOUNT"
CREATED_LINKED_ACCOUNT = "CREATED_LINKED_ACCOUNT"
"""Ours: Merge's list has no event for an account being linked (its SDK accepts event types it does not know)."""
ENABLED_WEBHOOK = "ENABLED_MERGE_WEBHOOK"
"""A webhook endpoint made, or switched back on."""
DISABLED_WEBHOOK = "DISABLED_MERGE_WEBHOOK"
"""A webhook endpoint switched off, or deleted."""
WEBHOOK_TARGET_CHANGED = "MERGE_WEBHOOK_TARGET_CHANGED"
"""A webhook endpoint's URL or events changed."""
REGENERATED_WEBHOOK_SIGNATURE = "REGENERATED_WEBHOOK_SIGNATURE"

EVENT_TYPES = (*MERGE_EVENT_TYPES, CREATED_LINKED_ACCOUNT)
"""Every value ``event_type`` may hold, and so every value its filter accepts."""


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who made a change: ``role`` is Merge's (``API`` for a call made with an API key, ``ADMIN`` for an operator
    at the CLI or the dashboard, ``SYSTEM`` for ledgerport itself); ``ip_address`` is empty when there is none."""

    role: str
    ip_address: str = ""
    user_name: str | None = None
    user_email: str | None = None


SYSTEM = Actor(role="SYSTEM")


class AuditEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One stored event; ``created_at`` in epoch microseconds."""

    id: uuid.UUID
    organization_id: uuid.UUID
    user_name: str | None
    user_email: str | None
    role: str
    ip_address: str
    event_type: str
    event_description: str
    created_at: int


class AuditFilters(msgspec.Struct, frozen=True, kw_only=True):
    """The filters of Merge's ``GET /audit-trail``; ``None`` means "any". Both dates are exclusive bounds, as
    Merge words them ("after this time", "before this time")."""

    event_type: str | None = None
    user_email: str | None = None
    start_date: int | None = None
    end_date: int | None = None


_COLUMNS = [audit_events.c[name] for name in AuditEvent.__struct_fields__]


async def record_audit_event(
    session: WriteSession, *, organization_id: uuid.UUID, actor: Actor, event_type: str, description: str
) -> None:
    """Write one event in the caller's transaction (the change it reports commits or rolls back with it)."""
    await session.execute(
        audit_events.insert().values(
            id=uuid.uuid4(),
            organization_id=organization_id,
            user_name=actor.user_name,
            user_email=actor.user_email,
            role=actor.role,
            ip_address=actor.ip_address[:64],
            event_type=event_type,
            event_description=description[:2000],
            created_at=clock.now_micros(),
        )
    )


async def list_audit_events(
    session: ReadSession,
    *,
    organization_id: uuid.UUID,
    filters: AuditFilters,
    after: tuple[int, uuid.UUID] | None,
    reverse: bool,
    limit: int,
    inclusive: bool = False,
) -> list[AuditEvent]:
    """One keyset page of an organization's events, newest first (oldest first when ``reverse``: going back)."""
    c = audit_events.c
    conditions = [c.organization_id == organization_id]
    if filters.event_type is not None:
        conditions.append(c.event_type == filters.event_type)
    if filters.user_email is not None:
        conditions.append(c.user_email == filters.user_email)
    if filters.start_date is not None:
        conditions.append(c.created_at > filters.start_date)
    if filters.end_date is not None:
        conditions.append(c.created_at < filters.end_date)
    position = tuple_(c.created_at, c.id)
    if after is not None:
        # The list runs newest first, so "onward" is towards smaller positions.
        conditions.append(beyond(position, tuple_(*after), reverse=not reverse, inclusive=inclusive))
    order = (c.created_at, c.id) if reverse else (c.created_at.desc(), c.id.desc())
    rows = await session.execute(select(*_COLUMNS).where(and_(*conditions)).order_by(*order).limit(limit))
    return [AuditEvent(**row) for row in rows.mappings()]
