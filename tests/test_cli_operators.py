"""The operator's commands as a user runs them: ``orgs list``, ``accounts list``, ``accounts delete``, ``jobs list``;
their tables and ``--json`` objects hold what the store holds, and a deleted account is gone for the API too.

The runs against a provider sandbox (``sync --wait``, a synced account's next sync) are in
``e2e/test_operator_cli_e2e.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness import TEST_SEALING_KEY, Server, Tenant, create_tenant, migrate, run, start_server
from ledgerport.kit import clock
from ledgerport.kit.sealing import Sealer
from ledgerport.store import Database
from ledgerport.store import jobs as job_rows
from ledgerport.store.credentials import save_credentials
from ledgerport.store.overview import count_account_records
from ledgerport.store.sync_states import begin_sync, end_sync

INTERVAL = 600


def ledgerport(*args: str, database_url: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEDGERPORT_DATABASE_URL": database_url, "LEDGERPORT_SYNC_INTERVAL_SECONDS": str(INTERVAL)}
    return subprocess.run(
        [sys.executable, "-m", "ledgerport", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        check=False,
        timeout=300,
    )


def one_json_object(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    payload = json.loads(lines[0])
    assert isinstance(payload, dict)
    return payload


def refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    """A clear refusal: non-zero, the message on stderr, no traceback, nothing on stdout."""
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-operators') / 'cli.db'}"
    run(migrate(url))
    return url


@pytest.fixture(scope="module")
def tenants(sqlite_url: str) -> tuple[Tenant, Tenant]:
    """Two organizations with one seeded linked account each."""
    seed = {"invoices": 3, "expenses": 2, "transactions": 0, "journal_entries": 0}
    first = run(create_tenant(sqlite_url, integration="xero", seed=seed, seed_value=1))
    second = run(create_tenant(sqlite_url, integration="quickbooks-online", seed=seed, seed_value=2))
    return first, second


@pytest.fixture(scope="module")
def server(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that trusts no cached credentials, with the CLI's sync interval."""
    started = start_server(
        sqlite_url,
        tmp_path_factory.mktemp("cli-operators-logs"),
        LEDGERPORT_AUTH_CACHE_SECONDS="0",
        LEDGERPORT_SYNC_INTERVAL_SECONDS=str(INTERVAL),
    )
    yield started
    started.stop()


async def _records(url: str, account_id: uuid.UUID) -> int:
    database = Database(url)
    try:
        async with database.read() as session:
            return await count_account_records(session, linked_account_id=account_id)
    finally:
        await database.dispose()


class TestOrganizations:
    def test_json_holds_each_organization_with_its_counts(self, sqlite_url: str, tenants: tuple[Tenant, ...]) -> None:
        listed = one_json_object(ledgerport("orgs", "list", "--json", database_url=sqlite_url))["organizations"]
        by_id = {row["id"]: row for row in listed}
        for tenant in tenants:
            row = by_id[str(tenant.organization_id)]
            assert (row["linked_accounts"], row["api_keys"]) == (1, 1)
            assert row["name"].startswith("org-")
            assert row["created_at"].endswith("Z")

    def test_a_revoked_key_is_not_counted(self, sqlite_url: str) -> None:
        made = one_json_object(ledgerport("orgs", "create", "--name", "Keys Ltd", "--json", database_url=sqlite_url))
        assert ledgerport("keys", "revoke", "--api-key", made["api_key"], database_url=sqlite_url).returncode == 0
        listed = one_json_object(ledgerport("orgs", "list", "--json", database_url=sqlite_url))["organizations"]
        (row,) = [row for row in listed if row["id"] == made["organization_id"]]
        assert (row["name"], row["linked_accounts"], row["api_keys"]) == ("Keys Ltd", 0, 0)

    def test_the_table_shows_them(self, sqlite_url: str, tenants: tuple[Tenant, ...]) -> None:
        result = ledgerport("orgs", "list", database_url=sqlite_url)
        assert result.returncode == 0, result.stderr
        for tenant in tenants:
            assert str(tenant.organization_id) in result.stdout
        assert "accounts" in result.stdout
        assert "keys" in result.stdout


class TestAccounts:
    def test_every_organization_for_the_operator(self, sqlite_url: str, tenants: tuple[Tenant, ...]) -> None:
        listed = one_json_object(ledgerport("accounts", "list", "--json", database_url=sqlite_url))["accounts"]
        by_id = {row["id"]: row for row in listed}
        xero, qbo = (by_id[str(tenant.account_id)] for tenant in tenants)
        assert (xero["integration"], xero["integration_name"], xero["status"]) == ("xero", "Xero", "COMPLETE")
        assert qbo["integration"] == "quickbooks-online"
        assert xero["organization_id"] == str(tenants[0].organization_id)
        assert xero["end_user_organization_name"].startswith("End user ")
        # Seeded, never linked: nothing to sync with, so no sync ran and none will be scheduled.
        assert (xero["last_sync_finished"], xero["next_sync_start"]) == (None, None)

    def test_one_organization_with_its_key(self, sqlite_url: str, tenants: tuple[Tenant, ...]) -> None:
        mine = ledgerport("accounts", "list", "--api-key", tenants[1].api_key, "--json", database_url=sqlite_url)
        assert [row["id"] for row in one_json_object(mine)["accounts"]] == [str(tenants[1].account_id)]

    def test_an_unknown_key_is_refused(self, sqlite_url: str) -> None:
        refused(ledgerport("accounts", "list", "--api-key", "lpk_nope", database_url=sqlite_url), "unknown or revoked")

    def test_the_table_shows_them(self, sqlite_url: str, tenants: tuple[Tenant, ...]) -> None:
        result = ledgerport("accounts", "list", "--api-key", tenants[0].api_key, database_url=sqlite_url)
        assert result.returncode == 0, result.stderr
        assert str(tenants[0].account_id) in result.stdout
        assert str(tenants[1].account_id) not in result.stdout
        assert "Xero" in result.stdout


