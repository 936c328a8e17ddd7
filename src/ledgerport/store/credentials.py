"""Provider credentials of linked accounts, sealed at rest.

The store keeps opaque bytes; the sync room decides what they mean (a token set and account facts). Writes
after a token refresh are compare-and-swap on ``version``: a worker that lost the race learns it and reads the
winner's tokens instead of overwriting them with older ones. :func:`lock_credentials` additionally takes the row
lock on PostgreSQL, so refreshes of one account are serialized across workers.
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import select, update

from ledgerport.kit import clock
from ledgerport.kit.sealing import Sealer
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import credentials

__all__ = ["StoredCredentials", "find_credentials", "lock_credentials", "replace_credentials", "save_credentials"]


class StoredCredentials(msgspec.Struct, frozen=True):
    """A linked account's credentials, opened."""

    linked_account_id: uuid.UUID
    connector: str
    base_url: str | None
    secret: bytes
    version: int


async def save_credentials(
    session: WriteSession,
    *,
    sealer: Sealer,
    linked_account_id: uuid.UUID,
    connector: str,
    base_url: str | None,
    secret: bytes,
) -> None:
    """Store credentials for a newly linked account (version 1)."""
    await session.execute(
        credentials.insert().values(
            linked_account_id=linked_account_id,
            connector=connector,
            base_url=base_url,
            secret=sealer.seal(secret),
            version=1,
            updated_at=clock.now_micros(),
        )
    )


async def _read(
    session: ReadSession | WriteSession, sealer: Sealer, account_id: uuid.UUID, *, lock: bool
) -> StoredCredentials | None:
    c = credentials.c
    statement = select(c.linked_account_id, c.connector, c.base_url, c.secret, c.version).where(
        c.linked_account_id == account_id
    )
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    if row is None:
        return None
    return StoredCredentials(row[0], row[1], row[2], sealer.open(row[3]), row[4])


async def find_credentials(
    session: ReadSession, *, sealer: Sealer, linked_account_id: uuid.UUID
) -> StoredCredentials | None:
    """The account's credentials, if it has any."""
    return await _read(session, sealer, linked_account_id, lock=False)


async def lock_credentials(
    session: WriteSession, *, sealer: Sealer, linked_account_id: uuid.UUID
) -> StoredCredentials | None:
    """Read the credentials holding their row lock until the transaction ends (PostgreSQL; SQLite serializes
    writers anyway)."""
    return await _read(session, sealer, linked_account_id, lock=True)


async def replace_credentials(
    session: WriteSession, *, sealer: Sealer, linked_account_id: uuid.UUID, expected_version: int, secret: bytes
) -> bool:
    """Write new credentials only if nobody has since ``expected_version``; ``False`` means another writer won."""
    c = credentials.c
    result = await session.execute(
        update(credentials)
        .where(c.linked_account_id == linked_account_id, c.version == expected_version)
        .values(secret=sealer.seal(secret), version=expected_version + 1, updated_at=clock.now_micros())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
