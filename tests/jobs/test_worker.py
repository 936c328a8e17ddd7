"""The worker on every reachable database: concurrency, retries, leases, graceful stop, and a SIGKILLed process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from crash_worker import connect, make_handler

from harness import REDIS_URL, redis_problem
from ledgerport.jobs import (
    JobContext,
    LeaseLost,
    LocalWakeups,
    RedisWakeups,
    RetryLater,
    Wakeups,
    Worker,
    check_handlers,
    open_wakeups,
    submit,
)
from ledgerport.kit import clock
from ledgerport.store import Database
from ledgerport.store import jobs as job_rows
from ledgerport.store.jobs import DONE, FAILED, QUEUED, RUNNING, JobRow

SECOND = 1_000_000


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def kind() -> str:
    """A kind of this test's own: the session database is shared with other tests."""
    return f"t{uuid.uuid4().hex[:12]}.run"


async def queue(database: Database, kind: str, payload: dict[str, Any] | None = None) -> uuid.UUID:
    async with database.write() as session:
        return await submit(session, kind=kind, payload=payload or {})


async def row_of(database: Database, job_id: uuid.UUID) -> JobRow:
    async with database.read() as session:
        return await job_rows.get(session, job_id)


async def wait_for(check: Callable[[], Awaitable[bool]], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.05)


async def wait_status(database: Database, job_id: uuid.UUID, status: str, *, timeout: float = 10) -> JobRow:
    async def reached() -> bool:
        return (await row_of(database, job_id)).status == status

    await wait_for(reached, timeout=timeout)
    return await row_of(database, job_id)


@contextlib.asynccontextmanager
async def running(worker: Worker) -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


def fast(database: Database, handlers: dict[str, Any], **options: Any) -> Worker:
    options = {"poll_interval": 0.02, "lease_seconds": 2.0, "retry_base": 0.05, **options}
    return Worker(database, handlers, **options)


async def test_jobs_run_to_completion_with_bounded_concurrency(database: Database, kind: str) -> None:
    active, peak, seen = 0, 0, []

    async def handler(context: JobContext) -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.2)
        seen.append(context.row.payload["n"])
        active -= 1

    ids = [await queue(database, kind, {"n": n}) for n in range(7)]
    started = time.monotonic()
    async with running(fast(database, {kind: handler}, concurrency=3)):
        for job_id in ids:
            row = await wait_status(database, job_id, DONE)
            assert (row.attempts, row.lease_owner, row.error) == (1, None, None)
    assert sorted(seen) == list(range(7))
    assert peak == 3
    assert time.monotonic() - started < 2.0, "three at a time, not one"


async def test_failures_back_off_exponentially_then_fail_for_good(database: Database, kind: str) -> None:
    calls: list[float] = []

    async def handler(context: JobContext) -> None:
        calls.append(time.monotonic())
        raise ValueError(f"nope #{context.row.attempts}")

    job_id = await queue(database, kind)
    async with running(fast(database, {kind: handler}, max_attempts=3, retry_base=0.1)):
        row = await wait_status(database, job_id, FAILED)
    assert (row.attempts, row.error, row.dedupe_key, row.lease_owner) == (3, "ValueError: nope #3", None, None)
    assert len(calls) == 3
    first_gap, second_gap = calls[1] - calls[0], calls[2] - calls[1]
    assert first_gap >= 0.08, first_gap
    assert second_gap >= 0.16, second_gap


async def test_a_job_that_fails_once_then_succeeds_is_done(database: Database, kind: str) -> None:
    async def handler(context: JobContext) -> None:
        if context.row.attempts == 1:
            raise RuntimeError("transient")

    job_id = await queue(database, kind)
    async with running(fast(database, {kind: handler})):
        row = await wait_status(database, job_id, DONE)
    assert row.attempts == 2


