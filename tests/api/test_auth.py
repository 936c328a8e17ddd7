"""The budgets in front of every door, over real server processes on loopback.

Each organization has a budget for the endpoints its API key alone opens, apart from its accounts' budgets; each
client address has a budget of failed credential lookups, and one for the doors that take no credentials. A client
address is chosen per test from 127.0.0.0/8 (the whole range reaches loopback), so tests never share one, not even
with an earlier run through Redis.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness import REDIS_URL, Server, Tenant, TenantFactory, redis_problem, start_server

LIMIT = 5

ORGANIZATION_DOORS = [
    ("GET", "linked-accounts", None),
    ("GET", "issues", None),
    ("GET", f"issues/{uuid.UUID(int=1)}", None),
    ("POST", "generate-key", {"name": "extra"}),
    ("POST", "regenerate-key", {"name": "rotated"}),
    (
        "POST",
        "link-token",
        {
            "end_user_email_address": "a@b.example",
            "end_user_organization_name": "B",
            "end_user_origin_id": "b",
            "categories": ["accounting"],
        },
    ),
    ("GET", "account-token/lpp_not_a_public_token", None),
    ("GET", "available-actions", None),  # without an account token: the key alone is checked
]
"""Every endpoint a request reaches with the API key alone: (method, path under /accounting/v1, JSON body)."""


@pytest.fixture(scope="module")
def guarded(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server allowing 5 requests per minute per organization and per linked account, 5 failed lookups and 5
    credential-free requests per minute per client address (budgets in process memory)."""
    started = start_server(
        database_url,
        tmp_path_factory.mktemp("guarded"),
        LEDGERPORT_RATE_LIMIT_PER_MINUTE=str(LIMIT),
        LEDGERPORT_ORGANIZATION_RATE_LIMIT_PER_MINUTE=str(LIMIT),
        LEDGERPORT_AUTH_FAILURES_PER_MINUTE=str(LIMIT),
        LEDGERPORT_PUBLIC_RATE_LIMIT_PER_MINUTE=str(LIMIT),
    )
    try:
        yield started
    finally:
        started.stop()


def an_address() -> str:
    """A loopback address no other test (or earlier run) used."""
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"  # noqa: S311


def client_from(address: str = "127.0.0.1") -> httpx.Client:
    """An HTTP client whose connections come from ``address``: the server sees that as the client's address."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def call(
    client: httpx.Client,
    server: Server,
    method: str,
    path: str,
    *,
    key: str,
    token: str | None = None,
    body: object = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"}
    if token is not None:
        headers["X-Account-Token"] = token
    return client.request(method, f"{server.api}/accounting/v1/{path}", headers=headers, json=body)


def assert_throttled(response: httpx.Response) -> None:
    """Merge's 429: ``Retry-After`` in whole seconds and the same seconds in ``{"detail": ...}``."""
    assert response.status_code == 429, response.text
    seconds = response.headers["retry-after"]
    assert seconds.isdigit()
    assert 1 <= int(seconds) <= 60
    assert response.json() == {"detail": f"Request was throttled. Expected available in {seconds} seconds."}


def spend_organization_budget(client: httpx.Client, server: Server, tenant: Tenant) -> None:
    for _ in range(LIMIT):
        assert call(client, server, "GET", "linked-accounts", key=tenant.api_key).status_code == 200


class TestOrganizationBudget:
    @pytest.mark.parametrize(("method", "path", "body"), ORGANIZATION_DOORS, ids=[d[1] for d in ORGANIZATION_DOORS])
    def test_every_key_only_endpoint_spends_and_honours_it(
        self, guarded: Server, make_tenant: TenantFactory, method: str, path: str, body: object
    ) -> None:
        tenant = make_tenant()
        with client_from() as client:
            spend_organization_budget(client, guarded, tenant)
            assert_throttled(call(client, guarded, method, path, key=tenant.api_key, body=body))

    def test_budget_is_the_organizations_and_apart_from_its_accounts(
        self, guarded: Server, make_tenant: TenantFactory
    ) -> None:
        tenant, other = make_tenant(), make_tenant()
        with client_from() as client:
            spend_organization_budget(client, guarded, tenant)
            assert_throttled(call(client, guarded, "GET", "linked-accounts", key=tenant.api_key))
            # another organization, and the throttled organization's linked account, keep their own budgets
            assert call(client, guarded, "GET", "linked-accounts", key=other.api_key).status_code == 200
            for _ in range(LIMIT):
                answer = call(client, guarded, "GET", "account-details", key=tenant.api_key, token=tenant.account_token)
                assert answer.status_code == 200, answer.text
            assert_throttled(
                call(client, guarded, "GET", "account-details", key=tenant.api_key, token=tenant.account_token)
            )


