"""``ledgerport worker`` with a short job lease, for the SIGKILL end-to-end test (run as a script, not collected).

Built the way :func:`ledgerport.worker.run` builds the CLI worker (same settings, sync dependencies and handlers);
the only differences are ``lease_seconds`` (``ledgerport worker`` has no option or variable for it and always holds
60-second leases) and no schedule ticker, so this process runs only the jobs the test queues.

Usage: ``python sync_short_lease_worker.py LEASE_SECONDS [CONCURRENCY]`` with the usual ``LEDGERPORT_*`` environment.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from ledgerport.config import load_settings
from ledgerport.jobs import run_worker
from ledgerport.store import Database
from ledgerport.sync.tasks import sync_handlers
from ledgerport.worker import build_sync_deps


async def main(lease_seconds: float, concurrency: int) -> None:
    settings = load_settings()
    database = Database(settings.database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    deps = build_sync_deps(settings, database)
    try:
        print(f"short-lease worker running (lease {lease_seconds:g} s)", file=sys.stderr, flush=True)
        await run_worker(
            settings.database_url,
            sync_handlers(deps),
            concurrency=concurrency,
            redis_url=settings.redis_url,
            stop=stop,
            lease_seconds=lease_seconds,
        )
    finally:
        await deps.transport(None).close()
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1))
