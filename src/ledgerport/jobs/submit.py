"""Queueing a job: an INSERT in the caller's transaction, then a wake-up hint once that transaction commits.

The row is the job. The hint only shortens the wait of an idle worker; if it is lost (no Redis, a crash between
commit and publish) the job still runs at the next poll. Because the hint is sent after commit, a woken worker
always finds the row.
"""

from __future__ import annotations

import uuid
from typing import Any

from ledgerport.jobs.wakeups import Wakeups
from ledgerport.kit import clock
from ledgerport.store import WriteSession
from ledgerport.store import jobs as job_rows

__all__ = ["submit"]


async def submit(
    session: WriteSession,
    *,
    kind: str,
    payload: dict[str, Any],
    linked_account_id: uuid.UUID | None = None,
    run_after: int | None = None,
    dedupe_key: str | None = None,
    wakeups: Wakeups | None = None,
) -> uuid.UUID:
    """Queue a job of ``kind`` (``"<room>.<verb>"``) and return its id, or the live job's id for ``dedupe_key``.

    ``run_after`` is epoch microseconds (default: now). Nothing is visible to workers until the caller commits.
    ``wakeups`` is the process's hint channel (built by the composition root); without it workers find the job
    by polling.
    """
    now = clock.now_micros()
    job_id = await job_rows.insert(
        session,
        kind=kind,
        payload=payload,
        linked_account_id=linked_account_id,
        run_after=run_after,
        dedupe_key=dedupe_key,
        now=now,
    )
    if wakeups is not None and (run_after is None or run_after <= now):
        job_rows.call_after_commit(session, lambda: wakeups.notify(kind), key=("jobs.wakeup", kind))
    return job_id
