"""The composition root of background work: sync and write dependencies, the job handlers every worker runs
(syncs, asynchronous writes and bulk writes), and the worker process (``ledgerport worker``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from ledgerport.config import (
    SANDBOX_CLIENT,
    Settings,
    SettingsError,
    callback_url,
    oauth_apps,
    public_url,
    sealing_keys,
)
from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base import AiohttpTransport, Transport
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.jobs import Abandoned, Handler, LocalWakeups, Ticker, Wakeups, Worker, run_worker
from ledgerport.kit.budget import Budget, MemoryBudget, RedisBudget
from ledgerport.kit.sealing import Sealer
from ledgerport.store import Database
from ledgerport.sync import SyncDeps
from ledgerport.sync.tasks import schedule_tick, sync_abandoned, sync_handlers
from ledgerport.writes import WriteDeps
from ledgerport.writes.bulk import bulk_abandoned, bulk_handlers
from ledgerport.writes.tasks import write_task_handlers, write_tasks_abandoned

__all__ = [
    "build_sync_deps",
    "build_write_deps",
    "bulk_worker",
    "embedded_worker",
    "job_abandoned",
    "job_handlers",
    "registrations",
    "run",
    "sealer",
]


def sealer(settings: Settings) -> Sealer:
    """The process's credentials sealer."""
    return Sealer(sealing_keys(settings))


def registrations(settings: Settings) -> Registrations:
    """The app's OAuth registrations and the origins each may be sent to (see :mod:`~ledgerport.connectors._base.
    registrations`)."""
    unknown = set(settings.sandbox_origins) - set(CONNECTORS)
    if unknown:
        raise SettingsError(
            f"LEDGERPORT_SANDBOX_ORIGINS names unknown connectors {sorted(unknown)}; use {list(CONNECTORS)}"
        )
    apps = oauth_apps(settings, tuple(CONNECTORS))
    return Registrations(
        configured={key: OAuthClient(app.client_id, app.client_secret, app.redirect_uri) for key, app in apps.items()},
        sandbox_origins=dict(settings.sandbox_origins),
        sandbox_client=OAuthClient(*SANDBOX_CLIENT, callback_url(settings)),
        allowed_sandboxes=settings.sandbox_url_allowlist,
    )


def _budget(settings: Settings) -> Budget:
    if settings.redis_url:
        from redis.asyncio import Redis

        return RedisBudget(Redis.from_url(settings.redis_url))
    return MemoryBudget()


def build_sync_deps(
    settings: Settings, database: Database, *, transports: Mapping[str, Transport] | None = None
) -> SyncDeps:
    """Sync dependencies; ``transports`` maps provider origins served in this process (mounted sandboxes)."""
    network = AiohttpTransport()
    local = dict(transports or {})
    return SyncDeps(
        database=database,
        sealer=sealer(settings),
        connectors=CONNECTORS,
        registrations=registrations(settings),
        transport=lambda origin: local.get(origin or "", network),
        budget=_budget(settings),
    )


def build_write_deps(settings: Settings, providers: SyncDeps) -> WriteDeps:
    """Write dependencies over ``providers`` (the API passes its own, which wait for a provider only briefly)."""
    return WriteDeps(
        providers=providers,
        public_url=public_url(settings),
        lease_seconds=settings.write_lease_seconds,
        busy_wait_seconds=settings.write_wait_seconds,
        log_hours=settings.write_log_hours,
    )


def job_handlers(settings: Settings, deps: SyncDeps) -> dict[str, Handler]:
    """Every job kind a worker runs, bound to this process's provider plumbing: syncs, asynchronous writes and
    bulk writes."""
    writes = build_write_deps(settings, deps)
    return {**sync_handlers(deps), **write_task_handlers(writes), **bulk_handlers(writes)}


def job_abandoned(settings: Settings, deps: SyncDeps) -> dict[str, Abandoned]:
    """What each kind records when the worker gives one of its jobs up unrun."""
    return {**sync_abandoned(), **write_tasks_abandoned(), **bulk_abandoned(build_write_deps(settings, deps))}


def bulk_worker(settings: Settings, deps: SyncDeps, *, wakeups: Wakeups | None = None, concurrency: int = 4) -> Worker:
    """A worker for bulk writes only: what ``ledgerport bulk`` runs in its own process when no worker process
    takes its batches promptly. Jobs are leased rows, so it may run beside any number of other workers."""
    writes = build_write_deps(settings, deps)
    return Worker(
        deps.database,
        bulk_handlers(writes),
        concurrency=concurrency,
        wakeups=wakeups,
        lease_seconds=settings.job_lease_seconds,
        abandoned=bulk_abandoned(writes),
    )


async def run(settings: Settings, *, concurrency: int, stop: asyncio.Event, wakeups: Wakeups | None = None) -> None:
    """Run sync jobs, asynchronous writes and the sync schedule until ``stop`` is set."""
    database = Database(settings.database_url)
    try:
        deps = build_sync_deps(settings, database)
        try:
            await run_worker(
                settings.database_url,
                job_handlers(settings, deps),
                concurrency=concurrency,
                redis_url=settings.redis_url,
                stop=stop,
                ticks={"sync.schedule": schedule_tick(settings.sync_interval_seconds, wakeups)},
                lease_seconds=settings.job_lease_seconds,
                abandoned=job_abandoned(settings, deps),
            )
        finally:
            await deps.transport(None).close()
    finally:
        await database.dispose()


def embedded_worker(
    settings: Settings, *, transports: Mapping[str, Transport] | None = None, concurrency: int = 2
) -> Callable[[Database, asyncio.Event], Awaitable[None]]:
    """The worker and sync schedule as a task of the server process (the embedded default: no other process)."""

    async def work(database: Database, stop: asyncio.Event) -> None:
        deps = build_sync_deps(settings, database, transports=transports)
        wakeups = LocalWakeups()
        worker = Worker(
            database,
            job_handlers(settings, deps),
            concurrency=concurrency,
            wakeups=wakeups,
            lease_seconds=settings.job_lease_seconds,
            abandoned=job_abandoned(settings, deps),
        )
        ticker = Ticker(database, {"sync.schedule": schedule_tick(settings.sync_interval_seconds, wakeups)})
        try:
            await asyncio.gather(worker.run(stop), ticker.run(stop))
        finally:
            await deps.transport(None).close()

    return work
