"""Webhooks end to end, every part a real process on loopback: the QuickBooks sandbox, ``ledgerport serve``,
``ledgerport worker`` (twice: one is SIGKILLed midway) and the CLI, on each reachable database (PostgreSQL with
Redis when it answers), and a receiver that is down while events happen.

The receiver's port answers nothing while two accounts are linked and synced, a contact is written, another is
written asynchronously and a bulk batch of invoices runs. Once it listens, it gets every event, each exactly once,
in event order per linked account, signed as Merge signs (checked with Merge's published recipe and the key the CLI
showed once), and the delivery log says every delivery was DELIVERED after at least one failed attempt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from merge.resources.accounting import ContactRequest
from sync_harness import Cli, Ledger, Sandbox, start_sandboxes, tail, wait_for

from harness import REDIS_URL, TEST_SEALING_KEY, free_port, redis_problem, start_server

pytestmark = pytest.mark.slow


@dataclass
class Receiver:
    """A webhook receiver that can be started late (until then its port refuses connections)."""

    port: int
    got: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append((dict(self.headers.items()), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@dataclass
class Stack:
    cli: Cli
    sandbox: Sandbox
    api: str
    api_key: str
    receiver: Receiver
    log_dir: Path


@pytest.fixture
def stack(own_database_url: str, tmp_path: Path) -> Iterator[Stack]:
    env = {
        **os.environ,
        "LEDGERPORT_DATABASE_URL": own_database_url,
        "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY,
        "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0",
        "LEDGERPORT_SYNC_INTERVAL_SECONDS": "3600",
        "LEDGERPORT_JOB_LEASE_SECONDS": "2",
        "LEDGERPORT_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on loopback
        "LEDGERPORT_WEBHOOK_BACKOFF_SECONDS": "0.2",
        "LEDGERPORT_WEBHOOK_MAX_BACKOFF_SECONDS": "1",
    }
    if own_database_url.startswith("postgresql") and redis_problem() is None:
        env["LEDGERPORT_REDIS_URL"] = REDIS_URL
    sandboxes = start_sandboxes({"quickbooks": ("quickbooks", random.randrange(1, 10**6), "small")}, tmp_path)
    server = start_server(own_database_url, tmp_path, **{k: v for k, v in env.items() if k.startswith("LEDGERPORT_")})
    receiver = Receiver(free_port())
    try:
        cli = Cli(env, tmp_path)
        api_key = cli.json("orgs", "create", "--name", "webhooks e2e")["api_key"]
        yield Stack(cli, sandboxes["quickbooks"], server.api, api_key, receiver, tmp_path)
    finally:
        receiver.stop()
        server.stop()
        sandboxes["quickbooks"].close()


def _merge_verifies(key: str, body: bytes, signature: str) -> bool:
    expected = base64.urlsafe_b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected.rstrip("="), signature.rstrip("="))


def _deliveries(stack: Stack, endpoint_id: str) -> list[dict[str, Any]]:
    """The endpoint's whole delivery log, oldest event first."""
    headers = {"Authorization": f"Bearer {stack.api_key}"}
    found: list[dict[str, Any]] = []
    url = f"{stack.api}/webhooks/endpoints/{endpoint_id}/deliveries"
    params: dict[str, Any] = {"page_size": 100}
    while True:
        response = httpx.get(url, params=params, headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["results"]
        if not page["next"]:
            return list(reversed(found))
        params["cursor"] = page["next"]


def test_a_receiver_that_was_down_gets_every_event_once_in_order_and_signed(stack: Stack) -> None:
    hook = stack.cli.json("webhooks", "add", "--api-key", stack.api_key, "--url", stack.receiver.url, "--events", "all")
    endpoint_id, key = hook["id"], hook["signing_key"]
    first = stack.cli.worker()
    second = None
    try:
        ledgers = []
        for _ in range(2):
            linked = stack.cli.json(
                *("accounts", "link", "--api-key", stack.api_key, "--integration", "quickbooks"),
                *("--sandbox", stack.sandbox.url),
            )
            ledgers.append(Ledger(stack.api, stack.api_key, linked["account_token"], linked["linked_account_id"]))
            stack.cli.json("sync", "--account-token", linked["account_token"], "--wait", timeout=180)
        one = ledgers[0]
        sdk = one.sdk()
        sdk.accounting.contacts.create(model=ContactRequest(name="Hooked Sync Co", is_customer=True))
        sdk.accounting.contacts.create(model=ContactRequest(name="Hooked Async Co", is_customer=True), run_async=True)
        customers = one.get("contacts", page_size=100, is_customer="true")["results"]
        customer = next(c for c in customers if c["status"] == "ACTIVE")
        item = next(i for i in one.get("items", page_size=100)["results"] if i["status"] == "ACTIVE")
        batch = httpx.post(
            f"{stack.api}/accounting/v1/invoices/bulk",
            headers=one.headers,
            json={
                "batch_items": [
                    {
                        "item_id": str(n),
                        "payload": {
                            "type": "ACCOUNTS_RECEIVABLE",
                            "contact": customer["id"],
                            "number": f"HOOK-{n}",
                            "line_items": [{"item": item["id"], "quantity": 1, "unit_price": "5.00"}],
                        },
                    }
                    for n in range(3)
                ]
            },
            timeout=30,
        )
        assert batch.status_code == 202, batch.text

        def failed_while_down() -> bool:
            log = _deliveries(stack, endpoint_id)
            return (
                any(d["event"] == "AsyncBulkPost.completed" for d in log)
                and all(d["attempts"] >= 1 or d["status"] == "PENDING" for d in log)
                and any(d["last_error"] for d in log)
            )

        wait_for(
            failed_while_down, timeout=120, what="the batch to end and deliveries to fail while the receiver is down"
        )
        first.kill()  # a worker dies with deliveries still pending; another takes over
        second = stack.cli.worker()
        stack.receiver.start()

        def all_delivered() -> list[dict[str, Any]] | None:
            assert second is not None
            assert second.alive(), tail(second.log)
            log = _deliveries(stack, endpoint_id)
            return log if log and all(d["status"] == "DELIVERED" for d in log) else None

        log = wait_for(all_delivered, timeout=120, what="every delivery to arrive once the receiver is up")
    finally:
        first.stop()
        if second is not None:
            second.stop()

    assert all(d["attempts"] >= 2 for d in log[:1]), "the first delivery failed while the receiver was down"
    received = [(headers, json.loads(body), body) for headers, body in stack.receiver.got]
    ids = [headers["X-Ledgerport-Event-Id"] for headers, _, _ in received]
    assert sorted(ids) == sorted(d["event_id"] for d in log), "every event arrived, and only those"
    assert len(set(ids)) == len(ids), "no event arrived twice"
    for headers, _, body in received:
        assert _merge_verifies(key, body, headers["X-Merge-Webhook-Signature"])
    for ledger in ledgers:
        expected = [d["event_id"] for d in log if d["linked_account_id"] == ledger.account_id]
        arrived = [
            h["X-Ledgerport-Event-Id"]
            for h, payload, _ in received
            if payload["linked_account"]["id"] == ledger.account_id
        ]
        assert arrived == expected, f"events of {ledger.account_id} arrived out of order"

    events = [payload["hook"]["event"] for _, payload, _ in received]
    assert events.count("LinkedAccount.linked") == 2
    # each link queues a first sync for the workers as well as the one run here, so an account may sync twice
    for ledger in ledgers:
        completed = [
            payload
            for _, payload, _ in received
            if payload["hook"]["event"] == "LinkedAccount.sync_completed"
            and payload["linked_account"]["id"] == ledger.account_id
        ]
        assert completed
        assert completed[0]["data"]["is_initial_sync"] is True
    assert events.count("Invoice.synced") >= 2
    assert events.count("AsyncPost.completed") == 1
    assert events.count("AsyncBulkPost.completed") == 1
    assert events.count("Invoice.added") == 3
    assert events.count("Contact.added") == 2
    bulk = next(payload for _, payload, _ in received if payload["hook"]["event"] == "AsyncBulkPost.completed")
    assert bulk["data"]["status"] == "SUCCESS"
    assert bulk["linked_account"]["id"] == ledgers[0].account_id
    assert {payload["hook"]["target"] for _, payload, _ in received} == {stack.receiver.url}
