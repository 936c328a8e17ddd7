"""Credentials are sealed at rest and replaced only by the writer that read the newest version."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from ledgerport.kit.sealing import Sealer, SealingError, new_key
from ledgerport.store import Database, accounts
from ledgerport.store.credentials import find_credentials, lock_credentials, replace_credentials, save_credentials
from ledgerport.store.tables import credentials

SECRET = b'{"refresh_token": "refresh-marker-6a1f"}'


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


async def _account(database: Database) -> uuid.UUID:
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name="creds")
        made = await accounts.create_linked_account(
            session,
            organization_id=organization_id,
            integration="xero",
            integration_name="Xero",
            end_user_organization_name="Creds",
        )
    return made.account.id


async def test_sealed_at_rest_and_compare_and_swap(database: Database) -> None:
    sealer = Sealer([new_key()])
    account_id = await _account(database)
    async with database.write() as session:
        await save_credentials(
            session,
            sealer=sealer,
            linked_account_id=account_id,
            connector="xero",
            base_url="http://127.0.0.1:1",
            secret=SECRET,
        )
    async with database.read() as session:
        raw = (await session.execute(select(credentials.c.secret))).scalars().all()
        stored = await find_credentials(session, sealer=sealer, linked_account_id=account_id)
    assert all(b"refresh-marker" not in value for value in raw)  # no chance match in 14 characters
    assert stored is not None
    assert (stored.secret, stored.version, stored.base_url) == (SECRET, 1, "http://127.0.0.1:1")

    async with database.write() as session:
        locked = await lock_credentials(session, sealer=sealer, linked_account_id=account_id)
        assert locked is not None
        assert await replace_credentials(
            session, sealer=sealer, linked_account_id=account_id, expected_version=locked.version, secret=b"r2"
        )
    async with database.write() as session:  # a second writer that read version 1 loses
        assert not await replace_credentials(
            session, sealer=sealer, linked_account_id=account_id, expected_version=1, secret=b"stale"
        )
    async with database.read() as session:
        newest = await find_credentials(session, sealer=sealer, linked_account_id=account_id)
    assert newest is not None
    assert (newest.secret, newest.version) == (b"r2", 2)

    with pytest.raises(SealingError):
        async with database.read() as session:
            await find_credentials(session, sealer=Sealer([new_key()]), linked_account_id=account_id)


def test_keys_rotate() -> None:
    old, new = new_key(), new_key()
    sealed = Sealer([old]).seal(b"x")
    assert Sealer([new, old]).open(sealed) == b"x"
    with pytest.raises(SealingError):
        Sealer(["not a key"])
