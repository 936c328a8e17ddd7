"""Periodic callbacks ("ticks"): the sync room's ``schedule`` functions that queue what has come due.

A tick decides from rows what should run and queues it with :func:`~ledgerport.jobs.submit.submit` under a
``dedupe_key``, so every worker process may run the same ticker at once: the second process's submit finds the
live job and inserts nothing. Nothing needs a reconciler: a job whose worker died is claimable again as soon as its
lease expires (:func:`ledgerport.store.jobs.claim`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping

from ledgerport.store import Database

__all__ = ["Tick", "Ticker"]

log = logging.getLogger(__name__)

Tick = Callable[[Database], Awaitable[None]]
"""Opens its own transactions on the database; must be idempotent (see the module docstring)."""


class Ticker:
    """Runs every tick in ``ticks`` (name → function) once at start, then every ``interval`` seconds."""

    def __init__(self, database: Database, ticks: Mapping[str, Tick], *, interval: float = 30.0) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.database = database
        self.ticks = dict(ticks)
        self.interval = interval

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until ``stop`` is set; a failing tick is logged and tried again next time, never fatal."""
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while not stop.is_set():
            await self.tick()
            next_at += self.interval
            next_at = max(next_at, loop.time())  # a slow round skips missed ones instead of bursting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=next_at - loop.time())

    async def tick(self) -> None:
        """Run every tick once, one after the other."""
        for name, tick in self.ticks.items():
            try:
                await tick(self.database)
            except Exception:
                log.exception("tick %s failed", name)
