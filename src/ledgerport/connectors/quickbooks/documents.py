"""QBO's transactions → common models: invoices and bills, payments, journal entries, credit memos, vendor credits,
purchase orders, expenses, and the Transaction model for the rest (deposits, transfers, sales receipts, estimates).

Two maps on two streams feed one model where QBO splits what Merge joins (Invoice ← Invoice + Bill, Payment ←
Payment + BillPayment); ``ids`` says how their remote ids stay apart. Payments and invoices share PaymentLineItem
ids, ``{payment remote id}/{invoice remote id}``, computed from both sides (a payment's ``Line[].LinkedTxn``, an
invoice's ``LinkedTxn``), so ``Invoice.applied_payments`` and ``Payment.applied_to_lines`` agree without a lookup.

**Expenses.** Every Purchase (QBO's expenses, cheques and card charges: ``PaymentType`` Cash, Check or
CreditCard) is an Expense, as Merge lists it for QuickBooks Online; its remote id keeps the ``Purchase-`` prefix
(``ids`` says why). Merge signs an expense's amounts, purchases negative and refunds positive; QBO keeps them
positive and marks a card refund with ``Credit`` true, so every amount goes through ``convert.expense_amount``.
The payee (``EntityRef``) is the ``contact`` when it is a customer or vendor and the ``employee`` when it is an
employee.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.convert import decimal_string, iso_date, to_decimal, to_str
from ledgerport.connectors._base.mapping import Computed, Const, Each, F, Field, MappingContext, ModelMap, Ref
from ledgerport.connectors._base.streams import Stream, dig, getter
from ledgerport.connectors.quickbooks.client import parse_qbo_datetime
from ledgerport.connectors.quickbooks.convert import PO_STATUS, currency, expense_amount, invoice_status
from ledgerport.connectors.quickbooks.ids import REMOTE_ID, entity_remote_id, linked_target, ref_to, remote_id_of
from ledgerport.connectors.quickbooks.lines import (
    CREDIT_NOTE_LINE,
    EXPENSE_LINE,
    INVOICE_LINE,
    ITEM_LINE_TYPES,
    JOURNAL_LINE,
    PURCHASE_ORDER_LINE,
    TRANSACTION_LINE,
    VENDOR_CREDIT_LINE,
    line_tracking,
)
from ledgerport.connectors.quickbooks.streams import (
    BILL_PAYMENTS,
    BILLS,
    CREDIT_CARD_PAYMENTS,
    CREDIT_MEMOS,
    DELETED,
    DEPOSITS,
    ESTIMATES,
    INVOICES,
    JOURNAL_ENTRIES,
    PAYMENTS,
    PURCHASE_ORDERS,
    PURCHASES,
    REFUND_RECEIPTS,
    SALES_RECEIPTS,
    TRANSFERS,
    VENDOR_CREDITS,
)
from ledgerport.models.credit_note import CreditNote, CreditNoteStatus
from ledgerport.models.expense import Expense
from ledgerport.models.invoice import Invoice, InvoiceType
from ledgerport.models.journal_entry import JournalEntry, PostingStatus
from ledgerport.models.payment import Payment, PaymentLineItem, PaymentType
from ledgerport.models.purchase_order import PurchaseOrder
from ledgerport.models.transaction import Transaction
from ledgerport.models.vendor_credit import VendorCredit

__all__ = [
    "BILL",
    "BILL_PAYMENT",
    "CREDIT_NOTE",
    "EXPENSE",
    "INVOICE",
    "JOURNAL_ENTRY",
    "PAYMENT",
    "PURCHASE_ORDER",
    "TRANSACTIONS",
    "VENDOR_CREDIT",
    "deleted",
    "document_tracking",
]

_ZERO = Decimal(0)
_PAYMENTS = frozenset({"Payment"})
_APPLIED_TO = frozenset({"Invoice", "CreditNote", "JournalEntry"})
_RELATED_TYPE = {"Invoice": "INVOICE", "CreditNote": "CREDIT_NOTE", "JournalEntry": "JOURNAL_ENTRY"}


def deleted(stream: Stream) -> Computed:
    """``remote_was_deleted`` by the stream's own rule (CDC's ``status: "Deleted"``), so the document agrees."""
    rule = stream.deleted
    return Computed(lambda record, context: bool(rule is not None and rule(record)))


def document_tracking(record: Any, context: MappingContext) -> list[str]:
    """The document's department and every class or department on its lines, first seen first."""
    found = [
        *_department(record, context),
        *(t for line in record.get("Line") or [] for t in line_tracking(line, context)),
    ]
    return list(dict.fromkeys(found))


