"""Purchase orders and their line items."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref, RemoteField
from ledgerport.models.currency import Currency

__all__ = ["PurchaseOrder", "PurchaseOrderLineItem", "PurchaseOrderStatus"]


class PurchaseOrderStatus(enum.StrEnum):
    """Merge's ``PurchaseOrderStatusEnum``."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    AUTHORIZED = "AUTHORIZED"
    BILLED = "BILLED"
    DELETED = "DELETED"


class PurchaseOrder(CommonModel, kw_only=True):
    """Merge: a request to purchase goods or services from a vendor."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    status: PurchaseOrderStatus | None = None
    issue_date: datetime | None = None
    purchase_order_number: str | None = None
    delivery_date: datetime | None = None
    delivery_address: Ref | None = None
    customer: Ref | None = None
    vendor: Ref | None = None
    memo: str | None = None
    company: Ref | None = None
    total_amount: Decimal | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    payment_term: Ref | None = None
    line_items: list[PurchaseOrderLineItem] = msgspec.field(default_factory=list)
    inclusive_of_tax: bool | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    accounting_period: Ref | None = None
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class PurchaseOrderLineItem(CommonModel, kw_only=True):
    """One line of a purchase order; nested, never stored on its own."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    description: str | None = None
    unit_price: Decimal | None = None
    quantity: Decimal | None = None
    item: Ref | None = None
    account: Ref | None = None
    tracking_category: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    tax_amount: DecimalString | None = None
    total_line_amount: DecimalString | None = None
    currency: Currency | None = None
    tax_rate: Ref | None = None
    exchange_rate: DecimalString | None = None
    company: Ref | None = None
    remote_was_deleted: bool | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)
