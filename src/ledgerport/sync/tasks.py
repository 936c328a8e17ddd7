"""The sync room's job handlers and schedule: the thin shell around :mod:`ledgerport.sync.engine`.

``sync.run`` syncs one linked account (payload ``{"linked_account_id", "models"?}``). A provider throttle that
asks for a long wait re-queues the job for then (the attempt is given back); a revoked grant ends it (the account
is marked ``RELINK_NEEDED`` and an issue raised; retrying cannot help); anything else fails the attempt and the
worker retries with backoff. Either way the sync-status rows show ``FAILED`` with the reason meanwhile, and
``next_sync_start`` says when the retry runs. Every run, however it ends, leaves a row in the account's sync history
(:mod:`ledgerport.store.sync_runs`). A sync job the worker gives up on unrun (its workers kept stopping)
ends ``FAILED`` with the worker's reason (:func:`sync_abandoned`).

The ``sync.schedule`` tick queues a sync for every account whose last one finished more than the interval ago; a
dedupe key keeps one live sync job per account. :func:`next_sync_start` says when that will be, for the
``next_sync_start`` of ``GET /sync-status`` and the operator's account list.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence

from ledgerport.connectors._base import AuthRevoked, RateLimited
from ledgerport.jobs import (
    Abandoned,
    Handler,
    JobContext,
    LeaseLost,
    RetryLater,
    Tick,
    Wakeups,
    WorkerStopping,
    submit,
)
from ledgerport.kit import clock
from ledgerport.store import Database, WriteSession
from ledgerport.store.accounts import find_linked_account_by_id
from ledgerport.store.jobs import JobRow
from ledgerport.store.overview import AccountSummary
from ledgerport.store.sync_runs import SyncRun, record_sync_run
from ledgerport.store.sync_states import due_accounts, schedule_next
from ledgerport.sync.engine import SyncDeps, SyncReport, sync_account
from ledgerport.sync.status import failure_cause, record_abandoned

__all__ = [
    "RUN_DONE",
    "RUN_FAILED",
    "RUN_STOPPED",
    "RUN_THROTTLED",
    "SYNC_RUN",
    "account_next_sync",
    "next_sync_start",
    "queue_sync",
    "schedule_tick",
    "sync_abandoned",
    "sync_handlers",
]

log = logging.getLogger(__name__)

SYNC_RUN = "sync.run"

RUN_DONE = "DONE"
RUN_FAILED = "FAILED"
RUN_THROTTLED = "THROTTLED"
"""The provider asked for a long wait: the job was queued again for then."""
RUN_STOPPED = "STOPPED"
"""The worker stopped (shutdown, lost lease): the job runs again from where the run got to."""


async def queue_sync(
    session: WriteSession,
    *,
    linked_account_id: uuid.UUID,
    models: Sequence[str] | None = None,
    wakeups: Wakeups | None = None,
) -> uuid.UUID:
    """Queue a sync of the account (or return the one already queued or running)."""
    payload: dict[str, object] = {"linked_account_id": str(linked_account_id)}
    if models:
        payload["models"] = list(models)
    return await submit(
        session,
        kind=SYNC_RUN,
        payload=payload,
        linked_account_id=linked_account_id,
        dedupe_key=f"sync:{linked_account_id}",
        wakeups=wakeups,
    )


def sync_handlers(deps: SyncDeps) -> Mapping[str, Handler]:
    """Handlers by job kind, bound to this process's dependencies."""

    async def run(context: JobContext) -> None:
        payload = context.row.payload
        account_id = uuid.UUID(str(payload["linked_account_id"]))
        report = SyncReport()
        started = clock.now_micros()
        ended: tuple[str, str | None] = (RUN_STOPPED, None)  # until the run says otherwise (a cancelled task)
        try:
            await sync_account(
                deps, account_id, models=payload.get("models"), checkpoint=context.checkpoint, report=report
            )
            ended = (RUN_DONE, None)
        except AuthRevoked as revoked:
            ended = (RUN_FAILED, failure_cause(revoked).reason)
            return  # recorded by the engine; only a person relinking can fix it
        except RateLimited as throttled:
            ended = (RUN_THROTTLED, failure_cause(throttled).reason)
            await _retry_at(deps.database, account_id, throttled.retry_after)
            raise RetryLater(throttled.retry_after, str(throttled)) from throttled
        except (LeaseLost, WorkerStopping):
            raise  # the run was stopped, not failed: the job runs again as it is
        except Exception as exc:
            ended = (RUN_FAILED, failure_cause(exc).reason)
            await _retry_at(deps.database, account_id, context.retry_in)
            raise
        finally:
            await _record_run(deps.database, context.row.id, account_id, started, report, ended)

    return {SYNC_RUN: run}


