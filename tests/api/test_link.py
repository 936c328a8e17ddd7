"""Merge's link flow end to end, over real processes on loopback, driven as a browser and a backend would drive it.

Two sandbox processes (QuickBooks, Xero) stand in for the providers; a ``ledgerport serve`` process links against
them through ``LEDGERPORT_SANDBOX_ORIGINS``. The backend side is Merge's SDK (``link_token.create``,
``account_token.retrieve``, ``account_token.regenerate_create``); the person's side is httpx submitting the forms the
pages render, including the sandbox consent form's Approve button (not the sandboxes' ``auto_approve`` shortcut).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from merge import Merge
from merge.core.api_error import ApiError
from sqlalchemy import update

from harness import Server, TenantFactory, free_port, run, start_server
from ledgerport.connectors import CONNECTORS
from ledgerport.kit import clock
from ledgerport.kit.sealing import new_key
from ledgerport.kit.secrets import digest
from ledgerport.models.integrations import INTEGRATIONS
from ledgerport.store import Database
from ledgerport.store.jobs import list_jobs
from ledgerport.store.tables import link_sessions
from ledgerport.sync.tasks import SYNC_RUN

PROVIDERS = {"quickbooks": "quickbooks-online", "xero": "xero"}
NAMES = {"quickbooks-online": "QuickBooks Online", "xero": "Xero"}
APPROVE = {"Approve", "Allow access"}
"""The consent buttons a person clicks: QuickBooks says Approve, Xero says Allow access; both say Cancel to deny."""


# --------------------------------------------------------------------------------------------------------------------
# Processes.


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sandbox exited with {process.returncode}: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"sandbox on port {port} did not start: {log.read_text()}")


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """``python -m ledgerport sandbox <provider>`` for each provider: connector key → origin."""
    logs = tmp_path_factory.mktemp("sandboxes")
    started: list[subprocess.Popen[bytes]] = []
    origins: dict[str, str] = {}
    try:
        for key in PROVIDERS:
            port = free_port()
            log = logs / f"{key}.log"
            with log.open("wb") as sink:
                process = subprocess.Popen(
                    [sys.executable, "-m", "ledgerport", "sandbox", key, "--port", str(port)],
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    env={**os.environ},
                )
            started.append(process)
            origins[key] = f"http://127.0.0.1:{port}"
        for process, (key, origin) in zip(started, origins.items(), strict=True):
            _wait_for_port(int(origin.rsplit(":", 1)[1]), process, logs / f"{key}.log")
        yield origins
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _other_name(origin: str) -> str:
    return origin.replace("127.0.0.1", "localhost")


@pytest.fixture(scope="module")
def link_server(
    database_url: str, sandboxes: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server whose link flow reaches the sandboxes; its sealing key is its own, not the key file's.

    The operator allows one other sandbox origin: the Xero sandbox under the name ``localhost``.
    """
    origins = ",".join(f"{key}={origin}" for key, origin in sandboxes.items())
    started = start_server(
        database_url,
        tmp_path_factory.mktemp("link"),
        LEDGERPORT_SANDBOX_ORIGINS=origins,
        LEDGERPORT_SANDBOX_URL_ALLOWLIST=_other_name(sandboxes["xero"]),
        LEDGERPORT_SECRET_KEYS=new_key(),
    )
    yield started
    started.stop()


# --------------------------------------------------------------------------------------------------------------------
# A browser: read a page's form, click one of its buttons.


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)
    """(name, value, visible text) of each submit button."""


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", "")))
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.forms[-1].fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._select_value = a.get("name"), None
        elif tag == "option" and self._select is not None and (self._select_value is None or "selected" in a):
            self._select_value = a.get("value", "")
        elif tag == "button":
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            self.forms[-1].fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "button" and self._button is not None:
            name, value, text = self._button
            self.forms[-1].buttons.append((name, value, text.strip()))
            self._button = None


def read_form(page: httpx.Response) -> Form:
    reader = _FormReader()
    reader.feed(page.text)
    assert len(reader.forms) == 1, page.text
    form = reader.forms[0]
    form.action = urljoin(str(page.url), form.action)
    return form


