"""Bulk creates through the real app, a worker in process and the providers' sandboxes: Merge's ``POST /<model>/bulk``
and ``GET /<model>/bulk/{batch_id}``, written with the providers' batch APIs, exactly once.

What is counted is counted at the sandbox (its objects, its request counter), never at ledgerport's side alone.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

import httpx
import jsonschema
import pytest
from merge import AsyncMerge
from merge.resources.accounting import InvoiceBatchItemRequest, InvoiceRequest
from quickbooks_kit import ORIGIN, QboWrites, open_qbo

from ledgerport.api.openapi import openapi_document
from ledgerport.connectors._base import AsgiTransport, Request, Response
from ledgerport.jobs import JobContext, Worker
from ledgerport.store import jobs as job_rows
from ledgerport.worker import build_sync_deps, job_abandoned, job_handlers
from ledgerport.writes import WriteDeps
from ledgerport.writes.bulk import BULK_RUN, run_batch

FINAL = {"SUCCESS", "PARTIAL_SUCCESS", "FAILED"}


@pytest.fixture
async def qbo(database_url: str) -> AsyncIterator[QboWrites]:
    async with open_qbo(database_url) as kit:
        yield kit


@asynccontextmanager
async def worker(qbo: QboWrites) -> AsyncIterator[None]:
    """A worker running every job kind, as ``ledgerport worker`` does, beside the test."""
    deps = build_sync_deps(qbo.settings, qbo.database, transports={ORIGIN: AsgiTransport(qbo.sandbox)})
    stop = asyncio.Event()
    running = asyncio.create_task(Worker(qbo.database, job_handlers(qbo.settings, deps), poll_interval=0.02).run(stop))
    try:
        yield
    finally:
        stop.set()
        await running


@cache
def _answers(path: str) -> jsonschema.Draft202012Validator:
    """The OpenAPI document's schema of a batch status."""
    document = openapi_document()
    operation = document["paths"][f"/accounting/v1/{path}/bulk/{{batch_id}}"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


async def status_of(qbo: QboWrites, path: str, batch_id: str) -> dict[str, Any]:
    """``GET /<path>/bulk/{batch_id}``, checked against the OpenAPI document."""
    response = await qbo.api.get(f"/{path}/bulk/{batch_id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(_answers(path).iter_errors(body)) == []
    return dict(body)


async def until(qbo: QboWrites, path: str, batch_id: str, statuses: set[str]) -> dict[str, Any]:
    """Poll the batch until its status is one of ``statuses`` (a generous bound, so a hang fails rather than
    blocks)."""
    for _ in range(2_000):
        batch = await status_of(qbo, path, batch_id)
        if batch["status"] in statuses:
            return batch
        await asyncio.sleep(0.01)
    raise AssertionError(f"batch {batch_id} never reached {statuses}: {batch}")


async def customer_and_item(qbo: QboWrites) -> tuple[dict[str, Any], dict[str, Any]]:
    customers = await qbo.listed("contacts", is_customer="true", is_supplier="false")
    customer = next(c for c in customers if c["status"] == "ACTIVE" and c["currency"] == "USD")
    item = next(i for i in await qbo.listed("items") if i["name"] == "Installation")
    return customer, item


def invoice(customer: dict[str, Any], item: dict[str, Any], number: int) -> dict[str, Any]:
    return {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": customer["id"],
        "number": f"BULK-{number}",
        "issue_date": "2026-09-01T00:00:00Z",
        "line_items": [{"item": item["id"], "quantity": 1, "unit_price": f"{10 + number}.00"}],
    }


async def bulk(qbo: QboWrites, path: str, items: list[dict[str, Any]], **headers: str) -> httpx.Response:
    return await qbo.api.post(f"/{path}/bulk", json={"batch_items": items}, headers=headers)


async def batch_calls(qbo: QboWrites) -> int:
    """``/batch`` calls the sandbox answered."""
    return sum(count for path, count in qbo.sandbox.state.stats.items() if path.endswith("/batch"))


async def test_35_invoices_take_two_batch_calls_and_are_each_readable(qbo: QboWrites) -> None:
    customer, item = await customer_and_item(qbo)
    before = await qbo.count("Invoice")
    items = [{"item_id": f"inv-{n}", "payload": invoice(customer, item, n)} for n in range(35)]
    accepted = await bulk(qbo, "invoices", items)
    assert accepted.status_code == 202, accepted.text
    batch_id = accepted.json()["batch_id"]
    queued = await status_of(qbo, "invoices", batch_id)
    assert (queued["status"], queued["total_count"]) == ("ENQUEUED", 35)
    assert {o["status"] for o in queued["objects"]} == {"PENDING"}
    async with worker(qbo):
        done = await until(qbo, "invoices", batch_id, FINAL)
    assert done["status"] == "SUCCESS", done
    assert [o["item_id"] for o in done["objects"]] == [f"inv-{n}" for n in range(35)]
    assert await batch_calls(qbo) == 2, "30 + 5 items: two QuickBooks /batch calls"
    assert await qbo.count("Invoice") == before + 35
    for n, one in enumerate(done["objects"]):
        assert one["status"] == "SUCCESS"
        record = await qbo.get(f"invoices/{one['response']['merge_common_model_id']}")
        assert record["number"] == f"BULK-{n}"
        assert record["total_amount"] == 10 + n
        assert (await qbo.qbo("Invoice", record["remote_id"]))["DocNumber"] == f"BULK-{n}"
    report = await qbo.sync()
    assert report.failed is None
    assert len(await qbo.listed("invoices", remote_id=record["remote_id"])) == 1


async def test_invalid_and_refused_items_fail_alone(qbo: QboWrites) -> None:
    customer, item = await customer_and_item(qbo)
    archived = next(c for c in await qbo.listed("contacts", is_customer="true") if c["status"] == "ARCHIVED")
    before = await qbo.count("Invoice")
    items = [
        {"item_id": "good", "payload": invoice(customer, item, 1)},
        {"item_id": "invalid", "payload": {**invoice(customer, item, 2), "contact": str(uuid.uuid4())}},
        {"item_id": "refused", "payload": {**invoice(customer, item, 3), "contact": archived["id"]}},
    ]
    accepted = await bulk(qbo, "invoices", items)
    assert accepted.status_code == 202, accepted.text
    async with worker(qbo):
        done = await until(qbo, "invoices", accepted.json()["batch_id"], FINAL)
    assert done["status"] == "PARTIAL_SUCCESS", done
    good, invalid, refused = done["objects"]
    assert good["status"] == "SUCCESS"
    assert good["response"]["merge_common_model_id"]
    assert invalid["status"] == "FAILURE"
    assert "exists in this linked account" in invalid["response"]["error_message"]
    assert "/batch_items/1/payload/contact" in invalid["response"]["error_message"]
    assert refused["status"] == "FAILURE"
    assert "made inactive or deleted" in refused["response"]["error_message"]
    assert await qbo.count("Invoice") == before + 1


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"batch_items": [{"item_id": str(n), "payload": {}} for n in range(101)]}, "at most 100"),
        ({"batch_items": [{"item_id": "a", "payload": {}}, {"item_id": "a", "payload": {}}]}, "more than once"),
        ({"batch_items": [{"item_id": "a", "payload": {"memo": "x" * (5 * 1024 * 1024)}}]}, "at most 5242880"),
        ({"batch_items": [{"payload": {}}]}, "no item_id"),
        ({"batch_items": [{"item_id": "a", "payload": "no"}]}, "no payload object"),
        ({"batch_items": []}, "at least one"),
    ],
)
async def test_bad_envelopes_are_refused_and_nothing_is_queued(
    qbo: QboWrites, body: dict[str, Any], named: str
) -> None:
    response = await qbo.api.post("/invoices/bulk", json=body)
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert named in error["detail"]
    async with qbo.database.read() as session:
        assert await job_rows.list_jobs(session, linked_account_id=qbo.account_id, kinds=[BULK_RUN]) == []


