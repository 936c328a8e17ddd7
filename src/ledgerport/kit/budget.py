"""Outbound request budgets shared by every worker that calls the same provider account.

A provider limits calls per account (QBO: 500/min and 10 concurrent per realm; Xero: 60/min, 5 concurrent and
5,000/day per tenant). Every worker and server process calling that account must draw from one budget, or N
workers get throttled N times as often. A :class:`Budget` hands out *slots*: entering one waits until the
per-minute and per-day quotas and the concurrency limit allow a call, and until any ``Retry-After`` pause set by
:meth:`Budget.pause` is over. Quotas are sliding windows (at most N calls in any period), the strictest reading of
a provider's "N per minute": a token bucket that refills continuously would let a full burst plus the refill
through within one of the provider's windows, and earn a 429 for it.

:class:`MemoryBudget` serves one process (the embedded default). :class:`RedisBudget` runs the same decision as
one Lua script per attempt, so all processes on all machines share it; concurrency slots are leases that expire,
so a SIGKILLed worker never holds a slot for ever.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["Budget", "MemoryBudget", "Quotas", "RedisBudget"]


@dataclass(frozen=True)
class Quotas:
    """Limits for one key; ``None`` means unlimited."""

    per_minute: int | None = None
    per_day: int | None = None
    concurrent: int | None = None
    window: tuple[int, float] | None = None
    """At most ``(calls, seconds)`` in any such period, for a provider whose window is neither a minute nor a day
    (Business Central: 6,000 calls in any 5 minutes)."""


class Budget(Protocol):
    """Slots for outbound calls, per key."""

    def slot(self, key: str, quotas: Quotas) -> Any:
        """An async context manager that waits for a slot and holds it for one call."""
        ...

    async def pause(self, key: str, seconds: float) -> None:
        """Nobody calls ``key`` for ``seconds`` (the provider said ``Retry-After``)."""
        ...


def _windows(quotas: Quotas) -> list[tuple[str, int, float]]:
    """``(name, limit, period)`` for each configured quota."""
    rows = [("minute", quotas.per_minute, 60.0), ("day", quotas.per_day, 86_400.0)]
    if quotas.window is not None:
        rows.append(("window", *quotas.window))
    return [(name, limit, period) for name, limit, period in rows if limit]


@dataclass
class MemoryBudget:
    """One process's budget."""

    clock: Callable[[], float] = time.monotonic
    _calls: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _paused_until: dict[str, float] = field(default_factory=dict)
    _active: dict[str, int] = field(default_factory=dict)

    def _wait(self, key: str, quotas: Quotas) -> float:
        now = self.clock()
        waits = [self._paused_until.get(key, 0.0) - now]
        if quotas.concurrent and self._active.get(key, 0) >= quotas.concurrent:
            waits.append(0.01)
        for name, limit, period in _windows(quotas):
            calls = self._calls.setdefault((key, name), deque())
            while calls and calls[0] <= now - period:
                calls.popleft()
            if len(calls) >= limit:
                waits.append(calls[0] + period - now)
        wait = max(waits)
        if wait > 0:
            return wait
        for name, _, _ in _windows(quotas):
            self._calls[(key, name)].append(now)
        self._active[key] = self._active.get(key, 0) + 1
        return 0.0

    @asynccontextmanager
    async def slot(self, key: str, quotas: Quotas) -> AsyncIterator[None]:
        """Wait for a slot, hold it while the block runs."""
        while (wait := self._wait(key, quotas)) > 0:
            await asyncio.sleep(min(wait, 1.0))
        try:
            yield
        finally:
            self._active[key] -= 1

    async def pause(self, key: str, seconds: float) -> None:
        """Hold every caller of ``key`` back for ``seconds``."""
        self._paused_until[key] = max(self._paused_until.get(key, 0.0), self.clock() + seconds)


_ACQUIRE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local paused = tonumber(redis.call('GET', KEYS[1]) or 0)
if paused > now then return {0, tostring(paused - now)} end
local limit = tonumber(ARGV[1])
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= limit then return {0, '0.02'} end
end
local wait = 0
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local quota = tonumber(ARGV[5 + i * 2]); local period = tonumber(ARGV[6 + i * 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[3 + i], '-inf', now - period)
  if redis.call('ZCARD', KEYS[3 + i]) >= quota then
    local oldest = tonumber(redis.call('ZRANGE', KEYS[3 + i], 0, 0, 'WITHSCORES')[2])
    local w = oldest + period - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return {0, tostring(wait)} end
for i = 0, n - 1 do
  local period = tonumber(ARGV[6 + i * 2])
  redis.call('ZADD', KEYS[3 + i], now, ARGV[3] .. ':' .. i)
  redis.call('PEXPIRE', KEYS[3 + i], math.ceil(period * 1000) + 1000)
end
if limit > 0 then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[2], math.ceil(tonumber(ARGV[2]) * 1000) + 1000)
end
return {1, '0'}
"""

_PAUSE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or 0)
if until_ > current then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 1
"""


class RedisBudget:
    """A budget shared through Redis by every process; the Redis server's clock is the only clock."""

    def __init__(self, client: Any, *, prefix: str = "ledgerport:budget:", lease_seconds: float = 120.0) -> None:
        self._client = client
        self._prefix = prefix
        self._lease = lease_seconds
        self._acquire = client.register_script(_ACQUIRE)
        self._pause = client.register_script(_PAUSE)

    @asynccontextmanager
    async def slot(self, key: str, quotas: Quotas) -> AsyncIterator[None]:
        """Wait for a slot in Redis, hold its lease while the block runs."""
        base = self._prefix + key
        windows = _windows(quotas)
        keys = [f"{base}:paused", f"{base}:active", *(f"{base}:{name}" for name, _, _ in windows)]
        holder = uuid.uuid4().hex
        args: list[Any] = [quotas.concurrent or 0, self._lease, holder, len(windows)]
        for _, limit, period in windows:
            args += [limit, period]
        while True:
            allowed, wait = await self._acquire(keys=keys, args=args)
            if int(allowed):
                break
            await asyncio.sleep(min(float(wait), 1.0))
        try:
            yield
        finally:
            if quotas.concurrent:
                await self._client.zrem(f"{base}:active", holder)

    async def pause(self, key: str, seconds: float) -> None:
        """Hold every process's callers of ``key`` back for ``seconds``."""
        await self._pause(keys=[f"{self._prefix}{key}:paused"], args=[seconds])
