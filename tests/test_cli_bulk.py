"""``ledgerport bulk`` refusing what the API refuses, before anything is queued (no provider needed: a refused file
never reaches one). The runs against a QuickBooks sandbox are in ``e2e/test_bulk_cli.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from harness import run
from ledgerport.store import Database
from ledgerport.store import jobs as job_rows
from ledgerport.writes.bulk import BULK_RUN


def ledgerport(*args: str, database_url: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEDGERPORT_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "ledgerport", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('cli-bulk') / 'cli.db'}"


@pytest.fixture(scope="module")
def account(sqlite_url: str) -> dict[str, str]:
    org = ledgerport("orgs", "create", "--name", "Bulk", "--json", database_url=sqlite_url)
    api_key = json.loads(org.stdout)["api_key"]
    made = ledgerport(
        "accounts",
        "create",
        "--api-key",
        api_key,
        "--integration",
        "quickbooks-online",
        "--end-user-org",
        "Bulk Co",
        "--json",
        database_url=sqlite_url,
    )
    assert made.returncode == 0, made.stderr
    return dict(json.loads(made.stdout))


def bulk_jobs(database_url: str, account_id: str) -> int:
    async def count() -> int:
        database = Database(database_url)
        try:
            async with database.read() as session:
                found = await job_rows.list_jobs(session, linked_account_id=uuid.UUID(account_id), kinds=[BULK_RUN])
            return len(found)
        finally:
            await database.dispose()

    return run(count())


def test_bad_lines_are_named_and_nothing_is_queued(sqlite_url: str, account: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "items.jsonl"
    file.write_text('{"memo": "fine"}\n\n{oops\n{"item_id": "1", "payload": {}}\n{"item_id": "z"}\n')
    result = ledgerport(
        "bulk", "--account-token", account["account_token"], "--model", "invoices", str(file), database_url=sqlite_url
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "line 3 is not valid JSON" in result.stderr
    assert "The item_id '1' of line 4 appears more than once in the file" in result.stderr
    assert "line 5 (item_id 'z') has no payload object." in result.stderr
    assert "nothing was queued" in result.stderr
    assert bulk_jobs(sqlite_url, account["linked_account_id"]) == 0


def test_stdin_is_read_with_a_dash(sqlite_url: str, account: dict[str, str]) -> None:
    result = ledgerport(
        "bulk",
        "--account-token",
        account["account_token"],
        "--model",
        "invoices",
        "-",
        "--json",
        database_url=sqlite_url,
        stdin="[]\n",
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "line 1 is not a JSON object." in result.stderr
    assert bulk_jobs(sqlite_url, account["linked_account_id"]) == 0


def test_a_model_without_bulk_names_those_with_it(sqlite_url: str, account: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "items.jsonl"
    file.write_text('{"name": "x"}\n')
    for model in ("contacts", "no-such-model"):
        result = ledgerport(
            "bulk", "--account-token", account["account_token"], "--model", model, str(file), database_url=sqlite_url
        )
        assert result.returncode == 2
        assert f"QuickBooks Online cannot bulk-create {model}; models with bulk: expenses, invoices" in result.stderr


def test_an_unknown_token_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    file = tmp_path / "items.jsonl"
    file.write_text('{"memo": "x"}\n')
    result = ledgerport(
        "bulk", "--account-token", "lpt_nope", "--model", "invoices", str(file), database_url=sqlite_url
    )
    assert result.returncode == 1
    assert "that account token is unknown" in result.stderr


def test_help_says_how_files_are_batched_and_what_the_exit_status_means(sqlite_url: str) -> None:
    result = ledgerport("bulk", "--help", database_url=sqlite_url)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "batches of 100" in text
    assert "0 when every item succeeded, 1 otherwise" in text
