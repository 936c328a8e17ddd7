"""Fidelity: every body the sandbox emits validates against Xero's OpenAPI schemas, and the official xero-python
SDK (pinned 15.2.0) runs against it over a real loopback socket, deserialising into its models."""

from __future__ import annotations

import datetime as dt
import functools
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import jsonschema
import pytest
import uvicorn
import yaml

from harness import reference
from ledgerport.sandboxes.xero import create_app
from ledgerport.sandboxes.xero.dates import parse_ms_date

API = "/api.xro/2.0"
COLLECTIONS = (
    "Invoices",
    "Contacts",
    "Accounts",
    "Items",
    "TaxRates",
    "TrackingCategories",
    "Payments",
    "BankTransactions",
    "CreditNotes",
    "PurchaseOrders",
    "ManualJournals",
    "Currencies",
    "Overpayments",
    "Prepayments",
    "BankTransfers",
)
KEYS = {
    "Invoices": "InvoiceID",
    "Contacts": "ContactID",
    "Accounts": "AccountID",
    "Items": "ItemID",
    "TaxRates": "TaxType",
    "TrackingCategories": "TrackingCategoryID",
    "Payments": "PaymentID",
    "BankTransactions": "BankTransactionID",
    "CreditNotes": "CreditNoteID",
    "PurchaseOrders": "PurchaseOrderID",
    "ManualJournals": "ManualJournalID",
    "Currencies": "Code",
    "Overpayments": "OverpaymentID",
    "Prepayments": "PrepaymentID",
    "BankTransfers": "BankTransferID",
}


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects to JSON Schema: ``nullable`` becomes a null type, ``$ref`` siblings dropped."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    converted = {
        key: _json_schema(value)
        for key, value in node.items()
        if not key.startswith("x-") and key not in ("example", "nullable", "discriminator", "externalDocs", "xml")
    }
    if node.get("nullable"):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _schemas() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(reference("providers", "xero", "xero_accounting.yaml").read_text(), Loader=loader)  # noqa: S506 - a safe loader
    return {"components": {"schemas": _json_schema(spec["components"]["schemas"])}}


def assert_valid(body: Any, schema_name: str) -> None:
    root = _schemas()
    schema = {"$ref": f"#/components/schemas/{schema_name}", **root}
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(body)


@pytest.fixture(scope="module")
def fidelity_app():
    return create_app(seed=11, size="small", limits=False)


@pytest.fixture
async def api(fidelity_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fidelity_app), base_url="http://sandbox") as c:
        token = (await c.post("/_sandbox/tokens", json={})).json()
        c.headers.update(
            {
                "authorization": f"Bearer {token['access_token']}",
                "xero-tenant-id": next(iter(fidelity_app.tenants)),
                "accept": "application/json",
            }
        )
        yield c


