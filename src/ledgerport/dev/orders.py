"""The modest-volume documents: purchase and sales orders, credit notes, vendor credits and payments.

Orders and credits are written before invoices (invoices link to orders); payments after, because each pays one
written invoice and points at it. Lines add up to totals exactly, as in :mod:`ledgerport.dev.documents`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from ledgerport.dev.catalog import BANK_BY_CURRENCY
from ledgerport.dev.ledger import CENT, Goods, Ledger, Party, day, nested_id, remote
from ledgerport.models import (
    CreditNote,
    CreditNoteLineItem,
    CreditNoteStatus,
    Invoice,
    InvoiceType,
    Payment,
    PaymentLineItem,
    PaymentType,
    PurchaseOrder,
    PurchaseOrderLineItem,
    PurchaseOrderStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    VendorCredit,
    VendorCreditLine,
)
from ledgerport.store.records import NewRecord

__all__ = ["credit_notes", "payments", "purchase_orders", "sales_orders", "vendor_credits"]

_HUNDRED = Decimal(100)
_ZERO = Decimal("0.00")
_PO_STATUSES = tuple(status for status in PurchaseOrderStatus if status != PurchaseOrderStatus.DELETED)
_SO_STATUSES = tuple(SalesOrderStatus)
_CN_STATUSES = tuple(CreditNoteStatus)


def _draws(rng: random.Random, goods: Sequence[Goods], party: Party, most: int) -> list[tuple[Goods, Decimal, Decimal]]:
    """1 to ``most`` (item, quantity, line amount) triples priced in the party's currency."""
    currency = party.region.currency
    picks = []
    for _ in range(rng.randint(1, most)):
        item = rng.choice(goods)
        quantity = Decimal(rng.randint(1, 12))
        picks.append((item, quantity, item.prices[currency] * quantity))  # 2-place price x whole units: exact
    return picks


def purchase_orders(rng: random.Random, ledger: Ledger, count: int) -> list[NewRecord]:
    """Orders to suppliers; ``total_amount`` is the lines' amounts plus their tax."""
    records = []
    for n in range(1, count + 1):
        party = rng.choice(ledger.suppliers)
        tax = ledger.taxes[rng.choice(party.region.tax_codes)]
        issued, lines, total = day(rng), [], _ZERO
        for position, (item, quantity, amount) in enumerate(_draws(rng, ledger.bought, party, 4), start=1):
            tax_amount = (amount * tax.percent / _HUNDRED).quantize(CENT, ROUND_HALF_UP)
            total += amount + tax_amount
            lines.append(
                PurchaseOrderLineItem(
                    id=nested_id(rng),
                    remote_id=f"{n}-{position}",
                    description=item.row.name,
                    unit_price=item.prices[party.region.currency],
                    quantity=quantity,
                    item=item.id,
                    account=item.account,
                    tax_amount=str(tax_amount),
                    total_line_amount=str(amount),
                    currency=party.region.currency,
                    tax_rate=tax.id,
                    exchange_rate=party.region.usd_rate,
                    company=ledger.company,
                    remote_was_deleted=False,
                )
            )
        model = PurchaseOrder(
            status=rng.choice(_PO_STATUSES),
            issue_date=issued,
            purchase_order_number=f"PO-{n:05d}",
            delivery_date=issued + timedelta(days=rng.randint(3, 30)),
            vendor=party.id,
            company=ledger.company,
            total_amount=total,
            currency=party.region.currency,
            exchange_rate=party.region.usd_rate,
            payment_term=party.term.id,
            line_items=lines,
            inclusive_of_tax=False,
            accounting_period=ledger.period(issued),
            remote_created_at=issued,
            remote_updated_at=issued,
            remote_was_deleted=False,
        )
        data = {"DocNumber": model.purchase_order_number, "VendorRef": {"value": party.remote_id}, "TotalAmt": total}
        records.append(
            NewRecord(remote_id=f"po-{n}", model=model, remote_data=remote(ledger, "purchaseorder", n, data))
        )
    return records


def sales_orders(rng: random.Random, ledger: Ledger, count: int) -> list[NewRecord]:
    """Orders from customers; ``total`` is the sum of unit price times quantity over the lines."""
    records = []
    for n in range(1, count + 1):
        party = rng.choice(ledger.customers)
        tax = ledger.taxes[rng.choice(party.region.tax_codes)]
        issued, lines, total = day(rng), [], _ZERO
        for position, (item, quantity, amount) in enumerate(_draws(rng, ledger.sold, party, 4), start=1):
            total += amount
            lines.append(
                SalesOrderLine(
                    id=nested_id(rng),
                    remote_id=f"{n}-{position}",
                    description=item.row.name,
                    unit_price=str(item.prices[party.region.currency]),
                    quantity=str(quantity),
                    item=item.id,
                    tax_rate=tax.id,
                    company=ledger.company,
                    remote_was_deleted=False,
                )
            )
        model = SalesOrder(
            customer=party.id,
            currency=party.region.currency,
            exchange_rate=party.region.usd_rate,
            company=ledger.company,
            status=rng.choice(_SO_STATUSES),
            payment_term=party.term.id,
            issue_date=issued,
            transaction_number=f"SO-{n:05d}",
            total=total,
            lines=lines,
            remote_created_at=issued,
            remote_updated_at=issued,
            remote_was_deleted=False,
        )
        data = {"DocNumber": model.transaction_number, "CustomerRef": {"value": party.remote_id}, "TotalAmt": total}
        records.append(NewRecord(remote_id=f"so-{n}", model=model, remote_data=remote(ledger, "estimate", n, data)))
    return records


