"""Every read Merge's official SDK offers, called through the SDK on accounts linked to QuickBooks and Xero sandbox
processes and synced: none may answer 404 or a server error, and each retrieve finds what its list returned. The
SDK's writes that no other test calls through the SDK are swept the same way, with the answers each must give.

The SDK is introspected, not listed by hand: a resource or operation added to ``mergepythonclient`` is swept
without a change here. What a sweep may not call is named below with the reason (it changes the account, or needs
an argument no list gives). The server reaches the sandboxes, so reads that ask the provider live (a company's
custom field definitions) are swept too.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from merge import Merge
from merge.core.api_error import ApiError
from merge.resources.accounting.types import (
    CreditNoteRequest,
    DataPassthroughRequest,
    ExpenseReportRequest,
    ItemFulfillmentBatchItemRequest,
    PatchedContactRequest,
    PatchedItemRequestRequest,
    PatchedPaymentRequest,
    PatchedVendorCreditRequest,
    SalesOrderBatchItemRequest,
)
from sync_harness import Cli, start_sandboxes

from harness import TEST_SEALING_KEY, Server, start_server

pytestmark = pytest.mark.slow

PROVIDERS = ("quickbooks", "xero")


NOT_READS = {
    ("account_token", "retrieve"): "needs a link's public token",
    ("delete_account", "delete"): "deletes the linked account",
    ("account_token", "regenerate_create"): "replaces the account token",
    ("force_resync", "sync_status_resync_create"): "queues a sync",
}
"""SDK operations that take no required argument but are not reads."""

ID_SOURCES = {
    ("addresses", "retrieve"): ("contacts", "addresses"),
    ("phone_numbers", "retrieve"): ("contacts", "phone_numbers"),
}
"""Retrieves of objects that have no list of their own: their ids are nested in another resource's records."""


def _resources(merge: Merge) -> Iterator[tuple[str, Any]]:
    accounting = merge.accounting
    for name in sorted(dir(accounting)):
        if name.startswith("_") or name == "with_raw_response":
            continue
        value = getattr(accounting, name)
        if hasattr(value, "with_raw_response"):
            yield name, value


