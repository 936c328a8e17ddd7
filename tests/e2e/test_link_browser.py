"""A person links an accounting system in a real browser, against the embedded demo.

``ledgerport demo`` runs as a process on loopback, with the QuickBooks and Xero sandboxes mounted under
``/sandbox/<provider>`` of its own server. Headless Chromium (Debian's ``chromium``, driven by Playwright) opens the
magic link, picks the platform, picks a company on the sandbox's consent page and approves, and lands on the page
with the public token; the backend exchanges it, and the account syncs the company that was picked. Every step is a
screenshot in the test's temporary folder.

Without Chromium (or the ``playwright`` package) the test is skipped, and pytest's summary says what is missing.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sync_harness import Process, spawn, tail, wait_for

from harness import TEST_SEALING_KEY, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEP_TIMEOUT_MS = 15_000
SYNC_TIMEOUT = 30.0


def chromium_problem() -> str | None:
    """Why no browser test can run here, or ``None``."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not os.access(chromium_path(), os.X_OK):
        return (
            f"Chromium not found at {CHROMIUM} or on PATH "
            "(on Debian: apt-get install chromium, which make test does when run as root)"
        )
    return None


def chromium_path() -> str:
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium") or CHROMIUM


# --------------------------------------------------------------------------------------------------------------------
# The demo and the browser.


@dataclass
class Demo:
    url: str
    api_key: str
    process: Process

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def sandbox(self, key: str, path: str, **params: str) -> Any:
        """A sandbox control endpoint, reached through its mount (``/sandbox/<key>/_sandbox/...``)."""
        response = httpx.get(f"{self.url}/sandbox/{key}{path}", params=params, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def api(self, path: str, account_token: str | None = None) -> Any:
        headers = self.headers | ({"X-Account-Token": account_token} if account_token else {})
        response = httpx.get(f"{self.url}/api/accounting/v1/{path}", headers=headers, timeout=30)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:500]}"
        return response.json()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = chromium_problem()
    if problem is not None:
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def demo(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``ledgerport demo`` as ``make run`` starts it; its API key is read from the banner it prints."""
    folder = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {
        **os.environ,
        "LEDGERPORT_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}",
        "LEDGERPORT_HOST": "127.0.0.1",
        "LEDGERPORT_PORT": str(port),
        "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY,
    }
    process = spawn("demo", ["-m", "ledgerport", "demo"], env, folder)
    try:

        def banner() -> re.Match[str] | None:
            if not process.alive():
                raise AssertionError(f"the demo exited with {process.popen.returncode}: {tail(process.log)}")
            return re.search(r"API key:\s+(\S+)", process.log.read_text(errors="replace"))

        api_key = wait_for(banner, timeout=120, what="the demo's banner").group(1)
        url = f"http://127.0.0.1:{port}"

        def serving() -> bool:
            try:
                return httpx.get(f"{url}/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(serving, timeout=30, what="the demo to serve")
        yield Demo(url, api_key, process)
    finally:
        process.stop()


# --------------------------------------------------------------------------------------------------------------------
# What differs per provider: the button on the link page, and the company choice on the consent page.


def _pick_quickbooks_company(demo: Demo, page: Any) -> str:
    """Pick the second company in the consent page's list; its name is what the linked account must hold."""
    realm = demo.sandbox("quickbooks", "/_sandbox/realms")["realms"][1]
    page.get_by_label("Company").select_option(realm)
    (info,) = demo.sandbox("quickbooks", "/_sandbox/dump/CompanyInfo", realm=realm)["CompanyInfo"]
    return str(info["CompanyName"])


def _pick_xero_organisation(demo: Demo, page: Any) -> str:
    """Leave only the second organisation ticked (both are by default)."""
    first, second = demo.sandbox("xero", "/_sandbox/tenants")[:2]
    page.get_by_label(first["tenantName"]).uncheck()
    assert page.get_by_label(second["tenantName"]).is_checked()
    return str(second["tenantName"])


@dataclass(frozen=True)
class Provider:
    key: str
    integration: str
    """The button on the link page."""
    approve: str
    """The consent page's button that grants access."""
    pick: Callable[[Demo, Any], str]
    """Makes the company choice on the consent page; returns the chosen company's name."""


PROVIDERS = [
    Provider("quickbooks", "QuickBooks Online", "Approve", _pick_quickbooks_company),
    Provider("xero", "Xero", "Allow access", _pick_xero_organisation),
]


# --------------------------------------------------------------------------------------------------------------------


def _after_click(page: Any, button: str) -> Any:
    """Click a submit button and wait for the page it leads to (after redirects); that page's response."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    return navigation.value


def _ok(response: Any, page: Any) -> None:
    assert response is not None, f"no response at {page.url}"
    assert response.ok, f"{response.status} at {page.url}: {page.content()[:500]}"


def _synced(demo: Demo, account_token: str) -> bool:
    """Every model's sync is done (``begin_sync`` marks them all at the start of a sync)."""
    if not demo.process.alive():
        raise AssertionError(f"the demo exited with {demo.process.popen.returncode}: {tail(demo.process.log)}")
    states = demo.api("sync-status", account_token)["results"]
    return bool(states) and all(state["status"] == "DONE" for state in states)


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.key for p in PROVIDERS])
def test_a_person_links_a_sandbox_company_in_a_browser(
    demo: Demo, browser: Any, provider: Provider, tmp_path: Path
) -> None:
    made = httpx.post(
        f"{demo.url}/api/accounting/v1/link-token",
        json={
            "end_user_email_address": "owner@browser.example",
            "end_user_organization_name": f"Browser Books ({provider.key})",
            "end_user_origin_id": f"browser-{provider.key}",
            "categories": ["accounting"],
        },
        headers=demo.headers,
        timeout=30,
    )
    assert made.status_code == 200, made.text
    magic_link_url = made.json()["magic_link_url"]

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    steps = iter(range(1, 100))

    def shoot(step: str) -> None:
        page.screenshot(path=tmp_path / f"{provider.key}-{next(steps)}-{step}.png", full_page=True)

    try:
        _ok(page.goto(magic_link_url), page)
        shoot("link-page")

        consent = _after_click(page, provider.integration)
        _ok(consent, page)
        assert page.url.startswith(f"{demo.url}/sandbox/{provider.key}/"), page.url
        company = provider.pick(demo, page)
        shoot("consent")

        linked = _after_click(page, provider.approve)
        _ok(linked, page)
        assert page.url.startswith(f"{demo.url}/link/callback?"), page.url
        public_token = page.locator("#public-token").inner_text()
        shoot("linked")
    except BaseException:
        shoot("failed")
        raise
    finally:
        context.close()

    exchanged = httpx.get(
        f"{demo.url}/api/accounting/v1/account-token/{public_token}", headers=demo.headers, timeout=30
    )
    assert exchanged.status_code == 200, exchanged.text
    account_token = exchanged.json()["account_token"]
    assert exchanged.json()["integration"]["name"] == provider.integration

    wait_for(lambda: _synced(demo, account_token), timeout=SYNC_TIMEOUT, what=f"the {provider.key} account to sync")
    assert demo.api("invoices?page_size=1", account_token)["results"], "the sync stored no invoices"
    (info,) = demo.api("company-info", account_token)["results"]
    assert info["name"] == company, "the linked account is not the company chosen on the consent page"
