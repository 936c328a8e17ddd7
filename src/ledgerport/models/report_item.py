"""The rows of a financial statement: a named value and the rows it totals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from ledgerport.models._base import CommonModel, Ref

__all__ = ["ReportItem"]


class ReportItem(CommonModel, kw_only=True):
    """Merge: one line of a balance sheet, income statement or cash-flow statement.

    Merge's schema types ``sub_items`` as an object, but its examples and its API return a list of report items;
    the list is what clients walk, so the tree is a list here.
    """

    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    value: Decimal | None = None
    sub_items: list[ReportItem] = msgspec.field(default_factory=list)
    company: Ref | None = None
    remote_was_deleted: bool | None = None
