"""Writes of the Business Central sandbox: defaults, etags and 412, posted documents, actions, journals, deletes."""

from __future__ import annotations

from decimal import Decimal

import httpx

from ledgerport.sandboxes.business_central import SandboxApp


async def _first(client: httpx.AsyncClient, auth: dict[str, str], url: str, **params: str) -> dict:
    response = await client.get(url, params={"$top": "1", **params}, headers=auth)
    return response.json()["value"][0]


async def test_customer_create_fills_number_and_patch_needs_if_match(
    client: httpx.AsyncClient, auth: dict[str, str], base: str
) -> None:
    created = await client.post(
        f"{base}/customers", headers=auth, json={"displayName": "Ledgerport Test Co", "city": "Oslo"}
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    assert customer["number"].startswith("C")
    assert customer["type"] == "Company"
    assert customer["blocked"] == "_x0020_"
    assert customer["lastModifiedDateTime"].endswith("Z")
    assert customer["@odata.etag"].startswith('W/"')
    url = f"{base}/customers({customer['id']})"
    missing = await client.patch(url, headers=auth, json={"city": "Bergen"})
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "BadRequest_InvalidToken"
    patched = await client.patch(url, headers={**auth, "If-Match": customer["@odata.etag"]}, json={"city": "Bergen"})
    assert patched.status_code == 200
    assert patched.json()["city"] == "Bergen"
    assert patched.json()["@odata.etag"] != customer["@odata.etag"]
    stale = await client.patch(url, headers={**auth, "If-Match": customer["@odata.etag"]}, json={"city": "Trondheim"})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "Request_EntityChanged"
    star = await client.patch(url, headers={**auth, "If-Match": "*"}, json={"city": "Trondheim"})
    assert star.status_code == 200
    readonly = await client.patch(url, headers={**auth, "If-Match": "*"}, json={"balanceDue": 5})
    assert readonly.status_code == 400
    assert readonly.json()["error"]["code"] == "BadRequest_InvalidOperation"
    blank = await client.post(f"{base}/customers", headers=auth, json={"city": "x"})
    assert blank.status_code == 400
    deleted = await client.delete(url, headers={**auth, "If-Match": star.json()["@odata.etag"]})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=auth)).status_code == 404


async def test_enum_inputs_plain_and_escaped_and_unknown(
    client: httpx.AsyncClient, auth: dict[str, str], base: str
) -> None:
    plain = await client.post(
        f"{base}/customers", headers=auth, json={"displayName": "A", "blocked": "Invoice", "type": "Person"}
    )
    assert plain.json()["blocked"] == "Invoice"
    assert plain.json()["type"] == "Person"
    bad = await client.post(f"{base}/customers", headers=auth, json={"displayName": "B", "blocked": "Never"})
    assert bad.status_code == 400
    assert "is not an option" in bad.json()["error"]["message"]


