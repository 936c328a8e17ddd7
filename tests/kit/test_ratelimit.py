from __future__ import annotations

import uuid

import pytest

from ledgerport.kit.ratelimit import MemoryQuota, RedisQuota, retry_after_header


async def test_memory_quota_allows_the_limit_then_refuses() -> None:
    quota = MemoryQuota(limit=5, period=60)
    decisions = [await quota.hit("a") for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert 0 < decisions[-1].retry_after <= 12.0  # one request's worth of the period
    assert (await quota.hit("b")).allowed  # keys do not share budgets


@pytest.mark.parametrize(("seconds", "header"), [(0.01, "1"), (1.0, "1"), (1.2, "2"), (59.9, "60")])
def test_retry_after_rounds_up(seconds: float, header: str) -> None:
    assert retry_after_header(seconds) == header


async def test_redis_quota_is_shared_between_clients() -> None:
    from harness import REDIS_URL, redis_problem

    problem = redis_problem()
    if problem:
        pytest.skip(problem)
    from redis.asyncio import Redis

    first, second = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    key = uuid.uuid4().hex
    try:
        a, b = RedisQuota(first, limit=4, period=60), RedisQuota(second, limit=4, period=60)
        allowed = [(await quota.hit(key)).allowed for quota in (a, b, a, b, a)]
        assert allowed == [True, True, True, True, False]
    finally:
        await first.aclose()
        await second.aclose()


async def test_check_answers_without_spending() -> None:
    quota = MemoryQuota(limit=2, period=60)
    for _ in range(5):
        assert (await quota.check("a")).allowed
    assert (await quota.hit("a")).allowed
    assert (await quota.hit("a")).allowed
    refused = await quota.check("a")
    assert not refused.allowed
    assert 0 < refused.retry_after <= 30.0
    assert (await quota.check("b")).allowed


async def test_redis_check_sees_what_other_clients_spent() -> None:
    from harness import REDIS_URL, redis_problem

    problem = redis_problem()
    if problem:
        pytest.skip(problem)
    from redis.asyncio import Redis

    first, second = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    key = uuid.uuid4().hex
    try:
        spender, watcher = RedisQuota(first, limit=2, period=60), RedisQuota(second, limit=2, period=60)
        assert [(await watcher.check(key)).allowed for _ in range(3)] == [True] * 3
        assert [(await spender.hit(key)).allowed for _ in range(2)] == [True, True]
        refused = await watcher.check(key)
        assert not refused.allowed
        assert 0 < refused.retry_after <= 30.0
        assert not (await spender.hit(key)).allowed
    finally:
        await first.aclose()
        await second.aclose()
