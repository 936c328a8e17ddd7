"""Remote fields through the real app: the classes endpoints of both integrations, ``include_remote_fields`` on list
and retrieve, and a QuickBooks invoice written with a custom field value that reaches the sandbox and reads back.

Each test links a seeded sandbox, syncs it, and speaks to ``create_app`` over ASGI; the sandbox reaches the app's
provider calls through an in-process transport, so what the app asks of the provider is what the sandbox serves.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from harness import TEST_SEALING_KEY
from ledgerport.app import create_app
from ledgerport.config import Settings
from ledgerport.connectors._base import AsgiTransport
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.kit.budget import MemoryBudget
from ledgerport.kit.sealing import Sealer
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.store import Database, accounts
from ledgerport.sync import SyncDeps, sync_account

SANDBOX = "http://sandbox.test"
CLIENT = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@dataclass
class Rig:
    sandbox: Any
    account_id: uuid.UUID
    api: httpx.AsyncClient

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.api.get(f"/api/accounting/v1/{path}", params=params)
        assert response.status_code == 200, response.text
        return response.json()


def _sandbox(provider: str) -> tuple[Any, Any]:
    if provider == "xero":
        from ledgerport.connectors.xero import CONNECTOR
        from ledgerport.sandboxes.xero import create_app as create_xero

        return CONNECTOR, create_xero(seed=7, size="small", limits=False)
    from ledgerport.connectors.quickbooks import CONNECTOR as QBO
    from ledgerport.sandboxes.quickbooks import create_app as create_qbo

    return QBO, create_qbo(seed=7, size="small", limits=False)


@contextlib.asynccontextmanager
async def rig(database: Database, provider: str) -> AsyncIterator[Rig]:
    connector, sandbox = _sandbox(provider)
    transport = AsgiTransport(sandbox)
    sealer = Sealer([TEST_SEALING_KEY])
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=f"fields-{uuid.uuid4().hex[:6]}")
        key = await accounts.create_api_key(session, organization_id=organization_id)
    made = await link_sandbox(
        database,
        sealer=sealer,
        connector=connector,
        client=CLIENT,
        transport=transport,
        organization_id=organization_id,
        sandbox_url=SANDBOX,
        end_user=EndUser(organization_name="Acme"),
    )
    deps = SyncDeps(
        database=database,
        sealer=sealer,
        connectors={connector.key: connector},
        registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=CLIENT),
        transport=lambda origin: transport,
        budget=MemoryBudget(),
    )
    assert (await sync_account(deps, made.account.id)).failed is None
    settings = Settings(database_url=database.url, secret_keys=(TEST_SEALING_KEY,), rate_limit_per_minute=0)
    app = create_app(settings, transports={SANDBOX: transport})
    headers = {"Authorization": f"Bearer {key.secret}", "X-Account-Token": made.account_token}
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api", headers=headers)
    try:
        yield Rig(sandbox, made.account.id, api)
    finally:
        await api.aclose()
        await app.state.ledgerport.database.dispose()


def _uuid(text: str) -> str:
    return str(uuid.UUID(text))


CLASS_KEYS = {
    "id",
    "display_name",
    "remote_key_name",
    "description",
    "is_custom",
    "is_common_model_field",
    "is_required",
    "field_type",
    "field_format",
    "field_choices",
    "item_schema",
}


async def test_quickbooks_classes_are_the_company_custom_fields(database: Database) -> None:
    async with rig(database, "quickbooks") as r:
        page = await r.get("invoices/remote-field-classes")
        assert page["next"] is None
        assert page["previous"] is None
        classes = {c["remote_key_name"]: c for c in page["results"]}
        # the seeded company enables two sales-form fields (the third is off) and one purchase-order field
        assert set(classes) == {"CustomField.1", "CustomField.2"}
        assert classes["CustomField.1"]["display_name"] == "Crew #"
        assert classes["CustomField.2"]["display_name"] == "Sales Rep"
        for found in classes.values():
            assert set(found) == CLASS_KEYS
            assert found["id"] == _uuid(found["id"])
            assert found["is_custom"] is True
            assert found["is_common_model_field"] is False
            assert found["field_type"] == "string"
        assert [c["id"] for c in page["results"]] == sorted(c["id"] for c in page["results"])

        orders = await r.get("purchase-orders/remote-field-classes")
        assert [(c["remote_key_name"], c["display_name"]) for c in orders["results"]] == [
            ("CustomField.1", "Project Code")
        ]
        assert orders["results"][0]["id"] != classes["CustomField.1"]["id"], "ids are per model"
        assert (await r.get("invoices/line-items/remote-field-classes"))["results"] == []
        assert (await r.get("contacts/remote-field-classes"))["results"] == []
        assert (await r.get("invoices/remote-field-classes", is_custom="false"))["results"] == []
        again = await r.get("invoices/remote-field-classes", is_custom="true", is_common_model_field="false")
        assert again["results"] == page["results"], "class ids are stable"

        # pages of one walk forward and back
        first = await r.get("invoices/remote-field-classes", page_size=1)
        assert first["results"] == page["results"][:1]
        second = await r.get("invoices/remote-field-classes", page_size=1, cursor=first["next"])
        assert second["results"] == page["results"][1:]
        assert second["next"] is None
        back = await r.get("invoices/remote-field-classes", page_size=1, cursor=second["previous"])
        assert back["results"] == page["results"][:1]


async def test_quickbooks_invoices_carry_their_custom_field_values(database: Database) -> None:
    async with rig(database, "quickbooks") as r:
        classes = {c["remote_key_name"]: c for c in (await r.get("invoices/remote-field-classes"))["results"]}
        plain = await r.get("invoices", page_size=50)
        assert all(doc["remote_fields"] == [] for doc in plain["results"]), "only on request"
        listed = await r.get("invoices", page_size=50, include_remote_fields="true")
        assert all(doc["remote_data"] is None for doc in listed["results"]), "remote_data only when asked"
        seen_value = False
        for doc in listed["results"]:
            fields = doc["remote_fields"]
            if doc["type"] == "ACCOUNTS_PAYABLE":
                assert fields == [], "bills have no legacy custom fields"
                continue
            assert [f["remote_field_class"] for f in fields] == [classes["CustomField.1"], classes["CustomField.2"]]
            seen_value = seen_value or any(isinstance(f["value"], str) and f["value"] for f in fields)
        assert seen_value, "the seeded invoices hold some custom field values"

        one = next(doc for doc in listed["results"] if doc["type"] == "ACCOUNTS_RECEIVABLE")
        retrieved = await r.get(f"invoices/{one['id']}", include_remote_fields="true", include_remote_data="true")
        assert retrieved["remote_fields"] == one["remote_fields"]
        (remote,) = retrieved["remote_data"]
        carried = {e["DefinitionId"]: e.get("StringValue") for e in remote["data"]["CustomField"]}
        assert {f["remote_field_class"]["remote_key_name"]: f["value"] for f in one["remote_fields"]} == {
            f"CustomField.{k}": v for k, v in carried.items()
        }


async def test_xero_classes_are_fixed_invoice_fields(database: Database) -> None:
    async with rig(database, "xero") as r:
        page = await r.get("invoices/remote-field-classes")
        keys = [c["remote_key_name"] for c in page["results"]]
        assert sorted(keys) == ["BrandingThemeID", "ExpectedPaymentDate", "SentToContact"]
        assert all(c["is_custom"] is False for c in page["results"])
        assert (await r.get("invoices/remote-field-classes", is_custom="true"))["results"] == []
        assert (await r.get("contacts/remote-field-classes"))["results"] == []
        listed = await r.get("invoices", page_size=20, include_remote_fields="true")
        sent = {c["id"]: c for c in page["results"] if c["remote_key_name"] == "SentToContact"}
        for doc in listed["results"]:
            values = {f["remote_field_class"]["id"]: f["value"] for f in doc["remote_fields"]}
            (sent_id,) = sent
            assert isinstance(values[sent_id], bool)


async def _customer_and_item(r: Rig) -> tuple[str, str]:
    """A customer and an item an earlier invoice used, both still active (QuickBooks refuses inactive ones)."""
    active = {c["id"] for c in (await r.get("contacts", page_size=100))["results"] if c["status"] == "ACTIVE"}
    items = {i["id"] for i in (await r.get("items", page_size=100))["results"] if i["status"] == "ACTIVE"}
    invoices = (await r.get("invoices", page_size=100, type="ACCOUNTS_RECEIVABLE"))["results"]
    invoice = next(
        doc
        for doc in invoices
        if doc["contact"] in active and doc["line_items"] and doc["line_items"][0]["item"] in items
    )
    return invoice["contact"], invoice["line_items"][0]["item"]


async def test_a_quickbooks_invoice_written_with_a_custom_field_keeps_it(database: Database) -> None:
    async with rig(database, "quickbooks") as r:
        classes = {c["remote_key_name"]: c for c in (await r.get("invoices/remote-field-classes"))["results"]}
        contact, item = await _customer_and_item(r)
        model = {
            "type": "ACCOUNTS_RECEIVABLE",
            "contact": contact,
            "line_items": [{"item": item, "quantity": 2, "unit_price": 10}],
            "remote_fields": [{"remote_field_class": classes["CustomField.2"]["id"], "value": "Jo Marsh"}],
        }
        response = await r.api.post("/api/accounting/v1/invoices", json={"model": model})
        assert response.status_code == 201, response.text
        written = response.json()["model"]
        assert response.json()["warnings"] == []

        # QBO's answer to the write (stored as remote_data): the value is kept under its definition, named by QBO
        remote_id = written["remote_id"]
        found = await r.api.get(f"/api/accounting/v1/invoices/{written['id']}", params={"include_remote_data": "true"})
        (remote,) = found.json()["remote_data"]
        assert remote["data"]["Id"] == remote_id
        carried = {e["DefinitionId"]: e for e in remote["data"]["CustomField"]}
        assert carried["2"]["StringValue"] == "Jo Marsh"
        assert carried["2"]["Name"] == "Sales Rep"
        assert "StringValue" not in carried["1"]

        # and it reads back as a remote field of the stored record
        back = await r.get(f"invoices/{written['id']}", include_remote_fields="true")
        values = {f["remote_field_class"]["id"]: f["value"] for f in back["remote_fields"]}
        assert values[classes["CustomField.2"]["id"]] == "Jo Marsh"
        assert values[classes["CustomField.1"]["id"]] is None


async def test_a_remote_field_class_the_account_lacks_is_refused(database: Database) -> None:
    async with rig(database, "quickbooks") as r:
        orders = (await r.get("purchase-orders/remote-field-classes"))["results"]
        classes = {c["remote_key_name"]: c for c in (await r.get("invoices/remote-field-classes"))["results"]}
        contact, item = await _customer_and_item(r)
        base = {"type": "ACCOUNTS_RECEIVABLE", "contact": contact, "line_items": [{"item": item, "quantity": 1}]}
        for bad, kind, pointer in (
            ({"remote_field_class": orders[0]["id"], "value": "x"}, "INVALID_REFERENCE", "remote_field_class"),
            ({"remote_field_class": str(uuid.uuid4()), "value": "x"}, "INVALID_REFERENCE", "remote_field_class"),
            ({"remote_field_class": classes["CustomField.1"]["id"], "value": 12}, "INCORRECT_FIELD_TYPE", "value"),
        ):
            response = await r.api.post("/api/accounting/v1/invoices", json={"model": {**base, "remote_fields": [bad]}})
            assert response.status_code == 400, response.text
            (error,) = response.json()["errors"]
            assert error["problem_type"] == kind
            assert error["source"]["pointer"] == f"/model/remote_fields/0/{pointer}"


def test_the_openapi_document_lists_the_classes_endpoints() -> None:
    from ledgerport.api.openapi import openapi_document

    paths = openapi_document()["paths"]
    assert {p for p in paths if p.endswith("/remote-field-classes")} == {
        f"/accounting/v1/{path}/remote-field-classes"
        for path in (
            "contacts",
            "expense-reports",
            "expense-reports/lines",
            "expenses",
            "expenses/lines",
            "invoices",
            "invoices/line-items",
            "item-fulfillments",
            "item-fulfillments/lines",
            "journal-entries",
            "journal-entries/lines",
            "payments",
            "payments/line-items",
            "purchase-orders",
            "purchase-orders/line-items",
            "sales-orders",
            "sales-orders/lines",
        )
    }
    listed = [p["name"] for p in paths["/accounting/v1/invoices"]["get"]["parameters"]]
    assert "include_remote_fields" in listed
