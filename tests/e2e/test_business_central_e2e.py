"""Business Central end to end, every part a real process on loopback: the BC sandbox
(``ledgerport sandbox business-central``), the API server, the CLI (``orgs create``, ``accounts link --sandbox
--environment --company``, ``sync``) and a worker (``ledgerport worker``), on SQLite and PostgreSQL.

In order, on one sandbox per database:

1. Linking chooses the company: ``--company`` by name in ``production``, and ``--environment sandbox`` (its only
   company) as a second linked account.
2. A full sync stores every common model the connector maps, as many records as the sandbox's company holds
   (``/_sandbox`` counts), each readable through the API and the invoices through the Merge SDK.
3. An edit and deletions made through BC's own API (a renamed customer, a deleted draft invoice and customer)
   arrive with the next, incremental sync: BC keeps no tombstones, so the deletions are found by the id listings.
4. Under a window of 15 calls a second (429s) and with every access token expired, a sync still ends DONE with
   the upstream edit: the throttles were waited out and the token refreshed (a new refresh token stored).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from bc_harness import BusinessCentral, start_business_central
from sync_harness import Cli, Ledger, wait_synced

from harness import REDIS_URL, Server, redis_problem, start_server
from ledgerport.connectors import CONNECTORS
from ledgerport.models import MODELS

pytestmark = pytest.mark.slow

CONNECTOR = CONNECTORS["business_central"]
MODELS_SYNCED = {mapping.model for mapping in CONNECTOR.mappings}
SYNC_TIMEOUT = 120.0
SEED = int(os.environ.get("LEDGERPORT_E2E_SEED_OFFSET") or random.randrange(1, 10**6))

SOURCES = {
    "CompanyInfo": ("companyInformation",),
    "Account": ("accounts",),
    "TaxRate": ("taxAreas", "taxGroups"),
    "TrackingCategory": ("dimensions", "dimensionValues"),
    "PaymentTerm": ("paymentTerms",),
    "AccountingPeriod": ("accountingPeriods",),
    "Contact": ("customers", "vendors"),
    "Employee": ("employees",),
    "Project": ("projects",),
    "Item": ("items",),
    "Invoice": ("salesInvoices", "purchaseInvoices"),
    "CreditNote": ("salesCreditMemos",),
    "SalesOrder": ("salesOrders",),
    "PurchaseOrder": ("purchaseOrders",),
    "ItemFulfillment": ("salesShipments",),
    "JournalEntry": ("journals",),
    "Transaction": ("generalLedgerEntries",),
    "Payment": ("customerPayments", "vendorPayments"),
}
"""Which BC entity sets feed each common model: the ground truth of a full sync is their counts."""


@dataclass
class Stack:
    server: Server
    cli: Cli
    api_key: str
    sandbox: BusinessCentral
    ledgers: dict[str, Ledger] = field(default_factory=dict)

    def sync(self, ledger: Ledger) -> None:
        """Queue a sync with the CLI and run a worker until every model is DONE again."""
        since = time.time()
        queued = self.cli.json("sync", "--account-token", ledger.account_token)
        assert queued["status"] == "QUEUED", queued
        worker = self.cli.worker(concurrency=2)
        try:
            wait_synced(ledger, since=since, timeout=SYNC_TIMEOUT, worker=worker, models=MODELS_SYNCED)
        finally:
            worker.stop()


@pytest.fixture(scope="module")
def stack(own_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    log_dir = tmp_path_factory.mktemp("bc-e2e")
    extra = {
        "LEDGERPORT_SECRET_KEY_FILE": str(log_dir / "secret.key"),
        "LEDGERPORT_SYNC_INTERVAL_SECONDS": "3600",  # the schedule must not start syncs of its own mid-test
    }
    if own_database_url.startswith("postgresql") and redis_problem() is None:
        extra["LEDGERPORT_REDIS_URL"] = REDIS_URL  # the outbound budget shared through Redis
    sandbox = start_business_central(SEED, log_dir)
    try:
        env = {
            **os.environ,
            "LEDGERPORT_DATABASE_URL": own_database_url,
            "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0",
            **extra,
        }
        server = start_server(own_database_url, log_dir, **extra)
        try:
            cli = Cli(env, log_dir)
            organization = cli.json("orgs", "create", "--name", "bc e2e")
            yield Stack(server, cli, organization["api_key"], sandbox)
        finally:
            server.stop()
    finally:
        sandbox.close()


def _link(stack: Stack, *options: str) -> Ledger:
    made = stack.cli.json(
        "accounts", "link", "--api-key", stack.api_key, "--integration", "business-central",
        "--sandbox", stack.sandbox.url, *options,
    )  # fmt: skip
    return Ledger(stack.server.api, stack.api_key, made["account_token"], made["linked_account_id"])


def _by_remote_id(ledger: Ledger, model: str, *, live: bool = True) -> dict[str, dict[str, Any]]:
    rows = ledger.every(MODELS[model].path)
    return {r["remote_id"]: r for r in rows if not (live and r.get("remote_was_deleted"))}


def _oauth_calls(sandbox: BusinessCentral) -> int:
    return sum(row["count"] for row in sandbox.stats()["calls"] if row["kind"] == "oauth" and row["status"] == 200)


class TestBusinessCentral:
    def test_linking_chooses_the_environment_and_company(self, stack: Stack) -> None:
        usa = _link(stack, "--company", "CRONUS USA, Inc.")
        other = _link(stack, "--environment", "sandbox")
        assert usa.account_id != other.account_id
        assert usa.get("account-details")["integration_slug"] == CONNECTOR.slug
        assert other.get("account-details")["integration_slug"] == CONNECTOR.slug
        stack.ledgers["usa"] = usa

    def test_a_full_sync_stores_every_model(self, stack: Stack) -> None:
        ledger = stack.ledgers["usa"]
        stack.sync(ledger)
        counts = stack.sandbox.company("production", "CRONUS USA, Inc.")["counts"]
        stored = {model: len(_by_remote_id(ledger, model)) for model in MODELS_SYNCED}
        expected = {model: sum(counts.get(name, 0) for name in SOURCES[model]) for model in MODELS_SYNCED}
        assert stored == expected
        invoices = ledger.get("invoices", page_size=5, expand="contact")["results"]
        assert invoices
        assert all(invoice["line_items"] for invoice in invoices)
        sdk = ledger.sdk().accounting.invoices.list(page_size=5)
        assert {i.remote_id for i in sdk.results} == {i["remote_id"] for i in invoices}
        totals = [Decimal(str(i["total_amount"])) for i in invoices if i["total_amount"] is not None]
        assert totals
        company = ledger.get("company-info")["results"]
        assert [c["name"] for c in company] != []
        assert ledger.get("available-actions")["integration"]["slug"] == CONNECTOR.slug

    def test_edits_and_deletions_arrive_incrementally(self, stack: Stack) -> None:
        ledger, sandbox = stack.ledgers["usa"], stack.sandbox
        company = sandbox.company("production", "CRONUS USA, Inc.")
        drafts = sandbox.api("GET", company, "salesInvoices", params={"$filter": "status eq 'Draft'"})["value"]
        customers = sandbox.api("GET", company, "customers")["value"]
        renamed, deleted = customers[0], customers[-1]
        before = {model: len(_by_remote_id(ledger, model)) for model in ("Invoice", "Contact", "Item")}
        sandbox.api("PATCH", company, f"customers({renamed['id']})", json={"displayName": "Renamed Ltd"})
        sandbox.api("DELETE", company, f"salesInvoices({drafts[0]['id']})")
        sandbox.api("DELETE", company, f"customers({deleted['id']})")
        stack.sync(ledger)
        contacts = _by_remote_id(ledger, "Contact", live=False)
        assert contacts[renamed["id"]]["name"] == "Renamed Ltd"
        assert contacts[deleted["id"]]["remote_was_deleted"] is True
        invoices = _by_remote_id(ledger, "Invoice", live=False)
        assert invoices[drafts[0]["id"]]["remote_was_deleted"] is True
        after = {model: len(_by_remote_id(ledger, model)) for model in ("Invoice", "Contact", "Item")}
        assert after == {"Invoice": before["Invoice"] - 1, "Contact": before["Contact"] - 1, "Item": before["Item"]}

    def test_throttles_and_an_expired_token_are_waited_out(self, stack: Stack) -> None:
        ledger, sandbox = stack.ledgers["usa"], stack.sandbox
        company = sandbox.company("production", "CRONUS USA, Inc.")
        customer = sandbox.api("GET", company, "customers")["value"][1]
        sandbox.api("PATCH", company, f"customers({customer['id']})", json={"displayName": "Throttled Ltd"})
        throttled_before = sandbox.stats()["throttled"]
        oauth_before = _oauth_calls(sandbox)
        sandbox.control("limits", {"limit": 15, "window": 1, "enabled": True})
        sandbox.control("tokens/expire")
        try:
            stack.sync(ledger)
        finally:
            sandbox.control("limits", {"limit": 6000, "window": 300, "enabled": True})
        assert sandbox.stats()["throttled"] > throttled_before
        assert _oauth_calls(sandbox) > oauth_before  # the expired access token was refreshed
        assert _by_remote_id(ledger, "Contact")[customer["id"]]["name"] == "Throttled Ltd"
        account = ledger.get("account-details")
        assert account["status"] == "COMPLETE", account
