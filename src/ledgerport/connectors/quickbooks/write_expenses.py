"""Expenses → QBO Purchases.

Merge signs expenses (negative: money spent; positive: a refund); QBO keeps every amount positive and marks a
refund ``Credit: true``, which it allows on card purchases only. The payment type follows the account paid from: a
card account makes a ``CreditCard`` purchase, a bank account a ``Cash`` one (QBO's ``Check`` needs a cheque number,
which Merge's model has no field for). Lines are booked like a bill's, against an item or an account.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.writes import (
    Check,
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
from ledgerport.connectors.quickbooks.documents import EXPENSE
from ledgerport.connectors.quickbooks.ids import qbo_id
from ledgerport.connectors.quickbooks.write_kit import (
    DOCUMENT_TRACKING,
    TAX_CODE,
    ZERO,
    bare,
    book_line,
    every_line_has_an_account_or_item,
    line_class,
    qbo_date,
)

__all__ = ["EXPENSE_WRITES"]


def _paid_from(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    if value is None:
        return
    payload["AccountRef"] = {"value": resolved(value)}
    account = resolved.document(value) or {}
    payload["PaymentType"] = "CreditCard" if account.get("account_type") == "CREDIT_CARD" else "Cash"


def _payee(kind: str) -> Derive:
    def write(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
        remote = resolved(value) if value is not None else None
        if remote is not None:
            entity = kind if kind == "Employee" else ("Vendor" if remote.startswith("Vendor-") else "Customer")
            payload["EntityRef"] = {"value": qbo_id(remote), "type": entity}

    return Derive(write, model=kind if kind == "Employee" else "Contact", note="The payee (QuickBooks' EntityRef).")


def _refund(payload: dict[str, Any]) -> dict[str, Any]:
    """``Credit`` from the signs the lines were written with (kept aside by the line table, then dropped)."""
    if any(line.pop("_refunded", False) for line in payload.get("Line") or []):
        payload["Credit"] = True
    return payload


def _unsigned(path: str) -> Derive:
    def write(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
        if value is not None:
            put(payload, path, abs(Decimal(value)))

    return Derive(write)


def _booked(built: dict[str, Any], line: Mapping[str, Any]) -> dict[str, Any]:
    """Booked like a bill's line; a refunded line is marked for ``_refund``."""
    if line.get("net_amount") is not None and Decimal(line["net_amount"]) > 0:
        built["_refunded"] = True
    return book_line(built)


PURCHASE_LINE = Lines(
    {
        "description": Put("Description"),
        "net_amount": Derive(
            _unsigned("Amount").function, required=True, note="Negative for money spent, positive for a refund."
        ),
        "quantity": Put("Detail.Qty", Decimal),
        "unit_price": _unsigned("Detail.UnitPrice"),
        "item": PutRef("Detail.ItemRef.value", "Item", note="An item line; without one, account is required."),
        "account": PutRef("Detail.AccountRef.value", "Account"),
        "tax_rate": PutRef("Detail.TaxCodeRef.value", "TaxRate", **TAX_CODE),
        "contact": PutRef(
            "Detail.CustomerRef.value", "Contact", accept=bare, accept_note="a customer the line is billable to"
        ),
        "tracking_category": PutRef("Detail.ClassRef.value", "TrackingCategory", accept=bare, accept_note="a class"),
        "tracking_categories": line_class("Detail"),
    },
    finish=_booked,
)


def _signs_agree(model: Mapping[str, Any]) -> str | None:
    """QBO cannot hold a purchase whose lines go both ways, and a stated total must be the lines' sum."""
    amounts = [Decimal(line["net_amount"]) for line in model.get("lines") or [] if line.get("net_amount") is not None]
    if any(a > 0 for a in amounts) and any(a < 0 for a in amounts):
        return "every line of one expense must be spent (negative) or every line refunded (positive), not both."
    stated = model.get("total_amount")
    if stated is not None and amounts:
        spent = sum(amounts, ZERO)
        tax = abs(Decimal(model.get("total_tax_amount") or 0))
        expected = spent if model.get("inclusive_of_tax") else spent + (tax if spent > 0 else -tax)
        if Decimal(stated) != expected:
            return f"total_amount is {stated}, but the lines add up to {expected}."
    return None


EXPENSE_WRITES = WriteSpec(
    model="Expense",
    bulk=True,
    targets=(
        Target(
            entity="Purchase",
            read=EXPENSE,
            fields={
                "transaction_date": Put("TxnDate", qbo_date),
                "account": Derive(
                    _paid_from,
                    required=True,
                    model="Account",
                    note="The bank account (a Cash purchase) or credit card (a CreditCard purchase) paid from.",
                ),
                "contact": _payee("Contact"),
                "employee": _payee("Employee"),
                "total_amount": Expect("Negative: a purchase. Positive: a card refund (QuickBooks' Credit)."),
                "total_tax_amount": Expect(),
                "sub_total": Expect(),
                "currency": Put("CurrencyRef.value", str),
                "exchange_rate": Put("ExchangeRate", Decimal),
                "memo": Put("PrivateNote"),
                "tracking_categories": DOCUMENT_TRACKING,
                "lines": PutLines("Line", PURCHASE_LINE, required=True),
            },
            checks=(Check("/model/lines", "Lines Disagree", _signs_agree), every_line_has_an_account_or_item("lines")),
            finish=_refund,
        ),
    ),
)
