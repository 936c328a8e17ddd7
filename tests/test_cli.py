"""The CLI as a user runs it: one JSON object on stdout for every --json command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def ledgerport(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEDGERPORT_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "ledgerport", *args], capture_output=True, text=True, env=env, check=False, timeout=300
    )


def one_json_object(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    payload = json.loads(lines[0])
    assert isinstance(payload, dict)
    return payload


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.db'}"


def test_create_org_account_and_seed(sqlite_url: str) -> None:
    org = one_json_object(ledgerport("orgs", "create", "--name", "Acme", "--json", database_url=sqlite_url))
    assert set(org) == {"organization_id", "api_key"}
    account = one_json_object(
        ledgerport(
            "accounts",
            "create",
            "--api-key",
            str(org["api_key"]),
            "--integration",
            "xero",
            "--end-user-org",
            "Widgets Ltd",
            "--end-user-email",
            "a@b.example",
            "--json",
            database_url=sqlite_url,
        )
    )
    assert set(account) == {"linked_account_id", "account_token"}
    seeded = one_json_object(
        ledgerport(
            "dev",
            "seed",
            "--account-token",
            str(account["account_token"]),
            "--invoices",
            "12",
            "--expenses",
            "6",
            "--transactions",
            "5",
            "--journal-entries",
            "4",
            "--seed",
            "3",
            "--json",
            database_url=sqlite_url,
        )
    )
    records = seeded["records"]
    assert isinstance(records, dict)
    assert (records["Invoice"], records["Expense"], records["Transaction"], records["JournalEntry"]) == (12, 6, 5, 4)


def test_wrong_api_key_is_refused(sqlite_url: str) -> None:
    result = ledgerport(
        "accounts",
        "create",
        "--api-key",
        "lpk_nope",
        "--integration",
        "xero",
        "--end-user-org",
        "X",
        "--json",
        database_url=sqlite_url,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert "unknown or revoked" in result.stderr


def test_unknown_integration_is_refused(sqlite_url: str) -> None:
    result = ledgerport(
        "accounts", "create", "--api-key", "k", "--integration", "sap", "--end-user-org", "X", database_url=sqlite_url
    )
    assert result.returncode == 2
    assert "unknown integration" in result.stderr


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    result = ledgerport("migrate", database_url="mysql://localhost/x")
    assert result.returncode != 0
    assert "unsupported database URL" in result.stderr


def test_keys_create_and_revoke(sqlite_url: str) -> None:
    org = one_json_object(ledgerport("orgs", "create", "--name", "Keys", "--json", database_url=sqlite_url))
    extra = one_json_object(
        ledgerport("keys", "create", "--api-key", str(org["api_key"]), "--json", database_url=sqlite_url)
    )
    assert extra["organization_id"] == org["organization_id"]
    assert ledgerport("keys", "revoke", "--api-key", str(extra["api_key"]), database_url=sqlite_url).returncode == 0
    again = ledgerport("keys", "revoke", "--api-key", str(extra["api_key"]), database_url=sqlite_url)
    assert again.returncode == 1
    refused = ledgerport("keys", "create", "--api-key", str(extra["api_key"]), database_url=sqlite_url)
    assert "unknown or revoked" in refused.stderr
