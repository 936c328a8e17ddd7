"""Xero's per-tenant limits as ASGI middleware: 5 in flight, 60 per minute, 5,000 per day, 10,000 per app-minute.

It wraps the fault layer, so injected latency is spent holding a concurrency slot as a slow Xero call would. A
refused call is a 429 with ``Retry-After`` and ``X-Rate-Limit-Problem`` (``minute``, ``day``, ``appminute``,
``concurrent``); a counted call gets the ``X-*Limit-Remaining`` headers. Every request is counted per path and
tenant for ``/_sandbox/stats``. Only ``/api.xro/`` calls that name a tenant are limited, as on Xero.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ledgerport.sandboxes._kit import ConcurrencyGate, WindowCounter
from ledgerport.sandboxes.xero.errors import problem_body

__all__ = ["Limits", "Throttle"]


@dataclass(frozen=True)
class Limits:
    """The numbers; Xero's defaults."""

    per_minute: int = 60
    per_day: int = 5_000
    concurrent: int = 5
    app_per_minute: int = 10_000


class Throttle:
    """Counts and limits requests before they reach the sandbox."""

    def __init__(
        self, app: Any, *, clock: Callable[[], float] = time.time, limits: Limits | None = None, enabled: bool = True
    ) -> None:
        self.app = app
        self.enabled = enabled
        self.limits = limits or Limits()
        self.configure(self.limits, clock)
        self.stats: Counter[tuple[str, str]] = Counter()
        self.refused: Counter[tuple[str, str]] = Counter()
        """Of ``stats``, the requests answered 429 by a limit (a client's retry of one is a second request)."""

    def configure(self, limits: Limits, clock: Callable[[], float] = time.time) -> None:
        """(Re)build the counters, forgetting what was counted."""
        self.limits = limits
        self.minute = WindowCounter(limits.per_minute, 60, clock)
        self.day = WindowCounter(limits.per_day, 86_400, clock)
        self.app_minute = WindowCounter(limits.app_per_minute, 60, clock)
        self.gate = ConcurrencyGate(limits.concurrent)

    async def _refuse(self, send: Any, problem_name: str, retry_after: int, extra: list[tuple[bytes, bytes]]) -> None:
        body = problem_body(429, "Too Many Requests", f"Rate limit exceeded: {problem_name}")
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
            (b"x-rate-limit-problem", problem_name.encode()),
            *extra,
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _count(self, tenant: str) -> tuple[str, int, list[tuple[bytes, bytes]]] | list[tuple[bytes, bytes]]:
        allowed, minute_left, retry = self.minute.hit(tenant)
        if not allowed:
            return "minute", retry, [(b"x-minlimit-remaining", b"0")]
        allowed, day_left, retry = self.day.hit(tenant)
        if not allowed:
            return "day", retry, [(b"x-daylimit-remaining", b"0")]
        allowed, app_left, retry = self.app_minute.hit("app")
        if not allowed:
            return "appminute", retry, [(b"x-appminlimit-remaining", b"0")]
        return [
            (b"x-minlimit-remaining", str(minute_left).encode()),
            (b"x-daylimit-remaining", str(day_left).encode()),
            (b"x-appminlimit-remaining", str(app_left).encode()),
        ]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Count, refuse or pass on one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        tenant = headers.get(b"xero-tenant-id", b"").decode("latin-1").strip().lower()
        self.stats[(scope["path"], tenant)] += 1
        if not self.enabled or not tenant or not scope["path"].lower().startswith("/api.xro/"):
            await self.app(scope, receive, send)
            return
        if not self.gate.enter(tenant):
            self.refused[(scope["path"], tenant)] += 1
            await self._refuse(send, "concurrent", 1, [])
            return
        try:
            counted = self._count(tenant)
            if isinstance(counted, tuple):
                self.refused[(scope["path"], tenant)] += 1
                await self._refuse(send, *counted)
                return

            async def with_headers(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), *counted]}
                await send(message)

            await self.app(scope, receive, with_headers)
        finally:
            self.gate.leave(tenant)
