"""``sandboxes._kit.faults``: injected latency is the provider taking its time over a request it already has.

A client that goes away during the delay (a server SIGKILLed mid-write) does not take its request back: the
sandbox still serves it, as a provider that has received a write makes it. The receive channel below behaves as
uvicorn's does: once the client has gone, it answers ``http.disconnect`` and the unread body is lost.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ledgerport.sandboxes._kit import Faults, FaultsMiddleware


class Client:
    """The request's two body chunks, readable only while the client is connected."""

    def __init__(self) -> None:
        self.chunks = [
            {"type": "http.request", "body": b'{"Line": ', "more_body": True},
            {"type": "http.request", "body": b"[]}", "more_body": False},
        ]
        self.gone = False

    async def receive(self) -> dict[str, Any]:
        await asyncio.sleep(0)
        if self.gone or not self.chunks:
            return {"type": "http.disconnect"}
        return self.chunks.pop(0)

    async def send(self, message: dict[str, Any]) -> None:
        """Nobody is listening any more."""


async def test_a_write_received_before_the_latency_is_served_after_its_client_left() -> None:
    served: list[bytes] = []

    async def provider(scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message["body"]
            if not message.get("more_body"):
                break
        served.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    app = FaultsMiddleware(provider, Faults(latency_ms=50), throttle_body=b"", throttle_type=b"text/plain")
    client = Client()
    scope = {"type": "http", "path": "/v3/company/1/invoice", "method": "POST", "headers": []}
    call = asyncio.create_task(app(scope, client.receive, client.send))
    await asyncio.sleep(0.01)
    client.gone = True  # SIGKILL: the connection closes while the provider is still busy
    await call
    assert served == [b'{"Line": []}']


async def test_without_latency_the_request_is_passed_through_untouched() -> None:
    received: list[dict[str, Any]] = []

    async def provider(scope: dict[str, Any], receive: Any, send: Any) -> None:
        received.append(await receive())

    client = Client()
    app = FaultsMiddleware(provider, Faults(), throttle_body=b"", throttle_type=b"text/plain")
    await app({"type": "http", "path": "/x", "method": "POST", "headers": []}, client.receive, client.send)
    assert received == [{"type": "http.request", "body": b'{"Line": ', "more_body": True}]
