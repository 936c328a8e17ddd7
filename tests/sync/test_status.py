"""What ``/sync-status``, ``/issues`` and the linked account say when the provider fails, read through the real app.

A provider sandbox runs in process behind :class:`Provider`, which can cut it off: while down, every call goes
over the real network transport to a loopback port nobody listens on (connection refused, as a provider that died
answers). Or the sandbox's own ``/_sandbox/`` controls break it (503s, throttles, a revoked grant). Syncs run
through the engine, or through a real :class:`~ledgerport.jobs.Worker` where retry timing matters; the API is the
Litestar app ``create_app`` builds, spoken to over ASGI.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
import pytest

from harness import TEST_SEALING_KEY, SandboxBudget, free_port
from ledgerport.app import create_app
from ledgerport.config import Settings
from ledgerport.connectors._base import (
    AiohttpTransport,
    AsgiTransport,
    AuthRevoked,
    RateLimited,
    Request,
    Response,
    Transient,
    Unreachable,
    cause_of,
)
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.client import RetryPolicy
from ledgerport.connectors._base.http import rebase
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.jobs import Worker
from ledgerport.kit import clock
from ledgerport.kit.sealing import Sealer
from ledgerport.kit.timestamps import parse_rfc3339
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.store import Database, accounts
from ledgerport.store import jobs as job_rows
from ledgerport.store.jobs import FAILED as JOB_FAILED
from ledgerport.store.jobs import QUEUED, JobRow
from ledgerport.store.sync_runs import SyncRun, list_sync_runs
from ledgerport.store.sync_states import begin_sync
from ledgerport.sync import SyncDeps, sync_account
from ledgerport.sync.status import INTERNAL
from ledgerport.sync.tasks import SYNC_RUN, queue_sync, sync_abandoned, sync_handlers

SANDBOX = "http://sandbox.test"
CLIENT = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")
UNREACHABLE = cause_of(Unreachable("")).reason
UNAVAILABLE = cause_of(Transient("")).reason
REVOKED = cause_of(AuthRevoked("")).reason
THROTTLED = cause_of(RateLimited("", retry_after=1)).reason
PATIENT = RetryPolicy(attempts=1_000_000, base_delay=0.01, max_delay=0.05)
"""A run that retries a failing call for as long as the test needs it to."""
BRIEF = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002, max_throttle_wait=1.0)
"""A run that gives up on a failing call at once."""
INTERNAL_WORDS = (
    *("127.0.0.1", "10.1.2.3", "sandbox.test", "http:", "/v3/", "api.xro"),  # hosts and URLs
    *("Error(", "Error:", "Errno", "Traceback", "Connect call", "boom"),  # library and exception text
    *("Transient", "Unreachable", "AuthRevoked", "RateLimited", "QuickBooks", "Xero", "503"),  # internal names
)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


class Provider:
    """A sandbox that can die: while ``down``, calls go to a loopback port nobody listens on, over aiohttp."""

    def __init__(self, app: Any) -> None:
        self.sandbox = AsgiTransport(app)
        self.network = AiohttpTransport(timeout=10)
        self.dead = f"http://127.0.0.1:{free_port()}"
        self.down = False
        self.die_after: int | None = None
        """Calls answered before the provider dies by itself (mid-sync)."""
        self.calls = 0
        self.failure: Exception | None = None
        """Raised instead of any answer (a transport with a bug)."""
        self.held: asyncio.Event | None = None
        self.holding = asyncio.Event()

    async def send(self, request: Request) -> Response:
        self.calls += 1
        if self.die_after is not None and self.calls > self.die_after:
            self.down = True
        if self.held is not None:  # the test looks at the API while this call is in flight
            self.holding.set()
            await self.held.wait()
        if self.failure is not None:
            raise self.failure
        if self.down:
            return await self.network.send(msgspec.structs.replace(request, url=rebase(request.url, self.dead)))
        return await self.sandbox.send(request)

    async def control(self, path: str, body: dict[str, Any] | None = None) -> None:
        """Call the sandbox's ``/_sandbox/`` controls."""
        request = Request(method="POST", url=f"{SANDBOX}/_sandbox/{path}", body=msgspec.json.encode(body or {}))
        response = await self.sandbox.send(request)
        assert response.status < 300, response.body

    async def close(self) -> None:
        await self.network.close()


