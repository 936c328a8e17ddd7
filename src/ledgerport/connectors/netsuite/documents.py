"""NetSuite transactions → common models: one table per model over the assembled documents of :mod:`.streams`.

Which transaction types feed which model:

| model          | types                                      | notes                                               |
|----------------|--------------------------------------------|-----------------------------------------------------|
| Invoice        | CustInvc, VendBill                         | ACCOUNTS_RECEIVABLE / ACCOUNTS_PAYABLE               |
| CreditNote     | CustCred                                   | ``applied_to_lines``: the invoices it was applied to |
| VendorCredit   | VendCred                                   |                                                     |
| JournalEntry   | Journal                                    | lines: debit − credit as ``net_amount``              |
| Payment        | CustPymt, VendPymt                         | ``applied_to_lines`` from the links                 |
| Expense        | Check, CardChrg, ExpRept                   | an expense report's entity is its employee           |
| Transaction    | CashSale, Deposit, CustDep, CustRfnd, …    | what no other model holds                           |
| PurchaseOrder  | PurchOrd; SalesOrder: SalesOrd             |                                                     |
| ItemFulfillment| ItemShip                                   | ``sales_order`` = ``createdfrom``; lines → SO lines  |

Totals are shown without the GL's sign (``positive``), lines through :data:`~.convert.LINE_SIGN`. An invoice's
``payments`` and applied credits come from the links where it is the earlier document (``applied_by``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledgerport.connectors._base.convert import currency, decimal_string, iso_date, to_decimal, to_str
from ledgerport.connectors._base.mapping import Computed, Const, Each, F, MappingContext, ModelMap, Ref
from ledgerport.connectors.netsuite.convert import (
    CREDIT_NOTE_STATUS,
    FULFILLMENT_STATUS,
    INVOICE_TYPE,
    PAYMENT_TYPE,
    PURCHASE_ORDER_STATUS,
    SALES_ORDER_STATUS,
    TRANSACTION_TYPE,
    instant,
    invoice_status,
    ns_bool,
    positive,
    posting_status,
)
from ledgerport.connectors.netsuite.lines import (
    APPLIED_CREDIT_NOTE,
    APPLIED_VENDOR_CREDIT,
    COMPANY,
    CREDIT_NOTE_APPLICATION,
    CREDIT_NOTE_LINE,
    EXPENSE_LINE,
    FULFILLMENT_LINE,
    INVOICE_LINE,
    JOURNAL_LINE,
    PAYMENT_APPLICATION,
    PURCHASE_ORDER_LINE,
    SALES_ORDER_LINE,
    TRACKING,
    TRANSACTION_LINE,
    VENDOR_CREDIT_APPLICATION,
    VENDOR_CREDIT_LINE,
)
from ledgerport.connectors.netsuite.streams import (
    CREDIT_NOTES,
    EXPENSES,
    INVOICES,
    ITEM_FULFILLMENTS,
    JOURNAL_ENTRIES,
    PAYMENTS,
    PURCHASE_ORDERS,
    SALES_ORDERS,
    TRANSACTIONS,
    VENDOR_CREDITS,
)
from ledgerport.models.credit_note import CreditNote
from ledgerport.models.expense import Expense
from ledgerport.models.invoice import Invoice
from ledgerport.models.item_fulfillment import ItemFulfillment, ItemFulfillmentStatus
from ledgerport.models.journal_entry import JournalEntry
from ledgerport.models.payment import Payment
from ledgerport.models.purchase_order import PurchaseOrder
from ledgerport.models.sales_order import SalesOrder
from ledgerport.models.transaction import Transaction
from ledgerport.models.vendor_credit import VendorCredit

__all__ = [
    "CREDIT_NOTE",
    "DOCUMENTS",
    "EXPENSE",
    "INVOICE",
    "ITEM_FULFILLMENT",
    "JOURNAL_ENTRY",
    "PAYMENT",
    "PURCHASE_ORDER",
    "SALES_ORDER",
    "TRANSACTION",
    "VENDOR_CREDIT",
]

_ID = F("id", to_str)
_DATE = F("trandate", iso_date)
_CREATED = F("createddate", instant)
_UPDATED = F("lastmodifieddate", instant)
_CURRENCY = F("currencysymbol", currency)
_RATE = F("exchangerate", decimal_string)
_CONTACT = Ref("entity", "Contact")
_PERIOD = Ref("postingperiod", "AccountingPeriod")
_TERM = Ref("terms", "PaymentTerm")
_ACCOUNT = Ref("account", "Account")
_LIVE = Const(False)


def _tax(record: Any, context: MappingContext) -> Any:
    """The sum of the document's tax lines (legacy tax engine), without sign; ``None`` when it has none."""
    taxes = [
        abs(to_decimal(line.get("foreignamount")) or 0)
        for line in record.get("lines") or []
        if ns_bool(line.get("taxline"))
    ]
    return sum(taxes) if taxes else None


