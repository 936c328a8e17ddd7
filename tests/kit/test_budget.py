from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from ledgerport.kit.budget import MemoryBudget, Quotas, RedisBudget


async def test_memory_concurrency_is_capped() -> None:
    budget = MemoryBudget()
    active = peak = 0

    async def call() -> None:
        nonlocal active, peak
        async with budget.slot("k", Quotas(concurrent=3)):
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1

    await asyncio.gather(*(call() for _ in range(12)))
    assert peak == 3


async def test_memory_pause_holds_callers_back() -> None:
    budget = MemoryBudget()
    await budget.pause("k", 0.2)
    started = time.monotonic()
    async with budget.slot("k", Quotas()):
        pass
    assert time.monotonic() - started >= 0.15


async def test_redis_budget_is_shared_and_leases_concurrency() -> None:
    from harness import REDIS_URL, redis_problem

    if problem := redis_problem():
        pytest.skip(problem)
    from redis.asyncio import Redis

    clients = [Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)]
    budgets = [RedisBudget(client) for client in clients]
    key = uuid.uuid4().hex
    active = peak = 0

    async def call(budget: RedisBudget) -> None:
        nonlocal active, peak
        async with budget.slot(key, Quotas(concurrent=2, per_minute=1000)):
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.02)
            active -= 1

    try:
        await asyncio.gather(*(call(budgets[n % 2]) for n in range(8)))
        assert peak == 2
        await budgets[0].pause(key, 0.3)
        started = time.monotonic()
        async with budgets[1].slot(key, Quotas()):
            pass
        assert time.monotonic() - started >= 0.2
    finally:
        for client in clients:
            await client.aclose()


async def _one_call(budget: RedisBudget, key: str) -> None:
    async with budget.slot(key, Quotas(per_minute=3)):
        pass


async def test_redis_window_is_sliding() -> None:
    from harness import REDIS_URL, redis_problem

    if problem := redis_problem():
        pytest.skip(problem)
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    budget = RedisBudget(client)
    key = uuid.uuid4().hex
    try:
        for _ in range(3):
            async with budget.slot(key, Quotas(per_minute=3)):
                pass
        with pytest.raises(TimeoutError):  # the fourth call must wait for the first to leave the minute
            await asyncio.wait_for(_one_call(budget, key), timeout=1.5)
    finally:
        await client.aclose()
