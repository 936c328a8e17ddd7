"""Every QuickBooks write through the real app and the QuickBooks sandbox: Merge's request shape in, the record as
a sync would store it out.

For each model: a create (and a PATCH where QuickBooks takes one) answers 201/200 with the record and what QBO
filled in (numbers, totals, statuses); ``GET /<path>/{id}`` returns the same record; the sandbox holds exactly one
new object; the next sync finds that object and leaves one record for it; a request ledgerport refuses leaves the
sandbox untouched; and a request QBO refuses comes back with QBO's words in ``errors[].detail`` as a
PROVIDER_ERROR.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from quickbooks_kit import QboWrites, open_qbo


@pytest.fixture
async def qbo(database_url: str) -> AsyncIterator[QboWrites]:
    async with open_qbo(database_url) as kit:
        yield kit


# --- helpers -----------------------------------------------------------------------------------------------------


async def named(qbo: QboWrites, path: str, **filters: Any) -> dict[str, dict[str, Any]]:
    """A list endpoint's records by name."""
    return {record["name"]: record for record in await qbo.listed(path, **filters)}


async def contact(qbo: QboWrites, *, supplier: bool, currency: str = "USD") -> dict[str, Any]:
    """An active contact of the kind, in the currency."""
    found = await qbo.listed(
        "contacts", is_supplier="true" if supplier else "false", is_customer="false" if supplier else "true"
    )
    return next(c for c in found if c["status"] == "ACTIVE" and c["currency"] == currency)


