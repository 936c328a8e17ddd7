"""Accounting periods that transactions are booked in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledgerport.models._base import CommonModel
from ledgerport.models.enums import ActiveOrInactive

__all__ = ["AccountingPeriod"]


class AccountingPeriod(CommonModel, kw_only=True):
    """Merge: used to define a period of time in which events occurred."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    status: ActiveOrInactive | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    field_mappings: dict[str, Any] | None = None
