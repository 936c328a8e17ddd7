"""The record service's writes: create (204 + ``Location``), PATCH (sublists merged by ``line`` unless
``?replace=``), upsert by ``PUT /{type}/eid:{externalId}``, DELETE (a ``deletedrecord`` tombstone) and
``!transform``.

Every write goes through the same path: body keys normalised (``fields.py``), defaults filled and references
checked (``defaults.py``), rules (``rules.py``), then the store, which projects the record into the SuiteQL
tables. Payments and credits settle what they apply to: an invoice's ``amountPaid`` / a bill's balance is the sum
of what is applied to it (``previoustransactionlinelink``), recomputed after every write that touches it.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.sandboxes.netsuite.catalog import RecordType, record_type
from ledgerport.sandboxes.netsuite.dates import iso_utc, local_text
from ledgerport.sandboxes.netsuite.defaults import fill_entity, fill_list, fill_transaction
from ledgerport.sandboxes.netsuite.documents import finish_transaction, line_items, money
from ledgerport.sandboxes.netsuite.errors import fail, invalid_content
from ledgerport.sandboxes.netsuite.fields import normalize
from ledgerport.sandboxes.netsuite.records import find_record, resolve_type
from ledgerport.sandboxes.netsuite.render import record_href
from ledgerport.sandboxes.netsuite.rules import check_apply, check_deletable, check_journal, check_period
from ledgerport.sandboxes.netsuite.state import Sandbox
from ledgerport.sandboxes.netsuite.transforms import transformed
from ledgerport.sandboxes.netsuite.wire import Request, Response, decode_json

__all__ = ["create_record", "delete_record", "merge", "save", "transform_record", "update_record", "upsert_record"]


def _body(request: Request, rt: RecordType) -> dict[str, Any]:
    try:
        body = decode_json(request.body) if request.body.strip() else {}
    except msgspec.DecodeError:
        raise fail(400, "INVALID_CONTENT", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise fail(400, "INVALID_CONTENT", "The request body must be a JSON object.")
    strict = (request.headers.get("x-netsuite-propertynamevalidation") or "").lower() == "error"
    return normalize(rt, body, strict=strict)


def _applied_by(doc: dict[str, Any] | None) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for line in line_items(doc or {}, "apply"):
        if line.get("apply") and (line.get("doc") or {}).get("id"):
            target = int(line["doc"]["id"])
            out[target] = out.get(target, Decimal(0)) + money(line.get("amount"))
    return out


def settle(sandbox: Sandbox, targets: set[int]) -> None:
    """Recompute what is paid on each document from what is applied to it."""
    account, stamp = sandbox.account, iso_utc(sandbox.clock())
    for target in sorted(targets):
        rt = account.type_of("transaction", target)
        doc = account.get(rt, target) if rt else None
        if rt is None or doc is None:
            continue
        row = account.db.execute(
            "SELECT SUM(foreignamount) FROM previoustransactionlinelink WHERE previousdoc = ? AND linktype = 'Payment'",
            (target,),
        ).fetchone()
        paid = money(row[0] or 0)
        key = "amountPaid" if rt.code == "CustInvc" else "_paid"
        if money(doc.get(key)) == paid:
            continue
        doc[key] = paid
        finish_transaction(rt, doc)
        doc["lastModifiedDate"] = stamp
        account.put(rt, doc)
        account.refresh_balances(int(doc["entity"]["id"]) if doc.get("entity") else None)


def _follow_source(sandbox: Sandbox, rt: RecordType, doc: dict[str, Any]) -> None:
    """An order's status after a fulfilment or bill made from it."""
    account = sandbox.account
    source_id = int((doc.get("createdFrom") or doc.get("_createdFrom") or {}).get("id") or 0)
    source_rt = account.type_of("transaction", source_id) if source_id else None
    if source_rt is None or source_rt.code not in {"SalesOrd", "PurchOrd"}:
        return
    source = account.get(source_rt, source_id)
    if source is None:
        return
    current = source.get("_status") or "B"
    status = "F" if rt.code == "ItemShip" and current in {"A", "B", "D"} else "G" if rt.code != "ItemShip" else current
    if status != current:
        source["_status"] = status
        finish_transaction(source_rt, source)
        source["lastModifiedDate"] = iso_utc(sandbox.clock())
        account.put(source_rt, source)


def save(sandbox: Sandbox, rt: RecordType, doc: dict[str, Any], *, old: dict[str, Any] | None) -> int:
    """Fill, check and store a record; returns its id."""
    account, books, now = sandbox.account, sandbox.books, sandbox.clock()
    creating = old is None
    if rt.family == "transaction":
        if old is not None:
            check_period(account, rt, old)
        fill_transaction(account, books, rt, doc, now=now, creating=creating)
        if rt.code == "Journal":
            check_journal(doc)
        if "apply" in rt.sublists:
            check_apply(account, rt, doc, own_applied=_applied_by(old))
            finish_transaction(rt, doc)
        check_period(account, rt, doc)
    elif rt.family == "entity":
        fill_entity(account, books, rt, doc, now=now, creating=creating)
    else:
        fill_list(account, books, rt, doc, now=now, creating=creating)
    if doc.get("externalId"):
        other = account.by_external_id(rt, str(doc["externalId"]))
        if other is not None and str(other) != str(doc["id"]):
            raise fail(
                400,
                "INVALID_CONTENT",
                f"A {rt.name} with external ID {doc['externalId']} already exists.",
                errorPath="externalId",
            )
    account.put(rt, {k: v for k, v in doc.items() if v is not None})
    if rt.family == "transaction":
        settle(sandbox, set(_applied_by(old)) | set(_applied_by(doc)))
        if creating:
            _follow_source(sandbox, rt, doc)
        if doc.get("entity"):
            account.refresh_balances(int(doc["entity"]["id"]))
    sandbox.changed()
    return int(doc["id"])


