"""The general ledger and statements streams against the sandbox: walked, mapped, and checked to add up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec
from xero_connector_kit import ORIGIN

from ledgerport.connectors._base import Request
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors.xero import CONNECTOR
from ledgerport.connectors.xero.ledger import (
    BALANCE_SHEET,
    CASH_FLOW_STATEMENT,
    DEFAULT_PERIODS,
    GENERAL_LEDGER_TRANSACTION,
    INCOME_STATEMENT,
    cash_flows,
    month_ends,
    periods,
)
from ledgerport.models.general_ledger_transaction import UnderlyingTransactionType
from ledgerport.models.report_item import ReportItem
from ledgerport.sandboxes.xero import SandboxApp

CONTEXT = MappingContext(ref=lambda model, remote_id: f"{model}:{remote_id}")
PERIODS = "30"  # reaches back into the sandbox's generated timeline, in three report calls


def _client(make_client: Callable[..., ProviderClient], tenant_id: str) -> ProviderClient:
    client = make_client()
    client.context = CONNECTOR.context({"tenant_id": tenant_id, "report_periods": PERIODS}, base_url=ORIGIN)
    return client


async def _mapped(
    client: ProviderClient, mapping: ModelMap, after: dict[str, Any] | None = None
) -> tuple[list[Any], Any]:
    """The mapped records of a walk, and its last record (where a ``resume`` stream got to); a derived stream is
    built from a walk of the journals, as the engine builds it from the journals it stored."""
    records, last = [], None
    derived = mapping.stream.derived
    if derived is not None:
        journals = []
        async for page in client.pages(GENERAL_LEDGER_TRANSACTION.stream, None):
            journals += page.records
        built = derived.build(client.context, journals)
        return [apply(mapping, record, CONTEXT, remote_id=rid) for rid, record, _ in mapping.rows(built)], None
    async for page in client.pages(mapping.stream, None, after):
        records += [apply(mapping, record, CONTEXT, remote_id=rid) for rid, record, _ in mapping.rows(page.records)]
        last = page.last or last
    return records, last


def _total(items: list[ReportItem]) -> Decimal:
    return sum((item.value or Decimal(0) for item in items), Decimal(0))


async def test_journals_map_to_balanced_transactions_and_resume_after_the_last(
    make_client: Callable[..., ProviderClient], tenant_id: str, sandbox: SandboxApp
) -> None:
    client = _client(make_client, tenant_id)
    transactions, last = await _mapped(client, GENERAL_LEDGER_TRANSACTION)
    assert len(transactions) > 50
    assert len({t.remote_id for t in transactions}) == len(transactions)
    assert last["JournalNumber"] == len(transactions)
    for transaction in transactions:
        lines = transaction.general_ledger_transaction_lines
        debits = sum((Decimal(line.debit_amount) for line in lines), Decimal(0))
        assert debits == sum((Decimal(line.credit_amount) for line in lines), Decimal(0))
        assert debits > 0
        assert all(line.account.startswith("Account:") for line in lines)
        assert transaction.underlying_transaction_remote_id
        assert transaction.underlying_transaction_type is not None  # every SourceType the ledger writes is known
    kinds = {t.underlying_transaction_type for t in transactions}
    assert {UnderlyingTransactionType.INVOICE, UnderlyingTransactionType.PAYMENT} <= kinds
    assert UnderlyingTransactionType.JOURNAL_ENTRY in kinds

    resume = {"JournalNumber": last["JournalNumber"]}
    again, _ = await _mapped(client, GENERAL_LEDGER_TRANSACTION, resume)
    assert again == []  # nothing after the last journal read
    contact = next(iter(sandbox.tenants[tenant_id].collections["Contacts"].all_records()))
    body = {
        "Invoices": [
            {
                "Type": "ACCPAY",
                "Contact": {"ContactID": contact["ContactID"]},
                "Date": "2026-12-02",
                "DueDate": "2026-12-20",
                "Status": "AUTHORISED",
                "LineAmountTypes": "NoTax",
                "LineItems": [{"Description": "Paper", "Quantity": 1, "UnitAmount": 25, "AccountCode": "429"}],
            }
        ]
    }
    response = await client.json(
        Request(method="PUT", url=f"{ORIGIN}/api.xro/2.0/Invoices", body=msgspec.json.encode(body))
    )
    new, _ = await _mapped(client, GENERAL_LEDGER_TRANSACTION, resume)
    assert [t.underlying_transaction_remote_id for t in new] == [response["Invoices"][0]["InvoiceID"]]
    (line_429,) = [x for x in new[0].general_ledger_transaction_lines if x.debit_amount != "0"]
    assert Decimal(line_429.debit_amount) == Decimal("25.00")


async def test_statements_add_up_month_by_month(make_client: Callable[..., ProviderClient], tenant_id: str) -> None:
    client = _client(make_client, tenant_id)
    sheets, _ = await _mapped(client, BALANCE_SHEET)
    incomes, _ = await _mapped(client, INCOME_STATEMENT)
    flows, _ = await _mapped(client, CASH_FLOW_STATEMENT)
    assert len(sheets) == len(incomes) == len(flows) == int(PERIODS)
    assert all(s.remote_id.startswith("BalanceSheet:") for s in sheets)
    assert all(i.remote_id.startswith("IncomeStatement:") for i in incomes)
    by_date = {s.date.date(): s for s in sheets}
    earnings = {}
    for sheet in sheets:
        assets, liabilities, equity = _total(sheet.assets), _total(sheet.liabilities), _total(sheet.equity)
        assert assets - liabilities == equity == sheet.net_assets
        earnings[sheet.date.date()] = next(i.value for i in sheet.equity if i.name == "Current Year Earnings")
        assert sheet.remote_generated_at is not None
    moving = 0
    for income in incomes:
        assert income.gross_profit == _total(income.income) - _total(income.cost_of_sales)
        assert income.net_operating_income == income.gross_profit - _total(income.operating_expenses)
        assert income.net_income == income.net_operating_income
        end = income.end_period.date()
        previous = income.start_period.date().toordinal() - 1
        before = next((d for d in by_date if d.toordinal() == previous), None)
        if before is not None and end.month != 7:  # within one financial year (it starts on 1 July or 1 April)
            if end.month != 4:
                assert earnings[end] - earnings[before] == income.net_income
        moving += income.net_income != 0
    assert moving  # the window reaches months with activity
    banks = {s.date.date(): next(i.value for i in s.assets if i.name == "Bank") for s in sheets if s.assets}
    for flow in flows:
        activities = flow.operating_activities + flow.investing_activities + flow.financing_activities
        assert flow.cash_at_beginning_of_period + _total(activities) == flow.cash_at_end_of_period
        end = flow.end_period.date()
        if end in banks:
            assert flow.cash_at_end_of_period == banks[end]


def test_cash_flow_classifies_counter_accounts_by_type() -> None:
    def journal(day: str, *lines: tuple[str, str, str]) -> dict[str, Any]:
        return {
            "JournalDate": f"{day}T00:00:00",
            "CreatedDateUTC": "/Date(0+0000)/",
            "JournalLines": [
                {"AccountID": a, "AccountName": a, "AccountType": t, "NetAmount": Decimal(n)} for a, t, n in lines
            ],
        }

    journals = [
        journal("2026-10-15", ("bank", "BANK", "100"), ("loan", "TERMLIAB", "-100")),
        journal("2026-11-03", ("bank", "BANK", "-40"), ("desk", "FIXED", "40")),
        journal("2026-11-09", ("bank", "BANK", "55"), ("sales", "REVENUE", "-50"), ("tax", "CURRLIAB", "-5")),
        journal("2026-11-10", ("ar", "CURRENT", "10"), ("sales", "REVENUE", "-10")),  # no cash
    ]
    (november,) = cash_flows(journals, [date(2026, 11, 30)])
    assert november["CashAtBeginning"] == "100"
    assert november["CashAtEnd"] == "115"
    assert november["Investing"] == [{"AccountID": "desk", "Name": "desk", "Value": "-40"}]
    assert {e["AccountID"]: e["Value"] for e in november["Operating"]} == {"sales": "50", "tax": "5"}
    assert november["Financing"] == []


def test_statement_months_end_with_this_month_and_follow_the_account_setting() -> None:
    assert month_ends(3, date(2026, 3, 15)) == [date(2026, 3, 31), date(2026, 2, 28), date(2026, 1, 31)]
    assert month_ends(2, date(2024, 1, 1)) == [date(2024, 1, 31), date(2023, 12, 31)]
    assert periods(CONNECTOR.context({"tenant_id": "t"}, base_url=ORIGIN)) == DEFAULT_PERIODS == 12
    assert periods(CONNECTOR.context({"tenant_id": "t", "report_periods": "30"}, base_url=ORIGIN)) == 30
    assert periods(CONNECTOR.context({"tenant_id": "t", "report_periods": "many"}, base_url=ORIGIN)) == 12
