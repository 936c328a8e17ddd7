"""Common models → QBO entities for writes: ``WRITES``, one :class:`WriteSpec` per writable model.

Each target names the QBO entity and the read mapping that turns QBO's answer into the stored record, so a written
object is stored exactly as a sync would store it (same remote id, same fields) and the next sync updates that row.

* **Invoice** is an ``Invoice`` (``ACCOUNTS_RECEIVABLE``: a customer, item lines) or a ``Bill``
  (``ACCOUNTS_PAYABLE``: a vendor, expense lines against an account or an item).
* QBO computes totals, balances and the line subtotal; a request may state ``total_amount`` (or line totals),
  and a value that contradicts its lines is refused before QBO is called.
* Line tracking: QBO takes one class per line (``ClassRef``) and one department per document
  (``DepartmentRef``); ``tracking_categories`` are sorted onto those by their remote ids (``Department-`` ids are
  prefixed, see ``ids``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.writes import (
    Check,
    Choose,
    Derive,
    Expect,
    Lines,
    Put,
    PutLines,
    PutRef,
    Resolved,
    Target,
    WriteSpec,
    put,
)
from ledgerport.connectors.quickbooks.documents import BILL, INVOICE
from ledgerport.connectors.quickbooks.ids import qbo_id
from ledgerport.connectors.quickbooks.remote_fields import write_custom_fields

__all__ = ["WRITES"]

_ZERO = Decimal(0)


# --- conversions -----------------------------------------------------------------------------------------------


def qbo_date(moment: datetime) -> str:
    """QBO's ``TxnDate``/``DueDate`` are dates; Merge sends midnight UTC date-times."""
    return moment.date().isoformat()


def _is(prefix: str) -> Any:
    return lambda remote_id: remote_id.startswith(prefix)


def _bare(remote_id: str) -> bool:
    return "-" not in remote_id


def _classes_and_departments(values: list[str], resolved: Resolved) -> tuple[list[str], list[str]]:
    remote = [resolved(value) or "" for value in values or []]
    departments = [qbo_id(r) for r in remote if r.startswith("Department-")]
    classes = [r for r in remote if _bare(r)]
    return classes, departments


