"""Write operations and their debug logs: every SQL statement the write engine runs.

An operation's life (see ``tables.write_operations``)::

    claim ──> sending ──finish──> done                 (the answer every replay of the key gets)
                 │  └──release──> retry ──claim──> sending   (same row, same provider key, attempts + 1)
                 └── lease expired (the process died) ──claim──> sending

:func:`claim_operation` is the one place that decides what a request carrying an idempotency key may do: run (a
new key, or taking over an operation nobody owns), replay a final answer, wait for the process that owns it, or
be refused because the same key came with another request.
"""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ledgerport.kit import clock
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import write_logs, write_operations

__all__ = [
    "Claim",
    "WriteLog",
    "add_write_log",
    "claim_operation",
    "find_write_log",
    "finish_operation",
    "purge_write_history",
    "release_operation",
]

_SECOND = 1_000_000


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """What a request may do with its operation."""

    operation_id: uuid.UUID
    outcome: Literal["run", "replay", "busy", "mismatch"]
    attempts: int = 1
    status_code: int | None = None
    response: bytes | None = None
    """The stored answer (``replay``)."""
    retry_after: float = 0.0
    """Seconds until the owner's lease ends (``busy``)."""


async def claim_operation(
    session: WriteSession,
    *,
    linked_account_id: uuid.UUID,
    idempotency_key: str,
    request_digest: str,
    model: str,
    kind: str,
    record_id: uuid.UUID | None,
    lease_seconds: float,
) -> Claim:
    """Find or create the operation for ``idempotency_key`` and say what the request may do with it."""
    now = clock.now_micros()
    lease = now + int(lease_seconds * _SECOND)
    c = write_operations.c
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for _ in range(5):
        found = (
            await session.execute(
                select(c.id, c.request_digest, c.state, c.lease_expires_at, c.attempts, c.status_code, c.response)
                .where(c.linked_account_id == linked_account_id, c.idempotency_key == idempotency_key)
                .with_for_update()
            )
        ).first()
        if found is None:
            new_id = uuid.uuid4()
            inserted = await session.execute(
                dialect.insert(write_operations)
                .values(
                    id=new_id,
                    linked_account_id=linked_account_id,
                    idempotency_key=idempotency_key,
                    request_digest=request_digest,
                    model=model,
                    kind=kind,
                    record_id=record_id,
                    state="sending",
                    lease_expires_at=lease,
                    attempts=1,
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=[c.linked_account_id, c.idempotency_key])
                .returning(c.id)
            )
            if inserted.scalar() is not None:
                return Claim(operation_id=new_id, outcome="run")
            continue  # another request inserted the same key between our select and insert
        if found.request_digest != request_digest:
            return Claim(operation_id=found.id, outcome="mismatch")
        if found.state == "done":
            return Claim(
                operation_id=found.id, outcome="replay", status_code=found.status_code, response=found.response
            )
        if found.state == "sending" and (found.lease_expires_at or 0) > now:
            return Claim(operation_id=found.id, outcome="busy", retry_after=(found.lease_expires_at - now) / _SECOND)
        attempts = int(found.attempts) + 1
        # Compare and set: SQLite takes no row lock for the read above, so two processes may both have seen the
        # operation free; only the one whose update still finds the attempt it read owns it.
        taken = await session.execute(
            update(write_operations)
            .where(c.id == found.id, c.attempts == found.attempts, c.state == found.state)
            .values(state="sending", lease_expires_at=lease, attempts=attempts)
        )
        if taken.rowcount == 1:
            return Claim(operation_id=found.id, outcome="run", attempts=attempts)
    raise RuntimeError(f"could not claim or find the operation for idempotency key {idempotency_key!r}")


async def finish_operation(
    session: WriteSession, *, operation_id: uuid.UUID, status_code: int, response: bytes, remote_id: str | None
) -> None:
    """Record the final answer; from now on every replay of the key gets exactly it."""
    await session.execute(
        update(write_operations)
        .where(write_operations.c.id == operation_id)
        .values(
            state="done",
            lease_expires_at=None,
            status_code=status_code,
            response=response,
            remote_id=remote_id,
            finished_at=clock.now_micros(),
        )
    )


async def release_operation(session: WriteSession, *, operation_id: uuid.UUID) -> None:
    """Give the operation up without a final answer: the next request with its key runs it again."""
    await session.execute(
        update(write_operations)
        .where(write_operations.c.id == operation_id)
        .values(state="retry", lease_expires_at=None)
    )


class WriteLog(msgspec.Struct, frozen=True, kw_only=True):
    """One provider call a write made, as debug mode shows it (credentials already removed)."""

    id: uuid.UUID
    linked_account_id: uuid.UUID
    operation_id: uuid.UUID | None
    created_at: int
    method: str
    url: str
    status_code: int | None
    duration_ms: int
    request: bytes | None
    response: bytes | None


async def add_write_log(session: WriteSession, log: WriteLog) -> None:
    """Keep one debug log."""
    await session.execute(write_logs.insert().values(**msgspec.structs.asdict(log)))


async def find_write_log(session: ReadSession, *, linked_account_id: uuid.UUID, log_id: uuid.UUID) -> WriteLog | None:
    """A debug log of this linked account (another account's log is not found)."""
    c = write_logs.c
    row = (
        await session.execute(select(write_logs).where(c.id == log_id, c.linked_account_id == linked_account_id))
    ).first()
    return None if row is None else WriteLog(**row._mapping)


async def purge_write_history(session: WriteSession, *, operations_before: int, logs_before: int) -> int:
    """Forget finished operations and debug logs older than the given moments (epoch microseconds)."""
    c = write_operations.c
    gone = await session.execute(delete(write_operations).where(c.created_at < operations_before, c.state != "sending"))
    logs = await session.execute(delete(write_logs).where(write_logs.c.created_at < logs_before))
    return int(gone.rowcount or 0) + int(logs.rowcount or 0)
