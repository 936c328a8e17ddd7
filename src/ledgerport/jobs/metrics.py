"""The job queue as ``/metrics`` reports it: read from the jobs table at each scrape, by kind."""

from __future__ import annotations

from collections.abc import Mapping

from ledgerport.kit import clock
from ledgerport.kit.metrics import QueueRefresh
from ledgerport.store import Database
from ledgerport.store.jobs import queue_depths

__all__ = ["queue_refresh"]


def queue_refresh(database: Database) -> QueueRefresh:
    """What a scrape calls: per kind, the due jobs waiting and how many seconds the oldest has waited."""

    async def refresh() -> Mapping[str, tuple[int, float]]:
        now = clock.now_micros()
        async with database.read() as session:
            depths = await queue_depths(session, now=now)
        return {kind: (count, max(0, now - earliest) / 1_000_000) for kind, (count, earliest) in depths.items()}

    return refresh