def _sync_states(url: str, account_id: uuid.UUID, *, models: list[str]) -> int:
    """Give the account credentials and a finished sync of ``models``; returns when the last model finished."""

    async def go() -> int:
        database = Database(url)
        try:
            async with database.write() as session:
                await save_credentials(
                    session,
                    sealer=Sealer([TEST_SEALING_KEY]),
                    linked_account_id=account_id,
                    connector="xero",
                    base_url=None,
                    secret=b"{}",
                )
                await begin_sync(session, linked_account_id=account_id, models=models)
            for model in models:
                async with database.write() as session:
                    await end_sync(session, linked_account_id=account_id, model=model, succeeded=True)
            return clock.now_micros()
        finally:
            await database.dispose()

    return run(go())


class TestNextSync:
    """``next_sync_start``: the schedule's next run, after the account's oldest finished model by the interval."""

    def test_sync_status_and_accounts_list_read_the_schedule(self, sqlite_url: str, server: Server) -> None:
        tenant = run(create_tenant(sqlite_url, integration="xero", seed=None, seed_value=0))
        headers = {"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": tenant.account_token}
        status = httpx.get(f"{server.api}/accounting/v1/sync-status", headers=headers, timeout=30)
        assert status.json()["results"] == []
        _sync_states(sqlite_url, tenant.account_id, models=["Invoice", "Contact"])
        status = httpx.get(f"{server.api}/accounting/v1/sync-status", headers=headers, timeout=30)
        assert status.status_code == 200, status.text
        results = status.json()["results"]
        finished = min(clock.to_micros(_time(row["last_sync_finished"])) for row in results)
        expected = finished + INTERVAL * 1_000_000
        assert {clock.to_micros(_time(row["next_sync_start"])) for row in results} == {expected}
        listed = one_json_object(
            ledgerport("accounts", "list", "--api-key", tenant.api_key, "--json", database_url=sqlite_url)
        )
        (row,) = listed["accounts"]
        assert clock.to_micros(_time(row["next_sync_start"])) == expected
        assert clock.to_micros(_time(row["last_sync_finished"])) == max(
            clock.to_micros(_time(one["last_sync_finished"])) for one in results
        )

    def test_a_queued_sync_comes_first_and_no_credentials_mean_none(self, sqlite_url: str, server: Server) -> None:
        tenant = run(create_tenant(sqlite_url, integration="xero", seed=None, seed_value=0))
        headers = {"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": tenant.account_token}
        _sync_states(sqlite_url, tenant.account_id, models=["Invoice"])
        before = clock.now_micros()
        resync = httpx.post(f"{server.api}/accounting/v1/sync-status/resync", headers=headers, timeout=30)
        assert resync.status_code == 200, resync.text
        (row,) = resync.json()
        queued = clock.to_micros(_time(row["next_sync_start"]))
        assert before - 5_000_000 <= queued <= clock.now_micros() + 1_000_000  # due now, not in an interval
        seeded = run(create_tenant(sqlite_url, integration="xero", seed=None, seed_value=0))
        seeded_headers = {"Authorization": f"Bearer {seeded.api_key}", "X-Account-Token": seeded.account_token}

        async def without_credentials() -> None:
            database = Database(sqlite_url)
            try:
                async with database.write() as session:
                    await begin_sync(session, linked_account_id=seeded.account_id, models=["Invoice"])
                    await end_sync(session, linked_account_id=seeded.account_id, model="Invoice", succeeded=True)
            finally:
                await database.dispose()

        run(without_credentials())
        status = httpx.get(f"{server.api}/accounting/v1/sync-status", headers=seeded_headers, timeout=30)
        assert [row["next_sync_start"] for row in status.json()["results"]] == [None]


