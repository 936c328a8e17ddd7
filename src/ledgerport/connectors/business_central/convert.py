"""Business Central's wire values as Python: escaped enums, blank dates and GUIDs, date formulas, OData literals.

* **Enums** travel in v2.0's escaped form (``G_x002F_L_x0020_Account``, ``Non_x002D_Inventory``; FACTS.md §1):
  :func:`enum_text` unescapes them, so the tables below are written in BC's own words.
* **Blank values**: BC's empty date is ``0001-01-01`` and its empty reference the all-zero GUID (§1); both are
  ``None`` here, never a date in year 1 or a reference to nothing.
* **Date formulas** (``dueDateCalculation``: ``30D``, ``<14D>``, ``CM+1M``): only a plain number of days says how
  many days a term gives; anything else (month ends, weeks) is left unsaid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from ledgerport.connectors._base.convert import iso_date, iso_datetime, to_decimal
from ledgerport.models.account import AccountStatus, Classification
from ledgerport.models.credit_note import CreditNoteStatus
from ledgerport.models.enums import ActiveOrArchived, ActiveOrInactive
from ledgerport.models.invoice import InvoiceStatus
from ledgerport.models.item import ItemType
from ledgerport.models.purchase_order import PurchaseOrderStatus
from ledgerport.models.sales_order import SalesOrderStatus

__all__ = [
    "ACCOUNT_CLASS",
    "CREDIT_MEMO_STATUS",
    "EMPTY_GUID",
    "ITEM_TYPE",
    "ORDER_STATUS",
    "PURCHASE_ORDER_STATUS",
    "bc_date",
    "bc_datetime",
    "blocked_account",
    "blocked_archived",
    "days_of",
    "employee_status",
    "enum_of",
    "enum_text",
    "guid",
    "invoice_status",
    "magnitude",
    "odata_datetime",
]

EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DAYS = re.compile(r"^<?\s*(\d+)\s*D\s*>?$", re.IGNORECASE)

E = TypeVar("E")


def enum_text(value: Any) -> str | None:
    """An enum member as BC names it: ``G_x002F_L_x0020_Account`` → ``G/L Account``, ``_x0020_`` → ``""``."""
    if value is None:
        return None
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), str(value)).strip()


def enum_of(table: Mapping[str, E]) -> Callable[[Any], E | None]:
    """A converter from an escaped BC enum member to a common value, through a table in BC's plain words."""

    def convert(value: Any) -> E | None:
        text = enum_text(value)
        return None if text is None else table.get(text)

    return convert


def bc_date(value: Any) -> datetime | None:
    """A ``YYYY-MM-DD`` date at midnight UTC; BC's blank date ``0001-01-01`` is ``None``."""
    if value in (None, "", "0001-01-01"):
        return None
    return iso_date(value)


def bc_datetime(value: Any) -> datetime | None:
    """An ISO datetime; BC's blank ``0001-01-01T00:00:00Z`` is ``None``."""
    if value in (None, "") or str(value).startswith("0001-01-01"):
        return None
    return iso_datetime(value)


def odata_datetime(moment: datetime) -> str:
    """An OData datetime literal as BC's filters take it: UTC, milliseconds, ``Z``, unquoted."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def guid(value: Any) -> str | None:
    """A reference GUID, or ``None`` for BC's empty one."""
    if value is None or value == "" or str(value) == EMPTY_GUID:
        return None
    return str(value)


def magnitude(value: Any) -> Decimal | None:
    """The amount without its sign (journal payment amounts are signed by BC's debit/credit convention)."""
    amount = to_decimal(value)
    return None if amount is None else abs(amount)


def days_of(value: Any) -> int | None:
    """The days of a plain-days date formula (``30D``, ``<30D>``); ``None`` for any other formula."""
    match = _DAYS.match(str(value or "").strip())
    return int(match.group(1)) if match else None


def blocked_archived(value: Any) -> ActiveOrArchived:
    """``blocked``, a bool (items) or an enum whose blank member means not blocked (customers, vendors)."""
    if isinstance(value, bool):
        return ActiveOrArchived.ARCHIVED if value else ActiveOrArchived.ACTIVE
    return ActiveOrArchived.ARCHIVED if enum_text(value) else ActiveOrArchived.ACTIVE


def blocked_account(value: Any) -> AccountStatus:
    """A G/L account's ``blocked`` flag as Merge's account status."""
    return AccountStatus.INACTIVE if value is True else AccountStatus.ACTIVE


def employee_status(value: Any) -> ActiveOrInactive | None:
    """``Active`` is active; ``Inactive`` and ``Terminated`` are not."""
    text = enum_text(value)
    if not text:
        return None
    return ActiveOrInactive.ACTIVE if text == "Active" else ActiveOrInactive.INACTIVE


def invoice_status(record: Any) -> InvoiceStatus | None:
    """A document's ``status`` (enum 5477), with an open invoice that has been part paid told apart.

    ``Canceled`` and ``Corrective`` are both voids in Merge's words: a canceled invoice was reversed by a
    corrective credit memo (FACTS.md §6.1)."""
    text = enum_text(record.get("status"))
    if text == "Open":
        remaining, total = to_decimal(record.get("remainingAmount")), to_decimal(record.get("totalAmountIncludingTax"))
        if remaining is not None and total is not None and 0 < remaining < total:
            return InvoiceStatus.PARTIALLY_PAID
        return InvoiceStatus.OPEN
    return _INVOICE_STATUS.get(text or "")


_INVOICE_STATUS = {
    "Draft": InvoiceStatus.DRAFT,
    "In Review": InvoiceStatus.SUBMITTED,
    "Paid": InvoiceStatus.PAID,
    "Canceled": InvoiceStatus.VOID,
    "Corrective": InvoiceStatus.VOID,
}

CREDIT_MEMO_STATUS = enum_of(
    {
        "Draft": CreditNoteStatus.SUBMITTED,
        "In Review": CreditNoteStatus.SUBMITTED,
        "Open": CreditNoteStatus.AUTHORIZED,
        "Paid": CreditNoteStatus.PAID,
    }
)
"""Merge's credit note statuses have no draft or void: a draft is submitted, canceled ones have none."""

ORDER_STATUS = enum_of(
    {"Draft": SalesOrderStatus.DRAFT, "In Review": SalesOrderStatus.PENDING_APPROVAL, "Open": SalesOrderStatus.OPEN}
)
"""A sales order's ``status`` (Released is Open); fully shipped orders are completed (see the mapping)."""

PURCHASE_ORDER_STATUS = enum_of(
    {
        "Draft": PurchaseOrderStatus.DRAFT,
        "In Review": PurchaseOrderStatus.SUBMITTED,
        "Open": PurchaseOrderStatus.AUTHORIZED,
    }
)

ACCOUNT_CLASS = enum_of(
    {
        "Assets": Classification.ASSET,
        "Liabilities": Classification.LIABILITY,
        "Equity": Classification.EQUITY,
        "Income": Classification.REVENUE,
        "Cost of Goods Sold": Classification.EXPENSE,
        "Expense": Classification.EXPENSE,
    }
)

ITEM_TYPE = enum_of(
    {"Inventory": ItemType.INVENTORY, "Service": ItemType.SERVICE, "Non-Inventory": ItemType.NON_INVENTORY}
)
