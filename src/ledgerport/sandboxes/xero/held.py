"""Overpayments, prepayments and bank transfers: ``GET /Overpayments``, ``GET /Prepayments``, ``GET /BankTransfers``.

* An **Overpayment** (``RECEIVE-OVERPAYMENT`` from a customer, ``SPEND-OVERPAYMENT`` to a supplier) and a
  **Prepayment** (``RECEIVE-PREPAYMENT`` / ``SPEND-PREPAYMENT``) are money received or paid ahead of a document: Xero
  keeps them as credit held with the contact (``RemainingCredit``, ``Allocations``) until allocated to invoices. They
  are made through ``PUT /BankTransactions`` (Xero's API reference, "Overpayments" and "Prepayments": "use the
  BankTransactions endpoint to create"), so here they are read-only. Both lists are paged (100 by default, ``page``
  and ``pageSize``), take ``If-Modified-Since``, ``where`` and ``order``; a voided one stays listed as VOIDED.
* A **BankTransfer** moves money between two of the organisation's bank accounts (``FromBankAccount``,
  ``ToBankAccount``, ``Amount``, ``Date``, the ids of the two bank transactions it made, ``CreatedDateUTC``). Xero
  lists them unpaged with ``If-Modified-Since``, ``where`` and ``order``, and can neither change nor delete one
  through the API (xero-python#167), so the sandbox offers no write either.

The generated records follow the tenant's other documents: the same contacts, lines and currencies.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.xero.amounts import RATE, ZERO, money
from ledgerport.sandboxes.xero.dates import DAY_MS, ms_date, start_of_day
from ledgerport.sandboxes.xero.documents import Ledger, _stamp, random_id

__all__ = ["bank_transfer", "overpayment", "prepayment"]

Record = dict[str, Any]


def _held(ledger: Ledger, collection: str, key: str, kind: str, slot: int) -> Record:
    rng = ledger.rng(collection, slot)
    receive = rng.random() < 0.6
    held = ledger.collections[collection]
    doc = ledger._document(rng, sales=receive, updated=held.updated[slot])
    status = "VOIDED" if rng.random() < 0.1 else "AUTHORISED"
    sub_total, total_tax, total = doc["totals"]
    record: Record = {
        key: held.ids[slot],
        "Type": f"{'RECEIVE' if receive else 'SPEND'}-{kind}",
        "Contact": ledger.contact_ref(doc["contact"]),
    }
    _stamp(record, "Date", doc["day"])
    record |= {
        "Status": status,
        "LineAmountTypes": doc["lat"],
        "LineItems": doc["lines"],
        "SubTotal": sub_total,
        "TotalTax": total_tax,
        "Total": total,
        "UpdatedDateUTC": ms_date(held.updated[slot]),
        "CurrencyCode": doc["currency"],
        "CurrencyRate": doc["rate"],
        "RemainingCredit": ZERO if status == "VOIDED" else total,
        "Allocations": [],
        "Payments": [],
        "HasAttachments": False,
    }
    if kind == "PREPAYMENT":
        record["Reference"] = f"Deposit {slot + 1}"
    return record


def overpayment(ledger: Ledger, slot: int) -> Record:
    """A generated overpayment, unallocated."""
    return _held(ledger, "Overpayments", "OverpaymentID", "OVERPAYMENT", slot)


def prepayment(ledger: Ledger, slot: int) -> Record:
    """A generated prepayment, unallocated."""
    return _held(ledger, "Prepayments", "PrepaymentID", "PREPAYMENT", slot)


def _bank(ledger: Ledger, code: str) -> Record:
    account = ledger.accounts[code]
    return {"AccountID": account["AccountID"], "Code": account["Code"], "Name": account["Name"]}


def bank_transfer(ledger: Ledger, slot: int) -> Record:
    """A generated transfer between the business bank account and the savings account (090 and 091)."""
    rng = ledger.rng("BankTransfers", slot)
    transfers = ledger.collections["BankTransfers"]
    created = transfers.updated[slot]
    source, target = ("090", "091") if rng.random() < 0.7 else ("091", "090")
    record: Record = {
        "BankTransferID": transfers.ids[slot],
        "FromBankAccount": _bank(ledger, source),
        "ToBankAccount": _bank(ledger, target),
        "Amount": money(Decimal(rng.randint(10_000, 2_000_000)).scaleb(-2)),
    }
    _stamp(record, "Date", start_of_day(created - rng.randint(0, 3) * DAY_MS))
    record |= {
        "CurrencyRate": Decimal(1).quantize(RATE),
        "FromBankTransactionID": random_id(rng),
        "ToBankTransactionID": random_id(rng),
        "FromIsReconciled": rng.random() < 0.5,
        "ToIsReconciled": rng.random() < 0.5,
        "Reference": f"Transfer {slot + 1}",
        "HasAttachments": False,
        "CreatedDateUTC": ms_date(created),
    }
    return record
