"""The smallest ASGI surface the sandbox needs: a request value, a response value and a route table.

Plain ASGI rather than a framework because fidelity is about bytes: Xero's envelopes, its text/html 404, exact
decimal numbers and header names must come out as written, and a framework's own error pages and content
negotiation would get in the way. Routes are a list of ``Route`` values, scanned in order, first match wins.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from ledgerport.sandboxes._kit import decode_json, encode_json, read_body, serve_lifespan

__all__ = [
    "Halt",
    "Request",
    "Response",
    "Route",
    "Router",
    "decode_json",
    "encode_json",
    "json_response",
    "send_response",
]

JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Request:
    """One HTTP request, fully read; query parameter names are matched case-insensitively, as Xero does.

    ``path`` is below the prefix the sandbox is mounted at; ``root_path`` is that prefix, which starts every URL the
    sandbox writes that points back at itself.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    root_path: str = ""

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter, any case."""
        values = self.query.get(name.lower())
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        """A request header by lower-case name."""
        return self.headers.get(name)

    def form(self) -> dict[str, str]:
        """An ``application/x-www-form-urlencoded`` body, first value per key."""
        return {key: values[0] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def form_all(self, name: str) -> list[str]:
        """Every value of a repeated form field (the consent page's tenant checkboxes)."""
        return parse_qs(self.body.decode(), keep_blank_values=True).get(name, [])


@dataclass
class Response:
    """Status, bytes and headers; handlers build these and never touch ASGI messages."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(value: Any, status: int = 200) -> Response:
    """A JSON response."""
    return Response(status, encode_json(value))


class Halt(Exception):  # noqa: N818 - control flow, not a condition name
    """Raised by a handler to answer with ``response`` at once."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    """``method`` and a path pattern with ``{name}`` segments."""

    method: str
    pattern: str
    handler: Handler

    def compile(self) -> re.Pattern[str]:
        """The pattern as an anchored, case-insensitive regex (Xero's paths are not case-sensitive)."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.pattern)
        return re.compile(f"^{regex}/?$", re.IGNORECASE)


class Router:
    """An ASGI app dispatching to the first matching route; 404 text or 405 otherwise."""

    def __init__(self, routes: list[Route], not_found: Response) -> None:
        self.routes = [(route, route.compile()) for route in routes]
        self.not_found = not_found

    def match(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """The handler and path parameters, and whether the path matched under another method."""
        path_matched = False
        for route, regex in self.routes:
            found = regex.match(path)
            if found is None:
                continue
            if route.method == method:
                return route.handler, found.groupdict(), True
            path_matched = True
        return None, {}, path_matched

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Read the request, run the handler, write the response."""
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return  # the client went away before its body arrived: Xero never sees such a request
        query = {
            key.lower(): values
            for key, values in parse_qs(scope.get("query_string", b"").decode(), keep_blank_values=True).items()
        }
        headers = {key.decode().lower(): value.decode("latin-1") for key, value in scope.get("headers", [])}
        handler, params, path_matched = self.match(scope["method"], scope["path"])
        if handler is None:
            response = Response(405, b"") if path_matched else self.not_found
        else:
            request = Request(scope["method"], scope["path"], query, headers, body, params, scope.get("root_path", ""))
            try:
                response = await handler(request)
            except Halt as halt:
                response = halt.response
        await send_response(send, response)


async def send_response(send: Any, response: Response) -> None:
    """Write a ``Response`` as ASGI messages."""
    headers = [(b"content-type", response.content_type.encode()), (b"content-length", str(len(response.body)).encode())]
    headers += [(name.lower().encode(), value.encode("latin-1")) for name, value in response.headers]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
