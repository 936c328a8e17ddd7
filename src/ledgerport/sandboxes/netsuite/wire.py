"""The sandbox's HTTP vocabulary: a fully read request, a response value and exact JSON in and out.

Plain ASGI (no framework) so that every status, header and byte is the one NetSuite sends. JSON is decoded with
``float_hook=Decimal`` and encoded with ``decimal_format="number"``: an amount never passes through a binary float.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from ledgerport.sandboxes._kit import decode_json, encode_json

__all__ = [
    "COLLECTION",
    "ERROR",
    "Halt",
    "JSON",
    "Request",
    "Response",
    "SINGULAR",
    "basic_credentials",
    "decode_json",
    "encode_json",
    "json_response",
]

JSON = "application/json; charset=UTF-8"
SINGULAR = "application/vnd.oracle.resource+json; type=singular; charset=UTF-8"
COLLECTION = "application/vnd.oracle.resource+json; type=collection; charset=UTF-8"
ERROR = "application/vnd.oracle.resource+json; type=error; charset=UTF-8"


@dataclass
class Request:
    """One HTTP request, fully read.

    ``query`` keeps NetSuite's parameter names as sent (``q``, ``limit``, ``expandSubResources``...) with every
    value, in order, because TBA signs them all; ``path`` is below the prefix the sandbox is mounted at, and
    ``base_url`` (scheme, host, prefix) starts every URL the sandbox writes that points back at itself.
    """

    method: str
    path: str
    query_pairs: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    base_url: str
    params: dict[str, str] = field(default_factory=dict)
    root_path: str = ""

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter, its name matched case-insensitively."""
        lowered = name.lower()
        for key, value in self.query_pairs:
            if key.lower() == lowered:
                return value
        return None

    def form(self) -> dict[str, str]:
        """An ``application/x-www-form-urlencoded`` body, first value per key."""
        out: dict[str, str] = {}
        for key, value in parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True):
            out.setdefault(key, value)
        return out


@dataclass
class Response:
    """Status, bytes and headers; handlers build these and never touch ASGI messages."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(value: Any, status: int = 200, content_type: str = JSON) -> Response:
    """A JSON response."""
    return Response(status, encode_json(value), content_type)


class Halt(Exception):  # noqa: N818 - control flow, not a condition name
    """Raised anywhere below a handler to answer with ``response`` at once (nsError bodies, mostly)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from HTTP Basic, or ``None``."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return client_id, secret
