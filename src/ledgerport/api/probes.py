"""What operators and their machines ask the server, outside Merge's API: readiness and metrics.

``GET /ready`` answers 200 when the database answers ``SELECT 1`` and every other configured dependency (Redis)
answers, each within :data:`CHECK_SECONDS`; otherwise 503 with ``detail`` naming what failed and ``checks`` saying
how each went. The reasons name the failure's kind only (``unreachable``, ``timed out``): the probe needs no
credentials, so hosts and driver messages go to the log, not to the caller. ``GET /health`` (liveness, in
``routing.py``) asks nothing of the dependencies, so a database outage does not get every server restarted.

``GET /metrics`` is Prometheus's text format (:mod:`ledgerport.kit.metrics`); the job queue is read from the
database at each scrape. It needs no API key: ``LEDGERPORT_METRICS=off`` removes it, and ``LEDGERPORT_METRICS_ALLOW``
limits it to client networks (others get 404, as if it did not exist). Neither probe spends a rate-limit budget.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get

from ledgerport.api.context import context_of
from ledgerport.api.errors import NotFound
from ledgerport.api.shapes import Readiness
from ledgerport.kit.metrics import CONTENT_TYPE, render

__all__ = ["CHECK_SECONDS", "read_metrics", "ready"]

CHECK_SECONDS = 3.0
"""How long each dependency has to answer a readiness check (a load balancer's probe times out soon after)."""

log = logging.getLogger("ledgerport.api")


async def _check(name: str, probe: Callable[[], Awaitable[object]]) -> str:
    """``ok``, or why not in a few words (the exception itself is logged)."""
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await probe()
    except TimeoutError:
        log.warning("readiness: %s did not answer within %g s", name, CHECK_SECONDS)
        return "timed out"
    except OSError:
        log.warning("readiness: %s is unreachable", name, exc_info=True)
        return "unreachable"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the log has it
        log.warning("readiness: %s failed", name, exc_info=True)
        return f"failed ({type(exc).__name__})"
    return "ok"


@get("/ready", name="ready", include_in_schema=False)
async def ready(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Readiness: 200 when every dependency answers, 503 naming those that do not."""
    context = context_of(request)
    probes: dict[str, Callable[[], Awaitable[object]]] = {"database": context.database.ping, **context.ready_checks}
    results = await asyncio.gather(*(_check(name, probe) for name, probe in probes.items()))
    checks = dict(zip(probes, results, strict=True))
    failed = [name for name, result in checks.items() if result != "ok"]
    if not failed:
        body = Readiness(status="ready", checks=checks)
        return Response(msgspec.json.encode(body), media_type=MediaType.JSON, status_code=200)
    detail = "Not ready: " + ", ".join(f"{name} {checks[name]}" for name in failed) + "."
    body = Readiness(detail=detail, status="unavailable", checks=checks)
    return Response(msgspec.json.encode(body), media_type=MediaType.JSON, status_code=503)


def _allowed(request: Request[Any, Any, Any]) -> bool:
    networks = context_of(request).metrics_allow
    if not networks:
        return True
    client = request.client
    try:
        address = ipaddress.ip_address(client.host if client is not None else "")
    except ValueError:
        return False
    return any(address in network for network in networks)


@get("/metrics", name="metrics", include_in_schema=False)
async def read_metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The process's metrics, the job queue read first."""
    if not _allowed(request):
        raise NotFound()
    context = context_of(request)
    body = await render(context.queue_refresh, context.job_kinds)
    return Response(body, media_type=CONTENT_TYPE)
