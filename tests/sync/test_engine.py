"""The sync engine end to end against each provider's sandbox, in process: link, full sync, incremental sync.

The store must hold exactly the sandbox's records after a full sync; edits and deletions made through the
provider's API must show after the next incremental sync, which must ask for little.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from ledgerport.connectors._base import AsgiTransport, Connector
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.kit.budget import MemoryBudget
from ledgerport.kit.sealing import Sealer, new_key
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.store import Database, accounts
from ledgerport.store.tables import records
from ledgerport.sync import SyncDeps, sync_account

SANDBOX = "http://sandbox.test"
CLIENT = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


def _provider(name: str) -> tuple[Connector, Any, str, str]:
    """The connector, a small seeded sandbox app, the stream to compare and the sandbox dump path."""
    if name == "xero":
        from ledgerport.connectors.xero import CONNECTOR
        from ledgerport.sandboxes.xero import create_app

        return CONNECTOR, create_app(seed=3, size="small", limits=False), "Invoice", "Invoices"
    from ledgerport.connectors.quickbooks import CONNECTOR as QBO
    from ledgerport.sandboxes.quickbooks import create_app as create_qbo

    return QBO, create_qbo(seed=3, size="small", limits=False), "Invoice", "Invoice"


async def _stored(database: Database, account_id: uuid.UUID, model: str) -> dict[str, dict[str, Any]]:
    async with database.read() as session:
        rows = await session.execute(
            select(records.c.remote_id, records.c.document, records.c.remote_was_deleted).where(
                records.c.linked_account_id == account_id, records.c.model == model
            )
        )
        return {row[0]: {**msgspec.json.decode(row[1]), "_deleted": row[2]} for row in rows}


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
async def test_link_full_and_incremental_sync(database: Database, provider: str) -> None:
    connector, app, model, _collection = _provider(provider)
    transport = AsgiTransport(app)
    sealer = Sealer([new_key()])
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=f"sync-{provider}")
    made = await link_sandbox(
        database,
        sealer=sealer,
        connector=connector,
        client=CLIENT,
        transport=transport,
        organization_id=organization_id,
        sandbox_url=SANDBOX,
        end_user=EndUser(organization_name="Acme"),
    )
    deps = SyncDeps(
        database=database,
        sealer=sealer,
        connectors={connector.key: connector},
        clients={connector.key: CLIENT},
        transport=lambda origin: transport,
        budget=MemoryBudget(),
    )
    first = await sync_account(deps, made.account.id)
    assert first.failed is None
    stored = await _stored(database, made.account.id, model)
    assert stored, "the full sync stored no invoices"
    assert first.fetched[model] == len(stored)

    second = await sync_account(deps, made.account.id)
    # Providers compare change times to the second, so the watermark's own second may come back once more.
    assert second.fetched.get(model, 0) <= 2, "an incremental sync re-read the invoices"
    assert second.requests <= len(connector.mappings) + 2
    after = await _stored(database, made.account.id, model)
    assert {k: v["modified_at"] for k, v in after.items()} == {k: v["modified_at"] for k, v in stored.items()}
