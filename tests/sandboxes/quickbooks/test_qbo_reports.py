"""The sandbox's Reports API: Intuit's report JSON, computed from the sandbox's own documents, adding up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from qbo_client import Connected

Row = dict[str, Any]


def _walk(rows: list[Row]) -> list[Row]:
    found = []
    for row in rows:
        found.append(row)
        found += _walk((row.get("Rows") or {}).get("Row") or [])
    return found


def _group(report: Row, group: str) -> Row | None:
    return next((row for row in _walk(report["Rows"]["Row"]) if row.get("group") == group), None)


def _amount(row: Row | None) -> Decimal:
    if row is None:
        return Decimal(0)
    cells = row["Summary"]["ColData"] if "Summary" in row else row["ColData"]
    return Decimal(cells[-1]["value"])


def _check_section_sums(rows: list[Row]) -> None:
    """Every section with rows totals them (QBO's summaries are the sums of what they enclose)."""
    for row in _walk(rows):
        children = (row.get("Rows") or {}).get("Row")
        if children and "Summary" in row and row.get("group") != "OperatingActivities":
            assert _amount(row) == sum((_amount(child) for child in children), Decimal(0)), row.get("group")


async def _report(qbo: Connected, name: str, **params: str) -> Row:
    answer = await qbo.get(f"reports/{name}", minorversion="75", **params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"Header", "Columns", "Rows"}
    return body


async def test_balance_sheet_balances_and_matches_the_profit_and_loss(qbo: Connected) -> None:
    end = "2026-08-31"
    sheet = await _report(qbo, "BalanceSheet", start_date="2026-01-01", end_date=end)
    header = sheet["Header"]
    assert header["ReportName"] == "BalanceSheet"
    assert (header["EndPeriod"], header["ReportBasis"], header["Currency"]) == (end, "Accrual", "USD")
    assert {"Name": "AccountingStandard", "Value": "GAAP"} in header["Option"]
    assert [c["ColType"] for c in sheet["Columns"]["Column"]] == ["Account", "Money"]
    top = sheet["Rows"]["Row"]
    assert [row["group"] for row in top] == ["TotalAssets", "TotalLiabilitiesAndEquity"]
    assert _amount(top[0]) == _amount(top[1]) != 0
    assert _amount(_group(sheet, "TotalAssets")) == _amount(_group(sheet, "Liabilities")) + _amount(
        _group(sheet, "Equity")
    )
    _check_section_sums(top)
    net_income = _group(sheet, "NetIncome")
    assert net_income is not None
    assert net_income["type"] == "Data"
    # The balance sheet's Net Income is the fiscal year's (January) to its date: the P&L of that range.
    profit = await _report(qbo, "ProfitAndLoss", start_date="2026-01-01", end_date=end)
    assert _amount(_group(profit, "NetIncome")) == _amount(net_income)


async def test_profit_and_loss_sections(qbo: Connected) -> None:
    report = await _report(qbo, "ProfitAndLoss", start_date="2025-10-01", end_date="2026-09-30")
    groups = [row.get("group") for row in report["Rows"]["Row"]]
    assert groups[:5] == ["Income", "COGS", "GrossProfit", "Expenses", "NetOperatingIncome"]
    assert groups[-1] == "NetIncome"
    income, cogs, expenses = (_amount(_group(report, g)) for g in ("Income", "COGS", "Expenses"))
    assert income > 0
    assert cogs > 0
    assert expenses > 0
    assert _amount(_group(report, "GrossProfit")) == income - cogs
    operating = _amount(_group(report, "NetOperatingIncome"))
    assert operating == income - cogs - expenses
    other = _amount(_group(report, "OtherIncome")) - _amount(_group(report, "OtherExpenses"))
    assert _amount(_group(report, "NetIncome")) == operating + other
    _check_section_sums(report["Rows"]["Row"])
    account = _group(report, "Income")["Rows"]["Row"][0]  # type: ignore[index]
    assert account["type"] == "Data"
    assert account["ColData"][0]["id"].isdigit()


async def test_cash_flow_explains_the_change_in_bank_accounts(qbo: Connected) -> None:
    start, end = "2026-03-01", "2026-08-31"
    flow = await _report(qbo, "CashFlow", start_date=start, end_date=end)
    groups = [row.get("group") for row in flow["Rows"]["Row"]]
    assert groups[0] == "OperatingActivities"
    assert groups[-3:] == ["CashIncrease", "BeginningCash", "EndingCash"]
    operating = _group(flow, "OperatingActivities")
    activities = sum(
        (_amount(_group(flow, g)) for g in ("OperatingActivities", "InvestingActivities", "FinancingActivities")),
        Decimal(0),
    )
    assert _amount(_group(flow, "CashIncrease")) == activities
    assert _amount(_group(flow, "EndingCash")) - _amount(_group(flow, "BeginningCash")) == activities
    net_income = operating["Rows"]["Row"][0]  # type: ignore[index]
    profit = await _report(qbo, "ProfitAndLoss", start_date=start, end_date=end)
    assert net_income["group"] == "NetIncome"
    assert _amount(net_income) == _amount(_group(profit, "NetIncome"))

    def bank(sheet: Row) -> Decimal:
        return _amount(_group(sheet, "BankAccounts"))

    before = await _report(qbo, "BalanceSheet", end_date="2026-02-28")
    after = await _report(qbo, "BalanceSheet", end_date=end)
    assert _amount(_group(flow, "BeginningCash")) == bank(before)
    assert _amount(_group(flow, "EndingCash")) == bank(after)


async def test_journal_report_lists_balanced_transactions(qbo: Connected) -> None:
    journal = await _report(qbo, "JournalReport", start_date="2026-01-01", end_date="2026-08-31")
    keys = [c["MetaData"][0]["Value"] for c in journal["Columns"]["Column"]]
    assert keys == ["tx_date", "txn_type", "doc_num", "name", "memo", "account_name", "debt_amt", "credit_amt"]
    groups: list[list[Row]] = []
    for row in journal["Rows"]["Row"]:
        if "Summary" in row:
            cells = row["Summary"]["ColData"]
            debits = sum((Decimal(r["ColData"][6]["value"] or "0") for r in groups[-1]), Decimal(0))
            credits = sum((Decimal(r["ColData"][7]["value"] or "0") for r in groups[-1]), Decimal(0))
            assert debits == credits == Decimal(cells[6]["value"]) == Decimal(cells[7]["value"])
        elif row["ColData"][1]["value"]:
            groups.append([row])
        else:
            groups[-1].append(row)
    assert len(groups) > 20
    types = {group[0]["ColData"][1]["value"] for group in groups}
    assert {"Invoice", "Bill", "Payment", "Journal Entry", "Deposit"} <= types
    for group in groups:
        first = group[0]["ColData"]
        assert date.fromisoformat(first[0]["value"]) <= date(2026, 8, 31)
        assert first[1]["id"].isdigit()
        assert all(r["ColData"][5]["id"] for r in group)


async def test_an_invoice_written_through_the_api_shows_up_in_every_report(qbo: Connected) -> None:
    day, end = "2026-09-10", "2026-09-30"
    before_sheet = await _report(qbo, "BalanceSheet", end_date=end)
    before_profit = await _report(qbo, "ProfitAndLoss", start_date="2026-09-01", end_date=end)
    created = await qbo.post(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "TxnDate": day,
            "Line": [
                {
                    "Amount": "1000.00",
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": "1000.00"},
                }
            ],
        },
    )
    assert created.status_code == 200, created.text
    invoice_id = created.json()["Invoice"]["Id"]
    sheet = await _report(qbo, "BalanceSheet", end_date=end)
    profit = await _report(qbo, "ProfitAndLoss", start_date="2026-09-01", end_date=end)
    total = Decimal(str(created.json()["Invoice"]["TotalAmt"]))
    assert _amount(_group(profit, "Income")) - _amount(_group(before_profit, "Income")) == Decimal("1000.00")
    assert _amount(_group(sheet, "AR")) - _amount(_group(before_sheet, "AR")) == total
    assert _amount(_group(sheet, "TotalAssets")) == _amount(_group(sheet, "TotalLiabilitiesAndEquity"))
    assert _amount(_group(sheet, "NetIncome")) - _amount(_group(before_sheet, "NetIncome")) == Decimal("1000.00")
    journal = await _report(qbo, "JournalReport", start_date=day, end_date=day)
    assert any(r.get("ColData", [{}, {}])[1].get("id") == invoice_id for r in journal["Rows"]["Row"])


