"""``seed_account``: deterministic, internally consistent, referentially sound and idempotent seed data."""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections import Counter
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import pytest

import ledgerport.dev
from ledgerport.dev import seed as seed_module
from ledgerport.dev import seed_account
from ledgerport.models import (
    Account,
    Contact,
    Expense,
    Invoice,
    InvoiceStatus,
    InvoiceType,
    JournalEntry,
    Payment,
    PostingStatus,
    TaxRate,
    Transaction,
)
from ledgerport.store.accounts import create_linked_account, create_organization
from ledgerport.store.database import Database
from ledgerport.store.records import RecordQuery, StoredRecord, count_records, page

S = TypeVar("S", bound=msgspec.Struct)
CENT = Decimal("0.01")
SIZES = {"invoices": 300, "expenses": 150, "transactions": 150, "journal_entries": 150}


async def _database(path: Path) -> tuple[Database, uuid.UUID]:
    database = Database(f"sqlite:///{path}")
    await database.migrate()
    async with database.write() as session:
        organization = await create_organization(session, name="Seed tests")
        linked = await create_linked_account(
            session,
            organization_id=organization,
            integration="quickbooks",
            integration_name="QuickBooks Online",
            end_user_organization_name="Northwind",
        )
    return database, linked.account.id


class Seeded(msgspec.Struct):
    database: Database
    account: uuid.UUID
    summary: seed_module.SeedSummary


@pytest.fixture(scope="module")
async def seeded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    database, account = await _database(tmp_path_factory.mktemp("seed") / "seed.db")
    summary = await seed_account(database, linked_account_id=account, seed=7, **SIZES)
    yield Seeded(database, account, summary)
    await database.dispose()


async def _stored(seeded: Seeded, model: str) -> list[StoredRecord]:
    query = RecordQuery(linked_account_id=seeded.account, model=model, include_deleted=True)
    async with seeded.database.read() as session:
        return await page(session, query, after=None, reverse=False, limit=100_000, with_remote_data=True)


async def _decoded(seeded: Seeded, model: str, struct: type[S]) -> list[S]:
    return [msgspec.json.decode(record.document, type=struct) for record in await _stored(seeded, model)]


async def _ids(seeded: Seeded, model: str) -> set[str]:
    return {str(record.id) for record in await _stored(seeded, model)}


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


async def test_summary_counts_what_the_store_holds(seeded: Seeded) -> None:
    assert seeded.summary.counts["Invoice"] == SIZES["invoices"]
    assert seeded.summary.counts["Expense"] == SIZES["expenses"]
    assert seeded.summary.counts["Transaction"] == SIZES["transactions"]
    assert seeded.summary.counts["JournalEntry"] == SIZES["journal_entries"]
    async with seeded.database.read() as session:
        for model, written in seeded.summary.counts.items():
            assert await count_records(session, linked_account_id=seeded.account, model=model) == written, model
    for model in (
        "CompanyInfo",
        "Account",
        "Contact",
        "TaxRate",
        "TrackingCategory",
        "Item",
        "Employee",
        "PaymentTerm",
        "AccountingPeriod",
        "Project",
        "Payment",
        "CreditNote",
        "VendorCredit",
        "PurchaseOrder",
        "SalesOrder",
    ):
        assert seeded.summary.counts.get(model, 0) >= 1, model
    assert seeded.summary.counts["CompanyInfo"] == 1


async def test_invoice_lines_add_up_to_the_totals(seeded: Seeded) -> None:
    rates = {rate.id: rate.total_tax_rate for rate in await _decoded(seeded, "TaxRate", TaxRate)}
    invoices = await _decoded(seeded, "Invoice", Invoice)
    assert len(invoices) == SIZES["invoices"]
    for invoice in invoices:
        assert 1 <= len(invoice.line_items) <= 5
        for line in invoice.line_items:
            assert line.unit_price is not None
            assert line.quantity is not None
            assert line.total_amount == _money(line.unit_price * line.quantity), invoice.number
            assert line.currency == invoice.currency
        assert invoice.sub_total == sum(line.total_amount for line in invoice.line_items)  # type: ignore[misc]
        (tax_rate,) = {line.tax_rate for line in invoice.line_items}
        assert invoice.total_tax_amount == _money(invoice.sub_total * rates[tax_rate] / 100)  # type: ignore[operator]
        assert invoice.total_amount == invoice.sub_total + invoice.total_tax_amount - invoice.total_discount  # type: ignore[operator]
        assert invoice.total_amount > 0  # type: ignore[operator]


