"""Merge's audit trail over a live server: what the API, the CLI and the link flow change is listed, newest first,
filtered and paged, and each organization sees only its own events."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

import httpx

from harness import Server, TenantFactory

CREATED = "CREATED_REMOTE_PRODUCTION_API_KEY"
DELETED = "DELETED_REMOTE_PRODUCTION_API_KEY"
FIELDS = ["id", "user_name", "user_email", "role", "ip_address", "event_type", "event_description", "created_at"]


def _trail(server: Server, key: str, **params: Any) -> httpx.Response:
    return httpx.get(
        f"{server.api}/accounting/v1/audit-trail", params=params, headers={"Authorization": f"Bearer {key}"}
    )


def _events(server: Server, key: str, **params: Any) -> list[dict[str, Any]]:
    response = _trail(server, key, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    return list(body["results"])


def _post(server: Server, path: str, key: str, body: object, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{server.api}/accounting/v1/{path}", json=body, headers={"Authorization": f"Bearer {key}", **headers}
    )


def _make_and_revoke_a_key(server: Server, key: str) -> str:
    """``generate-key`` makes one key; ``regenerate-key`` with it makes another and revokes it."""
    made = _post(server, "generate-key", key, {"name": "reporting"})
    assert made.status_code == 200
    rotated = _post(server, "regenerate-key", made.json()["key"], {"name": "rotated"})
    assert rotated.status_code == 200
    return str(rotated.json()["key"])


class TestAuditTrail:
    def test_no_api_key(self, server: Server) -> None:
        response = httpx.get(f"{server.api}/accounting/v1/audit-trail")
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}

    def test_key_changes_over_the_api_are_listed_newest_first(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        setup = _events(server, tenant.api_key)
        # The tenant's own key and linked account were made by ledgerport itself.
        assert [(e["event_type"], e["role"]) for e in setup] == [
            ("CREATED_LINKED_ACCOUNT", "SYSTEM"),
            (CREATED, "SYSTEM"),
        ]
        _make_and_revoke_a_key(server, tenant.api_key)
        events = _events(server, tenant.api_key)
        assert [e["event_type"] for e in events] == [DELETED, CREATED, CREATED, "CREATED_LINKED_ACCOUNT", CREATED]
        newest = events[0]
        assert list(newest) == FIELDS
        assert newest["role"] == "API"
        assert newest["ip_address"] == "127.0.0.1"
        assert newest["user_email"] is None
        assert "reporting" in newest["event_description"]
        assert "lpk_" in newest["event_description"]
        assert "rotated" in events[1]["event_description"]
        stamps = [dt.datetime.fromisoformat(e["created_at"]) for e in events]
        assert stamps == sorted(stamps, reverse=True)
        assert all(e["created_at"].endswith("Z") for e in events)

    def test_filters(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        before = dt.datetime.now(dt.UTC)
        _make_and_revoke_a_key(server, tenant.api_key)
        after = dt.datetime.now(dt.UTC)
        deleted = _events(server, tenant.api_key, event_type=DELETED)
        assert [e["event_type"] for e in deleted] == [DELETED]
        created = _events(server, tenant.api_key, event_type=CREATED)
        assert len(created) == 3
        assert _events(server, tenant.api_key, event_type="DELETED_LINKED_ACCOUNT") == []
        recent = _events(server, tenant.api_key, start_date=before.isoformat())
        assert [e["event_type"] for e in recent] == [DELETED, CREATED, CREATED]
        earlier = _events(server, tenant.api_key, end_date=before.isoformat())
        assert [e["event_type"] for e in earlier] == ["CREATED_LINKED_ACCOUNT", CREATED]
        assert _events(server, tenant.api_key, start_date=after.isoformat()) == []
        assert len(_events(server, tenant.api_key, start_date=before.date().isoformat())) == 5
        assert _events(server, tenant.api_key, user_email="nobody@example.com") == []
        for params in ({"event_type": "NOT_AN_EVENT"}, {"start_date": "yesterday"}, {"end_date": "2024-13-01"}):
            response = _trail(server, tenant.api_key, **params)
            assert response.status_code == 400, params
            assert next(iter(params)) in response.json()["detail"]

    def test_paging_with_cursors(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        _make_and_revoke_a_key(server, tenant.api_key)
        everything = [e["id"] for e in _events(server, tenant.api_key)]
        assert len(everything) == 5
        seen: list[str] = []
        pages = []
        cursor = None
        while True:
            params = {"page_size": 2} if cursor is None else {"page_size": 2, "cursor": cursor}
            body = _trail(server, tenant.api_key, **params).json()
            pages.append(body)
            seen += [e["id"] for e in body["results"]]
            cursor = body["next"]
            if cursor is None:
                break
        assert seen == everything
        assert len(pages) == 3
        back = _trail(server, tenant.api_key, page_size=2, cursor=pages[-1]["previous"]).json()
        assert [e["id"] for e in back["results"]] == everything[2:4]

    def test_other_organizations_see_none(self, server: Server, make_tenant: TenantFactory) -> None:
        mine, theirs = make_tenant(), make_tenant()
        _make_and_revoke_a_key(server, mine.api_key)
        mine_ids = {e["id"] for e in _events(server, mine.api_key)}
        theirs_ids = {e["id"] for e in _events(server, theirs.api_key)}
        assert len(theirs_ids) == 2
        assert not mine_ids & theirs_ids
        cursor = _trail(server, mine.api_key, page_size=1).json()["next"]
        foreign = _trail(server, theirs.api_key, page_size=1, cursor=cursor)
        assert foreign.status_code == 400

    def test_deleting_an_account_is_listed(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        deleted = _post(server, "delete-account", tenant.api_key, None, **{"X-Account-Token": tenant.account_token})
        assert deleted.status_code == 200
        events = _events(server, tenant.api_key, event_type="DELETED_LINKED_ACCOUNT")
        assert len(events) == 1
        assert events[0]["role"] == "API"
        assert str(tenant.account_id) in events[0]["event_description"]

    def test_a_key_made_at_the_cli_is_listed(
        self, server: Server, make_tenant: TenantFactory, database_url: str
    ) -> None:
        tenant = make_tenant()
        env = {**os.environ, "LEDGERPORT_DATABASE_URL": database_url, "LEDGERPORT_OPERATOR_EMAIL": "ops@example.com"}
        result = subprocess.run(
            [sys.executable, "-m", "ledgerport", "keys", "create", "--api-key", tenant.api_key, "--name=cli", "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["organization_id"] == str(tenant.organization_id)
        events = _events(server, tenant.api_key, user_email="ops@example.com")
        assert [(e["event_type"], e["role"]) for e in events] == [(CREATED, "ADMIN")]
        assert "'cli'" in events[0]["event_description"]
        assert events[0]["user_name"]

    def test_webhook_endpoint_changes_are_listed(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        key = {"Authorization": f"Bearer {tenant.api_key}"}
        endpoints = f"{server.api}/webhooks/endpoints"
        made = httpx.post(endpoints, json={"url": "https://93.184.216.34/hook", "events": ["all"]}, headers=key)
        assert made.status_code == 201, made.text
        one = f"{endpoints}/{made.json()['id']}"
        assert httpx.patch(one, json={"url": "https://93.184.216.35/other"}, headers=key).status_code == 200
        assert httpx.patch(one, json={"is_active": False}, headers=key).status_code == 200
        assert httpx.post(f"{one}/rotate-key", headers=key).status_code == 200
        assert httpx.delete(one, headers=key).status_code == 204
        assert httpx.delete(one, headers=key).status_code == 404
        events = _events(server, tenant.api_key)[:5]
        assert [e["event_type"] for e in events] == [
            "DISABLED_MERGE_WEBHOOK",
            "REGENERATED_WEBHOOK_SIGNATURE",
            "DISABLED_MERGE_WEBHOOK",
            "MERGE_WEBHOOK_TARGET_CHANGED",
            "ENABLED_MERGE_WEBHOOK",
        ]
        assert {e["role"] for e in events} == {"API"}
        assert "https://93.184.216.35/other" in events[3]["event_description"]
        assert "Deleted" in events[0]["event_description"]
        other = make_tenant()
        assert [e["event_type"] for e in _events(server, other.api_key)] == [
            "CREATED_LINKED_ACCOUNT",
            "CREATED_REMOTE_PRODUCTION_API_KEY",
        ]
