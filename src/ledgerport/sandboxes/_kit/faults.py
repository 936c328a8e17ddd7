"""Fault injection as pure ASGI middleware: latency, 5xx, 429 storms and malformed pages.

Latency is the provider taking its time: the request has arrived (its body is read before the delay), so it is
served even when the client has gone by the time the delay is over.

Faults are a mutable settings object shared with the sandbox's control endpoint, so a test can turn a storm on
mid-sync. Draws come from a seeded ``random.Random``, so a given seed fails the same requests every run.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Faults", "FaultsMiddleware"]

Scope = dict[str, Any]
Receive = Any
Send = Any


@dataclass
class Faults:
    """What to break. Rates are probabilities per request, 0 to 1; paths listed in ``exempt`` are never broken."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    throttle_rate: float = 0.0
    throttle_retry_after: int = 1
    malformed_rate: float = 0.0
    seed: int = 0
    exempt: tuple[str, ...] = ("/_sandbox", "/oauth", "/connect", "/authorize", "/token")
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - reproducible faults, not secrets

    def roll(self, rate: float) -> bool:
        """A seeded draw."""
        return rate > 0 and self._random.random() < rate

    def update(self, **changes: Any) -> None:
        """Change settings at run time (the control endpoint calls this)."""
        for name, value in changes.items():
            if name.startswith("_") or not hasattr(self, name):
                raise ValueError(f"unknown fault setting {name!r}")
            setattr(self, name, type(getattr(self, name))(value))
        if "seed" in changes:
            self._random = random.Random(self.seed)  # noqa: S311 - reproducible faults, not secrets


async def _received(receive: Receive) -> Receive:
    """Read the whole request now and hand it on later: a slow provider works on a request it has received even
    if the client goes away meanwhile (a client killed mid-call never hears the answer; the write still happens)."""
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            break

    async def replay() -> dict[str, Any]:
        return messages.pop(0) if messages else await receive()

    return replay


class FaultsMiddleware:
    """Wraps a sandbox app; ``throttle_body`` and ``error_body`` render the provider's own fault bodies."""

    def __init__(
        self,
        app: Any,
        faults: Faults,
        *,
        throttle_body: bytes,
        throttle_type: bytes,
        error_body: bytes = b'{"error":"service unavailable"}',
    ) -> None:
        self.app = app
        self.faults = faults
        self.throttle_body = throttle_body
        self.throttle_type = throttle_type
        self.error_body = error_body

    async def _respond(
        self, send: Send, status: int, body: bytes, content_type: bytes, extra: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(extra or [])]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Apply the configured faults to HTTP requests outside the exempt paths."""
        faults = self.faults
        if scope["type"] != "http" or scope["path"].startswith(faults.exempt):
            await self.app(scope, receive, send)
            return
        if faults.latency_ms:
            receive = await _received(receive)
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.roll(faults.throttle_rate):
            retry = str(faults.throttle_retry_after).encode()
            await self._respond(send, 429, self.throttle_body, self.throttle_type, [(b"retry-after", retry)])
            return
        if faults.roll(faults.error_rate):
            await self._respond(send, faults.error_status, self.error_body, b"application/json")
            return
        if not faults.roll(faults.malformed_rate):
            await self.app(scope, receive, send)
            return

        async def truncate(message: dict[str, Any]) -> None:
            # A malformed page: the body is cut in half and its length header dropped, as a broken proxy would.
            if message["type"] == "http.response.start":
                message = {**message, "headers": [h for h in message["headers"] if h[0] != b"content-length"]}
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                message = {**message, "body": body[: len(body) // 2]}
            await send(message)

        await self.app(scope, receive, truncate)
