"""General ledger transactions: every posting to the ledger, whatever document caused it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref
from ledgerport.models.currency import Currency

__all__ = ["GeneralLedgerTransaction", "GeneralLedgerTransactionLine", "UnderlyingTransactionType"]


class UnderlyingTransactionType(enum.StrEnum):
    """Merge's ``UnderlyingTransactionTypeEnum``: the kind of document that posted the transaction."""

    INVOICE = "INVOICE"
    EXPENSE = "EXPENSE"
    TRANSACTION = "TRANSACTION"
    JOURNAL_ENTRY = "JOURNAL_ENTRY"
    PAYMENT = "PAYMENT"
    VENDOR_CREDIT = "VENDOR_CREDIT"
    CREDIT_NOTE = "CREDIT_NOTE"


class GeneralLedgerTransaction(CommonModel, kw_only=True):
    """Merge: one posting to the general ledger; its lines' debits equal their credits.

    The document that posted it is ``underlying_transaction_type`` / ``underlying_transaction_remote_id``.
    """

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    underlying_transaction_remote_id: str | None = None
    underlying_transaction_type: UnderlyingTransactionType | None = None
    accounting_period: Ref | None = None
    company: Ref | None = None
    remote_updated_at: datetime | None = None
    remote_created_at: datetime | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    posting_date: datetime | None = None
    general_ledger_transaction_lines: list[GeneralLedgerTransactionLine] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None


class GeneralLedgerTransactionLine(CommonModel, kw_only=True):
    """One debit or credit of a ledger posting, in the company's currency and the transaction's."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    account: Ref | None = None
    company: Ref | None = None
    employee: Ref | None = None
    contact: Ref | None = None
    project: Ref | None = None
    base_currency: Currency | None = None
    transaction_currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    description: str | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    debit_amount: DecimalString
    credit_amount: DecimalString
    item: Ref | None = None
    foreign_debit_amount: DecimalString
    foreign_credit_amount: DecimalString
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
