"""The selective-sync conditions a QuickBooks Online linked account may set, by the fields QBO's entities carry."""

from __future__ import annotations

from ledgerport.connectors._base.selective_sync import SyncCondition, date_condition, status_condition

__all__ = ["CONDITIONS"]

CONDITIONS: tuple[SyncCondition, ...] = (
    date_condition("Invoice", "issue_date", "TxnDate"),
    date_condition("Payment", "transaction_date", "TxnDate"),
    date_condition("JournalEntry", "transaction_date", "TxnDate"),
    status_condition("Contact", "status", "Active"),
)
"""Invoices and bills by ``TxnDate``, payments and journal entries by theirs, customers and vendors by ``Active``."""
