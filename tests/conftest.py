"""Shared fixtures: every database the suite can reach, live server processes, and tenants.

SQLite always runs. PostgreSQL runs when reachable (``LEDGERPORT_TEST_DATABASE_URL``, default
``postgresql://127.0.0.1:5432/test``); each test session creates a database of its own there and drops it at the
end. When PostgreSQL is not reachable its tests are skipped with the reason in pytest's summary. Helpers that tests
import live in ``harness.py`` (a name no other conftest shadows).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from harness import (
    PG_ADMIN_URL,
    Server,
    Tenant,
    TenantFactory,
    create_pg_database,
    create_tenant,
    drop_pg_database,
    migrate,
    postgres_problem,
    run,
    start_server,
)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database of each kind, for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'ledgerport.db'}"
        run(migrate(url))
        yield url
        return
    problem = postgres_problem()
    if problem is not None:
        pytest.skip(problem)
    name = f"ledgerport_test_{uuid.uuid4().hex[:12]}"
    run(create_pg_database(name))
    url = str(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    try:
        run(migrate(url))
        yield url
    finally:
        run(drop_pg_database(name))


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One live server per database, shared by the session (tests make their own tenants)."""
    started = start_server(database_url, tmp_path_factory.mktemp("logs"))
    yield started
    started.stop()


@pytest.fixture(scope="session")
def make_tenant(database_url: str) -> TenantFactory:
    """``make_tenant(seed={"invoices": 10, ...}, seed_value=1, integration="xero")`` → a fresh :class:`Tenant`."""

    def make(
        *, seed: dict[str, int] | None = None, seed_value: int = 0, integration: str = "quickbooks-online"
    ) -> Tenant:
        return run(create_tenant(database_url, integration=integration, seed=seed, seed_value=seed_value))

    return make