async def test_a_throttled_batch_waits_then_finishes(qbo: QboWrites) -> None:
    customer, item = await customer_and_item(qbo)
    before = await qbo.count("Invoice")
    qbo.sandbox.state.faults.update(throttle_rate=1.0, throttle_retry_after=1)
    items = [{"item_id": str(n), "payload": invoice(customer, item, n)} for n in range(3)]
    accepted = await bulk(qbo, "invoices", items)
    batch_id = accepted.json()["batch_id"]
    async with worker(qbo):
        limited = await until(qbo, "invoices", batch_id, {"RATE_LIMITED", *FINAL})
        assert limited["status"] == "RATE_LIMITED"
        assert {o["status"] for o in limited["objects"]} == {"PENDING"}
        qbo.sandbox.state.faults.update(throttle_rate=0.0)
        done = await until(qbo, "invoices", batch_id, FINAL)
    assert done["status"] == "SUCCESS", done
    assert await qbo.count("Invoice") == before + 3


class _DiesAfterSending:
    """A transport whose worker dies (as if SIGKILLed) once QuickBooks has answered the first ``/batch`` call:
    the provider made the objects, and nothing after the call ran."""

    def __init__(self, inner: AsgiTransport) -> None:
        self.inner = inner

    async def send(self, request: Request) -> Response:
        response = await self.inner.send(request)
        if request.url.endswith("/batch"):
            raise _Killed
        return response

    async def close(self) -> None:
        await self.inner.close()


