"""The plain-ASGI pieces every emulator writes the same way: exact JSON, a whole request body, the lifespan
handshake, and the outermost app that counts requests and serves under a mount prefix.

Emulators speak plain ASGI rather than a framework because fidelity is about bytes; what differs between providers
(their request values, their response headers) stays in each sandbox's own wire module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.sandboxes._kit.faults import Faults
from ledgerport.sandboxes._kit.mounting import at_own_root

__all__ = ["CountingEntry", "decode_json", "encode_json", "read_body", "serve_lifespan", "uvicorn_server"]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_ENCODER = msgspec.json.Encoder(decimal_format="number")
_DECODER = msgspec.json.Decoder(float_hook=Decimal)


def encode_json(value: Any) -> bytes:
    """JSON with Decimals written as exact numbers (``10.50`` stays ``10.50``)."""
    return _ENCODER.encode(value)


def decode_json(body: bytes) -> Any:
    """JSON with every non-integer number decoded as a Decimal, so no amount passes through a float; raises
    ``msgspec.DecodeError``."""
    return _DECODER.decode(body)


async def read_body(receive: Receive) -> bytes | None:
    """The whole body, or ``None`` when the client went away before sending it: the provider never sees such a
    request (nothing is created, and no retry key is remembered)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def serve_lifespan(receive: Receive, send: Send) -> None:
    """Answer the ASGI lifespan protocol: every startup completes at once, and shutdown ends the conversation."""
    while (await receive())["type"] != "lifespan.shutdown":
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})


class CountingEntry:
    """The outermost ASGI app of a sandbox whose ``state`` counts requests per path (``/_sandbox/`` aside).

    ``app`` is the sandbox's middleware stack; a subclass adds handles on its own state.
    """

    def __init__(self, state: Any, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.state = state
        self._app = app

    @property
    def faults(self) -> Faults:
        """Live fault settings."""
        faults: Faults = self.state.faults
        return faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count, then serve (under a prefix, on the paths below it)."""
        if scope["type"] in {"http", "websocket"}:
            scope = at_own_root(scope)
        if scope["type"] == "http" and not scope["path"].startswith("/_sandbox"):
            self.state.stats[scope["path"]] += 1
        await self._app(scope, receive, send)


def uvicorn_server(app: Any, host: str, port: int) -> Any:
    """A configured ``uvicorn.Server`` for a sandbox app (call ``.run()``, or run it in a thread in tests): quiet
    logs, and no lifespan (the sandbox needs no startup)."""
    import uvicorn

    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))
