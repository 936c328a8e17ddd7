"""Files: ``POST /upload`` (multipart), ``GET /download/{Id}`` and the temporary links it hands out.

What Intuit documents (Attachable page, "Upload attachments"): the upload is ``multipart/form-data`` whose parts
are named ``file_metadata_NN`` (the Attachable JSON: ``FileName``, ``ContentType``, ``AttachableRef``, ``Note``...)
and ``file_content_NN`` (the bytes, with a ``filename`` and a ``Content-Type``), paired by their ``NN``; the
answer is ``{"AttachableResponse": [{"Attachable": {...}}, ...], "time"}``, one item per file, each with the
object or its own ``Fault``. The server fills ``Id``, ``SyncToken``, ``Size``, ``FileAccessUri``
(``/v3/company/{realm}/download/{Id}``), ``TempDownloadUri`` and ``MetaData``; ``FileName`` and ``ContentType``
default to the content part's. ``GET /download/{Id}`` answers the temporary link as ``text/plain``.

Guesses the documents do not settle, made here:

* The temporary link is Intuit's S3 host in QBO, valid for minutes and made afresh on every read; here it is
  ``/attachments/{realm}/{Id}`` on the sandbox's own origin with a ``signature`` derived from the file (no bearer
  token needed, as with S3), added to every Attachable a read answers, and it does not expire.
* A generated company has three text receipts, on its first three invoices (``seed_files``).
* A ``file_metadata_NN`` without its ``file_content_NN`` is refused (2020); QBO can also make bare notes that way,
  which the sandbox does not serve. An ``AttachableRef`` to an object that does not exist is refused (610).
* Attachables are listed by the query like any entity; ``POST /attachable?operation=delete`` (``Id`` and
  ``SyncToken``) removes one with its file (``writes.delete``); CDC does not report them (unverified either way).
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import msgspec

from ledgerport.sandboxes.quickbooks import errors
from ledgerport.sandboxes.quickbooks.state import Sandbox
from ledgerport.sandboxes.quickbooks.store import ENTITIES, Company, Record
from ledgerport.sandboxes.quickbooks.wire import Request, Response, decode_json

__all__ = ["ENTITY", "download", "file_link", "linked", "seed_files", "serve_file", "upload"]

ENTITY = "Attachable"
_DEFAULT_TYPE = "application/octet-stream"
_DENIED = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"


def _signature(realm: str, entity_id: str, data: bytes) -> str:
    return hashlib.sha256(f"{realm}:{entity_id}:".encode() + hashlib.sha256(data).digest()).hexdigest()[:32]


def file_link(base_url: str, realm: str, entity_id: str, data: bytes) -> str:
    """The temporary download link of one file (see the module docstring)."""
    return f"{base_url}/attachments/{realm}/{entity_id}?signature={_signature(realm, entity_id, data)}"


def linked(record: Record, base_url: str, company: Company) -> Record:
    """An Attachable as a read answers it: with a fresh ``TempDownloadUri`` (QBO makes one on every read)."""
    data = company.files.get(str(record.get("Id")))
    if data is None:
        return record
    return {**record, "TempDownloadUri": file_link(base_url, company.realm_id, str(record["Id"]), data)}


def seed_files(company: Company, moment: int) -> None:
    """A receipt on each of the first three invoices, so a generated company has files to sync."""
    invoices = company.table("Invoice")
    table = company.table(ENTITY)
    for invoice_id in range(1, 4):
        if invoices.get(invoice_id) is None:
            break
        data = f"Receipt for invoice {invoice_id}\n".encode() * 8
        entity_id = str(table.next_id)
        body = {
            "FileName": f"receipt-{invoice_id}.txt",
            "ContentType": "text/plain",
            "Size": len(data),
            "FileAccessUri": f"/v3/company/{company.realm_id}/download/{entity_id}",
            "AttachableRef": [{"EntityRef": {"type": "Invoice", "value": str(invoice_id)}, "IncludeOnSend": False}],
        }
        table.insert(body, moment + invoice_id)
        company.files[entity_id] = data


def _parts(request: Request) -> list[EmailMessage]:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in content_type:
        raise errors.invalid_request("Content-Type must be multipart/form-data with a boundary")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    if not message.is_multipart():
        raise errors.invalid_request("The multipart body could not be read")
    return [part for part in message.iter_parts() if isinstance(part, EmailMessage)]


def _named(parts: list[EmailMessage]) -> dict[str, EmailMessage]:
    named = {}
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            named[name] = part
    return named


def _metadata(part: EmailMessage | None) -> Record:
    if part is None:
        return {}
    raw = part.get_payload(decode=True)
    try:
        value = decode_json(raw if isinstance(raw, bytes) else b"{}")
    except msgspec.DecodeError as error:
        raise errors.invalid_request(f"file_metadata is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise errors.invalid_request("file_metadata must be a JSON object")
    return value


def _check_refs(company: Company, refs: Any) -> list[Record]:
    if refs is None:
        return []
    if not isinstance(refs, list):
        raise errors.invalid_request("AttachableRef must be a list")
    for ref in refs:
        entity_ref = ref.get("EntityRef") if isinstance(ref, dict) else None
        if not isinstance(entity_ref, dict):
            raise errors.required_param_missing("AttachableRef.EntityRef")
        kind, value = str(entity_ref.get("type", "")), str(entity_ref.get("value", ""))
        table = company.table(kind) if kind in ENTITIES else None
        if table is None or not value.isdigit() or table.get(int(value)) is None:
            raise errors.object_not_found(kind or "EntityRef", value)
    return refs


def _store_file(sandbox: Sandbox, company: Company, request: Request, meta: Record, part: EmailMessage) -> Record:
    raw = part.get_payload(decode=True)
    data = raw if isinstance(raw, bytes) else b""
    body = {key: value for key, value in meta.items() if key not in ("Id", "SyncToken", "MetaData", "domain")}
    body["FileName"] = str(meta.get("FileName") or part.get_filename() or "attachment")
    body["ContentType"] = str(meta.get("ContentType") or part.get_content_type() or _DEFAULT_TYPE)
    body["AttachableRef"] = _check_refs(company, meta.get("AttachableRef"))
    if not body["AttachableRef"]:
        del body["AttachableRef"]
    table = company.table(ENTITY)
    entity_id = str(table.next_id)
    body["Size"] = len(data)
    body["FileAccessUri"] = f"/v3/company/{company.realm_id}/download/{entity_id}"
    record = table.insert(body, sandbox.now())
    company.files[entity_id] = data
    return linked(record, request.base_url, company)


def upload(sandbox: Sandbox, company: Company, request: Request) -> dict[str, Any]:
    """``POST /upload``: one Attachable per ``file_content_NN`` part, each with its ``file_metadata_NN``."""
    named = _named(_parts(request))
    suffixes = sorted(
        {name.rsplit("_", 1)[-1] for name in named if name.startswith(("file_content_", "file_metadata_"))}
    )
    if not suffixes:
        raise errors.required_param_missing("file_content_01")
    answers = []
    for suffix in suffixes:
        try:
            content = named.get(f"file_content_{suffix}")
            if content is None:
                raise errors.required_param_missing(f"file_content_{suffix}")
            meta = _metadata(named.get(f"file_metadata_{suffix}"))
            answers.append({"Attachable": _store_file(sandbox, company, request, meta, content)})
        except errors.QboFault as fault:
            answers.append({"Fault": fault.fault()})
    return {"AttachableResponse": answers}


def download(sandbox: Sandbox, company: Company, request: Request) -> Response:
    """``GET /download/{Id}``: the file's temporary link, as text."""
    raw_id = request.params["id"]
    found = company.table(ENTITY).get(int(raw_id)) if raw_id.isdigit() else None
    if found is None or raw_id not in company.files:
        raise errors.object_not_found(ENTITY, raw_id)
    link = file_link(request.base_url, company.realm_id, raw_id, company.files[raw_id])
    return Response(200, link.encode(), "text/plain")


def serve_file(sandbox: Sandbox, request: Request) -> Response:
    """``GET /attachments/{realm}/{Id}?signature=``: the bytes, for whoever holds the link (S3's part in QBO)."""
    company = sandbox.companies.get(request.params["realm"])
    raw_id = request.params["id"]
    data = None if company is None else company.files.get(raw_id)
    signed = company is not None and data is not None and _signature(company.realm_id, raw_id, data)
    if company is None or data is None or request.query.get("signature") != signed:
        return Response(403, _DENIED, "application/xml")
    record = company.table(ENTITY).get(int(raw_id)) or {}
    return Response(200, data, str(record.get("ContentType") or _DEFAULT_TYPE))
