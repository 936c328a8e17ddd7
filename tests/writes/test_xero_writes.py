"""Every Xero write through the real app: created (and patched) in Merge's request shape, answered with the object
Xero made, readable at once, stored as a sync stores it, refused before Xero when invalid, and refused by Xero
with Xero's own words when Xero says no.

Each test counts objects at the sandbox (its ``/_sandbox/`` controls) before and after, so "exactly one new
object" and "the sandbox untouched" are facts about the provider, not about ledgerport's store.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from xero_kit import API, XeroKit, open_kit

from ledgerport.connectors.xero.writer import WRITER
from ledgerport.connectors.xero.writes import WRITES
from ledgerport.remote import open_provider

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY = "2025-03-03T00:00:00Z"


@dataclass
class Refs:
    """Record ids of the synced organisation that requests point at."""

    customer: str
    supplier: str
    accounts: dict[str, str]
    tax_rates: dict[str, str]
    options: dict[str, str]
    categories: dict[str, str]
    items: dict[str, str]


@pytest.fixture(scope="module")
async def kit(database_url: str) -> AsyncIterator[XeroKit]:
    async with open_kit(database_url) as opened:
        yield opened


@pytest.fixture(scope="module")
async def refs(kit: XeroKit) -> Refs:
    contacts = [c for c in await kit.all("contacts") if c["status"] == "ACTIVE"]
    tracking = await kit.all("tracking-categories")
    return Refs(
        customer=next(c["id"] for c in contacts if c["is_customer"]),
        supplier=next(c["id"] for c in contacts if c["is_supplier"]),
        accounts={a["account_number"]: a["id"] for a in await kit.all("accounts")},
        tax_rates={t["remote_id"]: t["id"] for t in await kit.all("tax-rates")},
        options={t["name"]: t["id"] for t in tracking if t["parent_category"]},
        categories={t["name"]: t["id"] for t in tracking if not t["parent_category"]},
        items={i["name"]: i["id"] for i in await kit.all("items")},
    )


# --- what every write must leave behind ----------------------------------------------------------------------------


async def written(kit: XeroKit, path: str, response: httpx.Response, status: int = 201) -> dict[str, Any]:
    """The answer's model, after checking it is what ``GET /<path>/{id}`` now returns (remote data included)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["errors"] == [], body
    model = body["model"]
    assert model["remote_id"]
    assert model["remote_data"][0]["data"]
    assert await kit.get(f"{path}/{model['id']}", include_remote_data="true") == model
    return model


async def one_more(kit: XeroKit, before: dict[str, int], collection: str) -> None:
    """The sandbox holds exactly one new object, in ``collection``, and nothing else appeared."""
    assert await kit.counts() == {**before, collection: before[collection] + 1}


async def sync_keeps(kit: XeroKit, path: str, model: dict[str, Any]) -> None:
    """The next sync finds the written object, stores the very same record, and makes no second one."""
    listed = await kit.all(path, include_remote_data="true")
    synced = next(r for r in listed if r["id"] != model["id"])
    assert model["remote_data"][0]["path"] == synced["remote_data"][0]["path"]  # named as the sync names it
    await kit.sync()
    again = await kit.all(path)
    assert len(again) == len(listed)
    assert [r["id"] for r in again if r["remote_id"] == model["remote_id"]] == [model["id"]]
    after = await kit.get(f"{path}/{model['id']}", include_remote_data="true")
    assert after["modified_at"] == model["modified_at"], "the sync stored another record than the write did"
    assert after == model


def problems(response: httpx.Response, status: int = 400) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    return response.json()["errors"]


async def refused(kit: XeroKit, response: httpx.Response, before: dict[str, int], status: int = 400) -> list[Any]:
    """The request was refused and the sandbox holds what it held."""
    errors = problems(response, status)
    assert errors
    assert await kit.counts() == before
    return errors


def provider_says(errors: list[dict[str, Any]], message: str) -> None:
    assert {"problem_type": "PROVIDER_ERROR", "detail": message}.items() <= errors[0].items(), errors
    assert any(e["detail"] == message for e in errors)


# --- invoices and bills ----------------------------------------------------------------------------------------------


