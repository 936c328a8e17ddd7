"""QBO's reports → BalanceSheet, IncomeStatement, CashFlowStatement and GeneralLedgerTransaction.

**Statements.** A report's rows become :class:`ReportItem` trees: a ``Section`` row is an item named by its header,
valued by its ``Summary`` total, whose ``sub_items`` are its rows; a ``Data`` row is an item with its amount and,
for an account, the account's QBO id as ``remote_id``. Each Merge list holds the rows of one QBO section (found by
its ``group``, however deep):

* BalanceSheet: ``assets`` ← TotalAssets (Current Assets, Fixed Assets...), ``liabilities`` ← Liabilities,
  ``equity`` ← Equity (its accounts, Retained Earnings and QBO's ``Net Income`` row); ``net_assets`` is total assets
  less total liabilities; ``date`` is the report's ``EndPeriod``.
* IncomeStatement: ``income`` ← Income, ``cost_of_sales`` ← COGS, ``gross_profit`` ← GrossProfit,
  ``operating_expenses`` ← Expenses, ``net_operating_income`` ← NetOperatingIncome, ``net_income`` ← NetIncome.
  Merge has no list for other income, so ``non_operating_expenses`` holds the OtherExpenses rows and the OtherIncome
  rows negated (an income is a negative expense): ``net_income = net_operating_income - Σ non_operating_expenses``.
* CashFlowStatement: ``operating_activities`` ← OperatingActivities (QBO's Net Income row and its adjustments),
  ``investing_activities`` ← InvestingActivities, ``financing_activities`` ← FinancingActivities,
  ``cash_at_beginning_of_period`` / ``cash_at_end_of_period`` ← BeginningCash / EndingCash.

Remote ids name the report and its dates (``BalanceSheet:2026-11-30``, ``ProfitAndLoss:2026-11-01:2026-11-30``), so
each sync's fresh report updates the record of its month. ``remote_generated_at`` is the report's ``Header.Time``;
``currency`` its ``Header.Currency`` (the home currency).

**General ledger.** One GeneralLedgerTransaction per posting document of the journal report, remote id
``{QBO entity}-{Id}`` (``Invoice-130``, ``Purchase-12``: every entity feeds this model, so each is prefixed). The
document it comes from is ``underlying_transaction_type`` / ``underlying_transaction_remote_id``, spelt as the
document's own common model spells it (``ids``): Invoice and Bill are INVOICE, Payment and BillPayment PAYMENT,
Purchase EXPENSE, CreditMemo CREDIT_NOTE, VendorCredit VENDOR_CREDIT, JournalEntry JOURNAL_ENTRY, and Deposit,
Transfer and SalesReceipt TRANSACTION. Each ``Data`` row is a line: its account, its debit or credit (``"0.00"`` on
the other side), its memo, and the customer or vendor where the document's type says which one the ``Name`` column
is. The report gives home-currency amounts only: ``foreign_*`` repeat them and ``transaction_currency`` stays empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.convert import currency, iso_date, to_decimal
from ledgerport.connectors._base.mapping import Computed, Const, F, MappingContext, ModelMap
from ledgerport.connectors.quickbooks.client import parse_qbo_datetime
from ledgerport.connectors.quickbooks.ids import REMOTE_ID, entity_remote_id
from ledgerport.connectors.quickbooks.reports import BALANCE_SHEETS, CASH_FLOWS, JOURNAL, PROFIT_AND_LOSS
from ledgerport.models.balance_sheet import BalanceSheet
from ledgerport.models.cash_flow_statement import CashFlowStatement
from ledgerport.models.general_ledger_transaction import (
    GeneralLedgerTransaction,
    GeneralLedgerTransactionLine,
    UnderlyingTransactionType,
)
from ledgerport.models.income_statement import IncomeStatement
from ledgerport.models.report_item import ReportItem

__all__ = [
    "BALANCE_SHEET",
    "CASH_FLOW_STATEMENT",
    "GENERAL_LEDGER",
    "INCOME_STATEMENT",
    "STATEMENTS",
    "TXN_TYPES",
    "report_items",
    "section",
]

_ZERO = Decimal(0)


def _rows(row: Any) -> list[Any]:
    rows = (row.get("Rows") or {}).get("Row") if isinstance(row, dict) else None
    return [r for r in rows or [] if isinstance(r, dict)]


def _walk(rows: list[Any]) -> Iterator[Any]:
    for row in rows:
        yield row
        yield from _walk(_rows(row))


def section(report: Any, group: str) -> Any:
    """The first row of ``group`` in the report, however deep (``None`` when the report has none)."""
    return next((row for row in _walk(_rows(report)) if row.get("group") == group), None)


def _cells(row: Any, part: str) -> list[Any]:
    cells = (row.get(part) or {}).get("ColData") if part else row.get("ColData")
    return [cell if isinstance(cell, dict) else {} for cell in cells or []]


def _total(row: Any) -> Decimal | None:
    """A section's summary amount, or a data row's amount."""
    if row is None:
        return None
    cells = _cells(row, "Summary") or _cells(row, "")
    return to_decimal(cells[-1].get("value")) if len(cells) > 1 else None


def _item(row: Any, context: MappingContext, sign: int) -> ReportItem:
    named = _cells(row, "Header") or _cells(row, "Summary") or _cells(row, "")
    first = named[0] if named else {}
    value = _total(row)
    return ReportItem(
        remote_id=str(first["id"]) if first.get("id") else None,
        name=str(first.get("value") or "") or None,
        value=None if value is None else sign * value,
        sub_items=[_item(child, context, sign) for child in _rows(row)],
        company=context.company,
    )


def report_items(report: Any, group: str, context: MappingContext, sign: int = 1) -> list[ReportItem]:
    """The rows of the ``group`` section as report items (amounts times ``sign``)."""
    return [_item(row, context, sign) for row in _rows(section(report, group))]


def _items(group: str, sign: int = 1) -> Computed:
    return Computed(lambda report, context: report_items(report, group, context, sign))


def _summary(group: str) -> Computed:
    return Computed(lambda report, context: _total(section(report, group)))


def _net_assets(report: Any, context: MappingContext) -> Decimal | None:
    assets, liabilities = _total(section(report, "TotalAssets")), _total(section(report, "Liabilities"))
    return None if assets is None else assets - (liabilities or _ZERO)


def _report_id(name: str, *parts: str) -> Callable[[Any], str]:
    def remote_id(report: Any) -> str:
        header = report.get("Header") or {}
        return ":".join([name, *(str(header.get(part) or "") for part in parts)])

    return remote_id


_HEADER = {
    "currency": F("Header.Currency", currency),
}

BALANCE_SHEET = ModelMap(
    model="BalanceSheet",
    struct=BalanceSheet,
    stream=BALANCE_SHEETS,
    remote_id=_report_id("BalanceSheet", "EndPeriod"),
    fields={
        "remote_id": REMOTE_ID,
        "name": Const("Balance Sheet"),
        **_HEADER,
        "date": F("Header.EndPeriod", iso_date),
        "net_assets": Computed(_net_assets),
        "assets": _items("TotalAssets"),
        "liabilities": _items("Liabilities"),
        "equity": _items("Equity"),
        "remote_generated_at": F("Header.Time", parse_qbo_datetime),
        "remote_was_deleted": Const(False),
    },
)


def _non_operating(report: Any, context: MappingContext) -> list[ReportItem]:
    return [*report_items(report, "OtherExpenses", context), *report_items(report, "OtherIncome", context, -1)]


INCOME_STATEMENT = ModelMap(
    model="IncomeStatement",
    struct=IncomeStatement,
    stream=PROFIT_AND_LOSS,
    remote_id=_report_id("ProfitAndLoss", "StartPeriod", "EndPeriod"),
    fields={
        "remote_id": REMOTE_ID,
        "name": Const("Profit and Loss"),
        **_HEADER,
        "start_period": F("Header.StartPeriod", iso_date),
        "end_period": F("Header.EndPeriod", iso_date),
        "income": _items("Income"),
        "cost_of_sales": _items("COGS"),
        "gross_profit": _summary("GrossProfit"),
        "operating_expenses": _items("Expenses"),
        "net_operating_income": _summary("NetOperatingIncome"),
        "non_operating_expenses": Computed(_non_operating),
        "net_income": _summary("NetIncome"),
        "remote_was_deleted": Const(False),
    },
)

CASH_FLOW_STATEMENT = ModelMap(
    model="CashFlowStatement",
    struct=CashFlowStatement,
    stream=CASH_FLOWS,
    remote_id=_report_id("CashFlow", "StartPeriod", "EndPeriod"),
    fields={
        "remote_id": REMOTE_ID,
        "name": Const("Statement of Cash Flows"),
        **_HEADER,
        "start_period": F("Header.StartPeriod", iso_date),
        "end_period": F("Header.EndPeriod", iso_date),
        "cash_at_beginning_of_period": _summary("BeginningCash"),
        "cash_at_end_of_period": _summary("EndingCash"),
        "operating_activities": _items("OperatingActivities"),
        "investing_activities": _items("InvestingActivities"),
        "financing_activities": _items("FinancingActivities"),
        "remote_generated_at": F("Header.Time", parse_qbo_datetime),
        "remote_was_deleted": Const(False),
    },
)

TXN_TYPES: dict[str, str] = {
    "Invoice": "Invoice",
    "Sales Receipt": "SalesReceipt",
    "Credit Memo": "CreditMemo",
    "Payment": "Payment",
    "Bill": "Bill",
    "Vendor Credit": "VendorCredit",
    "Bill Payment (Check)": "BillPayment",
    "Bill Payment (Credit Card)": "BillPayment",
    "Journal Entry": "JournalEntry",
    "Deposit": "Deposit",
    "Transfer": "Transfer",
    "Expense": "Purchase",
    "Cash Expense": "Purchase",
    "Check": "Purchase",
    "Credit Card Expense": "Purchase",
    "Credit Card Credit": "Purchase",
    # QBO's names for these two in its reports (not in its documentation; the sandbox posts neither yet)
    "Refund": "RefundReceipt",
    "Credit Card Payment": "CreditCardPayment",
}
"""The journal report's "Transaction Type" → the QBO entity (types no common model holds keep their own name)."""

