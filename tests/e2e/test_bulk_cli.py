"""``ledgerport bulk`` end to end: the CLI as a subprocess against a QuickBooks sandbox process, on every reachable
database. The account is linked with ``accounts link --sandbox`` and synced with ``sync --wait``, so payloads can
name its contacts and items; what is written is counted in the sandbox's own dump.

No worker process runs unless a test starts one, so the command runs the batches itself (its fallback); with a
``ledgerport worker`` beside it, either may take them and the outcome is the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sync_harness import Cli, Sandbox, start_sandboxes, wait_for

from harness import run
from ledgerport.store import Database
from ledgerport.store import jobs as job_rows
from ledgerport.store.bulks import find_batch
from ledgerport.store.records import record_id
from ledgerport.writes.bulk import BULK_RUN

pytestmark = pytest.mark.slow

FINAL = {"SUCCESS", "PARTIAL_SUCCESS", "FAILED"}


@dataclass
class Linked:
    cli: Cli
    sandbox: Sandbox
    database_url: str
    account_id: str
    account_token: str
    log_dir: Path

    def bulk(self, lines: list[Any], *args: str) -> subprocess.CompletedProcess[str]:
        """``ledgerport bulk --model invoices FILE`` with one line per value (a str is written as it is)."""
        file = self.log_dir / f"items-{uuid.uuid4().hex[:8]}.jsonl"
        file.write_text("".join((v if isinstance(v, str) else json.dumps(v)) + "\n" for v in lines))
        return subprocess.run(
            [sys.executable, "-m", "ledgerport", "bulk", "--account-token", self.account_token, "--model", "invoices"]
            + [str(file), *args],
            env=self.cli.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def invoice(self, number: str, *, contact: str | None = None) -> dict[str, Any]:
        """A valid invoice for the sandbox's first customer (QBO Customer 1, USD) and its ``Installation`` item."""
        account = uuid.UUID(self.account_id)
        return {
            "type": "ACCOUNTS_RECEIVABLE",
            "contact": contact or str(record_id(account, "Contact", "1")),
            "number": number,
            "issue_date": "2026-09-01T00:00:00Z",
            "line_items": [{"item": str(record_id(account, "Item", "3")), "quantity": 1, "unit_price": "25.00"}],
        }

    def sandbox_numbers(self) -> list[str]:
        """The DocNumber of every invoice the sandbox holds."""
        return [str(record.get("DocNumber")) for record in self.sandbox.dump("Invoice")]

    def batch_statuses(self, batch_ids: list[uuid.UUID]) -> set[str]:
        async def read() -> set[str]:
            database = Database(self.database_url)
            try:
                async with database.read() as session:
                    found = [await find_batch(session, batch_id=batch_id) for batch_id in batch_ids]
                return {"MISSING" if batch is None else batch.status for batch in found}
            finally:
                await database.dispose()

        return run(read())

    def bulk_jobs(self) -> int:
        async def count() -> int:
            database = Database(self.database_url)
            try:
                async with database.read() as session:
                    jobs = await job_rows.list_jobs(
                        session, linked_account_id=uuid.UUID(self.account_id), kinds=[BULK_RUN]
                    )
                return len(jobs)
            finally:
                await database.dispose()

        return run(count())


@pytest.fixture(scope="module")
def linked(own_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Linked]:
    log_dir = tmp_path_factory.mktemp("bulk-cli")
    sandboxes = start_sandboxes({"qbo": ("quickbooks", 0, "small")}, log_dir)
    try:
        env = {
            **os.environ,
            "LEDGERPORT_DATABASE_URL": own_database_url,
            "LEDGERPORT_SECRET_KEY_FILE": str(log_dir / "secret.key"),
            "LEDGERPORT_SYNC_INTERVAL_SECONDS": "3600",
        }
        cli = Cli(env, log_dir)
        organization = cli.json("orgs", "create", "--name", "bulk cli")
        sandbox = sandboxes["qbo"]
        made = cli.json(
            "accounts",
            "link",
            "--api-key",
            organization["api_key"],
            "--integration",
            "quickbooks",
            "--sandbox",
            sandbox.url,
        )
        synced = cli.json("sync", "--account-token", made["account_token"], "--wait", timeout=120)
        assert synced["status"] == "DONE", synced
        yield Linked(cli, sandbox, own_database_url, made["linked_account_id"], made["account_token"], log_dir)
    finally:
        for sandbox in sandboxes.values():
            sandbox.close()


