"""Business Central writes end to end, every part a real process on loopback: the BC sandbox (``ledgerport sandbox
business-central``), ``ledgerport serve``, the CLI (``orgs create``, ``accounts link --sandbox``, ``sync --wait``) and
``ledgerport worker``, once per reachable database. Requests go through Merge's Python SDK (``mergepythonclient``)
where it can say them; ground truth is the sandbox, read through BC's own API, and its request counts.

* Each writable model made once at BC: an invoice (a draft, and one posted by ``status`` OPEN), a bill, a customer,
  a journal entry (posted), a payment applied to the posted invoice, a credit note, a purchase order and an item.
* A PATCH of an invoice's header; another user's edit landing between our read of the etag and our PATCH (the
  sandbox applies it just before it serves the PATCH, so BC answers 412): the PATCH is sent again on the fresh etag
  and both changes stand; the same race on the very field we change is a 409 naming it, their value kept.
* The meta schemas, and an asynchronous create (``run_async``) finished by a worker.
* 100 invoices in bulk: one ``$batch`` of 100, every item SUCCESS and readable.
* A bulk of 100 invoices whose worker is SIGKILLed five times at random points (during the key look-ups, between
  calls, once with the ``$batch`` in flight): every invoice exists exactly once at BC, every item SUCCESS, and the
  ``$batch`` was sent once (the workers after the kill found what it made by the keys).
"""

from __future__ import annotations

import os
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
from bc_harness import USA, BusinessCentral, start_business_central
from jsonschema import Draft202012Validator
from merge.core.api_error import ApiError
from merge.resources.accounting import (
    ContactRequest,
    CreditNoteRequest,
    InvoiceBatchItemRequest,
    InvoiceLineItemRequest,
    InvoiceRequest,
    ItemRequestRequest,
    JournalEntryRequest,
    PaymentRequest,
    PurchaseOrderRequest,
)
from sync_harness import Cli, Ledger, Process, spawn, tail, wait_for

from harness import TEST_SEALING_KEY, Server, start_server

pytestmark = pytest.mark.slow

LEASE_SECONDS = "2"
"""Jobs' and write operations' leases: how soon a worker takes a killed one's batch over."""
FINAL = {"SUCCESS", "PARTIAL_SUCCESS", "FAILED"}
DAY = datetime(2025, 3, 3, tzinfo=UTC)
SEED = int(os.environ.get("LEDGERPORT_E2E_SEED_OFFSET") or random.randrange(1, 10**6))


@dataclass
class World:
    sandbox: BusinessCentral
    server: Server
    ledger: Ledger
    env: dict[str, str]
    log_dir: Path
    customer: str
    vendor: str
    item: str
    accounts: list[str]
    """Posting G/L accounts (ids)."""

    def worker(self) -> Process:
        return spawn("worker", ["-m", "ledgerport", "worker", "--concurrency", "2"], self.env, self.log_dir)

    @contextmanager
    def working(self) -> Iterator[Process]:
        worker = self.worker()
        try:
            yield worker
        finally:
            worker.stop()

    def row(self, entity_set: str, remote_id: str, **params: str) -> dict[str, Any]:
        return dict(self.sandbox.api("GET", self.sandbox.company(), f"{entity_set}({remote_id})", params=params))

    def references(self) -> Counter[str]:
        """How many sales invoices BC holds per Your Reference (our ``memo``)."""
        rows = self.sandbox.rows("salesInvoices", **{"$select": "id,customerPurchaseOrderReference"})
        return Counter(str(r.get("customerPurchaseOrderReference")) for r in rows)

    def bulk(self, items: list[dict[str, Any]]) -> str:
        response = httpx.post(
            f"{self.ledger.api}/accounting/v1/invoices/bulk",
            json={"batch_items": items},
            headers=self.ledger.headers,
            timeout=60,
        )
        assert response.status_code == 202, response.text
        return str(response.json()["batch_id"])

    def batch(self, batch_id: str) -> dict[str, Any]:
        return dict(self.ledger.get(f"invoices/bulk/{batch_id}"))


