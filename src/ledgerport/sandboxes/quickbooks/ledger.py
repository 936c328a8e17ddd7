"""The company's general ledger, derived from every posting document the sandbox holds: ``ledger(company)``.

QBO computes its reports from the postings its transactions make; the sandbox does the same from its own tables, so
whatever the reports say adds up (debits equal credits in every transaction, hence assets equal liabilities plus
equity) and a document written through the API shows up in the next report. Amounts are in the home currency: a
document's amounts times its ``ExchangeRate``, rounded to cents line by line, the control line (A/R, A/P, the bank)
taking the total of the others so that each transaction balances to the cent.

What each document posts (debit / credit), following QBO's accrual postings:

* Invoice: A/R / each item's income account, Sales Tax Payable; an Inventory item also posts its cost
  (``Qty * PurchaseCost``) to its expense (COGS) account / its asset account. SalesReceipt: the same, with the
  deposit account (Undeposited Funds) in place of A/R. CreditMemo: the reverse of an invoice.
* Bill: each line's account (an item line: the item's asset account for Inventory, else its expense account) / A/P.
  VendorCredit: the reverse. Purchase: its lines / ``AccountRef`` (a ``Credit`` card refund: the reverse).
* Payment: the deposit account / A/R. BillPayment: A/P / the bank or card account.
* JournalEntry: each line to its ``PostingType``. Deposit: the deposit account / each line's account (a line linked
  to a payment: Undeposited Funds). Transfer: ``ToAccountRef`` / ``FromAccountRef``.
* Estimate and PurchaseOrder post nothing; a voided document posts zeros, which are left out.

Guessed where QBO does not document it (the sandbox's choices): A/R and A/P are the document's ``ARAccountRef`` /
``APAccountRef``, else the A/R (A/P) account in the document's currency, else the first one; the cost of an inventory
sale is the item's ``PurchaseCost`` (QBO uses FIFO cost); a discount line debits its ``DiscountAccountRef`` (else
the first income account of the document); tax on a purchase debits Sales Tax Payable; exchange-rate gains and
losses are never booked (a foreign invoice and its payment may leave a cent on A/R); sub-accounts are reported flat.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.quickbooks.plan import money
from ledgerport.sandboxes.quickbooks.store import Company, Record

__all__ = ["Account", "Ledger", "POSTING_ENTITIES", "Posting", "TXN_TYPES", "Transaction", "ledger", "txn_type"]

_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Account:
    """What a report needs of an account."""

    id: str
    name: str
    account_type: str


@dataclass(frozen=True)
class Posting:
    """One debit (positive ``amount``) or credit (negative) to an account, in the home currency."""

    account: str
    amount: Decimal
    memo: str = ""


@dataclass(frozen=True)
class Transaction:
    """One posting document: what the journal report lists as one group of rows."""

    entity: str
    txn_id: str
    txn_date: date
    doc_number: str
    name: tuple[str, str] | None
    """``(entity id, display name)`` of the customer, vendor or payee."""
    memo: str
    postings: tuple[Posting, ...]


TXN_TYPES: dict[str, str] = {
    "Invoice": "Invoice",
    "SalesReceipt": "Sales Receipt",
    "CreditMemo": "Credit Memo",
    "Payment": "Payment",
    "Bill": "Bill",
    "VendorCredit": "Vendor Credit",
    "BillPayment": "Bill Payment (Check)",
    "JournalEntry": "Journal Entry",
    "Deposit": "Deposit",
    "Transfer": "Transfer",
    "Purchase": "Expense",
}
"""Entity → the "Transaction Type" the journal report shows (a card bill payment, a cheque and a card purchase have
names of their own: see :func:`txn_type`)."""


def txn_type(transaction: Transaction, record: Record) -> str:
    """The display name QBO gives the document's type in reports."""
    if transaction.entity == "BillPayment" and record.get("PayType") == "CreditCard":
        return "Bill Payment (Credit Card)"
    if transaction.entity == "Purchase":
        kind = record.get("PaymentType")
        if kind == "Check":
            return "Check"
        if kind == "CreditCard":
            return "Credit Card Credit" if record.get("Credit") is True else "Credit Card Expense"
    return TXN_TYPES[transaction.entity]


