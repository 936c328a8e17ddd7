"""The sandbox's general ledger and reports: journals computed from its documents, and statements that add up."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import httpx
import pytest

from ledgerport.sandboxes.xero import SandboxApp, create_app

from .conftest import SCOPE, Clock, connect

LEDGER_SCOPE = f"{SCOPE} accounting.journals.read accounting.reports.read"


@pytest.fixture
def app(clock: Clock) -> SandboxApp:
    """More invoices than the default, so the ledger spans more than one page of journals."""
    return create_app(seed=7, size=120, clock=clock)


@pytest.fixture
async def ledger_headers(client: httpx.AsyncClient, tenant_ids: list[str]) -> dict[str, str]:
    token = await connect(client, scope=LEDGER_SCOPE)
    return {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": tenant_ids[0]}


async def _all_journals(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict]:
    journals: list[dict] = []
    offset = 0
    while True:
        response = await client.get("/api.xro/2.0/Journals", params={"offset": offset}, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()["Journals"]
        assert len(page) <= 100
        journals += page
        if len(page) < 100:
            return journals
        offset = page[-1]["JournalNumber"]


def _number(text: str) -> Decimal:
    return Decimal(text)


def _rows(report: dict) -> dict[str, list[Decimal]]:
    """Every named row's values: "Total Assets", "Net Profit", "Current Year Earnings"..."""
    found: dict[str, list[Decimal]] = {}
    for section in report["Rows"]:
        for row in section.get("Rows", []):
            cells = row["Cells"]
            found[cells[0]["Value"]] = [_number(cell["Value"]) for cell in cells[1:]]
    return found


async def test_every_journal_balances_and_numbers_follow_each_other(
    client: httpx.AsyncClient, ledger_headers: dict[str, str], app: SandboxApp
) -> None:
    journals = await _all_journals(client, ledger_headers)
    assert len(journals) > 100  # more than one page, so offset paging was exercised
    assert [j["JournalNumber"] for j in journals] == list(range(1, len(journals) + 1))
    for journal in journals:
        assert sum((Decimal(str(line["NetAmount"])) for line in journal["JournalLines"]), Decimal(0)) == 0
        for line in journal["JournalLines"]:
            assert Decimal(str(line["GrossAmount"])) == Decimal(str(line["NetAmount"])) + Decimal(
                str(line["TaxAmount"])
            )
            assert line["AccountCode"]
            assert line["AccountType"]
    kinds = Counter(j["SourceType"] for j in journals)
    assert {"ACCREC", "ACCPAY", "ACCRECPAYMENT", "ACCPAYPAYMENT", "MANJOURNAL", "CASHPAID"} <= set(kinds)


async def test_offset_answers_the_journals_numbered_after_it(
    client: httpx.AsyncClient, ledger_headers: dict[str, str]
) -> None:
    response = await client.get("/api.xro/2.0/Journals", params={"offset": 40}, headers=ledger_headers)
    numbers = [j["JournalNumber"] for j in response.json()["Journals"]]
    assert numbers[0] == 41
    assert numbers == sorted(numbers)
    one = await client.get("/api.xro/2.0/Journals/41", headers=ledger_headers)
    assert one.json()["Journals"][0]["JournalID"] == response.json()["Journals"][0]["JournalID"]


async def test_journals_need_their_scope(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.get("/api.xro/2.0/Journals", headers=headers)
    assert response.status_code == 403


async def test_a_document_written_through_the_sandbox_is_journaled_and_its_void_reversed(
    client: httpx.AsyncClient, ledger_headers: dict[str, str]
) -> None:
    before = await _all_journals(client, ledger_headers)
    contacts = (await client.get("/api.xro/2.0/Contacts", headers=ledger_headers)).json()["Contacts"]
    body = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contacts[0]["ContactID"]},
        "Date": "2026-12-01",
        "DueDate": "2026-12-15",
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "LineItems": [{"Description": "Work", "Quantity": 2, "UnitAmount": 50, "AccountCode": "200"}],
    }
    made = await client.put("/api.xro/2.0/Invoices", json={"Invoices": [body]}, headers=ledger_headers)
    assert made.status_code == 200, made.text
    invoice = made.json()["Invoices"][0]
    created = (
        await client.get(
            "/api.xro/2.0/Journals", params={"offset": before[-1]["JournalNumber"]}, headers=ledger_headers
        )
    ).json()["Journals"]
    assert [j["SourceID"] for j in created] == [invoice["InvoiceID"]]
    lines = {line["AccountCode"]: Decimal(str(line["NetAmount"])) for line in created[0]["JournalLines"]}
    assert lines["200"] == Decimal("-100.00")
    assert lines["610"] == Decimal(str(invoice["Total"]))
    voided = await client.post(
        f"/api.xro/2.0/Invoices/{invoice['InvoiceID']}", json={"Status": "VOIDED"}, headers=ledger_headers
    )
    assert voided.status_code == 200, voided.text
    after = (
        await client.get(
            "/api.xro/2.0/Journals", params={"offset": created[0]["JournalNumber"]}, headers=ledger_headers
        )
    ).json()["Journals"]
    assert len(after) == 1
    assert after[0]["SourceID"] == invoice["InvoiceID"]
    reversed_lines = {line["AccountCode"]: Decimal(str(line["NetAmount"])) for line in after[0]["JournalLines"]}
    assert reversed_lines == {code: -amount for code, amount in lines.items()}
    assert after[0]["JournalDate"] == created[0]["JournalDate"]


