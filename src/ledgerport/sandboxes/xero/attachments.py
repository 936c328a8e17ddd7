"""Attachments: files kept under an object, ``/api.xro/2.0/{Endpoint}/{Guid}/Attachments[/{FileName}]``.

What Xero documents (Attachments page): ``GET .../Attachments`` lists an object's files as ``{"Attachments":
[{AttachmentID, FileName, Url, MimeType, ContentLength}]}`` in the usual envelope; ``PUT`` or ``POST
.../Attachments/{FileName}`` uploads the raw bytes as the body (``Content-Type`` is the file's type) and answers
the attachment made; ``GET .../Attachments/{FileName}`` (or ``/{AttachmentID}``) answers the bytes themselves with
the file's type. ``IncludeOnline=true`` (invoices and credit notes) shows the file to the customer online. The
object's ``HasAttachments`` turns true. The ``accounting.attachments`` scope (``.read`` for reads) is required.

Guesses the documents do not settle, made here:

* An upload under a name the object already has replaces that file (same ``AttachmentID``), with PUT and POST
  alike; a new name adds a file, at most 10 per object (``_MOST``), and a file is at most 25 MB (``_LARGEST``);
  beyond either Xero's answer is a 400 ValidationException, as here.
* An upload moves the object's ``UpdatedDateUTC`` (what an incremental sync of ``HasAttachments`` objects relies
  on).
* ``Url`` always names ``https://api.xero.com``, whichever host served the upload.
* A generated organisation has files on its first two invoices, a bank transaction and a contact (``seed_files``).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote, unquote

from ledgerport.sandboxes.xero.auth import Identity
from ledgerport.sandboxes.xero.catalog import spec_for
from ledgerport.sandboxes.xero.errors import not_found, problem, validation_exception
from ledgerport.sandboxes.xero.http import Request, Response, Route, json_response
from ledgerport.sandboxes.xero.routes import API_PREFIX, Api
from ledgerport.sandboxes.xero.store import Collection, Tenant

__all__ = ["Attachments", "ENDPOINTS", "seed_files"]

Record = dict[str, Any]
ENDPOINTS = frozenset({"Accounts", "BankTransactions", "Contacts", "CreditNotes", "Invoices", "ManualJournals"})
"""Endpoints Xero keeps attachments under that the sandbox serves (Receipts, Quotes... are not collections here)."""
_SCOPE = "accounting.attachments"
_MOST = 10
_LARGEST = 25 * 1024 * 1024
_ONLINE = frozenset({"Invoices", "CreditNotes"})


_SEEDED = (("Invoices", 2, "receipt.txt"), ("BankTransactions", 1, "receipt.txt"), ("Contacts", 1, "contract.txt"))
"""Which objects of a generated organisation get a file: the first two invoices, a bank transaction, a contact."""


def seed_files(tenant: Tenant) -> None:
    """The generated organisation's files (``_SEEDED``); the objects are flagged ``HasAttachments``, their times
    unchanged."""
    for endpoint, count, name in _SEEDED:
        spec = spec_for(endpoint)
        assert spec is not None
        collection = tenant.collections[spec.name]
        for slot in range(min(count, len(collection.ids))):
            parent = collection.get(slot)
            guid = str(parent[spec.key])
            data = f"{name} of {endpoint} {guid}\n".encode() * 8
            attachment_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tenant.tenant_id}/{guid}/{name}"))
            attachment: Record = {
                "AttachmentID": attachment_id,
                "FileName": name,
                "Url": f"https://api.xero.com{API_PREFIX}/{spec.name}/{guid}/Attachments/{name}",
                "MimeType": "text/plain",
                "ContentLength": len(data),
            }
            if spec.name in _ONLINE:
                attachment["IncludeOnline"] = False
            tenant.attachments[f"{spec.name}/{guid}".lower()] = [attachment]
            tenant.files[attachment_id] = data
            collection.records[slot] = {**parent, "HasAttachments": True}


class Attachments:
    """The attachment routes, bound to the ``Api`` for auth, envelopes, clock and idempotency."""

    def __init__(self, api: Api, identity: Identity) -> None:
        self.api = api
        self.identity = identity

    def routes(self) -> list[Route]:
        """Routes to place before ``Api.routes()``."""
        base = f"{API_PREFIX}/{{endpoint}}/{{parent}}/Attachments"
        return [
            Route("GET", base, self.list_attachments),
            Route("GET", f"{base}/{{name}}", self.read_attachment),
            Route("PUT", f"{base}/{{name}}", self.upload),
            Route("POST", f"{base}/{{name}}", self.upload),
        ]

    def _parent(self, request: Request, *, write: bool) -> tuple[Tenant, Collection, int, str]:
        grant = self.identity.bearer(request)
        tenant = self.identity.tenant_for(grant, request.header("xero-tenant-id"))
        allowed = {_SCOPE} if write else {_SCOPE, f"{_SCOPE}.read"}
        if not allowed & set(grant.scopes):
            raise problem(403, "Forbidden", "AuthorizationUnsuccessful")
        spec = spec_for(request.params["endpoint"])
        if spec is None or spec.name not in ENDPOINTS:
            raise not_found()
        collection = tenant.collections[spec.name]
        slot = collection.find(request.params["parent"])
        if slot is None:
            raise not_found()
        key = f"{spec.name}/{collection.get(slot)[spec.key]}".lower()
        return tenant, collection, slot, key

    async def list_attachments(self, request: Request) -> Response:
        """``GET .../Attachments``: the object's files (an object without any answers an empty list)."""
        tenant, _, _, key = self._parent(request, write=False)
        return json_response(self.api.envelope("Attachments", list(tenant.attachments.get(key, []))))

    async def read_attachment(self, request: Request) -> Response:
        """``GET .../Attachments/{FileName or AttachmentID}``: the bytes, with the file's type."""
        tenant, _, _, key = self._parent(request, write=False)
        wanted = unquote(request.params["name"]).lower()
        for attachment in tenant.attachments.get(key, []):
            if wanted in (attachment["AttachmentID"].lower(), attachment["FileName"].lower()):
                return Response(200, tenant.files[attachment["AttachmentID"]], content_type=attachment["MimeType"])
        raise not_found()

    async def upload(self, request: Request) -> Response:
        """``PUT``/``POST .../Attachments/{FileName}``: store the body's bytes under the object."""
        tenant, _, _, _ = self._parent(request, write=True)
        return self.api._idempotent(request, tenant, lambda: self._store(request))

    def _store(self, request: Request) -> Response:
        tenant, collection, slot, key = self._parent(request, write=True)
        name = unquote(request.params["name"])
        files = tenant.attachments.setdefault(key, [])
        problems = []
        if not request.body:
            problems.append("The attachment is empty")
        if len(request.body) > _LARGEST:
            problems.append("The attachment is larger than the 25 MB Xero accepts")
        same = next((f for f in files if f["FileName"].lower() == name.lower()), None)
        if same is None and len(files) >= _MOST:
            problems.append(f"An object can have at most {_MOST} attachments")
        if problems:
            raise validation_exception([{"ValidationErrors": [{"Message": message} for message in problems]}])
        parent = collection.get(slot)
        endpoint = key.split("/", 1)[0]
        spec = spec_for(endpoint)
        assert spec is not None
        attachment: Record = {
            "AttachmentID": same["AttachmentID"] if same else str(uuid.uuid4()),
            "FileName": name,
            "Url": f"https://api.xero.com{API_PREFIX}/{spec.name}/{parent[spec.key]}/Attachments/{quote(name)}",
            "MimeType": (request.header("content-type") or "application/octet-stream").split(";")[0].strip(),
            "ContentLength": len(request.body),
        }
        if spec.name in _ONLINE:
            attachment["IncludeOnline"] = (request.arg("IncludeOnline") or "").lower() == "true"
        if same is None:
            files.append(attachment)
        else:
            files[files.index(same)] = attachment
        tenant.files[attachment["AttachmentID"]] = request.body
        collection.put({**parent, "HasAttachments": True}, self.api._now_ms(), slot)
        return json_response(self.api.envelope("Attachments", [attachment]))