@dataclass
class Ledger:
    """The accounts and the transactions of one company, oldest first."""

    accounts: dict[str, Account]
    transactions: list[Transaction]
    records: dict[tuple[str, str], Record] = field(default_factory=dict)
    _prefix: dict[int, dict[str, tuple[Decimal, int]]] = field(default_factory=dict)
    """Running totals (amount, postings) per account of the first ``n`` transactions, by ``n``: a report by month
    asks for many ranges, and each is two lookups instead of a pass over the whole ledger."""

    _dates: list[date] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._dates = [t.txn_date for t in self.transactions]

    def _upto(self, day: date | None) -> dict[str, tuple[Decimal, int]]:
        if day is None:
            return {}
        stop = bisect_right(self._dates, day)
        found = self._prefix.get(stop)
        if found is not None:
            return found
        base = max((n for n in self._prefix if n <= stop), default=0)
        totals = dict(self._prefix.get(base, {}))
        for transaction in self.transactions[base:stop]:
            for posting in transaction.postings:
                amount, count = totals.get(posting.account, (_ZERO, 0))
                totals[posting.account] = (amount + posting.amount, count + 1)
        self._prefix[stop] = totals
        return totals

    def balances(self, first: date | None, last: date) -> dict[str, Decimal]:
        """Debit-positive movement per account of the transactions dated ``first``..``last`` (from the start when
        ``first`` is ``None``); an account is listed when it has postings in the range."""
        end = self._upto(last)
        start = self._upto(None if first is None else first - timedelta(days=1))
        moved: dict[str, Decimal] = {}
        for account, (amount, count) in end.items():
            before, earlier = start.get(account, (_ZERO, 0))
            if count > earlier:
                moved[account] = amount - before
        return moved

    def between(self, first: date, last: date) -> Iterator[Transaction]:
        """The transactions dated ``first``..``last``."""
        return (t for t in self.transactions if first <= t.txn_date <= last)


