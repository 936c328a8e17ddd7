"""Direct purchases (cash, cheque, card) and their refunds, with their lines.

Merge tells a purchase from a refund by sign alone: "Expense objects with a negative amount are purchases and
Expense objects with a positive amount are refunds to those purchases" (the Expense description in both of
Merge's specs), and its Xero guide writes a negative line ``net_amount`` as Spend Money, a positive one as
Receive Money. So every amount here (``total_amount``, ``sub_total``, ``total_tax_amount``, a line's
``net_amount`` and ``unit_price``) carries that sign; ``quantity`` stays as counted, so that quantity times unit
price is the line's amount.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref, RemoteField
from ledgerport.models.currency import Currency

__all__ = ["Expense", "ExpenseLine"]


class Expense(CommonModel, kw_only=True):
    """Merge: a direct purchase by a business, typically made with a check, credit card, or cash (or its refund)."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    transaction_date: datetime | None = None
    remote_created_at: datetime | None = None
    account: Ref | None = None
    contact: Ref | None = None
    total_amount: Decimal | None = None
    sub_total: Decimal | None = None
    total_tax_amount: Decimal | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    inclusive_of_tax: bool | None = None
    company: Ref | None = None
    employee: Ref | None = None
    memo: str | None = None
    lines: list[ExpenseLine] = msgspec.field(default_factory=list)
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    accounting_period: Ref | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class ExpenseLine(CommonModel, kw_only=True):
    """One line of an expense; ``quantity`` and ``unit_price`` are decimal strings in Merge's 2026 spec and SDK."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    item: Ref | None = None
    net_amount: Decimal | None = None
    tracking_category: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    company: Ref | None = None
    employee: Ref | None = None
    currency: Currency | None = None
    account: Ref | None = None
    contact: Ref | None = None
    project: Ref | None = None
    description: str | None = None
    exchange_rate: DecimalString | None = None
    tax_rate: Ref | None = None
    quantity: DecimalString | None = None
    unit_price: DecimalString | None = None
    remote_was_deleted: bool | None = None
