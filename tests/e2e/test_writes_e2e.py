"""Writes end to end, every part a real process on loopback: the QuickBooks Online sandbox (``ledgerport sandbox``),
``ledgerport serve`` and the CLI (``orgs create``, ``accounts link --sandbox``, ``sync --wait``), once per reachable
database. Ground truth is the sandbox's own ``/_sandbox/dump`` and its request counts (``/_sandbox/stats``).

* Merge's SDK (``mergepythonclient``) creates, patches and reads back an AR invoice and an AP bill, and reads the
  meta endpoints.
* ``Idempotency-Key``: the same key and body replay the first answer (``Idempotent-Replayed``) and nothing reaches
  the sandbox twice; the same key with another body is a 422.
* Every validation rule refuses before the provider (the sandbox counts no request); another organization's ids are
  refused exactly like random ones.
* ``is_debug_mode``: the provider call is logged without credentials, readable only by its own linked account.
* A server SIGKILLed while the sandbox is working on its write (a latency fault holds the answer back), restarted,
  and the request retried with the same key: a retry inside the write's lease gets 409 + ``Retry-After``, the one
  after it takes the operation over, and the sandbox holds exactly one new invoice, stored once.
* A resync afterwards finds every written invoice already stored as the sync would store it.

Two organizations link the same sandbox company, so the other organization's records carry the very remote ids of
this one's: an id is refused because it is another linked account's record, not because nothing matches.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from merge.core.api_error import ApiError
from merge.resources.accounting import InvoiceLineItemRequest, InvoiceRequest
from sync_harness import Cli, Ledger, Sandbox, start_sandboxes, tail, upstream, wait_for

from harness import TEST_SEALING_KEY, Server, start_server

pytestmark = pytest.mark.slow

LEASE_SECONDS = 5.0
"""How long a server owns a write it is sending (``LEDGERPORT_WRITE_LEASE_SECONDS``): short, so the retry after a
SIGKILL takes the operation over within seconds."""
WAIT_SECONDS = 0.3
"""How long a request waits for another one writing the same key before its 409 (``LEDGERPORT_WRITE_WAIT_SECONDS``)."""
LATENCY_MS = 2000
"""The sandbox's latency fault while a server is killed: the write has reached the sandbox and is still in
progress there when the SIGKILL lands."""
SEED = random.randrange(1, 10**6)


# --------------------------------------------------------------------------------------------------------------------
# The world: a sandbox, a server, two organizations linked to the same company and synced


@dataclass
class Books:
    """One organization's linked account and records of it to refer to."""

    ledger: Ledger
    customer: str
    vendor: str
    item: str
    expense_account: str
    vendor_remote_id: str

    @property
    def headers(self) -> dict[str, str]:
        return self.ledger.headers

    def invoice(self, **fields: Any) -> dict[str, Any]:
        body = {
            "type": "ACCOUNTS_RECEIVABLE",
            "contact": self.customer,
            "issue_date": "2024-03-01T00:00:00Z",
            "line_items": [{"item": self.item, "description": "Desk", "unit_price": 125.5, "quantity": 2}],
        }
        return {k: v for k, v in {**body, **fields}.items() if v is not None}

    def bill(self, **fields: Any) -> dict[str, Any]:
        body = {
            "type": "ACCOUNTS_PAYABLE",
            "contact": self.vendor,
            "line_items": [{"account": self.expense_account, "description": "Paper", "total_amount": 40}],
        }
        return {k: v for k, v in {**body, **fields}.items() if v is not None}


@dataclass
class World:
    database_url: str
    sandbox: Sandbox
    server: Server
    cli: Cli
    extra: dict[str, str]
    log_dir: Path
    mine: Books
    theirs: Books
    written: dict[str, str] = field(default_factory=dict)
    """remote id → record id of everything written (the resync must find each once, unchanged)."""

    @property
    def realm_path(self) -> str:
        return f"/v3/company/{self.sandbox.realm_id}"

    def posts(self, entity: str = "invoice") -> int:
        """Requests the sandbox served on the create/update path of ``entity`` (``invoice``, ``bill``)."""
        return self.sandbox.requests_by_path().get(f"{self.realm_path}/{entity}", 0)

    def objects(self, entity: str = "Invoice") -> set[str]:
        """The sandbox's ``Id``s of ``entity``."""
        return {str(record["Id"]) for record in self.sandbox.dump(entity)}

    def start_server(self) -> Server:
        return start_server(self.database_url, self.log_dir, **self.extra)


