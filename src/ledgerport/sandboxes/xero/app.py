"""``create_app``: the Xero sandbox as one ASGI app serving login.xero.com, identity.xero.com and api.xero.com paths.

A connector that defaults to Xero's hosts reaches it by swapping scheme and host only. The stack, outermost first:
``Throttle`` (stats and Xero's limits) -> ``FaultsMiddleware`` (injected storms, 5xx, latency, truncated pages) ->
``Router`` (identity, API and ``/_sandbox`` routes). The returned app exposes ``tenants``, ``oauth``, ``identity``,
``faults`` and ``throttle`` for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ledgerport.sandboxes._kit import Faults, FaultsMiddleware, OAuthServer, at_own_root
from ledgerport.sandboxes.xero.attachments import Attachments, seed_files
from ledgerport.sandboxes.xero.auth import Identity
from ledgerport.sandboxes.xero.bankfeeds import BankFeeds
from ledgerport.sandboxes.xero.control import Control
from ledgerport.sandboxes.xero.data import generate
from ledgerport.sandboxes.xero.errors import NOT_FOUND_TEXT, problem_body
from ledgerport.sandboxes.xero.http import Response, Route, Router
from ledgerport.sandboxes.xero.ledger import Ledger
from ledgerport.sandboxes.xero.routes import Api
from ledgerport.sandboxes.xero.store import Tenant
from ledgerport.sandboxes.xero.throttle import Throttle
from ledgerport.sandboxes.xero.tracking import Tracking

__all__ = ["DEFAULT_CLIENTS", "SandboxApp", "create_app", "run"]

DEFAULT_CLIENTS = {"sandbox-client": "sandbox-secret"}
ACCESS_TTL = 30 * 60
REFRESH_TTL = 60 * 24 * 3600
REFRESH_GRACE = 30 * 60
EXEMPT = ("/_sandbox", "/identity", "/connect", "/connections")


class SandboxApp:
    """The ASGI callable plus handles on its state."""

    def __init__(
        self, app: Any, *, tenants: dict[str, Tenant], identity: Identity, faults: Faults, throttle: Throttle
    ) -> None:
        self.app = app
        self.tenants = tenants
        self.identity = identity
        self.oauth = identity.oauth
        self.faults = faults
        self.throttle = throttle

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Serve one ASGI connection (under a prefix, on the paths below it)."""
        if scope["type"] in {"http", "websocket"}:
            scope = at_own_root(scope)
        await self.app(scope, receive, send)


def create_app(
    *,
    seed: int = 0,
    size: str | int = "small",
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
    clients: dict[str, str] | None = None,
    limits: bool = True,
    bank_feeds: bool = True,
) -> SandboxApp:
    """Build a sandbox with two generated organisations; ``bank_feeds=False`` plays an app Xero has not approved
    for its Bank Feeds API."""
    tenants = {tenant.tenant_id: tenant for tenant in generate(seed, size)}
    for tenant in tenants.values():
        seed_files(tenant)
    oauth = OAuthServer(
        clients=clients or DEFAULT_CLIENTS,
        access_ttl=ACCESS_TTL,
        refresh_ttl=REFRESH_TTL,
        refresh_grace=REFRESH_GRACE,
        clock=clock,
    )
    identity = Identity(oauth, tenants)
    faults = faults if faults is not None else Faults(exempt=EXEMPT)
    api = Api(identity, clock, provider_name="ledgerport Xero sandbox")
    routes = [
        Route("GET", "/identity/connect/authorize", identity.authorize_page),
        Route("POST", "/identity/connect/authorize", identity.authorize_submit),
        Route("POST", "/connect/token", identity.token),
        Route("POST", "/connect/revocation", identity.revocation),
        Route("GET", "/connections", identity.list_connections),
        Route("DELETE", "/connections/{id}", identity.delete_connection),
        *Tracking(api).routes(),
        *BankFeeds(api, approved=bank_feeds).routes(),
        *Ledger(api).routes(),
        *Attachments(api, identity).routes(),
        *api.routes(),
    ]
    router = Router(routes, Response(404, NOT_FOUND_TEXT, content_type="text/html; charset=utf-8"))
    faulty = FaultsMiddleware(
        router,
        faults,
        throttle_body=problem_body(429, "Too Many Requests", "Rate limit"),
        throttle_type=b"application/json; charset=utf-8",
        error_body=problem_body(503, "Service Unavailable", "The service is unavailable"),
    )
    throttle = Throttle(faulty, clock=clock, enabled=limits)
    control = Control(tenants, identity, faults, throttle)
    router.routes = [(route, route.compile()) for route in [*control.routes(), *routes]]
    return SandboxApp(throttle, tenants=tenants, identity=identity, faults=faults, throttle=throttle)


def run(host: str, port: int, seed: int, size: str | int) -> None:
    """Serve a sandbox with uvicorn until interrupted (``ledgerport sandbox xero``)."""
    import uvicorn

    uvicorn.run(create_app(seed=seed, size=size), host=host, port=port, log_level="info")