async def test_invoice_balance_follows_status(seeded: Seeded) -> None:
    invoices = await _decoded(seeded, "Invoice", Invoice)
    for invoice in invoices:
        assert invoice.total_amount is not None
        assert invoice.balance is not None
        if invoice.status in {InvoiceStatus.PAID, InvoiceStatus.VOID}:
            assert invoice.balance == 0
        elif invoice.status == InvoiceStatus.PARTIALLY_PAID:
            assert 0 < invoice.balance < invoice.total_amount
        else:
            assert invoice.balance == invoice.total_amount
        assert (invoice.paid_on_date is not None) == (invoice.status == InvoiceStatus.PAID)
    statuses = Counter(invoice.status for invoice in invoices)
    assert {InvoiceStatus.PAID, InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID} <= set(statuses)


async def test_invoices_have_both_types_unique_numbers_and_dates_in_the_window(seeded: Seeded) -> None:
    invoices = await _decoded(seeded, "Invoice", Invoice)
    types = Counter(invoice.type for invoice in invoices)
    assert types[InvoiceType.ACCOUNTS_RECEIVABLE] > 0
    assert types[InvoiceType.ACCOUNTS_PAYABLE] > 0
    numbers = [invoice.number for invoice in invoices]
    assert len(set(numbers)) == len(numbers)
    for invoice in invoices:
        prefix = "INV-" if invoice.type == InvoiceType.ACCOUNTS_RECEIVABLE else "BILL-"
        assert invoice.number is not None
        assert invoice.number.startswith(prefix)
        assert invoice.issue_date is not None
        assert invoice.due_date is not None
        assert invoice.issue_date.utcoffset() is not None
        assert datetime(2024, 1, 1, tzinfo=UTC) <= invoice.issue_date < datetime(2026, 1, 1, tzinfo=UTC)
        assert invoice.due_date >= invoice.issue_date
        assert invoice.exchange_rate is not None
        assert Decimal(invoice.exchange_rate) > 0
    issue_months = {(invoice.issue_date.year, invoice.issue_date.month) for invoice in invoices}  # type: ignore[union-attr]
    assert len(issue_months) >= 20


async def test_journal_entries_balance(seeded: Seeded) -> None:
    entries = await _decoded(seeded, "JournalEntry", JournalEntry)
    assert len(entries) == SIZES["journal_entries"]
    for entry in entries:
        amounts = [line.net_amount for line in entry.lines]
        assert 2 <= len(amounts) <= 6
        assert sum(amounts) == 0, entry.journal_number  # type: ignore[arg-type]
        assert any(amount > 0 for amount in amounts)
        assert any(amount < 0 for amount in amounts)
        assert all(amount == _money(amount) for amount in amounts)  # type: ignore[arg-type]
    posted = Counter(entry.posting_status for entry in entries)
    assert posted[PostingStatus.POSTED] > len(entries) * 0.8


async def test_transaction_lines_add_up(seeded: Seeded) -> None:
    transactions = await _decoded(seeded, "Transaction", Transaction)
    for transaction in transactions:
        assert transaction.total_amount is not None
        assert transaction.line_items
        lines = [Decimal(line.total_line_amount) for line in transaction.line_items]  # type: ignore[arg-type]
        assert Decimal(transaction.total_amount) == sum(lines)
        for line in transaction.line_items:
            assert Decimal(line.unit_price) * Decimal(line.quantity) == Decimal(line.total_line_amount)  # type: ignore[arg-type]
    kinds = {transaction.transaction_type for transaction in transactions}
    assert kinds == {"deposit", "transfer", "sales receipt"}  # purchases are Expenses


async def test_expenses_add_up_and_are_signed_as_merge_signs_them(seeded: Seeded) -> None:
    """Purchases negative, refunds positive; lines add up to ``sub_total``, and tax on top to ``total_amount``."""
    expenses = await _decoded(seeded, "Expense", Expense)
    assert len(expenses) == SIZES["expenses"]
    for expense in expenses:
        assert expense.lines
        assert sum(line.net_amount for line in expense.lines) == expense.sub_total  # type: ignore[misc]
        assert expense.sub_total + expense.total_tax_amount == expense.total_amount  # type: ignore[operator]
        for line in expense.lines:
            assert Decimal(line.unit_price) * Decimal(line.quantity) == line.net_amount  # type: ignore[arg-type]
            assert (line.net_amount > 0) is (expense.total_amount > 0)  # type: ignore[operator]
        assert (expense.contact is None) is (expense.employee is not None)
    refunds = [expense for expense in expenses if expense.total_amount > 0]  # type: ignore[operator]
    assert 0 < len(refunds) < len(expenses) * 0.2
    assert any(expense.employee for expense in expenses)
    assert any(line.item for expense in expenses for line in expense.lines)


