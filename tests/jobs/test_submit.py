"""submit: the row joins the caller's transaction; the wake-up hint goes out only after it commits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from ledgerport.jobs import LocalWakeups, submit
from ledgerport.kit import clock
from ledgerport.store import Database
from ledgerport.store import jobs as job_rows


class CountingWakeups(LocalWakeups):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def notify(self, kind: str) -> None:
        self.sent.append(kind)
        super().notify(kind)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def kind() -> str:
    return f"t{uuid.uuid4().hex[:12]}.run"


async def test_the_hint_follows_the_commit(database: Database, kind: str) -> None:
    wakeups = CountingWakeups()
    subscription = wakeups.subscribe([kind])
    async with database.write() as session:
        job_id = await submit(session, kind=kind, payload={"a": 1}, wakeups=wakeups)
        await submit(session, kind=kind, payload={"a": 2}, wakeups=wakeups)
        assert not subscription.woken, "no worker may look before the row is visible"
    assert subscription.woken
    assert wakeups.sent == [kind], "one hint per kind per transaction"
    async with database.read() as session:
        assert (await job_rows.get(session, job_id)).payload == {"a": 1}


async def test_a_rolled_back_submit_leaves_no_row_and_sends_no_hint(database: Database, kind: str) -> None:
    wakeups = CountingWakeups()

    async def failing_request() -> None:
        async with database.write() as session:
            await submit(session, kind=kind, payload={}, wakeups=wakeups)
            raise RuntimeError("caller failed")

    with pytest.raises(RuntimeError, match="caller failed"):
        await failing_request()
    assert wakeups.sent == []
    async with database.read() as session:
        assert await job_rows.list_jobs(session, kinds=[kind]) == []


async def test_future_jobs_send_no_hint_and_dedupe_returns_the_live_job(database: Database, kind: str) -> None:
    wakeups = CountingWakeups()
    async with database.write() as session:
        later = clock.now_micros() + 60_000_000
        first = await submit(session, kind=kind, payload={}, run_after=later, dedupe_key=kind, wakeups=wakeups)
    async with database.write() as session:
        again = await submit(session, kind=kind, payload={}, run_after=later, dedupe_key=kind)
    assert again == first
    assert wakeups.sent == []
