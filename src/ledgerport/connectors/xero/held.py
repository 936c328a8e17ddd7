"""Xero's overpayments, prepayments and bank transfers → common models.

* **Overpayments and prepayments** are credit held with a contact: money received from a customer (or paid to a
  supplier) beyond, or ahead of, any document, kept with its ``RemainingCredit`` until allocated to invoices
  (``Allocations``), exactly as a credit note is. So a customer's (``RECEIVE-OVERPAYMENT``, ``RECEIVE-PREPAYMENT``)
  is a **CreditNote** and a supplier's (``SPEND-OVERPAYMENT``, ``SPEND-PREPAYMENT``) a **VendorCredit**, with the same
  fields as Xero's credit notes of each side. Merge's documents do not say which model its Xero integration uses for
  them; a Payment would lose the remaining credit and the allocations, which is why ledgerport reads them as credits.
  The money's movement itself is also a bank transaction (``*-OVERPAYMENT``/``*-PREPAYMENT``), a Transaction of
  another id: one records the cash, the other the credit it became.
* A **BankTransfer** (money between two of the organisation's bank accounts) is a **Transaction** of type
  ``BANK-TRANSFER`` from the account the money left, for its amount; it has no contact and no lines.

Xero's batch payments are not read: each payment of a batch is also a Payment of ``GET /Payments`` (with its
``BatchPaymentID``), so a batch as a Payment would count its money twice. Quotes have no common model in Merge's
accounting API and are not read either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledgerport.connectors._base.convert import decimal_string, to_decimal, to_str
from ledgerport.connectors._base.mapping import Const, Each, F, ModelMap, Ref, RefList
from ledgerport.connectors._base.streams import Stream
from ledgerport.connectors.xero.convert import CREDIT_NOTE_STATUS, currency, inclusive_of_tax, xero_date, xero_day
from ledgerport.connectors.xero.documents import deleted
from ledgerport.connectors.xero.lines import (
    ALLOCATION_FOR_CREDIT_NOTE,
    ALLOCATION_FOR_VENDOR_CREDIT,
    CREDIT_NOTE_LINE,
    VENDOR_CREDIT_LINE,
    document_tracking,
)
from ledgerport.connectors.xero.streams import BANK_TRANSFERS, OVERPAYMENTS, PREPAYMENTS
from ledgerport.models.credit_note import CreditNote
from ledgerport.models.transaction import Transaction
from ledgerport.models.vendor_credit import VendorCredit

__all__ = ["BANK_TRANSFER", "HELD_MAPPINGS"]


def _side(prefix: str) -> Callable[[Any], bool]:
    return lambda record: str(record.get("Type", "")).startswith(prefix)


def _customer_credit(stream: Stream, key: str) -> ModelMap:
    return ModelMap(
        model="CreditNote",
        struct=CreditNote,
        stream=stream,
        when=_side("RECEIVE-"),
        fields={
            "remote_id": F(key),
            "transaction_date": F("Date", xero_day),
            "status": F("Status", CREDIT_NOTE_STATUS),
            "number": F("Reference", to_str),
            "contact": Ref("Contact.ContactID", "Contact"),
            "exchange_rate": F("CurrencyRate", decimal_string),
            "total_amount": F("Total", to_decimal),
            "remaining_credit": F("RemainingCredit", to_decimal),
            "inclusive_of_tax": F("LineAmountTypes", inclusive_of_tax),
            "line_items": Each("LineItems", CREDIT_NOTE_LINE),
            "tracking_categories": document_tracking("LineItems"),
            "currency": F("CurrencyCode", currency),
            "remote_updated_at": F("UpdatedDateUTC", xero_date),
            "payments": RefList("Payments", "Payment", "PaymentID"),
            "applied_to_lines": Each("Allocations", ALLOCATION_FOR_CREDIT_NOTE),
            "remote_was_deleted": deleted(stream),
        },
    )


def _supplier_credit(stream: Stream, key: str) -> ModelMap:
    return ModelMap(
        model="VendorCredit",
        struct=VendorCredit,
        stream=stream,
        when=_side("SPEND-"),
        fields={
            "remote_id": F(key),
            "number": F("Reference", to_str),
            "transaction_date": F("Date", xero_day),
            "vendor": Ref("Contact.ContactID", "Contact"),
            "total_amount": F("Total", to_decimal),
            "currency": F("CurrencyCode", currency),
            "exchange_rate": F("CurrencyRate", decimal_string),
            "inclusive_of_tax": F("LineAmountTypes", inclusive_of_tax),
            "lines": Each("LineItems", VENDOR_CREDIT_LINE),
            "tracking_categories": document_tracking("LineItems"),
            "applied_to_lines": Each("Allocations", ALLOCATION_FOR_VENDOR_CREDIT),
            "remote_was_deleted": deleted(stream),
        },
    )


BANK_TRANSFER = ModelMap(
    model="Transaction",
    struct=Transaction,
    stream=BANK_TRANSFERS,
    fields={
        "remote_id": F("BankTransferID"),
        "transaction_type": Const("BANK-TRANSFER"),
        "number": F("Reference", to_str),
        "transaction_date": F("Date", xero_day),
        "account": Ref("FromBankAccount.AccountID", "Account"),
        "total_amount": F("Amount", decimal_string),
        "exchange_rate": F("CurrencyRate", decimal_string),
        "remote_was_deleted": Const(False),
    },
)

HELD_MAPPINGS: tuple[ModelMap, ...] = (
    _customer_credit(OVERPAYMENTS, "OverpaymentID"),
    _customer_credit(PREPAYMENTS, "PrepaymentID"),
    _supplier_credit(OVERPAYMENTS, "OverpaymentID"),
    _supplier_credit(PREPAYMENTS, "PrepaymentID"),
    BANK_TRANSFER,
)
"""After the documents they refer to (contacts, accounts, payments)."""
