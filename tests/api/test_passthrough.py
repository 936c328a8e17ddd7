"""Passthrough through the real app against in-process sandboxes: a tenant's request reaches its own company at the
provider (QuickBooks below the realm, Xero with the organisation's tenant header), what tries to leave the API base
or carry credentials is refused before any provider call, and an async passthrough completes through a worker.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.parser
import email.policy
import gzip
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from harness import TEST_SEALING_KEY
from ledgerport.app import create_app
from ledgerport.config import Settings
from ledgerport.connectors._base import AsgiTransport, Request, Response
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.jobs import Worker
from ledgerport.kit.budget import MemoryBudget
from ledgerport.kit.sealing import Sealer
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.passthrough import passthrough_handlers
from ledgerport.store import Database, accounts
from ledgerport.sync import SyncDeps, sync_account

SANDBOX = "http://sandbox.test"
CLIENT = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")


class Counting:
    """The sandbox's transport, counting the API calls that reach it (token calls aside)."""

    def __init__(self, inner: AsgiTransport) -> None:
        self.inner = inner
        self.seen: list[Request] = []

    async def send(self, request: Request) -> Response:
        if "token" not in request.url:
            self.seen.append(request)
        return await self.inner.send(request)

    async def close(self) -> None:
        """Nothing to release."""


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@dataclass
class Rig:
    api: httpx.AsyncClient
    transport: Counting
    deps: SyncDeps
    account_id: uuid.UUID
    api_key: str

    async def passthrough(self, body: dict[str, Any], token: str | None = None) -> httpx.Response:
        headers = {} if token is None else {"X-Account-Token": token}
        return await self.api.post("/api/accounting/v1/passthrough", json=body, headers=headers)


def _sandbox(provider: str) -> tuple[Any, Any]:
    if provider == "xero":
        from ledgerport.connectors.xero import CONNECTOR
        from ledgerport.sandboxes.xero import create_app as create_xero

        return CONNECTOR, create_xero(seed=7, size="small", limits=False)
    from ledgerport.connectors.quickbooks import CONNECTOR as QBO
    from ledgerport.sandboxes.quickbooks import create_app as create_qbo

    return QBO, create_qbo(seed=7, size="small", limits=False)


@contextlib.asynccontextmanager
async def rig(database: Database, provider: str) -> AsyncIterator[Rig]:
    connector, sandbox = _sandbox(provider)
    transport = Counting(AsgiTransport(sandbox))
    sealer = Sealer([TEST_SEALING_KEY])
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=f"pass-{uuid.uuid4().hex[:6]}")
        key = await accounts.create_api_key(session, organization_id=organization_id)
    made = await link_sandbox(
        database,
        sealer=sealer,
        connector=connector,
        client=CLIENT,
        transport=transport,
        organization_id=organization_id,
        sandbox_url=SANDBOX,
        end_user=EndUser(organization_name="Acme"),
    )
    deps = SyncDeps(
        database=database,
        sealer=sealer,
        connectors={connector.key: connector},
        registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=CLIENT),
        transport=lambda origin: transport,
        budget=MemoryBudget(),
    )
    assert (await sync_account(deps, made.account.id)).failed is None
    settings = Settings(database_url=database.url, secret_keys=(TEST_SEALING_KEY,), rate_limit_per_minute=0)
    app = create_app(settings, transports={SANDBOX: transport})
    headers = {"Authorization": f"Bearer {key.secret}", "X-Account-Token": made.account_token}
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api", headers=headers)
    try:
        yield Rig(api, transport, deps, made.account.id, key.secret)
    finally:
        await api.aclose()
        await app.state.ledgerport.database.dispose()


async def _company_name(r: Rig) -> str:
    found = await r.api.get("/api/accounting/v1/company-info")
    assert found.status_code == 200, found.text
    return str(found.json()["results"][0]["name"])


