"""Bulk write batches and their items: every SQL statement bulk writes run.

A batch's life (``tables.bulk_batches.status``)::

    insert ──> ENQUEUED ──worker──> IN_PROGRESS ──every item final──> SUCCESS | PARTIAL_SUCCESS | FAILED
                                      │    ^
                         429 ──> RATE_LIMITED (the job waits for Retry-After, then goes on)

Items go PENDING → SUCCESS or FAILURE one provider chunk at a time: a chunk's items, the records they made and the
items' outcomes commit together, so a worker that dies mid-batch leaves every item either final or PENDING (and a
PENDING chunk is sent again with the same idempotency key).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from ledgerport.kit import clock
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import bulk_batches, bulk_items

__all__ = [
    "Batch",
    "BatchItem",
    "FAILURE",
    "NewItem",
    "PENDING",
    "SUCCESS",
    "find_batch",
    "find_batch_by_key",
    "finish_batch",
    "insert_batch",
    "items_of",
    "set_batch_status",
    "settle_items",
]

PENDING = "PENDING"
SUCCESS = "SUCCESS"
FAILURE = "FAILURE"


class Batch(msgspec.Struct, frozen=True, kw_only=True):
    """One batch as stored."""

    id: uuid.UUID
    linked_account_id: uuid.UUID
    model: str
    idempotency_key: str | None
    request_digest: str
    status: str
    total_count: int
    created_at: int
    finished_at: int | None


class NewItem(msgspec.Struct, frozen=True, kw_only=True):
    """An item as the API accepted it: ready to send (``chunk``/``target``/``payload``) or already refused."""

    item_id: str
    chunk: int | None
    target: int | None
    payload: bytes | None
    error_message: str | None = None


class BatchItem(msgspec.Struct, frozen=True, kw_only=True):
    """One item as stored."""

    position: int
    item_id: str
    chunk: int | None
    target: int | None
    payload: bytes | None
    status: str
    record_id: uuid.UUID | None
    error_message: str | None


async def insert_batch(
    session: WriteSession,
    *,
    linked_account_id: uuid.UUID,
    model: str,
    idempotency_key: str | None,
    request_digest: str,
    items: Sequence[NewItem],
) -> tuple[Batch, bool]:
    """Store a new batch and its items, or find the batch already stored for ``idempotency_key``.

    Returns the batch and whether it is new (only a new batch needs its job queued)."""
    now = clock.now_micros()
    batch_id = uuid.uuid4()
    c = bulk_batches.c
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = await session.execute(
        dialect.insert(bulk_batches)
        .values(
            id=batch_id,
            linked_account_id=linked_account_id,
            model=model,
            idempotency_key=idempotency_key,
            request_digest=request_digest,
            status="ENQUEUED",
            total_count=len(items),
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[c.linked_account_id, c.idempotency_key])
        .returning(c.id)
    )
    if inserted.scalar() is None:
        assert idempotency_key is not None
        found = await find_batch_by_key(session, linked_account_id=linked_account_id, idempotency_key=idempotency_key)
        assert found is not None
        return found, False
    if items:
        await session.execute(
            bulk_items.insert(),
            [
                {
                    "batch_id": batch_id,
                    "position": position,
                    "item_id": item.item_id,
                    "chunk": item.chunk,
                    "target": item.target,
                    "payload": item.payload,
                    "status": PENDING if item.error_message is None else FAILURE,
                    "record_id": None,
                    "error_message": item.error_message,
                }
                for position, item in enumerate(items)
            ],
        )
    batch = Batch(
        id=batch_id,
        linked_account_id=linked_account_id,
        model=model,
        idempotency_key=idempotency_key,
        request_digest=request_digest,
        status="ENQUEUED",
        total_count=len(items),
        created_at=now,
        finished_at=None,
    )
    return batch, True


async def find_batch(
    session: ReadSession | WriteSession, *, batch_id: uuid.UUID, linked_account_id: uuid.UUID | None = None
) -> Batch | None:
    """A batch (of this linked account, when one is given: another account's batch is not found)."""
    query = select(bulk_batches).where(bulk_batches.c.id == batch_id)
    if linked_account_id is not None:
        query = query.where(bulk_batches.c.linked_account_id == linked_account_id)
    row = (await session.execute(query)).first()
    return None if row is None else Batch(**row._mapping)


async def find_batch_by_key(
    session: ReadSession | WriteSession, *, linked_account_id: uuid.UUID, idempotency_key: str
) -> Batch | None:
    """The batch a ``POST /bulk`` with this ``Idempotency-Key`` made."""
    c = bulk_batches.c
    row = (
        await session.execute(
            select(bulk_batches).where(c.linked_account_id == linked_account_id, c.idempotency_key == idempotency_key)
        )
    ).first()
    return None if row is None else Batch(**row._mapping)


async def items_of(session: ReadSession | WriteSession, batch_id: uuid.UUID) -> list[BatchItem]:
    """The batch's items in request order."""
    c = bulk_items.c
    rows = await session.execute(
        select(c.position, c.item_id, c.chunk, c.target, c.payload, c.status, c.record_id, c.error_message)
        .where(c.batch_id == batch_id)
        .order_by(c.position)
    )
    return [BatchItem(**row._mapping) for row in rows]


async def set_batch_status(session: WriteSession, *, batch_id: uuid.UUID, status: str) -> None:
    """IN_PROGRESS or RATE_LIMITED while the batch runs (a final batch keeps its outcome)."""
    c = bulk_batches.c
    await session.execute(update(bulk_batches).where(c.id == batch_id, c.finished_at.is_(None)).values(status=status))


async def settle_items(
    session: WriteSession,
    *,
    batch_id: uuid.UUID,
    outcomes: Sequence[tuple[int, uuid.UUID | None, str | None]],
) -> None:
    """``(position, record_id, error_message)`` per item: SUCCESS with the record, or FAILURE with the message.

    Only PENDING items change, so a chunk settled twice (a taken-over job) keeps its first outcome."""
    c = bulk_items.c
    for position, record_id, message in outcomes:
        await session.execute(
            update(bulk_items)
            .where(c.batch_id == batch_id, c.position == position, c.status == PENDING)
            .values(status=SUCCESS if record_id is not None else FAILURE, record_id=record_id, error_message=message)
        )


async def finish_batch(session: WriteSession, *, batch_id: uuid.UUID) -> str:
    """The overall outcome once no item is PENDING: SUCCESS, FAILED (nothing written) or PARTIAL_SUCCESS."""
    statuses = {item.status for item in await items_of(session, batch_id)}
    if PENDING in statuses:
        raise ValueError(f"batch {batch_id} still has pending items")
    outcome = "SUCCESS" if statuses <= {SUCCESS} else "FAILED" if statuses == {FAILURE} else "PARTIAL_SUCCESS"
    await session.execute(
        update(bulk_batches).where(bulk_batches.c.id == batch_id).values(status=outcome, finished_at=clock.now_micros())
    )
    return outcome
