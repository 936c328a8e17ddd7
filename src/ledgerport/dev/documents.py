"""The high-volume documents: invoices and bills, transactions, and journal entries.

Each is a generator of :class:`NewRecord` so the caller writes them in batches without holding them all. The
arithmetic is the point of this module, and it is exact: amounts are drawn as integer cents or catalog prices,
multiplied and summed as ``Decimal``, and rounded once per line (``ROUND_HALF_UP``, as invoicing systems do), so
every document adds up to the cent (lines to sub-totals, sub-totals plus tax less discount to totals, debits to
credits).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from ledgerport.dev.catalog import BANK_BY_CURRENCY, JOURNAL_TEMPLATES, TRANSACTION_KINDS, TransactionKind
from ledgerport.dev.ledger import CENT, Ledger, Party, cents, day, nested_id, remote, stamp
from ledgerport.models import (
    Currency,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    InvoiceType,
    JournalEntry,
    JournalLine,
    PostingStatus,
    Transaction,
    TransactionLineItem,
)
from ledgerport.store.records import NewRecord

__all__ = ["DELETED_SHARE", "invoices", "journal_entries", "transactions"]

DELETED_SHARE = 0.025
"""The share of documents marked ``remote_was_deleted``, as a provider's deletion feed would report them."""

_RECEIVABLE_SHARE = 0.65
_ZERO = Decimal("0.00")
_HUNDRED = Decimal(100)
_DISCOUNT = Decimal("0.05")

# (status, weight): drawn by index into the expanded pool, which is a cheap single draw per invoice.
_STATUSES = (
    (InvoiceStatus.PAID, 46),
    (InvoiceStatus.OPEN, 18),
    (InvoiceStatus.PARTIALLY_PAID, 10),
    (InvoiceStatus.SUBMITTED, 10),
    (InvoiceStatus.DRAFT, 8),
    (InvoiceStatus.VOID, 4),
)
_STATUS_POOL = tuple(status for status, weight in _STATUSES for _ in range(weight))
_SETTLED = frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID})
_QUARTER_HOURS = tuple(cents(amount) for amount in range(25, 4001, 25))  # 0.25 .. 40.00
_UNITS = tuple(Decimal(count) for count in range(1, 21))
_MEMOS = ("Thank you for your business.", "Per contract", "Monthly services", None, None, None)


def _deleted(rng: random.Random) -> bool:
    return rng.random() < DELETED_SHARE


def _balance(rng: random.Random, status: InvoiceStatus, total: Decimal) -> Decimal:
    """What is still owed: nothing once settled, all of it until paid, a share of it in between."""
    if status in _SETTLED:
        return _ZERO
    if status == InvoiceStatus.PARTIALLY_PAID:
        return (total * rng.randint(10, 90) / _HUNDRED).quantize(CENT, ROUND_HALF_UP)
    return total


def _line_items(
    rng: random.Random, ledger: Ledger, n: int, party: Party, receivable: bool, tax_id: str, tracking: list[str]
) -> list[InvoiceLineItem]:
    currency, rate = party.region.currency, party.region.usd_rate
    goods, lines = ledger.sold if receivable else ledger.bought, []
    for position in range(1, rng.randint(1, 5) + 1):
        item = rng.choice(goods)
        price = item.prices[currency]
        quantity = rng.choice(_QUARTER_HOURS if item.row.fractional else _UNITS)
        lines.append(
            InvoiceLineItem(
                id=nested_id(rng),
                remote_id=f"{n}-{position}",
                description=item.row.name,
                unit_price=price,
                quantity=quantity,
                total_amount=(price * quantity).quantize(CENT, ROUND_HALF_UP),
                project=rng.choice(ledger.projects) if receivable and item.row.fractional else None,
                contact=party.id,
                currency=currency,
                exchange_rate=rate,
                item=item.id,
                account=item.account,
                tax_rate=tax_id,
                tracking_category=tracking[0],
                tracking_categories=tracking,
                company=ledger.company,
                remote_was_deleted=False,
                is_billable=receivable,
            )
        )
    return lines


