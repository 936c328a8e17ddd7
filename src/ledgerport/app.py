"""``create_app(settings)``: the composition root of the HTTP process.

Link-flow settings come from :class:`~ledgerport.config.Settings`: ``LEDGERPORT_SANDBOX_ORIGINS`` links chosen
connectors against sandboxes, ``LEDGERPORT_SANDBOX_URL_ALLOWLIST`` names other sandboxes a link may use, and
``LEDGERPORT_OAUTH_<KEY>_CLIENT_ID`` / ``_CLIENT_SECRET`` are the app's registration at each real provider. The
redirect URI to register at a provider is ``<public url>/link/callback``.

What operators see comes from here too: every request passes :class:`~ledgerport.kit.access.AccessLog` (one
``ledgerport.access`` line, the request metrics), ``/ready`` asks the database and Redis, and ``/metrics`` reads the
job queue at each scrape (``LEDGERPORT_METRICS``, ``LEDGERPORT_METRICS_ALLOW``).

The operators' dashboard is served at ``/dashboard`` (sign in with an organization's API key).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import msgspec
from litestar import Litestar

from ledgerport.api import EXCEPTION_HANDLERS, ApiContext, CredentialCache, add_security_headers, build_routes
from ledgerport.api.fetching import FetchPolicy
from ledgerport.config import Settings, ensure_parent_dir, load_settings, public_url
from ledgerport.connectors._base import AiohttpTransport, Transport
from ledgerport.connectors._base.client import RetryPolicy
from ledgerport.dashboard import DashboardContext, dashboard_router
from ledgerport.jobs.metrics import queue_refresh
from ledgerport.kit.access import AccessLog
from ledgerport.kit.logs import configure_logging
from ledgerport.kit.ratelimit import MemoryQuota, Quota, RedisQuota
from ledgerport.store import Database
from ledgerport.worker import build_sync_deps, build_write_deps, job_handlers, registrations, sealer

if TYPE_CHECKING:
    from redis.asyncio import Redis

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


def _redis(settings: Settings) -> Redis | None:
    """The process's Redis client (connections are made on first use), or ``None`` when none is configured."""
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis

    return Redis.from_url(settings.redis_url, socket_connect_timeout=5)


def _pinger(redis: Redis) -> Callable[[], Awaitable[object]]:
    """Redis's ``PING`` for ``/ready``; a connection refused or cut reads as unreachable, as the database's does."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    async def ping() -> object:
        try:
            return await redis.ping()
        except RedisConnectionError as exc:
            raise ConnectionError(str(exc)) from exc

    return ping


def _quotas(settings: Settings, redis: Redis | None) -> dict[str, Quota | None]:
    """The budgets, in process memory or shared by every process through Redis."""
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
    redis = _redis(settings)
    quotas = _quotas(settings, redis)
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
        ready_checks={} if redis is None else {"redis": _pinger(redis)},
        metrics_allow=tuple(ipaddress.ip_network(network) for network in settings.metrics_allow),
        queue_refresh=queue_refresh(database),
        job_kinds=tuple(job_handlers(settings, providers)),
        sync_interval_seconds=settings.sync_interval_seconds,
        file_policy=FetchPolicy(
            allow=settings.attachment_fetch_allow,
            allow_private=settings.attachment_fetch_allow_private,
            max_bytes=settings.attachment_max_bytes,
            seconds=settings.attachment_fetch_seconds,
        ),
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
            if redis is not None:
                await redis.aclose()
            await database.dispose()

    dashboard = DashboardContext(
        database=database,
        sealer=context.sealer,
        keys_revoked=context.credentials.clear,
        account_deleted=context.credentials.forget_account,
        failure_quota=quotas["failure"],
        public_url=context.public_url,
        webhook_allow_private=settings.webhook_allow_private,
        sync_interval_seconds=settings.sync_interval_seconds,
    )

    app = Litestar(
        route_handlers=[*build_routes(metrics=settings.metrics), dashboard_router()],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        before_send=[add_security_headers],
        lifespan=[lifespan],
        openapi_config=None,
        logging_config=None,  # the process's logging is ours (kit/logs.py), not replaced by the framework's
        debug=False,
    )
    app.state.ledgerport = context
    # Every request, routed or not, gets its access-log line and its metrics; inside Litestar's own entry point, as
    # its OpenTelemetry plugin wraps it, so the route template it found is in the scope when the request ends.
    app.asgi_handler = AccessLog(app.asgi_handler)  # type: ignore[arg-type]
    app.state.dashboard = dashboard
    return app


def app_from_environment() -> Litestar:
    """The app configured from ``LEDGERPORT_*`` variables (for ``uvicorn --factory`` and multi-process serving:
    each process configures its own logging, as ``ledgerport serve`` does for one)."""
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings)
