"""NetSuite end to end, every part a real process on loopback: ``ledgerport sandbox netsuite``, the API server, the
CLI (``orgs create``, ``accounts link --integration netsuite --sandbox`` by OAuth 2.0 and ``--tba``, ``sync``) and
``ledgerport worker``, on each reachable database.

* ``TestFullSync``: both links (OAuth 2.0 and TBA, the same NetSuite account) sync fully; the stored remote ids equal
  the sandbox's own (asked through SuiteQL); every common model the connector maps reads through the API and through
  Merge's official SDK, list and retrieve.
* ``TestIncrementalSync``: a memo edited and an invoice deleted through the sandbox's record API arrive with the next
  sync, which re-reads only what changed (its per-model counts) and leaves every other record untouched.
* ``TestConcurrencyLimit``: with the account's concurrency limit lowered to 1 (``/_sandbox/account``) and latency
  holding each slot, two fresh links syncing at once meet 429s and still end DONE with everything stored.
* ``TestExpiredRefreshToken``: the grant's tokens expired at the sandbox, the next sync fails and the account reads
  ``RELINK_NEEDED`` with one ongoing issue.

Ground truth is the sandbox's SuiteQL, read with a grant of its own (an accountant's other integration).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sync_harness
from sync_harness import Cli, Ledger, Process, start_sandbox, wait_for, wait_synced

from harness import Server, start_server
from ledgerport.connectors import CONNECTORS
from ledgerport.models import MODELS

pytestmark = pytest.mark.slow

SYNC_TIMEOUT = 120.0
MODELS_OF_NETSUITE = {mapping.model for mapping in CONNECTORS["netsuite"].mappings}
RECORDS = "/services/rest/record/v1"

TRUTH = {
    # common model -> SuiteQL of the ids the connector stores for it (remote ids are NetSuite's internal ids)
    "Invoice": "SELECT id FROM transaction WHERE type IN ('CustInvc', 'VendBill')",
    "Contact": "SELECT id FROM customer UNION SELECT id FROM vendor",
    "JournalEntry": "SELECT id FROM transaction WHERE type = 'Journal'",
    "ItemFulfillment": "SELECT id FROM transaction WHERE type = 'ItemShip'",
    "SalesOrder": "SELECT id FROM transaction WHERE type = 'SalesOrd'",
    "Employee": "SELECT id FROM employee",
}


# --------------------------------------------------------------------------------------------------------------------
# The sandbox as a process, and NetSuite's own API to it


class NetSuite(sync_harness.NetSuite):
    """The NetSuite sandbox, also edited through its record API as an accountant's other integration would."""

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(f"/_sandbox/{path}", json=body or {})
        assert response.status_code in {200, 204}, response.text
        return response.json() if response.content else None

    def ids(self, sql: str) -> set[str]:
        return {str(row["id"]) for row in self.query(sql)}

    def patch(self, record_type: str, record_id: str, body: dict[str, Any]) -> None:
        response = self.http.patch(f"{RECORDS}/{record_type}/{record_id}", json=body, headers=self.headers)
        assert response.status_code == 204, response.text

    def delete(self, record_type: str, record_id: str) -> None:
        response = self.http.delete(f"{RECORDS}/{record_type}/{record_id}", headers=self.headers)
        assert response.status_code == 204, response.text


def start_netsuite(log_dir: Path, seed: int = 11, size: str = "small") -> NetSuite:
    return start_sandbox(NetSuite, "netsuite", log_dir, "--seed", str(seed), "--size", size)


# --------------------------------------------------------------------------------------------------------------------
# The stack


