"""QBO ``Attachable`` files as ``AccountingAttachment`` records: the read mapping, the write table, the upload and
the download.

* **Read**: the query API's ``Attachable`` entity (its ``Id`` is the remote id). An attachable without a file (a
  note) is no attachment and is left out.
* **Write**: ``POST /v3/company/{realm}/upload`` as ``multipart/form-data``: a ``file_metadata_01`` part (the
  Attachable JSON: ``FileName``, ``ContentType``, ``AttachableRef``) and a ``file_content_01`` part (the bytes).
  QBO answers ``{"AttachableResponse": [{"Attachable": {...}}]}``, or the item's own ``Fault``. ``integration_params``
  ``{"entity": "Invoice", "entity_id": "95"}`` links the file to a QBO object (``AttachableRef``); without it the
  file stays in the company's attachment list, unlinked, which QBO allows.
* **Download**: ``GET /download/{Id}`` answers a short-lived link (text), which is read without our credentials
  (Intuit signs it in its query); only an ``https`` link, or one on the API's own origin (a sandbox), is followed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import msgspec

from ledgerport.connectors._base import Malformed, NotFound, Rejected, Request, Transient
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.convert import to_str
from ledgerport.connectors._base.files import DEFAULT_TYPE, FileBody, inline_file_problem, read_data_url
from ledgerport.connectors._base.mapping import F, ModelMap
from ledgerport.connectors._base.writes import Check, Derive, Put, Resolved, Target, WriteSpec
from ledgerport.connectors.quickbooks.client import MINOR_VERSION, company_url, problems
from ledgerport.connectors.quickbooks.documents import deleted
from ledgerport.connectors.quickbooks.ids import qbo_id
from ledgerport.connectors.quickbooks.streams import ATTACHABLES
from ledgerport.models.attachment import AccountingAttachment

__all__ = ["ATTACHMENT", "ATTACHMENT_WRITES", "ENTITY", "download", "upload"]

ENTITY = "Attachable"
_encoder = msgspec.json.Encoder(decimal_format="number")
_FILE = "_file"
"""Where the write table leaves the decoded file in the payload; :func:`upload` sends it as its own part."""

ATTACHMENT = ModelMap(
    model="AccountingAttachment",
    struct=AccountingAttachment,
    stream=ATTACHABLES,
    when=lambda record: bool(record.get("FileName")),
    fields={
        "remote_id": F("Id", to_str),
        "file_name": F("FileName", to_str),
        "remote_was_deleted": deleted(ATTACHABLES),
    },
)


def _file(value: Any) -> FileBody:
    return read_data_url(str(value))


def _links(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    if isinstance(value, Mapping) and value.get("entity") and value.get("entity_id"):
        ref = {"EntityRef": {"type": str(value["entity"]), "value": str(value["entity_id"])}}
        payload["AttachableRef"] = [ref]


def _link_shape(model: Mapping[str, Any]) -> str | None:
    given = model.get("integration_params")
    if given is None or (isinstance(given, Mapping) and not given):
        return None
    if not isinstance(given, Mapping) or not given.get("entity") or not given.get("entity_id"):
        return 'integration_params links the file as {"entity": "Invoice", "entity_id": "<QuickBooks Id>"}.'
    return None


ATTACHMENT_WRITES = WriteSpec(
    model="AccountingAttachment",
    targets=(
        Target(
            entity=ENTITY,
            read=ATTACHMENT,
            fields={
                "file_name": Put("FileName", required=True),
                "file_url": Put(_FILE, _file, required=True, note="A URL ledgerport may fetch, or a data: URL."),
                "integration_params": Derive(
                    _links,
                    note='{"entity": "Invoice", "entity_id": "<QuickBooks Id>"} links the file to that object.',
                ),
            },
            checks=(
                Check("/model/file_url", "Invalid File", inline_file_problem),
                Check("/model/integration_params", "Invalid Integration Params", _link_shape),
            ),
        ),
    ),
    note="Uploaded through QuickBooks' /upload endpoint; integration_params may link the file to an object.",
)


def _part(boundary: str, headers: str, content: bytes) -> bytes:
    return f"--{boundary}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


async def upload(client: ProviderClient, payload: dict[str, Any], key: str) -> Any:
    """``POST /upload`` (multipart) → the Attachable QBO made; a refused file raises ``Rejected``."""
    file = payload.get(_FILE)
    if not isinstance(file, FileBody):
        raise Rejected("the file's bytes are missing", problems=())
    metadata = {name: value for name, value in payload.items() if name != _FILE}
    metadata.setdefault("ContentType", file.content_type)
    boundary = f"ledgerport-{uuid.uuid4().hex}"
    name = _quoted(str(metadata.get("FileName") or "file"))
    body = (
        _part(
            boundary,
            'Content-Disposition: form-data; name="file_metadata_01"; filename="attachment.json"\r\n'
            "Content-Type: application/json",
            _encoder.encode(metadata),
        )
        + _part(
            boundary,
            f'Content-Disposition: form-data; name="file_content_01"; filename="{name}"\r\n'
            f"Content-Type: {file.content_type}",
            file.data,
        )
        + f"--{boundary}--\r\n".encode()
    )
    request = Request(
        method="POST",
        url=company_url(client.context.base_url, client.context.account, "upload"),
        params=(("requestid", key[:50]), ("minorversion", MINOR_VERSION)),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"},
        body=body,
    )
    answer = (await client.send(request)).json()
    items = answer.get("AttachableResponse") if isinstance(answer, dict) else None
    item = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else None
    if item is None:
        raise Malformed("QuickBooks answered the upload without an AttachableResponse")
    if isinstance(item.get("Attachable"), dict):
        return item["Attachable"]
    raise Rejected("QuickBooks refused the file", problems=problems(item))


def _followable(link: str, base_url: str) -> bool:
    parts, base = urlsplit(link), urlsplit(base_url)
    return parts.scheme == "https" or (parts.scheme, parts.netloc) == (base.scheme, base.netloc)


async def download(client: ProviderClient, remote_id: str, remote_data: Mapping[str, Any] | None) -> FileBody:
    """The bytes of one Attachable: ``GET /download/{Id}`` for a fresh link, then that link, unauthenticated."""
    url = company_url(client.context.base_url, client.context.account, f"download/{qbo_id(remote_id)}")
    answer = await client.send(Request(method="GET", url=url, params=(("minorversion", MINOR_VERSION),)))
    link = answer.body.decode("utf-8", "replace").strip()
    if not _followable(link, client.context.base_url):
        raise Malformed("QuickBooks answered the download with a link that is not https")
    fetched = await client.transport.send(Request(method="GET", url=link))
    if fetched.status == 404:
        raise NotFound("the file is no longer at QuickBooks")
    if fetched.status != 200:
        raise Transient(f"QuickBooks' file link answered {fetched.status}")
    known = str((remote_data or {}).get("ContentType") or "")
    return FileBody(data=fetched.body, content_type=fetched.headers.get("content-type") or known or DEFAULT_TYPE)