def _department(record: Any, context: MappingContext) -> list[str]:
    remote_id = entity_remote_id("Department", dig(record, "DepartmentRef.value"))
    return [context.ref("TrackingCategory", remote_id)] if remote_id else []


def _lines_of(record: Any, kind: str) -> list[Mapping[str, Any]]:
    return [line for line in record.get("Line") or [] if isinstance(line, Mapping) and line.get("DetailType") == kind]


def _total_discount(record: Any, context: MappingContext) -> Decimal | None:
    amounts = [to_decimal(line.get("Amount")) or _ZERO for line in _lines_of(record, "DiscountLineDetail")]
    return sum(amounts, _ZERO) if amounts else None


def _sub_total(record: Any, context: MappingContext) -> Decimal | None:
    """QBO's subtotal line where it sends one (sales documents); else the sum of the item lines (bills)."""
    subtotal = _lines_of(record, "SubTotalLineDetail")
    if subtotal:
        return to_decimal(subtotal[0].get("Amount"))
    lines = [line for line in record.get("Line") or [] if line.get("DetailType") in ITEM_LINE_TYPES]
    return sum((to_decimal(line.get("Amount")) or _ZERO for line in lines), _ZERO) if lines else None


def _inclusive(record: Any, context: MappingContext) -> bool | None:
    mode = record.get("GlobalTaxCalculation")
    return None if mode is None else mode == "TaxInclusive"


def _linked(models: frozenset[str]) -> Callable[[Any, MappingContext], list[str]]:
    """Ids of the linked documents of the given models (``LinkedTxn``), each once."""

    def refs(record: Any, context: MappingContext) -> list[str]:
        targets = (linked_target(link, models) for link in record.get("LinkedTxn") or [])
        return list(dict.fromkeys(context.ref(*target) for target in targets if target is not None))

    return refs


def _applied_payments(record: Any, context: MappingContext) -> list[str]:
    """PaymentLineItem ids of the payments applied to this document (the ids the payment gives its lines)."""
    targets = (linked_target(link, _PAYMENTS) for link in record.get("LinkedTxn") or [])
    return [context.ref("PaymentLineItem", f"{target[1]}/{context.parent}") for target in targets if target]


def _invoice(kind: InvoiceType, stream: Stream, entity: str, contact: tuple[str, str], term: str) -> ModelMap:
    return ModelMap(
        model="Invoice",
        struct=Invoice,
        stream=stream,
        remote_id=remote_id_of(entity),
        fields={
            "remote_id": REMOTE_ID,
            "type": Const(kind),
            "contact": ref_to("Contact", contact[0], contact[1]),
            "number": F("DocNumber", to_str),
            "issue_date": F("TxnDate", iso_date),
            "due_date": F("DueDate", iso_date),
            "memo": F("PrivateNote", to_str),
            "currency": F("CurrencyRef.value", currency),
            "exchange_rate": F("ExchangeRate", decimal_string),
            "payment_term": Ref(f"{term}.value", "PaymentTerm"),
            "total_discount": Computed(_total_discount),
            "sub_total": Computed(_sub_total),
            "status": Computed(invoice_status),
            "total_tax_amount": F("TxnTaxDetail.TotalTax", to_decimal),
            "total_amount": F("TotalAmt", to_decimal),
            "balance": F("Balance", to_decimal),
            "remote_updated_at": F("MetaData.LastUpdatedTime", parse_qbo_datetime),
            "tracking_categories": Computed(document_tracking),
            "purchase_orders": Computed(_linked(frozenset({"PurchaseOrder"}))),
            "payments": Computed(_linked(_PAYMENTS)),
            "applied_payments": Computed(_applied_payments),
            "line_items": Each("Line", INVOICE_LINE),
            "inclusive_of_tax": Computed(_inclusive),
            "remote_was_deleted": deleted(stream),
        },
    )


