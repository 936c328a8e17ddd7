"""ledgerport in process with the NetSuite sandbox beside it: an account linked (OAuth 2.0) and synced once.

Requests go through the real app (routing, auth, the write engine, the store) over ASGI (``api_kit``). The sandbox
is also asked over SuiteQL and its ``/_sandbox/`` controls, to count what a write left there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
from api_kit import API, ApiKit, open_linked

from ledgerport.connectors._base import AsgiTransport, Request
from ledgerport.linking import EndUser
from ledgerport.remote import open_provider
from ledgerport.sandboxes.netsuite import ACCOUNT_ID
from ledgerport.sandboxes.netsuite import create_app as create_sandbox

__all__ = ["API", "ORIGIN", "NetSuiteKit", "open_kit"]

ORIGIN = "http://netsuite.sandbox.test"


@dataclass
class NetSuiteKit(ApiKit):
    """One linked NetSuite account: ledgerport's API as that account, the sandbox, and a sync."""

    sandbox: Any

    async def suiteql(self, query: str) -> list[dict[str, Any]]:
        """Rows of a SuiteQL query at the sandbox, through the linked account's own client."""
        opened = await open_provider(self.deps, self.account_id)
        body = msgspec.json.encode({"q": query})
        request = Request(
            method="POST",
            url=f"{ORIGIN}/services/rest/query/v1/suiteql",
            params=(("limit", "1000"),),
            headers={"Prefer": "transient", "Content-Type": "application/json"},
            body=body,
        )
        return list((await opened.client.json(request))["items"])


@asynccontextmanager
async def open_kit(database_url: str, *, seed: int = 5) -> AsyncIterator[NetSuiteKit]:
    """A fresh account on a fresh sandbox, linked to a new organization of ledgerport and synced once."""
    sandbox = create_sandbox(seed=seed, size="small", limits=False)
    async with open_linked(
        database_url,
        provider="netsuite",
        origin=ORIGIN,
        sandbox=sandbox,
        transport=AsgiTransport(sandbox),
        end_user=EndUser(organization_name="Acme Inc", email_address="owner@acme.example"),
        facts={"account_id": ACCOUNT_ID},
    ) as kit:
        yield NetSuiteKit(**kit.parts(), sandbox=sandbox)
