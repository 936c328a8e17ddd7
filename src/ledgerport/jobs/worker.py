"""The worker: claims due job rows, runs their handlers under a renewed lease, and records how each run ended.

One loop claims while a slot is free (``concurrency``), and otherwise waits for a slot, a wake-up hint, the poll
interval, or ``stop``. Each claimed job runs in its own task beside a renewal loop that extends the lease every
``lease_seconds / 3``; when a renewal finds the job taken over (this worker stalled past its lease), the handler is
cancelled, since another worker is already running it.

How a run ends::

    handler returns             -> finish (done)
    RetryLater(seconds)         -> release to queued at now + seconds (attempt given back)
    WorkerStopping (checkpoint) -> release to queued now (attempt given back)
    LeaseLost / cancelled       -> nothing: the new owner writes the outcome
    any other exception         -> fail: queued again after exponential backoff (``JobContext.retry_in``), or
                                   failed for good once ``max_attempts`` are spent

A worker that dies (SIGKILL, OOM, a stall past its lease) spends none of those attempts: the next claim is a
takeover, counted apart. A job taken over ``max_takeovers`` times is failed for good without being run ("the
worker running this job stopped N times"), so a job that kills its workers cannot do so forever, and the
``abandoned`` callback of its kind records why where the job's room shows it. The count is of takeovers in a row
without progress: a handler that committed a step says so (``checkpoint(progressed=True)``) and the count starts
again, since a job that gets further each time is not what kills its workers.

On ``stop`` the worker claims nothing more and waits for running jobs, whose next :meth:`JobContext.checkpoint`
raises :class:`WorkerStopping`, so each ends after its current step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from ledgerport.jobs.registry import (
    Abandoned,
    Handler,
    JobContext,
    LeaseLost,
    RetryLater,
    WorkerStopping,
    check_handlers,
)
from ledgerport.jobs.ticker import Ticker
from ledgerport.jobs.wakeups import LocalWakeups, Subscription, Wakeups, open_wakeups
from ledgerport.kit import clock
from ledgerport.kit.metrics import JOB_RUNS, JOBS_RUNNING
from ledgerport.store import Database
from ledgerport.store import jobs as job_rows
from ledgerport.store.jobs import JobRow

__all__ = ["Worker", "default_owner", "run_worker"]

log = logging.getLogger(__name__)


def default_owner() -> str:
    """``host:pid``, so a lease in the table says which process holds it."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class Worker:
    """Runs jobs of the kinds in ``handlers`` from ``database`` until ``run``'s stop event is set."""

    def __init__(
        self,
        database: Database,
        handlers: Mapping[str, Handler],
        *,
        concurrency: int = 4,
        lease_seconds: float = 60.0,
        poll_interval: float = 1.0,
        owner: str | None = None,
        wakeups: Wakeups | None = None,
        max_attempts: int = 5,
        max_takeovers: int = 10,
        retry_base: float = 2.0,
        retry_cap: float = 3600.0,
        abandoned: Mapping[str, Abandoned] | None = None,
    ) -> None:
        if min(concurrency, max_attempts, max_takeovers) < 1 or lease_seconds <= 0 or poll_interval <= 0:
            raise ValueError(
                "concurrency, lease_seconds, poll_interval, max_attempts and max_takeovers must be positive"
            )
        self.database = database
        self.handlers = check_handlers(handlers)
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.owner = (owner or default_owner())[:54]  # + "/" + 8 hex fits lease_owner's 64
        self.wakeups: Wakeups = wakeups if wakeups is not None else LocalWakeups()
        self.max_attempts = max_attempts
        self.max_takeovers = max_takeovers
        self.abandoned = dict(abandoned or {})
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self._stopping = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and run jobs until ``stop`` is set, then let running jobs end their current step."""
        subscription = self.wakeups.subscribe(self.handlers)
        running: set[asyncio.Task[None]] = set()
        stopped = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                if len(running) >= self.concurrency:
                    await asyncio.wait({*running, stopped}, return_when=asyncio.FIRST_COMPLETED)
                    continue
                subscription.clear()
                row = await self._claim()
                if row is None:
                    await self._pause(subscription, stopped)
                    continue
                task = asyncio.create_task(self._execute(row), name=f"job:{row.kind}:{row.id}")
                running.add(task)
                task.add_done_callback(running.discard)
        finally:
            self._stopping.set()
            stopped.cancel()
            self.wakeups.unsubscribe(subscription)
            if running:
                try:
                    await asyncio.gather(*running, return_exceptions=True)
                except asyncio.CancelledError:
                    for task in running:
                        task.cancel()  # their leases expire and other workers take the jobs over
                    raise

    async def _pause(self, subscription: Subscription, stopped: asyncio.Task[Any]) -> None:
        hinted = asyncio.create_task(subscription.wait())
        try:
            await asyncio.wait({hinted, stopped}, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            hinted.cancel()

    async def _claim(self) -> JobRow | None:
        lease = f"{self.owner}/{secrets.token_hex(4)}"  # one token per claim fences every later write
        try:
            async with self.database.write() as session:
                return await job_rows.claim(
                    session,
                    kinds=list(self.handlers),
                    owner=lease,
                    lease_seconds=self.lease_seconds,
                    now=clock.now_micros(),
                )
        except Exception:
            log.exception("claiming a job failed; retrying after the poll interval")
            return None

    async def _renew(self, row: JobRow, *, progressed: bool = False) -> bool:
        assert row.lease_owner is not None
        async with self.database.write() as session:
            return await job_rows.renew(
                session,
                row.id,
                owner=row.lease_owner,
                lease_seconds=self.lease_seconds,
                now=clock.now_micros(),
                progressed=progressed,
            )

    async def _keep_lease(self, row: JobRow, context: JobContext, work: asyncio.Task[None]) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                held = await self._renew(row)
            except Exception:  # the database blinked: try again; the lease has two more periods to go
                log.warning("renewing the lease of job %s failed", row.id, exc_info=True)
                continue
            if not held:
                log.warning("job %s (%s) was taken over by another worker; stopping this run", row.id, row.kind)
                context.mark_lost()
                work.cancel()
                return

    async def _execute(self, row: JobRow) -> None:
        assert row.lease_owner is not None
        owner = row.lease_owner
        if row.takeovers >= self.max_takeovers:  # a job that kills its workers stops here
            await self._abandon(row, f"the worker running this job stopped {row.takeovers} times")
            return
        retry_in = None if row.attempts >= self.max_attempts else self._backoff(row.attempts)
        context = JobContext(
            row=row,
            database=self.database,
            renew=lambda: self._renew(row),
            stopping=self._stopping,
            retry_in=retry_in,
            progress=lambda: self._renew(row, progressed=True),
        )
        running = JOBS_RUNNING.labels(kind=row.kind)
        running.inc()
        work = asyncio.create_task(self.handlers[row.kind](context))
        keeper = asyncio.create_task(self._keep_lease(row, context, work))
        try:
            await asyncio.wait({work})
        finally:
            running.dec()
            keeper.cancel()
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        error = None if work.cancelled() else work.exception()
        if context.lost or work.cancelled() or isinstance(error, LeaseLost):
            JOB_RUNS.labels(kind=row.kind, outcome="lost").inc()
            return
        now = clock.now_micros()
        if error is None:
            JOB_RUNS.labels(kind=row.kind, outcome="done").inc()
            await self._record(row, lambda s: job_rows.finish(s, row.id, owner=owner))
        elif isinstance(error, WorkerStopping):
            JOB_RUNS.labels(kind=row.kind, outcome="released").inc()
            await self._record(row, lambda s: job_rows.release(s, row.id, owner=owner, run_after=now))
        elif isinstance(error, RetryLater):
            JOB_RUNS.labels(kind=row.kind, outcome="released").inc()
            retry_at = now + int(error.seconds * 1_000_000)
            await self._record(row, lambda s: job_rows.release(s, row.id, owner=owner, run_after=retry_at))
        else:
            JOB_RUNS.labels(kind=row.kind, outcome="failed").inc()
            log.error("job %s (%s) attempt %d failed", row.id, row.kind, row.attempts, exc_info=error)
            text = f"{type(error).__name__}: {error}"
            retry = None if retry_in is None else now + int(retry_in * 1e6)
            await self._record(row, lambda s: job_rows.fail(s, row.id, owner=owner, error=text, retry_at=retry))

    async def _abandon(self, row: JobRow, reason: str) -> None:
        """Fail the job for good without running it, then let its room record why."""
        assert row.lease_owner is not None
        owner = row.lease_owner
        log.error("job %s (%s) given up: %s", row.id, row.kind, reason)
        if not await self._record(row, lambda s: job_rows.fail(s, row.id, owner=owner, error=reason, retry_at=None)):
            return
        callback = self.abandoned.get(row.kind)
        if callback is None:
            return
        try:
            await callback(self.database, row, reason)
        except Exception:
            log.exception("recording why job %s was given up failed", row.id)

    def _backoff(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1``: doubling from ``retry_base``, capped, with ±20 % jitter."""
        delay = min(self.retry_cap, self.retry_base * 2 ** (attempts - 1))
        return delay * random.uniform(0.8, 1.2)  # noqa: S311 - spreading retries, not a secret

    async def _record(self, row: JobRow, write: Callable[[Any], Awaitable[bool]]) -> bool:
        """Whether the outcome was written (``False``: the write failed, or another worker holds the job now)."""
        try:
            async with self.database.write() as session:
                held = await write(session)
        except Exception:  # the lease will expire and another claim retries the job
            log.exception("recording the outcome of job %s failed", row.id)
            return False
        if not held:
            log.warning("job %s (%s) ended after its lease was taken over; outcome dropped", row.id, row.kind)
        return held


async def run_worker(
    database_url: str,
    handlers: Mapping[str, Handler],
    *,
    concurrency: int,
    redis_url: str | None,
    stop: asyncio.Event,
    tickers: Callable[[Database, Wakeups], Sequence[Ticker]] | None = None,
    lease_seconds: float = 60.0,
    abandoned: Mapping[str, Abandoned] | None = None,
) -> None:
    """``ledgerport worker``: one :class:`Worker` (and the :class:`Ticker` values ``tickers`` builds over this
    process's database and wake-up channel) until ``stop`` is set.

    Several such processes may share one database; each claims its own rows and every tick is idempotent.
    """
    database = Database(database_url)
    wakeups = await open_wakeups(redis_url)
    try:
        worker = Worker(
            database,
            handlers,
            concurrency=concurrency,
            wakeups=wakeups,
            lease_seconds=lease_seconds,
            abandoned=abandoned,
        )
        loops = [worker.run(stop)]
        if tickers is not None:
            loops += [ticker.run(stop) for ticker in tickers(database, wakeups)]
        await asyncio.gather(*loops)
    finally:
        await wakeups.close()
        await database.dispose()
