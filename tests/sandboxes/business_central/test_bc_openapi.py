"""Entity shapes of the Business Central sandbox against Microsoft's v1.0 OpenAPI and the v2.0 changes.

Every scalar field of the v1.0 schema must be present on the v2.0 entity, except those v2.0 dropped:
- ``contactId`` on sales documents and customer payments (not in the v2.0 reference samples);
- the complex ``address`` / ``…PostalAddress`` properties, which v2.0 flattens into ``addressLine1…postalCode`` and
  ``sellTo…``/``billTo…``/``shipTo…``/``buyFrom…``/``payTo…`` ``AddressLine1…PostCode`` (checked below);
- ``lineDetails`` and ``unitOfMeasure`` complex types on lines (v2.0: ``lineObjectNumber``, ``unitOfMeasureCode``).
Enums come out in v2.0's escaped form, and every entity carries ``@odata.etag``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import httpx
import pytest
import yaml

OPENAPI = Path("/work/shared/reference/providers/business-central/bc-api-v1.0-openapi.yaml")
V1_TO_V2 = {
    "companyInformation": "companyInformation",
    "customer": "customers",
    "vendor": "vendors",
    "employee": "employees",
    "item": "items",
    "account": "accounts",
    "generalLedgerEntry": "generalLedgerEntries",
    "journal": "journals",
    "customerPaymentJournal": "customerPaymentJournals",
    "salesInvoice": "salesInvoices",
    "purchaseInvoice": "purchaseInvoices",
    "salesCreditMemo": "salesCreditMemos",
    "salesOrder": "salesOrders",
    "taxArea": "taxAreas",
    "taxGroup": "taxGroups",
    "dimension": "dimensions",
    "paymentTerm": "paymentTerms",
    "currency": "currencies",
    "project": "projects",
}
DROPPED_IN_V2 = {"contactId"}
FLATTENED = {
    "customers": ["addressLine1", "city", "state", "country", "postalCode"],
    "vendors": ["addressLine1", "postalCode"],
    "salesInvoices": ["sellToAddressLine1", "billToPostCode", "shipToCity"],
    "purchaseInvoices": ["buyFromAddressLine1", "payToPostCode", "shipToCity"],
}


@cache
def _schemas() -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(OPENAPI.read_text(), Loader=loader)["components"]["schemas"]  # noqa: S506 - a safe loader


def _v1_fields(schema: str) -> list[str]:
    if not OPENAPI.exists():
        pytest.skip("the v1.0 OpenAPI reference is not on this machine")
    properties = _schemas()[schema].get("properties", {})
    return [name for name, value in properties.items() if "$ref" not in value and value.get("type") != "array"]


@pytest.mark.parametrize(("schema", "entity_set"), sorted(V1_TO_V2.items()))
async def test_entity_carries_the_v1_fields_v2_kept(
    client: httpx.AsyncClient, auth: dict[str, str], base: str, schema: str, entity_set: str
) -> None:
    response = await client.get(f"{base}/{entity_set}", params={"$top": "1"}, headers=auth)
    assert response.status_code == 200, response.text
    entity = response.json()["value"][0]
    missing = [name for name in _v1_fields(schema) if name not in entity and name not in DROPPED_IN_V2]
    assert missing == []
    assert entity["@odata.etag"].startswith('W/"')
    for name in FLATTENED.get(entity_set, []):
        assert name in entity


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("salesInvoiceLine", "salesInvoices"),
        ("purchaseInvoiceLine", "purchaseInvoices"),
        ("salesOrderLine", "salesOrders"),
        ("salesCreditMemoLine", "salesCreditMemos"),
    ],
)
async def test_lines_carry_the_v1_fields(
    client: httpx.AsyncClient, auth: dict[str, str], base: str, schema: str, path: str
) -> None:
    lines_name = schema + "s"
    response = await client.get(f"{base}/{path}", params={"$top": "1", "$expand": lines_name}, headers=auth)
    line = response.json()["value"][0][lines_name][0]
    assert [name for name in _v1_fields(schema) if name not in line] == []
    assert "lineObjectNumber" in line
    assert "unitOfMeasureCode" in line
    assert "lastModifiedDateTime" not in line  # lines have no cursor field in v2.0 (FACTS §3)


async def test_journal_lines_and_payments(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    journal = (await client.get(f"{base}/journals", params={"$filter": "code eq 'DEFAULT'"}, headers=auth)).json()[
        "value"
    ][0]
    line = (await client.get(f"{base}/journals({journal['id']})/journalLines", headers=auth)).json()["value"][0]
    assert [n for n in _v1_fields("journalLine") if n not in line] == []
    assert line["accountType"] == "G_x002F_L_x0020_Account"
    payments = (await client.get(f"{base}/customerPaymentJournals", headers=auth)).json()["value"][0]
    payment = (
        await client.get(f"{base}/customerPaymentJournals({payments['id']})/customerPayments", headers=auth)
    ).json()["value"][0]
    assert [n for n in _v1_fields("customerPayment") if n not in payment and n not in DROPPED_IN_V2] == []
    assert payment["amount"] < 0  # a customer payment credits the customer (FACTS §6.3)


async def test_v2_enum_wire_forms(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    accounts = (await client.get(f"{base}/accounts", headers=auth)).json()["value"]
    assert {"Begin_x002D_Total", "End_x002D_Total", "Posting"} <= {a["accountType"] for a in accounts}
    assert "Cost_x0020_of_x0020_Goods_x0020_Sold" in {a["category"] for a in accounts}
    customer = (await client.get(f"{base}/customers", params={"$top": "1"}, headers=auth)).json()["value"][0]
    assert customer["blocked"] == "_x0020_"
    empty = customer["shipmentMethodId"]
    assert empty == "00000000-0000-0000-0000-000000000000"


async def test_company_shape(client: httpx.AsyncClient, auth: dict[str, str], tenant_id: str) -> None:
    company = (await client.get(f"/v2.0/{tenant_id}/production/api/v2.0/companies", headers=auth)).json()["value"][0]
    assert set(_v1_fields("company")) <= set(company)
    assert {"systemCreatedAt", "systemModifiedAt"} <= set(company)
