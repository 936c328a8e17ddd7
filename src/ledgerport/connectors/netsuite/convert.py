"""NetSuite values → common-model values: booleans, multi-selects, signs, and the code tables.

SuiteQL writes booleans as ``'T'``/``'F'``, multi-selects as ``"1, 2"``, numbers as JSON numbers or text (both
are accepted), and leaves null columns out of a row. Amounts follow the GL (FACTS.md; the sandbox documents the
same in ``sandboxes/netsuite/project.py``): on the transaction's lines, debits are positive and credits negative, so
an invoice's income lines are negative and a bill's expense lines positive. :data:`LINE_SIGN` turns each type's
lines back into the positive amounts Merge shows; document totals are shown positive (``positive``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.convert import enum_map, iso_datetime, to_decimal
from ledgerport.models.account import AccountAccountType, AccountStatus, Classification
from ledgerport.models.country import Country
from ledgerport.models.credit_note import CreditNoteStatus
from ledgerport.models.enums import ActiveOrArchived, ActiveOrInactive
from ledgerport.models.invoice import InvoiceStatus, InvoiceType
from ledgerport.models.item import ItemType
from ledgerport.models.journal_entry import PostingStatus
from ledgerport.models.payment import PaymentType
from ledgerport.models.purchase_order import PurchaseOrderStatus
from ledgerport.models.sales_order import SalesOrderStatus

__all__ = [
    "ACCOUNT_CLASS",
    "ACCOUNT_TYPE",
    "CREDIT_NOTE_STATUS",
    "FULFILLMENT_STATUS",
    "INVOICE_TYPE",
    "ITEM_TYPE",
    "LINE_SIGN",
    "PAYMENT_TYPE",
    "PURCHASE_ORDER_STATUS",
    "RELATED_TYPE",
    "SALES_ORDER_STATUS",
    "TRANSACTION_TYPE",
    "account_status",
    "active_or_archived",
    "active_or_inactive",
    "country",
    "first_id",
    "instant",
    "invoice_status",
    "is_active",
    "line_amount",
    "ns_bool",
    "percent",
    "positive",
    "posting_status",
    "quantity",
]


def instant(value: Any) -> datetime | None:
    """A date-time the streams gave the account's offset (``…T10:15:00-08:00``), as UTC."""
    moment = iso_datetime(value)
    return None if moment is None else moment.astimezone(UTC)


def ns_bool(value: Any) -> bool | None:
    """``'T'`` / ``'F'`` (or a JSON boolean) as a boolean."""
    if value is None or isinstance(value, bool):
        return value
    return str(value).strip().upper() in {"T", "TRUE"}


def active_or_archived(value: Any) -> ActiveOrArchived | None:
    """``isinactive`` as Merge's status."""
    inactive = ns_bool(value)
    return ActiveOrArchived.ACTIVE if not inactive else ActiveOrArchived.ARCHIVED


def active_or_inactive(value: Any) -> ActiveOrInactive | None:
    """``isinactive`` as an employee's status."""
    return ActiveOrInactive.INACTIVE if ns_bool(value) else ActiveOrInactive.ACTIVE


def account_status(value: Any) -> AccountStatus:
    """``isinactive`` as an account's status."""
    return AccountStatus.INACTIVE if ns_bool(value) else AccountStatus.ACTIVE


def is_active(value: Any) -> bool:
    """``isinactive`` turned around."""
    return not ns_bool(value)


def first_id(value: Any) -> str | None:
    """The lowest id of a multi-select (``"3, 1"`` → ``"1"``): the subsidiary a record belongs to first.

    NetSuite documents no order for a multi-select's ids, and the first one written may be an elimination subsidiary
    (never a CompanyInfo). The lowest id is the one made first: the root subsidiary where the record is shared with
    it, and never an elimination subsidiary made under a parent that is listed too (guess: ids grow with creation)."""
    if value is None or value == "":
        return None
    ids = [part.strip() for part in str(value).split(",") if part.strip()]
    if not ids:
        return None
    return min(ids, key=lambda one: (0, int(one), "") if one.isdigit() else (1, 0, one))


def positive(value: Any) -> Decimal | None:
    """A document total as Merge shows it: without the GL sign."""
    amount = to_decimal(value)
    return None if amount is None else abs(amount)


def quantity(value: Any) -> Decimal | None:
    """A line quantity, shown positive (NetSuite keeps some negative, as their amounts)."""
    return positive(value)


def percent(value: Any) -> Decimal | None:
    """A tax rate: a number, or text such as ``"8.25%"``."""
    if value is None or value == "":
        return None
    return to_decimal(str(value).strip().rstrip("%").strip()) if isinstance(value, str) else to_decimal(value)


