"""Deliveries to a real receiver on loopback, on each database: order per linked account, Merge's signature,
retries that hold a lane back, giving up, disabling, replay, and the addresses the server refuses to call."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import msgspec
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from harness import free_port
from ledgerport.kit.sealing import Sealer, new_key
from ledgerport.store import Database, accounts
from ledgerport.store import webhooks as rows
from ledgerport.webhooks import EndpointRefused, Policy, WebhookDeps, add_endpoint, change_endpoint
from ledgerport.webhooks.addresses import GuardedResolver, check_url
from ledgerport.webhooks.delivery import EVENT_ID_HEADER, deliver_endpoint
from ledgerport.webhooks.signing import sign, verify

FAST = Policy(allow_private=True, backoff_seconds=0.05, max_backoff_seconds=0.1, timeout_seconds=2)


@dataclass
class Receiver:
    """A webhook receiver on loopback that answers ``status`` and keeps what it got."""

    url: str
    status: int = 200
    got: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.got]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    box = Receiver(f"http://127.0.0.1:{port}/hooks")

    async def hook(request: web.Request) -> web.Response:
        box.got.append((dict(request.headers), await request.read()))
        return web.Response(status=box.status, text="ok")

    app = web.Application()
    app.router.add_post("/hooks", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield box
    finally:
        await runner.cleanup()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


SEALER = Sealer([new_key()])


async def _organization(database: Database) -> uuid.UUID:
    async with database.write() as session:
        return await accounts.create_organization(session, name=f"hooks-{uuid.uuid4().hex[:8]}")


async def _emit(database: Database, organization_id: uuid.UUID, *events: rows.NewEvent) -> list[uuid.UUID]:
    async with database.write() as session:
        return await rows.emit(session, organization_id=organization_id, events=events)


def _event(name: str, lane: uuid.UUID | None, n: int) -> rows.NewEvent:
    return rows.NewEvent(name, msgspec.json.encode({"n": n}), lane)


async def _deliver(database: Database, endpoint_id: uuid.UUID, policy: Policy = FAST) -> None:
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private=policy.allow_private))
    async with aiohttp.ClientSession(connector=connector) as http:
        await deliver_endpoint(WebhookDeps(database=database, sealer=SEALER, policy=policy), endpoint_id, http)


async def _deliveries(database: Database, endpoint_id: uuid.UUID) -> list[rows.DeliveryView]:
    async with database.read() as session:
        return list(reversed(await rows.list_deliveries(session, endpoint_id=endpoint_id)))


def _merge_verifies(key: str, body: bytes, signature: str) -> bool:
    """Merge's published check, written out: base64url HMAC-SHA256 of the raw body, padding stripped."""
    expected = base64.urlsafe_b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected.rstrip("="), signature.rstrip("="))


async def test_events_arrive_signed_and_in_order_per_account(database: Database, receiver: Receiver) -> None:
    organization_id = await _organization(database)
    made = await add_endpoint(
        database, SEALER, organization_id=organization_id, url=receiver.url, events="all", allow_private=True
    )
    first, second = uuid.uuid4(), uuid.uuid4()
    events = [_event("Invoice.added", lane, n) for n in range(5) for lane in (first, second)]
    assert await _emit(database, organization_id, *events) == [made.endpoint.id]
    await _deliver(database, made.endpoint.id)

    assert len(receiver.got) == 10
    for headers, body in receiver.got:
        assert _merge_verifies(made.signing_key, body, headers["X-Merge-Webhook-Signature"])
        assert verify(made.signing_key, body, headers["X-Merge-Webhook-Signature"])
        assert headers["Content-Type"] == "application/json"
    bodies = receiver.bodies()
    assert {body["hook"]["id"] for body in bodies} == {str(made.endpoint.id)}
    assert {body["hook"]["target"] for body in bodies} == {receiver.url}
    for lane in (first, second):
        numbers = [body["data"]["n"] for body in bodies if body["linked_account"]["id"] == str(lane)]
        assert numbers == [0, 1, 2, 3, 4]
    assert len({headers[EVENT_ID_HEADER] for headers, _ in receiver.got}) == 10
    assert {d.status for d in await _deliveries(database, made.endpoint.id)} == {"DELIVERED"}