INVOICE = _invoice(
    InvoiceType.ACCOUNTS_RECEIVABLE, INVOICES, "Invoice", ("Customer", "CustomerRef.value"), "SalesTermRef"
)
BILL = _invoice(InvoiceType.ACCOUNTS_PAYABLE, BILLS, "Bill", ("Vendor", "VendorRef.value"), "SalesTermRef")


def _applied_to_lines(record: Any, context: MappingContext) -> list[PaymentLineItem]:
    """One PaymentLineItem per document a payment line settles (``Line[].LinkedTxn[]``)."""
    items = []
    for line in record.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            target = linked_target(link, _APPLIED_TO)
            if target is None:
                continue
            model, related = target
            items.append(
                PaymentLineItem(
                    id=context.ref("PaymentLineItem", f"{context.parent}/{related}"),
                    remote_id=f"{context.parent}/{related}",
                    applied_amount=decimal_string(line.get("Amount")),
                    applied_date=iso_date(record.get("TxnDate")),
                    related_object_id=context.ref(model, related),
                    related_object_type=_RELATED_TYPE[model],
                )
            )
    return items


def _bill_payment_account(record: Any, context: MappingContext) -> str | None:
    """The bank account of a cheque, or the card of a card payment."""
    value = dig(record, "CheckPayment.BankAccountRef.value") or dig(record, "CreditCardPayment.CCAccountRef.value")
    return None if value in (None, "") else context.ref("Account", str(value))


def _payment(
    kind: PaymentType, stream: Stream, entity: str, contact: tuple[str, str], account: Any, **extra: Any
) -> ModelMap:
    return ModelMap(
        model="Payment",
        struct=Payment,
        stream=stream,
        remote_id=remote_id_of(entity),
        fields={
            "remote_id": REMOTE_ID,
            "transaction_date": F("TxnDate", iso_date),
            "contact": ref_to("Contact", contact[0], contact[1]),
            "account": account,
            "currency": F("CurrencyRef.value", currency),
            "exchange_rate": F("ExchangeRate", decimal_string),
            "total_amount": F("TotalAmt", to_decimal),
            "type": Const(kind),
            "tracking_categories": Computed(_department),
            "applied_to_lines": Computed(_applied_to_lines),
            "remote_updated_at": F("MetaData.LastUpdatedTime", parse_qbo_datetime),
            "remote_was_deleted": deleted(stream),
            **extra,
        },
    )


PAYMENT = _payment(
    PaymentType.ACCOUNTS_RECEIVABLE,
    PAYMENTS,
    "Payment",
    ("Customer", "CustomerRef.value"),
    Ref("DepositToAccountRef.value", "Account"),
    payment_method=Ref("PaymentMethodRef.value", "PaymentMethod"),  # a BillPayment names none (its PayType)
)
BILL_PAYMENT = _payment(
    PaymentType.ACCOUNTS_PAYABLE,
    BILL_PAYMENTS,
    "BillPayment",
    ("Vendor", "VendorRef.value"),
    Computed(_bill_payment_account),
)

JOURNAL_ENTRY = ModelMap(
    model="JournalEntry",
    struct=JournalEntry,
    stream=JOURNAL_ENTRIES,
    fields={
        "remote_id": F("Id", to_str),
        "transaction_date": F("TxnDate", iso_date),
        "memo": F("PrivateNote", to_str),
        "currency": F("CurrencyRef.value", currency),
        "exchange_rate": F("ExchangeRate", decimal_string),
        "inclusive_of_tax": Computed(_inclusive),
        "lines": Each("Line", JOURNAL_LINE),
        "journal_number": F("DocNumber", to_str),
        "tracking_categories": Computed(document_tracking),
        "remote_was_deleted": deleted(JOURNAL_ENTRIES),
        # QBO has no unposted journal entries: every saved one is in the ledger.
        "posting_status": Computed(lambda r, c: None if DELETED(r) else PostingStatus.POSTED),
        "remote_created_at": F("MetaData.CreateTime", parse_qbo_datetime),
        "remote_updated_at": F("MetaData.LastUpdatedTime", parse_qbo_datetime),
    },
)