class TestSchemas:
    @pytest.mark.parametrize("name", COLLECTIONS)
    async def test_lists_and_get_by_id(self, api, name):
        unpaged = (await api.get(f"{API}/{name}")).json()
        assert_valid(unpaged, name)
        assert unpaged["Status"] == "OK"
        assert unpaged["DateTimeUTC"].startswith("/Date(")
        paged = (await api.get(f"{API}/{name}", params={"page": 1, "pageSize": 3})).json()
        assert_valid(paged, name)
        key = unpaged[name][0][KEYS[name]]
        one = await api.get(f"{API}/{name}/{key}")
        assert one.status_code == 200
        assert_valid(one.json(), name)

    async def test_organisation(self, api):
        assert_valid((await api.get(f"{API}/Organisation")).json(), "Organisations")

    async def test_pagination_object(self, api):
        body = (await api.get(f"{API}/Invoices", params={"page": 2, "pageSize": 10})).json()
        assert_valid(body["pagination"], "Pagination")
        assert set(body["pagination"]) == {"page", "pageSize", "pageCount", "itemCount"}

    async def test_writes_and_errors(self, api):
        invoice = {
            "Type": "ACCPAY",
            "Contact": {"Name": "Fidelity Supplier"},
            "Date": "2025-01-05",
            "LineAmountTypes": "Inclusive",
            "Status": "AUTHORISED",
            "LineItems": [
                {
                    "Description": "Paper",
                    "Quantity": 4,
                    "UnitAmount": "12.35",
                    "AccountCode": "429",
                    "Tracking": [{"Name": "Region", "Option": "North"}],
                }
            ],
        }
        created = await api.put(f"{API}/Invoices", json={"Invoices": [invoice]})
        assert created.status_code == 200
        assert_valid(created.json(), "Invoices")
        mixed = await api.post(
            f"{API}/Invoices",
            params={"summarizeErrors": "false"},
            json={"Invoices": [invoice, {"Type": "ACCREC", "Reference": "no contact"}]},
        )
        assert_valid(mixed.json(), "Invoices")
        failed = await api.put(f"{API}/Invoices", json={"Invoices": [{"Type": "ACCREC"}]})
        assert failed.status_code == 400
        assert_valid(failed.json(), "Error")
        journal = {
            "Narration": "Fidelity",
            "JournalLines": [
                {"LineAmount": "5.00", "AccountCode": "400"},
                {"LineAmount": "-5.00", "AccountCode": "090"},
            ],
        }
        assert_valid(
            (await api.put(f"{API}/ManualJournals", json={"ManualJournals": [journal]})).json(), "ManualJournals"
        )
        contact = await api.put(f"{API}/Contacts", json={"Contacts": [{"Name": "Fidelity Contact Ltd"}]})
        assert_valid(contact.json(), "Contacts")
        invoice_id = created.json()["Invoices"][0]["InvoiceID"]
        payment = await api.put(
            f"{API}/Payments",
            json={"Payments": [{"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Amount": "1.00"}]},
        )
        assert payment.status_code == 200
        assert_valid(payment.json(), "Payments")
        bad_where = await api.get(f"{API}/Invoices", params={"where": "Total >>> 3"})
        assert_valid(bad_where.json(), "Error")

    async def test_tracking_writes(self):
        app = create_app(seed=12, size="small", limits=False)  # its own organisation: these writes change the list
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as api:
            token = (await api.post("/_sandbox/tokens", json={})).json()
            api.headers.update(
                {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": next(iter(app.tenants))}
            )
            base = f"{API}/TrackingCategories"
            listed = (await api.get(base)).json()["TrackingCategories"]
            region, department = sorted(listed, key=lambda c: c["Name"] != "Region")
            too_many = await api.put(base, json={"Name": "Third"})
            assert too_many.status_code == 400
            assert_valid(too_many.json(), "Error")
            archived = await api.post(f"{base}/{department['TrackingCategoryID']}", json={"Status": "ARCHIVED"})
            assert_valid(archived.json(), "TrackingCategories")
            created = await api.put(base, json={"Name": "Fidelity"})
            assert_valid(created.json(), "TrackingCategories")
            category_id = created.json()["TrackingCategories"][0]["TrackingCategoryID"]
            options = await api.put(f"{base}/{category_id}/Options", json={"Options": [{"Name": "A"}, {"Name": "B"}]})
            assert_valid(options.json(), "TrackingOptions")
            option_id = options.json()["Options"][0]["TrackingOptionID"]
            updated = await api.post(f"{base}/{category_id}/Options/{option_id}", json={"Status": "ARCHIVED"})
            assert_valid(updated.json(), "TrackingOptions")
            assert_valid((await api.get(base, params={"includeArchived": "true"})).json(), "TrackingCategories")
            removed = await api.delete(f"{base}/{category_id}/Options/{option_id}")
            assert_valid(removed.json(), "TrackingOptions")
            duplicate = await api.put(f"{base}/{category_id}/Options", json={"Name": "b"})
            assert_valid(duplicate.json(), "Error")
            deleted = await api.delete(f"{base}/{category_id}")
            assert_valid(deleted.json(), "TrackingCategories")
            assert_valid((await api.get(f"{base}/{category_id}")).json(), "TrackingCategories")
            assert_valid((await api.get(f"{base}/{region['TrackingCategoryID']}")).json(), "TrackingCategories")

    async def test_problem_bodies(self, api):
        response = await api.get(f"{API}/Invoices", headers={"authorization": "Bearer nope"})
        assert response.status_code == 401
        assert {"Type", "Title", "Status", "Detail", "Instance", "Extensions"} <= set(response.json())


# --- the official SDK over a real socket -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Any]]:
    app = create_app(seed=21, size="small", limits=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=5)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_official_sdk(served, monkeypatch):
    from xero_python.accounting import (
        AccountingApi,
        Contact,
        Invoice,
        Invoices,
        LineAmountTypes,
        LineItem,
        ManualJournal,
        ManualJournalLine,
        ManualJournals,
    )
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
    from xero_python.identity import IdentityApi

    base, app = served
    monkeypatch.setattr(TokenApi, "refresh_token_url", f"{base}/connect/token")
    token = httpx.post(f"{base}/_sandbox/tokens", json={}).json()
    token["scope"] = token["scope"].split()
    token["expires_at"] = time.time() - 5  # already stale: the SDK must refresh through the sandbox first
    saved: dict[str, Any] = {"token": token}
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id="sandbox-client", client_secret="sandbox-secret")),
        pool_threads=1,
        oauth2_token_getter=lambda: saved["token"],
        oauth2_token_saver=lambda new: saved.__setitem__("token", new),
    )
    connections = IdentityApi(client, base_url=base).get_connections()
    assert saved["token"]["access_token"] != token["access_token"]  # refreshed via the sandbox token URL
    tenant_id = str(connections[0].tenant_id)
    tenant = app.tenants[tenant_id]
    accounting = AccountingApi(client, base_url=f"{base}{API}")

    page = accounting.get_invoices(tenant_id, page=1, page_size=10)
    store = tenant.collections["Invoices"]
    assert page.pagination.item_count == len(store)
    first = page.invoices[0]
    record = store.get(store.find(str(first.invoice_id)))
    assert first.total == record["Total"]
    assert isinstance(first.total, Decimal)
    assert first.date == dt.datetime.fromtimestamp(parse_ms_date(record["Date"]) / 1000, dt.UTC).date()
    assert first.updated_date_utc == dt.datetime.fromtimestamp(parse_ms_date(record["UpdatedDateUTC"]) / 1000, dt.UTC)
    assert len(first.line_items) == len(record["LineItems"])
    assert first.line_items[0].line_amount == record["LineItems"][0]["LineAmount"]

    since = dt.datetime.fromtimestamp(store.updated[30] / 1000, dt.UTC).replace(tzinfo=None, microsecond=0)
    recent = accounting.get_invoices(tenant_id, if_modified_since=since, page=1)
    assert len(recent.invoices) == store.count_since(int(since.replace(tzinfo=dt.UTC).timestamp() * 1000))
    authorised = accounting.get_invoices(tenant_id, where='Status=="AUTHORISED"', page=1)
    assert authorised.invoices
    assert all(i.status == "AUTHORISED" for i in authorised.invoices)
    one = accounting.get_invoice(tenant_id, str(first.invoice_id))
    assert one.invoices[0].invoice_number == record["InvoiceNumber"]

    contacts = accounting.get_contacts(tenant_id)
    assert {str(c.contact_id) for c in contacts.contacts} <= set(tenant.collections["Contacts"].ids)
    contact_id = contacts.contacts[0].contact_id

    new = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        date=dt.date(2025, 3, 1),
        due_date=dt.date(2025, 3, 31),
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        status="AUTHORISED",
        line_items=[
            LineItem(description="SDK widget", quantity=Decimal("2"), unit_amount=Decimal("10.25"), account_code="200")
        ],
    )
    created = accounting.create_invoices(tenant_id, Invoices(invoices=[new]), summarize_errors=False)
    made = created.invoices[0]
    assert made.status_attribute_string == "OK"
    assert made.date == dt.date(2025, 3, 1)
    assert made.sub_total == Decimal("20.50")
    stored = store.get(store.find(str(made.invoice_id)))
    assert stored["Total"] == made.total

    made.reference = "updated by sdk"
    bad = Invoice(type="ACCREC", line_items=[])
    upserted = accounting.update_or_create_invoices(tenant_id, Invoices(invoices=[made, bad]), summarize_errors=False)
    assert [i.status_attribute_string for i in upserted.invoices] == ["OK", "ERROR"]
    assert upserted.invoices[1].validation_errors[0].message
    assert store.get(store.find(str(made.invoice_id)))["Reference"] == "updated by sdk"

    journal = ManualJournal(
        narration="SDK accrual",
        date=dt.date(2025, 3, 2),
        journal_lines=[
            ManualJournalLine(line_amount=Decimal("42.00"), account_code="400"),
            ManualJournalLine(line_amount=Decimal("-42.00"), account_code="800"),
        ],
    )
    journals = accounting.create_manual_journals(tenant_id, ManualJournals(manual_journals=[journal]))
    journal_id = str(journals.manual_journals[0].manual_journal_id)
    listed = accounting.get_manual_journals(tenant_id, page=1, page_size=1000)
    assert journal_id in {str(j.manual_journal_id) for j in listed.manual_journals}

    accounts = accounting.get_accounts(tenant_id)
    assert {a.code for a in accounts.accounts} == {a["Code"] for a in tenant.collections["Accounts"].all_records()}
    assert {str(a.type) for a in accounts.accounts} >= {"AccountType.BANK", "AccountType.REVENUE"}
    rates = accounting.get_tax_rates(tenant_id)
    assert {r.tax_type for r in rates.tax_rates} == set(tenant.collections["TaxRates"].ids)
    assert all(isinstance(r.effective_rate, Decimal) for r in rates.tax_rates)
    categories = accounting.get_tracking_categories(tenant_id)
    assert sorted(c.name for c in categories.tracking_categories) == ["Department", "Region"]
    organisations = accounting.get_organisations(tenant_id)
    assert str(organisations.organisations[0].organisation_id) == tenant_id
    assert organisations.organisations[0].financial_year_end_month == tenant.organisation["FinancialYearEndMonth"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_official_sdk_tracking_writes(served):
    """Every tracking write through the SDK; the organisation ends as it began (Department and Region, ACTIVE)."""
    from xero_python.accounting import AccountingApi, TrackingCategory, TrackingOption
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token
    from xero_python.exceptions import AccountingBadRequestException

    base, app = served
    token = httpx.post(f"{base}/_sandbox/tokens", json={}).json()
    token["scope"] = token["scope"].split()
    token["expires_at"] = time.time() + 600
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id="sandbox-client", client_secret="sandbox-secret")),
        pool_threads=1,
        oauth2_token_getter=lambda: token,
        oauth2_token_saver=lambda new: None,
    )
    accounting = AccountingApi(client, base_url=f"{base}{API}")
    tenant_id = next(iter(app.tenants))
    department = next(
        c for c in accounting.get_tracking_categories(tenant_id).tracking_categories if c.name == "Department"
    )
    department_id = str(department.tracking_category_id)

    with pytest.raises(AccountingBadRequestException):
        accounting.create_tracking_category(tenant_id, TrackingCategory(name="SDK Project"))
    archived = accounting.update_tracking_category(tenant_id, department_id, TrackingCategory(status="ARCHIVED"))
    assert archived.tracking_categories[0].status == "ARCHIVED"
    created = accounting.create_tracking_category(
        tenant_id, TrackingCategory(name="SDK Project"), idempotency_key="sdk-tracking-1"
    ).tracking_categories[0]
    assert created.name == "SDK Project"
    assert created.options == []
    category_id = str(created.tracking_category_id)
    option = accounting.create_tracking_options(tenant_id, category_id, TrackingOption(name="Alpha")).options[0]
    assert option.status == "ACTIVE"
    assert str(option.tracking_category_id) == category_id
    option_id = str(option.tracking_option_id)
    renamed = accounting.update_tracking_options(tenant_id, category_id, option_id, TrackingOption(name="Beta"))
    assert renamed.options[0].name == "Beta"
    removed = accounting.delete_tracking_options(tenant_id, category_id, option_id)
    assert removed.options[0].status == "DELETED"
    assert accounting.get_tracking_category(tenant_id, category_id).tracking_categories[0].options == []
    deleted = accounting.delete_tracking_category(tenant_id, category_id)
    assert deleted.tracking_categories[0].status == "DELETED"
    assert accounting.get_tracking_category(tenant_id, category_id).tracking_categories[0].status == "DELETED"
    accounting.update_tracking_category(tenant_id, department_id, TrackingCategory(status="ACTIVE"))
    listed = accounting.get_tracking_categories(tenant_id, include_archived=True).tracking_categories
    assert sorted(c.name for c in listed) == ["Department", "Region"]