async def test_sales_invoice_defaults_totals_and_posting(
    client: httpx.AsyncClient, auth: dict[str, str], base: str
) -> None:
    customer = await _first(client, auth, f"{base}/customers", **{"$filter": "taxLiable eq true"})
    item = await _first(client, auth, f"{base}/items")
    created = await client.post(
        f"{base}/salesInvoices",
        headers=auth,
        json={
            "customerNumber": customer["number"],
            "invoiceDate": "2026-03-10",
            "salesInvoiceLines": [{"itemId": item["id"], "quantity": 3}],
        },
    )
    assert created.status_code == 201, created.text
    invoice = created.json()
    assert invoice["status"] == "Draft"
    assert invoice["number"].startswith("S-INV")
    assert invoice["customerId"] == customer["id"]
    assert invoice["customerName"] == customer["displayName"]
    assert invoice["billToCity"] == customer["city"]
    assert invoice["sellToPostCode"] == customer["postalCode"]
    assert invoice["postingDate"] == "2026-03-10"
    assert invoice["dueDate"] > "2026-03-10"
    lines = (await client.get(f"{base}/salesInvoices({invoice['id']})/salesInvoiceLines", headers=auth)).json()["value"]
    assert len(lines) == 1
    assert lines[0]["sequence"] == 10000
    assert lines[0]["lineType"] == "Item"
    assert Decimal(str(lines[0]["amountExcludingTax"])) == Decimal(str(item["unitPrice"])) * 3
    assert Decimal(str(invoice["totalAmountExcludingTax"])) == Decimal(str(lines[0]["amountExcludingTax"]))
    assert Decimal(str(invoice["totalTaxAmount"])) > 0
    added = await client.post(
        f"{base}/salesInvoices({invoice['id']})/salesInvoiceLines",
        headers=auth,
        json={"lineObjectNumber": item["number"], "lineType": "Item", "quantity": 1},
    )
    assert added.status_code == 201
    assert added.json()["sequence"] == 20000
    header = (await client.get(f"{base}/salesInvoices({invoice['id']})", headers=auth)).json()
    assert Decimal(str(header["totalAmountExcludingTax"])) == Decimal(str(item["unitPrice"])) * 4
    assert header["@odata.etag"] != invoice["@odata.etag"]
    both = await client.post(
        f"{base}/salesInvoices({invoice['id']})/salesInvoiceLines",
        headers=auth,
        json={"itemId": item["id"], "accountId": item["id"]},
    )
    assert "Specify only one of them" in both.json()["error"]["message"]
    posted = await client.post(f"{base}/salesInvoices({invoice['id']})/Microsoft.NAV.post", headers=auth)
    assert posted.status_code == 204
    after = (await client.get(f"{base}/salesInvoices({invoice['id']})", headers=auth)).json()
    assert after["id"] == invoice["id"]
    assert after["status"] == "Open"
    assert after["number"].isdigit()
    assert after["remainingAmount"] == after["totalAmountIncludingTax"]
    entries = await client.get(
        f"{base}/generalLedgerEntries", params={"$filter": f"documentNumber eq '{after['number']}'"}, headers=auth
    )
    rows = entries.json()["value"]
    assert sum(Decimal(str(r["debitAmount"])) for r in rows) == sum(Decimal(str(r["creditAmount"])) for r in rows) > 0
    edit = await client.patch(
        f"{base}/salesInvoices({invoice['id']})",
        headers={**auth, "If-Match": "*"},
        json={"externalDocumentNumber": "X"},
    )
    assert edit.status_code == 400
    assert "has been posted and can no longer be modified" in edit.json()["error"]["message"]
    line_edit = await client.post(
        f"{base}/salesInvoices({invoice['id']})/salesInvoiceLines", headers=auth, json={"itemId": item["id"]}
    )
    assert line_edit.status_code == 400
    again = await client.post(f"{base}/salesInvoices({invoice['id']})/Microsoft.NAV.post", headers=auth)
    assert "draft invoice only" in again.json()["error"]["message"]
    cancel = await client.post(f"{base}/salesInvoices({invoice['id']})/Microsoft.NAV.cancel", headers=auth)
    assert cancel.status_code == 204
    canceled = (await client.get(f"{base}/salesInvoices({invoice['id']})", headers=auth)).json()
    assert canceled["status"] == "Canceled"
    memo = (
        await client.get(f"{base}/salesCreditMemos", params={"$filter": f"invoiceId eq {invoice['id']}"}, headers=auth)
    ).json()["value"]
    assert [m["status"] for m in memo] == ["Corrective"]
    twice = await client.post(f"{base}/salesInvoices({invoice['id']})/Microsoft.NAV.cancel", headers=auth)
    assert "already been canceled" in twice.json()["error"]["message"]


