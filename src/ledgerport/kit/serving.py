"""How the HTTP server treats clients that send too much or too slowly: the options ``uvicorn.run`` gets.

uvicorn 0.54's ``Config`` has, for this, ``h11_max_incomplete_event_size`` (h11 only), ``timeout_keep_alive``,
``limit_concurrency``, ``limit_max_requests`` and ``backlog``; nothing counts header fields, bounds a head under
httptools, or times a request while it arrives. What is used, and what :class:`GuardedHttpToolsProtocol` adds:

- **Oversize request heads.** Only uvicorn's h11 protocol bounds them (``h11_max_incomplete_event_size``).
  Its httptools protocol, the one uvicorn picks when httptools is installed, keeps every byte of an unfinished
  head (2 MB of headers were accepted), and concatenates a long header value chunk by chunk. h11 would fix that
  by itself but parses and frames in pure Python: measured as server CPU time per request, ``/health`` cost
  about 160 µs under h11 against 95 µs under httptools (and this guard). So the server keeps httptools and
  counts the bytes of each unfinished head itself: past ``max_header_bytes`` the answer is 431 and the
  connection closes.
- **Header floods.** No parser counts header fields: past ``max_headers`` the request is refused with 431
  before the app sees it (5,000 headers were accepted).
- **Slow clients (slowloris).** ``timeout_keep_alive`` only runs between requests and stops at the next byte:
  a client that connects and sends nothing, or half a request line, or trickles a body, held its connection
  forever. Every request here has a deadline, ``request_timeout`` seconds from the connection opening (the first
  request) or from its first byte (later ones) to its last; when it passes the connection is closed.
- **Floods of connections.** ``limit_concurrency`` answers 503 once a process holds that many connections plus
  requests in flight, rather than taking on work without bound.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

__all__ = ["GuardedHttpToolsProtocol", "server_options"]

KEEP_ALIVE_SECONDS = 5
"""uvicorn's own default: how long an idle connection stays open between requests."""

_TOO_LARGE = "Request header fields too large."


class _TooManyHeaders(Exception):
    """Raised inside the parser's callback: the parser stops, and the request never reaches the app."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounded request heads and a deadline for receiving each request."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        request_timeout: float,
        max_header_bytes: int,
        max_headers: int,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._request_timeout = request_timeout
        self._max_header_bytes = max_header_bytes
        self._max_headers = max_headers
        self._deadline: asyncio.TimerHandle | None = None
        self._in_head = True  # the next bytes belong to a request line or headers
        self._head_bytes = 0
        self._header_count = 0
        self._completed = False  # a request ended within the chunk being read

    # --- connection ---------------------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection owes its first request within the deadline."""
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Nothing to wait for any more."""
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Any byte starts the deadline of the request it belongs to; a head still unfinished counts its bytes."""
        if self._deadline is None:
            self._arm()
        self._completed = False
        super().data_received(data)
        if self._in_head and not self._completed and not self.transport.is_closing():
            # The whole chunk counts when the head is still unfinished after it (at most one read too many). A
            # chunk that completed a request is that request's body: counting it against the next head refused
            # every request whose last read was over the limit (a bulk request's body, read with its head).
            self._head_bytes += len(data)
            if self._head_bytes > self._max_header_bytes:
                self.logger.warning("Request head over %d bytes refused.", self._max_header_bytes)
                self._refuse()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a parser error, made 431 when the error is ours (too many headers)."""
        if self._header_count > self._max_headers:
            self.logger.warning("Request with over %d header fields refused.", self._max_headers)
            self._refuse()
        else:
            super().send_400_response(msg)

    # --- parser callbacks ---------------------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        """A request starts: a fresh head to count, and a deadline if none runs yet (pipelined requests)."""
        super().on_message_begin()
        self._in_head, self._head_bytes, self._header_count = True, 0, 0
        if self._deadline is None:
            self._arm()

    def on_header(self, name: bytes, value: bytes) -> None:
        """One header field; one too many stops the parser."""
        self._header_count += 1
        if self._header_count > self._max_headers:
            raise _TooManyHeaders
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """The head arrived whole."""
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The request arrived whole: no deadline until the next one starts."""
        self._in_head = True
        self._head_bytes = 0
        self._completed = True
        self._disarm()
        super().on_message_complete()

    # --- limits -------------------------------------------------------------------------------------------------

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self._request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.info("Closing a connection whose request took over %ss to arrive.", self._request_timeout)
            self.transport.close()

    def _refuse(self) -> None:
        """431 and close; only close while an earlier request's response is still being written (pipelining)."""
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_TOO_LARGE), _TOO_LARGE.encode())
            )
        self.transport.close()


def server_options(
    *, request_timeout: float, max_header_bytes: int, max_headers: int, max_concurrency: int
) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` (and ``uvicorn.Config``) that apply these limits.

    The protocol goes in as a :func:`functools.partial` of a module-level class: uvicorn only calls it, and a
    partial pickles, which ``workers > 1`` needs to hand the configuration to each worker process.
    """
    protocol = functools.partial(
        GuardedHttpToolsProtocol,
        request_timeout=request_timeout,
        max_header_bytes=max_header_bytes,
        max_headers=max_headers,
    )
    return {"http": protocol, "limit_concurrency": max_concurrency or None, "timeout_keep_alive": KEEP_ALIVE_SECONDS}
