"""An operator uses the dashboard in a real browser, against the embedded demo.

``ledgerport demo`` runs as a process on loopback (sandboxes mounted in it, its embedded worker running jobs).
Headless Chromium (Debian's ``chromium``, driven by Playwright) signs in with the demo's API key, opens a linked
account, asks for a resync and sees the worker's run arrive in the sync history, then makes an API key and revokes
it; the API answers each step accordingly. Every step is a screenshot in the test's temporary folder.

Without Chromium (or the ``playwright`` package) the test is skipped, and pytest's summary says what is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
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
SYNC_TIMEOUT = 60.0


def chromium_path() -> str:
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium") or CHROMIUM


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


@dataclass
class Demo:
    url: str
    api_key: str
    process: Process

    def api_status(self, api_key: str) -> int:
        """What the API answers an organization-level call made with ``api_key``."""
        response = httpx.get(
            f"{self.url}/api/accounting/v1/linked-accounts",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=30,
        )
        return response.status_code


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
    folder = tmp_path_factory.mktemp("dashboard-demo")
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


def _ok(response: Any, page: Any) -> None:
    assert response is not None, f"no response at {page.url}"
    assert response.ok, f"{response.status} at {page.url}: {page.content()[:500]}"


def _history_rows(page: Any) -> int:
    """Rows of the sync history table (its empty-state row does not count)."""
    table = page.locator("h2:has-text('Sync history') + table")
    return table.locator("tbody tr").count() - table.locator("td.empty").count()


@pytest.mark.slow
def test_an_operator_signs_in_resyncs_and_rotates_a_key(demo: Demo, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    shots = iter(range(1, 100))

    def shot(name: str) -> None:
        page.screenshot(path=str(tmp_path / f"{next(shots):02d}-{name}.png"), full_page=True)

    try:
        # A stranger is sent to sign in; a wrong key is told so.
        _ok(page.goto(f"{demo.url}/dashboard"), page)
        assert page.url.endswith("/dashboard/sign-in")
        page.get_by_label("Your organization's API key").fill("lpk_wrong")
        page.get_by_role("button", name="Sign in").click()
        assert "That API key is not valid." in page.locator(".notice.error").inner_text()
        shot("wrong-key")

        page.get_by_label("Your organization's API key").fill(demo.api_key)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert page.url.endswith("/dashboard/accounts")
        cookie = next(c for c in context.cookies() if c["name"] == "ledgerport_dashboard")
        assert cookie["httpOnly"]
        assert cookie["sameSite"] == "Strict"
        assert demo.api_key not in cookie["value"]
        rows = page.locator("tbody tr")
        assert rows.count() >= 2, "the demo links one account per sandbox"
        shot("accounts")

        # One account: resync it, and the embedded worker's run shows in the sync history.
        with page.expect_navigation():
            rows.first.get_by_role("link", name="Details").click()
        account_url = page.url
        before = _history_rows(page)
        shot("account")
        with page.expect_navigation():
            page.get_by_role("button", name="Resync now").click()
        assert "A sync was queued" in page.locator(".notice").first.inner_text()
        deadline = time.monotonic() + SYNC_TIMEOUT
        while _history_rows(page) <= before:
            assert time.monotonic() < deadline, f"no sync run arrived: {tail(demo.process.log)}"
            assert demo.process.alive(), tail(demo.process.log)
            time.sleep(0.5)
            _ok(page.goto(account_url), page)
        latest = page.locator("h2:has-text('Sync history') + table tbody tr").first
        assert "DONE" in latest.inner_text()
        shot("account-after-resync")

        # A new key works at the API until it is revoked here.
        page.get_by_role("link", name="API keys").click()
        page.get_by_label("Name").fill("browser key")
        with page.expect_navigation():
            page.get_by_role("button", name="Create key").click()
        secret = page.locator("#new-key").inner_text().strip()
        assert secret.startswith("lpk_")
        assert demo.api_status(secret) == 200
        shot("key-created")
        row = page.locator("tr", has_text="browser key")
        with page.expect_navigation():
            row.get_by_role("button", name="Revoke").click()
        assert "The key was revoked." in page.locator(".notice").first.inner_text()
        assert "revoked" in page.locator("tr", has_text="browser key").inner_text()
        assert demo.api_status(secret) == 401
        assert demo.api_status(demo.api_key) == 200, "the signed-in key is untouched"
        shot("key-revoked")

        _ok(page.goto(f"{demo.url}/dashboard/webhooks"), page)
        shot("webhooks")

        with page.expect_navigation():
            page.get_by_role("button", name="Sign out").click()
        assert page.url.endswith("/dashboard/sign-in?notice=signed-out")
        _ok(page.goto(account_url), page)
        assert "/dashboard/sign-in" in page.url
    finally:
        context.close()
