"""Engines and sessions for both supported databases.

Users write the URLs they know (``sqlite:///var/x.db``, ``postgresql://user@host/db``); the async driver is an
implementation detail chosen here. SQLite gets WAL and ``synchronous=NORMAL`` so readers never wait for the
syncing writer, and foreign keys on so ``delete-account`` cascades there as it does on PostgreSQL.
"""

from __future__ import annotations

from typing import Any, NewType, Protocol

import msgspec
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

__all__ = ["ReadSession", "WriteSession", "async_url", "is_sqlite", "make_engine", "make_sessionmaker"]


class ReadSession(Protocol):
    """What a callee reads through: a connection in autocommit mode (no BEGIN/ROLLBACK round trips on the hot
    read path), or a write transaction's session when a write needs to read first."""

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        """Run one statement."""
        ...


WriteSession = NewType("WriteSession", AsyncSession)
"""A session the callee may write through; the caller (request or job) owns the commit."""

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class UnsupportedDatabase(ValueError):
    """The URL names a database ledgerport does not run on."""


def async_url(url: str) -> URL:
    """Map a plain database URL to its async-driver form; URLs that already name a driver pass through."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if parsed.drivername in _DRIVERS:
        return parsed.set(drivername=_DRIVERS[parsed.drivername])
    if backend in {"sqlite", "postgresql"}:
        return parsed
    raise UnsupportedDatabase(f"unsupported database URL scheme {parsed.drivername!r}; use sqlite:/// or postgresql://")


def is_sqlite(engine: AsyncEngine) -> bool:
    """Whether the engine talks to SQLite (the embedded default)."""
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _json_text(value: Any) -> str:
    return _json_encoder.encode(value).decode()


_json_encoder = msgspec.json.Encoder()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` with the per-database settings above."""
    target = async_url(url)
    # JSON columns (a record's filter values, job payloads) are written on every record of a sync; msgspec
    # writes the same JSON as the standard library several times faster.
    kwargs.setdefault("json_serializer", _json_text)
    if target.get_backend_name() == "sqlite":
        engine = create_async_engine(target, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # No pre-ping: it costs a BEGIN/SELECT/ROLLBACK per checkout. Connections are recycled before servers or
    # proxies drop them, and one that died anyway is invalidated on its first error.
    kwargs.setdefault("pool_recycle", 1800)
    # Statements are prepared once per connection; PostgreSQL would switch a prepared statement to a generic plan
    # chosen while a fresh account's table looked empty (a sequential scan), making a first sync's upserts
    # quadratic. Custom plans see the table's real size on every execution for a fraction of a millisecond.
    kwargs.setdefault("connect_args", {"server_settings": {"plan_cache_mode": "force_custom_plan"}})
    return create_async_engine(target, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (responses are built after the transaction ends)."""
    return async_sessionmaker(engine, expire_on_commit=False)
