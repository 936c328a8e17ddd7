"""The Xero client pieces against the sandbox's real error bodies: ERRORS rows, tenant header, connections, paging."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec
import pytest
from xero_connector_kit import ORIGIN, MemoryTokens, mint

from ledgerport.connectors._base import (
    AsgiTransport,
    AuthExpired,
    AuthRevoked,
    DailyLimitReached,
    FunctionTransport,
    Malformed,
    NotFound,
    RateLimited,
    Rejected,
    Request,
    Response,
    Transient,
    classify,
)
from ledgerport.connectors._base.client import ProviderClient, RetryPolicy
from ledgerport.connectors._base.paging import PageNumber
from ledgerport.connectors.xero import CONNECTOR
from ledgerport.connectors.xero.client import ERRORS, authorize, connections_request, read_connections
from ledgerport.connectors.xero.streams import ACCOUNTS, CONTACTS, INVOICES, TAX_RATES, XeroList
from ledgerport.kit.budget import MemoryBudget
from ledgerport.sandboxes.xero import SandboxApp
from ledgerport.sandboxes.xero.throttle import Limits as SandboxLimits

API = f"{ORIGIN}/api.xro/2.0"


def get(path: str) -> Request:
    return Request(method="GET", url=f"{API}/{path}")


# --- the ERRORS table, row by row, on the sandbox's bodies ------------------------------------------------------


async def test_minute_throttle_is_rate_limited(sandbox: SandboxApp, make_client) -> None:
    sandbox.throttle.enabled = True
    sandbox.throttle.configure(SandboxLimits(per_minute=1))
    client = make_client(max_throttle_wait=0)
    await client.send(get("Contacts"))
    with pytest.raises(RateLimited) as caught:
        await client.send(get("Contacts"))
    assert type(caught.value) is RateLimited
    assert 0 < caught.value.retry_after <= 60


async def test_daily_throttle_is_daily_limit_reached(sandbox: SandboxApp, make_client) -> None:
    sandbox.throttle.enabled = True
    sandbox.throttle.configure(SandboxLimits(per_minute=100, per_day=1))
    client = make_client()
    await client.send(get("Contacts"))
    with pytest.raises(DailyLimitReached) as caught:
        await client.send(get("Contacts"))
    assert caught.value.retry_after > 60
    assert client.requests_sent == 2, "a spent day is never retried"


async def test_expired_token_is_refreshed_once(transport: AsgiTransport, make_client, tenant_id: str) -> None:
    tokens = MemoryTokens(transport, await mint(transport, [tenant_id]))
    await transport.send(Request(method="POST", url=f"{ORIGIN}/_sandbox/tokens/expire"))
    raw = await transport.send(
        authorize(
            Request(
                method="GET", url=f"{API}/Contacts", headers={"Authorization": f"Bearer {tokens.tokens.access_token}"}
            ),
            {"tenant_id": tenant_id},
        )
    )
    assert raw.status == 401
    assert isinstance(classify(raw, ERRORS), AuthExpired)
    body = await make_client(tokens=tokens).json(get("Contacts"))
    assert body["Contacts"]
    assert tokens.refreshes == 1


async def test_unconnected_tenant_is_auth_revoked(sandbox: SandboxApp, transport: AsgiTransport, make_client) -> None:
    first, second = list(sandbox.tenants)
    tokens = MemoryTokens(transport, await mint(transport, [first]))
    with pytest.raises(AuthRevoked, match="not connected"):
        await make_client(tokens=tokens, tenant=second).send(get("Invoices"))


async def test_missing_scope_is_auth_revoked(transport: AsgiTransport, make_client, tenant_id: str) -> None:
    tokens = MemoryTokens(transport, await mint(transport, [tenant_id], scope="offline_access accounting.contacts"))
    client = make_client(tokens=tokens)
    await client.send(get("Contacts"))
    with pytest.raises(AuthRevoked, match="scope"):
        await client.send(get("Invoices"))


async def test_validation_exception_is_rejected_with_every_problem(make_client) -> None:
    bad = {
        "Invoices": [
            {
                "Type": "ACCREC",
                "Contact": {"Name": "Someone"},
                "Date": "2025-02-01",
                "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": "1.00", "AccountCode": "999"}],
            },
            {"Type": "ACCREC", "LineItems": []},
        ]
    }
    request = Request(method="PUT", url=f"{API}/Invoices", body=msgspec.json.encode(bad))
    with pytest.raises(Rejected) as caught:
        await make_client().send(request)
    problems = caught.value.problems
    assert len(problems) >= 2
    assert {p.pointer for p in problems} == {"/Elements/0", "/Elements/1"}
    assert all(p.detail and p.raw_error == p.detail and p.problem_type == "ERROR" for p in problems)


async def test_unparseable_where_is_rejected(make_client) -> None:
    request = Request(method="GET", url=f"{API}/Invoices", params=(("where", "Status =="),))
    with pytest.raises(Rejected) as caught:
        await make_client().send(request)
    assert caught.value.problems[0].title == "QueryParseException"


async def test_unknown_id_is_not_found(make_client) -> None:
    with pytest.raises(NotFound):
        await make_client().send(get(f"Invoices/{uuid.uuid4()}"))


async def test_outage_is_transient(sandbox: SandboxApp, make_client) -> None:
    sandbox.faults.update(error_rate=1.0)
    client = make_client()
    with pytest.raises(Transient):
        await client.send(get("Contacts"))
    assert client.requests_sent == 2, "retried up to the policy's attempts"


def test_rows_are_first_match_wins() -> None:
    day = Response(status=429, headers={"x-rate-limit-problem": "day", "retry-after": "66975"}, body=b"{}")
    minute = Response(status=429, headers={"x-rate-limit-problem": "minute", "retry-after": "7"}, body=b"{}")
    concurrent = Response(status=429, headers={"x-rate-limit-problem": "concurrent"}, body=b"")
    assert isinstance(classify(day, ERRORS), DailyLimitReached)
    assert classify(day, ERRORS).retry_after == 66975  # type: ignore[union-attr]
    assert type(classify(minute, ERRORS)) is RateLimited
    assert classify(concurrent, ERRORS).retry_after == 60  # type: ignore[union-attr]
    assert classify(Response(status=200, headers={}, body=b"{}"), ERRORS) is None


# --- headers and tenant discovery -----------------------------------------------------------------------------------


def test_authorize_adds_tenant_and_json() -> None:
    sent = authorize(Request(method="GET", url="https://api.xero.com/api.xro/2.0/Invoices"), {"tenant_id": "t-1"})
    assert sent.headers == {"Accept": "application/json", "xero-tenant-id": "t-1"}
    assert "xero-tenant-id" not in authorize(Request(method="GET", url="https://api.xero.com/connections"), {}).headers


async def test_connections_give_the_tenant_facts(sandbox: SandboxApp, transport: AsgiTransport) -> None:
    tokens = await mint(transport, list(sandbox.tenants))
    request = connections_request("https://api.xero.com", tokens.access_token)
    assert request.url == "https://api.xero.com/connections"
    response = await transport.send(msgspec.structs.replace(request, url=f"{ORIGIN}/connections"))
    facts = read_connections(response)
    assert [f["tenant_id"] for f in facts] == list(sandbox.tenants)
    assert [f["tenant_name"] for f in facts] == [t.name for t in sandbox.tenants.values()]
    assert CONNECTOR.account_facts is not None


async def test_connections_with_a_bad_token_raise(transport: AsgiTransport) -> None:
    response = await transport.send(connections_request(ORIGIN, "nope"))
    with pytest.raises(AuthExpired):
        read_connections(response)


# --- request builders -----------------------------------------------------------------------------------------------


def test_list_request_pages_orders_and_asks_for_changes() -> None:
    context = CONNECTOR.context({"tenant_id": "t"})
    since = datetime(2024, 5, 1, 12, 30, 15, 900_000, tzinfo=UTC)
    request = INVOICES.request(context, since, 3, 1000)
    assert request.url == "https://api.xero.com/api.xro/2.0/Invoices"
    assert list(request.params) == [("order", "UpdatedDateUTC ASC"), ("page", "3"), ("pageSize", "1000")]
    assert request.headers == {"If-Modified-Since": "2024-05-01T12:30:15"}
    assert dict(CONTACTS.request(context, None, 1, 1000).params)["includeArchived"] == "true"
    assert "page" not in dict(ACCOUNTS.request(context, None, 1, 0).params)
    assert TAX_RATES.request(context, since, 1, 0).headers == {}, "TaxRates ignore If-Modified-Since"


# --- paging ---------------------------------------------------------------------------------------------------------


def _scripted(pages: list[list[dict]]) -> tuple[ProviderClient, FunctionTransport]:
    def answer(request: Request) -> Response:
        page = int(dict(request.params)["page"])
        records = pages[page - 1] if page <= len(pages) else []
        return Response(status=200, headers={}, body=msgspec.json.encode({"Invoices": records}))

    transport = FunctionTransport(answer)

    class Tokens:
        async def current(self):  # noqa: ANN202
            from ledgerport.connectors._base.auth import TokenSet

            return TokenSet(access_token="a", refresh_token="r", expires_at=2e9)

        async def refresh(self, stale):  # noqa: ANN001, ANN202
            return stale

    client = ProviderClient(
        CONNECTOR,
        transport=transport,
        tokens=Tokens(),
        budget=MemoryBudget(),
        budget_key="k",
        context=CONNECTOR.context({"tenant_id": "t"}),
        retry=RetryPolicy(attempts=1),
    )
    return client, transport


def _invoice(n: int) -> dict:
    return {"InvoiceID": f"id-{n}", "Status": "AUTHORISED", "UpdatedDateUTC": f"/Date({1_700_000_000_000 + n})/"}


async def test_paging_stops_at_a_short_page() -> None:
    client, transport = _scripted([[_invoice(1), _invoice(2)], [_invoice(3)]])
    stream = msgspec.structs.replace(INVOICES, paging=PageNumber(size=2))
    pages = [page async for page in client.pages(stream, None)]
    assert [len(p.records) for p in pages] == [2, 1]
    # without ``pagination`` in the answer, the pages read ahead may go past the end
    assert 2 <= len(transport.requests) <= 2 + CONNECTOR.read_ahead - 1
    assert pages[-1].watermark == datetime.fromtimestamp(1_700_000_000.003, UTC)


async def test_paging_detects_a_provider_that_ignores_the_page() -> None:
    client, _ = _scripted([[_invoice(1), _invoice(2)]] * 5)
    client_pages = client.pages(msgspec.structs.replace(INVOICES, paging=PageNumber(size=2)), None)
    with pytest.raises(Malformed, match="loop"):
        async for _ in client_pages:
            pass


async def test_small_pages_walk_the_sandbox_to_the_same_records(make_client) -> None:
    client = make_client()
    whole = [r["InvoiceID"] async for page in client.pages(INVOICES, None) for r in page.records + page.deleted]
    small = msgspec.structs.replace(INVOICES, paging=PageNumber(size=7))
    before = client.requests_sent
    paged = [r["InvoiceID"] async for page in client.pages(small, None) for r in page.records + page.deleted]
    assert sorted(paged) == sorted(whole)
    assert len(set(paged)) == len(paged)
    assert client.requests_sent - before == len(whole) // 7 + 1


def test_xero_list_is_a_typed_value() -> None:
    assert isinstance(INVOICES.request, XeroList)
    assert INVOICES.request.collection == "Invoices"