async def test_references_point_at_records_of_the_right_model(seeded: Seeded) -> None:
    ids = {
        model: await _ids(seeded, model)
        for model in (
            "CompanyInfo",
            "Contact",
            "Account",
            "TrackingCategory",
            "PaymentTerm",
            "AccountingPeriod",
            "Item",
            "TaxRate",
            "Invoice",
            "Employee",
            "Project",
            "SalesOrder",
            "PurchaseOrder",
        )
    }
    contacts = {contact.id: contact for contact in await _decoded(seeded, "Contact", Contact)}
    for invoice in await _decoded(seeded, "Invoice", Invoice):
        contact = contacts[invoice.contact]  # type: ignore[index]
        assert contact.is_customer if invoice.type == InvoiceType.ACCOUNTS_RECEIVABLE else contact.is_supplier
        assert invoice.company in ids["CompanyInfo"]
        assert invoice.payment_term in ids["PaymentTerm"]
        assert invoice.accounting_period in ids["AccountingPeriod"]
        assert invoice.employee is None or invoice.employee in ids["Employee"]
        assert set(invoice.tracking_categories) <= ids["TrackingCategory"]
        assert invoice.tracking_categories
        assert set(invoice.sales_orders) <= ids["SalesOrder"]
        assert set(invoice.purchase_orders) <= ids["PurchaseOrder"]
        for line in invoice.line_items:
            assert line.account in ids["Account"]
            assert line.item in ids["Item"]
            assert line.tax_rate in ids["TaxRate"]
            assert set(line.tracking_categories) <= ids["TrackingCategory"]
            assert line.project is None or line.project in ids["Project"]
    for entry in await _decoded(seeded, "JournalEntry", JournalEntry):
        assert entry.company in ids["CompanyInfo"]
        assert all(line.account in ids["Account"] for line in entry.lines)
    for expense in await _decoded(seeded, "Expense", Expense):
        assert expense.company in ids["CompanyInfo"]
        assert expense.account in ids["Account"]
        assert expense.contact is None or expense.contact in ids["Contact"]
        assert expense.employee is None or expense.employee in ids["Employee"]
        assert expense.accounting_period in ids["AccountingPeriod"]
        assert set(expense.tracking_categories) <= ids["TrackingCategory"]
        for line in expense.lines:
            assert line.account in ids["Account"]
            assert line.item is None or line.item in ids["Item"]
            assert line.tax_rate is None or line.tax_rate in ids["TaxRate"]
    for transaction in await _decoded(seeded, "Transaction", Transaction):
        assert transaction.account in ids["Account"]
        assert transaction.contact is None or transaction.contact in ids["Contact"]
        assert all(line.account in ids["Account"] for line in transaction.line_items)
    for payment in await _decoded(seeded, "Payment", Payment):
        assert payment.contact in ids["Contact"]
        assert payment.account in ids["Account"]
        assert all(line.related_object_id in ids["Invoice"] for line in payment.applied_to_lines)


async def test_payments_settle_paid_invoices_in_full(seeded: Seeded) -> None:
    invoices = {invoice.id: invoice for invoice in await _decoded(seeded, "Invoice", Invoice)}
    payments = await _decoded(seeded, "Payment", Payment)
    assert payments
    for payment in payments:
        (line,) = payment.applied_to_lines
        invoice = invoices[line.related_object_id]
        assert invoice.status == InvoiceStatus.PAID
        assert invoice.contact == payment.contact
        assert payment.total_amount == invoice.total_amount == Decimal(line.applied_amount)  # type: ignore[arg-type]


async def test_chart_of_accounts_covers_every_classification(seeded: Seeded) -> None:
    accounts = await _decoded(seeded, "Account", Account)
    classifications = {str(account.classification) for account in accounts}
    assert classifications == {"ASSET", "LIABILITY", "EQUITY", "REVENUE", "EXPENSE"}
    assert {"BANK", "ACCOUNTS_RECEIVABLE", "ACCOUNTS_PAYABLE"} <= {str(account.account_type) for account in accounts}
    assert all(account.currency is not None and account.status is not None for account in accounts)


