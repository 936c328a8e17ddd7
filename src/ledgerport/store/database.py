"""``Database``: one object per process that owns the engine and hands out read and write sessions.

Callers above the store never see SQLAlchemy: they ask for ``read()`` (never commits) or ``write()`` (commits when
the block ends without error, rolls back otherwise), so the request or job owns its transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from ledgerport.store.engine import ReadSession, WriteSession, make_engine, make_sessionmaker
from ledgerport.store.migrate import upgrade

__all__ = ["Database"]


class Database:
    """The database behind a ``LEDGERPORT_DATABASE_URL``."""

    def __init__(self, url: str, **engine_options: object) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_options)
        self._sessions = make_sessionmaker(self.engine)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[ReadSession]:
        """A connection in autocommit mode: each statement sees committed data, and no transaction is opened."""
        async with self.engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def write(self) -> AsyncIterator[WriteSession]:
        """A transaction: committed if the block succeeds, rolled back if it raises."""
        async with self._sessions.begin() as session:
            yield WriteSession(session)

    async def ping(self) -> None:
        """``SELECT 1`` on a pooled connection: raises when the database does not answer (``/ready``)."""
        async with self.read() as session:
            await session.execute(text("SELECT 1"))

    async def migrate(self) -> None:
        """Bring the schema to the newest revision."""
        await upgrade(self.engine)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
