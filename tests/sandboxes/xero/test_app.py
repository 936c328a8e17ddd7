"""Behaviour of the Xero sandbox: paging, filters, writes, deletions, idempotency, limits, tokens, faults, data."""

from __future__ import annotations

import asyncio
import json
import re
import time
from decimal import Decimal
from urllib.parse import urljoin

import httpx
import pytest

from ledgerport.sandboxes.xero import create_app
from ledgerport.sandboxes.xero.amounts import document_totals
from ledgerport.sandboxes.xero.data import generate
from ledgerport.sandboxes.xero.dates import (
    parse_body_date,
    parse_if_modified_since,
    parse_ms_date,
)
from ledgerport.sandboxes.xero.http import decode_json

from .conftest import connect

API = "/api.xro/2.0"


def body(response: httpx.Response) -> dict:
    return decode_json(response.content)


def invoice(**overrides: object) -> dict:
    return {
        "Type": "ACCREC",
        "Contact": {"Name": "Sandbox Test Customer"},
        "Date": "2025-02-01",
        "DueDate": "/Date(1740787200000)/",
        "Status": "AUTHORISED",
        "LineItems": [{"Description": "Widget", "Quantity": 3, "UnitAmount": "19.99", "AccountCode": "200"}],
        **overrides,
    }


class TestDates:
    def test_if_modified_since_both_forms(self):
        assert parse_if_modified_since("Mon, 01 Jan 2024 00:00:00 GMT") == 1_704_067_200_000
        assert parse_if_modified_since("2024-01-01T00:00:00") == 1_704_067_200_000
        assert parse_if_modified_since("2024-01-01T01:00:00+01:00") == 1_704_067_200_000

    def test_body_dates(self):
        assert parse_body_date("/Date(1704067200000)/") == parse_body_date("2024-01-01") == 1_704_067_200_000
        assert parse_body_date("/Date(1704067200000+0000)/") == 1_704_067_200_000
        assert parse_body_date("yesterday") is None