_UNDERLYING: dict[str, UnderlyingTransactionType] = {
    "Invoice": UnderlyingTransactionType.INVOICE,
    "Bill": UnderlyingTransactionType.INVOICE,
    "Payment": UnderlyingTransactionType.PAYMENT,
    "BillPayment": UnderlyingTransactionType.PAYMENT,
    "Purchase": UnderlyingTransactionType.EXPENSE,
    "CreditMemo": UnderlyingTransactionType.CREDIT_NOTE,
    "VendorCredit": UnderlyingTransactionType.VENDOR_CREDIT,
    "JournalEntry": UnderlyingTransactionType.JOURNAL_ENTRY,
    "Deposit": UnderlyingTransactionType.TRANSACTION,
    "Transfer": UnderlyingTransactionType.TRANSACTION,
    "SalesReceipt": UnderlyingTransactionType.TRANSACTION,
    "RefundReceipt": UnderlyingTransactionType.TRANSACTION,
    "CreditCardPayment": UnderlyingTransactionType.TRANSACTION,
}

_PARTY: dict[str, str] = {
    "Invoice": "Customer",
    "SalesReceipt": "Customer",
    "CreditMemo": "Customer",
    "Payment": "Customer",
    "Bill": "Vendor",
    "VendorCredit": "Vendor",
    "BillPayment": "Vendor",
}
"""Whose the ``Name`` column is, where the document's type says (a purchase's payee or a journal line's name may be
a customer, a vendor or an employee: left out)."""


