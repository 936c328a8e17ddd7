"""Bulk creates over real processes: ``ledgerport serve``, ``ledgerport worker`` and the QuickBooks and Xero sandboxes
(``ledgerport sandbox``, the providers' limits on), once per reachable database.

* Merge's SDK (``mergepythonclient``) ``bulk_create`` then ``bulk_retrieve``: invoices to QuickBooks (``/batch`` of
  30) and to Xero (``PUT ?summarizeErrors=false`` of 50), expenses to Xero; every item's
  ``merge_common_model_id`` reads back with ``invoices.retrieve`` / ``expenses.retrieve``.
* One item our validation refuses and one the provider refuses (QuickBooks: an inactive customer; Xero: an invoice
  number already taken): PARTIAL_SUCCESS, each refusal's own words in ``error_message``, the rest written.
* A 429 storm (the sandbox's throttle fault): the batch reads RATE_LIMITED while it lasts and finishes by itself.
* Workers SIGKILLed 10 times during a 100-invoice batch, each while its provider call is in flight (a latency
  fault keeps the call open; short leases let the next worker take over), the batch settling a chunk now and then
  between kills: every invoice exists once at the provider, every item SUCCESS, and each chunk was sent once plus
  once more per kill (the provider answered the re-sent chunk with the objects it had made).

Ground truth is the sandbox: its ``/_sandbox/dump`` (objects counted by the unique number each payload carries) and
its request counts. Every process logs to the test's temporary folder; failures quote the log's tail.
"""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from merge.resources.accounting import (
    ExpenseBatchItemRequest,
    ExpenseLineRequest,
    ExpenseRequest,
    InvoiceBatchItemRequest,
    InvoiceLineItemRequest,
    InvoiceRequest,
)
from sync_harness import Cli, Ledger, Process, Sandbox, spawn, start_sandboxes, tail, wait_for, writes_env

from harness import Server, start_server

LEASE_SECONDS = "2"
"""Jobs' and write operations' leases: how soon a worker takes a killed one's batch over."""
FINAL = {"SUCCESS", "PARTIAL_SUCCESS", "FAILED"}
DAY = datetime(2025, 3, 3, tzinfo=UTC)
PROVIDERS = ("quickbooks", "xero")


# --------------------------------------------------------------------------------------------------------------------
# The world: both sandboxes, a server, one organization with a linked account per provider, synced


@dataclass
class Books:
    """One linked account and the records its payloads name."""

    provider: str
    sandbox: Sandbox
    ledger: Ledger
    customer: str
    refs: dict[str, str]

    def invoice(self, number: str, **fields: Any) -> dict[str, Any]:
        """An AR invoice payload (raw JSON) with a unique ``number``: the provider's DocNumber / InvoiceNumber."""
        line: dict[str, Any] = {"description": f"Bulk {number}", "quantity": 1, "unit_price": 12.5}
        line.update({"item": self.refs["item"]} if self.provider == "quickbooks" else {"account": self.refs["sales"]})
        body = {
            "type": "ACCOUNTS_RECEIVABLE",
            "contact": self.customer,
            "number": number,
            "issue_date": DAY.isoformat().replace("+00:00", "Z"),
            "line_items": [line],
        }
        return {**body, **fields}

    def sdk_invoice(self, number: str) -> InvoiceRequest:
        """The same invoice as the SDK's request type."""
        ref = {"item": self.refs["item"]} if self.provider == "quickbooks" else {"account": self.refs["sales"]}
        line = InvoiceLineItemRequest(description=f"Bulk {number}", quantity=1, unit_price=12.5, **ref)
        return InvoiceRequest(
            type="ACCOUNTS_RECEIVABLE", contact=self.customer, number=number, issue_date=DAY, line_items=[line]
        )

    def numbers(self) -> Counter[str]:
        """How many invoices the provider holds per number (every invoice, whatever its state)."""
        if self.provider == "quickbooks":
            return Counter(str(r.get("DocNumber")) for r in self.sandbox.dump("Invoice"))
        return Counter(str(r.get("InvoiceNumber")) for r in self.sandbox.dump("Invoices"))

    def bulk(self, path: str, items: list[dict[str, Any]]) -> str:
        """``POST /<path>/bulk`` as raw JSON (payloads the SDK's types would refuse to build); the batch id."""
        response = httpx.post(
            f"{self.ledger.api}/accounting/v1/{path}/bulk",
            json={"batch_items": items},
            headers=self.ledger.headers,
            timeout=60,
        )
        assert response.status_code == 202, response.text
        return str(response.json()["batch_id"])

    def batch(self, path: str, batch_id: str) -> dict[str, Any]:
        return dict(self.ledger.get(f"{path}/bulk/{batch_id}"))


