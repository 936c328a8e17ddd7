"""Durable jobs: the database row is the only truth of a job.

Decision: there is no message broker. :func:`submit` INSERTs a row in the caller's transaction. Workers claim due
rows with one indexed query (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite a single ``UPDATE ... WHERE id =
(SELECT id ... LIMIT 1) RETURNING`` that holds the write lock from its first read, as an immediate transaction
would), hold a lease they renew while working, and a lease that expires (a worker SIGKILLed) makes the row
claimable again by anyone, so no reconciler is needed and a killed worker loses nothing but the step in flight.

Optional instant wake-ups: when ``LEDGERPORT_REDIS_URL`` is configured, :func:`submit` publishes the job kind on a
Redis channel after commit and idle workers subscribe (:class:`RedisWakeups`); otherwise they poll every
``poll_interval`` (default 1 s). A hint may be lost without harm.

Embedded mode: the worker runs as asyncio tasks inside the server process (``Worker(...).run(stop)`` as a task of
the app's lifespan), sharing one :class:`LocalWakeups` with the code that submits.

Files: ``submit.py`` (queue a job), ``registry.py`` (the handler contract), ``worker.py`` (claim, lease, run,
record; ``run_worker`` for the CLI), ``ticker.py`` (periodic schedule callbacks), ``wakeups.py`` (hints).
All SQL lives in :mod:`ledgerport.store.jobs`.
"""

from ledgerport.jobs.registry import (
    Abandoned,
    Handler,
    JobContext,
    LeaseLost,
    RetryLater,
    WorkerStopping,
    check_handlers,
)
from ledgerport.jobs.submit import submit
from ledgerport.jobs.ticker import Tick, Ticker
from ledgerport.jobs.wakeups import LocalWakeups, RedisWakeups, Subscription, Wakeups, open_wakeups
from ledgerport.jobs.worker import Worker, run_worker

__all__ = [
    "Abandoned",
    "Handler",
    "JobContext",
    "LeaseLost",
    "LocalWakeups",
    "RedisWakeups",
    "RetryLater",
    "Subscription",
    "Tick",
    "Ticker",
    "Wakeups",
    "Worker",
    "WorkerStopping",
    "check_handlers",
    "open_wakeups",
    "run_worker",
    "submit",
]
