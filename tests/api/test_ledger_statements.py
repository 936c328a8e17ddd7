"""The general ledger and the financial statements of a synced Xero account, read through the API."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from merge import Merge
from synced_harness import SyncedOrganization

from harness import Server


@pytest.fixture(scope="module")
def xero(server: Server, synced_org: SyncedOrganization) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {synced_org.api_key}", "X-Account-Token": synced_org.tokens["xero"]}
    with httpx.Client(base_url=f"{server.api}/accounting/v1", headers=headers, timeout=30) as client:
        yield client


def _all(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    results, cursor = [], None
    while True:
        response = client.get(path, params={**params, "page_size": 100, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        results += body["results"]
        cursor = body.get("next")
        if not cursor:
            return results


def _total(items: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(str(item["value"])) for item in items), Decimal(0))


def test_every_general_ledger_transaction_balances(xero: httpx.Client) -> None:
    transactions = _all(xero, "/general-ledger-transactions")
    assert len(transactions) > 50
    for transaction in transactions:
        lines = transaction["general_ledger_transaction_lines"]
        debits = sum((Decimal(line["debit_amount"]) for line in lines), Decimal(0))
        assert debits == sum((Decimal(line["credit_amount"]) for line in lines), Decimal(0))
        assert transaction["underlying_transaction_remote_id"]
    one = transactions[0]
    retrieved = xero.get(f"/general-ledger-transactions/{one['id']}", params={"expand": "company"})
    assert retrieved.status_code == 200, retrieved.text
    assert retrieved.json()["remote_id"] == one["remote_id"]
    assert isinstance(retrieved.json()["company"], dict)
    dates = sorted(t["posting_date"] for t in transactions)
    middle = dates[len(dates) // 2]
    later = _all(xero, "/general-ledger-transactions", posted_date_after=middle)
    assert later
    assert len(later) < len(transactions)
    assert all(t["posting_date"] > middle for t in later)


def test_balance_sheets_balance_and_income_statements_match_them(xero: httpx.Client) -> None:
    sheets = _all(xero, "/balance-sheets")
    assert len(sheets) == 12  # the default number of months
    by_date = {}
    for sheet in sheets:
        assets, liabilities, equity = _total(sheet["assets"]), _total(sheet["liabilities"]), _total(sheet["equity"])
        assert assets - liabilities == equity == Decimal(str(sheet["net_assets"]))
        assert assets != 0
        by_date[sheet["date"][:10]] = next(
            Decimal(str(i["value"])) for i in sheet["equity"] if i["name"] == "Current Year Earnings"
        )
    retrieved = xero.get(f"/balance-sheets/{sheets[0]['id']}", params={"expand": "company"})
    assert retrieved.status_code == 200
    incomes = _all(xero, "/income-statements")
    assert len(incomes) == 12
    for income in incomes:
        gross = _total(income["income"]) - _total(income["cost_of_sales"])
        assert Decimal(str(income["gross_profit"])) == gross
        assert Decimal(str(income["net_income"])) == gross - _total(income["operating_expenses"])
    ordered = sorted(by_date)
    months = {income["end_period"][:10]: Decimal(str(income["net_income"])) for income in incomes}
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after[5:7] not in ("07", "04"):  # a financial year starts: Current Year Earnings restarts
            assert by_date[after] - by_date[before] == months[after]


def test_cash_flow_statements_add_up(xero: httpx.Client) -> None:
    flows = _all(xero, "/cash-flow-statements")
    assert len(flows) == 12
    for flow in flows:
        moved = _total(flow["operating_activities"] + flow["investing_activities"] + flow["financing_activities"])
        beginning = Decimal(str(flow["cash_at_beginning_of_period"]))
        assert beginning + moved == Decimal(str(flow["cash_at_end_of_period"]))
    retrieved = xero.get(f"/cash-flow-statements/{flows[0]['id']}")
    assert retrieved.status_code == 200


def test_merge_sdk_lists_and_retrieves_the_ledger_and_statements(
    server: Server, synced_org: SyncedOrganization
) -> None:
    """Merge's official SDK, with only ``base_url`` changed, decodes every answer into its own types."""
    sdk = Merge(base_url=server.api, api_key=synced_org.api_key, account_token=synced_org.tokens["xero"])
    accounting = sdk.accounting
    ledger = accounting.general_ledger_transactions.list(page_size=5, expand="company")
    assert ledger.results
    first = ledger.results[0]
    assert first.company is not None
    assert not isinstance(first.company, str)
    again = accounting.general_ledger_transactions.retrieve(first.id)
    assert again.remote_id == first.remote_id
    for line in again.general_ledger_transaction_lines or []:
        assert line.debit_amount is not None
        assert line.credit_amount is not None
    sheets = accounting.balance_sheets.list(page_size=100)
    assert len(sheets.results) == 12
    sheet = accounting.balance_sheets.retrieve(sheets.results[0].id)
    assert sheet.net_assets == sheets.results[0].net_assets
    assert sheet.assets
    incomes = accounting.income_statements.list(page_size=100)
    assert len(incomes.results) == 12
    assert accounting.income_statements.retrieve(incomes.results[0].id).remote_id == incomes.results[0].remote_id
    flows = accounting.cash_flow_statements.list(page_size=100)
    assert len(flows.results) == 12
    flow = accounting.cash_flow_statements.retrieve(flows.results[0].id)
    assert flow.cash_at_end_of_period == flows.results[0].cash_at_end_of_period