def _linked(model: str, *kinds: str) -> Computed:
    """Ids of the later documents of ``kinds`` applied to this one (payments of an invoice)."""

    def read(record: Any, context: MappingContext) -> list[str]:
        found = [str(link["nextdoc"]) for link in record.get("applied_by") or [] if link.get("nexttype") in kinds]
        return [context.ref(model, remote) for remote in dict.fromkeys(found)]

    return Computed(read)


def _created_from(model: str, kind: str) -> Computed:
    """The order a document was created from, for the document ``kind`` it applies to."""

    def read(record: Any, context: MappingContext) -> list[str]:
        source = record.get("createdfrom")
        return [context.ref(model, str(source))] if source not in (None, "") and record.get("type") == kind else []

    return Computed(read)


INVOICE = ModelMap(
    model="Invoice",
    struct=Invoice,
    stream=INVOICES,
    fields={
        "remote_id": _ID,
        "type": F("type", INVOICE_TYPE),
        "contact": _CONTACT,
        "number": F("tranid", to_str),
        "issue_date": _DATE,
        "due_date": F("duedate", iso_date),
        "memo": F("memo", to_str),
        "company": COMPANY,
        "employee": Ref("employee", "Employee"),
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "payment_term": _TERM,
        "status": Computed(lambda r, c: invoice_status(r)),
        "total_tax_amount": Computed(_tax),
        "total_amount": F("foreigntotal", positive),
        "balance": F("foreignamountremaining", positive),
        "remote_updated_at": _UPDATED,
        "tracking_categories": TRACKING,
        "accounting_period": _PERIOD,
        "purchase_orders": _created_from("PurchaseOrder", "VendBill"),
        "sales_orders": _created_from("SalesOrder", "CustInvc"),
        "payments": _linked("Payment", "CustPymt", "VendPymt"),
        "line_items": Each("lines", INVOICE_LINE),
        "applied_credit_notes": Each("applied_by", APPLIED_CREDIT_NOTE),
        "applied_vendor_credits": Each("applied_by", APPLIED_VENDOR_CREDIT),
        "remote_was_deleted": _LIVE,
    },
)

CREDIT_NOTE = ModelMap(
    model="CreditNote",
    struct=CreditNote,
    stream=CREDIT_NOTES,
    fields={
        "remote_id": _ID,
        "transaction_date": _DATE,
        "status": Computed(lambda r, c: None if ns_bool(r.get("voided")) else CREDIT_NOTE_STATUS(r.get("status"))),
        "number": F("tranid", to_str),
        "contact": _CONTACT,
        "company": COMPANY,
        "exchange_rate": _RATE,
        "total_amount": F("foreigntotal", positive),
        "remaining_credit": F("foreignamountremaining", positive),
        "line_items": Each("lines", CREDIT_NOTE_LINE),
        "tracking_categories": TRACKING,
        "currency": _CURRENCY,
        "remote_created_at": _CREATED,
        "remote_updated_at": _UPDATED,
        "accounting_period": _PERIOD,
        "applied_to_lines": Each("applied", CREDIT_NOTE_APPLICATION),
        "remote_was_deleted": _LIVE,
    },
)

VENDOR_CREDIT = ModelMap(
    model="VendorCredit",
    struct=VendorCredit,
    stream=VENDOR_CREDITS,
    fields={
        "remote_id": _ID,
        "number": F("tranid", to_str),
        "transaction_date": _DATE,
        "vendor": _CONTACT,
        "total_amount": F("foreigntotal", positive),
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "company": COMPANY,
        "lines": Each("lines", VENDOR_CREDIT_LINE),
        "tracking_categories": TRACKING,
        "applied_to_lines": Each("applied", VENDOR_CREDIT_APPLICATION),
        "accounting_period": _PERIOD,
        "remote_was_deleted": _LIVE,
    },
)

JOURNAL_ENTRY = ModelMap(
    model="JournalEntry",
    struct=JournalEntry,
    stream=JOURNAL_ENTRIES,
    fields={
        "remote_id": _ID,
        "transaction_date": _DATE,
        "remote_created_at": _CREATED,
        "memo": F("memo", to_str),
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "company": COMPANY,
        "lines": Each("lines", JOURNAL_LINE),
        "journal_number": F("tranid", to_str),
        "tracking_categories": TRACKING,
        "posting_status": Computed(lambda r, c: posting_status(r)),
        "accounting_period": _PERIOD,
        "remote_updated_at": _UPDATED,
        "remote_was_deleted": _LIVE,
    },
)

PAYMENT = ModelMap(
    model="Payment",
    struct=Payment,
    stream=PAYMENTS,
    fields={
        "remote_id": _ID,
        "transaction_date": _DATE,
        "contact": _CONTACT,
        "account": _ACCOUNT,
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "company": COMPANY,
        "total_amount": F("foreigntotal", positive),
        "type": F("type", PAYMENT_TYPE),
        "tracking_categories": TRACKING,
        "accounting_period": _PERIOD,
        "applied_to_lines": Each("applied", PAYMENT_APPLICATION),
        "remote_updated_at": _UPDATED,
        "remote_was_deleted": _LIVE,
    },
)

