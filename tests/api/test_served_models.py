"""Expense reports, payment methods, bank feeds, addresses and phone numbers over HTTP, against accounts synced
from the QuickBooks and Xero sandboxes (and the dev seed, which holds a few of each).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from synced_harness import SyncedOrganization

from harness import Server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.api}/accounting/v1", timeout=30) as client:
        yield client


def _as(synced: SyncedOrganization, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {synced.api_key}", "X-Account-Token": synced.tokens[who]}


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def _not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    assert response.json() == {"detail": "Not found."}


class TestExpenseReports:
    @pytest.mark.parametrize("who", ["quickbooks", "xero"])
    def test_an_integration_without_expense_reports_answers_an_empty_list(
        self, api: httpx.Client, synced_org: SyncedOrganization, who: str
    ) -> None:
        headers = _as(synced_org, who)
        assert _ok(api.get("/expense-reports", headers=headers)) == {"next": None, "previous": None, "results": []}
        _not_found(api.get(f"/expense-reports/{uuid.uuid4()}", headers=headers))
        _not_found(api.get(f"/expense-reports/{uuid.uuid4()}/lines", headers=headers))
        for path in ("/expense-reports/remote-field-classes", "/expense-reports/lines/remote-field-classes"):
            assert _ok(api.get(path, headers=headers))["results"] == []

    @pytest.mark.parametrize("who", ["quickbooks", "xero"])
    def test_a_create_is_refused_as_unsupported_and_meta_says_so(
        self, api: httpx.Client, synced_org: SyncedOrganization, who: str
    ) -> None:
        headers = _as(synced_org, who)
        refused = api.post("/expense-reports", json={"model": {"description": "Trip"}}, headers=headers)
        assert refused.status_code == 400, refused.text
        (error,) = refused.json()["errors"]
        assert error["title"] == "Unsupported Operation"
        assert "cannot create ExpenseReport records" in error["detail"]
        meta = _ok(api.get("/expense-reports/meta/post", headers=headers))
        assert meta["status"]["can_make_request"] is False
        assert "cannot create ExpenseReport" in meta["request_schema"]["description"]
        actions = _ok(api.get("/available-actions", headers=headers))["available_model_operations"]
        assert "ExpenseReport" not in {operation["model_name"] for operation in actions}

    def test_lines_are_paged_in_order_and_expand(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _as(synced_org, "seeded")
        reports = _ok(api.get("/expense-reports", headers=headers, params={"page_size": 100}))["results"]
        report = max(reports, key=lambda r: len(r["lines"]))
        assert len(report["lines"]) >= 2
        seen: list[str] = []
        cursor = None
        while True:
            params = {"page_size": 1, **({"cursor": cursor} if cursor else {})}
            page = _ok(api.get(f"/expense-reports/{report['id']}/lines", headers=headers, params=params))
            seen += [line["id"] for line in page["results"]]
            cursor = page["next"]
            if not cursor:
                break
        assert seen == [line["id"] for line in report["lines"]]
        back = _ok(api.get(f"/expense-reports/{report['id']}/lines", headers=headers, params={"page_size": 1}))
        following = _ok(
            api.get(
                f"/expense-reports/{report['id']}/lines",
                headers=headers,
                params={"page_size": 1, "cursor": back["next"]},
            )
        )
        previous = _ok(
            api.get(
                f"/expense-reports/{report['id']}/lines",
                headers=headers,
                params={"page_size": 1, "cursor": following["previous"]},
            )
        )
        assert previous["results"] == back["results"]
        expanded = _ok(
            api.get(f"/expense-reports/{report['id']}/lines", headers=headers, params={"expand": "account,employee"})
        )
        assert expanded["results"][0]["account"]["id"] == report["lines"][0]["account"]
        assert expanded["results"][0]["employee"]["id"] == report["employee"]
        bad = api.get(f"/expense-reports/{report['id']}/lines", headers=headers, params={"expand": "lines"})
        assert bad.status_code == 400
        assert "expand" in bad.json()["detail"]
        _not_found(api.get(f"/expense-reports/{report['id']}/lines", headers=_as(synced_org, "xero")))


class TestPaymentMethods:
    def test_quickbooks_payment_methods_are_synced(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _as(synced_org, "quickbooks")
        methods = _ok(api.get("/payment-methods", headers=headers, params={"include_remote_data": "true"}))["results"]
        by_name = {method["name"]: method for method in methods}
        assert by_name["Cash"]["method_type"] == "CASH"
        assert by_name["Check"]["method_type"] == "CHECK"
        assert by_name["Visa"]["method_type"] == "CREDIT_CARD"
        assert by_name["Direct Deposit"]["method_type"] == "ACH"
        assert by_name["Diners Club"]["is_active"] is False
        assert by_name["Visa"]["remote_data"][0]["data"]["Type"] == "CREDIT_CARD"
        one = _ok(api.get(f"/payment-methods/{by_name['Visa']['id']}", headers=headers))
        assert one["remote_id"] == by_name["Visa"]["remote_id"]
        assert one["remote_updated_at"] is not None
        _not_found(api.get(f"/payment-methods/{by_name['Visa']['id']}", headers=_as(synced_org, "xero")))

    def test_xero_has_none(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        assert _ok(api.get("/payment-methods", headers=_as(synced_org, "xero")))["results"] == []

    def test_merge_offers_no_filters_but_paging(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _as(synced_org, "quickbooks")
        first = _ok(api.get("/payment-methods", headers=headers, params={"page_size": 2}))
        assert len(first["results"]) == 2
        assert first["next"]
        rest = _ok(api.get("/payment-methods", headers=headers, params={"cursor": first["next"]}))
        assert {m["id"] for m in first["results"]}.isdisjoint({m["id"] for m in rest["results"]})


class TestAddressesAndPhoneNumbers:
    @pytest.mark.parametrize("who", ["quickbooks", "xero"])
    def test_every_nested_object_is_served_by_its_id(
        self, api: httpx.Client, synced_org: SyncedOrganization, who: str
    ) -> None:
        headers = _as(synced_org, who)
        contacts = _ok(api.get("/contacts", headers=headers, params={"page_size": 100}))["results"]
        companies = _ok(api.get("/company-info", headers=headers))["results"]
        addresses = [a for record in [*contacts, *companies] for a in record["addresses"]]
        phones = [p for record in [*contacts, *companies] for p in record["phone_numbers"]]
        assert addresses
        assert phones
        assert len({a["id"] for a in addresses}) == len(addresses)
        for address in addresses[:10]:
            assert _ok(api.get(f"/addresses/{address['id']}", headers=headers)) == address
        for phone in phones[:10]:
            assert _ok(api.get(f"/phone-numbers/{phone['id']}", headers=headers)) == phone
        with_remote = _ok(
            api.get(f"/addresses/{addresses[0]['id']}", headers=headers, params={"include_remote_data": "true"})
        )
        assert with_remote["remote_data"][0]["data"]

    def test_another_accounts_ids_and_unknown_ids_are_not_found(
        self, api: httpx.Client, synced_org: SyncedOrganization
    ) -> None:
        quickbooks = _ok(api.get("/contacts", headers=_as(synced_org, "quickbooks")))["results"]
        address = next(a for contact in quickbooks for a in contact["addresses"])
        phone = next(p for contact in quickbooks for p in contact["phone_numbers"])
        xero = _as(synced_org, "xero")
        _not_found(api.get(f"/addresses/{address['id']}", headers=xero))
        _not_found(api.get(f"/phone-numbers/{phone['id']}", headers=xero))
        _not_found(api.get(f"/addresses/{phone['id']}", headers=_as(synced_org, "quickbooks")))  # a phone's id
        _not_found(api.get(f"/addresses/{uuid.uuid4()}", headers=xero))
        _not_found(api.get("/phone-numbers/not-a-uuid", headers=xero))

    def test_parameters_are_checked(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _as(synced_org, "xero")
        address = next(a for c in _ok(api.get("/contacts", headers=headers))["results"] for a in c["addresses"])
        assert _ok(api.get(f"/addresses/{address['id']}", headers=headers, params={"show_enum_origins": "type"}))
        bad = api.get(f"/addresses/{address['id']}", headers=headers, params={"show_enum_origins": "country"})
        assert bad.status_code == 400
        assert "show_enum_origins" in bad.json()["detail"]
        bad = api.get(f"/addresses/{address['id']}", headers=headers, params={"include_remote_data": "maybe"})
        assert bad.status_code == 400
        assert "include_remote_data" in bad.json()["detail"]


class TestExpenseRemoteFieldClasses:
    @pytest.mark.parametrize("who", ["quickbooks", "xero"])
    def test_expenses_answer_their_classes(self, api: httpx.Client, synced_org: SyncedOrganization, who: str) -> None:
        headers = _as(synced_org, who)
        for path in ("/expenses/remote-field-classes", "/expenses/lines/remote-field-classes"):
            assert "results" in _ok(api.get(path, headers=headers))
        listed = _ok(api.get("/expenses", headers=headers, params={"include_remote_fields": "true"}))
        assert all(isinstance(row["remote_fields"], list) for row in listed["results"])


class TestBankFeedsRead:
    def test_seeded_feed_and_filter(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _as(synced_org, "seeded")
        (feed,) = _ok(api.get("/bank-feed-accounts", headers=headers))["results"]
        assert feed["account_type"] == "CREDIT_CARD"
        pushed = _ok(api.get("/bank-feed-transactions", headers=headers, params={"expand": "bank_feed_account"}))
        assert pushed["results"]
        assert all(row["bank_feed_account"]["id"] == feed["id"] for row in pushed["results"])
        processed = _ok(api.get("/bank-feed-transactions", headers=headers, params={"is_processed": "true"}))
        assert processed["results"] == []
        bad = api.get("/bank-feed-transactions", headers=headers, params={"is_processed": "sometimes"})
        assert bad.status_code == 400
        assert "is_processed" in bad.json()["detail"]

    @pytest.mark.parametrize("who", ["quickbooks", "xero"])
    def test_synced_accounts_have_none_until_written(
        self, api: httpx.Client, synced_org: SyncedOrganization, who: str
    ) -> None:
        headers = _as(synced_org, who)
        for path in ("/bank-feed-accounts", "/bank-feed-transactions"):
            assert _ok(api.get(path, headers=headers))["results"] == []
        for path in ("/bank-feed-accounts/meta/post", "/bank-feed-transactions/meta/post"):
            assert _ok(api.get(path, headers=headers))["status"]["can_make_request"] is True