class _Killed(BaseException):
    pass


async def test_a_job_taken_over_after_the_provider_answered_writes_each_item_once(qbo: QboWrites) -> None:
    customer, item = await customer_and_item(qbo)
    before = await qbo.count("Invoice")
    items = [{"item_id": str(n), "payload": invoice(customer, item, n)} for n in range(5)]
    accepted = await bulk(qbo, "invoices", items, **{"Idempotency-Key": "month-end"})
    batch_id = accepted.json()["batch_id"]
    dying = build_sync_deps(qbo.settings, qbo.database, transports={ORIGIN: AsgiTransport(qbo.sandbox)})
    dying = type(dying)(**{**{f: getattr(dying, f) for f in dying.__struct_fields__}, "transport": _dies(qbo)})
    async with qbo.database.read() as session:
        (row,) = await job_rows.list_jobs(session, linked_account_id=qbo.account_id, kinds=[BULK_RUN])
    context = JobContext(row=row, database=qbo.database, renew=_held, stopping=asyncio.Event(), retry_in=1.0)
    with pytest.raises(_Killed):
        await run_batch(WriteDeps(providers=dying), uuid.UUID(batch_id), context)
    assert await qbo.count("Invoice") == before + 5, "QuickBooks made the objects before the worker died"
    assert {o["status"] for o in (await status_of(qbo, "invoices", batch_id))["objects"]} == {"PENDING"}
    async with worker(qbo):
        done = await until(qbo, "invoices", batch_id, FINAL)
    assert done["status"] == "SUCCESS", done
    assert await qbo.count("Invoice") == before + 5, "the chunk sent again was answered, not made again"
    remote_ids = [
        (await qbo.get(f"invoices/{o['response']['merge_common_model_id']}"))["remote_id"] for o in done["objects"]
    ]
    assert len(set(remote_ids)) == 5
    again = await bulk(qbo, "invoices", items, **{"Idempotency-Key": "month-end"})
    assert (again.status_code, again.json()["batch_id"]) == (202, batch_id)
    assert again.headers["Idempotent-Replayed"] == "true"
    other = await bulk(qbo, "invoices", items[:1], **{"Idempotency-Key": "month-end"})
    assert other.status_code == 422


def _dies(qbo: QboWrites) -> Any:
    transport = _DiesAfterSending(AsgiTransport(qbo.sandbox))
    return lambda origin: transport


async def _held() -> bool:
    return True


