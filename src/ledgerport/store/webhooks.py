"""Webhook endpoints, the event outbox and its deliveries: every SQL statement webhooks run.

An event is written by :func:`emit` in the transaction of the change it reports (a sync's page, a write, a finished
task), with one delivery row per subscribed endpoint, so an event exists exactly when its change committed. An
organization without endpoints pays one indexed query per :func:`emit` and writes nothing.

Deliveries of one endpoint form lanes, one per linked account: a lane is delivered in event order, so only its
oldest PENDING delivery (its head) may be attempted. A head that keeps failing holds its lane back until it is
delivered or given up (FAILED); other lanes go on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import msgspec
from sqlalchemy import and_, bindparam, case, delete, exists, func, select, tuple_, update
from sqlalchemy.orm import aliased

from ledgerport.kit import clock
from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.audit import (
    DISABLED_WEBHOOK,
    ENABLED_WEBHOOK,
    REGENERATED_WEBHOOK_SIGNATURE,
    SYSTEM,
    WEBHOOK_TARGET_CHANGED,
    Actor,
    record_audit_event,
)
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.keyset import beyond
from ledgerport.store.tables import webhook_deliveries, webhook_endpoints, webhook_events, webhook_receivers

__all__ = [
    "ACTIVE",
    "ALL",
    "DELIVERED",
    "DISABLED",
    "Delivery",
    "DeliveryView",
    "Endpoint",
    "FAILED",
    "NO_LANE",
    "NewEvent",
    "PENDING",
    "Receiver",
    "Sent",
    "Subscriptions",
    "account_summary",
    "attempt_failed",
    "create_endpoint",
    "delete_endpoint",
    "delivered",
    "due_endpoints",
    "emit",
    "endpoint_by_id",
    "find_endpoint",
    "lane_heads",
    "lane_queue",
    "list_deliveries",
    "list_endpoints",
    "list_receivers",
    "page_deliveries",
    "purge",
    "replay",
    "save_bodies",
    "save_receiver",
    "subscriptions",
    "update_endpoint",
]

ACTIVE = "ACTIVE"
DISABLED = "DISABLED"

PENDING = "PENDING"
DELIVERED = "DELIVERED"
FAILED = "FAILED"

ALL = "*"
"""The ``events`` entry that subscribes an endpoint to every event."""

NO_LANE = "-"
"""The lane of events about no linked account."""


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    """One endpoint; ``signing_key`` is sealed."""

    id: uuid.UUID
    organization_id: uuid.UUID
    url: str
    events: list[str]
    signing_key: bytes
    status: str
    status_reason: str | None
    created_at: int
    failing_since: int | None
    last_delivered_at: int | None


_ENDPOINT = [webhook_endpoints.c[name] for name in Endpoint.__struct_fields__]


def _endpoint(row: Any) -> Endpoint:
    values = dict(row._mapping)
    values["signing_key"] = bytes(values["signing_key"])
    values["events"] = list(values["events"])
    return Endpoint(**values)


async def create_endpoint(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    url: str,
    events: Sequence[str],
    signing_key: bytes,
    actor: Actor = SYSTEM,
) -> Endpoint:
    """A new ACTIVE endpoint (``signing_key`` already sealed); the audit trail records it."""
    endpoint = Endpoint(
        id=uuid.uuid4(),
        organization_id=organization_id,
        url=url,
        events=list(events),
        signing_key=signing_key,
        status=ACTIVE,
        status_reason=None,
        created_at=clock.now_micros(),
        failing_since=None,
        last_delivered_at=None,
    )
    await session.execute(webhook_endpoints.insert().values(**msgspec.structs.asdict(endpoint)))
    await record_audit_event(
        session,
        organization_id=organization_id,
        actor=actor,
        event_type=ENABLED_WEBHOOK,
        description=f"Created webhook endpoint {url} ({endpoint.id}) for {', '.join(endpoint.events)}.",
    )
    return endpoint


async def list_endpoints(session: ReadSession, *, organization_id: uuid.UUID) -> list[Endpoint]:
    """An organization's endpoints, oldest first."""
    c = webhook_endpoints.c
    rows = await session.execute(
        select(*_ENDPOINT).where(c.organization_id == organization_id).order_by(c.created_at, c.id)
    )
    return [_endpoint(row) for row in rows]


