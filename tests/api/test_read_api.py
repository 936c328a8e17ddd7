"""HTTP-level details of the read API, spoken with httpx to a live server: error bodies, strict parameter parsing,
cursors, and per-linked-account rate limits (in process memory and shared through Redis).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from merge import Merge
from merge.core.api_error import ApiError
from sqlalchemy import select

from harness import REDIS_URL, Server, Tenant, TenantFactory, redis_problem, run, start_server
from ledgerport.store import Database
from ledgerport.store.tables import records

NO_CREDENTIALS = "Authentication credentials were not provided."
NO_ACCOUNT_TOKEN = "Account Token must be passed in as an X-Account-Token header."


@pytest.fixture(scope="module")
def tenant(make_tenant: TenantFactory) -> Tenant:
    return make_tenant(seed={"invoices": 40, "transactions": 5, "journal_entries": 5}, seed_value=11)


def headers(tenant: Tenant | None) -> dict[str, str]:
    if tenant is None:
        return {}
    return {"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": tenant.account_token}


def get(server: Server, path: str, tenant: Tenant | None = None, params: Any = None, **extra: str) -> httpx.Response:
    return httpx.get(
        f"{server.api}/accounting/v1/{path}", params=params, headers={**headers(tenant), **extra}, timeout=30
    )


def assert_problem(response: httpx.Response, status: int, detail: str | None = None, names: str | None = None) -> str:
    """A Merge/DRF error: the status, a JSON content type and exactly ``{"detail": <str>}``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/json"
    body = response.json()
    assert set(body) == {"detail"}
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if detail is not None:
        assert body["detail"] == detail
    if names is not None:
        assert f"'{names}'" in body["detail"] or names in body["detail"], body["detail"]
    return body["detail"]


async def _invoice_ids(url: str, tenant: Tenant) -> list[str]:
    """Ground truth: the tenant's live invoice ids in keyset order, straight from the records table."""
    database = Database(url)
    c = records.c
    try:
        async with database.read() as session:
            rows = (
                await session.execute(
                    select(c.id, c.created_at).where(
                        c.linked_account_id == tenant.account_id, c.model == "Invoice", c.remote_was_deleted.is_(False)
                    )
                )
            ).all()
    finally:
        await database.dispose()
    return [str(row[0]) for row in sorted(rows, key=lambda row: (row[1], str(row[0])))]


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


class TestAuthenticationErrors:
    def test_no_api_key(self, server: Server) -> None:
        assert_problem(get(server, "invoices"), 401, NO_CREDENTIALS)

    def test_no_api_key_with_account_token(self, server: Server, tenant: Tenant) -> None:
        response = get(server, "invoices", **{"X-Account-Token": tenant.account_token})
        assert_problem(response, 401, NO_CREDENTIALS)

    @pytest.mark.parametrize(
        "authorization", ["Token abc", "Bearer", "Basic dXNlcjpwYXNz", "lpk_bare-key-without-scheme"]
    )
    def test_malformed_authorization_header(self, server: Server, tenant: Tenant, authorization: str) -> None:
        response = get(server, "invoices", Authorization=authorization, **{"X-Account-Token": tenant.account_token})
        assert_problem(response, 401)

    def test_unknown_api_key(self, server: Server, tenant: Tenant) -> None:
        response = get(
            server, "invoices", Authorization="Bearer lpk_unknown", **{"X-Account-Token": tenant.account_token}
        )
        assert_problem(response, 401, "Invalid token.")

    def test_missing_account_token(self, server: Server, tenant: Tenant) -> None:
        response = get(server, "invoices", Authorization=f"Bearer {tenant.api_key}")
        assert_problem(response, 401, NO_ACCOUNT_TOKEN)

    def test_unknown_account_token(self, server: Server, tenant: Tenant) -> None:
        response = get(server, "invoices", Authorization=f"Bearer {tenant.api_key}", **{"X-Account-Token": "lpt_nope"})
        detail = assert_problem(response, 401)
        assert detail != NO_ACCOUNT_TOKEN

    def test_linked_accounts_needs_only_the_key(self, server: Server, tenant: Tenant) -> None:
        response = get(server, "linked-accounts", Authorization=f"Bearer {tenant.api_key}")
        assert response.status_code == 200
        assert [account["id"] for account in response.json()["results"]] == [str(tenant.account_id)]
        assert_problem(get(server, "linked-accounts"), 401, NO_CREDENTIALS)


