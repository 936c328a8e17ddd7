"""BC's per-user request limit as ASGI middleware: 6,000 OData requests in any 5-minute sliding window -> 429.

The window is sliding (FACTS §5: "per 5-minute sliding window"), so it keeps each caller's request times and counts
those younger than 300 s. The caller is the token's ``oid`` (a user or a service principal), read without
verification: a bad token is the API's 401 to give, after counting. A refusal is BC's 429 body with
``Retry-After`` set to the seconds until the oldest counted request leaves the window (BC does not promise the
header; FACTS §5 VERIFY). ``stats`` counts every request per path prefix and status for ``/_sandbox/stats``.
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from ledgerport.sandboxes.business_central.errors import error_body

__all__ = ["Throttle"]


def _caller(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            try:
                payload = value[7:].split(b".")[1]
                claims = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
                return str(claims.get("oid") or "")
            except (IndexError, ValueError):
                return ""
    return ""


def _resource(path: str) -> str:
    """The last segment of an API path without its key: ``salesInvoices``, ``$batch``, ``Microsoft.NAV.post``."""
    return path.rstrip("/").rsplit("/", 1)[-1].split("(", 1)[0]


class Throttle:
    """Counts requests and refuses those over the window."""

    def __init__(
        self,
        app: Any,
        *,
        clock: Callable[[], float] = time.time,
        enabled: bool = True,
        limit: int = 6_000,
        window: float = 300.0,
    ) -> None:
        self.app = app
        self.clock = clock
        self.enabled = enabled
        self.limit = limit
        self.window = window
        self.calls: dict[str, deque[float]] = {}
        self.stats: Counter[tuple[str, int]] = Counter()
        self.requests: Counter[tuple[str, str]] = Counter()
        """API requests by method and resource: the entity set (or ``$batch``, an action) the path ends at."""

    def configure(self, *, limit: int | None = None, window: float | None = None, enabled: bool | None = None) -> None:
        """Change the limit at run time (``/_sandbox/limits``); the counted calls are forgotten."""
        if limit is not None:
            self.limit = limit
        if window is not None:
            self.window = window
        if enabled is not None:
            self.enabled = enabled
        self.calls.clear()

    def _hit(self, caller: str) -> int:
        """0 if allowed, else the seconds to wait."""
        now = self.clock()
        times = self.calls.setdefault(caller, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return max(1, math.ceil(times[0] + self.window - now))
        times.append(now)
        return 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Count, refuse or pass on one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        kind = "api" if path.startswith("/v2.0/") else path.split("/")[1] if path.count("/") > 0 else path
        if "/oauth2/" in path:
            kind = "oauth"
        caller = _caller(scope.get("headers", [])) if kind == "api" else ""
        if kind == "api":
            self.requests[(scope["method"], _resource(path))] += 1
        if self.enabled and caller and kind == "api":
            wait = self._hit(caller)
            if wait:
                self.stats[(kind, 429)] += 1
                body = error_body(
                    "Application_TooManyRequests",
                    "The request limit of 6000 requests per 5 minutes was exceeded. Please retry later.".replace(
                        "6000", str(self.limit)
                    ),
                )
                headers = [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(wait).encode()),
                ]
                await send({"type": "http.response.start", "status": 429, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return

        async def counted(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.stats[(kind, message["status"])] += 1
            await send(message)

        await self.app(scope, receive, counted)