def _invoice(rng: random.Random, ledger: Ledger, n: int, receivable: bool, number: str) -> NewRecord:
    party = rng.choice(ledger.customers if receivable else ledger.suppliers)
    tax = ledger.taxes[rng.choice(party.region.tax_codes)]
    tracking = [rng.choice(ledger.classes), rng.choice(ledger.departments)]
    lines = _line_items(rng, ledger, n, party, receivable, tax.id, tracking)
    sub_total = sum((line.total_amount for line in lines), _ZERO)  # type: ignore[misc]
    tax_amount = (sub_total * tax.percent / _HUNDRED).quantize(CENT, ROUND_HALF_UP)
    discount = (sub_total * _DISCOUNT).quantize(CENT, ROUND_HALF_UP) if rng.random() < 0.1 else _ZERO
    total = sub_total + tax_amount - discount
    status = rng.choice(_STATUS_POOL)
    issued = day(rng)
    due = issued + timedelta(days=party.term.days)
    paid_on = issued + timedelta(days=rng.randint(0, party.term.days + 20)) if status == InvoiceStatus.PAID else None
    updated = (paid_on or issued) + timedelta(seconds=rng.randrange(1, 172_800))
    deleted = _deleted(rng)
    orders = ledger.sales_orders if receivable else ledger.purchase_orders
    linked = [rng.choice(orders)] if orders and rng.random() < 0.15 else []
    model = Invoice(
        type=InvoiceType.ACCOUNTS_RECEIVABLE if receivable else InvoiceType.ACCOUNTS_PAYABLE,
        contact=party.id,
        number=number,
        issue_date=issued,
        due_date=due,
        paid_on_date=paid_on,
        memo=rng.choice(_MEMOS),
        company=ledger.company,
        employee=rng.choice(ledger.employees) if receivable and rng.random() < 0.4 else None,
        currency=party.region.currency,
        exchange_rate=party.region.usd_rate,
        payment_term=party.term.id,
        total_discount=discount,
        sub_total=sub_total,
        status=status,
        total_tax_amount=tax_amount,
        total_amount=total,
        balance=_balance(rng, status, total),
        remote_updated_at=updated,
        tracking_categories=tracking,
        accounting_period=ledger.period(issued),
        purchase_orders=[] if receivable else linked,
        sales_orders=linked if receivable else [],
        line_items=lines,
        inclusive_of_tax=False,
        remote_was_deleted=deleted,
    )
    data = {
        "DocNumber": number,
        "TxnDate": issued.date().isoformat(),
        "DueDate": due.date().isoformat(),
        "CustomerRef" if receivable else "VendorRef": {"value": party.remote_id, "name": party.name},
        "CurrencyRef": {"value": party.region.currency.value},
        "TotalAmt": total,
        "Balance": model.balance,
        "MetaData": {"CreateTime": stamp(issued), "LastUpdatedTime": stamp(updated)},
    }
    return NewRecord(
        remote_id=f"inv-{n}",
        model=model,
        remote_data=remote(ledger, "invoice" if receivable else "bill", n, data),
        remote_was_deleted=deleted,
    )


def invoices(rng: random.Random, ledger: Ledger, count: int) -> Iterator[NewRecord]:
    """``count`` invoices (receivable) and bills (payable), numbered ``INV-000001`` and ``BILL-000001`` apart."""
    issued = {True: 0, False: 0}
    for n in range(1, count + 1):
        receivable = rng.random() < _RECEIVABLE_SHARE
        issued[receivable] += 1
        number = f"INV-{issued[receivable]:06d}" if receivable else f"BILL-{issued[receivable]:06d}"
        yield _invoice(rng, ledger, n, receivable, number)