def _books(ledger: Ledger) -> Books:
    contacts = [c for c in ledger.get("contacts", page_size=100)["results"] if c["status"] == "ACTIVE"]
    customer = next(c for c in contacts if "-" not in c["remote_id"])
    vendor = next(c for c in contacts if c["remote_id"].startswith("Vendor-"))
    item = next(i for i in ledger.get("items", page_size=100)["results"] if i["status"] == "ACTIVE")
    accounts = ledger.get("accounts", page_size=100)["results"]
    expense = next(a for a in accounts if a["status"] == "ACTIVE" and a["classification"] == "EXPENSE")
    return Books(ledger, customer["id"], vendor["id"], item["id"], expense["id"], vendor["remote_id"])


@pytest.fixture(scope="module")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    log_dir = tmp_path_factory.mktemp("writes-e2e")
    extra = {
        "LEDGERPORT_SYNC_INTERVAL_SECONDS": "3600",
        "LEDGERPORT_WRITE_LEASE_SECONDS": str(LEASE_SECONDS),
        "LEDGERPORT_WRITE_WAIT_SECONDS": str(WAIT_SECONDS),
    }
    env = {
        **os.environ,
        "LEDGERPORT_DATABASE_URL": database_url,
        "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY,
        "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0",
        **extra,
    }
    sandbox = start_sandboxes({"quickbooks": ("quickbooks", SEED, "small")}, log_dir)["quickbooks"]
    server = None
    try:
        server = start_server(database_url, log_dir, **extra)
        cli = Cli(env, log_dir)
        keys = [cli.json("orgs", "create", "--name", name)["api_key"] for name in ("writer", "other")]
        linked = cli.json_all(
            [
                ["accounts", "link", "--api-key", k, "--integration", "quickbooks", "--sandbox", sandbox.url]
                for k in keys
            ]
        )
        cli.json_all([["sync", "--account-token", made["account_token"], "--wait"] for made in linked])
        mine, theirs = (
            _books(Ledger(server.api, key, made["account_token"], made["linked_account_id"]))
            for key, made in zip(keys, linked, strict=True)
        )
        yield World(database_url, sandbox, server, cli, extra, log_dir, mine, theirs)
    finally:
        if server is not None:
            server.stop()
        sandbox.close()


def post(server: Server, books: Books, model: Any, *, key: str | None = None, **params: str) -> httpx.Response:
    headers = {**books.headers, **({"Idempotency-Key": key} if key else {})}
    return httpx.post(
        f"{server.api}/accounting/v1/invoices", json={"model": model}, headers=headers, params=params, timeout=30
    )


def exact(response: httpx.Response) -> Any:
    return json.loads(response.text, parse_float=Decimal)


# --------------------------------------------------------------------------------------------------------------------
# The SDK: create, patch, read back, meta


