"""An organization with real data behind every documented operation: a QuickBooks, a Xero and a NetSuite account
linked through the provider sandboxes and synced (in process, into the suite's database), one seeded account for the
models no sandbox has, and issues both ongoing and resolved. The live servers of ``conftest.py`` read it like any
other tenant. The fixture is ``synced_org`` in ``tests/api/conftest.py``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from harness import TEST_SEALING_KEY
from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base import AsgiTransport
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.dev.seed import seed_account
from ledgerport.kit.budget import MemoryBudget
from ledgerport.kit.sealing import Sealer
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.models.integrations import INTEGRATIONS
from ledgerport.store import Database, accounts
from ledgerport.store.issues import raise_issue, resolve_issues
from ledgerport.sync import SyncDeps, SyncReport, sync_account

SANDBOX = "http://sandbox.test"
CLIENT = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")


SANDBOXED = ("quickbooks", "xero", "netsuite", "business_central")
"""The connectors whose sandboxes this harness mounts."""


@dataclass(frozen=True)
class SyncedOrganization:
    """An API key and the account token of each linked account, by connector key (``seeded``: the dev seed's)."""

    organization_id: uuid.UUID
    api_key: str
    tokens: dict[str, str]
    account_ids: dict[str, uuid.UUID]
    transports: dict[str, AsgiTransport] = field(default_factory=dict)
    """Each sandboxed account's provider, still serving in this process: :func:`resync` syncs through it again."""


def _sandbox_app(key: str) -> Any:
    if key == "netsuite":
        from ledgerport.sandboxes.netsuite import create_app as create_netsuite

        return create_netsuite(seed=5, size="small", limits=False)
    if key == "business_central":
        from ledgerport.sandboxes.business_central import create_app as create_bc

        return create_bc(seed=5, size="small", limits=False)
    if key == "xero":
        from ledgerport.sandboxes.xero import create_app

        return create_app(seed=5, size="small", limits=False)
    from ledgerport.sandboxes.quickbooks import create_app as create_qbo

    return create_qbo(seed=5, size="small", limits=False)


async def build_synced(url: str) -> SyncedOrganization:
    database = Database(url)
    sealer = Sealer([TEST_SEALING_KEY])  # the key the test servers open credentials with
    tokens: dict[str, str] = {}
    account_ids: dict[str, uuid.UUID] = {}
    transports: dict[str, AsgiTransport] = {}
    try:
        async with database.write() as session:
            organization_id = await accounts.create_organization(session, name=f"synced-{uuid.uuid4().hex[:6]}")
            key = await accounts.create_api_key(session, organization_id=organization_id)
        for connector in (CONNECTORS[key] for key in SANDBOXED):
            transport = AsgiTransport(_sandbox_app(connector.key))
            made = await link_sandbox(
                database,
                sealer=sealer,
                connector=connector,
                client=CLIENT,
                transport=transport,
                organization_id=organization_id,
                sandbox_url=SANDBOX,
                end_user=EndUser(organization_name=f"Acme ({connector.key})", email_address="owner@acme.example"),
            )
            deps = SyncDeps(
                database=database,
                sealer=sealer,
                connectors={connector.key: connector},
                registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=CLIENT),
                transport=lambda _origin, transport=transport: transport,  # type: ignore[misc]
                budget=MemoryBudget(),
            )
            report = await sync_account(deps, made.account.id)
            assert report.failed is None, report.failed
            tokens[connector.key] = made.account_token
            transports[connector.key] = transport
            account_ids[connector.key] = made.account.id
        async with database.write() as session:
            seeded = await accounts.create_linked_account(
                session,
                organization_id=organization_id,
                integration="quickbooks-online",
                integration_name=INTEGRATIONS["quickbooks-online"].name,
                end_user_organization_name="Seeded Ltd",
                end_user_email_address="owner@seeded.example",
                end_user_origin_id="seeded",
            )
        await seed_account(
            database, linked_account_id=seeded.account.id, invoices=12, transactions=6, journal_entries=6
        )
        tokens["seeded"] = seeded.account_token
        account_ids["seeded"] = seeded.account.id
        async with database.write() as session:
            first, *others = account_ids.values()
            await raise_issue(
                session,
                organization_id=organization_id,
                linked_account_id=first,
                description="A sync failed once",
                details={"model": "Invoice", "status": 500},
            )
            await resolve_issues(session, linked_account_id=first)
            for account_id in others:
                await raise_issue(
                    session, organization_id=organization_id, linked_account_id=account_id, description="Still failing"
                )
    finally:
        await database.dispose()
    return SyncedOrganization(organization_id, key.secret, tokens, account_ids, transports)


async def resync(url: str, synced: SyncedOrganization, key: str) -> SyncReport:
    """Sync the sandboxed account ``key`` once more, in this process, as a worker would run a queued sync."""
    database = Database(url)
    transport = synced.transports[key]
    deps = SyncDeps(
        database=database,
        sealer=Sealer([TEST_SEALING_KEY]),
        connectors={key: CONNECTORS[key]},
        registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=CLIENT),
        transport=lambda _origin: transport,
        budget=MemoryBudget(),
    )
    try:
        report = await sync_account(deps, synced.account_ids[key])
    finally:
        await database.dispose()
    assert report.failed is None, report.failed
    return report


async def remove_synced(url: str, synced: SyncedOrganization) -> None:
    """Linked accounts whose provider lives in this process only: no later worker should try to sync them."""
    database = Database(url)
    try:
        async with database.write() as session:
            for account_id in synced.account_ids.values():
                await accounts.delete_linked_account(session, account_id=account_id)
    finally:
        await database.dispose()
