"""The record service: collections, reads, writes with NetSuite's defaults and rules, transforms, deletions."""

from __future__ import annotations

from typing import Any

from conftest import NS, RECORDS


def _id(location: str) -> str:
    return location.rsplit("/", 1)[1]


async def _open_customer(ns: NS) -> dict[str, Any]:
    rows = await ns.rows(
        "SELECT id, subsidiary, currency FROM customer"
        " WHERE subsidiary = 1 AND currency = 1 AND isinactive = 'F' ORDER BY id"
    )
    return rows[0]


async def test_collection_is_ids_and_links_paged(ns: NS) -> None:
    first = (await ns.client.get(f"{RECORDS}/invoice", params={"limit": 20}, headers=ns.headers)).json()
    assert first["count"] == 20
    assert first["hasMore"] is True
    assert first["totalResults"] == 50
    assert set(first["items"][0]) == {"links", "id"}
    rels = {link["rel"] for link in first["links"]}
    assert {"self", "next", "last"} <= rels
    last = (await ns.client.get(f"{RECORDS}/invoice", params={"limit": 20, "offset": 40}, headers=ns.headers)).json()
    assert last["count"] == 10
    assert last["hasMore"] is False
    ids = [int(i["id"]) for i in first["items"]]
    assert ids == sorted(ids)


async def test_collection_pages_stop_after_a_thousand(ns: NS) -> None:
    response = await ns.client.get(f"{RECORDS}/invoice", params={"limit": 1, "offset": 1000}, headers=ns.headers)
    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_PARAMETER"
    too_big = await ns.client.get(f"{RECORDS}/invoice", params={"limit": 1001}, headers=ns.headers)
    assert too_big.status_code == 400


async def test_type_names_are_case_insensitive(ns: NS) -> None:
    lower = await ns.client.get(f"{RECORDS}/journalentry", headers=ns.headers)
    camel = await ns.client.get(f"{RECORDS}/journalEntry", headers=ns.headers)
    assert lower.status_code == camel.status_code == 200
    assert lower.json()["totalResults"] == camel.json()["totalResults"] > 0


async def test_q_filters_and_refuses_fields_that_are_not_filterable(ns: NS) -> None:
    everything = (await ns.client.get(f"{RECORDS}/invoice", headers=ns.headers)).json()["totalResults"]
    recent = await ns.client.get(
        f"{RECORDS}/invoice", params={"q": 'tranDate ON_OR_AFTER "6/1/2026"'}, headers=ns.headers
    )
    assert recent.status_code == 200
    expected = await ns.rows(
        "SELECT COUNT(*) AS n FROM transaction"
        " WHERE type = 'CustInvc' AND trandate >= TO_DATE('2026-06-01', 'YYYY-MM-DD')"
    )
    assert recent.json()["totalResults"] == int(expected[0]["n"]) < everything
    status = await ns.client.get(f"{RECORDS}/invoice", params={"q": 'status ANY_OF ["A"]'}, headers=ns.headers)
    assert status.status_code == 400
    assert status.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_FIELD"
    employee = await ns.client.get(
        f"{RECORDS}/employee", params={"q": 'lastModifiedDate AFTER "1/1/2024"'}, headers=ns.headers
    )
    assert employee.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_FIELD"
    iso = await ns.client.get(f"{RECORDS}/invoice", params={"q": 'tranDate AFTER "2024-01-01"'}, headers=ns.headers)
    assert iso.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_PARAMETER"


async def test_get_collapses_sublists_unless_expanded(ns: NS) -> None:
    invoice_id = (await ns.client.get(f"{RECORDS}/invoice", headers=ns.headers)).json()["items"][0]["id"]
    plain = (await ns.client.get(f"{RECORDS}/invoice/{invoice_id}", headers=ns.headers)).json()
    assert set(plain["item"]) == {"links"}
    full = (
        await ns.client.get(
            f"{RECORDS}/invoice/{invoice_id}", params={"expandSubResources": "true"}, headers=ns.headers
        )
    ).json()
    assert full["item"]["count"] >= 1
    assert full["entity"]["refName"]
    assert full["status"]["refName"] in {"Open", "Paid In Full"}
    simple = (
        await ns.client.get(f"{RECORDS}/invoice/{invoice_id}", params={"simpleEnumFormat": "true"}, headers=ns.headers)
    ).json()
    assert simple["status"] == {"id": full["status"]["id"]}
    some = (
        await ns.client.get(f"{RECORDS}/invoice/{invoice_id}", params={"fields": "tranId,total"}, headers=ns.headers)
    ).json()
    assert set(some) == {"links", "id", "tranId", "total", "refName"}
    missing = await ns.client.get(f"{RECORDS}/invoice/999999", headers=ns.headers)
    assert missing.status_code == 404
    assert missing.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"


