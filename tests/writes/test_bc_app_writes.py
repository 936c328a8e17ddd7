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
