"""Schema migrations (Alembic), run in-process on either database.

The revision scripts live in ``migrations/versions`` with date-prefixed names. ``upgrade`` is what
``ledgerport migrate``, ``ledgerport serve`` and the test suite call; ``revision`` is for developers adding one.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["alembic_config", "upgrade"]

_HERE = Path(__file__).parent


def alembic_config() -> Config:
    """Alembic's configuration, built in code so no ``alembic.ini`` has to sit beside the installed package."""
    config = Config()
    config.set_main_option("script_location", str(_HERE / "migrations"))
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s")
    return config


def _upgrade(connection: Connection, target: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, target)


async def upgrade(engine: AsyncEngine, target: str = "head") -> None:
    """Bring the database behind ``engine`` to ``target`` (the newest revision by default)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, target)