class TestFailedLookups:
    def test_an_address_that_keeps_failing_is_refused_before_any_lookup(
        self, guarded: Server, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        guesser, elsewhere = an_address(), an_address()
        with client_from(guesser) as client:
            for _ in range(LIMIT * 2):  # no credentials: nothing looked up, nothing spent
                assert client.get(f"{guarded.api}/accounting/v1/linked-accounts").status_code == 401
            for attempt in range(LIMIT):
                answer = call(client, guarded, "GET", "linked-accounts", key=f"lpk_guess_{attempt}")
                assert answer.status_code == 401, answer.text
                assert answer.json() == {"detail": "Invalid token."}
            assert_throttled(call(client, guarded, "GET", "linked-accounts", key="lpk_guess_again"))
            # refused before the lookup: a right key from this address is no answer to a guess
            assert_throttled(call(client, guarded, "GET", "linked-accounts", key=tenant.api_key))
        with client_from(elsewhere) as client:
            assert call(client, guarded, "GET", "linked-accounts", key=tenant.api_key).status_code == 200
            assert call(client, guarded, "GET", "linked-accounts", key="lpk_wrong").status_code == 401

    def test_wrong_account_tokens_count_and_never_lock_the_tenant_out(
        self, guarded: Server, make_tenant: TenantFactory
    ) -> None:
        """Someone holding a tenant's API key (or sending it wrongly) spends their own address's budget only."""
        tenant = make_tenant()
        with client_from(an_address()) as client:
            for attempt in range(LIMIT):
                answer = call(client, guarded, "GET", "invoices", key=tenant.api_key, token=f"lpt_guess_{attempt}")
                assert answer.status_code == 401, answer.text
                assert answer.json() == {"detail": "Invalid account token."}
            assert_throttled(call(client, guarded, "GET", "invoices", key=tenant.api_key, token="lpt_guess"))
            assert_throttled(call(client, guarded, "GET", "invoices", key="lpk_wrong", token=tenant.account_token))
        with client_from(an_address()) as client:
            answer = call(client, guarded, "GET", "invoices", key=tenant.api_key, token=tenant.account_token)
            assert answer.status_code == 200, answer.text
            assert call(client, guarded, "GET", "linked-accounts", key=tenant.api_key).status_code == 200


class TestPublicBudget:
    def test_doors_without_credentials_share_one_budget_per_address(self, guarded: Server) -> None:
        with client_from(an_address()) as client:
            for _ in range(LIMIT):
                assert client.get(f"{guarded.url}/api/integrations").status_code == 200
            for path in (
                "/api/integrations",
                "/docs",
                "/api/docs",
                "/docs/moving-from-merge",
                "/api/accounting/v1/schema",
                "/accounting/v1/schema",
                "/link?link_token=lpl_x",
                "/link/callback?state=x&code=y",
            ):
                assert_throttled(client.get(f"{guarded.url}{path}"))
            assert_throttled(client.post(f"{guarded.url}/link/start", data={"link_token": "lpl_x"}))
            assert client.get(f"{guarded.url}/health").status_code == 200  # load balancers are never throttled
        with client_from(an_address()) as client:
            assert client.get(f"{guarded.url}/docs").status_code == 200


def test_budgets_are_shared_through_redis(database_url: str, tmp_path: Path, make_tenant: TenantFactory) -> None:
    problem = redis_problem()
    if problem is not None:
        pytest.skip(f"budgets shared through Redis need Redis: {problem}")
    tenant = make_tenant()
    limits = {
        "LEDGERPORT_REDIS_URL": REDIS_URL,
        "LEDGERPORT_ORGANIZATION_RATE_LIMIT_PER_MINUTE": str(LIMIT),
        "LEDGERPORT_AUTH_FAILURES_PER_MINUTE": str(LIMIT),
    }
    servers = [start_server(database_url, tmp_path, **limits) for _ in range(2)]
    try:
        one, two = servers
        with client_from() as client:
            for server in (one, two, one, two, one):
                assert call(client, server, "GET", "linked-accounts", key=tenant.api_key).status_code == 200
            assert_throttled(call(client, one, "GET", "linked-accounts", key=tenant.api_key))
            assert_throttled(call(client, two, "GET", "linked-accounts", key=tenant.api_key))
        with client_from(an_address()) as client:
            for attempt, server in enumerate((one, two, one, two, one)):
                assert call(client, server, "GET", "linked-accounts", key=f"lpk_{attempt}").status_code == 401
            assert_throttled(call(client, two, "GET", "linked-accounts", key="lpk_again"))
    finally:
        for server in servers:
            server.stop()
