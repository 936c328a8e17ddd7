"""``ledgerport webhooks``, run as a user runs it: add (the key shown once), list, deliveries, replay, enable,
disable, remove. Events are recorded with the store's ``emit``, as the rooms that make changes record them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any

import pytest

from harness import TEST_SEALING_KEY, migrate, run
from ledgerport.kit import clock
from ledgerport.kit.sealing import Sealer
from ledgerport.store import Database, accounts
from ledgerport.store import webhooks as rows

PUBLIC_URL = "https://93.184.216.34/hooks"


def ledgerport(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "LEDGERPORT_DATABASE_URL": database_url,
        "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY,
        "COLUMNS": "200",
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "ledgerport", "webhooks", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )


def one_json_object(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    payload = json.loads(lines[0])
    assert isinstance(payload, dict)
    return payload


class Org:
    def __init__(self, organization_id: uuid.UUID, api_key: str) -> None:
        self.organization_id = organization_id
        self.api_key = api_key


async def _organization(url: str) -> Org:
    database = Database(url)
    try:
        async with database.write() as session:
            organization_id = await accounts.create_organization(session, name=f"org-{uuid.uuid4().hex[:6]}")
            key = await accounts.create_api_key(session, organization_id=organization_id)
    finally:
        await database.dispose()
    return Org(organization_id, key.secret)


async def _emit(url: str, org: Org, count: int) -> None:
    database = Database(url)
    try:
        for index in range(count):
            async with database.write() as session:
                event = rows.NewEvent("LinkedAccount.linked", b'{"n": %d}' % index)
                await rows.emit(session, organization_id=org.organization_id, events=[event])
    finally:
        await database.dispose()


async def _give_up(url: str, endpoint_id: str, delivery_id: str) -> None:
    database = Database(url)
    try:
        async with database.write() as session:
            await rows.attempt_failed(
                session,
                delivery_id=uuid.UUID(delivery_id),
                endpoint_id=uuid.UUID(endpoint_id),
                lane=rows.NO_LANE,
                status_code=503,
                error="HTTP 503",
                now=clock.now_micros(),
                retry_at=None,
            )
    finally:
        await database.dispose()


async def _sealed_key(url: str, endpoint_id: str) -> bytes:
    database = Database(url)
    try:
        async with database.read() as session:
            found = await rows.endpoint_by_id(session, endpoint_id=uuid.UUID(endpoint_id))
    finally:
        await database.dispose()
    assert found is not None
    return found.signing_key


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-webhooks') / 'cli.db'}"
    run(migrate(url))
    return url


@pytest.fixture
def org(database_url: str) -> Org:
    return run(_organization(database_url))


def _add(database_url: str, org: Org, *extra: str) -> subprocess.CompletedProcess[str]:
    return ledgerport("add", "--api-key", org.api_key, "--url", PUBLIC_URL, *extra, database_url=database_url)


def test_add_shows_the_key_once_and_list_never_does(database_url: str, org: Org) -> None:
    made = one_json_object(_add(database_url, org, "--events", "Invoice.added,Contact.added", "--json"))
    assert made["events"] == ["Invoice.added", "Contact.added"]
    assert made["status"] == "ACTIVE"
    assert Sealer([TEST_SEALING_KEY]).open(run(_sealed_key(database_url, made["id"]))).decode() == made["signing_key"]

    panel = _add(database_url, org, "--events", "all")
    assert panel.returncode == 0, panel.stderr
    assert "shown once" in panel.stdout
    second_id = next(
        word for line in panel.stdout.splitlines() if " id " in line for word in line.split() if "-" in word
    )
    assert len(second_id) == 36

    listed = one_json_object(ledgerport("list", "--api-key", org.api_key, "--json", database_url=database_url))
    assert [(row["id"], row["events"]) for row in listed["endpoints"]] == [
        (made["id"], ["Invoice.added", "Contact.added"]),
        (second_id, ["all"]),
    ]
    table = ledgerport("list", "--api-key", org.api_key, database_url=database_url)
    assert table.returncode == 0, table.stderr
    assert made["id"] in table.stdout
    assert second_id in table.stdout
    for output in (json.dumps(listed), table.stdout):
        assert "signing_key" not in output
        assert made["signing_key"] not in output


@pytest.mark.parametrize(
    ("url", "events", "starts"),
    [
        ("http://127.0.0.1:9000/x", "all", "url: "),
        (PUBLIC_URL, "Invoice.added,Invoice.exploded", "events: "),
    ],
)
def test_add_refuses_bad_input(database_url: str, org: Org, url: str, events: str, starts: str) -> None:
    refused = ledgerport(
        "add", "--api-key", org.api_key, "--url", url, "--events", events, "--json", database_url=database_url
    )
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert f"error: {starts}" in " ".join(refused.stderr.split())


def test_private_addresses_when_the_operator_allows_them(database_url: str, org: Org) -> None:
    allowed = ledgerport(
        "add",
        "--api-key",
        org.api_key,
        "--url",
        "http://127.0.0.1:9000/x",
        "--events",
        "all",
        "--json",
        database_url=database_url,
        LEDGERPORT_WEBHOOK_ALLOW_PRIVATE="1",
    )
    assert one_json_object(allowed)["url"] == "http://127.0.0.1:9000/x"


def test_deliveries_and_replay(database_url: str, org: Org) -> None:
    endpoint = one_json_object(_add(database_url, org, "--events", "LinkedAccount.linked", "--json"))["id"]
    run(_emit(database_url, org, 3))
    base = ("--api-key", org.api_key, "--endpoint", endpoint)

    log = one_json_object(ledgerport("deliveries", *base, "--json", database_url=database_url))["deliveries"]
    assert [row["status"] for row in log] == ["PENDING"] * 3
    newest = one_json_object(ledgerport("deliveries", *base, "--limit", "2", "--json", database_url=database_url))
    assert [row["id"] for row in newest["deliveries"]] == [row["id"] for row in log[:2]]

    run(_give_up(database_url, endpoint, log[2]["id"]))
    failed = one_json_object(
        ledgerport("deliveries", *base, "--status", "failed", "--json", database_url=database_url)
    )["deliveries"]
    assert [(row["id"], row["last_status_code"], row["last_error"]) for row in failed] == [
        (log[2]["id"], 503, "HTTP 503")
    ]
    table = ledgerport("deliveries", *base, database_url=database_url)
    assert table.returncode == 0, table.stderr
    assert "LinkedAccount.linked" in table.stdout
    assert "HTTP 503" in table.stdout

    assert one_json_object(ledgerport("replay", *base, "--json", database_url=database_url)) == {"replayed": 1}
    again = ledgerport("replay", *base, database_url=database_url)
    assert again.returncode == 0
    assert "replayed 0 deliveries" in again.stderr
    one = ledgerport("replay", *base, "--delivery", log[0]["id"], "--json", database_url=database_url)
    assert one_json_object(one) == {"replayed": 1}
    unknown = ledgerport("replay", *base, "--delivery", str(uuid.uuid4()), database_url=database_url)
    assert unknown.returncode == 1
    assert "no delivery" in unknown.stderr
    bad_status = ledgerport("deliveries", *base, "--status", "LOST", database_url=database_url)
    assert bad_status.returncode == 2


def test_disable_enable_remove(database_url: str, org: Org) -> None:
    endpoint = one_json_object(_add(database_url, org, "--events", "all", "--json"))["id"]
    base = ("--api-key", org.api_key, "--endpoint", endpoint)

    def listed() -> list[dict[str, Any]]:
        return list(
            one_json_object(ledgerport("list", "--api-key", org.api_key, "--json", database_url=database_url))[
                "endpoints"
            ]
        )

    assert ledgerport("disable", *base, database_url=database_url).returncode == 0
    [row] = listed()
    assert row["status"] == "DISABLED"
    assert row["status_reason"]
    assert ledgerport("enable", *base, database_url=database_url).returncode == 0
    [row] = listed()
    assert (row["status"], row["status_reason"]) == ("ACTIVE", None)
    assert ledgerport("remove", *base, database_url=database_url).returncode == 0
    assert listed() == []
    gone = ledgerport("remove", *base, database_url=database_url)
    assert gone.returncode == 1
    assert "no endpoint" in gone.stderr


def test_another_organizations_endpoint_is_unknown(database_url: str, org: Org) -> None:
    endpoint = one_json_object(_add(database_url, org, "--events", "all", "--json"))["id"]
    stranger = run(_organization(database_url))
    for command in ("deliveries", "remove"):
        refused = ledgerport(command, "--api-key", stranger.api_key, "--endpoint", endpoint, database_url=database_url)
        assert refused.returncode == 1, command
        assert "no endpoint" in refused.stderr, command
    [row] = one_json_object(ledgerport("list", "--api-key", org.api_key, "--json", database_url=database_url))[
        "endpoints"
    ]
    assert row["status"] == "ACTIVE"
    malformed = ledgerport("enable", "--api-key", org.api_key, "--endpoint", "not-a-uuid", database_url=database_url)
    assert malformed.returncode == 1
    assert "is a UUID" in malformed.stderr
    wrong = ledgerport("list", "--api-key", "nope", database_url=database_url)
    assert wrong.returncode == 1
    assert "unknown or revoked" in wrong.stderr
