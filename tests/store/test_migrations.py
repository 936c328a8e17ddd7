"""The migrations build exactly the schema ``tables.py`` declares, on every reachable database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ledgerport.store import Database
from ledgerport.store.tables import metadata


async def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    database = Database(database_url)
    try:
        await database.migrate()  # already at head: a second run is a no-op
        async with database.engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata)
            )
    finally:
        await database.dispose()
    assert diff == []
