"""The contract between the worker and the code it runs: one handler per job kind, and what a handler may raise.

There is no global handler table: whoever builds a :class:`~ledgerport.jobs.worker.Worker` passes the mapping of
kind → handler it wants that worker to run, so tests, the embedded server and ``ledgerport worker`` each compose
their own. Kinds are named ``"<room>.<verb>"`` (``"sync.run"``); the job row is the handler's only input.

A room may also say what to do when the worker gives one of its jobs up without running it (its workers kept
stopping while they ran it): an :data:`Abandoned` callback per kind, which records the reason where the room's
users look.

Exceptions a handler meets::

    Exception
     ├── LeaseLost       checkpoint(): another worker took the job over; stop, write nothing more
     ├── WorkerStopping  checkpoint(): the worker is shutting down; the job goes back to the queue
     └── RetryLater      raised by the handler: run me again in ``seconds`` (no attempt spent)
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping

from ledgerport.store import Database
from ledgerport.store.jobs import JobRow

__all__ = ["Abandoned", "Handler", "JobContext", "LeaseLost", "RetryLater", "WorkerStopping", "check_handlers"]

_KIND = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


class LeaseLost(Exception):  # noqa: N818 - names the condition, as STYLE.md asks
    """Another worker claimed this job (our lease expired); whatever this run still does is wasted work."""


class WorkerStopping(Exception):  # noqa: N818
    """The worker is shutting down; raised at a checkpoint so the job ends at a step boundary and is re-queued."""


class RetryLater(Exception):  # noqa: N818
    """Raised by a handler to be run again after ``seconds`` (a provider's ``Retry-After``).

    This is not a failure: the attempt is given back, so it never exhausts ``max_attempts``.
    """

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {seconds:g} s")
        self.seconds = max(0.0, seconds)
        self.reason = reason


class JobContext:
    """What a handler gets: the job row, the database, and :meth:`checkpoint`.

    A handler opens its own transactions (``context.database.write()``), one per step, so a crash loses at most
    the step in flight; steps must be idempotent because a step that was interrupted runs again elsewhere.
    """

    def __init__(
        self,
        *,
        row: JobRow,
        database: Database,
        renew: Callable[[], Awaitable[bool]],
        stopping: asyncio.Event,
        retry_in: float | None = None,
        progress: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.row = row
        self.database = database
        self.retry_in = retry_in
        """Seconds after which the job runs again if this run fails; ``None``: this is its last attempt."""
        self._renew = renew
        self._progress = progress
        self._stopping = stopping
        self._lost = False

    @property
    def lost(self) -> bool:
        """Whether the worker already knows another claim took this job."""
        return self._lost

    @property
    def stopping(self) -> bool:
        """Whether the worker is shutting down (the next checkpoint will raise :class:`WorkerStopping`)."""
        return self._stopping.is_set()

    def mark_lost(self) -> None:
        """Record that the lease is gone (the worker's renewal loop found out first)."""
        self._lost = True

    async def checkpoint(self, *, progressed: bool = False) -> None:
        """Call between steps: renews the lease now, and ends the run if it must not go on.

        ``progressed=True`` says a step was committed since the run began (or since the last such checkpoint):
        workers that died holding this job before did not die of it, so its count of takeovers starts again, and
        a long job whose workers are killed now and then is not given up while it gets further each time.

        Raises :class:`LeaseLost` when another worker holds the job, :class:`WorkerStopping` when this worker is
        shutting down. Database errors propagate (the run fails and is retried).
        """
        if self._lost:
            raise LeaseLost(str(self.row.id))
        if self._stopping.is_set():
            raise WorkerStopping(str(self.row.id))
        renew = self._progress if progressed and self._progress is not None else self._renew
        if not await renew():
            self._lost = True
            raise LeaseLost(str(self.row.id))


Handler = Callable[[JobContext], Awaitable[None]]
"""Runs one job; returning means done, raising means this attempt failed (see the tree above)."""

Abandoned = Callable[[Database, JobRow, str], Awaitable[None]]
"""Called once a job has been failed for good without running (the ``str`` says why); it must not raise."""


def check_handlers(handlers: Mapping[str, Handler]) -> dict[str, Handler]:
    """A copy of ``handlers`` once every kind is a well-formed ``"<room>.<verb>"``; raises ``ValueError``."""
    if not handlers:
        raise ValueError("a worker needs at least one handler")
    bad = sorted(kind for kind in handlers if not _KIND.fullmatch(kind) or len(kind) > 64)
    if bad:
        raise ValueError(f"job kinds must look like '<room>.<verb>' (at most 64 characters): {bad}")
    return dict(handlers)
