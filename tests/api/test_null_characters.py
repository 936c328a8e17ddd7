"""A NUL character anywhere in the query or the path is a 400 that names the parameter, on every database, for every
API route: PostgreSQL cannot compare text holding one (a 500 before), and SQLite cut the text short (a filter on
``"\\x00"`` matched everything).
"""

from __future__ import annotations

import httpx
import pytest

from harness import Server, Tenant, TenantFactory


@pytest.fixture(scope="module")
def tenant(make_tenant: TenantFactory) -> Tenant:
    return make_tenant(seed={"invoices": 3, "transactions": 1, "journal_entries": 1})


def _get(server: Server, path: str, tenant: Tenant, query: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": tenant.account_token}
    return httpx.get(f"{server.url}{path}?{query}", headers=headers, timeout=30)


@pytest.mark.parametrize(
    ("path", "query", "named"),
    [
        ("/api/accounting/v1/contacts", "name=%00", "'name'"),
        ("/api/accounting/v1/accounts", "remote_id=a%00b", "'remote_id'"),
        ("/api/accounting/v1/invoices", "company_id=%00&page_size=2", "'company_id'"),
        ("/api/accounting/v1/invoices", "number=1&number=%00", "'number'"),
        ("/api/accounting/v1/linked-accounts", "end_user_email_address=%00", "'end_user_email_address'"),
        ("/api/accounting/v1/issues", "integration_name=%00", "'integration_name'"),
        ("/api/accounting/v1/invoices", "not_a_parameter=%00", "'not_a_parameter'"),
        ("/api/accounting/v1/invoices", "odd%00name=1", "'odd\\x00name'"),
    ],
)
def test_a_nul_character_in_the_query_is_400(server: Server, tenant: Tenant, path: str, query: str, named: str) -> None:
    response = _get(server, path, tenant, query)
    assert response.status_code == 400, response.text
    assert response.json() == {
        "detail": f"Query parameter {named} holds a null character; null characters are not allowed."
    }


@pytest.mark.parametrize(
    "path",
    ["/api/accounting/v1/account-token/a%00b", "/api/accounting/v1/invoices/%00", "/api/accounting/v1/issues/%00"],
)
def test_a_nul_character_in_the_path_is_400(server: Server, tenant: Tenant, path: str) -> None:
    response = _get(server, path, tenant, "")
    assert response.status_code == 400, response.text
    assert response.json() == {"detail": "The path holds a null character; null characters are not allowed."}


def test_other_control_characters_are_text(server: Server, tenant: Tenant) -> None:
    response = _get(server, "/api/accounting/v1/contacts", tenant, "name=%01%1F")
    assert response.status_code == 200
    assert response.json()["results"] == []
