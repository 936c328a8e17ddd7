"""Xero's documents -> common models: invoices and bills, credit notes, purchase orders, payments, bank
transactions and manual journals (the reference data they point at is in ``mapping``).

Payments and invoices share PaymentLineItem ids: ``{PaymentID}/{InvoiceID}`` names the application of one payment to
one document from either side, so ``Invoice.applied_payments`` and ``Payment.applied_to_lines`` agree.

**Bank transactions** are split by ``Type`` between two tables over one stream:

* ``SPEND`` (Spend Money) and ``RECEIVE`` (Receive Money) are **Expenses**. Merge reads Expenses for Xero from
  ``GET /BankTransactions`` (its Xero provider-interactions page lists that endpoint for Expense and ExpenseLine
  and for no other model), and it writes an Expense to Xero as Spend Money when its amounts are negative (a
  purchase) and as Receive Money when they are positive (a refund; help.merge.dev "POSTing Expenses to Xero"). A
  written refund must read back as the Expense it was written as, under the same remote id, so Receive Money is an
  Expense too, signed positive, even where it records income rather than a refund: the API cannot tell the two
  apart without reading the accounts its lines post to.
* Transfers (``SPEND-TRANSFER``, ``RECEIVE-TRANSFER``) move money between the organisation's own accounts, and
  over- and prepayments (``*-OVERPAYMENT``, ``*-PREPAYMENT``) are credit held with a contact until it is allocated
  to an invoice or a bill, which is where the spending is counted; none is a purchase, so they stay
  **Transactions**, with Xero's own ``Type`` as ``transaction_type``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.convert import decimal_string, to_decimal, to_str
from ledgerport.connectors._base.mapping import Computed, Each, F, MappingContext, ModelMap, Ref, RefList
from ledgerport.connectors._base.streams import Stream, getter
from ledgerport.connectors.xero.convert import (
    CREDIT_NOTE_STATUS,
    EXPENSE_TYPES,
    INVOICE_STATUS,
    INVOICE_TYPE,
    PAYMENT_TYPE,
    POSTING_STATUS,
    PURCHASE_ORDER_STATUS,
    currency,
    expense_amount,
    inclusive_of_tax,
    xero_date,
    xero_day,
)
from ledgerport.connectors.xero.lines import (
    ALLOCATION_FOR_CREDIT_NOTE,
    ALLOCATION_FOR_VENDOR_CREDIT,
    CREDIT_NOTE_LINE,
    EXPENSE_LINE,
    INVOICE_LINE,
    JOURNAL_LINE,
    PURCHASE_ORDER_LINE,
    TRANSACTION_LINE,
    VENDOR_CREDIT_LINE,
    document_tracking,
    first_ref,
)
from ledgerport.connectors.xero.streams import (
    BANK_TRANSACTIONS,
    CREDIT_NOTES,
    INVOICES,
    MANUAL_JOURNALS,
    PAYMENTS,
    PURCHASE_ORDERS,
)
from ledgerport.models.credit_note import CreditNote
from ledgerport.models.expense import Expense
from ledgerport.models.invoice import (
    CreditNoteApplyLineForInvoice,
    Invoice,
    InvoiceStatus,
    VendorCreditApplyLineForInvoice,
)
from ledgerport.models.journal_entry import JournalEntry
from ledgerport.models.payment import Payment, PaymentLineItem
from ledgerport.models.purchase_order import PurchaseOrder
from ledgerport.models.transaction import Transaction
from ledgerport.models.vendor_credit import VendorCredit

__all__ = [
    "CREDIT_NOTE",
    "EXPENSE",
    "INVOICE",
    "JOURNAL_ENTRY",
    "PAYMENT",
    "PURCHASE_ORDER",
    "TRANSACTION",
    "VENDOR_CREDIT",
    "deleted",
]

_ZERO = Decimal(0)


def deleted(stream: Stream) -> Computed:
    """``remote_was_deleted`` from the stream's own deletion rule, so the document agrees with the sync."""
    rule = stream.deleted
    return Computed(lambda record, context: bool(rule is not None and rule(record)))


def _amount(record: Any, key: str) -> Decimal:
    return to_decimal(record.get(key)) or _ZERO


# --- documents ------------------------------------------------------------------------------------------------------


def _invoice_status(record: Any, context: MappingContext) -> InvoiceStatus | None:
    """AUTHORISED is OPEN until money or credit arrives; then PARTIALLY_PAID while something is still due."""
    status = INVOICE_STATUS.get(record.get("Status") or "")
    settled = _amount(record, "AmountPaid") + _amount(record, "AmountCredited")
    if status is InvoiceStatus.OPEN and settled > 0 and _amount(record, "AmountDue") > 0:
        return InvoiceStatus.PARTIALLY_PAID
    return status


def _applied_payments(record: Any, context: MappingContext) -> list[str]:
    """The PaymentLineItem ids of the payments applied to this invoice (the same ids ``PAYMENT`` gives its lines)."""
    return [
        context.ref("PaymentLineItem", f"{payment['PaymentID']}/{record['InvoiceID']}")
        for payment in record.get("Payments") or []
        if payment.get("PaymentID")
    ]