class TestNotFound:
    @pytest.mark.parametrize(
        "path", ["/api/accounting/v1/nope", "/api/accounting/v2/invoices", "/nope", "/api/accounting/v1/invoices/a/b"]
    )
    def test_unknown_route(self, server: Server, tenant: Tenant, path: str) -> None:
        response = httpx.get(f"{server.url}{path}", headers=headers(tenant), timeout=30)
        assert_problem(response, 404, "Not found.")

    def test_unknown_record(self, server: Server, tenant: Tenant) -> None:
        assert_problem(get(server, f"invoices/{uuid.uuid4()}", tenant), 404, "Not found.")
        assert_problem(get(server, "invoices/..%2F..%2Fetc", tenant), 404)

    def test_wrong_method(self, server: Server, tenant: Tenant) -> None:
        response = httpx.put(f"{server.api}/accounting/v1/account-details", headers=headers(tenant), timeout=30)
        assert_problem(response, 405)

    def test_success_is_json(self, server: Server, tenant: Tenant) -> None:
        response = get(server, "invoices", tenant, {"page_size": 1})
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == "application/json"
        assert set(response.json()) == {"next", "previous", "results"}


class TestCursor:
    @pytest.mark.parametrize(
        "cursor",
        [
            "garbage",
            "!!!",
            cursor_of("p=abc&i=00000000-0000-4000-8000-000000000000"),  # position is not a number
            cursor_of("p=1&i=not-a-uuid"),
            cursor_of("p=1"),  # no id
            cursor_of("p=1&i=00000000-0000-4000-8000-000000000000&x=1"),  # unknown field
            cursor_of("p=1&p=2&i=00000000-0000-4000-8000-000000000000"),
            cursor_of("p=99999999999999999999999&i=00000000-0000-4000-8000-000000000000"),  # beyond any timestamp
        ],
    )
    def test_tampered_cursor_is_400(self, server: Server, tenant: Tenant, cursor: str) -> None:
        assert_problem(get(server, "invoices", tenant, {"cursor": cursor}), 400, names="cursor")

    def test_empty_cursor_is_the_first_page(self, server: Server, database_url: str, tenant: Tenant) -> None:
        expected = run(_invoice_ids(database_url, tenant))
        response = get(server, "invoices", tenant, {"cursor": "", "page_size": 5})
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["results"]] == expected[:5]

    def test_cursor_is_a_position(self, server: Server, database_url: str, tenant: Tenant) -> None:
        """A cursor keeps its place when the page size changes between requests."""
        expected = run(_invoice_ids(database_url, tenant))
        first = get(server, "invoices", tenant, {"page_size": 5}).json()
        assert [item["id"] for item in first["results"]] == expected[:5]
        assert first["previous"] is None
        second = get(server, "invoices", tenant, {"page_size": 10, "cursor": first["next"]}).json()
        assert [item["id"] for item in second["results"]] == expected[5:15]
        back = get(server, "invoices", tenant, {"page_size": 3, "cursor": second["previous"]}).json()
        assert [item["id"] for item in back["results"]] == expected[2:5]

    def test_cursor_of_another_list_is_400(self, server: Server, tenant: Tenant, make_tenant: TenantFactory) -> None:
        """A cursor pages only the list that issued it: not another model's, nor another linked account's."""
        cursor = get(server, "invoices", tenant, {"page_size": 2}).json()["next"]
        assert get(server, "invoices", tenant, {"cursor": cursor}).status_code == 200
        assert_problem(get(server, "contacts", tenant, {"cursor": cursor}), 400, names="cursor")
        assert_problem(get(server, "sync-status", tenant, {"cursor": cursor}), 400, names="cursor")
        other = make_tenant(seed={"invoices": 3})
        assert_problem(get(server, "invoices", other, {"cursor": cursor}), 400, names="cursor")
        issues = httpx.get(
            f"{server.api}/accounting/v1/issues",
            params={"cursor": cursor},
            headers={"Authorization": f"Bearer {tenant.api_key}"},
            timeout=30,
        )
        assert_problem(issues, 400, names="cursor")

    def test_cursor_is_bare_token_not_url(self, server: Server, tenant: Tenant) -> None:
        body = get(server, "invoices", tenant, {"page_size": 2}).json()
        assert body["next"]
        assert "/" not in body["next"]
        assert "?" not in body["next"]


