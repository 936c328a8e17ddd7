"""``!transform``: which record can become which, and what the new record starts with (FACTS §3.2).

The new record starts from its source: the entity, subsidiary, currency and segments, the lines (with
``orderDoc``/``orderLine`` pointing back at an order's lines) and ``createdFrom``; a payment or credit made from an
invoice or bill applies to it in full (what is still due). The request body then overrides, as a PATCH would.
"""

from __future__ import annotations

from typing import Any

from ledgerport.sandboxes.netsuite.catalog import RecordType
from ledgerport.sandboxes.netsuite.documents import line_items
from ledgerport.sandboxes.netsuite.errors import fail
from ledgerport.sandboxes.netsuite.store import Account

__all__ = ["TRANSFORMS", "transformed"]

TRANSFORMS: dict[str, frozenset[str]] = {
    "salesOrder": frozenset({"itemFulfillment", "invoice", "cashSale"}),
    "invoice": frozenset({"customerPayment", "creditMemo"}),
    "vendorBill": frozenset({"vendorPayment", "vendorCredit"}),
    "purchaseOrder": frozenset({"vendorBill"}),
    "customer": frozenset({"invoice", "cashSale", "customerPayment", "salesOrder"}),
    "vendor": frozenset({"vendorBill", "vendorPayment", "purchaseOrder"}),
}
_HEADER = ("subsidiary", "currency", "department", "class", "location", "terms")
_LINE_KEEP = (
    "item",
    "quantity",
    "rate",
    "description",
    "department",
    "class",
    "location",
    "cseg_paactivitycode",
    "account",
    "amount",
    "memo",
)


def transformed(account: Account, source_rt: RecordType, source: dict[str, Any], target: RecordType) -> dict[str, Any]:
    """The target record's starting document."""
    if target.name not in TRANSFORMS.get(source_rt.name, frozenset()):
        raise fail(
            400,
            "INVALID_PARAMETER",
            f"The transformation from {source_rt.name} to {target.name} is not allowed.",
        )
    ref = {"id": str(source["id"])}
    if source_rt.family == "entity":
        key = "customer" if target.name == "customerPayment" else "entity"
        return {key: ref}
    doc: dict[str, Any] = {k: source[k] for k in _HEADER if source.get(k)}
    entity = source.get("entity")
    if target.name == "customerPayment":
        doc["customer"] = entity
        doc["apply"] = {"items": [{"doc": ref, "apply": True, "amount": source.get("_remaining")}]}
        doc["payment"] = source.get("_remaining")
        doc.pop("terms", None)
        return doc
    if target.name == "vendorPayment":
        doc["entity"] = entity
        doc["apply"] = {"items": [{"doc": ref, "apply": True, "amount": source.get("_remaining")}]}
        doc.pop("terms", None)
        return doc
    doc["entity"] = entity
    doc["createdFrom"] = ref
    is_order = source_rt.name in {"salesOrder", "purchaseOrder"}
    for sublist in ("item", "expense"):
        lines = []
        for line in line_items(source, sublist):
            new = {k: line[k] for k in _LINE_KEEP if line.get(k) is not None}
            new["line"] = line.get("line")
            if is_order:
                new["orderDoc"], new["orderLine"] = ref, line.get("line")
            if target.name == "itemFulfillment":
                new = {
                    k: new[k]
                    for k in ("line", "item", "quantity", "description", "location", "orderDoc", "orderLine")
                    if k in new
                }
                new["itemReceive"] = True
            lines.append(new)
        if lines and sublist in target.sublists:
            doc[sublist] = {"items": lines}
    if is_order:
        doc["_createdFromType"] = source_rt.code
    if target.name == "itemFulfillment":
        doc["shipStatus"] = {"id": "C"}
        doc.pop("terms", None)
    if target.name in {"creditMemo", "vendorCredit"}:
        doc.pop("terms", None)
        doc["apply"] = {"items": [{"doc": ref, "apply": True, "amount": None}]}
    return doc
