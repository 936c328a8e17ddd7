"""Prometheus metrics: every metric a ledgerport process exports, in one registry of its own.

The metric objects live here, in ``kit/``, because the rooms that count things may import only ``kit``: the
connectors count provider calls, the sync engine runs and records, the webhook room deliveries, the job worker its
runs, the HTTP edge requests. Each process counts what it did itself; Prometheus scrapes every process and adds
them up (a counter is per process, so take ``sum by (...)`` across instances).

The job queue is the database's, not a process's: :data:`JOBS_QUEUED` and :data:`JOBS_OLDEST_QUEUED` are set from
the jobs table right before each scrape (:func:`render` takes the refresh), so every process reports the same
numbers and a dashboard takes ``max``.

Label values are bounded sets: route templates (never raw paths), provider keys, model names, job kinds, outcome
words, status classes. Nothing a client sends becomes a label.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    gc_collector,
    generate_latest,
    platform_collector,
    process_collector,
)

__all__ = [
    "CONTENT_TYPE",
    "HTTP_REQUESTS",
    "HTTP_REQUEST_SECONDS",
    "JOBS_OLDEST_QUEUED",
    "JOBS_QUEUED",
    "JOBS_RUNNING",
    "JOB_RUNS",
    "MetricsServer",
    "PROVIDER_REQUESTS",
    "PROVIDER_THROTTLES",
    "QueueRefresh",
    "RECORDS_SYNCED",
    "REGISTRY",
    "SYNC_RUNS",
    "WEBHOOK_DELIVERIES",
    "render",
    "set_queue",
    "status_class",
]

log = logging.getLogger("ledgerport.metrics")

REGISTRY = CollectorRegistry()
"""Ledgerport's registry (not the library's global one): what ``/metrics`` serves, plus the process's CPU, memory,
file descriptors, garbage collections and Python version."""
process_collector.ProcessCollector(registry=REGISTRY)
platform_collector.PlatformCollector(registry=REGISTRY)
gc_collector.GCCollector(registry=REGISTRY)

CONTENT_TYPE = CONTENT_TYPE_LATEST
"""The exposition format's media type."""

HTTP_REQUESTS = Counter(
    "ledgerport_http_requests",
    "API requests answered, by method, route template and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_REQUEST_SECONDS = Histogram(
    "ledgerport_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
SYNC_RUNS = Counter(
    "ledgerport_sync_runs",
    "Sync runs of a linked account that ended here, by provider and outcome (succeeded, failed, stopped).",
    ["provider", "outcome"],
    registry=REGISTRY,
)
RECORDS_SYNCED = Counter(
    "ledgerport_records_synced",
    "Records read from a provider and stored, by provider and common model.",
    ["provider", "model"],
    registry=REGISTRY,
)
PROVIDER_REQUESTS = Counter(
    "ledgerport_provider_requests",
    "Calls sent to a provider's API, by provider and status class (2xx, 3xx, 4xx, 5xx, or error: no answer).",
    ["provider", "status_class"],
    registry=REGISTRY,
)
PROVIDER_THROTTLES = Counter(
    "ledgerport_provider_throttles",
    "Provider answers of 429 Too Many Requests, by provider.",
    ["provider"],
    registry=REGISTRY,
)
JOBS_QUEUED = Gauge(
    "ledgerport_jobs_queued",
    "Jobs due and waiting for a worker, by kind (read from the jobs table at scrape time).",
    ["kind"],
    registry=REGISTRY,
)
JOBS_OLDEST_QUEUED = Gauge(
    "ledgerport_jobs_oldest_queued_seconds",
    "How long the longest-waiting due job has waited for a worker, by kind (read at scrape time).",
    ["kind"],
    registry=REGISTRY,
)
JOBS_RUNNING = Gauge(
    "ledgerport_jobs_running",
    "Jobs this process is running now, by kind.",
    ["kind"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "ledgerport_job_runs",
    "Job runs that ended in this process, by kind and outcome (done, released, failed, lost).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
WEBHOOK_DELIVERIES = Counter(
    "ledgerport_webhook_deliveries",
    "Webhook delivery attempts, by outcome (delivered, failed: retried later, given_up).",
    ["outcome"],
    registry=REGISTRY,
)


def status_class(status: int) -> str:
    """``2xx`` for 200-299 and so on: the label of an HTTP status."""
    return f"{status // 100}xx"


QueueRefresh = Callable[[], Awaitable[Mapping[str, tuple[int, float]]]]
"""Reads the queue: job kind -> (due jobs waiting, seconds the oldest of them has waited)."""


def set_queue(depths: Mapping[str, tuple[int, float]], kinds: Iterable[str] = ()) -> None:
    """Set the queue gauges to ``depths``; ``kinds`` (the kinds this process knows) read 0 when none waits."""
    JOBS_QUEUED.clear()
    JOBS_OLDEST_QUEUED.clear()
    for kind in kinds:
        JOBS_QUEUED.labels(kind=kind).set(0)
        JOBS_OLDEST_QUEUED.labels(kind=kind).set(0)
    for kind, (count, oldest) in depths.items():
        JOBS_QUEUED.labels(kind=kind).set(count)
        JOBS_OLDEST_QUEUED.labels(kind=kind).set(oldest)


async def render(refresh: QueueRefresh | None = None, kinds: Iterable[str] = ()) -> bytes:
    """The exposition text of :data:`REGISTRY`, the queue read first through ``refresh`` when there is one.

    A refresh that fails (the database is away) leaves the queue gauges out rather than failing the scrape: the
    process's own counters are still worth having, and ``/ready`` is what says the database is down.
    """
    if refresh is not None:
        try:
            set_queue(await refresh(), kinds)
        except Exception:  # noqa: BLE001 - a scrape must answer whatever the database does
            log.warning("reading the job queue for /metrics failed", exc_info=True)
            JOBS_QUEUED.clear()
            JOBS_OLDEST_QUEUED.clear()
    return generate_latest(REGISTRY)


class MetricsServer:
    """``GET /metrics`` on its own port, for processes that serve no HTTP otherwise (``ledgerport worker``).

    It runs in the caller's event loop (aiohttp's server, already a dependency for provider calls), so each scrape
    can read the job queue through the process's own database pool; other paths answer 404.
    """

    def __init__(self, host: str, port: int, *, refresh: QueueRefresh | None = None, kinds: Iterable[str] = ()) -> None:
        self.host = host
        self.port = port
        self._refresh = refresh
        self._kinds = tuple(kinds)
        self._runner: object | None = None

    async def start(self) -> None:
        """Bind and serve; raises ``OSError`` when the port is taken."""
        from aiohttp import web

        async def metrics(_request: web.Request) -> web.Response:
            body = await render(self._refresh, self._kinds)
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

        app = web.Application()
        app.router.add_get("/metrics", metrics)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        self._runner = runner

    async def stop(self) -> None:
        """Stop serving."""
        from aiohttp import web

        if isinstance(self._runner, web.AppRunner):
            await self._runner.cleanup()
        self._runner = None
