"""Applying a credit to a document at QuickBooks: the zero payment that links them.

QBO has no call that applies a credit. Its Receive Payment form applies a credit memo to an invoice by saving a
``Payment`` whose lines link the invoice and the credit memo (``LinkedTxn`` ``TxnType`` Invoice and CreditMemo, the
same positive amount on each) with ``TotalAmt`` 0; Pay Bills applies a vendor credit to a bill the same way with a
``BillPayment`` (lines linking the Bill and the VendorCredit). The tables build the document's line and the date;
the protocol (``writer.apply``) reads the credit for its customer (vendor) and currency, adds the credit's line, and
for a bill payment names the company's first bank account as the account it is paid from (a check bill payment
must name one; nothing leaves it, the total is 0). The answer is the credit read back (``GET /creditmemo/{id}``):
its ``RemainingCredit``/``Balance`` moved; the engine reads the invoice (bill) back too.

The zero payment itself is a new Payment (BillPayment) at QBO, which the next sync stores as a Payment of amount 0
applied to the invoice, as Merge shows it.

QBO refuses an amount above the credit's remaining credit or the document's balance, another currency and another
party's document with its 6000 business validation fault, which reaches the caller as Merge's ``PROVIDER_ERROR``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgerport.connectors._base.writes import Check, Put, PutRef, Target, WriteField
from ledgerport.connectors.quickbooks.documents import CREDIT_NOTE, VENDOR_CREDIT
from ledgerport.connectors.quickbooks.ids import qbo_id
from ledgerport.connectors.quickbooks.write_kit import bare, is_, qbo_date

__all__ = ["APPLIED_BY", "CREDIT_NOTE_APPLICATION", "VENDOR_CREDIT_APPLICATION"]

_CENT = Decimal("0.01")

APPLIED_BY: Mapping[str, tuple[str, str, str]] = {
    "CreditMemo": ("Payment", "CustomerRef", "Invoice"),
    "VendorCredit": ("BillPayment", "VendorRef", "Bill"),
}
"""Credit entity → (the payment entity that applies it, its party element, the document type it pays)."""


def _money(value: Any) -> Decimal:
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _positive(model: Mapping[str, Any]) -> str | None:
    amount = model.get("applied_amount")
    return None if amount is None or Decimal(amount) > 0 else "applied_amount must be greater than zero."


def _linked(document: str) -> Any:
    def finish(payload: dict[str, Any]) -> dict[str, Any]:
        applies = payload.pop("Applies", {})
        line = {"Amount": applies.get("Amount"), "LinkedTxn": [{"TxnId": applies.get("TxnId"), "TxnType": document}]}
        return {**payload, "TotalAmt": Decimal(0), "Line": [line]}

    return finish


def _fields(document: str, accept: Any, accept_note: str) -> dict[str, WriteField]:
    return {
        "invoice": PutRef(
            "Applies.TxnId",
            "Invoice",
            encode=qbo_id,
            required=True,
            accept=accept,
            accept_note=accept_note,
            note=f"The {document} the credit is applied to: of the credit's party and currency.",
        ),
        "applied_date": Put("TxnDate", qbo_date, required=True, note="The date of the zero payment."),
        "applied_amount": Put(
            "Applies.Amount", _money, required=True, note=f"At most the credit left and the {document}'s balance."
        ),
    }


_CHECKS = (Check("/applied_amount", "Invalid Amount", _positive),)

CREDIT_NOTE_APPLICATION = Target(
    entity="CreditMemo",
    read=CREDIT_NOTE,
    fields=_fields("invoice", bare, "an invoice (not a bill)"),
    checks=_CHECKS,
    finish=_linked("Invoice"),
)
VENDOR_CREDIT_APPLICATION = Target(
    entity="VendorCredit",
    read=VENDOR_CREDIT,
    fields=_fields("bill", is_("Bill-"), "a bill"),
    checks=_CHECKS,
    finish=_linked("Bill"),
)
