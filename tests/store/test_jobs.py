"""Job rows on every reachable database: dedupe, claim order and exclusivity, leases, and state transitions."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from ledgerport.kit import clock
from ledgerport.store import Database
from ledgerport.store import jobs as job_rows
from ledgerport.store.jobs import DONE, FAILED, QUEUED, RUNNING

SECOND = 1_000_000


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def kind() -> str:
    """A kind of this test's own: the session database is shared, so claims must never see other tests' jobs."""
    return f"t{uuid.uuid4().hex[:12]}.run"


async def _insert(database: Database, kind: str, **options: object) -> uuid.UUID:
    async with database.write() as session:
        return await job_rows.insert(session, kind=kind, payload={"n": 1}, **options)  # type: ignore[arg-type]


async def _claim(database: Database, kind: str, owner: str, *, now: int, lease: float = 1.0) -> job_rows.JobRow | None:
    async with database.write() as session:
        return await job_rows.claim(session, kinds=[kind], owner=owner, lease_seconds=lease, now=now)


async def _get(database: Database, job_id: uuid.UUID) -> job_rows.JobRow:
    async with database.read() as session:
        return await job_rows.get(session, job_id)


async def test_insert_stores_a_queued_row(database: Database, kind: str) -> None:
    job_id = await _insert(database, kind)
    row = await _get(database, job_id)
    assert (row.kind, row.status, row.attempts, row.payload, row.lease_owner) == (kind, QUEUED, 0, {"n": 1}, None)
    assert row.run_after == row.created_at
    async with database.read() as session:
        assert await job_rows.find(session, uuid.uuid4()) is None
        with pytest.raises(job_rows.JobNotFound):
            await job_rows.get(session, uuid.uuid4())


async def test_dedupe_returns_the_live_job_until_it_ends(database: Database, kind: str) -> None:
    key = f"{kind}:dedupe"
    first = await _insert(database, kind, dedupe_key=key)
    assert await _insert(database, kind, dedupe_key=key) == first
    now = clock.now_micros()
    claimed = await _claim(database, kind, "a", now=now)
    assert claimed is not None
    assert claimed.id == first
    assert await _insert(database, kind, dedupe_key=key) == first, "a running job is live too"
    async with database.write() as session:
        assert await job_rows.finish(session, first, owner="a")
    second = await _insert(database, kind, dedupe_key=key)
    assert second != first
    assert (await _get(database, first)).dedupe_key is None

    now = clock.now_micros()
    claimed = await _claim(database, kind, "b", now=now)
    assert claimed is not None
    assert claimed.id == second
    async with database.write() as session:
        assert await job_rows.fail(session, second, owner="b", error="boom", retry_at=now)
    assert await _insert(database, kind, dedupe_key=key) == second, "a job waiting to retry keeps its key"
    claimed = await _claim(database, kind, "c", now=now)
    assert claimed is not None
    assert claimed.id == second
    async with database.write() as session:
        assert await job_rows.fail(session, second, owner="c", error="boom", retry_at=None)
    assert await _insert(database, kind, dedupe_key=key) not in {first, second}


async def test_concurrent_inserts_of_one_dedupe_key_make_one_job(database: Database, kind: str) -> None:
    ids = await asyncio.gather(*(_insert(database, kind, dedupe_key=f"{kind}:race") for _ in range(8)))
    assert len(set(ids)) == 1
    async with database.read() as session:
        assert len(await job_rows.list_jobs(session, kinds=[kind])) == 1


async def test_claim_takes_the_oldest_due_job_first(database: Database, kind: str) -> None:
    now = clock.now_micros()
    middle = await _insert(database, kind, run_after=now - 2 * SECOND)
    newest = await _insert(database, kind, run_after=now - 1 * SECOND)
    oldest = await _insert(database, kind, run_after=now - 3 * SECOND)
    order = [await _claim(database, kind, f"w{i}", now=now) for i in range(4)]
    assert [row.id if row else None for row in order] == [oldest, middle, newest, None]
    first = order[0]
    assert first is not None
    assert (first.status, first.attempts, first.lease_owner, first.lease_expires_at) == (
        RUNNING,
        1,
        "w0",
        now + SECOND,
    )


async def test_future_jobs_and_other_kinds_are_not_claimed(database: Database, kind: str) -> None:
    now = clock.now_micros()
    later = await _insert(database, kind, run_after=now + 10 * SECOND)
    await _insert(database, f"{kind}_other")
    assert await _claim(database, kind, "a", now=now) is None
    claimed = await _claim(database, kind, "a", now=now + 10 * SECOND)
    assert claimed is not None
    assert claimed.id == later


async def test_concurrent_claimers_never_share_a_job(database: Database, kind: str) -> None:
    now = clock.now_micros()
    for _ in range(24):
        await _insert(database, kind, run_after=now - SECOND)

    async def claimer(name: str) -> list[uuid.UUID]:
        taken: list[uuid.UUID] = []
        while (row := await _claim(database, kind, name, now=now, lease=30)) is not None:
            assert row.lease_owner == name
            taken.append(row.id)
        return taken

    results = await asyncio.gather(*(claimer(f"claimer-{i}") for i in range(8)))
    every = [job_id for taken in results for job_id in taken]
    assert len(every) == 24
    assert len(set(every)) == 24, "a job was claimed twice"
    if database.dialect == "postgresql":
        assert sum(1 for taken in results if taken) > 1, "claims should interleave across connections"


async def test_an_expired_lease_is_claimable_and_the_old_owner_is_fenced_out(database: Database, kind: str) -> None:
    job_id = await _insert(database, kind)
    now = clock.now_micros()
    assert await _claim(database, kind, "dead", now=now, lease=1) is not None
    assert await _claim(database, kind, "alive", now=now + SECOND // 2) is None, "the lease still holds"
    async with database.write() as session:
        assert await job_rows.renew(session, job_id, owner="dead", lease_seconds=1, now=now + SECOND // 2)
    taken = await _claim(database, kind, "alive", now=now + 2 * SECOND)
    assert taken is not None
    assert taken.id == job_id
    assert (taken.attempts, taken.takeovers, taken.lease_owner) == (1, 1, "alive"), "a takeover spends no attempt"
    async with database.write() as session:
        assert not await job_rows.renew(session, job_id, owner="dead", lease_seconds=1, now=now + 2 * SECOND)
        assert not await job_rows.finish(session, job_id, owner="dead")
        assert not await job_rows.fail(session, job_id, owner="dead", error="late", retry_at=None)
        assert await job_rows.renew(session, job_id, owner="alive", lease_seconds=1, now=now + 2 * SECOND)
    row = await _get(database, job_id)
    assert (row.status, row.lease_owner, row.lease_expires_at) == (RUNNING, "alive", now + 3 * SECOND)


async def test_finish_fail_retry_and_release_transitions(database: Database, kind: str) -> None:
    now = clock.now_micros()
    job_id = await _insert(database, kind, run_after=now)
    assert await _claim(database, kind, "a", now=now) is not None
    async with database.write() as session:
        assert await job_rows.fail(session, job_id, owner="a", error="E" * 5000, retry_at=now + 5 * SECOND)
    row = await _get(database, job_id)
    assert (row.status, row.run_after, row.attempts, row.lease_owner) == (QUEUED, now + 5 * SECOND, 1, None)
    assert row.error == "E" * 4000
    assert await _claim(database, kind, "b", now=now + 4 * SECOND) is None

    assert await _claim(database, kind, "b", now=now + 5 * SECOND) is not None
    async with database.write() as session:
        assert await job_rows.release(session, job_id, owner="b", run_after=now + 6 * SECOND)
    row = await _get(database, job_id)
    assert (row.status, row.run_after, row.attempts) == (QUEUED, now + 6 * SECOND, 1), "release gives the attempt back"

    assert await _claim(database, kind, "c", now=now + 6 * SECOND) is not None
    async with database.write() as session:
        assert await job_rows.finish(session, job_id, owner="c", now=now + 7 * SECOND)
        assert not await job_rows.finish(session, job_id, owner="c"), "only a running job can finish"
    row = await _get(database, job_id)
    assert (row.status, row.finished_at, row.attempts, row.lease_owner) == (DONE, now + 7 * SECOND, 2, None)
    assert await _claim(database, kind, "d", now=now + 60 * SECOND) is None

    doomed = await _insert(database, kind, run_after=now)
    assert await _claim(database, kind, "e", now=now) is not None
    async with database.write() as session:
        assert await job_rows.fail(session, doomed, owner="e", error="bad", retry_at=None, now=now + SECOND)
    row = await _get(database, doomed)
    assert (row.status, row.error, row.finished_at) == (FAILED, "bad", now + SECOND)


async def test_list_jobs_filters(database: Database, kind: str) -> None:
    now = clock.now_micros()
    first = await _insert(database, kind, now=now - 2)
    second = await _insert(database, kind, now=now - 1)
    await _insert(database, f"{kind}_other")
    assert await _claim(database, kind, "a", now=now) is not None
    async with database.read() as session:
        mine = await job_rows.list_jobs(session, kinds=[kind])
        running = await job_rows.list_jobs(session, kinds=[kind], statuses=[RUNNING])
        nobody = await job_rows.list_jobs(session, kinds=[kind], linked_account_id=uuid.uuid4())
    assert [row.id for row in mine] == [first, second]
    assert [row.id for row in running] == [first]
    assert nobody == []