async def test_balance_sheet_balances_and_profit_matches_current_year_earnings(
    client: httpx.AsyncClient, ledger_headers: dict[str, str]
) -> None:
    sheet = await client.get(
        "/api.xro/2.0/Reports/BalanceSheet",
        params={"date": "2025-05-31", "periods": 2, "timeframe": "MONTH"},
        headers=ledger_headers,
    )
    assert sheet.status_code == 200, sheet.text
    report = sheet.json()["Reports"][0]
    assert report["ReportType"] == "BalanceSheet"
    assert [cell["Value"] for cell in report["Rows"][0]["Cells"]] == ["", "31 May 2025", "30 Apr 2025", "31 Mar 2025"]
    rows = _rows(report)
    for assets, liabilities, equity, net in zip(
        rows["Total Assets"], rows["Total Liabilities"], rows["Total Equity"], rows["Net Assets"], strict=True
    ):
        assert assets - liabilities == equity == net
    assert any(rows["Total Assets"])
    profit = await client.get(
        "/api.xro/2.0/Reports/ProfitAndLoss",
        params={"fromDate": "2025-05-01", "toDate": "2025-05-31"},
        headers=ledger_headers,
    )
    net_profit = _rows(profit.json()["Reports"][0])["Net Profit"][0]
    earnings = rows["Current Year Earnings"]  # the organisation's year starts on 1 July: both dates are in one
    assert earnings[0] - earnings[1] == net_profit


async def test_year_to_date_profit_is_the_current_year_earnings(
    client: httpx.AsyncClient, ledger_headers: dict[str, str], app: SandboxApp, tenant_ids: list[str]
) -> None:
    organisation = app.tenants[tenant_ids[0]].organisation
    assert (organisation["FinancialYearEndDay"], organisation["FinancialYearEndMonth"]) == (30, 6)
    sheet = await client.get("/api.xro/2.0/Reports/BalanceSheet", params={"date": "2025-03-31"}, headers=ledger_headers)
    profit = await client.get(
        "/api.xro/2.0/Reports/ProfitAndLoss",
        params={"fromDate": "2024-07-01", "toDate": "2025-03-31"},
        headers=ledger_headers,
    )
    earnings = _rows(sheet.json()["Reports"][0])["Current Year Earnings"][0]
    assert earnings == _rows(profit.json()["Reports"][0])["Net Profit"][0] != 0


async def test_if_modified_since_and_payments_only_narrow_the_journals(
    client: httpx.AsyncClient, ledger_headers: dict[str, str]
) -> None:
    journals = await _all_journals(client, ledger_headers)
    middle = journals[len(journals) // 2]["CreatedDateUTC"]  # /Date(ms+0000)/
    moment = int(middle[6:-7]) // 1000 * 1000
    since = {**ledger_headers, "If-Modified-Since": f"/Date({moment})/"}
    newer = (await client.get("/api.xro/2.0/Journals", headers=since)).json()["Journals"]
    assert newer
    assert all(int(j["CreatedDateUTC"][6:-7]) > moment for j in newer)
    assert len(newer) < len(journals)
    cash = (await client.get("/api.xro/2.0/Journals", params={"paymentsOnly": "true"}, headers=ledger_headers)).json()
    assert cash["Journals"]
    assert all(any(x["AccountType"] == "BANK" for x in j["JournalLines"]) for j in cash["Journals"])


async def test_report_parameters_are_checked(client: httpx.AsyncClient, ledger_headers: dict[str, str]) -> None:
    bad_date = await client.get("/api.xro/2.0/Reports/BalanceSheet", params={"date": "soon"}, headers=ledger_headers)
    assert bad_date.status_code == 400
    backwards = await client.get(
        "/api.xro/2.0/Reports/ProfitAndLoss",
        params={"fromDate": "2025-02-01", "toDate": "2025-01-01"},
        headers=ledger_headers,
    )
    assert backwards.status_code == 400
    quarters = await client.get(
        "/api.xro/2.0/Reports/ProfitAndLoss",
        params={"fromDate": "2025-01-01", "toDate": "2025-03-31", "periods": 3, "timeframe": "QUARTER"},
        headers=ledger_headers,
    )
    header = [cell["Value"] for cell in quarters.json()["Reports"][0]["Rows"][0]["Cells"]][1:]
    assert header == [
        "1 Jan 2025 to 31 Mar 2025",
        "1 Oct 2024 to 31 Dec 2024",
        "1 Jul 2024 to 30 Sep 2024",
        "1 Apr 2024 to 30 Jun 2024",
    ]
