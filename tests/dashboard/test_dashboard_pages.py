"""The dashboard over a real server: sign-in and its cookie, sessions, CSRF, the forms' effects as the API sees
them, and tenants kept apart."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import msgspec
import pytest

from harness import TEST_SEALING_KEY, Server, Tenant, TenantFactory, run
from ledgerport.dashboard.sessions import new_session
from ledgerport.kit import clock
from ledgerport.kit.sealing import Sealer
from ledgerport.store import Database
from ledgerport.store import webhooks as webhook_rows
from ledgerport.store.accounts import list_api_keys
from ledgerport.store.jobs import list_jobs
from ledgerport.store.sync_runs import SyncRun, record_sync_run

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PAGES = ["/dashboard/accounts", "/dashboard/keys", "/dashboard/webhooks"]


@pytest.fixture
def browser(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as client:
        yield client


def sign_in(client: httpx.Client, api_key: str) -> httpx.Response:
    form = client.get("/dashboard/sign-in")
    assert form.status_code == 200, form.text
    token = CSRF.search(form.text).group(1)
    return client.post("/dashboard/sign-in", data={"csrf": token, "api_key": api_key})


def csrf_of(client: httpx.Client, path: str = "/dashboard/accounts") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return CSRF.search(page.text).group(1)


def api_get(server: Server, path: str, api_key: str, account_token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api_key}"}
    if account_token is not None:
        headers["X-Account-Token"] = account_token
    return httpx.get(f"{server.api}/accounting/v1/{path}", headers=headers, timeout=30)


def sync_jobs(database_url: str, account_id: uuid.UUID) -> list[str]:
    async def read() -> list[str]:
        database = Database(database_url)
        try:
            async with database.read() as session:
                found = await list_jobs(session, linked_account_id=account_id, kinds=["sync.run"])
                return [job.status for job in found]
        finally:
            await database.dispose()

    return run(read())


@pytest.fixture
def tenant(make_tenant: TenantFactory) -> Tenant:
    return make_tenant()


@pytest.fixture
def signed_in(browser: httpx.Client, tenant: Tenant) -> httpx.Client:
    answer = sign_in(browser, tenant.api_key)
    assert answer.status_code == 303, answer.text
    return browser


class TestSignIn:
    def test_a_right_key_sets_a_sealed_http_only_same_site_cookie(self, browser: httpx.Client, tenant: Tenant) -> None:
        answer = sign_in(browser, tenant.api_key)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/dashboard/accounts"
        (session,) = [c for c in answer.headers.get_list("set-cookie") if c.startswith("ledgerport_dashboard=")]
        attributes = {part.strip().lower() for part in session.split(";")[1:]}
        assert "httponly" in attributes
        assert "samesite=strict" in attributes
        assert "path=/dashboard" in attributes
        assert "secure" not in attributes, "plain http on loopback: a Secure cookie would never come back"
        value = session.split(";")[0].split("=", 1)[1]
        assert tenant.api_key not in value
        assert tenant.api_key[4:16] not in value
        page = browser.get("/dashboard/accounts")
        assert page.status_code == 200
        assert str(tenant.account_id) in page.text

    def test_a_wrong_key_gets_one_clear_sentence_and_no_cookie(self, browser: httpx.Client, tenant: Tenant) -> None:
        answer = sign_in(browser, "lpk_not-a-key")
        assert answer.status_code == 401
        assert "That API key is not valid." in answer.text
        assert "lpk_not-a-key" not in answer.text
        assert not any(c.startswith("ledgerport_dashboard=") for c in answer.headers.get_list("set-cookie"))
        assert browser.get("/dashboard/accounts").status_code == 303

    def test_the_sign_in_form_needs_its_own_token(self, browser: httpx.Client, tenant: Tenant) -> None:
        browser.get("/dashboard/sign-in")
        answer = browser.post("/dashboard/sign-in", data={"csrf": "forged", "api_key": tenant.api_key})
        assert answer.status_code == 403
        assert browser.get("/dashboard/accounts").status_code == 303

    @pytest.mark.parametrize("path", [*PAGES, "/dashboard/accounts/00000000-0000-0000-0000-000000000000"])
    def test_pages_need_a_session(self, browser: httpx.Client, path: str) -> None:
        answer = browser.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/dashboard/sign-in")

    def test_a_forged_or_altered_cookie_is_no_session(self, browser: httpx.Client, tenant: Tenant) -> None:
        other = Sealer(["S6L1nqy2hI9GG1Ff8wD8Kq6uJ7ofYz4mJm3cQ6iN0Am="]).seal(b'{"purpose":"dashboard-session"}')
        for value in ("garbage", other.decode()):
            browser.cookies.set("ledgerport_dashboard", value, path="/dashboard")
            assert browser.get("/dashboard/accounts").status_code == 303

    def test_an_expired_or_foreign_purpose_cookie_sealed_by_the_server_is_no_session(
        self, browser: httpx.Client, tenant: Tenant, database_url: str
    ) -> None:
        sealer = Sealer([TEST_SEALING_KEY])
        (key_id,) = _key_ids(database_url, tenant)
        fresh = new_session(organization_id=tenant.organization_id, key_id=key_id, seconds=600)
        cases = {
            "live": (fresh, 200),
            "expired": (msgspec.structs.replace(fresh, expires_at=clock.now_micros() - 1), 303),
            "other purpose": (msgspec.structs.replace(fresh, purpose="link-session"), 303),
        }
        for name, (session, status) in cases.items():
            browser.cookies.set(
                "ledgerport_dashboard", sealer.seal(msgspec.json.encode(session)).decode(), path="/dashboard"
            )
            assert browser.get("/dashboard/accounts").status_code == status, name

    def test_pages_carry_their_policy_once(self, signed_in: httpx.Client) -> None:
        page = signed_in.get("/dashboard/accounts")
        assert page.headers.get_list("content-security-policy") == [
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'"
        ]
        assert page.headers["cache-control"] == "no-store"
        assert signed_in.get("/dashboard/style.css").headers["content-type"].startswith("text/css")

    def test_signing_out_ends_the_session(self, signed_in: httpx.Client) -> None:
        answer = signed_in.post("/dashboard/sign-out", data={"csrf": csrf_of(signed_in)})
        assert answer.status_code == 303
        assert signed_in.get("/dashboard/accounts").status_code == 303


class TestForms:
    def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(
        self, signed_in: httpx.Client, tenant: Tenant, database_url: str
    ) -> None:
        path = f"/dashboard/accounts/{tenant.account_id}/resync"
        assert signed_in.post(path).status_code == 403
        assert signed_in.post(path, data={"csrf": "wrong"}).status_code == 403
        assert signed_in.post(path, data={"csrf": ""}).status_code == 403
        assert sync_jobs(database_url, tenant.account_id) == [], "a refused form did nothing"

    def test_a_post_without_a_session_is_refused(self, browser: httpx.Client, tenant: Tenant) -> None:
        answer = browser.post(f"/dashboard/accounts/{tenant.account_id}/resync", data={"csrf": "x"})
        assert answer.status_code == 403

    def test_resync_queues_the_sync_the_api_queues(
        self, signed_in: httpx.Client, tenant: Tenant, database_url: str
    ) -> None:
        answer = signed_in.post(f"/dashboard/accounts/{tenant.account_id}/resync", data={"csrf": csrf_of(signed_in)})
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/dashboard/accounts/{tenant.account_id}?notice=resync"
        assert sync_jobs(database_url, tenant.account_id) == ["queued"]
        assert "A sync was queued" in signed_in.get(answer.headers["location"]).text
        assert "QUEUED" in signed_in.get("/dashboard/accounts").text

    def test_a_key_made_and_revoked_in_the_forms_is_refused_by_the_api(
        self, server: Server, signed_in: httpx.Client, tenant: Tenant
    ) -> None:
        made = signed_in.post("/dashboard/keys", data={"csrf": csrf_of(signed_in), "name": "from the dashboard"})
        assert made.status_code == 200
        secret = re.search(r'id="new-key">([^<]+)<', made.text).group(1)
        assert api_get(server, "linked-accounts", secret).status_code == 200
        listed = signed_in.get("/dashboard/keys").text
        assert secret not in listed, "a key is shown once"
        assert secret[:12] in listed
        (key_id,) = re.findall(r'action="/dashboard/keys/([0-9a-f-]+)/revoke"[^>]*>.{0,200}?>Revoke<', listed)
        revoked = signed_in.post(f"/dashboard/keys/{key_id}/revoke", data={"csrf": csrf_of(signed_in)})
        assert revoked.status_code == 303
        assert api_get(server, "linked-accounts", secret).status_code == 401
        assert signed_in.get("/dashboard/accounts").status_code == 200, "the session's own key still works"
        trail = api_get(server, "audit-trail", tenant.api_key).json()["results"][:2]
        assert [(e["event_type"], e["role"]) for e in trail] == [
            ("DELETED_REMOTE_PRODUCTION_API_KEY", "ADMIN"),
            ("CREATED_REMOTE_PRODUCTION_API_KEY", "ADMIN"),
        ]
        assert all(e["user_name"].startswith("dashboard") and e["ip_address"] == "127.0.0.1" for e in trail)
        assert "from the dashboard" in trail[1]["event_description"]

    def test_revoking_the_sessions_own_key_ends_the_session(
        self, server: Server, signed_in: httpx.Client, tenant: Tenant, database_url: str
    ) -> None:
        key_id = _key_ids(database_url, tenant)[0]
        answer = signed_in.post(f"/dashboard/keys/{key_id}/revoke", data={"csrf": csrf_of(signed_in)})
        assert answer.status_code == 303
        assert api_get(server, "linked-accounts", tenant.api_key).status_code == 401
        assert signed_in.get("/dashboard/accounts").status_code == 303

    def test_delete_asks_first_then_deletes_as_the_api_does(
        self, server: Server, signed_in: httpx.Client, tenant: Tenant
    ) -> None:
        assert api_get(server, "account-details", tenant.api_key, tenant.account_token).status_code == 200
        confirm = signed_in.get(f"/dashboard/accounts/{tenant.account_id}/delete")
        assert confirm.status_code == 200
        assert "Delete this account" in confirm.text
        token = CSRF.search(confirm.text).group(1)
        answer = signed_in.post(f"/dashboard/accounts/{tenant.account_id}/delete", data={"csrf": token})
        assert answer.status_code == 303
        assert api_get(server, "account-details", tenant.api_key, tenant.account_token).status_code == 401
        assert signed_in.get(f"/dashboard/accounts/{tenant.account_id}").status_code == 404
        (deleted,) = api_get(server, "audit-trail?event_type=DELETED_LINKED_ACCOUNT", tenant.api_key).json()["results"]
        assert deleted["role"] == "ADMIN"
        assert str(tenant.account_id) in deleted["event_description"]

    def test_the_sync_history_shows_each_run(self, signed_in: httpx.Client, tenant: Tenant, database_url: str) -> None:
        now = clock.now_micros()
        run(
            _record(
                database_url,
                SyncRun(
                    id=uuid.uuid4(),
                    linked_account_id=tenant.account_id,
                    job_id=None,
                    started_at=now - 2_500_000,
                    finished_at=now,
                    result="FAILED",
                    fetched={"Invoice": 12, "Contact": 3},
                    deleted={"Invoice": 1},
                    requests=7,
                    reason="The provider <b>did not</b> answer.",
                ),
            )
        )
        page = signed_in.get(f"/dashboard/accounts/{tenant.account_id}").text
        assert "Contact 3, Invoice 12" in page
        assert "2.5 s" in page
        assert "The provider &lt;b&gt;did not&lt;/b&gt; answer." in page, "stored text is escaped"


async def _record(database_url: str, sync_run: SyncRun) -> None:
    database = Database(database_url)
    try:
        async with database.write() as session:
            await record_sync_run(session, sync_run)
    finally:
        await database.dispose()


def _key_ids(database_url: str, tenant: Tenant) -> list[uuid.UUID]:
    async def read() -> list[uuid.UUID]:
        database = Database(database_url)
        try:
            async with database.read() as session:
                return [key.id for key in await list_api_keys(session, organization_id=tenant.organization_id)]
        finally:
            await database.dispose()

    return run(read())


def _endpoint(database_url: str, tenant: Tenant) -> uuid.UUID:
    async def make() -> uuid.UUID:
        database = Database(database_url)
        try:
            async with database.write() as session:
                endpoint = await webhook_rows.create_endpoint(
                    session,
                    organization_id=tenant.organization_id,
                    url="https://hooks.example.com/in",
                    events=["*"],
                    signing_key=b"sealed",
                )
                return endpoint.id
        finally:
            await database.dispose()

    return run(make())


class TestTenantsApart:
    def test_another_organizations_ids_answer_404_and_change_nothing(
        self, server: Server, signed_in: httpx.Client, make_tenant: TenantFactory, database_url: str
    ) -> None:
        other = make_tenant()
        endpoint_id = _endpoint(database_url, other)
        (other_key,) = _key_ids(database_url, other)
        token = csrf_of(signed_in)
        for path in (
            f"/dashboard/accounts/{other.account_id}",
            f"/dashboard/accounts/{other.account_id}/delete",
            f"/dashboard/webhooks/{endpoint_id}",
            "/dashboard/accounts/not-a-uuid",
        ):
            assert signed_in.get(path).status_code == 404, path
        for path in (
            f"/dashboard/accounts/{other.account_id}/resync",
            f"/dashboard/accounts/{other.account_id}/delete",
            f"/dashboard/keys/{other_key}/revoke",
            f"/dashboard/webhooks/{endpoint_id}/replay",
            f"/dashboard/webhooks/{endpoint_id}/status",
        ):
            assert signed_in.post(path, data={"csrf": token, "active": "false"}).status_code == 404, path
        assert sync_jobs(database_url, other.account_id) == []
        assert api_get(server, "account-details", other.api_key, other.account_token).status_code == 200
        assert "ACTIVE" in _endpoint_status(database_url, other, endpoint_id)

    def test_lists_show_only_the_organizations_own(
        self, signed_in: httpx.Client, tenant: Tenant, make_tenant: TenantFactory, database_url: str
    ) -> None:
        other = make_tenant()
        _endpoint(database_url, other)
        accounts = signed_in.get("/dashboard/accounts").text
        assert str(tenant.account_id) in accounts
        assert str(other.account_id) not in accounts
        assert "hooks.example.com" not in signed_in.get("/dashboard/webhooks").text
        keys = signed_in.get("/dashboard/keys").text
        assert other.api_key[:12] not in keys
        assert tenant.api_key[:12] in keys


def _endpoint_status(database_url: str, tenant: Tenant, endpoint_id: uuid.UUID) -> str:
    async def read() -> str:
        database = Database(database_url)
        try:
            async with database.read() as session:
                found = await webhook_rows.find_endpoint(
                    session, organization_id=tenant.organization_id, endpoint_id=endpoint_id
                )
                assert found is not None
                return found.status
        finally:
            await database.dispose()

    return run(read())


def _failed_delivery(database_url: str, tenant: Tenant, endpoint_id: uuid.UUID) -> uuid.UUID:
    async def make() -> uuid.UUID:
        database = Database(database_url)
        try:
            async with database.write() as session:
                event = webhook_rows.NewEvent("LinkedAccount.linked", b"{}", tenant.account_id)
                await webhook_rows.emit(session, organization_id=tenant.organization_id, events=[event])
                (delivery,) = await webhook_rows.list_deliveries(session, endpoint_id=endpoint_id)
                await webhook_rows.attempt_failed(
                    session,
                    delivery_id=delivery.id,
                    endpoint_id=endpoint_id,
                    lane=str(tenant.account_id),
                    status_code=502,
                    error="the endpoint answered <502>",
                    now=clock.now_micros(),
                    retry_at=None,
                )
                return delivery.id
        finally:
            await database.dispose()

    return run(make())


def _delivery_statuses(database_url: str, endpoint_id: uuid.UUID) -> list[str]:
    async def read() -> list[str]:
        database = Database(database_url)
        try:
            async with database.read() as session:
                return [d.status for d in await webhook_rows.list_deliveries(session, endpoint_id=endpoint_id)]
        finally:
            await database.dispose()

    return run(read())


class TestWebhooks:
    def test_a_failed_delivery_is_shown_and_replayed(
        self, signed_in: httpx.Client, tenant: Tenant, database_url: str
    ) -> None:
        endpoint_id = _endpoint(database_url, tenant)
        delivery_id = _failed_delivery(database_url, tenant, endpoint_id)
        assert _delivery_statuses(database_url, endpoint_id) == ["FAILED"]
        page = signed_in.get(f"/dashboard/webhooks/{endpoint_id}")
        assert page.status_code == 200
        assert "the endpoint answered &lt;502&gt;" in page.text
        assert "LinkedAccount.linked" in page.text
        path = f"/dashboard/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay"
        assert signed_in.post(path).status_code == 403
        assert _delivery_statuses(database_url, endpoint_id) == ["FAILED"]
        answer = signed_in.post(path, data={"csrf": CSRF.search(page.text).group(1)})
        assert answer.status_code == 303
        assert _delivery_statuses(database_url, endpoint_id) == ["PENDING"]
        assert (
            signed_in.post(
                f"/dashboard/webhooks/{endpoint_id}/deliveries/{uuid.uuid4()}/replay", data={"csrf": csrf_of(signed_in)}
            ).status_code
            == 404
        )

    def test_an_endpoint_is_disabled_and_enabled_through_the_shared_functions(
        self, signed_in: httpx.Client, tenant: Tenant, database_url: str
    ) -> None:
        endpoint_id = _endpoint(database_url, tenant)
        path = f"/dashboard/webhooks/{endpoint_id}/status"
        token = csrf_of(signed_in)
        assert signed_in.post(path, data={"csrf": token, "active": "false"}).status_code == 303
        assert _endpoint_status(database_url, tenant, endpoint_id) == "DISABLED"
        assert signed_in.post(path, data={"csrf": token, "active": "true"}).status_code == 303
        assert _endpoint_status(database_url, tenant, endpoint_id) == "ACTIVE"

    def test_an_address_the_api_refuses_is_refused_here_too(self, signed_in: httpx.Client) -> None:
        answer = signed_in.post(
            "/dashboard/webhooks", data={"csrf": csrf_of(signed_in), "url": "http://127.0.0.1:9/in", "events": "all"}
        )
        assert answer.status_code == 400
        assert "url:" in answer.text
