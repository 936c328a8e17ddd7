"""The QuickBooks sandbox over HTTP in-process: query language, writes, CDC, batch, auth, throttles, faults, data."""

from __future__ import annotations

import asyncio
import json
import re
import time
from decimal import Decimal
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import msgspec
import pytest
from qbo_client import BASIC, START, Clock, Connected, connect

from ledgerport.sandboxes.quickbooks import create_app
from ledgerport.sandboxes.quickbooks.clock import format_time, parse_time

LUT = "MetaData.LastUpdatedTime"


def decimal_json(response: httpx.Response) -> dict:
    return msgspec.json.Decoder(float_hook=Decimal).decode(response.content)


async def all_invoices(qbo: Connected) -> list[dict]:
    return (await qbo.client.get("/_sandbox/dump/Invoice")).json()["Invoice"]


# ---- query language -------------------------------------------------------------------------------------------


async def test_query_filters_on_last_updated_time_and_orders(qbo: Connected) -> None:
    live = [i for i in await all_invoices(qbo) if i.get("status") != "Deleted"]
    times = sorted(parse_time(i["MetaData"]["LastUpdatedTime"]) for i in live)
    pivot = format_time(int(times[len(times) // 2]))
    response = await qbo.query(f"SELECT * FROM Invoice WHERE {LUT} > '{pivot}' ORDERBY {LUT} MAXRESULTS 1000")
    found = response.json()["QueryResponse"]["Invoice"]
    assert [parse_time(i["MetaData"]["LastUpdatedTime"]) for i in found] == [t for t in times if t > parse_time(pivot)]
    descending = (await qbo.query(f"select * from Invoice where {LUT} <= '{pivot}' order by {LUT} desc")).json()
    stamps = [parse_time(i["MetaData"]["LastUpdatedTime"]) for i in descending["QueryResponse"]["Invoice"]]
    assert stamps == sorted(stamps, reverse=True)
    assert max(stamps) <= parse_time(pivot)
    assert len(found) + len(stamps) == len(live)


async def test_query_operators_in_like_and_common_fields(qbo: Connected) -> None:
    first = (await qbo.get("invoice/3")).json()["Invoice"]
    by_doc = (await qbo.query(f"SELECT * FROM Invoice WHERE DocNumber = '{first['DocNumber']}'")).json()
    assert [i["Id"] for i in by_doc["QueryResponse"]["Invoice"]] == ["3"]
    in_ids = (await qbo.query("SELECT * FROM Invoice WHERE Id IN ('3', '5', '999') ORDERBY Id")).json()
    assert [i["Id"] for i in in_ids["QueryResponse"]["Invoice"]] == ["3", "5"]
    customers = (await qbo.query("SELECT * FROM Customer WHERE DisplayName LIKE '%Traders%'")).json()
    assert customers["QueryResponse"]["Customer"]
    assert all("traders" in c["DisplayName"].lower() for c in customers["QueryResponse"]["Customer"])
    dated = (await qbo.query(f"SELECT * FROM Invoice WHERE TxnDate >= '{first['TxnDate']}'")).json()
    assert all(i["TxnDate"] >= first["TxnDate"] for i in dated["QueryResponse"]["Invoice"])
    by_customer = await qbo.query(f"SELECT * FROM Invoice WHERE CustomerRef = '{first['CustomerRef']['value']}'")
    assert "3" in [i["Id"] for i in by_customer.json()["QueryResponse"]["Invoice"]]
    items = (await qbo.query("SELECT *, Sku FROM Item")).json()["QueryResponse"]
    assert items["maxResults"] == len(items["Item"]) == 12


async def test_paging_boundaries_and_defaults(qbo: Connected) -> None:
    everything = (await qbo.query("SELECT * FROM Invoice ORDERBY Id MAXRESULTS 1000")).json()["QueryResponse"]
    ids = [i["Id"] for i in everything["Invoice"]]
    paged, start = [], 1
    while True:
        page = (await qbo.query(f"SELECT * FROM Invoice ORDERBY Id STARTPOSITION {start} MAXRESULTS 7")).json()
        if not page["QueryResponse"]:
            break
        assert page["QueryResponse"]["startPosition"] == start
        paged += [i["Id"] for i in page["QueryResponse"]["Invoice"]]
        start += 7
    assert paged == ids
    past_end = (await qbo.query(f"SELECT * FROM Invoice STARTPOSITION {len(ids) + 1}")).json()
    assert past_end["QueryResponse"] == {}
    assert "time" in past_end
    bills = (await qbo.query("SELECT * FROM Bill")).json()["QueryResponse"]
    assert bills["maxResults"] == len(bills["Bill"]) <= 100


async def test_maxresults_default_100_and_cap_1000(clock: Clock) -> None:
    app = create_app(seed=1, size=1_500, clock=clock, limits=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://q") as client:
        qbo = await connect(app, client, clock)
        assert (await qbo.query("SELECT * FROM Invoice")).json()["QueryResponse"]["maxResults"] == 100
        capped = (await qbo.query("SELECT * FROM Invoice MAXRESULTS 5000")).json()["QueryResponse"]
        assert capped["maxResults"] == 1000
        total = (await qbo.query("SELECT COUNT(*) FROM Invoice")).json()["QueryResponse"]["totalCount"]
        assert total == len(
            [i for i in (await client.get("/_sandbox/dump/Invoice")).json()["Invoice"] if i.get("status") != "Deleted"]
        )


async def test_count(qbo: Connected) -> None:
    count = (await qbo.query("SELECT COUNT(*) FROM Invoice")).json()["QueryResponse"]
    listed = (await qbo.query("SELECT * FROM Invoice MAXRESULTS 1000")).json()["QueryResponse"]["Invoice"]
    assert count == {"totalCount": len(listed)}
    filtered = (await qbo.query("select count(*) from Invoice where Balance > '0'")).json()["QueryResponse"]
    assert filtered["totalCount"] == sum(1 for i in listed if Decimal(str(i["Balance"])) > 0)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SELECT FROM Invoice", "4000"),
        ("SELECT * FROM Invoice WHERE", "4000"),
        ("SELECT * FROM Invoice WHERE DocNumber = 'unterminated", "4000"),
        ("SELECT * FROM Invoice ORDER Id", "4000"),
        ("SELECT * FROM invoices", "4001"),
    ],
)
async def test_query_errors_are_qbo_faults(qbo: Connected, text: str, code: str) -> None:
    response = await qbo.query(text)
    assert response.status_code == 400
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == code
    assert response.json()["Fault"]["type"] == "ValidationFault"


# ---- writes --------------------------------------------------------------------------------------------------

INVOICE = {
    "CustomerRef": {"value": "1"},
    "Line": [
        {"Amount": 100.10, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}},
        {"Amount": 0.2, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "2"}}},
    ],
}


