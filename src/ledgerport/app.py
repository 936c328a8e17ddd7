"""``create_app(settings)``: the composition root of the HTTP process.

Link-flow settings come from :class:`~ledgerport.config.Settings`: ``LEDGERPORT_SANDBOX_ORIGINS`` links chosen
connectors against sandboxes, ``LEDGERPORT_SANDBOX_URL_ALLOWLIST`` names other sandboxes a link may use, and
``LEDGERPORT_OAUTH_<KEY>_CLIENT_ID`` / ``_CLIENT_SECRET`` are the app's registration at each real provider. The
redirect URI to register at a provider is ``<public url>/link/callback``. The operators' dashboard is served at
``/dashboard`` (sign in with an organization's API key).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

import msgspec
from litestar import Litestar

from ledgerport.api import EXCEPTION_HANDLERS, ApiContext, CredentialCache, add_security_headers, build_routes
from ledgerport.config import Settings, ensure_parent_dir, load_settings, public_url
from ledgerport.connectors._base import AiohttpTransport, Transport
from ledgerport.connectors._base.client import RetryPolicy
from ledgerport.dashboard import DashboardContext, dashboard_router
from ledgerport.kit.ratelimit import MemoryQuota, Quota, RedisQuota
from ledgerport.store import Database
from ledgerport.worker import build_sync_deps, build_write_deps, registrations, sealer

__all__ = ["Background", "app_from_environment", "create_app"]

Background = Callable[[Database, asyncio.Event], Awaitable[None]]
"""Work the embedded default runs inside the server process (the job worker): runs until the event is set."""


_QUOTAS = {
    "account": ("rate_limit_per_minute", "ledgerport:quota:"),
    "organization": ("organization_rate_limit_per_minute", "ledgerport:org-quota:"),
    "failure": ("auth_failures_per_minute", "ledgerport:auth-failures:"),
    "public": ("public_rate_limit_per_minute", "ledgerport:public-quota:"),
}
"""Each budget's setting (requests per minute, 0 = off) and its Redis key space: the same id never shares a
budget across two of them."""


def _quotas(settings: Settings) -> dict[str, Quota | None]:
    """The budgets, in process memory or shared by every process through Redis."""
    redis = None
    if settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
    quotas: dict[str, Quota | None] = {}
    for name, (field, prefix) in _QUOTAS.items():
        limit = getattr(settings, field)
        if limit == 0:
            quotas[name] = None
        elif redis is not None:
            quotas[name] = RedisQuota(redis, limit, prefix=prefix)
        else:
            quotas[name] = MemoryQuota(limit)
    return quotas


_INTERACTIVE = RetryPolicy(attempts=3, base_delay=0.25, max_delay=2.0, max_throttle_wait=10.0)


def create_app(
    settings: Settings,
    *,
    background: Background | None = None,
    transports: Mapping[str, Transport] | None = None,
) -> Litestar:
    """A Litestar app serving the API on the database ``settings`` names (already migrated).

    ``transports`` maps provider origins served inside this process (the embedded demo's sandboxes) to the
    transports that reach them; other origins are called over the network. ``background`` runs beside the server.
    """
    ensure_parent_dir(settings.database_url)
    database = Database(settings.database_url)
    network = AiohttpTransport()
    local = dict(transports or {})
    # A request waits for its provider briefly: a write that meets an outage answers 502 and is retried by the
    # client with the same Idempotency-Key, instead of holding the connection through a sync's minute of backoff.
    providers = msgspec.structs.replace(build_sync_deps(settings, database, transports=local), retry=_INTERACTIVE)
    quotas = _quotas(settings)
    context = ApiContext(
        database=database,
        quota=quotas["account"],
        organization_quota=quotas["organization"],
        failure_quota=quotas["failure"],
        public_quota=quotas["public"],
        credentials=CredentialCache(settings.auth_cache_seconds),
        registrations=registrations(settings),
        transport=lambda origin: local.get(origin or "", network),
        sealer=sealer(settings),
        public_url=public_url(settings),
        writes=build_write_deps(settings, providers),
        webhook_allow_private=settings.webhook_allow_private,
    )

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = None if background is None else asyncio.create_task(background(database, stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await network.close()
            await providers.transport(None).close()
            await database.dispose()

    dashboard = DashboardContext(
        database=database,
        sealer=context.sealer,
        keys_revoked=context.credentials.clear,
        account_deleted=context.credentials.forget_account,
        failure_quota=quotas["failure"],
        public_url=context.public_url,
        webhook_allow_private=settings.webhook_allow_private,
    )

    app = Litestar(
        route_handlers=[*build_routes(), dashboard_router()],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        before_send=[add_security_headers],
        lifespan=[lifespan],
        openapi_config=None,
        debug=False,
    )
    app.state.ledgerport = context
    app.state.dashboard = dashboard
    return app


def app_from_environment() -> Litestar:
    """The app configured from ``LEDGERPORT_*`` variables (for ``uvicorn --factory`` and multi-process serving)."""
    return create_app(load_settings())
