"""The sandbox's attachments: raw-bytes upload under an object, the attachment JSON with server defaults
(AttachmentID, Url, MimeType, ContentLength), the object's ``HasAttachments``, the listing, the download by name
or id, the ``accounting.attachments`` scope and the per-object limits."""

from __future__ import annotations

import httpx
from tests.sandboxes.xero.conftest import SCOPE, connect

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
BASE = "/api.xro/2.0"
WITH_FILES = f"{SCOPE} accounting.attachments"


async def _headers(client: httpx.AsyncClient, tenant: str, scope: str = WITH_FILES) -> dict[str, str]:
    token = await connect(client, scope=scope)
    return {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": tenant, "accept": "application/json"}


async def _invoice(client: httpx.AsyncClient, headers: dict[str, str]) -> dict:
    """An invoice without files yet (a generated organisation's first two have one each)."""
    params = {"page": "1", "pageSize": "1", "where": "HasAttachments==false"}
    listed = await client.get(f"{BASE}/Invoices", params=params, headers=headers)
    return listed.json()["Invoices"][0]


async def test_generated_invoices_have_receipts(client: httpx.AsyncClient, tenant_ids: list[str]) -> None:
    headers = await _headers(client, tenant_ids[0])
    flagged = await client.get(f"{BASE}/Invoices", params={"where": "HasAttachments==true"}, headers=headers)
    invoices = flagged.json()["Invoices"]
    assert len(invoices) == 2
    for invoice in invoices:
        listed = await client.get(f"{BASE}/Invoices/{invoice['InvoiceID']}/Attachments", headers=headers)
        (receipt,) = listed.json()["Attachments"]
        assert receipt["FileName"] == "receipt.txt"
        data = await client.get(f"{BASE}/Invoices/{invoice['InvoiceID']}/Attachments/receipt.txt", headers=headers)
        assert len(data.content) == receipt["ContentLength"]


async def test_upload_list_and_download(client: httpx.AsyncClient, tenant_ids: list[str]) -> None:
    headers = await _headers(client, tenant_ids[0])
    invoice = await _invoice(client, headers)
    guid = invoice["InvoiceID"]
    url = f"{BASE}/Invoices/{guid}/Attachments/scan%20one.png"
    answer = await client.put(url, content=PNG, headers={**headers, "content-type": "image/png"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["Status"] == "OK"
    (made,) = body["Attachments"]
    assert made["FileName"] == "scan one.png"
    assert made["MimeType"] == "image/png"
    assert made["ContentLength"] == len(PNG)
    assert made["Url"] == f"https://api.xero.com{BASE}/Invoices/{guid}/Attachments/scan%20one.png"
    assert made["IncludeOnline"] is False
    assert len(made["AttachmentID"]) == 36

    listed = await client.get(f"{BASE}/Invoices/{guid}/Attachments", headers=headers)
    assert listed.json()["Attachments"] == [made]
    by_name = await client.get(url, headers={**headers, "accept": "image/png"})
    assert by_name.status_code == 200
    assert by_name.content == PNG
    assert by_name.headers["content-type"].startswith("image/png")
    by_id = await client.get(f"{BASE}/Invoices/{guid}/Attachments/{made['AttachmentID']}", headers=headers)
    assert by_id.content == PNG

    flagged = await client.get(
        f"{BASE}/Invoices", params={"where": "HasAttachments==true", "page": "1"}, headers=headers
    )
    assert guid in [one["InvoiceID"] for one in flagged.json()["Invoices"]]
    (now,) = [one for one in flagged.json()["Invoices"] if one["InvoiceID"] == guid]
    assert now["UpdatedDateUTC"] != invoice["UpdatedDateUTC"]


async def test_same_name_replaces_and_limits(client: httpx.AsyncClient, tenant_ids: list[str]) -> None:
    headers = await _headers(client, tenant_ids[0])
    guid = (await _invoice(client, headers))["InvoiceID"]
    url = f"{BASE}/Invoices/{guid}/Attachments/a.txt"
    first = (await client.put(url, content=b"one", headers=headers)).json()["Attachments"][0]
    second = (await client.post(url, content=b"two", headers=headers)).json()["Attachments"][0]
    assert first["AttachmentID"] == second["AttachmentID"]
    assert (await client.get(url, headers=headers)).content == b"two"
    empty = await client.put(f"{BASE}/Invoices/{guid}/Attachments/b.txt", content=b"", headers=headers)
    assert empty.status_code == 400
    assert empty.json()["Type"] == "ValidationException"
    for index in range(9):
        made = await client.put(f"{BASE}/Invoices/{guid}/Attachments/f{index}.txt", content=b"x", headers=headers)
        assert made.status_code == 200
    eleventh = await client.put(f"{BASE}/Invoices/{guid}/Attachments/z.txt", content=b"x", headers=headers)
    assert eleventh.status_code == 400


async def test_scope_and_unknown_parents(client: httpx.AsyncClient, tenant_ids: list[str]) -> None:
    without = await _headers(client, tenant_ids[0], scope=SCOPE)
    guid = (await _invoice(client, without))["InvoiceID"]
    refused = await client.put(f"{BASE}/Invoices/{guid}/Attachments/a.txt", content=b"x", headers=without)
    assert refused.status_code == 403
    headers = await _headers(client, tenant_ids[0])
    unknown = await client.put(
        f"{BASE}/Invoices/00000000-0000-0000-0000-000000000000/Attachments/a.txt", content=b"x", headers=headers
    )
    assert unknown.status_code == 404
    missing = await client.get(f"{BASE}/Invoices/{guid}/Attachments/nothing.txt", headers=headers)
    assert missing.status_code == 404


async def test_a_repeated_idempotency_key_writes_once(client: httpx.AsyncClient, tenant_ids: list[str]) -> None:
    headers = {**(await _headers(client, tenant_ids[0])), "idempotency-key": "k-1"}
    guid = (await _invoice(client, headers))["InvoiceID"]
    url = f"{BASE}/Invoices/{guid}/Attachments/once.txt"
    first = await client.put(url, content=b"abc", headers=headers)
    again = await client.put(url, content=b"abc", headers=headers)
    assert first.json() == again.json()
    listed = await client.get(f"{BASE}/Invoices/{guid}/Attachments", headers=headers)
    assert len(listed.json()["Attachments"]) == 1
