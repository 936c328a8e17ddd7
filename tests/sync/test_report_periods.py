"""``LEDGERPORT_REPORT_PERIODS``: from the environment to the reports a QuickBooks sync reads, and what a resync
does to the statements it stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import select

from ledgerport.config import SettingsError, load_settings
from ledgerport.connectors._base import AsgiTransport
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.connectors.quickbooks import CONNECTOR
from ledgerport.kit.budget import MemoryBudget
from ledgerport.kit.sealing import Sealer, new_key
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.sandboxes.quickbooks import create_app
from ledgerport.store import Database, accounts
from ledgerport.store.tables import records
from ledgerport.sync import SyncDeps, sync_account
from ledgerport.worker import build_sync_deps

CLIENT = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


def test_the_setting_reaches_the_sync_options(tmp_path: Path) -> None:
    assert load_settings({}).report_periods == 12
    settings = load_settings({"LEDGERPORT_REPORT_PERIODS": "3", "LEDGERPORT_SECRET_KEY_FILE": str(tmp_path / "k")})
    deps = build_sync_deps(settings, Database("sqlite:///" + str(tmp_path / "db.sqlite")))
    assert deps.sync_options == {"report_periods": "3"}
    with pytest.raises(SettingsError):
        load_settings({"LEDGERPORT_REPORT_PERIODS": "0"})


async def test_a_sync_reads_the_configured_months_and_a_resync_updates_them(database: Database) -> None:
    app = create_app(seed=4, size="small", limits=False)
    transport = AsgiTransport(app)
    sealer = Sealer([new_key()])
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name="report periods")
    made = await link_sandbox(
        database,
        sealer=sealer,
        connector=CONNECTOR,
        client=CLIENT,
        transport=transport,
        organization_id=organization_id,
        sandbox_url="http://sandbox.test",
        end_user=EndUser(organization_name="Acme"),
    )
    deps = SyncDeps(
        database=database,
        sealer=sealer,
        connectors={CONNECTOR.key: CONNECTOR},
        registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=CLIENT),
        transport=lambda origin: transport,
        budget=MemoryBudget(),
        sync_options={"report_periods": "3"},
    )
    models = ["BalanceSheet", "IncomeStatement", "CashFlowStatement", "GeneralLedgerTransaction"]
    first = await sync_account(deps, made.account.id, models=models)
    assert first.failed is None
    assert first.requests == 4  # one report each, however many months
    assert (first.fetched["BalanceSheet"], first.fetched["IncomeStatement"]) == (3, 3)
    assert first.fetched["GeneralLedgerTransaction"] > 0

    async def stored() -> dict[str, tuple[str, bool]]:
        async with database.read() as session:
            rows = await session.execute(
                select(records.c.remote_id, records.c.document, records.c.remote_was_deleted).where(
                    records.c.linked_account_id == made.account.id, records.c.model == "IncomeStatement"
                )
            )
            return {row[0]: (msgspec.json.decode(row[1])["modified_at"], row[2]) for row in rows}

    before = await stored()
    second = await sync_account(deps, made.account.id, models=models)
    assert second.requests == 4
    assert await stored() == before, "a resync of unchanged reports added or touched statements"
