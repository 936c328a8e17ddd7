"""Transactions that fit no other common model (deposits, transfers, ...); read-only in Merge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref
from ledgerport.models.currency import Currency

__all__ = ["Transaction", "TransactionLineItem"]


class Transaction(CommonModel, kw_only=True):
    """Merge: records of all types of transactions that do not appear in other common models."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    transaction_type: str | None = None
    number: str | None = None
    transaction_date: datetime | None = None
    account: Ref | None = None
    contact: Ref | None = None
    inclusive_of_tax: bool | None = None
    total_amount: DecimalString | None = None  # a decimal string in Merge's spec, unlike other totals
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    company: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    line_items: list[TransactionLineItem] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    accounting_period: Ref | None = None
    field_mappings: dict[str, Any] | None = None
    transaction_url: str | None = None  # in Merge's SDK 4.x (wire-format §9), not in the 2026 spec


class TransactionLineItem(CommonModel, kw_only=True):
    """One line of a transaction; its amounts are decimal strings in Merge's spec."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    memo: str | None = None
    unit_price: DecimalString | None = None
    quantity: DecimalString | None = None
    item: Ref | None = None
    account: Ref | None = None
    tracking_category: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    total_line_amount: DecimalString | None = None
    tax_rate: Ref | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    company: Ref | None = None
    remote_was_deleted: bool | None = None
