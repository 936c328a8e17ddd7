"""The demo's preparation in process: each start replaces the demo's own linked accounts and no others."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from harness import TEST_SEALING_KEY
from ledgerport.config import Settings
from ledgerport.demo import DEMO_ORGANIZATION, build_sandboxes, prepare_demo
from ledgerport.store import Database, accounts

DEMO_ORIGINS = [
    "demo-business-central",
    "demo-netsuite",
    "demo-quickbooks",
    "demo-xero",
]
"""The end-user origin ids of the accounts the demo links, sorted: one per mounted sandbox."""


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


async def _linked(database: Database) -> dict[uuid.UUID, str | None]:
    """The demo organization's linked accounts: id → end-user origin id."""
    async with database.read() as session:
        organization_id = await accounts.find_organization_by_name(session, name=DEMO_ORGANIZATION)
        assert organization_id is not None
        rows = await accounts.list_linked_accounts(
            session,
            organization_id=organization_id,
            filters=accounts.AccountFilters(),
            after=None,
            reverse=False,
            limit=100,
        )
    return {row.id: row.end_user_origin_id for row in rows}


async def test_a_restart_replaces_only_the_demos_own_accounts(database: Database, database_url: str) -> None:
    settings = Settings(database_url=database_url, secret_keys=(TEST_SEALING_KEY,))
    sandboxes = build_sandboxes(settings)
    await prepare_demo(settings, database, sandboxes)
    first = await _linked(database)
    assert sorted(origin for origin in first.values() if origin) == DEMO_ORIGINS

    async with database.write() as session:
        organization_id = await accounts.find_organization_by_name(session, name=DEMO_ORGANIZATION)
        assert organization_id is not None
        kept = []
        for origin in ("someone-else", None):  # a person's own accounts, with an origin id of theirs or none
            made = await accounts.create_linked_account(
                session,
                organization_id=organization_id,
                integration="xero",
                integration_name="Xero",
                end_user_organization_name="A person's company",
                end_user_origin_id=origin,
            )
            kept.append(made.account.id)

    await prepare_demo(settings, database, sandboxes)
    second = await _linked(database)
    assert set(kept) <= set(second), "a restart deleted accounts the demo did not make"
    demo = {account_id for account_id, origin in second.items() if origin in DEMO_ORIGINS}
    assert len(demo) == len(DEMO_ORIGINS)
    assert not demo & set(first), "the previous start's demo accounts were not replaced"
    assert len(second) == len(DEMO_ORIGINS) + 2
