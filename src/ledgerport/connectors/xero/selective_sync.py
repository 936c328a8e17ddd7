"""The selective-sync conditions a Xero linked account may set, by the fields Xero's documents carry."""

from __future__ import annotations

from ledgerport.connectors._base.selective_sync import SyncCondition, date_condition, status_condition

__all__ = ["CONDITIONS"]

CONDITIONS: tuple[SyncCondition, ...] = (
    date_condition("Invoice", "issue_date", "Date"),
    date_condition("Payment", "transaction_date", "Date"),
    date_condition("JournalEntry", "transaction_date", "Date"),
    status_condition("Contact", "status", "ContactStatus"),
)
"""Invoices and bills by ``Date``, payments and manual journals by theirs, contacts by ``ContactStatus``."""