async def test_a_receiver_that_is_down_gets_every_event_once_it_is_up(database: Database, receiver: Receiver) -> None:
    organization_id = await _organization(database)
    made = await add_endpoint(
        database, SEALER, organization_id=organization_id, url=receiver.url, events="all", allow_private=True
    )
    lane = uuid.uuid4()
    await _emit(database, organization_id, *(_event("Contact.changed", lane, n) for n in range(3)))
    receiver.status = 503
    await _deliver(database, made.endpoint.id)
    assert len(receiver.got) == 1, "a failing head holds its lane: the rest must wait, not be tried"
    head, *rest = await _deliveries(database, made.endpoint.id)
    assert (head.status, head.attempts, head.last_status_code) == ("PENDING", 1, 503)
    assert "503" in (head.last_error or "")
    assert all(d.attempts == 0 and d.next_attempt_at >= head.next_attempt_at for d in rest)

    await _emit(database, organization_id, _event("Contact.changed", lane, 3))  # arrives while the lane waits
    newest = (await _deliveries(database, made.endpoint.id))[-1]
    assert newest.next_attempt_at >= head.next_attempt_at

    receiver.status = 200
    await asyncio.sleep(0.15)  # past the backoff
    await _deliver(database, made.endpoint.id)
    numbers = [body["data"]["n"] for body in receiver.bodies()]
    assert numbers == [0, 0, 1, 2, 3]
    assert receiver.got[0][1] == receiver.got[1][1], "a retry sends the same bytes"
    assert [d.status for d in await _deliveries(database, made.endpoint.id)] == ["DELIVERED"] * 4


async def test_a_failure_streak_disables_the_endpoint_and_replay_resends(
    database: Database, receiver: Receiver
) -> None:
    organization_id = await _organization(database)
    made = await add_endpoint(
        database, SEALER, organization_id=organization_id, url=receiver.url, events="all", allow_private=True
    )
    endpoint_id = made.endpoint.id
    await _emit(database, organization_id, _event("LinkedAccount.linked", uuid.uuid4(), 1))
    receiver.status = 500
    no_retries = msgspec.structs.replace(FAST, retry_seconds=0)
    await _deliver(database, endpoint_id, no_retries)
    (given_up,) = await _deliveries(database, endpoint_id)
    assert given_up.status == "FAILED"
    async with database.read() as session:
        endpoint = await rows.endpoint_by_id(session, endpoint_id=endpoint_id)
        assert endpoint is not None
        assert endpoint.status == "DISABLED"
        assert endpoint.status_reason is not None
        assert "every delivery failed" in endpoint.status_reason
        assert endpoint_id not in await rows.due_endpoints(session, now=2**62)
    assert await _emit(database, organization_id, _event("Invoice.added", None, 2)) == []  # disabled: no new work

    receiver.status = 200
    assert await change_endpoint(
        database, organization_id=organization_id, endpoint_id=endpoint_id, active=True, allow_private=True
    )
    async with database.write() as session:
        assert await rows.replay(session, endpoint_id=endpoint_id) == 1
    await _deliver(database, endpoint_id)
    assert [d.status for d in await _deliveries(database, endpoint_id)] == ["DELIVERED"]
    assert receiver.got[-1][1] == receiver.got[0][1]


