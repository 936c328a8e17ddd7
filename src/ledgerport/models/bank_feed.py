"""Bank feeds: an account of the developer's own platform (a card program, a wallet) fed into the company's
books, and the transactions pushed into it.

These are written by the developer, not read from the provider: ``POST /bank-feed-accounts`` opens a feed and
``POST /bank-feed-transactions`` pushes a transaction into it. Where the provider has a bank feed API (Xero's, for
approved partners) they go there; where it has none (QuickBooks Online) ledgerport keeps them, so they can be read
back, and ``is_processed`` stays false because nothing at the provider processes them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerport.models._base import CommonModel, Ref
from ledgerport.models.currency import Currency

__all__ = ["BankFeedAccount", "BankFeedAccountType", "BankFeedTransaction", "CreditOrDebit", "FeedStatus"]


class FeedStatus(enum.StrEnum):
    """Merge's ``FeedStatusEnum``."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class BankFeedAccountType(enum.StrEnum):
    """Merge's ``BankFeedAccountAccountTypeEnum``."""

    BANK = "BANK"
    CREDIT_CARD = "CREDIT_CARD"


class CreditOrDebit(enum.StrEnum):
    """Merge's ``CreditOrDebitEnum``."""

    CREDIT = "CREDIT"
    DEBIT = "DEBIT"


class BankFeedAccount(CommonModel, kw_only=True):
    """Merge: "a bank feed account": the source account on the developer's platform, the target in the books."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    source_account_id: str | None = None
    target_account_id: str | None = None
    source_account_name: str | None = None
    source_account_number: str | None = None
    target_account_name: str | None = None
    currency: Currency | None = None
    feed_status: FeedStatus | None = None
    feed_start_date: datetime | None = None
    source_account_balance: Decimal | None = None
    account_type: BankFeedAccountType | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None


class BankFeedTransaction(CommonModel, kw_only=True):
    """Merge: a transaction "linked to a bank feed account"."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    bank_feed_account: Ref | None = None
    transaction_date: datetime | None = None
    posted_date: datetime | None = None
    amount: Decimal | None = None
    description: str | None = None
    transaction_type: str | None = None
    payee: str | None = None
    credit_or_debit: CreditOrDebit | None = None
    source_transaction_id: str | None = None
    remote_was_deleted: bool | None = None
    is_processed: bool | None = None
