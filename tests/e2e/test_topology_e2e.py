"""The production topology end to end: two ``ledgerport serve`` and three ``ledgerport worker`` processes on one
PostgreSQL database and one Redis, every part a real process on loopback, as the README's "Production" section
runs them by hand.

Four accounts are linked to four provider sandboxes (two QuickBooks Online, two Xero) and synced by the three
workers (one job at a time each, three-second leases); one worker is SIGKILLed in the middle of a sync. Then:

* every sync completed exactly once: one ``sync.run`` row per account, each done, the killed one's taken over;
  every model's sync-status ``DONE``; and the workers' ``ledgerport_sync_runs_total{outcome="succeeded"}`` add up
  to four (the killed worker's read just before the kill);
* the per-account rate limit is one budget across both servers (through Redis): one account's requests sent to
  both in turn are allowed no more than the quota in all;
* each process's ``/metrics`` reports what it did: each server counts exactly the requests (200 and 429) the test
  sent it; each worker that ran a sync reports its provider calls and records stored; ``/ready`` is 200 everywhere.

Skipped, with the reason, unless PostgreSQL and Redis are both reachable.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sync_harness import Cli, Ledger, Process, Sandbox, spawn, start_sandboxes, tail, wait_for

from harness import REDIS_URL, TEST_SEALING_KEY, Server, free_port, redis_problem, run, start_server
from ledgerport.connectors import CONNECTORS
from ledgerport.store import Database
from ledgerport.store.jobs import DONE, FAILED, JobRow, list_jobs

pytestmark = pytest.mark.slow

SEED_OFFSET = int(os.environ.get("LEDGERPORT_E2E_SEED_OFFSET") or random.randrange(1, 10**6) * 10)
"""Fresh provider ids each run: the workers' outbound budgets live in Redis by realm or tenant for up to a day."""
SANDBOXES = {
    "qbo-a": ("quickbooks", SEED_OFFSET + 1, "small"),
    "qbo-b": ("quickbooks", SEED_OFFSET + 2, "small"),
    "xero-a": ("xero", SEED_OFFSET + 3, "small"),
    "xero-b": ("xero", SEED_OFFSET + 4, "small"),
}
LATENCY_MS = 40
"""Each provider call's added latency: enough for a sync to last seconds, so the kill lands in one."""
LEASE_SECONDS = 3.0
QUOTA = 10
"""Requests per minute per linked account, shared by both servers."""
TIMEOUT = 60.0
SYNC_RUN = "sync.run"


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels`` (0 when none)."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.rpartition("}")[0]))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


@dataclass
class Worker:
    process: Process
    metrics_url: str

    def metrics(self) -> str:
        return httpx.get(self.metrics_url, timeout=10).text


@dataclass
class Topology:
    database_url: str
    servers: list[Server]
    workers: list[Worker]
    cli: Cli
    api_key: str
    log_dir: Path
    sandboxes: dict[str, Sandbox] = field(default_factory=dict)

    def stop(self) -> None:
        for worker in self.workers:
            worker.process.stop()
        for server in self.servers:
            server.stop()
        for sandbox in self.sandboxes.values():
            sandbox.close()


def _sync_jobs(database_url: str) -> list[JobRow]:
    async def read() -> list[JobRow]:
        database = Database(database_url)
        try:
            async with database.read() as session:
                return await list_jobs(session, kinds=[SYNC_RUN])
        finally:
            await database.dispose()

    return run(read())


