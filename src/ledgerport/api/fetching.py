"""Fetching a tenant's ``file_url`` (``POST /attachments``): only from hosts the operator allows, never from the
server's own network, within a size and a time limit.

A URL a tenant hands us is a request the server makes on the tenant's behalf, from inside the operator's network:
left open, ``file_url`` would read cloud metadata endpoints, admin consoles and anything else the server can reach
(server-side request forgery). So:

* the host must match ``LEDGERPORT_ATTACHMENT_FETCH_ALLOW`` (host names, ``*.example.com`` patterns); empty, the
  default, refuses every URL, and the refusal names the setting;
* the address guards of webhook deliveries apply (:mod:`ledgerport.webhooks.addresses`): a literal or resolved
  private, loopback, link-local or reserved address is refused unless ``LEDGERPORT_ATTACHMENT_FETCH_ALLOW_PRIVATE=1``,
  checked before the request and again for every address the connection is made to (DNS rebinding);
* redirects are not followed (a redirect would leave the allowed host), a body over
  ``LEDGERPORT_ATTACHMENT_MAX_BYTES`` is cut off and refused, and the whole fetch has
  ``LEDGERPORT_ATTACHMENT_FETCH_SECONDS``.

``data:`` URLs (RFC 2397) carry the bytes in the request itself and are taken without any fetch (same size limit;
the server's 10 MB request body limit comes first, so they suit files up to about 7 MB).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import aiohttp
import msgspec

from ledgerport.connectors._base.files import DEFAULT_TYPE, FileBody, read_data_url
from ledgerport.webhooks.addresses import AddressRefused, GuardedResolver, check_resolves, check_url

__all__ = ["FetchPolicy", "Fetcher", "FileRefused", "fetch_file", "host_allowed"]

ALLOW_SETTING = "LEDGERPORT_ATTACHMENT_FETCH_ALLOW"
PRIVATE_SETTING = "LEDGERPORT_ATTACHMENT_FETCH_ALLOW_PRIVATE"
_CHUNK = 64 * 1024


class FileRefused(ValueError):
    """The URL cannot be fetched; the message says why, for the developer who sent it."""


class FetchPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """What the operator allows ``file_url`` to be fetched from, and how much."""

    allow: tuple[str, ...] = ()
    """Host names or ``fnmatch`` patterns (``files.example.com``, ``*.s3.amazonaws.com``); empty refuses all."""
    allow_private: bool = False
    max_bytes: int = 25 * 1024 * 1024
    seconds: float = 30.0


Fetcher = Callable[[str, FetchPolicy], Awaitable[FileBody]]
"""``fetch(url, policy)`` → the file at ``url``; raises :class:`FileRefused`."""


def host_allowed(host: str, allow: tuple[str, ...]) -> bool:
    """Whether ``host`` matches one of the operator's names or patterns (case-insensitively)."""
    host = host.lower().rstrip(".")
    return any(fnmatch.fnmatchcase(host, pattern.lower().rstrip(".")) for pattern in allow if pattern)


def _inline(url: str, policy: FetchPolicy) -> FileBody:
    try:
        body = read_data_url(url)
    except ValueError as exc:
        raise FileRefused(f"file_url is not a usable data: URL ({exc})") from exc
    if len(body.data) > policy.max_bytes:
        raise FileRefused(f"the file is larger than the {policy.max_bytes} bytes this server accepts")
    return body


def _guarded(message: str) -> str:
    return message.replace("LEDGERPORT_WEBHOOK_ALLOW_PRIVATE", PRIVATE_SETTING)


async def fetch_file(url: str, policy: FetchPolicy) -> FileBody:
    """The bytes at ``url`` (a ``data:`` URL, or an allowed ``http(s)`` one; see the module docstring)."""
    if url.startswith("data:"):
        return _inline(url, policy)
    try:
        checked = check_url(url, allow_private=policy.allow_private)
    except AddressRefused as exc:
        raise FileRefused(f"file_url cannot be fetched: {_guarded(str(exc))}") from exc
    host = urlsplit(checked).hostname or ""
    if not host_allowed(host, policy.allow):
        raise FileRefused(
            f"file_url's host {host} is not one this server fetches files from; the operator allows hosts with "
            f"{ALLOW_SETTING} (a comma-separated list of host names or patterns), or send the bytes as a data: URL"
        )
    try:
        await check_resolves(checked, allow_private=policy.allow_private)
    except AddressRefused as exc:
        raise FileRefused(f"file_url cannot be fetched: {_guarded(str(exc))}") from exc
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private=policy.allow_private), force_close=True)
    try:
        async with (
            aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=policy.seconds)) as session,
            session.get(checked, allow_redirects=False) as response,
        ):
            if response.status != 200:
                raise FileRefused(f"file_url answered HTTP {response.status}; redirects are not followed")
            data = bytearray()
            async for chunk in response.content.iter_chunked(_CHUNK):
                data += chunk
                if len(data) > policy.max_bytes:
                    raise FileRefused(f"the file is larger than the {policy.max_bytes} bytes this server accepts")
            kind = (response.headers.get("Content-Type") or DEFAULT_TYPE).split(";")[0].strip() or DEFAULT_TYPE
            return FileBody(data=bytes(data), content_type=kind.lower())
    except TimeoutError as exc:
        raise FileRefused(f"file_url did not answer within {policy.seconds:g} seconds") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise FileRefused(f"file_url could not be fetched: {_guarded(str(exc)) or type(exc).__name__}") from exc