async def test_quickbooks_query_reaches_the_realm_of_the_account(database: Database) -> None:
    async with rig(database, "quickbooks") as r:
        r.transport.seen.clear()
        answer = await r.passthrough({"method": "GET", "path": "/query?query=select * from CompanyInfo"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"method", "path", "status", "response", "response_headers", "response_type", "headers"}
        assert (body["method"], body["path"], body["status"], body["response_type"]) == (
            "GET",
            "/query?query=select * from CompanyInfo",
            200,
            "JSON",
        )
        (info,) = body["response"]["QueryResponse"]["CompanyInfo"]
        assert info["CompanyName"] == await _company_name(r)
        (sent,) = r.transport.seen
        realm = sent.url.split("/v3/company/")[1].split("/")[0]
        assert realm.isdigit(), "the realm the link learnt, not one the tenant named"
        assert sent.url == f"{SANDBOX}/v3/company/{realm}/query?query=select%20*%20from%20CompanyInfo"

        # a provider error is the provider's status inside a 200 RemoteResponse, not ours
        missing = await r.passthrough({"method": "GET", "path": "/invoice/999999999"})
        assert missing.status_code == 200, missing.text
        assert missing.json()["status"] >= 400
        normalized = await r.passthrough(
            {"method": "GET", "path": "/query?query=select * from CompanyInfo", "normalize_response": True}
        )
        assert normalized.json()["response"]["type"] == "object"
        assert normalized.json()["response"]["value"]["QueryResponse"] == body["response"]["QueryResponse"]


async def test_xero_organisation_is_the_linked_organisation(database: Database) -> None:
    async with rig(database, "xero") as r:
        answer = await r.passthrough(
            {"method": "GET", "path": "/Organisation", "headers": {"Accept": "application/json"}}
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["status"] == 200
        assert body["headers"] == {"Accept": "application/json"}
        (organisation,) = body["response"]["Organisations"]
        assert organisation["Name"] == await _company_name(r)
        sent = r.transport.seen[-1]
        assert sent.url == f"{SANDBOX}/api.xro/2.0/Organisation"
        assert sent.headers["xero-tenant-id"] == organisation["OrganisationID"]
        actions = (await r.api.get("/api/accounting/v1/available-actions")).json()
        assert actions["passthrough_available"] is True
        # base_url_override: only the account's own base
        own = await r.passthrough(
            {"method": "GET", "path": "/Organisation", "base_url_override": SANDBOX + "/api.xro/2.0"}
        )
        assert own.status_code == 200, own.text
        other = await r.passthrough({"method": "GET", "path": "/Organisation", "base_url_override": "https://evil.com"})
        assert other.status_code == 400
        assert "base_url_override" in other.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "../../oauth2/v1/tokens/bearer",
        "/query/../../../v3/company/1/query",
        "/%2e%2e/other",
        "/a%2Fb",
        "https://evil.com/x",
        "//evil.com/x",
        "http:evil",
        "/a//b",
        "/a b",
        "/a\\b",
        "/caf\u00e9",
    ],
)
async def test_paths_that_leave_the_base_are_refused_unsent(database: Database, path: str) -> None:
    async with rig(database, "xero") as r:
        r.transport.seen.clear()
        answer = await r.passthrough({"method": "GET", "path": path})
        assert answer.status_code == 400, answer.text
        assert "path" in answer.json()["detail"]
        queued = await r.api.post("/api/accounting/v1/async-passthrough", json={"method": "GET", "path": path})
        assert queued.status_code == 400
        assert r.transport.seen == []


async def test_credential_headers_and_bad_bodies_are_refused(database: Database) -> None:
    async with rig(database, "xero") as r:
        r.transport.seen.clear()
        for headers in (
            {"Authorization": "Bearer stolen"},
            {"Cookie": "a=b"},
            {"Host": "evil.com"},
            {"xero-tenant-id": "x"},
        ):
            answer = await r.passthrough({"method": "GET", "path": "/Organisation", "headers": headers})
            assert answer.status_code == 400, answer.text
            assert "headers may not set" in answer.json()["detail"]
        for body in ({"method": "TRACE", "path": "/x"}, {"path": "/x"}, {"method": "GET", "path": 3}):
            assert (await r.passthrough(body)).status_code == 400
        multipart = {"method": "POST", "path": "/x", "request_format": "MULTIPART", "multipart_form_data": []}
        assert (await r.passthrough(multipart)).status_code == 400
        assert r.transport.seen == []
        unauthenticated = await r.api.post(
            "/api/accounting/v1/passthrough",
            json={"method": "GET", "path": "/Organisation"},
            headers={"Authorization": "Bearer nope"},
        )
        assert unauthenticated.status_code == 401


