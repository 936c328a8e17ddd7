"""Projects that lines are allocated to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledgerport.models._base import CommonModel, Ref

__all__ = ["Project"]


class Project(CommonModel, kw_only=True):
    """Merge: used to track and manage time, costs, resources, and revenue for specific initiatives."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    is_active: bool | None = None
    company: Ref | None = None
    contact: Ref | None = None
    field_mappings: dict[str, Any] | None = None