async def test_create_fills_what_netsuite_fills(ns: NS) -> None:
    customer = await _open_customer(ns)
    response = await ns.create(
        "invoice",
        {"entity": {"id": customer["id"]}, "item": {"items": [{"item": {"id": "6"}, "quantity": 2}]}},
    )
    assert response.status_code == 204
    assert response.content == b""
    invoice_id = _id(response.headers["location"])
    doc = (
        await ns.client.get(
            f"{RECORDS}/invoice/{invoice_id}", params={"expandSubResources": "true"}, headers=ns.headers
        )
    ).json()
    assert doc["tranId"].startswith("INV")
    assert doc["tranDate"] == "2026-12-05"
    assert doc["postingPeriod"]["refName"] == "Dec 2026"
    assert doc["account"]["refName"] == "1100 Accounts Receivable"
    assert doc["subsidiary"]["id"] == customer["subsidiary"]
    assert doc["exchangeRate"] == 1
    assert doc["total"] == doc["amountRemaining"] == 300
    assert doc["status"]["id"] == "A"
    assert doc["dueDate"] > doc["tranDate"]
    assert doc["item"]["items"][0]["rate"] == 150
    assert doc["item"]["items"][0]["line"] == 1
    assert doc["createdDate"] == doc["lastModifiedDate"] == "2026-12-05T18:00:00Z"
    row = await ns.rows(
        f"SELECT tranid, foreigntotal, status, TO_CHAR(createddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS created"
        f" FROM transaction WHERE id = {invoice_id}"
    )
    assert row[0]["foreigntotal"] == "300"
    assert row[0]["status"] == "A"
    assert row[0]["created"] == "2026-12-05T10:00:00"  # Los Angeles time


async def test_foreign_currency_gets_an_exchange_rate(ns: NS) -> None:
    rows = await ns.rows("SELECT id FROM customer WHERE subsidiary = 2 AND currency = 3 ORDER BY id")
    response = await ns.create("invoice", {"entity": {"id": rows[0]["id"]}, "item": {"items": [{"item": {"id": "7"}}]}})
    assert response.status_code == 204, response.text
    doc = (await ns.client.get(response.headers["location"].replace("http://ns.test", ""), headers=ns.headers)).json()
    assert doc["currency"]["refName"] == "Euro"
    assert 0.5 < doc["exchangeRate"] < 1.2


async def test_onewWorld_subsidiary_must_be_the_entitys(ns: NS) -> None:
    customer = await _open_customer(ns)
    response = await ns.create(
        "invoice",
        {"entity": {"id": customer["id"]}, "subsidiary": {"id": "2"}, "item": {"items": [{"item": {"id": "6"}}]}},
    )
    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorPath"] == "subsidiary"
    no_subsidiary = await ns.create("customer", {"companyName": "Nowhere Ltd"})
    assert no_subsidiary.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"


async def test_closed_periods_refuse_writes(ns: NS) -> None:
    customer = await _open_customer(ns)
    closed = await ns.rows(
        "SELECT TO_CHAR(startdate, 'YYYY-MM-DD') AS d FROM accountingperiod"
        " WHERE closed = 'T' AND isposting = 'T' ORDER BY startdate DESC"
    )
    response = await ns.create(
        "invoice",
        {"entity": {"id": customer["id"]}, "tranDate": closed[0]["d"], "item": {"items": [{"item": {"id": "6"}}]}},
    )
    assert response.status_code == 400
    detail = response.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "USER_ERROR"
    assert "closed" in detail["detail"]
    old = await ns.rows(
        "SELECT t.id FROM transaction t JOIN accountingperiod p ON p.id = t.postingperiod"
        " WHERE t.type = 'CustInvc' AND p.closed = 'T' ORDER BY t.id"
    )
    patch = await ns.client.patch(f"{RECORDS}/invoice/{old[0]['id']}", json={"memo": "late"}, headers=ns.headers)
    assert patch.status_code == 400
    locked = await ns.rows(
        "SELECT TO_CHAR(startdate, 'YYYY-MM-DD') AS d FROM accountingperiod"
        " WHERE closed = 'F' AND arlocked = 'T' AND isposting = 'T'"
    )
    response = await ns.create(
        "invoice",
        {"entity": {"id": customer["id"]}, "tranDate": locked[0]["d"], "item": {"items": [{"item": {"id": "6"}}]}},
    )
    assert response.status_code == 400
    assert "Accounts Receivable" in response.json()["o:errorDetails"][0]["detail"]


