"""Webhook management over the API, through a live server: endpoints (the signing key shown once), the delivery log
and replay, Merge's per-account webhook receivers through Merge's SDK, and the guide on the reference page.

Events are recorded with :func:`ledgerport.store.webhooks.emit`, as the rooms that make changes record them; the
servers here run no worker, so deliveries stay as the test leaves them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from merge import Merge
from merge.core.api_error import ApiError
from sqlalchemy import select

from harness import TEST_SEALING_KEY, Server, Tenant, TenantFactory, run, start_server
from ledgerport.api.openapi import openapi_document
from ledgerport.kit import clock
from ledgerport.kit.sealing import Sealer
from ledgerport.models.events import ALL_EVENTS
from ledgerport.store import Database
from ledgerport.store import webhooks as rows
from ledgerport.store.tables import webhook_receivers
from ledgerport.webhooks import sign

PUBLIC_URL = "https://93.184.216.34/hooks"
"""A public address written as a literal: accepted without a DNS lookup."""
DOCUMENT = openapi_document()


@pytest.fixture(scope="module")
def private_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose operator allows private endpoint addresses (LEDGERPORT_WEBHOOK_ALLOW_PRIVATE=1)."""
    started = start_server(database_url, tmp_path_factory.mktemp("private"), LEDGERPORT_WEBHOOK_ALLOW_PRIVATE="1")
    yield started
    started.stop()


def _key(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.api_key}"}


def _url(server: Server, path: str = "") -> str:
    return f"{server.api}/webhooks/endpoints{path}"


def _create(server: Server, tenant: Tenant, **body: Any) -> httpx.Response:
    return httpx.post(_url(server), json={"url": PUBLIC_URL, "events": ["all"], **body}, headers=_key(tenant))