async def test_an_endpoint_gets_only_the_events_it_subscribes_to(database: Database, receiver: Receiver) -> None:
    organization_id = await _organization(database)
    made = await add_endpoint(
        database,
        SEALER,
        organization_id=organization_id,
        url=receiver.url,
        events=["Invoice.added", "AsyncPost.completed"],
        allow_private=True,
    )
    lane = uuid.uuid4()
    await _emit(database, organization_id, _event("Contact.added", lane, 1), _event("Invoice.added", lane, 2))
    await _deliver(database, made.endpoint.id)
    assert [(body["hook"]["event"], body["data"]["n"]) for body in receiver.bodies()] == [("Invoice.added", 2)]

    quiet = await _organization(database)  # no endpoints: nothing is written at all
    assert await _emit(database, quiet, _event("Invoice.added", lane, 3)) == []


async def test_events_of_other_organizations_never_reach_an_endpoint(database: Database, receiver: Receiver) -> None:
    mine, theirs = await _organization(database), await _organization(database)
    made = await add_endpoint(
        database, SEALER, organization_id=mine, url=receiver.url, events="all", allow_private=True
    )
    await _emit(database, theirs, _event("Invoice.added", uuid.uuid4(), 1))
    await _deliver(database, made.endpoint.id)
    assert receiver.got == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://100.64.0.1/hook",
        "http://localhost:8000/hook",
        "ftp://example.com/hook",
        "https://user:pw@example.com/hook",
    ],
)
async def test_private_and_odd_urls_are_refused(database: Database, url: str) -> None:
    organization_id = await _organization(database)
    with pytest.raises(EndpointRefused, match="^url: "):
        await add_endpoint(
            database, SEALER, organization_id=organization_id, url=url, events="all", allow_private=False
        )


def test_public_addresses_pass_and_the_operator_may_allow_private_ones() -> None:
    assert check_url("https://93.184.216.34/hook", allow_private=False)
    assert check_url("http://127.0.0.1:8080/hook", allow_private=True)


async def test_unknown_events_are_refused(database: Database) -> None:
    organization_id = await _organization(database)
    with pytest.raises(EndpointRefused, match="^events: unknown event 'Invoice.exploded'"):
        await add_endpoint(
            database,
            SEALER,
            organization_id=organization_id,
            url="https://93.184.216.34/hook",
            events=["Invoice.exploded"],
            allow_private=False,
        )


async def test_a_delivery_never_connects_to_a_private_address(database: Database, receiver: Receiver) -> None:
    """Saved while the operator allowed private addresses, sent after they no longer are: refused, not sent."""
    organization_id = await _organization(database)
    made = await add_endpoint(
        database, SEALER, organization_id=organization_id, url=receiver.url, events="all", allow_private=True
    )
    await _emit(database, organization_id, _event("Invoice.added", uuid.uuid4(), 1))
    await _deliver(database, made.endpoint.id, msgspec.structs.replace(FAST, allow_private=False))
    assert receiver.got == []
    (delivery,) = await _deliveries(database, made.endpoint.id)
    assert delivery.status == "PENDING"
    assert "refused" in (delivery.last_error or "")


class _Rebinding(AbstractResolver):
    """A name that resolves to loopback (what a DNS-rebinding attacker arranges after the URL was checked)."""

    async def resolve(self, host: str, port: int = 0, family: Any = 0) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host="127.0.0.1", port=port, family=2, proto=0, flags=0)  # type: ignore[typeddict-item]
        ]

    async def close(self) -> None:
        return None


async def test_the_resolver_drops_private_answers() -> None:
    with pytest.raises(OSError, match="private or local"):
        await GuardedResolver(allow_private=False, inner=_Rebinding()).resolve("rebind.example", 80)
    assert await GuardedResolver(allow_private=True, inner=_Rebinding()).resolve("rebind.example", 80)


def test_signatures_match_merges_scheme() -> None:
    key, body = "a-signing-key", b'{"hook":{"event":"Invoice.added"}}'
    digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
    assert sign(key, body) == base64.urlsafe_b64encode(digest).decode()
    assert verify(key, body, sign(key, body).rstrip("="))
    assert not verify(key, body + b" ", sign(key, body))
    assert not verify("another-key", body, sign(key, body))
