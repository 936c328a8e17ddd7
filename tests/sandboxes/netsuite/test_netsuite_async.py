"""Async requests and idempotency keys; account concurrency governance; faults and the control surface."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from conftest import NS, RECORDS


async def _customer(ns: NS) -> str:
    rows = await ns.rows("SELECT id FROM customer WHERE subsidiary = 1 AND currency = 1 ORDER BY id")
    return rows[0]["id"]


async def test_respond_async_gives_a_job_whose_result_is_the_answer(ns: NS) -> None:
    body = {"entity": {"id": await _customer(ns)}, "item": {"items": [{"item": {"id": "6"}}]}}
    headers = {**ns.headers, "Prefer": "respond-async", "X-NetSuite-Idempotency-Key": str(uuid.uuid4())}
    accepted = await ns.client.post(f"{RECORDS}/invoice", json=body, headers=headers)
    assert accepted.status_code == 202
    assert accepted.content == b""
    assert accepted.headers["preference-applied"] == "respond-async"
    job_url = accepted.headers["location"]
    assert "/services/rest/async/v1/job/" in job_url
    job = (await ns.client.get(job_url, headers=ns.headers)).json()
    assert job["completed"] is True
    assert job["progress"] == "succeeded"
    tasks = (await ns.client.get(job["task"]["links"][0]["href"], headers=ns.headers)).json()
    task_url = tasks["items"][0]["links"][0]["href"]
    task = (await ns.client.get(task_url, headers=ns.headers)).json()
    result_url = next(link["href"] for link in task["links"] if link["rel"] == "related")
    result = await ns.client.get(result_url, headers=ns.headers)
    assert result.status_code == 204
    invoice = result.headers["location"].rsplit("/", 1)[1]
    assert (await ns.rows(f"SELECT type FROM transaction WHERE id = {invoice}"))[0]["type"] == "CustInvc"


async def test_reusing_an_idempotency_key_names_the_first_job(ns: NS) -> None:
    key = str(uuid.uuid4())
    headers = {**ns.headers, "Prefer": "respond-async", "X-NetSuite-Idempotency-Key": key}
    body = {"companyName": "Once Only", "subsidiary": {"id": "1"}}
    first = await ns.client.post(f"{RECORDS}/customer", json=body, headers=headers)
    again = await ns.client.post(f"{RECORDS}/customer", json=body, headers=headers)
    assert first.status_code == 202
    assert again.status_code == 400
    detail = again.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "IDEMPOTENCY_ERROR"
    assert detail["o:errorUrl"] == first.headers["location"]
    assert len(await ns.rows("SELECT id FROM customer WHERE companyname = 'Once Only'")) == 1


async def test_a_failed_async_request_is_a_failed_job(ns: NS) -> None:
    headers = {**ns.headers, "Prefer": "respond-async"}
    lines = [{"account": {"id": "21"}, "debit": 5}, {"account": {"id": "1"}, "credit": 4}]
    accepted = await ns.client.post(
        f"{RECORDS}/journalEntry", json={"subsidiary": {"id": "1"}, "line": {"items": lines}}, headers=headers
    )
    job = (await ns.client.get(accepted.headers["location"], headers=ns.headers)).json()
    assert job["progress"] == "failed"
    result = await ns.client.get(f"{accepted.headers['location']}/task/{job['id']}/result", headers=ns.headers)
    assert result.status_code == 400
    assert result.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"


async def _hold(app: Any, path: str, headers: dict[str, str], release: asyncio.Event) -> list[dict[str, Any]]:
    """Send a request whose body arrives only after ``release``: it holds a concurrency slot until then."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await release.wait()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()] + [(b"host", b"ns.test")],
        "scheme": "http",
        "server": ("ns.test", 80),
        "root_path": "",
    }
    await app(scope, receive, send)
    return sent


async def test_past_the_concurrency_limit_is_429(ns: NS) -> None:
    await ns.client.post("/_sandbox/account", json={"concurrency": 2})
    release = asyncio.Event()
    held = [asyncio.create_task(_hold(ns.app, f"{RECORDS}/invoice", ns.headers, release)) for _ in range(2)]
    await asyncio.sleep(0)
    refused = await ns.client.get(f"{RECORDS}/invoice", headers=ns.headers)
    release.set()
    done = await asyncio.gather(*held)
    assert refused.status_code == 429
    assert "retry-after" not in refused.headers
    assert refused.json()["o:errorDetails"][0]["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"
    assert [messages[0]["status"] for messages in done] == [200, 200]
    stats = (await ns.client.get("/_sandbox/stats")).json()
    assert stats["throttled"] == 1
    assert stats["peakInFlight"] == 2
    assert (await ns.client.get(f"{RECORDS}/invoice", headers=ns.headers)).status_code == 200


async def test_tiers_set_the_limit(ns: NS) -> None:
    account = (await ns.client.post("/_sandbox/account", json={"tier": "tier1", "suitecloud_plus": 1})).json()
    assert account["concurrency"] == 25


async def test_fault_storms_and_reset(ns: NS) -> None:
    await ns.client.post("/_sandbox/faults", json={"error_rate": 1, "error_status": 503})
    failed = await ns.client.get(f"{RECORDS}/invoice", headers=ns.headers)
    assert failed.status_code == 503
    await ns.client.post("/_sandbox/faults", json={"error_rate": 0})
    created = await ns.create("customer", {"companyName": "Temp", "subsidiary": {"id": "1"}})
    assert created.status_code == 204
    assert (await ns.client.post("/_sandbox/reset")).status_code == 204
    assert await ns.rows("SELECT id FROM customer WHERE companyname = 'Temp'") == []


async def test_serves_under_a_mount_prefix(ns: NS) -> None:
    transport = httpx.ASGITransport(app=ns.app, root_path="/sandbox/netsuite")
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as client:
        response = await client.get(f"/sandbox/netsuite{RECORDS}/invoice", params={"limit": 1}, headers=ns.headers)
    assert response.status_code == 200
    assert response.json()["items"][0]["links"][0]["href"].startswith("http://demo.test/sandbox/netsuite/services/")
