"""``create_app(settings)``: the composition root of the HTTP process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from ledgerport.api import EXCEPTION_HANDLERS, ApiContext, CredentialCache, build_routes
from ledgerport.config import Settings, ensure_parent_dir, load_settings
from ledgerport.kit.ratelimit import MemoryQuota, Quota, RedisQuota
from ledgerport.store import Database

__all__ = ["app_from_environment", "create_app"]


def _quota(settings: Settings) -> Quota | None:
    if settings.rate_limit_per_minute == 0:
        return None
    if settings.redis_url:
        from redis.asyncio import Redis

        return RedisQuota(Redis.from_url(settings.redis_url), settings.rate_limit_per_minute)
    return MemoryQuota(settings.rate_limit_per_minute)


def create_app(settings: Settings) -> Litestar:
    """A Litestar app serving the API on the database ``settings`` names (already migrated)."""
    ensure_parent_dir(settings.database_url)
    database = Database(settings.database_url)
    context = ApiContext(
        database=database, quota=_quota(settings), credentials=CredentialCache(settings.auth_cache_seconds)
    )

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
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