@dataclass
class Rig:
    """A linked account on a provider sandbox, and the API to read about it."""

    database: Database
    provider: Provider
    deps: SyncDeps
    account_id: uuid.UUID
    api: httpx.AsyncClient

    async def get(self, path: str, **params: str) -> Any:
        response = await self.api.get(f"/api/accounting/v1/{path}", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def statuses(self) -> dict[str, dict[str, Any]]:
        return {row["model_name"]: row for row in (await self.get("sync-status"))["results"]}

    async def issues(self, status: str) -> list[dict[str, Any]]:
        return (await self.get("issues", status=status, linked_account_id=str(self.account_id)))["results"]

    async def sync(self, **options: Any) -> Any:
        return await sync_account(self.deps, self.account_id, **options)

    def with_retry(self, retry: RetryPolicy) -> None:
        self.deps = msgspec.structs.replace(self.deps, retry=retry)


def _sandbox(provider: str) -> tuple[Any, Any]:
    if provider == "xero":
        from ledgerport.connectors.xero import CONNECTOR
        from ledgerport.sandboxes.xero import create_app as create_xero

        return CONNECTOR, create_xero(seed=5, size="small", limits=False)
    from ledgerport.connectors.quickbooks import CONNECTOR as QBO
    from ledgerport.sandboxes.quickbooks import create_app as create_qbo

    return QBO, create_qbo(seed=5, size="small", limits=False)


@contextlib.asynccontextmanager
async def rig(database: Database, provider_name: str = "quickbooks") -> AsyncIterator[Rig]:
    connector, app = _sandbox(provider_name)
    provider = Provider(app)
    sealer = Sealer([TEST_SEALING_KEY])
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=f"status-{uuid.uuid4().hex[:6]}")
        key = await accounts.create_api_key(session, organization_id=organization_id)
    made = await link_sandbox(
        database,
        sealer=sealer,
        connector=connector,
        client=CLIENT,
        transport=provider,
        organization_id=organization_id,
        sandbox_url=SANDBOX,
        end_user=EndUser(organization_name="Acme"),
    )
    deps = SyncDeps(
        database=database,
        sealer=sealer,
        connectors={connector.key: connector},
        registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=CLIENT),
        transport=lambda origin: provider,
        budget=SandboxBudget(),
        retry=BRIEF,
    )
    # A long credential cache: /account-details must still tell the account's status as it is now.
    settings = Settings(
        database_url=database.url,
        secret_keys=(TEST_SEALING_KEY,),
        rate_limit_per_minute=0,
        auth_cache_seconds=3600,
    )
    app_under_test = create_app(settings)
    headers = {"Authorization": f"Bearer {key.secret}", "X-Account-Token": made.account_token}
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app_under_test), base_url="http://api", headers=headers)
    try:
        yield Rig(database, provider, deps, made.account.id, api)
    finally:
        await api.aclose()
        await app_under_test.state.ledgerport.database.dispose()
        await provider.close()


