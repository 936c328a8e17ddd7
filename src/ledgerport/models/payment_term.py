"""Payment terms (net 30, ...) that invoices and orders refer to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledgerport.models._base import CommonModel, Ref

__all__ = ["PaymentTerm"]


class PaymentTerm(CommonModel, kw_only=True):
    """Merge: "the agreed-upon conditions between a buyer and a seller" for payment."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    is_active: bool | None = None
    company: Ref | None = None
    days_until_due: int | None = None
    discount_days: int | None = None
    remote_last_modified_at: datetime | None = None
    field_mappings: dict[str, Any] | None = None
