"""Applying a credit memo to an invoice (a vendor credit to a bill) at QuickBooks through the real app: Merge's
``POST /credit-notes/{id}/application`` becomes QBO's zero Payment linking both, the credit and the invoice read
back with their balances moved, and what QBO refuses (too much, another currency) reaches the caller in Merge's
shape with nothing changed at QBO."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from merge import AsyncMerge
from merge.core.api_error import ApiError
from quickbooks_kit import ORIGIN, QboWrites, open_qbo

from ledgerport.connectors._base import AsgiTransport
from ledgerport.jobs import Worker
from ledgerport.worker import build_sync_deps, build_write_deps
from ledgerport.writes.tasks import write_task_handlers

DAY = "2026-09-02T00:00:00Z"


@pytest.fixture(scope="module")
async def qbo(database_url: str) -> AsyncIterator[QboWrites]:
    async with open_qbo(database_url) as kit:
        yield kit


def _made(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.json()["errors"] == []
    return dict(response.json()["model"])


async def _apply(qbo: QboWrites, path: str, credit: str, invoice: str, amount: str) -> httpx.Response:
    body = {"invoice": invoice, "applied_date": DAY, "applied_amount": amount}
    return await qbo.api.post(f"/{path}/{credit}/application", json=body)


async def _sales(qbo: QboWrites, currency: str = "USD") -> tuple[dict[str, Any], dict[str, Any]]:
    """An open invoice of 500.00 and a credit memo of 120.00 for one customer."""
    customers = await qbo.listed("contacts", is_customer="true", is_supplier="false")
    customer = next(c for c in customers if c["status"] == "ACTIVE" and c["currency"] == currency)
    items = {i["name"]: i for i in await qbo.listed("items")}
    line = {"item": items["Consulting Hours"]["id"], "quantity": "1"}
    invoice = _made(
        await qbo.create(
            "invoices",
            {
                "type": "ACCOUNTS_RECEIVABLE",
                "contact": customer["id"],
                "currency": currency,
                "line_items": [{**line, "unit_price": "500.00"}],
            },
        )
    )
    credit = _made(
        await qbo.create(
            "credit-notes",
            {"contact": customer["id"], "currency": currency, "line_items": [{**line, "unit_price": "120.00"}]},
        )
    )
    return invoice, credit


async def test_a_credit_memo_applied_to_an_invoice(qbo: QboWrites) -> None:
    invoice, credit = await _sales(qbo)
    payments = await qbo.count("Payment")
    response = await _apply(qbo, "credit-notes", credit["id"], invoice["id"], "100.00")
    model = _made(response)
    assert model["id"] == credit["id"]
    assert Decimal(str(model["remaining_credit"])) == Decimal("20.00")
    assert model["status"] == "AUTHORIZED"
    assert await qbo.get(f"credit-notes/{credit['id']}") == {**model, "remote_data": None}
    after = await qbo.get(f"invoices/{invoice['id']}")
    assert Decimal(str(after["balance"])) == Decimal("400.00")
    memo = await qbo.qbo("CreditMemo", credit["remote_id"])
    assert (Decimal(str(memo["Balance"])), Decimal(str(memo["RemainingCredit"]))) == (Decimal("20.00"),) * 2
    assert await qbo.count("Payment") == payments + 1
    (zero,) = [
        p
        for p in await qbo.dump("Payment")
        if any(
            link.get("TxnType") == "CreditMemo" and link["TxnId"] == credit["remote_id"]
            for line in p.get("Line", [])
            for link in line.get("LinkedTxn", [])
        )
    ]
    assert Decimal(str(zero["TotalAmt"])) == 0

    rest = _made(await _apply(qbo, "credit-notes", credit["id"], invoice["id"], "20.00"))
    assert (rest["status"], Decimal(str(rest["remaining_credit"]))) == ("PAID", 0)

    await qbo.sync()  # the zero payment arrives as a Payment applied to the invoice
    synced = await qbo.get(f"invoices/{invoice['id']}")
    assert Decimal(str(synced["balance"])) == Decimal("380.00")


async def test_too_much_is_refused_in_merges_shape_and_nothing_changes(qbo: QboWrites) -> None:
    invoice, credit = await _sales(qbo)
    before = (await qbo.dump("CreditMemo"), await qbo.dump("Invoice"), await qbo.dump("Payment"))
    response = await _apply(qbo, "credit-notes", credit["id"], invoice["id"], "120.01")
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"warnings", "errors"}
    (error,) = body["errors"]
    assert error["problem_type"] == "PROVIDER_ERROR"
    assert "exceeds the remaining credit 120.00" in error["detail"]
    assert (await qbo.dump("CreditMemo"), await qbo.dump("Invoice"), await qbo.dump("Payment")) == before
    assert await qbo.get(f"credit-notes/{credit['id']}") == {**credit, "remote_data": None}


async def test_a_bill_is_not_a_credit_memos_document(qbo: QboWrites) -> None:
    invoice, credit = await _sales(qbo)
    bill = next(i for i in await qbo.listed("invoices", type="ACCOUNTS_PAYABLE"))
    wrong = await _apply(qbo, "credit-notes", credit["id"], bill["id"], "1.00")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["problem_type"] == "INVALID_REFERENCE"
    zero = await _apply(qbo, "credit-notes", credit["id"], invoice["id"], "0")
    assert zero.json()["errors"][0]["title"] == "Invalid Amount"


async def test_a_vendor_credit_applied_to_a_bill(qbo: QboWrites) -> None:
    vendors = await qbo.listed("contacts", is_supplier="true", is_customer="false")
    vendor = next(c for c in vendors if c["status"] == "ACTIVE" and c["currency"] == "USD")
    accounts = {a["name"]: a for a in await qbo.listed("accounts")}
    line = {"account": accounts["Office Expenses"]["id"]}
    bill = _made(
        await qbo.create(
            "invoices",
            {
                "type": "ACCOUNTS_PAYABLE",
                "contact": vendor["id"],
                "line_items": [{**line, "total_amount": "300.00"}],
            },
        )
    )
    credit = _made(
        await qbo.create("vendor-credits", {"vendor": vendor["id"], "lines": [{**line, "net_amount": "75.00"}]})
    )
    model = _made(await _apply(qbo, "vendor-credits", credit["id"], bill["id"], "75.00"))
    assert model["id"] == credit["id"]
    assert Decimal(str((await qbo.qbo("VendorCredit", credit["remote_id"]))["Balance"])) == 0
    after = await qbo.get(f"invoices/{bill['id']}")
    assert Decimal(str(after["balance"])) == Decimal("225.00")
    again = await _apply(qbo, "vendor-credits", credit["id"], bill["id"], "1.00")
    assert "exceeds the remaining credit 0.00" in again.json()["errors"][0]["detail"]
    not_a_bill = next(i for i in await qbo.listed("invoices", type="ACCOUNTS_RECEIVABLE"))
    wrong = await _apply(qbo, "vendor-credits", credit["id"], not_a_bill["id"], "1.00")
    assert wrong.json()["errors"][0]["problem_type"] == "INVALID_REFERENCE"


async def test_merges_sdk_applies_a_credit_note(qbo: QboWrites) -> None:
    invoice, credit = await _sales(qbo)
    async with httpx.AsyncClient(transport=qbo.api._transport, base_url="http://ledgerport.test/api") as http:
        client = AsyncMerge(
            api_key=qbo.api.headers["Authorization"].removeprefix("Bearer "),
            account_token=qbo.api.headers["X-Account-Token"],
            base_url="http://ledgerport.test/api",
            httpx_client=http,
        )
        answer = await client.accounting.credit_notes.application_create(
            credit["id"],
            invoice=invoice["id"],
            applied_date=datetime(2026, 9, 2, tzinfo=UTC),
            applied_amount="45.50",
            is_debug_mode=True,
        )
        assert answer.model.id == credit["id"]
        assert Decimal(str(answer.model.remaining_credit)) == Decimal("74.50")
        assert answer.errors == []
        assert answer.logs
        assert {log.log_summary.method for log in answer.logs} == {"GET", "POST"}
        with pytest.raises(ApiError) as refused:
            await client.accounting.credit_notes.application_create(
                credit["id"], invoice=invoice["id"], applied_date=datetime(2026, 9, 2, tzinfo=UTC), applied_amount="999"
            )
    assert refused.value.status_code == 400
    assert refused.value.body["errors"][0]["problem_type"] == "PROVIDER_ERROR"
    assert Decimal(str((await qbo.get(f"invoices/{invoice['id']}"))["balance"])) == Decimal("454.50")


async def test_an_application_runs_asynchronously(qbo: QboWrites) -> None:
    invoice, credit = await _sales(qbo)
    body = {"invoice": invoice["id"], "applied_date": DAY, "applied_amount": "60.00"}
    queued = await qbo.api.post(f"/credit-notes/{credit['id']}/application", json=body, params={"run_async": "true"})
    assert queued.status_code == 202, queued.text
    task_id = queued.json()["task_id"]
    deps = build_sync_deps(qbo.settings, qbo.database, transports={ORIGIN: AsgiTransport(qbo.sandbox)})
    stop = asyncio.Event()
    worker = Worker(qbo.database, write_task_handlers(build_write_deps(qbo.settings, deps)), poll_interval=0.02)
    running = asyncio.create_task(worker.run(stop))
    try:
        for _ in range(3000):
            task = (await qbo.api.get(f"/async-tasks/{task_id}")).json()
            if task["status"] in ("COMPLETED", "FAILURE"):
                break
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await running
    assert task["status"] == "COMPLETED", task
    assert task["result"]["status_code"] == 201
    assert Decimal(str(task["result"]["response"]["model"]["remaining_credit"])) == Decimal("60.00")
    assert Decimal(str((await qbo.get(f"invoices/{invoice['id']}"))["balance"])) == Decimal("440.00")
