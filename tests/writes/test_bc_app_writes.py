"""Business Central writes through the real app and the sandbox in process, on SQLite and PostgreSQL: each object
made once at the sandbox, posted when asked, stored exactly as a sync stores it, patched on a fresh etag with a
stale one resolved, refused before BC when invalid, and made in bulk through ``$batch``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from bc_kit import API, BCKit, open_kit

from ledgerport.connectors.business_central.writer import WRITER
from ledgerport.connectors.business_central.writes import WRITES
from ledgerport.remote import open_provider

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY = "2025-03-03T00:00:00Z"


@dataclass
class Refs:
    """Record ids of the synced company that requests point at."""

    customer: str
    vendor: str
    accounts: dict[str, str]
    items: list[str]


@pytest.fixture(scope="module")
async def kit(database_url: str) -> AsyncIterator[BCKit]:
    async with open_kit(database_url) as opened:
        yield opened


@pytest.fixture(scope="module")
async def refs(kit: BCKit) -> Refs:
    contacts = [c for c in await kit.all("contacts") if c["status"] == "ACTIVE"]
    accounts = await kit.all("accounts")
    return Refs(
        customer=next(c["id"] for c in contacts if c["is_customer"]),
        vendor=next(c["id"] for c in contacts if c["is_supplier"]),
        accounts={a["account_number"]: a["id"] for a in accounts if a["type"] == "Posting"},
        items=[i["id"] for i in await kit.all("items") if i["status"] == "ACTIVE"],
    )


async def written(kit: BCKit, path: str, response: httpx.Response, status: int = 201) -> dict[str, Any]:
    """The answer's model, after checking it is what ``GET /<path>/{id}`` now returns (remote data included)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["errors"] == [], body
    model = body["model"]
    assert model["remote_id"]
    assert await kit.get(f"{path}/{model['id']}", include_remote_data="true") == model
    return model


async def test_an_invoice_is_made_once_as_a_draft_and_stored_as_a_sync_stores_it(kit: BCKit, refs: Refs) -> None:
    before = await kit.counts()
    model = {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": refs.customer,
        "issue_date": DAY,
        "memo": "PO 4711",
        "line_items": [{"item": refs.items[0], "quantity": "2", "unit_price": "10.50", "description": "Chairs"}],
    }
    made = await written(kit, "invoices", await kit.create("invoices", model))
    assert made["status"] == "DRAFT"
    assert made["total_amount"] is not None
    after = await kit.counts()
    assert after["salesInvoices"] == before["salesInvoices"] + 1
    await kit.sync()
    assert await kit.get(f"invoices/{made['id']}", include_remote_data="true") == made


def _invoice(refs: Refs, **extra: Any) -> dict[str, Any]:
    return {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": refs.customer,
        "issue_date": DAY,
        "line_items": [{"item": refs.items[0], "quantity": "1", "unit_price": "100"}],
        **extra,
    }


async def test_status_open_posts_the_invoice(kit: BCKit, refs: Refs) -> None:
    made = await written(kit, "invoices", await kit.create("invoices", _invoice(refs, status="OPEN")))
    assert made["status"] == "OPEN"
    row = next(r for r in kit.rows("salesInvoices") if r["id"] == made["remote_id"])
    assert row["status"] == "Open"


async def test_a_create_whose_answer_was_lost_is_found_not_made_again(kit: BCKit, refs: Refs) -> None:
    before = await kit.counts()
    kit.transport.lose = lambda request: request.method == "POST" and request.url.endswith("/salesInvoices")
    try:
        first = await kit.create("invoices", _invoice(refs), idempotency_key="lost-1")
    finally:
        kit.transport.lose = None
    # The POST reached BC; the look-up after the lost answer finds what it made.
    made = await written(kit, "invoices", first)
    again = await kit.create("invoices", _invoice(refs), idempotency_key="lost-1")
    assert again.json()["model"]["id"] == made["id"]
    assert (await kit.counts())["salesInvoices"] == before["salesInvoices"] + 1


async def test_a_patch_sends_the_fresh_etag_and_a_stale_one_is_resolved(kit: BCKit, refs: Refs) -> None:
    made = await written(kit, "invoices", await kit.create("invoices", _invoice(refs)))
    raced = []

    def someone_else(request: Any) -> None:
        # Between our read of the etag and our PATCH, another user changes another field of the invoice.
        if request.method == "PATCH" and not raced:
            raced.append(request)
            change_row(kit, "salesInvoices", made["remote_id"], {"customerPurchaseOrderReference": "THEIRS"})

    kit.transport.before = someone_else
    try:
        response = await kit.patch("invoices", made["id"], {"due_date": "2025-04-30T00:00:00Z"})
    finally:
        kit.transport.before = None
    patched = await written(kit, "invoices", response, 200)
    assert raced
    assert patched["due_date"].startswith("2025-04-30")
    assert patched["memo"] == "THEIRS"  # their change kept


