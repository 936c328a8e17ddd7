"""Bulk creates to Xero through the real app and a worker in process: one ``PUT ?summarizeErrors=false`` per chunk,
each element answered on its own, every object counted at the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from xero_kit import API, XeroKit, open_kit

from ledgerport.config import load_settings
from ledgerport.jobs import Worker
from ledgerport.worker import job_handlers

DAY = "2025-03-03T00:00:00Z"
FINAL = {"SUCCESS", "PARTIAL_SUCCESS", "FAILED"}


@pytest.fixture
async def kit(database_url: str) -> AsyncIterator[XeroKit]:
    async with open_kit(database_url) as opened:
        yield opened


async def run_to_the_end(kit: XeroKit, path: str, batch_id: str) -> dict[str, Any]:
    """Run a worker until the batch is final; its status answer."""
    stop = asyncio.Event()
    running = asyncio.create_task(
        Worker(kit.deps.database, job_handlers(load_settings({}), kit.deps), poll_interval=0.02).run(stop)
    )
    try:
        for _ in range(2_000):
            batch = await kit.get(f"{path}/bulk/{batch_id}")
            if batch["status"] in FINAL:
                return dict(batch)
            await asyncio.sleep(0.01)
        raise AssertionError(f"batch {batch_id} never finished: {batch}")
    finally:
        stop.set()
        await running


async def bulk(kit: XeroKit, path: str, payloads: list[dict[str, Any]]) -> str:
    items = [{"item_id": f"item-{n}", "payload": payload} for n, payload in enumerate(payloads)]
    response = await kit.api.post(f"{API}/{path}/bulk", json={"batch_items": items})
    assert response.status_code == 202, response.text
    return str(response.json()["batch_id"])


async def test_invoices_fail_one_by_one_at_xero(kit: XeroKit) -> None:
    customer = next(c["id"] for c in await kit.all("contacts") if c["status"] == "ACTIVE" and c["is_customer"])
    sales = next(a["id"] for a in await kit.all("accounts") if a["account_number"] == "200")

    def invoice(number: str) -> dict[str, Any]:
        line = {"description": "Design work", "quantity": 1, "unit_price": 100, "account": sales}
        return {
            "type": "ACCOUNTS_RECEIVABLE",
            "contact": customer,
            "issue_date": DAY,
            "number": number,
            "line_items": [line],
        }

    taken = await kit.api.post(f"{API}/invoices", json={"model": invoice("BULK-X-1")})
    assert taken.status_code == 201, taken.text
    before = await kit.counts()
    batch_id = await bulk(kit, "invoices", [invoice("BULK-X-2"), invoice("BULK-X-1"), invoice("BULK-X-3")])
    done = await run_to_the_end(kit, "invoices", batch_id)
    assert done["status"] == "PARTIAL_SUCCESS", done
    first, duplicate, third = done["objects"]
    assert (first["status"], duplicate["status"], third["status"]) == ("SUCCESS", "FAILURE", "SUCCESS")
    assert duplicate["response"]["error_message"] == "Invoice # must be unique."
    assert await kit.counts() == {**before, "Invoices": before["Invoices"] + 2}
    for one, number in ((first, "BULK-X-2"), (third, "BULK-X-3")):
        record = await kit.get(f"invoices/{one['response']['merge_common_model_id']}")
        assert record["number"] == number
    await kit.sync()
    numbers = [i["number"] for i in await kit.all("invoices")]
    assert (numbers.count("BULK-X-2"), numbers.count("BULK-X-3")) == (1, 1)


async def test_expenses_are_bank_transactions_made_in_one_call(kit: XeroKit) -> None:
    supplier = next(c["id"] for c in await kit.all("contacts") if c["status"] == "ACTIVE" and c["is_supplier"])
    accounts = await kit.all("accounts")
    bank = next(a["id"] for a in accounts if a["account_type"] == "BANK" and a["status"] == "ACTIVE")
    expense_account = next(a["id"] for a in accounts if a["account_number"] == "429")
    before = await kit.counts()
    payloads = [
        {
            "account": bank,
            "contact": supplier,
            "transaction_date": DAY,
            "lines": [{"description": f"Coffee {n}", "net_amount": -(n + 1), "account": expense_account}],
        }
        for n in range(4)
    ]
    done = await run_to_the_end(kit, "expenses", await bulk(kit, "expenses", payloads))
    assert done["status"] == "SUCCESS", done
    assert await kit.counts() == {**before, "BankTransactions": before["BankTransactions"] + 4}
    for n, one in enumerate(done["objects"]):
        record = await kit.get(f"expenses/{one['response']['merge_common_model_id']}")
        assert record["lines"][0]["description"] == f"Coffee {n}"


async def calls(kit: XeroKit, part: str) -> int:
    """Requests the sandbox answered on paths that contain ``part``."""
    return sum(row["count"] for row in (await kit.control.get("/_sandbox/stats")).json() if part in row["path"])


async def test_a_batch_reads_each_item_code_once_and_writes_in_one_call(kit: XeroKit) -> None:
    customer = next(c["id"] for c in await kit.all("contacts") if c["status"] == "ACTIVE" and c["is_customer"])
    sales = next(a["id"] for a in await kit.all("accounts") if a["account_number"] == "200")
    widget = next(i["id"] for i in await kit.all("items") if i["name"] == "Widget")
    payloads = [
        {
            "type": "ACCOUNTS_RECEIVABLE",
            "contact": customer,
            "issue_date": DAY,
            "line_items": [{"item": widget, "quantity": n + 1, "account": sales}],
        }
        for n in range(6)
    ]
    items_before, writes_before = await calls(kit, "/Items"), await calls(kit, "/Invoices")
    done = await run_to_the_end(kit, "invoices", await bulk(kit, "invoices", payloads))
    assert done["status"] == "SUCCESS", done
    assert await calls(kit, "/Items") == items_before + 1
    assert await calls(kit, "/Invoices") == writes_before + 1
    for one in done["objects"]:
        record = await kit.get(f"invoices/{one['response']['merge_common_model_id']}")
        assert record["line_items"][0]["item"] == widget