def _required(method: Any) -> list[str]:
    signature = inspect.signature(method)
    return [
        p.name
        for p in signature.parameters.values()
        if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _is_read(name: str) -> bool:
    return name in ("list", "retrieve") or name.endswith(("_list", "_retrieve"))


def _results(page: Any) -> list[Any]:
    return list(getattr(page, "results", None) or [])


def _nested_ids(merge: Merge, resource: str, field: str) -> list[str]:
    ids: list[str] = []
    for record in _results(getattr(merge.accounting, resource).list(page_size=50)):
        ids += [item.id for item in getattr(record, field, None) or [] if getattr(item, "id", None)]
    return ids


class Sweep:
    """The answers of one sweep; a 404 or a server error is kept as a failure, every other answer is fine."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def call(self, label: str, call: Any) -> Any:
        try:
            return call()
        except ApiError as failed:
            if failed.status_code is None or failed.status_code == 404 or failed.status_code >= 500:
                self.failures.append(f"{label}: {failed.status_code} {failed.body}")
            return None


@dataclass
class Linked:
    server: Server
    api_key: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def linked(own_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Linked]:
    log_dir = tmp_path_factory.mktemp("sdk-sweep")
    sandboxes = start_sandboxes({key: (key, 3, "small") for key in PROVIDERS}, log_dir)
    server = None
    try:
        env = {**os.environ, "LEDGERPORT_DATABASE_URL": own_database_url, "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY}
        cli = Cli(env, log_dir)
        organization = cli.json("orgs", "create", "--name", "sdk sweep")
        tokens: dict[str, str] = {}
        for key, sandbox in sandboxes.items():
            made = cli.json(
                "accounts", "link", "--api-key", organization["api_key"], "--integration", key,
                "--sandbox", sandbox.url,
            )  # fmt: skip
            done = cli.json("sync", "--account-token", made["account_token"], "--wait", timeout=300)
            assert done["status"] == "DONE", done
            tokens[key] = made["account_token"]
        server = start_server(own_database_url, log_dir)
        yield Linked(server, organization["api_key"], tokens)
    finally:
        if server is not None:
            server.stop()
        for sandbox in sandboxes.values():
            sandbox.close()


def test_every_sdk_read_answers_on_every_account(linked: Linked) -> None:
    swept: dict[str, set[str]] = {}
    sweep = Sweep()
    for who, token in linked.tokens.items():
        merge = Merge(base_url=linked.server.api, api_key=linked.api_key, account_token=token)
        for resource, client in _resources(merge):
            listed: list[Any] = []
            for name, method in inspect.getmembers(client, inspect.ismethod):
                if name.startswith("_") or not _is_read(name) or (resource, name) in NOT_READS:
                    continue
                if not _required(method):
                    answer = sweep.call(f"{who}: {resource}.{name}", method)
                    if name == "list":
                        listed = _results(answer)
                    swept.setdefault(resource, set()).add(name)
            for name, method in inspect.getmembers(client, inspect.ismethod):
                required = _required(method) if _is_read(name) else []
                if len(required) != 1 or name == "bulk_retrieve" or (resource, name) in NOT_READS:
                    continue
                label = f"{who}: {resource}.{name}"
                source = ID_SOURCES.get((resource, name))
                ids = _nested_ids(merge, *source) if source else [record.id for record in listed]
                for wanted in ids[:2]:
                    found = sweep.call(label, lambda m=method, w=wanted: m(w))
                    if name == "retrieve" and found is not None and found.id != wanted:
                        sweep.failures.append(f"{label}({wanted}) answered {found.id}")
                swept.setdefault(resource, set()).add(name)
    assert not sweep.failures, "\n".join(sweep.failures)
    readable = {
        resource
        for resource, client in _resources(Merge(base_url=linked.server.api, api_key="unused"))
        for name, _ in inspect.getmembers(client, inspect.ismethod)
        if _is_read(name) and (resource, name) not in NOT_READS
    }
    assert sorted(readable - set(swept)) == [], "SDK resources with reads that were never swept"


def test_a_retrieve_of_an_unknown_id_is_404(linked: Linked) -> None:
    merge = Merge(base_url=linked.server.api, api_key=linked.api_key, account_token=linked.tokens["xero"])
    unknown = "00000000-0000-4000-8000-000000000000"
    answered: dict[str, int | None] = {}
    for resource, client in _resources(merge):
        retrieve = getattr(client, "retrieve", None)
        if retrieve is None or _required(retrieve) != ["id"]:
            continue
        try:
            retrieve(unknown)
            answered[resource] = 200
        except ApiError as failed:
            answered[resource] = failed.status_code
    assert {resource: status for resource, status in answered.items() if status != 404} == {}


PATCHES = {
    "credit_notes": CreditNoteRequest(number="SWEPT-1"),
    "items": PatchedItemRequestRequest(name="Swept item"),
    "payments": PatchedPaymentRequest(transaction_date="2026-12-01T00:00:00Z"),
    "vendor_credits": PatchedVendorCreditRequest(number="SWEPT-2"),
}
PASSTHROUGH = {"quickbooks": "/query?query=select * from CompanyInfo", "xero": "/Organisation"}
ENDPOINTS = {"quickbooks": "/query", "xero": "/Invoices"}


def _sweep_writes(sweep: Sweep, linked: Linked, who: str, token: str) -> None:
    """One account's writes (see below)."""
    merge = Merge(base_url=linked.server.api, api_key=linked.api_key, account_token=token)
    accounting = merge.accounting
    contact = _results(accounting.contacts.list(page_size=1))[0]
    changed = PatchedContactRequest(name=f"{contact.name} (swept)")
    sweep.call(f"{who}: contacts.partial_update", lambda: accounting.contacts.partial_update(contact.id, model=changed))
    for resource, patch in PATCHES.items():
        client = getattr(accounting, resource)
        for record in _results(client.list(page_size=1)):
            sweep.call(
                f"{who}: {resource}.partial_update",
                lambda c=client, r=record, p=patch: c.partial_update(r.id, model=p),
            )
    report = ExpenseReportRequest(
        description="Travel", total_amount=12.5, report_date="2026-12-01T00:00:00Z", tracking_categories=[]
    )
    sweep.call(f"{who}: expense_reports.create", lambda: accounting.expense_reports.create(model=report))
    for resource, kind in (
        ("item_fulfillments", ItemFulfillmentBatchItemRequest),
        ("sales_orders", SalesOrderBatchItemRequest),
    ):
        batch = [kind(item_id="swept-1", payload={})]
        sweep.call(
            f"{who}: {resource}.bulk_create",
            lambda r=resource, b=batch: getattr(accounting, r).bulk_create(batch_items=b),
        )

    relayed = accounting.passthrough.create(request=DataPassthroughRequest(method="GET", path=PASSTHROUGH[who]))
    assert relayed.status == 200, relayed
    receipt = accounting.async_passthrough.create(request=DataPassthroughRequest(method="GET", path=PASSTHROUGH[who]))
    assert receipt.async_passthrough_receipt_id
    sweep.call(
        f"{who}: async_passthrough.retrieve",
        lambda: accounting.async_passthrough.retrieve(str(receipt.async_passthrough_receipt_id)),
    )

    mapping = accounting.field_mapping.field_mappings_create(
        target_field_name=f"swept_{who}",
        target_field_description="what the sweep mapped",
        remote_field_traversal_path=["Id" if who == "quickbooks" else "InvoiceID"],
        remote_method="GET",
        remote_url_path=ENDPOINTS[who],
        common_model_name="Invoice",
    )
    made = mapping.model
    assert made is not None
    assert made.id
    moved = accounting.field_mapping.field_mappings_partial_update(
        str(made.id), remote_field_traversal_path=["DocNumber" if who == "quickbooks" else "InvoiceNumber"]
    )
    assert moved.model is not None
    assert moved.model.remote_field is not None
    accounting.field_mapping.field_mappings_destroy(str(made.id))
    assert str(made.id) not in {str(m.id) for m in accounting.field_mapping.field_mappings_retrieve().invoice or []}

    assert accounting.generate_key.create(name=f"sweep {who}").key
    rotated = accounting.regenerate_key.create(name=f"sweep {who} rotated").key
    assert rotated
    with pytest.raises(ApiError) as revoked:  # the key that asked is revoked by its rotation
        accounting.invoices.list(page_size=1)
    assert revoked.value.status_code == 401
    linked.api_key = rotated
    accounting = Merge(base_url=linked.server.api, api_key=rotated, account_token=token).accounting

    fresh = accounting.account_token.regenerate_create().account_token
    assert fresh
    assert fresh != token
    with pytest.raises(ApiError) as refused:
        accounting.invoices.list(page_size=1)
    assert refused.value.status_code == 401
    linked.tokens[who] = fresh
    again = Merge(base_url=linked.server.api, api_key=linked.api_key, account_token=fresh)
    assert _results(again.accounting.invoices.list(page_size=1))


def test_every_sdk_write_no_other_test_calls_answers(linked: Linked) -> None:
    """Through the SDK: updates of each model (a provider that cannot change one says so with a 4xx), creates of
    models the provider does not keep, passthrough (sync and async), field mappings, remote keys, and a new account
    token that works where the old one no longer does."""
    sweep = Sweep()
    for who, token in list(linked.tokens.items()):
        _sweep_writes(sweep, linked, who, token)
    assert not sweep.failures, "\n".join(sweep.failures)
