"""``Reports/BalanceSheet`` and ``Reports/ProfitAndLoss`` computed from the journals (``journals.Book``).

Both are Xero's display-shaped ``ReportWithRows``: a Header row of column titles, Sections of account Rows (each
cell's ``Attributes`` carry the AccountID), SummaryRows of totals. Assets and expenses show their debit balance,
liabilities, equity and income their credit balance, so the balance sheet reads Total Assets - Total Liabilities =
Net Assets = Total Equity. Equity holds Current Year Earnings (profit since the financial year began, from the
organisation's FinancialYearEndDay/Month) and Retained Earnings (the retained-earnings account plus every earlier
year's profit), as Xero shows them; the ledger balances, so the sheet does. The profit and loss for a span and the
change in Current Year Earnings over that span within one financial year are the same number.

``periods`` adds that many comparison columns before the first (Guess: Xero's examples show the requested date
first and earlier ones after it; the number of extra columns is taken to be ``periods``), each ``timeframe``
(MONTH, QUARTER, YEAR) earlier; a date at a month's end compares with month ends. ``standardLayout``, tracking
filters and ``paymentsOnly`` are accepted and ignored (Guess: the sandbox's ledger is one accrual ledger).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.xero.amounts import ZERO
from ledgerport.sandboxes.xero.dates import day_ms
from ledgerport.sandboxes.xero.journals import Book

__all__ = ["MAX_PERIODS", "balance_sheet", "column_dates", "financial_year_start", "profit_and_loss", "shift"]

Record = dict[str, Any]
MAX_PERIODS = 11
_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}
_ASSET_SECTIONS = (
    ("Bank", ("BANK",)),
    ("Current Assets", ("CURRENT", "PREPAYMENT", "INVENTORY")),
    ("Fixed Assets", ("FIXED",)),
    ("Non-current Assets", ("NONCURRENT",)),
)
_LIABILITY_SECTIONS = (
    ("Current Liabilities", ("CURRLIAB", "PAYG")),
    ("Non-current Liabilities", ("TERMLIAB", "LIABILITY")),
)
_INCOME_SECTIONS = (
    ("Income", ("REVENUE", "SALES"), -1),
    ("Less Cost of Sales", ("DIRECTCOSTS",), 1),
    ("Plus Other Income", ("OTHERINCOME",), -1),
    ("Less Operating Expenses", ("EXPENSE", "OVERHEADS", "DEPRECIATN"), 1),
)
_TOTAL_NAMES = {
    "Income": "Total Income",
    "Less Cost of Sales": "Total Cost of Sales",
    "Plus Other Income": "Total Other Income",
    "Less Operating Expenses": "Total Operating Expenses",
}


def shift(day: date, months: int) -> date:
    """``day`` moved back ``months`` months; a month's last day stays a month's last day."""
    month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, last if month_end else min(day.day, last))


def column_dates(first: date, periods: int, timeframe: str) -> list[date]:
    """The first column's date and each comparison column's."""
    step = _MONTHS.get(timeframe.upper(), 1)
    return [shift(first, step * k) for k in range(periods + 1)]


def financial_year_start(day: date, end_day: int, end_month: int) -> date:
    """The first day of the financial year holding ``day``."""

    def year_end(year: int) -> date:
        return date(year, end_month, min(end_day, calendar.monthrange(year, end_month)[1]))

    end = year_end(day.year)
    if end >= day:
        end = year_end(day.year - 1)
    return end + timedelta(days=1)


def _ms(day: date) -> int:
    return day_ms(day.year, day.month, day.day)


def _text(value: Decimal) -> str:
    return f"{value:.2f}"


def _long(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _short(day: date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def _account_row(account: Record, values: list[Decimal]) -> Record:
    attributes = [{"Value": account["AccountID"], "Id": "account"}]
    return {
        "RowType": "Row",
        "Cells": [
            {"Value": str(account["Name"]), "Attributes": attributes},
            *({"Value": _text(value), "Attributes": attributes} for value in values),
        ],
    }


def _row(kind: str, title: str, values: list[Decimal]) -> Record:
    return {"RowType": kind, "Cells": [{"Value": title}, *({"Value": _text(v)} for v in values)]}


def _section(title: str, rows: list[Record]) -> Record:
    return {"RowType": "Section", "Title": title, "Rows": rows}


def _report(
    book: Book, name: str, kind: str, titles: list[str], header: list[str], rows: list[Record], now_ms: int
) -> Record:
    return {
        "ReportID": kind,
        "ReportName": name,
        "ReportType": kind,
        "ReportTitles": titles,
        "ReportDate": _long(datetime.fromtimestamp(now_ms / 1000, UTC).date()),
        "UpdatedDateUTC": f"/Date({now_ms}+0000)/",
        "Fields": [],
        "Rows": [{"RowType": "Header", "Cells": [{"Value": ""}, *({"Value": text} for text in header)]}, *rows],
    }


def _chart(book: Book) -> list[Record]:
    accounts = [a for a in book.tenant.collections["Accounts"].all_records() if a.get("Status") != "DELETED"]
    return sorted(accounts, key=lambda a: (str(a.get("Code") or ""), str(a.get("Name") or "")))


def _grouped(
    accounts: list[Record],
    columns: list[dict[str, Decimal]],
    sections: tuple[tuple[str, tuple[str, ...]], ...],
    sign: int,
) -> tuple[list[tuple[str, list[Record], list[Decimal]]], list[Decimal]]:
    """Per section: its account rows and totals; and the grand totals. Accounts at zero in every column are left
    out, as Xero leaves them out."""
    result, grand = [], [ZERO] * len(columns)
    for title, types in sections:
        rows, totals = [], [ZERO] * len(columns)
        for account in accounts:
            if account.get("Type") not in types:
                continue
            values = [sign * column.get(str(account["AccountID"]), ZERO) for column in columns]
            if not any(values):
                continue
            rows.append(_account_row(account, values))
            totals = [t + v for t, v in zip(totals, values, strict=True)]
        if rows:
            result.append((title, rows, totals))
            grand = [g + t for g, t in zip(grand, totals, strict=True)]
    return result, grand


def balance_sheet(book: Book, first: date, periods: int, timeframe: str, now_ms: int) -> Record:
    """The balance sheet at ``first`` and ``periods`` earlier dates."""
    organisation = book.tenant.organisation
    end_day, end_month = int(organisation["FinancialYearEndDay"]), int(organisation["FinancialYearEndMonth"])
    dates = column_dates(first, periods, timeframe)
    chart = _chart(book)
    kinds = {str(a["AccountID"]): a for a in chart}
    closing, earnings, retained = [], [], []
    for day in dates:
        start = financial_year_start(day, end_day, end_month)
        balances = dict(book.balances(None, _ms(day)))
        before = dict(book.balances(None, _ms(start) - 1))
        in_year = dict(book.balances(_ms(start), _ms(day)))

        def profit(movements: dict[str, Decimal]) -> Decimal:
            return -sum(
                (v for k, v in movements.items() if kinds.get(k, {}).get("Class") in ("REVENUE", "EXPENSE")), ZERO
            )

        closing.append(balances)
        earnings.append(profit(in_year))
        retained.append(profit(before))
    assets, total_assets = _grouped(chart, closing, _ASSET_SECTIONS, 1)
    liabilities, total_liabilities = _grouped(chart, closing, _LIABILITY_SECTIONS, -1)
    equity_rows = [_row("Row", "Current Year Earnings", earnings)]
    total_equity = list(earnings)
    for account in chart:
        if account.get("Class") != "EQUITY":
            continue
        values = [-column.get(str(account["AccountID"]), ZERO) for column in closing]
        if account.get("SystemAccount") == "RETAINEDEARNINGS":
            values = [v + r for v, r in zip(values, retained, strict=True)]
        if any(values):
            equity_rows.append(_account_row(account, values))
            total_equity = [t + v for t, v in zip(total_equity, values, strict=True)]
    if not any(a.get("SystemAccount") == "RETAINEDEARNINGS" for a in chart) and any(retained):
        equity_rows.append(_row("Row", "Retained Earnings", retained))
        total_equity = [t + r for t, r in zip(total_equity, retained, strict=True)]
    net_assets = [a - b for a, b in zip(total_assets, total_liabilities, strict=True)]
    rows = [_section("Assets", [])]
    rows += [_section(t, [*r, _row("SummaryRow", f"Total {t}", s)]) for t, r, s in assets]
    rows += [_section("", [_row("SummaryRow", "Total Assets", total_assets)]), _section("Liabilities", [])]
    rows += [_section(t, [*r, _row("SummaryRow", f"Total {t}", s)]) for t, r, s in liabilities]
    rows += [
        _section("", [_row("SummaryRow", "Total Liabilities", total_liabilities)]),
        _section("", [_row("Row", "Net Assets", net_assets)]),
        _section("Equity", [*equity_rows, _row("SummaryRow", "Total Equity", total_equity)]),
    ]
    titles = ["Balance Sheet", book.tenant.name, f"As at {_long(first)}"]
    return _report(book, "Balance Sheet", "BalanceSheet", titles, [_short(d) for d in dates], rows, now_ms)


def profit_and_loss(book: Book, start: date, end: date, periods: int, timeframe: str, now_ms: int) -> Record:
    """The profit and loss from ``start`` to ``end`` and for ``periods`` earlier spans of the same shape."""
    step = _MONTHS.get(timeframe.upper(), 1)
    spans = [(shift(start, step * k), shift(end, step * k)) for k in range(periods + 1)]
    chart = _chart(book)
    movements = [dict(book.balances(_ms(a), _ms(b))) for a, b in spans]
    rows: list[Record] = []
    totals: dict[str, list[Decimal]] = {}
    for title, types, sign in _INCOME_SECTIONS:
        grouped, total = _grouped(chart, movements, ((title, types),), sign)
        totals[title] = total
        for section_title, section_rows, section_total in grouped:
            rows.append(
                _section(section_title, [*section_rows, _row("SummaryRow", _TOTAL_NAMES[title], section_total)])
            )
        if title == "Less Cost of Sales":
            gross = [i - c for i, c in zip(totals["Income"], total, strict=True)]
            rows.append(_section("", [_row("Row", "Gross Profit", gross)]))
    net: list[Decimal] = [
        totals["Income"][k]
        - totals["Less Cost of Sales"][k]
        + totals["Plus Other Income"][k]
        - totals["Less Operating Expenses"][k]
        for k in range(len(spans))
    ]
    rows.append(_section("", [_row("Row", "Net Profit", net)]))
    titles = ["Profit and Loss", book.tenant.name, f"{_long(start)} to {_long(end)}"]
    header = [f"{_short(a)} to {_short(b)}" if len(spans) > 1 else _short(b) for a, b in spans]
    return _report(book, "Profit and Loss", "ProfitAndLoss", titles, header, rows, now_ms)
