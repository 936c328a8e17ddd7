"""Xero attachments: the streams that list only objects with files (``HasAttachments``) and read each one's
attachments, the exploded mapping, the write table, the raw-bytes upload under the parent and the download from the
path the attachment's ``Url`` names."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from ledgerport.connectors._base import Malformed, Request
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.files import FileBody
from ledgerport.connectors._base.mapping import MappingContext, apply
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.connectors._base.writes import build_payload
from ledgerport.connectors.xero import CONNECTOR
from ledgerport.connectors.xero.attachments import (
    ATTACHMENT_WRITES,
    CONTACT_ATTACHMENTS,
    INVOICE_ATTACHMENTS,
    MAPPINGS,
    download,
    upload,
)

ClientFactory = Callable[..., ProviderClient]
CONTEXT = MappingContext(ref=lambda model, rid: f"{model}:{rid}")
GUID = "4a21c553-77ac-4b7d-9794-95034a191d1f"
FILE = {
    "AttachmentID": "a3d1b7e6-8c43-4a8e-9b0f-1c2d3e4f5a6b",
    "FileName": "receipt.png",
    "Url": f"https://api.xero.com/api.xro/2.0/Invoices/{GUID}/Attachments/receipt.png",
    "MimeType": "image/png",
    "ContentLength": 3,
}


def test_streams_list_only_objects_with_files() -> None:
    context = StreamContext(base_url="https://api.xero.com", account={"tenant_id": "t"})
    request = INVOICE_ATTACHMENTS.request(context, datetime(2026, 1, 2, tzinfo=UTC), 1, 1000)
    assert request.url == "https://api.xero.com/api.xro/2.0/Invoices"
    assert ("where", "HasAttachments==true") in request.params
    assert ("page", "1") in request.params
    assert "If-Modified-Since" in request.headers
    contacts = CONTACT_ATTACHMENTS.request(context, None, 1, 1000)
    assert ("includeArchived", "true") in contacts.params


async def test_expand_asks_once_per_object_that_has_files() -> None:
    asked: list[str] = []

    async def fetch(request: Request) -> Any:
        asked.append(request.url)
        return {"Attachments": [FILE]}

    context = StreamContext(base_url="https://api.xero.com")
    records = [{"InvoiceID": GUID, "HasAttachments": True}, {"InvoiceID": "other", "HasAttachments": False}]
    assert INVOICE_ATTACHMENTS.expand is not None
    completed = await INVOICE_ATTACHMENTS.expand(fetch, context, records)
    assert asked == [f"https://api.xero.com/api.xro/2.0/Invoices/{GUID}/Attachments"]
    assert completed[0]["Attachments"] == [FILE]
    assert completed[1]["Attachments"] == []
    assert records[0] == {"InvoiceID": GUID, "HasAttachments": True}, "the listed record is not mutated"


def test_each_file_is_a_record_and_goes_with_its_deleted_parent() -> None:
    mapping = MAPPINGS[0]
    parent = {"InvoiceID": GUID, "Status": "AUTHORISED", "Attachments": [FILE]}
    ((remote_id, element, owner),) = mapping.rows([parent])
    assert (remote_id, owner) == (FILE["AttachmentID"], GUID)
    document = apply(mapping, element, CONTEXT, remote_id=remote_id)
    assert document.remote_id == FILE["AttachmentID"]
    assert document.file_name == "receipt.png"
    assert document.file_url is None
    assert document.remote_was_deleted is False
    assert mapping.gone([], [{**parent, "Status": "DELETED"}]) == [FILE["AttachmentID"]]
    assert {m.stream.name for m in CONNECTOR.mappings if m.model == "AccountingAttachment"} == {
        "InvoicesAttachments",
        "BankTransactionsAttachments",
        "ContactsAttachments",
    }


def test_the_table_needs_the_parent() -> None:
    (target,) = ATTACHMENT_WRITES.targets
    url = f"data:text/plain;base64,{base64.b64encode(b'abc').decode()}"
    payload = build_payload(
        target,
        {"file_name": "a.txt", "file_url": url, "integration_params": {"entity": "Invoices", "entity_id": GUID}},
        lambda record_id: None,
    )
    assert payload == {
        "FileName": "a.txt",
        "_file": FileBody(data=b"abc", content_type="text/plain"),
        "_parent": ["Invoices", GUID],
    }
    shape = next(check for check in target.checks if check.pointer == "/model/integration_params")
    assert shape.test({"integration_params": {"entity": "Invoices", "entity_id": GUID}}) is None
    assert "one of" in (shape.test({"integration_params": {"entity": "Invoice", "entity_id": GUID}}) or "")
    assert "GUID" in (shape.test({"integration_params": {"entity": "Invoices", "entity_id": "95"}}) or "")
    assert target.fields["integration_params"].required is True  # type: ignore[union-attr]


async def test_upload_and_download_through_the_sandbox(
    make_client: ClientFactory, sandbox: Any, tenant_id: str
) -> None:
    client = make_client()
    invoices = sandbox.tenants[tenant_id].collections["Invoices"]
    guid = invoices.get(5)["InvoiceID"]
    payload = {
        "FileName": "scan 1.png",
        "_file": FileBody(data=b"\x89PNG..", content_type="image/png"),
        "_parent": ["Invoices", guid],
    }
    made = await upload(client, payload, "op-key")
    assert made["FileName"] == "scan 1.png"
    assert made["MimeType"] == "image/png"
    assert made["ContentLength"] == 6
    file = await download(client, made["AttachmentID"], made)
    assert file == FileBody(data=b"\x89PNG..", content_type="image/png")


async def test_download_reads_only_xero_attachment_paths(make_client: ClientFactory) -> None:
    client = make_client()
    for url in ("https://evil.example/steal", f"https://api.xero.com/api.xro/2.0/Invoices/{GUID}/History", ""):
        with pytest.raises(Malformed):
            await download(client, "x", {**FILE, "Url": url})
