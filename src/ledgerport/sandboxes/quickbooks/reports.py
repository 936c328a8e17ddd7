"""QBO's Reports API over the sandbox's ledger: ``GET /v3/company/{realm}/reports/{ReportName}``.

Served: ``BalanceSheet``, ``ProfitAndLoss``, ``CashFlow`` and ``JournalReport``, in Intuit's report JSON
(``{Header, Columns, Rows}``, no ``time`` envelope): ``Header`` carries ``Time``, ``ReportName``, ``DateMacro`` (when
one was asked), ``ReportBasis``, ``StartPeriod``, ``EndPeriod``, ``SummarizeColumnsBy``, ``Currency`` and ``Option``
(``AccountingStandard`` on the balance sheet and P&L, ``NoReportData`` always); rows are ``Section`` rows (``Header``,
``Rows``, ``Summary``, ``group``) and ``Data`` rows (``ColData: [{value, id?}]``), amounts as strings with two
decimals. Every figure comes from :mod:`~ledgerport.sandboxes.quickbooks.ledger`, so the reports agree with each
other and with the documents:

* BalanceSheet as of ``end_date``: assets (bank, A/R, other current, fixed, other), liabilities (A/P, credit cards,
  other current, long-term) and equity, whose ``Retained Earnings`` row adds the net income of every fiscal year
  before the one ``end_date`` falls in and whose ``Net Income`` row (``group: NetIncome``) is that fiscal year's to
  ``end_date`` (QBO's presentation; the sandbox's reading of it). Total assets equal total liabilities and equity.
* ProfitAndLoss for ``start_date``..``end_date``: Income, COGS, GrossProfit, Expenses, NetOperatingIncome,
  OtherIncome, OtherExpenses, NetOtherIncome, NetIncome.
* CashFlow (indirect method): net income, then the change of every non-cash balance-sheet account as an operating
  adjustment (A/R, other current assets, A/P, credit cards, other current liabilities), an investing activity (fixed
  and other assets) or a financing activity (long-term liabilities, equity); cash is the Bank accounts, so
  ``EndingCash - BeginningCash`` is their change. Undeposited Funds is an operating adjustment, not cash (a guess:
  Intuit does not say).
* JournalReport for ``start_date``..``end_date``: every transaction dated in the range, oldest first, as ``Data`` rows
  (``Date``, ``Transaction Type`` with the document's ``id``, ``Num``, ``Name`` with the payee's ``id``,
  ``Memo/Description``, ``Account`` with the account's ``id``, ``Debit``, ``Credit``; only a transaction's first row
  carries its date, type and number) closed by a ``Summary`` row with its debit and credit totals, as third-party
  parsers of QBO's journal report expect.

Parameters: ``start_date`` / ``end_date`` (``YYYY-MM-DD``), else ``date_macro`` (the common macros below), else
``This Fiscal Year-to-date`` (Intuit's default); ``accounting_method`` ``Accrual`` only (``Cash`` basis is not
computed: 400); ``summarize_column_by`` ``Total`` or ``Month`` (statements only: a money column per month, its
``MetaData`` naming ``StartDate`` and ``EndDate``, then ``Total`` on the P&L and cash flow); ``minorversion``
ignored. Accounts with no postings are left
out, as QBO leaves out accounts with no data; amounts are in the home currency.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.quickbooks import errors
from ledgerport.sandboxes.quickbooks.clock import format_time
from ledgerport.sandboxes.quickbooks.ledger import Account, Ledger, Transaction, ledger, txn_type
from ledgerport.sandboxes.quickbooks.store import Company

__all__ = ["REPORTS", "run_report"]

Row = dict[str, Any]
_ZERO = Decimal("0.00")
_MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _col(value: str, identifier: str | None = None) -> dict[str, str]:
    return {"value": value} if identifier is None else {"id": identifier, "value": value}


def _data(name: str, amount: Decimal, identifier: str | None = None, group: str | None = None) -> Row:
    row: Row = {"ColData": [_col(name, identifier), _col(_money(amount))], "type": "Data"}
    if group is not None:
        row["group"] = group
    return row


def _section(title: str, rows: list[Row], total_label: str, total: Decimal, group: str | None) -> Row:
    section: Row = {"Header": {"ColData": [_col(title), _col("")]}}
    if rows:
        section["Rows"] = {"Row": rows}
    section["Summary"] = {"ColData": [_col(total_label), _col(_money(total))]}
    section["type"] = "Section"
    if group is not None:
        section["group"] = group
    return section


def _summary(label: str, total: Decimal, group: str) -> Row:
    return {"group": group, "type": "Section", "Summary": {"ColData": [_col(label), _col(_money(total))]}}


def _total(rows: Iterable[Row]) -> Decimal:
    """The sum of a list of rows: a section counts by its summary, a data row by its amount."""
    total = _ZERO
    for row in rows:
        cells = row["Summary"]["ColData"] if "Summary" in row else row["ColData"]
        total += Decimal(cells[-1]["value"] or "0")
    return total


class _Context:
    """One report request: the ledger, the period, the company's fiscal year and currency."""

    def __init__(self, company: Company, start: date, end: date, now: int) -> None:
        self.company, self.start, self.end, self.now = company, start, end, now
        self.ledger: Ledger = ledger(company)
        self.universe: set[str] | None = None
        """The accounts to report (every column of a report by month lists the same ones), else those with
        postings."""
        info = company.table("CompanyInfo").get(1) or {}
        self.fiscal_start_month = _MONTHS.get(str(info.get("FiscalYearStartMonth") or ""), 1)

    def fiscal_year_start(self, day: date) -> date:
        year = day.year if day.month >= self.fiscal_start_month else day.year - 1
        return date(year, self.fiscal_start_month, 1)

    def accounts_of(self, movement: dict[str, Decimal], kinds: tuple[str, ...]) -> list[Account]:
        """The accounts of the given types that have postings in ``movement``, by name."""
        listed = movement if self.universe is None else self.universe
        found = [a for a in self.ledger.accounts.values() if a.account_type in kinds and a.id in listed]
        return sorted(found, key=lambda a: (a.name.lower(), a.id))

    def account_rows(self, movement: dict[str, Decimal], kinds: tuple[str, ...], sign: int) -> list[Row]:
        """One data row per account of the given types that has postings, signed (+1: debit balance)."""
        return [_data(a.name, sign * movement.get(a.id, _ZERO), a.id) for a in self.accounts_of(movement, kinds)]

    def net_income(self, first: date | None, last: date) -> Decimal:
        movement = self.ledger.balances(first, last)
        return -sum(
            (amount for account_id, amount in movement.items() if self._is_pl(account_id)),
            _ZERO,
        )

    def _is_pl(self, account_id: str) -> bool:
        account = self.ledger.accounts.get(account_id)
        return account is not None and account.account_type in _PL_TYPES