async def _record_run(
    database: Database,
    job_id: uuid.UUID,
    account_id: uuid.UUID,
    started: int,
    report: SyncReport,
    ended: tuple[str, str | None],
) -> None:
    """Keep what the run did in the account's sync history; best effort, like every report about a run."""
    run = SyncRun(
        id=uuid.uuid4(),
        linked_account_id=account_id,
        job_id=job_id,
        started_at=started,
        finished_at=clock.now_micros(),
        result=ended[0],
        fetched=dict(report.fetched),
        deleted=dict(report.deleted),
        requests=report.requests,
        reason=ended[1],
    )
    try:
        async with database.write() as session:
            if await find_linked_account_by_id(session, account_id=account_id) is not None:  # not deleted meanwhile
                await record_sync_run(session, run)
    except Exception:  # the run's own outcome matters more than its history
        log.exception("recording the sync run of %s failed", account_id)


async def _retry_at(database: Database, account_id: uuid.UUID, seconds: float | None) -> None:
    """``next_sync_start`` of a failed run: when the job runs again (``None``: not before the schedule)."""
    if seconds is None:
        return
    try:
        async with database.write() as session:
            at = clock.now_micros() + int(seconds * 1_000_000)
            await schedule_next(session, linked_account_id=account_id, at=at)
    except Exception:  # the failure being handled matters more than this detail of it
        log.exception("recording when the sync of %s runs again failed", account_id)


def sync_abandoned() -> Mapping[str, Abandoned]:
    """What the worker calls when it gives a sync job up unrun: the account's sync-status and issues say why."""

    async def abandoned(database: Database, row: JobRow, reason: str) -> None:
        account_id = uuid.UUID(str(row.payload["linked_account_id"]))
        async with database.read() as session:
            account = await find_linked_account_by_id(session, account_id=account_id)
        if account is not None:
            await record_abandoned(
                database, organization_id=account.organization_id, account_id=account_id, reason=reason
            )

    return {SYNC_RUN: abandoned}


def schedule_tick(interval_seconds: int, wakeups: Wakeups | None = None) -> Tick:
    """A ticker callback that queues due syncs."""

    async def tick(database: Database) -> None:
        async with database.read() as session:
            due = await due_accounts(session, now=clock.now_micros(), interval=interval_seconds * 1_000_000)
        for account_id in due:
            async with database.write() as session:
                await queue_sync(session, linked_account_id=account_id, wakeups=wakeups)

    return tick


def next_sync_start(
    *,
    queued_at: int | None,
    scheduled: bool,
    oldest_finished: int | None,
    retry_at: int | None,
    interval_seconds: int,
    now: int,
) -> int | None:
    """When a sync of the account next starts (epoch µs), or ``None`` when none ever will.

    * ``queued_at``: the ``run_after`` of a sync job already queued (a resync, a retry, a tick's); a worker takes it
      once it is due.
    * ``scheduled``: whether the schedule syncs the account at all (it has credentials, needs no relinking).
    * ``oldest_finished``: the earliest ``last_sync_finished`` over its models (``0`` for one never finished,
      ``None`` when no sync began); the tick queues the account once that is ``interval_seconds`` old, and an
      overdue account at its next tick, so ``now`` answers for it.
    * ``retry_at``: when a failed run said it runs again, which comes first while it lies ahead.
    """
    if queued_at is not None:
        return max(queued_at, now)
    if not scheduled:
        return None
    if retry_at is not None and retry_at >= now:
        return retry_at
    return max((oldest_finished or 0) + interval_seconds * 1_000_000, now)


def account_next_sync(summary: AccountSummary, *, interval_seconds: int, now: int) -> int | None:
    """:func:`next_sync_start` for one account as the operators' listings summarize it (CLI and dashboard alike)."""
    return next_sync_start(
        queued_at=summary.queued_at,
        scheduled=summary.has_credentials and summary.account.status != "RELINK_NEEDED",
        oldest_finished=summary.oldest_finished,
        retry_at=summary.retry_at,
        interval_seconds=interval_seconds,
        now=now,
    )