def click(browser: httpx.Client, form: Form, button: str, **typed: str) -> httpx.Response:
    """Submit ``form`` as clicking the button whose value or text is ``button`` does, with ``typed`` filled in."""
    chosen = next(b for b in form.buttons if button in {b[1], b[2]})
    data: dict[str, list[str]] = {}
    for name, value in [*form.fields, *typed.items(), (chosen[0], chosen[1])]:
        if name in typed and (name, value) not in typed.items():
            continue
        data.setdefault(name, []).append(value)
    return browser.post(form.action, data=data)


def public_token_of(page: httpx.Response) -> str:
    found = re.search(r'<code id="public-token">([^<]+)</code>', page.text)
    assert found is not None, page.text
    return found.group(1)


def error_of(page: httpx.Response) -> str:
    found = re.search(r'<p class="error" id="error">([^<]+)</p>', page.text)
    assert found is not None, page.text
    return found.group(1)


# --------------------------------------------------------------------------------------------------------------------
# The backend's side.


def sdk(server: Server, api_key: str, account_token: str | None = None) -> Merge:
    options = {} if account_token is None else {"account_token": account_token}
    return Merge(api_key=api_key, base_url=server.api, **options)


def create_link(server: Server, api_key: str, **options: Any) -> Any:
    return sdk(server, api_key).accounting.link_token.create(
        end_user_email_address="owner@acme.example",
        end_user_organization_name="Acme Books Ltd",
        end_user_origin_id="acme-42",
        categories=["accounting"],
        **options,
    )


def status_of(call: Any, *args: Any) -> int:
    with pytest.raises(ApiError) as caught:
        call(*args)
    return int(caught.value.status_code or 0)


def to_consent(browser: httpx.Client, magic_link_url: str, integration: str) -> httpx.Response:
    """Open the magic link, pick the integration, follow the redirect: the provider's consent page."""
    page = browser.get(magic_link_url)
    assert page.status_code == 200, page.text
    started = click(browser, read_form(page), integration)
    assert started.status_code == 302, started.text
    consent = browser.get(started.headers["location"])
    assert consent.status_code == 200, consent.text
    return consent


def consent_and_return(browser: httpx.Client, server: Server, consent: httpx.Response, button: str) -> httpx.Response:
    """Click a consent button; the provider sends the person back to ledgerport's callback, which answers."""
    answer = click(browser, read_form(consent), button)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(f"{server.url}/link/callback?"), location
    return browser.get(location)


def link(browser: httpx.Client, server: Server, magic_link_url: str, integration: str) -> httpx.Response:
    consent = to_consent(browser, magic_link_url, integration)
    approve = next(b[2] for b in read_form(consent).buttons if b[2] in APPROVE)
    return consent_and_return(browser, server, consent, approve)


def set_expiry(database_url: str, *, link_token: str | None = None, public_token: str | None = None) -> None:
    """Move a link session's end into the past (tests never sleep)."""
    c = link_sessions.c
    where = c.link_token_digest == digest(link_token) if link_token else c.public_token_digest == digest(public_token)

    async def expire() -> None:
        database = Database(database_url)
        try:
            async with database.write() as session:
                await session.execute(update(link_sessions).where(where).values(expires_at=clock.now_micros() - 1))
        finally:
            await database.dispose()

    run(expire())


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


# --------------------------------------------------------------------------------------------------------------------


