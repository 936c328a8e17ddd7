"""Ticker: every tick at start and then every interval; a failing tick never stops the others."""

from __future__ import annotations

import asyncio
import time

import pytest

from ledgerport.jobs import Ticker
from ledgerport.store import Database


async def test_ticks_repeat_survive_failures_and_stop_promptly() -> None:
    database = Database("sqlite:///:memory:")
    counts = {"good": 0, "bad": 0}

    async def good(db: Database) -> None:
        assert db is database
        counts["good"] += 1

    async def bad(db: Database) -> None:
        counts["bad"] += 1
        raise RuntimeError("schedule broke")

    stop = asyncio.Event()
    task = asyncio.create_task(Ticker(database, {"bad": bad, "good": good}, interval=0.1).run(stop))
    await asyncio.sleep(0.35)
    stop.set()
    started = time.monotonic()
    await asyncio.wait_for(task, timeout=2)
    assert time.monotonic() - started < 0.5
    assert 3 <= counts["good"] <= 5
    assert counts["bad"] == counts["good"]
    await database.dispose()


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Ticker(Database("sqlite:///:memory:"), {}, interval=0)