_PL_TYPES = frozenset({"Income", "Other Income", "Cost of Goods Sold", "Expense", "Other Expense"})


def _group(title: str, rows: list[Row], group: str, total_label: str | None = None) -> Row | None:
    return _section(title, rows, total_label or f"Total {title}", _total(rows), group) if rows else None


def _present(*rows: Row | None) -> list[Row]:
    return [row for row in rows if row is not None]


def _balance_sheet(context: _Context) -> list[Row]:
    movement = context.ledger.balances(None, context.end)
    accounts = context.account_rows
    current_assets = _present(
        _group("Bank Accounts", accounts(movement, ("Bank",), 1), "BankAccounts"),
        _group("Accounts Receivable", accounts(movement, ("Accounts Receivable",), 1), "AR"),
        _group("Other Current Assets", accounts(movement, ("Other Current Asset",), 1), "OtherCurrentAssets"),
    )
    assets = _present(
        _group("Current Assets", current_assets, "CurrentAssets"),
        _group("Fixed Assets", accounts(movement, ("Fixed Asset",), 1), "FixedAssets"),
        _group("Other Assets", accounts(movement, ("Other Asset",), 1), "OtherAssets"),
    )
    current_liabilities = _present(
        _group("Accounts Payable", accounts(movement, ("Accounts Payable",), -1), "AP"),
        _group("Credit Cards", accounts(movement, ("Credit Card",), -1), "CreditCards"),
        _group(
            "Other Current Liabilities",
            accounts(movement, ("Other Current Liability",), -1),
            "OtherCurrentLiabilities",
        ),
    )
    liabilities = _present(
        _group("Current Liabilities", current_liabilities, "CurrentLiabilities"),
        _group("Long-Term Liabilities", accounts(movement, ("Long Term Liability",), -1), "LongTermLiabilities"),
    )
    year_start = context.fiscal_year_start(context.end)
    prior = context.net_income(None, year_start - timedelta(days=1))
    equity = accounts(movement, ("Equity",), -1)
    retained = next((a for a in context.ledger.accounts.values() if a.name == "Retained Earnings"), None)
    if retained is not None or prior:  # present in every column alike (a report by month lines its columns up)
        found = next((row for row in equity if retained and row["ColData"][0].get("id") == retained.id), None)
        if found is not None:
            found["ColData"][1]["value"] = _money(Decimal(found["ColData"][1]["value"]) + prior)
        else:
            equity.append(_data("Retained Earnings", prior, retained.id if retained else None))
    equity.append(_data("Net Income", context.net_income(year_start, context.end), group="NetIncome"))
    total_assets = _total(assets)
    liabilities_section = _group("Liabilities", liabilities, "Liabilities")
    equity_section = _section("Equity", equity, "Total Equity", _total(equity), "Equity")
    both = _present(liabilities_section, equity_section)
    return [
        _section("ASSETS", assets, "TOTAL ASSETS", total_assets, "TotalAssets"),
        _section(
            "LIABILITIES AND EQUITY", both, "TOTAL LIABILITIES AND EQUITY", _total(both), "TotalLiabilitiesAndEquity"
        ),
    ]


