"""Applying a credit to a document at Xero: an ``Allocation`` of a ``CreditNotes`` object.

``PUT /CreditNotes/{CreditNoteID}/Allocations`` with ``{"Allocations": [{"Invoice": {"InvoiceID"}, "Amount",
"Date"}]}`` allocates part of an approved credit note to an approved invoice of the same contact and currency (a
sales credit note to a sales invoice, a supplier credit to a bill). Xero answers the allocation; the credit note's
``RemainingCredit`` and ``Allocations`` and the invoice's ``AmountDue`` and ``AmountCredited`` move with it, so the
protocol reads the credit note back (``GET /CreditNotes/{id}``) and the engine reads the invoice back as well.

Xero keeps its own rules (an amount above the credit left or the invoice's amount due, another currency, a draft)
and refuses with a ValidationException that reaches the caller as Merge's ``PROVIDER_ERROR``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgerport.connectors._base.writes import Check, Put, PutRef, Target, WriteField
from ledgerport.connectors.xero.documents import CREDIT_NOTE, VENDOR_CREDIT

__all__ = ["CREDIT_NOTE_APPLICATION", "VENDOR_CREDIT_APPLICATION", "positive_amount", "xero_amount"]

_CENT = Decimal("0.01")


def xero_amount(value: Any) -> Decimal:
    """An amount in the currency's cents, as Xero keeps it."""
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _day(moment: Any) -> str:
    return moment.date().isoformat()


def positive_amount(model: Mapping[str, Any]) -> str | None:
    """Xero allocates a positive amount; zero or less is refused before anything is sent."""
    amount = model.get("applied_amount")
    if amount is None or Decimal(amount) > 0:
        return None
    return "applied_amount must be greater than zero."


def _fields(document: str) -> dict[str, WriteField]:
    return {
        "invoice": PutRef(
            "Invoice.InvoiceID",
            "Invoice",
            required=True,
            note=f"The {document} the credit is allocated to: approved, of the credit's contact and currency.",
        ),
        "applied_date": Put("Date", _day, required=True, note="The allocation's date (a day)."),
        "applied_amount": Put(
            "Amount",
            xero_amount,
            required=True,
            note=f"At most the credit left and the {document}'s amount due.",
        ),
    }


_CHECKS = (Check("/applied_amount", "Invalid Amount", positive_amount),)

CREDIT_NOTE_APPLICATION = Target(
    entity="CreditNotes", read=CREDIT_NOTE, fields=_fields("sales invoice (ACCREC)"), checks=_CHECKS
)
VENDOR_CREDIT_APPLICATION = Target(
    entity="CreditNotes", read=VENDOR_CREDIT, fields=_fields("bill (ACCPAY)"), checks=_CHECKS
)
