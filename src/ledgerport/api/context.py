"""What every handler reaches through ``request.app.state``: sessions, quotas, the credential cache, and what the
link flow needs (provider origins, OAuth clients, transports, the sealer, the public URL).

Built once by ``app.create_app`` from settings; handlers never build engines or read the environment.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from typing import Any

from litestar.connection import ASGIConnection

from ledgerport.api.fetching import Fetcher, FetchPolicy, fetch_file
from ledgerport.connectors._base import AiohttpTransport, Transport
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.kit.metrics import QueueRefresh
from ledgerport.kit.ratelimit import Quota
from ledgerport.kit.sealing import Sealer, new_key
from ledgerport.store import Database
from ledgerport.store.accounts import Credentials
from ledgerport.writes import WriteDeps

__all__ = ["ApiContext", "CredentialCache", "context_of"]


class CredentialCache:
    """A short-lived, bounded memory of credential lookups.

    Every API call needs its credentials resolved; remembering the answer for ``ttl`` seconds takes that query
    off the hot path. A revocation made through this process is seen at once (:meth:`forget_account`,
    :meth:`clear`); other processes see it within ``ttl``.
    """

    def __init__(self, ttl: float, max_entries: int = 10_000) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._entries: dict[tuple[str, str | None], tuple[float, Credentials]] = {}

    def get(self, key: tuple[str, str | None]) -> Credentials | None:
        """The cached answer, if still fresh."""
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: tuple[str, str | None], credentials: Credentials) -> None:
        """Remember an answer; negative answers are not cached, so a new key works at once."""
        if self._ttl <= 0 or credentials.organization_id is None:
            return
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self._ttl, credentials)

    def forget_account(self, account_id: uuid.UUID) -> None:
        """Drop every answer naming this linked account (deleted, token regenerated)."""
        self._entries = {
            k: v for k, v in self._entries.items() if v[1].account is None or v[1].account.id != account_id
        }

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()


def _one_aiohttp_transport() -> Callable[[str | None], Transport]:
    shared = AiohttpTransport()
    return lambda _origin: shared


_NO_REGISTRATIONS = Registrations(
    configured={},
    sandbox_origins={},
    sandbox_client=OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1:8000/link/callback"),
)
"""Contexts built for tests of other endpoints: every real link is refused."""


@dataclass(frozen=True)
class ApiContext:
    """The API's dependencies. The link-flow fields have defaults that link against the real providers, so
    contexts built without them (tests of other endpoints) keep working."""

    database: Database
    quota: Quota | None
    """Each linked account's request budget (keyed by account id)."""
    credentials: CredentialCache
    registrations: Registrations = field(default_factory=lambda: _NO_REGISTRATIONS)
    """The app's OAuth registrations, where each connector links, and which other origins a link may use."""
    organization_quota: Quota | None = None
    """Each organization's budget for the endpoints its API key alone opens (keyed by organization id)."""
    failure_quota: Quota | None = None
    """Each client address's budget of failed credential lookups (keyed by address)."""
    public_quota: Quota | None = None
    """Each client address's budget for what needs no credentials: link pages, docs, schema, integrations."""
    transport: Callable[[str | None], Transport] = field(default_factory=_one_aiohttp_transport)
    """The transport that reaches a provider origin (``None``: the real one); the factory owns its lifetime."""
    sealer: Sealer = field(default_factory=lambda: Sealer([new_key()]))
    """Seals credentials at rest; ``create_app`` passes the configured keys (a random key only suits tests)."""
    public_url: str = "http://127.0.0.1:8000"
    """Where browsers and providers reach this server (magic links, OAuth redirect URI); no trailing slash."""
    writes: WriteDeps | None = None
    """What writes need (provider plumbing shared with syncs); ``None`` in contexts that serve reads only."""
    webhook_allow_private: bool = False
    """Whether webhook endpoints may be on private or loopback addresses (``LEDGERPORT_WEBHOOK_ALLOW_PRIVATE``)."""
    ready_checks: Mapping[str, Callable[[], Awaitable[object]]] = field(default_factory=dict)
    """What ``/ready`` asks besides the database, by name (``redis`` when configured); each raises if its service
    does not answer."""
    metrics_allow: tuple[IPv4Network | IPv6Network, ...] = ()
    """Client networks that may read ``/metrics`` (``LEDGERPORT_METRICS_ALLOW``); empty: any."""
    queue_refresh: QueueRefresh | None = None
    """Reads the job queue for ``/metrics`` at each scrape; ``None``: the queue gauges are left out."""
    job_kinds: tuple[str, ...] = ()
    """The job kinds ``/metrics`` reports even when none of them waits (as 0)."""
    sync_interval_seconds: int = 300
    """How often the workers' schedule syncs each account (``LEDGERPORT_SYNC_INTERVAL_SECONDS``), for
    ``next_sync_start``."""
    file_policy: FetchPolicy = field(default_factory=FetchPolicy)
    """Where ``POST /attachments`` may fetch a ``file_url`` from, and how much (``LEDGERPORT_ATTACHMENT_*``)."""
    fetch_file: Fetcher = fetch_file
    """Fetches a ``file_url`` under ``file_policy`` (tests swap it for a function)."""


def context_of(request: ASGIConnection[Any, Any, Any, Any]) -> ApiContext:
    """The context the app was built with (for a request, or a guard's connection)."""
    context: ApiContext = request.app.state.ledgerport
    return context
