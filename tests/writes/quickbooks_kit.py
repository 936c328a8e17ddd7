"""The real app in process, with a QuickBooks sandbox linked and synced: what the QuickBooks write tests stand on.

``open_qbo(database_url)`` builds the Litestar app exactly as ``ledgerport serve`` does (``create_app``), with the
sandbox reached through an in-process transport as the demo mounts it, links one company through the sandbox's
headless consent, syncs it, and yields a :class:`QboWrites` whose ``api`` speaks HTTP to the app with the tenant's
credentials. Every test gets its own sandbox, organization and account, so counts in the sandbox are the test's own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from harness import TEST_SEALING_KEY
from ledgerport.app import create_app
from ledgerport.config import Settings
from ledgerport.connectors._base import AsgiTransport
from ledgerport.connectors.quickbooks import CONNECTOR
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.sandboxes.quickbooks import QuickBooksSandbox
from ledgerport.sandboxes.quickbooks import create_app as create_sandbox
from ledgerport.sandboxes.quickbooks.store import Company
from ledgerport.store import Database, accounts
from ledgerport.sync import SyncReport, sync_account
from ledgerport.worker import build_sync_deps, registrations, sealer

__all__ = ["ORIGIN", "QboWrites", "open_qbo"]

ORIGIN = "http://quickbooks.sandbox.test"


@dataclass
class QboWrites:
    """One linked, synced QuickBooks company and ways to look at it from both sides."""

    api: httpx.AsyncClient
    sandbox: QuickBooksSandbox
    database: Database
    settings: Settings
    account_id: uuid.UUID
    realm: str
    app: Any = None
    """The Litestar app (for a client that brings its own HTTP stack, such as Merge's SDK)."""

    @property
    def company(self) -> Company:
        """The sandbox's company (for setting up a scenario QBO's API cannot, such as a closed period)."""
        return self.sandbox.state.companies[self.realm]

    async def create(self, path: str, model: dict[str, Any], **params: str) -> httpx.Response:
        """``POST /<path>`` with Merge's request shape."""
        return await self.api.post(f"/{path}", json={"model": model}, params=params)

    async def update(self, path: str, record_id: str, model: dict[str, Any]) -> httpx.Response:
        """``PATCH /<path>/{id}``."""
        return await self.api.patch(f"/{path}/{record_id}", json={"model": model})

    async def get(self, path: str, **params: Any) -> Any:
        """A read endpoint's JSON (200 asserted)."""
        response = await self.api.get(f"/{path}", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def listed(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every record of a list endpoint (one page of 100 is enough for a small company)."""
        return (await self.get(path, page_size=100, **params))["results"]

    async def by_remote_id(self, path: str, remote_id: str) -> list[dict[str, Any]]:
        """The stored records with that remote id (a write followed by a sync must leave exactly one)."""
        return await self.listed(path, remote_id=remote_id)

    async def dump(self, entity: str) -> list[dict[str, Any]]:
        """Every object of a QBO entity the sandbox holds, deleted ones as tombstones (``/_sandbox/dump``)."""
        transport = httpx.ASGITransport(app=self.sandbox)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
            response = await client.get(f"/_sandbox/dump/{entity}", params={"realm": self.realm})
        assert response.status_code == 200, response.text
        return list(response.json()[entity])

    async def count(self, entity: str) -> int:
        """How many objects of an entity the sandbox holds."""
        return len(await self.dump(entity))

    async def qbo(self, entity: str, qbo_id: str) -> dict[str, Any]:
        """One object as the sandbox holds it."""
        found = [record for record in await self.dump(entity) if record["Id"] == qbo_id]
        assert len(found) == 1, f"{entity} {qbo_id}: {len(found)} found"
        return found[0]

    async def sync(self) -> SyncReport:
        """An incremental sync of the account, as the worker runs it."""
        deps = build_sync_deps(self.settings, self.database, transports={ORIGIN: AsgiTransport(self.sandbox)})
        report = await sync_account(deps, self.account_id)
        assert report.failed is None, report.failed
        return report


@asynccontextmanager
async def open_qbo(database_url: str, *, seed: int = 5) -> AsyncIterator[QboWrites]:
    """A fresh sandbox, linked to a fresh organization of the app and fully synced (see the module docstring)."""
    sandbox = create_sandbox(seed=seed, size="small", limits=False)
    settings = Settings(
        database_url=database_url,
        secret_keys=(TEST_SEALING_KEY,),
        rate_limit_per_minute=0,
        sandbox_origins={"quickbooks": ORIGIN},
    )
    transport = AsgiTransport(sandbox)
    app = create_app(settings, transports={ORIGIN: transport})
    database = Database(database_url)
    try:
        async with database.write() as session:
            organization_id = await accounts.create_organization(session, name=f"qbo-writes-{uuid.uuid4().hex[:6]}")
            key = await accounts.create_api_key(session, organization_id=organization_id)
        made = await link_sandbox(
            database,
            sealer=sealer(settings),
            connector=CONNECTOR,
            client=registrations(settings).client("quickbooks", ORIGIN),
            transport=transport,
            organization_id=organization_id,
            sandbox_url=ORIGIN,
            end_user=EndUser(organization_name="Writes Co"),
        )
        headers = {"Authorization": f"Bearer {key.secret}", "X-Account-Token": made.account_token}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://ledgerport.test/api/accounting/v1", headers=headers
        ) as api:
            kit = QboWrites(
                api=api,
                sandbox=sandbox,
                database=database,
                settings=settings,
                account_id=made.account.id,
                realm=sandbox.state.realm_ids[0],
                app=app,
            )
            await kit.sync()
            yield kit
    finally:
        await database.dispose()
        database_app = app.state.ledgerport.database
        await database_app.dispose()
