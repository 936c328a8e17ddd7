"""Credit notes issued to customers, their lines, and the invoices they are applied to."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref
from ledgerport.models.currency import Currency

__all__ = ["CreditNote", "CreditNoteApplyLineForCreditNote", "CreditNoteLineItem", "CreditNoteStatus"]


class CreditNoteStatus(enum.StrEnum):
    """Merge's ``CreditNoteStatusEnum``."""

    SUBMITTED = "SUBMITTED"
    AUTHORIZED = "AUTHORIZED"
    PAID = "PAID"


class CreditNote(CommonModel, kw_only=True):
    """Merge: a transaction issued to a customer, indicating a reduction or cancellation of the amount owed."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    transaction_date: datetime | None = None
    status: CreditNoteStatus | None = None
    number: str | None = None
    contact: Ref | None = None
    company: Ref | None = None
    exchange_rate: DecimalString | None = None
    total_amount: Decimal | None = None
    remaining_credit: Decimal | None = None
    inclusive_of_tax: bool | None = None
    line_items: list[CreditNoteLineItem] = msgspec.field(default_factory=list)
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    currency: Currency | None = None
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None
    payments: list[Ref] = msgspec.field(default_factory=list)
    applied_payments: list[Ref] = msgspec.field(default_factory=list)
    accounting_period: Ref | None = None
    applied_to_lines: list[CreditNoteApplyLineForCreditNote] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None


class CreditNoteLineItem(CommonModel, kw_only=True):
    """One line of a credit note; its amounts are decimal strings in Merge's spec."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    item: Ref | None = None
    name: str | None = None
    description: str | None = None
    quantity: DecimalString | None = None
    memo: str | None = None
    unit_price: DecimalString | None = None
    tax_rate: Ref | None = None
    total_line_amount: DecimalString | None = None
    tracking_category: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    account: Ref | None = None
    company: Ref | None = None
    contact: Ref | None = None
    project: Ref | None = None
    remote_was_deleted: bool | None = None


class CreditNoteApplyLineForCreditNote(CommonModel, kw_only=True):
    """The credit note applied to one invoice, as seen from the credit note."""

    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    invoice: Ref | None = None
    applied_date: datetime | None = None
    applied_amount: DecimalString | None = None
    remote_was_deleted: bool | None = None