@pytest.fixture(scope="module")
def world(own_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from _world(own_database_url, tmp_path_factory.mktemp("bc-writes-e2e"))


def _world(database_url: str, log_dir: Path) -> Iterator[World]:
    extra = {
        "LEDGERPORT_SYNC_INTERVAL_SECONDS": "3600",  # no syncs of the schedule's own mid-test
        "LEDGERPORT_JOB_LEASE_SECONDS": LEASE_SECONDS,
        "LEDGERPORT_WRITE_LEASE_SECONDS": LEASE_SECONDS,
    }
    env = {
        **os.environ,
        "LEDGERPORT_DATABASE_URL": database_url,
        "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY,
        "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0",
        **extra,
    }
    env.pop("LEDGERPORT_REDIS_URL", None)
    sandbox = start_business_central(SEED, log_dir)
    server = None
    try:
        server = start_server(database_url, log_dir, **extra)
        cli = Cli(env, log_dir)
        api_key = cli.json("orgs", "create", "--name", "bc writes e2e")["api_key"]
        made = cli.json(
            "accounts", "link", "--api-key", api_key, "--integration", "business-central",
            "--sandbox", sandbox.url, "--company", USA,
        )  # fmt: skip
        cli.json("sync", "--account-token", made["account_token"], "--wait", timeout=300)
        ledger = Ledger(server.api, api_key, made["account_token"], made["linked_account_id"])
        contacts = [c for c in ledger.get("contacts", page_size=100)["results"] if c["status"] == "ACTIVE"]
        accounts = [a for a in ledger.get("accounts", page_size=100)["results"] if a["type"] == "Posting"]
        items = [i for i in ledger.get("items", page_size=100)["results"] if i["status"] == "ACTIVE"]
        yield World(
            sandbox=sandbox,
            server=server,
            ledger=ledger,
            env=env,
            log_dir=log_dir,
            customer=next(c["id"] for c in contacts if c["is_customer"]),
            vendor=next(c["id"] for c in contacts if c["is_supplier"]),
            item=items[0]["id"],
            accounts=[a["id"] for a in accounts],
        )
    finally:
        if server is not None:
            server.stop()
        sandbox.close()


def tag() -> str:
    """A prefix that makes this test's references unique in the sandbox (Your Reference is Text[35])."""
    return f"E{secrets.token_hex(3)}"


def line(world: World, **fields: Any) -> InvoiceLineItemRequest:
    return InvoiceLineItemRequest(item=world.item, quantity=2, unit_price=10.5, description="Chairs", **fields)


def invoice(world: World, memo: str, **fields: Any) -> InvoiceRequest:
    return InvoiceRequest(
        type="ACCOUNTS_RECEIVABLE",
        contact=world.customer,
        issue_date=DAY,
        memo=memo,
        line_items=[line(world)],
        **fields,
    )


def until_final(world: World, batch_id: str, worker: Process, *, timeout: float = 180) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        assert worker.alive(), tail(worker.log)
        batch = world.batch(batch_id)
        return batch if batch["status"] in FINAL else None

    return wait_for(final, timeout=timeout, what=f"batch {batch_id} to finish (worker log {worker.log})")


# --------------------------------------------------------------------------------------------------------------------
# Every writable model, once each


class TestCreates:
    def test_a_draft_invoice_and_one_posted_by_status(self, world: World) -> None:
        sdk = world.ledger.sdk()
        memo = tag()
        posts = world.sandbox.requests("POST", "salesInvoices")
        draft = sdk.accounting.invoices.create(model=invoice(world, memo)).model
        assert draft.status == "DRAFT"
        assert world.sandbox.requests("POST", "salesInvoices") == posts + 1
        row = world.row("salesInvoices", draft.remote_id)
        assert (row["status"], row["customerPurchaseOrderReference"], row["invoiceDate"]) == (
            "Draft",
            memo,
            "2025-03-03",
        )
        assert draft.total_amount == pytest.approx(float(row["totalAmountIncludingTax"]))
        # BC leaves the company's own currency blank; it is the company's local currency (companyInformation)
        assert (row["currencyCode"], draft.currency) == ("", "USD")
        assert sdk.accounting.invoices.retrieve(draft.id).remote_id == draft.remote_id

        posted = sdk.accounting.invoices.create(model=invoice(world, f"{memo}-p", status="OPEN")).model
        assert posted.status == "OPEN"
        assert world.row("salesInvoices", posted.remote_id)["status"] == "Open"
        assert world.references()[f"{memo}-p"] == 1

    def test_a_bill(self, world: World) -> None:
        created = (
            world.ledger.sdk()
            .accounting.invoices.create(
                model=InvoiceRequest(
                    type="ACCOUNTS_PAYABLE",
                    contact=world.vendor,
                    issue_date=DAY,
                    line_items=[InvoiceLineItemRequest(account=world.accounts[-1], quantity=1, unit_price=40)],
                )
            )
            .model
        )
        assert created.type == "ACCOUNTS_PAYABLE"
        row = world.row("purchaseInvoices", created.remote_id, **{"$expand": "purchaseInvoiceLines"})
        assert row["status"] == "Draft"
        assert [float(x["unitCost"]) for x in row["purchaseInvoiceLines"]] == [40.0]

    def test_a_contact(self, world: World) -> None:
        name = f"Fabrikam {tag()}"
        made = (
            world.ledger.sdk()
            .accounting.contacts.create(
                model=ContactRequest(name=name, is_customer=True, email_address="ap@fabrikam.example")
            )
            .model
        )
        row = world.row("customers", made.remote_id)
        assert (row["displayName"], row["email"]) == (name, "ap@fabrikam.example")
        assert [c["id"] for c in world.sandbox.rows("customers") if c["displayName"] == name] == [row["id"]]

    def test_a_posted_journal_entry(self, world: World) -> None:
        debit, credit = world.accounts[:2]
        entries = len(world.sandbox.rows("generalLedgerEntries"))
        made = (
            world.ledger.sdk()
            .accounting.journal_entries.create(
                model=JournalEntryRequest(
                    memo="Month end",
                    transaction_date=DAY,
                    posting_status="POSTED",
                    lines=[
                        {"account": debit, "net_amount": 250, "description": "Accrual"},
                        {"account": credit, "net_amount": -250, "description": "Accrual"},
                    ],
                )
            )
            .model
        )
        assert made.remote_id
        assert len(world.sandbox.rows("generalLedgerEntries")) == entries + 2

    def test_a_payment_applied_to_a_posted_invoice(self, world: World) -> None:
        sdk = world.ledger.sdk()
        posted = sdk.accounting.invoices.create(model=invoice(world, tag(), status="OPEN")).model
        made = sdk.accounting.payments.create(
            model=PaymentRequest(
                type="ACCOUNTS_RECEIVABLE",
                contact=world.customer,
                transaction_date=DAY,
                total_amount=15,
                applied_to_lines=[{"related_object_id": posted.id, "applied_amount": "15"}],
            )
        ).model
        assert made.total_amount == 15
        row = _payment_line(world, made.remote_id)
        assert float(row["amount"]) == -15
        assert row["appliesToInvoiceId"] == posted.remote_id

    def test_a_credit_note_and_a_purchase_order(self, world: World) -> None:
        sdk = world.ledger.sdk()
        credit = sdk.accounting.credit_notes.create(
            model=CreditNoteRequest(
                contact=world.customer,
                transaction_date=DAY,
                line_items=[{"item": world.item, "quantity": "1", "unit_price": "20"}],
            )
        ).model
        assert world.row("salesCreditMemos", credit.remote_id)["status"] == "Draft"
        order = sdk.accounting.purchase_orders.create(
            model=PurchaseOrderRequest(
                vendor=world.vendor,
                issue_date=DAY,
                line_items=[{"item": world.item, "quantity": 3, "unit_price": 7}],
            )
        ).model
        row = world.row("purchaseOrders", order.remote_id, **{"$expand": "purchaseOrderLines"})
        assert [float(x["quantity"]) for x in row["purchaseOrderLines"]] == [3.0]
        assert order.purchase_order_number == row["number"]

    def test_an_item(self, world: World) -> None:
        name = f"Lamp {tag()}"
        made = (
            world.ledger.sdk()
            .accounting.items.create(model=ItemRequestRequest(name=name, type="INVENTORY", unit_price=39.99))
            .model
        )
        row = world.row("items", made.remote_id)
        assert (row["displayName"], float(row["unitPrice"]), row["type"]) == (name, 39.99, "Inventory")
        assert made.unit_price == 39.99


def _payment_line(world: World, line_id: str) -> dict[str, Any]:
    """A customer payment journal line, looked up through its journals (BC lists payments per journal)."""
    for journal in world.sandbox.rows("customerPaymentJournals", **{"$expand": "customerPayments"}):
        for row in journal.get("customerPayments") or []:
            if row["id"] == line_id:
                return dict(row)
    raise AssertionError(f"no customer payment {line_id}")


# --------------------------------------------------------------------------------------------------------------------
# PATCH, If-Match and another user's edits


class TestPatch:
    def test_a_patch_changes_the_header(self, world: World) -> None:
        sdk = world.ledger.sdk()
        made = sdk.accounting.invoices.create(model=invoice(world, tag())).model
        patched = sdk.accounting.invoices.partial_update(
            made.id, model=InvoiceRequest(due_date=datetime(2025, 4, 30, tzinfo=UTC))
        ).model
        assert patched.due_date == datetime(2025, 4, 30, tzinfo=UTC)
        row = world.row("salesInvoices", made.remote_id)
        assert (row["dueDate"], row["customerPurchaseOrderReference"]) == ("2025-04-30", made.memo)

    def test_a_stale_etag_is_resolved_when_the_edits_do_not_clash(self, world: World) -> None:
        sdk = world.ledger.sdk()
        made = sdk.accounting.invoices.create(model=invoice(world, tag())).model
        world.sandbox.control("edits", {"id": made.remote_id, "changes": {"customerPurchaseOrderReference": "THEIRS"}})
        patches = world.sandbox.requests("PATCH", "salesInvoices")
        patched = sdk.accounting.invoices.partial_update(
            made.id, model=InvoiceRequest(due_date=datetime(2025, 5, 31, tzinfo=UTC))
        ).model
        assert world.sandbox.requests("PATCH", "salesInvoices") == patches + 2, "a 412, then the PATCH on the new etag"
        row = world.row("salesInvoices", made.remote_id)
        assert (row["dueDate"], row["customerPurchaseOrderReference"]) == ("2025-05-31", "THEIRS")
        assert (patched.memo, patched.due_date) == ("THEIRS", datetime(2025, 5, 31, tzinfo=UTC))

    def test_a_stale_etag_on_the_same_field_is_a_conflict(self, world: World) -> None:
        sdk = world.ledger.sdk()
        made = sdk.accounting.invoices.create(model=invoice(world, tag())).model
        world.sandbox.control("edits", {"id": made.remote_id, "changes": {"customerPurchaseOrderReference": "THEIRS"}})
        # The SDK resends a 409 by itself (Fern's default retries 408, 409, 429 and 5xx): the resent PATCH would be
        # a new request made on their change, so this one asks for none to see the 409.
        with pytest.raises(ApiError) as raised:
            sdk.accounting.invoices.partial_update(
                made.id, model=InvoiceRequest(memo="MINE"), request_options={"max_retries": 0}
            )
        assert raised.value.status_code == 409
        assert "customerPurchaseOrderReference" in str(raised.value.body)
        assert world.row("salesInvoices", made.remote_id)["customerPurchaseOrderReference"] == "THEIRS"


# --------------------------------------------------------------------------------------------------------------------
# Meta and async


def test_meta_describes_what_business_central_takes(world: World) -> None:
    sdk = world.ledger.sdk()
    meta = sdk.accounting.invoices.meta_post_retrieve()
    Draft202012Validator.check_schema(meta.request_schema)
    model = meta.request_schema["properties"]["model"]
    assert {"contact", "type"} <= set(model["required"])
    body = {"type": "ACCOUNTS_RECEIVABLE", "contact": world.customer, "line_items": [{"item": world.item}]}
    assert Draft202012Validator(meta.request_schema).is_valid({"model": body})
    invoice_id = world.ledger.get("invoices", type="ACCOUNTS_RECEIVABLE", page_size=1)["results"][0]["id"]
    patch = sdk.accounting.invoices.meta_patch_retrieve(invoice_id).request_schema["properties"]["model"]
    assert "line_items" not in patch["properties"]
    assert "type" not in patch["properties"]
    journal = sdk.accounting.journal_entries.meta_post_retrieve().request_schema["properties"]["model"]
    assert "lines" in journal["required"]


def test_an_asynchronous_create_is_finished_by_a_worker(world: World) -> None:
    sdk = world.ledger.sdk()
    name = f"Async Supplies {tag()}"
    queued = sdk.accounting.contacts.create(model=ContactRequest(name=name, is_supplier=True), run_async=True)
    task_id = queued.task_id  # type: ignore[attr-defined]  # Merge's answer to run_async, kept as an extra
    assert sdk.accounting.async_tasks.retrieve(task_id).status == "QUEUED"
    with world.working() as worker:

        def final() -> Any:
            assert worker.alive(), tail(worker.log)
            task = sdk.accounting.async_tasks.retrieve(task_id)
            return task if task.status in {"COMPLETED", "FAILURE"} else None

        task = wait_for(final, timeout=90, what="the worker to finish the task")
    assert task.status == "COMPLETED", task
    model = task.result.response["model"]
    (vendor,) = [v for v in world.sandbox.rows("vendors") if v["displayName"] == name]
    assert model["remote_id"] == vendor["id"]


# --------------------------------------------------------------------------------------------------------------------
# Bulk through $batch


def test_a_hundred_invoices_go_in_one_batch(world: World) -> None:
    sdk = world.ledger.sdk()
    prefix = tag()
    memos = [f"{prefix}-{n}" for n in range(100)]
    batches = world.sandbox.requests("POST", "$batch")
    created = sdk.accounting.invoices.bulk_create(
        batch_items=[InvoiceBatchItemRequest(item_id=memo, payload=invoice(world, memo)) for memo in memos]
    )
    with world.working() as worker:
        until_final(world, created.batch_id, worker)
    batch = sdk.accounting.invoices.bulk_retrieve(created.batch_id)
    assert batch.status == "SUCCESS", batch
    assert [(o.item_id, o.status) for o in batch.objects] == [(memo, "SUCCESS") for memo in memos]
    assert world.sandbox.requests("POST", "$batch") == batches + 1
    held = world.references()
    assert [held[memo] for memo in memos] == [1] * 100
    for memo, one in list(zip(memos, batch.objects, strict=True))[::25]:
        assert one.response is not None
        read = sdk.accounting.invoices.retrieve(one.response.merge_common_model_id)
        assert (read.memo, read.status) == (memo, "DRAFT")


KILLS = 5
BULK = 100
LATENCY = 0.8
"""Seconds every BC API call takes while the workers are killed: long enough to land a kill inside one."""


def test_a_bulk_survives_workers_killed_at_random_points(world: World) -> None:
    """A chunk of 100 is 5 key look-ups (20 keys each), its ``$batch``, and 5 look-ups more. Four workers are
    SIGKILLed after a random 1 to 4 of their calls (in a look-up or between two), one at a random turn with its
    ``$batch`` in flight; BC still makes what it received. The next worker finds every invoice by its key and sends
    nothing again: one ``$batch`` in all, every invoice once at BC."""
    prefix = tag()
    memos = [f"{prefix}-{n}" for n in range(BULK)]
    rng = random.Random(prefix)
    in_flight = rng.randrange(KILLS)
    batches = world.sandbox.requests("POST", "$batch")
    batch_id = world.bulk([{"item_id": memo, "payload": {**_raw_invoice(world), "memo": memo}} for memo in memos])
    world.sandbox.faults(latency_ms=LATENCY * 1000)
    worker = None
    try:
        for kill in range(KILLS):
            seen, sent = _api_calls(world.sandbox), world.sandbox.requests("POST", "$batch")
            calls = 0 if kill == in_flight else rng.randint(1, 4)
            worker = world.worker()

            def called(current: Process = worker, since: tuple[int, int] = (seen, sent), wanted: int = calls) -> bool:
                assert current.alive(), tail(current.log)
                assert world.batch(batch_id)["status"] not in FINAL, "the batch ended before the kills"
                if wanted == 0:  # the kill with the $batch in flight
                    return world.sandbox.requests("POST", "$batch") > since[1]
                return _api_calls(world.sandbox) >= since[0] + wanted

            wait_for(called, timeout=90, what=f"kill {kill + 1}: the worker to call BC")
            time.sleep(rng.uniform(0.1, LATENCY - 0.2) if kill == in_flight else rng.uniform(0.0, LATENCY + 0.2))
            worker.kill()
        world.sandbox.faults(latency_ms=0)
        worker = world.worker()
        done = until_final(world, batch_id, worker, timeout=240)
    finally:
        world.sandbox.faults(latency_ms=0)
        if worker is not None:
            worker.stop()
    assert done["status"] == "SUCCESS", (done["status"], [o for o in done["objects"] if o["status"] != "SUCCESS"][:3])
    ids = [o["response"]["merge_common_model_id"] for o in done["objects"]]
    assert len(set(ids)) == BULK
    held = world.references()
    assert [memo for memo in memos if held[memo] != 1] == [], "every invoice exists exactly once at BC"
    assert world.sandbox.requests("POST", "$batch") == batches + 1, "the chunk was sent once: found, not sent again"


def _raw_invoice(world: World) -> dict[str, Any]:
    return {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": world.customer,
        "issue_date": DAY.isoformat().replace("+00:00", "Z"),
        "line_items": [{"item": world.item, "quantity": 1, "unit_price": 12.5}],
    }


def _api_calls(sandbox: BusinessCentral) -> int:
    return sum(row["count"] for row in sandbox.stats()["requests"])
