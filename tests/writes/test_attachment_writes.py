"""Attachments through the real app against the QuickBooks and Xero sandboxes: ``POST /attachments`` uploads the
bytes (a ``data:`` URL, or a ``file_url`` fetched from an allowed host), and the same bytes come back from the
list, the retrieve and ``GET /attachments/{id}/download``; a file the provider got some other way arrives with a
sync; a ``file_url`` ledgerport may not fetch is refused with 400 and nothing is written; Merge's SDK does the
same through its attachments client."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from aiohttp import web
from merge import AsyncMerge
from merge.resources.accounting import AccountingAttachmentRequest
from quickbooks_kit import ORIGIN, QboWrites, open_qbo
from xero_kit import API, XeroKit, open_kit

from ledgerport.api.fetching import FetchPolicy
from ledgerport.connectors._base import AsgiTransport
from ledgerport.jobs import Worker
from ledgerport.worker import build_sync_deps, build_write_deps
from ledgerport.writes.tasks import write_task_handlers

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 16 + b"\n%%EOF\n"


def _data_url(data: bytes, kind: str = "application/pdf") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def _policy(app: Any, policy: FetchPolicy) -> None:
    context = app.state.ledgerport
    app.state.ledgerport = dataclasses.replace(context, file_policy=policy)


@pytest.fixture
async def qbo(database_url: str) -> AsyncIterator[QboWrites]:
    async with open_qbo(database_url) as opened:
        yield opened


@pytest.fixture
async def xero(database_url: str) -> AsyncIterator[XeroKit]:
    async with open_kit(database_url) as opened:
        yield opened


@pytest.fixture
async def file_server() -> AsyncIterator[str]:
    """A web server on loopback answering ``/receipt.pdf`` with :data:`PDF` (and ``/moved`` with a redirect)."""

    async def receipt(request: web.Request) -> web.Response:
        return web.Response(body=PDF, content_type="application/pdf")

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/receipt.pdf")

    app = web.Application()
    app.router.add_get("/receipt.pdf", receipt)
    app.router.add_get("/moved", moved)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def _path(link: str) -> str:
    """Our download link, as the in-process client asks for it (the public URL's host is not this test's)."""
    return urlsplit(link).path


# --- QuickBooks ---------------------------------------------------------------------------------------------------


async def test_qbo_upload_list_retrieve_download(qbo: QboWrites) -> None:
    invoice = (await qbo.listed("invoices", type="ACCOUNTS_RECEIVABLE"))[0]
    before = await qbo.count("Attachable")
    answer = await qbo.create(
        "attachments",
        {
            "file_name": "receipt.pdf",
            "file_url": _data_url(PDF),
            "integration_params": {"entity": "Invoice", "entity_id": invoice["remote_id"]},
        },
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["errors"] == []
    assert body["warnings"] == []
    model = body["model"]
    assert model["file_name"] == "receipt.pdf"
    assert model["file_url"].endswith(f"/api/accounting/v1/attachments/{model['id']}/download")
    assert model["company"] is not None
    assert model["remote_was_deleted"] is False

    made = await qbo.qbo("Attachable", model["remote_id"])
    assert made["Size"] == len(PDF)
    assert made["ContentType"] == "application/pdf"
    assert made["AttachableRef"] == [{"EntityRef": {"type": "Invoice", "value": invoice["remote_id"]}}]
    assert qbo.company.files[model["remote_id"]] == PDF
    assert await qbo.count("Attachable") == before + 1

    listed = await qbo.listed("attachments")
    assert len(listed) == 4  # the generated company's three receipts, and this file
    (mine,) = [r for r in listed if r["id"] == model["id"]]
    assert mine["file_url"] == model["file_url"]
    assert all(r["file_url"].endswith(f"/attachments/{r['id']}/download") for r in listed)
    retrieved = await qbo.get(f"attachments/{model['id']}", include_remote_data="true")
    assert retrieved["file_url"] == model["file_url"]
    assert retrieved["remote_data"][0]["data"]["FileName"] == "receipt.pdf"

    downloaded = await qbo.api.get(f"/attachments/{model['id']}/download")
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"].startswith("application/pdf")
    assert 'filename="receipt.pdf"' in downloaded.headers["content-disposition"]

    await qbo.sync()
    assert [r["id"] for r in await qbo.by_remote_id("attachments", model["remote_id"])] == [model["id"]]


async def test_qbo_file_url_fetched_from_an_allowed_host(qbo: QboWrites, file_server: str) -> None:
    _policy(qbo.app, FetchPolicy(allow=("127.0.0.1",), allow_private=True))
    answer = await qbo.create("attachments", {"file_name": "fetched.pdf", "file_url": f"{file_server}/receipt.pdf"})
    assert answer.status_code == 201, answer.text
    model = answer.json()["model"]
    assert qbo.company.files[model["remote_id"]] == PDF
    assert (await qbo.api.get(_path(model["file_url"]).removeprefix("/api/accounting/v1"))).content == PDF
    redirected = await qbo.create("attachments", {"file_name": "x.pdf", "file_url": f"{file_server}/moved"})
    assert redirected.status_code == 400
    assert "redirects are not followed" in redirected.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("policy", "url", "named"),
    [
        (FetchPolicy(), "https://files.example.com/receipt.pdf", "LEDGERPORT_ATTACHMENT_FETCH_ALLOW"),
        (
            FetchPolicy(allow=("127.0.0.1",)),
            "http://127.0.0.1:9/receipt.pdf",
            "LEDGERPORT_ATTACHMENT_FETCH_ALLOW_PRIVATE",
        ),
        (
            FetchPolicy(allow=("*",)),
            "http://169.254.169.254/latest/meta-data",
            "LEDGERPORT_ATTACHMENT_FETCH_ALLOW_PRIVATE",
        ),
        (FetchPolicy(allow=("*",)), "http://localhost/receipt.pdf", "LEDGERPORT_ATTACHMENT_FETCH_ALLOW_PRIVATE"),
        (FetchPolicy(allow=("*",)), "file:///etc/passwd", "https://"),
        (FetchPolicy(max_bytes=100), _data_url(PDF), "100 bytes"),
    ],
)
async def test_a_file_url_not_allowed_is_refused_and_nothing_written(
    qbo: QboWrites, policy: FetchPolicy, url: str, named: str
) -> None:
    _policy(qbo.app, policy)
    before = await qbo.count("Attachable")
    answer = await qbo.create("attachments", {"file_name": "receipt.pdf", "file_url": url})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["warnings"] == []
    (error,) = body["errors"]
    assert error["source"] == {"pointer": "/model/file_url"}
    assert named in error["detail"]
    assert await qbo.count("Attachable") == before
    assert len(await qbo.listed("attachments")) == 3  # the generated receipts only


async def test_qbo_meta_and_missing_fields(qbo: QboWrites) -> None:
    meta = await qbo.get("attachments/meta/post")
    properties = meta["request_schema"]["properties"]["model"]["properties"]
    assert set(properties) == {"file_name", "file_url", "integration_params"}
    assert meta["status"]["can_make_request"] is True
    missing = await qbo.create("attachments", {"file_url": _data_url(b"x")})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["problem_type"] == "MISSING_REQUIRED_FIELD"
    no_url = await qbo.create("attachments", {"file_name": "x.txt"})
    assert no_url.status_code == 400
    assert no_url.json()["errors"][0]["source"] == {"pointer": "/model/file_url"}


async def test_an_async_upload_is_fetched_first_and_written_by_a_worker(qbo: QboWrites) -> None:
    refused = await qbo.api.post(
        "/attachments/async", json={"model": {"file_name": "a.pdf", "file_url": "https://x.example/a"}}
    )
    assert refused.status_code == 400
    assert "LEDGERPORT_ATTACHMENT_FETCH_ALLOW" in refused.json()["detail"]
    queued = await qbo.create("attachments", {"file_name": "later.pdf", "file_url": _data_url(PDF)}, run_async="true")
    assert queued.status_code == 202, queued.text
    task_id = queued.json()["task_id"]
    deps = build_sync_deps(qbo.settings, qbo.database, transports={ORIGIN: AsgiTransport(qbo.sandbox)})
    stop = asyncio.Event()
    handlers = write_task_handlers(build_write_deps(qbo.settings, deps))
    running = asyncio.create_task(Worker(qbo.database, handlers, poll_interval=0.02).run(stop))
    try:
        for _ in range(3000):
            task = (await qbo.api.get(f"/async-tasks/{task_id}")).json()
            if task["status"] in ("COMPLETED", "FAILED"):
                break
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await running
    assert task["status"] == "COMPLETED", task
    model = task["result"]["response"]["model"]
    assert model["file_url"].endswith(f"/attachments/{model['id']}/download")
    assert qbo.company.files[model["remote_id"]] == PDF


async def test_another_tenant_cannot_download(qbo: QboWrites, xero: XeroKit) -> None:
    made = await qbo.create("attachments", {"file_name": "a.txt", "file_url": _data_url(b"secret", "text/plain")})
    record_id = made.json()["model"]["id"]
    other = await xero.api.get(f"{API}/attachments/{record_id}/download")
    assert other.status_code == 404
    assert (await xero.api.get(f"{API}/attachments/{record_id}")).status_code == 404
    anonymous = await qbo.api.get(f"/attachments/{record_id}/download", headers={"X-Account-Token": "lpt_wrong"})
    assert anonymous.status_code == 401


async def test_the_merge_sdk_lists_retrieves_and_creates(qbo: QboWrites) -> None:
    async with httpx.AsyncClient(transport=qbo.api._transport, base_url="http://ledgerport.test/api") as http:
        client = AsyncMerge(
            api_key=qbo.api.headers["Authorization"].removeprefix("Bearer "),
            account_token=qbo.api.headers["X-Account-Token"],
            base_url="http://ledgerport.test/api",
            httpx_client=http,
        )
        meta = await client.accounting.attachments.meta_post_retrieve()
        assert "file_url" in meta.request_schema["properties"]["model"]["properties"]
        created = await client.accounting.attachments.create(
            model=AccountingAttachmentRequest(file_name="sdk.pdf", file_url=_data_url(PDF))
        )
        assert created.model.file_name == "sdk.pdf"
        assert created.errors == []
        page = await client.accounting.attachments.list(page_size=10)
        assert created.model.id in [one.id for one in page.results or []]
        one = await client.accounting.attachments.retrieve(id=str(created.model.id), include_remote_data=True)
        assert one.file_url == created.model.file_url
        assert one.remote_data
        assert one.remote_data[0].data["Size"] == len(PDF)
        link = f"http://ledgerport.test{urlsplit(str(one.file_url)).path}"
        downloaded = await http.get(link, headers=dict(qbo.api.headers))
        assert downloaded.content == PDF


# --- Xero ----------------------------------------------------------------------------------------------------------


async def test_xero_upload_list_retrieve_download_and_sync(xero: XeroKit) -> None:
    invoices = xero.sandbox.tenants[xero.tenant_id].collections["Invoices"]
    invoice = {"remote_id": invoices.get(5)["InvoiceID"]}  # one without the generated receipts
    answer = await xero.create(
        "attachments",
        {
            "file_name": "scan.png",
            "file_url": _data_url(PDF, "image/png"),
            "integration_params": {"entity": "Invoices", "entity_id": invoice["remote_id"]},
        },
    )
    assert answer.status_code == 201, answer.text
    model = answer.json()["model"]
    assert model["file_name"] == "scan.png"
    assert model["file_url"].endswith(f"/attachments/{model['id']}/download")

    listed = await xero.all("attachments")
    assert len(listed) == 5  # the generated organisation's four files, and this one
    assert model["id"] in [r["id"] for r in listed]
    retrieved = await xero.get(f"attachments/{model['id']}", include_remote_data="true")
    assert retrieved["remote_data"][0]["data"]["ContentLength"] == len(PDF)
    downloaded = await xero.api.get(f"{API}/attachments/{model['id']}/download")
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"].startswith("image/png")

    report = await xero.sync()  # the invoice now has attachments and a newer UpdatedDateUTC
    assert report.fetched.get("AccountingAttachment", 0) >= 1
    assert [r["id"] for r in await xero.all("attachments", remote_id=model["remote_id"])] == [model["id"]]


async def test_xero_files_added_at_xero_arrive_with_a_sync(xero: XeroKit) -> None:
    contact = await xero.first("contacts")
    tenant = xero.sandbox.tenants[xero.tenant_id]
    # A file attached in Xero itself (not through ledgerport), put into the organisation as the sandbox's upload
    # leaves it: the file under its contact, and the contact flagged and stamped.
    key = f"contacts/{contact['remote_id']}".lower()
    tenant.attachments[key] = [
        {
            "AttachmentID": "5b2ab0f4-3a25-4b9b-9b0a-1b1d2a2b3c4d",
            "FileName": "contract.txt",
            "Url": f"https://api.xero.com/api.xro/2.0/Contacts/{contact['remote_id']}/Attachments/contract.txt",
            "MimeType": "text/plain",
            "ContentLength": 5,
        }
    ]
    tenant.files["5b2ab0f4-3a25-4b9b-9b0a-1b1d2a2b3c4d"] = b"hello"
    contacts = tenant.collections["Contacts"]
    slot = contacts.find(contact["remote_id"])
    assert slot is not None
    contacts.put({**contacts.get(slot), "HasAttachments": True}, int(time.time() * 1000), slot)

    await xero.sync()
    (found,) = await xero.all("attachments", remote_id="5b2ab0f4-3a25-4b9b-9b0a-1b1d2a2b3c4d")
    assert found["remote_id"] == "5b2ab0f4-3a25-4b9b-9b0a-1b1d2a2b3c4d"
    assert found["file_name"] == "contract.txt"
    downloaded = await xero.api.get(f"{API}/attachments/{found['id']}/download")
    assert downloaded.content == b"hello"


async def test_xero_needs_the_parent(xero: XeroKit) -> None:
    files = dict(xero.sandbox.tenants[xero.tenant_id].files)
    missing = await xero.create("attachments", {"file_name": "a.txt", "file_url": _data_url(b"x", "text/plain")})
    assert missing.status_code == 400
    (error,) = missing.json()["errors"]
    assert error["problem_type"] == "MISSING_REQUIRED_FIELD"
    assert error["source"] == {"pointer": "/model/integration_params"}
    wrong = await xero.create(
        "attachments",
        {
            "file_name": "a.txt",
            "file_url": _data_url(b"x", "text/plain"),
            "integration_params": {"entity": "Invoices", "entity_id": "not-a-guid"},
        },
    )
    assert wrong.status_code == 400
    assert "GUID" in wrong.json()["errors"][0]["detail"]
    assert xero.sandbox.tenants[xero.tenant_id].files == files