def _transaction(rng: random.Random, ledger: Ledger, n: int, kind: TransactionKind) -> NewRecord:
    pool = {"customer": ledger.customers, "supplier": ledger.suppliers}.get(kind.counterparty or "")
    party = rng.choice(pool) if pool else None
    currency = party.region.currency if party else Currency.USD
    rate = party.region.usd_rate if party else "1"
    header = BANK_BY_CURRENCY.get(currency, kind.account) if kind.account == "1000" else kind.account
    count = 1 if kind.transaction_type == "transfer" else rng.randint(1, 4)
    low, high = kind.cents
    tracking = [rng.choice(ledger.departments)]
    lines, total = [], 0
    for position in range(1, count + 1):
        quantity = rng.randint(1, 3) if party else 1
        unit = rng.randint(low, high) // (count * quantity)
        total += unit * quantity
        lines.append(
            TransactionLineItem(
                id=nested_id(rng),
                remote_id=f"{n}-{position}",
                memo=kind.transaction_type.capitalize(),
                unit_price=str(cents(unit)),
                quantity=str(quantity),
                account=ledger.accounts[rng.choice(kind.line_accounts)],
                tracking_category=tracking[0],
                tracking_categories=tracking,
                total_line_amount=str(cents(unit * quantity)),
                currency=currency,
                exchange_rate=rate,
                company=ledger.company,
                remote_was_deleted=False,
            )
        )
    moment = day(rng)
    deleted = _deleted(rng)
    number = f"{kind.prefix}-{n:06d}"
    model = Transaction(
        transaction_type=kind.transaction_type,
        number=number,
        transaction_date=moment,
        account=ledger.accounts[header],
        contact=party.id if party else None,
        inclusive_of_tax=False,
        total_amount=str(cents(total)),
        currency=currency,
        exchange_rate=rate,
        company=ledger.company,
        tracking_categories=tracking,
        line_items=lines,
        remote_was_deleted=deleted,
        accounting_period=ledger.period(moment),
    )
    data = {
        "DocNumber": number,
        "TxnDate": moment.date().isoformat(),
        "TotalAmt": cents(total),
        "CurrencyRef": {"value": currency.value},
        "MetaData": {"LastUpdatedTime": stamp(moment)},
    }
    resource = kind.transaction_type.replace(" ", "")
    return NewRecord(
        remote_id=f"txn-{n}", model=model, remote_data=remote(ledger, resource, n, data), remote_was_deleted=deleted
    )


def transactions(rng: random.Random, ledger: Ledger, count: int) -> Iterator[NewRecord]:
    """``count`` deposits, transfers and sales receipts; lines add up to ``total_amount``."""
    for n in range(1, count + 1):
        yield _transaction(rng, ledger, n, rng.choice(TRANSACTION_KINDS))


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` cents as ``parts`` positive amounts that sum to it exactly (random cut points)."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [high - low for low, high in zip([0, *cuts], [*cuts, total], strict=True)]


def _journal_entry(rng: random.Random, ledger: Ledger, n: int) -> NewRecord:
    template = rng.choice(JOURNAL_TEMPLATES)
    count = rng.randint(2, 6)
    debits = [rng.randint(1_000, 2_500_000) for _ in range(rng.randint(1, count - 1))]
    credits = _split(rng, sum(debits), count - len(debits))
    signed = [(amount, template.debits) for amount in debits] + [(-amount, template.credits) for amount in credits]
    department = rng.choice(ledger.departments)
    lines = [
        JournalLine(
            id=nested_id(rng),
            remote_id=f"{n}-{position}",
            account=ledger.accounts[rng.choice(accounts)],
            net_amount=cents(amount),
            tracking_category=department,
            tracking_categories=[department],
            currency=Currency.USD,
            company=ledger.company,
            description=template.memo,
            exchange_rate="1",
            remote_was_deleted=False,
        )
        for position, (amount, accounts) in enumerate(signed, start=1)
    ]
    moment = day(rng)
    deleted = _deleted(rng)
    posted = PostingStatus.UNPOSTED if rng.random() < 0.05 else PostingStatus.POSTED
    model = JournalEntry(
        transaction_date=moment,
        memo=template.memo,
        currency=Currency.USD,
        exchange_rate="1",
        company=ledger.company,
        inclusive_of_tax=False,
        lines=lines,
        journal_number=f"JE-{n:06d}",
        tracking_categories=[department],
        remote_was_deleted=deleted,
        posting_status=posted,
        accounting_period=ledger.period(moment),
        remote_created_at=moment,
        remote_updated_at=moment + timedelta(seconds=rng.randrange(1, 86_400)),
    )
    data = {
        "DocNumber": model.journal_number,
        "TxnDate": moment.date().isoformat(),
        "PrivateNote": template.memo,
        "Line": [
            {"Id": str(i), "Amount": cents(abs(a)), "PostingType": "Debit" if a > 0 else "Credit"}
            for i, (a, _) in enumerate(signed, start=1)
        ],
    }
    return NewRecord(
        remote_id=f"je-{n}",
        model=model,
        remote_data=remote(ledger, "journalentry", n, data),
        remote_was_deleted=deleted,
    )


def journal_entries(rng: random.Random, ledger: Ledger, count: int) -> Iterator[NewRecord]:
    """``count`` manual journals of 2 to 6 lines whose signed ``net_amount`` sum to exactly zero."""
    for n in range(1, count + 1):
        yield _journal_entry(rng, ledger, n)