def _credit_status(record: Any, context: MappingContext) -> CreditNoteStatus | None:
    """Fully applied (no credit left) → PAID; credit left → AUTHORIZED (QBO has no draft credit memos)."""
    remaining = to_decimal(record.get("RemainingCredit", record.get("Balance")))
    if remaining is None:
        return None
    return CreditNoteStatus.PAID if remaining == _ZERO else CreditNoteStatus.AUTHORIZED


CREDIT_NOTE = ModelMap(
    model="CreditNote",
    struct=CreditNote,
    stream=CREDIT_MEMOS,
    fields={
        "remote_id": F("Id", to_str),
        "transaction_date": F("TxnDate", iso_date),
        "status": Computed(_credit_status),
        "number": F("DocNumber", to_str),
        "contact": ref_to("Contact", "Customer", "CustomerRef.value"),
        "exchange_rate": F("ExchangeRate", decimal_string),
        "total_amount": F("TotalAmt", to_decimal),
        "remaining_credit": Computed(lambda r, c: to_decimal(r.get("RemainingCredit", r.get("Balance")))),
        "inclusive_of_tax": Computed(_inclusive),
        "line_items": Each("Line", CREDIT_NOTE_LINE),
        "tracking_categories": Computed(document_tracking),
        "currency": F("CurrencyRef.value", currency),
        "remote_created_at": F("MetaData.CreateTime", parse_qbo_datetime),
        "remote_updated_at": F("MetaData.LastUpdatedTime", parse_qbo_datetime),
        "remote_was_deleted": deleted(CREDIT_MEMOS),
    },
)

VENDOR_CREDIT = ModelMap(
    model="VendorCredit",
    struct=VendorCredit,
    stream=VENDOR_CREDITS,
    fields={
        "remote_id": F("Id", to_str),
        "number": F("DocNumber", to_str),
        "transaction_date": F("TxnDate", iso_date),
        "vendor": ref_to("Contact", "Vendor", "VendorRef.value"),
        "total_amount": F("TotalAmt", to_decimal),
        "currency": F("CurrencyRef.value", currency),
        "exchange_rate": F("ExchangeRate", decimal_string),
        "inclusive_of_tax": Computed(_inclusive),
        "lines": Each("Line", VENDOR_CREDIT_LINE),
        "tracking_categories": Computed(document_tracking),
        "remote_was_deleted": deleted(VENDOR_CREDITS),
    },
)

PURCHASE_ORDER = ModelMap(
    model="PurchaseOrder",
    struct=PurchaseOrder,
    stream=PURCHASE_ORDERS,
    fields={
        "remote_id": F("Id", to_str),
        "status": Computed(lambda r, c: PO_STATUS.get(str(r.get("POStatus")))),
        "issue_date": F("TxnDate", iso_date),
        "purchase_order_number": F("DocNumber", to_str),
        "vendor": ref_to("Contact", "Vendor", "VendorRef.value"),
        "memo": F("PrivateNote", to_str),
        "total_amount": F("TotalAmt", to_decimal),
        "currency": F("CurrencyRef.value", currency),
        "exchange_rate": F("ExchangeRate", decimal_string),
        "payment_term": Ref("SalesTermRef.value", "PaymentTerm"),
        "line_items": Each("Line", PURCHASE_ORDER_LINE),
        "inclusive_of_tax": Computed(_inclusive),
        "tracking_categories": Computed(document_tracking),
        "remote_created_at": F("MetaData.CreateTime", parse_qbo_datetime),
        "remote_updated_at": F("MetaData.LastUpdatedTime", parse_qbo_datetime),
        "remote_was_deleted": deleted(PURCHASE_ORDERS),
    },
)


def _payee(record: Any, context: MappingContext, model: str, kinds: tuple[str, ...]) -> str | None:
    """A purchase's payee (``EntityRef``) as a ``model`` record, when its type is one of ``kinds``."""
    ref = record.get("EntityRef") or {}
    kind = str(ref.get("type") or "")
    remote_id = entity_remote_id(kind, ref.get("value")) if kind in kinds else None
    return None if remote_id is None else context.ref(model, remote_id)


def _entity_contact(record: Any, context: MappingContext) -> str | None:
    """A purchase's payee when it is a customer or vendor (an employee payee is no contact)."""
    return _payee(record, context, "Contact", ("Customer", "Vendor"))