async def test_retry_later_reschedules_without_spending_an_attempt(database: Database, kind: str) -> None:
    calls: list[float] = []

    async def handler(context: JobContext) -> None:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise RetryLater(0.3, "provider said Retry-After: 0.3")

    job_id = await queue(database, kind)
    async with running(fast(database, {kind: handler}, max_attempts=1)):
        row = await wait_status(database, job_id, DONE)
    assert row.attempts == 1, "RetryLater is not a failure, so max_attempts=1 still lets it succeed"
    assert len(calls) == 3
    assert calls[1] - calls[0] >= 0.28
    assert calls[2] - calls[1] >= 0.28


async def test_renewal_keeps_a_job_longer_than_its_lease_owned(database: Database, kind: str) -> None:
    async def handler(context: JobContext) -> None:
        for _ in range(10):
            await asyncio.sleep(0.25)
            await context.checkpoint()

    job_id = await queue(database, kind)
    thefts = 0
    async with running(fast(database, {kind: handler}, lease_seconds=1.0)):
        await wait_status(database, job_id, RUNNING)
        while (await row_of(database, job_id)).status != DONE:
            async with database.write() as session:
                stolen = await job_rows.claim(
                    session, kinds=[kind], owner="thief", lease_seconds=1, now=clock.now_micros()
                )
            thefts += stolen is not None
            await asyncio.sleep(0.1)
    row = await row_of(database, job_id)
    assert (thefts, row.attempts, row.status) == (0, 1, DONE)


async def test_checkpoint_raises_lease_lost_once_another_worker_took_over(database: Database, kind: str) -> None:
    started, stolen = asyncio.Event(), asyncio.Event()
    outcome: list[str] = []

    async def handler(context: JobContext) -> None:
        started.set()
        await stolen.wait()
        try:
            await context.checkpoint()
        except LeaseLost:
            outcome.append("lease lost")
            raise
        outcome.append("went on")

    job_id = await queue(database, kind)
    async with running(fast(database, {kind: handler}, lease_seconds=30)):
        await asyncio.wait_for(started.wait(), timeout=10)
        async with database.write() as session:  # as if our lease had expired and another worker claimed it
            thief = await job_rows.claim(
                session, kinds=[kind], owner="thief", lease_seconds=30, now=clock.now_micros() + 60 * SECOND
            )
        assert thief is not None
        assert thief.id == job_id
        stolen.set()
        await wait_for(lambda: _true_when(outcome), timeout=5)
    assert outcome == ["lease lost"]
    row = await row_of(database, job_id)
    assert (row.status, row.lease_owner) == (RUNNING, "thief"), "the loser wrote nothing"
    assert (row.attempts, row.takeovers) == (1, 1), "the takeover spent no attempt"


async def _true_when(items: list[Any]) -> bool:
    return bool(items)


async def test_a_lost_lease_cancels_a_handler_that_never_checkpoints(database: Database, kind: str) -> None:
    started = asyncio.Event()
    cancelled: list[bool] = []

    async def handler(context: JobContext) -> None:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    job_id = await queue(database, kind)
    async with running(fast(database, {kind: handler}, lease_seconds=0.6)):
        await asyncio.wait_for(started.wait(), timeout=10)
        async with database.write() as session:
            assert await job_rows.claim(
                session, kinds=[kind], owner="thief", lease_seconds=30, now=clock.now_micros() + 60 * SECOND
            )
        await wait_for(lambda: _true_when(cancelled), timeout=3)
    assert (await row_of(database, job_id)).lease_owner == "thief"