@pytest.fixture(scope="module")
def topology(own_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    if not own_database_url.startswith("postgresql"):
        pytest.skip("the production topology runs on PostgreSQL (SQLite is the embedded default's database)")
    problem = redis_problem()
    if problem is not None:
        pytest.skip(f"the production topology needs Redis: {problem}")
    log_dir = tmp_path_factory.mktemp("topology")
    shared = {
        "LEDGERPORT_DATABASE_URL": own_database_url,
        "LEDGERPORT_REDIS_URL": REDIS_URL,
        "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY,
        "LEDGERPORT_SYNC_INTERVAL_SECONDS": "3600",
        "LEDGERPORT_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "LEDGERPORT_LOG_FORMAT": "json",
    }
    env = {**os.environ, **shared}
    cli = Cli(env, log_dir)
    server_env = {**shared, "LEDGERPORT_RATE_LIMIT_PER_MINUTE": str(QUOTA)}
    with ThreadPoolExecutor(4) as pool:  # the processes start at once: each spends a second or two importing
        sandboxes = pool.submit(start_sandboxes, SANDBOXES, log_dir)
        servers = [pool.submit(start_server, own_database_url, log_dir, **server_env) for _ in range(2)]
        organization = pool.submit(cli.json, "orgs", "create", "--name", "topology e2e")
        made = Topology(own_database_url, [], [], cli, "", log_dir)
        try:
            made.servers = [future.result() for future in servers]
            made.sandboxes = sandboxes.result()
            made.api_key = organization.result()["api_key"]
        except BaseException:
            for future in [*servers, sandboxes]:
                if future.exception() is None:
                    result = future.result()
                    for part in result.values() if isinstance(result, dict) else [result]:
                        part.close() if isinstance(part, Sandbox) else part.stop()
            raise
    try:
        for sandbox in made.sandboxes.values():
            sandbox.faults(latency_ms=LATENCY_MS)
        yield made
    finally:
        made.stop()


def start_workers(topology: Topology, count: int) -> None:
    for index in range(count):
        port = free_port()
        args = ["-m", "ledgerport", "worker", "--concurrency", "1", "--metrics-port", str(port)]
        process = spawn(f"worker-{index}", args, topology.cli.env, topology.log_dir)
        topology.workers.append(Worker(process, f"http://127.0.0.1:{port}/metrics"))


def running_a_sync(topology: Topology) -> tuple[Worker, str] | None:
    """A worker in the middle of a sync that has stored records already, with its metrics as read then."""
    for worker in topology.workers:
        if not worker.process.alive():
            raise AssertionError(f"{worker.process.name} exited: {tail(worker.process.log)}")
        try:
            text = worker.metrics()
        except httpx.TransportError:
            continue
        if sample(text, "ledgerport_jobs_running", kind=SYNC_RUN) == 1 and sample(
            text, "ledgerport_records_synced_total"
        ):
            return worker, text
    return None


@dataclass
class Outcome:
    ledgers: dict[str, Ledger]
    killed: Worker
    killed_metrics: str
    jobs: list[JobRow]
    survivors: list[Worker]
    sent: list[dict[int, int]]
    """Per server: status -> how many of the test's rate-limited requests it answered so."""


@pytest.fixture(scope="module")
def outcome(topology: Topology) -> Outcome:
    started = time.monotonic()
    commands = [
        ["accounts", "link", "--api-key", topology.api_key, "--integration", provider, "--sandbox", sandbox.url]
        for provider, sandbox in ((s.provider, s) for s in topology.sandboxes.values())
    ]
    spender = ["accounts", "create", "--api-key", topology.api_key, "--integration", "xero", "--end-user-org", "Rate"]
    *made, spent = topology.cli.json_all([*commands, spender])
    ledgers = {
        name: Ledger(
            topology.servers[i % 2].api, topology.api_key, answer["account_token"], answer["linked_account_id"]
        )
        for i, (name, answer) in enumerate(zip(topology.sandboxes, made, strict=True))
    }
    start_workers(topology, 3)
    queued = topology.cli.json_all([["sync", "--account-token", ledger.account_token] for ledger in ledgers.values()])
    assert {answer["status"] for answer in queued} <= {"QUEUED", "SYNCING"}, queued

    killed, killed_metrics = wait_for(lambda: running_a_sync(topology), timeout=TIMEOUT, what="a worker mid-sync")
    killed.process.kill()
    survivors = [worker for worker in topology.workers if worker is not killed]

    def all_done() -> list[JobRow] | None:
        jobs = _sync_jobs(topology.database_url)
        failed = [job for job in jobs if job.status == FAILED]
        assert not failed, [job.error for job in failed]
        for worker in survivors:
            assert worker.process.alive(), tail(worker.process.log)
        return jobs if len(jobs) == len(ledgers) and all(job.status == DONE for job in jobs) else None

    jobs = wait_for(all_done, timeout=TIMEOUT, what="every sync to finish", interval=0.3)

    # One account's budget (an account of its own, so the sync-status reads below keep theirs), spent through
    # both servers in turn.
    target = Ledger(topology.servers[0].api, topology.api_key, spent["account_token"], spent["linked_account_id"])
    sent: list[dict[int, int]] = [{}, {}]
    with httpx.Client(timeout=10) as client:
        for index in range(3 * QUOTA):
            server = topology.servers[index % 2]
            answer = client.get(f"{server.api}/accounting/v1/invoices", params={"page_size": 1}, headers=target.headers)
            sent[index % 2][answer.status_code] = sent[index % 2].get(answer.status_code, 0) + 1
    assert time.monotonic() - started < 2 * TIMEOUT
    return Outcome(ledgers, killed, killed_metrics, jobs, survivors, sent)


class TestEverySyncCompletesOnce:
    def test_one_job_per_account_each_done_once(self, outcome: Outcome) -> None:
        assert sorted(str(job.linked_account_id) for job in outcome.jobs) == sorted(
            ledger.account_id for ledger in outcome.ledgers.values()
        )
        assert {job.status for job in outcome.jobs} == {DONE}
        assert all(job.attempts == 1 for job in outcome.jobs), "no run failed"
        assert sum(job.takeovers for job in outcome.jobs) == 1, "the killed worker's sync was taken over once"

    def test_every_model_is_done(self, outcome: Outcome, topology: Topology) -> None:
        for name, ledger in outcome.ledgers.items():
            provider = topology.sandboxes[name].provider
            states = ledger.sync_status()
            assert set(states) == {mapping.model for mapping in CONNECTORS[provider].mappings}
            assert {state["status"] for state in states.values()} == {"DONE"}, (name, states)

    def test_the_workers_report_four_successes_in_all(self, outcome: Outcome) -> None:
        succeeded = sample(outcome.killed_metrics, "ledgerport_sync_runs_total", outcome="succeeded")
        succeeded += sum(
            sample(worker.metrics(), "ledgerport_sync_runs_total", outcome="succeeded") for worker in outcome.survivors
        )
        assert succeeded == len(outcome.ledgers)
        for worker in outcome.survivors:
            assert sample(worker.metrics(), "ledgerport_sync_runs_total", outcome="failed") == 0


class TestSharedRateLimit:
    def test_both_servers_spend_one_budget(self, outcome: Outcome) -> None:
        allowed = [answers.get(200, 0) for answers in outcome.sent]
        refused = [answers.get(429, 0) for answers in outcome.sent]
        assert sum(allowed) + sum(refused) == 3 * QUOTA
        # The whole quota at once (GCRA's burst), and one more if a sixth of a minute passed; apart, the two servers
        # would have allowed twice the quota.
        assert QUOTA <= sum(allowed) <= QUOTA + 1, outcome.sent
        assert all(allowed), "each server allowed some"
        assert all(refused), "each server refused some once the shared budget was spent"


class TestMetricsOfEachProcess:
    def test_each_server_counted_what_it_answered(self, outcome: Outcome, topology: Topology) -> None:
        route = "/api/accounting/v1/invoices"
        for server, answers in zip(topology.servers, outcome.sent, strict=True):
            text = httpx.get(f"{server.url}/metrics").text
            for status, count in answers.items():
                assert sample(text, "ledgerport_http_requests_total", route=route, status=str(status)) == count
            assert sample(text, "ledgerport_http_request_duration_seconds_count", route=route) == sum(answers.values())

    def test_workers_report_their_syncs_calls_and_records(self, outcome: Outcome) -> None:
        ran = 0
        for worker in outcome.survivors:
            text = worker.metrics()
            if sample(text, "ledgerport_sync_runs_total"):
                ran += 1
                assert sample(text, "ledgerport_records_synced_total") > 0
                assert sample(text, "ledgerport_provider_requests_total", status_class="2xx") > 0
                assert sample(text, "ledgerport_job_runs_total", kind=SYNC_RUN, outcome="done") > 0
            assert sample(text, "ledgerport_jobs_running", kind=SYNC_RUN) == 0
            assert sample(text, "ledgerport_jobs_queued", kind=SYNC_RUN) == 0
        assert ran >= 1
        assert sample(outcome.killed_metrics, "ledgerport_provider_requests_total") > 0

    def test_records_by_provider_cover_both_providers(self, outcome: Outcome) -> None:
        texts = [outcome.killed_metrics, *(worker.metrics() for worker in outcome.survivors)]
        for provider in ("quickbooks", "xero"):
            assert sum(sample(text, "ledgerport_records_synced_total", provider=provider) for text in texts) > 0

    def test_every_process_is_ready_and_logs_json(self, outcome: Outcome, topology: Topology) -> None:
        for server in topology.servers:
            answer = httpx.get(f"{server.url}/ready")
            assert answer.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}
        for log in [*(server.log for server in topology.servers), *(w.process.log for w in outcome.survivors)]:
            lines = [line for line in log.read_text().splitlines() if line.strip()]
            assert lines
            assert all(line.startswith("{") for line in lines), tail(log)
            assert any(re.search(r'"message": "ledgerport (serve|worker): listen ', line) for line in lines)
            assert "hunter" not in log.read_text()
