"""The running sandbox: the account, its authority, its clock, governance settings, counters and async jobs."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ledgerport.sandboxes._kit import Faults
from ledgerport.sandboxes.netsuite.auth import Authority
from ledgerport.sandboxes.netsuite.reference import Books
from ledgerport.sandboxes.netsuite.store import Account
from ledgerport.sandboxes.netsuite.suiteql import ResultCache

__all__ = [
    "Clock",
    "Job",
    "Sandbox",
    "TIERS",
]

# Service tier -> account concurrency limit (FACTS §5; tiers above 1 are third-party numbers).
TIERS = {"shared": 5, "standard": 5, "tier1": 15, "tier2": 25, "tier3": 35, "tier4": 45, "tier5": 55}


@dataclass
class Clock:
    """Wall time plus an offset the control surface can move (token expiry, "today" for defaults)."""

    source: Callable[[], float] = time.time
    offset: float = 0.0

    def __call__(self) -> float:
        """Now, in epoch seconds."""
        return self.source() + self.offset


@dataclass
class Job:
    """One async request (``Prefer: respond-async``): its one task and the stored answer."""

    id: int
    key: str | None
    method: str
    path: str
    started: float
    finished: float | None = None
    status: int = 0
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Sandbox:
    """Everything a handler may touch."""

    account: Account
    authority: Authority
    books: Books
    clock: Clock
    faults: Faults
    concurrency: int = 5
    limits: bool = True
    in_flight: int = 0
    stats: Counter[str] = field(default_factory=Counter)
    results: ResultCache = field(default_factory=ResultCache)
    jobs: dict[int, Job] = field(default_factory=dict)
    idempotency: dict[str, int] = field(default_factory=dict)
    seed: int = 0
    size: str | int = "small"
    extra: dict[str, Any] = field(default_factory=dict)

    def changed(self) -> None:
        """A write happened: cached SuiteQL results are stale."""
        self.results.clear()