def _document_tracking(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """A document takes one department; classes go on the lines (QBO has no document-level class on bills)."""
    _, departments = _classes_and_departments(value, resolved)
    if departments:
        payload["DepartmentRef"] = {"value": departments[0]}


def _line_class(detail: str) -> Derive:
    def write(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
        classes, _ = _classes_and_departments(value, resolved)
        if classes:
            put(payload, f"{detail}.ClassRef.value", classes[0])

    return Derive(write, model="TrackingCategory", many=True, note="QuickBooks keeps one class per line.")


def _amount(line: Mapping[str, Any]) -> Decimal | None:
    total = line.get("total_amount")
    if total is not None:
        return Decimal(total)
    price, quantity = line.get("unit_price"), line.get("quantity")
    if price is not None and quantity is not None:
        return Decimal(price) * Decimal(quantity)
    return None


# --- invoices and bills ----------------------------------------------------------------------------------------


def _sales_line(built: dict[str, Any], line: Mapping[str, Any]) -> dict[str, Any]:
    """An invoice line is a ``SalesItemLineDetail``; QBO wants its ``Amount`` even when price × quantity says it."""
    amount = _amount(line)
    if amount is not None:
        built["Amount"] = amount
    built["DetailType"] = "SalesItemLineDetail"
    built.setdefault("SalesItemLineDetail", {})
    return built


def _expense_line(built: dict[str, Any], line: Mapping[str, Any]) -> dict[str, Any]:
    """A bill line is against an item (``ItemBasedExpenseLineDetail``) when it names one, else an account."""
    amount = _amount(line)
    if amount is not None:
        built["Amount"] = amount
    detail = built.pop("Detail", {})
    kind = "ItemBasedExpenseLineDetail" if "ItemRef" in detail else "AccountBasedExpenseLineDetail"
    if kind == "AccountBasedExpenseLineDetail":
        detail.pop("Qty", None)
        detail.pop("UnitPrice", None)
    built["DetailType"] = kind
    built[kind] = detail
    return built


_TAX_CODE = {
    "encode": qbo_id,
    "accept": _is("TaxCode-"),
    "accept_note": "a QuickBooks tax code (QuickBooks lines take codes, not rates)",
}

SALES_LINE = Lines(
    {
        "description": Put("Description"),
        "total_amount": Put("Amount"),
        "unit_price": Put("SalesItemLineDetail.UnitPrice"),
        "quantity": Put("SalesItemLineDetail.Qty"),
        "item": PutRef("SalesItemLineDetail.ItemRef.value", "Item", required=True),
        "tax_rate": PutRef("SalesItemLineDetail.TaxCodeRef.value", "TaxRate", **_TAX_CODE),
        "tracking_category": PutRef(
            "SalesItemLineDetail.ClassRef.value", "TrackingCategory", accept=_bare, accept_note="a class"
        ),
        "tracking_categories": _line_class("SalesItemLineDetail"),
    },
    finish=_sales_line,
)

EXPENSE_LINE = Lines(
    {
        "description": Put("Description"),
        "total_amount": Put("Amount"),
        "unit_price": Put("Detail.UnitPrice"),
        "quantity": Put("Detail.Qty"),
        "item": PutRef("Detail.ItemRef.value", "Item", note="An item line; without one, account is required."),
        "account": PutRef("Detail.AccountRef.value", "Account"),
        "tax_rate": PutRef("Detail.TaxCodeRef.value", "TaxRate", **_TAX_CODE),
        "tracking_category": PutRef("Detail.ClassRef.value", "TrackingCategory", accept=_bare, accept_note="a class"),
        "tracking_categories": _line_class("Detail"),
        "is_billable": Put("Detail.BillableStatus", lambda billable: "Billable" if billable else "NotBillable"),
    },
    finish=_expense_line,
)


def _every_expense_line_has_an_account_or_item(model: Mapping[str, Any]) -> str | None:
    for index, line in enumerate(model.get("line_items") or []):
        if line.get("item") is None and line.get("account") is None:
            return f"line {index} needs an account or an item: QuickBooks books every bill line to one."
    return None


def _lines_match_total(model: Mapping[str, Any]) -> str | None:
    """A stated ``total_amount`` must be what QBO will compute: the lines, plus tax, less discount."""
    stated = model.get("total_amount")
    lines = model.get("line_items") or []
    if stated is None or not lines:
        return None
    amounts = [_amount(line) for line in lines]
    if any(amount is None for amount in amounts):
        return None
    lines_total = sum((a for a in amounts if a is not None), _ZERO)
    tax = Decimal(model.get("total_tax_amount") or 0)
    discount = Decimal(model.get("total_discount") or 0)
    expected = lines_total - discount + (_ZERO if model.get("inclusive_of_tax") else tax)
    if Decimal(stated) != expected:
        return f"total_amount is {stated}, but the lines add up to {expected}."
    return None


_TOTALS = Check("/model/total_amount", "Total Does Not Match Lines", _lines_match_total)

_DOCUMENT = {
    "type": Choose(required=True),
    "number": Put("DocNumber"),
    "issue_date": Put("TxnDate", qbo_date),
    "due_date": Put("DueDate", qbo_date),
    "memo": Put("PrivateNote"),
    "currency": Put("CurrencyRef.value", str),
    "exchange_rate": Put("ExchangeRate", Decimal),
    "payment_term": PutRef("SalesTermRef.value", "PaymentTerm"),
    "tracking_categories": Derive(_document_tracking, model="TrackingCategory", many=True),
    "total_amount": Expect("QuickBooks computes it from the lines; a different value is refused."),
    "total_tax_amount": Expect(),
    "total_discount": Expect(),
}

INVOICE_WRITES = WriteSpec(
    model="Invoice",
    create=True,
    update=True,
    targets=(
        Target(
            entity="Invoice",
            read=INVOICE,
            when={"type": "ACCOUNTS_RECEIVABLE"},
            fields={
                **_DOCUMENT,
                "contact": PutRef(
                    "CustomerRef.value", "Contact", required=True, accept=_bare, accept_note="a customer"
                ),
                "line_items": PutLines("Line", SALES_LINE, required=True),
            },
            checks=(_TOTALS,),
            updatable=frozenset(_DOCUMENT) - {"type"} | {"contact", "line_items"},
            remote_fields=write_custom_fields,
        ),
        Target(
            entity="Bill",
            read=BILL,
            when={"type": "ACCOUNTS_PAYABLE"},
            fields={
                **_DOCUMENT,
                "contact": PutRef(
                    "VendorRef.value",
                    "Contact",
                    encode=qbo_id,
                    required=True,
                    accept=_is("Vendor-"),
                    accept_note="a vendor",
                ),
                "line_items": PutLines("Line", EXPENSE_LINE, required=True),
            },
            checks=(
                _TOTALS,
                Check("/model/line_items", "Line Needs An Account", _every_expense_line_has_an_account_or_item),
            ),
            updatable=frozenset(_DOCUMENT) - {"type"} | {"contact", "line_items"},
        ),
    ),
)

WRITES: Mapping[str, WriteSpec] = {spec.model: spec for spec in (INVOICE_WRITES,)}
