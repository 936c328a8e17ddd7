"""Asynchronous writes through the real app, a worker in this process and the QuickBooks and Xero sandboxes.

``POST /<path>/async`` and ``run_async=true`` answer 202 with a task id; a worker runs the write; ``GET
/async-tasks/{id}`` then shows the very answer the synchronous write gives (validation errors included), only to
the linked account that asked. The task's write is keyed by the task, so a worker that dies after the provider
answered and the job run again leave one object at the sandbox.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from merge import AsyncMerge
from merge.resources.accounting import ContactRequest
from quickbooks_kit import ORIGIN, QboWrites, open_qbo
from xero_kit import API, open_kit

from harness import create_tenant
from ledgerport.config import load_settings
from ledgerport.connectors._base import AsgiTransport, Request, Response, Transport
from ledgerport.jobs import JobContext, Worker
from ledgerport.kit import clock
from ledgerport.store.jobs import JobRow
from ledgerport.worker import build_sync_deps, build_write_deps
from ledgerport.writes.tasks import WRITE_TASK, write_task_handlers

FINAL = {"COMPLETED", "FAILURE"}


@pytest.fixture
async def qbo(database_url: str) -> AsyncIterator[QboWrites]:
    async with open_qbo(database_url) as kit:
        yield kit


def _handlers(qbo: QboWrites, transport: Transport | None = None) -> Any:
    deps = build_sync_deps(qbo.settings, qbo.database, transports={ORIGIN: transport or AsgiTransport(qbo.sandbox)})
    return write_task_handlers(build_write_deps(qbo.settings, deps))


@asynccontextmanager
async def worker(qbo: QboWrites) -> AsyncIterator[None]:
    """A worker running write tasks (only those: other tests' jobs are not this one's business)."""
    stop = asyncio.Event()
    running = asyncio.create_task(Worker(qbo.database, _handlers(qbo), poll_interval=0.02).run(stop))
    try:
        yield
    finally:
        stop.set()
        await running


async def settled(api: httpx.AsyncClient, task_id: str, prefix: str = "") -> dict[str, Any]:
    """The task once it is final (polled as a client would)."""
    for _ in range(3000):
        response = await api.get(f"{prefix}/async-tasks/{task_id}")
        assert response.status_code == 200, response.text
        task = response.json()
        if task["status"] in FINAL:
            return dict(task)
        await asyncio.sleep(0.01)
    raise AssertionError(f"task {task_id} is still {task}")


def _customer(name: str) -> dict[str, Any]:
    return {"name": name, "is_customer": True, "email_address": "books@example.com", "currency": "USD"}


def _receipt(response: httpx.Response) -> str:
    assert response.status_code == 202, response.text
    body = response.json()
    assert list(body) == ["task_id"]
    return str(uuid.UUID(body["task_id"]))


async def test_an_async_create_answers_what_the_sync_create_answers(qbo: QboWrites) -> None:
    before = await qbo.count("Customer")
    task_id = _receipt(await qbo.api.post("/contacts/async", json={"model": _customer("Async Outfitters")}))
    queued = (await qbo.api.get(f"/async-tasks/{task_id}")).json()
    assert queued == {"status": "QUEUED", "result": {"status_code": None, "response": None}}
    async with worker(qbo):
        task = await settled(qbo.api, task_id)
    assert task["status"] == "COMPLETED", task
    assert task["result"]["status_code"] == 201
    answer = task["result"]["response"]
    synchronous = await qbo.create("contacts", _customer("Sync Outfitters"))
    assert synchronous.status_code == 201
    assert set(answer) == set(synchronous.json()) == {"model", "warnings", "errors"}
    assert set(answer["model"]) == set(synchronous.json()["model"])
    model = answer["model"]
    assert model["name"] == "Async Outfitters"
    assert await qbo.get(f"contacts/{model['id']}", include_remote_data="true") == model
    assert (await qbo.qbo("Customer", model["remote_id"]))["DisplayName"] == "Async Outfitters"
    assert await qbo.count("Customer") == before + 2


async def test_run_async_on_create_and_patch_queues_the_same_tasks(qbo: QboWrites) -> None:
    async with worker(qbo):
        created = _receipt(await qbo.create("contacts", _customer("Flagged Goods"), run_async="true"))
        model = (await settled(qbo.api, created))["result"]["response"]["model"]
        response = await qbo.api.patch(
            f"/contacts/{model['id']}", params={"run_async": "true"}, json={"model": {"status": "ARCHIVED"}}
        )
        patched = await settled(qbo.api, _receipt(response))
    assert patched["status"] == "COMPLETED", patched
    assert patched["result"]["status_code"] == 200
    assert patched["result"]["response"]["model"]["id"] == model["id"]
    assert patched["result"]["response"]["model"]["status"] == "ARCHIVED"
    assert (await qbo.qbo("Customer", model["remote_id"]))["Active"] is False


async def test_a_refused_request_fails_with_the_answer_the_sync_write_gives(qbo: QboWrites) -> None:
    before = await qbo.count("Customer")
    bad = {"name": "Nobody", "is_customer": True, "currency": "USD", "email_address": 5}
    synchronous = await qbo.create("contacts", bad)
    assert synchronous.status_code == 400, synchronous.text
    async with worker(qbo):
        task = await settled(qbo.api, _receipt(await qbo.api.post("/contacts/async", json={"model": bad})))
    assert task["status"] == "FAILURE"
    assert task["result"] == {"status_code": 400, "response": synchronous.json()}
    assert "INCORRECT_FIELD_TYPE" in {e["problem_type"] for e in task["result"]["response"]["errors"]}
    assert await qbo.count("Customer") == before


async def test_tasks_belong_to_their_linked_account(qbo: QboWrites, database_url: str) -> None:
    async with worker(qbo):
        task_id = _receipt(await qbo.api.post("/contacts/async", json={"model": _customer("Private Co")}))
        await settled(qbo.api, task_id)
    other = await create_tenant(database_url, integration="quickbooks-online", seed=None, seed_value=0)
    headers = {"Authorization": f"Bearer {other.api_key}", "X-Account-Token": other.account_token}
    assert (await qbo.api.get(f"/async-tasks/{task_id}", headers=headers)).status_code == 404
    assert (await qbo.api.get(f"/async-tasks/{uuid.uuid4()}")).status_code == 404
    assert (await qbo.api.get("/async-tasks/not-a-task")).status_code == 404
    assert (await qbo.api.get(f"/async-tasks/{task_id}")).status_code == 200


async def test_one_idempotency_key_is_one_task_and_one_object(qbo: QboWrites) -> None:
    before = await qbo.count("Customer")
    body = {"model": _customer("Once Only Ltd")}
    headers = {"Idempotency-Key": "async-once-1"}
    first = _receipt(await qbo.api.post("/contacts/async", json=body, headers=headers))
    again = await qbo.api.post("/contacts/async", json=body, headers=headers)
    assert _receipt(again) == first
    assert again.headers["Idempotent-Replayed"] == "true"
    flagged = await qbo.api.post("/contacts", params={"run_async": "true"}, json=body, headers=headers)
    assert _receipt(flagged) == first, "the same create, asked for with run_async, is the same task"
    other = await qbo.api.post("/contacts/async", json={"model": _customer("Someone Else")}, headers=headers)
    assert other.status_code == 422, other.text
    async with worker(qbo):
        task = await settled(qbo.api, first)
        assert _receipt(await qbo.api.post("/contacts/async", json=body, headers=headers)) == first
    assert task["status"] == "COMPLETED", task
    assert await qbo.count("Customer") == before + 1


class Killed(BaseException):
    """The process dies: nothing after this point of the run happens."""


class DiesAfterTheProviderAnswers:
    """A transport whose process dies once the provider has made the customer (the answer is lost)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    async def send(self, request: Request) -> Response:
        response = await self.inner.send(request)
        if request.method == "POST" and "/customer" in request.full_url:
            raise Killed
        return response

    async def close(self) -> None:
        await self.inner.close()


