"""The webhook events writes make, each written in the transaction that records what it reports.

A written record is reported as ``{Model}.added`` or ``.changed`` just as a sync would report it; a finished
asynchronous write as ``AsyncPost.completed`` (its ``GET /async-tasks/{id}`` body); a finished bulk batch as
``AsyncBulkPost.completed`` (its ``GET /<model>/bulk/{batch_id}`` body).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec

from ledgerport.models.events import ASYNC_BULK_POST_COMPLETED, ASYNC_POST_COMPLETED, model_event
from ledgerport.store import WriteSession
from ledgerport.store.records import Change
from ledgerport.store.webhooks import NewEvent, emit

__all__ = ["bulk_completed", "record_changes", "task_completed"]


async def record_changes(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    model: str,
    changes: Sequence[Change],
) -> None:
    """``{Model}.added`` / ``.changed`` for records a write stored."""
    if changes:
        await emit(
            session,
            organization_id=organization_id,
            events=[NewEvent(model_event(model, change.kind), change.document, account_id) for change in changes],
        )


async def task_completed(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    task_id: uuid.UUID,
    status: str,
    status_code: int,
    response: bytes,
) -> None:
    """``AsyncPost.completed``: the task's final answer, as ``GET /async-tasks/{id}`` shows it (plus its id)."""
    data = {
        "id": str(task_id),
        "task_id": str(task_id),
        "status": status,
        "result": {"status_code": status_code, "response": msgspec.Raw(response)},
    }
    await emit(
        session,
        organization_id=organization_id,
        events=[NewEvent(ASYNC_POST_COMPLETED, msgspec.json.encode(data), account_id)],
    )


async def bulk_completed(
    session: WriteSession, *, organization_id: uuid.UUID, account_id: uuid.UUID, status_body: bytes
) -> None:
    """``AsyncBulkPost.completed``: the batch as ``GET /<model>/bulk/{batch_id}`` shows it once it is final."""
    await emit(
        session,
        organization_id=organization_id,
        events=[NewEvent(ASYNC_BULK_POST_COMPLETED, status_body, account_id)],
    )
