"""Sending deliveries: one job per endpoint drains its due lanes; a tick queues that job when work comes due.

Decision: deliveries are rows (:mod:`ledgerport.store.webhooks`) and the job (``webhooks.deliver``, one live per
endpoint through its dedupe key) only holds the right to send for that endpoint, so a worker killed mid-send loses
nothing: the delivery is still PENDING and is sent again (receivers see a delivery at least once; the
``X-Ledgerport-Event-Id`` header lets them drop a repeat). Within an endpoint, lanes (one per linked account) are
drained side by side and each strictly in event order.

A failed attempt waits ``backoff · 2^(attempts-1)`` (at most ``max_backoff``, ±10 %), and the lane waits with it.
A delivery still failing ``retry_seconds`` after its first attempt is given up (FAILED, replayable), and if the
endpoint has had no success since its failures began that long ago, it is disabled with a reason.

Nothing here blocks the change that made the event: the change only wrote rows, and a worker sends them.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Mapping
from typing import Any

import aiohttp
import msgspec

from ledgerport.jobs import Handler, JobContext, Tick, Wakeups, submit
from ledgerport.kit import clock
from ledgerport.kit.metrics import WEBHOOK_DELIVERIES
from ledgerport.kit.sealing import Sealer
from ledgerport.store import Database
from ledgerport.store import webhooks as rows
from ledgerport.store.accounts import find_linked_account_by_id
from ledgerport.webhooks.addresses import AddressRefused, GuardedResolver, check_url
from ledgerport.webhooks.envelope import envelope
from ledgerport.webhooks.signing import SIGNATURE_HEADER, sign

__all__ = [
    "DELIVER",
    "EVENT_ID_HEADER",
    "POLL_SECONDS",
    "Policy",
    "WebhookDeps",
    "deliver_endpoint",
    "due_tick",
    "purge_tick",
    "ticks",
    "webhook_handlers",
]

log = logging.getLogger(__name__)

DELIVER = "webhooks.deliver"
EVENT_ID_HEADER = "X-Ledgerport-Event-Id"
LANES_AT_ONCE = 16
"""Lanes of one endpoint sent to side by side (one request in flight per lane)."""
LANE_BATCH = 50
"""Deliveries of a lane read per query."""


class Policy(msgspec.Struct, frozen=True, kw_only=True):
    """How deliveries are tried (from the ``LEDGERPORT_WEBHOOK_*`` settings)."""

    allow_private: bool = False
    retry_seconds: float = 24 * 3600.0
    backoff_seconds: float = 10.0
    max_backoff_seconds: float = 3600.0
    timeout_seconds: float = 10.0
    retention_seconds: float = 7 * 24 * 3600.0

    def retry_at(self, *, attempts: int, first_attempt_at: int, now: int) -> int | None:
        """When to try again after the ``attempts``-th failure, or ``None`` once the retry window has passed."""
        if now - first_attempt_at >= self.retry_seconds * 1_000_000:
            return None
        wait = min(self.backoff_seconds * 2 ** max(0, attempts - 1), self.max_backoff_seconds)
        jitter = random.uniform(0.9, 1.1)  # noqa: S311 - spreads retries; not a secret
        return now + int(wait * jitter * 1_000_000)


class WebhookDeps(msgspec.Struct, frozen=True, kw_only=True, dict=True):
    """What sending needs: the database, the sealer that opens signing keys, and the policy."""

    database: Database
    sealer: Sealer
    policy: Policy = Policy()


class _Outcome(msgspec.Struct, frozen=True):
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


async def _send(
    http: aiohttp.ClientSession, policy: Policy, url: str, key: str, body: bytes, event_id: uuid.UUID
) -> _Outcome:
    try:
        check_url(url, allow_private=policy.allow_private)  # literal addresses never reach the resolver
    except AddressRefused as exc:
        return _Outcome(None, f"refused: {exc}")
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(key, body),
        EVENT_ID_HEADER: str(event_id),
        "User-Agent": "ledgerport-webhooks",
    }
    try:
        async with http.post(
            url,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=policy.timeout_seconds),
        ) as response:
            await response.content.read(4096)  # a little of the answer, so the connection can be reused
            if 200 <= response.status < 300:
                return _Outcome(response.status, None)
            return _Outcome(response.status, f"the endpoint answered {response.status}")
    except TimeoutError:
        return _Outcome(None, f"no answer within {policy.timeout_seconds:g} s")
    except aiohttp.ClientError as exc:
        return _Outcome(None, f"could not connect: {type(exc).__name__}")
    except OSError as exc:
        return _Outcome(None, f"could not connect: {exc}")


class _EndpointRun:
    """One run of an endpoint's job."""

    def __init__(self, deps: WebhookDeps, endpoint: rows.Endpoint, http: aiohttp.ClientSession) -> None:
        self.deps = deps
        self.endpoint = endpoint
        self.key = deps.sealer.open(endpoint.signing_key).decode()
        self.http = http
        self.disabled = False

    async def bodies(self, queue: list[rows.Delivery]) -> dict[uuid.UUID, bytes]:
        """Every queued delivery's bytes; those sent for the first time are built and fixed in one commit."""
        found = {delivery.id: delivery.body for delivery in queue if delivery.body is not None}
        fresh = [delivery for delivery in queue if delivery.body is None]
        if not fresh:
            return found
        database = self.deps.database
        accounts: dict[uuid.UUID, Any] = {}
        async with database.read() as session:
            for account_id in {d.linked_account_id for d in fresh if d.linked_account_id is not None}:
                accounts[account_id] = await find_linked_account_by_id(session, account_id=account_id)
        built = {
            delivery.id: envelope(
                endpoint_id=self.endpoint.id,
                target=self.endpoint.url,
                event=delivery.event,
                account=None if delivery.linked_account_id is None else accounts.get(delivery.linked_account_id),
                linked_account_id=delivery.linked_account_id,
                data=delivery.data,
            )
            for delivery in fresh
        }
        async with database.write() as session:
            await rows.save_bodies(session, bodies=built)
        return found | built

    async def record(self, lane: str, sent: list[rows.Sent]) -> None:
        """Record deliveries the endpoint accepted, several in one commit.

        Recorded after the fact: a worker that dies first sends them again (delivery is at least once; the event id
        header tells a repeat)."""
        if sent:
            async with self.deps.database.write() as session:
                await rows.delivered(session, endpoint_id=self.endpoint.id, lane=lane, sent=sent)
            sent.clear()

    async def failed(self, delivery: rows.Delivery, outcome: _Outcome) -> bool:
        """Record a failed attempt; whether the lane may go on (only when the delivery was given up)."""
        now = clock.now_micros()
        policy = self.deps.policy
        retry_at = policy.retry_at(
            attempts=delivery.attempts + 1, first_attempt_at=delivery.first_attempt_at or now, now=now
        )
        window = int(policy.retry_seconds * 1_000_000)
        async with self.deps.database.write() as session:
            await rows.attempt_failed(
                session,
                delivery_id=delivery.id,
                endpoint_id=self.endpoint.id,
                lane=delivery.lane,
                status_code=outcome.status_code,
                error=outcome.error or "",
                now=now,
                retry_at=retry_at,
                disable_if_failing_since=None if retry_at is not None else now - window,
                disable_because=(
                    f"Disabled after {policy.retry_seconds / 3600:g} hours in which every delivery failed "
                    f"(last: {outcome.error}). Fix the endpoint, enable it, and replay what failed."
                ),
            )
        WEBHOOK_DELIVERIES.labels(outcome="failed" if retry_at is not None else "given_up").inc()
        if retry_at is not None:
            return False
        async with self.deps.database.read() as session:
            current = await rows.endpoint_by_id(session, endpoint_id=self.endpoint.id)
        self.disabled = current is None or current.status != rows.ACTIVE
        return not self.disabled  # a delivery given up lets its lane go on, unless the endpoint is off

    async def drain(self, lane: str) -> None:
        """Send the lane's deliveries in order until it is empty, a delivery fails, or the endpoint is off."""
        sent: list[rows.Sent] = []
        try:
            while not self.disabled:
                async with self.deps.database.read() as session:
                    queue = await rows.lane_queue(session, endpoint_id=self.endpoint.id, lane=lane, limit=LANE_BATCH)
                if not queue or queue[0].next_attempt_at > clock.now_micros():
                    return
                bodies = await self.bodies(queue)
                for delivery in queue:
                    if self.disabled:
                        return
                    outcome = await _send(
                        self.http, self.deps.policy, self.endpoint.url, self.key, bodies[delivery.id], delivery.event_id
                    )
                    if outcome.ok:
                        WEBHOOK_DELIVERIES.labels(outcome="delivered").inc()
                        sent.append(rows.Sent(delivery.id, outcome.status_code or 0, clock.now_micros()))
                        continue
                    await self.record(lane, sent)
                    if not await self.failed(delivery, outcome):
                        return
                await self.record(lane, sent)
        finally:
            await self.record(lane, sent)