async def test_create_computes_totals_exactly(qbo: Connected) -> None:
    response = await qbo.post("invoice", INVOICE)
    created = decimal_json(response)["Invoice"]
    assert created["SyncToken"] == "0"
    assert created["TotalAmt"] == Decimal("100.30") == created["Balance"]
    assert b'"TotalAmt":100.30' in response.content
    assert created["Line"][-1] == {
        "Amount": Decimal("100.30"),
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {},
    }
    assert created["CustomerRef"]["name"]
    assert created["MetaData"]["CreateTime"].endswith("-08:00")


async def test_stale_sync_token_sparse_and_full_update(qbo: Connected, clock: Clock) -> None:
    created = (await qbo.post("invoice", {**INVOICE, "PrivateNote": "keep", "DocNumber": "X-1"})).json()["Invoice"]
    clock.advance(5)
    sparse = await qbo.post("invoice", {"Id": created["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "new"})
    updated = sparse.json()["Invoice"]
    assert updated["SyncToken"] == "1"
    assert updated["PrivateNote"] == "new"
    assert updated["DocNumber"] == "X-1"
    assert updated["MetaData"]["LastUpdatedTime"] > created["MetaData"]["LastUpdatedTime"]
    stale = await qbo.post("invoice", {"Id": created["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "lost"})
    assert stale.status_code == 400
    assert stale.json()["Fault"]["Error"][0]["code"] == "5010"
    full = (await qbo.post("invoice", {**INVOICE, "Id": created["Id"], "SyncToken": "1"})).json()["Invoice"]
    assert full["SyncToken"] == "2"
    assert "PrivateNote" not in full


async def test_write_validation_faults(qbo: Connected) -> None:
    missing = await qbo.post("invoice", {"Line": INVOICE["Line"]})
    assert missing.json()["Fault"]["Error"][0]["code"] == "2020"
    bad_ref = await qbo.post("invoice", {**INVOICE, "CustomerRef": {"value": "99999"}})
    assert bad_ref.json()["Fault"]["Error"][0]["code"] == "2500"
    unbalanced = await qbo.post(
        "journalentry",
        {
            "Line": [
                {
                    "Amount": 10,
                    "DetailType": "JournalEntryLineDetail",
                    "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "1"}},
                },
                {
                    "Amount": 9,
                    "DetailType": "JournalEntryLineDetail",
                    "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "2"}},
                },
            ]
        },
    )
    assert unbalanced.json()["Fault"]["Error"][0]["code"] == "6000"
    name = (await qbo.get("customer/2")).json()["Customer"]["DisplayName"]
    duplicate = await qbo.post("customer", {"DisplayName": name})
    assert duplicate.json()["Fault"]["Error"][0]["code"] == "6240"


async def test_payment_moves_invoice_balance_and_void_restores_it(qbo: Connected) -> None:
    invoice = (await qbo.post("invoice", INVOICE)).json()["Invoice"]
    payment = (
        await qbo.post(
            "payment",
            {
                "CustomerRef": {"value": "1"},
                "TotalAmt": 40,
                "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
            },
        )
    ).json()["Payment"]
    assert Decimal(str((await qbo.get(f"invoice/{invoice['Id']}")).json()["Invoice"]["Balance"])) == Decimal("60.30")
    voided = await qbo.post(
        "payment",
        {"Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": True},
        operation="update",
        include="void",
    )
    assert voided.json()["Payment"]["TotalAmt"] == 0
    assert Decimal(str((await qbo.get(f"invoice/{invoice['Id']}")).json()["Invoice"]["Balance"])) == Decimal("100.30")


async def test_delete_void_and_deactivate(qbo: Connected) -> None:
    invoice = (await qbo.post("invoice", INVOICE)).json()["Invoice"]
    deleted = await qbo.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="delete")
    assert deleted.json()["Invoice"] == {
        "domain": "QBO",
        "status": "Deleted",
        "Id": invoice["Id"],
        "MetaData": deleted.json()["Invoice"]["MetaData"],
    }
    gone = await qbo.get(f"invoice/{invoice['Id']}")
    assert gone.status_code == 400
    assert gone.json()["Fault"]["Error"][0]["code"] == "610"
    dump = {i["Id"]: i for i in (await qbo.client.get("/_sandbox/dump/Invoice")).json()["Invoice"]}
    assert dump[invoice["Id"]]["status"] == "Deleted"
    other = (await qbo.post("invoice", INVOICE)).json()["Invoice"]
    voided = (await qbo.post("invoice", {"Id": other["Id"], "SyncToken": "0"}, operation="void")).json()["Invoice"]
    assert voided["TotalAmt"] == 0
    assert voided["Balance"] == 0
    assert voided["PrivateNote"] == "Voided"
    bill = (await qbo.get("bill/1")).json()["Bill"]
    not_voidable = await qbo.post("bill", {"Id": "1", "SyncToken": bill["SyncToken"]}, operation="void")
    assert not_voidable.json()["Fault"]["Error"][0]["code"] == "500"
    customer = (await qbo.get("customer/2")).json()["Customer"]
    refused = await qbo.post("customer", {"Id": "2", "SyncToken": customer["SyncToken"]}, operation="delete")
    assert refused.json()["Fault"]["Error"][0]["code"] == "500"
    await qbo.post("customer", {"Id": "2", "SyncToken": customer["SyncToken"], "sparse": True, "Active": False})
    active = (await qbo.query("SELECT * FROM Customer MAXRESULTS 1000")).json()["QueryResponse"]["Customer"]
    everyone = (await qbo.query("SELECT * FROM Customer WHERE Active IN (true, false) MAXRESULTS 1000")).json()
    assert "2" not in [c["Id"] for c in active]
    assert "2" in [c["Id"] for c in everyone["QueryResponse"]["Customer"]]


async def test_requestid_replays_without_writing_again(qbo: Connected) -> None:
    before = len((await qbo.client.get("/_sandbox/dump/Invoice")).json()["Invoice"])
    first = await qbo.post("invoice", INVOICE, requestid="req-123")
    again = await qbo.post("invoice", {**INVOICE, "DocNumber": "other"}, requestid="req-123")
    assert first.content == again.content
    assert len((await qbo.client.get("/_sandbox/dump/Invoice")).json()["Invoice"]) == before + 1


# ---- CDC and batch --------------------------------------------------------------------------------------------


async def test_cdc_window_changes_and_deletes(qbo: Connected, clock: Clock) -> None:
    too_old = await qbo.get("cdc", entities="Invoice", changedSince=format_time(int(clock.now) - 31 * 86_400))
    assert too_old.status_code == 400
    assert "older than" in too_old.json()["Fault"]["Error"][0]["Detail"]
    since = format_time(int(clock.now))
    created = (await qbo.post("invoice", INVOICE)).json()["Invoice"]
    doomed = (await qbo.post("invoice", INVOICE)).json()["Invoice"]
    await qbo.post("invoice", {"Id": doomed["Id"], "SyncToken": "0"}, operation="delete")
    response = (await qbo.get("cdc", entities="Invoice,Customer", changedSince=since)).json()
    invoices, customers = response["CDCResponse"][0]["QueryResponse"]
    assert customers == {}
    by_id = {i["Id"]: i for i in invoices["Invoice"]}
    assert by_id[created["Id"]]["TotalAmt"] == 100.3
    assert by_id[doomed["Id"]]["status"] == "Deleted"
    assert "MetaData" in by_id[doomed["Id"]]
    assert invoices["maxResults"] == len(invoices["Invoice"])
    assert "time" in response
    recent = (await qbo.get("cdc", entities="Invoice", changedSince=format_time(int(clock.now) - 29 * 86_400))).json()
    seeded = recent["CDCResponse"][0]["QueryResponse"][0]["Invoice"]
    assert any(i.get("status") == "Deleted" for i in seeded)  # the seeded recent history


async def test_batch_runs_items_serially_with_per_item_faults(qbo: Connected) -> None:
    response = await qbo.post(
        "batch",
        {
            "BatchItemRequest": [
                {"bId": "1", "operation": "create", "Invoice": INVOICE},
                {"bId": "2", "Query": "select * from Customer maxresults 2"},
                {"bId": "3", "operation": "create", "Invoice": {"Line": INVOICE["Line"]}},
                {"bId": "4", "operation": "delete", "Invoice": {"Id": "1", "SyncToken": "99"}},
            ]
        },
    )
    items = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert items["1"]["Invoice"]["Id"]
    assert items["2"]["QueryResponse"]["maxResults"] == 2
    assert items["3"]["Fault"]["Error"][0]["code"] == "2020"
    assert items["4"]["Fault"]["Error"][0]["code"] == "5010"
    too_many = await qbo.post(
        "batch", {"BatchItemRequest": [{"bId": str(i), "Query": "select * from Term"} for i in range(31)]}
    )
    assert too_many.status_code == 400
    assert too_many.json()["Fault"]["Error"][0]["code"] == "1040"


async def test_companyinfo_and_preferences(qbo: Connected) -> None:
    info = (await qbo.get(f"companyinfo/{qbo.realm}")).json()["CompanyInfo"]
    assert info["FiscalYearStartMonth"] == "January"
    assert info["Id"] == "1"
    prefs = (await qbo.get("preferences")).json()["Preferences"]
    assert prefs["CurrencyPrefs"] == {"MultiCurrencyEnabled": True, "HomeCurrency": {"value": "USD"}}


# ---- auth ------------------------------------------------------------------------------------------------------


async def token_request(qbo: Connected, **form: str) -> httpx.Response:
    return await qbo.client.post("/oauth2/v1/tokens/bearer", data=form, headers={"Authorization": BASIC})


async def test_consent_page_and_bad_client(qbo: Connected) -> None:
    page = await qbo.client.get(
        "/connect/oauth2",
        params={
            "client_id": "sandbox-client",
            "redirect_uri": "http://x",
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
        },
    )
    assert page.status_code == 200
    assert "Approve" in page.text
    assert "<form" in page.text
    approved = await qbo.client.post(
        "/connect/oauth2",
        data={
            "client_id": "sandbox-client",
            "redirect_uri": "http://x",
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
            "state": "s",
            "decision": "approve",
        },
    )
    assert approved.status_code == 302
    assert "code=" in approved.headers["location"]
    wrong = await qbo.client.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token"},
        headers={"Authorization": "Basic c2FuZGJveC1jbGllbnQ6bm9wZQ=="},
    )
    assert wrong.status_code == 401
    assert wrong.json() == {"error": "invalid_client"}


async def test_under_a_mount_prefix_its_own_urls_stay_under_it(clock: Clock) -> None:
    """Served at ``/sandbox/qbo`` (``root_path``, whole ``path``: as uvicorn and PrefixMounts do), the consent form
    posts, and the discovery document points, under the prefix; and they work there."""
    transport = httpx.ASGITransport(app=create_app(seed=7, size="small", clock=clock), root_path="/sandbox/qbo")
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test/sandbox/qbo") as client:
        query = {
            "client_id": "sandbox-client",
            "redirect_uri": "http://x/cb",
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
            "state": "s",
        }
        page = await client.get("/connect/oauth2", params=query)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action is not None, page.text
        assert action.group(1) == "/sandbox/qbo/connect/oauth2"
        approved = await client.post(urljoin(str(page.url), action.group(1)), data={**query, "decision": "approve"})
        assert approved.status_code == 302, approved.text
        assert approved.headers["location"].startswith("http://x/cb?code=")

        discovery = (await client.get("/.well-known/openid_configuration/")).json()
        endpoints = [value for key, value in discovery.items() if key.endswith(("_endpoint", "jwks_uri"))]
        assert len(endpoints) == 5
        assert all(url.startswith("http://demo.test/sandbox/qbo/") for url in endpoints), endpoints
        code = parse_qs(urlsplit(approved.headers["location"]).query)["code"][0]
        token = await client.post(
            discovery["token_endpoint"],
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": "http://x/cb"},
            headers={"Authorization": BASIC},
        )
        assert token.status_code == 200, token.text


async def test_token_expiry_refresh_rotation_and_revocation(qbo: Connected, clock: Clock) -> None:
    assert (await qbo.get("preferences")).status_code == 200
    clock.advance(3_601)
    expired = await qbo.get("preferences")
    assert expired.status_code == 401
    assert expired.json()["fault"]["error"][0]["code"] == "3200"
    refreshed = await token_request(qbo, grant_type="refresh_token", refresh_token=qbo.refresh_token)
    body = refreshed.json()
    assert body["expires_in"] == 3600
    assert body["x_refresh_token_expires_in"] == 8726400
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] != qbo.refresh_token
    reused = await token_request(qbo, grant_type="refresh_token", refresh_token=qbo.refresh_token)
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant"}
    qbo.access_token, qbo.refresh_token = body["access_token"], body["refresh_token"]
    assert (await qbo.get("preferences")).status_code == 200
    await qbo.client.post("/_sandbox/tokens/expire")
    assert (await qbo.get("preferences")).status_code == 401
    revoke = await qbo.client.post(
        "/v2/oauth2/tokens/revoke", json={"token": qbo.refresh_token}, headers={"Authorization": BASIC}
    )
    assert revoke.status_code == 200
    again = await token_request(qbo, grant_type="refresh_token", refresh_token=qbo.refresh_token)
    assert again.json() == {"error": "invalid_grant"}


async def test_sandbox_revoke_all(qbo: Connected) -> None:
    await qbo.client.post("/_sandbox/tokens/revoke")
    assert (await qbo.get("preferences")).status_code == 401


async def test_realm_mismatch_is_403(qbo: Connected) -> None:
    realms = (await qbo.client.get("/_sandbox/realms")).json()["realms"]
    other = next(realm for realm in realms if realm != qbo.realm)
    response = await qbo.client.get(f"/v3/company/{other}/preferences", headers=qbo.headers)
    assert response.status_code == 403
    assert response.json()["fault"]["error"][0]["code"] == "3100"
    assert (await qbo.client.get("/v3/company/123/preferences", headers=qbo.headers)).status_code == 403
    no_header = await qbo.client.get(qbo.url("preferences"))
    assert no_header.status_code == 401
    assert "fault" in no_header.json()


# ---- throttles and faults ----------------------------------------------------------------------------------------


async def test_500_requests_per_minute_then_429(qbo: Connected, clock: Clock) -> None:
    statuses = [(await qbo.get("preferences")).status_code for _ in range(499)]  # the fixture's flow used none
    assert set(statuses) == {200}
    assert (await qbo.get("preferences")).status_code == 200
    throttled = await qbo.get("preferences")
    assert throttled.status_code == 429
    assert b'<Error code="3001">' in throttled.content
    assert throttled.headers["content-type"].startswith("application/xml")
    clock.advance(60)
    assert (await qbo.get("preferences")).status_code == 200


async def test_ten_in_flight_per_realm_and_app(qbo: Connected) -> None:
    gate = qbo.app.state.limits.concurrent
    key = f"{qbo.realm}:sandbox-client"
    for _ in range(10):
        assert gate.enter(key)
    assert (await qbo.get("preferences")).status_code == 429
    gate.leave(key)
    assert (await qbo.get("preferences")).status_code == 200
    for _ in range(9):
        gate.leave(key)
    await qbo.client.post("/_sandbox/faults", json={"latency_ms": 150})
    responses = await asyncio.gather(*(qbo.get("preferences") for _ in range(12)))
    assert sorted(r.status_code for r in responses) == [200] * 10 + [429] * 2


async def test_injected_faults(qbo: Connected) -> None:
    await qbo.client.post("/_sandbox/faults", json={"throttle_rate": 1})
    storm = await qbo.get("preferences")
    assert storm.status_code == 429
    assert b"ThrottleExceeded" in storm.content
    await qbo.client.post("/_sandbox/faults", json={"throttle_rate": 0, "error_rate": 1, "error_status": 503})
    failed = await qbo.get("preferences")
    assert failed.status_code == 503
    assert failed.json()["Fault"]["type"] == "SystemFault"
    await qbo.client.post("/_sandbox/faults", json={"error_rate": 0, "malformed_rate": 1})
    malformed = await qbo.query("SELECT * FROM Invoice")
    with pytest.raises(json.JSONDecodeError):
        malformed.json()
    settings = (await qbo.client.post("/_sandbox/faults", json={"malformed_rate": 0})).json()
    assert settings["malformed_rate"] == 0
    assert (await qbo.get("preferences")).status_code == 200


async def test_stats_count_requests_per_path(qbo: Connected) -> None:
    await qbo.client.delete("/_sandbox/stats")
    for _ in range(3):
        await qbo.query("SELECT * FROM Term")
    stats = (await qbo.client.get("/_sandbox/stats")).json()
    assert stats["requests"] == {qbo.url("query"): 3}
    assert stats["total"] == 3


# ---- generated data ----------------------------------------------------------------------------------------------


def dump(app_seed: int, clock: Clock, entity: str) -> list[dict]:
    app = create_app(seed=app_seed, clock=clock)
    return app.companies[next(iter(app.companies))].table(entity).dump()


def test_same_seed_same_data(clock: Clock) -> None:
    for entity in ("Invoice", "Customer", "JournalEntry", "Payment"):
        assert msgspec.json.encode(dump(3, clock, entity)) == msgspec.json.encode(dump(3, clock, entity))
    assert dump(3, clock, "Invoice") != dump(4, clock, "Invoice")


def test_documents_add_up(clock: Clock) -> None:
    app = create_app(seed=11, size=300, clock=clock)
    company = app.companies[next(iter(app.companies))]
    sales = company.table("Invoice").dump() + company.table("SalesReceipt").dump() + company.table("CreditMemo").dump()
    for doc in (d for d in sales if d.get("status") != "Deleted"):
        items = [line for line in doc["Line"] if line["DetailType"] == "SalesItemLineDetail"]
        assert 1 <= len(items) <= 5
        subtotal = sum(line["Amount"] for line in items)
        assert doc["Line"][-1] == {"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
        assert subtotal + doc["TxnTaxDetail"]["TotalTax"] == doc["TotalAmt"]
        assert sum(t["Amount"] for t in doc["TxnTaxDetail"].get("TaxLine", [])) == doc["TxnTaxDetail"]["TotalTax"]
    for entry in company.table("JournalEntry").dump():
        sides = {"Debit": Decimal(0), "Credit": Decimal(0)}
        for line in entry["Line"]:
            sides[line["JournalEntryLineDetail"]["PostingType"]] += line["Amount"]
        assert sides["Debit"] == sides["Credit"] == entry["TotalAmt"]
    for bill in company.table("Bill").dump():
        if bill.get("status") != "Deleted":
            assert sum(line["Amount"] for line in bill["Line"]) == bill["TotalAmt"]
    invoices = company.table("Invoice")
    for payment in company.table("Payment").dump():
        paid = invoices.get(int(payment["Line"][0]["LinkedTxn"][0]["TxnId"]))
        if paid is not None:
            assert payment["TotalAmt"] == paid["TotalAmt"] - paid["Balance"] > 0
            assert payment["CustomerRef"] == paid["CustomerRef"]


def test_metadata_times_increase_with_id_over_two_years(clock: Clock) -> None:
    app = create_app(seed=2, size=400, clock=clock)
    table = app.companies[next(iter(app.companies))].table("Invoice")
    created = [parse_time(i["MetaData"]["CreateTime"]) for i in table.dump() if "CreateTime" in i["MetaData"]]
    assert created == sorted(created)
    assert len(set(created)) == len(created)
    assert START - created[0] > 600 * 86_400
    assert created[-1] < START


def test_hundred_thousand_invoices_page_by_bisect(clock: Clock) -> None:
    started = time.perf_counter()
    app = create_app(seed=5, size=100_000, clock=clock, limits=False)
    assert time.perf_counter() - started < 20
    table = app.companies[next(iter(app.companies))].table("Invoice")
    assert len(table) >= 99_990
    from ledgerport.sandboxes.quickbooks.query import execute, parse

    since = format_time(int(START) - 400 * 86_400)
    started = time.perf_counter()
    page = execute(
        parse(f"SELECT * FROM Invoice WHERE {LUT} > '{since}' ORDERBY {LUT} STARTPOSITION 40001 MAXRESULTS 1000"), table
    )
    assert page["maxResults"] == 1000
    assert time.perf_counter() - started < 2


async def test_a_request_whose_client_left_before_its_body_arrived_is_never_served() -> None:
    """A client killed mid-request leaves nothing behind: no object, and no remembered ``requestid`` that would
    answer its retry with a refusal of a body QBO never received."""
    app = create_app(seed=3, size="small", limits=False)
    realm = app.state.realm_ids[0]
    customers = len(app.state.companies[realm].table("Customer"))
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": f"/v3/company/{realm}/customer",
        "query_string": b"requestid=killed-1",
        "headers": [(b"host", b"quickbooks.sandbox.test"), (b"content-type", b"application/json")],
    }
    await app(scope, receive, send)
    assert sent == []
    assert app.state.replays == {}
    assert len(app.state.companies[realm].table("Customer")) == customers