def _valid(body: Any, path: str, method: str = "get", status: str = "200") -> Any:
    schema = DOCUMENT["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**schema, "components": DOCUMENT["components"]})
    return body


async def _stored_endpoint(url: str, endpoint_id: str) -> rows.Endpoint:
    database = Database(url)
    try:
        async with database.read() as session:
            found = await rows.endpoint_by_id(session, endpoint_id=uuid.UUID(endpoint_id))
    finally:
        await database.dispose()
    assert found is not None
    return found


async def _emit(url: str, tenant: Tenant, events: list[tuple[str, uuid.UUID | None]]) -> None:
    """Record events one transaction each, as separate changes would."""
    database = Database(url)
    try:
        for name, account in events:
            async with database.write() as session:
                await rows.emit(
                    session,
                    organization_id=tenant.organization_id,
                    events=[rows.NewEvent(name, b'{"id": "%s"}' % name.encode(), account)],
                )
    finally:
        await database.dispose()


async def _give_up(url: str, endpoint_id: str, delivery_ids: list[str], *, disable: bool = False) -> None:
    """Fail deliveries for good, as the worker does when the retry window ends (disabling the endpoint if asked)."""
    database = Database(url)
    now = clock.now_micros()
    try:
        async with database.write() as session:
            for delivery_id in delivery_ids:
                await rows.attempt_failed(
                    session,
                    delivery_id=uuid.UUID(delivery_id),
                    endpoint_id=uuid.UUID(endpoint_id),
                    lane="-",
                    status_code=500,
                    error="HTTP 500",
                    now=now,
                    retry_at=None,
                    disable_if_failing_since=now if disable else None,
                    disable_because="No delivery succeeded for 24 hours." if disable else "",
                )
    finally:
        await database.dispose()


class TestEndpoints:
    def test_events_lists_every_subscribable_event(self, server: Server, make_tenant: TenantFactory) -> None:
        answer = httpx.get(f"{server.api}/webhooks/events", headers=_key(make_tenant()))
        assert answer.status_code == 200
        assert _valid(answer.json(), "/webhooks/events") == list(ALL_EVENTS)
        assert {"Invoice.added", "LinkedAccount.linked", "AsyncPost.completed"} <= set(answer.json())
        assert httpx.get(f"{server.api}/webhooks/events").status_code == 401

    def test_create_shows_the_signing_key_once(self, server: Server, database_url: str, make_tenant: TenantFactory):
        tenant = make_tenant()
        made = _create(server, tenant, events=["Invoice.added", "Invoice.changed", "Invoice.added"])
        assert made.status_code == 201, made.text
        body = _valid(made.json(), "/webhooks/endpoints", "post", "201")
        assert body["url"] == PUBLIC_URL
        assert body["events"] == ["Invoice.added", "Invoice.changed"]
        assert (body["status"], body["status_reason"], body["failing_since"]) == ("ACTIVE", None, None)
        key = body["signing_key"]
        assert len(key) >= 40
        # The key is stored sealed, and the one given out is the one deliveries are signed with.
        stored = run(_stored_endpoint(database_url, body["id"]))
        assert key.encode() not in stored.signing_key
        assert Sealer([TEST_SEALING_KEY]).open(stored.signing_key).decode() == key

        listed = httpx.get(_url(server), headers=_key(tenant))
        assert listed.status_code == 200
        assert [item["id"] for item in _valid(listed.json(), "/webhooks/endpoints")] == [body["id"]]
        one = httpx.get(_url(server, f"/{body['id']}"), headers=_key(tenant))
        assert _valid(one.json(), "/webhooks/endpoints/{id}") == listed.json()[0]
        for answer in (listed.text, one.text):
            assert "signing_key" not in answer
            assert key not in answer

    def test_rotate_key_replaces_it_once(self, server: Server, database_url: str, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        made = _create(server, tenant).json()
        rotated = httpx.post(_url(server, f"/{made['id']}/rotate-key"), headers=_key(tenant))
        assert rotated.status_code == 200
        new_key = _valid(rotated.json(), "/webhooks/endpoints/{id}/rotate-key", "post")["signing_key"]
        assert new_key != made["signing_key"]
        stored = run(_stored_endpoint(database_url, made["id"]))
        assert Sealer([TEST_SEALING_KEY]).open(stored.signing_key).decode() == new_key

    def test_all_events(self, server: Server, make_tenant: TenantFactory) -> None:
        made = _create(server, make_tenant(), events=["Invoice.added", "all"])
        assert made.status_code == 201
        assert made.json()["events"] == ["all"]

    def test_patch_changes_what_is_sent(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        endpoint = _create(server, tenant).json()
        path = _url(server, f"/{endpoint['id']}")
        changed = httpx.patch(
            path, json={"url": "https://93.184.216.35/other", "events": ["Contact.added"]}, headers=_key(tenant)
        )
        assert changed.status_code == 200, changed.text
        body = _valid(changed.json(), "/webhooks/endpoints/{id}", "patch")
        assert (body["url"], body["events"], body["status"]) == (
            "https://93.184.216.35/other",
            ["Contact.added"],
            "ACTIVE",
        )
        off = httpx.patch(path, json={"is_active": False}, headers=_key(tenant)).json()
        assert off["status"] == "DISABLED"
        assert off["status_reason"]
        assert off["url"] == "https://93.184.216.35/other"  # what was not sent did not change
        on = httpx.patch(path, json={"is_active": True}, headers=_key(tenant)).json()
        assert (on["status"], on["status_reason"]) == ("ACTIVE", None)
        assert httpx.patch(path, json={}, headers=_key(tenant)).json() == on

    def test_reactivating_after_a_failure_streak_clears_the_reason(
        self, server: Server, database_url: str, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        endpoint = _create(server, tenant).json()
        run(_emit(database_url, tenant, [("LinkedAccount.linked", None)]))
        delivery = httpx.get(_url(server, f"/{endpoint['id']}/deliveries"), headers=_key(tenant)).json()["results"][0]
        run(_give_up(database_url, endpoint["id"], [delivery["id"]], disable=True))
        path = _url(server, f"/{endpoint['id']}")
        disabled = httpx.get(path, headers=_key(tenant)).json()
        assert disabled["status"] == "DISABLED"
        assert disabled["status_reason"] == "No delivery succeeded for 24 hours."
        assert disabled["failing_since"] is not None
        on = httpx.patch(path, json={"is_active": True}, headers=_key(tenant)).json()
        assert (on["status"], on["status_reason"], on["failing_since"]) == ("ACTIVE", None, None)

    def test_delete(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        endpoint = _create(server, tenant).json()
        gone = httpx.delete(_url(server, f"/{endpoint['id']}"), headers=_key(tenant))
        assert gone.status_code == 204
        assert gone.content == b""
        assert httpx.get(_url(server, f"/{endpoint['id']}"), headers=_key(tenant)).status_code == 404
        assert httpx.delete(_url(server, f"/{endpoint['id']}"), headers=_key(tenant)).status_code == 404
        assert httpx.get(_url(server), headers=_key(tenant)).json() == []


class TestRefusals:
    @pytest.mark.parametrize(
        ("url", "words"),
        [
            ("ftp://example.com/x", "https://"),
            ("not a url", "spaces"),
            ("https://user:pw@93.184.216.34/", "credentials"),
            ("http://127.0.0.1:9000/hook", "LEDGERPORT_WEBHOOK_ALLOW_PRIVATE=1"),
            ("http://10.1.2.3/hook", "private"),
            ("http://localhost:8080/hook", "localhost"),
            ("https://a..b/", "does not resolve"),
        ],
    )
    def test_a_bad_url_is_400_naming_url(self, server: Server, make_tenant: TenantFactory, url: str, words: str):
        answer = _create(server, make_tenant(), url=url)
        assert answer.status_code == 400, answer.text
        detail = answer.json()["detail"]
        assert detail.startswith("url: "), detail
        assert words in detail, detail

    def test_private_addresses_when_the_operator_allows_them(
        self, server: Server, private_server: Server, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        assert _create(server, tenant, url="http://127.0.0.1:9000/hook").status_code == 400
        allowed = _create(private_server, tenant, url="http://127.0.0.1:9000/hook")
        assert allowed.status_code == 201, allowed.text
        path = f"/{allowed.json()['id']}"
        refused = httpx.patch(_url(server, path), json={"url": "http://192.168.1.9/"}, headers=_key(tenant))
        assert refused.status_code == 400
        assert refused.json()["detail"].startswith("url: ")
        moved = httpx.patch(_url(private_server, path), json={"url": "http://192.168.1.9/"}, headers=_key(tenant))
        assert moved.json()["url"] == "http://192.168.1.9/"

    def test_an_unknown_event_is_400_naming_events(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        answer = _create(server, tenant, events=["Invoice.added", "Invoice.exploded"])
        assert answer.status_code == 400
        assert answer.json()["detail"].startswith("events: unknown event 'Invoice.exploded'")
        endpoint = _create(server, tenant).json()
        patched = httpx.patch(_url(server, f"/{endpoint['id']}"), json={"events": ["nope"]}, headers=_key(tenant))
        assert patched.status_code == 400
        assert patched.json()["detail"].startswith("events: ")

    @pytest.mark.parametrize(
        "body",
        [{}, {"url": PUBLIC_URL}, {"url": PUBLIC_URL, "events": []}, {"url": PUBLIC_URL, "events": "all", "x": 1}],
    )
    def test_malformed_bodies_are_400(self, server: Server, make_tenant: TenantFactory, body: Any) -> None:
        answer = httpx.post(_url(server), json=body, headers=_key(make_tenant()))
        assert answer.status_code == 400
        assert "detail" in answer.json()

    def test_patch_refuses_null_and_unknown_fields(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        path = _url(server, f"/{_create(server, tenant).json()['id']}")
        for body in ({"url": None}, {"is_active": "yes"}, {"active": True}):
            answer = httpx.patch(path, json=body, headers=_key(tenant))
            assert answer.status_code == 400, body
        assert "url" in httpx.patch(path, json={"url": None}, headers=_key(tenant)).json()["detail"]

    def test_another_organizations_endpoint_is_not_found(self, server: Server, make_tenant: TenantFactory) -> None:
        owner, stranger = make_tenant(), make_tenant()
        endpoint = _create(server, owner).json()
        path = _url(server, f"/{endpoint['id']}")
        attempts = [
            httpx.get(path, headers=_key(stranger)),
            httpx.patch(path, json={"is_active": False}, headers=_key(stranger)),
            httpx.delete(path, headers=_key(stranger)),
            httpx.post(f"{path}/rotate-key", headers=_key(stranger)),
            httpx.get(f"{path}/deliveries", headers=_key(stranger)),
            httpx.post(f"{path}/replay", headers=_key(stranger)),
            httpx.post(f"{path}/deliveries/{uuid.uuid4()}/replay", headers=_key(stranger)),
        ]
        assert [answer.status_code for answer in attempts] == [404] * len(attempts)
        assert {answer.json()["detail"] for answer in attempts} == {"Not found."}
        assert httpx.get(_url(server), headers=_key(stranger)).json() == []
        unchanged = httpx.get(path, headers=_key(owner)).json()
        assert (unchanged["id"], unchanged["status"]) == (endpoint["id"], "ACTIVE")

    def test_no_or_a_wrong_key_is_401(self, server: Server) -> None:
        assert httpx.get(_url(server)).status_code == 401
        wrong = httpx.post(
            _url(server), json={"url": PUBLIC_URL, "events": ["all"]}, headers={"Authorization": "Bearer x"}
        )
        assert wrong.status_code == 401
        assert wrong.json() == {"detail": "Invalid token."}


class TestDeliveries:
    def test_the_log_pages_newest_first_and_filters(
        self, server: Server, database_url: str, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        endpoint = _create(server, tenant, events=["Invoice.added", "LinkedAccount.linked"]).json()
        other = _create(server, tenant, events=["Contact.added"]).json()
        emitted = [
            ("LinkedAccount.linked", tenant.account_id),
            ("Invoice.added", tenant.account_id),
            ("Contact.added", tenant.account_id),  # only the other endpoint wants it
            ("Invoice.added", None),
            ("Invoice.added", tenant.account_id),
        ]
        run(_emit(database_url, tenant, emitted))
        path = _url(server, f"/{endpoint['id']}/deliveries")
        whole = _valid(httpx.get(path, headers=_key(tenant)).json(), "/webhooks/endpoints/{id}/deliveries")
        assert (whole["next"], whole["previous"]) == (None, None)
        assert [row["event"] for row in whole["results"]] == [
            "Invoice.added",
            "Invoice.added",
            "Invoice.added",
            "LinkedAccount.linked",
        ]
        first = whole["results"][0]
        assert first["linked_account_id"] == str(tenant.account_id)
        assert whole["results"][1]["linked_account_id"] is None
        assert (first["status"], first["attempts"], first["delivered_at"], first["last_error"]) == (
            "PENDING",
            0,
            None,
            None,
        )
        assert first["next_attempt_at"] is not None
        assert len({row["event_id"] for row in whole["results"]}) == 4

        # Two at a time, forward to the end and back again.
        pages, cursor = [], None
        while True:
            page = httpx.get(
                path, params={"page_size": 2, **({"cursor": cursor} if cursor else {})}, headers=_key(tenant)
            )
            assert page.status_code == 200, page.text
            pages.append(page.json())
            cursor = page.json()["next"]
            if cursor is None:
                break
        assert [row["id"] for page in pages for row in page["results"]] == [row["id"] for row in whole["results"]]
        back = httpx.get(path, params={"page_size": 2, "cursor": pages[-1]["previous"]}, headers=_key(tenant)).json()
        assert back["results"] == pages[0]["results"]

        run(_give_up(database_url, endpoint["id"], [whole["results"][3]["id"]]))
        failed = httpx.get(path, params={"status": "FAILED"}, headers=_key(tenant)).json()["results"]
        assert [(row["event"], row["status"], row["attempts"], row["last_status_code"]) for row in failed] == [
            ("LinkedAccount.linked", "FAILED", 1, 500)
        ]
        assert failed[0]["next_attempt_at"] is None
        assert failed[0]["last_error"] == "HTTP 500"
        assert len(httpx.get(path, params={"status": "PENDING"}, headers=_key(tenant)).json()["results"]) == 3
        others = httpx.get(_url(server, f"/{other['id']}/deliveries"), headers=_key(tenant)).json()["results"]
        assert [row["event"] for row in others] == ["Contact.added"]

    def test_bad_parameters_are_400_naming_them(
        self, server: Server, database_url: str, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        endpoint, other = _create(server, tenant).json(), _create(server, tenant).json()
        path = _url(server, f"/{endpoint['id']}/deliveries")
        for params, name in (
            ({"status": "LOST"}, "status"),
            ({"cursor": "abc"}, "cursor"),
            ({"page_size": "x"}, "page_size"),
        ):
            answer = httpx.get(path, params=params, headers=_key(tenant))
            assert answer.status_code == 400, answer.text
            assert f"'{name}'" in answer.json()["detail"]
        # A cursor pages only the log that issued it.
        run(_emit(database_url, tenant, [("LinkedAccount.linked", None)] * 2))
        other_path = _url(server, f"/{other['id']}/deliveries")
        cursor = httpx.get(other_path, params={"page_size": 1}, headers=_key(tenant)).json()["next"]
        assert httpx.get(other_path, params={"cursor": cursor}, headers=_key(tenant)).status_code == 200
        foreign = httpx.get(path, params={"cursor": cursor}, headers=_key(tenant))
        assert foreign.status_code == 400
        assert "another list" in foreign.json()["detail"]

    def test_replay_counts(self, server: Server, database_url: str, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        endpoint = _create(server, tenant).json()
        run(_emit(database_url, tenant, [("LinkedAccount.linked", None)] * 3))
        path = _url(server, f"/{endpoint['id']}")
        log = httpx.get(f"{path}/deliveries", headers=_key(tenant)).json()["results"]
        run(_give_up(database_url, endpoint["id"], [log[0]["id"], log[1]["id"]]))

        replayed = httpx.post(f"{path}/replay", headers=_key(tenant))
        assert replayed.status_code == 200
        assert _valid(replayed.json(), "/webhooks/endpoints/{id}/replay", "post") == {"replayed": 2}
        assert httpx.post(f"{path}/replay", headers=_key(tenant)).json() == {"replayed": 0}
        statuses = {row["status"] for row in httpx.get(f"{path}/deliveries", headers=_key(tenant)).json()["results"]}
        assert statuses == {"PENDING"}

        run(_give_up(database_url, endpoint["id"], [log[2]["id"]]))
        one = httpx.post(f"{path}/deliveries/{log[2]['id']}/replay", headers=_key(tenant))
        assert one.json() == {"replayed": 1}
        assert httpx.post(f"{path}/deliveries/{uuid.uuid4()}/replay", headers=_key(tenant)).status_code == 404
        assert httpx.post(f"{path}/deliveries/not-a-uuid/replay", headers=_key(tenant)).status_code == 404


class TestReceivers:
    """Merge's ``webhook-receivers``, through Merge's own SDK."""

    def test_the_sdk_creates_and_lists_them(self, server: Server, database_url: str, make_tenant: TenantFactory):
        tenant = make_tenant()
        merge = Merge(api_key=tenant.api_key, account_token=tenant.account_token, base_url=server.api)
        receivers = merge.accounting.webhook_receivers
        assert receivers.list() == []
        made = receivers.create(event="invoice.created", is_active=True, key="provider-secret-1")
        assert (made.event, made.is_active, made.key) == ("invoice.created", True, "provider-secret-1")
        keyless = receivers.create(event="contact.updated", is_active=False)
        assert (keyless.event, keyless.is_active, keyless.key) == ("contact.updated", False, None)
        replaced = receivers.create(event="invoice.created", is_active=False, key="provider-secret-2")
        assert replaced.key == "provider-secret-2"
        listed = receivers.list()
        assert [(r.event, r.is_active, r.key) for r in listed] == [
            ("contact.updated", False, None),
            ("invoice.created", False, "provider-secret-2"),
        ]
        raw = httpx.get(
            f"{server.api}/accounting/v1/webhook-receivers",
            headers={**_key(tenant), "X-Account-Token": tenant.account_token},
        )
        assert _valid(raw.json(), "/accounting/v1/webhook-receivers") == [
            {"event": "contact.updated", "is_active": False},
            {"event": "invoice.created", "is_active": False, "key": "provider-secret-2"},
        ]
        assert b"provider-secret-2" not in run(_stored_receiver_keys(database_url, tenant.account_id))

    def test_a_bad_body_is_400_and_the_account_token_is_required(
        self, server: Server, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        merge = Merge(api_key=tenant.api_key, account_token=tenant.account_token, base_url=server.api)
        with pytest.raises(ApiError) as refused:
            merge.accounting.webhook_receivers.create(event="", is_active=True)
        assert refused.value.status_code == 400
        path = f"{server.api}/accounting/v1/webhook-receivers"
        assert httpx.get(path, headers=_key(tenant)).status_code == 401
        other = make_tenant()
        assert httpx.get(path, headers={**_key(tenant), "X-Account-Token": other.account_token}).status_code == 404


async def _stored_receiver_keys(url: str, account_id: uuid.UUID) -> bytes:
    database = Database(url)
    try:
        async with database.read() as session:
            found = await session.execute(
                select(webhook_receivers.c.key).where(webhook_receivers.c.linked_account_id == account_id)
            )
            return b"".join(bytes(row[0]) for row in found if row[0] is not None)
    finally:
        await database.dispose()


class TestGuide:
    def test_the_reference_page_explains_signing_and_its_snippet_verifies(self, server: Server) -> None:
        page = httpx.get(f"{server.url}/docs").text
        for words in ("X-Merge-Webhook-Signature", "X-Ledgerport-Event-Id", "LEDGERPORT_WEBHOOK_RETRY_HOURS", "replay"):
            assert words in page
        guide = next(tag for tag in DOCUMENT["tags"] if tag["name"] == "webhooks")["description"]
        snippet = guide.split("```python\n", 1)[1].split("```", 1)[0]
        assert len(snippet.strip().splitlines()) == 6
        scope: dict[str, Any] = {}
        exec(snippet, scope)  # noqa: S102 - the documented snippet itself, run against a real signature
        body, key = b'{"hook": {"event": "Invoice.added"}}', "k3y"
        signature = sign(key, body)  # what deliveries carry
        assert scope["verify"](body, signature, key)
        assert not scope["verify"](body + b" ", signature, key)
        assert not scope["verify"](body, signature, "another key")
