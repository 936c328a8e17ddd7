"""Item fulfillments (shipments of a sales order) and their lines: Merge's ``ItemFulfillment``."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref, RemoteField

__all__ = ["ItemFulfillment", "ItemFulfillmentLine", "ItemFulfillmentStatus"]


class ItemFulfillmentStatus(enum.StrEnum):
    """Merge's ``ItemFulfillmentStatusEnum``."""

    DRAFT = "DRAFT"
    IN_PROGRESS = "IN_PROGRESS"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"


class ItemFulfillment(CommonModel, kw_only=True):
    """Merge: the recorded shipment or delivery of some or all items on an associated sales order."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    sales_order: Ref | None = None
    fulfillment_date: datetime | None = None
    customer: Ref | None = None
    company: Ref | None = None
    status: ItemFulfillmentStatus | None = None
    memo: str | None = None
    lines: list[ItemFulfillmentLine] = msgspec.field(default_factory=list)
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class ItemFulfillmentLine(CommonModel, kw_only=True):
    """What was shipped of one sales order line; ``quantity`` is a decimal string in Merge's spec."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    item: Ref | None = None
    sales_order_line: Ref | None = None
    quantity: DecimalString | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None
    remote_was_deleted: bool | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)