def country(value: Any) -> Country | None:
    """An ISO 3166-1 alpha-2 code (SuiteQL's ``entityaddress.country``); anything else is unknown."""
    if value in (None, ""):
        return None
    try:
        return Country(str(value).strip().upper())
    except ValueError:
        return None


LINE_SIGN: Mapping[str, int] = {
    "CustInvc": -1,
    "CashSale": -1,
    "SalesOrd": -1,
    "CustCred": 1,
    "VendBill": 1,
    "PurchOrd": 1,
    "Check": 1,
    "CardChrg": 1,
    "ExpRept": 1,
    "VendCred": -1,
    "Deposit": -1,
    "CustDep": -1,
    "CustRfnd": 1,
    "CardRfnd": -1,
    "CustPymt": -1,
    "VendPymt": 1,
    "Journal": 1,
    "ItemShip": 1,
}
"""Per transaction type, the sign that makes its lines' GL amounts read as Merge's (positive) line amounts."""


def line_amount(line: Any, document: Any) -> Decimal | None:
    """A line's amount in the transaction's currency, with its document type's sign taken off."""
    amount = to_decimal(line.get("foreignamount")) if isinstance(line, Mapping) else None
    if amount is None:
        return None
    kind = document.get("type") if isinstance(document, Mapping) else None
    return amount * LINE_SIGN.get(str(kind), 1)


ACCOUNT_TYPE = enum_map(
    {
        "Bank": AccountAccountType.BANK,
        "AcctRec": AccountAccountType.ACCOUNTS_RECEIVABLE,
        "OthCurrAsset": AccountAccountType.OTHER_CURRENT_ASSET,
        "FixedAsset": AccountAccountType.FIXED_ASSET,
        "OthAsset": AccountAccountType.OTHER_ASSET,
        "DeferExpense": AccountAccountType.OTHER_CURRENT_ASSET,
        "UnbilledRec": AccountAccountType.OTHER_CURRENT_ASSET,
        "AcctPay": AccountAccountType.ACCOUNTS_PAYABLE,
        "CredCard": AccountAccountType.CREDIT_CARD,
        "OthCurrLiab": AccountAccountType.OTHER_CURRENT_LIABILITY,
        "DeferRevenue": AccountAccountType.OTHER_CURRENT_LIABILITY,
        "LongTermLiab": AccountAccountType.LONG_TERM_LIABILITY,
        "Income": AccountAccountType.OTHER_INCOME,
        "OthIncome": AccountAccountType.OTHER_INCOME,
        "COGS": AccountAccountType.COST_OF_GOODS_SOLD,
        "Expense": AccountAccountType.OTHER_EXPENSE,
        "OthExpense": AccountAccountType.OTHER_EXPENSE,
        "NonPosting": AccountAccountType.NON_POSTING,
        "Stat": AccountAccountType.NON_POSTING,
    }
)
"""``accttype`` → Merge's account type. Merge has no plain income or expense type: ``Income`` and ``Expense`` take
the nearest (``OTHER_INCOME``, ``OTHER_EXPENSE``); the classification says which side they are on."""

ACCOUNT_CLASS = enum_map(
    {
        **dict.fromkeys(
            ("Bank", "AcctRec", "OthCurrAsset", "FixedAsset", "OthAsset", "DeferExpense", "UnbilledRec"),
            Classification.ASSET,
        ),
        **dict.fromkeys(
            ("AcctPay", "CredCard", "OthCurrLiab", "LongTermLiab", "DeferRevenue"), Classification.LIABILITY
        ),
        "Equity": Classification.EQUITY,
        "Income": Classification.REVENUE,
        "OthIncome": Classification.REVENUE,
        "COGS": Classification.EXPENSE,
        "Expense": Classification.EXPENSE,
        "OthExpense": Classification.EXPENSE,
    }
)
"""FACTS.md §1.4's table; non-posting and statistical accounts have no classification."""

ITEM_TYPE = enum_map(
    {
        "InvtPart": ItemType.INVENTORY,
        "Assembly": ItemType.INVENTORY,
        "NonInvtPart": ItemType.NON_INVENTORY,
        "Kit": ItemType.NON_INVENTORY,
        "Service": ItemType.SERVICE,
    },
    default=ItemType.UNKNOWN,
)
"""``itemtype`` → Merge's item type; charges, discounts, markups, groups, payments and the like are UNKNOWN."""

INVOICE_TYPE = enum_map({"CustInvc": InvoiceType.ACCOUNTS_RECEIVABLE, "VendBill": InvoiceType.ACCOUNTS_PAYABLE})
PAYMENT_TYPE = enum_map({"CustPymt": PaymentType.ACCOUNTS_RECEIVABLE, "VendPymt": PaymentType.ACCOUNTS_PAYABLE})

