"""Test harness: databases the suite can reach, live server processes, tenants. Fixtures live in conftest.py.

SQLite always runs. PostgreSQL runs when reachable (``LEDGERPORT_TEST_DATABASE_URL``, default
``postgresql://127.0.0.1:5432/test``); each test session creates a database of its own there and drops it at the
end. When PostgreSQL is not reachable its tests are skipped with the reason in pytest's summary.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import make_url

from ledgerport.kit.budget import MemoryBudget, Quotas
from ledgerport.models.integrations import find_integration
from ledgerport.store import Database, accounts

T = TypeVar("T")

REFERENCE_DIR = Path(
    os.environ.get("LEDGERPORT_REFERENCE_DIR", Path(__file__).resolve().parents[2] / "shared" / "reference")
)
"""The provider specs and Merge references, kept beside the repository (``../shared/reference``)."""

SEEDS_DIR = REFERENCE_DIR.parent / "seeds"
"""Pages of Merge's documentation (field support by platform), kept beside the references (``../shared/seeds``)."""


def reference(*parts: str) -> Path:
    """A reference file, or a skip naming where it was looked for."""
    path = REFERENCE_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference file {path} is not present (set LEDGERPORT_REFERENCE_DIR)")
    return path


def seed_page(name: str) -> Path:
    """A page of Merge's documentation, or a skip naming where it was looked for."""
    path = SEEDS_DIR / name
    if not path.exists():
        pytest.skip(f"Merge documentation page {path} is not present (looked for beside LEDGERPORT_REFERENCE_DIR)")
    return path


TEST_SEALING_KEY = "mS6L1nqy2hI9GG1Ff8wD8Kq6uJ7ofYz4mJm3cQ6iN0A="
"""Servers under test seal credentials with this key instead of writing a key file into the working tree."""

