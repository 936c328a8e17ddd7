"""Per-key request quotas with the generic cell rate algorithm (GCRA).

GCRA keeps one number per key (the theoretical arrival time of the next request), answers in O(1), spreads a
quota of N per minute evenly instead of allowing N at the top of each minute, and yields the exact
``Retry-After`` a refused caller should wait. :class:`MemoryQuota` serves one process (the embedded default);
:class:`RedisQuota` runs the same arithmetic in one Lua call so that every server process sharing a Redis
shares each key's budget.

:meth:`Quota.check` answers without counting: a budget of *failures* (spent only when something goes wrong) is
checked before the work and hit after it fails.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol

__all__ = ["Decision", "MemoryQuota", "Quota", "RedisQuota", "retry_after_header"]


class Decision(tuple[bool, float]):
    """``(allowed, retry_after_seconds)``; ``retry_after`` is 0 when allowed."""

    __slots__ = ()

    @property
    def allowed(self) -> bool:
        """Whether the request may proceed."""
        return self[0]

    @property
    def retry_after(self) -> float:
        """Seconds until a request for this key would be allowed."""
        return self[1]


class Quota(Protocol):
    """A per-key budget of ``limit`` requests per ``period`` seconds (burst up to ``limit``)."""

    async def hit(self, key: str) -> Decision:
        """Count one request for ``key`` and say whether it is allowed."""
        ...

    async def check(self, key: str) -> Decision:
        """Whether a request for ``key`` would be allowed now, without counting it."""
        ...


class MemoryQuota:
    """GCRA in process memory."""

    def __init__(self, limit: int, period: float = 60.0) -> None:
        self._interval = period / limit
        self._burst = period  # a full quota may arrive at once
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()

    async def hit(self, key: str) -> Decision:
        """Count one request for ``key``."""
        now = time.monotonic()
        with self._lock:
            tat = max(self._tat.get(key, now), now)
            allow_at = tat + self._interval - self._burst
            if allow_at > now:
                return Decision((False, allow_at - now))
            self._tat[key] = tat + self._interval
            if len(self._tat) > 100_000:  # forget idle keys so memory stays bounded
                self._tat = {k: v for k, v in self._tat.items() if v > now}
            return Decision((True, 0.0))

    async def check(self, key: str) -> Decision:
        """Whether ``key`` has budget left, without spending it."""
        now = time.monotonic()
        with self._lock:
            allow_at = max(self._tat.get(key, now), now) + self._interval - self._burst
        return Decision((True, 0.0)) if allow_at <= now else Decision((False, allow_at - now))


_GCRA_LUA = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or t)
if tat < t then tat = t end
local allow_at = tat + interval - burst
if allow_at > t then return {0, tostring(allow_at - t)} end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil(burst * 1000) + 1000)
return {1, '0'}
"""

_GCRA_CHECK_LUA = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or t)
if tat < t then tat = t end
local allow_at = tat + tonumber(ARGV[1]) - tonumber(ARGV[2])
if allow_at > t then return {0, tostring(allow_at - t)} end
return {1, '0'}
"""


class RedisQuota:
    """GCRA in Redis, atomic per key; the server's clock is the only clock, so processes never disagree."""

    def __init__(self, client: object, limit: int, period: float = 60.0, prefix: str = "ledgerport:quota:") -> None:
        from redis.asyncio import Redis

        if not isinstance(client, Redis):
            raise TypeError("RedisQuota needs a redis.asyncio.Redis client")
        self._client = client
        self._script = client.register_script(_GCRA_LUA)
        self._check = client.register_script(_GCRA_CHECK_LUA)
        self._interval = period / limit
        self._burst = period
        self._prefix = prefix

    async def hit(self, key: str) -> Decision:
        """Count one request for ``key``."""
        allowed, wait = await self._script(keys=[self._prefix + key], args=[self._interval, self._burst])
        return Decision((bool(int(allowed)), float(wait)))

    async def check(self, key: str) -> Decision:
        """Whether ``key`` has budget left, without spending it."""
        allowed, wait = await self._check(keys=[self._prefix + key], args=[self._interval, self._burst])
        return Decision((bool(int(allowed)), float(wait)))


def retry_after_header(seconds: float) -> str:
    """Whole seconds, rounded up, as ``Retry-After`` wants them."""
    return str(max(1, math.ceil(seconds)))
