"""Xero's wire dialect, read into common-model values: MS-JSON dates, LineAmountTypes and status words.

Xero writes moments as .NET "MS-JSON" dates, ``/Date(1700000000000+0000)/``: the number is milliseconds since the
epoch **in UTC**, and the optional ``±hhmm`` only says in which zone the moment was displayed, so it never shifts
the instant. Date-only fields (``Date``, ``DueDate``) are midnight UTC in that form, with a parallel ISO
``DateString`` without a zone. Everything here is a pure converter that returns ``None`` for ``None`` (so tables
never guard), and the status tables are data, read through ``enum_map``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.convert import currency, enum_map, iso_datetime, to_decimal
from ledgerport.models.account import AccountAccountType, AccountStatus, Classification
from ledgerport.models.country import Country
from ledgerport.models.credit_note import CreditNoteStatus
from ledgerport.models.enums import ActiveOrArchived
from ledgerport.models.invoice import InvoiceStatus, InvoiceType
from ledgerport.models.journal_entry import PostingStatus
from ledgerport.models.payment import PaymentType
from ledgerport.models.purchase_order import PurchaseOrderStatus

__all__ = [
    "ACCOUNT_CLASS",
    "ACCOUNT_STATUS",
    "ACCOUNT_TYPE",
    "ACTIVE_OR_ARCHIVED",
    "CREDIT_NOTE_STATUS",
    "EXPENSE_TYPES",
    "INVOICE_STATUS",
    "INVOICE_TYPE",
    "PAYMENT_TYPE",
    "POSTING_STATUS",
    "PURCHASE_ORDER_STATUS",
    "country",
    "currency",
    "expense_amount",
    "http_date",
    "inclusive_of_tax",
    "unique",
    "xero_date",
    "xero_day",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")


def xero_date(value: Any) -> datetime | None:
    """A tz-aware UTC datetime from ``/Date(ms[±hhmm])/`` or from ISO text (``DateString``, ``/connections``).

    The milliseconds are added to the epoch as a ``timedelta`` (exact, and negative epochs work on every platform,
    unlike ``fromtimestamp``). ISO text without a zone is UTC, as Xero means it.
    """
    if value is None or value == "":
        return None
    text = str(value).strip()
    found = _MS_DATE.match(text)
    if found is not None:
        return _EPOCH + timedelta(milliseconds=int(found.group(1)))
    return iso_datetime(text)


def xero_day(value: Any) -> datetime | None:
    """A date-only field as Merge carries dates: midnight UTC of the day (Xero's ``Date`` holds no time)."""
    moment = xero_date(value)
    return None if moment is None else datetime.combine(moment.date(), datetime.min.time(), UTC)


def http_date(moment: datetime) -> str:
    """``If-Modified-Since`` text: UTC ISO 8601 truncated to the second.

    Xero compares to the second; truncating down re-reads at most the records of that same second (upserts are
    idempotent) but never skips one.
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


_LINE_AMOUNT_TYPES: Mapping[str, bool] = {"Inclusive": True, "Exclusive": False, "NoTax": False}


def inclusive_of_tax(value: Any) -> bool | None:
    """``LineAmountTypes``: ``Inclusive`` amounts include tax; ``Exclusive`` and ``NoTax`` ones do not."""
    return None if value is None else _LINE_AMOUNT_TYPES.get(str(value))


EXPENSE_TYPES = frozenset({"SPEND", "RECEIVE"})
"""The bank transactions that are Expenses: Spend Money (a purchase) and Receive Money (a refund). Transfers and
over- or prepayments (``SPEND-TRANSFER``, ``RECEIVE-OVERPAYMENT``, ...) are Transactions (see ``documents``)."""


def expense_amount(value: Any, transaction: Any) -> Decimal | None:
    """An amount of a bank transaction (or of one of its lines) signed as Merge signs expenses: negative for Spend
    Money, positive for Receive Money. Xero keeps both positive and says which by ``Type``."""
    amount = to_decimal(value)
    if amount is None:
        return None
    return amount if isinstance(transaction, Mapping) and transaction.get("Type") == "RECEIVE" else -amount


def country(value: Any) -> Country | None:
    """An address country: Xero keeps free text, so only a two-letter ISO code is trusted (names become None)."""
    if value in (None, ""):
        return None
    try:
        return Country(str(value).strip().upper())
    except ValueError:
        return None


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order without repeats (document-level tracking from its lines)."""
    return list(dict.fromkeys(values))


# --- status and type tables (Xero word -> Merge enum) ---------------------------------------------------------------

INVOICE_TYPE = enum_map({"ACCREC": InvoiceType.ACCOUNTS_RECEIVABLE, "ACCPAY": InvoiceType.ACCOUNTS_PAYABLE})

INVOICE_STATUS: Mapping[str, InvoiceStatus] = {
    "DRAFT": InvoiceStatus.DRAFT,
    "SUBMITTED": InvoiceStatus.SUBMITTED,
    "AUTHORISED": InvoiceStatus.OPEN,
    "PAID": InvoiceStatus.PAID,
    "VOIDED": InvoiceStatus.VOID,
    "DELETED": InvoiceStatus.VOID,
}
"""AUTHORISED with a payment and something still due is PARTIALLY_PAID: ``mapping`` decides that from amounts."""

CREDIT_NOTE_STATUS = enum_map(
    {
        "SUBMITTED": CreditNoteStatus.SUBMITTED,
        "AUTHORISED": CreditNoteStatus.AUTHORIZED,
        "PAID": CreditNoteStatus.PAID,
    }
)
"""Merge's enum has no DRAFT or VOID: a draft credit note has no status; VOIDED/DELETED ones are deletions."""

PURCHASE_ORDER_STATUS = enum_map(
    {
        "DRAFT": PurchaseOrderStatus.DRAFT,
        "SUBMITTED": PurchaseOrderStatus.SUBMITTED,
        "AUTHORISED": PurchaseOrderStatus.AUTHORIZED,
        "BILLED": PurchaseOrderStatus.BILLED,
        "DELETED": PurchaseOrderStatus.DELETED,
    }
)

POSTING_STATUS = enum_map(
    {
        "POSTED": PostingStatus.POSTED,
        "ARCHIVED": PostingStatus.POSTED,
        "DRAFT": PostingStatus.UNPOSTED,
        "DELETED": PostingStatus.UNPOSTED,
        "VOIDED": PostingStatus.UNPOSTED,
    }
)
"""A voided journal no longer touches the ledger, so it is UNPOSTED (and flagged deleted by the stream)."""

ACTIVE_OR_ARCHIVED = enum_map(
    {
        "ACTIVE": ActiveOrArchived.ACTIVE,
        "PENDING": ActiveOrArchived.ACTIVE,
        "ARCHIVED": ActiveOrArchived.ARCHIVED,
        "DELETED": ActiveOrArchived.ARCHIVED,
        "GDPRREQUEST": ActiveOrArchived.ARCHIVED,
    }
)

ACCOUNT_STATUS = enum_map(
    {"ACTIVE": AccountStatus.ACTIVE, "ARCHIVED": AccountStatus.INACTIVE, "DELETED": AccountStatus.INACTIVE}
)

ACCOUNT_CLASS = enum_map(
    {
        "ASSET": Classification.ASSET,
        "EQUITY": Classification.EQUITY,
        "EXPENSE": Classification.EXPENSE,
        "LIABILITY": Classification.LIABILITY,
        "REVENUE": Classification.REVENUE,
    }
)

ACCOUNT_TYPE: Mapping[str, AccountAccountType] = {
    "BANK": AccountAccountType.BANK,
    "CURRENT": AccountAccountType.OTHER_CURRENT_ASSET,
    "INVENTORY": AccountAccountType.OTHER_CURRENT_ASSET,
    "PREPAYMENT": AccountAccountType.OTHER_CURRENT_ASSET,
    "FIXED": AccountAccountType.FIXED_ASSET,
    "NONCURRENT": AccountAccountType.OTHER_ASSET,
    "CURRLIAB": AccountAccountType.OTHER_CURRENT_LIABILITY,
    "LIABILITY": AccountAccountType.OTHER_CURRENT_LIABILITY,
    "PAYG": AccountAccountType.OTHER_CURRENT_LIABILITY,
    "TERMLIAB": AccountAccountType.LONG_TERM_LIABILITY,
    "DIRECTCOSTS": AccountAccountType.COST_OF_GOODS_SOLD,
    "EXPENSE": AccountAccountType.OTHER_EXPENSE,
    "OVERHEADS": AccountAccountType.OTHER_EXPENSE,
    "DEPRECIATN": AccountAccountType.OTHER_EXPENSE,
    "REVENUE": AccountAccountType.OTHER_INCOME,
    "SALES": AccountAccountType.OTHER_INCOME,
    "OTHERINCOME": AccountAccountType.OTHER_INCOME,
}
"""Xero ``Type`` -> Merge's 13 types; EQUITY has no Merge type. System accounts and credit cards refine it."""

PAYMENT_TYPE = enum_map(
    {
        "ACCRECPAYMENT": PaymentType.ACCOUNTS_RECEIVABLE,
        "ARCREDITPAYMENT": PaymentType.ACCOUNTS_RECEIVABLE,
        "AROVERPAYMENTPAYMENT": PaymentType.ACCOUNTS_RECEIVABLE,
        "ARPREPAYMENTPAYMENT": PaymentType.ACCOUNTS_RECEIVABLE,
        "ACCPAYPAYMENT": PaymentType.ACCOUNTS_PAYABLE,
        "APCREDITPAYMENT": PaymentType.ACCOUNTS_PAYABLE,
        "APOVERPAYMENTPAYMENT": PaymentType.ACCOUNTS_PAYABLE,
        "APPREPAYMENTPAYMENT": PaymentType.ACCOUNTS_PAYABLE,
    }
)
"""The ledger side a payment settles, whichever way the money moves (a customer refund is still receivables)."""
