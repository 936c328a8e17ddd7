"""``ledgerport sync --wait`` and ``accounts list`` over an account linked to a Xero sandbox process: the sync ends
with a table of its models (``--json``: their rows), and the account's next sync is the interval after its last."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from sync_harness import Cli, start_sandboxes

from ledgerport.kit import clock

pytestmark = pytest.mark.slow

INTERVAL = 900


@dataclass
class Linked:
    cli: Cli
    api_key: str
    account_id: str
    account_token: str


@pytest.fixture(scope="module")
def linked(own_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Linked]:
    log_dir = tmp_path_factory.mktemp("operator-cli")
    sandboxes = start_sandboxes({"xero": ("xero", 0, "small")}, log_dir)
    try:
        env = {
            **os.environ,
            "LEDGERPORT_DATABASE_URL": own_database_url,
            "LEDGERPORT_SECRET_KEY_FILE": str(log_dir / "secret.key"),
            "LEDGERPORT_SYNC_INTERVAL_SECONDS": str(INTERVAL),
        }
        cli = Cli(env, log_dir)
        organization = cli.json("orgs", "create", "--name", "operator cli")
        made = cli.json(
            "accounts", "link", "--api-key", organization["api_key"], "--integration", "xero",
            "--sandbox", sandboxes["xero"].url,
        )  # fmt: skip
        yield Linked(cli, organization["api_key"], made["linked_account_id"], made["account_token"])
    finally:
        for sandbox in sandboxes.values():
            sandbox.close()


def _micros(text: str) -> int:
    return clock.to_micros(datetime.fromisoformat(text.replace("Z", "+00:00")))


def test_sync_wait_json_rows_then_a_table(linked: Linked) -> None:
    first = linked.cli.json("sync", "--account-token", linked.account_token, "--wait", timeout=300)
    assert first["status"] == "DONE"
    rows = {row["model"]: row for row in first["models"]}
    assert {model: row["records"] for model, row in rows.items() if row["records"]} == {
        model: count for model, count in first["records"].items() if count
    }
    assert rows["Invoice"]["records"] > 0
    assert all(row["seconds"] >= 0 and row["status"] == "DONE" for row in rows.values())
    assert sum(row["seconds"] for row in rows.values()) <= first["seconds"] + 0.01

    before = clock.now_micros()
    shown = subprocess.run(
        [sys.executable, "-m", "ledgerport", "sync", "--account-token", linked.account_token, "--wait"],
        env=linked.cli.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "{" not in shown.stdout, "a table, not a dict"
    for heading in ("model", "records", "removed", "seconds", "Invoice", "Contact"):
        assert heading in shown.stdout
    assert "DONE: " in shown.stdout
    assert linked.account_id in shown.stdout

    listed = linked.cli.json("accounts", "list", "--api-key", linked.api_key)
    (account,) = listed["accounts"]
    assert account["id"] == linked.account_id
    finished = _micros(account["last_sync_finished"])
    assert before < finished <= clock.now_micros()
    # Every model finished in the last run; the schedule counts from the one that finished first.
    assert before + INTERVAL * 1_000_000 < _micros(account["next_sync_start"]) <= finished + INTERVAL * 1_000_000