def _amount(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else _ZERO


def _ref(value: Any) -> str | None:
    return str(value["value"]) if isinstance(value, dict) and value.get("value") not in (None, "") else None


class _Book:
    """The company's name lists a posting rule consults: accounts by id, items, the A/R and A/P per currency."""

    def __init__(self, company: Company) -> None:
        self.company = company
        table = company.table("Account")
        self.accounts: dict[str, Record] = {r["Id"]: r for r in table.records(table.window((None, None)))}
        items = company.table("Item")
        self.items: dict[str, Record] = {r["Id"]: r for r in items.records(items.window((None, None)))}

    def _of_type(self, kind: str, currency: str) -> str | None:
        matching = [a for a in self.accounts.values() if a.get("AccountType") == kind]
        for account in matching:
            if _ref(account.get("CurrencyRef")) == currency:
                return str(account["Id"])
        return str(matching[0]["Id"]) if matching else None

    def control(self, record: Record, ref_field: str, kind: str) -> str | None:
        """The document's A/R or A/P account: its own ref, else the one in its currency."""
        own = _ref(record.get(ref_field))
        return own or self._of_type(kind, _ref(record.get("CurrencyRef")) or self.company.home_currency)

    def named(self, sub_type: str, kind: str) -> str | None:
        """The first account of an ``AccountSubType`` (Undeposited Funds, Sales Tax Payable), else of a type."""
        for account in self.accounts.values():
            if account.get("AccountSubType") == sub_type:
                return str(account["Id"])
        return self._of_type(kind, self.company.home_currency)

    def item_account(self, item_id: str | None, field_name: str) -> str | None:
        item = self.items.get(item_id or "")
        return None if item is None else _ref(item.get(field_name))


def _home(record: Record) -> Callable[[Any], Decimal]:
    rate = _amount(record.get("ExchangeRate")) or Decimal(1)
    return lambda value: money(_amount(value) * rate)


def _balanced(control: str | None, others: list[Posting], memo: str = "") -> list[Posting]:
    """``others`` and the control posting that balances them."""
    total = sum((p.amount for p in others), _ZERO)
    if control is None:
        return []  # nowhere to balance against: such a document would unbalance the books, so it posts nothing
    return others if total == 0 else [Posting(control, -total, memo), *others]


def _sales_lines(book: _Book, record: Record, home: Callable[[Any], Decimal], sign: int) -> list[Posting]:
    """Credits (``sign`` -1; a credit memo +1) of a sales form's lines and tax, and its inventory costs."""
    postings: list[Posting] = []
    first_income: str | None = None
    for line in record.get("Line") or []:
        kind = line.get("DetailType")
        if kind == "SalesItemLineDetail":
            detail = line.get("SalesItemLineDetail") or {}
            item_id = _ref(detail.get("ItemRef"))
            income = book.item_account(item_id, "IncomeAccountRef")
            first_income = first_income or income
            if income is not None:
                postings.append(Posting(income, sign * home(line.get("Amount")), str(line.get("Description") or "")))
            item = book.items.get(item_id or "")
            if item is not None and item.get("Type") == "Inventory":
                cost = home(_amount(detail.get("Qty")) * _amount(item.get("PurchaseCost")))
                cogs, asset = _ref(item.get("ExpenseAccountRef")), _ref(item.get("AssetAccountRef"))
                if cost and cogs and asset:
                    postings += [Posting(cogs, -sign * cost), Posting(asset, sign * cost)]
        elif kind == "DiscountLineDetail":
            detail = line.get("DiscountLineDetail") or {}
            account = _ref(detail.get("DiscountAccountRef")) or first_income
            if account is not None:
                postings.append(Posting(account, -sign * home(line.get("Amount")), "Discount"))
    tax = home((record.get("TxnTaxDetail") or {}).get("TotalTax"))
    payable = book.named("SalesTaxPayable", "Other Current Liability")
    if tax and payable:
        postings.append(Posting(payable, sign * tax, "Sales tax"))
    return postings


def _expense_lines(book: _Book, record: Record, home: Callable[[Any], Decimal], sign: int) -> list[Posting]:
    """Debits (``sign`` +1; a vendor credit or a card refund -1) of a purchase form's lines and tax."""
    postings: list[Posting] = []
    for line in record.get("Line") or []:
        kind = line.get("DetailType")
        account: str | None = None
        if kind == "AccountBasedExpenseLineDetail":
            account = _ref((line.get(kind) or {}).get("AccountRef"))
        elif kind == "ItemBasedExpenseLineDetail":
            item = book.items.get(_ref((line.get(kind) or {}).get("ItemRef")) or "") or {}
            inventory = item.get("Type") == "Inventory"
            account = _ref(item.get("AssetAccountRef" if inventory else "ExpenseAccountRef"))
        if account is not None:
            postings.append(Posting(account, sign * home(line.get("Amount")), str(line.get("Description") or "")))
    tax = home((record.get("TxnTaxDetail") or {}).get("TotalTax"))
    payable = book.named("SalesTaxPayable", "Other Current Liability")
    if tax and payable:
        postings.append(Posting(payable, sign * tax, "Sales tax"))
    return postings


def _postings(book: _Book, entity: str, record: Record) -> list[Posting]:  # noqa: C901, PLR0911 - one rule each
    home = _home(record)
    if entity in ("Invoice", "SalesReceipt", "CreditMemo"):
        sign = 1 if entity == "CreditMemo" else -1
        if entity == "SalesReceipt":
            control = _ref(record.get("DepositToAccountRef")) or book.named("UndepositedFunds", "Bank")
        else:
            control = book.control(record, "ARAccountRef", "Accounts Receivable")
        return _balanced(control, _sales_lines(book, record, home, sign))
    if entity in ("Bill", "VendorCredit"):
        sign = -1 if entity == "VendorCredit" else 1
        return _balanced(
            book.control(record, "APAccountRef", "Accounts Payable"), _expense_lines(book, record, home, sign)
        )
    if entity == "Purchase":
        sign = -1 if record.get("Credit") is True else 1
        return _balanced(_ref(record.get("AccountRef")), _expense_lines(book, record, home, sign))
    if entity == "Payment":
        deposit = _ref(record.get("DepositToAccountRef")) or book.named("UndepositedFunds", "Bank")
        amount = home(record.get("TotalAmt"))
        return _balanced(
            book.control(record, "ARAccountRef", "Accounts Receivable"), [Posting(deposit, amount)] if deposit else []
        )
    if entity == "BillPayment":
        paid_from = _ref((record.get("CheckPayment") or {}).get("BankAccountRef")) or _ref(
            (record.get("CreditCardPayment") or {}).get("CCAccountRef")
        )
        amount = home(record.get("TotalAmt"))
        return _balanced(
            book.control(record, "APAccountRef", "Accounts Payable"), [Posting(paid_from, -amount)] if paid_from else []
        )
    if entity == "JournalEntry":
        postings = []
        for line in record.get("Line") or []:
            detail = line.get("JournalEntryLineDetail") or {}
            account = _ref(detail.get("AccountRef"))
            if account is not None:
                sign = -1 if detail.get("PostingType") == "Credit" else 1
                postings.append(Posting(account, sign * home(line.get("Amount")), str(line.get("Description") or "")))
        off = sum((p.amount for p in postings), _ZERO)  # a foreign entry may be a cent off once in home currency
        if postings and off:
            postings[0] = Posting(postings[0].account, postings[0].amount - off, postings[0].memo)
        return postings
    if entity == "Deposit":
        undeposited = book.named("UndepositedFunds", "Bank")
        lines = []
        for line in record.get("Line") or []:
            account = _ref((line.get("DepositLineDetail") or {}).get("AccountRef"))
            account = account or (undeposited if line.get("LinkedTxn") else None)
            if account is not None:
                lines.append(Posting(account, -home(line.get("Amount")), str(line.get("Description") or "")))
        return _balanced(_ref(record.get("DepositToAccountRef")), lines)
    if entity == "Transfer":
        target = _ref(record.get("ToAccountRef"))
        return _balanced(
            _ref(record.get("FromAccountRef")), [Posting(target, home(record.get("Amount")))] if target else []
        )
    return []


def _name(entity: str, record: Record) -> tuple[str, str] | None:
    for key in ("CustomerRef", "VendorRef", "EntityRef"):
        ref = record.get(key)
        if isinstance(ref, dict) and ref.get("value"):
            return str(ref["value"]), str(ref.get("name") or "")
    return None


POSTING_ENTITIES = tuple(TXN_TYPES)


def _versions(company: Company) -> tuple[int, ...]:
    return tuple(company.table(name).version for name in ("Account", "Item", *POSTING_ENTITIES))


def _transaction(book: _Book, entity: str, record: Record) -> Transaction | None:
    postings = tuple(p for p in _postings(book, entity, record) if p.amount != 0)
    if not postings or not record.get("TxnDate"):
        return None
    return Transaction(
        entity=entity,
        txn_id=str(record["Id"]),
        txn_date=date.fromisoformat(str(record["TxnDate"])[:10]),
        doc_number=str(record.get("DocNumber") or ""),
        name=_name(entity, record),
        memo=str(record.get("PrivateNote") or ""),
        postings=postings,
    )


def ledger(company: Company) -> Ledger:
    """The company's ledger now; derived again only after a write to one of the tables it reads, and then only for
    the documents written since (all of them when an account or an item changed: their postings may move)."""
    versions = _versions(company)
    cached = company.derived.get("ledger")
    if cached is not None and cached[0] == versions:
        return cached[1]  # type: ignore[no-any-return]
    book = _Book(company)
    accounts = {
        account_id: Account(account_id, str(record.get("Name") or ""), str(record.get("AccountType") or ""))
        for account_id, record in book.accounts.items()
    }
    found: dict[tuple[str, str], Transaction] = {}
    records: dict[tuple[str, str], Record] = {}
    if cached is not None and cached[0][:2] == versions[:2]:
        before: Ledger = cached[1]
        found = {(t.entity, t.txn_id): t for t in before.transactions}
        records = dict(before.records)
        for entity, old, new in zip(POSTING_ENTITIES, cached[0][2:], versions[2:], strict=True):
            table = company.table(entity)
            for entity_id in set(table.changes[old:new]):
                key = (entity, str(entity_id))
                found.pop(key, None)
                records.pop(key, None)
                record = table.get(entity_id)
                made = None if record is None else _transaction(book, entity, record)
                if made is not None and record is not None:
                    found[key], records[key] = made, record
    else:
        for entity in POSTING_ENTITIES:
            table = company.table(entity)
            for record in table.records(table.window((None, None))):
                made = _transaction(book, entity, record)
                if made is not None:
                    found[(entity, made.txn_id)], records[(entity, made.txn_id)] = made, record
    transactions = sorted(found.values(), key=lambda t: (t.txn_date, POSTING_ENTITIES.index(t.entity), int(t.txn_id)))
    built = Ledger(accounts=accounts, transactions=transactions, records=records)
    company.derived["ledger"] = (versions, built)
    return built