async def test_report_parameters(qbo: Connected) -> None:
    macro = await _report(qbo, "ProfitAndLoss", date_macro="Last Month")
    assert (macro["Header"]["StartPeriod"], macro["Header"]["EndPeriod"]) == ("2026-08-01", "2026-08-31")
    default = await _report(qbo, "BalanceSheet")
    assert default["Header"]["StartPeriod"] == "2026-01-01"
    refused = await qbo.get("reports/ProfitAndLoss", accounting_method="Cash")
    assert refused.status_code == 400
    assert "Fault" in refused.json()
    unknown = await qbo.get("reports/NoSuchReport")
    assert unknown.status_code == 400
    anonymous = await qbo.client.get(qbo.url("reports/BalanceSheet"))
    assert anonymous.status_code == 401


async def test_summarized_by_month(qbo: Connected) -> None:
    window = {"start_date": "2026-01-15", "end_date": "2026-08-31"}
    monthly = await _report(qbo, "ProfitAndLoss", summarize_column_by="Month", **window)
    columns = monthly["Columns"]["Column"]
    assert [c["ColTitle"] for c in columns] == [
        "",
        "Jan 2026",
        *(f"{m} 2026" for m in "Feb Mar Apr May Jun Jul Aug".split()),
        "Total",
    ]
    assert {"Name": "StartDate", "Value": "2026-01-15"} in columns[1]["MetaData"]
    assert monthly["Header"]["SummarizeColumnsBy"] == "Month"
    whole = await _report(qbo, "ProfitAndLoss", **window)
    net = _group(monthly, "NetIncome")["Summary"]["ColData"]  # type: ignore[index]
    assert Decimal(net[-1]["value"]) == _amount(_group(whole, "NetIncome"))
    assert sum((Decimal(cell["value"]) for cell in net[1:-1]), Decimal(0)) == Decimal(net[-1]["value"])
    sheet = await _report(qbo, "BalanceSheet", summarize_column_by="Month", **window)
    assert sheet["Columns"]["Column"][-1]["ColTitle"] == "Aug 2026"
    assets = sheet["Rows"]["Row"][0]["Summary"]["ColData"]
    both = sheet["Rows"]["Row"][1]["Summary"]["ColData"]
    assert [cell["value"] for cell in assets[1:]] == [cell["value"] for cell in both[1:]]
    refused = await qbo.get("reports/JournalReport", summarize_column_by="Month")
    assert refused.status_code == 400
