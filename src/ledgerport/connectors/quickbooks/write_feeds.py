"""Bank feeds at QBO: there is no public API to push them, so ledgerport keeps them.

Intuit offers bank feeds only to financial institutions it contracts with (its own aggregation network); the
accounting API has no feed, statement or statement-line entity a QuickBooks Online app could write. A feed account
and its transactions written for a QBO account are therefore kept by ledgerport (see
:mod:`ledgerport.connectors._base.kept`): the writes succeed and read back, nothing appears in QuickBooks, and
``is_processed`` stays false because nothing there processes them. The meta schema says so (``note``).
"""

from __future__ import annotations

from ledgerport.connectors._base.kept import kept_write
from ledgerport.models.bank_feed import BankFeedAccount, BankFeedTransaction

__all__ = ["FEED_WRITES"]

_KEPT = (
    "QuickBooks Online has no public bank feed API: ledgerport keeps this {what} and serves it back, and nothing is "
    "sent to QuickBooks."
)

FEED_WRITES = (
    kept_write(
        "BankFeedAccount",
        BankFeedAccount,
        note=_KEPT.format(what="bank feed account"),
        required=frozenset({"source_account_id"}),
    ),
    kept_write(
        "BankFeedTransaction",
        BankFeedTransaction,
        note=_KEPT.format(what="transaction") + " is_processed stays false.",
        refs={"bank_feed_account": "BankFeedAccount"},
        fixed={"is_processed": False},
        required=frozenset({"bank_feed_account", "amount"}),
    ),
)
