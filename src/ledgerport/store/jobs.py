"""Job rows: every SQL statement the job system runs.

A job's row is its only truth (see :mod:`ledgerport.jobs`). Its life::

    insert ──> queued ──claim──> running ──finish──> done
                 ^                  │ └───fail(retry_at=None)──> failed
                 └─fail(retry_at)───┤
                 └─release──────────┘   (no attempt spent: RetryLater, graceful stop)
                 running + lease expired ──claim──> running (another owner, takeovers + 1)

``attempts`` counts the job's own failures: a claim of a queued row spends one, :func:`release` gives it back, and a
takeover (a claim of a running row whose lease expired: its worker died or stalled) spends none, since the run
that died never reached an outcome. Takeovers are counted apart in ``takeovers``, so killed workers cannot use up
the attempts meant for real errors, and the worker can stop a job that keeps killing its workers.

``lease_owner`` names one claim, not one process: a worker passes a fresh token per claim, so every write that
ends or extends a run (:func:`renew`, :func:`finish`, :func:`fail`, :func:`release`) is fenced by it and turns into
a no-op returning ``False`` once somebody else has taken the job over.

``dedupe_key`` keeps one live (queued or running) job per purpose; it is cleared when the job is done or failed
for good, so the next one can be queued.

Claiming is one statement on both databases: ``UPDATE jobs ... WHERE id = (SELECT id ... LIMIT 1) RETURNING``.
On PostgreSQL the inner select carries ``FOR UPDATE SKIP LOCKED``, so concurrent claimers walk past each other's
rows. SQLite has no row locks, but a writing statement takes the database's write lock before it reads anything
(``OP_Transaction``), which is what ``BEGIN IMMEDIATE`` would give: call :func:`claim` as the first statement of
its transaction and two claimers can never pick the same row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Hashable
from typing import Any

import msgspec
from sqlalchemy import and_, case, event, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerport.kit import clock
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import jobs

__all__ = [
    "DONE",
    "FAILED",
    "JobNotFound",
    "JobRow",
    "QUEUED",
    "RUNNING",
    "call_after_commit",
    "claim",
    "fail",
    "find",
    "finish",
    "get",
    "insert",
    "list_jobs",
    "next_queued",
    "queue_depths",
    "release",
    "renew",
]

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"

_ERROR_CHARS = 4000  # the width of jobs.error
_PENDING_KEYS = "ledgerport.jobs.after_commit"


class JobNotFound(LookupError):
    """No job has this id."""


class JobRow(msgspec.Struct, frozen=True, kw_only=True):
    """One job as stored; times are epoch microseconds."""

    id: uuid.UUID
    kind: str
    linked_account_id: uuid.UUID | None
    payload: dict[str, Any]
    status: str
    attempts: int
    takeovers: int
    run_after: int
    lease_owner: str | None
    lease_expires_at: int | None
    created_at: int
    finished_at: int | None
    error: str | None
    dedupe_key: str | None


def _micros(seconds: float) -> int:
    return int(seconds * 1_000_000)


def _row(mapping: Any) -> JobRow:
    return JobRow(**mapping)


async def insert(
    session: WriteSession,
    *,
    kind: str,
    payload: dict[str, Any],
    linked_account_id: uuid.UUID | None = None,
    run_after: int | None = None,
    dedupe_key: str | None = None,
    now: int | None = None,
) -> uuid.UUID:
    """Queue a job in the caller's transaction and return its id.

    When a live job holds ``dedupe_key`` its id is returned and nothing is inserted. ``ON CONFLICT DO NOTHING``
    makes this safe against a concurrent insert of the same key (PostgreSQL waits for the other transaction); the
    loop covers the rare case where the holder finishes, freeing the key, between our conflict and our read.
    """
    now = clock.now_micros() if now is None else now
    values = {
        "kind": kind,
        "linked_account_id": linked_account_id,
        "payload": payload,
        "status": QUEUED,
        "attempts": 0,
        "takeovers": 0,
        "run_after": now if run_after is None else run_after,
        "created_at": now,
        "dedupe_key": dedupe_key,
    }
    if dedupe_key is None:
        job_id = uuid.uuid4()
        await session.execute(jobs.insert().values(id=job_id, **values))
        return job_id
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for _ in range(5):
        job_id = uuid.uuid4()
        statement = (
            dialect.insert(jobs)
            .values(id=job_id, **values)
            .on_conflict_do_nothing(index_elements=[jobs.c.dedupe_key])
            .returning(jobs.c.id)
        )
        if (await session.execute(statement)).scalar() is not None:
            return job_id
        existing = (await session.execute(select(jobs.c.id).where(jobs.c.dedupe_key == dedupe_key))).scalar()
        if existing is not None:
            return existing  # type: ignore[no-any-return]
    raise RuntimeError(f"could not queue or find a job for dedupe key {dedupe_key!r}")


def call_after_commit(session: WriteSession, callback: Callable[[], None], *, key: Hashable | None = None) -> None:
    """Run ``callback`` once the caller's transaction commits (never if it rolls back).

    This is how a job's wake-up hint is sent only for rows other processes can already see. The callback runs
    inside the commit on the event loop's thread: it must be quick and must not raise (schedule work, don't do it).
    With ``key``, a second callback under the same key in the same transaction is dropped (one hint per kind for
    a bulk submit). A rolled-back session is discarded by ``Database.write()``, and its pending callbacks with it.
    """
    pending: set[Hashable] = session.info.setdefault(_PENDING_KEYS, set())
    if key is not None:
        if key in pending:
            return
        pending.add(key)

    def committed(_session: Session) -> None:
        pending.discard(key)
        callback()

    event.listen(session.sync_session, "after_commit", committed, once=True)


async def claim(
    session: WriteSession, *, kinds: Collection[str], owner: str, lease_seconds: float, now: int
) -> JobRow | None:
    """Lease the oldest due job of ``kinds`` to ``owner``, or return ``None`` when none is due.

    Due means queued with ``run_after <= now``, or running under a lease that expired (its worker died). Claiming
    a queued job spends an attempt; taking a running one over counts a takeover instead. On SQLite this must be the
    transaction's first statement (see the module docstring).
    """
    c = jobs.c
    due = (
        select(c.id)
        .where(
            c.kind.in_(list(kinds)),
            or_(
                and_(c.status == QUEUED, c.run_after <= now),
                and_(c.status == RUNNING, c.lease_expires_at <= now),
            ),
        )
        .order_by(c.run_after, c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(jobs)
        .where(c.id == due)
        .values(
            status=RUNNING,
            lease_owner=owner,
            lease_expires_at=now + _micros(lease_seconds),
            # SET expressions read the row as it was: ``status`` here is the one before this claim.
            attempts=c.attempts + case((c.status == QUEUED, 1), else_=0),
            takeovers=c.takeovers + case((c.status == RUNNING, 1), else_=0),
        )
        .returning(*jobs.c)
    )
    row = (await session.execute(statement)).mappings().first()
    return None if row is None else _row(row)


async def _fenced(session: WriteSession, job_id: uuid.UUID, owner: str, **values: Any) -> bool:
    result = await session.execute(
        update(jobs).where(jobs.c.id == job_id, jobs.c.lease_owner == owner, jobs.c.status == RUNNING).values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def renew(
    session: WriteSession, job_id: uuid.UUID, *, owner: str, lease_seconds: float, now: int, progressed: bool = False
) -> bool:
    """Extend ``owner``'s lease; ``False`` means the lease was lost (another claim took the job, or it ended).

    A lease that expired but that nobody claimed yet is still ours, and renewing it is fine. ``progressed``: the
    run committed a step since its claim, so the workers that died before it did not die of this job; its
    ``takeovers`` start again from 0 (the cap counts deaths in a row without progress).
    """
    values: dict[str, Any] = {"lease_expires_at": now + _micros(lease_seconds)}
    if progressed:
        values["takeovers"] = 0
    return await _fenced(session, job_id, owner, **values)


async def finish(session: WriteSession, job_id: uuid.UUID, *, owner: str, now: int | None = None) -> bool:
    """Mark the job done and free its dedupe key; ``False`` if ``owner`` no longer holds it."""
    return await _fenced(
        session,
        job_id,
        owner,
        status=DONE,
        finished_at=clock.now_micros() if now is None else now,
        lease_owner=None,
        lease_expires_at=None,
        dedupe_key=None,
    )


async def fail(
    session: WriteSession,
    job_id: uuid.UUID,
    *,
    owner: str,
    error: str,
    retry_at: int | None,
    now: int | None = None,
) -> bool:
    """Record a failed attempt: back to queued at ``retry_at``, or failed for good when it is ``None``.

    The error text is kept either way (the last one wins). ``False`` if ``owner`` no longer holds the job.
    """
    values: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None, "error": error[:_ERROR_CHARS]}
    if retry_at is not None:
        values.update(status=QUEUED, run_after=retry_at)
    else:
        values.update(status=FAILED, finished_at=clock.now_micros() if now is None else now, dedupe_key=None)
    return await _fenced(session, job_id, owner, **values)


async def release(session: WriteSession, job_id: uuid.UUID, *, owner: str, run_after: int) -> bool:
    """Put the job back in the queue without spending the attempt its claim took.

    For runs that did not fail: the handler asked to come back later (a provider's ``Retry-After``) or the worker
    is stopping. ``False`` if ``owner`` no longer holds the job.
    """
    return await _fenced(
        session,
        job_id,
        owner,
        status=QUEUED,
        run_after=run_after,
        lease_owner=None,
        lease_expires_at=None,
        attempts=jobs.c.attempts - 1,
    )


async def find(session: ReadSession | WriteSession, job_id: uuid.UUID) -> JobRow | None:
    """The job, or ``None``."""
    row = (await session.execute(select(jobs).where(jobs.c.id == job_id))).mappings().first()
    return None if row is None else _row(row)


async def get(session: ReadSession | WriteSession, job_id: uuid.UUID) -> JobRow:
    """The job; raises :class:`JobNotFound`."""
    row = await find(session, job_id)
    if row is None:
        raise JobNotFound(str(job_id))
    return row


async def list_jobs(
    session: ReadSession | WriteSession,
    *,
    linked_account_id: uuid.UUID | None = None,
    kinds: Collection[str] | None = None,
    statuses: Collection[str] | None = None,
    limit: int = 1000,
    newest_first: bool = False,
) -> list[JobRow]:
    """Jobs matching every given filter, oldest first (or newest first), at most ``limit`` of them."""
    c = jobs.c
    order = (c.created_at.desc(), c.id.desc()) if newest_first else (c.created_at, c.id)
    statement = select(jobs).order_by(*order).limit(limit)
    if linked_account_id is not None:
        statement = statement.where(c.linked_account_id == linked_account_id)
    if kinds is not None:
        statement = statement.where(c.kind.in_(list(kinds)))
    if statuses is not None:
        statement = statement.where(c.status.in_(list(statuses)))
    return [_row(row) for row in (await session.execute(statement)).mappings()]


async def queue_depths(session: ReadSession | WriteSession, *, now: int) -> dict[str, tuple[int, int]]:
    """Per kind, the jobs due and waiting for a worker (queued, ``run_after <= now``) and the earliest ``run_after``
    among them: how long the longest-waiting one has waited is ``now`` less that. Kinds with none are absent.

    One grouped read over ``ix_jobs_status_run_after``; ``/metrics`` runs it at each scrape."""
    c = jobs.c
    statement = (
        select(c.kind, func.count(), func.min(c.run_after))
        .where(c.status == QUEUED, c.run_after <= now)
        .group_by(c.kind)
    )
    return {kind: (int(count), int(earliest)) for kind, count, earliest in (await session.execute(statement)).all()}


async def next_queued(session: ReadSession | WriteSession, *, linked_account_id: uuid.UUID, kind: str) -> int | None:
    """When the account's earliest queued job of ``kind`` may run (``run_after``), or ``None`` if none waits."""
    statement = select(func.min(jobs.c.run_after)).where(
        jobs.c.linked_account_id == linked_account_id, jobs.c.kind == kind, jobs.c.status == QUEUED
    )
    return (await session.execute(statement)).scalar()
