"""OData reads of the Business Central sandbox: companies, envelopes, $filter, $select, $expand, $orderby, paging."""

from __future__ import annotations

import httpx
import pytest

from ledgerport.sandboxes.business_central import SandboxApp


async def test_companies_per_environment(client: httpx.AsyncClient, auth: dict[str, str], tenant_id: str) -> None:
    production = await client.get(f"/v2.0/{tenant_id}/production/api/v2.0/companies", headers=auth)
    names = sorted(c["name"] for c in production.json()["value"])
    assert names == ["CRONUS Canada, Inc.", "CRONUS USA, Inc."]
    sandbox = await client.get("/v2.0/SANDBOX/api/v2.0/companies", headers=auth)
    assert [c["name"] for c in sandbox.json()["value"]] == ["CRONUS USA, Inc."]
    posted = await client.post(f"/v2.0/{tenant_id}/production/api/v2.0/companies", headers=auth, json={"name": "x"})
    assert posted.status_code == 405
    assert posted.json()["error"]["code"] == "BadRequest_MethodNotAllowed"


async def test_collection_envelope_and_etags(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    response = await client.get(f"{base}/customers", headers=auth)
    body = response.json()
    assert response.headers["odata-version"] == "4.0"
    assert body["@odata.context"].endswith("/$metadata#companies(" + base.split("(")[1].split(")")[0] + ")/customers")
    assert body["value"]
    assert all(row["@odata.etag"].startswith('W/"') for row in body["value"])
    one = await client.get(f"{base}/customers({body['value'][0]['id']})", headers=auth)
    assert one.json()["@odata.context"].endswith("/customers/$entity")
    assert one.json()["@odata.etag"] == body["value"][0]["@odata.etag"]


async def test_filter_operators(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    async def ids(text: str) -> list[dict]:
        response = await client.get(f"{base}/salesInvoices", params={"$filter": text}, headers=auth)
        assert response.status_code == 200, response.text
        return response.json()["value"]

    everything = await ids("totalAmountIncludingTax ge 0")
    paid = await ids("status eq 'Paid'")
    assert paid
    assert all(row["status"] == "Paid" for row in paid)
    assert len(await ids("status eq 'Paid' or status eq 'Open'")) + len(await ids("status eq 'Draft'")) == len(
        everything
    )
    after = await ids("lastModifiedDateTime gt 2025-06-01T00:00:00Z")
    assert after
    assert all(row["lastModifiedDateTime"] > "2025-06-01T00:00:00.000Z" for row in after)
    dated = await ids("invoiceDate ge 2025-01-01 and invoiceDate lt 2025-02-01")
    assert dated
    assert all(row["invoiceDate"].startswith("2025-01") for row in dated)
    customer = everything[0]["customerId"]
    assert all(row["customerId"] == customer for row in await ids(f"customerId eq {customer}"))
    assert all(row["number"].startswith("1031") for row in await ids("startswith(number,'1031')"))
    assert all("Coffee" in row["customerName"] for row in await ids("contains(customerName,'Coffee')"))
    bad = await client.get(
        f"{base}/salesInvoices", params={"$filter": "status eq 'Paid' or number eq '1'"}, headers=auth
    )
    assert bad.status_code == 400
    assert "The 'OR' operator is not supported on distinct fields" in bad.json()["error"]["message"]
    unknown = await client.get(f"{base}/salesInvoices", params={"$filter": "nope eq 1"}, headers=auth)
    assert unknown.status_code == 400


async def test_enum_filters_accept_plain_and_escaped(
    client: httpx.AsyncClient, auth: dict[str, str], base: str
) -> None:
    escaped = await client.get(
        f"{base}/accounts", params={"$filter": "accountType eq 'Begin_x002D_Total'"}, headers=auth
    )
    plain = await client.get(f"{base}/accounts", params={"$filter": "accountType eq 'Begin-Total'"}, headers=auth)
    assert escaped.json()["value"] == plain.json()["value"]
    assert plain.json()["value"]
    assert plain.json()["value"][0]["accountType"] == "Begin_x002D_Total"


async def test_select_top_skip_orderby(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    response = await client.get(
        f"{base}/customers",
        params={"$select": "id,number", "$orderby": "number desc", "$top": "3", "$skip": "1"},
        headers=auth,
    )
    rows = response.json()["value"]
    assert [set(row) for row in rows] == [{"@odata.etag", "id", "number"}] * 3
    every = (await client.get(f"{base}/customers", params={"$orderby": "number desc"}, headers=auth)).json()["value"]
    assert [row["number"] for row in rows] == [row["number"] for row in every[1:4]]


async def test_expand_lines_with_nested_options(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    response = await client.get(
        f"{base}/salesInvoices", params={"$top": "5", "$expand": "salesInvoiceLines"}, headers=auth
    )
    for invoice in response.json()["value"]:
        lines = invoice["salesInvoiceLines"]
        assert lines
        assert all(line["documentId"] == invoice["id"] and "@odata.etag" in line for line in lines)
        total = sum(float(line["amountIncludingTax"]) for line in lines)
        assert total == pytest.approx(float(invoice["totalAmountIncludingTax"]))
    nested = await client.get(
        f"{base}/salesInvoices",
        params={"$top": "5", "$expand": "salesInvoiceLines($select=sequence;$filter=sequence eq 10000),customer"},
        headers=auth,
    )
    for invoice in nested.json()["value"]:
        assert [set(line) for line in invoice["salesInvoiceLines"]] == [{"@odata.etag", "sequence"}]
        assert invoice["customer"]["id"] == invoice["customerId"]


async def test_lines_top_level_need_a_document(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    response = await client.get(f"{base}/salesInvoiceLines", headers=auth)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "Application_DialogException"
    assert "You must specify an Id or a Document Id to get the lines." in response.json()["error"]["message"]
    invoice = (await client.get(f"{base}/salesInvoices", params={"$top": "1"}, headers=auth)).json()["value"][0]
    lines = await client.get(
        f"{base}/salesInvoiceLines", params={"$filter": f"documentId eq {invoice['id']}"}, headers=auth
    )
    nested = await client.get(f"{base}/salesInvoices({invoice['id']})/salesInvoiceLines", headers=auth)
    assert lines.json()["value"] == nested.json()["value"]
    assert lines.json()["value"]
    journal = await client.get(f"{base}/journalLines", headers=auth)
    assert "You must specify a journal batch ID or a journal ID" in journal.json()["error"]["message"]


async def test_server_driven_paging(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    everything = (await client.get(f"{base}/salesInvoices", params={"$select": "id"}, headers=auth)).json()
    assert "@odata.nextLink" not in everything
    seen: list[str] = []
    url: str | None = f"http://sandbox{base}/salesInvoices?$select=id"
    pages = 0
    while url:
        response = await client.get(url, headers={**auth, "Prefer": "odata.maxpagesize=30"})
        assert response.headers["preference-applied"] == "odata.maxpagesize=30"
        body = response.json()
        assert len(body["value"]) <= 30
        seen += [row["id"] for row in body["value"]]
        url = body.get("@odata.nextLink")
        pages += 1
    assert seen == [row["id"] for row in everything["value"]]
    assert pages == -(-len(seen) // 30)


async def test_paging_survives_a_delete_between_pages(
    client: httpx.AsyncClient, auth: dict[str, str], base: str, app: SandboxApp
) -> None:
    first = (await client.get(f"{base}/customers", headers={**auth, "Prefer": "odata.maxpagesize=5"})).json()
    victim = first["value"][1]
    deleted = await client.delete(
        f"{base}/customers({victim['id']})", headers={**auth, "If-Match": victim["@odata.etag"]}
    )
    assert deleted.status_code == 204
    second = (await client.get(first["@odata.nextLink"], headers={**auth, "Prefer": "odata.maxpagesize=5"})).json()
    everything = (await client.get(f"{base}/customers", headers=auth)).json()["value"]
    assert second["value"][0]["id"] == everything[4]["id"]


async def test_unknown_ids_and_segments(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    missing = await client.get(f"{base}/customers(00000000-0000-0000-0000-00000000abcd)", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "Internal_RecordNotFound"
    segment = await client.get(f"{base}/nothings", headers=auth)
    assert segment.status_code == 404
    assert segment.json()["error"]["code"] == "BadRequest_ResourceNotFound"