def _profit_and_loss(context: _Context) -> list[Row]:
    movement = context.ledger.balances(context.start, context.end)
    accounts = context.account_rows
    income = accounts(movement, ("Income",), -1)
    cogs = accounts(movement, ("Cost of Goods Sold",), 1)
    expenses = accounts(movement, ("Expense",), 1)
    other_income = accounts(movement, ("Other Income",), -1)
    other_expenses = accounts(movement, ("Other Expense",), 1)
    gross = _total(income) - _total(cogs)
    operating = gross - _total(expenses)
    other = _total(other_income) - _total(other_expenses)
    rows = [
        _section("Income", income, "Total Income", _total(income), "Income"),
        _group("Cost of Goods Sold", cogs, "COGS"),
        _summary("Gross Profit", gross, "GrossProfit"),
        _section("Expenses", expenses, "Total Expenses", _total(expenses), "Expenses"),
        _summary("Net Operating Income", operating, "NetOperatingIncome"),
        _group("Other Income", other_income, "OtherIncome"),
        _group("Other Expenses", other_expenses, "OtherExpenses"),
        _summary("Net Other Income", other, "NetOtherIncome") if other_income or other_expenses else None,
        _summary("Net Income", operating + other, "NetIncome"),
    ]
    return _present(*rows)


_OPERATING = (
    "Accounts Receivable",
    "Other Current Asset",
    "Accounts Payable",
    "Credit Card",
    "Other Current Liability",
)
_INVESTING = ("Fixed Asset", "Other Asset")
_FINANCING = ("Long Term Liability", "Equity")


def _cash_flow(context: _Context) -> list[Row]:
    movement = context.ledger.balances(context.start, context.end)
    net_income = context.net_income(context.start, context.end)

    def changes(kinds: tuple[str, ...]) -> list[Row]:
        """A cash effect per account: the opposite of its debit movement (an asset bought uses cash, a liability
        or equity raised brings it in)."""
        return [_data(a.name, -movement.get(a.id, _ZERO), a.id) for a in context.accounts_of(movement, kinds)]

    adjustments = changes(_OPERATING)
    operating_rows: list[Row] = [_data("Net Income", net_income, group="NetIncome")]
    label = "Adjustments to reconcile Net Income to Net Cash provided by operations:"
    if adjustments:
        operating_rows.append(
            _section(label, adjustments, f"Total {label}", _total(adjustments), "OperatingAdjustments")
        )
    investing, financing = changes(_INVESTING), changes(_FINANCING)
    operating_total = net_income + _total(adjustments)
    increase = operating_total + _total(investing) + _total(financing)
    beginning = _cash(context, context.start - timedelta(days=1))
    rows = [
        _section(
            "OPERATING ACTIVITIES",
            operating_rows,
            "Net cash provided by operating activities",
            operating_total,
            "OperatingActivities",
        ),
        _group("INVESTING ACTIVITIES", investing, "InvestingActivities", "Net cash provided by investing activities"),
        _group("FINANCING ACTIVITIES", financing, "FinancingActivities", "Net cash provided by financing activities"),
        _summary("Net cash increase for period", increase, "CashIncrease"),
        _summary("Cash at beginning of period", beginning, "BeginningCash"),
        _summary("Cash at end of period", beginning + increase, "EndingCash"),
    ]
    return _present(*rows)


