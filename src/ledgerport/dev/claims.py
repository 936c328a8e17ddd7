"""Payment methods, expense reports and a bank feed: the smaller models a seeded account also serves.

A handful of each, so every endpoint answers with data in demos and tests: the company's payment methods, staff
expense reports whose lines add up to their totals exactly, and one card feed with its pushed transactions (a
feed is written by the developer, so its transactions start unprocessed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from ledgerport.dev.ledger import Ledger, cents, day, nested_id
from ledgerport.models import (
    BankFeedAccount,
    BankFeedAccountType,
    BankFeedTransaction,
    CreditOrDebit,
    Currency,
    ExpenseReport,
    ExpenseReportLine,
    ExpenseReportStatus,
    FeedStatus,
    MethodType,
    PaymentMethod,
)
from ledgerport.store.records import NewRecord

__all__ = ["bank_feed_accounts", "bank_feed_transactions", "expense_reports", "payment_methods"]

_METHODS = (
    ("Cash", MethodType.CASH),
    ("Check", MethodType.CHECK),
    ("Visa", MethodType.CREDIT_CARD),
    ("Debit card", MethodType.DEBIT_CARD),
    ("ACH transfer", MethodType.ACH),
)
_TRAVEL = ("6200", "6300", "6400")
_WHAT = ("Taxi to client site", "Hotel, two nights", "Team lunch", "Train tickets", "Conference pass")
_MERCHANTS = ("Cloud Hosting Co", "Metro Transit", "Office Depot", "Harbour Cafe", "Parcel Express")


def payment_methods(ledger: Ledger) -> Iterator[NewRecord]:
    """The company's payment methods, the last one retired."""
    for n, (name, kind) in enumerate(_METHODS, start=1):
        model = PaymentMethod(method_type=kind, name=name, is_active=n < len(_METHODS), remote_updated_at=day_one())
        yield NewRecord(remote_id=f"pm-{n}", model=model)


def day_one() -> datetime:
    """When the seeded company set its reference data up."""
    return day(random.Random(0))  # noqa: S311  (test data, not secrets)


def _report(rng: random.Random, ledger: Ledger, n: int) -> NewRecord:
    moment = day(rng)
    employee = rng.choice(ledger.employees)
    lines = []
    for position in range(1, rng.randint(1, 4) + 1):
        amount = cents(rng.randint(1_500, 60_000))
        lines.append(
            ExpenseReportLine(
                id=nested_id(rng),
                remote_id=f"er-{n}-{position}",
                account=ledger.accounts[rng.choice(_TRAVEL)],
                description=rng.choice(_WHAT),
                expense_date=moment,
                amount=amount,
                currency=Currency.USD,
                exchange_rate="1",
                is_billable=rng.random() < 0.2,
                employee=employee,
                company=ledger.company,
                quantity=Decimal(1),
                unit_price=amount,
                non_reimbursable=False,
                tax_amount=Decimal("0.00"),
                inclusive_of_tax=False,
                remote_was_deleted=False,
            )
        )
    model = ExpenseReport(
        report_date=moment,
        report_identifier=f"ER-{n:04d}",
        employee=employee,
        status=rng.choice(list(ExpenseReportStatus)),
        total_amount=sum((line.amount for line in lines), Decimal("0.00")),  # type: ignore[misc]
        lines=lines,
        currency=Currency.USD,
        description="Expenses for the month",
        accounting_period=ledger.period(moment),
        company=ledger.company,
        remote_was_deleted=False,
    )
    return NewRecord(remote_id=f"er-{n}", model=model)


def expense_reports(rng: random.Random, ledger: Ledger, count: int) -> Iterator[NewRecord]:
    """``count`` staff expense reports, each of one to four lines that add up to its total."""
    for n in range(1, count + 1):
        yield _report(rng, ledger, n)


def bank_feed_accounts(ledger: Ledger) -> Iterator[NewRecord]:
    """One corporate card program fed into the company's card account."""
    model = BankFeedAccount(
        source_account_id="card-program-1",
        target_account_id=ledger.accounts.get("2100"),
        source_account_name="Corporate cards",
        source_account_number="4821",
        target_account_name="Credit card",
        currency=Currency.USD,
        feed_status=FeedStatus.ACTIVE,
        feed_start_date=day_one(),
        source_account_balance=Decimal("-1284.50"),
        account_type=BankFeedAccountType.CREDIT_CARD,
        remote_was_deleted=False,
    )
    yield NewRecord(remote_id="feed-1", model=model)


def bank_feed_transactions(rng: random.Random, feed: str, count: int) -> Iterator[NewRecord]:
    """``count`` card transactions pushed into ``feed``, mostly spend, the odd refund."""
    for n in range(1, count + 1):
        moment = day(rng)
        refund = rng.random() < 0.1
        model = BankFeedTransaction(
            bank_feed_account=feed,
            transaction_date=moment,
            posted_date=moment,
            amount=cents(rng.randint(500, 90_000)),
            description="Refund" if refund else "Card purchase",
            transaction_type="CARD",
            payee=rng.choice(_MERCHANTS),
            credit_or_debit=CreditOrDebit.CREDIT if refund else CreditOrDebit.DEBIT,
            source_transaction_id=f"txn_{n:06d}",
            remote_was_deleted=False,
            is_processed=False,
        )
        yield NewRecord(remote_id=f"feed-1-{n}", model=model)
