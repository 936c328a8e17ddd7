"""ledgerport in process with the Business Central sandbox beside it: a company linked and synced.

Requests go through the real app (routing, auth, the write engine, the store) over ASGI (``api_kit``), through an
:class:`Interposer` a test can hook. The sandbox is also addressed over its own ``/_sandbox/`` controls, to count
what a write left there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from api_kit import API, ApiKit, open_linked

from ledgerport.connectors._base import AsgiTransport, Request, Response
from ledgerport.connectors._base.errors import Unreachable
from ledgerport.linking import EndUser
from ledgerport.sandboxes.business_central import SandboxApp
from ledgerport.sandboxes.business_central import create_app as create_sandbox

__all__ = ["API", "ORIGIN", "BCKit", "Interposer", "open_kit"]

ORIGIN = "http://bc.sandbox.test"


class Interposer:
    """The app's way to the sandbox, with hooks a test sets: ``before(request)`` runs before a request reaches the
    sandbox (another user's change in between), ``lose(request)`` says whether the answer to a request the sandbox
    carried out is lost on the way back (a cut connection after BC committed)."""

    def __init__(self, inner: AsgiTransport) -> None:
        self.inner = inner
        self.before: Callable[[Request], None] | None = None
        self.lose: Callable[[Request], bool] | None = None

    async def send(self, request: Request) -> Response:
        """Forward, running the hooks."""
        if self.before is not None:
            self.before(request)
        response = await self.inner.send(request)
        if self.lose is not None and self.lose(request):
            raise Unreachable(f"the answer to {request.method} {request.url} was lost")
        return response

    async def close(self) -> None:
        """Close the inner transport."""
        await self.inner.close()


@dataclass
class BCKit(ApiKit):
    """One linked Business Central company: ledgerport's API as that account, the sandbox, and a sync."""

    sandbox: SandboxApp
    company_id: str
    transport: Interposer

    async def counts(self) -> dict[str, int]:
        """Rows per entity set in the linked company, from the sandbox's own control surface."""
        summary = (await self.control.get("/_sandbox")).json()
        return next(
            c["counts"] for env in summary["environments"] for c in env["companies"] if c["id"] == self.company_id
        )

    def company(self) -> Any:
        """The linked company as the sandbox keeps it."""
        return next(
            c
            for env in self.sandbox.tenant.environments.values()
            for c in env.companies.values()
            if c.id == self.company_id
        )

    def sandbox_now(self) -> str:
        """The sandbox's clock, as BC stamps ``lastModifiedDateTime``."""
        return str(self.sandbox.clock.iso())

    def rows(self, entity_set: str) -> list[dict[str, Any]]:
        """Every row of an entity set of the linked company, as the sandbox keeps it (read-only use)."""
        table = self.company().tables[entity_set]
        names = table.spec.fields
        return [dict(zip(names, row, strict=False)) for row in table.rows.values()]


@asynccontextmanager
async def open_kit(database_url: str, *, seed: int = 5) -> AsyncIterator[BCKit]:
    """A fresh organisation on a fresh sandbox, linked to a new tenant of ledgerport and synced once."""
    sandbox = create_sandbox(seed=seed, size="small", limits=False)
    transport = Interposer(AsgiTransport(sandbox))
    # Headless linking takes ``production`` and its first company by name (BC.md).
    production = sandbox.tenant.environments["production"]
    made_company = min(production.companies.values(), key=lambda c: c.name).id
    async with open_linked(
        database_url,
        provider="business_central",
        origin=ORIGIN,
        sandbox=sandbox,
        transport=transport,
        end_user=EndUser(organization_name="Cronus", email_address="owner@cronus.example"),
    ) as kit:
        yield BCKit(**kit.parts(), sandbox=sandbox, company_id=made_company, transport=transport)