PG_ADMIN_URL = os.environ.get("LEDGERPORT_TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("LEDGERPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous test code."""
    return asyncio.run(coroutine)


@dataclass
class SandboxBudget:
    """The outbound budget for syncs against a sandbox built with ``limits=False``: no per-minute, per-day or other
    window, while the concurrency limit and ``Retry-After`` pauses still apply.

    A plain :class:`~ledgerport.kit.budget.MemoryBudget` applies the connector's published windows whatever the
    transport reaches: under Xero's 60 calls a minute, a test's second sync of one account waited most of a minute
    while the sandbox (which limits nothing) sat idle. That wait was the clock's, not the code's; the windows
    themselves are tested in ``tests/kit/test_budget.py``.
    """

    memory: MemoryBudget = field(default_factory=MemoryBudget)

    def slot(self, key: str, quotas: Quotas) -> AbstractAsyncContextManager[None]:
        """A slot under ``quotas`` without their windows."""
        return self.memory.slot(key, replace(quotas, per_minute=None, per_day=None, window=None))

    async def pause(self, key: str, seconds: float) -> None:
        """Hold every caller of ``key`` back for ``seconds``, as the provider asked."""
        await self.memory.pause(key, seconds)


def postgres_problem() -> str | None:
    import asyncpg

    async def probe() -> None:
        url = make_url(PG_ADMIN_URL)
        connection = await asyncpg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password,
            database=url.database,
            timeout=3,
        )
        await connection.close()

    try:
        run(probe())
    except (TimeoutError, OSError, Exception) as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc!r}"
    return None


def redis_problem() -> str | None:
    """Why Redis cannot be used, or ``None``."""
    try:
        with socket.create_connection(
            ("127.0.0.1", int(make_url(REDIS_URL.replace("redis://", "postgresql://")).port or 6379)), timeout=2
        ) as conn:
            conn.sendall(b"PING\r\n")
            if not conn.recv(16).startswith(b"+PONG"):
                return f"Redis at {REDIS_URL} did not answer PING"
    except OSError as exc:
        return f"Redis not reachable at {REDIS_URL}: {exc!r}"
    return None


async def _admin(sql: str) -> None:
    import asyncpg

    url = make_url(PG_ADMIN_URL)
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database,
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def create_pg_database(name: str) -> None:
    await _admin(f'CREATE DATABASE "{name}"')


async def drop_pg_database(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def migrate(url: str) -> None:
    database = Database(url)
    try:
        await database.migrate()
    finally:
        await database.dispose()


@contextmanager
def own_database(like: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database of the same kind as ``like``, for one module's processes alone.

    The session's database holds every other module's tenants, and their queued jobs too (a link queues a sync):
    workers started on it would run those before the module's own. A module that runs workers gets its own."""
    if like.startswith("sqlite"):
        url = f"sqlite:///{folder / f'own-{uuid.uuid4().hex[:8]}.db'}"
        run(migrate(url))
        yield url
        return
    name = f"ledgerport_test_{uuid.uuid4().hex[:12]}"
    run(create_pg_database(name))
    try:
        url = str(make_url(like).set(database=name).render_as_string(hide_password=False))
        run(migrate(url))
        yield url
    finally:
        run(drop_pg_database(name))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A ``ledgerport serve`` process on loopback."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def api(self) -> str:
        """The base URL an SDK user passes (``.../api``)."""
        return f"{self.url}/api"

    def stop(self) -> None:
        """Terminate the process and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(database_url: str, log_dir: Path, **env: str) -> Server:
    """Start ``python -m ledgerport serve`` and wait until it answers."""
    port = free_port()
    log = log_dir / f"server-{port}.log"
    environment = {
        **os.environ,
        "LEDGERPORT_DATABASE_URL": database_url,
        "LEDGERPORT_PORT": str(port),
        "LEDGERPORT_HOST": "127.0.0.1",
        "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0",
        "LEDGERPORT_ORGANIZATION_RATE_LIMIT_PER_MINUTE": "0",
        "LEDGERPORT_AUTH_FAILURES_PER_MINUTE": "0",
        "LEDGERPORT_PUBLIC_RATE_LIMIT_PER_MINUTE": "0",
        "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY,
        **env,
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "ledgerport", "serve"], env=environment, stdout=sink, stderr=subprocess.STDOUT
        )
    server = Server(process=process, url=f"http://127.0.0.1:{port}", log=log)
    deadline = time.monotonic() + 90  # a loaded runner can take a while to import and migrate
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=1) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not start: {log.read_text()}")


@dataclass(frozen=True)
class Tenant:
    """An organization with an API key and one linked account."""

    organization_id: uuid.UUID
    api_key: str
    account_id: uuid.UUID
    account_token: str


async def create_tenant(url: str, *, integration: str, seed: dict[str, int] | None, seed_value: int) -> Tenant:
    database = Database(url)
    try:
        async with database.write() as session:
            organization_id = await accounts.create_organization(session, name=f"org-{uuid.uuid4().hex[:6]}")
            key = await accounts.create_api_key(session, organization_id=organization_id)
            made = await accounts.create_linked_account(
                session,
                organization_id=organization_id,
                integration=integration,
                integration_name=find_integration(integration).name,
                end_user_organization_name=f"End user {uuid.uuid4().hex[:6]}",
                end_user_email_address="owner@example.com",
                end_user_origin_id=f"origin-{uuid.uuid4().hex[:6]}",
            )
        if seed is not None:
            from ledgerport.dev.seed import seed_account

            await seed_account(database, linked_account_id=made.account.id, seed=seed_value, **seed)
    finally:
        await database.dispose()
    return Tenant(organization_id, key.secret, made.account.id, made.account_token)


TenantFactory = Callable[..., Tenant]


class SandboxTokens:
    """The trivial TokenSource for connector tests: one token set in memory, refreshed at a sandbox's token URL."""

    def __init__(self, transport: Any, tokens: Any, *, oauth: Any, client: Any) -> None:
        self.transport = transport
        self.tokens = tokens
        self.oauth = oauth
        self.client = client
        self.refreshes = 0

    async def current(self) -> Any:
        return self.tokens

    async def refresh(self, stale: Any) -> Any:
        from ledgerport.connectors._base.auth import read_tokens, refresh_request

        response = await self.transport.send(refresh_request(self.oauth, self.client, stale))
        self.tokens = read_tokens(response, extra=stale.extra)
        self.refreshes += 1
        return self.tokens


async def call_provider(
    deps: Any,
    account_id: uuid.UUID,
    method: str,
    where: Callable[[Any], str],
    body: Any = None,
    params: tuple[tuple[str, str], ...] = (),
) -> Any:
    """A call to a linked account's sandbox through the provider's own API, with the account's credentials: how a
    test changes what the provider holds (``where`` builds the URL from the account's ``StreamContext``)."""
    import msgspec

    from ledgerport.connectors._base.http import Request
    from ledgerport.remote import open_provider

    client = (await open_provider(deps, account_id)).client
    await client.learn_session_facts()
    request = Request(
        method=method,
        url=where(client.context),
        params=params,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        body=None if body is None else msgspec.json.encode(body),
    )
    return await client.json(request)


class RecordingTransport:
    """A transport that keeps every request's full URL (query string included, decoded) before sending it on: what
    a test asks of what a sync sent to the provider."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.urls: list[str] = []

    async def send(self, request: Any) -> Any:
        self.urls.append(urllib.parse.unquote_plus(request.full_url))
        return await self.inner.send(request)

    async def close(self) -> None:
        await self.inner.close()

    def asked(self, fragment: str) -> int:
        """How many requests named ``fragment`` in their URL."""
        return sum(fragment in url for url in self.urls)


@dataclass
class SyncLinked:
    """An account linked to a sandbox app over an in-process transport, with what a sync of it needs."""

    deps: Any
    account_id: uuid.UUID
    organization_id: uuid.UUID


async def link_for_sync(database: Database, connector: Any, transport: Any, name: str) -> SyncLinked:
    """A new organization with one account linked headlessly to the sandbox behind ``transport``, and sync
    dependencies that reach it there under a :class:`SandboxBudget`."""
    from ledgerport.connectors._base.auth import OAuthClient
    from ledgerport.connectors._base.registrations import Registrations
    from ledgerport.kit.sealing import Sealer, new_key
    from ledgerport.linking import EndUser, link_sandbox
    from ledgerport.sync import SyncDeps

    client = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")
    sealer = Sealer([new_key()])
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=name)
    made = await link_sandbox(
        database,
        sealer=sealer,
        connector=connector,
        client=client,
        transport=transport,
        organization_id=organization_id,
        sandbox_url="http://sandbox.test",
        end_user=EndUser(organization_name="Acme"),
    )
    deps = SyncDeps(
        database=database,
        sealer=sealer,
        connectors={connector.key: connector},
        registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=client),
        transport=lambda origin: transport,
        budget=SandboxBudget(),
    )
    return SyncLinked(deps, made.account.id, organization_id)
