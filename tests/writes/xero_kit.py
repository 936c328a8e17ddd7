"""ledgerport in process with the Xero sandbox beside it, as the demo runs them: a tenant linked and synced.

Requests go through the real app (routing, auth, the write engine, the store) over ASGI (``api_kit``); the sandbox
is also addressed over its own ``/_sandbox/`` controls, to count what a write left there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from api_kit import API, ApiKit, open_linked

from ledgerport.connectors._base import AsgiTransport
from ledgerport.linking import EndUser
from ledgerport.sandboxes.xero import SandboxApp
from ledgerport.sandboxes.xero import create_app as create_sandbox

__all__ = ["API", "ORIGIN", "XeroKit", "open_kit"]

ORIGIN = "http://xero.sandbox.test"


@dataclass
class XeroKit(ApiKit):
    """One linked Xero organisation: ledgerport's API as that account, the sandbox, and a sync."""

    sandbox: SandboxApp
    tenant_id: str

    async def counts(self) -> dict[str, int]:
        """Objects per collection in the linked organisation, from the sandbox's own control surface."""
        tenants = (await self.control.get("/_sandbox/tenants")).json()
        return next(t["counts"] for t in tenants if t["tenantId"] == self.tenant_id)

    async def dump(self, collection: str) -> list[dict[str, Any]]:
        """Every object of a collection as the sandbox keeps it."""
        return (await self.control.get(f"/_sandbox/dump/{self.tenant_id}/{collection}")).json()[collection]


@asynccontextmanager
async def open_kit(database_url: str, *, seed: int = 5) -> AsyncIterator[XeroKit]:
    """A fresh organisation on a fresh sandbox, linked to a new tenant of ledgerport and synced once."""
    sandbox = create_sandbox(seed=seed, size="small", limits=False)
    async with open_linked(
        database_url,
        provider="xero",
        origin=ORIGIN,
        sandbox=sandbox,
        transport=AsgiTransport(sandbox),
        end_user=EndUser(organization_name="Acme Pty", email_address="owner@acme.example"),
    ) as kit:
        company = (await kit.api.get(f"{API}/company-info")).json()["results"][0]
        yield XeroKit(**kit.parts(), sandbox=sandbox, tenant_id=company["remote_id"])
