"""Expenses: what the business paid on the spot, by cash, cheque or card, and the odd card refund.

Signed as Merge signs them (see :mod:`ledgerport.models.expense`): a purchase's amounts are negative, a refund's
positive, so every amount below is drawn positive and given the expense's sign once. Lines add up to
``sub_total`` and ``sub_total`` plus tax to ``total_amount``, exactly, as in :mod:`ledgerport.dev.documents`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from ledgerport.dev.catalog import BANK_BY_CURRENCY
from ledgerport.dev.ledger import CENT, Ledger, cents, day, nested_id, remote, stamp
from ledgerport.models import Currency, Expense, ExpenseLine
from ledgerport.store.records import NewRecord

__all__ = ["expenses"]

_HUNDRED = Decimal(100)
_ZERO = Decimal("0.00")
_CARD = "2100"
_EXPENSE_ACCOUNTS = ("6200", "6300", "6400", "6500", "6700")
_PAYMENT_TYPES = ("Cash", "Check", "CreditCard", "CreditCard")
_REFUND_SHARE = 0.1  # of card charges
_EMPLOYEE_SHARE = 0.12
_DELETED_SHARE = 0.025
_MEMOS = ("Receipt attached", "Team offsite", "Conference travel", "Office restock", None, None, None)


def _signed(amount: Decimal, sign: int) -> Decimal:
    """``amount`` with the expense's sign; unary minus, so that a zero never becomes ``-0.00``."""
    return amount if sign > 0 else -amount


def _lines(
    rng: random.Random, ledger: Ledger, n: int, currency: Currency, rate: str, tax: str | None, sign: int
) -> list[ExpenseLine]:
    tracking = [rng.choice(ledger.classes), rng.choice(ledger.departments)]
    lines = []
    for position in range(1, rng.randint(1, 4) + 1):
        goods = rng.choice(ledger.bought) if rng.random() < 0.3 else None
        if goods is not None:
            quantity, price = Decimal(rng.randint(1, 6)), goods.prices[currency]
            account, description = goods.account, goods.row.name
        else:
            quantity, price = Decimal(1), cents(rng.randint(800, 180_000))
            account, description = ledger.accounts[rng.choice(_EXPENSE_ACCOUNTS)], None
        lines.append(
            ExpenseLine(
                id=nested_id(rng),
                remote_id=f"{n}-{position}",
                item=None if goods is None else goods.id,
                net_amount=_signed(price * quantity, sign),  # a 2-place price times whole units: exact
                tracking_category=tracking[0],
                tracking_categories=tracking,
                company=ledger.company,
                currency=currency,
                account=account,
                description=description,
                exchange_rate=rate,
                tax_rate=tax,
                quantity=str(quantity),
                unit_price=str(_signed(price, sign)),
                remote_was_deleted=False,
            )
        )
    return lines


def _expense(rng: random.Random, ledger: Ledger, n: int) -> NewRecord:
    payment_type = rng.choice(_PAYMENT_TYPES)
    refund = payment_type == "CreditCard" and rng.random() < _REFUND_SHARE
    sign = 1 if refund else -1
    staff = rng.randrange(len(ledger.employees)) if not refund and rng.random() < _EMPLOYEE_SHARE else None
    employee = None if staff is None else ledger.employees[staff]
    party = None if staff is not None else rng.choice(ledger.suppliers)
    currency = party.region.currency if party is not None else Currency.USD
    rate = party.region.usd_rate if party is not None else "1"
    tax = ledger.taxes[rng.choice(party.region.tax_codes)] if party is not None else None
    lines = _lines(rng, ledger, n, currency, rate, None if tax is None else tax.id, sign)
    sub_total = sum((line.net_amount for line in lines), _ZERO)  # type: ignore[misc]
    tax_amount = _ZERO if tax is None else (sub_total * tax.percent / _HUNDRED).quantize(CENT, ROUND_HALF_UP)
    account = _CARD if payment_type == "CreditCard" else BANK_BY_CURRENCY.get(currency, "1000")
    moment = day(rng)
    deleted = rng.random() < _DELETED_SHARE
    model = Expense(
        transaction_date=moment,
        remote_created_at=moment,
        account=ledger.accounts[account],
        contact=None if party is None else party.id,
        total_amount=sub_total + tax_amount,
        sub_total=sub_total,
        total_tax_amount=tax_amount,
        currency=currency,
        exchange_rate=rate,
        inclusive_of_tax=False,
        company=ledger.company,
        employee=employee,
        memo=rng.choice(_MEMOS),
        lines=lines,
        tracking_categories=lines[0].tracking_categories,
        remote_was_deleted=deleted,
        accounting_period=ledger.period(moment),
    )
    payee = (
        {"value": party.remote_id, "name": party.name, "type": "Vendor"}
        if party is not None
        else {"value": f"emp-{staff + 1}", "type": "Employee"}  # type: ignore[operator]
    )
    data = {
        "TxnDate": moment.date().isoformat(),
        "PaymentType": payment_type,
        "Credit": refund,
        "EntityRef": payee,
        "CurrencyRef": {"value": currency.value},
        "TotalAmt": abs(model.total_amount),  # type: ignore[arg-type]
        "MetaData": {"CreateTime": stamp(moment), "LastUpdatedTime": stamp(moment)},
    }
    return NewRecord(
        remote_id=f"exp-{n}", model=model, remote_data=remote(ledger, "purchase", n, data), remote_was_deleted=deleted
    )


def expenses(rng: random.Random, ledger: Ledger, count: int) -> Iterator[NewRecord]:
    """``count`` cash, cheque and card purchases from suppliers or paid by employees, and a few card refunds."""
    for n in range(1, count + 1):
        yield _expense(rng, ledger, n)
