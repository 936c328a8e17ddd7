"""Payments, and the lines that apply a payment to invoices, credit notes or journal entries."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref, RemoteField
from ledgerport.models.currency import Currency

__all__ = ["Payment", "PaymentLineItem", "PaymentType"]


class PaymentType(enum.StrEnum):
    """Merge's ``PaymentTypeEnum``."""

    ACCOUNTS_PAYABLE = "ACCOUNTS_PAYABLE"
    ACCOUNTS_RECEIVABLE = "ACCOUNTS_RECEIVABLE"


class Payment(CommonModel, kw_only=True):
    """Merge: general payments made towards a specific transaction."""

    id: str | None = None
    payment_url: str | None = None  # in Merge's SDK 4.x (wire-format §9), not in the 2026 spec
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    transaction_date: datetime | None = None
    contact: Ref | None = None
    account: Ref | None = None
    payment_method: Ref | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    company: Ref | None = None
    total_amount: Decimal | None = None
    type: PaymentType | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    accounting_period: Ref | None = None
    applied_to_lines: list[PaymentLineItem] = msgspec.field(default_factory=list)
    remote_updated_at: datetime | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class PaymentLineItem(CommonModel, kw_only=True):
    """Applies part of a payment to one invoice, credit note or journal entry (``related_object_type``)."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    applied_amount: DecimalString | None = None
    applied_date: datetime | None = None
    related_object_id: Ref | None = None  # an Invoice, CreditNote or JournalEntry
    related_object_type: str | None = None