class TestThroughMergesSdk:
    def test_an_invoice_is_created_patched_and_read_back(self, world: World) -> None:
        client = world.mine.ledger.sdk()
        before = world.objects("Invoice")
        created = client.accounting.invoices.create(
            model=InvoiceRequest(
                type="ACCOUNTS_RECEIVABLE",
                contact=world.mine.customer,
                issue_date=datetime(2024, 3, 1, tzinfo=UTC),
                due_date=datetime(2024, 3, 31, tzinfo=UTC),
                memo="Desks for the new office",
                line_items=[
                    InvoiceLineItemRequest(item=world.mine.item, description="Desk", unit_price=125.5, quantity=2)
                ],
            )
        )
        invoice = created.model
        assert (created.errors, created.warnings) == ([], [])
        (remote_id,) = world.objects("Invoice") - before
        assert invoice.remote_id == remote_id
        world.written[remote_id] = invoice.id
        upstream_invoice = next(r for r in world.sandbox.dump("Invoice") if str(r["Id"]) == remote_id)
        assert upstream_invoice["PrivateNote"] == "Desks for the new office"
        assert upstream_invoice["TxnDate"] == "2024-03-01"
        assert upstream_invoice["TotalAmt"] == Decimal("251.00")
        # What QuickBooks filled in is ours at once: number, totals, balance, remote_data.
        assert invoice.number == upstream_invoice["DocNumber"]
        assert (invoice.total_amount, invoice.balance) == (251.0, 251.0)
        assert invoice.remote_data is not None
        assert invoice.remote_data[0].data["Id"] == remote_id

        read = client.accounting.invoices.retrieve(invoice.id)
        assert (read.remote_id, read.memo, read.total_amount, read.number) == (
            remote_id,
            invoice.memo,
            251.0,
            invoice.number,
        )
        assert [line.item for line in read.line_items or []] == [world.mine.item]

        patched = client.accounting.invoices.partial_update(invoice.id, model=InvoiceRequest(memo="Paid in April"))
        assert (patched.model.id, patched.model.memo) == (invoice.id, "Paid in April")
        after = next(r for r in world.sandbox.dump("Invoice") if str(r["Id"]) == remote_id)
        assert after["PrivateNote"] == "Paid in April"
        assert after["SyncToken"] == "1"
        assert after["Line"] == upstream_invoice["Line"], "a field the PATCH did not name is not touched"
        assert after["DueDate"] == upstream_invoice["DueDate"]
        assert client.accounting.invoices.retrieve(invoice.id).memo == "Paid in April"

    def test_a_bill_is_created_patched_and_read_back(self, world: World) -> None:
        client = world.mine.ledger.sdk()
        before = world.objects("Bill")
        created = client.accounting.invoices.create(
            model=InvoiceRequest(
                type="ACCOUNTS_PAYABLE",
                contact=world.mine.vendor,
                issue_date=datetime(2024, 2, 1, tzinfo=UTC),
                line_items=[
                    InvoiceLineItemRequest(account=world.mine.expense_account, description="Paper", total_amount=40)
                ],
            )
        )
        bill = created.model
        (qbo_id,) = world.objects("Bill") - before
        assert bill.remote_id == f"Bill-{qbo_id}"
        assert bill.type == "ACCOUNTS_PAYABLE"
        assert bill.contact == world.mine.vendor
        world.written[bill.remote_id] = bill.id
        upstream_bill = next(r for r in world.sandbox.dump("Bill") if str(r["Id"]) == qbo_id)
        assert upstream_bill["VendorRef"]["value"] == world.mine.vendor_remote_id.removeprefix("Vendor-")
        assert upstream_bill["Line"][0]["DetailType"] == "AccountBasedExpenseLineDetail"

        patched = client.accounting.invoices.partial_update(
            bill.id, model=InvoiceRequest(due_date=datetime(2024, 4, 15, tzinfo=UTC))
        )
        assert patched.model.due_date == datetime(2024, 4, 15, tzinfo=UTC)
        after = next(r for r in world.sandbox.dump("Bill") if str(r["Id"]) == qbo_id)
        assert (after["DueDate"], after["SyncToken"]) == ("2024-04-15", "1")
        read = client.accounting.invoices.retrieve(bill.id)
        assert (read.remote_id, read.due_date, read.total_amount) == (bill.remote_id, patched.model.due_date, 40.0)

    def test_meta_describes_what_quickbooks_takes(self, world: World) -> None:
        client = world.mine.ledger.sdk()
        meta = client.accounting.invoices.meta_post_retrieve()
        assert meta.status is not None
        assert (meta.status.linked_account_status, meta.status.can_make_request) == ("COMPLETE", True)
        assert meta.has_conditional_params is True
        Draft202012Validator.check_schema(meta.request_schema)
        model = meta.request_schema["properties"]["model"]
        assert model["required"] == ["contact", "line_items", "type"]
        assert Draft202012Validator(meta.request_schema).is_valid({"model": world.mine.bill()})
        assert Draft202012Validator(meta.request_schema).is_valid({"model": world.mine.invoice()})

        invoices = world.mine.ledger.get("invoices", type="ACCOUNTS_RECEIVABLE", page_size=1)["results"]
        invoice_id = invoices[0]["id"]
        patch_meta = client.accounting.invoices.meta_patch_retrieve(invoice_id)
        Draft202012Validator.check_schema(patch_meta.request_schema)
        assert "required" not in patch_meta.request_schema["properties"]["model"]
        assert "type" not in patch_meta.request_schema["properties"]["model"]["properties"]


