"""Payment methods: how a payment was made (cash, check, a card, ACH), as the company names them.

QuickBooks Online keeps them as the ``PaymentMethod`` name list (``Name``, ``Type`` CREDIT_CARD or
NON_CREDIT_CARD, ``Active``). Xero has no payment method entity (a payment names only the bank account it went
through), so a Xero account's list is empty.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from ledgerport.models._base import CommonModel

__all__ = ["MethodType", "PaymentMethod"]


class MethodType(enum.StrEnum):
    """Merge's ``MethodTypeEnum``."""

    CREDIT_CARD = "CREDIT_CARD"
    DEBIT_CARD = "DEBIT_CARD"
    ACH = "ACH"
    CASH = "CASH"
    CHECK = "CHECK"


class PaymentMethod(CommonModel, kw_only=True):
    """Merge: "defines how a payment against an invoice is made"."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    method_type: MethodType | None = None
    name: str | None = None
    is_active: bool | None = None
    remote_updated_at: datetime | None = None
    field_mappings: dict[str, Any] | None = None