@dataclass
class Stack:
    server: Server
    cli: Cli
    api_key: str
    netsuite: NetSuite
    log_dir: Path
    worker: Process | None = None

    def link(self, *, tba: bool) -> Ledger:
        args = ["accounts", "link", "--api-key", self.api_key, "--integration", "netsuite"]
        made = self.cli.json(*args, "--sandbox", self.netsuite.url, *(["--tba"] if tba else []))
        return Ledger(self.server.api, self.api_key, made["account_token"], made["linked_account_id"])

    def sync_with_worker(self, *ledgers: Ledger) -> None:
        """Queue a sync of each and run a worker until all are DONE."""
        since = time.time()
        queued = self.cli.json_all([["sync", "--account-token", ledger.account_token] for ledger in ledgers])
        assert all(answer["status"] == "QUEUED" for answer in queued), queued
        self.worker = self.cli.worker(concurrency=4)
        try:
            for ledger in ledgers:
                wait_synced(ledger, since=since, timeout=SYNC_TIMEOUT, worker=self.worker, models=MODELS_OF_NETSUITE)
        finally:
            self.worker.stop()
            self.worker = None

    def sync_here(self, ledger: Ledger) -> dict[str, Any]:
        """``ledgerport sync --wait``: the sync in the CLI's process, its report (records per model, requests)."""
        return self.cli.json("sync", "--account-token", ledger.account_token, "--wait", timeout=SYNC_TIMEOUT)