async def test_a_patch_of_a_field_someone_else_changed_is_a_conflict(kit: BCKit, refs: Refs) -> None:
    made = await written(kit, "invoices", await kit.create("invoices", _invoice(refs, memo="OURS")))

    def someone_else(request: Any) -> None:
        if request.method == "PATCH":
            change_row(kit, "salesInvoices", made["remote_id"], {"customerPurchaseOrderReference": "THEIRS"})

    kit.transport.before = someone_else
    try:
        response = await kit.patch("invoices", made["id"], {"memo": "MINE"})
    finally:
        kit.transport.before = None
    assert response.status_code == 409, response.text
    assert "customerPurchaseOrderReference" in response.text
    row = next(r for r in kit.rows("salesInvoices") if r["id"] == made["remote_id"])
    assert row["customerPurchaseOrderReference"] == "THEIRS"


def change_row(kit: BCKit, entity_set: str, row_id: str, values: dict[str, Any]) -> None:
    """Another user's change at BC: the values set and the row's version (its etag) moved on."""
    company = kit.company()
    table = company.tables[entity_set]
    row = table.rows[row_id]
    for name, value in values.items():
        row[table.pos[name]] = value
    company.touch(table, row, kit.sandbox_now())


async def test_a_journal_entry_is_a_batch_of_lines_posted_when_asked(kit: BCKit, refs: Refs) -> None:
    debit, credit = list(refs.accounts.values())[:2]
    lines = [
        {"account": debit, "net_amount": 250, "description": "Accrual"},
        {"account": credit, "net_amount": -250, "description": "Accrual"},
    ]
    model = {"memo": "Month end", "transaction_date": DAY, "lines": lines}
    made = await written(kit, "journal-entries", await kit.create("journal-entries", model))
    assert [line["net_amount"] for line in made["lines"]] == [250, -250]
    ledger = len(kit.rows("generalLedgerEntries"))
    posted = await written(
        kit, "journal-entries", await kit.create("journal-entries", {**model, "posting_status": "POSTED"})
    )
    assert posted["lines"] == []  # BC moved them into the general ledger
    assert len(kit.rows("generalLedgerEntries")) == ledger + 2


async def test_an_unbalanced_journal_entry_is_refused_before_bc(kit: BCKit, refs: Refs) -> None:
    before = await kit.counts()
    debit = next(iter(refs.accounts.values()))
    model = {"memo": "Oops", "lines": [{"account": debit, "net_amount": "10"}]}
    response = await kit.create("journal-entries", model)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["title"] == "Journal Lines Do Not Balance"
    assert await kit.counts() == before


async def test_a_customer_payment_is_a_negative_journal_line_applied_to_a_posted_invoice(
    kit: BCKit, refs: Refs
) -> None:
    invoice = await written(kit, "invoices", await kit.create("invoices", _invoice(refs, status="OPEN")))
    model = {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": refs.customer,
        "transaction_date": DAY,
        "total_amount": 40,
        "applied_to_lines": [{"related_object_id": invoice["id"], "applied_amount": "40"}],
    }
    made = await written(kit, "payments", await kit.create("payments", model))
    assert made["total_amount"] == 40
    row = next(r for r in kit.rows("customerPayments") if r["id"] == made["remote_id"])
    assert float(row["amount"]) == -40
    assert row["appliesToInvoiceId"] == invoice["remote_id"]
    await kit.sync()
    assert await kit.get(f"payments/{made['id']}", include_remote_data="true") == made


async def test_contacts_are_customers_or_vendors_and_items_are_items(kit: BCKit, refs: Refs) -> None:
    before = await kit.counts()
    customer = await written(
        kit,
        "contacts",
        await kit.create(
            "contacts",
            {
                "name": "Fabrikam Writes",
                "is_customer": True,
                "email_address": "ap@fabrikam.example",
                "addresses": [{"street_1": "1 Main St", "city": "Atlanta", "zip_code": "30301"}],
                "phone_numbers": [{"number": "555-0100", "type": "PHONE"}],
            },
        ),
    )
    assert customer["is_customer"]
    assert customer["addresses"][0]["city"] == "Atlanta"
    vendor = await written(kit, "contacts", await kit.create("contacts", {"name": "Supplies Ltd", "is_supplier": True}))
    assert vendor["is_supplier"]
    item = await written(
        kit, "items", await kit.create("items", {"name": "Desk lamp", "type": "INVENTORY", "unit_price": "39.99"})
    )
    assert item["unit_price"] == 39.99
    archived = await written(kit, "contacts", await kit.patch("contacts", vendor["id"], {"status": "ARCHIVED"}), 200)
    assert archived["status"] == "ARCHIVED"
    after = await kit.counts()
    assert (after["customers"], after["vendors"], after["items"]) == (
        before["customers"] + 1,
        before["vendors"] + 1,
        before["items"] + 1,
    )
    missing = await kit.create("contacts", {"is_customer": True})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["problem_type"] == "MISSING_REQUIRED_FIELD"