async def find_endpoint(session: ReadSession, *, organization_id: uuid.UUID, endpoint_id: uuid.UUID) -> Endpoint | None:
    """One of the organization's endpoints; another organization's is simply absent."""
    c = webhook_endpoints.c
    row = (
        await session.execute(select(*_ENDPOINT).where(c.id == endpoint_id, c.organization_id == organization_id))
    ).first()
    return None if row is None else _endpoint(row)


async def endpoint_by_id(session: ReadSession, *, endpoint_id: uuid.UUID) -> Endpoint | None:
    """An endpoint by id alone, for the delivery worker (which acts for whoever owns it)."""
    row = (await session.execute(select(*_ENDPOINT).where(webhook_endpoints.c.id == endpoint_id))).first()
    return None if row is None else _endpoint(row)


def _changes(
    endpoint_id: uuid.UUID, url: str | None, events: Sequence[str] | None, active: bool | None, key: bytes | None
) -> list[tuple[str, str]]:
    """The audit events of one endpoint change: its target, its on/off state, its signing key."""
    changes = []
    if url is not None or events is not None:
        said = [f"URL {url}" if url is not None else "", f"events {', '.join(events)}" if events else ""]
        changes.append(
            (WEBHOOK_TARGET_CHANGED, f"Changed webhook endpoint {endpoint_id}: {' and '.join(filter(None, said))}.")
        )
    if active is not None:
        kind, verb = (ENABLED_WEBHOOK, "Enabled") if active else (DISABLED_WEBHOOK, "Disabled")
        changes.append((kind, f"{verb} webhook endpoint {endpoint_id}."))
    if key is not None:
        changes.append((REGENERATED_WEBHOOK_SIGNATURE, f"Rotated the signing key of webhook endpoint {endpoint_id}."))
    return changes