def tag() -> str:
    return uuid.uuid4().hex[:6].upper()


def test_two_good_items_and_one_invalid_show_in_the_table_and_the_sandbox(linked: Linked) -> None:
    run_tag = tag()
    result = linked.bulk(
        [
            {"item_id": "first", "payload": linked.invoice(f"{run_tag}-1")},
            {"item_id": "invalid", "payload": linked.invoice(f"{run_tag}-2", contact=str(uuid.uuid4()))},
            linked.invoice(f"{run_tag}-3"),
        ]
    )
    assert result.returncode == 1, result.stderr
    rows = [[cell.strip() for cell in line.split("│")] for line in result.stdout.splitlines() if "│" in line]
    statuses = {row[0]: row[1] for row in rows if row[0]}
    assert statuses == {"first": "SUCCESS", "invalid": "FAILURE", "3": "SUCCESS"}, result.stdout
    assert "No Contact with id" in " ".join(result.stdout.split())
    assert "3 items in 1 batch" in result.stdout
    assert "2 succeeded, 1 failed" in result.stdout
    assert "3/3" in result.stderr, "the progress bar's last state"
    written = [number for number in linked.sandbox_numbers() if number.startswith(run_tag)]
    assert sorted(written) == [f"{run_tag}-1", f"{run_tag}-3"]


def test_a_malformed_line_is_named_and_nothing_is_queued(linked: Linked) -> None:
    before_jobs, before_invoices = linked.bulk_jobs(), len(linked.sandbox_numbers())
    result = linked.bulk([linked.invoice(f"{tag()}-1"), '{"item_id": "x", "payload": {', linked.invoice(f"{tag()}-3")])
    assert result.returncode == 1
    assert result.stdout == ""
    assert "line 2 is not valid JSON" in result.stderr
    assert "nothing was queued" in result.stderr
    assert linked.bulk_jobs() == before_jobs
    assert len(linked.sandbox_numbers()) == before_invoices


def test_json_prints_the_batches_as_the_api_answers_them(linked: Linked) -> None:
    run_tag = tag()
    result = linked.bulk(
        [{"item_id": "a", "payload": linked.invoice(f"{run_tag}-a")}, linked.invoice(f"{run_tag}-b")], "--json"
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    body = json.loads(line)
    (batch,) = body["batches"]
    assert set(body) == {"batches"}
    assert set(batch) == {"batch_id", "status", "total_count", "objects"}
    assert (batch["status"], batch["total_count"]) == ("SUCCESS", 2)
    assert [(one["item_id"], one["status"]) for one in batch["objects"]] == [("a", "SUCCESS"), ("2", "SUCCESS")]
    for one in batch["objects"]:
        assert set(one["response"]) == {"merge_common_model_id"}
        uuid.UUID(one["response"]["merge_common_model_id"])
    assert sorted(n for n in linked.sandbox_numbers() if n.startswith(run_tag)) == [f"{run_tag}-a", f"{run_tag}-b"]


def test_no_wait_prints_the_ids_and_a_worker_process_writes_them(linked: Linked) -> None:
    run_tag = tag()
    items = [linked.invoice(f"{run_tag}-{n}") for n in range(105)]
    result = linked.bulk(items, "--no-wait", "--json")
    assert result.returncode == 0, result.stderr
    batches = json.loads(result.stdout)["batches"]
    assert [(b["status"], b["total_count"]) for b in batches] == [("ENQUEUED", 100), ("ENQUEUED", 5)]
    worker = linked.cli.worker()
    try:
        follow = linked.bulk([linked.invoice(f"{run_tag}-last")], "--json")
        assert follow.returncode == 0, follow.stderr
        assert json.loads(follow.stdout)["batches"][0]["status"] == "SUCCESS"
        ids = [uuid.UUID(b["batch_id"]) for b in batches]
        wait_for(lambda: linked.batch_statuses(ids) <= FINAL, timeout=120, what="the queued batches to end")
    finally:
        worker.stop()
    assert linked.batch_statuses([uuid.UUID(b["batch_id"]) for b in batches]) == {"SUCCESS"}
    written = [n for n in linked.sandbox_numbers() if n.startswith(run_tag)]
    assert len(written) == 106, "the queued batches too: the worker process (or the command's own) wrote them"
