"""Manual journal entries and their debit/credit lines."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref, RemoteField
from ledgerport.models.currency import Currency

__all__ = ["JournalEntry", "JournalLine", "PostingStatus"]


class PostingStatus(enum.StrEnum):
    """Merge's ``PostingStatusEnum``."""

    UNPOSTED = "UNPOSTED"
    POSTED = "POSTED"


class JournalEntry(CommonModel, kw_only=True):
    """Merge: a record of a transaction or event that is entered into a company's accounting system."""

    id: str | None = None
    journal_entry_url: str | None = None  # in Merge's SDK 4.x (wire-format §9), not in the 2026 spec
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    transaction_date: datetime | None = None
    payments: list[Ref] = msgspec.field(default_factory=list)
    applied_payments: list[Ref] = msgspec.field(default_factory=list)
    memo: str | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    company: Ref | None = None
    inclusive_of_tax: bool | None = None
    lines: list[JournalLine] = msgspec.field(default_factory=list)
    journal_number: str | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    posting_status: PostingStatus | None = None
    accounting_period: Ref | None = None
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class JournalLine(CommonModel, kw_only=True):
    """One line of a journal entry; ``net_amount`` is positive for a debit, negative for a credit."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    account: Ref | None = None
    net_amount: Decimal | None = None
    tracking_category: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    currency: Currency | None = None
    company: Ref | None = None
    employee: Ref | None = None
    project: Ref | None = None
    contact: Ref | None = None
    tax_rate: Ref | None = None
    description: str | None = None
    exchange_rate: DecimalString | None = None
    remote_was_deleted: bool | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)
