"""What NetSuite computes on a transaction from its lines: line amounts, totals, what is still open, and status.

One function, used by the seeder and by every write, so a record created through the API has the shape of a
seeded one. Amounts are Decimals rounded to cents; the open amount of an invoice, bill or credit is kept in
``_remaining`` (the projection's ``foreignamountremaining``) and shown under the REST name of each type
(invoice/credit memo ``amountRemaining``, bill ``balance``, vendor credit ``unapplied``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import RecordType

__all__ = ["CENT", "UNDEPOSITED_ACCOUNT", "finish_transaction", "line_items", "money"]

CENT = Decimal("0.01")
UNDEPOSITED_ACCOUNT = "4"  # reference.UNDEPOSITED; a customer payment there is "Not Deposited"


def money(value: Any) -> Decimal:
    """A Decimal amount rounded to cents."""
    return Decimal(str(value if value is not None else 0)).quantize(CENT, ROUND_HALF_UP)


def line_items(doc: dict[str, Any], sublist: str) -> list[dict[str, Any]]:
    """The lines of a sublist (``[]`` when absent)."""
    value = doc.get(sublist)
    return value.setdefault("items", []) if isinstance(value, dict) else []


def _applied(doc: dict[str, Any]) -> Decimal:
    return sum((money(a.get("amount")) for a in line_items(doc, "apply") if a.get("apply")), Decimal(0))


def finish_transaction(rt: RecordType, doc: dict[str, Any]) -> None:
    """Fill computed fields in place."""
    code = rt.code
    total = Decimal(0)
    for sublist in ("item", "expense", "other"):
        for line in line_items(doc, sublist):
            if sublist == "item" and code != "ItemShip":
                quantity = Decimal(str(line.get("quantity") if line.get("quantity") is not None else 1))
                if line.get("amount") is None and line.get("rate") is not None:
                    line["amount"] = money(quantity * Decimal(str(line["rate"])))
                elif line.get("rate") is None and line.get("amount") is not None and quantity:
                    line["rate"] = (Decimal(str(line["amount"])) / quantity).quantize(Decimal("0.00001"))
                line.setdefault("quantity", quantity)
            if code != "ItemShip":
                line["amount"] = money(line.get("amount"))
                total += line["amount"]
    if code == "Journal":
        total = sum((money(line.get("debit")) for line in line_items(doc, "line")), Decimal(0))
    status: str | None = None
    approval = str((doc.get("approvalStatus") or {}).get("id", "2"))
    if code in {"CustInvc", "CashSale", "SalesOrd", "CustCred"}:
        doc["subtotal"] = total
        doc["discountTotal"] = Decimal(0)
    if code == "CustInvc":
        paid = money(doc.get("amountPaid"))
        doc["amountPaid"] = paid
        doc["_remaining"] = doc["amountRemaining"] = total - paid
        status = "V" if doc.get("_voided") else ("A" if total - paid > 0 else "B")
    elif code == "VendBill":
        paid = money(doc.get("_paid"))
        doc["_remaining"] = doc["balance"] = total - paid
        doc["userTotal"] = total
        status = {"1": "D", "3": "E"}.get(approval) or ("A" if total - paid > 0 else "B")
    elif code in {"CustCred", "VendCred"}:
        applied = _applied(doc)
        doc["applied"] = applied
        doc["unapplied"] = total - applied
        doc["_remaining"] = total - applied
        if code == "CustCred":
            doc["amountRemaining"] = total - applied
        status = "A" if total - applied > 0 else "B"
    elif code == "CustPymt":
        applied = _applied(doc)
        payment = money(doc.get("payment")) if doc.get("payment") is not None else applied
        doc["payment"] = payment
        doc["applied"] = applied
        doc["unapplied"] = payment - applied
        total = payment
        account = (doc.get("account") or {}).get("id")
        status = "B" if account == UNDEPOSITED_ACCOUNT else "C"
    elif code == "VendPymt":
        applied = _applied(doc)
        total = money(doc.get("total")) if doc.get("total") is not None else applied
        doc["unapplied"] = total - applied
    elif code == "Journal":
        status = "A" if approval == "1" else "B"
    elif code == "CashSale":
        account = (doc.get("account") or {}).get("id")
        status = "B" if account == UNDEPOSITED_ACCOUNT else "C"
    elif code == "ExpRept":
        status = "A" if approval == "1" else "F"
    elif code in {"SalesOrd", "PurchOrd"}:
        status = str(doc.get("_status") or "B")
    elif code == "ItemShip":
        status = str((doc.get("shipStatus") or {}).get("id") or "C")
    if code != "ItemShip":
        doc["total"] = total
    if status is not None:
        doc["status"] = {"id": status}