class TestStrictParameters:
    @pytest.mark.parametrize(
        ("query", "name"),
        [
            ("page_size=5&page_size=6", "page_size"),
            ("status=PAID&status=OPEN", "status"),
            ("include_deleted_data=true&include_deleted_data=false", "include_deleted_data"),
            ("modified_after=2024-01-01T00:00:00Z&modified_after=2024-02-01T00:00:00Z", "modified_after"),
            ("remote_id=a&remote_id=b", "remote_id"),
        ],
    )
    def test_duplicated_parameter_is_400(self, server: Server, tenant: Tenant, query: str, name: str) -> None:
        response = httpx.get(f"{server.api}/accounting/v1/invoices?{query}", headers=headers(tenant), timeout=30)
        assert_problem(response, 400, names=name)

    @pytest.mark.parametrize(
        ("path", "name"),
        [
            ("invoices", "contact_id"),
            ("invoices", "company_id"),
            ("payments", "account_id"),
            ("payments", "contact_id"),
            ("contacts", "company_id"),
        ],
    )
    def test_id_filter_that_is_not_a_uuid_is_400(self, server: Server, tenant: Tenant, path: str, name: str) -> None:
        assert_problem(get(server, path, tenant, {name: "not-a-uuid"}), 400, names=name)

    def test_repeated_expand_values_combine(self, server: Server, tenant: Tenant) -> None:
        response = httpx.get(
            f"{server.api}/accounting/v1/invoices?expand=contact&expand=company&page_size=3",
            headers=headers(tenant),
            timeout=30,
        )
        assert response.status_code == 200
        for invoice in response.json()["results"]:
            assert isinstance(invoice["contact"], dict)
            assert isinstance(invoice["company"], dict)
            assert isinstance(invoice["payment_term"], str)

    @pytest.mark.parametrize("name", ["include_deleted_data", "include_remote_data"])
    @pytest.mark.parametrize("value", ["maybe", "yes", "", "2", "tru"])
    def test_bad_boolean_is_400(self, server: Server, tenant: Tenant, name: str, value: str) -> None:
        assert_problem(get(server, "invoices", tenant, {name: value}), 400, names=name)

    @pytest.mark.parametrize(
        ("value", "on"),
        [("true", True), ("TRUE", True), ("True", True), ("1", True), ("false", False), ("False", False), ("0", False)],
    )
    def test_boolean_spellings(self, server: Server, tenant: Tenant, value: str, on: bool) -> None:
        response = get(server, "invoices", tenant, {"include_remote_data": value, "page_size": 5})
        assert response.status_code == 200
        remote = [invoice["remote_data"] for invoice in response.json()["results"]]
        assert len(remote) == 5
        assert all((r is not None) is on for r in remote), remote

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("issue_date_after", "0001-01-01T00:00:00+01:00"),  # year 0 in UTC
            ("issue_date_before", "9999-12-31T23:59:59-01:00"),  # year 10000 in UTC
            ("created_after", "0001-01-01T00:00:00+01:00"),
        ],
    )
    def test_datetime_outside_the_calendar_is_400(self, server: Server, tenant: Tenant, name: str, value: str) -> None:
        """Valid RFC 3339 text whose UTC instant Python cannot represent is the caller's mistake, not a crash."""
        response = get(server, "invoices", tenant, {name: value})
        assert response.status_code in {200, 400}, response.text
        if response.status_code == 400:
            assert_problem(response, 400, names=name)

    def test_unknown_expand_on_retrieve_is_400(self, server: Server, database_url: str, tenant: Tenant) -> None:
        invoice = run(_invoice_ids(database_url, tenant))[0]
        assert get(server, f"invoices/{invoice}", tenant, {"expand": "contact"}).status_code == 200
        assert_problem(get(server, f"invoices/{invoice}", tenant, {"expand": "contact,vendor"}), 400, names="expand")

    def test_empty_enum_filter_means_any(self, server: Server, tenant: Tenant) -> None:
        plain = get(server, "invoices", tenant, {"page_size": 100}).json()
        assert get(server, "invoices", tenant, {"page_size": 100, "status": "", "type": ""}).json() == plain

    def test_unknown_parameters_are_ignored(self, server: Server, tenant: Tenant) -> None:
        plain = get(server, "invoices", tenant, {"page_size": 4}).json()
        extra = get(server, "invoices", tenant, {"page_size": 4, "include_shell_data": "true", "foo": "bar"}).json()
        assert extra == plain

    def test_offset_must_be_encoded(self, server: Server, tenant: Tenant) -> None:
        """An unencoded ``+`` arrives as a space, which is not an RFC 3339 offset."""
        response = httpx.get(
            f"{server.api}/accounting/v1/invoices?created_after=2024-01-01T00:00:00+02:00",
            headers=headers(tenant),
            timeout=30,
        )
        assert_problem(response, 400, names="created_after")
        encoded = get(server, "invoices", tenant, {"created_after": "2024-01-01T00:00:00+02:00"})
        assert encoded.status_code == 200
        assert encoded.json()["results"]

    def test_amounts_are_json_numbers(self, server: Server, tenant: Tenant) -> None:
        body = json.loads(get(server, "invoices", tenant, {"page_size": 5}).text, parse_float=Decimal)
        for invoice in body["results"]:
            assert isinstance(invoice["total_amount"], Decimal | int)
            assert invoice["total_amount"] == invoice["total_amount"].quantize(Decimal("0.01"))
            assert isinstance(invoice["exchange_rate"], str | None)