async def test_stop_ends_jobs_at_their_next_checkpoint_and_requeues_them(database: Database, kind: str) -> None:
    steps: list[int] = []
    started = asyncio.Event()

    async def stepwise(context: JobContext) -> None:
        for step in range(100):
            await context.checkpoint()
            started.set()
            steps.append(step)
            await asyncio.sleep(0.1)

    job_id = await queue(database, kind)
    worker = fast(database, {kind: stepwise})
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(started.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    row = await row_of(database, job_id)
    assert (row.status, row.attempts, row.lease_owner) == (QUEUED, 0, None), "stopping is not a failed attempt"
    assert 1 <= len(steps) < 10


async def _workers_died_holding(database: Database, kind: str, claims: int) -> uuid.UUID:
    """A job that ``claims`` workers claimed and died holding (the first claim, then takeovers); every lease
    expired long ago."""
    long_ago = clock.now_micros() - 100 * SECOND
    async with database.write() as session:
        job_id = await job_rows.insert(session, kind=kind, payload={}, run_after=long_ago)
    for claim in range(claims):
        async with database.write() as session:
            assert await job_rows.claim(
                session, kinds=[kind], owner=f"dead-{claim}", lease_seconds=1, now=long_ago + claim * 2 * SECOND
            )
    return job_id


async def test_killed_workers_do_not_spend_the_attempts_meant_for_errors(database: Database, kind: str) -> None:
    job_id = await _workers_died_holding(database, kind, claims=6)  # more deaths than max_attempts
    retry_in: list[float | None] = []

    async def handler(context: JobContext) -> None:
        retry_in.append(context.retry_in)
        if context.row.attempts < 3:
            raise RuntimeError(f"a real error, attempt {context.row.attempts}")

    async with running(fast(database, {kind: handler}, max_attempts=3)):
        row = await wait_status(database, job_id, DONE)
    assert (row.attempts, row.takeovers) == (3, 6), "three real attempts, whatever the killed workers did"
    assert len(retry_in) == 3
    assert all(seconds is not None and seconds > 0 for seconds in retry_in[:2])
    assert retry_in[2] is None, "the last attempt knows no retry follows"


async def test_a_job_taken_over_too_often_fails_for_good_with_the_reason(database: Database, kind: str) -> None:
    job_id = await _workers_died_holding(database, kind, claims=4)  # the first claim, then three takeovers
    ran: list[bool] = []
    abandoned: list[tuple[uuid.UUID, str]] = []

    async def handler(context: JobContext) -> None:
        ran.append(True)

    async def record(db: Database, row: JobRow, reason: str) -> None:
        abandoned.append((row.id, reason))

    worker = fast(database, {kind: handler}, max_attempts=3, max_takeovers=4, abandoned={kind: record})
    async with running(worker):
        row = await wait_status(database, job_id, FAILED)
    assert not ran, "a job that kills its workers is not run again"
    assert (row.attempts, row.takeovers) == (1, 4)
    assert row.error == "the worker running this job stopped 4 times"
    assert abandoned == [(job_id, "the worker running this job stopped 4 times")]


async def test_a_job_that_gets_further_starts_its_count_of_takeovers_again(database: Database, kind: str) -> None:
    """Killed workers are counted in a row: a run that committed a step (``checkpoint(progressed=True)``) clears
    the count, so a long job whose workers die now and then is not given up while it gets further each time."""
    job_id = await _workers_died_holding(database, kind, claims=4)  # this claim will be takeover 4 of at most 5
    seen: list[int] = []

    async def handler(context: JobContext) -> None:
        await context.checkpoint()  # no step committed yet: the count stands
        seen.append((await row_of(database, context.row.id)).takeovers)
        await context.checkpoint(progressed=True)
        seen.append((await row_of(database, context.row.id)).takeovers)

    async with running(fast(database, {kind: handler}, max_takeovers=5)):
        row = await wait_status(database, job_id, DONE)
    assert seen == [4, 0]
    assert row.takeovers == 0


def test_handler_kinds_are_room_dot_verb() -> None:
    async def handler(context: JobContext) -> None:
        return None

    assert list(check_handlers({"sync.run": handler})) == ["sync.run"]
    for bad in ("sync", "Sync.Run", "sync.run.now", ""):
        with pytest.raises(ValueError, match="<room>.<verb>"):
            check_handlers({bad: handler})
    with pytest.raises(ValueError, match="at least one"):
        check_handlers({})


async def test_a_sigkilled_worker_process_loses_nothing(database: Database, kind: str, tmp_path: Path) -> None:
    effects_path = str(tmp_path / "effects.db")
    connect(effects_path).close()
    steps, step_seconds = 3, 0.4
    job_id = await queue(database, kind, {"steps": steps})
    script = Path(__file__).with_name("crash_worker.py")
    log = (tmp_path / "doomed.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our interpreter, our script
        [sys.executable, str(script), database.url, effects_path, kind, "1.0", str(step_seconds)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:

        async def second_step_started() -> bool:
            assert process.poll() is None, (tmp_path / "doomed.log").read_text()
            with contextlib.closing(sqlite3.connect(effects_path)) as db:
                return bool(db.execute("SELECT 1 FROM starts WHERE step = 1").fetchone())

        await wait_for(second_step_started, timeout=20)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()

    orphan = await row_of(database, job_id)
    assert orphan.status == RUNNING
    assert orphan.lease_owner is not None
    assert orphan.lease_owner.startswith(f"doomed-{process.pid}/")

    rescuer = Worker(database, {kind: make_handler(effects_path, step_seconds)}, lease_seconds=1.0, poll_interval=0.05)
    async with running(rescuer):
        row = await wait_status(database, job_id, DONE, timeout=15)
    assert (row.attempts, row.takeovers, row.error) == (1, 1, None), "the killed run spent no attempt"

    with contextlib.closing(sqlite3.connect(effects_path)) as db:
        effects = db.execute("SELECT step, pid FROM effects ORDER BY step").fetchall()
        starts = db.execute("SELECT step, pid FROM starts ORDER BY rowid").fetchall()
    assert [step for step, _ in effects] == list(range(steps)), "every step's effect exactly once"
    assert effects[0][1] == process.pid
    assert effects[-1][1] == os.getpid()
    assert starts.count((1, process.pid)) == 1, "step 1 was interrupted..."
    assert starts.count((1, os.getpid())) == 1, "...and redone"
    assert (0, os.getpid()) not in starts, "the finished step was not redone"


async def _idle_worker_starts_a_submitted_job_promptly(
    database: Database, kind: str, subscriber: Wakeups, publisher: Wakeups
) -> float:
    async def handler(context: JobContext) -> None:
        return None

    worker = Worker(database, {kind: handler}, poll_interval=30, lease_seconds=2, wakeups=subscriber)
    async with running(worker):
        await asyncio.sleep(0.3)  # the worker found nothing and is now waiting out its 30 s poll
        submitted = time.monotonic()
        async with database.write() as session:
            job_id = await submit(session, kind=kind, payload={}, wakeups=publisher)
        await wait_status(database, job_id, DONE, timeout=5)
        return time.monotonic() - submitted


async def test_local_wakeups_start_a_job_without_waiting_for_the_poll(database: Database, kind: str) -> None:
    wakeups = LocalWakeups()  # embedded mode: the server's submitters and its worker share one
    assert await _idle_worker_starts_a_submitted_job_promptly(database, kind, wakeups, wakeups) < 2


async def test_redis_wakeups_start_a_job_without_waiting_for_the_poll(database: Database, kind: str) -> None:
    problem = redis_problem()
    if problem is not None:
        pytest.skip(problem)
    channel = f"ledgerport:test:{uuid.uuid4().hex}"
    subscriber = await open_wakeups(REDIS_URL, channel=channel)  # the worker process's
    publisher = await open_wakeups(REDIS_URL, channel=channel)  # an API process's
    try:
        assert isinstance(subscriber, RedisWakeups)
        assert await _idle_worker_starts_a_submitted_job_promptly(database, kind, subscriber, publisher) < 2
    finally:
        await publisher.close()
        await subscriber.close()