def _context(qbo: QboWrites, task_id: str) -> JobContext:
    now = clock.now_micros()
    row = JobRow(
        id=uuid.uuid4(),
        kind=WRITE_TASK,
        linked_account_id=qbo.account_id,
        payload={"task_id": task_id},
        status="running",
        attempts=1,
        takeovers=0,
        run_after=now,
        lease_owner="test",
        lease_expires_at=now + 60_000_000,
        created_at=now,
        finished_at=None,
        error=None,
        dedupe_key=None,
    )

    async def renew() -> bool:
        return True

    return JobContext(row=row, database=qbo.database, renew=renew, stopping=asyncio.Event(), retry_in=1.0)


async def test_a_job_run_again_after_its_worker_died_writes_once(qbo: QboWrites) -> None:
    before = await qbo.count("Customer")
    task_id = _receipt(await qbo.api.post("/contacts/async", json={"model": _customer("Crash Test Dummies")}))
    dying = _handlers(qbo, DiesAfterTheProviderAnswers(AsgiTransport(qbo.sandbox)))[WRITE_TASK]
    with pytest.raises(Killed):
        await dying(_context(qbo, task_id))
    assert await qbo.count("Customer") == before + 1, "QuickBooks made the customer; ledgerport never heard"
    assert (await qbo.api.get(f"/async-tasks/{task_id}")).json()["status"] == "IN_PROGRESS"
    await _handlers(qbo)[WRITE_TASK](_context(qbo, task_id))
    task = await settled(qbo.api, task_id)
    assert task["status"] == "COMPLETED", task
    assert await qbo.count("Customer") == before + 1, "the run that took over presented QuickBooks the same key"
    model = task["result"]["response"]["model"]
    assert (await qbo.qbo("Customer", model["remote_id"]))["DisplayName"] == "Crash Test Dummies"
    await _handlers(qbo)[WRITE_TASK](_context(qbo, task_id))  # a third run finds the task final
    assert await qbo.count("Customer") == before + 1