async def test_document_needs_a_customer(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    response = await client.post(f"{base}/salesInvoices", headers=auth, json={})
    assert response.status_code == 400
    assert 'A "customerNumber" or a "customerId" must be provided.' in response.json()["error"]["message"]


async def test_purchase_invoice_from_vendor_and_post(
    client: httpx.AsyncClient, auth: dict[str, str], base: str
) -> None:
    vendor = await _first(client, auth, f"{base}/vendors")
    account = await _first(client, auth, f"{base}/accounts", **{"$filter": "number eq '60300'"})
    created = await client.post(
        f"{base}/purchaseInvoices",
        headers=auth,
        json={
            "vendorId": vendor["id"],
            "purchaseInvoiceLines": [{"accountId": account["id"], "quantity": 2, "unitCost": 12.5}],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["vendorName"] == vendor["displayName"]
    assert created.json()["totalAmountIncludingTax"] == 25
    posted = await client.post(f"{base}/purchaseInvoices({created.json()['id']})/Microsoft.NAV.post", headers=auth)
    assert posted.status_code == 204


async def test_read_only_sets_refuse_writes(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    for entity_set in ("accounts", "generalLedgerEntries", "dimensions", "accountingPeriods", "salesShipments"):
        response = await client.post(f"{base}/{entity_set}", headers=auth, json={})
        assert response.status_code == 405, entity_set
        assert response.json()["error"]["code"] == "BadRequest_MethodNotAllowed"
    info = await _first(client, auth, f"{base}/companyInformation")
    assert (await client.post(f"{base}/companyInformation", headers=auth, json={})).status_code == 405
    patched = await client.patch(
        f"{base}/companyInformation({info['id']})",
        headers={**auth, "If-Match": info["@odata.etag"]},
        json={"phoneNumber": "1"},
    )
    assert patched.status_code == 200


async def test_journal_post_writes_gl_entries_and_clears_lines(
    client: httpx.AsyncClient, auth: dict[str, str], base: str, app: SandboxApp
) -> None:
    journal = (await client.post(f"{base}/journals", headers=auth, json={"code": "TEST", "displayName": "Test"})).json()
    assert journal["templateDisplayName"] == "GENERAL"
    empty = await client.post(f"{base}/journals({journal['id']})/Microsoft.NAV.post", headers=auth)
    assert empty.status_code == 400
    assert "There is nothing to post." in empty.json()["error"]["message"]
    lines = f"{base}/journals({journal['id']})/journalLines"
    first = await client.post(
        lines,
        headers=auth,
        json={"accountNumber": "60100", "amount": 100, "documentNumber": "T1", "postingDate": "2026-01-05"},
    )
    assert first.status_code == 201, first.text
    assert first.json()["accountType"] == "G_x002F_L_x0020_Account"
    assert first.json()["lineNumber"] == 10000
    unbalanced = await client.post(f"{base}/journals({journal['id']})/Microsoft.NAV.post", headers=auth)
    assert "out of balance" in unbalanced.json()["error"]["message"]
    await client.post(
        lines,
        headers=auth,
        json={
            "accountType": "G/L Account",
            "accountNumber": "10100",
            "amount": -100,
            "documentNumber": "T1",
            "postingDate": "2026-01-05",
        },
    )
    posted = await client.post(f"{base}/journals({journal['id']})/Microsoft.NAV.post", headers=auth)
    assert posted.status_code == 204, posted.text
    assert (await client.get(lines, headers=auth)).json()["value"] == []
    entries = (
        await client.get(f"{base}/generalLedgerEntries", params={"$filter": "documentNumber eq 'T1'"}, headers=auth)
    ).json()["value"]
    assert sorted((e["accountNumber"], e["debitAmount"], e["creditAmount"]) for e in entries) == [
        ("10100", 0, 100),
        ("60100", 100, 0),
    ]


async def test_customer_payment_applies_to_a_posted_invoice(
    client: httpx.AsyncClient, auth: dict[str, str], base: str
) -> None:
    journal = await _first(client, auth, f"{base}/customerPaymentJournals")
    invoice = await _first(client, auth, f"{base}/salesInvoices", **{"$filter": "status eq 'Open'"})
    payment = await client.post(
        f"{base}/customerPaymentJournals({journal['id']})/customerPayments",
        headers=auth,
        json={"appliesToInvoiceNumber": invoice["number"]},
    )
    assert payment.status_code == 201, payment.text
    body = payment.json()
    assert body["customerId"] == invoice["customerId"]
    assert body["appliesToInvoiceId"] == invoice["id"]
    assert Decimal(str(body["amount"])) == -Decimal(str(invoice["remainingAmount"]))
    draft = await _first(client, auth, f"{base}/salesInvoices", **{"$filter": "status eq 'Draft'"})
    refused = await client.post(
        f"{base}/customerPaymentJournals({journal['id']})/customerPayments",
        headers=auth,
        json={"appliesToInvoiceId": draft["id"]},
    )
    assert refused.status_code == 400


async def test_sales_order_ship_and_invoice(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    order = await _first(client, auth, f"{base}/salesOrders")
    response = await client.post(f"{base}/salesOrders({order['id']})/Microsoft.NAV.shipAndInvoice", headers=auth)
    assert response.status_code == 204, response.text
    invoices = (
        await client.get(f"{base}/salesInvoices", params={"$filter": f"orderId eq {order['id']}"}, headers=auth)
    ).json()["value"]
    assert len(invoices) == 1
    assert invoices[0]["status"] == "Open"
    assert invoices[0]["orderNumber"] == order["number"]
    assert invoices[0]["totalAmountIncludingTax"] == order["totalAmountIncludingTax"]
    assert (await client.get(f"{base}/salesOrders({order['id']})", headers=auth)).status_code == 404


async def test_line_change_touches_the_header(
    client: httpx.AsyncClient, auth: dict[str, str], base: str, app: SandboxApp
) -> None:
    invoice = await _first(client, auth, f"{base}/salesInvoices", **{"$filter": "status eq 'Draft'"})
    line = (await client.get(f"{base}/salesInvoices({invoice['id']})/salesInvoiceLines", headers=auth)).json()["value"][
        0
    ]
    patched = await client.patch(
        f"{base}/salesInvoices({invoice['id']})/salesInvoiceLines({line['id']})",
        headers={**auth, "If-Match": line["@odata.etag"]},
        json={"quantity": 100},
    )
    assert patched.status_code == 200, patched.text
    assert Decimal(str(patched.json()["amountExcludingTax"])) == Decimal(str(line["unitPrice"])) * 100
    header = (await client.get(f"{base}/salesInvoices({invoice['id']})", headers=auth)).json()
    assert header["lastModifiedDateTime"] > invoice["lastModifiedDateTime"]
    sequence = await client.patch(
        f"{base}/salesInvoiceLines({line['id']})", headers={**auth, "If-Match": "*"}, json={"sequence": 99999}
    )
    assert sequence.status_code == 400
