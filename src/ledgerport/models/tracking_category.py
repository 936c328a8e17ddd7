"""Classes, departments and similar tags that transactions are classified by."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from ledgerport.models._base import CommonModel, Ref
from ledgerport.models.enums import ActiveOrArchived

__all__ = ["CategoryType", "TrackingCategory"]


class CategoryType(enum.StrEnum):
    """Merge's ``CategoryTypeEnum``."""

    CLASS = "CLASS"
    DEPARTMENT = "DEPARTMENT"


class TrackingCategory(CommonModel, kw_only=True):
    """Merge: a categorization method used to classify transactions within an accounting platform."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    status: ActiveOrArchived | None = None
    category_type: CategoryType | None = None
    parent_category: Ref | None = None
    company: Ref | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
    tracking_category_url: str | None = None  # in Merge's SDK 4.x (wire-format §9), not in the 2026 spec