class TestLinkToken:
    def test_no_api_key(self, link_server: Server) -> None:
        response = httpx.post(f"{link_server.api}/accounting/v1/link-token", json={})
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}

    def test_creates_a_magic_link(self, link_server: Server, make_tenant: TenantFactory) -> None:
        made = create_link(link_server, make_tenant().api_key)
        assert made.link_token
        assert made.integration_name is None
        assert made.magic_link_url.startswith(f"{link_server.url}/link?link_token=")

    def test_account_token_is_ignored(self, link_server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        response = httpx.post(
            f"{link_server.url}/accounting/v1/link-token",
            json={
                "end_user_email_address": "a@b.example",
                "end_user_organization_name": "B",
                "end_user_origin_id": "b",
                "categories": ["accounting"],
                "should_create_magic_link_url": True,
                "common_models": [],
            },
            headers={"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": "lpt_not_a_token"},
        )
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"link_token", "integration_name", "magic_link_url"}

    def test_preselected_integration_is_the_only_choice(
        self, link_server: Server, make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        made = create_link(link_server, make_tenant().api_key, integration="xero", link_expiry_mins=720)
        assert made.integration_name == "Xero"
        page = browser.get(made.magic_link_url)
        assert page.headers["cache-control"] == "no-store"
        assert [b[1] for b in read_form(page).buttons] == ["xero"]
        assert "sandbox_url" in {name for name, _ in read_form(page).fields}

    def test_page_lists_every_linkable_integration(
        self, link_server: Server, make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        made = create_link(link_server, make_tenant().api_key)
        form = read_form(browser.get(made.magic_link_url))
        assert {(value, text) for _, value, text in form.buttons} == {
            (connector.slug, INTEGRATIONS[connector.slug].name) for connector in CONNECTORS.values()
        }
        assert "account_id" in {name for name, _ in form.fields}  # NetSuite's hosts depend on the account id

    @pytest.mark.parametrize(
        ("change", "named"),
        [
            ({"categories": ["hris"]}, "categories"),
            ({"categories": []}, "categories"),
            ({"categories": ["accounting", "crm"]}, "categories"),
            ({"end_user_origin_id": None}, "end_user_origin_id"),
            ({"end_user_organization_name": ""}, "end_user_organization_name"),
            ({"link_expiry_mins": 29}, "link_expiry_mins"),
            ({"link_expiry_mins": 721}, "link_expiry_mins"),
            ({"integration": "no-such-platform"}, "integration"),
            ({"integration": "freshbooks"}, "integration"),
        ],
    )
    def test_bad_bodies_are_400(
        self, link_server: Server, make_tenant: TenantFactory, change: dict[str, Any], named: str
    ) -> None:
        body = {
            "end_user_email_address": "a@b.example",
            "end_user_organization_name": "B",
            "end_user_origin_id": "b",
            "categories": ["accounting"],
            **change,
        }
        body = {k: v for k, v in body.items() if v is not None}
        headers = {"Authorization": f"Bearer {make_tenant().api_key}"}
        response = httpx.post(f"{link_server.api}/accounting/v1/link-token", json=body, headers=headers)
        assert response.status_code == 400
        assert named in response.json()["detail"]

    def test_body_that_is_not_an_object_is_400(self, link_server: Server, make_tenant: TenantFactory) -> None:
        headers = {"Authorization": f"Bearer {make_tenant().api_key}", "Content-Type": "application/json"}
        for content in (b"", b"not json", b'["accounting"]'):
            response = httpx.post(f"{link_server.api}/accounting/v1/link-token", content=content, headers=headers)
            assert response.status_code == 400, content
            assert "detail" in response.json()


@pytest.mark.parametrize(("key", "slug"), list(PROVIDERS.items()))
class TestLinkFlow:
    def test_link_exchange_use_and_regenerate(
        self, link_server: Server, make_tenant: TenantFactory, browser: httpx.Client, key: str, slug: str
    ) -> None:
        tenant, stranger = make_tenant(), make_tenant()
        made = create_link(link_server, tenant.api_key)

        done = link(browser, link_server, made.magic_link_url, slug)
        assert done.status_code == 200, done.text
        assert "Linked Acme Books Ltd" in done.text
        assert "window.opener.postMessage" in done.text
        public_token = public_token_of(done)

        # Until exchanged, the link page says it was used.
        again = browser.get(made.magic_link_url)
        assert again.status_code == 400
        assert "already used" in error_of(again)

        # Only the organization that made the link token may exchange it, and only once.
        assert status_of(sdk(link_server, stranger.api_key).accounting.account_token.retrieve, public_token) == 404
        exchanged = sdk(link_server, tenant.api_key).accounting.account_token.retrieve(public_token)
        assert exchanged.integration.slug == slug
        assert exchanged.integration.name == NAMES[slug]
        assert exchanged.integration.categories == ["accounting"]
        assert status_of(sdk(link_server, tenant.api_key).accounting.account_token.retrieve, public_token) == 404

        details = sdk(link_server, tenant.api_key, exchanged.account_token).accounting.account_details.retrieve()
        assert details.id == exchanged.id
        assert details.integration_slug == slug
        assert details.integration == NAMES[slug]
        assert details.end_user_organization_name == "Acme Books Ltd"
        assert details.end_user_email_address == "owner@acme.example"
        assert details.end_user_origin_id == "acme-42"
        assert details.status == "COMPLETE"

        # The exchange spent the whole flow: the link itself is gone too.
        gone = browser.get(made.magic_link_url)
        assert gone.status_code == 400
        assert "not valid" in error_of(gone)

        regenerated = sdk(link_server, tenant.api_key, exchanged.account_token).accounting.account_token
        fresh = regenerated.regenerate_create()
        assert fresh.linked_account_id == exchanged.id
        assert fresh.account_token != exchanged.account_token
        old = sdk(link_server, tenant.api_key, exchanged.account_token).accounting.account_details.retrieve
        assert status_of(old) == 401
        new = sdk(link_server, tenant.api_key, fresh.account_token).accounting.account_details.retrieve()
        assert new.id == exchanged.id

    def test_denied_consent_is_a_400_page_and_the_link_can_be_retried(
        self, link_server: Server, make_tenant: TenantFactory, browser: httpx.Client, key: str, slug: str
    ) -> None:
        made = create_link(link_server, make_tenant().api_key)
        denied = consent_and_return(browser, link_server, to_consent(browser, made.magic_link_url, slug), "Cancel")
        assert denied.status_code == 400
        assert "did not grant access" in error_of(denied)
        assert "access_denied" in error_of(denied)
        done = link(browser, link_server, made.magic_link_url, slug)
        assert done.status_code == 200, done.text

    def test_linking_queues_the_first_sync(
        self,
        link_server: Server,
        database_url: str,
        make_tenant: TenantFactory,
        browser: httpx.Client,
        key: str,
        slug: str,
    ) -> None:
        """The account's data starts coming in when the person is done, not at the next scheduled sync."""
        tenant = make_tenant()
        done = link(browser, link_server, create_link(link_server, tenant.api_key).magic_link_url, slug)
        exchanged = sdk(link_server, tenant.api_key).accounting.account_token.retrieve(public_token_of(done))

        async def queued() -> list[tuple[str, str]]:
            database = Database(database_url)
            try:
                async with database.read() as session:
                    rows = await list_jobs(session, linked_account_id=uuid.UUID(exchanged.id))
            finally:
                await database.dispose()
            return [(row.kind, row.status) for row in rows]

        assert run(queued()) == [(SYNC_RUN, "queued")]  # this server runs no worker


class TestLinkErrors:
    def test_unknown_or_missing_link_token_is_a_400_page(self, link_server: Server, browser: httpx.Client) -> None:
        for url in (f"{link_server.url}/link?link_token=lpl_nope", f"{link_server.url}/link"):
            page = browser.get(url)
            assert page.status_code == 400
            assert page.headers["content-type"].startswith("text/html")
            assert error_of(page)
        started = browser.post(f"{link_server.url}/link/start", data={"link_token": "lpl_nope", "integration": "xero"})
        assert started.status_code == 400

    def test_expired_link_token_is_a_400_page(
        self, link_server: Server, database_url: str, make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        made = create_link(link_server, make_tenant().api_key)
        set_expiry(database_url, link_token=made.link_token)
        page = browser.get(made.magic_link_url)
        assert page.status_code == 400
        assert "expired" in error_of(page)
        started = browser.post(
            f"{link_server.url}/link/start", data={"link_token": made.link_token, "integration": "xero"}
        )
        assert started.status_code == 400

    def test_link_expiring_during_consent_is_a_400_page(
        self, link_server: Server, database_url: str, make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        made = create_link(link_server, make_tenant().api_key)
        consent = to_consent(browser, made.magic_link_url, "xero")
        set_expiry(database_url, link_token=made.link_token)
        answer = consent_and_return(browser, link_server, consent, "Allow access")
        assert answer.status_code == 400
        assert "expired" in error_of(answer)

    def test_unknown_state_is_a_400_page(self, link_server: Server, browser: httpx.Client) -> None:
        for query in ("code=abc&state=forged", "code=abc", "error=access_denied&state=forged"):
            page = browser.get(f"{link_server.url}/link/callback?{query}")
            assert page.status_code == 400, query
            assert "state" in error_of(page)

    def test_replayed_callback_is_a_400_page(
        self, link_server: Server, make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        made = create_link(link_server, make_tenant().api_key)
        answer = click(browser, read_form(to_consent(browser, made.magic_link_url, "quickbooks-online")), "Approve")
        callback = answer.headers["location"]
        assert browser.get(callback).status_code == 200
        replay = browser.get(callback)
        assert replay.status_code == 400
        assert "state" in error_of(replay)

    def test_integration_outside_the_preselection_is_refused(
        self, link_server: Server, make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        made = create_link(link_server, make_tenant().api_key, integration="xero")
        form = {"link_token": made.link_token, "integration": "quickbooks-online"}
        started = browser.post(f"{link_server.url}/link/start", data=form)
        assert started.status_code == 400
        assert "QuickBooks" not in started.headers.get("location", "")

    def test_typed_sandbox_url_must_be_http(
        self, link_server: Server, make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        made = create_link(link_server, make_tenant().api_key)
        page = browser.get(made.magic_link_url)
        refused = click(browser, read_form(page), "xero", sandbox_url="file:///etc/passwd")
        assert refused.status_code == 400
        assert "http" in error_of(refused)

    def test_typed_allowlisted_sandbox_url_is_where_the_person_goes(
        self, link_server: Server, sandboxes: dict[str, str], make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        other = _other_name(sandboxes["xero"])
        made = create_link(link_server, make_tenant().api_key)
        page = browser.get(made.magic_link_url)
        started = click(browser, read_form(page), "xero", sandbox_url=other.upper().replace("HTTP", "http") + "/")
        assert started.status_code == 302
        assert started.headers["location"].startswith(f"{other}/identity/connect/authorize?")
        linked = consent_and_return(browser, link_server, browser.get(started.headers["location"]), "Allow access")
        assert linked.status_code == 200, linked.text

    def test_typed_sandbox_url_outside_the_allowlist_is_refused(
        self, link_server: Server, make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        made = create_link(link_server, make_tenant().api_key)
        page = browser.get(made.magic_link_url)
        refused = click(browser, read_form(page), "xero", sandbox_url="http://127.0.0.1:9/")
        assert refused.status_code == 400
        assert "location" not in refused.headers
        assert "allows" in error_of(refused)


class TestAccountToken:
    def test_no_api_key(self, link_server: Server) -> None:
        response = httpx.get(f"{link_server.api}/accounting/v1/account-token/lpp_whatever")
        assert response.status_code == 401

    def test_unknown_public_token_is_404(self, link_server: Server, make_tenant: TenantFactory) -> None:
        retrieve = sdk(link_server, make_tenant().api_key).accounting.account_token.retrieve
        assert status_of(retrieve, "lpp_nope") == 404

    def test_expired_public_token_is_404(
        self, link_server: Server, database_url: str, make_tenant: TenantFactory, browser: httpx.Client
    ) -> None:
        tenant = make_tenant()
        made = create_link(link_server, tenant.api_key)
        public_token = public_token_of(link(browser, link_server, made.magic_link_url, "xero"))
        set_expiry(database_url, public_token=public_token)
        assert status_of(sdk(link_server, tenant.api_key).accounting.account_token.retrieve, public_token) == 404

    def test_regenerate_needs_an_account_token(self, link_server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        assert status_of(sdk(link_server, tenant.api_key).accounting.account_token.regenerate_create) == 401
        stranger = make_tenant()
        foreign = sdk(link_server, stranger.api_key, tenant.account_token).accounting.account_token.regenerate_create
        assert status_of(foreign) == 404
        # Refused attempts change nothing: the tenant's token still works.
        assert sdk(link_server, tenant.api_key, tenant.account_token).accounting.account_details.retrieve()
