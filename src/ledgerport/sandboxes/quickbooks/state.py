"""Everything one running sandbox holds, shared by the routes, the middleware and the control surface."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ledgerport.sandboxes._kit import ConcurrencyGate, Faults, OAuthServer, WindowCounter
from ledgerport.sandboxes.quickbooks.store import Company
from ledgerport.sandboxes.quickbooks.wire import Response

__all__ = ["Limits", "Sandbox"]


@dataclass
class Limits:
    """QBO's throttles (provider-apis §1.7): 500/min per realm, 10 in flight per realm+app, batch 120/min per realm
    and 40/min per realm+app."""

    per_minute: WindowCounter
    concurrent: ConcurrencyGate
    batch_per_realm: WindowCounter
    batch_per_app: WindowCounter

    @classmethod
    def standard(cls, clock: Callable[[], float]) -> Limits:
        """The documented numbers."""
        return cls(
            WindowCounter(500, 60, clock),
            ConcurrencyGate(10),
            WindowCounter(120, 60, clock),
            WindowCounter(40, 60, clock),
        )


@dataclass
class Sandbox:
    """One sandbox: companies by realm id, the authorization server, faults, limits and bookkeeping."""

    companies: dict[str, Company]
    oauth: OAuthServer
    faults: Faults
    limits: Limits | None
    clock: Callable[[], float] = time.time
    stats: Counter[str] = field(default_factory=Counter)
    replays: dict[tuple[str, str], Response] = field(default_factory=dict)

    @property
    def realm_ids(self) -> list[str]:
        """Realm ids, the main (seeded) company first."""
        return list(self.companies)

    def now(self) -> int:
        """Whole seconds: QBO's MetaData resolution."""
        return int(self.clock())