async def test_each_chunk_settled_counts_as_progress_against_killed_workers(qbo: QboWrites) -> None:
    """The job says it got further once per chunk settled (before the next chunk), so the worker's cap on
    takeovers counts only kills in a row that settled nothing: ten kills spread over a long batch do not end it."""
    customer, item = await customer_and_item(qbo)
    items = [{"item_id": str(n), "payload": invoice(customer, item, n)} for n in range(65)]  # chunks of 30, 30, 5
    batch_id = (await bulk(qbo, "invoices", items)).json()["batch_id"]
    deps = build_sync_deps(qbo.settings, qbo.database, transports={ORIGIN: AsgiTransport(qbo.sandbox)})
    async with qbo.database.read() as session:
        (row,) = await job_rows.list_jobs(session, linked_account_id=qbo.account_id, kinds=[BULK_RUN])
    calls: list[str] = []

    async def renewed() -> bool:
        calls.append("renew")
        return True

    async def progressed() -> bool:
        calls.append(f"progress after {await batch_calls(qbo)} batch calls")
        return True

    context = JobContext(
        row=row, database=qbo.database, renew=renewed, stopping=asyncio.Event(), retry_in=1.0, progress=progressed
    )
    await run_batch(WriteDeps(providers=deps), uuid.UUID(batch_id), context)
    assert calls == ["renew", "progress after 1 batch calls", "progress after 2 batch calls"]
    assert (await status_of(qbo, "invoices", batch_id))["status"] == "SUCCESS"


async def test_unsupported_models_and_other_accounts(qbo: QboWrites) -> None:
    missing = await qbo.api.get(f"/invoices/bulk/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert (await qbo.api.get("/invoices/bulk/not-an-id")).status_code == 404


async def test_merge_sdk_bulk_create_and_retrieve(qbo: QboWrites) -> None:
    customer, item = await customer_and_item(qbo)
    before = await qbo.count("Invoice")
    secret = qbo.api.headers["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=qbo.app)) as http:
        merge = AsyncMerge(
            base_url="http://ledgerport.test/api",
            api_key=secret,
            account_token=qbo.api.headers["X-Account-Token"],
            httpx_client=http,
        )
        created = await merge.accounting.invoices.bulk_create(
            batch_items=[
                InvoiceBatchItemRequest(item_id=str(n), payload=InvoiceRequest(**invoice(customer, item, n)))
                for n in range(3)
            ]
        )
        async with worker(qbo):
            await until(qbo, "invoices", created.batch_id, FINAL)
        batch = await merge.accounting.invoices.bulk_retrieve(created.batch_id)
    assert batch.status == "SUCCESS"
    assert batch.total_count == 3
    assert [(one.item_id, one.status) for one in batch.objects] == [(str(n), "SUCCESS") for n in range(3)]
    assert all(one.response is not None and one.response.merge_common_model_id for one in batch.objects)
    assert await qbo.count("Invoice") == before + 3


async def test_a_batch_the_worker_gives_up_ends_with_the_reason(qbo: QboWrites) -> None:
    customer, item = await customer_and_item(qbo)
    items = [{"item_id": str(n), "payload": invoice(customer, item, n)} for n in range(2)]
    items.append({"item_id": "invalid", "payload": {**invoice(customer, item, 9), "contact": str(uuid.uuid4())}})
    batch_id = (await bulk(qbo, "invoices", items)).json()["batch_id"]
    deps = build_sync_deps(qbo.settings, qbo.database, transports={ORIGIN: AsgiTransport(qbo.sandbox)})
    async with qbo.database.read() as session:
        (row,) = await job_rows.list_jobs(session, linked_account_id=qbo.account_id, kinds=[BULK_RUN])
    await job_abandoned(qbo.settings, deps)[BULK_RUN](qbo.database, row, "the worker running this job stopped 10 times")
    done = await status_of(qbo, "invoices", batch_id)
    assert done["status"] == "FAILED"
    assert [o["status"] for o in done["objects"]] == ["FAILURE"] * 3
    assert "stopped 10 times" in done["objects"][0]["response"]["error_message"]
    assert "exists in this linked account" in done["objects"][2]["response"]["error_message"]
