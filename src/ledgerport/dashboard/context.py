"""What the dashboard's handlers reach through ``request.app.state.dashboard``: built once by ``app.create_app``.

The dashboard shares the API's database and sealer, and tells the API's credential cache when a key is revoked
or an account deleted, so the API refuses them at once in this process (other processes within the cache's time).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection

from ledgerport.kit.ratelimit import Quota
from ledgerport.kit.sealing import Sealer
from ledgerport.store import Database

__all__ = ["DashboardContext", "dashboard_context"]


def _nothing(*_args: object) -> None:
    return None


@dataclass(frozen=True)
class DashboardContext:
    """The dashboard's dependencies."""

    database: Database
    sealer: Sealer
    """Seals the session cookie (the same keys that seal credentials at rest; the payload names its purpose)."""
    keys_revoked: Callable[[], None] = _nothing
    """Forget cached credential lookups (a key was revoked)."""
    account_deleted: Callable[[uuid.UUID], None] = _nothing
    """Forget cached lookups naming this linked account."""
    failure_quota: Quota | None = None
    """Each client address's budget of failed sign-ins, shared with the API's failed key lookups."""
    public_url: str = "http://127.0.0.1:8000"
    """Where API clients reach this server (the relink instructions show it)."""
    webhook_allow_private: bool = False
    """Whether webhook endpoints may be on private or loopback addresses."""
    sync_interval_seconds: int = 300
    """How often the workers' schedule syncs each account (``LEDGERPORT_SYNC_INTERVAL_SECONDS``): the next sync."""
    session_seconds: int = field(default=8 * 3600)
    """How long a sign-in lasts."""


def dashboard_context(connection: ASGIConnection[Any, Any, Any, Any]) -> DashboardContext:
    """The context the app was built with."""
    context: DashboardContext = connection.app.state.dashboard
    return context