async def test_several_currencies_and_some_deletions(seeded: Seeded) -> None:
    invoices = await _decoded(seeded, "Invoice", Invoice)
    assert len({invoice.currency for invoice in invoices}) >= 4
    for model, count in (
        ("Invoice", SIZES["invoices"]),
        ("Expense", SIZES["expenses"]),
        ("Transaction", SIZES["transactions"]),
        ("JournalEntry", SIZES["journal_entries"]),
    ):
        deleted = [
            record
            for record in await _stored(seeded, model)
            if msgspec.json.decode(record.document)["remote_was_deleted"]
        ]
        assert 0 < len(deleted) <= count * 0.08, model


async def test_remote_data_is_a_provider_payload_per_record(seeded: Seeded) -> None:
    records = await _stored(seeded, "Invoice")
    remote_ids = [msgspec.json.decode(record.document)["remote_id"] for record in records]
    assert len(set(remote_ids)) == len(remote_ids)
    for record, remote_id in zip(records, remote_ids, strict=True):
        assert record.remote_data is not None
        (entry,) = msgspec.json.Decoder(float_hook=Decimal).decode(record.remote_data)
        assert entry["path"].startswith("/v3/company/")
        assert f"inv-{entry['data']['Id']}" == remote_id
        document = msgspec.json.decode(record.document, type=Invoice)
        assert entry["data"]["TotalAmt"] == document.total_amount
        assert entry["data"]["DocNumber"] == document.number


def _fingerprint(invoices: list[Invoice]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            invoice.remote_id,
            invoice.number,
            invoice.total_amount,
            invoice.currency,
            invoice.issue_date,
            tuple((line.id, line.total_amount) for line in invoice.line_items),
        )
        for invoice in invoices
    )


async def test_same_seed_same_documents_and_another_seed_differs(seeded: Seeded, tmp_path: Path) -> None:
    expected = _fingerprint(await _decoded(seeded, "Invoice", Invoice))
    journals = sorted(
        (entry.remote_id, tuple(line.net_amount for line in entry.lines))
        for entry in await _decoded(seeded, "JournalEntry", JournalEntry)
    )
    for seed, same in ((7, True), (8, False)):
        database, account = await _database(tmp_path / f"seed-{seed}.db")
        try:
            await seed_account(database, linked_account_id=account, seed=seed, **SIZES)
            again = Seeded(database, account, seed_module.SeedSummary({}))
            fingerprint = _fingerprint(await _decoded(again, "Invoice", Invoice))
            assert (fingerprint == expected) is same
            other = sorted(
                (entry.remote_id, tuple(line.net_amount for line in entry.lines))
                for entry in await _decoded(again, "JournalEntry", JournalEntry)
            )
            assert (other == journals) is same
        finally:
            await database.dispose()


async def test_rerun_with_the_same_seed_changes_nothing(tmp_path: Path) -> None:
    database, account = await _database(tmp_path / "rerun.db")
    seeded = Seeded(database, account, seed_module.SeedSummary({}))
    try:
        sizes = {"invoices": 60, "expenses": 20, "transactions": 20, "journal_entries": 20}
        first = await seed_account(database, linked_account_id=account, seed=3, **sizes)
        before = {model: await _stored(seeded, model) for model in first.counts}
        second = await seed_account(database, linked_account_id=account, seed=3, **sizes)
        assert second.counts == first.counts
        for model, records in before.items():
            assert await _stored(seeded, model) == records, model  # same ids, created_at and documents
    finally:
        await database.dispose()


async def test_progress_is_reported_after_every_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seed_module, "BATCH_SIZE", 40)
    database, account = await _database(tmp_path / "progress.db")
    calls: list[tuple[str, int]] = []
    try:
        summary = await seed_account(
            database,
            linked_account_id=account,
            invoices=100,
            expenses=5,
            transactions=5,
            journal_entries=5,
            progress=lambda model, n: calls.append((model, n)),
        )
    finally:
        await database.dispose()
    assert [n for model, n in calls if model == "Invoice"] == [40, 80, 100]
    last = {model: n for model, n in calls}
    assert last == summary.counts


def test_every_dev_module_declares_a_sorted_all() -> None:
    for info in pkgutil.iter_modules(ledgerport.dev.__path__):
        module = importlib.import_module(f"ledgerport.dev.{info.name}")
        exported = module.__all__
        assert exported == sorted(exported), info.name
        assert all(hasattr(module, name) for name in exported), info.name
