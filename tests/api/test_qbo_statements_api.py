"""Financial statements and the general ledger of a synced QuickBooks sandbox account, through the API and through
Merge's official SDK: the statements add up, agree with each other, and every ledger transaction balances."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from merge import Merge
from synced_harness import SyncedOrganization

from harness import Server

ZERO = Decimal(0)


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.api, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def headers(synced_org: SyncedOrganization) -> dict[str, str]:
    return {"Authorization": f"Bearer {synced_org.api_key}", "X-Account-Token": synced_org.tokens["quickbooks"]}


def _all(api: httpx.Client, headers: dict[str, str], path: str, **params: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {"page_size": "100", **params, **({"cursor": cursor} if cursor else {})}
        answer = api.get(f"/accounting/v1/{path}", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        results += page["results"]
        cursor = page["next"]
        if not cursor:
            return results


def _sum(items: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(str(item["value"])) for item in items), ZERO)


def _net_income(sheet: dict[str, Any]) -> Decimal:
    return next(Decimal(str(item["value"])) for item in sheet["equity"] if item["name"] == "Net Income")


def test_balance_sheets_balance(api: httpx.Client, headers: dict[str, str]) -> None:
    sheets = _all(api, headers, "balance-sheets")
    assert len(sheets) == 12
    assert len({sheet["remote_id"] for sheet in sheets}) == 12
    for sheet in sheets:
        assert sheet["remote_id"] == f"BalanceSheet:{sheet['date'][:10]}"
        assert sheet["currency"] == "USD"
        assert sheet["company"] is not None
        assert sheet["remote_generated_at"] is not None
        assets, liabilities, equity = _sum(sheet["assets"]), _sum(sheet["liabilities"]), _sum(sheet["equity"])
        assert assets == liabilities + equity
        assert Decimal(str(sheet["net_assets"])) == assets - liabilities
        assert any(item["sub_items"] for item in sheet["assets"])


def test_income_statements_agree_with_the_balance_sheets(api: httpx.Client, headers: dict[str, str]) -> None:
    statements = {s["end_period"][:10]: s for s in _all(api, headers, "income-statements")}
    sheets = {s["date"][:10]: s for s in _all(api, headers, "balance-sheets")}
    assert len(statements) == 12
    assert set(statements) == set(sheets)
    for statement in statements.values():
        gross = Decimal(str(statement["gross_profit"]))
        assert gross == _sum(statement["income"]) - _sum(statement["cost_of_sales"])
        operating = Decimal(str(statement["net_operating_income"]))
        assert operating == gross - _sum(statement["operating_expenses"])
        assert Decimal(str(statement["net_income"])) == operating - _sum(statement["non_operating_expenses"])
    # The balance sheet's Net Income runs from the fiscal year's start (January): the months' P&Ls summed.
    compared = 0
    for end, sheet in sheets.items():
        months = [s for e, s in statements.items() if e[:4] == end[:4] and e <= end]
        if len(months) == int(end[5:7]):
            assert _net_income(sheet) == sum((Decimal(str(s["net_income"])) for s in months), ZERO)
            compared += 1
    assert compared >= 1


def test_cash_flow_statements_add_up(api: httpx.Client, headers: dict[str, str]) -> None:
    statements = _all(api, headers, "cash-flow-statements")
    assert len(statements) == 12
    for statement in statements:
        activities = (
            _sum(statement["operating_activities"])
            + _sum(statement["investing_activities"])
            + _sum(statement["financing_activities"])
        )
        change = Decimal(str(statement["cash_at_end_of_period"])) - Decimal(
            str(statement["cash_at_beginning_of_period"])
        )
        assert change == activities
    ordered = sorted(statements, key=lambda s: s["start_period"])
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert before["cash_at_end_of_period"] == after["cash_at_beginning_of_period"]


def test_general_ledger_transactions(api: httpx.Client, headers: dict[str, str]) -> None:
    transactions = _all(api, headers, "general-ledger-transactions")
    assert len(transactions) > 20
    accounts = {account["id"] for account in _all(api, headers, "accounts")}
    kinds = set()
    for transaction in transactions:
        lines = transaction["general_ledger_transaction_lines"]
        debits = sum((Decimal(line["debit_amount"]) for line in lines), ZERO)
        assert debits == sum((Decimal(line["credit_amount"]) for line in lines), ZERO) > 0
        assert all(line["account"] in accounts for line in lines)
        assert transaction["underlying_transaction_remote_id"]
        kinds.add(transaction["underlying_transaction_type"])
    assert {"INVOICE", "PAYMENT", "JOURNAL_ENTRY", "EXPENSE"} <= kinds
    invoice = next(t for t in transactions if t["underlying_transaction_type"] == "INVOICE")
    if not invoice["underlying_transaction_remote_id"].startswith("Bill-"):
        found = _all(api, headers, "invoices", remote_id=invoice["underlying_transaction_remote_id"])
        assert len(found) == 1
    one = api.get(
        f"/accounting/v1/general-ledger-transactions/{invoice['id']}", params={"expand": "company"}, headers=headers
    )
    assert one.status_code == 200
    assert one.json()["company"]["name"]
    dates = sorted(t["posting_date"] for t in transactions)
    middle = dates[len(dates) // 2]
    later = _all(api, headers, "general-ledger-transactions", posted_date_after=middle)
    assert 0 < len(later) < len(transactions)
    assert all(t["posting_date"] > middle for t in later)


def test_merge_sdk_reads_the_statements(server: Server, synced_org: SyncedOrganization) -> None:
    sdk = Merge(api_key=synced_org.api_key, account_token=synced_org.tokens["quickbooks"], base_url=server.api)
    accounting = sdk.accounting
    for resource in (
        accounting.balance_sheets,
        accounting.income_statements,
        accounting.cash_flow_statements,
        accounting.general_ledger_transactions,
    ):
        page = resource.list(page_size=5)
        assert len(page.results) == 5
        first = page.results[0]
        assert resource.retrieve(first.id).remote_id == first.remote_id
    sheet = accounting.balance_sheets.list(page_size=1).results[0]
    assert sheet.assets
    assert sheet.assets[0].sub_items is not None
    transaction = accounting.general_ledger_transactions.list(page_size=1).results[0]
    lines = transaction.general_ledger_transaction_lines or []
    assert sum(Decimal(line.debit_amount) for line in lines) == sum(Decimal(line.credit_amount) for line in lines)
