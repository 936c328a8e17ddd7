"""Request accounting as the providers do it: fixed windows per key and a concurrency gate per key."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ConcurrencyGate", "WindowCounter"]


@dataclass
class WindowCounter:
    """At most ``limit`` requests per ``period`` seconds per key, in fixed windows (QBO per minute, Xero per day)."""

    limit: int
    period: float
    clock: Callable[[], float] = time.time
    _windows: dict[str, tuple[int, int]] = field(default_factory=dict)

    def hit(self, key: str) -> tuple[bool, int, int]:
        """Count a request: ``(allowed, remaining, retry_after_seconds)``."""
        now = self.clock()
        window = int(now // self.period)
        start, count = self._windows.get(key, (window, 0))
        if start != window:
            start, count = window, 0
        if count >= self.limit:
            retry = max(1, math.ceil((window + 1) * self.period - now))
            return False, 0, retry
        self._windows[key] = (start, count + 1)
        return True, self.limit - count - 1, 0


@dataclass
class ConcurrencyGate:
    """At most ``limit`` requests in flight per key; a request over it is refused at once, not queued."""

    limit: int
    _active: dict[str, int] = field(default_factory=dict)

    def enter(self, key: str) -> bool:
        """Try to take a slot."""
        if self._active.get(key, 0) >= self.limit:
            return False
        self._active[key] = self._active.get(key, 0) + 1
        return True

    def leave(self, key: str) -> None:
        """Give a slot back."""
        self._active[key] = max(0, self._active.get(key, 1) - 1)
