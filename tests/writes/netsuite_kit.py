"""ledgerport in process with the NetSuite sandbox beside it: an account linked (OAuth 2.0) and synced once.

Requests go through the real app (routing, auth, the write engine, the store) over ASGI; the app reaches the
sandbox through an in-process transport. The sandbox is also asked over SuiteQL and its ``/_sandbox/`` controls,
to count what a write left there.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
from litestar.testing import AsyncTestClient
from xero_kit import Unlimited

from harness import TEST_SEALING_KEY
from ledgerport.app import create_app
from ledgerport.config import load_settings
from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base import AsgiTransport, Request
from ledgerport.linking import EndUser, link_sandbox, typed_facts
from ledgerport.remote import open_provider
from ledgerport.sandboxes.netsuite import ACCOUNT_ID
from ledgerport.sandboxes.netsuite import create_app as create_sandbox
from ledgerport.store import Database, accounts
from ledgerport.sync import SyncDeps, SyncReport, sync_account
from ledgerport.worker import build_sync_deps, registrations, sealer

__all__ = ["API", "ORIGIN", "NetSuiteKit", "open_kit"]

API = "/api/accounting/v1"
ORIGIN = "http://netsuite.sandbox.test"


@dataclass
class NetSuiteKit:
    """One linked NetSuite account: ledgerport's API as that account, the sandbox, and a sync."""

    api: httpx.AsyncClient
    sandbox: Any
    control: httpx.AsyncClient
    account_id: uuid.UUID
    deps: SyncDeps

    async def sync(self) -> SyncReport:
        """An incremental sync of the linked account."""
        report = await sync_account(self.deps, self.account_id)
        assert report.failed is None, report.failed
        return report

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

    async def create(self, path: str, model: Any, **params: str) -> httpx.Response:
        """``POST /<path>`` with ``{"model": ...}``."""
        return await self.api.post(f"{API}/{path}", json={"model": model}, params=params)

    async def get(self, path: str, **params: str) -> Any:
        """``GET /<path>``, decoded (a 200 is asserted)."""
        response = await self.api.get(f"{API}/{path}", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def all(self, path: str, **params: str) -> list[dict[str, Any]]:
        """Every record of a list endpoint."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = await self.get(path, page_size="100", **params, **({"cursor": cursor} if cursor else {}))
            found += page["results"]
            cursor = page["next"]
            if not cursor:
                return found


@asynccontextmanager
async def open_kit(database_url: str, *, seed: int = 5) -> AsyncIterator[NetSuiteKit]:
    """A fresh account on a fresh sandbox, linked to a new organization of ledgerport and synced once."""
    sandbox = create_sandbox(seed=seed, size="small", limits=False)
    transport = AsgiTransport(sandbox)
    settings = load_settings(
        {},
        database_url=database_url,
        secret_keys=(TEST_SEALING_KEY,),
        sandbox_origins={"netsuite": ORIGIN},
        rate_limit_per_minute=0,
    )
    database = Database(database_url)
    deps = msgspec.structs.replace(
        build_sync_deps(settings, database, transports={ORIGIN: transport}), budget=Unlimited()
    )
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=f"ns-writes-{uuid.uuid4().hex[:8]}")
        key = await accounts.create_api_key(session, organization_id=organization_id, name="writes")
    connector = CONNECTORS["netsuite"]
    made = await link_sandbox(
        database,
        sealer=sealer(settings),
        connector=connector,
        client=registrations(settings).client("netsuite", ORIGIN),
        transport=transport,
        organization_id=organization_id,
        sandbox_url=ORIGIN,
        end_user=EndUser(organization_name="Acme Inc", email_address="owner@acme.example"),
        facts=typed_facts(connector, {"account_id": ACCOUNT_ID}),
    )
    first = await sync_account(deps, made.account.id)
    assert first.failed is None, first.failed
    app = create_app(settings, transports={ORIGIN: transport})
    context = app.state.ledgerport
    assert context.writes is not None
    app.state.ledgerport = dataclasses.replace(
        context,
        writes=msgspec.structs.replace(
            context.writes, providers=msgspec.structs.replace(context.writes.providers, budget=Unlimited())
        ),
    )
    headers = {"Authorization": f"Bearer {key.secret}", "X-Account-Token": made.account_token}
    try:
        async with (
            AsyncTestClient(app=app) as api,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url=ORIGIN) as control,
        ):
            api.headers.update(headers)
            yield NetSuiteKit(api=api, sandbox=sandbox, control=control, account_id=made.account.id, deps=deps)
    finally:
        await database.dispose()
