"""Which endpoint URLs the server may call: a tenant must not be able to aim deliveries at the server's own network.

An endpoint's URL is checked when it is saved (:func:`check_url`, :func:`check_resolves`), and every delivery
connects only to addresses :class:`GuardedResolver` lets through, so a name that resolved to a public address
when it was saved and to ``127.0.0.1`` later (DNS rebinding) is still refused. Private, loopback, link-local,
shared (CGNAT), multicast and reserved addresses are refused unless the operator sets
``LEDGERPORT_WEBHOOK_ALLOW_PRIVATE=1``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

__all__ = [
    "AddressRefused",
    "GuardedResolver",
    "check_resolves",
    "check_url",
    "is_public",
]

MAX_URL_LENGTH = 2000


class AddressRefused(ValueError):
    """The URL cannot be an endpoint; the message says why, for the person who entered it."""


def is_public(address: str) -> bool:
    """Whether ``address`` (an IP literal) is reachable on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def check_url(url: str, *, allow_private: bool) -> str:
    """``url`` if it can be an endpoint as written (no DNS lookup); raises :class:`AddressRefused`."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise AddressRefused(f"the URL must be 1 to {MAX_URL_LENGTH} characters")
    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in url):
        raise AddressRefused("the URL must not hold spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(f"the URL is malformed: {exc}") from exc
    if parts.scheme not in ("https", "http"):
        raise AddressRefused("the URL must start with https:// (or http://)")
    if not parts.hostname:
        raise AddressRefused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("the URL must not hold credentials; deliveries are signed instead")
    if parts.fragment:
        raise AddressRefused("the URL must not have a #fragment")
    if port == 0:
        raise AddressRefused("the URL's port must be 1 to 65535")
    literal = _literal(parts.hostname)
    if literal is not None and not allow_private and not is_public(literal):
        raise AddressRefused(
            f"{literal} is a private or local address; the operator allows those with "
            "LEDGERPORT_WEBHOOK_ALLOW_PRIVATE=1"
        )
    if parts.hostname.lower() in ("localhost", "localhost.localdomain") and not allow_private:
        raise AddressRefused(
            "localhost is a local address; the operator allows those with LEDGERPORT_WEBHOOK_ALLOW_PRIVATE=1"
        )
    return url


async def check_resolves(url: str, *, allow_private: bool) -> None:
    """Refuse a URL whose host resolves to an address deliveries would refuse (or does not resolve at all)."""
    host = urlsplit(url).hostname or ""
    if _literal(host) is not None or allow_private:
        return
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:  # a name IDNA cannot encode (an empty label, say) too
        raise AddressRefused(f"{host} does not resolve") from exc
    refused = sorted({info[4][0] for info in found if not is_public(str(info[4][0]))})
    if refused:
        raise AddressRefused(
            f"{host} resolves to the private or local address {refused[0]}; the operator allows those with "
            "LEDGERPORT_WEBHOOK_ALLOW_PRIVATE=1"
        )


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, minus the addresses deliveries may not connect to."""

    def __init__(self, *, allow_private: bool, inner: AbstractResolver | None = None) -> None:
        self._allow_private = allow_private
        self._inner = inner or DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: Any = socket.AF_INET) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        allowed = [entry for entry in found if self._allow_private or is_public(entry["host"])]
        if not allowed:
            raise OSError(f"{host} resolves only to private or local addresses")
        return allowed

    async def close(self) -> None:
        await self._inner.close()
