"""ledgerport in process with the Business Central sandbox beside it: a company linked and synced.

Requests go through the real app (routing, auth, the write engine, the store) over ASGI; the app reaches the
sandbox through an in-process transport, as the demo's mounted sandboxes are reached. The sandbox is also
addressed over its own ``/_sandbox/`` controls, to count what a write left there.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
from litestar.testing import AsyncTestClient

from harness import TEST_SEALING_KEY
from ledgerport.app import create_app
from ledgerport.config import load_settings
from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base import AsgiTransport, Request, Response
from ledgerport.connectors._base.errors import Unreachable
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.sandboxes.business_central import SandboxApp
from ledgerport.sandboxes.business_central import create_app as create_sandbox
from ledgerport.store import Database, accounts
from ledgerport.sync import SyncDeps, SyncReport, sync_account
from ledgerport.worker import build_sync_deps, registrations, sealer

__all__ = ["API", "ORIGIN", "BCKit", "Interposer", "Unlimited", "open_kit"]

API = "/api/accounting/v1"
ORIGIN = "http://bc.sandbox.test"


class Interposer:
    """The app's way to the sandbox, with hooks a test sets: ``before(request)`` runs before a request reaches the
    sandbox (another user's change in between), ``lose(request)`` says whether the answer to a request the sandbox
    carried out is lost on the way back (a cut connection after BC committed)."""

    def __init__(self, inner: AsgiTransport) -> None:
        self.inner = inner
        self.before: Callable[[Request], None] | None = None
        self.lose: Callable[[Request], bool] | None = None

    async def send(self, request: Request) -> Response:
        """Forward, running the hooks."""
        if self.before is not None:
            self.before(request)
        response = await self.inner.send(request)
        if self.lose is not None and self.lose(request):
            raise Unreachable(f"the answer to {request.method} {request.url} was lost")
        return response

    async def close(self) -> None:
        """Close the inner transport."""
        await self.inner.close()


class Unlimited:
    """A budget that never waits: tests count the sandbox's objects, not the clock."""

    @asynccontextmanager
    async def slot(self, key: str, quotas: Any) -> AsyncIterator[None]:
        yield

    async def pause(self, key: str, seconds: float) -> None:
        return None


@dataclass
class BCKit:
    """One linked Business Central company: ledgerport's API as that account, the sandbox, and a sync."""

    api: httpx.AsyncClient
    sandbox: SandboxApp
    control: httpx.AsyncClient
    company_id: str
    transport: Interposer
    account_id: uuid.UUID
    deps: SyncDeps

    async def sync(self) -> SyncReport:
        """An incremental sync of the linked account, as the schedule would run it."""
        report = await sync_account(self.deps, self.account_id)
        assert report.failed is None, report.failed
        return report

    async def counts(self) -> dict[str, int]:
        """Rows per entity set in the linked company, from the sandbox's own control surface."""
        summary = (await self.control.get("/_sandbox")).json()
        return next(
            c["counts"] for env in summary["environments"] for c in env["companies"] if c["id"] == self.company_id
        )

    def company(self) -> Any:
        """The linked company as the sandbox keeps it."""
        return next(
            c
            for env in self.sandbox.tenant.environments.values()
            for c in env.companies.values()
            if c.id == self.company_id
        )

    def sandbox_now(self) -> str:
        """The sandbox's clock, as BC stamps ``lastModifiedDateTime``."""
        return str(self.sandbox.clock.iso())

    def rows(self, entity_set: str) -> list[dict[str, Any]]:
        """Every row of an entity set of the linked company, as the sandbox keeps it (read-only use)."""
        table = self.company().tables[entity_set]
        names = table.spec.fields
        return [dict(zip(names, row, strict=False)) for row in table.rows.values()]

    async def create(
        self, path: str, model: Any, *, idempotency_key: str | None = None, **params: str
    ) -> httpx.Response:
        """``POST /<path>`` with ``{"model": ...}`` (and an ``Idempotency-Key`` when given)."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return await self.api.post(f"{API}/{path}", json={"model": model}, params=params, headers=headers)

    async def patch(self, path: str, record_id: str, model: Any, **params: str) -> httpx.Response:
        """``PATCH /<path>/{id}`` with ``{"model": ...}``."""
        return await self.api.patch(f"{API}/{path}/{record_id}", json={"model": model}, params=params)

    async def get(self, path: str, **params: str) -> Any:
        """``GET /<path>``, decoded (a 200 is asserted)."""
        response = await self.api.get(f"{API}/{path}", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def all(self, path: str, **params: str) -> list[dict[str, Any]]:
        """Every record of a list endpoint."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = await self.get(path, page_size="100", **params, **({"cursor": cursor} if cursor else {}))
            found += page["results"]
            cursor = page["next"]
            if not cursor:
                return found

    async def first(self, path: str, test: Any = None, **params: str) -> dict[str, Any]:
        """The first record of a list endpoint that passes ``test``."""
        return next(r for r in await self.all(path, **params) if test is None or test(r))


@asynccontextmanager
async def open_kit(database_url: str, *, seed: int = 5) -> AsyncIterator[BCKit]:
    """A fresh organisation on a fresh sandbox, linked to a new tenant of ledgerport and synced once."""
    sandbox = create_sandbox(seed=seed, size="small", limits=False)
    transport = Interposer(AsgiTransport(sandbox))
    settings = load_settings(
        {},
        database_url=database_url,
        secret_keys=(TEST_SEALING_KEY,),
        sandbox_origins={"business_central": ORIGIN},
        rate_limit_per_minute=0,
    )
    database = Database(database_url)
    deps = msgspec.structs.replace(
        build_sync_deps(settings, database, transports={ORIGIN: transport}), budget=Unlimited()
    )
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=f"bc-writes-{uuid.uuid4().hex[:8]}")
        key = await accounts.create_api_key(session, organization_id=organization_id, name="writes")
    made = await link_sandbox(
        database,
        sealer=sealer(settings),
        connector=CONNECTORS["business_central"],
        client=registrations(settings).client("business_central", ORIGIN),
        transport=transport,
        organization_id=organization_id,
        sandbox_url=ORIGIN,
        end_user=EndUser(organization_name="Cronus", email_address="owner@cronus.example"),
    )
    # Headless linking takes ``production`` and its first company by name (BC.md).
    production = sandbox.tenant.environments["production"]
    made_company = min(production.companies.values(), key=lambda c: c.name).id
    first = await sync_account(deps, made.account.id)
    assert first.failed is None, first.failed
    app = create_app(settings, transports={ORIGIN: transport})
    context = app.state.ledgerport
    assert context.writes is not None
    app.state.ledgerport = dataclasses.replace(
        context,
        writes=msgspec.structs.replace(
            context.writes, providers=msgspec.structs.replace(context.writes.providers, budget=Unlimited())
        ),
    )
    headers = {"Authorization": f"Bearer {key.secret}", "X-Account-Token": made.account_token}
    try:
        async with (
            AsyncTestClient(app=app) as api,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url=ORIGIN) as control,
        ):
            api.headers.update(headers)
            yield BCKit(
                api=api,
                sandbox=sandbox,
                control=control,
                company_id=made_company,
                transport=transport,
                account_id=made.account.id,
                deps=deps,
            )
    finally:
        await database.dispose()
