"""``create_app(settings)``: the composition root of the HTTP process.

Link-flow settings come from :class:`~ledgerport.config.Settings`: ``LEDGERPORT_SANDBOX_ORIGINS`` links chosen
connectors against sandboxes, ``LEDGERPORT_SANDBOX_URL_ALLOWLIST`` names other sandboxes a link may use, and
``LEDGERPORT_OAUTH_<KEY>_CLIENT_ID`` / ``_CLIENT_SECRET`` are the app's registration at each real provider. The
redirect URI to register at a provider is ``<public url>/link/callback``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from litestar import Litestar

from ledgerport.api import EXCEPTION_HANDLERS, ApiContext, CredentialCache, build_routes
from ledgerport.config import Settings, ensure_parent_dir, load_settings, public_url
from ledgerport.connectors._base import AiohttpTransport, Transport
from ledgerport.kit.ratelimit import MemoryQuota, Quota, RedisQuota
from ledgerport.store import Database
from ledgerport.worker import build_sync_deps, registrations, sealer
from ledgerport.writes import WriteDeps

__all__ = ["Background", "app_from_environment", "create_app"]

Background = Callable[[Database, asyncio.Event], Awaitable[None]]
"""Work the embedded default runs inside the server process (the job worker): runs until the event is set."""


def _quota(settings: Settings) -> Quota | None:
    if settings.rate_limit_per_minute == 0:
        return None
    if settings.redis_url:
        from redis.asyncio import Redis

        return RedisQuota(Redis.from_url(settings.redis_url), settings.rate_limit_per_minute)
    return MemoryQuota(settings.rate_limit_per_minute)


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
    providers = build_sync_deps(settings, database, transports=local)
    context = ApiContext(
        database=database,
        quota=_quota(settings),
        credentials=CredentialCache(settings.auth_cache_seconds),
        registrations=registrations(settings),
        transport=lambda origin: local.get(origin or "", network),
        sealer=sealer(settings),
        public_url=public_url(settings),
        writes=WriteDeps(
            providers=providers,
            public_url=public_url(settings),
            lease_seconds=settings.write_lease_seconds,
            busy_wait_seconds=settings.write_wait_seconds,
            log_hours=settings.write_log_hours,
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
            await database.dispose()

    app = Litestar(
        route_handlers=build_routes(),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[lifespan],
        openapi_config=None,
        debug=False,
    )
    app.state.ledgerport = context
    return app


def app_from_environment() -> Litestar:
    """The app configured from ``LEDGERPORT_*`` variables (for ``uvicorn --factory`` and multi-process serving)."""
    return create_app(load_settings())
