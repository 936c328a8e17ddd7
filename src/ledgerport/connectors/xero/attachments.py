"""Xero attachments as ``AccountingAttachment`` records: the streams, the read mapping, the write table, the upload
and the download.

Xero keeps attachments under the object they belong to (``GET /{Endpoint}/{Guid}/Attachments``); there is no
listing of a whole organisation's files. Asking every invoice for its attachments would cost one request per
invoice on every full sync, which a book of 100,000 invoices cannot spend at 60 calls a minute and 5,000 a day.
Instead each stream lists only the parents that have files, with Xero's own flag (``where=HasAttachments==true``),
paged by 1,000 and incremental with ``If-Modified-Since`` like the parents' own streams; then one request per
listed parent reads its attachments (``expand``). A sync thus costs a request per *changed parent that has
attachments*, not per record. The parents read are invoices (sales and bills), bank transactions (spend and
receive money) and contacts, the objects Xero's UI attaches receipts and documents to; credit notes, manual
journals and the rest are not read.

Assumption: a file added to an object moves the object's ``UpdatedDateUTC`` (so an incremental run sees it);
Xero's documents do not say so. Files written through ledgerport are stored at once from Xero's answer anyway.

* **Remote id**: the ``AttachmentID``. The stored ``remote_data`` is Xero's attachment JSON, whose ``Url`` names
  the parent (``.../Invoices/{Guid}/Attachments/{FileName}``); a download reads that path on the account's API
  origin, with its credentials.
* **Write**: ``PUT /{Endpoint}/{Guid}/Attachments/{FileName}`` with the raw bytes as the body; Xero answers
  ``{"Attachments": [{AttachmentID, FileName, Url, MimeType, ContentLength}]}``. ``integration_params``
  ``{"entity": "Invoices", "entity_id": "<Guid>"}`` names the parent, which Xero requires.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from ledgerport.connectors._base import Malformed, Rejected, Request
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.convert import to_str
from ledgerport.connectors._base.files import DEFAULT_TYPE, FileBody, inline_file_problem, read_data_url
from ledgerport.connectors._base.mapping import Const, Explode, F, ModelMap
from ledgerport.connectors._base.paging import PageNumber
from ledgerport.connectors._base.streams import Fetch, StatusIn, Stream, StreamContext, Total, Watermark
from ledgerport.connectors._base.writes import Check, Derive, Put, Resolved, Target, WriteSpec
from ledgerport.connectors.xero.convert import xero_date
from ledgerport.connectors.xero.streams import API_PATH, PAGE_SIZE, XeroList
from ledgerport.models.attachment import AccountingAttachment

__all__ = [
    "ATTACHMENT_WRITES",
    "BANK_TRANSACTION_ATTACHMENTS",
    "CONTACT_ATTACHMENTS",
    "ENDPOINTS",
    "ENTITY",
    "INVOICE_ATTACHMENTS",
    "MAPPINGS",
    "download",
    "upload",
]

ENTITY = "Attachments"
ENDPOINTS = frozenset(
    {
        "Accounts",
        "BankTransactions",
        "BankTransfers",
        "Contacts",
        "CreditNotes",
        "Invoices",
        "ManualJournals",
        "PurchaseOrders",
        "Quotes",
        "Receipts",
        "RepeatingInvoices",
    }
)
"""The endpoints Xero keeps attachments under (its Attachments page)."""

_FILE = "_file"
_PARENT = "_parent"
_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_DOWNLOAD_PATH = re.compile(rf"^{re.escape(API_PATH)}/(?P<endpoint>[A-Za-z]+)/(?P<guid>{_GUID})/Attachments/[^/]+$")


def _attachments_of(collection: str, key: str) -> Any:
    async def expand(fetch: Fetch, context: StreamContext, records: list[Any]) -> list[Any]:
        """Each listed parent with its ``Attachments`` (one request per parent that has any)."""
        completed = []
        for record in records:
            files: list[Any] = []
            if record.get("HasAttachments"):
                url = f"{context.base_url.rstrip('/')}{API_PATH}/{collection}/{record.get(key)}/Attachments"
                body = await fetch(Request(method="GET", url=url))
                files = [one for one in (body or {}).get("Attachments") or [] if isinstance(one, dict)]
            completed.append({**record, "Attachments": files})
        return completed

    return expand


def _stream(collection: str, key: str, *, gone: frozenset[str], status: str = "Status") -> Stream:
    params: tuple[tuple[str, str], ...] = (("where", "HasAttachments==true"),)
    if collection == "Contacts":
        params = (*params, ("includeArchived", "true"))
    return Stream(
        name=f"{collection}Attachments",
        request=XeroList(collection=collection, params=params),
        records=collection,
        key=key,
        paging=PageNumber(size=PAGE_SIZE),
        total=Total("pagination.pageCount"),
        since=Watermark("UpdatedDateUTC", xero_date),
        deleted=StatusIn(status, gone),
        expand=_attachments_of(collection, key),
    )


INVOICE_ATTACHMENTS = _stream("Invoices", "InvoiceID", gone=frozenset({"DELETED"}))
BANK_TRANSACTION_ATTACHMENTS = _stream("BankTransactions", "BankTransactionID", gone=frozenset({"DELETED", "VOIDED"}))
CONTACT_ATTACHMENTS = _stream("Contacts", "ContactID", gone=frozenset({"GDPRREQUEST"}), status="ContactStatus")


def _mapping(stream: Stream) -> ModelMap:
    return ModelMap(
        model="AccountingAttachment",
        struct=AccountingAttachment,
        stream=stream,
        explode=Explode("Attachments", "AttachmentID"),
        fields={
            "remote_id": F("AttachmentID", to_str),
            "file_name": F("FileName", to_str),
            "remote_was_deleted": Const(False),  # a file of a deleted parent is never mapped: the engine marks it
        },
    )


MAPPINGS: tuple[ModelMap, ...] = tuple(
    _mapping(stream) for stream in (INVOICE_ATTACHMENTS, BANK_TRANSACTION_ATTACHMENTS, CONTACT_ATTACHMENTS)
)


def _file(value: Any) -> FileBody:
    return read_data_url(str(value))


def _parent(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    if isinstance(value, Mapping):
        payload[_PARENT] = [str(value.get("entity") or ""), str(value.get("entity_id") or "")]


def _parent_shape(model: Mapping[str, Any]) -> str | None:
    given = model.get("integration_params")
    if not isinstance(given, Mapping):
        return None  # missing: reported as a missing required field
    entity, guid = given.get("entity"), given.get("entity_id")
    if entity not in ENDPOINTS:
        return f"integration_params.entity must be one of {', '.join(sorted(ENDPOINTS))}."
    if not isinstance(guid, str) or not re.fullmatch(_GUID, guid):
        return "integration_params.entity_id must be the Xero id (a GUID) of the object the file belongs to."
    return None


ATTACHMENT_WRITES = WriteSpec(
    model="AccountingAttachment",
    targets=(
        Target(
            entity=ENTITY,
            read=MAPPINGS[0],
            fields={
                "file_name": Put("FileName", required=True),
                "file_url": Put(_FILE, _file, required=True, note="A URL ledgerport may fetch, or a data: URL."),
                "integration_params": Derive(
                    _parent,
                    required=True,
                    note='{"entity": "Invoices", "entity_id": "<Xero GUID>"}: Xero keeps every file under an object.',
                ),
            },
            checks=(
                Check("/model/file_url", "Invalid File", inline_file_problem),
                Check("/model/integration_params", "Invalid Integration Params", _parent_shape),
            ),
        ),
    ),
    note="Xero keeps files under objects: integration_params names the object (entity and its Xero id).",
)


async def upload(client: ProviderClient, payload: dict[str, Any], key: str) -> Any:
    """``PUT /{Endpoint}/{Guid}/Attachments/{FileName}`` with the bytes → the attachment Xero made."""
    file, parent, name = payload.get(_FILE), payload.get(_PARENT), str(payload.get("FileName") or "")
    if not isinstance(file, FileBody) or not isinstance(parent, list) or not name:
        raise Rejected("the file, its name or its parent is missing")
    endpoint, guid = parent
    url = f"{client.context.base_url.rstrip('/')}{API_PATH}/{endpoint}/{guid}/Attachments/{quote(name, safe='')}"
    request = Request(
        method="PUT",
        url=url,
        headers={"Content-Type": file.content_type, "Accept": "application/json", "Idempotency-Key": key[:128]},
        body=file.data,
    )
    body = (await client.send(request)).json()
    found = body.get("Attachments") if isinstance(body, dict) else None
    if not isinstance(found, list) or not found or not isinstance(found[0], dict):
        raise Malformed("Xero answered the upload without the attachment")
    return found[0]


async def download(client: ProviderClient, remote_id: str, remote_data: Mapping[str, Any] | None) -> FileBody:
    """The file's bytes from the path its ``Url`` names, on the account's own API origin (never the URL as given)."""
    link = str((remote_data or {}).get("Url") or "")
    path = urlsplit(link).path
    if not _DOWNLOAD_PATH.match(path):
        raise Malformed("the stored attachment names no Xero attachment path")
    mime = str((remote_data or {}).get("MimeType") or DEFAULT_TYPE)
    request = Request(method="GET", url=f"{client.context.base_url.rstrip('/')}{path}", headers={"Accept": mime})
    answer = await client.send(request)
    return FileBody(data=answer.body, content_type=answer.headers.get("content-type") or mime)
