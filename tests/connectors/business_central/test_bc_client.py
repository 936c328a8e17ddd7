"""Business Central's client side: the OData requests, the error table over BC's bodies, server-driven paging
through the generic client, id-only listings, throttles with and without Retry-After, and the 5-minute window."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgspec
import pytest
from bc_fake import COMPANY, TENANT, FakeBusinessCentral, jwt, seeded

from ledgerport.connectors._base import (
    AuthExpired,
    AuthRevoked,
    Conflict,
    FunctionTransport,
    NotFound,
    RateLimited,
    Rejected,
    Request,
    Response,
    Transient,
    classify,
)
from ledgerport.connectors._base.auth import TokenSet
from ledgerport.connectors._base.client import ProviderClient, RetryPolicy
from ledgerport.connectors.business_central import CONNECTOR
from ledgerport.connectors.business_central.auth import pick_company, tenant_of
from ledgerport.connectors.business_central.client import ERRORS, error_message
from ledgerport.connectors.business_central.streams import CUSTOMERS, JOURNALS, SALES_INVOICES
from ledgerport.kit.budget import MemoryBudget, Quotas

BASE = "http://bc.test"
ACCOUNT = {"tenant_id": TENANT, "environment": "production", "company_id": COMPANY}
ROOT = f"{BASE}/v2.0/{TENANT}/production/api/v2.0/companies({COMPANY})"


def _error(status: int, code: str, headers: dict[str, str] | None = None) -> Response:
    body = {"error": {"code": code, "message": f"Something of {code}.  CorrelationId:  4b1c-77."}}
    return Response(status=status, headers=headers or {}, body=json.dumps(body).encode(), url=BASE)


class Tokens:
    def __init__(self, provider: FakeBusinessCentral) -> None:
        self.provider = provider
        self.refreshed = 0
        self.tokens = self._new()

    def _new(self) -> TokenSet:
        body = json.loads(self.provider._tokens().body)
        return TokenSet(access_token=body["access_token"], refresh_token=body["refresh_token"], expires_at=9e12)

    async def current(self) -> TokenSet:
        return self.tokens

    async def refresh(self, stale: TokenSet) -> TokenSet:
        self.refreshed += 1
        self.tokens = self._new()
        return self.tokens


def _client(provider: FakeBusinessCentral) -> ProviderClient:
    return ProviderClient(
        CONNECTOR,
        transport=FunctionTransport(provider),
        tokens=Tokens(provider),
        budget=MemoryBudget(),
        budget_key="bc:test",
        context=CONNECTOR.context(ACCOUNT, BASE),
        retry=RetryPolicy(base_delay=0.001, max_delay=0.01),
    )


def test_list_requests() -> None:
    context = CONNECTOR.context(ACCOUNT, BASE)
    full = SALES_INVOICES.request(context, None, 0, 1000)
    assert full.url == f"{ROOT}/salesInvoices"
    assert dict(full.params) == {"$orderby": "lastModifiedDateTime asc", "$expand": "salesInvoiceLines"}
    assert full.headers["Prefer"] == "odata.maxpagesize=1000"
    since = datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    changed = CUSTOMERS.request(context, since, 0, 1000)
    assert dict(changed.params)["$filter"] == "lastModifiedDateTime ge 2026-01-02T03:04:05.006Z"
    assert CUSTOMERS.ids is not None
    ids = CUSTOMERS.ids(context, None, 0, 1000)
    assert (dict(ids.params), ids.headers["Prefer"]) == ({"$select": "id"}, "odata.maxpagesize=5000")
    assert (JOURNALS.complete, JOURNALS.ids, JOURNALS.since) == (True, None, None)
    assert dict(JOURNALS.request(context, since, 0, 1000).params) == {"$expand": "journalLines"}
    with pytest.raises(AuthRevoked, match="environment"):
        CUSTOMERS.request(CONNECTOR.context({"tenant_id": TENANT}, BASE), None, 0, 10)


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (_error(429, "Application_TooManyRequests"), RateLimited),
        (_error(401, "Authentication_InvalidCredentials"), AuthExpired),
        (_error(403, "Authorization_NoPermission"), AuthRevoked),
        (_error(404, "BadRequest_NotFound"), NotFound),
        (_error(409, "Request_EntityChanged"), Conflict),
        (_error(412, "Request_EntityChanged"), Conflict),
        (_error(409, "Internal_EntityWithSameKeyExists"), Rejected),
        (_error(400, "Application_DialogException"), Rejected),
        (_error(408, "RequestTimeout"), Transient),
        (_error(503, "Internal_TenantUnavailable"), Transient),
        (_error(504, "GatewayTimeout"), Transient),
        (Response(status=500, headers={}, body=b"<html>oops</html>", url=BASE), Transient),
    ],
)
def test_the_error_table(response: Response, kind: type[Exception]) -> None:
    assert type(classify(response, ERRORS)) is kind


def test_a_refusal_names_bcs_code_and_message_and_a_throttle_its_wait() -> None:
    refused = classify(_error(400, "Application_DialogException"), ERRORS)
    assert isinstance(refused, Rejected)
    (problem,) = refused.problems
    assert (problem.title, problem.detail) == (
        "Application_DialogException",
        "Something of Application_DialogException.",
    )
    named = classify(_error(429, "Application_TooManyRequests", {"retry-after": "7"}), ERRORS)
    assert isinstance(named, RateLimited)
    assert (named.retry_after, named.guessed) == (7.0, False)
    guessed = classify(_error(429, "Application_TooManyRequests"), ERRORS)
    assert isinstance(guessed, RateLimited)
    assert guessed.guessed
    assert error_message({"error": {"message": "No.  CorrelationId:  x-1."}}) == "No."


def test_the_tenant_comes_from_the_token_and_companies_are_picked() -> None:
    assert tenant_of(jwt({"tid": "t-1", "oid": "u"})) == "t-1"
    with pytest.raises(AuthRevoked):
        tenant_of("opaque-token")
    with pytest.raises(AuthRevoked, match="tid"):
        tenant_of(jwt({"oid": "u"}))
    rows: list[dict[str, Any]] = [{"id": "2", "name": "B", "displayName": "Bee"}, {"id": "1", "name": "A"}]
    assert pick_company(rows, None)["id"] == "1"
    assert pick_company(rows, "bee")["id"] == "2"
    with pytest.raises(Rejected):
        pick_company([], None)


async def test_pages_follow_next_links_and_an_id_listing_reads_every_id() -> None:
    provider = FakeBusinessCentral(BASE)
    provider.sets[COMPANY] = seeded(customers=2300)
    client = _client(provider)
    pages = [page async for page in client.pages(CUSTOMERS, None)]
    assert [len(p.records) for p in pages] == [1000, 1000, 300]
    session, *walk = provider.seen  # the company's local currency is learnt first, once per client
    assert urlsplit(session.url).path.endswith("/companyInformation")
    skiptokens = [dict(parse_qsl(urlsplit(r.full_url).query)).get("$skiptoken") for r in walk]
    assert skiptokens == [None, "1000", "2000"]
    assert all(r.headers["Prefer"] == "odata.maxpagesize=1000" for r in walk)  # kept on every page
    assert pages[-1].watermark == datetime(2026, 1, 1, tzinfo=UTC)
    assert CUSTOMERS.ids is not None
    ids = msgspec.structs.replace(CUSTOMERS, request=CUSTOMERS.ids, since=None)
    listing = [page async for page in client.pages(ids, None)]
    assert sum(len(p.records) for p in listing) == 2300
    assert all(set(record) == {"@odata.etag", "id"} for p in listing for record in p.records)


async def test_throttles_without_retry_after_back_off_and_a_401_refreshes_once() -> None:
    provider = FakeBusinessCentral(BASE)
    provider.sets[COMPANY] = seeded()
    client = _client(provider)
    provider.throttles = [{}, {}, {}]
    pages = [page async for page in client.pages(SALES_INVOICES, None)]
    assert len(pages[0].records) == 1
    assert client.requests_sent == 5  # the session's companyInformation, three 429s, the page
    provider.expire_access_tokens()
    pages = [page async for page in client.pages(SALES_INVOICES, None)]
    assert len(pages[0].records) == 1
    assert isinstance(client.tokens, Tokens)
    assert client.tokens.refreshed == 1
    provider.expire_access_tokens()
    provider.on_api = lambda request: _error(401, "Authentication_InvalidCredentials")
    with pytest.raises(AuthExpired):
        await client.json(Request(method="GET", url=f"{ROOT}/customers"))


async def test_the_five_minute_window_is_a_budget_quota() -> None:
    now = [0.0]
    budget = MemoryBudget(clock=lambda: now[0])
    quotas = Quotas(window=(3, 300.0))
    for _ in range(3):
        assert budget._wait("k", quotas) == 0.0
    assert budget._wait("k", quotas) == pytest.approx(300.0)
    now[0] = 299.0
    assert budget._wait("k", quotas) == pytest.approx(1.0)
    now[0] = 300.0
    assert budget._wait("k", quotas) == 0.0
    assert CONNECTOR.limits.window == (6_000, 300.0)