async def test_credit_notes_and_purchase_orders(kit: BCKit, refs: Refs) -> None:
    line = {"item": refs.items[0], "quantity": "1", "unit_price": "20"}
    credit = await written(
        kit,
        "credit-notes",
        await kit.create(
            "credit-notes",
            {"contact": refs.customer, "transaction_date": DAY, "status": "AUTHORIZED", "line_items": [line]},
        ),
    )
    assert credit["status"] == "AUTHORIZED"
    order = await written(
        kit,
        "purchase-orders",
        await kit.create("purchase-orders", {"vendor": refs.vendor, "issue_date": DAY, "line_items": [line]}),
    )
    assert order["status"] == "DRAFT"
    assert order["purchase_order_number"]
    both = {**line, "account": next(iter(refs.accounts.values()))}
    refused = await kit.create("purchase-orders", {"vendor": refs.vendor, "line_items": [both]})
    assert refused.status_code == 400
    assert "Specify only one of them" in refused.text


async def test_meta_and_available_actions_come_from_the_tables(kit: BCKit) -> None:
    meta = await kit.get("invoices/meta/post")
    schema = meta["request_schema"]["properties"]["model"]
    assert "contact" in schema["required"]
    assert schema["properties"]["status"]["enum"][:2] == ["DRAFT", "OPEN"] or "OPEN" in str(
        schema["properties"]["status"]
    )
    actions = await kit.get("available-actions")
    ops = {op["model_name"]: op for op in actions["available_model_operations"]}
    assert "CREATE" in ops["Invoice"]["available_operations"]
    assert "CREATE" not in ops["Account"]["available_operations"]  # the chart of accounts is read-only in v2.0
    assert "CREATE" not in ops.get("Expense", {}).get("available_operations", [])


async def test_invoices_in_bulk_through_one_batch_each_answered_on_its_own(kit: BCKit, refs: Refs) -> None:
    from test_bulk_xero import run_to_the_end  # the same worker loop

    before = await kit.counts()
    good = _invoice(refs)
    posted = _invoice(refs, status="OPEN")
    bad = {**_invoice(refs), "line_items": [{"item": refs.items[0], "quantity": "1", "unit_price": "1"}]}
    bad["currency"] = "XXX"  # no such currency at BC
    items = [{"item_id": f"i-{n}", "payload": p} for n, p in enumerate([good, posted, bad])]
    response = await kit.api.post(f"{API}/invoices/bulk", json={"batch_items": items})
    assert response.status_code == 202, response.text
    done = await run_to_the_end(kit, "invoices", str(response.json()["batch_id"]))  # type: ignore[arg-type]
    statuses = [o["status"] for o in done["objects"]]
    assert statuses == ["SUCCESS", "SUCCESS", "FAILURE"], done
    assert (await kit.counts())["salesInvoices"] == before["salesInvoices"] + 2
    second = await kit.get(f"invoices/{done['objects'][1]['response']['merge_common_model_id']}")
    assert second["status"] == "OPEN"


async def test_a_chunk_sent_again_makes_only_what_the_first_sending_did_not(kit: BCKit, refs: Refs) -> None:
    """The first ``$batch``'s answer is lost after BC made its invoices: they are found by their keys; the chunk
    sent again (same key) makes nothing new, and each answer is the record as the sync reads it."""
    opened = await open_provider(kit.deps, kit.account_id)
    target = WRITES["Invoice"].targets[0]
    customer = next(r["id"] for r in kit.rows("customers"))
    item = next(r["id"] for r in kit.rows("items"))
    payloads = [
        {"customerId": customer, "salesInvoiceLines": [{"itemId": item, "quantity": 1, "unitPrice": 5}]}
        for _ in range(3)
    ]
    before = await kit.counts()
    key = uuid.uuid4().hex
    kit.transport.lose = lambda request: request.url.endswith("/$batch")
    try:
        first = await WRITER.create_many(opened.client, target, payloads, key)
    finally:
        kit.transport.lose = None
    assert (await kit.counts())["salesInvoices"] == before["salesInvoices"] + 3
    answers = await WRITER.create_many(opened.client, target, payloads, key)
    assert (await kit.counts())["salesInvoices"] == before["salesInvoices"] + 3
    assert [a["id"] for a in answers] == [a["id"] for a in first]
    assert len({a["id"] for a in answers}) == 3
    assert all(a["salesInvoiceLines"] for a in answers)


async def test_a_create_retried_with_the_same_key_finds_the_first(kit: BCKit) -> None:
    opened = await open_provider(kit.deps, kit.account_id)
    before = await kit.counts()
    key = uuid.uuid4().hex
    for target in (WRITES["Contact"].targets[1], WRITES["PurchaseOrder"].targets[0]):
        body = (
            {"displayName": "Retried Supplies"}
            if target.entity == "vendors"
            else {"vendorId": next(r["id"] for r in kit.rows("vendors"))}
        )
        made = await WRITER.create(opened.client, target, body, key)
        retried = await WRITER.create(opened.client, target, body, key)
        assert retried["id"] == made["id"]
    after = await kit.counts()
    assert (after["vendors"], after["purchaseOrders"]) == (before["vendors"] + 1, before["purchaseOrders"] + 1)