class TestAuthAndTenants:
    async def test_no_token(self, client):
        response = await client.get(f"{API}/Invoices")
        assert response.status_code == 401
        problem = response.json()
        assert problem["Title"] == "Unauthorized"
        assert problem["Status"] == 401
        assert "Instance" in problem

    async def test_tenant_header_required(self, client, headers):
        response = await client.get(f"{API}/Invoices", headers={**headers, "xero-tenant-id": ""})
        assert response.status_code == 403
        assert response.json()["Detail"] == "AuthenticationUnsuccessful"

    async def test_tenant_isolation(self, client, headers, tenant_ids, app):
        first = body(await client.get(f"{API}/Invoices", headers=headers, params={"page": 1}))
        other = {**headers, "xero-tenant-id": tenant_ids[1]}
        second = body(await client.get(f"{API}/Invoices", headers=other, params={"page": 1}))
        assert {i["InvoiceID"] for i in first["Invoices"]}.isdisjoint(i["InvoiceID"] for i in second["Invoices"])
        some_id = first["Invoices"][0]["InvoiceID"]
        assert (await client.get(f"{API}/Invoices/{some_id}", headers=other)).status_code == 404

    async def test_unconnected_tenant_forbidden(self, client, tenant_ids):
        token = await connect(client, tenant=tenant_ids[0])
        headers = {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": tenant_ids[1]}
        assert (await client.get(f"{API}/Contacts", headers=headers)).status_code == 403
        connections = (await client.get("/connections", headers=headers)).json()
        assert [c["tenantId"] for c in connections] == [tenant_ids[0]]
        assert connections[0]["tenantType"] == "ORGANISATION"

    async def test_delete_connection(self, client, headers):
        connections = (await client.get("/connections", headers=headers)).json()
        assert len(connections) == 2
        assert (await client.delete(f"/connections/{connections[0]['id']}", headers=headers)).status_code == 204
        gone = {**headers, "xero-tenant-id": connections[0]["tenantId"]}
        assert (await client.get(f"{API}/Contacts", headers=gone)).status_code == 403

    async def test_missing_scope(self, client, tenant_ids):
        token = await connect(client, scope="offline_access accounting.contacts.read")
        headers = {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": tenant_ids[0]}
        assert (await client.get(f"{API}/Contacts", headers=headers)).status_code == 200
        assert (await client.get(f"{API}/Invoices", headers=headers)).status_code == 403
        assert (await client.put(f"{API}/Contacts", headers=headers, json={"Name": "X"})).status_code == 403

    async def test_consent_page_and_form(self, client, tenant_ids):
        params = {
            "response_type": "code",
            "client_id": "sandbox-client",
            "redirect_uri": "http://localhost/cb",
            "scope": "accounting.transactions",
            "state": "s",
        }
        page = await client.get("/identity/connect/authorize", params=params)
        assert page.status_code == 200
        assert "<form" in page.text
        assert tenant_ids[1] in page.text
        answer = await client.post("/identity/connect/authorize", data={**params, "tenant": tenant_ids[1]})
        assert answer.status_code == 302
        assert "code=" in answer.headers["location"]

    async def test_consent_form_posts_under_the_mount_prefix(self, app, tenant_ids):
        """Served at ``/sandbox/xero`` (``root_path``, whole ``path``), the form posts back under the prefix."""
        transport = httpx.ASGITransport(app=app, root_path="/sandbox/xero")
        async with httpx.AsyncClient(transport=transport, base_url="http://demo.test/sandbox/xero") as client:
            params = {
                "response_type": "code",
                "client_id": "sandbox-client",
                "redirect_uri": "http://localhost/cb",
                "scope": "accounting.transactions",
                "state": "s",
            }
            page = await client.get("/identity/connect/authorize", params=params)
            assert page.status_code == 200, page.text
            action = re.search(r'<form method="post" action="([^"]+)"', page.text)
            assert action is not None, page.text
            assert action.group(1) == "/sandbox/xero/identity/connect/authorize"
            target = urljoin(str(page.url), action.group(1))
            unchosen = await client.post(target, data={**params, "decision": "allow"})
            assert unchosen.status_code == 200
            assert 'action="/sandbox/xero/identity/connect/authorize"' in unchosen.text  # asked again, same place
            answer = await client.post(target, data={**params, "tenant": tenant_ids[1], "decision": "allow"})
            assert answer.status_code == 302, answer.text
            assert answer.headers["location"].startswith("http://localhost/cb?code=")

    async def test_pkce(self, client):
        verifier = "v" * 50
        import base64
        import hashlib

        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        response = await client.get(
            "/identity/connect/authorize",
            params={
                "response_type": "code",
                "client_id": "sandbox-client",
                "redirect_uri": "http://l/cb",
                "scope": "offline_access accounting.transactions",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "auto_approve": "true",
            },
        )
        code = response.headers["location"].split("code=")[1].split("&")[0]
        token = await client.post(
            "/connect/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "http://l/cb",
                "client_id": "sandbox-client",
                "code_verifier": verifier,
            },
        )
        assert token.status_code == 200
        assert "refresh_token" in token.json()

    async def test_no_refresh_token_without_offline_access(self, client):
        token = await connect(client, scope="accounting.transactions")
        assert "refresh_token" not in token
        assert "id_token" not in token
        assert token["expires_in"] == 1800
        assert token["token_type"] == "Bearer"


class TestTokens:
    async def test_access_token_expires_after_30_minutes(self, client, headers, clock):
        clock.now += 29 * 60
        assert (await client.get(f"{API}/Contacts", headers=headers)).status_code == 200
        clock.now += 2 * 60
        response = await client.get(f"{API}/Contacts", headers=headers)
        assert response.status_code == 401
        assert response.json()["Detail"].startswith("TokenExpired: token expired at ")

    async def test_refresh_rotation_with_grace(self, client, token, clock):
        form = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
        auth = ("sandbox-client", "sandbox-secret")
        first, second = await asyncio.gather(
            client.post("/connect/token", auth=auth, data=form), client.post("/connect/token", auth=auth, data=form)
        )
        assert first.json()["access_token"] == second.json()["access_token"]
        assert first.json()["refresh_token"] == second.json()["refresh_token"] != token["refresh_token"]
        clock.now += 31 * 60
        late = await client.post("/connect/token", auth=auth, data=form)
        assert late.status_code == 400
        assert late.json() == {"error": "invalid_grant"}
        newest = await client.post(
            "/connect/token", auth=auth, data={**form, "refresh_token": first.json()["refresh_token"]}
        )
        assert newest.status_code == 200

    async def test_bad_client(self, client, token):
        response = await client.post(
            "/connect/token",
            auth=("sandbox-client", "wrong"),
            data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        )
        assert response.status_code == 400
        assert response.json() == {"error": "invalid_client"}

    async def test_revoked(self, client, token, headers):
        response = await client.post(
            "/connect/revocation", auth=("sandbox-client", "sandbox-secret"), data={"token": token["refresh_token"]}
        )
        assert response.status_code == 200
        assert (await client.get(f"{API}/Contacts", headers=headers)).status_code == 401
        refresh = await client.post(
            "/connect/token",
            auth=("sandbox-client", "sandbox-secret"),
            data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        )
        assert refresh.json() == {"error": "invalid_grant"}

    async def test_control_expire_and_revoke(self, client, headers):
        assert (await client.post("/_sandbox/tokens/expire")).status_code == 204
        assert "TokenExpired" in (await client.get(f"{API}/Contacts", headers=headers)).json()["Detail"]
        fresh = (await client.post("/_sandbox/tokens", json={})).json()
        fresh_headers = {**headers, "authorization": f"Bearer {fresh['access_token']}"}
        assert (await client.get(f"{API}/Contacts", headers=fresh_headers)).status_code == 200
        assert (await client.post("/_sandbox/tokens/revoke")).status_code == 204
        assert (await client.get(f"{API}/Contacts", headers=fresh_headers)).status_code == 401


class TestPaging:
    async def test_pages_and_boundaries(self, client, headers, app, tenant_ids):
        total = len(app.tenants[tenant_ids[0]].collections["Invoices"])
        seen = []
        for page in range(1, 5):
            data = body(await client.get(f"{API}/Invoices", headers=headers, params={"page": page, "pageSize": 20}))
            assert data["pagination"] == {
                "page": page,
                "pageSize": 20,
                "pageCount": -(-total // 20),
                "itemCount": total,
            }
            seen += [i["InvoiceID"] for i in data["Invoices"]]
            assert all("LineItems" in i for i in data["Invoices"])
        assert len(seen) == len(set(seen)) == total

    async def test_default_page_size_and_cap(self, client, headers, clock):
        app = create_app(seed=1, size=1_200, clock=clock, limits=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
            token = (await c.post("/_sandbox/tokens", json={})).json()
            h = {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": next(iter(app.tenants))}
            default = body(await c.get(f"{API}/Invoices", headers=h, params={"page": 1}))
            assert len(default["Invoices"]) == 100
            assert default["pagination"]["pageSize"] == 100
            capped = body(await c.get(f"{API}/Invoices", headers=h, params={"page": 1, "pageSize": 5000}))
            assert len(capped["Invoices"]) == 1000
            assert capped["pagination"]["pageCount"] == 2
            last = body(await c.get(f"{API}/Invoices", headers=h, params={"page": 2, "pageSize": 1000}))
            assert len(last["Invoices"]) == 200
            beyond = body(await c.get(f"{API}/Invoices", headers=h, params={"page": 3, "pageSize": 1000}))
            assert beyond["Invoices"] == []

    async def test_unpaged_has_no_lines_or_pagination(self, client, headers):
        data = body(await client.get(f"{API}/Invoices", headers=headers))
        assert "pagination" not in data
        assert all("LineItems" not in i for i in data["Invoices"])
        one = body(await client.get(f"{API}/Invoices/{data['Invoices'][0]['InvoiceID']}", headers=headers))
        assert one["Invoices"][0]["LineItems"]

    async def test_if_modified_since_both_forms(self, client, headers):
        everything = body(await client.get(f"{API}/Invoices", headers=headers))["Invoices"]
        stamps = sorted(parse_ms_date(i["UpdatedDateUTC"]) for i in everything)
        middle = stamps[len(stamps) // 2]
        from datetime import UTC, datetime

        moment = datetime.fromtimestamp(middle // 1000, UTC)
        expected = [s for s in stamps if s > (middle // 1000) * 1000]
        for header in (moment.strftime("%a, %d %b %Y %H:%M:%S GMT"), moment.replace(tzinfo=None).isoformat()):
            found = body(await client.get(f"{API}/Invoices", headers={**headers, "If-Modified-Since": header}))
            assert sorted(parse_ms_date(i["UpdatedDateUTC"]) for i in found["Invoices"]) == expected

    async def test_where_and_order(self, client, headers):
        data = body(
            await client.get(
                f"{API}/Invoices",
                headers=headers,
                params={"where": 'Status=="AUTHORISED" AND Type=="ACCREC"', "order": "Total DESC"},
            )
        )["Invoices"]
        assert data
        assert all(i["Status"] == "AUTHORISED" and i["Type"] == "ACCREC" for i in data)
        assert [i["Total"] for i in data] == sorted((i["Total"] for i in data), reverse=True)
        dated = body(
            await client.get(
                f"{API}/Invoices", headers=headers, params={"where": 'Date>=DateTime(2024,01,01) OR Status=="DRAFT"'}
            )
        )["Invoices"]
        assert all(parse_ms_date(i["Date"]) >= 1_704_067_200_000 or i["Status"] == "DRAFT" for i in dated)
        contact = data[0]["Contact"]["ContactID"]
        by_contact = body(
            await client.get(
                f"{API}/Invoices", headers=headers, params={"where": f'Contact.ContactID==guid("{contact.upper()}")'}
            )
        )["Invoices"]
        assert by_contact
        assert all(i["Contact"]["ContactID"] == contact for i in by_contact)
        bad = await client.get(f"{API}/Invoices", headers=headers, params={"where": "Status=="})
        assert bad.status_code == 400
        assert bad.json()["Type"] == "QueryParseException"

    async def test_ids_and_statuses(self, client, headers):
        data = body(await client.get(f"{API}/Invoices", headers=headers))["Invoices"]
        ids = [data[0]["InvoiceID"], data[3]["InvoiceID"]]
        picked = body(await client.get(f"{API}/Invoices", headers=headers, params={"IDs": ",".join(ids)}))
        assert sorted(i["InvoiceID"] for i in picked["Invoices"]) == sorted(ids)
        voided = body(await client.get(f"{API}/Invoices", headers=headers, params={"Statuses": "VOIDED,DELETED"}))
        assert all(i["Status"] in ("VOIDED", "DELETED") for i in voided["Invoices"])

    async def test_archived_contacts_hidden(self, client, headers):
        plain = body(await client.get(f"{API}/Contacts", headers=headers))["Contacts"]
        everything = body(await client.get(f"{API}/Contacts", headers=headers, params={"includeArchived": "true"}))[
            "Contacts"
        ]
        assert all(c["ContactStatus"] == "ACTIVE" for c in plain)
        assert len(everything) > len(plain)


class TestWrites:
    async def test_put_creates_post_updates(self, client, headers):
        created = body(await client.put(f"{API}/Invoices", headers=headers, json={"Invoices": [invoice()]}))
        record = created["Invoices"][0]
        assert record["Total"] == Decimal("65.97")
        assert record["TotalTax"] == Decimal("6.00")
        assert record["InvoiceNumber"].startswith("INV-")
        assert record["Status"] == "AUTHORISED"
        again = await client.put(
            f"{API}/Invoices", headers=headers, json={"Invoices": [{**invoice(), "InvoiceID": record["InvoiceID"]}]}
        )
        assert again.status_code == 400
        updated = body(
            await client.post(
                f"{API}/Invoices",
                headers=headers,
                json={"Invoices": [{"InvoiceID": record["InvoiceID"], "Reference": "changed"}]},
            )
        )["Invoices"][0]
        assert updated["Reference"] == "changed"
        assert updated["InvoiceID"] == record["InvoiceID"]
        assert parse_ms_date(updated["UpdatedDateUTC"]) > parse_ms_date(record["UpdatedDateUTC"])
        fetched = body(await client.get(f"{API}/Invoices/{record['InvoiceNumber']}", headers=headers))
        assert fetched["Invoices"][0]["Reference"] == "changed"

    async def test_summarize_errors_false(self, client, headers):
        response = await client.post(
            f"{API}/Invoices",
            headers=headers,
            params={"summarizeErrors": "false"},
            json={"Invoices": [invoice(), {"Type": "ACCREC", "LineItems": []}]},
        )
        assert response.status_code == 200
        ok, bad = body(response)["Invoices"]
        assert ok["StatusAttributeString"] == "OK"
        assert bad["StatusAttributeString"] == "ERROR"
        assert bad["HasErrors"] is True
        assert bad["ValidationErrors"][0]["Message"]

    async def test_validation_exception_still_saves_valid_items(self, client, headers, app, tenant_ids):
        invoices = app.tenants[tenant_ids[0]].collections["Invoices"]
        before = len(invoices.ids)
        response = await client.put(
            f"{API}/Invoices",
            headers=headers,
            json={
                "Invoices": [
                    invoice(Reference="valid one"),
                    invoice(LineItems=[{"Description": "x", "UnitAmount": 1, "AccountCode": "NOPE"}]),
                ]
            },
        )
        problem = response.json()
        assert response.status_code == 400
        assert problem["ErrorNumber"] == 10
        assert problem["Type"] == "ValidationException"
        assert len(problem["Elements"]) == 1
        assert "NOPE" in problem["Elements"][0]["ValidationErrors"][0]["Message"]
        assert len(invoices.ids) == before + 1

    async def test_line_amount_types(self, client, headers):
        lines = [
            {"Description": "a", "Quantity": 1, "UnitAmount": "110.00", "AccountCode": "200"},
            {"Description": "b", "Quantity": 2, "UnitAmount": "5.55", "AccountCode": "200"},
        ]
        results = {}
        for kind in ("Exclusive", "Inclusive", "NoTax"):
            created = body(
                await client.put(
                    f"{API}/Invoices", headers=headers, json=invoice(LineAmountTypes=kind, LineItems=lines)
                )
            )["Invoices"][0]
            results[kind] = created
            assert created["SubTotal"] + created["TotalTax"] == created["Total"]
        assert results["Exclusive"]["Total"] == Decimal("133.21")
        assert results["Inclusive"]["Total"] == Decimal("121.10")
        assert results["Inclusive"]["TotalTax"] == Decimal("11.01")
        assert results["NoTax"]["TotalTax"] == 0
        assert results["NoTax"]["Total"] == Decimal("121.10")

    async def test_manual_journal_rules(self, client, headers):
        def journal(**fields):
            return {
                "ManualJournals": [
                    {
                        "Narration": "Accrual",
                        "Date": "2025-03-01",
                        "JournalLines": [
                            {"LineAmount": "100.00", "AccountCode": "400"},
                            {"LineAmount": "-100.00", "AccountCode": "800"},
                        ],
                        **fields,
                    }
                ]
            }

        assert (await client.put(f"{API}/ManualJournals", headers=headers, json=journal())).status_code == 200
        unbalanced = await client.put(
            f"{API}/ManualJournals",
            headers=headers,
            json=journal(
                JournalLines=[{"LineAmount": 100, "AccountCode": "400"}, {"LineAmount": -10, "AccountCode": "800"}]
            ),
        )
        assert unbalanced.status_code == 400
        assert (
            unbalanced.json()["Elements"][0]["ValidationErrors"][0]["Message"]
            == "The total debits (100.00) must equal total credits (-10.00)"
        )
        one_line = await client.put(
            f"{API}/ManualJournals",
            headers=headers,
            json=journal(JournalLines=[{"LineAmount": 0, "AccountCode": "400"}]),
        )
        assert one_line.status_code == 400
        no_narration = await client.put(f"{API}/ManualJournals", headers=headers, json=journal(Narration=""))
        assert no_narration.status_code == 400

    async def test_status_change_deletions(self, client, headers, app, tenant_ids):
        draft = body(await client.put(f"{API}/Invoices", headers=headers, json=invoice(Status="DRAFT")))
        draft_id = draft["Invoices"][0]["InvoiceID"]
        voiding_draft = await client.post(f"{API}/Invoices/{draft_id}", headers=headers, json={"Status": "VOIDED"})
        assert voiding_draft.status_code == 400
        deleted = body(await client.post(f"{API}/Invoices/{draft_id}", headers=headers, json={"Status": "DELETED"}))
        assert deleted["Invoices"][0]["Status"] == "DELETED"
        approved = body(await client.put(f"{API}/Invoices", headers=headers, json=invoice()))["Invoices"][0]
        assert (
            await client.post(f"{API}/Invoices/{approved['InvoiceID']}", headers=headers, json={"Status": "DELETED"})
        ).status_code == 400
        voided = body(
            await client.post(f"{API}/Invoices/{approved['InvoiceID']}", headers=headers, json={"Status": "VOIDED"})
        )["Invoices"][0]
        assert voided["Status"] == "VOIDED"
        assert voided["AmountDue"] == 0
        contact = body(await client.get(f"{API}/Contacts", headers=headers))["Contacts"][0]
        archived = body(
            await client.post(
                f"{API}/Contacts/{contact['ContactID']}", headers=headers, json={"ContactStatus": "ARCHIVED"}
            )
        )["Contacts"][0]
        assert archived["ContactStatus"] == "ARCHIVED"
        dump = (await client.get(f"/_sandbox/dump/{tenant_ids[0]}/Invoices")).json()["Invoices"]
        assert {"DELETED", "VOIDED"} <= {i["Status"] for i in dump}

    async def test_payment_updates_invoice(self, client, headers):
        created = body(await client.put(f"{API}/Invoices", headers=headers, json=invoice()))["Invoices"][0]
        pay = {
            "Invoice": {"InvoiceID": created["InvoiceID"]},
            "Account": {"Code": "090"},
            "Date": "2025-02-10",
            "Amount": str(created["Total"]),
        }
        payment = body(await client.put(f"{API}/Payments", headers=headers, json={"Payments": [pay]}))
        paid = body(await client.get(f"{API}/Invoices/{created['InvoiceID']}", headers=headers))["Invoices"][0]
        assert paid["Status"] == "PAID"
        assert paid["AmountDue"] == 0
        assert paid["AmountPaid"] == created["Total"]
        voiding = await client.post(
            f"{API}/Invoices/{created['InvoiceID']}", headers=headers, json={"Status": "VOIDED"}
        )
        assert voiding.status_code == 400
        payment_id = payment["Payments"][0]["PaymentID"]
        await client.post(f"{API}/Payments/{payment_id}", headers=headers, json={"Status": "DELETED"})
        reopened = body(await client.get(f"{API}/Invoices/{created['InvoiceID']}", headers=headers))["Invoices"][0]
        assert reopened["Status"] == "AUTHORISED"
        assert reopened["AmountDue"] == created["Total"]

    async def test_idempotency_key_replays(self, client, headers, app, tenant_ids):
        invoices = app.tenants[tenant_ids[0]].collections["Invoices"]
        before = len(invoices.ids)
        keyed = {**headers, "Idempotency-Key": "key-1"}
        first = await client.put(f"{API}/Invoices", headers=keyed, json=invoice())
        second = await client.put(f"{API}/Invoices", headers=keyed, json=invoice())
        assert first.content == second.content
        assert len(invoices.ids) == before + 1
        different = await client.put(f"{API}/Invoices", headers=keyed, json=invoice(Reference="other"))
        assert different.status_code == 400

    async def test_items_and_accounts(self, client, headers):
        item = body(
            await client.put(
                f"{API}/Items",
                headers=headers,
                json={
                    "Items": [
                        {"Code": "NEWCODE", "Name": "New", "SalesDetails": {"UnitPrice": "9.99", "AccountCode": "200"}}
                    ]
                },
            )
        )
        item_id = item["Items"][0]["ItemID"]
        dup = await client.put(f"{API}/Items", headers=headers, json={"Items": [{"Code": "NEWCODE"}]})
        assert dup.status_code == 400
        assert (await client.delete(f"{API}/Items/{item_id}", headers=headers)).status_code == 204
        assert (await client.get(f"{API}/Items/{item_id}", headers=headers)).status_code == 404
        account = body(
            await client.put(
                f"{API}/Accounts", headers=headers, json={"Code": "499", "Name": "Sandbox Expense", "Type": "EXPENSE"}
            )
        )["Accounts"][0]
        assert account["Class"] == "EXPENSE"
        removed = body(await client.delete(f"{API}/Accounts/{account['AccountID']}", headers=headers))
        assert removed["Accounts"][0]["Status"] == "DELETED"


class TestLimits:
    async def test_minute_and_day_limits(self, client, headers, clock, app):
        for _ in range(60):
            response = await client.get(f"{API}/TaxRates", headers=headers)
            assert response.status_code == 200
        assert response.headers["x-minlimit-remaining"] == "0"
        assert int(response.headers["x-daylimit-remaining"]) == 4940
        assert "x-appminlimit-remaining" in response.headers
        refused = await client.get(f"{API}/TaxRates", headers=headers)
        assert refused.status_code == 429
        assert refused.headers["x-rate-limit-problem"] == "minute"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        other = {**headers, "xero-tenant-id": list(app.tenants)[1]}
        assert (await client.get(f"{API}/TaxRates", headers=other)).status_code == 200
        clock.now += 60
        assert (await client.get(f"{API}/TaxRates", headers=headers)).status_code == 200
        from ledgerport.sandboxes.xero.throttle import Limits

        app.throttle.configure(Limits(per_minute=100, per_day=3), clock)
        for _ in range(3):
            await client.get(f"{API}/TaxRates", headers=headers)
        daily = await client.get(f"{API}/TaxRates", headers=headers)
        assert daily.status_code == 429
        assert daily.headers["x-rate-limit-problem"] == "day"
        assert int(daily.headers["retry-after"]) > 60

    async def test_concurrent_limit(self, client, headers, app):
        app.faults.update(latency_ms=50)
        responses = await asyncio.gather(*(client.get(f"{API}/TaxRates", headers=headers) for _ in range(7)))
        refused = [r for r in responses if r.status_code == 429]
        assert len(refused) == 2
        assert all(r.headers["x-rate-limit-problem"] == "concurrent" for r in refused)

    async def test_limits_off(self, clock):
        app = create_app(clock=clock, limits=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
            token = (await c.post("/_sandbox/tokens", json={})).json()
            h = {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": next(iter(app.tenants))}
            for _ in range(70):
                assert (await c.get(f"{API}/TaxRates", headers=h)).status_code == 200


class TestFaultsAndControl:
    async def test_fault_injection(self, client, headers):
        assert (await client.post("/_sandbox/faults", json={"error_rate": 1, "error_status": 503})).status_code == 200
        response = await client.get(f"{API}/Invoices", headers=headers)
        assert response.status_code == 503
        assert response.json()["Status"] == 503
        await client.post("/_sandbox/faults", json={"error_rate": 0, "throttle_rate": 1})
        assert (await client.get(f"{API}/Invoices", headers=headers)).status_code == 429
        await client.post("/_sandbox/faults", json={"throttle_rate": 0, "malformed_rate": 1})
        broken = await client.get(f"{API}/Invoices", headers=headers, params={"page": 1})
        with pytest.raises(json.JSONDecodeError):
            broken.json()
        await client.post("/_sandbox/faults", json={"malformed_rate": 0})
        assert (await client.get(f"{API}/Invoices", headers=headers)).status_code == 200

    async def test_stats_and_tenants(self, client, headers, tenant_ids):
        await client.get(f"{API}/Contacts", headers=headers)
        stats = (await client.get("/_sandbox/stats")).json()
        assert {"path": f"{API}/Contacts", "tenantId": tenant_ids[0], "count": 1, "refused": 0} in stats
        tenants = (await client.get("/_sandbox/tenants")).json()
        assert [t["tenantId"] for t in tenants] == tenant_ids


class TestData:
    def test_deterministic(self):
        first, second = generate(3, "small"), generate(3, "small")
        assert [t.tenant_id for t in first] == [t.tenant_id for t in second]
        for a, b in zip(first, second, strict=True):
            for name in a.collections:
                assert list(a.collections[name].all_records()) == list(b.collections[name].all_records())
        assert generate(4, "small")[0].tenant_id != first[0].tenant_id

    def test_arithmetic(self):
        for tenant in generate(5, 300):
            invoices = tenant.collections["Invoices"]
            for record in invoices.all_records():
                lines, kind = record["LineItems"], record["LineAmountTypes"]
                assert (record["SubTotal"], record["TotalTax"], record["Total"]) == document_totals(lines, kind)
                assert record["SubTotal"] + record["TotalTax"] == record["Total"]
                summed = sum(line["LineAmount"] for line in lines)
                assert summed == (record["Total"] if kind == "Inclusive" else record["SubTotal"])
                if kind == "NoTax":
                    assert record["TotalTax"] == 0
                assert record["AmountPaid"] == sum((p["Amount"] for p in record["Payments"]), Decimal(0))
                if record["Status"] not in ("VOIDED", "DELETED"):
                    assert record["AmountDue"] == record["Total"] - record["AmountPaid"]
                if record["Status"] == "PAID":
                    assert record["AmountDue"] == 0
            for payment in tenant.collections["Payments"].all_records():
                slot = invoices.find(payment["Invoice"]["InvoiceID"])
                assert payment["Amount"] in [p["Amount"] for p in invoices.get(slot)["Payments"]]
            for journal in tenant.collections["ManualJournals"].all_records():
                assert len(journal["JournalLines"]) >= 2
                assert sum(line["LineAmount"] for line in journal["JournalLines"]) == 0
            stamps = invoices.updated
            assert all(a < b for a, b in zip(stamps, stamps[1:], strict=False))

    def test_large_generation_and_bisect_paging(self):
        started = time.perf_counter()
        tenants = generate(0, 100_000)
        assert time.perf_counter() - started < 20
        invoices = tenants[0].collections["Invoices"]
        since = invoices.updated[99_000]
        started = time.perf_counter()
        slots = invoices.page_slots(since, 0, 100)
        assert [invoices.get(s)["InvoiceID"] for s in slots] == invoices.ids[99_001:99_101]
        assert invoices.count_since(since) == 999
        assert time.perf_counter() - started < 0.5


async def test_a_request_whose_client_left_before_its_body_arrived_is_never_served() -> None:
    """A client killed mid-request leaves nothing behind: no answer is made, so none is remembered under its
    Idempotency-Key for the retry."""
    app = create_app(seed=3, size="small", limits=False)
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api.xro/2.0/Contacts",
        "query_string": b"",
        "headers": [(b"host", b"xero.sandbox.test"), (b"idempotency-key", b"killed-1")],
    }
    await app(scope, receive, send)
    assert sent == []
