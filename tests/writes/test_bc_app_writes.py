"""Business Central writes through the real app and the sandbox in process, on SQLite and PostgreSQL: each object
made once at the sandbox, posted when asked, stored exactly as a sync stores it, patched on a fresh etag with a
stale one resolved, refused before BC when invalid, and made in bulk through ``$batch``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from bc_kit import BCKit, open_kit

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