async def test_async_passthrough_completes_through_a_worker(database: Database) -> None:
    async with rig(database, "xero") as r:
        queued = await r.api.post(
            "/api/accounting/v1/async-passthrough", json={"method": "GET", "path": "/Organisation"}
        )
        assert queued.status_code == 200, queued.text
        receipt = queued.json()["async_passthrough_receipt_id"]
        url = f"/api/accounting/v1/async-passthrough/{receipt}"
        pending = await r.api.get(url)
        assert pending.status_code == 200
        assert isinstance(pending.json(), str)

        # another linked account (of another organization) cannot read it
        async with rig(database, "xero") as other:
            assert (await other.api.get(url)).status_code == 404
        assert (await r.api.get(f"/api/accounting/v1/async-passthrough/{uuid.uuid4()}")).status_code == 404
        assert (await r.api.get("/api/accounting/v1/async-passthrough/not-a-uuid")).status_code == 404

        stop = asyncio.Event()
        running = asyncio.create_task(Worker(database, passthrough_handlers(r.deps), poll_interval=0.02).run(stop))
        try:
            for _ in range(500):
                done = (await r.api.get(url)).json()
                if not isinstance(done, str):
                    break
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            await running
        assert done["status"] == 200
        assert done["path"] == "/Organisation"
        assert done["response"]["Organisations"][0]["Name"] == await _company_name(r)


async def test_multipart_bodies_reach_the_provider_as_one_form(database: Database) -> None:
    """A MULTIPART passthrough (QuickBooks' /upload) arrives as a form whose parts are the caller's, decoded."""
    pdf = b"%PDF-1.4\n\x00\xff receipt"
    async with rig(database, "quickbooks") as r:
        r.transport.seen.clear()
        answer = await r.passthrough(
            {
                "method": "POST",
                "path": "/upload",
                "request_format": "MULTIPART",
                "multipart_form_data": [
                    {
                        "name": "file_metadata_01",
                        "data": '{"FileName": "receipt.pdf", "ContentType": "application/pdf"}',
                        "content_type": "application/json",
                    },
                    {
                        "name": "file_content_01",
                        "data": base64.b64encode(gzip.compress(pdf)).decode(),
                        "encoding": "GZIP_BASE64",
                        "file_name": "receipt.pdf",
                        "content_type": "application/pdf",
                    },
                ],
            }
        )
        assert answer.status_code == 200, answer.text
        (sent,) = r.transport.seen
        content_type = sent.headers["Content-Type"]
        assert content_type.startswith("multipart/form-data; boundary=")
        assert sent.body is not None
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + sent.body
        )
        parts = [(part.get_param("name", header="content-disposition"), part) for part in message.iter_parts()]
        assert [name for name, _ in parts] == ["file_metadata_01", "file_content_01"]
        assert parts[0][1].get_content_type() == "application/json"
        assert parts[1][1].get_filename() == "receipt.pdf"
        assert parts[1][1].get_payload(decode=True) == pdf

        # the caller may not set the boundary, nor send data beside the form
        for extra in ({"headers": {"Content-Type": "multipart/form-data; boundary=x"}}, {"data": "{}"}):
            refused = await r.passthrough(
                {
                    "method": "POST",
                    "path": "/upload",
                    "request_format": "MULTIPART",
                    "multipart_form_data": [{"name": "a", "data": "b"}],
                    **extra,
                }
            )
            assert refused.status_code == 400, refused.text
        assert len(r.transport.seen) == 1