def _entity_employee(record: Any, context: MappingContext) -> str | None:
    """A purchase's payee when it is an employee (an out-of-pocket expense paid back to them)."""
    return _payee(record, context, "Employee", ("Employee",))


def _spent(path: str) -> Computed:
    """The Purchase's amount at ``path``, signed as Merge signs expenses."""
    get = getter(path)
    return Computed(lambda record, context: expense_amount(get(record), record))


EXPENSE = ModelMap(
    model="Expense",
    struct=Expense,
    stream=PURCHASES,
    remote_id=remote_id_of("Purchase"),
    fields={
        "remote_id": REMOTE_ID,
        "transaction_date": F("TxnDate", iso_date),
        "remote_created_at": F("MetaData.CreateTime", parse_qbo_datetime),
        "account": Ref("AccountRef.value", "Account"),  # the bank or card account paid from (or refunded to)
        "contact": Computed(_entity_contact),
        "total_amount": _spent("TotalAmt"),
        "sub_total": Computed(lambda record, context: expense_amount(_sub_total(record, context), record)),
        "total_tax_amount": _spent("TxnTaxDetail.TotalTax"),
        "currency": F("CurrencyRef.value", currency),
        "exchange_rate": F("ExchangeRate", decimal_string),
        "inclusive_of_tax": Computed(_inclusive),
        "employee": Computed(_entity_employee),
        "memo": F("PrivateNote", to_str),
        "lines": Each("Line", EXPENSE_LINE),
        "tracking_categories": Computed(document_tracking),
        "remote_was_deleted": deleted(PURCHASES),
    },
)


def _transaction(
    stream: Stream, entity: str, kind: str, *, account: str | None, contact: Computed | None, total: str = "TotalAmt"
) -> ModelMap:
    """A Transaction map; ``account``/``contact`` are left out (unsupported) where the entity has none."""
    fields: dict[str, Field] = {
        "remote_id": REMOTE_ID,
        "transaction_type": Const(kind),
        "number": F("DocNumber", to_str),
        "transaction_date": F("TxnDate", iso_date),
        "inclusive_of_tax": Computed(_inclusive),
        "total_amount": F(total, decimal_string),
        "currency": F("CurrencyRef.value", currency),
        "exchange_rate": F("ExchangeRate", decimal_string),
        "tracking_categories": Computed(document_tracking),
        "line_items": Each("Line", TRANSACTION_LINE),
        "remote_was_deleted": deleted(stream),
    }
    if account is not None:
        fields["account"] = Ref(f"{account}.value", "Account")
    if contact is not None:
        fields["contact"] = contact
    return ModelMap(
        model="Transaction", struct=Transaction, stream=stream, remote_id=remote_id_of(entity), fields=fields
    )


_CUSTOMER = ref_to("Contact", "Customer", "CustomerRef.value")

TRANSACTIONS = (
    _transaction(DEPOSITS, "Deposit", "deposit", account="DepositToAccountRef", contact=None),
    _transaction(TRANSFERS, "Transfer", "transfer", account="FromAccountRef", contact=None, total="Amount"),
    _transaction(SALES_RECEIPTS, "SalesReceipt", "sales_receipt", account="DepositToAccountRef", contact=_CUSTOMER),
    _transaction(ESTIMATES, "Estimate", "estimate", account=None, contact=_CUSTOMER),
    _transaction(REFUND_RECEIPTS, "RefundReceipt", "refund_receipt", account="DepositToAccountRef", contact=_CUSTOMER),
    _transaction(
        CREDIT_CARD_PAYMENTS,
        "CreditCardPayment",
        "credit_card_payment",
        account="BankAccountRef",
        contact=None,
        total="Amount",
    ),
)
"""Merge spells ``transaction_type`` in lower case (its example says ``"estimate"``).

A RefundReceipt (money paid back to a customer at once) is a Transaction like the SalesReceipt it mirrors, not a
CreditNote: nothing is left to apply (its ``Balance`` is 0), while a CreditNote is credit the customer still holds.
A CreditCardPayment (a card's balance paid from a bank account, QBO's ``CreditCardPaymentTxn``) is a Transaction from
the bank account (``BankAccountRef``), like a Transfer from its ``FromAccountRef``; it has no lines. Merge does not
document its QuickBooks sources of Transaction; this reading is ledgerport's."""
