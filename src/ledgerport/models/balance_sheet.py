"""Balance sheets: a company's assets, liabilities and equity at one date."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, Ref
from ledgerport.models.currency import Currency
from ledgerport.models.report_item import ReportItem

__all__ = ["BalanceSheet"]


class BalanceSheet(CommonModel, kw_only=True):
    """Merge: a company's financial position at ``date``; ``net_assets`` is assets less liabilities."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    currency: Currency | None = None
    company: Ref | None = None
    date: datetime | None = None
    net_assets: Decimal | None = None
    assets: list[ReportItem] = msgspec.field(default_factory=list)
    liabilities: list[ReportItem] = msgspec.field(default_factory=list)
    equity: list[ReportItem] = msgspec.field(default_factory=list)
    remote_generated_at: datetime | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
