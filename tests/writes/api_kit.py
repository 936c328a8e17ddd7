"""What every in-process write kit shares: the real app linked to a sandbox over ASGI, and calls to its API.

``open_linked`` builds ledgerport exactly as ``ledgerport serve`` does (``create_app``), reaching the sandbox through
the transport it is given (as the demo's mounted sandboxes are reached), links one account through the sandbox's
headless consent and syncs it once. The provider kits (``bc_kit``, ``netsuite_kit``, ``xero_kit``) add what is
their provider's own: how to count what a write left at the sandbox.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Mapping
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
from ledgerport.connectors._base import Transport
from ledgerport.linking import EndUser, link_sandbox, typed_facts
from ledgerport.store import Database, accounts
from ledgerport.sync import SyncDeps, SyncReport, sync_account
from ledgerport.worker import build_sync_deps, registrations, sealer

__all__ = ["API", "ApiKit", "Unlimited", "open_linked"]

API = "/api/accounting/v1"


class Unlimited:
    """A budget that never waits: a provider's calls a minute would make a test wait for the clock, not the code."""

    @asynccontextmanager
    async def slot(self, key: str, quotas: Any) -> AsyncIterator[None]:
        yield

    async def pause(self, key: str, seconds: float) -> None:
        return None


@dataclass
class ApiKit:
    """One linked account: ledgerport's API as that account, the sandbox's control surface, and a sync."""

    api: httpx.AsyncClient
    control: httpx.AsyncClient
    account_id: uuid.UUID
    deps: SyncDeps

    def parts(self) -> dict[str, Any]:
        """The shared fields, to build a provider's kit from (``XeroKit(**kit.parts(), tenant_id=...)``)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(ApiKit)}

    async def sync(self) -> SyncReport:
        """An incremental sync of the linked account, as the schedule would run it."""
        report = await sync_account(self.deps, self.account_id)
        assert report.failed is None, report.failed
        return report

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
async def open_linked(
    database_url: str,
    *,
    provider: str,
    origin: str,
    sandbox: Any,
    transport: Transport,
    end_user: EndUser,
    facts: Mapping[str, str] | None = None,
) -> AsyncIterator[ApiKit]:
    """A new organization of ledgerport linked to ``sandbox`` (at ``origin``, reached through ``transport``) and
    synced once; no budget waits, neither in the sync nor in the app's writes."""
    settings = load_settings(
        {},
        database_url=database_url,
        secret_keys=(TEST_SEALING_KEY,),
        sandbox_origins={provider: origin},
        rate_limit_per_minute=0,
    )
    database = Database(database_url)
    deps = msgspec.structs.replace(
        build_sync_deps(settings, database, transports={origin: transport}), budget=Unlimited()
    )
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=f"{provider}-writes-{uuid.uuid4().hex[:8]}")
        key = await accounts.create_api_key(session, organization_id=organization_id, name="writes")
    connector = CONNECTORS[provider]
    made = await link_sandbox(
        database,
        sealer=sealer(settings),
        connector=connector,
        client=registrations(settings).client(provider, origin),
        transport=transport,
        organization_id=organization_id,
        sandbox_url=origin,
        end_user=end_user,
        facts=typed_facts(connector, facts) if facts is not None else None,
    )
    first = await sync_account(deps, made.account.id)
    assert first.failed is None, first.failed
    app = create_app(settings, transports={origin: transport})
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
            httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url=origin) as control,
        ):
            api.headers.update(headers)
            yield ApiKit(api=api, control=control, account_id=made.account.id, deps=deps)
    finally:
        await database.dispose()
