"""The sandbox's small HTTP vocabulary: a parsed request, a response, and exact JSON in and out.

The sandbox is plain ASGI (no framework) so that every status, header and byte on the wire is the one QBO sends.
JSON is decoded with ``float_hook=Decimal`` and encoded with ``decimal_format="number"``: an amount never passes
through a binary float on either side.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from ledgerport.sandboxes._kit import decode_json, encode_json

__all__ = ["JSON", "Request", "Response", "basic_credentials", "decode_json", "encode_json", "form", "json_response"]

JSON = "application/json;charset=UTF-8"


@dataclass
class Request:
    """What a handler sees; ``params`` are the route's named groups.

    ``path`` is below the prefix the sandbox is mounted at, ``root_path`` is that prefix, and ``base_url`` (scheme,
    host and prefix) is where the sandbox's own URLs start.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    base_url: str
    params: dict[str, str] = field(default_factory=dict)
    root_path: str = ""


@dataclass
class Response:
    """What a handler returns."""

    status: int
    body: bytes
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(value: Any, status: int = 200) -> Response:
    """A JSON response."""
    return Response(status, encode_json(value))


def form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body."""
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


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