def _applied_credit(kind: str, struct: type, field: str, model: str) -> Computed:
    """Credit notes applied to an invoice of ``kind`` (AR credit notes, or AP vendor credits on bills)."""

    def build(record: Any, context: MappingContext) -> list[Any]:
        if record.get("Type") != kind:
            return []
        return [
            struct(
                **{field: context.ref(model, str(note["CreditNoteID"]))},
                applied_date=xero_day(note.get("Date")),
                applied_amount=decimal_string(note.get("AppliedAmount")),
            )
            for note in record.get("CreditNotes") or []
            if note.get("CreditNoteID")
        ]

    return Computed(build)


INVOICE = ModelMap(
    model="Invoice",
    struct=Invoice,
    stream=INVOICES,
    fields={
        "remote_id": F("InvoiceID"),
        "type": F("Type", INVOICE_TYPE),
        "contact": Ref("Contact.ContactID", "Contact"),
        "number": F("InvoiceNumber", to_str),
        "issue_date": F("Date", xero_day),
        "due_date": F("DueDate", xero_day),
        "paid_on_date": F("FullyPaidOnDate", xero_day),
        "memo": F("Reference", to_str),
        "currency": F("CurrencyCode", currency),
        "exchange_rate": F("CurrencyRate", decimal_string),
        "total_discount": F("TotalDiscount", to_decimal),
        "sub_total": F("SubTotal", to_decimal),
        "status": Computed(_invoice_status),
        "total_tax_amount": F("TotalTax", to_decimal),
        "total_amount": F("Total", to_decimal),
        "balance": F("AmountDue", to_decimal),
        "remote_updated_at": F("UpdatedDateUTC", xero_date),
        "tracking_categories": document_tracking("LineItems"),
        "payments": RefList("Payments", "Payment", "PaymentID"),
        "applied_payments": Computed(_applied_payments),
        "line_items": Each("LineItems", INVOICE_LINE),
        "applied_credit_notes": _applied_credit("ACCREC", CreditNoteApplyLineForInvoice, "credit_note", "CreditNote"),
        "applied_vendor_credits": _applied_credit(
            "ACCPAY", VendorCreditApplyLineForInvoice, "vendor_credit", "VendorCredit"
        ),
        "inclusive_of_tax": F("LineAmountTypes", inclusive_of_tax),
        "remote_was_deleted": deleted(INVOICES),
    },
)

CREDIT_NOTE = ModelMap(
    model="CreditNote",
    struct=CreditNote,
    stream=CREDIT_NOTES,
    when=lambda record: record.get("Type") == "ACCRECCREDIT",
    fields={
        "remote_id": F("CreditNoteID"),
        "transaction_date": F("Date", xero_day),
        "status": F("Status", CREDIT_NOTE_STATUS),
        "number": F("CreditNoteNumber", to_str),
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
        "remote_was_deleted": deleted(CREDIT_NOTES),
    },
)

VENDOR_CREDIT = ModelMap(
    model="VendorCredit",
    struct=VendorCredit,
    stream=CREDIT_NOTES,
    when=lambda record: record.get("Type") == "ACCPAYCREDIT",
    fields={
        "remote_id": F("CreditNoteID"),
        "number": F("CreditNoteNumber", to_str),
        "transaction_date": F("Date", xero_day),
        "vendor": Ref("Contact.ContactID", "Contact"),
        "total_amount": F("Total", to_decimal),
        "currency": F("CurrencyCode", currency),
        "exchange_rate": F("CurrencyRate", decimal_string),
        "inclusive_of_tax": F("LineAmountTypes", inclusive_of_tax),
        "lines": Each("LineItems", VENDOR_CREDIT_LINE),
        "tracking_categories": document_tracking("LineItems"),
        "applied_to_lines": Each("Allocations", ALLOCATION_FOR_VENDOR_CREDIT),
        "remote_was_deleted": deleted(CREDIT_NOTES),
    },
)

PURCHASE_ORDER = ModelMap(
    model="PurchaseOrder",
    struct=PurchaseOrder,
    stream=PURCHASE_ORDERS,
    fields={
        "remote_id": F("PurchaseOrderID"),
        "status": F("Status", PURCHASE_ORDER_STATUS),
        "issue_date": F("Date", xero_day),
        "purchase_order_number": F("PurchaseOrderNumber", to_str),
        "delivery_date": F("DeliveryDate", xero_day),
        "vendor": Ref("Contact.ContactID", "Contact"),
        "memo": F("Reference", to_str),
        "total_amount": F("Total", to_decimal),
        "currency": F("CurrencyCode", currency),
        "exchange_rate": F("CurrencyRate", decimal_string),
        "line_items": Each("LineItems", PURCHASE_ORDER_LINE),
        "inclusive_of_tax": F("LineAmountTypes", inclusive_of_tax),
        "tracking_categories": document_tracking("LineItems"),
        "remote_updated_at": F("UpdatedDateUTC", xero_date),
        "remote_was_deleted": deleted(PURCHASE_ORDERS),
    },
)


