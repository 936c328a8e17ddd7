"""The general ledger behind ``GET /Journals`` and the reports: journals computed from the organisation's documents.

Xero writes a journal when a document starts touching the ledger (an invoice approved, a payment made, a manual
journal posted) and never changes it afterwards: an edited document gets a reversing journal and a new one, a voided
or deleted one a reversing journal. :class:`Book` replays that from the documents themselves. Before every read it
catches up with the documents written since the last one (each collection's UpdatedDateUTC index is sorted, so that
is one bisect per collection), computes each changed document's posting, and appends journals where the posting
differs from what the ledger holds for it. Journals therefore appear for generated and written documents alike, are
numbered in the order their documents changed, and are never rewritten.

Every journal balances: amounts are converted to the base currency line by line (``amount / CurrencyRate``, as the
payments' ``BankAmount`` is), and the control line (receivables, payables or the bank) takes minus the sum of the
others, so conversion rounding lands on it. Guesses the documents do not settle are marked "Guess" below.
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.xero.amounts import ZERO, money, to_decimal
from ledgerport.sandboxes.xero.dates import ms_date, parse_body_date, start_of_day
from ledgerport.sandboxes.xero.store import Tenant

__all__ = ["Book", "Line", "Posting", "SOURCE_COLLECTIONS", "book_for"]

Record = dict[str, Any]

SOURCE_COLLECTIONS = ("Invoices", "CreditNotes", "Payments", "BankTransactions", "ManualJournals", "BankTransfers")
"""The collections whose documents post to the ledger. Overpayments and prepayments are not among them: their money
is a bank transaction's (``RECEIVE-PREPAYMENT``, ``SPEND-OVERPAYMENT``), journaled once, under the overpayment's or
prepayment's id as Xero does. ``BankTransfers`` is journaled when the organisation has that collection; the
``*-TRANSFER`` bank transactions are the two sides of a transfer and are not journaled again."""

_REVERSED_BY = {
    "Invoices": "VOIDED",
    "CreditNotes": "VOIDED",
    "ManualJournals": "VOIDED",
    "BankTransactions": "DELETED",
    "Payments": "DELETED",
    "BankTransfers": "DELETED",
}
"""The status that means "was posted, then taken back". A document first seen in it was posted before (Xero only
voids approved documents and deletes posted bank transactions and payments), so it gets its journal and the
reversal together. DELETED invoices, credit notes and manual journals were drafts: they never posted."""

_POSTED = {
    "Invoices": frozenset({"AUTHORISED", "PAID"}),
    "CreditNotes": frozenset({"AUTHORISED", "PAID"}),
    "ManualJournals": frozenset({"POSTED"}),
    "BankTransactions": frozenset({"AUTHORISED"}),
    "Payments": frozenset({"AUTHORISED"}),
    "BankTransfers": frozenset({"AUTHORISED", ""}),
}
_NAMESPACE = uuid.UUID("9b7a4c1e-55d6-4f0e-8d3b-6f1d0c2a7e11")


@dataclass(frozen=True)
class Line:
    """One journal line: signed base-currency amounts (debits positive) on one account."""

    account_id: str
    net: Decimal
    tax: Decimal = ZERO
    description: str = ""
    tax_type: str = ""
    tracking: tuple[tuple[str, str, str, str], ...] = ()
    """``(TrackingCategoryID, TrackingOptionID, Name, Option)`` of the document line."""


@dataclass(frozen=True)
class Posting:
    """What one document puts in the ledger now; two equal postings need no new journal."""

    day_ms: int
    source_type: str
    source_id: str
    reference: str
    lines: tuple[Line, ...]

    def reversed(self) -> Posting:
        """The same lines with opposite signs, on the same date: a voided document leaves every report."""
        lines = tuple(Line(x.account_id, -x.net, -x.tax, x.description, x.tax_type, x.tracking) for x in self.lines)
        return Posting(self.day_ms, self.source_type, self.source_id, self.reference, lines)


def _day(value: Any) -> int | None:
    found = parse_body_date(value)
    return None if found is None else start_of_day(found)


def _tracking(line: Record) -> tuple[tuple[str, str, str, str], ...]:
    return tuple(
        (
            str(t.get("TrackingCategoryID", "")),
            str(t.get("TrackingOptionID", "")),
            str(t.get("Name", "")),
            str(t.get("Option", "")),
        )
        for t in line.get("Tracking") or []
        if isinstance(t, dict)
    )


@dataclass
class _Accounts:
    """The chart as the ledger needs it: by id and by code, and the system accounts."""

    tenant: Tenant
    systems: dict[str, str] = field(default_factory=dict)

    def find(self, key: Any) -> Record | None:
        """An account by AccountID or Code."""
        collection = self.tenant.collections["Accounts"]
        slot = collection.find(str(key)) if key else None
        return collection.get(slot) if slot is not None else None

    def line_account(self, line: Record) -> str | None:
        """The AccountID a document line posts to."""
        account = self.find(line.get("AccountID")) or self.find(line.get("AccountCode"))
        return None if account is None else str(account["AccountID"])

    def system(self, name: str) -> str:
        """The id of the system account ``name`` (DEBTORS, CREDITORS, GST)."""
        found = self.systems.get(name)
        if found is None:
            for account in self.tenant.collections["Accounts"].all_records():
                if account.get("SystemAccount") == name:
                    found = self.systems[name] = str(account["AccountID"])
                    break
            else:
                raise LookupError(f"the chart of accounts has no {name} account")
        return found


def _close(lines: list[Line], control: str, description: str = "") -> tuple[Line, ...]:
    """``lines`` plus the control line that balances them (left out when it would be zero)."""
    rest = -sum((line.net for line in lines), ZERO)
    kept = [line for line in lines if line.net or line.tax]
    return (*kept, Line(control, rest, description=description)) if rest else tuple(kept)


def _document_lines(accounts: _Accounts, record: Record, sign: int, rate: Decimal) -> list[Line]:
    """Item lines at ``sign`` (+1 debit, -1 credit) in the base currency, then one line of their total tax."""
    inclusive = record.get("LineAmountTypes") == "Inclusive"
    lines: list[Line] = []
    tax_total = ZERO
    for item in record.get("LineItems") or []:
        account = accounts.line_account(item)
        amount = to_decimal(item.get("LineAmount")) or ZERO
        tax = to_decimal(item.get("TaxAmount")) or ZERO
        if account is None:
            continue
        net = money((amount - tax if inclusive else amount) / rate) * sign
        line_tax = money(tax / rate) * sign
        tax_total += line_tax
        lines.append(
            Line(
                account,
                net,
                line_tax,
                str(item.get("Description") or ""),
                str(item.get("TaxType") or ""),
                _tracking(item),
            )
        )
    if tax_total:
        lines.append(Line(accounts.system("GST"), tax_total, description="Sales Tax"))
    return lines


def _rate(record: Record) -> Decimal:
    rate = to_decimal(record.get("CurrencyRate"))
    return rate if rate else Decimal(1)


def _invoice(accounts: _Accounts, record: Record) -> Posting | None:
    sales = record.get("Type") == "ACCREC"
    day = _day(record.get("Date"))
    if day is None:
        return None
    lines = _document_lines(accounts, record, -1 if sales else 1, _rate(record))
    control = accounts.system("DEBTORS" if sales else "CREDITORS")
    return Posting(
        day,
        "ACCREC" if sales else "ACCPAY",
        str(record["InvoiceID"]),
        str(record.get("InvoiceNumber") if sales else record.get("Reference") or record.get("InvoiceNumber") or ""),
        _close(lines, control),
    )


def _credit_note(accounts: _Accounts, record: Record) -> Posting | None:
    sales = record.get("Type") == "ACCRECCREDIT"
    day = _day(record.get("Date"))
    if day is None:
        return None
    lines = _document_lines(accounts, record, 1 if sales else -1, _rate(record))
    control = accounts.system("DEBTORS" if sales else "CREDITORS")
    source = "ACCRECCREDIT" if sales else "ACCPAYCREDIT"
    return Posting(
        day, source, str(record["CreditNoteID"]), str(record.get("CreditNoteNumber") or ""), _close(lines, control)
    )


_PAYMENT_SIDES = {
    # PaymentType: (control account, sign of the bank line)
    "ACCRECPAYMENT": ("DEBTORS", 1),
    "ACCPAYPAYMENT": ("CREDITORS", -1),
    "ARCREDITPAYMENT": ("DEBTORS", -1),
    "APCREDITPAYMENT": ("CREDITORS", 1),
    "AROVERPAYMENTPAYMENT": ("DEBTORS", -1),
    "ARPREPAYMENTPAYMENT": ("DEBTORS", -1),
    "APOVERPAYMENTPAYMENT": ("CREDITORS", 1),
    "APPREPAYMENTPAYMENT": ("CREDITORS", 1),
}


def _payment(accounts: _Accounts, record: Record) -> Posting | None:
    kind = str(record.get("PaymentType") or "")
    if kind not in _PAYMENT_SIDES:
        kind = "ACCPAYPAYMENT" if (record.get("Invoice") or {}).get("Type") == "ACCPAY" else "ACCRECPAYMENT"
    control, sign = _PAYMENT_SIDES[kind]
    bank = accounts.find((record.get("Account") or {}).get("AccountID")) or accounts.find(
        (record.get("Account") or {}).get("Code")
    )
    day = _day(record.get("Date"))
    if bank is None or day is None:
        return None
    # Guess: the payment settles the receivable at the payment's own rate, so no realised currency gain or loss
    # is journaled (the sandbox's payments always take their invoice's rate, which makes the two the same).
    amount = to_decimal(record.get("BankAmount")) or money((to_decimal(record.get("Amount")) or ZERO) / _rate(record))
    lines = [Line(str(bank["AccountID"]), amount * sign, description=str(record.get("Reference") or ""))]
    return Posting(
        day, kind, str(record["PaymentID"]), str(record.get("Reference") or ""), _close(lines, accounts.system(control))
    )


_HELD = {
    # bank transaction Type: (journal SourceType, the id field of the money held, control account)
    "RECEIVE-PREPAYMENT": ("ARPREPAYMENT", "PrepaymentID", "DEBTORS"),
    "RECEIVE-OVERPAYMENT": ("AROVERPAYMENT", "OverpaymentID", "DEBTORS"),
    "SPEND-PREPAYMENT": ("APPREPAYMENT", "PrepaymentID", "CREDITORS"),
    "SPEND-OVERPAYMENT": ("APOVERPAYMENT", "OverpaymentID", "CREDITORS"),
}


def _bank_transaction(accounts: _Accounts, record: Record) -> Posting | None:
    kind = str(record.get("Type") or "")
    if kind.endswith("-TRANSFER"):
        return None
    bank = accounts.find((record.get("BankAccount") or {}).get("AccountID")) or accounts.find(
        (record.get("BankAccount") or {}).get("Code")
    )
    day = _day(record.get("Date"))
    if bank is None or day is None:
        return None
    receive = kind.startswith("RECEIVE")
    rate = _rate(record)
    reference = str(record.get("Reference") or "")
    if kind in _HELD:
        source, key, control = _HELD[kind]
        total = money((to_decimal(record.get("Total")) or ZERO) / rate)
        lines = [Line(accounts.system(control), -total if receive else total)]
        return Posting(
            day,
            source,
            str(record.get(key) or record["BankTransactionID"]),
            reference,
            _close(lines, str(bank["AccountID"])),
        )
    lines = _document_lines(accounts, record, -1 if receive else 1, rate)
    source = "CASHREC" if receive else "CASHPAID"
    return Posting(day, source, str(record["BankTransactionID"]), reference, _close(lines, str(bank["AccountID"])))


def _manual_journal(accounts: _Accounts, record: Record) -> Posting | None:
    day = _day(record.get("Date"))
    if day is None:
        return None
    lines = []
    for item in record.get("JournalLines") or []:
        account = accounts.line_account(item)
        if account is not None:
            # Guess: a manual journal's LineAmount is what reaches the account; tax on manual journals is not
            # split onto the tax account here (the sandbox's manual journals carry none).
            amount = to_decimal(item.get("LineAmount")) or ZERO
            lines.append(
                Line(
                    account,
                    amount,
                    ZERO,
                    str(item.get("Description") or ""),
                    str(item.get("TaxType") or ""),
                    _tracking(item),
                )
            )
    if not lines or sum((line.net for line in lines), ZERO):
        return None  # an unbalanced manual journal cannot post (Xero refuses to post one)
    return Posting(day, "MANJOURNAL", str(record["ManualJournalID"]), str(record.get("Narration") or ""), tuple(lines))


def _bank_transfer(accounts: _Accounts, record: Record) -> Posting | None:
    source = accounts.find((record.get("FromBankAccount") or {}).get("AccountID"))
    target = accounts.find((record.get("ToBankAccount") or {}).get("AccountID"))
    day = _day(record.get("Date"))
    amount = to_decimal(record.get("Amount"))
    if source is None or target is None or day is None or not amount:
        return None
    lines = [Line(str(target["AccountID"]), money(amount))]
    return Posting(
        day,
        "TRANSFER",
        str(record["BankTransferID"]),
        str(record.get("Reference") or ""),
        _close(lines, str(source["AccountID"])),
    )


_POSTERS: dict[str, Callable[[_Accounts, Record], Posting | None]] = {
    "Invoices": _invoice,
    "CreditNotes": _credit_note,
    "Payments": _payment,
    "BankTransactions": _bank_transaction,
    "ManualJournals": _manual_journal,
    "BankTransfers": _bank_transfer,
}


@dataclass
class Book:
    """One organisation's journals, their per-account daily totals, and how far they have caught up."""

    tenant: Tenant
    journals: list[Record] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    """Each journal's CreatedDateUTC in ms, parallel to ``journals`` (non-decreasing)."""
    daily: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    """AccountID -> day (ms) -> the day's net movement (debits positive)."""
    posted: dict[tuple[str, str], Posting] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)

    def catch_up(self) -> None:
        """Journal every document changed since the last call, in the order the documents changed."""
        accounts = _Accounts(self.tenant)
        changes: list[tuple[int, str, int]] = []
        for name in SOURCE_COLLECTIONS:
            collection = self.tenant.collections.get(name)
            if collection is None:
                continue
            start = bisect.bisect_right(collection.index_ms, self.seen.get(name, -1))
            changes += [
                (ms, name, slot)
                for ms, slot in zip(collection.index_ms[start:], collection.index_slot[start:], strict=True)
            ]
            if collection.index_ms:
                self.seen[name] = collection.index_ms[-1]
        changes.sort()
        for updated, name, slot in changes:
            record = self.tenant.collections[name].get(slot)
            self._apply(accounts, name, record, updated)

    def _apply(self, accounts: _Accounts, name: str, record: Record, updated: int) -> None:
        key_field = self.tenant.collections[name].spec.key
        key = (name, str(record.get(key_field)))
        status = str(record.get("Status") or "")
        previous = self.posted.get(key)
        live = status in _POSTED[name]
        voided = status == _REVERSED_BY[name]
        current = _POSTERS[name](accounts, record) if live or (voided and previous is None) else None
        if current is not None and not any(line.net for line in current.lines):
            current = None  # a document of nothing posts nothing
        if voided and previous is None and current is not None:
            self._append(current, updated)  # posted before it was taken back (see _REVERSED_BY)
            previous, current = current, None
        if current == previous:
            return
        if previous is not None:
            self._append(previous.reversed(), updated)
        if current is not None:
            self._append(current, updated)
            self.posted[key] = current
        else:
            self.posted.pop(key, None)

    def _append(self, posting: Posting, updated: int) -> None:
        number = len(self.journals) + 1
        created = max(updated, self.created[-1] if self.created else updated)
        journal_id = uuid.uuid5(_NAMESPACE, f"{self.tenant.tenant_id}/{number}")
        lines = []
        for index, line in enumerate(posting.lines):
            account = _Accounts(self.tenant).find(line.account_id) or {}
            lines.append(
                {
                    "JournalLineID": str(uuid.uuid5(journal_id, str(index))),
                    "AccountID": line.account_id,
                    "AccountCode": account.get("Code", ""),
                    "AccountType": account.get("Type", ""),
                    "AccountName": account.get("Name", ""),
                    "Description": line.description,
                    "NetAmount": line.net,
                    "GrossAmount": line.net + line.tax,
                    "TaxAmount": line.tax,
                    "TaxType": line.tax_type or "NONE",
                    "TaxName": self._tax_name(line.tax_type),
                    "TrackingCategories": [
                        {
                            "Name": name,
                            "Option": option,
                            "TrackingCategoryID": category,
                            "TrackingOptionID": option_id,
                            "Options": [],
                        }
                        for category, option_id, name, option in line.tracking
                    ],
                }
            )
            per_day = self.daily.setdefault(line.account_id, {})
            per_day[posting.day_ms] = per_day.get(posting.day_ms, ZERO) + line.net
        self.journals.append(
            {
                "JournalID": str(journal_id),
                "JournalDate": ms_date(posting.day_ms),
                "JournalNumber": number,
                "CreatedDateUTC": ms_date(created),
                "Reference": posting.reference,
                "SourceID": posting.source_id,
                "SourceType": posting.source_type,
                "JournalLines": lines,
            }
        )
        self.created.append(created)

    def _tax_name(self, tax_type: str) -> str:
        rates = self.tenant.collections["TaxRates"]
        slot = rates.find(tax_type) if tax_type else None
        return str(rates.get(slot).get("Name", "")) if slot is not None else ("No Tax" if not tax_type else tax_type)

    def after(self, offset: int, since_ms: int | None, limit: int, *, payments_only: bool = False) -> list[Record]:
        """Up to ``limit`` journals numbered above ``offset``, created after ``since_ms``, oldest first."""
        self.catch_up()
        found: list[Record] = []
        for journal, created in zip(self.journals[max(0, offset) :], self.created[max(0, offset) :], strict=True):
            if since_ms is not None and created <= since_ms:
                continue
            if payments_only and not _touches_bank(journal):
                continue
            found.append(journal)
            if len(found) == limit:
                break
        return found

    def find(self, key: str) -> Record | None:
        """One journal by JournalID or JournalNumber."""
        self.catch_up()
        if key.isdigit():
            number = int(key)
            return self.journals[number - 1] if 0 < number <= len(self.journals) else None
        return next((j for j in self.journals if j["JournalID"].lower() == key.lower()), None)

    def balances(self, first_day: int | None, last_day: int) -> Iterator[tuple[str, Decimal]]:
        """Each account's net movement (debits positive) on days ``first_day``..``last_day`` (from the start when
        ``first_day`` is None)."""
        self.catch_up()
        for account_id, days in self.daily.items():
            total = sum(
                (amount for day, amount in days.items() if (first_day is None or day >= first_day) and day <= last_day),
                ZERO,
            )
            yield account_id, total


def _touches_bank(journal: Record) -> bool:
    """Cash-basis journals: the ones that move a bank account (Guess: ``paymentsOnly`` keeps exactly these)."""
    return any(line["AccountType"] == "BANK" for line in journal["JournalLines"])


def book_for(tenant: Tenant) -> Book:
    """The tenant's book, made on first use and kept on the tenant."""
    if not isinstance(tenant.ledger, Book):
        tenant.ledger = Book(tenant)
    return tenant.ledger
