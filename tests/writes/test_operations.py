"""``store.operations.claim_operation`` on every reachable database: what a request carrying an Idempotency-Key may
do with its operation (run, replay, busy, mismatch), and taking over an operation whose owner died.

Time is moved by patching the one clock (``kit.clock.now``), never slept through.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from ledgerport.kit import clock
from ledgerport.store import Database
from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.operations import (
    Claim,
    claim_operation,
    finish_operation,
    purge_write_history,
    release_operation,
)

LEASE = 30.0
MakeAccount = Callable[..., Awaitable[LinkedAccount]]


class Clock:
    """``kit.clock.now`` under the test's control."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = clock.now()
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)

    @property
    def micros(self) -> int:
        return clock.to_micros(self.at)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
async def account(make_account: MakeAccount) -> LinkedAccount:
    return await make_account()


async def claim(
    database: Database, account: LinkedAccount, key: str, digest: str = "d1", lease: float = LEASE
) -> Claim:
    async with database.write() as session:
        return await claim_operation(
            session,
            linked_account_id=account.id,
            idempotency_key=key,
            request_digest=digest,
            model="Invoice",
            kind="create",
            record_id=None,
            lease_seconds=lease,
        )


async def finish(database: Database, operation_id: uuid.UUID, status: int = 201, body: bytes = b'{"model":1}') -> None:
    async with database.write() as session:
        await finish_operation(session, operation_id=operation_id, status_code=status, response=body, remote_id="130")


def _key() -> str:
    return f"key-{uuid.uuid4().hex}"


async def test_a_new_key_runs(database: Database, account: LinkedAccount, frozen: Clock) -> None:
    first = await claim(database, account, _key())
    assert (first.outcome, first.attempts) == ("run", 1)


async def test_the_same_key_while_it_runs_is_busy_until_the_lease_ends(
    database: Database, account: LinkedAccount, frozen: Clock
) -> None:
    key = _key()
    first = await claim(database, account, key)
    frozen.advance(10)
    second = await claim(database, account, key)
    assert (second.outcome, second.operation_id) == ("busy", first.operation_id)
    assert second.retry_after == pytest.approx(LEASE - 10)


async def test_a_finished_operation_replays_its_answer(
    database: Database, account: LinkedAccount, frozen: Clock
) -> None:
    key = _key()
    first = await claim(database, account, key)
    await finish(database, first.operation_id, 201, b'{"model":{"id":"x"}}')
    frozen.advance(LEASE * 10)
    again = await claim(database, account, key)
    assert (again.outcome, again.operation_id, again.status_code, again.response) == (
        "replay",
        first.operation_id,
        201,
        b'{"model":{"id":"x"}}',
    )


async def test_the_same_key_with_another_request_is_a_mismatch(
    database: Database, account: LinkedAccount, frozen: Clock
) -> None:
    key = _key()
    first = await claim(database, account, key, "d1")
    assert (await claim(database, account, key, "d2")).outcome == "mismatch", "while it runs"
    await finish(database, first.operation_id)
    assert (await claim(database, account, key, "d2")).outcome == "mismatch", "once it is done"
    assert (await claim(database, account, key, "d1")).outcome == "replay"


async def test_a_released_operation_runs_again_under_the_same_id(
    database: Database, account: LinkedAccount, frozen: Clock
) -> None:
    key = _key()
    first = await claim(database, account, key)
    async with database.write() as session:
        await release_operation(session, operation_id=first.operation_id)
    again = await claim(database, account, key)
    assert (again.outcome, again.operation_id, again.attempts) == ("run", first.operation_id, 2)
    assert (await claim(database, account, key)).outcome == "busy", "and it is owned again"


async def test_an_operation_whose_owner_died_is_taken_over_after_its_lease(
    database: Database, account: LinkedAccount, frozen: Clock
) -> None:
    """The owner never finishes or releases (SIGKILL); a retry inside the lease waits, one after it takes over
    the same operation, so the provider is presented the same key."""
    key = _key()
    first = await claim(database, account, key)
    frozen.advance(LEASE - 0.001)
    assert (await claim(database, account, key)).outcome == "busy"
    frozen.advance(0.002)
    taken = await claim(database, account, key)
    assert (taken.outcome, taken.operation_id, taken.attempts) == ("run", first.operation_id, 2)
    busy = await claim(database, account, key)
    assert busy.outcome == "busy", "the new owner holds a fresh lease"
    assert busy.retry_after == pytest.approx(LEASE)