async def eventually(check: Callable[[], Awaitable[Any]], *, what: str, timeout: float = 30) -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while not (found := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {what} within {timeout:g} s")
        await asyncio.sleep(0.02)
    return found


def assert_public(reason: str | None) -> None:
    assert reason, "a failure always has a reason"
    leaked = [word for word in INTERNAL_WORDS if word in reason]
    assert not leaked, f"the reason {reason!r} holds internal words {leaked}"


@pytest.mark.parametrize("provider_name", ["quickbooks", "xero"])
async def test_a_provider_dying_mid_sync_reads_failed_at_once_then_recovers(
    database: Database, provider_name: str
) -> None:
    async with rig(database, provider_name) as r:
        assert (await r.get("account-details"))["status"] == "COMPLETE"
        r.with_retry(PATIENT)
        r.provider.die_after = 3
        running = asyncio.ensure_future(r.sync())
        try:

            async def failing() -> dict[str, dict[str, Any]] | None:
                assert not running.done(), "the run ended before its failure was shown"
                statuses = await r.statuses()
                return statuses if any(s["status"] == "FAILED" for s in statuses.values()) else None

            statuses = await eventually(failing, what="FAILED while the run retries")
            assert not running.done(), "shown while the run still retries, not once it gave up"
            assert {s["status"] for s in statuses.values()} <= {"DONE", "FAILED"}, "nothing reads SYNCING"
            for state in statuses.values():
                if state["status"] == "FAILED":
                    assert state["sync_status_reason"] == UNREACHABLE
                    assert_public(state["sync_status_reason"])
            (issue,) = await r.issues("ONGOING")
            assert issue["error_description"] == UNREACHABLE
            assert all(isinstance(detail, str) for detail in issue["error_details"])
            assert (await r.get("account-details"))["status"] == "COMPLETE", "a provider outage is not the account's"

            r.provider.down, r.provider.die_after = False, None
            report = await asyncio.wait_for(running, timeout=60)
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
        assert report.failed is None
        statuses = await r.statuses()
        assert {s["status"] for s in statuses.values()} == {"DONE"}
        assert {s["sync_status_reason"] for s in statuses.values()} == {None}
        assert await r.issues("ONGOING") == []
        assert [i["error_description"] for i in await r.issues("RESOLVED")] == [UNREACHABLE]


@pytest.mark.parametrize(
    ("provider_name", "down", "reason"), [("xero", "refused", UNREACHABLE), ("quickbooks", "503", UNAVAILABLE)]
)
async def test_failed_runs_and_their_retries_read_failed_with_one_issue_per_cause(
    database: Database, provider_name: str, down: str, reason: str
) -> None:
    async with rig(database, provider_name) as r:
        assert (await r.sync()).failed is None
        if down == "refused":
            r.provider.down = True
        else:
            await r.provider.control("faults", {"error_rate": 1, "error_status": 503})
        for models in (["Contact"], ["Invoice"], None):  # each run fails at other URLs
            with pytest.raises(Transient):
                await r.sync(models=models)
        statuses = await r.statuses()
        assert {s["status"] for s in statuses.values()} == {"FAILED"}
        assert {s["sync_status_reason"] for s in statuses.values()} == {reason}
        assert_public(reason)
        assert [i["error_description"] for i in await r.issues("ONGOING")] == [reason], "one issue per cause"

        # A retry that starts still reads FAILED until the provider answers it.
        r.provider.held = asyncio.Event()
        retry = asyncio.ensure_future(r.sync())
        try:
            await asyncio.wait_for(r.provider.holding.wait(), timeout=30)
            statuses = await r.statuses()
            assert {s["status"] for s in statuses.values()} == {"FAILED"}, "a starting retry hides no failure"
            assert {s["sync_status_reason"] for s in statuses.values()} == {reason}
            r.provider.down = False
            await r.provider.control("faults", {"error_rate": 0})
            r.provider.held.set()
            report = await asyncio.wait_for(retry, timeout=60)
        finally:
            retry.cancel()
            await asyncio.gather(retry, return_exceptions=True)
        assert report.failed is None
        assert {s["status"] for s in (await r.statuses()).values()} == {"DONE"}
        assert await r.issues("ONGOING") == []
        assert [i["error_description"] for i in await r.issues("RESOLVED")] == [reason]


async def test_a_revoked_grant_marks_the_account_relink_needed(database: Database) -> None:
    async with rig(database) as r:
        assert (await r.sync()).failed is None
        assert (await r.get("account-details"))["status"] == "COMPLETE"  # now in the credential cache
        await r.provider.control("tokens/revoke")
        await r.provider.control("tokens/expire")
        with pytest.raises(AuthRevoked):
            await r.sync()
        assert (await r.get("account-details"))["status"] == "RELINK_NEEDED"
        (linked,) = [a for a in (await r.get("linked-accounts"))["results"] if a["id"] == str(r.account_id)]
        assert linked["status"] == "RELINK_NEEDED"
        statuses = await r.statuses()
        assert {s["status"] for s in statuses.values()} == {"FAILED"}
        assert {s["sync_status_reason"] for s in statuses.values()} == {REVOKED}
        assert_public(REVOKED)
        assert [i["error_description"] for i in await r.issues("ONGOING")] == [REVOKED]


async def test_a_run_that_fails_on_our_side_reads_failed_without_the_details(database: Database) -> None:
    async with rig(database) as r:
        r.provider.failure = RuntimeError("boom while calling http://10.1.2.3:8080/v3/company")
        with pytest.raises(RuntimeError):
            await r.sync()
        statuses = await r.statuses()
        assert statuses, "the run began"
        assert {s["status"] for s in statuses.values()} == {"FAILED"}
        assert {s["sync_status_reason"] for s in statuses.values()} == {INTERNAL.reason}
        assert_public(INTERNAL.reason)
        assert [i["error_description"] for i in await r.issues("ONGOING")] == [INTERNAL.reason]


@contextlib.asynccontextmanager
async def working(r: Rig, **options: Any) -> AsyncIterator[None]:
    worker = Worker(
        r.database,
        sync_handlers(r.deps),
        poll_interval=0.02,
        lease_seconds=5,
        abandoned=sync_abandoned(),
        **options,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def _job(r: Rig) -> uuid.UUID:
    async with r.database.write() as session:
        return await queue_sync(session, linked_account_id=r.account_id)


async def _row(r: Rig, job_id: uuid.UUID) -> JobRow:
    async with r.database.read() as session:
        return await job_rows.get(session, job_id)


def _micros(text: str) -> int:
    return clock.to_micros(parse_rfc3339(text))


async def test_a_failed_sync_job_reads_failed_with_its_retry_time(database: Database) -> None:
    async with rig(database) as r:
        r.provider.down = True
        job_id = await _job(r)
        async with working(r, retry_base=3600):  # the retry is an hour away: the test reads the pending state

            async def retry_pending() -> JobRow | None:
                row = await _row(r, job_id)
                return row if row.status == QUEUED and row.attempts == 1 else None

            row = await eventually(retry_pending, what="the job waiting for its retry")
        statuses = await r.statuses()
        assert {s["status"] for s in statuses.values()} == {"FAILED"}
        assert {s["sync_status_reason"] for s in statuses.values()} == {UNREACHABLE}
        for state in statuses.values():
            assert abs(_micros(state["next_sync_start"]) - row.run_after) < 60 * 1_000_000, "the job's retry time"
        assert [i["error_description"] for i in await r.issues("ONGOING")] == [UNREACHABLE]


async def test_a_sync_stopped_by_a_long_throttle_reads_failed_until_the_wait_is_over(database: Database) -> None:
    async with rig(database) as r:
        await r.provider.control("faults", {"throttle_rate": 1, "throttle_retry_after": 3600})
        job_id = await _job(r)
        async with working(r):

            async def released() -> JobRow | None:
                row = await _row(r, job_id)
                return row if row.status == QUEUED and row.run_after > clock.now_micros() + 3000 * 1_000_000 else None

            await eventually(released, what="the job put back for the provider's wait")
        statuses = await r.statuses()
        assert {s["status"] for s in statuses.values()} == {"FAILED"}
        assert {s["sync_status_reason"] for s in statuses.values()} == {THROTTLED}
        assert_public(THROTTLED)
        for state in statuses.values():
            assert _micros(state["next_sync_start"]) > clock.now_micros() + 3000 * 1_000_000
        assert [i["error_description"] for i in await r.issues("ONGOING")] == [THROTTLED]


async def test_a_sync_whose_workers_keep_dying_reads_failed_with_the_workers_reason(database: Database) -> None:
    async with rig(database) as r:
        long_ago = clock.now_micros() - 100 * 1_000_000
        async with r.database.write() as session:
            job_id = await job_rows.insert(
                session,
                kind=SYNC_RUN,
                payload={"linked_account_id": str(r.account_id)},
                linked_account_id=r.account_id,
                run_after=long_ago,
            )
        for claim in range(3):  # three workers claimed it, began the sync and died
            async with r.database.write() as session:
                assert await job_rows.claim(
                    session, kinds=[SYNC_RUN], owner=f"dead-{claim}", lease_seconds=1, now=long_ago + claim * 2_000_000
                )
            async with r.database.write() as session:
                await begin_sync(session, linked_account_id=r.account_id, models=["Account", "Invoice"])
        async with working(r, max_takeovers=3):

            async def given_up() -> JobRow | None:
                row = await _row(r, job_id)
                return row if row.status == JOB_FAILED else None

            row = await eventually(given_up, what="the job given up")
        assert row.error == "the worker running this job stopped 3 times"
        statuses = await r.statuses()
        reason = "The worker running this job stopped 3 times."
        assert {name: (s["status"], s["sync_status_reason"]) for name, s in statuses.items()} == {
            "Account": ("FAILED", reason),
            "Invoice": ("FAILED", reason),
        }
        assert [i["error_description"] for i in await r.issues("ONGOING")] == [reason]


async def _runs(r: Rig) -> list[SyncRun]:
    async with r.database.read() as session:
        account = await accounts.find_linked_account_by_id(session, account_id=r.account_id)
        assert account is not None
        return await list_sync_runs(session, organization_id=account.organization_id, linked_account_id=r.account_id)


async def test_every_sync_job_run_leaves_a_row_in_the_history(database: Database) -> None:
    async with rig(database) as r:
        job_id = await _job(r)
        async with working(r):

            async def done() -> list[SyncRun]:
                return [run for run in await _runs(r) if run.result == "DONE"]

            (run,) = await eventually(done, what="the run in the sync history")
        assert run.job_id == job_id
        assert run.reason is None
        assert run.finished_at >= run.started_at
        assert run.fetched.get("Invoice", 0) > 0, run.fetched
        assert run.requests > 0
        stored = (await r.get("invoices", page_size="100"))["results"]
        assert run.fetched["Invoice"] == len(stored)


async def test_a_failed_run_is_kept_with_its_public_reason(database: Database) -> None:
    async with rig(database) as r:
        r.provider.down = True
        await _job(r)
        async with working(r, retry_base=3600):
            (run,) = await eventually(lambda: _runs(r), what="the failed run in the sync history")
        assert run.result == "FAILED"
        assert run.reason == UNREACHABLE
        assert_public(run.reason)
        assert run.fetched == {}
