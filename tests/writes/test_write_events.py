"""The webhook events writes make, through the real app and the QuickBooks sandbox: a created or updated record is
``{Model}.added``/``.changed`` with the document the API serves; a finished task is ``AsyncPost.completed`` with the
task's answer; a finished batch is ``AsyncBulkPost.completed`` with its status, once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from quickbooks_kit import QboWrites, open_qbo
from sqlalchemy import select
from test_async_writes import _customer, _receipt, settled
from test_bulk_writes import bulk, customer_and_item, invoice, until, worker

from ledgerport.store import accounts
from ledgerport.store import webhooks as rows
from ledgerport.store.tables import webhook_events


@pytest.fixture
async def qbo(database_url: str) -> AsyncIterator[QboWrites]:
    async with open_qbo(database_url) as kit:
        async with kit.database.write() as session:
            account = await accounts.find_linked_account_by_id(session, account_id=kit.account_id)
            assert account is not None
            await rows.create_endpoint(
                session,
                organization_id=account.organization_id,
                url="https://93.184.216.34/hooks",
                events=["*"],
                signing_key=b"sealed",
            )
        yield kit


async def _events(qbo: QboWrites) -> list[tuple[str, Any]]:
    c = webhook_events.c
    async with qbo.database.read() as session:
        found = await session.execute(
            select(c.event, c.data).where(c.linked_account_id == qbo.account_id).order_by(c.seq)
        )
        return [(row[0], msgspec.json.decode(row[1])) for row in found]


async def test_a_created_then_updated_contact_is_added_then_changed(qbo: QboWrites) -> None:
    created = await qbo.create("contacts", _customer(f"Events Co {uuid.uuid4().hex[:6]}"))
    assert created.status_code == 201, created.text
    model = created.json()["model"]
    updated = await qbo.update("contacts", model["id"], {"email_address": "changed@example.com"})
    assert updated.status_code == 200, updated.text

    events = [(name, data) for name, data in await _events(qbo) if name.startswith("Contact.")]
    assert [name for name, _ in events] == ["Contact.added", "Contact.changed"]
    served = await qbo.get(f"contacts/{model['id']}")
    assert events[1][1] == served, "the event carries the document GET serves"
    assert events[0][1]["id"] == model["id"]
    assert events[0][1]["name"] == model["name"]


async def test_an_async_write_completes_with_its_answer(qbo: QboWrites) -> None:
    task_id = _receipt(await qbo.api.post("/contacts/async", json={"model": _customer("Async Events Co")}))
    async with worker(qbo):
        task = await settled(qbo.api, task_id)
    assert task["status"] == "COMPLETED"
    (completed,) = [data for name, data in await _events(qbo) if name == "AsyncPost.completed"]
    assert completed["task_id"] == task_id
    assert completed["status"] == "COMPLETED"
    assert completed["result"] == task["result"]

    refused = _receipt(await qbo.api.post("/contacts/async", json={"model": {"is_customer": "nope"}}))
    async with worker(qbo):
        await settled(qbo.api, refused)
    failures = [
        data for name, data in await _events(qbo) if name == "AsyncPost.completed" and data["task_id"] == refused
    ]
    assert [(f["status"], f["result"]["status_code"]) for f in failures] == [("FAILURE", 400)]


async def test_a_finished_batch_is_reported_once_with_every_item(qbo: QboWrites) -> None:
    customer, item = await customer_and_item(qbo)
    items = [{"item_id": f"i{n}", "payload": invoice(customer, item, 900 + n)} for n in range(3)]
    items.append({"item_id": "bad", "payload": {"type": "ACCOUNTS_RECEIVABLE", "contact": str(uuid.uuid4())}})
    response = await bulk(qbo, "invoices", items)
    assert response.status_code == 202, response.text
    batch_id = response.json()["batch_id"]
    async with worker(qbo):
        final = await until(qbo, "invoices", batch_id, {"SUCCESS", "PARTIAL_SUCCESS", "FAILED"})
    events = await _events(qbo)
    (reported,) = [data for name, data in events if name == "AsyncBulkPost.completed"]
    assert reported == final
    assert reported["status"] == "PARTIAL_SUCCESS"
    written = {o["response"]["merge_common_model_id"] for o in final["objects"] if o["status"] == "SUCCESS"}
    assert len(written) == 3
    assert {data["id"] for name, data in events if name == "Invoice.added"} == written
