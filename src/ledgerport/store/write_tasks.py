"""Asynchronous write tasks: every SQL statement about ``write_tasks``.

A task's life::

    submit ──> QUEUED ──start──> IN_PROGRESS ──finish──> COMPLETED | FAILURE
                                     └── the worker died: the job is taken over and starts it again (same task)

:func:`submit_task` is the one place that decides what a submission carrying an ``Idempotency-Key`` gets: a new
task, the task the same key and request made before, or a refusal when the key came with another request.
"""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from ledgerport.kit import clock
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import write_tasks

__all__ = ["FINAL_STATUSES", "Submitted", "WriteTask", "find_task", "finish_task", "start_task", "submit_task"]

FINAL_STATUSES = frozenset({"COMPLETED", "FAILURE"})


class WriteTask(msgspec.Struct, frozen=True, kw_only=True):
    """One task as stored."""

    id: uuid.UUID
    linked_account_id: uuid.UUID
    idempotency_key: str | None
    request_digest: str
    model: str
    kind: str
    record_id: uuid.UUID | None
    request: bytes
    debug: bool
    status: str
    status_code: int | None
    response: bytes | None
    created_at: int
    started_at: int | None
    finished_at: int | None


class Submitted(msgspec.Struct, frozen=True, kw_only=True):
    """What a submission got: a ``new`` task (queue its job), an ``existing`` one (same key, same request), or a
    ``mismatch`` (same key, another request)."""

    task_id: uuid.UUID
    outcome: Literal["new", "existing", "mismatch"]


async def submit_task(
    session: WriteSession,
    *,
    linked_account_id: uuid.UUID,
    idempotency_key: str | None,
    request_digest: str,
    model: str,
    kind: str,
    record_id: uuid.UUID | None,
    request: bytes,
    debug: bool,
) -> Submitted:
    """Insert a QUEUED task, or find the one ``idempotency_key`` already names in this linked account."""
    c = write_tasks.c
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for _ in range(5):
        if idempotency_key is not None:
            found = (
                await session.execute(
                    select(c.id, c.request_digest).where(
                        c.linked_account_id == linked_account_id, c.idempotency_key == idempotency_key
                    )
                )
            ).first()
            if found is not None:
                outcome: Literal["existing", "mismatch"] = (
                    "existing" if found.request_digest == request_digest else "mismatch"
                )
                return Submitted(task_id=found.id, outcome=outcome)
        new_id = uuid.uuid4()
        inserted = await session.execute(
            dialect.insert(write_tasks)
            .values(
                id=new_id,
                linked_account_id=linked_account_id,
                idempotency_key=idempotency_key,
                request_digest=request_digest,
                model=model,
                kind=kind,
                record_id=record_id,
                request=request,
                debug=debug,
                status="QUEUED",
                created_at=clock.now_micros(),
            )
            .on_conflict_do_nothing(index_elements=[c.linked_account_id, c.idempotency_key])
            .returning(c.id)
        )
        if inserted.scalar() is not None:
            return Submitted(task_id=new_id, outcome="new")
        # another submission inserted the same key between our select and insert: find it
    raise RuntimeError(f"could not submit or find the task for idempotency key {idempotency_key!r}")


async def find_task(
    session: ReadSession, *, task_id: uuid.UUID, linked_account_id: uuid.UUID | None = None
) -> WriteTask | None:
    """A task by id; with ``linked_account_id``, only that account's (another account's task is not found)."""
    c = write_tasks.c
    statement = select(write_tasks).where(c.id == task_id)
    if linked_account_id is not None:
        statement = statement.where(c.linked_account_id == linked_account_id)
    row = (await session.execute(statement)).first()
    return None if row is None else WriteTask(**row._mapping)


async def start_task(session: WriteSession, *, task_id: uuid.UUID) -> WriteTask | None:
    """Mark a queued task IN_PROGRESS (a task started before stays as it is) and return it."""
    c = write_tasks.c
    await session.execute(
        update(write_tasks)
        .where(c.id == task_id, c.status == "QUEUED")
        .values(status="IN_PROGRESS", started_at=clock.now_micros())
    )
    return await find_task(session, task_id=task_id)


async def finish_task(
    session: WriteSession, *, task_id: uuid.UUID, status: str, status_code: int, response: bytes
) -> uuid.UUID | None:
    """Record the task's final answer and return its linked account; ``None`` when the task was already final
    (it keeps its first answer) or is gone."""
    c = write_tasks.c
    return (
        await session.execute(
            update(write_tasks)
            .where(c.id == task_id, c.status.not_in(FINAL_STATUSES))
            .values(status=status, status_code=status_code, response=response, finished_at=clock.now_micros())
            .returning(c.linked_account_id)
        )
    ).scalar()