def _invoice(refs: Refs, **fields: Any) -> dict[str, Any]:
    return {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": refs.customer,
        "issue_date": DAY,
        "due_date": "2025-04-02T00:00:00Z",
        "currency": "AUD",
        "memo": "PO 4471",
        "line_items": [
            {
                "description": "Design work",
                "quantity": 3,
                "unit_price": 120,
                "account": refs.accounts["200"],
                "tax_rate": refs.tax_rates["OUTPUT"],
                "tracking_categories": [refs.options["North"], refs.options["Sales"]],
            },
            {"item": refs.items["Widget"], "quantity": 2, "account": refs.accounts["200"]},
        ],
        **fields,
    }


async def test_invoice_create_read_sync(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    model = await written(kit, "invoices", await kit.create("invoices", _invoice(refs, status="OPEN")))
    await one_more(kit, before, "Invoices")
    assert model["type"] == "ACCOUNTS_RECEIVABLE"
    assert model["status"] == "OPEN"
    assert model["number"].startswith("INV-")  # Xero numbered it
    assert model["memo"] == "PO 4471"
    assert Decimal(str(model["sub_total"])) == Decimal("360.00") + 2 * Decimal("19.95")
    assert Decimal(str(model["total_amount"])) == Decimal(str(model["balance"])) > Decimal(str(model["sub_total"]))
    first, second = model["line_items"]
    assert first["tracking_categories"] == [refs.options["North"], refs.options["Sales"]]
    assert set(model["tracking_categories"]) == {refs.options["North"], refs.options["Sales"]}
    assert second["item"] == refs.items["Widget"]
    assert second["description"] == "Widget"  # Xero filled the line from the item
    sent = model["remote_data"][0]["data"]
    assert sent["Type"] == "ACCREC"
    assert sent["Status"] == "AUTHORISED"
    assert sent["LineItems"][1]["ItemCode"] == "WIDGET"
    await sync_keeps(kit, "invoices", model)


async def test_bill_takes_the_supplier_number_and_no_reference(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    bill = _invoice(refs, type="ACCOUNTS_PAYABLE", contact=refs.supplier, number="SUP-88")
    bill["line_items"][0]["account"] = refs.accounts["429"]
    response = await kit.create("invoices", bill)
    model = await written(kit, "invoices", response)
    await one_more(kit, before, "Invoices")
    assert (model["type"], model["number"], model["status"], model["memo"]) == (
        "ACCOUNTS_PAYABLE",
        "SUP-88",
        "DRAFT",  # Xero's default
        None,
    )
    warnings = response.json()["warnings"]
    assert [(w["problem_type"], w["source"]["pointer"]) for w in warnings] == [("UNSUPPORTED_FIELD", "/model/memo")]
    await sync_keeps(kit, "invoices", model)


async def test_invoice_patch_changes_only_what_is_sent(kit: XeroKit, refs: Refs) -> None:
    created = await written(kit, "invoices", await kit.create("invoices", _invoice(refs)))
    before = await kit.counts()
    patched = await written(
        kit,
        "invoices",
        await kit.patch("invoices", created["id"], {"memo": "PO 9000", "due_date": "2025-05-01T00:00:00Z"}),
        status=200,
    )
    assert await kit.counts() == before
    assert (patched["id"], patched["memo"], patched["due_date"]) == (created["id"], "PO 9000", "2025-05-01T00:00:00Z")
    assert patched["line_items"] == created["line_items"]  # same lines, same ids
    assert patched["number"] == created["number"]

    relined = await written(
        kit,
        "invoices",
        await kit.patch(
            "invoices",
            created["id"],
            {"line_items": [{"description": "Retainer", "total_amount": 500, "account": refs.accounts["200"]}]},
        ),
        status=200,
    )
    assert [line["description"] for line in relined["line_items"]] == ["Retainer"]
    assert Decimal(str(relined["sub_total"])) == Decimal("500.00")
    assert relined["memo"] == "PO 9000"
    await sync_keeps(kit, "invoices", relined)


async def test_invoice_validation_leaves_xero_untouched(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    missing = await refused(kit, await kit.create("invoices", {"type": "ACCOUNTS_RECEIVABLE"}), before)
    assert {(e["problem_type"], e["source"]["pointer"]) for e in missing} == {
        ("MISSING_REQUIRED_FIELD", "/model/contact"),
        ("MISSING_REQUIRED_FIELD", "/model/line_items"),
    }
    paid = await refused(kit, await kit.create("invoices", _invoice(refs, status="PAID")), before)
    assert (paid[0]["problem_type"], paid[0]["source"]["pointer"]) == ("INVALID_FIELD_CHOICE", "/model/status")
    lines = _invoice(refs)
    lines["line_items"][0]["total_amount"] = 100
    mismatch = await refused(kit, await kit.create("invoices", lines), before)
    assert mismatch[0]["title"] == "Line Amount Does Not Match"
    inclusive = _invoice(refs, inclusive_of_tax=True, total_amount=359)
    del inclusive["line_items"][1]  # an item's price is Xero's to fill in: only priced lines can be added up
    total = await refused(kit, await kit.create("invoices", inclusive), before)
    assert total[0]["source"]["pointer"] == "/model/total_amount"
    crowded = _invoice(refs)
    crowded["line_items"][0]["tracking_categories"].append(refs.options["East"])
    assert (await refused(kit, await kit.create("invoices", crowded), before))[0]["title"] == (
        "Too Many Tracking Options"
    )
    stranger = await refused(kit, await kit.create("invoices", _invoice(refs, contact=str(uuid.uuid4()))), before)
    assert stranger[0]["problem_type"] == "INVALID_REFERENCE"


async def test_a_tracking_category_is_not_an_option(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    invoice = _invoice(refs)
    invoice["line_items"][0]["tracking_categories"] = [refs.categories["Region"]]
    errors = await refused(kit, await kit.create("invoices", invoice), before)
    assert "is a category" in errors[0]["detail"]


async def test_xero_refuses_a_duplicate_invoice_number(kit: XeroKit, refs: Refs) -> None:
    first = await written(kit, "invoices", await kit.create("invoices", _invoice(refs)))
    before = await kit.counts()
    errors = await refused(kit, await kit.create("invoices", _invoice(refs, number=first["number"])), before)
    provider_says(errors, "Invoice # must be unique.")


async def test_paid_invoice_cannot_change(kit: XeroKit, refs: Refs) -> None:
    invoice = await written(kit, "invoices", await kit.create("invoices", _invoice(refs, status="OPEN")))
    await written(
        kit,
        "payments",
        await kit.create(
            "payments",
            {
                "account": refs.accounts["090"],
                "transaction_date": DAY,
                "applied_to_lines": [
                    {"related_object_id": invoice["id"], "applied_amount": str(invoice["total_amount"])}
                ],
            },
        ),
    )
    await kit.sync()  # the payment changed the invoice at Xero; the invoice's own record follows with the sync
    paid = await kit.get(f"invoices/{invoice['id']}")
    assert paid["status"] == "PAID"
    stored = next(i for i in await kit.dump("Invoices") if i["InvoiceID"] == invoice["remote_id"])
    before = await kit.counts()
    errors = await refused(kit, await kit.patch("invoices", invoice["id"], {"memo": "too late"}), before)
    provider_says(errors, "Invoice not of valid status for modification")
    assert next(i for i in await kit.dump("Invoices") if i["InvoiceID"] == invoice["remote_id"]) == stored
    assert await kit.get(f"invoices/{invoice['id']}") == paid


async def test_a_locked_period_is_refused_in_xeros_words(kit: XeroKit, refs: Refs) -> None:
    organisation = kit.sandbox.tenants[kit.tenant_id].organisation
    organisation["EndOfYearLockDate"] = "/Date(1743379200000+0000)/"  # 31 March 2025
    try:
        before = await kit.counts()
        errors = await refused(kit, await kit.create("invoices", _invoice(refs, status="OPEN")), before)
        provider_says(
            errors, "The document date cannot be before the end of year lock date, currently set at 31-Mar-2025"
        )
        draft = await written(kit, "invoices", await kit.create("invoices", _invoice(refs)))  # drafts may be dated so
        assert draft["status"] == "DRAFT"
    finally:
        del organisation["EndOfYearLockDate"]


# --- journal entries ---------------------------------------------------------------------------------------------


def _journal(refs: Refs, **fields: Any) -> dict[str, Any]:
    return {
        "transaction_date": DAY,
        "memo": "Accrued rent",
        "posting_status": "POSTED",
        "lines": [
            {
                "account": refs.accounts["469"],
                "net_amount": 1250,
                "description": "March rent",
                "tracking_categories": [refs.options["Operations"]],
            },
            {"account": refs.accounts["800"], "net_amount": -1250, "description": "March rent"},
        ],
        **fields,
    }


async def test_journal_entry_create_read_sync(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    model = await written(kit, "journal-entries", await kit.create("journal-entries", _journal(refs)))
    await one_more(kit, before, "ManualJournals")
    assert (model["memo"], model["posting_status"]) == ("Accrued rent", "POSTED")
    assert [(line["account"], Decimal(str(line["net_amount"]))) for line in model["lines"]] == [
        (refs.accounts["469"], Decimal("1250.00")),
        (refs.accounts["800"], Decimal("-1250.00")),
    ]
    assert model["lines"][0]["tracking_categories"] == [refs.options["Operations"]]
    await sync_keeps(kit, "journal-entries", model)


async def test_journal_entry_validation_and_refusal(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    unbalanced = _journal(refs)
    unbalanced["lines"][1]["net_amount"] = -10
    errors = await refused(kit, await kit.create("journal-entries", unbalanced), before)
    assert errors[0]["detail"] == "The total debits (1250.00) must equal total credits (-10.00)."
    no_memo = await refused(kit, await kit.create("journal-entries", _journal(refs, memo=None)), before)
    assert no_memo[0]["problem_type"] == "MISSING_REQUIRED_FIELD"
    patch = await kit.patch("journal-entries", str(uuid.uuid4()), {"memo": "x"})
    assert patch.status_code == 405  # Merge has no PATCH for journal entries
    organisation = kit.sandbox.tenants[kit.tenant_id].organisation
    organisation["PeriodLockDate"] = "/Date(1743379200000+0000)/"
    try:
        locked = await refused(kit, await kit.create("journal-entries", _journal(refs)), before)
        provider_says(locked, "The document date cannot be before the period lock date, currently set at 31-Mar-2025")
    finally:
        del organisation["PeriodLockDate"]


# --- contacts ----------------------------------------------------------------------------------------------------


async def test_contact_create_patch_read_sync(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    model = await written(
        kit,
        "contacts",
        await kit.create(
            "contacts",
            {
                "name": "Harbour Freight Pty",
                "email_address": "accounts@harbour.example",
                "tax_number": "51 824 753 556",
                "addresses": [{"type": "BILLING", "street_1": "PO Box 12", "city": "Sydney", "country": "AU"}],
                "phone_numbers": [{"number": "02 9999 1234", "type": "DEFAULT"}],
                "is_customer": True,
            },
        ),
    )
    await one_more(kit, before, "Contacts")
    assert (model["name"], model["status"], model["is_customer"]) == ("Harbour Freight Pty", "ACTIVE", False)
    assert [(a["type"], a["city"], a["country"]) for a in model["addresses"]] == [("BILLING", "Sydney", "AU")]
    assert [p["number"] for p in model["phone_numbers"]] == ["02 9999 1234"]

    patched = await written(
        kit,
        "contacts",
        await kit.patch(
            "contacts",
            model["id"],
            {"email_address": "ap@harbour.example", "addresses": [{"type": "SHIPPING", "street_1": "1 Quay St"}]},
        ),
        status=200,
    )
    assert await kit.counts() == {**before, "Contacts": before["Contacts"] + 1}
    assert patched["email_address"] == "ap@harbour.example"
    assert patched["tax_number"] == "51 824 753 556"
    assert sorted((a["type"], a["street_1"]) for a in patched["addresses"]) == [
        ("BILLING", "PO Box 12"),  # Xero keeps the address of the other type
        ("SHIPPING", "1 Quay St"),
    ]
    await sync_keeps(kit, "contacts", patched)


async def test_contact_validation_and_refusal(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    nameless = await refused(kit, await kit.create("contacts", {"email_address": "x@example.com"}), before)
    assert (nameless[0]["problem_type"], nameless[0]["source"]["pointer"]) == ("MISSING_REQUIRED_FIELD", "/model/name")
    phone = await refused(
        kit, await kit.create("contacts", {"name": "Phoneless", "phone_numbers": [{"type": "MOBILE"}]}), before
    )
    assert phone[0]["source"]["pointer"] == "/model/phone_numbers/0/number"
    customer = await kit.get(f"contacts/{refs.customer}")
    stored = [c for c in await kit.dump("Contacts") if c["ContactID"] == customer["remote_id"]]
    lines_are_whole = await refused(
        kit, await kit.patch("contacts", refs.customer, {"phone_numbers": [{"type": "MOBILE"}]}), before
    )
    assert (lines_are_whole[0]["problem_type"], lines_are_whole[0]["source"]["pointer"]) == (
        "MISSING_REQUIRED_FIELD",
        "/model/phone_numbers/0/number",
    )
    assert [c for c in await kit.dump("Contacts") if c["ContactID"] == customer["remote_id"]] == stored
    taken = (await kit.get(f"contacts/{refs.customer}"))["name"]
    errors = await refused(kit, await kit.create("contacts", {"name": taken}), before)
    provider_says(
        errors,
        f"The contact name {taken} is already assigned to another contact. "
        "The contact name must be unique across all active contacts.",
    )


# --- payments ----------------------------------------------------------------------------------------------------


async def test_payment_create_read_sync(kit: XeroKit, refs: Refs) -> None:
    invoice = await written(kit, "invoices", await kit.create("invoices", _invoice(refs, status="OPEN")))
    before = await kit.counts()
    model = await written(
        kit,
        "payments",
        await kit.create(
            "payments",
            {
                "account": refs.accounts["090"],
                "transaction_date": DAY,
                "total_amount": 100,
                "applied_to_lines": [{"related_object_id": invoice["id"], "related_object_type": "INVOICE"}],
            },
        ),
    )
    await one_more(kit, before, "Payments")
    assert (model["type"], model["contact"], model["account"]) == (
        "ACCOUNTS_RECEIVABLE",
        refs.customer,
        refs.accounts["090"],
    )
    assert Decimal(str(model["total_amount"])) == Decimal("100.00")
    (line,) = model["applied_to_lines"]
    assert (line["related_object_id"], line["related_object_type"]) == (invoice["id"], "INVOICE")
    await kit.sync()
    settled = await kit.get(f"invoices/{invoice['id']}")
    assert settled["status"] == "PARTIALLY_PAID"
    assert settled["payments"] == [model["id"]]
    await sync_keeps(kit, "payments", model)

    unchanged = await kit.counts()
    patch = await kit.patch("payments", model["id"], {"total_amount": 50})
    assert patch.status_code == 400
    assert patch.json()["errors"][0]["title"] == "Unsupported Operation"
    assert await kit.counts() == unchanged


async def test_payment_validation_and_refusal(kit: XeroKit, refs: Refs) -> None:
    invoice = await written(kit, "invoices", await kit.create("invoices", _invoice(refs, status="OPEN")))
    draft = await written(kit, "invoices", await kit.create("invoices", _invoice(refs)))
    before = await kit.counts()

    def payment(*targets: str, **fields: Any) -> dict[str, Any]:
        lines = [{"related_object_id": target} for target in targets]
        return {"account": refs.accounts["090"], "applied_to_lines": lines, "total_amount": 10, **fields}

    two = await refused(kit, await kit.create("payments", payment(invoice["id"], draft["id"])), before)
    assert two[0]["title"] == "One Invoice Per Payment"
    amountless = await refused(kit, await kit.create("payments", payment(invoice["id"], total_amount=None)), before)
    assert amountless[0]["source"]["pointer"] == "/model/total_amount"
    not_invoice = await refused(kit, await kit.create("payments", payment(refs.customer)), before)
    assert not_invoice[0]["problem_type"] == "INVALID_REFERENCE"
    unapproved = await refused(kit, await kit.create("payments", payment(draft["id"])), before)
    provider_says(unapproved, "Payments can only be made against Authorised documents")
    too_much = await refused(kit, await kit.create("payments", payment(invoice["id"], total_amount=99999)), before)
    provider_says(too_much, "Payment amount exceeds the amount outstanding on this document")


# --- credit notes and vendor credits -------------------------------------------------------------------------------


def _credit_note(refs: Refs, **fields: Any) -> dict[str, Any]:
    return {
        "contact": refs.customer,
        "transaction_date": DAY,
        "status": "AUTHORIZED",
        "line_items": [
            {
                "description": "Returned widgets",
                "quantity": "2",
                "unit_price": "19.95",
                "account": refs.accounts["200"],
                "tracking_categories": [refs.options["South"]],
            }
        ],
        **fields,
    }


async def test_credit_note_create_patch_read_sync(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    model = await written(kit, "credit-notes", await kit.create("credit-notes", _credit_note(refs)))
    await one_more(kit, before, "CreditNotes")
    assert model["number"].startswith("CN-")
    assert model["status"] == "AUTHORIZED"
    assert Decimal(str(model["remaining_credit"])) == Decimal(str(model["total_amount"])) > Decimal("39.90")
    assert model["remote_data"][0]["data"]["Type"] == "ACCRECCREDIT"
    patched = await written(
        kit,
        "credit-notes",
        await kit.patch(
            "credit-notes",
            model["id"],
            {"line_items": [{"description": "Refund", "total_line_amount": "10.00", "account": refs.accounts["200"]}]},
        ),
        status=200,
    )
    assert [line["description"] for line in patched["line_items"]] == ["Refund"]
    assert patched["number"] == model["number"]
    await sync_keeps(kit, "credit-notes", patched)


async def test_credit_note_validation_and_refusal(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    draft = await refused(kit, await kit.create("credit-notes", _credit_note(refs, status="PAID")), before)
    assert draft[0]["problem_type"] == "INVALID_FIELD_CHOICE"
    taken = (await kit.first("credit-notes", test=lambda note: note["number"]))["number"]
    errors = await refused(kit, await kit.create("credit-notes", _credit_note(refs, number=taken)), before)
    provider_says(errors, "Credit note # must be unique.")


def _vendor_credit(refs: Refs, **fields: Any) -> dict[str, Any]:
    return {
        "vendor": refs.supplier,
        "number": "VC-2025-01",
        "transaction_date": DAY,
        "inclusive_of_tax": True,
        "total_amount": 55,
        "lines": [
            {"net_amount": 55, "description": "Damaged stock", "account": refs.accounts["429"]},
        ],
        **fields,
    }


async def test_vendor_credit_create_patch_read_sync(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    model = await written(kit, "vendor-credits", await kit.create("vendor-credits", _vendor_credit(refs)))
    await one_more(kit, before, "CreditNotes")
    assert (model["number"], model["vendor"], model["inclusive_of_tax"]) == ("VC-2025-01", refs.supplier, True)
    assert Decimal(str(model["total_amount"])) == Decimal("55.00")
    assert model["remote_data"][0]["data"]["Type"] == "ACCPAYCREDIT"
    again = await written(kit, "vendor-credits", await kit.create("vendor-credits", _vendor_credit(refs)))
    assert again["number"] == model["number"]  # a supplier's number: Xero does not make it unique
    patched = await written(
        kit, "vendor-credits", await kit.patch("vendor-credits", model["id"], {"number": "VC-2025-01A"}), status=200
    )
    assert (patched["number"], patched["lines"]) == ("VC-2025-01A", model["lines"])
    await sync_keeps(kit, "vendor-credits", patched)


async def test_vendor_credit_validation_and_refusal(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    lineless = _vendor_credit(refs)
    del lineless["lines"][0]["net_amount"]
    missing = await refused(kit, await kit.create("vendor-credits", lineless), before)
    assert missing[0]["source"]["pointer"] == "/model/lines/0/net_amount"
    total = await refused(kit, await kit.create("vendor-credits", _vendor_credit(refs, total_amount=50)), before)
    assert total[0]["title"] == "Total Does Not Match Lines"
    errors = await refused(kit, await kit.create("vendor-credits", _vendor_credit(refs, currency="EUR")), before)
    provider_says(errors, "The currency EUR is not enabled for this organisation")


# --- purchase orders -----------------------------------------------------------------------------------------------


def _order(refs: Refs, **fields: Any) -> dict[str, Any]:
    return {
        "vendor": refs.supplier,
        "issue_date": DAY,
        "delivery_date": "2025-03-17T00:00:00Z",
        "memo": "Restock",
        "status": "AUTHORIZED",
        "line_items": [
            {"item": refs.items["USB-C cable"], "quantity": 40},
            {"description": "Freight", "unit_price": 35, "quantity": 1, "account": refs.accounts["429"]},
        ],
        **fields,
    }


async def test_purchase_order_create_read_sync(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    model = await written(kit, "purchase-orders", await kit.create("purchase-orders", _order(refs)))
    await one_more(kit, before, "PurchaseOrders")
    assert model["purchase_order_number"].startswith("PO-")
    assert (model["status"], model["memo"], model["vendor"]) == ("AUTHORIZED", "Restock", refs.supplier)
    assert model["line_items"][0]["item"] == refs.items["USB-C cable"]
    assert model["delivery_date"] == "2025-03-17T00:00:00Z"
    await sync_keeps(kit, "purchase-orders", model)


async def test_purchase_order_validation_and_refusal(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    billed = await refused(kit, await kit.create("purchase-orders", _order(refs, status="BILLED")), before)
    assert billed[0]["problem_type"] == "INVALID_FIELD_CHOICE"
    taken = (await kit.first("purchase-orders"))["purchase_order_number"]
    errors = await refused(kit, await kit.create("purchase-orders", _order(refs, purchase_order_number=taken)), before)
    provider_says(errors, "Purchase order # must be unique.")


# --- expenses --------------------------------------------------------------------------------------------------------


async def _bank(kit: XeroKit) -> str:
    return next(a["id"] for a in await kit.all("accounts") if a["account_type"] == "BANK" and a["status"] == "ACTIVE")


async def test_expense_spent_and_received_are_spend_and_receive_money(kit: XeroKit, refs: Refs) -> None:
    bank = await _bank(kit)
    for sign, kind in ((-1, "SPEND"), (1, "RECEIVE")):
        before = await kit.counts()
        lines = [
            {"description": "Beans", "net_amount": sign * 12.5, "account": refs.accounts["429"]},
            {"description": "Milk", "net_amount": sign * 3, "account": refs.accounts["429"]},
        ]
        expense = {"account": bank, "contact": refs.supplier, "memo": "Café", "transaction_date": DAY, "lines": lines}
        model = await written(kit, "expenses", await kit.create("expenses", expense))
        await one_more(kit, before, "BankTransactions")
        sent = model["remote_data"][0]["data"]
        assert sent["Type"] == kind
        assert [Decimal(str(line["LineAmount"])) for line in sent["LineItems"]] == [Decimal("12.5"), Decimal(3)]
        assert [Decimal(str(line["net_amount"])) for line in model["lines"]] == [sign * Decimal("12.5"), sign * 3]
        assert Decimal(str(model["sub_total"])) == sign * Decimal("15.5")
        total, tax = Decimal(str(model["total_amount"])), Decimal(str(model["total_tax_amount"]))
        assert total == sign * Decimal("15.5") + tax  # Xero added the accounts' tax, signed like the lines
        assert sign * tax >= 0
        assert model["account"] == bank
        assert model["contact"] == refs.supplier
        await sync_keeps(kit, "expenses", model)


async def test_expense_lines_that_go_both_ways_are_refused_before_xero(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    lines = [{"net_amount": -5, "account": refs.accounts["429"]}, {"net_amount": 5, "account": refs.accounts["429"]}]
    expense = {"account": await _bank(kit), "contact": refs.supplier, "lines": lines}
    errors = await refused(kit, await kit.create("expenses", expense), before)
    assert errors[0]["source"] == {"pointer": "/model/lines"}
    missing = await refused(kit, await kit.create("expenses", {"lines": lines[:1]}), before)
    assert {e["source"]["pointer"] for e in missing} == {"/model/account", "/model/contact"}


# --- items -------------------------------------------------------------------------------------------------------


async def test_item_create_patch_read_sync(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    model = await written(
        kit,
        "items",
        await kit.create(
            "items",
            {
                "name": "Ergonomic chair",
                "type": "NON_INVENTORY",
                "unit_price": 349,
                "purchase_price": 210,
                "sales_tax_rate": refs.tax_rates["OUTPUT"],
                "purchase_tax_rate": refs.tax_rates["INPUT"],
            },
        ),
    )
    await one_more(kit, before, "Items")
    assert (model["name"], model["type"], model["status"]) == ("Ergonomic chair", "NON_INVENTORY", "ACTIVE")
    assert (model["sales_tax_rate"], model["purchase_tax_rate"]) == (refs.tax_rates["OUTPUT"], refs.tax_rates["INPUT"])
    assert model["remote_data"][0]["data"]["Code"] == "Ergonomic chair"
    patched = await written(kit, "items", await kit.patch("items", model["id"], {"unit_price": 329}), status=200)
    assert Decimal(str(patched["unit_price"])) == Decimal("329.00")
    assert Decimal(str(patched["purchase_price"])) == Decimal("210.00")
    await sync_keeps(kit, "items", patched)


async def test_item_validation_and_refusal(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    long = await refused(kit, await kit.create("items", {"name": "x" * 51}), before)
    assert long[0]["source"]["pointer"] == "/model/name"
    inventory = await refused(kit, await kit.create("items", {"name": "Tracked", "type": "INVENTORY"}), before)
    assert inventory[0]["problem_type"] == "INVALID_FIELD_CHOICE"
    code = kit.sandbox.tenants[kit.tenant_id].collections["Items"].get(0)["Code"]
    errors = await refused(kit, await kit.create("items", {"name": code}), before)
    provider_says(errors, f"Item code '{code}' already exists")


# --- accounts ----------------------------------------------------------------------------------------------------


async def test_account_create_read_sync(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    model = await written(
        kit,
        "accounts",
        await kit.create(
            "accounts",
            {"name": "Software Subscriptions", "account_number": "485", "account_type": "OTHER_EXPENSE"},
        ),
    )
    await one_more(kit, before, "Accounts")
    assert (model["type"], model["classification"], model["account_type"], model["status"]) == (
        "EXPENSE",
        "EXPENSE",
        "OTHER_EXPENSE",
        "ACTIVE",
    )
    typed = await written(
        kit,
        "accounts",
        await kit.create("accounts", {"name": "Grants", "account_number": "265", "type": "OTHERINCOME"}),
    )
    assert (typed["classification"], typed["account_type"]) == ("REVENUE", "OTHER_INCOME")
    await sync_keeps(kit, "accounts", model)


async def test_account_validation_and_refusal(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    untyped = await refused(kit, await kit.create("accounts", {"name": "Untyped", "account_number": "486"}), before)
    assert untyped[0]["source"]["pointer"] == "/model/type"
    contradiction = await refused(
        kit,
        await kit.create(
            "accounts", {"name": "Odd", "account_number": "487", "type": "EXPENSE", "classification": "ASSET"}
        ),
        before,
    )
    assert contradiction[0]["title"] == "Account Type Required"
    long = await refused(
        kit, await kit.create("accounts", {"name": "Long", "account_number": "12345678901", "type": "EXPENSE"}), before
    )
    assert long[0]["source"]["pointer"] == "/model/account_number"
    errors = await refused(
        kit, await kit.create("accounts", {"name": "Another Sales", "account_number": "200", "type": "REVENUE"}), before
    )
    provider_says(errors, "Please enter a unique Code.")


# --- exactly once ------------------------------------------------------------------------------------------------


async def test_a_repeated_idempotency_key_makes_one_invoice(kit: XeroKit, refs: Refs) -> None:
    before = await kit.counts()
    key = {"Idempotency-Key": f"xero-once-{uuid.uuid4()}"}
    body = {"model": _invoice(refs)}
    first = await kit.api.post(f"{API}/invoices", json=body, headers=key)
    again = await kit.api.post(f"{API}/invoices", json=body, headers=key)
    assert (first.status_code, again.status_code, again.headers.get("idempotent-replayed")) == (201, 201, "true")
    assert again.json() == first.json()
    await one_more(kit, before, "Invoices")


async def test_xero_is_sent_the_same_key_on_a_retry(kit: XeroKit, refs: Refs) -> None:
    """A retry after a crash presents Xero the operation's key again, and Xero answers with what it made first."""
    opened = await open_provider(kit.deps, kit.account_id)
    target = WRITES["Contact"].targets[0]
    before = await kit.counts()
    key = uuid.uuid4().hex
    made = await WRITER.create(opened.client, target, {"Name": "Retried Pty"}, key)
    retried = await WRITER.create(opened.client, target, {"Name": "Retried Pty"}, key)
    assert retried == made
    await one_more(kit, before, "Contacts")


# --- meta ----------------------------------------------------------------------------------------------------------


async def test_meta_is_read_from_xeros_tables(kit: XeroKit, refs: Refs) -> None:
    post = await kit.get("invoices/meta/post")
    assert post["status"]["can_make_request"] is True
    assert post["has_conditional_params"] is True  # ACCREC or ACCPAY, chosen by type
    model = post["request_schema"]["properties"]["model"]
    assert set(model["required"]) == {"type", "contact", "line_items"}
    assert set(model["properties"]["status"]["enum"]) == {"DRAFT", "SUBMITTED", "OPEN", "VOID", None}
    assert "payment_term" not in model["properties"]  # Xero's invoices take no payment term
    payment = await kit.first("payments")
    patch = await kit.get(f"payments/meta/patch/{payment['id']}")
    assert patch["status"]["can_make_request"] is False  # Xero cannot change a payment
    journal = (await kit.get("journal-entries/meta/post"))["request_schema"]["properties"]["model"]
    assert set(journal["required"]) == {"memo", "lines"}
    assert set(journal["properties"]["lines"]["items"]["required"]) == {"account", "net_amount"}