_INVOICE_STATUS: Mapping[str, Mapping[str, InvoiceStatus]] = {
    "CustInvc": {
        "A": InvoiceStatus.OPEN,
        "B": InvoiceStatus.PAID,
        "D": InvoiceStatus.SUBMITTED,
        "E": InvoiceStatus.DRAFT,
        "V": InvoiceStatus.VOID,
    },
    "VendBill": {
        "A": InvoiceStatus.OPEN,
        "B": InvoiceStatus.PAID,
        "C": InvoiceStatus.VOID,
        "D": InvoiceStatus.SUBMITTED,
        "E": InvoiceStatus.DRAFT,
        "F": InvoiceStatus.PAID,
    },
}
"""Letters from FACTS.md §1.2: pending approval is SUBMITTED, rejected goes back to DRAFT, a cancelled bill is VOID,
"payment in transit" is PAID. An open document with part of it paid is PARTIALLY_PAID (:func:`invoice_status`)."""


def invoice_status(record: Any) -> InvoiceStatus | None:
    """An invoice's or bill's status from its type and letter, and what remains of it."""
    if ns_bool(record.get("voided")):
        return InvoiceStatus.VOID
    status = _INVOICE_STATUS.get(str(record.get("type")), {}).get(str(record.get("status")))
    if status is InvoiceStatus.OPEN:
        remaining, total = positive(record.get("foreignamountremaining")), positive(record.get("foreigntotal"))
        if remaining is not None and total and remaining < total:
            return InvoiceStatus.PARTIALLY_PAID if remaining else InvoiceStatus.PAID
    return status


CREDIT_NOTE_STATUS = enum_map({"A": CreditNoteStatus.AUTHORIZED, "B": CreditNoteStatus.PAID})
"""Open credit → AUTHORIZED, fully applied → PAID; a voided one has no Merge status."""

PURCHASE_ORDER_STATUS = enum_map(
    {
        "A": PurchaseOrderStatus.SUBMITTED,
        "B": PurchaseOrderStatus.AUTHORIZED,
        "C": PurchaseOrderStatus.DRAFT,
        "D": PurchaseOrderStatus.AUTHORIZED,
        "E": PurchaseOrderStatus.AUTHORIZED,
        "F": PurchaseOrderStatus.AUTHORIZED,
        "G": PurchaseOrderStatus.BILLED,
        "H": PurchaseOrderStatus.BILLED,
    }
)
"""Pending supervisor approval is SUBMITTED; receiving and billing states are AUTHORIZED until fully billed."""

SALES_ORDER_STATUS = enum_map(
    {
        "A": SalesOrderStatus.PENDING_APPROVAL,
        "B": SalesOrderStatus.OPEN,
        "C": SalesOrderStatus.CLOSED,
        "D": SalesOrderStatus.PARTIALLY_COMPLETED,
        "E": SalesOrderStatus.PARTIALLY_COMPLETED,
        "F": SalesOrderStatus.PARTIALLY_COMPLETED,
        "G": SalesOrderStatus.COMPLETED,
        "H": SalesOrderStatus.CLOSED,
    }
)

FULFILLMENT_STATUS = {"A": "IN_PROGRESS", "B": "IN_PROGRESS", "C": "SHIPPED"}
"""Picked and packed shipments are IN_PROGRESS, shipped ones SHIPPED (Merge's ItemFulfillmentStatusEnum)."""


def posting_status(record: Any) -> PostingStatus | None:
    """A journal posts when approved (``B``) and not voided."""
    if ns_bool(record.get("voided")):
        return PostingStatus.UNPOSTED
    return PostingStatus.POSTED if ns_bool(record.get("posting")) else PostingStatus.UNPOSTED


TRANSACTION_TYPE: Mapping[str, str] = {
    "CashSale": "Cash Sale",
    "Deposit": "Deposit",
    "CustDep": "Customer Deposit",
    "CustRfnd": "Customer Refund",
    "CardRfnd": "Credit Card Refund",
    "Check": "Check",
    "CardChrg": "Credit Card Charge",
    "ExpRept": "Expense Report",
}
"""NetSuite's names for the types shown as Transactions (``transaction_type``)."""

RELATED_TYPE: Mapping[str, tuple[str, str]] = {
    "CustInvc": ("Invoice", "INVOICE"),
    "VendBill": ("Invoice", "INVOICE"),
    "CustCred": ("CreditNote", "CREDIT_NOTE"),
    "VendCred": ("VendorCredit", "VENDOR_CREDIT"),
    "Journal": ("JournalEntry", "JOURNAL_ENTRY"),
    "CustPymt": ("Payment", "PAYMENT"),
    "VendPymt": ("Payment", "PAYMENT"),
}
"""A linked document's type → (its common model, Merge's ``related_object_type``)."""