def credit_notes(rng: random.Random, ledger: Ledger, count: int) -> list[NewRecord]:
    """Credits to customers; nothing remains of a PAID (refunded or applied) credit note."""
    records = []
    for n in range(1, count + 1):
        party = rng.choice(ledger.customers)
        tax = ledger.taxes[rng.choice(party.region.tax_codes)]
        issued, lines, total = day(rng), [], _ZERO
        for position, (item, quantity, amount) in enumerate(_draws(rng, ledger.sold, party, 3), start=1):
            total += amount
            lines.append(
                CreditNoteLineItem(
                    id=nested_id(rng),
                    remote_id=f"{n}-{position}",
                    item=item.id,
                    name=item.row.name,
                    description=f"Credit: {item.row.name}",
                    quantity=str(quantity),
                    unit_price=str(item.prices[party.region.currency]),
                    tax_rate=tax.id,
                    total_line_amount=str(amount),
                    account=item.account,
                    company=ledger.company,
                    contact=party.id,
                    remote_was_deleted=False,
                )
            )
        status = rng.choice(_CN_STATUSES)
        model = CreditNote(
            transaction_date=issued,
            status=status,
            number=f"CN-{n:05d}",
            contact=party.id,
            company=ledger.company,
            exchange_rate=party.region.usd_rate,
            total_amount=total,
            remaining_credit=_ZERO if status == CreditNoteStatus.PAID else total,
            inclusive_of_tax=False,
            line_items=lines,
            currency=party.region.currency,
            remote_created_at=issued,
            remote_updated_at=issued,
            accounting_period=ledger.period(issued),
            remote_was_deleted=False,
        )
        data = {"DocNumber": model.number, "CustomerRef": {"value": party.remote_id}, "TotalAmt": total}
        records.append(NewRecord(remote_id=f"cn-{n}", model=model, remote_data=remote(ledger, "creditmemo", n, data)))
    return records


def vendor_credits(rng: random.Random, ledger: Ledger, count: int) -> list[NewRecord]:
    """Credits from suppliers; ``total_amount`` is the sum of the lines' ``net_amount``."""
    records = []
    for n in range(1, count + 1):
        party = rng.choice(ledger.suppliers)
        issued, lines, total = day(rng), [], _ZERO
        for position, (item, _, amount) in enumerate(_draws(rng, ledger.bought, party, 3), start=1):
            total += amount
            lines.append(
                VendorCreditLine(
                    id=nested_id(rng),
                    remote_id=f"{n}-{position}",
                    net_amount=amount,
                    description=item.row.name,
                    account=item.account,
                    company=ledger.company,
                    contact=party.id,
                    exchange_rate=party.region.usd_rate,
                    remote_was_deleted=False,
                )
            )
        model = VendorCredit(
            number=f"VC-{n:05d}",
            transaction_date=issued,
            vendor=party.id,
            total_amount=total,
            currency=party.region.currency,
            exchange_rate=party.region.usd_rate,
            inclusive_of_tax=False,
            company=ledger.company,
            lines=lines,
            accounting_period=ledger.period(issued),
            remote_was_deleted=False,
        )
        data = {"DocNumber": model.number, "VendorRef": {"value": party.remote_id}, "TotalAmt": total}
        records.append(NewRecord(remote_id=f"vc-{n}", model=model, remote_data=remote(ledger, "vendorcredit", n, data)))
    return records


def payments(rng: random.Random, ledger: Ledger, paid: Sequence[tuple[str, NewRecord]]) -> list[NewRecord]:
    """One payment settling each written PAID invoice of ``paid`` (its id and record), in full on its paid date."""
    records = []
    for n, (invoice_id, record) in enumerate(paid, start=1):
        invoice = record.model
        assert isinstance(invoice, Invoice)
        assert invoice.paid_on_date is not None
        assert invoice.currency is not None
        receivable = invoice.type == InvoiceType.ACCOUNTS_RECEIVABLE
        applied = PaymentLineItem(
            id=nested_id(rng),
            remote_id=f"{n}-1",
            applied_amount=str(invoice.total_amount),
            applied_date=invoice.paid_on_date,
            related_object_id=invoice_id,
            related_object_type="INVOICE",
        )
        model = Payment(
            transaction_date=invoice.paid_on_date,
            contact=invoice.contact,
            account=ledger.accounts[BANK_BY_CURRENCY.get(invoice.currency, "1000")],
            currency=invoice.currency,
            exchange_rate=invoice.exchange_rate,
            company=ledger.company,
            total_amount=invoice.total_amount,
            type=PaymentType.ACCOUNTS_RECEIVABLE if receivable else PaymentType.ACCOUNTS_PAYABLE,
            tracking_categories=invoice.tracking_categories,
            accounting_period=ledger.period(invoice.paid_on_date),
            applied_to_lines=[applied],
            remote_updated_at=invoice.paid_on_date + timedelta(hours=2),
            remote_was_deleted=False,
        )
        data = {
            "TotalAmt": invoice.total_amount,
            "TxnDate": invoice.paid_on_date.date().isoformat(),
            "Line": [
                {
                    "Amount": invoice.total_amount,
                    "LinkedTxn": [
                        {"TxnId": record.remote_id.removeprefix("inv-"), "TxnType": "Invoice" if receivable else "Bill"}
                    ],
                }
            ],
        }
        resource = "payment" if receivable else "billpayment"
        records.append(NewRecord(remote_id=f"pmt-{n}", model=model, remote_data=remote(ledger, resource, n, data)))
    return records