async def test_keys_belong_to_one_linked_account(database: Database, make_account: MakeAccount, frozen: Clock) -> None:
    key = _key()
    one, other = await make_account(), await make_account()
    first = await claim(database, one, key, "d1")
    elsewhere = await claim(database, other, key, "d2")
    assert elsewhere.outcome == "run"
    assert elsewhere.operation_id != first.operation_id


async def test_concurrent_claims_of_a_new_key_run_it_once(database: Database, account: LinkedAccount) -> None:
    key = _key()
    claims = await asyncio.gather(*(claim(database, account, key) for _ in range(6)))
    assert sorted(c.outcome for c in claims) == ["busy"] * 5 + ["run"]
    assert len({c.operation_id for c in claims}) == 1


async def test_concurrent_take_overs_run_it_once(database: Database, account: LinkedAccount, frozen: Clock) -> None:
    key = _key()
    await claim(database, account, key)
    frozen.advance(LEASE + 1)
    claims = await asyncio.gather(*(claim(database, account, key) for _ in range(6)))
    assert sorted(c.outcome for c in claims) == ["busy"] * 5 + ["run"]


class Dawdling:
    """A write session that pauses after every statement, so that concurrent claims interleave their reads and
    writes (the widest window two processes could hit), whatever the database serializes on its own."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def get_bind(self) -> Any:
        return self.session.get_bind()

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        result = await self.session.execute(statement, parameters)
        await asyncio.sleep(0.05)
        return result


async def dawdling_claim(database: Database, account: LinkedAccount, key: str) -> Claim:
    async with database.write() as session:
        return await claim_operation(
            Dawdling(session),  # type: ignore[arg-type]
            linked_account_id=account.id,
            idempotency_key=key,
            request_digest="d1",
            model="Invoice",
            kind="create",
            record_id=None,
            lease_seconds=LEASE,
        )


async def test_interleaved_claims_of_a_new_key_run_it_once(database: Database, account: LinkedAccount) -> None:
    key = _key()
    claims = await asyncio.gather(*(dawdling_claim(database, account, key) for _ in range(2)))
    assert sorted(c.outcome for c in claims) == ["busy", "run"]


async def test_interleaved_take_overs_run_it_once(database: Database, account: LinkedAccount, frozen: Clock) -> None:
    """Both read the operation as free before either writes: only one may own it (SQLite takes no row lock)."""
    key = _key()
    first = await claim(database, account, key)
    frozen.advance(LEASE + 1)
    claims = await asyncio.gather(*(dawdling_claim(database, account, key) for _ in range(2)))
    assert sorted(c.outcome for c in claims) == ["busy", "run"]
    (winner,) = [c for c in claims if c.outcome == "run"]
    assert (winner.operation_id, winner.attempts) == (first.operation_id, 2)


async def test_purge_forgets_old_finished_operations_but_never_a_running_one(
    database: Database, account: LinkedAccount, frozen: Clock
) -> None:
    done_key, running_key = _key(), _key()
    done = await claim(database, account, done_key)
    await finish(database, done.operation_id)
    running = await claim(database, account, running_key)
    frozen.advance(3600)
    async with database.write() as session:
        await purge_write_history(session, operations_before=frozen.micros, logs_before=0)
    assert (await claim(database, account, done_key)).outcome == "run", "forgotten: a new operation"
    kept = await claim(database, account, running_key)
    assert (kept.outcome, kept.operation_id) == ("run", running.operation_id), "taken over, not forgotten"


def test_the_clock_is_patched_where_the_store_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards the fixture: ``now_micros`` must read the patched ``now``."""
    at = datetime(2030, 1, 1, tzinfo=clock.now().tzinfo)
    monkeypatch.setattr(clock, "now", lambda: at)
    assert clock.now_micros() == clock.to_micros(at)
