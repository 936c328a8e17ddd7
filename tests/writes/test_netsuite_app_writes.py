"""NetSuite writes through the real app and the NetSuite sandbox in process: a created record is stored as a sync
stores it, a replayed Idempotency-Key makes nothing new, a closed period is refused before anything is written,
and a bulk of invoices is made once each even when its chunk is sent again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from netsuite_kit import API, NetSuiteKit, open_kit

from ledgerport.config import load_settings
from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base.writes import build_payload
from ledgerport.jobs import Worker
from ledgerport.models import MODELS
from ledgerport.remote import open_provider
from ledgerport.worker import job_handlers
from ledgerport.writes.validate import check_request

_PERIODS = (
    "SELECT TO_CHAR(startdate, 'YYYY-MM-DD') AS day, closed AS closed FROM accountingperiod"
    " WHERE isposting = 'T' AND isyear = 'F' AND isquarter = 'F' ORDER BY startdate DESC"
)


async def day_in(kit: NetSuiteKit, *, closed: bool) -> str:
    """The first day of the latest posting period that is (or is not) closed."""
    rows = await kit.suiteql(_PERIODS)
    return next(f"{row['day']}T00:00:00Z" for row in rows if (row.get("closed") == "T") == closed)


@pytest.fixture
async def kit(database_url: str) -> AsyncIterator[NetSuiteKit]:
    async with open_kit(database_url) as opened:
        yield opened


async def _invoice(kit: NetSuiteKit, memo: str, day: str | None = None) -> dict[str, Any]:
    customer = next(c for c in await kit.all("contacts") if c["is_customer"] and c["status"] == "ACTIVE")
    item = next(i for i in await kit.all("items") if i["status"] == "ACTIVE" and i["type"] == "SERVICE")
    return {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": customer["id"],
        "company": customer["company"],
        "issue_date": day or await day_in(kit, closed=False),
        "memo": memo,
        "line_items": [{"item": item["id"], "quantity": 2, "unit_price": 50, "description": "Design"}],
    }


async def test_an_invoice_is_made_once_and_stored_as_a_sync_stores_it(kit: NetSuiteKit) -> None:
    model = await _invoice(kit, "made once")
    headers = {"Idempotency-Key": "ns-invoice-1"}
    response = await kit.api.post(f"{API}/invoices", json={"model": model}, headers=headers)
    assert response.status_code == 201, response.text
    made = response.json()["model"]
    assert made["memo"] == "made once"
    assert made["total_amount"] == 100
    replay = await kit.api.post(f"{API}/invoices", json={"model": model}, headers=headers)
    assert replay.status_code == 201
    assert replay.json()["model"]["id"] == made["id"]
    rows = await kit.suiteql("SELECT id, externalid FROM transaction WHERE memo = 'made once'")
    assert [str(row["id"]) for row in rows] == [made["remote_id"]]
    written = await kit.get(f"invoices/{made['id']}")
    await kit.sync()
    assert await kit.get(f"invoices/{made['id']}") == written


async def test_a_closed_period_is_refused_before_anything_is_written(kit: NetSuiteKit) -> None:
    model = await _invoice(kit, "closed period", await day_in(kit, closed=True))
    response = await kit.create("invoices", model)
    assert response.status_code == 400, response.text
    (problem,) = response.json()["errors"]
    assert problem["source"] == {"pointer": "/model/issue_date"}
    assert "closed" in problem["detail"]
    assert await kit.suiteql("SELECT id FROM transaction WHERE memo = 'closed period'") == []


async def test_a_sales_order_and_its_fulfillment(kit: NetSuiteKit) -> None:
    invoice = await _invoice(kit, "order")
    order = {
        "customer": invoice["contact"],
        "company": invoice["company"],
        "issue_date": invoice["issue_date"],
        "memo": "order",
        "lines": [{"item": invoice["line_items"][0]["item"], "quantity": 3, "unit_price": 20}],
    }
    response = await kit.create("sales-orders", order)
    assert response.status_code == 201, response.text
    made = response.json()["model"]
    assert made["total"] == 60
    shipped = await kit.create("item-fulfillments", {"sales_order": made["id"], "memo": "shipped"})
    assert shipped.status_code == 201, shipped.text
    fulfillment = shipped.json()["model"]
    assert fulfillment["sales_order"] == made["id"]
    assert fulfillment["customer"] == order["customer"]


async def run_to_the_end(kit: NetSuiteKit, path: str, batch_id: str) -> dict[str, Any]:
    """Run a worker until the batch is final; its status answer."""
    stop = asyncio.Event()
    running = asyncio.create_task(
        Worker(kit.deps.database, job_handlers(load_settings({}), kit.deps), poll_interval=0.02).run(stop)
    )
    try:
        for _ in range(3_000):
            batch = await kit.get(f"{path}/bulk/{batch_id}")
            if batch["status"] in {"SUCCESS", "PARTIAL_SUCCESS", "FAILED"}:
                return dict(batch)
            await asyncio.sleep(0.01)
        raise AssertionError(f"batch {batch_id} never finished: {batch}")
    finally:
        stop.set()
        await running


async def test_a_bulk_of_invoices_fails_one_by_one(kit: NetSuiteKit) -> None:
    good = await _invoice(kit, "bulk")
    bad = {**good, "memo": "bulk bad", "contact": good["contact"], "line_items": [{**good["line_items"][0]}]}
    bad["line_items"][0]["quantity"] = 1
    bad["issue_date"] = await day_in(kit, closed=True)
    payloads = [{**good, "memo": f"bulk {n}"} for n in range(30)] + [bad]
    items = [{"item_id": f"item-{n}", "payload": payload} for n, payload in enumerate(payloads)]
    response = await kit.api.post(f"{API}/invoices/bulk", json={"batch_items": items})
    assert response.status_code == 202, response.text
    batch = await run_to_the_end(kit, "invoices", str(response.json()["batch_id"]))
    assert batch["status"] == "PARTIAL_SUCCESS", batch
    rows = await kit.suiteql("SELECT memo FROM transaction WHERE memo LIKE 'bulk%'")
    assert sorted(str(row["memo"]) for row in rows) == sorted(f"bulk {n}" for n in range(30))


async def test_a_chunk_sent_again_follows_the_first_jobs(kit: NetSuiteKit) -> None:
    """A worker killed after sending a chunk: the same keys meet IDEMPOTENCY_ERROR, whose first jobs are followed
    to their results; the sandbox holds each invoice once."""
    model = await _invoice(kit, "again")
    connector = CONNECTORS["netsuite"]
    spec = connector.writes["Invoice"]
    checked = check_request(spec, MODELS["Invoice"].struct, model, integration="NetSuite", kind="create")
    assert checked.target is not None
    resolved = {
        model["contact"]: (await kit.get(f"contacts/{model['contact']}"))["remote_id"],
        model["company"]: (await kit.get(f"company-info/{model['company']}"))["remote_id"],
        model["line_items"][0]["item"]: (await kit.get(f"items/{model['line_items'][0]['item']}"))["remote_id"],
    }

    class Resolved:
        def __call__(self, record_id: str) -> str | None:
            return resolved.get(record_id)

        def document(self, record_id: str) -> None:
            return None

    payload = build_payload(checked.target, checked.model, Resolved())
    opened = await open_provider(kit.deps, kit.account_id)
    assert connector.writer is not None
    assert checked.target.complete is not None
    ready = await checked.target.complete(opened.client, payload)
    payloads = [{**ready, "memo": f"again {n}"} for n in range(3)]
    first = await connector.writer.create_many(opened.client, checked.target, payloads, "chunk-key")
    again = await connector.writer.create_many(opened.client, checked.target, payloads, "chunk-key")
    assert [a["id"] for a in again] == [a["id"] for a in first]
    rows = await kit.suiteql("SELECT id FROM transaction WHERE memo LIKE 'again %'")
    assert len(rows) == 3
