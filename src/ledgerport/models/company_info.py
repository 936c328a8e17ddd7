"""The company (or each subsidiary) of a linked account; what ``company`` fields point at."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel
from ledgerport.models.contact import AccountingPhoneNumber, Address
from ledgerport.models.currency import Currency

__all__ = ["CompanyInfo"]


class CompanyInfo(CommonModel, kw_only=True):
    """Merge: information about the company of the linked account."""

    company_info_url: str | None = None  # in Merge's SDK 4.x (wire-format §9), not in the 2026 spec
    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    legal_name: str | None = None
    tax_number: str | None = None
    fiscal_year_end_month: int | None = None
    fiscal_year_end_day: int | None = None
    currency: Currency | None = None
    remote_created_at: datetime | None = None
    urls: list[str] | None = None
    addresses: list[Address] = msgspec.field(default_factory=list)
    phone_numbers: list[AccountingPhoneNumber] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
