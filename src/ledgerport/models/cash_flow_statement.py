"""Cash-flow statements for one period."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, Ref
from ledgerport.models.currency import Currency
from ledgerport.models.report_item import ReportItem

__all__ = ["CashFlowStatement"]


class CashFlowStatement(CommonModel, kw_only=True):
    """Merge: where cash came from and went between ``start_period`` and ``end_period``.

    ``cash_at_end_of_period`` is ``cash_at_beginning_of_period`` plus the three activities' totals.
    """

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    currency: Currency | None = None
    company: Ref | None = None
    start_period: datetime | None = None
    end_period: datetime | None = None
    cash_at_beginning_of_period: Decimal | None = None
    cash_at_end_of_period: Decimal | None = None
    operating_activities: list[ReportItem] = msgspec.field(default_factory=list)
    investing_activities: list[ReportItem] = msgspec.field(default_factory=list)
    financing_activities: list[ReportItem] = msgspec.field(default_factory=list)
    remote_generated_at: datetime | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