def _payment_lines(record: Any, context: MappingContext) -> list[PaymentLineItem]:
    """The one document a Xero payment settles, as Merge's applied-to line (id shared with the invoice's side)."""
    invoice = record.get("Invoice") or {}
    note = record.get("CreditNote") or {}
    if invoice.get("InvoiceID"):
        model, target, kind = "Invoice", str(invoice["InvoiceID"]), "INVOICE"
    elif note.get("CreditNoteID"):
        model = "VendorCredit" if note.get("Type") == "ACCPAYCREDIT" else "CreditNote"
        target, kind = str(note["CreditNoteID"]), "CREDIT_NOTE"
    else:
        return []
    return [
        PaymentLineItem(
            id=context.ref("PaymentLineItem", f"{context.parent}/{target}"),
            applied_amount=decimal_string(record.get("Amount")),
            applied_date=xero_day(record.get("Date")),
            related_object_id=context.ref(model, target),
            related_object_type=kind,
        )
    ]


PAYMENT = ModelMap(
    model="Payment",
    struct=Payment,
    stream=PAYMENTS,
    fields={
        "remote_id": F("PaymentID"),
        "transaction_date": F("Date", xero_day),
        "contact": first_ref("Contact", "Invoice.Contact.ContactID", "CreditNote.Contact.ContactID"),
        "account": Ref("Account.AccountID", "Account"),
        "currency": Computed(
            lambda r, c: (
                currency((r.get("Invoice") or {}).get("CurrencyCode"))
                or currency((r.get("CreditNote") or {}).get("CurrencyCode"))
            )
        ),
        "exchange_rate": F("CurrencyRate", decimal_string),
        "total_amount": F("Amount", to_decimal),
        "type": F("PaymentType", PAYMENT_TYPE),
        "applied_to_lines": Computed(_payment_lines),
        "remote_updated_at": F("UpdatedDateUTC", xero_date),
        "remote_was_deleted": deleted(PAYMENTS),
    },
)


def _spent(path: str) -> Computed:
    """The bank transaction's amount at ``path``, signed as Merge signs expenses."""
    get = getter(path)
    return Computed(lambda record, context: expense_amount(get(record), record))


EXPENSE = ModelMap(
    model="Expense",
    struct=Expense,
    stream=BANK_TRANSACTIONS,
    when=lambda record: record.get("Type") in EXPENSE_TYPES,
    fields={
        "remote_id": F("BankTransactionID"),
        "transaction_date": F("Date", xero_day),
        "account": Ref("BankAccount.AccountID", "Account"),
        "contact": Ref("Contact.ContactID", "Contact"),
        "total_amount": _spent("Total"),
        "sub_total": _spent("SubTotal"),
        "total_tax_amount": _spent("TotalTax"),
        "currency": F("CurrencyCode", currency),
        "exchange_rate": F("CurrencyRate", decimal_string),
        "inclusive_of_tax": F("LineAmountTypes", inclusive_of_tax),
        "memo": F("Reference", to_str),
        "lines": Each("LineItems", EXPENSE_LINE),
        "tracking_categories": document_tracking("LineItems"),
        "remote_was_deleted": deleted(BANK_TRANSACTIONS),
    },
)

TRANSACTION = ModelMap(
    model="Transaction",
    struct=Transaction,
    stream=BANK_TRANSACTIONS,
    when=lambda record: record.get("Type") not in EXPENSE_TYPES,
    fields={
        "remote_id": F("BankTransactionID"),
        # Xero's own word (SPEND-TRANSFER, RECEIVE-OVERPAYMENT, ...): Merge's field is free text.
        "transaction_type": F("Type", to_str),
        "transaction_date": F("Date", xero_day),
        "account": Ref("BankAccount.AccountID", "Account"),
        "contact": Ref("Contact.ContactID", "Contact"),
        "inclusive_of_tax": F("LineAmountTypes", inclusive_of_tax),
        "total_amount": F("Total", decimal_string),
        "currency": F("CurrencyCode", currency),
        "exchange_rate": F("CurrencyRate", decimal_string),
        "tracking_categories": document_tracking("LineItems"),
        "line_items": Each("LineItems", TRANSACTION_LINE),
        "remote_was_deleted": deleted(BANK_TRANSACTIONS),
    },
)

JOURNAL_ENTRY = ModelMap(
    model="JournalEntry",
    struct=JournalEntry,
    stream=MANUAL_JOURNALS,
    fields={
        "remote_id": F("ManualJournalID"),
        "transaction_date": F("Date", xero_day),
        "memo": F("Narration", to_str),
        "inclusive_of_tax": F("LineAmountTypes", inclusive_of_tax),
        "lines": Each("JournalLines", JOURNAL_LINE),
        "tracking_categories": document_tracking("JournalLines"),
        "remote_was_deleted": deleted(MANUAL_JOURNALS),
        "posting_status": F("Status", POSTING_STATUS),
        "remote_updated_at": F("UpdatedDateUTC", xero_date),
    },
)