@dataclass
class World:
    server: Server
    env: dict[str, str]
    log_dir: Path
    books: dict[str, Books]

    def worker(self) -> Process:
        """``ledgerport worker`` with the short leases of the environment."""
        return spawn("worker", ["-m", "ledgerport", "worker", "--concurrency", "2"], self.env, self.log_dir)

    @contextmanager
    def working(self) -> Iterator[Process]:
        worker = self.worker()
        try:
            yield worker
        finally:
            worker.stop()


def _books(provider: str, sandbox: Sandbox, ledger: Ledger) -> Books:
    contacts = [c for c in ledger.get("contacts", page_size=100)["results"] if c["status"] == "ACTIVE"]
    refs: dict[str, str] = {}
    if provider == "quickbooks":
        customer = next(c for c in contacts if "-" not in c["remote_id"] and c["currency"] in {"USD", None})
        refs["item"] = next(i for i in ledger.get("items", page_size=100)["results"] if i["status"] == "ACTIVE")["id"]
        archived = ledger.get("contacts", page_size=100, is_customer="true")["results"]
        refs["inactive_customer"] = next(c for c in archived if c["status"] == "ARCHIVED")["id"]
    else:
        customer = next(c for c in contacts if c["is_customer"])
        refs["supplier"] = next(c for c in contacts if c["is_supplier"])["id"]
        accounts = ledger.get("accounts", page_size=100)["results"]
        refs["sales"] = next(a for a in accounts if a["account_number"] == "200")["id"]
        refs["expense"] = next(a for a in accounts if a["account_number"] == "429")["id"]
        refs["bank"] = next(a for a in accounts if a["account_type"] == "BANK" and a["status"] == "ACTIVE")["id"]
    return Books(provider, sandbox, ledger, customer["id"], refs)


