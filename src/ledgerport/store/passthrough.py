"""Asynchronous passthrough receipts: every SQL statement about ``passthrough_receipts``.

``QUEUED`` (created with its job, in the caller's transaction) → ``IN_PROGRESS`` (a worker took it) → ``DONE``
(``status_code`` and ``response`` are what the synchronous passthrough would have answered).
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import insert, select, update

from ledgerport.kit import clock
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import passthrough_receipts

__all__ = ["Receipt", "create_receipt", "find_receipt", "finish_receipt", "start_receipt"]


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """One receipt as stored."""

    id: uuid.UUID
    linked_account_id: uuid.UUID
    request: bytes
    status: str
    status_code: int | None
    response: bytes | None
    created_at: int
    finished_at: int | None


async def create_receipt(session: WriteSession, *, linked_account_id: uuid.UUID, request: bytes) -> uuid.UUID:
    """A QUEUED receipt for ``request`` (the body as the caller sent it)."""
    receipt_id = uuid.uuid4()
    await session.execute(
        insert(passthrough_receipts).values(
            id=receipt_id,
            linked_account_id=linked_account_id,
            request=request,
            status="QUEUED",
            created_at=clock.now_micros(),
        )
    )
    return receipt_id


async def find_receipt(
    session: ReadSession, *, receipt_id: uuid.UUID, linked_account_id: uuid.UUID | None = None
) -> Receipt | None:
    """A receipt by id; with ``linked_account_id``, only that account's (another account's is not found)."""
    c = passthrough_receipts.c
    statement = select(passthrough_receipts).where(c.id == receipt_id)
    if linked_account_id is not None:
        statement = statement.where(c.linked_account_id == linked_account_id)
    row = (await session.execute(statement)).first()
    return None if row is None else Receipt(**row._mapping)


async def start_receipt(session: WriteSession, *, receipt_id: uuid.UUID) -> Receipt | None:
    """Mark a receipt IN_PROGRESS (unless already DONE) and return it; ``None`` when it is gone."""
    c = passthrough_receipts.c
    await session.execute(
        update(passthrough_receipts).where(c.id == receipt_id, c.status != "DONE").values(status="IN_PROGRESS")
    )
    return await find_receipt(session, receipt_id=receipt_id)


async def finish_receipt(session: WriteSession, *, receipt_id: uuid.UUID, status_code: int, response: bytes) -> None:
    """The receipt's final answer (a receipt already DONE keeps its first)."""
    c = passthrough_receipts.c
    await session.execute(
        update(passthrough_receipts)
        .where(c.id == receipt_id, c.status != "DONE")
        .values(status="DONE", status_code=status_code, response=response, finished_at=clock.now_micros())
    )
