"""The report streams and statement mappings: months as pages, report trees as ReportItems, balanced ledger lines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ledgerport.connectors._base.mapping import MappingContext, apply
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.connectors.quickbooks.reports import (
    BALANCE_SHEETS,
    JOURNAL,
    PROFIT_AND_LOSS,
    REPORT_PERIODS,
    journal_transactions,
    month,
    monthly_columns,
)
from ledgerport.connectors.quickbooks.statements import (
    BALANCE_SHEET,
    CASH_FLOW_STATEMENT,
    GENERAL_LEDGER,
    INCOME_STATEMENT,
)
from ledgerport.kit import clock
from ledgerport.models.report_item import ReportItem
from ledgerport.sandboxes.quickbooks import create_app
from ledgerport.sandboxes.quickbooks.reports import run_report

CASES = Path(__file__).parent / "cases"
CONTEXT = MappingContext(ref=lambda model, rid: f"{model}:{rid}", company="company-1")


def _case(path: str) -> Any:
    return msgspec.json.Decoder(float_hook=Decimal).decode((CASES / path).read_bytes())


def _sum(items: list[ReportItem]) -> Decimal:
    return sum((item.value or Decimal(0) for item in items), Decimal(0))


def test_month_arithmetic() -> None:
    assert month(date(2026, 3, 15), 0) == (date(2026, 3, 1), date(2026, 3, 31))
    assert month(date(2026, 3, 15), 1) == (date(2026, 2, 1), date(2026, 2, 28))
    assert month(date(2026, 3, 15), 3) == (date(2025, 12, 1), date(2025, 12, 31))
    assert month(date(2024, 3, 31), 1) == (date(2024, 2, 1), date(2024, 2, 29))


def test_a_report_stream_asks_once_for_the_window_by_month(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 5, 12, tzinfo=UTC))
    context = StreamContext(base_url="https://qbo.example", account={"realm_id": "123"})
    assert BALANCE_SHEETS.paging.advance(BALANCE_SHEETS.paging.first, 12) is None
    request = BALANCE_SHEETS.request(context, None, 1, 1)
    assert request.url == "https://qbo.example/v3/company/123/reports/BalanceSheet"
    params = dict(request.params)
    assert (params["start_date"], params["end_date"]) == ("2026-01-01", "2026-12-31")
    assert (params["accounting_method"], params["summarize_column_by"]) == ("Accrual", "Month")
    journal = dict(JOURNAL.request(context, datetime(2026, 12, 1, tzinfo=UTC), 1, 1).params)
    assert journal["start_date"] == "2026-01-01"  # ``since`` changes nothing: the whole window is read again
    assert "summarize_column_by" not in journal
    assert REPORT_PERIODS == 12
    shorter = StreamContext(base_url="https://qbo.example", account={"realm_id": "123", "report_periods": "3"})
    assert dict(PROFIT_AND_LOSS.request(shorter, None, 1, 1).params)["start_date"] == "2026-10-01"
    broken = StreamContext(base_url="https://qbo.example", account={"realm_id": "123", "report_periods": "x"})
    assert dict(PROFIT_AND_LOSS.request(broken, None, 1, 1).params)["start_date"] == "2026-01-01"


@pytest.mark.parametrize(
    ("report", "mapping"),
    [("BalanceSheet", BALANCE_SHEET), ("ProfitAndLoss", INCOME_STATEMENT), ("CashFlow", CASH_FLOW_STATEMENT)],
)
def test_a_month_column_maps_as_that_month_alone(report: str, mapping: Any) -> None:
    """A report by month, cut into months, gives the records each month's own report gives."""
    now = 1_790_000_000
    company = next(iter(create_app(seed=3, size="small", clock=lambda: now).companies.values()))
    today = date(2026, 9, 21)
    window = {"start_date": "2025-10-01", "end_date": "2026-09-30", "summarize_column_by": "Month"}
    months = monthly_columns(run_report(company, report, window, now, today))
    assert [m["Header"]["EndPeriod"] for m in months][:2] == ["2025-10-31", "2025-11-30"]
    assert len(months) == 12
    for sliced in (months[0], months[5], months[-1]):
        alone = run_report(
            company,
            report,
            {"start_date": sliced["Header"]["StartPeriod"], "end_date": sliced["Header"]["EndPeriod"]},
            now,
            today,
        )
        mine, theirs = apply(mapping, sliced, CONTEXT), apply(mapping, alone, CONTEXT)
        assert msgspec.structs.asdict(mine) == msgspec.structs.asdict(theirs) or _same_figures(mine, theirs)


def _same_figures(mine: Any, theirs: Any) -> bool:
    """Equal but for accounts with no postings in the month, which a report by month lists as zeros."""

    def figures(items: list[ReportItem]) -> list[tuple[str | None, Decimal | None]]:
        flat = []
        for item in items:
            if item.value or item.sub_items:
                flat.append((item.name, item.value))
            flat += figures(item.sub_items)
        return flat

    for name in mine.__struct_fields__:
        a, b = getattr(mine, name), getattr(theirs, name)
        if isinstance(a, list):
            assert figures(a) == figures(b), name
        else:
            assert a == b, name
    return True


