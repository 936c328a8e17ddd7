"""The composition root of background work: sync, write and webhook dependencies, the job handlers every worker
runs (syncs, asynchronous writes, bulk writes, asynchronous passthrough, webhook deliveries), its ticks, and the
worker process (``ledgerport worker``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence

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
from ledgerport.jobs.metrics import queue_refresh
from ledgerport.kit.budget import Budget, MemoryBudget, RedisBudget
from ledgerport.kit.metrics import MetricsServer
from ledgerport.kit.sealing import Sealer
from ledgerport.passthrough import passthrough_abandoned, passthrough_handlers
from ledgerport.store import Database
from ledgerport.sync import SyncDeps
from ledgerport.sync.tasks import schedule_tick, sync_abandoned, sync_handlers
from ledgerport.webhooks import POLL_SECONDS, Policy, WebhookDeps, ticks, webhook_handlers
from ledgerport.writes import WriteDeps
from ledgerport.writes.bulk import bulk_abandoned, bulk_handlers
from ledgerport.writes.tasks import write_task_handlers, write_tasks_abandoned

__all__ = [
    "build_sync_deps",
    "build_webhook_deps",
    "build_write_deps",
    "bulk_worker",
    "embedded_worker",
    "job_abandoned",
    "job_handlers",
    "registrations",
    "run",
    "sealer",
    "tickers",
    "webhook_policy",
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
        sync_options={"report_periods": str(settings.report_periods)},
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


def webhook_policy(settings: Settings) -> Policy:
    """How deliveries are tried, from the ``LEDGERPORT_WEBHOOK_*`` settings."""
    return Policy(
        allow_private=settings.webhook_allow_private,
        retry_seconds=settings.webhook_retry_hours * 3600,
        backoff_seconds=settings.webhook_backoff_seconds,
        max_backoff_seconds=settings.webhook_max_backoff_seconds,
        timeout_seconds=settings.webhook_timeout_seconds,
        retention_seconds=settings.webhook_retention_days * 86400,
    )


def build_webhook_deps(settings: Settings, database: Database) -> WebhookDeps:
    """What sending deliveries needs."""
    return WebhookDeps(database=database, sealer=sealer(settings), policy=webhook_policy(settings))


def job_handlers(settings: Settings, deps: SyncDeps) -> dict[str, Handler]:
    """Every job kind a worker runs, bound to this process's provider plumbing: syncs, asynchronous writes, bulk
    writes, asynchronous passthrough and webhook deliveries."""
    writes = build_write_deps(settings, deps)
    return {
        **sync_handlers(deps),
        **write_task_handlers(writes),
        **bulk_handlers(writes),
        **passthrough_handlers(deps),
        **webhook_handlers(build_webhook_deps(settings, deps.database)),
    }


def tickers(settings: Settings) -> Callable[[Database, Wakeups], Sequence[Ticker]]:
    """The periodic work every worker process runs: the sync schedule, and the look for due webhook deliveries
    (often: it is what starts a delivery once its event commits)."""

    def build(database: Database, wakeups: Wakeups) -> Sequence[Ticker]:
        return [
            Ticker(database, {"sync.schedule": schedule_tick(settings.sync_interval_seconds, wakeups)}),
            Ticker(database, ticks(webhook_policy(settings), wakeups), interval=POLL_SECONDS),
        ]

    return build


def job_abandoned(settings: Settings, deps: SyncDeps) -> dict[str, Abandoned]:
    """What each kind records when the worker gives one of its jobs up unrun."""
    return {
        **sync_abandoned(),
        **write_tasks_abandoned(),
        **bulk_abandoned(build_write_deps(settings, deps)),
        **passthrough_abandoned(),
    }


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


async def run(settings: Settings, *, concurrency: int, stop: asyncio.Event) -> None:
    """Run every job kind and the ticks until ``stop`` is set, serving ``/metrics`` on
    ``settings.worker_metrics_port`` when it is set (aiohttp's server in this event loop: each scrape reads the job
    queue through this process's database pool)."""
    database = Database(settings.database_url)
    metrics = None
    try:
        deps = build_sync_deps(settings, database)
        handlers = job_handlers(settings, deps)
        if settings.worker_metrics_port is not None:
            metrics = MetricsServer(
                settings.worker_metrics_host,
                settings.worker_metrics_port,
                refresh=queue_refresh(database),
                kinds=handlers,
            )
            await metrics.start()
        try:
            await run_worker(
                settings.database_url,
                handlers,
                concurrency=concurrency,
                redis_url=settings.redis_url,
                stop=stop,
                tickers=tickers(settings),
                lease_seconds=settings.job_lease_seconds,
                abandoned=job_abandoned(settings, deps),
            )
        finally:
            await deps.transport(None).close()
    finally:
        if metrics is not None:
            await metrics.stop()
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
        try:
            periodic = tickers(settings)(database, wakeups)
            await asyncio.gather(worker.run(stop), *(ticker.run(stop) for ticker in periodic))
        finally:
            await deps.transport(None).close()

    return work