async def deliver_endpoint(
    deps: WebhookDeps, endpoint_id: uuid.UUID, http: aiohttp.ClientSession, context: JobContext | None = None
) -> None:
    """Send every due delivery of an endpoint (renewing the job's lease between rounds)."""
    while True:
        async with deps.database.read() as session:
            endpoint = await rows.endpoint_by_id(session, endpoint_id=endpoint_id)
            if endpoint is None or endpoint.status != rows.ACTIVE:
                return
            lanes = await rows.lane_heads(session, endpoint_id=endpoint_id, now=clock.now_micros(), limit=LANES_AT_ONCE)
        if not lanes:
            return
        run = _EndpointRun(deps, endpoint, http)
        await asyncio.gather(*(run.drain(lane) for lane in lanes))
        if context is not None:
            await context.checkpoint()


def _client(policy: Policy) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(allow_private=policy.allow_private), limit_per_host=LANES_AT_ONCE
    )
    return aiohttp.ClientSession(connector=connector, trust_env=False)


def webhook_handlers(deps: WebhookDeps) -> dict[str, Handler]:
    """The job kind that sends an endpoint's deliveries."""

    async def deliver(context: JobContext) -> None:
        async with _client(deps.policy) as http:
            await deliver_endpoint(deps, uuid.UUID(context.row.payload["endpoint_id"]), http, context)

    return {DELIVER: deliver}