# --------------------------------------------------------------------------------------------------------------------
# Rate limits


@pytest.fixture(scope="module")
def limited(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server allowing 5 requests per minute per linked account, budgets in process memory (tests use fresh
    linked accounts, so they never share a budget)."""
    started = start_server(database_url, tmp_path_factory.mktemp("limited"), LEDGERPORT_RATE_LIMIT_PER_MINUTE="5")
    try:
        yield started
    finally:
        started.stop()


def assert_throttled(response: httpx.Response) -> int:
    assert_problem(response, 429)
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), retry_after
    seconds = int(retry_after)
    assert 1 <= seconds <= 60
    return seconds


class TestRateLimit:
    def test_sixth_request_in_a_minute_is_429(self, limited: Server, make_tenant: TenantFactory) -> None:
        first, second = make_tenant(), make_tenant()
        for _ in range(5):
            assert get(limited, "invoices", first).status_code == 200
        seconds = assert_throttled(get(limited, "invoices", first))
        assert seconds <= 12  # one request's share of the minute
        assert_throttled(get(limited, "account-details", first))  # the budget is the account's, not the route's
        # another linked account has its own budget
        for _ in range(5):
            assert get(limited, "invoices", second).status_code == 200
        assert_throttled(get(limited, "invoices", second))

    def test_sdk_sees_429_with_retry_after(self, limited: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        sdk = Merge(api_key=tenant.api_key, account_token=tenant.account_token, base_url=limited.api)
        for _ in range(5):
            sdk.accounting.invoices.list()
        with pytest.raises(ApiError) as caught:
            sdk.accounting.invoices.list(request_options={"max_retries": 0})
        assert caught.value.status_code == 429
        assert int(caught.value.headers["retry-after"]) >= 1
        assert set(caught.value.body) == {"detail"}

    def test_unauthenticated_requests_do_not_spend_the_budget(
        self, limited: Server, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        for _ in range(8):
            response = get(
                limited, "invoices", Authorization="Bearer lpk_wrong", **{"X-Account-Token": tenant.account_token}
            )
            assert response.status_code == 401
        for _ in range(5):
            assert get(limited, "invoices", tenant).status_code == 200

    def test_budget_shared_through_redis(self, database_url: str, tmp_path: Path, make_tenant: TenantFactory) -> None:
        problem = redis_problem()
        if problem is not None:
            pytest.skip(f"rate limits shared through Redis need Redis: {problem}")
        tenant, bystander = make_tenant(), make_tenant()
        servers: list[Server] = []
        try:
            for _ in range(2):
                servers.append(
                    start_server(
                        database_url, tmp_path, LEDGERPORT_RATE_LIMIT_PER_MINUTE="5", LEDGERPORT_REDIS_URL=REDIS_URL
                    )
                )
            one, two = servers
            statuses = [get(one, "invoices", tenant).status_code for _ in range(3)]
            statuses += [get(two, "invoices", tenant).status_code for _ in range(2)]
            assert statuses == [200] * 5
            assert_throttled(get(two, "invoices", tenant))
            assert_throttled(get(one, "invoices", tenant))
            assert get(two, "invoices", bystander).status_code == 200
        finally:
            for started in servers:
                started.stop()