# --------------------------------------------------------------------------------------------------------------------
# Idempotency-Key


class TestIdempotencyKey:
    def test_the_same_key_and_body_replay_the_first_answer(self, world: World) -> None:
        key = f"same-{uuid.uuid4().hex}"
        model = world.mine.invoice(memo=f"once {key}")
        objects, posts = world.objects(), world.posts()
        first = post(world.server, world.mine, model, key=key)
        assert first.status_code == 201, first.text
        assert "idempotent-replayed" not in first.headers
        second = post(world.server, world.mine, model, key=key)
        assert second.status_code == 201
        assert second.headers["idempotent-replayed"] == "true"
        assert second.content == first.content
        assert world.objects() - objects == {first.json()["model"]["remote_id"]}
        assert world.posts() == posts + 1, "the replay never reached the sandbox"
        world.written[first.json()["model"]["remote_id"]] = first.json()["model"]["id"]

        # Merge's SDK sends the header as any other; the replay is the same object.
        client = world.mine.ledger.sdk()
        options = {"additional_headers": {"Idempotency-Key": key}}
        replayed = client.accounting.invoices.create(
            model=InvoiceRequest(**model),
            request_options=options,  # type: ignore[arg-type]
        )
        assert replayed.model.id == first.json()["model"]["id"]
        assert world.posts() == posts + 1

    def test_the_same_key_with_another_body_is_a_422_naming_the_key(self, world: World) -> None:
        key = f"other-{uuid.uuid4().hex}"
        first = post(world.server, world.mine, world.mine.invoice(memo="first"), key=key)
        assert first.status_code == 201, first.text
        world.written[first.json()["model"]["remote_id"]] = first.json()["model"]["id"]
        objects, requests = world.objects(), world.sandbox.requests()
        other = post(world.server, world.mine, world.mine.invoice(memo="second"), key=key)
        assert other.status_code == 422
        assert other.json() == {"detail": f"The Idempotency-Key {key!r} was already used with a different request."}
        assert (world.objects(), world.sandbox.requests()) == (objects, requests)


# --------------------------------------------------------------------------------------------------------------------
# Refused before the provider


Rule = Callable[[Books], dict[str, Any]]
RULES: dict[str, tuple[Rule, str, str]] = {
    "missing contact": (lambda b: b.invoice(contact=None), "MISSING_REQUIRED_FIELD", "/model/contact"),
    "missing type": (lambda b: {**b.invoice(), "type": None}, "MISSING_REQUIRED_FIELD", "/model/type"),
    "line without item": (
        lambda b: b.invoice(line_items=[{"description": "?", "total_amount": 5}]),
        "MISSING_REQUIRED_FIELD",
        "/model/line_items/0/item",
    ),
    "wrong type": (lambda b: b.invoice(memo=42), "INCORRECT_FIELD_TYPE", "/model/memo"),
    "bad enum": (lambda b: b.invoice(currency="QQQ"), "INVALID_FIELD_CHOICE", "/model/currency"),
    "total contradicts lines": (lambda b: b.invoice(total_amount=1), "ERROR", "/model/total_amount"),
    "bill line without account": (
        lambda b: b.bill(line_items=[{"description": "?", "total_amount": 5}]),
        "ERROR",
        "/model/line_items",
    ),
    "random contact": (lambda b: b.invoice(contact=str(uuid.uuid4())), "INVALID_REFERENCE", "/model/contact"),
    "vendor as customer": (lambda b: b.invoice(contact=b.vendor), "INVALID_REFERENCE", "/model/contact"),
    "no id at all": (lambda b: b.invoice(contact="Pioneer Traders"), "INCORRECT_FIELD_TYPE", "/model/contact"),
}