def _time(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class TestDelete:
    def test_deletes_the_account_and_everything_stored_for_it(
        self, sqlite_url: str, server: Server, tmp_path: Path
    ) -> None:
        tenant = run(
            create_tenant(
                sqlite_url,
                integration="xero",
                seed={"invoices": 4, "expenses": 0, "transactions": 0, "journal_entries": 0},
                seed_value=5,
            )
        )
        headers = {"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": tenant.account_token}
        assert httpx.get(f"{server.api}/accounting/v1/invoices", headers=headers, timeout=30).status_code == 200
        assert run(_records(sqlite_url, tenant.account_id)) > 4
        declined = ledgerport("accounts", "delete", str(tenant.account_id), database_url=sqlite_url, stdin="n\n")
        assert declined.returncode == 1
        assert "nothing was deleted" in declined.stderr
        assert run(_records(sqlite_url, tenant.account_id)) > 4
        deleted = ledgerport("accounts", "delete", str(tenant.account_id), "--yes", database_url=sqlite_url)
        assert deleted.returncode == 0, deleted.stderr
        assert str(tenant.account_id) in deleted.stderr
        assert run(_records(sqlite_url, tenant.account_id)) == 0
        answer = httpx.get(f"{server.api}/accounting/v1/invoices", headers=headers, timeout=30)
        assert answer.status_code in {401, 404}, answer.text
        assert "detail" in answer.json()
        listed = one_json_object(ledgerport("accounts", "list", "--json", database_url=sqlite_url))["accounts"]
        assert str(tenant.account_id) not in {row["id"] for row in listed}

    def test_confirming_deletes(self, sqlite_url: str) -> None:
        tenant = run(create_tenant(sqlite_url, integration="xero", seed=None, seed_value=0))
        result = ledgerport("accounts", "delete", str(tenant.account_id), database_url=sqlite_url, stdin="y\n")
        assert result.returncode == 0, result.stderr
        assert "Delete linked account" in result.stderr

    @pytest.mark.parametrize(
        ("given", "message"),
        [("not-a-uuid", "is a UUID"), ("00000000-0000-0000-0000-000000000000", "no linked account")],
    )
    def test_an_unknown_id_is_a_clear_error(self, sqlite_url: str, given: str, message: str) -> None:
        refused(ledgerport("accounts", "delete", given, "--yes", database_url=sqlite_url), message)


async def _jobs(url: str) -> dict[str, uuid.UUID]:
    """One failed job (with its error), one running under a lease, one queued."""
    database = Database(url)
    try:
        ids = {}
        async with database.write() as session:
            for name in ("failed", "running", "queued"):
                ids[name] = await job_rows.insert(session, kind=f"test.{name}", payload={"n": name})
        for name in ("failed", "running"):
            async with database.write() as session:
                claimed = await job_rows.claim(
                    session, kinds=[f"test.{name}"], owner=f"host-7:{name}", lease_seconds=300, now=clock.now_micros()
                )
            assert claimed is not None
        async with database.write() as session:
            await job_rows.fail(
                session,
                ids["failed"],
                owner="host-7:failed",
                error="RateLimited: the provider said wait 3600s",
                retry_at=None,
            )
        return ids
    finally:
        await database.dispose()


@pytest.fixture(scope="module")
def jobs(sqlite_url: str) -> dict[str, uuid.UUID]:
    return run(_jobs(sqlite_url))


class TestJobs:
    def test_failed_jobs_show_their_error(self, sqlite_url: str, jobs: dict[str, uuid.UUID]) -> None:
        listed = one_json_object(ledgerport("jobs", "list", "--status", "failed", "--json", database_url=sqlite_url))
        (row,) = [row for row in listed["jobs"] if row["id"] == str(jobs["failed"])]
        assert (row["status"], row["kind"], row["attempts"]) == ("failed", "test.failed", 1)
        assert row["error"] == "RateLimited: the provider said wait 3600s"
        assert {row["status"] for row in listed["jobs"]} == {"failed"}
        table = ledgerport("jobs", "list", "--status", "failed", database_url=sqlite_url)
        assert "RateLimited: the provider said wait 3600s" in table.stdout.replace("\n", "")

    def test_running_jobs_show_their_lease_holder_and_age(self, sqlite_url: str, jobs: dict[str, uuid.UUID]) -> None:
        listed = one_json_object(ledgerport("jobs", "list", "--json", database_url=sqlite_url))["jobs"]
        by_id = {row["id"]: row for row in listed}
        running = by_id[str(jobs["running"])]
        assert running["status"] == "running"
        assert running["lease_owner"] == "host-7:running"
        assert running["age_seconds"] >= 0
        assert by_id[str(jobs["queued"])]["status"] == "queued"
        assert str(jobs["failed"]) in by_id  # the default shows what needs looking at

    def test_kind_and_limit(self, sqlite_url: str, jobs: dict[str, uuid.UUID]) -> None:
        listed = one_json_object(
            ledgerport("jobs", "list", "--status", "all", "--kind", "test.queued", "--json", database_url=sqlite_url)
        )
        assert [row["id"] for row in listed["jobs"]] == [str(jobs["queued"])]
        limited = one_json_object(ledgerport("jobs", "list", "--limit", "1", "--json", database_url=sqlite_url))
        assert len(limited["jobs"]) == 1

    def test_an_unknown_status_is_refused(self, sqlite_url: str) -> None:
        refused(ledgerport("jobs", "list", "--status", "stuck", database_url=sqlite_url), "--status must be one of")
