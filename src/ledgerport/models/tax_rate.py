"""Tax rates and the components (e.g. state and county tax) they are made of."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref
from ledgerport.models.enums import ActiveOrArchived

__all__ = ["ComponentType", "TaxComponent", "TaxRate"]


class ComponentType(enum.StrEnum):
    """Merge's ``ComponentTypeEnum``: whether a component applies to sales or purchases."""

    SALES = "SALES"
    PURCHASE = "PURCHASE"


class TaxRate(CommonModel, kw_only=True):
    """Merge: used to represent a tax rate."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    company: Ref | None = None
    code: str | None = None
    name: str | None = None
    description: str | None = None
    status: ActiveOrArchived | None = None
    country: str | None = None  # a free string in Merge's spec, not Country
    total_tax_rate: Decimal | None = None
    effective_tax_rate: Decimal | None = None
    tax_components: list[TaxComponent] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None


class TaxComponent(CommonModel, kw_only=True):
    """Merge: "any sub-taxes that make up the ``TaxRate``"; nested, never stored on its own."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    rate: DecimalString | None = None
    is_compound: bool | None = None
    component_type: ComponentType | None = None
    remote_was_deleted: bool | None = None