class TestRefusedBeforeTheProvider:
    @pytest.mark.parametrize("rule", list(RULES))
    def test_each_rule_refuses_and_the_sandbox_sees_nothing(self, world: World, rule: str) -> None:
        build, problem_type, pointer = RULES[rule]
        requests = world.sandbox.requests()
        response = post(world.server, world.mine, build(world.mine), key=f"bad-{uuid.uuid4().hex}")
        assert response.status_code == 400, response.text
        assert [(e["problem_type"], e["source"]["pointer"]) for e in response.json()["errors"]] == [
            (problem_type, pointer)
        ]
        assert world.sandbox.requests() == requests

    def test_the_sdk_reports_a_refusal_as_an_api_error(self, world: World) -> None:
        requests = world.sandbox.requests()
        client = world.mine.ledger.sdk()
        with pytest.raises(ApiError) as refused:
            client.accounting.invoices.create(
                model=InvoiceRequest(type="ACCOUNTS_RECEIVABLE", contact=world.mine.customer, line_items=[])
            )
        assert refused.value.status_code == 400
        assert refused.value.body["errors"][0]["problem_type"] == "MISSING_REQUIRED_FIELD"
        assert world.sandbox.requests() == requests

    def test_another_organizations_contact_is_refused_like_a_random_id(self, world: World) -> None:
        requests = world.sandbox.requests()
        answers = []
        for probe in (world.theirs.customer, str(uuid.uuid4())):
            response = post(world.server, world.mine, world.mine.invoice(contact=probe))
            assert response.status_code == 400
            answers.append(response.text.replace(probe, "<id>"))
        assert answers[0] == answers[1]
        assert json.loads(answers[0])["errors"] == [
            {
                "title": "Invalid Reference",
                "detail": "No Contact with id <id> exists in this linked account.",
                "problem_type": "INVALID_REFERENCE",
                "source": {"pointer": "/model/contact"},
            }
        ]
        assert world.sandbox.requests() == requests

    def test_another_organizations_invoice_cannot_be_patched_or_described(self, world: World) -> None:
        theirs = next(r["id"] for r in world.theirs.ledger.get("invoices", page_size=1)["results"])
        requests = world.sandbox.requests()
        api, headers = f"{world.server.api}/accounting/v1/invoices", world.mine.headers
        for probe in (theirs, str(uuid.uuid4())):
            patched = httpx.patch(f"{api}/{probe}", json={"model": {"memo": "x"}}, headers=headers, timeout=30)
            meta = httpx.get(f"{api}/meta/patch/{probe}", headers=headers, timeout=30)
            assert (patched.status_code, patched.json()) == (404, {"detail": "Not found."})
            assert (meta.status_code, meta.json()) == (404, {"detail": "Not found."})
        assert world.sandbox.requests() == requests


# --------------------------------------------------------------------------------------------------------------------
# Debug mode


class TestDebugMode:
    def test_the_provider_call_is_logged_without_credentials_for_its_own_account(self, world: World) -> None:
        client = world.mine.ledger.sdk()
        created = client.accounting.invoices.create(
            model=InvoiceRequest(**world.mine.invoice(memo="logged")), is_debug_mode=True
        )  # type: ignore[arg-type]
        world.written[str(created.model.remote_id)] = str(created.model.id)
        (log,) = created.logs or []
        assert log.log_summary is not None
        assert log.log_summary.method == "POST"
        assert log.log_summary.status_code == 200
        assert log.log_summary.url.startswith(f"{world.sandbox.url}{world.realm_path}/invoice?requestid=")
        assert log.dashboard_view == f"{world.server.api}/accounting/v1/logs/{log.log_id}"

        shown = httpx.get(str(log.dashboard_view), headers=world.mine.headers, timeout=30)
        assert shown.status_code == 200
        entry = shown.json()
        assert (entry["method"], entry["status_code"], entry["url"]) == ("POST", 200, log.log_summary.url)
        headers = {k.lower(): v for k, v in entry["request"]["headers"].items()}
        assert headers["authorization"] == "[removed]"
        assert "bearer" not in shown.text.lower(), "no credential anywhere in the log"
        assert json.loads(entry["request"]["body"])["PrivateNote"] == "logged"
        assert json.loads(entry["response"]["body"])["Invoice"]["Id"] == created.model.remote_id

        elsewhere = httpx.get(str(log.dashboard_view), headers=world.theirs.headers, timeout=30)
        missing = httpx.get(
            f"{world.server.api}/accounting/v1/logs/{uuid.uuid4()}", headers=world.theirs.headers, timeout=30
        )
        assert (
            (elsewhere.status_code, elsewhere.json())
            == (missing.status_code, missing.json())
            == (
                404,
                {"detail": "Not found."},
            )
        )


# --------------------------------------------------------------------------------------------------------------------
# A server SIGKILLed mid-write