def test_balance_sheet_items_and_net_assets() -> None:
    report = _case("balance_sheet/balancesheet_month.json")
    sheet = apply(BALANCE_SHEET, report, CONTEXT)
    assert sheet.remote_id == "BalanceSheet:2026-08-31"
    assert sheet.date == datetime(2026, 8, 31, tzinfo=UTC)
    assert sheet.assets[0].name == "Current Assets"
    bank = sheet.assets[0].sub_items[0]
    assert bank.name == "Bank Accounts"
    assert bank.value == _sum(bank.sub_items)
    assert bank.sub_items[0].remote_id == "1"
    assert bank.sub_items[0].company == "company-1"
    assert sheet.net_assets == _sum(sheet.assets) - _sum(sheet.liabilities) == _sum(sheet.equity)
    assert sheet.equity[-1].name == "Net Income"
    assert sheet.remote_generated_at is not None


def test_income_statement_fields_add_up() -> None:
    statement = apply(INCOME_STATEMENT, _case("income_statement/profitandloss_month.json"), CONTEXT)
    assert statement.remote_id == "ProfitAndLoss:2025-01-01:2026-08-31"
    assert statement.gross_profit == _sum(statement.income) - _sum(statement.cost_of_sales)
    assert statement.net_operating_income == statement.gross_profit - _sum(statement.operating_expenses)
    other_income = [item for item in statement.non_operating_expenses if item.name == "Interest Earned"]
    assert other_income
    assert all(item.value is not None and item.value < 0 for item in other_income)  # an income as a negative expense
    assert statement.net_income == statement.net_operating_income - _sum(statement.non_operating_expenses)


def test_cash_flow_statement_fields_add_up() -> None:
    statement = apply(CASH_FLOW_STATEMENT, _case("cash_flow_statement/cashflow_month.json"), CONTEXT)
    assert statement.operating_activities[0].name == "Net Income"
    activities = (
        _sum(statement.operating_activities[:1])
        + sum((item.value or 0 for item in statement.operating_activities[1:]), Decimal(0))
        + _sum(statement.investing_activities)
        + _sum(statement.financing_activities)
    )
    assert statement.cash_at_end_of_period is not None
    assert statement.cash_at_beginning_of_period is not None
    assert statement.cash_at_end_of_period - statement.cash_at_beginning_of_period == activities


def test_general_ledger_transactions_balance_and_name_their_documents() -> None:
    for path in sorted((CASES / "general_ledger_transaction").glob("journalreport_*[!d].json")):
        transaction = apply(GENERAL_LEDGER, _case(f"general_ledger_transaction/{path.name}"), CONTEXT)
        lines = transaction.general_ledger_transaction_lines
        assert len(lines) >= 2
        debits = sum((Decimal(line.debit_amount) for line in lines), Decimal(0))
        assert debits == sum((Decimal(line.credit_amount) for line in lines), Decimal(0)) > 0
        assert all(line.account and line.account.startswith("Account:") for line in lines)
        assert transaction.underlying_transaction_type is not None
    bill_payment = apply(
        GENERAL_LEDGER, _case("general_ledger_transaction/journalreport_billpaymentcheck.json"), CONTEXT
    )
    assert bill_payment.remote_id.startswith("BillPayment-")
    assert bill_payment.underlying_transaction_remote_id == bill_payment.remote_id
    assert bill_payment.underlying_transaction_type == "PAYMENT"
    assert bill_payment.general_ledger_transaction_lines[0].contact.startswith("Contact:Vendor-")
    expense = apply(GENERAL_LEDGER, _case("general_ledger_transaction/journalreport_check.json"), CONTEXT)
    assert (expense.underlying_transaction_type, expense.remote_id.split("-")[0]) == ("EXPENSE", "Purchase")
    assert expense.underlying_transaction_remote_id == expense.remote_id


def test_journal_report_splits_into_documents() -> None:
    def row(kind: str, txn_id: str, account: str, debit: str = "", credit: str = "") -> dict[str, Any]:
        cells = [{"value": "2026-01-02" if kind else ""}, {"value": kind, "id": txn_id} if kind else {"value": ""}]
        cells += [{"value": ""}, {"value": ""}, {"value": ""}, {"value": account, "id": account}]
        return {"ColData": [*cells, {"value": debit}, {"value": credit}], "type": "Data"}

    summary = {"Summary": {"ColData": [{"value": ""}] * 8}, "type": "Section"}
    body = {
        "Header": {"ReportName": "JournalReport", "EndPeriod": "2026-01-31"},
        "Columns": {"Column": []},
        "Rows": {
            "Row": [
                row("Invoice", "7", "1", debit="5.00"),
                row("", "", "2", credit="5.00"),
                summary,
                row("Deposit", "3", "1", debit="2.00"),
                row("", "", "4", credit="2.00"),
                row("Transfer", "9", "1", debit="1.00"),  # no summary between: a new type starts a new group
                row("", "", "5", credit="1.00"),
            ]
        },
    }
    slices = journal_transactions(body)
    assert [len(s["Rows"]["Row"]) for s in slices] == [3, 2, 2]
    assert all(s["Header"]["EndPeriod"] == "2026-01-31" for s in slices)
    assert [apply(GENERAL_LEDGER, s, CONTEXT).remote_id for s in slices] == ["Invoice-7", "Deposit-3", "Transfer-9"]
    assert journal_transactions({"Header": {}, "Rows": {}}) == []