def _cash(context: _Context, day: date) -> Decimal:
    movement = context.ledger.balances(None, day)
    return sum(
        (
            amount
            for account_id, amount in movement.items()
            if context.ledger.accounts[account_id].account_type == "Bank"
        ),
        _ZERO,
    )


_JOURNAL_COLUMNS = (
    ("Date", "Date", "tx_date"),
    ("Transaction Type", "String", "txn_type"),
    ("Num", "String", "doc_num"),
    ("Name", "String", "name"),
    ("Memo/Description", "String", "memo"),
    ("Account", "String", "account_name"),
    ("Debit", "Money", "debt_amt"),
    ("Credit", "Money", "credit_amt"),
)


def _journal_rows(context: _Context, transaction: Transaction) -> list[Row]:
    record = context.ledger.records[(transaction.entity, transaction.txn_id)]
    name = transaction.name
    rows: list[Row] = []
    debits = credits = _ZERO
    for index, posting in enumerate(transaction.postings):
        first = index == 0
        account = context.ledger.accounts.get(posting.account)
        debit = posting.amount if posting.amount > 0 else _ZERO
        credit = -posting.amount if posting.amount < 0 else _ZERO
        debits, credits = debits + debit, credits + credit
        rows.append(
            {
                "ColData": [
                    _col(transaction.txn_date.isoformat() if first else ""),
                    _col(txn_type(transaction, record), transaction.txn_id) if first else _col(""),
                    _col(transaction.doc_number if first else ""),
                    _col(name[1], name[0]) if name else _col(""),
                    _col(posting.memo or transaction.memo),
                    _col(account.name if account else "", posting.account),
                    _col(_money(debit) if debit else ""),
                    _col(_money(credit) if credit else ""),
                ],
                "type": "Data",
            }
        )
    blank = [_col("") for _ in range(6)]
    rows.append({"Summary": {"ColData": [*blank, _col(_money(debits)), _col(_money(credits))]}, "type": "Section"})
    return rows


def _journal(context: _Context) -> list[Row]:
    return [row for t in context.ledger.between(context.start, context.end) for row in _journal_rows(context, t)]


_TOTAL_COLUMNS = (("", "Account", "account"), ("Total", "Money", "total"))

