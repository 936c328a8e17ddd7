"""The chart of accounts."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerport.models._base import CommonModel, Ref
from ledgerport.models.currency import Currency

__all__ = ["Account", "AccountAccountType", "AccountStatus", "Classification"]


class Classification(enum.StrEnum):
    """Merge's ``ClassificationEnum``: the top-level group of the chart of accounts."""

    ASSET = "ASSET"
    EQUITY = "EQUITY"
    EXPENSE = "EXPENSE"
    LIABILITY = "LIABILITY"
    REVENUE = "REVENUE"


class AccountAccountType(enum.StrEnum):
    """Merge's ``AccountAccountTypeEnum``; ``type`` keeps the provider's own word."""

    BANK = "BANK"
    CREDIT_CARD = "CREDIT_CARD"
    ACCOUNTS_PAYABLE = "ACCOUNTS_PAYABLE"
    ACCOUNTS_RECEIVABLE = "ACCOUNTS_RECEIVABLE"
    FIXED_ASSET = "FIXED_ASSET"
    OTHER_ASSET = "OTHER_ASSET"
    OTHER_CURRENT_ASSET = "OTHER_CURRENT_ASSET"
    OTHER_EXPENSE = "OTHER_EXPENSE"
    OTHER_INCOME = "OTHER_INCOME"
    COST_OF_GOODS_SOLD = "COST_OF_GOODS_SOLD"
    OTHER_CURRENT_LIABILITY = "OTHER_CURRENT_LIABILITY"
    LONG_TERM_LIABILITY = "LONG_TERM_LIABILITY"
    NON_POSTING = "NON_POSTING"


class AccountStatus(enum.StrEnum):
    """Merge's ``AccountStatusEnum``."""

    ACTIVE = "ACTIVE"
    PENDING = "PENDING"
    INACTIVE = "INACTIVE"


class Account(CommonModel, kw_only=True):
    """Merge: a category in a company's ledger in which a financial transaction is recorded against."""

    account_url: str | None = None  # in Merge's SDK 4.x (wire-format §9), not in the 2026 spec
    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    description: str | None = None
    classification: Classification | None = None
    type: str | None = None
    account_type: AccountAccountType | None = None
    status: AccountStatus | None = None
    current_balance: Decimal | None = None
    currency: Currency | None = None
    account_number: str | None = None
    parent_account: Ref | None = None
    company: Ref | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