EXPENSE = ModelMap(
    model="Expense",
    struct=Expense,
    stream=EXPENSES,
    fields={
        "remote_id": _ID,
        "transaction_date": _DATE,
        "remote_created_at": _CREATED,
        "account": _ACCOUNT,
        # An expense report's entity is the employee who spent; a check's or card charge's is the payee.
        "contact": Computed(
            lambda r, c: (
                None if r.get("type") == "ExpRept" or not r.get("entity") else c.ref("Contact", str(r["entity"]))
            )
        ),
        "total_amount": F("foreigntotal", positive),
        "total_tax_amount": Computed(_tax),
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "company": COMPANY,
        "employee": Computed(
            lambda r, c: (
                c.ref("Employee", str(r["entity"]))
                if r.get("type") == "ExpRept" and r.get("entity")
                else (c.ref("Employee", str(r["employee"])) if r.get("employee") else None)
            )
        ),
        "memo": F("memo", to_str),
        "lines": Each("lines", EXPENSE_LINE),
        "tracking_categories": TRACKING,
        "accounting_period": _PERIOD,
        "remote_was_deleted": _LIVE,
    },
)

TRANSACTION = ModelMap(
    model="Transaction",
    struct=Transaction,
    stream=TRANSACTIONS,
    fields={
        "remote_id": _ID,
        "transaction_type": Computed(lambda r, c: TRANSACTION_TYPE.get(str(r.get("type")), to_str(r.get("type")))),
        "number": F("tranid", to_str),
        "transaction_date": _DATE,
        "account": _ACCOUNT,
        "contact": _CONTACT,
        "total_amount": F("foreigntotal", lambda v: decimal_string(positive(v))),
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "company": COMPANY,
        "tracking_categories": TRACKING,
        "line_items": Each("lines", TRANSACTION_LINE),
        "accounting_period": _PERIOD,
        "remote_was_deleted": _LIVE,
    },
)

PURCHASE_ORDER = ModelMap(
    model="PurchaseOrder",
    struct=PurchaseOrder,
    stream=PURCHASE_ORDERS,
    fields={
        "remote_id": _ID,
        "status": F("status", PURCHASE_ORDER_STATUS),
        "issue_date": _DATE,
        "purchase_order_number": F("tranid", to_str),
        "delivery_date": F("shipdate", iso_date),
        "vendor": _CONTACT,
        "memo": F("memo", to_str),
        "company": COMPANY,
        "total_amount": F("foreigntotal", positive),
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "payment_term": _TERM,
        "line_items": Each("lines", PURCHASE_ORDER_LINE),
        "tracking_categories": TRACKING,
        "accounting_period": _PERIOD,
        "remote_created_at": _CREATED,
        "remote_updated_at": _UPDATED,
        "remote_was_deleted": _LIVE,
    },
)

SALES_ORDER = ModelMap(
    model="SalesOrder",
    struct=SalesOrder,
    stream=SALES_ORDERS,
    fields={
        "remote_id": _ID,
        "customer": _CONTACT,
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "company": COMPANY,
        "status": F("status", SALES_ORDER_STATUS),
        "payment_term": _TERM,
        "memo": F("memo", to_str),
        "tracking_categories": TRACKING,
        "issue_date": _DATE,
        "transaction_number": F("tranid", to_str),
        "total": F("foreigntotal", positive),
        "lines": Each("lines", SALES_ORDER_LINE),
        "remote_created_at": _CREATED,
        "remote_updated_at": _UPDATED,
        "remote_was_deleted": _LIVE,
    },
)

ITEM_FULFILLMENT = ModelMap(
    model="ItemFulfillment",
    struct=ItemFulfillment,
    stream=ITEM_FULFILLMENTS,
    fields={
        "remote_id": _ID,
        "sales_order": Ref("createdfrom", "SalesOrder"),
        "fulfillment_date": _DATE,
        "customer": _CONTACT,
        "company": COMPANY,
        "status": Computed(
            lambda r, c: (
                ItemFulfillmentStatus(FULFILLMENT_STATUS[r["status"]])
                if r.get("status") in FULFILLMENT_STATUS
                else None
            )
        ),
        "memo": F("memo", to_str),
        "lines": Each("lines", FULFILLMENT_LINE),
        "remote_created_at": _CREATED,
        "remote_updated_at": _UPDATED,
        "remote_was_deleted": _LIVE,
    },
)

DOCUMENTS: Sequence[ModelMap] = (
    INVOICE,
    CREDIT_NOTE,
    VENDOR_CREDIT,
    PURCHASE_ORDER,
    SALES_ORDER,
    ITEM_FULFILLMENT,
    PAYMENT,
    JOURNAL_ENTRY,
    EXPENSE,
    TRANSACTION,
)