async def test_journal_entries_must_balance(ns: NS) -> None:
    lines = [{"account": {"id": "21"}, "debit": 100}, {"account": {"id": "1"}, "credit": 90}]
    unbalanced = await ns.create("journalEntry", {"subsidiary": {"id": "1"}, "line": {"items": lines}})
    assert unbalanced.status_code == 400
    assert unbalanced.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"
    lines[1]["credit"] = 100
    balanced = await ns.create("journalEntry", {"subsidiary": {"id": "1"}, "line": {"items": lines}})
    assert balanced.status_code == 204
    journal = _id(balanced.headers["location"])
    gl = await ns.rows(
        f"SELECT SUM(amount) AS net, COUNT(*) AS n FROM transactionaccountingline WHERE transaction = {journal}"
    )
    assert gl == [{"links": [], "net": "0", "n": "2"}]


async def test_patch_merges_lines_by_line_unless_replaced(ns: NS) -> None:
    customer = await _open_customer(ns)
    created = await ns.create(
        "invoice",
        {"entity": {"id": customer["id"]}, "item": {"items": [{"item": {"id": "6"}}, {"item": {"id": "8"}}]}},
    )
    invoice = _id(created.headers["location"])
    merged = await ns.client.patch(
        f"{RECORDS}/invoice/{invoice}",
        json={"item": {"items": [{"line": 1, "quantity": 3}, {"item": {"id": "9"}}]}},
        headers=ns.headers,
    )
    assert merged.status_code == 204
    lines = await ns.rows(
        f"SELECT id, item, quantity, foreignamount FROM transactionline"
        f" WHERE transaction = {invoice} AND mainline = 'F' ORDER BY id"
    )
    assert [(r["id"], r["item"], r["foreignamount"]) for r in lines] == [
        ("1", "6", "-450"),
        ("2", "8", "-99"),
        ("3", "9", "-500"),
    ]
    replaced = await ns.client.patch(
        f"{RECORDS}/invoice/{invoice}",
        params={"replace": "item"},
        json={"item": {"items": [{"item": {"id": "7"}}]}},
        headers=ns.headers,
    )
    assert replaced.status_code == 204
    lines = await ns.rows(f"SELECT item FROM transactionline WHERE transaction = {invoice} AND mainline = 'F'")
    assert [r["item"] for r in lines] == ["7"]
    total = await ns.rows(f"SELECT foreigntotal FROM transaction WHERE id = {invoice}")
    assert total[0]["foreigntotal"] == "2000"


async def test_body_keys_are_case_insensitive_and_unknown_ones_refused_under_error(ns: NS) -> None:
    lower = await ns.create("customer", {"companyname": "Lower Case Co", "subsidiary": {"id": "1"}})
    assert lower.status_code == 204
    row = await ns.rows(f"SELECT companyname FROM customer WHERE id = {_id(lower.headers['location'])}")
    assert row[0]["companyname"] == "Lower Case Co"
    strict = await ns.client.post(
        f"{RECORDS}/customer",
        json={"companyName": "X", "subsidiary": {"id": "1"}, "companyNmae": "typo"},
        headers={**ns.headers, "X-NetSuite-PropertyNameValidation": "Error"},
    )
    assert strict.status_code == 400
    lenient = await ns.create("customer", {"companyName": "Y Co", "subsidiary": {"id": "1"}, "companyNmae": "typo"})
    assert lenient.status_code == 204


async def test_upsert_by_external_id(ns: NS) -> None:
    body = {"companyName": "Upsert Co", "subsidiary": {"id": "1"}}
    first = await ns.client.put(f"{RECORDS}/customer/eid:ACME-1", json=body, headers=ns.headers)
    second = await ns.client.put(
        f"{RECORDS}/customer/eid:ACME-1", json={**body, "companyName": "Upsert Co 2"}, headers=ns.headers
    )
    assert first.status_code == second.status_code == 204
    assert first.headers["location"] == second.headers["location"]
    by_eid = await ns.client.get(f"{RECORDS}/customer/eid:ACME-1", headers=ns.headers)
    assert by_eid.json()["companyName"] == "Upsert Co 2"
    by_id = await ns.client.put(f"{RECORDS}/customer/1", json=body, headers=ns.headers)
    assert by_id.status_code == 400