@pytest.fixture(scope="module")
def stack(own_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    log_dir = tmp_path_factory.mktemp("netsuite-e2e")
    extra = {
        "LEDGERPORT_SECRET_KEY_FILE": str(log_dir / "secret.key"),
        "LEDGERPORT_SYNC_INTERVAL_SECONDS": "3600",  # the schedule must not start syncs of its own mid-test
    }
    env = {**os.environ, "LEDGERPORT_DATABASE_URL": own_database_url, "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0", **extra}
    server = start_server(own_database_url, log_dir, **extra)
    netsuite = None
    try:
        netsuite = start_netsuite(log_dir)
        cli = Cli(env, log_dir)
        organization = cli.json("orgs", "create", "--name", "netsuite e2e")
        made = Stack(server, cli, organization["api_key"], netsuite, log_dir)
        try:
            yield made
        finally:
            if made.worker is not None:
                made.worker.stop()
    finally:
        if netsuite is not None:
            netsuite.close()
        server.stop()


@dataclass
class Linked:
    oauth: Ledger
    tba: Ledger
    full_requests: int


@pytest.fixture(scope="module")
def linked(stack: Stack) -> Linked:
    before = stack.netsuite.stats()["calls"]
    oauth, tba = stack.link(tba=False), stack.link(tba=True)
    stack.sync_with_worker(oauth, tba)
    return Linked(oauth, tba, stack.netsuite.stats()["calls"] - before)


def by_remote_id(ledger: Ledger, model: str) -> dict[str, dict[str, Any]]:
    return {record["remote_id"]: record for record in ledger.every(MODELS[model].path)}


# --------------------------------------------------------------------------------------------------------------------


class TestFullSync:
    @pytest.mark.parametrize("how", ["oauth", "tba"])
    def test_every_model_of_the_connector_is_done(self, linked: Linked, how: str) -> None:
        states = getattr(linked, how).sync_status()
        assert set(states) == MODELS_OF_NETSUITE
        assert {state["status"] for state in states.values()} == {"DONE"}

    @pytest.mark.parametrize("how", ["oauth", "tba"])
    @pytest.mark.parametrize("model", sorted(TRUTH))
    def test_store_equals_the_sandbox(self, stack: Stack, linked: Linked, how: str, model: str) -> None:
        held = by_remote_id(getattr(linked, how), model)
        live = {remote_id for remote_id, record in held.items() if not record["remote_was_deleted"]}
        assert sorted(live) == sorted(stack.netsuite.ids(TRUTH[model])), model

    def test_invoice_totals_are_the_sandboxes(self, stack: Stack, linked: Linked) -> None:
        truth = {
            str(row["id"]): Decimal(str(row["foreigntotal"]))
            for row in stack.netsuite.query(
                "SELECT id, foreigntotal FROM transaction WHERE type IN ('CustInvc', 'VendBill')"
            )
        }
        held = by_remote_id(linked.oauth, "Invoice")
        assert {rid: abs(Decimal(held[rid]["total_amount"])) for rid in truth} == {
            rid: abs(total) for rid, total in truth.items()
        }

    def test_every_common_model_reads_through_the_api(self, linked: Linked) -> None:
        for model in sorted(MODELS_OF_NETSUITE):
            spec = MODELS[model]
            listed = linked.oauth.get(spec.path, page_size=5, expand=",".join(spec.expand) or None)
            assert listed["results"], f"{model}: nothing listed"
            for record in listed["results"]:
                assert linked.oauth.get(f"{spec.path}/{record['id']}")["id"] == record["id"]
                assert record["remote_data"] is None  # asked for only with include_remote_data
            with_remote = linked.oauth.get(spec.path, page_size=5, include_remote_data="true")["results"]
            assert all(row["remote_data"] for row in with_remote), model

    def test_every_common_model_reads_through_merges_sdk(self, linked: Linked) -> None:
        sdk = linked.tba.sdk().accounting
        for model in sorted(MODELS_OF_NETSUITE):
            spec = MODELS[model]
            resource = getattr(sdk, spec.path.replace("-", "_"))
            if model == "CompanyInfo":
                listed = resource.list(page_size=5)
            else:
                listed = resource.list(page_size=5, include_deleted_data=True)
            assert listed.results, f"{model}: the SDK listed nothing"
            first = listed.results[0]
            assert resource.retrieve(first.id).remote_id == first.remote_id, model

    def test_tba_and_oauth_read_the_same_account(self, linked: Linked) -> None:
        for model in ("Invoice", "Payment", "Account"):
            oauth = by_remote_id(linked.oauth, model)
            tba = by_remote_id(linked.tba, model)
            assert sorted(oauth) == sorted(tba), model


# --------------------------------------------------------------------------------------------------------------------


@dataclass
class Incremental:
    edited: str
    deleted: str
    memo: str
    before: dict[str, dict[str, Any]]
    after: dict[str, dict[str, Any]]
    report: dict[str, Any]
    requests: int


@pytest.fixture(scope="module")
def incremental(stack: Stack, linked: Linked) -> Incremental:
    """Through the record API: one open invoice's memo edited, another deleted; then ``sync --wait``."""
    netsuite = stack.netsuite
    in_open_periods = (
        "SELECT t.id FROM transaction t JOIN accountingperiod p ON p.id = t.postingperiod"
        " WHERE t.type = 'CustInvc' AND p.closed = 'F' AND p.arlocked = 'F' AND p.alllocked = 'F'"
    )
    # NetSuite refuses deleting a document something is applied to, and writing in a closed or locked period.
    deletable = netsuite.ids(f"{in_open_periods} AND t.id NOT IN (SELECT previousdoc FROM previoustransactionlinelink)")
    editable = netsuite.ids(in_open_periods)
    assert deletable, "the seeded account has no deletable invoice in an open period"
    assert len(editable) >= 2, "the seeded account has too few invoices in open periods"
    deleted = min(deletable, key=int)
    edited = min(editable - {deleted}, key=int)
    memo = f"edited upstream {time.time_ns()}"
    before = by_remote_id(linked.oauth, "Invoice")
    netsuite.patch("invoice", edited, {"memo": memo})
    netsuite.delete("invoice", deleted)
    calls = netsuite.stats()["calls"]
    report = stack.sync_here(linked.oauth)
    requests = netsuite.stats()["calls"] - calls
    return Incremental(edited, deleted, memo, before, by_remote_id(linked.oauth, "Invoice"), report, requests)


class TestIncrementalSync:
    def test_the_edit_arrives(self, incremental: Incremental) -> None:
        assert incremental.report["status"] == "DONE"
        assert incremental.after[incremental.edited]["memo"] == incremental.memo
        assert (
            incremental.after[incremental.edited]["modified_at"] > incremental.before[incremental.edited]["modified_at"]
        )

    def test_the_deletion_is_found(self, linked: Linked, incremental: Incremental) -> None:
        assert incremental.before[incremental.deleted]["remote_was_deleted"] is False
        assert incremental.after[incremental.deleted]["remote_was_deleted"] is True
        sdk = linked.oauth.sdk().accounting.invoices
        stored_id = incremental.after[incremental.deleted]["id"]
        assert sdk.retrieve(stored_id).remote_was_deleted is True
        live = {invoice.remote_id for invoice in sdk.list(page_size=100).results or []}
        assert incremental.deleted not in live

    def test_only_the_changed_records_were_read_again(self, incremental: Incremental) -> None:
        records = incremental.report["records"]
        assert records["Invoice"] == 1, records  # the edit; the deletion is a deletedrecord row
        # Tax codes and groups have no lastmodifieddate: they are read whole every run (streams.py).
        assert {model: n for model, n in records.items() if n and model not in {"Invoice", "TaxRate"}} == {}

    def test_untouched_records_keep_their_modified_at(self, incremental: Incremental) -> None:
        moved = sorted(
            rid
            for rid, record in incremental.after.items()
            if record["modified_at"] != incremental.before[rid]["modified_at"]
        )
        assert moved == sorted([incremental.edited, incremental.deleted])

    def test_the_incremental_sync_costs_less_than_the_full_one(self, linked: Linked, incremental: Incremental) -> None:
        # the full sync read two links' worth; one link's incremental asks once per stream (nothing has a next page)
        assert 0 < incremental.requests < linked.full_requests / 2


# --------------------------------------------------------------------------------------------------------------------


@dataclass
class Throttled:
    ledgers: tuple[Ledger, Ledger]
    stats: dict[str, Any]


@pytest.fixture(scope="module")
def throttled(stack: Stack, linked: Linked, incremental: Incremental) -> Iterator[Throttled]:
    """Two fresh links' full syncs at once against a concurrency limit of 1, each call held 30 ms."""
    netsuite = stack.netsuite
    netsuite.control("account", {"concurrency": 1})
    netsuite.control("faults", {"latency_ms": 30})
    try:
        ledgers = (stack.link(tba=False), stack.link(tba=True))
        netsuite.http.delete("/_sandbox/stats")
        stack.sync_with_worker(*ledgers)
        yield Throttled(ledgers, netsuite.stats())
    finally:
        netsuite.control("account", {"concurrency": 5})
        netsuite.control("faults", {"latency_ms": 0})


class TestConcurrencyLimit:
    def test_the_limit_was_met(self, throttled: Throttled) -> None:
        assert throttled.stats["throttled"] > 0, throttled.stats
        assert throttled.stats["peakInFlight"] == 1

    def test_every_sync_completed_with_everything(self, stack: Stack, throttled: Throttled) -> None:
        for ledger in throttled.ledgers:
            states = ledger.sync_status()
            assert {state["status"] for state in states.values()} == {"DONE"}
            for model in ("Invoice", "Contact", "ItemFulfillment"):
                held = by_remote_id(ledger, model)
                live = {rid for rid, record in held.items() if not record["remote_was_deleted"]}
                assert sorted(live) == sorted(stack.netsuite.ids(TRUTH[model])), model
            assert ledger.get("issues", status="ONGOING", linked_account_id=ledger.account_id)["results"] == []


# --------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def expired(stack: Stack, linked: Linked, throttled: Throttled) -> dict[str, Any]:
    """Every token of the sandbox's grants expired (access and refresh), then the OAuth link's sync."""
    stack.netsuite.control("tokens/expire")
    stack.netsuite.control("tokens/expire-refresh")
    ledger = linked.oauth
    stack.cli.json("sync", "--account-token", ledger.account_token)
    stack.worker = stack.cli.worker(concurrency=2)
    try:

        def failed() -> dict[str, Any] | None:
            # the account first: the run writes its status and the models' FAILED in one transaction
            details = ledger.get("account-details")
            states = ledger.sync_status()
            settled = all(state["status"] != "SYNCING" for state in states.values())
            return {"states": states, "details": details} if settled and details["status"] == "RELINK_NEEDED" else None

        found = wait_for(failed, timeout=SYNC_TIMEOUT, what="the sync to fail asking for a relink")
    finally:
        stack.worker.stop()
        stack.worker = None
    found["issues"] = ledger.get("issues", status="ONGOING", linked_account_id=ledger.account_id)["results"]
    return found


class TestExpiredRefreshToken:
    def test_the_account_needs_relinking(self, expired: dict[str, Any]) -> None:
        assert expired["details"]["status"] == "RELINK_NEEDED"
        assert "FAILED" in {state["status"] for state in expired["states"].values()}

    def test_one_ongoing_issue_says_so(self, expired: dict[str, Any]) -> None:
        assert len(expired["issues"]) == 1, expired["issues"]
        assert "link" in expired["issues"][0]["error_description"].lower()

    def test_the_tba_link_is_not_affected(self, stack: Stack, linked: Linked, expired: dict[str, Any]) -> None:
        report = stack.sync_here(linked.tba)
        assert report["status"] == "DONE", report
