"""NetSuite's client pieces against scripted answers: SuiteQL requests and paging, the error table, the learnt
time zone, second reads per page, throttles without Retry-After, and accounts that sign with TBA."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from ledgerport.connectors._base import (
    AuthExpired,
    AuthRevoked,
    FunctionTransport,
    NotFound,
    RateLimited,
    Rejected,
    Request,
    Response,
    Transient,
    classify,
)
from ledgerport.connectors._base.auth import TokenSet, signing_credentials
from ledgerport.connectors._base.client import ProviderClient, RetryPolicy
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.connectors.netsuite import CONNECTOR
from ledgerport.connectors.netsuite.client import (
    ERRORS,
    SEGMENTS,
    UTC_OFFSET,
    learn_session,
    read_all,
    suiteql_request,
    utc_offset_between,
)
from ledgerport.connectors.netsuite.streams import ACCOUNTS, INVOICES, REACH, localize
from ledgerport.connectors.netsuite.suiteql import keyset_after
from ledgerport.kit.budget import MemoryBudget

BASE = "http://sandbox.test"
ACCOUNT = {"account_id": "1234567_SB1", "host": "1234567-sb1"}


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status=status, headers=headers or {}, body=json.dumps(body).encode(), url=BASE)


def _ns_error(status: int, code: str, detail: str = "detail") -> Response:
    return _json(
        status, {"title": "Error", "status": status, "o:errorDetails": [{"detail": detail, "o:errorCode": code}]}
    )


def _query(request: Request) -> str:
    return str(msgspec.json.decode(request.body or b"{}")["q"])


class Tokens:
    def __init__(self, tokens: TokenSet) -> None:
        self.tokens = tokens

    async def current(self) -> TokenSet:
        return self.tokens

    async def refresh(self, stale: TokenSet) -> TokenSet:
        if stale.signed:
            raise AuthRevoked("signing credentials refused")
        return self.tokens


def _client(
    transport: FunctionTransport, tokens: TokenSet | None = None, account: dict[str, str] | None = None
) -> ProviderClient:
    return ProviderClient(
        CONNECTOR,
        transport=transport,
        tokens=Tokens(tokens or TokenSet(access_token="at", refresh_token="rt", expires_at=9e12)),
        budget=MemoryBudget(),
        budget_key="netsuite:test",
        context=CONNECTOR.context(account or ACCOUNT, BASE),
        retry=RetryPolicy(base_delay=0.001, max_delay=0.01),
    )


def test_a_suiteql_request() -> None:
    request = suiteql_request(BASE, "SELECT id FROM account a", offset=2000, limit=1000)
    assert request.method == "POST"
    assert request.url == f"{BASE}/services/rest/query/v1/suiteql"
    assert request.params == (("limit", "1000"), ("offset", "2000"))
    assert request.headers["Prefer"] == "transient"
    assert msgspec.json.decode(request.body or b"") == {"q": "SELECT id FROM account a"}
    with pytest.raises(ValueError, match="limit"):
        suiteql_request(BASE, "x", limit=1001)


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (_ns_error(429, "CONCURRENCY_LIMIT_EXCEEDED"), RateLimited),
        (_ns_error(401, "INVALID_LOGIN"), AuthExpired),
        (_ns_error(403, "INSUFFICIENT_PERMISSION"), AuthRevoked),
        (_ns_error(404, "NONEXISTENT_ID"), NotFound),
        (_ns_error(400, "NONEXISTENT_ID"), NotFound),
        (_ns_error(400, "INVALID_PARAMETER", "Invalid search query"), Rejected),
        (_ns_error(500, "UNEXPECTED_ERROR"), Transient),
        (Response(status=502, headers={}, body=b"<html>bad gateway</html>"), Transient),
    ],
)
def test_the_error_table(response: Response, kind: type[Exception]) -> None:
    error = classify(response, ERRORS)
    assert type(error) is kind


def test_a_throttle_is_a_guess_and_a_refusal_names_its_problems() -> None:
    throttle = classify(_ns_error(429, "CONCURRENCY_LIMIT_EXCEEDED"), ERRORS)
    assert isinstance(throttle, RateLimited)
    assert throttle.guessed
    assert throttle.retry_after == 1.0
    refused = classify(
        _json(
            400,
            {
                "title": "Bad Request",
                "o:errorDetails": [
                    {"detail": "Bad entity", "o:errorCode": "INVALID_CONTENT", "o:errorPath": "item.items"}
                ],
            },
        ),
        ERRORS,
    )
    assert isinstance(refused, Rejected)
    assert refused.problems[0].detail == "Bad entity"
    assert refused.problems[0].pointer == "/item/items"


async def test_read_all_follows_has_more() -> None:
    def answer(request: Request) -> Response:
        offset = int(dict(request.params)["offset"])
        rows = [{"id": offset + i} for i in range(3 if offset < 6 else 1)]
        return _json(200, {"items": rows, "hasMore": offset < 6, "count": len(rows), "offset": offset})

    transport = FunctionTransport(answer)
    client = _client(transport)
    rows = await read_all(client.json, client.context, "SELECT id FROM transactionline tl")
    assert [row["id"] for row in rows] == [0, 1, 2, 3, 4, 5, 6]
    assert [dict(r.params)["offset"] for r in transport.requests] == ["0", "3", "6"]


def test_the_utc_offset_from_the_accounts_wall_clock() -> None:
    now = datetime(2024, 7, 1, 12, 0, 7, tzinfo=UTC)
    assert utc_offset_between("2024-07-01T05:00:00", now) == -420
    assert utc_offset_between("2024-07-01T17:30:01", now) == 330
    assert utc_offset_between("2024-07-01T12:00:00", now) == 0


async def test_the_session_learns_the_zone_and_the_segments() -> None:
    def answer(request: Request) -> Response:
        query = _query(request)
        if "FROM dual" in query:
            wall = (datetime.now(UTC) - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S")
            return _json(200, {"items": [{"now": wall}], "hasMore": False})
        assert "customsegment" in query
        return _json(200, {"items": [{"scriptid": "CSEG_Region"}, {"scriptid": "x; DROP"}], "hasMore": False})

    client = _client(FunctionTransport(answer))
    facts = await learn_session(client.json, client.context)
    assert facts == {UTC_OFFSET: "-420", SEGMENTS: "cseg_region"}


async def test_an_account_without_custom_segments() -> None:
    def answer(request: Request) -> Response:
        if "FROM dual" in _query(request):
            return _json(200, {"items": [{"now": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")}]})
        return _ns_error(400, "INVALID_PARAMETER", "Invalid search query: unknown table customsegment")

    client = _client(FunctionTransport(answer))
    assert await learn_session(client.json, client.context) == {UTC_OFFSET: "0", SEGMENTS: ""}


def test_localize_gives_date_times_the_accounts_offset() -> None:
    context = StreamContext(base_url=BASE, account={UTC_OFFSET: "-420"})
    rows = localize(
        [{"lastmodifieddate": "2024-05-01T10:00:00", "trandate": "2024-05-01"}],
        ["lastmodifieddate", "trandate"],
        context,
    )
    assert rows == [{"lastmodifieddate": "2024-05-01T10:00:00-07:00", "trandate": "2024-05-01"}]


async def test_a_page_of_invoices_is_assembled_with_its_lines_and_links() -> None:
    """One header query, one lines query and one links query per page; since is the account's wall time less
    the overlap; date-times come back with the account's offset, and the watermark is the true instant."""
    seen: list[str] = []

    def answer(request: Request) -> Response:
        query = _query(request)
        seen.append(query)
        if "FROM dual" in query:
            wall = (datetime.now(UTC) - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S")
            return _json(200, {"items": [{"now": wall}]})
        if "customsegment" in query:
            return _json(200, {"items": [{"scriptid": "cseg_region"}]})
        if "FROM transaction t" in query:
            headers = [
                {"id": 7, "type": "CustInvc", "lastmodifieddate": "2024-05-01T10:00:00", "cseg_region": 3},
                {"id": 9, "type": "VendBill", "lastmodifieddate": "2024-05-01T11:00:00"},
            ]
            return _json(200, {"items": headers, "hasMore": False, "totalResults": 2})
        if "FROM transactionline tl" in query:
            assert "tl.transaction IN (7, 9)" in query
            assert "tl.cseg_region AS cseg_region" in query
            lines = [
                {"transaction": 7, "id": 1, "foreignamount": -100, "linelastmodifieddate": "2024-05-01T10:00:00"},
                {"transaction": 9, "id": 1, "foreignamount": 40},
                {"transaction": 9, "id": 2, "foreignamount": 2, "taxline": "T"},
            ]
            return _json(200, {"items": lines, "hasMore": False})
        assert "FROM previoustransactionlinelink l" in query
        assert "l.previousdoc IN (7, 9)" in query
        return _json(200, {"items": [{"previousdoc": 7, "nextdoc": 12, "nexttype": "CustPymt", "foreignamount": 50}]})

    client = _client(FunctionTransport(answer))
    since = datetime(2024, 5, 1, 16, 30, tzinfo=UTC)
    pages = [page async for page in client.pages(INVOICES, since)]
    assert len(pages) == 1
    page = pages[0]
    header_query = next(q for q in seen if "FROM transaction t" in q)
    # 16:30 UTC is 09:30 in the account's zone (UTC-7), less an hour of overlap
    assert "t.lastmodifieddate >= TO_DATE('2024-05-01 08:30:00', 'YYYY-MM-DD HH24:MI:SS')" in header_query
    assert "ml.cseg_region AS cseg_region" in header_query
    first, second = page.records
    assert first["lastmodifieddate"] == "2024-05-01T10:00:00-07:00"
    assert [line["id"] for line in first["lines"]] == [1]
    assert first["lines"][0]["linelastmodifieddate"] == "2024-05-01T10:00:00-07:00"
    assert first["applied_by"] == [{"previousdoc": 7, "nextdoc": 12, "nexttype": "CustPymt", "foreignamount": 50}]
    assert [line["id"] for line in second["lines"]] == [1, 2]
    assert second["applied_by"] == []
    assert page.watermark == datetime(2024, 5, 1, 18, 0, tzinfo=UTC)
    assert sum("FROM dual" in q for q in seen) == 1


async def test_throttles_without_retry_after_back_off_until_answered() -> None:
    answers = iter([_ns_error(429, "CONCURRENCY_LIMIT_EXCEEDED")] * 3 + [_json(200, {"items": [], "hasMore": False})])
    transport = FunctionTransport(lambda request: next(answers))
    client = _client(transport)
    client.retry = RetryPolicy(base_delay=0.001, max_delay=0.01)
    paused: list[float] = []
    pause = client.budget.pause

    async def record(key: str, seconds: float) -> None:
        paused.append(seconds)
        await pause(key, seconds)

    client.budget.pause = record  # type: ignore[method-assign]
    assert await client.json(suiteql_request(BASE, "SELECT 1 AS one FROM dual")) == {"items": [], "hasMore": False}
    assert client.requests_sent == 4
    # A concurrency limit holds back only the refused call: a pause of the whole account would release every
    # waiting call at once, to meet over the same slot again (two syncs of one account in one worker did).
    assert paused == []


async def test_tba_accounts_sign_every_request_and_a_refusal_is_a_relink() -> None:
    credentials = signing_credentials(
        {"consumer_key": "ck", "consumer_secret": "cs", "token_id": "ti", "token_secret": "ts"}, ACCOUNT
    )
    assert not credentials.needs_refresh(now=9e15, margin=300)
    seen: list[Request] = []

    def answer(request: Request) -> Response:
        seen.append(request)
        return _ns_error(401, "INVALID_LOGIN") if len(seen) > 1 else _json(200, {"items": []})

    client = _client(FunctionTransport(answer), tokens=credentials)
    await client.json(suiteql_request(BASE, "SELECT 1 AS one FROM dual"))
    header = seen[0].headers["Authorization"]
    assert header.startswith('OAuth realm="1234567_SB1", oauth_consumer_key="ck", oauth_token="ti"')
    with pytest.raises(AuthRevoked):
        await client.json(suiteql_request(BASE, "SELECT 1 AS one FROM dual"))


def test_past_the_reach_a_walk_asks_for_the_rows_after_its_last_one() -> None:
    last = {"id": "4711", "lastmodifieddate": "2026-03-08T01:59:59-08:00", "memo": "x"}
    context = CONNECTOR.context(ACCOUNT, BASE)
    first = INVOICES.request(context, None, 99_000, 1000)
    assert dict(first.params)["offset"] == "99000"
    assert INVOICES.reach == REACH == 100_000
    after = INVOICES.request(msgspec.structs.replace(context, after=last), None, 0, 1000)
    sql = msgspec.json.decode(after.body or b"")["q"]
    stamp = "TO_DATE('2026-03-08 01:59:59', 'YYYY-MM-DD HH24:MI:SS')"
    assert f"(t.lastmodifieddate > {stamp} OR (t.lastmodifieddate = {stamp} AND t.id > 4711))" in sql
    assert sql.endswith("ORDER BY t.lastmodifieddate, t.id")
    assert dict(after.params)["offset"] == "0"


def test_the_rows_after_one_need_every_ordered_value() -> None:
    query = ACCOUNTS.request.query
    assert "a.id > 5" in keyset_after(query, {"id": 5, "lastmodifieddate": "2026-01-01T00:00:00"})
    with pytest.raises(ValueError, match="lastmodifieddate"):
        keyset_after(query, {"id": 5})
    with pytest.raises(ValueError, match="invalid literal"):
        keyset_after(query, {"id": "5 OR 1=1", "lastmodifieddate": "2026-01-01T00:00:00"})
