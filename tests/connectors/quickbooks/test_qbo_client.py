"""The query builders, the ERRORS table against the sandbox's real fault bodies, paging, and CDC-vs-query choice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest
from qbo_connector_kit import ORIGIN, ClientFactory, MemoryTokens, call

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
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.connectors.quickbooks import CONNECTOR
from ledgerport.connectors.quickbooks.client import (
    ERRORS,
    THROTTLE_WAIT,
    Entity,
    account_facts,
    qbo_datetime,
    quote,
    select,
)
from ledgerport.connectors.quickbooks.streams import CUSTOMERS, INVOICES, ReadMode, page_records, read_mode
from ledgerport.kit import clock
from ledgerport.kit.budget import MemoryBudget
from ledgerport.sandboxes.quickbooks import QuickBooksSandbox
from ledgerport.sandboxes.quickbooks.errors import throttle_xml

PACIFIC = timezone(timedelta(hours=-7))
CONTEXT = StreamContext(base_url="https://quickbooks.api.intuit.com", account={"realm_id": "123"})


# --- query language ---------------------------------------------------------------------------------------------


def test_select_full_and_incremental() -> None:
    assert select(Entity.INVOICE, start=1, max_results=1000) == (
        "SELECT * FROM Invoice ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1 MAXRESULTS 1000"
    )
    since = datetime(2024, 6, 1, 0, 0, 0, 999_999, tzinfo=PACIFIC)
    assert select(Entity.INVOICE, changed_after=since, start=1001, max_results=1000) == (
        "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '2024-06-01T00:00:00-07:00' "
        "ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1001 MAXRESULTS 1000"
    )
    assert select(Entity.CUSTOMER, changed_after=since.astimezone(UTC), include_inactive=True, operator=">=") == (
        "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '2024-06-01T07:00:00+00:00' "
        "AND Active IN (true, false) ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1 MAXRESULTS 1000"
    )


def test_select_refuses_what_qbo_would_misread() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        select(Entity.INVOICE, changed_after=datetime(2024, 1, 1))  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="1-based"):
        select(Entity.INVOICE, start=0)
    with pytest.raises(ValueError, match="MAXRESULTS"):
        select(Entity.INVOICE, max_results=1001)
    with pytest.raises(ValueError, match="is not a valid Entity"):
        select("Invoice; DROP", start=1)  # type: ignore[arg-type]


def test_quote_and_datetime_format() -> None:
    assert quote("O'Neil \\ Co") == "'O\\'Neil \\\\ Co'"
    assert qbo_datetime(datetime(2024, 1, 2, 3, 4, 5, 600_000, tzinfo=UTC)) == "2024-01-02T03:04:05+00:00"


async def test_the_sandbox_parses_what_select_builds(transport, headers, realm) -> None:
    text = select(Entity.CUSTOMER, changed_after=datetime(2020, 1, 1, tzinfo=UTC), include_inactive=True, max_results=5)
    response = await call_api(transport, headers, realm, text)
    assert response.status == 200
    assert len(response.json()["QueryResponse"]["Customer"]) == 5


async def call_api(transport, headers, realm, text):
    return await transport.send(
        Request(method="GET", url=f"{ORIGIN}/v3/company/{realm}/query", params=(("query", text),), headers=headers)
    )


# --- CDC or query ------------------------------------------------------------------------------------------------


def test_read_mode() -> None:
    now = datetime(2026, 9, 21, tzinfo=UTC)
    assert read_mode(since=None, position=1, now=now) is ReadMode.QUERY
    assert read_mode(since=now - timedelta(days=1), position=1, now=now) is ReadMode.CDC
    assert read_mode(since=now - timedelta(days=1), position=1001, now=now) is ReadMode.QUERY
    assert read_mode(since=now - timedelta(days=29, hours=23, minutes=1), position=1, now=now) is ReadMode.QUERY
    assert read_mode(since=now - timedelta(days=40), position=1, now=now) is ReadMode.QUERY
    assert read_mode(since=now - timedelta(days=1), position=1, now=now, cdc=False) is ReadMode.QUERY


def test_builders_use_real_paths() -> None:
    recent = clock.now() - timedelta(hours=2)
    cdc = INVOICES.request(CONTEXT, recent, 1, 1000)
    assert cdc.url == "https://quickbooks.api.intuit.com/v3/company/123/cdc"
    params = dict(cdc.params)
    assert params["entities"] == "Invoice"
    assert params["minorversion"] == "75"
    assert params["changedSince"] == qbo_datetime(recent)
    later = dict(INVOICES.request(CONTEXT, recent, 1001, 1000).params)["query"]
    assert later.startswith("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= ")
    assert later.endswith("STARTPOSITION 1001 MAXRESULTS 1000")
    old = INVOICES.request(CONTEXT, clock.now() - timedelta(days=45), 1, 1000)
    assert old.url.endswith("/query")
    assert "Active IN (true, false)" in dict(CUSTOMERS.request(CONTEXT, None, 1, 1000).params)["query"]


def _stub(i: int, *, deleted: bool = False) -> dict:
    record = {"Id": str(i), "MetaData": {"LastUpdatedTime": f"2026-09-{1 + i // 100:02d}T00:00:{i % 60:02d}-08:00"}}
    return {**record, "status": "Deleted", "domain": "QBO"} if deleted else record


def test_a_full_cdc_page_with_deletions_ends_the_walk_at_its_oldest_999() -> None:
    records = page_records(Entity.INVOICE)
    body = {"CDCResponse": [{"QueryResponse": [{"Invoice": [_stub(i, deleted=i == 5) for i in range(1000)]}]}]}
    kept = records(body)
    assert len(kept) == 999
    assert kept[-1]["Id"] != "999"
    full = {"CDCResponse": [{"QueryResponse": [{"Invoice": [_stub(i) for i in range(1000)]}]}]}
    assert len(records(full)) == 1000
    assert records({"CDCResponse": [{"QueryResponse": [{}]}]}) == []
    assert records({"QueryResponse": {}}) == []


def _paged_client(handler) -> tuple[ProviderClient, FunctionTransport]:
    transport = FunctionTransport(handler)
    tokens = _StaticTokens()
    return ProviderClient(
        CONNECTOR, transport=transport, tokens=tokens, budget=MemoryBudget(), budget_key="123", context=CONTEXT
    ), transport


class _StaticTokens:
    async def current(self):
        from ledgerport.connectors._base.auth import TokenSet

        return TokenSet(access_token="a" * 20, refresh_token="r", expires_at=1e12)

    async def refresh(self, stale):
        return stale


def _query_page(request: Request, total: int) -> Response:
    if "COUNT(*)" in dict(request.params)["query"]:
        count = {"QueryResponse": {"totalCount": total}}
        return Response(status=200, headers={}, body=msgspec.json.encode(count), url=request.url)
    start = int(dict(request.params)["query"].split("STARTPOSITION ")[1].split()[0])
    rows = [_stub(i) for i in range(start, min(total + 1, start + 1000))]
    body = {"QueryResponse": {"Invoice": rows, "startPosition": start, "maxResults": len(rows)} if rows else {}}
    return Response(status=200, headers={}, body=msgspec.json.encode(body), url=request.url)


async def test_full_paging_stops_after_a_short_page() -> None:
    client, transport = _paged_client(lambda request: _query_page(request, 2003))
    pages = [page async for page in client.pages(INVOICES, None)]
    assert [len(page.records) for page in pages] == [1000, 1000, 3]
    queries = [dict(r.params)["query"] for r in transport.requests]
    # QBO's pages do not say how many there are: one COUNT(*) beside the second page lets the walk read ahead
    # without asking past the end
    assert [q for q in queries if "COUNT(*)" in q] == ["SELECT COUNT(*) FROM Invoice"]
    starts = [int(q.split("STARTPOSITION ")[1].split()[0]) for q in queries if "COUNT(*)" not in q]
    assert sorted(starts) == [1, 1001, 2001]
    assert all(r.headers["Accept"] == "application/json" for r in transport.requests)


async def test_a_full_cdc_page_continues_with_the_query() -> None:
    def handler(request: Request) -> Response:
        if request.url.endswith("/cdc"):
            body = {"CDCResponse": [{"QueryResponse": [{"Invoice": [_stub(i) for i in range(1, 1001)]}]}]}
            return Response(status=200, headers={}, body=msgspec.json.encode(body), url=request.url)
        return _query_page(request, 1500)

    client, transport = _paged_client(handler)
    pages = [page async for page in client.pages(INVOICES, clock.now() - timedelta(hours=1))]
    assert [len(page.records) for page in pages] == [1000, 500]
    assert transport.requests[0].url.endswith("/cdc")
    queries = [dict(r.params)["query"] for r in transport.requests[1:]]
    (counted,) = [q for q in queries if "COUNT(*)" in q]
    assert counted.startswith("SELECT COUNT(*) FROM Invoice WHERE MetaData.LastUpdatedTime >= ")
    assert [q.split(" ORDERBY ")[1] for q in queries if q != counted] == [
        "MetaData.LastUpdatedTime STARTPOSITION 1001 MAXRESULTS 1000"
    ]


# --- errors against the sandbox's own bodies ---------------------------------------------------------------------


def test_throttle_xml_without_retry_after_waits_a_window() -> None:
    response = Response(status=429, headers={"content-type": "application/xml"}, body=throttle_xml("t"))
    error = classify(response, ERRORS)
    assert isinstance(error, RateLimited)
    assert error.retry_after == THROTTLE_WAIT
    old_style = Response(status=403, headers={}, body=throttle_xml("t").replace(b"429", b"403"))
    assert isinstance(classify(old_style, ERRORS), RateLimited)


async def test_injected_throttle_is_rate_limited(sandbox: QuickBooksSandbox, make_client: ClientFactory) -> None:
    sandbox.faults.update(throttle_rate=1.0, throttle_retry_after=5)
    with pytest.raises(RateLimited) as caught:
        await make_client().json(INVOICES.request(make_client().context, None, 1, 10))
    assert caught.value.retry_after == 5


async def test_expired_token_refreshes_once(transport, tokens: MemoryTokens, make_client: ClientFactory) -> None:
    await call(transport, "POST", "/_sandbox/tokens/expire")
    client = make_client()
    body = await client.json(INVOICES.request(client.context, None, 1, 10))
    assert tokens.refreshes == 1
    assert len(body["QueryResponse"]["Invoice"]) == 10


async def test_401_403_and_5xx(sandbox: QuickBooksSandbox, transport, tokens, make_client, realm) -> None:
    request = INVOICES.request(make_client().context, None, 1, 10)
    unauthorized = await transport.send(msgspec.structs.replace(request, headers={"Authorization": "Bearer x"}))
    assert unauthorized.status == 401
    assert isinstance(classify(unauthorized, ERRORS), AuthExpired)
    other_realm = sandbox.state.realm_ids[1]
    foreign = make_client(realm=other_realm)
    with pytest.raises(AuthRevoked, match="AuthorizationFailed"):
        await foreign.json(INVOICES.request(foreign.context, None, 1, 10))
    sandbox.faults.update(error_rate=1.0, error_status=503)
    client = make_client()
    with pytest.raises(Transient):
        await client.json(INVOICES.request(client.context, None, 1, 10))


async def _post(client: ProviderClient, realm: str, path: str, body: dict, **params: str) -> Response:
    return await client.send(
        Request(
            method="POST",
            url=f"{ORIGIN}/v3/company/{realm}/{path}",
            params=tuple(params.items()),
            headers={"Content-Type": "application/json"},
            body=msgspec.json.encode(body),
        )
    )


async def test_stale_sync_token_is_a_conflict(make_client: ClientFactory, realm: str) -> None:
    client = make_client()
    first = (
        await _post(client, realm, "invoice", {"Id": "7", "SyncToken": "0", "sparse": True, "PrivateNote": "one"})
    ).json()
    assert first["Invoice"]["SyncToken"] == "1"
    with pytest.raises(Conflict, match="Stale Object"):
        await _post(client, realm, "invoice", {"Id": "7", "SyncToken": "0", "sparse": True, "PrivateNote": "two"})


async def test_validation_fault_is_rejected_with_problems(make_client: ClientFactory, realm: str) -> None:
    with pytest.raises(Rejected) as caught:
        await _post(
            make_client(),
            realm,
            "invoice",
            {"Line": [{"Amount": Decimal("1.00"), "DetailType": "SalesItemLineDetail"}]},
        )
    problem = caught.value.problems[0]
    assert problem.title.startswith("Required param missing")
    assert "CustomerRef" in problem.detail
    assert problem.raw_error
    assert problem.raw_error.startswith("2020")


async def test_unknown_object_is_not_found(make_client: ClientFactory, realm: str) -> None:
    client = make_client()
    with pytest.raises(NotFound):
        await client.json(Request(method="GET", url=f"{ORIGIN}/v3/company/{realm}/invoice/999999"))


def test_account_facts_read_the_realm_from_the_callback() -> None:
    assert account_facts({"code": "c", "state": "s", "realmId": "9341"}) == {"realm_id": "9341"}
    assert account_facts(parse_qs(urlsplit("http://cb?code=c&realmId=42").query)) == {"realm_id": "42"}
    with pytest.raises(Rejected):
        account_facts({"code": "c"})
