"""Applying a credit note (and a supplier credit) to an invoice (a bill) at Xero through the real app: Merge's
``POST /credit-notes/{id}/application`` becomes an Allocation, the credit note and the invoice read back as Xero now
keeps them, and what Xero refuses (too much, another contact) reaches the caller in Merge's shape with nothing
changed at Xero."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from merge import AsyncMerge
from xero_kit import API, XeroKit, open_kit

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY = "2025-03-03T00:00:00Z"


@pytest.fixture(scope="module")
async def kit(database_url: str) -> AsyncIterator[XeroKit]:
    async with open_kit(database_url) as opened:
        yield opened


async def _contact(kit: XeroKit, *, customer: bool) -> str:
    contacts = [c for c in await kit.all("contacts") if c["status"] == "ACTIVE"]
    return next(c["id"] for c in contacts if (c["is_customer"] if customer else c["is_supplier"]))


async def _account(kit: XeroKit, number: str) -> str:
    return next(a["id"] for a in await kit.all("accounts") if a["account_number"] == number)


async def _made(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()["model"]


async def _apply(kit: XeroKit, path: str, credit_id: str, invoice_id: str, amount: str) -> httpx.Response:
    body = {"invoice": invoice_id, "applied_date": DAY, "applied_amount": amount}
    return await kit.api.post(f"{API}/{path}/{credit_id}/application", json=body)


async def _documents(kit: XeroKit, *, sales: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """An approved invoice (or bill) of 200.00 and an approved credit of 50.00 for the same contact."""
    contact = await _contact(kit, customer=sales)
    account = await _account(kit, "200" if sales else "429")
    invoice = await _made(
        await kit.create(
            "invoices",
            {
                "type": "ACCOUNTS_RECEIVABLE" if sales else "ACCOUNTS_PAYABLE",
                "number": None if sales else "SUP-777",
                "contact": contact,
                "issue_date": DAY,
                "due_date": "2025-04-02T00:00:00Z",
                "status": "OPEN",
                "line_items": [{"description": "Work", "quantity": 1, "unit_price": 200, "account": account}],
            },
        )
    )
    if sales:
        credit = await _made(
            await kit.create(
                "credit-notes",
                {
                    "contact": contact,
                    "transaction_date": DAY,
                    "status": "AUTHORIZED",
                    "line_items": [{"description": "Back", "quantity": 1, "unit_price": 50, "account": account}],
                },
            )
        )
    else:
        credit = await _made(
            await kit.create(
                "vendor-credits",
                {
                    "vendor": contact,
                    "number": "VC-APPLY-1",
                    "transaction_date": DAY,
                    "lines": [{"net_amount": 50, "description": "Damaged", "account": account}],
                },
            )
        )
    if not sales:
        _approve(kit, credit["remote_id"])  # Merge's vendor credit has no status: a user approves it in Xero
    return invoice, credit


def _approve(kit: XeroKit, credit_note_id: str) -> None:
    notes = kit.sandbox.tenants[kit.tenant_id].collections["CreditNotes"]
    slot = notes.find(credit_note_id)
    assert slot is not None
    notes.put({**notes.get(slot), "Status": "AUTHORISED"}, int(time.time() * 1000), slot)


async def test_a_credit_note_applied_to_an_invoice(kit: XeroKit) -> None:
    invoice, credit = await _documents(kit, sales=True)
    due = Decimal(str(invoice["balance"]))
    response = await _apply(kit, "credit-notes", credit["id"], invoice["id"], "30.00")
    model = await _made(response)
    assert set(response.json()) == {"model", "warnings", "errors"}
    assert model["id"] == credit["id"]
    total = Decimal(str(credit["total_amount"]))
    assert Decimal(str(model["remaining_credit"])) == total - 30
    (line,) = model["applied_to_lines"]
    assert (line["invoice"], Decimal(line["applied_amount"])) == (invoice["id"], Decimal("30.00"))
    assert await kit.get(f"credit-notes/{credit['id']}") == {**model, "remote_data": None}
    after = await kit.get(f"invoices/{invoice['id']}")
    assert Decimal(str(after["balance"])) == due - Decimal("30.00")
    assert [a["credit_note"] for a in after["applied_credit_notes"]] == [credit["id"]]
    (note,) = [n for n in await kit.dump("CreditNotes") if n["CreditNoteID"] == credit["remote_id"]]
    assert Decimal(str(note["RemainingCredit"])) == total - 30

    rest = await _made(await _apply(kit, "credit-notes", credit["id"], invoice["id"], str(total - 30)))
    assert rest["status"] == "PAID"
    assert Decimal(str(rest["remaining_credit"])) == 0


async def test_too_much_is_refused_in_merges_shape_and_nothing_changes(kit: XeroKit) -> None:
    invoice, credit = await _documents(kit, sales=True)
    before = (await kit.dump("CreditNotes"), await kit.dump("Invoices"))
    too_much = Decimal(str(credit["total_amount"])) + Decimal("0.01")
    response = await _apply(kit, "credit-notes", credit["id"], invoice["id"], str(too_much))
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"warnings", "errors"}
    (error,) = body["errors"]
    assert error["problem_type"] == "PROVIDER_ERROR"
    assert error["detail"] == "The amount allocated cannot exceed the remaining credit on the credit note"
    assert (await kit.dump("CreditNotes"), await kit.dump("Invoices")) == before
    assert await kit.get(f"credit-notes/{credit['id']}") == {**credit, "remote_data": None}


async def test_the_application_is_checked_before_xero(kit: XeroKit) -> None:
    invoice, credit = await _documents(kit, sales=True)
    before = await kit.dump("CreditNotes")
    path = f"{API}/credit-notes/{credit['id']}/application"
    missing = await kit.api.post(path, json={"applied_date": DAY, "applied_amount": "5"})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["problem_type"] == "MISSING_REQUIRED_FIELD"
    assert missing.json()["errors"][0]["source"]["pointer"] == "/invoice"
    negative = await _apply(kit, "credit-notes", credit["id"], invoice["id"], "-5")
    assert negative.json()["errors"][0]["title"] == "Invalid Amount"
    stranger = await _apply(kit, "credit-notes", credit["id"], credit["id"], "5")
    assert stranger.json()["errors"][0]["problem_type"] == "INVALID_REFERENCE"
    unknown = await kit.api.post(f"{API}/credit-notes/{invoice['id']}/application", json={"applied_date": DAY})
    assert unknown.status_code == 400  # applied_amount is required by Merge's body
    gone = await _apply(kit, "credit-notes", invoice["id"], invoice["id"], "5")
    assert gone.status_code == 404
    assert await kit.dump("CreditNotes") == before


async def test_a_supplier_credit_applied_to_a_bill(kit: XeroKit) -> None:
    bill, credit = await _documents(kit, sales=False)
    total = str(credit["total_amount"])
    model = await _made(await _apply(kit, "vendor-credits", credit["id"], bill["id"], total))
    (line,) = model["applied_to_lines"]
    assert line["invoice"] == bill["id"]
    after = await kit.get(f"invoices/{bill['id']}")
    assert Decimal(str(after["balance"])) == Decimal(str(bill["balance"])) - Decimal(total)
    again = await _apply(kit, "vendor-credits", credit["id"], bill["id"], "1.00")
    assert again.status_code == 400
    assert any("remaining credit" in e["detail"] for e in again.json()["errors"])


async def test_a_credit_is_not_applied_to_a_bill(kit: XeroKit) -> None:
    bill, _ = await _documents(kit, sales=False)
    _, credit = await _documents(kit, sales=True)
    refused = await _apply(kit, "credit-notes", credit["id"], bill["id"], "5.00")
    assert refused.status_code == 400
    details = [e["detail"] for e in refused.json()["errors"]]
    assert "A ACCRECCREDIT credit note cannot be allocated to a ACCPAY invoice" in details


async def test_merges_sdk_applies_a_vendor_credit(kit: XeroKit) -> None:
    bill, credit = await _documents(kit, sales=False)
    client = AsyncMerge(
        api_key=kit.api.headers["Authorization"].removeprefix("Bearer "),
        account_token=kit.api.headers["X-Account-Token"],
        base_url=f"{kit.api.base_url}".rstrip("/") + "/api",
        httpx_client=kit.api,  # the app, in process
    )
    answer = await client.accounting.vendor_credits.application_create(
        credit["id"], invoice=bill["id"], applied_date=datetime(2025, 3, 4, tzinfo=UTC), applied_amount="12.5"
    )
    assert answer.model.id == credit["id"]
    (line,) = answer.model.applied_to_lines
    assert (line.invoice, Decimal(line.applied_amount)) == (bill["id"], Decimal("12.50"))
    after = await kit.get(f"invoices/{bill['id']}")
    assert Decimal(str(after["balance"])) == Decimal(str(bill["balance"])) - Decimal("12.50")
