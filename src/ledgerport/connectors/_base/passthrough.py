"""Passthrough requests, checked before anything is sent: a tenant's path goes below its account's passthrough root
(:attr:`Connector.passthrough_base <ledgerport.connectors._base.connector.Connector.passthrough_base>`), never
anywhere else.

What a tenant may choose is the method, a path *relative* to that root (with a query), a body, and a few content
negotiation headers. What it may not: the host or scheme (``https://evil``, ``//evil.com/x``), a way up out of the
root (``..`` and its percent-encoded spellings, an encoded ``/``), or credentials (``Authorization``, ``Cookie``,
``Host``): those come from the linked account, added by the provider client. Each refusal is a
:class:`PassthroughRefused` naming what was wrong, before any provider call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ledgerport.connectors._base.http import Request

__all__ = ["CONTENT_TYPES", "HEADERS", "METHODS", "PassthroughRefused", "forwarded_headers", "passthrough_request"]

METHODS = ("GET", "OPTIONS", "HEAD", "POST", "PUT", "PATCH", "DELETE")
"""Merge's ``MethodEnum``."""

HEADERS: Mapping[str, str] = {
    name.lower(): name
    for name in ("Accept", "Content-Type", "If-Match", "If-None-Match", "If-Modified-Since", "Prefer")
}
"""The only headers a tenant may set (lower-case name → the name sent); credentials, hosts and cookies are the
linked account's, never the caller's."""

CONTENT_TYPES: Mapping[str, str] = {"JSON": "application/json", "XML": "application/xml"}
"""The ``Content-Type`` a body of each ``request_format`` is sent with when the caller names none."""

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c|00)", re.IGNORECASE)
_QUERY_SAFE = "=&+%/:,;@!$'()*?[]~-._"
_MAX_PATH = 2000


class PassthroughRefused(ValueError):
    """A passthrough request that must not be sent; the message says why, for a 400."""


def _relative_path(path: str) -> tuple[str, str]:
    """``path`` split into a checked path (leading ``/``) and its query; refused if it could leave the root."""
    if not path or len(path) > _MAX_PATH:
        raise PassthroughRefused(f"path must be 1 to {_MAX_PATH} characters.")
    if any(ord(ch) < 0x20 or ord(ch) > 0x7E for ch in path):
        raise PassthroughRefused("path must be printable ASCII: percent-encode other characters.")
    if "#" in path:
        raise PassthroughRefused("path must not hold a fragment (#).")
    route, _, query = path.partition("?")
    if "\\" in route or " " in route:
        raise PassthroughRefused("path must not hold spaces or backslashes outside its query.")
    if route.startswith("//") or "://" in route or _SCHEME.match(route):
        raise PassthroughRefused(
            "path must be relative to the integration's API base (such as /query), not a URL or another host."
        )
    if _ENCODED_SEPARATOR.search(route):
        raise PassthroughRefused("path must not hold an encoded /, \\ or NUL.")
    segments = route.lstrip("/").split("/")
    for index, segment in enumerate(segments):
        if unquote(segment) in (".", ".."):
            raise PassthroughRefused("path must not hold . or .. segments.")
        if segment == "" and index < len(segments) - 1:
            raise PassthroughRefused("path must not hold empty segments (//).")
    return "/" + route.lstrip("/"), quote(query, safe=_QUERY_SAFE)


def forwarded_headers(given: Mapping[str, Any] | None) -> dict[str, str]:
    """The caller's headers as they will be sent; a header outside :data:`HEADERS` (``Authorization``) is refused."""
    headers: dict[str, str] = {}
    for name, value in (given or {}).items():
        sent = HEADERS.get(name.strip().lower())
        if sent is None:
            allowed = ", ".join(HEADERS.values())
            raise PassthroughRefused(
                f"headers may not set {name!r}: the linked account's credentials are added by the server; "
                f"allowed headers are {allowed}."
            )
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise PassthroughRefused(f"headers.{name} must be a string.")
        text = str(value)
        if any(ord(ch) < 0x20 or ord(ch) > 0x7E for ch in text) or len(text) > 1000:
            raise PassthroughRefused(f"headers.{name} must be at most 1000 printable ASCII characters.")
        headers[sent] = text
    return headers


def passthrough_request(
    root: str,
    *,
    method: str,
    path: str,
    headers: Mapping[str, Any] | None = None,
    data: str | bytes | None = None,
    request_format: str | None = None,
    content_type: str | None = None,
) -> Request:
    """The request a passthrough sends: ``path`` below ``root`` (the account's placed passthrough base).

    ``content_type`` is the body's own (a multipart body's, with its boundary); it wins over the caller's."""
    if method not in METHODS:
        raise PassthroughRefused(f"method must be one of {', '.join(METHODS)}.")
    try:
        route, query = _relative_path(path)
        body = data.encode() if isinstance(data, str) else data
    except UnicodeEncodeError as exc:
        raise PassthroughRefused("path and data must be valid Unicode text.") from exc
    sent = forwarded_headers(headers)
    url = f"{root.rstrip('/')}{route}"
    target, base = urlsplit(url), urlsplit(root)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc) or not target.path.startswith(base.path):
        raise PassthroughRefused("path must stay below the integration's API base.")  # defence in depth
    if content_type is not None:
        sent["Content-Type"] = content_type
    elif body is not None:
        default = CONTENT_TYPES.get(request_format or "JSON")
        if "Content-Type" not in sent and default is not None:
            sent["Content-Type"] = default
    return Request(method=method, url=f"{url}?{query}" if query else url, headers=sent, body=body)