async def test_transforms(ns: NS) -> None:
    order = (await ns.rows("SELECT id FROM transaction WHERE type = 'SalesOrd' AND status = 'B' ORDER BY id"))[0]["id"]
    shipped = await ns.client.post(
        f"{RECORDS}/salesOrder/{order}/!transform/itemFulfillment", json={}, headers=ns.headers
    )
    assert shipped.status_code == 204, shipped.text
    billed = await ns.client.post(f"{RECORDS}/salesorder/{order}/!transform/invoice", json={}, headers=ns.headers)
    assert billed.status_code == 204
    invoice = _id(billed.headers["location"])
    links = await ns.rows(
        f"SELECT linktype, nextdoc FROM previoustransactionlinelink WHERE previousdoc = {order} ORDER BY linktype"
    )
    assert {r["linktype"] for r in links} == {"ShipRcpt", "OrdBill"}
    paid = await ns.client.post(f"{RECORDS}/invoice/{invoice}/!transform/customerPayment", json={}, headers=ns.headers)
    assert paid.status_code == 204
    status = await ns.rows(f"SELECT status, foreignamountremaining FROM transaction WHERE id = {invoice}")
    assert status[0] == {"links": [], "status": "B", "foreignamountremaining": "0"}
    credit_target = await ns.create(
        "invoice", {"entity": {"id": (await _open_customer(ns))["id"]}, "item": {"items": [{"item": {"id": "7"}}]}}
    )
    target = _id(credit_target.headers["location"])
    credit = await ns.client.post(
        f"{RECORDS}/invoice/{target}/!transform/creditMemo",
        json={"item": {"items": [{"line": 1, "rate": 500}]}},
        headers=ns.headers,
    )
    assert credit.status_code == 204, credit.text
    left = await ns.rows(f"SELECT foreignamountremaining FROM transaction WHERE id = {target}")
    assert left[0]["foreignamountremaining"] == "1500"
    bill = (await ns.rows("SELECT id FROM transaction WHERE type = 'VendBill' AND status = 'A' ORDER BY id DESC"))[0][
        "id"
    ]
    partial = {"apply": {"items": [{"doc": {"id": bill}, "apply": True, "amount": 10}]}}
    for target_type, body in (("vendorCredit", partial), ("vendorPayment", {})):
        response = await ns.client.post(
            f"{RECORDS}/vendorBill/{bill}/!transform/{target_type}", json=body, headers=ns.headers
        )
        assert response.status_code == 204, response.text
    assert (await ns.rows(f"SELECT status FROM transaction WHERE id = {bill}"))[0]["status"] == "B"
    refused = await ns.client.post(f"{RECORDS}/invoice/{target}/!transform/vendorBill", json={}, headers=ns.headers)
    assert refused.status_code == 400


async def test_item_fulfillments_only_by_transform(ns: NS) -> None:
    response = await ns.create("itemFulfillment", {"entity": {"id": "1"}})
    assert response.status_code == 400


async def test_deletions_are_visible_only_in_deletedrecord(ns: NS) -> None:
    customer = await _open_customer(ns)
    created = await ns.create("invoice", {"entity": {"id": customer["id"]}, "item": {"items": [{"item": {"id": "6"}}]}})
    invoice = _id(created.headers["location"])
    deleted = await ns.client.delete(f"{RECORDS}/invoice/{invoice}", headers=ns.headers)
    assert deleted.status_code == 204
    assert (await ns.client.get(f"{RECORDS}/invoice/{invoice}", headers=ns.headers)).status_code == 404
    ids = {i["id"] for i in (await ns.client.get(f"{RECORDS}/invoice", headers=ns.headers)).json()["items"]}
    assert invoice not in ids
    assert await ns.rows(f"SELECT id FROM transaction WHERE id = {invoice}") == []
    tomb = await ns.rows(f"SELECT type, recordid, name FROM deletedrecord WHERE recordid = {invoice}")
    assert tomb[0]["type"] == "invoice"
    assert tomb[0]["name"].startswith("Invoice #")
    seeded = await ns.rows("SELECT COUNT(*) AS n FROM deletedrecord")
    assert int(seeded[0]["n"]) >= 4


async def test_a_paid_invoice_cannot_be_deleted_until_its_payment_is(ns: NS) -> None:
    customer = await _open_customer(ns)
    invoice = _id(
        (
            await ns.create("invoice", {"entity": {"id": customer["id"]}, "item": {"items": [{"item": {"id": "6"}}]}})
        ).headers["location"]
    )
    payment = await ns.create(
        "customerPayment",
        {
            "customer": {"id": customer["id"]},
            "payment": 100,
            "apply": {"items": [{"doc": {"id": invoice}, "apply": True, "amount": 100}]},
        },
    )
    assert payment.status_code == 204, payment.text
    assert (await ns.rows(f"SELECT foreignamountremaining FROM transaction WHERE id = {invoice}"))[0][
        "foreignamountremaining"
    ] == "50"
    blocked = await ns.client.delete(f"{RECORDS}/invoice/{invoice}", headers=ns.headers)
    assert blocked.status_code == 400
    too_much = await ns.create(
        "customerPayment",
        {
            "customer": {"id": customer["id"]},
            "apply": {"items": [{"doc": {"id": invoice}, "apply": True, "amount": 60}]},
        },
    )
    assert too_much.status_code == 400
    await ns.client.delete(f"{RECORDS}/customerPayment/{_id(payment.headers['location'])}", headers=ns.headers)
    assert (await ns.rows(f"SELECT foreignamountremaining FROM transaction WHERE id = {invoice}"))[0][
        "foreignamountremaining"
    ] == "150"