async def update_endpoint(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    url: str | None = None,
    events: Sequence[str] | None = None,
    active: bool | None = None,
    signing_key: bytes | None = None,
    actor: Actor = SYSTEM,
) -> Endpoint | None:
    """Change what is given; re-activating clears the disabled reason and the failure streak. Each kind of change
    is one audit event (target, on/off, signing key)."""
    values: dict[str, Any] = {}
    if url is not None:
        values["url"] = url
    if events is not None:
        values["events"] = list(events)
    if signing_key is not None:
        values["signing_key"] = signing_key
    if active is True:
        values |= {"status": ACTIVE, "status_reason": None, "failing_since": None}
    elif active is False:
        values |= {"status": DISABLED, "status_reason": "Disabled by its owner."}
    c = webhook_endpoints.c
    if values:
        result = await session.execute(
            update(webhook_endpoints).where(c.id == endpoint_id, c.organization_id == organization_id).values(values)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            for event_type, description in _changes(endpoint_id, url, events, active, signing_key):
                await record_audit_event(
                    session,
                    organization_id=organization_id,
                    actor=actor,
                    event_type=event_type,
                    description=description,
                )
    return await find_endpoint(session, organization_id=organization_id, endpoint_id=endpoint_id)


async def delete_endpoint(
    session: WriteSession, *, organization_id: uuid.UUID, endpoint_id: uuid.UUID, actor: Actor = SYSTEM
) -> bool:
    """Delete an endpoint and its deliveries; ``False`` if the organization has no such endpoint."""
    endpoint = await find_endpoint(session, organization_id=organization_id, endpoint_id=endpoint_id)
    if endpoint is None:
        return False
    c = webhook_endpoints.c
    await session.execute(delete(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == endpoint_id))
    result = await session.execute(
        delete(webhook_endpoints).where(c.id == endpoint_id, c.organization_id == organization_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    await record_audit_event(
        session,
        organization_id=organization_id,
        actor=actor,
        event_type=DISABLED_WEBHOOK,
        description=f"Deleted webhook endpoint {endpoint.url} ({endpoint_id}).",
    )
    return True


# --------------------------------------------------------------------------------------------------------------------
# The outbox


def _iso(micros: int | None) -> str | None:
    return None if micros is None else clock.from_micros(micros).isoformat().replace("+00:00", "Z")


def account_summary(account: LinkedAccount) -> dict[str, Any]:
    """A linked account as webhook payloads show it (the fields Merge's ``linked_account`` carries)."""
    return {
        "id": str(account.id),
        "integration": account.integration_name,
        "integration_slug": account.integration,
        "category": account.category,
        "end_user_origin_id": account.end_user_origin_id,
        "end_user_organization_name": account.end_user_organization_name,
        "end_user_email_address": account.end_user_email_address,
        "status": account.status,
        "webhook_listener_url": None,
        "is_duplicate": None if account.is_test_account else False,
        "account_type": "TEST" if account.is_test_account else "PRODUCTION",
        "completed_at": _iso(account.completed_at),
    }


class NewEvent(msgspec.Struct, frozen=True):
    """An event to record: its name, the JSON of its ``data``, and the linked account it is about."""

    event: str
    data: bytes
    linked_account_id: uuid.UUID | None = None


class Subscriptions(msgspec.Struct, frozen=True):
    """Which active endpoints of an organization want which events."""

    endpoints: tuple[tuple[uuid.UUID, frozenset[str]], ...]

    def wants(self, event: str) -> bool:
        """Whether any endpoint subscribes to ``event``: a caller skips building events nobody wants."""
        return any(ALL in events or event in events for _, events in self.endpoints)

    def endpoints_for(self, event: str) -> list[uuid.UUID]:
        """The endpoints subscribed to ``event``."""
        return [endpoint for endpoint, events in self.endpoints if ALL in events or event in events]


async def subscriptions(session: ReadSession, *, organization_id: uuid.UUID) -> Subscriptions:
    """The organization's active endpoints and their events, as of the caller's transaction."""
    c = webhook_endpoints.c
    rows = await session.execute(
        select(c.id, c.events).where(c.organization_id == organization_id, c.status == ACTIVE).order_by(c.id)
    )
    return Subscriptions(tuple((row[0], frozenset(row[1])) for row in rows))


async def emit(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    events: Iterable[NewEvent],
    subscribed: Subscriptions | None = None,
    now: int | None = None,
) -> list[uuid.UUID]:
    """Record ``events`` and a delivery per subscribed endpoint, in the caller's transaction.

    Returns the endpoints that got deliveries (empty when nobody subscribes, and then nothing was written).
    ``subscribed`` is the organization's :func:`subscriptions` if the caller already read them in this transaction.
    """
    if subscribed is None:
        subscribed = await subscriptions(session, organization_id=organization_id)
    wanted = [(event, subscribed.endpoints_for(event.event)) for event in events]
    wanted = [(event, endpoints) for event, endpoints in wanted if endpoints]
    if not wanted:
        return []
    moment = clock.now_micros() if now is None else now
    rows = [
        {
            "id": uuid.uuid4(),
            "organization_id": organization_id,
            "linked_account_id": event.linked_account_id,
            "event": event.event,
            "data": event.data,
            "created_at": moment,
        }
        for event, _ in wanted
    ]
    result = await session.execute(
        webhook_events.insert().returning(webhook_events.c.seq, sort_by_parameter_order=True), rows
    )
    seqs = [row[0] for row in result]
    lanes = {(endpoint, _lane(event.linked_account_id)) for event, endpoints in wanted for endpoint in endpoints}
    held = {lane: await _held_until(session, *lane, now=moment) for lane in lanes}
    deliveries = [
        {
            "id": uuid.uuid4(),
            "endpoint_id": endpoint,
            "event_seq": seq,
            "lane": _lane(event.linked_account_id),
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": held[(endpoint, _lane(event.linked_account_id))],
            "created_at": moment,
        }
        for (event, endpoints), seq in zip(wanted, seqs, strict=True)
        for endpoint in endpoints
    ]
    await session.execute(webhook_deliveries.insert(), deliveries)
    return sorted({endpoint for _, endpoints in wanted for endpoint in endpoints})


def _lane(linked_account_id: uuid.UUID | None) -> str:
    return NO_LANE if linked_account_id is None else str(linked_account_id)


async def _held_until(session: ReadSession, endpoint_id: uuid.UUID, lane: str, *, now: int) -> int:
    """When a new delivery in this lane may go: not before the lane's waiting head (a receiver that is down is
    not asked again for every new event, and the delivery worker is not woken for deliveries that must wait)."""
    d = webhook_deliveries.c
    latest = (
        await session.execute(
            select(func.max(d.next_attempt_at)).where(d.endpoint_id == endpoint_id, d.lane == lane, d.status == PENDING)
        )
    ).scalar()
    return max(now, latest or now)


# --------------------------------------------------------------------------------------------------------------------
# Delivering


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    """A delivery with what sending it needs."""

    id: uuid.UUID
    endpoint_id: uuid.UUID
    lane: str
    attempts: int
    next_attempt_at: int
    first_attempt_at: int | None
    body: bytes | None
    event_id: uuid.UUID
    event: str
    data: bytes
    linked_account_id: uuid.UUID | None


async def due_endpoints(session: ReadSession, *, now: int, limit: int = 1000) -> list[uuid.UUID]:
    """Active endpoints with a PENDING delivery due by ``now``."""
    d, e = webhook_deliveries.c, webhook_endpoints.c
    rows = await session.execute(
        select(d.endpoint_id)
        .join(webhook_endpoints, e.id == d.endpoint_id)
        .where(d.status == PENDING, d.next_attempt_at <= now, e.status == ACTIVE)
        .group_by(d.endpoint_id)
        .limit(limit)
    )
    return [row[0] for row in rows]


async def lane_heads(session: ReadSession, *, endpoint_id: uuid.UUID, now: int, limit: int) -> list[str]:
    """Lanes of the endpoint whose oldest PENDING delivery is due by ``now``."""
    d = webhook_deliveries.c
    earlier = aliased(webhook_deliveries)
    blocked = exists().where(
        earlier.c.endpoint_id == d.endpoint_id,
        earlier.c.lane == d.lane,
        earlier.c.status == PENDING,
        earlier.c.event_seq < d.event_seq,
    )
    rows = await session.execute(
        select(d.lane)
        .where(d.endpoint_id == endpoint_id, d.status == PENDING, d.next_attempt_at <= now, ~blocked)
        .order_by(d.event_seq)
        .limit(limit)
    )
    return [row[0] for row in rows]


async def lane_queue(session: ReadSession, *, endpoint_id: uuid.UUID, lane: str, limit: int) -> list[Delivery]:
    """The lane's PENDING deliveries in event order (the first is its head)."""
    d, v = webhook_deliveries.c, webhook_events.c
    rows = await session.execute(
        select(
            d.id,
            d.endpoint_id,
            d.lane,
            d.attempts,
            d.next_attempt_at,
            d.first_attempt_at,
            d.body,
            v.id.label("event_id"),
            v.event,
            v.data,
            v.linked_account_id,
        )
        .join(webhook_events, v.seq == d.event_seq)
        .where(d.endpoint_id == endpoint_id, d.lane == lane, d.status == PENDING)
        .order_by(d.event_seq)
        .limit(limit)
    )
    found = []
    for row in rows:
        values = dict(row._mapping)
        values["data"] = bytes(values["data"])
        values["body"] = None if values["body"] is None else bytes(values["body"])
        found.append(Delivery(**values))
    return found


async def save_bodies(session: WriteSession, *, bodies: Mapping[uuid.UUID, bytes]) -> None:
    """Fix the bytes deliveries send, before their first attempt, so retries and replays send them unchanged."""
    if not bodies:
        return
    c = webhook_deliveries.c
    await session.execute(
        update(webhook_deliveries)
        .where(c.id == bindparam("target_id"), c.body.is_(None))
        .values(body=bindparam("new_body"))
        .execution_options(synchronize_session=False),
        [{"target_id": delivery_id, "new_body": body} for delivery_id, body in bodies.items()],
    )


class Sent(NamedTuple):
    """A delivery the endpoint accepted: its id, the status it answered, and when (epoch microseconds)."""

    delivery_id: uuid.UUID
    status_code: int
    at: int


async def delivered(session: WriteSession, *, endpoint_id: uuid.UUID, lane: str, sent: Sequence[Sent]) -> None:
    """The endpoint accepted these deliveries of one lane: they are DELIVERED, the endpoint's failure streak ends,
    and the rest of the lane, held back behind them, is due now."""
    if not sent:
        return
    now = max(one.at for one in sent)
    d, e = webhook_deliveries.c, webhook_endpoints.c
    await session.execute(
        update(webhook_deliveries)
        .where(d.endpoint_id == endpoint_id, d.lane == lane, d.status == PENDING, d.next_attempt_at > now)
        .values(next_attempt_at=now)
    )
    await session.execute(
        update(webhook_deliveries)
        .where(d.id == bindparam("target_id"))
        .values(
            status=DELIVERED,
            attempts=d.attempts + 1,
            first_attempt_at=func.coalesce(d.first_attempt_at, bindparam("sent_at")),
            last_attempt_at=bindparam("sent_at"),
            last_status_code=bindparam("code"),
            last_error=None,
            delivered_at=bindparam("sent_at"),
        )
        .execution_options(synchronize_session=False),
        [{"target_id": one.delivery_id, "sent_at": one.at, "code": one.status_code} for one in sent],
    )
    await session.execute(
        update(webhook_endpoints).where(e.id == endpoint_id).values(failing_since=None, last_delivered_at=now)
    )


async def attempt_failed(
    session: WriteSession,
    *,
    delivery_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    lane: str,
    status_code: int | None,
    error: str,
    now: int,
    retry_at: int | None,
    disable_if_failing_since: int | None = None,
    disable_because: str = "",
) -> None:
    """An attempt failed: the delivery (and its lane behind it) waits until ``retry_at`` or, when that is
    ``None``, the delivery is given up (FAILED) and the lane goes on.

    The endpoint is disabled with ``disable_because`` when its failures began at or before
    ``disable_if_failing_since`` (a streak with no success in between).
    """
    d, e = webhook_deliveries.c, webhook_endpoints.c
    await session.execute(
        update(webhook_deliveries)
        .where(d.id == delivery_id)
        .values(
            status=PENDING if retry_at is not None else FAILED,
            attempts=d.attempts + 1,
            first_attempt_at=func.coalesce(d.first_attempt_at, now),
            last_attempt_at=now,
            next_attempt_at=now if retry_at is None else retry_at,
            last_status_code=status_code,
            last_error=error[:1000],
        )
    )
    if retry_at is not None:
        await session.execute(
            update(webhook_deliveries)
            .where(d.endpoint_id == endpoint_id, d.lane == lane, d.status == PENDING, d.next_attempt_at < retry_at)
            .values(next_attempt_at=retry_at)
        )
    since = func.coalesce(e.failing_since, now)
    values: dict[str, Any] = {"failing_since": since}
    if disable_if_failing_since is not None:
        streak = since <= disable_if_failing_since
        values["status"] = case((streak, DISABLED), else_=e.status)
        values["status_reason"] = case((streak, disable_because), else_=e.status_reason)
    await session.execute(update(webhook_endpoints).where(e.id == endpoint_id).values(values))


class DeliveryView(msgspec.Struct, frozen=True, kw_only=True):
    """A delivery as its endpoint's log shows it."""

    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event: str
    linked_account_id: uuid.UUID | None
    status: str
    attempts: int
    created_at: int
    first_attempt_at: int | None
    last_attempt_at: int | None
    next_attempt_at: int
    delivered_at: int | None
    last_status_code: int | None
    last_error: str | None


async def list_deliveries(
    session: ReadSession,
    *,
    endpoint_id: uuid.UUID,
    status: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[DeliveryView]:
    """The endpoint's deliveries, newest event first; ``before`` is an event ``seq`` to page past."""
    d, v = webhook_deliveries.c, webhook_events.c
    conditions = [d.endpoint_id == endpoint_id]
    if status is not None:
        conditions.append(d.status == status)
    if before is not None:
        conditions.append(d.event_seq < before)
    rows = await session.execute(
        select(
            d.id,
            d.endpoint_id,
            v.id.label("event_id"),
            v.event,
            v.linked_account_id,
            d.status,
            d.attempts,
            d.created_at,
            d.first_attempt_at,
            d.last_attempt_at,
            d.next_attempt_at,
            d.delivered_at,
            d.last_status_code,
            d.last_error,
            d.event_seq,
        )
        .join(webhook_events, v.seq == d.event_seq)
        .where(and_(*conditions))
        .order_by(d.event_seq.desc(), d.id)
        .limit(limit)
    )
    return [DeliveryView(**{k: val for k, val in row._mapping.items() if k != "event_seq"}) for row in rows]


async def page_deliveries(
    session: ReadSession,
    *,
    endpoint_id: uuid.UUID,
    status: str | None = None,
    after: tuple[int, uuid.UUID] | None = None,
    reverse: bool = False,
    inclusive: bool = False,
    limit: int = 100,
) -> list[tuple[int, DeliveryView]]:
    """One keyset page of the endpoint's delivery log with each row's position ``event_seq``: newest event first,
    or oldest first when ``reverse`` (paging back towards newer rows from the position ``after``)."""
    d, v = webhook_deliveries.c, webhook_events.c
    conditions = [d.endpoint_id == endpoint_id]
    if status is not None:
        conditions.append(d.status == status)
    position = tuple_(d.event_seq, d.id)
    if after is not None:
        # The log runs newest first, so its forward direction is down the positions.
        conditions.append(beyond(position, tuple_(*after), reverse=not reverse, inclusive=inclusive))
    order = (d.event_seq, d.id) if reverse else (d.event_seq.desc(), d.id.desc())
    rows = await session.execute(
        select(
            d.id,
            d.endpoint_id,
            v.id.label("event_id"),
            v.event,
            v.linked_account_id,
            d.status,
            d.attempts,
            d.created_at,
            d.first_attempt_at,
            d.last_attempt_at,
            d.next_attempt_at,
            d.delivered_at,
            d.last_status_code,
            d.last_error,
            d.event_seq,
        )
        .join(webhook_events, v.seq == d.event_seq)
        .where(and_(*conditions))
        .order_by(*order)
        .limit(limit)
    )
    return [
        (int(row.event_seq), DeliveryView(**{k: val for k, val in row._mapping.items() if k != "event_seq"}))
        for row in rows
    ]


async def replay(
    session: WriteSession, *, endpoint_id: uuid.UUID, delivery_id: uuid.UUID | None = None, now: int | None = None
) -> int:
    """Queue deliveries again: one (whatever its status), or every FAILED one; returns how many.

    A replayed delivery sends the bytes it sent before and starts a fresh retry window.
    """
    moment = clock.now_micros() if now is None else now
    d = webhook_deliveries.c
    condition = d.id == delivery_id if delivery_id is not None else d.status == FAILED
    result = await session.execute(
        update(webhook_deliveries)
        .where(d.endpoint_id == endpoint_id, condition)
        .values(status=PENDING, next_attempt_at=moment, first_attempt_at=None, delivered_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def purge(session: WriteSession, *, before: int) -> int:
    """Forget events older than ``before`` (epoch microseconds) with no PENDING delivery; returns how many."""
    v, d = webhook_events.c, webhook_deliveries.c
    pending = exists().where(d.event_seq == v.seq, d.status == PENDING)
    old = select(v.seq).where(v.created_at < before, ~pending).limit(10_000).scalar_subquery()
    await session.execute(delete(webhook_deliveries).where(d.event_seq.in_(old)))
    result = await session.execute(delete(webhook_events).where(v.seq.in_(old)))
    return int(result.rowcount)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------------------------------
# Receivers (Merge's per-account ``webhook-receivers``)


class Receiver(msgspec.Struct, frozen=True, kw_only=True):
    """One receiver; ``key`` is sealed."""

    id: uuid.UUID
    event: str
    is_active: bool
    key: bytes | None


async def list_receivers(session: ReadSession, *, linked_account_id: uuid.UUID) -> list[Receiver]:
    """The account's receivers by event name."""
    c = webhook_receivers.c
    rows = await session.execute(
        select(c.id, c.event, c.is_active, c.key).where(c.linked_account_id == linked_account_id).order_by(c.event)
    )
    return [
        Receiver(id=row[0], event=row[1], is_active=bool(row[2]), key=None if row[3] is None else bytes(row[3]))
        for row in rows
    ]


async def save_receiver(
    session: WriteSession, *, linked_account_id: uuid.UUID, event: str, is_active: bool, key: bytes | None
) -> Receiver:
    """Create the account's receiver for ``event``, or replace the one it has."""
    c = webhook_receivers.c
    await session.execute(delete(webhook_receivers).where(c.linked_account_id == linked_account_id, c.event == event))
    receiver = Receiver(id=uuid.uuid4(), event=event, is_active=is_active, key=key)
    await session.execute(
        webhook_receivers.insert().values(
            id=receiver.id,
            linked_account_id=linked_account_id,
            event=event,
            is_active=is_active,
            key=key,
            created_at=clock.now_micros(),
        )
    )
    return receiver