class TestKilledMidWrite:
    def test_the_retry_with_the_same_key_makes_exactly_one_invoice(self, world: World) -> None:
        key = f"kill-{uuid.uuid4().hex}"
        model = world.mine.invoice(memo=f"killed {key}")
        objects, posts = world.objects(), world.posts()
        victim = world.start_server()
        answered: dict[str, Any] = {}

        def send() -> None:
            try:
                answered["response"] = post(victim, world.mine, model, key=key)
            except httpx.HTTPError as exc:
                answered["error"] = exc

        world.sandbox.faults(latency_ms=LATENCY_MS)
        sender = threading.Thread(target=send)
        sender.start()
        try:
            wait_for(lambda: world.posts() > posts, timeout=30, what="the write to reach the sandbox", interval=0.01)
            victim.process.send_signal(signal.SIGKILL)
            victim.process.wait(timeout=10)
            sender.join(timeout=30)
            assert "response" not in answered, f"the client was answered before the kill: {answered}"

            # A retry while the dead server's lease runs: told to come back, and nothing is sent.
            busy = post(world.server, world.mine, model, key=key)
            assert busy.status_code == 409, busy.text
            retry_after = int(busy.headers["retry-after"])
            assert 1 <= retry_after <= LEASE_SECONDS
            assert key in busy.json()["detail"]

            # The sandbox finishes the write nobody will hear about.
            made = wait_for(
                lambda: world.objects() - objects, timeout=30, what="the sandbox to make the killed server's invoice"
            )
        finally:
            world.sandbox.faults(latency_ms=0)
            if victim.process.poll() is None:
                victim.process.kill()
        (remote_id,) = made
        assert world.mine.ledger.get("invoices", remote_id=remote_id)["results"] == [], "not stored before the retry"
        assert world.posts() == posts + 1

        restarted = world.start_server()
        try:
            response = busy
            for _ in range(20):
                response = post(restarted, world.mine, model, key=key)
                if response.status_code != 409:
                    break
                time.sleep(int(response.headers["retry-after"]))
            assert response.status_code == 201, f"{response.status_code} {response.text}\n{tail(restarted.log)}"
        finally:
            restarted.stop()
        written = exact(response)["model"]
        assert written["remote_id"] == remote_id, "the retry presented the first attempt's requestid"
        assert world.objects() - objects == {remote_id}, "exactly one invoice at the sandbox"
        assert world.posts() == posts + 2, "the retry reached the sandbox, which answered from its requestid"
        stored = world.mine.ledger.get("invoices", remote_id=remote_id)["results"]
        assert [r["id"] for r in stored] == [written["id"]], "stored once"
        world.written[remote_id] = written["id"]

        replay = post(world.server, world.mine, model, key=key)
        assert (replay.status_code, replay.headers.get("idempotent-replayed")) == (201, "true")
        assert exact(replay)["model"]["id"] == written["id"]
        assert world.posts() == posts + 2


# --------------------------------------------------------------------------------------------------------------------
# A resync after the writes (last: it reads what every test above wrote)


class TestResyncAfterWrites:
    def test_a_resync_finds_every_written_invoice_already_stored(self, world: World) -> None:
        for model in (world.mine.invoice(memo="before the resync"), world.mine.bill(memo="before the resync")):
            written = post(world.server, world.mine, model)
            assert written.status_code == 201, written.text
            world.written[written.json()["model"]["remote_id"]] = written.json()["model"]["id"]
        before = {r["remote_id"]: r for r in world.mine.ledger.raw_records("Invoice")}
        world.cli.json("sync", "--account-token", world.mine.ledger.account_token, "--wait")
        after = world.mine.ledger.raw_records("Invoice")

        counts = Counter(r["remote_id"] for r in after)
        assert [rid for rid, n in counts.items() if n > 1] == [], "nothing stored twice"
        by_remote_id = {r["remote_id"]: r for r in after}
        live = {rid for rid, found in upstream(world.sandbox, "Invoice").items() if not found.deleted}
        assert {rid for rid, r in by_remote_id.items() if not r["remote_was_deleted"]} == live
        for remote_id, record_id in world.written.items():
            record = by_remote_id[remote_id]
            assert record["id"] == record_id
            assert record["modified_at"] == before[remote_id]["modified_at"], (
                f"{remote_id}: the sync stored something else than the write had stored"
            )
