"""Which OAuth registration may be sent to which provider origin.

Every token request carries the app's client id and secret. The operator's registration at a real provider is
worth protecting: it is sent only to the origin the operator configured for that provider (the real provider, or
the sandbox ``LEDGERPORT_SANDBOX_ORIGINS`` names for it), never to an origin someone typed. Other origins a link
may use are sandboxes, and they get the sandboxes' public client (``sandbox-client``), which is worth nothing
anywhere else.

An origin other than the configured one is accepted only for a connector that is itself sandboxed, and only from
the operator's allowlist (``LEDGERPORT_SANDBOX_URL_ALLOWLIST``): the link page's "sandbox URL" field is a way for
a developer to point a sandboxed server at another sandbox, not a way for anyone to make the server call a host
of their choosing.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import msgspec

from ledgerport.connectors._base.auth import OAuthClient

__all__ = ["NotRegistered", "OriginRefused", "Registrations", "normal_origin"]


class NotRegistered(LookupError):
    """The server has no OAuth registration it may use at that origin; the message tells the operator what to set."""


class OriginRefused(ValueError):
    """A typed provider origin this server does not allow; the message can be shown to the person."""


def normal_origin(text: str) -> str:
    """``text`` as origins are compared: lower-case scheme and host, no trailing slash, no query or fragment.

    A path is kept (mounted sandboxes live under one, e.g. ``http://host/sandbox/xero``).
    """
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise OriginRefused(f"{text.strip()!r} is not an http(s) URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise OriginRefused(f"{text.strip()!r} must be a plain origin, without credentials, query or fragment")
    try:
        port = parts.port
    except ValueError as exc:
        raise OriginRefused(f"{text.strip()!r} has an invalid port") from exc
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


class Registrations(msgspec.Struct, frozen=True, kw_only=True):
    """The app's OAuth registrations and where each may go."""

    configured: Mapping[str, OAuthClient]
    """Connector key → the operator's registration (``LEDGERPORT_OAUTH_<KEY>_CLIENT_ID``/``_SECRET``), if any."""
    sandbox_origins: Mapping[str, str]
    """Connector key → the sandbox this server links that connector against instead of the real provider."""
    sandbox_client: OAuthClient
    """What every bundled sandbox accepts; the only registration sent to an origin the operator did not configure."""
    allowed_sandboxes: frozenset[str] = frozenset()
    """Origins a person (or a script) may name for a sandboxed connector, besides its configured sandbox."""

    def configured_origin(self, key: str) -> str | None:
        """Where this connector's accounts are linked by default: its sandbox, or ``None`` for the real provider."""
        origin = self.sandbox_origins.get(key)
        return None if origin is None else normal_origin(origin)

    def origin(self, key: str, typed: str | None) -> str | None:
        """The provider origin of a link for connector ``key``: the configured one, or an allowed typed one."""
        configured = self.configured_origin(key)
        if typed is None or not typed.strip():
            return configured
        wanted = normal_origin(typed)
        if wanted == configured:
            return configured
        if configured is None:
            raise OriginRefused("this server links this platform with the real provider only")
        if wanted not in self.allowed_sandboxes:
            raise OriginRefused(f"{wanted} is not a sandbox this server's operator allows")
        return wanted

    def client(self, key: str, origin: str | None) -> OAuthClient:
        """The registration to present at ``origin`` for connector ``key``.

        The configured registration goes only to the configured origin; any other origin is a sandbox and gets the
        sandbox client. ``None`` (the real provider) with nothing configured is refused: the real provider would
        reject the sandbox client anyway, after the person had been sent to it.
        """
        normal = None if origin is None else normal_origin(origin)
        if normal == self.configured_origin(key):
            found = self.configured.get(key)
            if found is not None:
                return found
        if normal is None:
            raise NotRegistered(
                f"no OAuth registration is configured for {key}: the operator sets "
                f"LEDGERPORT_OAUTH_{key.upper()}_CLIENT_ID and LEDGERPORT_OAUTH_{key.upper()}_CLIENT_SECRET "
                f"(or LEDGERPORT_SANDBOX_ORIGINS to link a sandbox)"
            )
        return self.sandbox_client
