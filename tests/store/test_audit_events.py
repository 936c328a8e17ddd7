"""Audit events share their change's transaction: a change that rolls back leaves no event, and a change that
finds nothing to change writes none."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from ledgerport.store import Database, accounts
from ledgerport.store.audit import Actor, AuditFilters, list_audit_events


class _Abandon(Exception):
    pass


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


async def _types(database: Database, organization_id: uuid.UUID) -> list[str]:
    async with database.read() as session:
        events = await list_audit_events(
            session, organization_id=organization_id, filters=AuditFilters(), after=None, reverse=False, limit=100
        )
    return [event.event_type for event in events]


async def test_a_rolled_back_change_leaves_no_event(database: Database) -> None:
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name="audit")

    async def make_then_fail() -> None:
        async with database.write() as session:
            await accounts.create_api_key(session, organization_id=organization_id, actor=Actor(role="API"))
            raise _Abandon

    with pytest.raises(_Abandon):
        await make_then_fail()
    assert await _types(database, organization_id) == []
    async with database.write() as session:
        await accounts.create_api_key(session, organization_id=organization_id)
    assert await _types(database, organization_id) == ["CREATED_REMOTE_PRODUCTION_API_KEY"]


async def test_nothing_changed_means_no_event(database: Database) -> None:
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name="audit")
        key = await accounts.create_api_key(session, organization_id=organization_id)
        assert await accounts.revoke_api_key(session, secret=key.secret)
        assert not await accounts.revoke_api_key(session, secret=key.secret)
        assert not await accounts.revoke_api_key_by_id(session, organization_id=organization_id, key_id=key.id)
        await accounts.delete_linked_account(session, account_id=uuid.uuid4())
    assert await _types(database, organization_id) == [
        "DELETED_REMOTE_PRODUCTION_API_KEY",
        "CREATED_REMOTE_PRODUCTION_API_KEY",
    ]