REPORTS: dict[str, tuple[Callable[[_Context], list[Row]], tuple[tuple[str, str, str], ...], bool]] = {
    "BalanceSheet": (_balance_sheet, _TOTAL_COLUMNS, True),
    "ProfitAndLoss": (_profit_and_loss, _TOTAL_COLUMNS, True),
    "CashFlow": (_cash_flow, _TOTAL_COLUMNS, False),
    "JournalReport": (_journal, _JOURNAL_COLUMNS, False),
}
"""Report name → (rows builder, columns ``(title, type, ColKey)``, whether the header names the accounting
standard)."""


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _macro(name: str, today: date, fiscal_start: Callable[[date], date]) -> tuple[date, date]:
    """The dates of a ``date_macro`` (the common ones; others are refused)."""
    macro = name.strip().lower()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    year = fiscal_start(today)
    last_year = fiscal_start(year - timedelta(days=1))
    next_year = fiscal_start(year.replace(year=year.year + 1))
    ranges = {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "this month": (this_month, _month_end(today)),
        "this month-to-date": (this_month, today),
        "last month": (last_month, this_month - timedelta(days=1)),
        "this fiscal year": (year, next_year - timedelta(days=1)),
        "this fiscal year-to-date": (year, today),
        "last fiscal year": (last_year, year - timedelta(days=1)),
        "this calendar year": (date(today.year, 1, 1), date(today.year, 12, 31)),
        "this calendar year-to-date": (date(today.year, 1, 1), today),
        "last calendar year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    if macro not in ranges:
        raise errors.invalid_request(f"date_macro {name!r} is not supported by the sandbox")
    return ranges[macro]


def _date(query: dict[str, str], key: str) -> date | None:
    text = query.get(key, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise errors.invalid_request(f"{key} is not a date in the format YYYY-MM-DD: {text}") from None


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months ``start``..``end`` touches, the first and last cut to the range."""
    found, first = [], start
    while first <= end:
        last = min(_month_end(first), end)
        found.append((first, last))
        first = last + timedelta(days=1)
    return found


def _merge(trees: list[list[Row]]) -> list[Row]:
    """Rows of one report per column (alike but for their amounts) as one report with a money cell per column."""
    merged = []
    for parts in zip(*trees, strict=True):
        row: Row = {}
        for key, value in parts[0].items():
            if key == "ColData":
                row[key] = [value[0], *(part[key][-1] for part in parts)]
            elif key == "Summary":
                row[key] = {"ColData": [value["ColData"][0], *(part[key]["ColData"][-1] for part in parts)]}
            elif key == "Header":
                row[key] = {"ColData": [value["ColData"][0], *(_col("") for _ in parts)]}
            elif key == "Rows":
                row[key] = {"Row": _merge([part[key]["Row"] for part in parts])}
            else:
                row[key] = value
        merged.append(row)
    return merged


def _month_column(first: date, last: date) -> dict[str, Any]:
    title = f"{calendar.month_abbr[first.month]} {first.year}"
    meta = [("StartDate", first.isoformat()), ("EndDate", last.isoformat()), ("ColKey", title)]
    return {"ColTitle": title, "ColType": "Money", "MetaData": [{"Name": n, "Value": v} for n, v in meta]}


def _columns(columns: tuple[tuple[str, str, str], ...]) -> list[dict[str, Any]]:
    return [
        {"ColTitle": title, "ColType": kind, "MetaData": [{"Name": "ColKey", "Value": key}]}
        for title, kind, key in columns
    ]


def _by_month(name: str, context: _Context, build: Callable[[_Context], list[Row]]) -> tuple[list[Row], list[Any]]:
    """``summarize_column_by=Month``: a column per month (a balance sheet's as of the month's last day), then the
    range's Total (not on a balance sheet, whose columns are dates, not spans)."""
    start, end = context.start, context.end
    movement = context.ledger.balances(None if name == "BalanceSheet" else start, end)
    context.universe = set(movement)
    trees, columns = [], []
    for first, last in _months(start, end):
        context.start, context.end = first, last
        trees.append(build(context))
        columns.append(_month_column(first, last))
    context.start, context.end = start, end
    if name != "BalanceSheet":
        trees.append(build(context))
        columns.append({"ColTitle": "Total", "ColType": "Money", "MetaData": [{"Name": "ColKey", "Value": "total"}]})
    return _merge(trees), columns


def run_report(company: Company, name: str, query: dict[str, str], now: int, today: date) -> dict[str, Any]:
    """The report ``name`` for the request's parameters, as QBO's JSON (``today`` is the company's date)."""
    if name not in REPORTS:
        raise errors.invalid_request(f"Report {name} is not supported by the sandbox")
    build, columns, standard = REPORTS[name]
    method = query.get("accounting_method", "Accrual") or "Accrual"
    if method.lower() != "accrual":
        raise errors.invalid_request("accounting_method: the sandbox computes Accrual reports only")
    summarize = (query.get("summarize_column_by") or "Total").strip()
    if summarize.lower() not in ("total", "month") or (summarize.lower() == "month" and name == "JournalReport"):
        raise errors.invalid_request(f"summarize_column_by {summarize!r} is not supported by the sandbox")
    context = _Context(company, today, today, now)
    start, end = _date(query, "start_date"), _date(query, "end_date")
    macro = query.get("date_macro", "").strip()
    if start is None and end is None:
        start, end = _macro(macro or "This Fiscal Year-to-date", today, context.fiscal_year_start)
    else:
        macro = ""
        end = end or today
        start = start or context.fiscal_year_start(end)
    if start > end:
        raise errors.invalid_request("start_date must be on or before end_date")
    context.start, context.end = start, end
    if summarize.lower() == "month":
        rows, money = _by_month(name, context, build)
        column_list = [_columns(columns)[0], *money]
    else:
        rows, column_list = build(context), _columns(columns)
    header: dict[str, Any] = {"Time": format_time(now), "ReportName": name}
    if macro:
        header["DateMacro"] = macro.lower()
    header.update(
        {
            "ReportBasis": "Accrual",
            "StartPeriod": start.isoformat(),
            "EndPeriod": end.isoformat(),
            "SummarizeColumnsBy": "Month" if summarize.lower() == "month" else "Total",
            "Currency": company.home_currency,
        }
    )
    empty = name == "JournalReport" and not rows
    options = [{"Name": "AccountingStandard", "Value": "GAAP"}] if standard else []
    header["Option"] = [*options, {"Name": "NoReportData", "Value": "true" if empty else "false"}]
    return {"Header": header, "Columns": {"Column": column_list}, "Rows": {"Row": rows}}