def _created(request: Request, rt: RecordType, record_id: int) -> Response:
    return Response(204, b"", None, [("location", record_href(request.base_url, rt.name, record_id))])


async def create_record(sandbox: Sandbox, request: Request) -> Response:
    """``POST /record/v1/{type}``."""
    rt = resolve_type(request)
    if rt.code == "ItemShip":
        raise fail(400, "INVALID_CONTENT", "An item fulfillment can only be created by transforming a sales order.")
    doc = _body(request, rt)
    record_id = save(sandbox, rt, doc, old=None)
    return _created(request, rt, record_id)


def merge(rt: RecordType, old: dict[str, Any], body: dict[str, Any], replace: set[str]) -> dict[str, Any]:
    """PATCH semantics: fields replaced, sublist lines merged by ``line`` (apply lines by ``doc``) unless the
    sublist is named in ``replace``; a ``null`` clears a field only when it is named in ``replace``."""
    doc = copy.deepcopy(old)
    for key, value in body.items():
        if key in (*rt.sublists, "addressBook") and isinstance(value, dict):
            lines = [dict(line) for line in value.get("items") or []]
            if key.lower() in replace:
                doc[key] = {"items": lines}
                continue
            container = doc.get(key) if isinstance(doc.get(key), dict) else {}
            doc[key] = container
            existing = container.setdefault("items", [])
            match_key = "doc" if key == "apply" else "internalId" if key == "addressBook" else "line"
            index = {}
            for line in existing:
                marker = line.get(match_key)
                index[str(marker.get("id") if isinstance(marker, dict) else marker)] = line
            for line in lines:
                marker = line.get(match_key) if match_key != "internalId" else line.get("internalId") or line.get("id")
                found = index.get(str(marker.get("id") if isinstance(marker, dict) else marker)) if marker else None
                if found is None:
                    existing.append(line)
                    continue
                if ("quantity" in line or "rate" in line) and "amount" not in line:
                    found.pop("amount", None)
                found.update(line)
        elif value is None:
            if key.lower() in replace:
                doc.pop(key, None)
        else:
            doc[key] = value
    return doc


async def update_record(sandbox: Sandbox, request: Request) -> Response:
    """``PATCH /record/v1/{type}/{id}``."""
    rt = resolve_type(request)
    _, old = find_record(sandbox, rt, request.params["id"])
    body = _body(request, rt)
    replace = {name.strip().lower() for name in (request.arg("replace") or "").split(",") if name.strip()}
    doc = merge(rt, old, body, replace)
    save(sandbox, rt, doc, old=old)
    return Response(204, b"", None)


async def upsert_record(sandbox: Sandbox, request: Request) -> Response:
    """``PUT /record/v1/{type}/eid:{externalId}``: replace the record with that external id, or create it."""
    rt = resolve_type(request)
    raw = request.params["id"]
    if not raw.lower().startswith("eid:") or len(raw) <= 4:
        raise invalid_content("PUT is only supported with an external ID in the path (eid:<externalId>).")
    external = raw[4:]
    body = _body(request, rt)
    if body.get("externalId") not in (None, external):
        raise invalid_content("The externalId in the body does not match the one in the path.", "externalId")
    body["externalId"] = external
    found = sandbox.account.by_external_id(rt, external)
    old = sandbox.account.get(rt, found) if found is not None else None
    if old is None:
        if rt.code == "ItemShip":
            raise invalid_content("An item fulfillment can only be created by transforming a sales order.")
        record_id = save(sandbox, rt, body, old=None)
    else:
        keep = {k: old[k] for k in ("id", "createdDate", "dateCreated", "_transactionNumber", "tranId") if k in old}
        record_id = save(sandbox, rt, {**keep, **body}, old=old)
    return _created(request, rt, record_id)


async def delete_record(sandbox: Sandbox, request: Request) -> Response:
    """``DELETE /record/v1/{type}/{id}``: gone from the record API, a tombstone in ``deletedrecord``."""
    rt = resolve_type(request)
    record_id, old = find_record(sandbox, rt, request.params["id"])
    account = sandbox.account
    check_deletable(account, rt, record_id)
    if rt.family == "transaction":
        check_period(account, rt, old)
    when = local_text(iso_utc(sandbox.clock()))
    assert when is not None
    account.remove(rt, record_id, when=when, by=-5)
    if rt.family == "transaction":
        settle(sandbox, set(_applied_by(old)))
        if old.get("entity"):
            account.refresh_balances(int(old["entity"]["id"]))
    sandbox.changed()
    return Response(204, b"", None)


async def transform_record(sandbox: Sandbox, request: Request) -> Response:
    """``POST /record/v1/{type}/{id}/!transform/{target}``: a new record made from another."""
    rt = resolve_type(request)
    target_rt = record_type(request.params["target"])
    source_id, source = find_record(sandbox, rt, request.params["id"])
    if target_rt is None:
        raise fail(400, "INVALID_PARAMETER", f"Unknown record type {request.params['target']}.")
    doc = transformed(sandbox.account, rt, source, target_rt)
    body = _body(request, target_rt)
    doc = merge(target_rt, doc, body, set())
    record_id = save(sandbox, target_rt, doc, old=None)
    return _created(request, target_rt, record_id)