async def test_the_merge_sdk_runs_a_create_asynchronously(qbo: QboWrites) -> None:
    transport = qbo.api._transport  # the app, in process
    async with httpx.AsyncClient(transport=transport, base_url="http://ledgerport.test/api") as http:
        client = AsyncMerge(
            api_key=qbo.api.headers["Authorization"].removeprefix("Bearer "),
            account_token=qbo.api.headers["X-Account-Token"],
            base_url="http://ledgerport.test/api",
            httpx_client=http,
        )
        queued = await client.accounting.contacts.create(
            model=ContactRequest(name="SDK Async Co", is_customer=True, currency="USD"), run_async=True
        )
        task_id = queued.task_id  # type: ignore[attr-defined]  # Merge's answer to run_async, kept as an extra
        assert queued.model is None
        async with worker(qbo):
            await settled(qbo.api, task_id)
        task = await client.accounting.async_tasks.retrieve(task_id)
    assert task.status == "COMPLETED"
    assert task.result.status_code == 201
    assert task.result.response is not None
    assert task.result.response["model"]["name"] == "SDK Async Co"


async def test_a_xero_contact_written_asynchronously(database_url: str) -> None:
    async with open_kit(database_url) as kit:
        before = (await kit.counts())["Contacts"]
        body = {"model": {"name": "Async Harbour Pty", "email_address": "ap@harbour.example", "is_customer": True}}
        task_id = _receipt(await kit.api.post(f"{API}/contacts/async", json=body))
        settings = load_settings({}, database_url=database_url)
        handlers = write_task_handlers(build_write_deps(settings, kit.deps))
        stop = asyncio.Event()
        running = asyncio.create_task(Worker(kit.deps.database, handlers, poll_interval=0.02).run(stop))
        try:
            task = await settled(kit.api, task_id, API)
        finally:
            stop.set()
            await running
        assert task["status"] == "COMPLETED", task
        assert task["result"]["status_code"] == 201
        model = task["result"]["response"]["model"]
        assert model["name"] == "Async Harbour Pty"
        assert await kit.get(f"contacts/{model['id']}", include_remote_data="true") == model
        assert (await kit.counts())["Contacts"] == before + 1