@pytest.fixture(scope="module")
def world(own_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    log_dir = tmp_path_factory.mktemp("bulk-e2e")
    extra, env = writes_env(own_database_url, LEASE_SECONDS)
    seed = random.randrange(1, 10**6)
    sandboxes = start_sandboxes({p: (p, seed, "small") for p in PROVIDERS}, log_dir)
    server = None
    try:
        server = start_server(own_database_url, log_dir, **extra)
        cli = Cli(env, log_dir)
        api_key = cli.json("orgs", "create", "--name", "bulk e2e")["api_key"]
        linked = cli.json_all(
            [
                ["accounts", "link", "--api-key", api_key, "--integration", p, "--sandbox", sandboxes[p].url]
                for p in PROVIDERS
            ]
        )
        cli.json_all([["sync", "--account-token", made["account_token"], "--wait"] for made in linked], timeout=300)
        books = {
            p: _books(p, sandboxes[p], Ledger(server.api, api_key, made["account_token"], made["linked_account_id"]))
            for p, made in zip(PROVIDERS, linked, strict=True)
        }
        yield World(server, env, log_dir, books)
    finally:
        if server is not None:
            server.stop()
        for sandbox in sandboxes.values():
            sandbox.close()


def tag() -> str:
    """A prefix that makes this test's invoice numbers unique in the sandbox (QBO's DocNumber takes 21)."""
    return f"B{secrets.token_hex(3)}"


def until_final(books: Books, path: str, batch_id: str, worker: Process, *, timeout: float = 120) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        assert worker.alive(), tail(worker.log)
        batch = books.batch(path, batch_id)
        return batch if batch["status"] in FINAL else None

    return wait_for(final, timeout=timeout, what=f"batch {batch_id} to finish (worker log {worker.log})")


# --------------------------------------------------------------------------------------------------------------------
# The SDK


@pytest.mark.parametrize(("provider", "count"), [("quickbooks", 35), ("xero", 55)])
def test_sdk_bulk_creates_invoices_each_readable(world: World, provider: str, count: int) -> None:
    books = world.books[provider]
    sdk = books.ledger.sdk()
    prefix = tag()
    numbers = [f"{prefix}-{n}" for n in range(count)]
    created = sdk.accounting.invoices.bulk_create(
        batch_items=[
            InvoiceBatchItemRequest(item_id=f"inv-{n}", payload=books.sdk_invoice(n_)) for n, n_ in enumerate(numbers)
        ]
    )
    queued = sdk.accounting.invoices.bulk_retrieve(created.batch_id)
    assert (queued.status, queued.total_count) == ("ENQUEUED", count)
    with world.working() as worker:
        until_final(books, "invoices", created.batch_id, worker)
    batch = sdk.accounting.invoices.bulk_retrieve(created.batch_id)
    assert batch.status == "SUCCESS", batch
    assert [(o.item_id, o.status) for o in batch.objects] == [(f"inv-{n}", "SUCCESS") for n in range(count)]
    for number, one in zip(numbers, batch.objects, strict=True):
        assert one.response is not None
        assert one.response.merge_common_model_id
        invoice = sdk.accounting.invoices.retrieve(one.response.merge_common_model_id)
        assert invoice.number == number
        # Xero adds its default sales tax to the line amount; QuickBooks' sandbox company charges none.
        assert (invoice.sub_total if provider == "xero" else invoice.total_amount) == 12.5
        assert invoice.remote_id
    held = books.numbers()
    assert [held[n] for n in numbers] == [1] * count, "each invoice exists once at the provider"


def test_sdk_bulk_creates_expenses_each_readable(world: World) -> None:
    books = world.books["xero"]
    sdk = books.ledger.sdk()
    prefix = tag()
    before = len(books.sandbox.dump("BankTransactions"))
    created = sdk.accounting.expenses.bulk_create(
        batch_items=[
            ExpenseBatchItemRequest(
                item_id=f"exp-{n}",
                payload=ExpenseRequest(
                    account=books.refs["bank"],
                    contact=books.refs["supplier"],
                    transaction_date=DAY,
                    memo=f"{prefix}-{n}",
                    lines=[
                        ExpenseLineRequest(
                            description=f"{prefix} coffee {n}", net_amount=-(n + 1), account=books.refs["expense"]
                        )
                    ],
                ),
            )
            for n in range(6)
        ]
    )
    with world.working() as worker:
        until_final(books, "expenses", created.batch_id, worker)
    batch = sdk.accounting.expenses.bulk_retrieve(created.batch_id)
    assert batch.status == "SUCCESS", batch
    assert [o.status for o in batch.objects] == ["SUCCESS"] * 6
    for n, one in enumerate(batch.objects):
        assert one.response is not None
        assert one.response.merge_common_model_id
        expense = sdk.accounting.expenses.retrieve(one.response.merge_common_model_id)
        assert expense.lines is not None
        assert expense.lines[0].description == f"{prefix} coffee {n}"
    held = Counter(str(r.get("Reference")) for r in books.sandbox.dump("BankTransactions"))
    assert [held[f"{prefix}-{n}"] for n in range(6)] == [1] * 6, "each expense exists once at Xero"
    assert len(books.sandbox.dump("BankTransactions")) == before + 6


# --------------------------------------------------------------------------------------------------------------------
# Refusals: ours and the provider's, item by item


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_invalid_and_a_refused_item_fail_alone(world: World, provider: str) -> None:
    books = world.books[provider]
    prefix = tag()
    if provider == "quickbooks":  # QuickBooks refuses a document for a customer made inactive
        refused = books.invoice(f"{prefix}-r", contact=books.refs["inactive_customer"])
        refused_words = "made inactive or deleted"
    else:  # Xero refuses an invoice number another invoice has
        taken = next(n for n, c in books.numbers().items() if n.startswith("INV-") and c == 1)
        refused = books.invoice(taken)
        refused_words = "Invoice # must be unique."
    items = [
        {"item_id": "good-0", "payload": books.invoice(f"{prefix}-0")},
        {"item_id": "invalid", "payload": books.invoice(f"{prefix}-i", contact="1b0e8a52-7f15-4c2f-9d0e-5a7a3c4b2d10")},
        {"item_id": "good-1", "payload": books.invoice(f"{prefix}-1")},
        {"item_id": "refused", "payload": refused},
        {"item_id": "good-2", "payload": books.invoice(f"{prefix}-2")},
    ]
    batch_id = books.bulk("invoices", items)
    with world.working() as worker:
        until_final(books, "invoices", batch_id, worker)
    batch = books.ledger.sdk().accounting.invoices.bulk_retrieve(batch_id)
    assert batch.status == "PARTIAL_SUCCESS", batch
    outcome = {o.item_id: o for o in batch.objects}
    for good in ("good-0", "good-1", "good-2"):
        assert outcome[good].status == "SUCCESS"
        assert outcome[good].response is not None
        assert outcome[good].response.merge_common_model_id
    invalid, refusal = outcome["invalid"], outcome["refused"]
    assert (invalid.status, refusal.status) == ("FAILURE", "FAILURE")
    assert invalid.response is not None
    assert refusal.response is not None
    assert "exists in this linked account" in (invalid.response.error_message or "")
    assert "/batch_items/1/payload/contact" in (invalid.response.error_message or "")
    assert refused_words in (refusal.response.error_message or ""), refusal.response.error_message
    held = books.numbers()
    assert [held[f"{prefix}-{n}"] for n in range(3)] == [1, 1, 1]
    assert held[f"{prefix}-i"] == 0, "the invalid item never reached the provider"
    assert held[str(refused["number"])] == (0 if provider == "quickbooks" else 1), "the refused one was not made"


# --------------------------------------------------------------------------------------------------------------------
# A 429 storm


@pytest.mark.slow
@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_batch_waits_out_a_429_storm_then_finishes(world: World, provider: str) -> None:
    books = world.books[provider]
    prefix = tag()
    books.sandbox.faults(throttle_rate=1.0, throttle_retry_after=1)
    try:
        batch_id = books.bulk(
            "invoices", [{"item_id": str(n), "payload": books.invoice(f"{prefix}-{n}")} for n in range(5)]
        )
        with world.working() as worker:
            throttled_before = books.sandbox.requests()

            def limited() -> dict[str, Any] | None:
                assert worker.alive(), tail(worker.log)
                batch = books.batch("invoices", batch_id)
                assert batch["status"] not in FINAL, batch
                return batch if batch["status"] == "RATE_LIMITED" else None

            batch = wait_for(limited, timeout=60, what="the batch to read RATE_LIMITED")
            assert {o["status"] for o in batch["objects"]} == {"PENDING"}
            # The job keeps asking after Retry-After, and the batch stays RATE_LIMITED while the storm lasts.
            wait_for(
                lambda: books.sandbox.requests() >= throttled_before + 3,
                timeout=60,
                what="the worker to try again after Retry-After",
            )
            assert books.batch("invoices", batch_id)["status"] == "RATE_LIMITED"
            assert books.numbers()[f"{prefix}-0"] == 0
            books.sandbox.faults(throttle_rate=0.0)
            done = until_final(books, "invoices", batch_id, worker)
    finally:
        books.sandbox.faults(throttle_rate=0.0)
    assert done["status"] == "SUCCESS", done
    assert [o["status"] for o in done["objects"]] == ["SUCCESS"] * 5
    held = books.numbers()
    assert [held[f"{prefix}-{n}"] for n in range(5)] == [1] * 5


# --------------------------------------------------------------------------------------------------------------------
# Workers SIGKILLed mid-batch

KILLS = 10
BATCH = 100


def advancing_kills(chunks: int) -> set[int]:
    """The kills (1-based) before which the new worker may settle the chunk it re-sends and is killed on the next
    one instead: spread so that no more than a few kills in a row find the batch where the last one left it.

    Every kill lands while a provider call is in flight. A batch killed ten times in a row without settling a chunk
    is given up by design (the worker's cap on takeovers without progress); one that settles a chunk now and then
    must not be, however many kills it meets in all."""
    return {round((index + 1) * KILLS / chunks) for index in range(chunks - 1)}


@pytest.mark.slow
@pytest.mark.parametrize(("provider", "write_path", "chunk"), [("quickbooks", "/batch", 30), ("xero", "/Invoices", 50)])
def test_a_batch_survives_ten_killed_workers(world: World, provider: str, write_path: str, chunk: int) -> None:
    books = world.books[provider]
    prefix = tag()
    numbers = [f"{prefix}-{n}" for n in range(BATCH)]
    chunks = -(-BATCH // chunk)
    advancing = advancing_kills(chunks)
    rng = random.Random(prefix)
    latency = 1.5
    before = books.sandbox.requests(write_path)
    batch_id = books.bulk("invoices", [{"item_id": n, "payload": books.invoice(n)} for n in numbers])
    books.sandbox.faults(latency_ms=latency * 1000)  # each provider call stays in flight long enough to kill it
    worker = None
    try:
        for kill in range(1, KILLS + 1):
            sent = books.sandbox.requests(write_path)
            worker = world.worker()
            nth = 2 if kill in advancing else 1  # the re-sent chunk settles first, or is itself killed again

            def in_flight(current: Process = worker, seen: int = sent, calls: int = nth) -> bool:
                assert current.alive(), tail(current.log)
                assert books.batch("invoices", batch_id)["status"] not in FINAL, "the batch ended before the kills"
                return books.sandbox.requests(write_path) >= seen + calls

            wait_for(in_flight, timeout=90, what=f"kill {kill}: the worker to send a chunk to {provider}")
            # The call has reached the provider, which makes the objects even though its client will be gone.
            time.sleep(rng.uniform(0.1, latency - 0.3))
            worker.kill()
        books.sandbox.faults(latency_ms=0)
        worker = world.worker()
        done = until_final(books, "invoices", batch_id, worker, timeout=180)
    finally:
        books.sandbox.faults(latency_ms=0)
        if worker is not None:
            worker.stop()
    assert done["status"] == "SUCCESS", (done["status"], [o for o in done["objects"] if o["status"] != "SUCCESS"][:3])
    assert {o["status"] for o in done["objects"]} == {"SUCCESS"}
    ids = [o["response"]["merge_common_model_id"] for o in done["objects"]]
    assert len(set(ids)) == BATCH
    held = books.numbers()
    assert [n for n in numbers if held[n] != 1] == [], "every invoice exists exactly once at the provider"
    calls = books.sandbox.requests(write_path) - before
    assert calls == chunks + KILLS, "each chunk sent once, and once more (same idempotency key) per kill"
