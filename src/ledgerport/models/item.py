"""Products and services that line items refer to."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerport.models._base import CommonModel, Ref
from ledgerport.models.enums import ActiveOrArchived

__all__ = ["Item", "ItemType"]


class ItemType(enum.StrEnum):
    """Merge's ``Type2bbEnum`` (the name is a hash in Merge's spec)."""

    INVENTORY = "INVENTORY"
    NON_INVENTORY = "NON_INVENTORY"
    SERVICE = "SERVICE"
    UNKNOWN = "UNKNOWN"


class Item(CommonModel, kw_only=True):
    """Merge: the goods involved in a transaction."""

    id: str | None = None
    item_url: str | None = None  # in Merge's SDK 4.x (wire-format §9), not in the 2026 spec
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    status: ActiveOrArchived | None = None
    type: ItemType | None = None
    unit_price: Decimal | None = None
    purchase_price: Decimal | None = None
    purchase_account: Ref | None = None
    sales_account: Ref | None = None
    company: Ref | None = None
    purchase_tax_rate: Ref | None = None
    sales_tax_rate: Ref | None = None
    remote_updated_at: datetime | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
