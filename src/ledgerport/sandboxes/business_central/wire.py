"""The smallest ASGI surface the sandbox needs: a request value, a response value and JSON with exact decimals.

Plain ASGI rather than a framework because fidelity is about bytes: BC's OData envelopes, its error bodies and
``odata-version`` headers must come out as written. The router (``app.py``) reads one ``Request`` and writes one
``Response``; handlers raise ``Halt`` to answer early.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from ledgerport.sandboxes._kit import decode_json, encode_json, read_body

__all__ = [
    "Halt",
    "Handler",
    "JSON_TYPE",
    "Request",
    "Response",
    "decode_json",
    "encode_json",
    "json_response",
    "parse_query",
    "read_request",
    "send_response",
]

JSON_TYPE = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"


def parse_query(query_string: str) -> dict[str, str]:
    """Query options, first value per name; OData option names (``$filter``) are matched case-insensitively."""
    parsed = parse_qs(query_string, keep_blank_values=True)
    return {key.lower() if key.startswith("$") else key: values[0] for key, values in parsed.items()}


@dataclass
class Request:
    """One HTTP request, fully read. ``path`` is below the mount prefix, ``root_path`` is that prefix."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    root_path: str = ""
    scheme: str = "http"
    user: str = ""

    def header(self, name: str) -> str | None:
        """A request header by lower-case name."""
        return self.headers.get(name)

    def form(self) -> dict[str, str]:
        """An ``application/x-www-form-urlencoded`` body, first value per key."""
        return {key: values[0] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def origin(self) -> str:
        """``scheme://host`` plus the mount prefix: the start of every URL the sandbox writes about itself."""
        host = self.headers.get("host", "localhost")
        return f"{self.scheme}://{host}{self.root_path}"


@dataclass
class Response:
    """Status, bytes and headers; handlers build these and never touch ASGI messages."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(value: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    """An OData JSON response (BC sends ``odata-version: 4.0`` on every API answer)."""
    return Response(status, encode_json(value), headers=[("odata-version", "4.0"), *(headers or [])])


class Halt(Exception):  # noqa: N818 - control flow, not a condition name
    """Raised by a handler to answer with ``response`` at once."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


Handler = Callable[[Request], Awaitable[Response]]


async def read_request(scope: dict[str, Any], receive: Any) -> Request | None:
    """The whole request, or ``None`` when the client left before its body arrived."""
    body = await read_body(receive)
    if body is None:
        return None
    headers = {key.decode().lower(): value.decode("latin-1") for key, value in scope.get("headers", [])}
    raw = scope.get("raw_path")
    # OData keys and segment names may be percent-encoded; ``path`` is already decoded by the server.
    path = unquote(raw.decode("latin-1").split("?")[0]) if raw else scope["path"]
    return Request(
        method=scope["method"],
        path=path,
        query=parse_query(scope.get("query_string", b"").decode("latin-1")),
        headers=headers,
        body=body,
        root_path=scope.get("root_path", ""),
        scheme=scope.get("scheme", "http"),
    )


async def send_response(send: Any, response: Response) -> None:
    """Write a ``Response`` as ASGI messages."""
    headers = [(b"content-length", str(len(response.body)).encode())]
    if response.body or response.status not in {204, 304}:
        headers.append((b"content-type", response.content_type.encode()))
    headers += [(name.lower().encode(), value.encode("latin-1")) for name, value in response.headers]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
