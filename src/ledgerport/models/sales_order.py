"""Sales orders and their lines."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref, RemoteField
from ledgerport.models.currency import Currency

__all__ = ["SalesOrder", "SalesOrderLine", "SalesOrderStatus"]


class SalesOrderStatus(enum.StrEnum):
    """Merge's ``SalesOrderStatusEnum``."""

    DRAFT = "DRAFT"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    OPEN = "OPEN"
    PARTIALLY_COMPLETED = "PARTIALLY_COMPLETED"
    COMPLETED = "COMPLETED"
    CLOSED = "CLOSED"


class SalesOrder(CommonModel, kw_only=True):
    """Merge: a seller's formal record and confirmation of a customer's purchase request."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    customer: Ref | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    company: Ref | None = None
    status: SalesOrderStatus | None = None
    payment_term: Ref | None = None
    memo: str | None = None
    shipping_address: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    issue_date: datetime | None = None
    transaction_number: str | None = None
    total: Decimal | None = None
    lines: list[SalesOrderLine] = msgspec.field(default_factory=list)
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class SalesOrderLine(CommonModel, kw_only=True):
    """One line of a sales order; its amounts are decimal strings in Merge's spec."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    description: str | None = None
    unit_price: DecimalString | None = None
    quantity: DecimalString | None = None
    item: Ref | None = None
    tax_rate: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    company: Ref | None = None
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None
    remote_was_deleted: bool | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)