def _data_rows(record: Any) -> list[Any]:
    return [row for row in _rows(record) if isinstance(row.get("ColData"), list)]


def _document(record: Any) -> tuple[str, str]:
    """``(QBO entity, Id)`` of the posting document a journal-report slice lists."""
    rows = _data_rows(record)
    kind = _cells(rows[0], "")[1] if rows and len(_cells(rows[0], "")) > 1 else {}
    text = str(kind.get("value") or "")
    return TXN_TYPES.get(text, text.replace(" ", "")), str(kind.get("id") or "")


def _gl_remote_id(record: Any) -> str:
    entity, txn_id = _document(record)
    return f"{entity}-{txn_id}"


def _amount(cell: Any) -> str:
    value = to_decimal(cell.get("value"))
    return f"{(value or _ZERO):.2f}"


def _lines(record: Any, context: MappingContext) -> list[GeneralLedgerTransactionLine]:
    entity = _document(record)[0]
    party = _PARTY.get(entity)
    base = currency((record.get("Header") or {}).get("Currency"))
    lines = []
    for index, row in enumerate(_data_rows(record)):
        cells = _cells(row, "")
        if len(cells) < 8:
            continue
        account, name = cells[5].get("id"), cells[3].get("id")
        contact = entity_remote_id(party, name) if party and name else None
        remote_id = f"{context.parent}/{index}"
        debit, credit = _amount(cells[6]), _amount(cells[7])
        lines.append(
            GeneralLedgerTransactionLine(
                id=(context.child or context.ref)("GeneralLedgerTransactionLine", remote_id),
                remote_id=remote_id,
                account=context.ref("Account", str(account)) if account else None,
                company=context.company,
                contact=context.ref("Contact", contact) if contact else None,
                base_currency=base,
                description=str(cells[4].get("value") or "") or None,
                debit_amount=debit,
                credit_amount=credit,
                foreign_debit_amount=debit,
                foreign_credit_amount=credit,
            )
        )
    return lines


def _underlying(record: Any, context: MappingContext) -> str | None:
    entity, txn_id = _document(record)
    return entity_remote_id(entity, txn_id) if entity in _UNDERLYING else None


def _posting_date(record: Any, context: MappingContext) -> Any:
    rows = _data_rows(record)
    return iso_date(_cells(rows[0], "")[0].get("value")) if rows and _cells(rows[0], "") else None


GENERAL_LEDGER = ModelMap(
    model="GeneralLedgerTransaction",
    struct=GeneralLedgerTransaction,
    stream=JOURNAL,
    remote_id=_gl_remote_id,
    fields={
        "remote_id": REMOTE_ID,
        "underlying_transaction_remote_id": Computed(_underlying),
        "underlying_transaction_type": Computed(lambda r, c: _UNDERLYING.get(_document(r)[0])),
        "posting_date": Computed(_posting_date),
        "general_ledger_transaction_lines": Computed(_lines),
        "remote_was_deleted": Const(False),
    },
)

STATEMENTS: Sequence[ModelMap] = (BALANCE_SHEET, INCOME_STATEMENT, CASH_FLOW_STATEMENT, GENERAL_LEDGER)
"""After every other mapping: nothing refers to them, and their references (accounts, contacts) are derived ids."""
