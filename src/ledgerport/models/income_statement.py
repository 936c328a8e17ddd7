"""Income statements (profit and loss) for one period."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, Ref
from ledgerport.models.currency import Currency
from ledgerport.models.report_item import ReportItem

__all__ = ["IncomeStatement"]


class IncomeStatement(CommonModel, kw_only=True):
    """Merge: income, costs and expenses between ``start_period`` and ``end_period``, and what they net to."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    currency: Currency | None = None
    company: Ref | None = None
    start_period: datetime | None = None
    end_period: datetime | None = None
    income: list[ReportItem] = msgspec.field(default_factory=list)
    cost_of_sales: list[ReportItem] = msgspec.field(default_factory=list)
    gross_profit: Decimal | None = None
    operating_expenses: list[ReportItem] = msgspec.field(default_factory=list)
    net_operating_income: Decimal | None = None
    non_operating_expenses: list[ReportItem] = msgspec.field(default_factory=list)
    net_income: Decimal | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