async def written(qbo: QboWrites, path: str, response: httpx.Response, status: int) -> dict[str, Any]:
    """The record a write answered, checked against ``GET`` (the same record, remote data included)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["errors"] == [], body
    model = body["model"]
    assert model["remote_id"]
    assert model["remote_data"], "the answer carries what QuickBooks answered"
    assert await qbo.get(f"{path}/{model['id']}", include_remote_data="true") == model
    return model


async def synced_once(qbo: QboWrites, path: str, model: dict[str, Any]) -> dict[str, Any]:
    """After a sync, the written object is still one record (the same one), as the sync stores it."""
    report = await qbo.sync()
    found = await qbo.by_remote_id(path, model["remote_id"])
    assert [record["id"] for record in found] == [model["id"]]
    return found[0] | {"_fetched": report.fetched}


def refused(response: httpx.Response, problem_type: str, title: str | None = None) -> dict[str, Any]:
    """A 400 with one error of the type (and title); returns it."""
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [error["problem_type"] for error in errors] == [problem_type], errors
    if title is not None:
        assert errors[0]["title"] == title, errors
    return dict(errors[0])


def provider_refused(response: httpx.Response, detail: str) -> dict[str, Any]:
    """QuickBooks refused: its words reach ``errors[].detail`` as a PROVIDER_ERROR."""
    error = refused(response, "PROVIDER_ERROR")
    assert detail in error["detail"], error
    return error


# --- journal entries -----------------------------------------------------------------------------------------------


async def test_journal_entry(qbo: QboWrites) -> None:
    accounts = await named(qbo, "accounts")
    classes = await named(qbo, "tracking-categories", category_type="CLASS")
    departments = await named(qbo, "tracking-categories", category_type="DEPARTMENT")
    customer = await contact(qbo, supplier=False)
    before = await qbo.count("JournalEntry")
    response = await qbo.create(
        "journal-entries",
        {
            "transaction_date": "2026-08-03T00:00:00Z",
            "memo": "Accrued travel",
            "journal_number": "JE-77",
            "tracking_categories": [departments["West Coast"]["id"], classes["Retail"]["id"]],
            "lines": [
                {
                    "account": accounts["Travel"]["id"],
                    "net_amount": 120.5,
                    "description": "Flights",
                    "tracking_categories": [classes["Online"]["id"]],
                },
                {
                    "account": accounts["Accounts Receivable (A/R)"]["id"],
                    "net_amount": "-120.50",
                    "contact": customer["id"],
                },
            ],
        },
    )
    model = await written(qbo, "journal-entries", response, 201)
    assert model["posting_status"] == "POSTED"
    assert model["journal_number"] == "JE-77"
    assert [(line["net_amount"], line["description"]) for line in model["lines"]] == [
        (120.5, "Flights"),
        (-120.5, None),
    ]
    assert [line["remote_id"] for line in model["lines"]] == ["1", "2"]
    assert model["lines"][1]["contact"] == customer["id"]
    # The document's class and department go on each line that names none (QBO tracks journal lines one by one).
    west, online, retail = departments["West Coast"]["id"], classes["Online"]["id"], classes["Retail"]["id"]
    assert [line["tracking_categories"] for line in model["lines"]] == [[online, west], [retail, west]]
    assert set(model["tracking_categories"]) == {online, retail, west}
    assert await qbo.count("JournalEntry") == before + 1
    entry = await qbo.qbo("JournalEntry", model["remote_id"])
    assert entry["TotalAmt"] == 120.5
    assert [line["JournalEntryLineDetail"]["PostingType"] for line in entry["Line"]] == ["Debit", "Credit"]
    assert entry["Line"][1]["JournalEntryLineDetail"]["Entity"] == {
        "Type": "Customer",
        "EntityRef": {"value": customer["remote_id"], "name": customer["name"]},
    }
    synced = await synced_once(qbo, "journal-entries", model)
    assert synced["lines"] == model["lines"]


async def test_journal_entry_refusals(qbo: QboWrites) -> None:
    accounts = await named(qbo, "accounts")
    before = await qbo.count("JournalEntry")
    unbalanced = await qbo.create(
        "journal-entries",
        {
            "lines": [
                {"account": accounts["Travel"]["id"], "net_amount": "100.00"},
                {"account": accounts["Checking"]["id"], "net_amount": "-99.99"},
            ]
        },
    )
    assert "0.01" in refused(unbalanced, "ERROR", "Journal Entry Does Not Balance")["detail"]
    draft = await qbo.create(
        "journal-entries",
        {
            "posting_status": "UNPOSTED",
            "lines": [
                {"account": accounts["Travel"]["id"], "net_amount": "1"},
                {"account": accounts["Checking"]["id"], "net_amount": "-1"},
            ],
        },
    )
    refused(draft, "ERROR", "Always Posted")
    no_account = await qbo.create("journal-entries", {"lines": [{"net_amount": "1"}, {"net_amount": "-1"}]})
    assert response_types(no_account) == {"MISSING_REQUIRED_FIELD"}
    # QBO judges what needs its chart of accounts: an A/R line must name a customer.
    no_customer = await qbo.create(
        "journal-entries",
        {
            "lines": [
                {"account": accounts["Accounts Receivable (A/R)"]["id"], "net_amount": "50"},
                {"account": accounts["Services"]["id"], "net_amount": "-50"},
            ]
        },
    )
    provider_refused(no_customer, "you must choose a customer in the Name field")
    assert await qbo.count("JournalEntry") == before


def response_types(response: httpx.Response) -> set[str]:
    assert response.status_code == 400, response.text
    return {error["problem_type"] for error in response.json()["errors"]}


# --- contacts ------------------------------------------------------------------------------------------------------


async def test_customer_create_and_patch(qbo: QboWrites) -> None:
    before = await qbo.count("Customer")
    response = await qbo.create(
        "contacts",
        {
            "name": "Harbor Lights Cafe",
            "is_customer": True,
            "email_address": "owner@harborlights.example",
            "currency": "USD",
            "addresses": [
                {"type": "BILLING", "street_1": "1 Pier Way", "city": "Oakland", "state": "CA", "zip_code": "94607"},
                {"type": "SHIPPING", "street_1": "9 Dock St", "city": "Oakland", "country": "US"},
            ],
            "phone_numbers": [{"number": "(510) 555-0101", "type": "PRIMARY"}, {"number": "555-0102", "type": "FAX"}],
        },
    )
    model = await written(qbo, "contacts", response, 201)
    assert model["is_customer"] is True
    assert model["is_supplier"] is False
    assert model["status"] == "ACTIVE"
    assert [(a["type"], a["street_1"], a["city"]) for a in model["addresses"]] == [
        ("BILLING", "1 Pier Way", "Oakland"),
        ("SHIPPING", "9 Dock St", "Oakland"),
    ]
    assert model["addresses"][0]["state"] == "CA"
    assert model["addresses"][1]["country"] == "US"
    assert {(p["type"], p["number"]) for p in model["phone_numbers"]} == {
        ("PRIMARY", "(510) 555-0101"),
        ("FAX", "555-0102"),
    }
    assert await qbo.count("Customer") == before + 1
    assert (await qbo.qbo("Customer", model["remote_id"]))["DisplayName"] == "Harbor Lights Cafe"
    await synced_once(qbo, "contacts", model)

    patched = await written(
        qbo,
        "contacts",
        await qbo.update("contacts", model["id"], {"status": "ARCHIVED", "email_address": "new@harborlights.example"}),
        200,
    )
    assert patched["id"] == model["id"]
    assert patched["status"] == "ARCHIVED"
    assert patched["email_address"] == "new@harborlights.example"
    assert patched["addresses"] == model["addresses"], "a PATCH changes only the fields it sends"
    customer = await qbo.qbo("Customer", model["remote_id"])
    assert customer["Active"] is False
    assert customer["SyncToken"] == "1"
    assert await qbo.count("Customer") == before + 1
    unsupported = await qbo.update("contacts", model["id"], {"currency": "EUR"})
    assert unsupported.status_code == 200, unsupported.text
    assert [w["problem_type"] for w in unsupported.json()["warnings"]] == ["UNSUPPORTED_FIELD"]
    assert unsupported.json()["model"]["currency"] == "USD"
    schema = await qbo.get(f"contacts/meta/patch/{model['id']}")
    assert "currency" not in schema["request_schema"]["properties"]["model"]["properties"]


async def test_vendor_and_contact_refusals(qbo: QboWrites) -> None:
    before = await qbo.count("Vendor")
    response = await qbo.create(
        "contacts", {"name": "Granite Tools Ltd", "is_supplier": True, "addresses": [{"street_1": "4 Quarry Rd"}]}
    )
    model = await written(qbo, "contacts", response, 201)
    assert model["remote_id"].startswith("Vendor-")
    assert (model["is_supplier"], model["is_customer"]) == (True, False)
    assert model["addresses"][0]["type"] == "BILLING"
    assert await qbo.count("Vendor") == before + 1
    await synced_once(qbo, "contacts", model)

    customers = await qbo.count("Customer")
    neither = await qbo.create("contacts", {"name": "Nobody"})
    assert neither.status_code == 400, neither.text
    missing = neither.json()["errors"]
    assert {(e["problem_type"], e["source"]["pointer"]) for e in missing} == {
        ("MISSING_REQUIRED_FIELD", "/model/is_customer"),
        ("MISSING_REQUIRED_FIELD", "/model/is_supplier"),
    }
    shipping = await qbo.create(
        "contacts", {"name": "Ship Co", "is_supplier": True, "addresses": [{"type": "SHIPPING", "city": "Reno"}]}
    )
    refused(shipping, "ERROR", "Address Does Not Fit")
    both = await qbo.create("contacts", {"name": "Both Co", "is_customer": True, "is_supplier": True})
    refused(both, "ERROR", "Customer Or Vendor")
    # Customers and vendors share one list of names at QuickBooks.
    taken = await qbo.create("contacts", {"name": "Granite Tools Ltd", "is_customer": True})
    provider_refused(taken, "is already using this name")
    assert (await qbo.count("Vendor"), await qbo.count("Customer")) == (before + 1, customers)


# --- payments ------------------------------------------------------------------------------------------------------


async def _open_document(qbo: QboWrites, kind: str) -> dict[str, Any]:
    invoices = await qbo.listed("invoices", type=kind, status="OPEN")
    return next(i for i in invoices if i["currency"] == "USD" and Decimal(str(i["balance"])) > 20)


async def test_customer_payment_create_and_patch(qbo: QboWrites) -> None:
    invoice = await _open_document(qbo, "ACCOUNTS_RECEIVABLE")
    accounts = await named(qbo, "accounts")
    balance = Decimal(str(invoice["balance"]))
    before = await qbo.count("Payment")
    response = await qbo.create(
        "payments",
        {
            "type": "ACCOUNTS_RECEIVABLE",
            "contact": invoice["contact"],
            "account": accounts["Checking"]["id"],
            "transaction_date": "2026-09-01T00:00:00Z",
            "total_amount": "15.00",
            "applied_to_lines": [{"applied_amount": "10.00", "related_object_id": invoice["id"]}],
        },
    )
    model = await written(qbo, "payments", response, 201)
    assert model["type"] == "ACCOUNTS_RECEIVABLE"
    assert model["total_amount"] == 15
    assert model["account"] == accounts["Checking"]["id"]
    (line,) = model["applied_to_lines"]
    assert (line["related_object_id"], line["related_object_type"], line["applied_amount"]) == (
        invoice["id"],
        "INVOICE",
        "10.00",
    )
    assert await qbo.count("Payment") == before + 1
    payment = await qbo.qbo("Payment", model["remote_id"])
    assert payment["UnappliedAmt"] == 5
    assert Decimal(str((await qbo.qbo("Invoice", invoice["remote_id"]))["Balance"])) == balance - 10
    await synced_once(qbo, "payments", model)
    paid = await qbo.get(f"invoices/{invoice['id']}")
    assert paid["status"] == "PARTIALLY_PAID"
    assert model["id"] in paid["payments"]

    patched = await written(
        qbo,
        "payments",
        await qbo.update(
            "payments",
            model["id"],
            {
                "total_amount": "20.00",
                "applied_to_lines": [{"applied_amount": "20.00", "related_object_id": invoice["id"]}],
            },
        ),
        200,
    )
    assert patched["total_amount"] == 20
    assert patched["account"] == accounts["Checking"]["id"], "a PATCH changes only the fields it sends"
    assert Decimal(str((await qbo.qbo("Invoice", invoice["remote_id"]))["Balance"])) == balance - 20
    assert (await qbo.qbo("Payment", model["remote_id"]))["SyncToken"] == "1"
    assert await qbo.count("Payment") == before + 1


async def test_bill_payments_by_check_and_by_card(qbo: QboWrites) -> None:
    bill = await _open_document(qbo, "ACCOUNTS_PAYABLE")
    accounts = await named(qbo, "accounts")
    before = await qbo.count("BillPayment")
    for account, pay_type, holder in (
        ("Checking", "Check", "CheckPayment"),
        ("Visa Credit Card", "CreditCard", "CreditCardPayment"),
    ):
        response = await qbo.create(
            "payments",
            {
                "type": "ACCOUNTS_PAYABLE",
                "contact": bill["contact"],
                "account": accounts[account]["id"],
                "total_amount": "5.00",
                "applied_to_lines": [{"applied_amount": "5.00", "related_object_id": bill["id"]}],
            },
        )
        model = await written(qbo, "payments", response, 201)
        assert model["remote_id"].startswith("BillPayment-")
        assert model["type"] == "ACCOUNTS_PAYABLE"
        assert model["account"] == accounts[account]["id"]
        assert model["applied_to_lines"][0]["related_object_id"] == bill["id"]
        made = await qbo.qbo("BillPayment", model["remote_id"].removeprefix("BillPayment-"))
        assert made["PayType"] == pay_type
        assert holder in made
        await synced_once(qbo, "payments", model)
    assert await qbo.count("BillPayment") == before + 2
    assert (
        Decimal(str((await qbo.qbo("Bill", bill["remote_id"].removeprefix("Bill-")))["Balance"]))
        == Decimal(str(bill["balance"])) - 10
    )


async def test_payment_refusals(qbo: QboWrites) -> None:
    invoice = await _open_document(qbo, "ACCOUNTS_RECEIVABLE")
    vendor = await contact(qbo, supplier=True)
    before = await qbo.count("Payment")
    over_total = await qbo.create(
        "payments",
        {
            "type": "ACCOUNTS_RECEIVABLE",
            "contact": invoice["contact"],
            "total_amount": "5",
            "applied_to_lines": [{"applied_amount": "6", "related_object_id": invoice["id"]}],
        },
    )
    refused(over_total, "ERROR", "Applied More Than The Total")
    wrong_kind = await qbo.create(
        "payments", {"type": "ACCOUNTS_RECEIVABLE", "contact": vendor["id"], "total_amount": "5"}
    )
    refused(wrong_kind, "INVALID_REFERENCE")
    no_type = await qbo.create("payments", {"contact": invoice["contact"], "total_amount": "5"})
    refused(no_type, "MISSING_REQUIRED_FIELD")  # type chooses Payment or BillPayment
    too_much = str(Decimal(str(invoice["balance"])) + 1)
    over_balance = await qbo.create(
        "payments",
        {
            "type": "ACCOUNTS_RECEIVABLE",
            "contact": invoice["contact"],
            "total_amount": too_much,
            "applied_to_lines": [{"applied_amount": too_much, "related_object_id": invoice["id"]}],
        },
    )
    provider_refused(over_balance, "exceeds the open balance")
    assert await qbo.count("Payment") == before


# --- credit notes and vendor credits -------------------------------------------------------------------------------


async def test_credit_note_create_and_patch(qbo: QboWrites) -> None:
    customer = await contact(qbo, supplier=False)
    items = await named(qbo, "items")
    before = await qbo.count("CreditMemo")
    response = await qbo.create(
        "credit-notes",
        {
            "contact": customer["id"],
            "transaction_date": "2026-09-02T00:00:00Z",
            "total_amount": 300,
            "line_items": [
                {"item": items["Consulting Hours"]["id"], "quantity": "2", "unit_price": 150, "description": "Refund"}
            ],
        },
    )
    model = await written(qbo, "credit-notes", response, 201)
    # Merge types unit_price as a decimal string; a number is read as one, with a warning.
    (warning,) = response.json()["warnings"]
    assert (warning["problem_type"], warning["source"]["pointer"]) == (
        "INCORRECT_FIELD_TYPE",
        "/model/line_items/0/unit_price",
    )
    assert model["number"], "QuickBooks numbers a credit memo"
    assert model["total_amount"] == 300
    assert model["remaining_credit"] == 300
    assert model["status"] == "AUTHORIZED"
    assert model["line_items"][0]["total_line_amount"] == "300.00"
    assert await qbo.count("CreditMemo") == before + 1
    await synced_once(qbo, "credit-notes", model)

    patched = await written(
        qbo,
        "credit-notes",
        await qbo.update(
            "credit-notes",
            model["id"],
            {"line_items": [{"item": items["Installation"]["id"], "total_line_amount": "75.50"}]},
        ),
        200,
    )
    assert patched["total_amount"] == 75.5
    assert patched["number"] == model["number"]
    assert await qbo.count("CreditMemo") == before + 1

    contradicting = await qbo.create(
        "credit-notes",
        {
            "contact": customer["id"],
            "total_amount": 1,
            "line_items": [{"item": items["Installation"]["id"], "total_line_amount": "2"}],
        },
    )
    refused(contradicting, "ERROR", "Total Does Not Match Lines")
    # The sandbox's seeded history deactivated a customer; QBO refuses an inactive name (610).
    archived = next(c for c in await qbo.listed("contacts", is_customer="true") if c["status"] == "ARCHIVED")
    inactive = await qbo.create(
        "credit-notes",
        {"contact": archived["id"], "line_items": [{"item": items["Installation"]["id"], "total_line_amount": "2"}]},
    )
    provider_refused(inactive, "made inactive or deleted")
    assert await qbo.count("CreditMemo") == before + 1


async def test_vendor_credit_create_and_patch(qbo: QboWrites) -> None:
    vendor = await contact(qbo, supplier=True)
    accounts = await named(qbo, "accounts")
    before = await qbo.count("VendorCredit")
    response = await qbo.create(
        "vendor-credits",
        {
            "vendor": vendor["id"],
            "number": "VC-900",
            "transaction_date": "2026-09-03T00:00:00Z",
            "lines": [
                {"account": accounts["Office Expenses"]["id"], "net_amount": "40.25", "description": "Returned toner"}
            ],
        },
    )
    model = await written(qbo, "vendor-credits", response, 201)
    assert model["vendor"] == vendor["id"]
    assert model["total_amount"] == 40.25
    assert model["number"] == "VC-900"
    assert await qbo.count("VendorCredit") == before + 1
    await synced_once(qbo, "vendor-credits", model)

    patched = await written(
        qbo, "vendor-credits", await qbo.update("vendor-credits", model["id"], {"number": "VC-901"}), 200
    )
    assert patched["number"] == "VC-901"
    assert patched["lines"] == model["lines"]

    no_vendor = await qbo.create(
        "vendor-credits", {"lines": [{"account": accounts["Office Expenses"]["id"], "net_amount": "1"}]}
    )
    refused(no_vendor, "MISSING_REQUIRED_FIELD")
    # A closed period (set in the company's preferences, as in QBO's settings) refuses earlier dates: 6210.
    preferences = qbo.company.table("Preferences")
    settings = dict(preferences.get(1) or {})
    settings["AccountingInfoPrefs"] = {**settings["AccountingInfoPrefs"], "BookCloseDate": "2026-06-30"}
    preferences.replace(1, {k: v for k, v in settings.items() if k not in ("Id", "SyncToken", "MetaData")}, 1)
    closed = await qbo.create(
        "vendor-credits",
        {
            "vendor": vendor["id"],
            "transaction_date": "2026-06-30T00:00:00Z",
            "lines": [{"account": accounts["Office Expenses"]["id"], "net_amount": "1"}],
        },
    )
    provider_refused(closed, "The account period has closed")
    assert await qbo.count("VendorCredit") == before + 1


# --- purchase orders, and bills that bill them ---------------------------------------------------------------------


async def test_purchase_order_and_the_bill_that_bills_it(qbo: QboWrites) -> None:
    vendor = await contact(qbo, supplier=True)
    items = await named(qbo, "items")
    accounts = await named(qbo, "accounts")
    before = await qbo.count("PurchaseOrder")
    response = await qbo.create(
        "purchase-orders",
        {
            "vendor": vendor["id"],
            "issue_date": "2026-09-04T00:00:00Z",
            "memo": "Desks for the new office",
            "line_items": [
                {"item": items["Standing Desk"]["id"], "quantity": 2, "unit_price": "410.00"},
                {"account": accounts["Office Expenses"]["id"], "total_line_amount": "30.00", "description": "Delivery"},
            ],
        },
    )
    order = await written(qbo, "purchase-orders", response, 201)
    assert order["purchase_order_number"], "QuickBooks numbers a purchase order"
    assert order["status"] == "SUBMITTED"
    assert order["total_amount"] == 850
    assert await qbo.count("PurchaseOrder") == before + 1
    await synced_once(qbo, "purchase-orders", order)

    bills = await qbo.count("Bill")
    bill = await written(
        qbo,
        "invoices",
        await qbo.create(
            "invoices",
            {
                "type": "ACCOUNTS_PAYABLE",
                "contact": vendor["id"],
                "purchase_orders": [order["id"]],
                "line_items": [
                    {"item": items["Standing Desk"]["id"], "quantity": 2, "unit_price": "410.00"},
                    {"account": accounts["Office Expenses"]["id"], "total_amount": "30.00"},
                ],
            },
        ),
        201,
    )
    assert bill["purchase_orders"] == [order["id"]]
    assert await qbo.count("Bill") == bills + 1
    qbo_order = await qbo.qbo("PurchaseOrder", order["remote_id"])
    assert qbo_order["POStatus"] == "Closed"
    assert qbo_order["LinkedTxn"] == [{"TxnId": bill["remote_id"].removeprefix("Bill-"), "TxnType": "Bill"}]
    await synced_once(qbo, "invoices", bill)
    assert (await qbo.get(f"purchase-orders/{order['id']}"))["status"] == "BILLED"

    draft = await qbo.create(
        "purchase-orders",
        {"vendor": vendor["id"], "status": "DRAFT", "line_items": [{"item": items["Standing Desk"]["id"]}]},
    )
    refused(draft, "INVALID_FIELD_CHOICE")
    unmatched = await qbo.create(
        "invoices",
        {
            "type": "ACCOUNTS_PAYABLE",
            "contact": vendor["id"],
            "purchase_orders": [order["id"]],
            "line_items": [{"account": accounts["Travel"]["id"], "total_amount": "1"}],
        },
    )
    refused(unmatched, "PROVIDER_ERROR")
    taken = await qbo.create(
        "purchase-orders",
        {
            "vendor": vendor["id"],
            "purchase_order_number": order["purchase_order_number"],
            "line_items": [{"item": items["Standing Desk"]["id"], "quantity": 1, "unit_price": "1"}],
        },
    )
    provider_refused(taken, "Duplicate Document Number Error")
    assert (await qbo.count("PurchaseOrder"), await qbo.count("Bill")) == (before + 1, bills + 1)


# --- items ---------------------------------------------------------------------------------------------------------


async def test_service_item_create_and_patch(qbo: QboWrites) -> None:
    accounts = await named(qbo, "accounts")
    before = await qbo.count("Item")
    response = await qbo.create(
        "items",
        {"name": "Site Survey", "type": "SERVICE", "unit_price": "220.00", "sales_account": accounts["Services"]["id"]},
    )
    model = await written(qbo, "items", response, 201)
    assert (model["type"], model["status"], model["unit_price"]) == ("SERVICE", "ACTIVE", 220)
    assert model["sales_account"] == accounts["Services"]["id"]
    assert await qbo.count("Item") == before + 1
    await synced_once(qbo, "items", model)

    patched = await written(
        qbo, "items", await qbo.update("items", model["id"], {"unit_price": "240.00", "status": "ARCHIVED"}), 200
    )
    assert (patched["unit_price"], patched["status"], patched["name"]) == (240, "ARCHIVED", "Site Survey")
    assert (await qbo.qbo("Item", model["remote_id"]))["Active"] is False

    unknown = await qbo.create("items", {"name": "Mystery", "type": "UNKNOWN"})
    refused(unknown, "INVALID_FIELD_CHOICE")
    no_account = await qbo.create("items", {"name": "Unbooked", "type": "SERVICE"})
    provider_refused(no_account, "IncomeAccountRef")
    taken = await qbo.create(
        "items", {"name": "Site Survey", "type": "SERVICE", "sales_account": accounts["Services"]["id"]}
    )
    provider_refused(taken, "is already using this name")
    assert await qbo.count("Item") == before + 1


async def test_inventory_item_starts_empty_on_the_inventory_asset_account(qbo: QboWrites) -> None:
    accounts = await named(qbo, "accounts")
    response = await qbo.create(
        "items",
        {
            "name": "Walnut Shelf",
            "type": "INVENTORY",
            "unit_price": "129.00",
            "purchase_price": "61.00",
            "sales_account": accounts["Sales of Product Income"]["id"],
            "purchase_account": accounts["Cost of Goods Sold"]["id"],
        },
    )
    model = await written(qbo, "items", response, 201)
    assert (model["type"], model["purchase_price"]) == ("INVENTORY", 61)
    item = await qbo.qbo("Item", model["remote_id"])
    assert item["AssetAccountRef"]["name"] == "Inventory Asset"
    assert (item["QtyOnHand"], item["TrackQtyOnHand"]) == (0, True)
    await synced_once(qbo, "items", model)


# --- accounts ------------------------------------------------------------------------------------------------------


async def test_accounts(qbo: QboWrites) -> None:
    accounts = await named(qbo, "accounts")
    before = await qbo.count("Account")
    expense = await written(
        qbo,
        "accounts",
        await qbo.create(
            "accounts",
            {"name": "Conference Fees", "classification": "EXPENSE", "account_number": "6450", "currency": "USD"},
        ),
        201,
    )
    assert (expense["type"], expense["classification"], expense["status"]) == ("Expense", "EXPENSE", "ACTIVE")
    assert expense["account_number"] == "6450"
    bank = await written(
        qbo,
        "accounts",
        await qbo.create(
            "accounts",
            {"name": "Payroll Account", "account_type": "BANK", "parent_account": accounts["Checking"]["id"]},
        ),
        201,
    )
    assert (bank["account_type"], bank["classification"]) == ("BANK", "ASSET")
    assert bank["parent_account"] == accounts["Checking"]["id"]
    made = await qbo.qbo("Account", bank["remote_id"])
    assert (made["AccountSubType"], made["SubAccount"], made["FullyQualifiedName"]) == (
        "CashOnHand",
        True,
        "Checking:Payroll Account",
    )
    assert await qbo.count("Account") == before + 2
    await synced_once(qbo, "accounts", expense)
    await synced_once(qbo, "accounts", bank)

    contradicting = await qbo.create("accounts", {"name": "Odd", "account_type": "BANK", "classification": "EXPENSE"})
    refused(contradicting, "ERROR", "Account Type")
    untyped = await qbo.create("accounts", {"name": "Untyped", "classification": "ASSET"})
    refused(untyped, "ERROR", "Account Type")
    taken = await qbo.create("accounts", {"name": "Checking", "account_type": "BANK"})
    provider_refused(taken, "is already using this name")
    assert await qbo.count("Account") == before + 2


# --- what each model takes ------------------------------------------------------------------------------------------


_TAKES = [
    ("journal-entries", ["lines"], {"transaction_date", "memo", "journal_number", "tracking_categories"}),
    ("contacts", ["name"], {"is_customer", "is_supplier", "email_address", "addresses", "phone_numbers"}),
    ("payments", ["contact", "total_amount", "type"], {"account", "applied_to_lines", "transaction_date"}),
    ("credit-notes", ["contact", "line_items"], {"number", "transaction_date", "total_amount"}),
    ("vendor-credits", ["lines", "vendor"], {"number", "transaction_date", "tracking_categories"}),
    ("purchase-orders", ["line_items", "vendor"], {"status", "issue_date", "memo", "payment_term"}),
    ("items", ["name", "type"], {"unit_price", "purchase_price", "sales_account", "purchase_account"}),
    ("accounts", ["name"], {"classification", "type", "account_type", "account_number", "parent_account"}),
    ("invoices", ["contact", "line_items", "type"], {"purchase_orders", "number", "due_date"}),
]


async def test_expenses_are_purchases_signed_as_merge_signs_them(qbo: QboWrites) -> None:
    accounts = await qbo.listed("accounts")
    bank = next(a for a in accounts if a["account_type"] == "BANK" and a["status"] == "ACTIVE")
    card = next(a for a in accounts if a["account_type"] == "CREDIT_CARD" and a["status"] == "ACTIVE")
    booked = next(a for a in accounts if a["classification"] == "EXPENSE" and a["status"] == "ACTIVE")
    vendor = await contact(qbo, supplier=True)
    before = await qbo.count("Purchase")
    spent = await written(
        qbo,
        "expenses",
        await qbo.create(
            "expenses",
            {
                "account": bank["id"],
                "contact": vendor["id"],
                "memo": "Office supplies",
                "total_amount": -42.5,
                "lines": [
                    {"net_amount": -40, "account": booked["id"], "description": "Paper"},
                    {"net_amount": "-2.50", "account": booked["id"]},
                ],
            },
        ),
        201,
    )
    purchase = spent["remote_data"][0]["data"]
    assert (purchase["PaymentType"], purchase.get("Credit")) == ("Cash", None)
    assert purchase["EntityRef"]["type"] == "Vendor"
    assert [Decimal(str(line["Amount"])) for line in purchase["Line"]] == [Decimal(40), Decimal("2.5")]
    assert Decimal(str(spent["total_amount"])) == Decimal("-42.5")
    assert spent["contact"] == vendor["id"]
    assert spent["remote_id"].startswith("Purchase-")
    refund = await written(
        qbo,
        "expenses",
        await qbo.create("expenses", {"account": card["id"], "lines": [{"net_amount": 10, "account": booked["id"]}]}),
        201,
    )
    assert (refund["remote_data"][0]["data"]["PaymentType"], refund["remote_data"][0]["data"]["Credit"]) == (
        "CreditCard",
        True,
    )
    assert Decimal(str(refund["total_amount"])) == Decimal(10)
    assert await qbo.count("Purchase") == before + 2
    await synced_once(qbo, "expenses", spent)
    both_ways = await qbo.create(
        "expenses",
        {
            "account": bank["id"],
            "lines": [{"net_amount": -1, "account": booked["id"]}, {"net_amount": 1, "account": booked["id"]}],
        },
    )
    refused(both_ways, "ERROR", "Lines Disagree")
    assert await qbo.count("Purchase") == before + 2


async def test_meta_post_describes_what_quickbooks_takes(qbo: QboWrites) -> None:
    for path, required, fields in _TAKES:
        meta = await qbo.get(f"{path}/meta/post")
        assert meta["status"] == {"linked_account_status": "COMPLETE", "can_make_request": True}, path
        model = meta["request_schema"]["properties"]["model"]
        assert sorted(model.get("required", [])) == required, path
        assert fields <= set(model["properties"]), path
