"""Credits issued by vendors, their lines, and the bills they are applied to."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref
from ledgerport.models.currency import Currency

__all__ = ["VendorCredit", "VendorCreditApplyLineForVendorCredit", "VendorCreditLine"]


class VendorCredit(CommonModel, kw_only=True):
    """Merge: a transaction issued by a vendor ... indicating a reduction or cancellation of the amount owed."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    number: str | None = None
    transaction_date: datetime | None = None
    vendor: Ref | None = None
    total_amount: Decimal | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    inclusive_of_tax: bool | None = None
    company: Ref | None = None
    lines: list[VendorCreditLine] = msgspec.field(default_factory=list)
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    applied_to_lines: list[VendorCreditApplyLineForVendorCredit] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    accounting_period: Ref | None = None
    field_mappings: dict[str, Any] | None = None


class VendorCreditLine(CommonModel, kw_only=True):
    """One line of a vendor credit; nested, never stored on its own."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    net_amount: Decimal | None = None
    tracking_category: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    description: str | None = None
    account: Ref | None = None
    company: Ref | None = None
    project: Ref | None = None
    contact: Ref | None = None
    tax_rate: Ref | None = None
    exchange_rate: DecimalString | None = None
    remote_was_deleted: bool | None = None


class VendorCreditApplyLineForVendorCredit(CommonModel, kw_only=True):
    """The vendor credit applied to one bill, as seen from the vendor credit."""

    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    invoice: Ref | None = None
    applied_date: datetime | None = None
    applied_amount: DecimalString | None = None
    remote_was_deleted: bool | None = None
