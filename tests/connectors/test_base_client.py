"""The generic provider client against scripted responses: throttles, refreshes, retries, paging."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from harness import free_port
from ledgerport.connectors._base import (
    AiohttpTransport,
    AuthExpired,
    AuthRevoked,
    Connector,
    ConnectorError,
    ErrorRule,
    FunctionTransport,
    Limits,
    Malformed,
    RateLimited,
    Request,
    Response,
    Transient,
    Unreachable,
    cause_of,
)
from ledgerport.connectors._base.auth import OAuth2, TokenSet
from ledgerport.connectors._base.client import ProviderClient, RetryPolicy
from ledgerport.connectors._base.errors import CAUSES
from ledgerport.connectors._base.paging import Offset, PageNumber
from ledgerport.connectors._base.streams import StatusIn, Stream, StreamContext, Total, Watermark
from ledgerport.kit.budget import MemoryBudget

ERRORS = [
    ErrorRule(
        lambda r, b: r.status == 429,
        lambda r, b: RateLimited("slow down", retry_after=float(r.headers.get("retry-after", 1))),
    ),
    ErrorRule(lambda r, b: r.status == 401, lambda r, b: AuthExpired("expired")),
]


def _connector(limits: Limits | None = None, read_ahead: int = 1) -> Connector:
    return Connector(
        key="test",
        slug="test",
        name="Test",
        base_url="https://api.test",
        auth=OAuth2(authorize_url="https://id.test/a", token_url="https://id.test/t", scopes=["x"]),
        limits=limits or Limits(),
        read_ahead=read_ahead,
        mappings=[],
        errors=ERRORS,
        authorize=lambda request, account: msgspec.structs.replace(
            request, headers={**request.headers, "Tenant": account.get("tenant", "")}
        ),
    )


class Tokens:
    def __init__(self) -> None:
        self.set = TokenSet(access_token="a1", refresh_token="r1", expires_at=time.time() + 3600)
        self.refreshes = 0

    async def current(self) -> TokenSet:
        return self.set

    async def refresh(self, stale: TokenSet) -> TokenSet:
        self.refreshes += 1
        self.set = TokenSet(access_token=f"a{self.refreshes + 1}", refresh_token="r", expires_at=time.time() + 3600)
        return self.set


def _client(
    handler: Callable[[Request], Response | Awaitable[Response]],
    tokens: Tokens | None = None,
    read_ahead: int = 1,
    **kw: Any,
) -> tuple[ProviderClient, FunctionTransport]:
    transport = FunctionTransport(handler)
    client = ProviderClient(
        _connector(read_ahead=read_ahead),
        transport=transport,
        tokens=tokens or Tokens(),
        budget=MemoryBudget(),
        budget_key="k",
        context=StreamContext(base_url="https://api.test", account={"tenant": "t1"}),
        retry=RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002, **kw),
    )
    return client, transport


def ok(body: bytes = b"{}") -> Response:
    return Response(status=200, headers={}, body=body)


async def test_adds_credentials_and_account_facts() -> None:
    client, transport = _client(lambda r: ok())
    await client.send(Request(method="GET", url="https://api.test/x"))
    (sent,) = transport.requests
    assert sent.headers["Authorization"] == "Bearer a1"
    assert sent.headers["Tenant"] == "t1"


async def test_throttle_pauses_then_retries() -> None:
    answers = iter([Response(status=429, headers={"retry-after": "0"}, body=b""), ok(b'{"n": 1}')])
    client, transport = _client(lambda r: next(answers))
    assert (await client.json(Request(method="GET", url="https://api.test/x"))) == {"n": 1}
    assert len(transport.requests) == 2


async def test_throttle_longer_than_allowed_is_raised() -> None:
    client, _ = _client(lambda r: Response(status=429, headers={"retry-after": "3600"}, body=b""), max_throttle_wait=60)
    with pytest.raises(RateLimited):
        await client.send(Request(method="GET", url="https://api.test/x"))


async def test_expired_token_is_refreshed_once() -> None:
    tokens = Tokens()
    client, transport = _client(
        lambda r: ok() if r.headers["Authorization"] == "Bearer a2" else Response(status=401, headers={}, body=b""),
        tokens,
    )
    await client.send(Request(method="GET", url="https://api.test/x"))
    assert tokens.refreshes == 1
    assert [r.headers["Authorization"] for r in transport.requests] == ["Bearer a1", "Bearer a2"]


async def test_still_refused_after_refresh_is_raised() -> None:
    tokens = Tokens()
    client, _ = _client(lambda r: Response(status=401, headers={}, body=b""), tokens)
    with pytest.raises(AuthExpired):
        await client.send(Request(method="GET", url="https://api.test/x"))
    assert tokens.refreshes == 1


async def test_transient_failures_are_retried_then_raised() -> None:
    client, transport = _client(lambda r: Response(status=503, headers={}, body=b"down"))
    with pytest.raises(Transient):
        await client.send(Request(method="GET", url="https://api.test/x"))
    assert len(transport.requests) == 3


async def test_each_failure_about_to_be_retried_is_told_to_on_retry() -> None:
    told: list[tuple[str, int]] = []

    async def on_retry(error: ConnectorError, failures: int) -> None:
        told.append((type(error).__name__, failures))

    client, _ = _client(lambda r: Response(status=503, headers={}, body=b"down"))
    client.on_retry = on_retry
    with pytest.raises(Transient):
        await client.send(Request(method="GET", url="https://api.test/x"))
    assert told == [("Transient", 1), ("Transient", 2)], "the last failure is raised, not retried"

    told.clear()
    answers = iter([ok(b'{"a"'), ok(b"{}")])
    client, _ = _client(lambda r: next(answers))
    client.on_retry = on_retry
    assert await client.json(Request(method="GET", url="https://api.test/x")) == {}
    assert told == [("Malformed", 1)]


def _error_classes(root: type[ConnectorError] = ConnectorError) -> list[type[ConnectorError]]:
    return [root, *(kind for sub in root.__subclasses__() for kind in _error_classes(sub))]


def _instance(kind: type[ConnectorError]) -> ConnectorError:
    if issubclass(kind, RateLimited):
        return kind("GET http://10.0.0.7/x: throttled", retry_after=1)
    return kind("GET http://10.0.0.7/x: ClientConnectorError(...)")


@pytest.mark.parametrize("kind", _error_classes(), ids=lambda kind: kind.__name__)
def test_every_connector_error_has_a_public_cause(kind: type[ConnectorError]) -> None:
    cause = cause_of(_instance(kind))
    assert cause.key.isidentifier()
    assert cause.reason.endswith(".")
    for internal in ("http", "10.0.0.7", "Error(", kind.__name__):
        assert internal not in cause.reason, "the message never reaches the reason"


def test_causes_tell_the_failures_people_act_on_apart() -> None:
    assert len({cause.key for cause in CAUSES.values()}) == len(CAUSES)
    assert cause_of(Unreachable("x")) != cause_of(Transient("x")), "no answer at all is not a server error"
    assert cause_of(AuthRevoked("x")).key == "authorization_revoked"


async def test_a_refused_connection_is_unreachable() -> None:
    transport = AiohttpTransport(timeout=10)
    try:
        with pytest.raises(Unreachable):
            await transport.send(Request(method="GET", url=f"http://127.0.0.1:{free_port()}/x"))
    finally:
        await transport.close()


async def test_truncated_body_is_retried() -> None:
    answers = iter([ok(b'{"Invoices": [{"a"'), ok(b'{"amount": 1.10}')])
    client, _ = _client(lambda r: next(answers))
    body = await client.json(Request(method="GET", url="https://api.test/x"))
    assert body == {"amount": Decimal("1.10")}


def _stream(size: int = 2, total: Total | None = None) -> Stream:
    def build(context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        return Request(method="GET", url=f"{context.base_url}/Items", params=[("page", str(position))])

    return Stream(
        name="Items",
        request=build,
        records="Items",
        key="ID",
        paging=PageNumber(size=size),
        since=Watermark("Updated", lambda v: None if v is None else datetime.fromisoformat(v)),
        deleted=StatusIn("Status", {"DELETED"}),
        total=total,
    )


async def test_pages_walk_until_a_short_page() -> None:
    data = [
        {"ID": str(n), "Status": "DELETED" if n == 3 else "ACTIVE", "Updated": f"2024-01-0{n}T00:00:00+00:00"}
        for n in range(1, 6)
    ]

    def handler(request: Request) -> Response:
        page = int(dict(request.params)["page"])
        return ok(msgspec.json.encode({"Items": data[(page - 1) * 2 : page * 2]}))

    client, transport = _client(handler)
    pages = [page async for page in client.pages(_stream(), None)]
    assert [[r["ID"] for r in p.records] for p in pages] == [["1", "2"], ["4"], ["5"]]
    assert [r["ID"] for p in pages for r in p.deleted] == ["3"]
    assert pages[-1].watermark == datetime(2024, 1, 5, tzinfo=UTC)
    assert len(transport.requests) == 3


async def test_a_provider_repeating_a_page_is_stopped() -> None:
    client, _ = _client(lambda r: ok(b'{"Items": [{"ID": "1"}, {"ID": "2"}]}'))
    with pytest.raises(Malformed, match="loop"):
        _ = [page async for page in client.pages(_stream(), None)]


async def test_budget_never_allows_more_than_the_quota_in_any_minute() -> None:
    clock = [0.0]
    budget = MemoryBudget(clock=lambda: clock[0])
    from ledgerport.kit.budget import Quotas

    quotas = Quotas(per_minute=60)
    waits = []
    for _ in range(61):
        waits.append(budget._wait("k", quotas))  # noqa: SLF001 - the decision, without sleeping
        if waits[-1] == 0:
            budget._active["k"] -= 1  # noqa: SLF001
    assert waits[:60] == [0.0] * 60
    assert waits[60] == pytest.approx(60.0)  # the 61st call waits until the first leaves the window
    clock[0] = 60.0
    assert budget._wait("k", quotas) == 0  # noqa: SLF001


async def test_revoked_grant_surfaces() -> None:
    class Revoked(Tokens):
        async def refresh(self, stale: TokenSet) -> TokenSet:
            raise AuthRevoked("relink")

    client, _ = _client(lambda r: Response(status=401, headers={}, body=b""), Revoked())
    with pytest.raises(AuthRevoked):
        await client.send(Request(method="GET", url="https://api.test/x"))


def _listing(count: int, size: int = 2) -> tuple[Callable[[Request], Awaitable[Response]], dict[str, int]]:
    """A slow provider of ``count`` records; later pages answer sooner, and ``seen`` tracks requests in flight."""
    seen = {"now": 0, "peak": 0}

    async def handler(request: Request) -> Response:
        if request.url.endswith("/count"):
            seen["counts"] = seen.get("counts", 0) + 1
            return ok(msgspec.json.encode({"Count": {"total": -(-count // size)}}))  # in pages, as positions are
        page = int(dict(request.params)["page"])
        seen["now"] += 1
        seen["peak"] = max(seen["peak"], seen["now"])
        await asyncio.sleep(0.002 * max(0, 10 - page))
        seen["now"] -= 1
        records = [{"ID": str(n)} for n in range((page - 1) * size + 1, min(count, page * size) + 1)]
        pagination = {"page": page, "pageSize": size, "pageCount": -(-count // size), "itemCount": count}
        return ok(msgspec.json.encode({"Items": records, "pagination": pagination}))

    return handler, seen


@pytest.mark.parametrize("depth", [1, 3])
async def test_pages_read_ahead_arrive_in_order(depth: int) -> None:
    handler, seen = _listing(11)
    client, transport = _client(handler, read_ahead=depth)
    pages = [page async for page in client.pages(_stream(), None)]
    assert [r["ID"] for p in pages for r in p.records] == [str(n) for n in range(1, 12)]
    assert seen["peak"] == depth, "pages ahead are requested together, no more than read_ahead at once"
    assert 6 <= len(transport.requests) <= 6 + depth - 1, "at most read_ahead - 1 requests past the end"
    assert seen["now"] == 0


async def test_a_page_count_ends_the_walk_without_asking_past_it() -> None:
    handler, _ = _listing(10)  # five full pages: only the count tells the fifth is the last
    client, transport = _client(handler, read_ahead=3)
    pages = [page async for page in client.pages(_stream(total=Total("pagination.pageCount")), None)]
    assert len(pages) == 5
    assert sorted(int(dict(r.params)["page"]) for r in transport.requests) == [1, 2, 3, 4, 5]


async def test_a_count_asked_once_lets_the_walk_read_ahead_without_waste() -> None:
    """Where pages do not say how many there are (QBO), one count query beside the second page does."""

    def count(context: StreamContext, since: datetime | None) -> Request:
        return Request(method="GET", url=f"{context.base_url}/Items/count")

    handler, seen = _listing(20)  # ten full pages; positions are page numbers, so the count is of pages here
    client, transport = _client(handler, read_ahead=3)
    stream = _stream(total=Total("Count.total", request=count))
    pages = [page async for page in client.pages(stream, None)]
    assert [r["ID"] for p in pages for r in p.records] == [str(n) for n in range(1, 21)]
    asked = sorted(int(dict(r.params)["page"]) for r in transport.requests if not r.url.endswith("/count"))
    assert asked == list(range(1, 11)), "nothing past the end"
    assert seen["counts"] == 1
    assert seen["peak"] == 3, "read ahead once the count is known"


async def test_a_failed_count_leaves_the_walk_one_page_ahead() -> None:
    def count(context: StreamContext, since: datetime | None) -> Request:
        return Request(method="GET", url=f"{context.base_url}/Items/count")

    listing, seen = _listing(7)

    async def handler(request: Request) -> Response:
        if request.url.endswith("/count"):
            return Response(status=401, headers={}, body=b"")
        return await listing(request)

    client, transport = _client(handler, read_ahead=3)
    pages = [page async for page in client.pages(_stream(total=Total("Count.total", request=count)), None)]
    assert [r["ID"] for p in pages for r in p.records] == [str(n) for n in range(1, 8)]
    assert seen["peak"] == 1
    assert len([r for r in transport.requests if not r.url.endswith("/count")]) == 4


async def test_a_walk_stopped_early_leaves_nothing_running() -> None:
    handler, seen = _listing(20)
    client, _ = _client(handler, read_ahead=4)
    walk = client.pages(_stream(), None)
    async for _page in walk:
        break
    await walk.aclose()
    assert seen["now"] == 0, "requests read ahead were cancelled and waited for"
    assert not [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]


async def test_a_walk_that_does_not_read_ahead_asks_no_count() -> None:
    def count(context: StreamContext, since: datetime | None) -> Request:
        return Request(method="GET", url=f"{context.base_url}/Items/count")

    handler, seen = _listing(7)
    client, transport = _client(handler, read_ahead=1)
    pages = [page async for page in client.pages(_stream(total=Total("Count.total", request=count)), None)]
    assert sum(len(p.records) for p in pages) == 7
    assert "counts" not in seen
    assert len(transport.requests) == 4


@pytest.mark.parametrize("depth", [1, 3])
async def test_a_walk_goes_on_past_a_querys_reach_after_its_last_record(depth: int) -> None:
    """A provider whose queries page through 4 records at most (NetSuite's SuiteQL: 100,000): past them the walk
    asks a new query for what follows the last record read, from the first position again."""
    data = [{"ID": str(n)} for n in range(1, 12)]

    def handler(request: Request) -> Response:
        params = dict(request.params)
        offset = int(params["offset"])
        if offset >= 4:
            return Response(status=400, headers={}, body=b'{"error": "offset past the reach"}')
        rows = [r for r in data if int(r["ID"]) > int(params.get("after", "0"))]
        return ok(msgspec.json.encode({"Items": rows[offset : offset + 2], "total": len(rows)}))

    def build(context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        after = [("after", context.after["ID"])] if context.after is not None else []
        return Request(method="GET", url=f"{context.base_url}/Items", params=[("offset", str(position)), *after])

    stream = Stream(
        name="Items",
        request=build,
        records="Items",
        key="ID",
        paging=Offset(size=2),
        reach=4,
        total=Total("total"),
    )
    client, transport = _client(handler, read_ahead=depth)
    pages = [page async for page in client.pages(stream, None)]
    assert [r["ID"] for p in pages for r in p.records] == [str(n) for n in range(1, 12)]
    asked = [(dict(r.params).get("after"), int(dict(r.params)["offset"])) for r in transport.requests]
    assert [a for a in asked if a[1] >= 4] == [], "no position at or past the reach was asked"
    assert sorted({after for after, _ in asked}, key=lambda a: int(a or 0)) == [None, "4", "8"]


def _counted(status_class: str) -> float:
    from ledgerport.kit.metrics import PROVIDER_REQUESTS

    return PROVIDER_REQUESTS.labels(provider="test", status_class=status_class)._value.get()


async def test_every_call_is_counted_by_status_class_and_throttles_apart() -> None:
    from ledgerport.kit.metrics import PROVIDER_THROTTLES

    before = {name: _counted(name) for name in ("2xx", "4xx", "error")}
    throttles = PROVIDER_THROTTLES.labels(provider="test")._value.get()
    answers = iter([Response(status=429, headers={"retry-after": "0"}, body=b""), ok()])
    client, _ = _client(lambda r: next(answers))
    await client.send(Request(method="GET", url="https://api.test/x"))
    assert _counted("2xx") - before["2xx"] == 1
    assert _counted("4xx") - before["4xx"] == 1
    assert PROVIDER_THROTTLES.labels(provider="test")._value.get() - throttles == 1

    def refused(request: Request) -> Response:
        raise Unreachable("connection refused")

    client, _ = _client(refused)
    with pytest.raises(Unreachable):
        await client.send(Request(method="GET", url="https://api.test/x"))
    assert _counted("error") - before["error"] == 3, "each of the 3 attempts counts as a call without an answer"