def due_tick(wakeups: Wakeups | None = None) -> Tick:
    """Queue the delivery job of every endpoint with a delivery due (one live job per endpoint)."""

    async def tick(database: Database) -> None:
        async with database.read() as session:
            endpoints = await rows.due_endpoints(session, now=clock.now_micros())
        if not endpoints:
            return
        async with database.write() as session:
            for endpoint in endpoints:
                await submit(
                    session,
                    kind=DELIVER,
                    payload={"endpoint_id": str(endpoint)},
                    dedupe_key=f"{DELIVER}:{endpoint}",
                    wakeups=wakeups,
                )

    return tick


def purge_tick(policy: Policy, *, every_seconds: float = 3600.0) -> Tick:
    """Forget old events (see ``webhook_retention_days``), at most once per ``every_seconds`` in this process."""
    last: list[float] = []

    async def tick(database: Database) -> None:
        if last and time.monotonic() - last[0] < every_seconds:
            return
        last[:] = [time.monotonic()]
        before = clock.now_micros() - int(policy.retention_seconds * 1_000_000)
        while True:
            async with database.write() as session:
                if await rows.purge(session, before=before) == 0:
                    return

    return tick


def ticks(policy: Policy, wakeups: Wakeups | None) -> Mapping[str, Tick]:
    """The webhook ticks a worker runs every :data:`POLL_SECONDS`."""
    return {"webhooks.due": due_tick(wakeups), "webhooks.purge": purge_tick(policy)}


POLL_SECONDS = 0.25
"""How often a worker looks for deliveries that came due (one indexed query)."""
