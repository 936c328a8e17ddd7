"""Fixtures for the write engine's tests: a database of each kind, linked accounts, and records to refer to."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import msgspec
import pytest

from ledgerport.models import MODELS
from ledgerport.models.integrations import find_integration
from ledgerport.store import Database, accounts
from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.records import NewRecord, upsert_many

MakeAccount = Callable[..., Awaitable[LinkedAccount]]
AddRecords = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def make_account(database: Database) -> MakeAccount:
    """``await make_account()`` → a linked account of a fresh organization (QuickBooks Online unless told)."""

    async def make(integration: str = "quickbooks-online") -> LinkedAccount:
        async with database.write() as session:
            organization_id = await accounts.create_organization(session, name=f"org-{uuid.uuid4().hex[:6]}")
            made = await accounts.create_linked_account(
                session,
                organization_id=organization_id,
                integration=integration,
                integration_name=find_integration(integration).name,
                end_user_organization_name=f"End user {uuid.uuid4().hex[:6]}",
            )
        return made.account

    return make


@pytest.fixture
def add_records(database: Database) -> AddRecords:
    """``await add_records(account, "Contact", ["58", "Vendor-3"])`` → remote id → record id, stored as a sync
    stores them (a minimal document of the model; ``deleted=True``: as the provider deleted them)."""

    async def add(
        account: LinkedAccount, model: str, remote_ids: list[str], *, deleted: bool = False
    ) -> dict[str, str]:
        spec = MODELS[model]
        items = [
            NewRecord(remote_id=rid, model=msgspec.convert({}, spec.struct), remote_was_deleted=deleted)
            for rid in remote_ids
        ]
        async with database.write() as session:
            ids = await upsert_many(
                session, linked_account_id=account.id, model_name=model, key_fields=spec.key_fields, items=items
            )
        return {rid: str(record_id) for rid, record_id in zip(remote_ids, ids, strict=True)}

    return add
