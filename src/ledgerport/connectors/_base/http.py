"""One seam for every outbound HTTP call: a ``Transport`` takes a :class:`Request` and returns a :class:`Response`.

Connectors build requests as values and read responses as values; they never see a library's objects, so the
same client code runs against a provider over aiohttp (:class:`AiohttpTransport`), against a sandbox mounted in
the same process (:class:`AsgiTransport`), or against a function in a unit test (:class:`FunctionTransport`).
Network failures surface as :class:`~ledgerport.connectors._base.errors.Unreachable` (no answer: refused, reset,
timed out) or :class:`~ledgerport.connectors._base.errors.Transient` (an answer cut short).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import msgspec

from ledgerport.connectors._base.errors import Malformed, Transient, Unreachable

__all__ = [
    "AiohttpTransport",
    "AsgiTransport",
    "FunctionTransport",
    "MissingFact",
    "Request",
    "Response",
    "Transport",
    "place",
    "rebase",
]

_json = msgspec.json.Decoder(float_hook=Decimal)


def rebase(url: str, origin: str | None) -> str:
    """``url`` with its scheme and host replaced by ``origin``'s (a provider's real URL pointed at its sandbox)."""
    if not origin:
        return url
    target, base = urlsplit(url), urlsplit(origin)
    path = base.path.rstrip("/") + target.path
    return urlunsplit((base.scheme, base.netloc, path, target.query, target.fragment))


class MissingFact(KeyError):
    """A provider URL names an account fact (``{host}``) the linked account does not have."""


def place(url: str, origin: str | None, facts: Mapping[str, str]) -> str:
    """A provider URL for one account: rebased on ``origin`` (a sandbox), then its ``{fact}`` placeholders filled.

    Some providers serve each account at its own host (``https://{host}.example.com``); their URLs are templates
    over the account's facts. Rebasing first means a sandbox origin needs no facts for the host it replaces.
    """
    rebased = rebase(url, origin)
    if "{" not in rebased:
        return rebased
    try:
        return rebased.format_map(facts)
    except KeyError as exc:
        raise MissingFact(f"{url} needs the account fact {exc.args[0]!r}") from exc


class Request(msgspec.Struct, frozen=True, kw_only=True):
    """An HTTP request as data."""

    method: str
    url: str
    params: Sequence[tuple[str, str]] = ()
    headers: Mapping[str, str] = {}
    body: bytes | None = None

    @property
    def full_url(self) -> str:
        """The URL with its query string."""
        if not self.params:
            return self.url
        return f"{self.url}{'&' if '?' in self.url else '?'}{urlencode(list(self.params))}"


class Response(msgspec.Struct, frozen=True, kw_only=True):
    """An HTTP response as data; header names are lower-case."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str = ""

    def json(self) -> Any:
        """The body decoded as JSON with every number that has a fraction as ``Decimal``."""
        try:
            return _json.decode(self.body)
        except msgspec.DecodeError as exc:
            raise Malformed(f"{self.url} returned a body that is not JSON ({len(self.body)} bytes)") from exc


class Transport(Protocol):
    """Sends requests."""

    async def send(self, request: Request) -> Response:
        """Send one request and read the whole response."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class AiohttpTransport:
    """Production transport: one aiohttp session with a connection pool, created lazily in the running loop."""

    def __init__(self, *, timeout: float = 60.0, limit: int = 100) -> None:
        self._timeout = timeout
        self._limit = limit
        self._session: Any = None

    async def send(self, request: Request) -> Response:
        """Send over the network; timeouts and connection failures become ``Unreachable``, others ``Transient``."""
        import aiohttp

        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                connector=aiohttp.TCPConnector(limit=self._limit),
                auto_decompress=True,
            )
        try:
            async with self._session.request(
                request.method,
                request.url,
                params=list(request.params) or None,
                headers=dict(request.headers),
                data=request.body,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                headers = {key.lower(): value for key, value in response.headers.items()}
                return Response(status=response.status, headers=headers, body=body, url=str(response.url))
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            raise Unreachable(f"{request.method} {request.url}: {exc!r}") from exc
        except aiohttp.ClientError as exc:
            raise Transient(f"{request.method} {request.url}: {exc!r}") from exc

    async def close(self) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()
            self._session = None


class AsgiTransport:
    """Calls an ASGI app in this process (a sandbox mounted for tests and the embedded demo)."""

    def __init__(self, app: Callable[..., Awaitable[None]], *, timeout: float = 60.0, prefix: str = "") -> None:
        self._app = app
        self._timeout = timeout
        self._prefix = prefix.rstrip("/")
        """The path the app is mounted under in this process's server, given to it as ``root_path``."""

    async def send(self, request: Request) -> Response:
        """Run the app for one request and collect what it sends."""
        parts = urlsplit(request.full_url)
        headers = [(k.lower().encode(), v.encode()) for k, v in request.headers.items()]
        headers.append((b"host", (parts.netloc or "sandbox").encode()))
        body = request.body or b""
        if body:
            headers.append((b"content-length", str(len(body)).encode()))
        path = parts.path or "/"
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method.upper(),
            "scheme": parts.scheme or "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": parts.query.encode(),
            "root_path": self._prefix,
            "headers": headers,
            "server": (parts.hostname or "sandbox", parts.port or 80),
            "client": ("127.0.0.1", 0),
        }
        sent = False
        status = 500
        response_headers: dict[str, str] = {}
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers.update({k.decode().lower(): v.decode() for k, v in message.get("headers", [])})
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await asyncio.wait_for(self._app(scope, receive, send), self._timeout)
        except TimeoutError as exc:
            raise Unreachable(f"{request.method} {request.url}: timed out") from exc
        return Response(status=status, headers=response_headers, body=b"".join(chunks), url=request.full_url)

    async def close(self) -> None:
        """Nothing to release."""


class FunctionTransport:
    """Answers requests with a function: for unit tests of clients, paging and error tables."""

    def __init__(self, handler: Callable[[Request], Response | Awaitable[Response]]) -> None:
        self._handler = handler
        self.requests: list[Request] = []

    async def send(self, request: Request) -> Response:
        """Record the request and return the handler's answer."""
        self.requests.append(request)
        answer = self._handler(request)
        return await answer if isinstance(answer, Awaitable) else answer

    async def close(self) -> None:
        """Nothing to release."""
